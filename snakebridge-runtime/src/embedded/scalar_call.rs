//! [`scalar_call`]: a generated call of scalar arguments ([`SiteCall`](crate::SiteCall)) at a
//! call site this client resolved, run without a `Request` or a `Value`: each argument made
//! straight from its Rust scalar, the callable called through vectorcall, the result read
//! straight into `R` when it is a scalar `R` takes. The same call as
//! [`EmbeddedClient::execute`](super::EmbeddedClient) would run, with the same result and
//! errors: only the conversions' route differs, each checked against the general one
//! (`Scalar::to_value`, `FromValue::from_scalar`).

use std::panic::Location;

use pyo3::prelude::*;

use super::convert::{from_py, scalar_at, scalar_to_py};
use super::exceptions::python_error_ctx;
use super::{ArgBuffer, awaiting, logs};
use crate::api::{SiteArgs, at};
use crate::client::request::CallSite;
use crate::data::error::{CallContext, Error, Result};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::FromValue;
use snakebridge_contract::MAX_SITE_ARGS;

/// [`crate::fallback_scalar_ready`]: the site holds its callable, and every argument is a
/// scalar.
#[inline(always)]
pub(crate) fn scalar_call_ready<A: SiteArgs>(site: &'static CallSite, args: &A) -> bool {
    // The second test is a constant for the scalar types a generated signature converts into
    // (`f64`, `i64`, `bool`, `String`): it compiles away.
    site.embedded.get().is_some()
        && A::LEN <= MAX_SITE_ARGS
        && (0..A::LEN).all(|i| args.scalar(i).is_some())
}

/// [`crate::fallback_scalar_call`]: `site(*args)` decoded to `R`, for a call
/// [`scalar_call_ready`] took; a Python error names `location`.
#[inline(always)]
pub(crate) fn scalar_call<A: SiteArgs, R: FromValue>(
    site: &'static CallSite,
    args: &A,
    location: &'static Location<'static>,
) -> Result<R> {
    let Some(f) = site.embedded.get() else {
        return Err(Error::config(format!(
            "{}.{} is not resolved: scalar_call_ready comes first",
            site.module, site.name
        )));
    };
    Python::attach(|py| {
        let _call = logs::InCall::enter_site(py, site);
        let failed = |e: PyErr| python_error_ctx(py, e, context(site, A::LEN));
        // The arguments are released once the call returned. (No callback scope: scalars
        // carry no callbacks.)
        let mut result = {
            let mut buf = ArgBuffer::new();
            for i in 0..A::LEN {
                match args.scalar(i).and_then(|s| scalar_to_py(py, s)) {
                    Some(arg) => buf.push(arg),
                    None => return Err(cannot_make(site, i)),
                }
            }
            buf.call_raw(py, f.bind(py)).map_err(failed)?
        };
        if awaiting::is_awaitable(&result) {
            result = awaiting::settle(result).map_err(failed)?;
        }
        // As `site_call` decodes: a scalar read in place when `R` takes it, else the general
        // conversion (constants: a type that takes no scalars compiles to the latter only).
        if R::FROM_SCALAR
            && matches!(R::RETURN_POLICY, ReturnPolicy::Auto | ReturnPolicy::Value)
            // SAFETY: `result` lives until the end of this closure, past the scalar's use.
            && let Some(value) = unsafe { scalar_at(result.as_ptr()) }.and_then(R::from_scalar)
        {
            return Ok(value);
        }
        R::from_value(from_py(&result, R::RETURN_POLICY)?)
    })
    .map_err(|e| at(e, location))
}

/// The context a Python error of the call carries, as the general path's request gives it.
#[cold]
fn context(site: &CallSite, arity: usize) -> CallContext {
    CallContext {
        python_module: site.module.to_owned(),
        function: site.name.to_owned(),
        arity,
        rust_location: None,
    }
}

/// Python could not make argument `index` (no memory for a str).
#[cold]
fn cannot_make(site: &CallSite, index: usize) -> Error {
    Error::encode(format!(
        "argument #{index} of {}.{} could not be made in Python (out of memory?)",
        site.module, site.name
    ))
}
