//! The backend of snakebridge's `#[python_module]`: the introspection model, the introspector and
//! its cache, the type mapping and the code generation. It is a normal library (the proc-macro
//! crate is a thin shell over [`expand`]), so tools such as a command-line generator or golden
//! tests can use [`generate`] without a compiler or, given a [`model::ModuleInfo`], without Python.

pub mod attr;
pub mod cache;
pub mod codegen;
pub mod docs;
pub mod docstring;
mod error;
mod expand;
pub mod markdown;
pub mod model;
pub mod names;
pub mod python;
pub mod typemap;

pub use codegen::{Name, Options, generate, try_generate};
pub use expand::expand;
