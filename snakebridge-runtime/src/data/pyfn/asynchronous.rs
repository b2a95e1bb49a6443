//! Async Rust closures as callbacks ([`PyFn::new_async`], [`IntoAsyncPyFn`]): a closure that
//! returns a [`Future`] of a `Result`. Python gets a callable whose call returns an awaitable
//! (`await f(x)` in a coroutine): the clients run the closure's future on a thread of the
//! running event loop's default executor, so the loop's other tasks go on while Rust's future
//! runs. The future is driven there by [`block_on`] (no executor of Rust's: it needs none).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::{AnyArgs, Arguments, Body, Keywords, PyFn, Raise, argument, positional};
use crate::data::error::Result;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{FromValue, IntoValue, Value};

/// The future of one call of an async callback: its value, or what Python should raise.
pub(crate) type CallbackFuture =
    Pin<Box<dyn Future<Output = std::result::Result<Value, super::Raise>> + Send>>;

/// The async closure with its arguments' conversions, erased: the arguments are converted when
/// it is called, the future runs after.
pub(super) type AsyncErased = dyn Fn(&mut dyn Arguments, Keywords) -> std::result::Result<CallbackFuture, super::Raise>
    + Send
    + Sync;

/// Conversion of an async closure (one returning a [`Future`] of a
/// [`Result`](crate::Result)) into a [`PyFn`] that Python awaits ([`PyFn::new_async`]); `S`
/// is a signature marker as for [`IntoPyFn`](super::IntoPyFn): `fn(i64) -> String` for
/// `|x: i64| async move { Ok(x.to_string()) }`. Implemented for closures of 0 to 8 arguments
/// and for closures over [`AnyArgs`].
pub trait IntoAsyncPyFn<S> {
    /// Performs the conversion.
    fn into_async_py_fn(self) -> PyFn;
}

impl PyFn {
    /// A callback over an async closure: Python's call returns an awaitable, and awaiting it
    /// runs the closure's future (on a thread of the running event loop's default executor, so
    /// the loop's other tasks go on meanwhile) and gives its result. Call it from a coroutine
    /// (`await f(x)`); called where no event loop runs, it raises `RuntimeError`. The rules of
    /// [`PyFn`] hold otherwise (lifetime, errors, arguments). From Rust, [`PyFn::call`] waits
    /// for the future.
    ///
    /// ```
    /// use snakebridge_runtime::{PyFn, Result};
    /// let lookup = PyFn::new_async(|key: String| async move { Ok(key.len()) });
    /// assert!(lookup.is_async());
    /// ```
    pub fn new_async<S>(f: impl IntoAsyncPyFn<S>) -> PyFn {
        f.into_async_py_fn()
    }

    /// True for a callback over an async closure ([`PyFn::new_async`]): Python awaits it.
    pub fn is_async(&self) -> bool {
        matches!(self.inner.body, Body::Async(_))
    }
}

/// Wakes the thread that waits in [`block_on`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to its end on this thread, parking between polls: enough for a callback's
/// future, which the thread Python called from waits for anyway.
pub(crate) fn block_on<F: Future + ?Sized>(mut future: Pin<&mut F>) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

fn erased(f: Box<AsyncErased>) -> Body {
    Body::Async(f)
}

macro_rules! async_callbacks {
    ($( $n:literal => ($($a:ident $i:tt),*) ),* $(,)?) => {$(
        impl<F, Fut, $($a,)* R> IntoAsyncPyFn<fn($($a),*) -> R> for F
        where
            F: Fn($($a),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<R>> + Send + 'static,
            $($a: FromValue,)*
            R: IntoValue,
        {
            fn into_async_py_fn(self) -> PyFn {
                let body = move |args: &mut dyn Arguments, kwargs: Keywords| {
                    positional(args.count(), &kwargs, $n)?;
                    let future = self($(argument::<$a>(args.take($i)?, $i)?),*);
                    Ok(Box::pin(async move { value(future.await) }) as CallbackFuture)
                };
                PyFn::from_parts(
                    Some($n),
                    vec![$(<$a as FromValue>::RETURN_POLICY),*],
                    erased(Box::new(body)),
                )
            }
        }
    )*};
}

async_callbacks!(
    0 => (),
    1 => (A 0),
    2 => (A 0, B 1),
    3 => (A 0, B 1, C 2),
    4 => (A 0, B 1, C 2, D 3),
    5 => (A 0, B 1, C 2, D 3, E 4),
    6 => (A 0, B 1, C 2, D 3, E 4, G 5),
    7 => (A 0, B 1, C 2, D 3, E 4, G 5, H 6),
    8 => (A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7),
);

impl<F, Fut, R> IntoAsyncPyFn<fn(AnyArgs) -> R> for F
where
    F: Fn(AnyArgs) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R>> + Send + 'static,
    R: IntoValue,
{
    fn into_async_py_fn(self) -> PyFn {
        let body = move |args: &mut dyn Arguments, kwargs: Keywords| {
            let args = (0..args.count())
                .map(|i| args.take(i))
                .collect::<std::result::Result<_, _>>()?;
            let future = self(AnyArgs { args, kwargs });
            Ok(Box::pin(async move { value(future.await) }) as CallbackFuture)
        };
        PyFn::from_parts(None, Vec::<ReturnPolicy>::new(), erased(Box::new(body)))
    }
}

/// An async closure's own result, its error kept for re-raising (an awaited result is never
/// put in place: it reaches Python through the loop, as a value).
fn value<R: IntoValue>(r: Result<R>) -> std::result::Result<Value, Raise> {
    r.map(IntoValue::into_value).map_err(Raise::Error)
}
