//! The `#[python_module]` attribute of snakebridge (being written).
use proc_macro::TokenStream;

/// Generates bindings to a Python module (being written).
#[proc_macro_attribute]
pub fn python_module(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
