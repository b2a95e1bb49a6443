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
//! The runtime is re-exported here as it presents itself: its root is this crate's root (values,
//! refs, errors, clients), and [`client`] holds what someone writing a
//! [`RuntimeClient`](client::RuntimeClient) needs.

pub use snakebridge_macros::python_module;
// The runtime's three doors, exactly: its root (the user's API), `client` (what a
// `RuntimeClient` implementation needs) and the hidden `__private` (the one path generated code
// names, as `::snakebridge::__private`). The glob brings all three.
pub use snakebridge_runtime::*;

/// The README's Rust code blocks, compiled and run as doctests of this crate (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctests {}
