//! The `#[python_module]` attribute of snakebridge.
//!
//! This crate is a thin shell: all the work happens in `snakebridge-codegen` (argument parsing,
//! introspection and its cache, type mapping, code generation), which tools can use directly.
//! Use the macro through the `snakebridge` facade crate, which also brings the runtime the
//! generated code calls:
//!
//! ```ignore
//! #[snakebridge::python_module("json")]
//! pub mod json {}
//!
//! let text = json::dumps(vec![1, 2]).indent(2).call()?;
//! ```
//!
//! Arguments: the Python module name (first, required), then any of `submodules = ["linalg"]`,
//! `include = ["array"]`, `exclude = ["legacy"]`, `streaming = ["iterate"]` and
//! `cache = "cache"` (the cache directory, relative to `CARGO_MANIFEST_DIR`).
//!
//! Expansion cost: on a cache hit the macro reads one JSON file and generates a few lines per
//! Python item. Cargo builds proc macros unoptimized in the dev profile, which makes expanding a
//! module the size of numpy several times slower; a workspace binding large modules should add
//!
//! ```toml
//! [profile.dev.build-override]
//! opt-level = 3
//! ```
//!
//! `SNAKEBRIDGE_TIMINGS=1` prints the time spent loading and generating for each invocation
//! (shown by `cargo build -vv`).

use proc_macro::TokenStream;

/// Binds a Python module: `#[python_module("numpy", submodules = ["linalg"])] pub mod np {}`.
///
/// The module must be an empty inline `mod`; the macro fills it with typed functions, class
/// structs, constants and submodules. See the crate docs for the arguments.
#[proc_macro_attribute]
pub fn python_module(attr: TokenStream, item: TokenStream) -> TokenStream {
    snakebridge_codegen::expand(attr.into(), item.into()).into()
}
