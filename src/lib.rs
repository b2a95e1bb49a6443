//! # snakebridge
//!
//! Typed, documented Rust bindings to any Python library, generated at compile time.
//!
//! ```
//! #[snakebridge::python_module("json")]
//! pub mod json {}
//!
//! let text = json::dumps(vec![1, 2, 3]).indent(2).call()?;
//! assert_eq!(text, "[\n  1,\n  2,\n  3\n]");
//! # Ok::<(), snakebridge::Error>(())
//! ```
//!
//! The attribute introspects the module in a `python3` subprocess at compile time (cached under
//! the crate's `cache/` folder) and expands the empty `mod` into functions, class structs,
//! attribute getters and setters, constants and submodules, each a thin call into the runtime.
//!
//! Without generated bindings, the runtime's universal API calls anything:
//!
//! ```
//! let root: f64 = snakebridge::call("math", "sqrt", (16,))?;
//! assert_eq!(root, 4.0);
//! # Ok::<(), snakebridge::Error>(())
//! ```
//!
//! Everything of [`snakebridge_runtime`] is re-exported here; see its documentation for values,
//! refs, errors and clients.

pub use snakebridge_macros::python_module;
pub use snakebridge_runtime::*;

/// The runtime crate, for paths like `snakebridge::runtime::wire`.
pub use snakebridge_runtime as runtime;

/// Items used by generated code. Not a public API: may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use snakebridge_runtime::bind::*;
}

/// The README's Rust code blocks, compiled and run as doctests of this crate (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctests {}
