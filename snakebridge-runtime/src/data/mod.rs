//! Layer 1, the data that crosses the boundary: [`Value`](value::Value) and its conversions,
//! [`NdArray`](array::NdArray), [`PyRef`](pyref::PyRef), [`PyFn`](pyfn::PyFn) (Rust callbacks), [`Error`](error::Error), the
//! [`ReturnPolicy`](return_policy::ReturnPolicy) a conversion asks for, and the serde bridge.
//!
//! Nothing here knows a client, a request or the call API: those layers build on this one.

pub mod array;
pub mod error;
pub(crate) mod nesting;
pub mod pyfn;
pub mod pyref;
pub mod return_policy;
pub mod serde;
pub mod value;
