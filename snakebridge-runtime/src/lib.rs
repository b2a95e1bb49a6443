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

// The layers, bottom up; each module imports only the layers above it in this list (see
// ARCHITECTURE.md, and `tests/layers.rs`, which enforces it).
//
// 1. data: Value, NdArray, PyRef, Error, ReturnPolicy, serde bridge
mod data;
// 2. the client trait, the request, client selection; the wire form; telemetry
mod client;
pub mod telemetry;
pub mod wire;
// 3. the universal API
mod api;
// 4. the clients
#[cfg(feature = "embedded")]
mod embedded;
mod mock;
#[cfg(unix)]
mod pool;
// 5. what generated code uses
pub mod bind;

use std::sync::Arc;

/// The client calls go to when no default was set: this crate root registers it, so the
/// selection layer never names a client above it. The embedded interpreter when the `embedded`
/// feature is on; without it, calls fail with a configuration error until a default is set.
#[cfg(feature = "embedded")]
pub(crate) const FALLBACK_CLIENT: Option<fn() -> Arc<dyn RuntimeClient>> =
    Some(|| EmbeddedClient::shared());
#[cfg(not(feature = "embedded"))]
pub(crate) const FALLBACK_CLIENT: Option<fn() -> Arc<dyn RuntimeClient>> = None;

/// The fallback client's direct path for a call at a generated call site it has resolved
/// before (`None` from it: take the general path). [`Call::call`] uses it only while the
/// fallback is the current client ([`client::fallback_is_current`]), skipping the client
/// selection and the dynamic dispatch of the general path; the result is the same.
#[cfg(feature = "embedded")]
pub(crate) const FALLBACK_SITE_CALL: Option<SiteCall> = Some(embedded::site_call);
#[cfg(not(feature = "embedded"))]
pub(crate) const FALLBACK_SITE_CALL: Option<SiteCall> = None;

/// See [`FALLBACK_SITE_CALL`].
pub(crate) type SiteCall = fn(&Request, &CallOptions) -> Option<Result<Value>>;

pub use api::{
    Call, IntoArgs, Stream, StreamEvent, call, call_method, construct, get_attr, iterate,
    module_attr, set_attr, with_context,
};
pub use client::request::{Args, CallOptions, CallSite, CallType, Name, Request};
pub use client::{
    RuntimeClient, SessionHandle, ValueStream, current_client, set_default_client, with_client,
};
pub use data::array::{self, DType, Element, NdArray};
pub use data::error::{CallContext, Error, ExceptionKind, PythonError, Result};
pub use data::pyref::{PyRef, RefOwner};
pub use data::return_policy::ReturnPolicy;
pub use data::serde::{from_value, to_value};
pub use data::value::{Bytes, Date, DateTime, FromValue, IntoValue, Time, Value};
#[cfg(feature = "embedded")]
pub use embedded::{EmbeddedClient, Environment, InterpreterSource};
pub use mock::{ExpectCall, MockClient};
/// The `ndarray` crate this runtime converts from and to (use it to name matching versions).
#[cfg(feature = "ndarray")]
pub use ndarray;
#[cfg(unix)]
pub use pool::{
    PoolClient, PoolConfig, PoolStats, Session, SharedArrayMut, WorkerOutput, in_session,
};
/// The contract this runtime shares with the code generator (builder method names, arity
/// limits, exception kinds, the interpreter rule).
pub use snakebridge_contract as contract;
