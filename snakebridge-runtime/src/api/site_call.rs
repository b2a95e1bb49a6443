//! [`SiteCall`]: what a generated module function whose arguments are all scalars returns
//! (`math.sqrt(x: float) -> float`): its call site and its arguments as the Rust values they
//! are. `call()` hands them to the fallback client's typed path when it may (the site
//! resolved, no client chosen, no subscriber wanting call events: as [`Call::call`]'s direct
//! path): arguments made straight from the scalars and the result read straight into `R`, with
//! no [`Request`](crate::client::Request), no [`Value`](crate::Value), no client selection and
//! no dynamic dispatch. Anything else (an option set, `call_async`, another client) is the
//! [`Call`] the same arguments make ([`SiteCall::into_call`]), which behaves the same.

use std::marker::PhantomData;
use std::panic::Location;
use std::time::Duration;

use snakebridge_contract::MAX_SITE_ARGS;

use super::{Call, IntoArgs, Stream};
use crate::client::request::{CallSite, Name};
use crate::client::telemetry;
use crate::client::{SessionHandle, fallback_is_current};
use crate::data::error::Result;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{FromValue, IntoValue, Scalar};

/// A pending call of a generated module function of scalar arguments: `.call()` runs it;
/// every option of [`Call`] is here too, and turns it into that `Call`.
///
/// ```no_run
/// use snakebridge_runtime::SiteCall;
/// use snakebridge_runtime::client::CallSite;
///
/// // What `#[python_module("math")]` generates for `math.sqrt`.
/// fn sqrt(x: impl Into<f64>) -> SiteCall<(f64,), f64> {
///     static SITE: CallSite = CallSite::new("math", "sqrt");
///     SiteCall::new(&SITE, (x.into(),))
/// }
/// assert_eq!(sqrt(16.0).call()?, 4.0);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[must_use = "a SiteCall does nothing until `.call()`"]
pub struct SiteCall<A, R> {
    site: &'static CallSite,
    args: A,
    returns: PhantomData<fn() -> R>,
}

impl<A: SiteArgs, R: FromValue> SiteCall<A, R> {
    /// `site.module.site.name(*args)`.
    #[inline(always)]
    pub fn new(site: &'static CallSite, args: A) -> Self {
        SiteCall {
            site,
            args,
            returns: PhantomData,
        }
    }

    /// The same call as a [`Call`] (what every option and other terminal goes through).
    #[inline]
    pub fn into_call(self) -> Call<R> {
        Call::at(self.site, self.args)
    }

    /// Runs the call on the current client and converts the result to `R`, as
    /// [`Call::call`] does.
    #[track_caller]
    #[inline]
    pub fn call(self) -> Result<R> {
        let location = Location::caller();
        if !telemetry::enabled()
            && fallback_is_current()
            && crate::fallback_scalar_ready(self.site, &self.args)
        {
            // The result as it is: no `Option` around it to unpack (a copy of the whole
            // `Result`, error included, on every call).
            return crate::fallback_scalar_call::<A, R>(self.site, &self.args, location);
        }
        self.into_call().call_at(location)
    }

    /// See [`Call::call_as`].
    #[track_caller]
    pub fn call_as<T: FromValue>(self) -> Result<T> {
        self.into_call().call_as()
    }

    /// See [`Call::stream`].
    #[track_caller]
    pub fn stream<T: FromValue>(self) -> Result<Stream<T>> {
        self.into_call().stream()
    }

    /// See [`Call::timeout`].
    pub fn timeout(self, timeout: Duration) -> Call<R> {
        self.into_call().timeout(timeout)
    }

    /// See [`Call::idempotent`].
    pub fn idempotent(self, idempotent: bool) -> Call<R> {
        self.into_call().idempotent(idempotent)
    }

    /// See [`Call::pool`].
    pub fn pool(self, pool: impl Into<Name>) -> Call<R> {
        self.into_call().pool(pool)
    }

    /// See [`Call::session`].
    pub fn session(self, session: &impl SessionHandle) -> Call<R> {
        self.into_call().session(session)
    }

    /// See [`Call::returns`].
    pub fn returns(self, policy: ReturnPolicy) -> Call<R> {
        self.into_call().returns(policy)
    }
}

impl<A: SiteArgs, R: FromValue + Send + 'static> SiteCall<A, R> {
    /// See [`Call::call_async`].
    #[track_caller]
    pub fn call_async(self) -> super::CallFuture<R> {
        self.into_call().call_async()
    }

    /// See [`Call::call_as_async`].
    #[track_caller]
    pub fn call_as_async<T: FromValue + Send + 'static>(self) -> super::CallFuture<T> {
        self.into_call().call_as_async()
    }
}

impl<A: SiteArgs + Clone, R> Clone for SiteCall<A, R> {
    fn clone(&self) -> Self {
        SiteCall {
            site: self.site,
            args: self.args.clone(),
            returns: PhantomData,
        }
    }
}

impl<A: std::fmt::Debug, R> std::fmt::Debug for SiteCall<A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteCall")
            .field("site", self.site)
            .field("args", &self.args)
            .finish()
    }
}

/// The arguments of a [`SiteCall`]: a tuple of up to [`MAX_SITE_ARGS`] values, each passed
/// as a [`Scalar`] when it is one ([`IntoValue::as_scalar`]); a call with any other takes the
/// general path.
#[doc(hidden)]
pub trait SiteArgs: IntoArgs {
    /// How many arguments.
    const LEN: usize;
    /// Argument `index` as a scalar, or `None`.
    fn scalar(&self, index: usize) -> Option<Scalar<'_>>;
}

impl SiteArgs for () {
    const LEN: usize = 0;
    #[inline(always)]
    fn scalar(&self, _: usize) -> Option<Scalar<'_>> {
        None
    }
}

macro_rules! site_args {
    ($($n:literal => ($($t:ident $i:tt),+)),*) => {$(
        impl<$($t: IntoValue),+> SiteArgs for ($($t,)+) {
            const LEN: usize = $n;
            #[inline(always)]
            fn scalar(&self, index: usize) -> Option<Scalar<'_>> {
                match index {
                    $($i => self.$i.as_scalar(),)+
                    _ => None,
                }
            }
        }
    )*};
}

site_args!(
    1 => (A 0),
    2 => (A 0, B 1),
    3 => (A 0, B 1, C 2),
    4 => (A 0, B 1, C 2, D 3)
);

const _: () = assert!(
    MAX_SITE_ARGS == 4,
    "site_args! covers tuples up to MAX_SITE_ARGS"
);
