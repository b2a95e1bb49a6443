//! The runtime of snakebridge: everything that happens when Rust calls Python.
//!
//! - [`Value`]: the lossless model of what crosses the boundary, with [`IntoValue`] /
//!   [`FromValue`] for ordinary Rust types and [`to_value`] / [`from_value`] for any serde type.
//! - [`NdArray`] (in [`Value::Array`]): numeric arrays that cross to numpy without copying
//!   (owned Rust buffers and `ndarray` arrays in; [`PyRef::array_view`] for zero-copy views out;
//!   shared memory through the pool). See the [`array`](mod@array) module.
//! - [`PyRef`]: a handle to a Python object that stays in its runtime; dropping the last handle
//!   releases the object.
//! - [`Error`]: one error type with matchable categories ([`ExceptionKind`] for Python's).
//! - [`RuntimeClient`]: who executes calls — the [`EmbeddedClient`] (CPython in this process, the
//!   default), a [`PoolClient`] (pools of Python worker processes: crash isolation, parallelism,
//!   [`Session`]s) or a [`MockClient`] in tests — chosen process-wide ([`set_default_client`]) or
//!   per thread ([`with_client`], [`in_session`]).
//! - The universal API ([`call`], [`Call`], [`construct`], [`get_attr`], [`module_attr`], ...),
//!   which needs no generated code; `#[python_module]` generates a typed layer over it.
//!
//! ```no_run
//! use snakebridge_runtime::{call, Call, PyRef};
//!
//! let root: f64 = call("math", "sqrt", (16,))?;
//! let rounded: f64 = Call::function("builtins", "round", (3.14159,)).kwarg("ndigits", 2).call()?;
//! let path: PyRef = call("pathlib", "Path", ("/tmp/test.txt",))?;
//! assert_eq!(path.getattr::<String>("name")?, "test.txt");
//! # Ok::<(), snakebridge_runtime::Error>(())
//! ```

#![warn(missing_docs)]

mod api;
pub mod array;
pub mod bind;
mod client;
#[cfg(feature = "embedded")]
mod embedded;
#[cfg(feature = "embedded")]
mod embedded_array;
mod error;
mod mock;
#[cfg(unix)]
mod pool;
mod pyref;
mod request;
mod serde_bridge;
pub mod telemetry;
mod value;
pub mod wire;

pub use api::{
    Call, IntoArgs, Stream, StreamEvent, call, call_method, construct, get_attr, iterate,
    module_attr, set_attr,
};
pub use array::{DType, Element, NdArray};
pub use client::{RuntimeClient, ValueStream, current_client, set_default_client, with_client};
#[cfg(feature = "embedded")]
pub use embedded::{EmbeddedClient, Environment, InterpreterSource};
pub use error::{CallContext, Error, ExceptionKind, PythonError, Result};
pub use mock::{ExpectCall, MockClient};
/// The `ndarray` crate this runtime converts from and to (use it to name matching versions).
#[cfg(feature = "ndarray")]
pub use ndarray;
#[cfg(unix)]
pub use pool::{PoolClient, PoolConfig, PoolStats, Session, WorkerOutput, in_session};
pub use pyref::{PyRef, RefOwner};
pub use request::{Args, CallOptions, CallSite, CallType, Name, Request, ReturnPolicy};
pub use serde_bridge::{from_value, to_value};
pub use value::{Bytes, Date, DateTime, FromValue, IntoValue, Time, Value};
