//! The universal API: call any Python function, construct any class, use any object, without
//! generated bindings. Generated code is a thin typed layer over the same [`Call`] builder.

use std::marker::PhantomData;
use std::panic::Location;
use std::time::Duration;

use crate::client::request::{Args, CallOptions, CallSite, CallType, Name, Request};
use crate::client::telemetry::{self, CallEvent};
use crate::client::{SessionHandle, ValueStream, fallback_is_current, with_current};
use crate::data::error::{Error, Result};
use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{FromValue, IntoValue, Value};

mod asynchronous;
mod context;
mod generator;
mod pyref_methods;
mod site_call;

pub use asynchronous::{AsyncStream, CallFuture};
pub use context::with_context;
pub use generator::GenStream;
pub use site_call::{SiteArgs, SiteCall};

/// Positional arguments: a tuple of [`IntoValue`] values (`(16,)`, `("a", 2)`), `()`, or a
/// `Vec<Value>`.
pub trait IntoArgs {
    /// The arguments, in order.
    fn into_args(self) -> Args;
}

impl IntoArgs for () {
    fn into_args(self) -> Args {
        Args::new()
    }
}

impl IntoArgs for Vec<Value> {
    fn into_args(self) -> Args {
        Args::from_vec(self)
    }
}

impl IntoArgs for Args {
    fn into_args(self) -> Args {
        self
    }
}

macro_rules! tuple_args {
    ($(($($name:ident $idx:tt),+))+) => {$(
        impl<$($name: IntoValue),+> IntoArgs for ($($name,)+) {
            #[inline]
            fn into_args(self) -> Args {
                smallvec::smallvec![$(self.$idx.into_value()),+]
            }
        }
    )*
        // The contract's arity: every tuple up to it, no gap, none beyond (the generator emits
        // argument tuples and typed tuple results up to this size).
        const _: () = assert!(
            $crate::data::value::covers_tuple_arities(&[$([$($idx),+].len()),+]),
            "IntoArgs must cover tuples up to snakebridge_contract::MAX_TUPLE_ARITY"
        );
    };
}

tuple_args! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16)
}

/// A call being built: the target, arguments, keywords and per-call options, and the Rust type
/// the result is converted to.
///
/// ```no_run
/// use snakebridge_runtime::Call;
///
/// let rounded: f64 = Call::function("builtins", "round", (3.14159,))
///     .kwarg("ndigits", 2)
///     .call()?;
/// assert_eq!(rounded, 3.14);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[must_use = "a Call does nothing until `.call()` or `.stream()`"]
pub struct Call<R> {
    request: Request,
    options: CallOptions,
    /// Optional positional-only arguments set beyond the end of `request.args`, waiting for the
    /// ones before them (Python fills positional parameters in order). In an `Option`: `None`
    /// is one word to write and test on every call, an empty `Vec` three.
    pending_positional: Option<Vec<(usize, Value)>>,
    /// True while dropping this call would free nothing, so `call` forgets it instead (its
    /// drop glue is a dozen checks on the hot path). Only [`Call::at`] and [`Call::function`]
    /// set it, when the names are static and the arguments own no memory (scalars: known at
    /// compile time for a generated call); every step that may add owned memory clears it. A
    /// wrong `true` would leak, never free twice; `call` checks it against the fields in debug
    /// builds.
    owns_nothing: bool,
    returns: PhantomData<fn() -> R>,
}

impl<R> Clone for Call<R> {
    fn clone(&self) -> Self {
        Call {
            request: self.request.clone(),
            options: self.options.clone(),
            pending_positional: self.pending_positional.clone(),
            owns_nothing: self.owns_nothing,
            returns: PhantomData,
        }
    }
}

impl<R> std::fmt::Debug for Call<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .field("options", &self.options)
            .finish()
    }
}

impl<R: FromValue> Call<R> {
    /// Wraps a prepared request.
    #[inline]
    pub fn from_request(request: Request) -> Self {
        Call {
            request,
            options: CallOptions {
                returns: R::RETURN_POLICY,
                ..CallOptions::default()
            },
            pending_positional: None,
            owns_nothing: false,
            returns: PhantomData,
        }
    }

    /// `module.function(*args)`.
    pub fn function(
        module: impl Into<Name>,
        function: impl Into<Name>,
        args: impl IntoArgs,
    ) -> Self {
        let mut call = Self::from_request(Request::function(module, function)).args(args);
        // Static names and scalar arguments: as a generated call's (`at`), nothing to drop.
        call.owns_nothing = call.fields_own_nothing();
        call
    }

    /// `module.function(*args)` from a generated call site (the callable is resolved once).
    #[inline]
    pub fn at(site: &'static CallSite, args: impl IntoArgs) -> Self {
        let args = args.into_args();
        let owns_nothing = args.iter().all(Value::owns_nothing) && !args.spilled();
        // Built in one expression so the hot path moves no half-built request around.
        Call {
            request: Request {
                call_type: crate::client::request::CallType::Function,
                python_module: Name::Borrowed(site.module),
                class: None,
                name: Name::Borrowed(site.name),
                target: None,
                args,
                kwargs: Vec::new(),
                streaming: false,
                site: Some(site),
            },
            options: CallOptions {
                returns: R::RETURN_POLICY,
                ..CallOptions::default()
            },
            pending_positional: None,
            owns_nothing,
            returns: PhantomData,
        }
    }

    /// `module.Class(*args)` from a generated call site: constructs an instance.
    pub fn class_at(site: &'static CallSite, args: impl IntoArgs) -> Self {
        Self::from_request(Request::class_at_site(site)).args(args)
    }

    /// `module.Class(*args)`: constructs an instance.
    pub fn class(module: impl Into<Name>, class: impl Into<Name>, args: impl IntoArgs) -> Self {
        Self::from_request(Request::class(module, class)).args(args)
    }

    /// `module.Class.method(*args)`: a static or class method.
    pub fn class_method(
        module: impl Into<Name>,
        class: impl Into<Name>,
        method: impl Into<Name>,
        args: impl IntoArgs,
    ) -> Self {
        Self::from_request(Request::class_method(module, class, method)).args(args)
    }

    /// `target.method(*args)`.
    pub fn method(target: &PyRef, method: impl Into<Name>, args: impl IntoArgs) -> Self {
        Self::from_request(Request::method(target, method)).args(args)
    }

    #[inline]
    fn args(mut self, args: impl IntoArgs) -> Self {
        self.request.args = args.into_args();
        self.owns_nothing = false;
        self
    }

    /// Adds a keyword argument.
    #[inline]
    pub fn kwarg(mut self, name: impl Into<Name>, value: impl IntoValue) -> Self {
        self.request.kwargs.push((name.into(), value.into_value()));
        self.owns_nothing = false;
        self
    }

    /// Appends positional arguments (a Python `*args`).
    pub fn extra_args(mut self, args: impl IntoIterator<Item = Value>) -> Self {
        self.request.args.extend(args);
        self.owns_nothing = false;
        self
    }

    /// Sets the positional argument at `index` (0-based), for optional positional-only
    /// parameters: `math.log(x)` with `base` at index 1. Arguments may be set in any order;
    /// calling with a gap before a set index is an [`Error::Encode`] naming the gap.
    pub fn positional(mut self, index: usize, value: impl IntoValue) -> Self {
        let value = value.into_value();
        // A scalar set in place keeps a generated call's fast drop (`math.log(x, base)`).
        let scalar_in_place = value.owns_nothing() && index <= self.request.args.len();
        let args = &mut self.request.args;
        if index < args.len() {
            args[index] = value;
        } else if index == args.len() {
            args.push(value);
        } else {
            self.pending_positional
                .get_or_insert_default()
                .push((index, value));
        }
        // Earlier gaps may now be filled.
        if let Some(pending) = &mut self.pending_positional {
            pending.sort_by_key(|(i, _)| *i);
            while let Some(pos) = pending
                .iter()
                .position(|(i, _)| *i <= self.request.args.len())
            {
                let (i, v) = pending.remove(pos);
                if i < self.request.args.len() {
                    self.request.args[i] = v;
                } else {
                    self.request.args.push(v);
                }
            }
            if pending.is_empty() {
                self.pending_positional = None;
            }
        }
        self.owns_nothing = self.owns_nothing
            && scalar_in_place
            && self.pending_positional.is_none()
            && !self.request.args.spilled();
        self
    }

    fn check_positional(&self) -> Result<()> {
        match self.pending_positional.as_ref().and_then(|p| p.first()) {
            None => Ok(()),
            Some((index, _)) => Err(Error::encode(format!(
                "positional argument #{index} of `{}` was set, but #{} before it was not: Python \
                 fills positional-only parameters in order, so set the earlier ones too",
                self.request.display_name(),
                self.request.args.len()
            ))),
        }
    }

    /// Adds a keyword argument by a runtime name (a Python `**kwargs`).
    pub fn extra_kwarg(self, name: impl Into<String>, value: impl IntoValue) -> Self {
        self.kwarg(Name::Owned(name.into()), value)
    }

    /// Gives up after `timeout` (enforced by the pool, which kills the stuck worker; the embedded
    /// interpreter cannot be interrupted safely and runs the call to completion).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Marks the call as safe to retry once on a fresh worker if its worker crashes.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.options.idempotent = idempotent;
        self
    }

    /// Runs the call in the named pool.
    pub fn pool(mut self, pool: impl Into<Name>) -> Self {
        self.options.pool = Some(pool.into());
        self.owns_nothing = false;
        self
    }

    /// Runs the call in `session`, on the session's worker (the current client must be the
    /// session's [`PoolClient`](crate::PoolClient); [`in_session`](crate::in_session) sets both).
    pub fn session(mut self, session: &impl SessionHandle) -> Self {
        self.options.session = Some(session.session_id());
        self
    }

    /// Overrides how the result comes back (normally chosen by `R`).
    pub fn returns(mut self, policy: ReturnPolicy) -> Self {
        self.options.returns = policy;
        self
    }

    /// The request as built so far.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The options as set so far.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// Runs the call and converts the result to `T` instead of `R`, asking for it the way `T`
    /// wants it (by value for `NdArray`/`ndarray::Array`, as a ref for `PyRef`): for generated
    /// functions whose Python annotation is looser than what you know comes back.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{Call, Value};
    /// use snakebridge_runtime::ndarray::Array1;
    ///
    /// let squares = Call::<Value>::function("numpy", "square", (Array1::from(vec![1.0, 2.0]),));
    /// let squares: Array1<f64> = squares.call_as()?;
    /// assert_eq!(squares.to_vec(), [1.0, 4.0]);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[track_caller]
    pub fn call_as<T: FromValue>(self) -> Result<T> {
        self.retyped::<T>().call()
    }

    /// The same call, converting its result to `T` (and asking for it as `T` wants it).
    fn retyped<T: FromValue>(self) -> Call<T> {
        Call::<T> {
            request: self.request,
            options: CallOptions {
                returns: T::RETURN_POLICY,
                ..self.options
            },
            pending_positional: self.pending_positional,
            owns_nothing: self.owns_nothing,
            returns: PhantomData,
        }
    }

    /// Runs the call on the current client and converts the result to `R`.
    #[track_caller]
    #[inline]
    pub fn call(self) -> Result<R> {
        self.call_at(Location::caller())
    }

    /// [`Call::call`], its errors naming `location` (the caller's, or a `call_async`'s).
    #[inline(always)]
    fn call_at(self, location: &'static Location<'static>) -> Result<R> {
        if self.pending_positional.is_some() {
            self.check_positional()?;
        }
        if telemetry::enabled() {
            return self.call_measured(location);
        }
        let constructed = R::CHECKS_INSTANCES && matches!(self.request.call_type, CallType::Class);
        // A call at a resolved site of the fallback client goes to it directly (the same call,
        // without selecting the client and dispatching dynamically).
        let direct = if self.request.site.is_some() && fallback_is_current() {
            crate::fallback_site_call::<R>(&self.request, &self.options, constructed)
        } else {
            None
        };
        let result = match direct {
            Some(result) => result,
            None => with_current(|client| client.execute(&self.request, &self.options))
                .and_then(|value| decode::<R>(value, constructed)),
        };
        if self.owns_nothing {
            debug_assert!(self.fields_own_nothing(), "Call::owns_nothing is stale");
            // Nothing to free: skip the drop glue. (Forgetting here, not in a helper taking
            // `self`, keeps the call from being copied.)
            std::mem::forget(self);
        }
        result.map_err(|e| at(e, location))
    }

    /// What [`Call::owns_nothing`](Self) claims, checked field by field (debug builds, and
    /// where [`Call::function`] sets it).
    fn fields_own_nothing(&self) -> bool {
        self.request.owns_nothing()
            && self.pending_positional.is_none()
            && matches!(self.options.pool, None | Some(Name::Borrowed(_)))
    }

    /// [`Call::call`] with telemetry events (see [`crate::client::telemetry`]).
    #[cold]
    fn call_measured(self, location: &'static Location<'static>) -> Result<R> {
        let event = CallEvent::start(&self.request);
        let constructed = R::CHECKS_INSTANCES && matches!(self.request.call_type, CallType::Class);
        let result = with_current(|client| client.execute(&self.request, &self.options))
            .and_then(|value| telemetry::time_decode(|| decode::<R>(value, constructed)))
            .map_err(|e| at(e, location));
        event.finish(result.as_ref().err());
        result
    }

    /// Runs the call and iterates its result (a Python iterator or generator), converting each
    /// item to `T`.
    #[track_caller]
    pub fn stream<T: FromValue>(mut self) -> Result<Stream<T>> {
        let location = Location::caller();
        self.check_positional()?;
        self.request.streaming = true;
        self.options.returns = T::RETURN_POLICY;
        let inner = with_current(|client| client.execute_stream(&self.request, &self.options))
            .map_err(|e| at(e, location))?;
        Ok(Stream {
            inner,
            item: PhantomData,
        })
    }
}

/// Records the Rust call site in a Python error's context.
pub(crate) fn at(mut err: Error, location: &'static Location<'static>) -> Error {
    if let Error::Python(e) = &mut err
        && e.context.rust_location.is_none()
    {
        e.context.rust_location = Some(location.to_string());
    }
    err
}

/// The items of a Python iterator, converted to `T` as they arrive. Dropping it early closes the
/// Python generator (its `finally` blocks run).
pub struct Stream<T> {
    inner: ValueStream,
    item: PhantomData<fn() -> T>,
}

impl<T> Stream<T> {
    /// A stream whose only item is `error` (iterating something that could not be iterated).
    pub fn failed(error: Error) -> Self {
        Stream {
            inner: Box::new(std::iter::once(Err(error))),
            item: PhantomData,
        }
    }
}

impl<T: FromValue> Iterator for Stream<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        self.inner.next().map(|item| item.and_then(T::from_value))
    }
}

/// One message of the callback form of a stream (the seed's `{:chunk, _}`, `{:done, _}`,
/// `{:error, _}`).
#[derive(Debug)]
pub enum StreamEvent<T> {
    /// The next item.
    Chunk(T),
    /// The iterator is exhausted; no more events follow.
    Done,
    /// The iterator raised (or an item could not be converted); no more events follow.
    Error(Error),
}

impl<T: FromValue> Stream<T> {
    /// Consumes the stream with a callback, the seed's form: each item as
    /// [`StreamEvent::Chunk`], then [`StreamEvent::Done`] or one [`StreamEvent::Error`].
    /// Returning [`std::ops::ControlFlow::Break`] from the callback stops early (the Python
    /// generator is closed).
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use snakebridge_runtime::{Call, StreamEvent, Value};
    ///
    /// Call::<Value>::function("builtins", "range", (3,))
    ///     .stream::<i64>()?
    ///     .for_each_event(|event| {
    ///         match event {
    ///             StreamEvent::Chunk(n) => print!("{n} "),
    ///             StreamEvent::Done => println!(),
    ///             StreamEvent::Error(e) => eprintln!("error: {e}"),
    ///         }
    ///         ControlFlow::Continue(())
    ///     });
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn for_each_event(
        mut self,
        mut callback: impl FnMut(StreamEvent<T>) -> std::ops::ControlFlow<()>,
    ) {
        loop {
            let event = match self.next() {
                Some(Ok(item)) => StreamEvent::Chunk(item),
                Some(Err(e)) => {
                    let _ = callback(StreamEvent::Error(e));
                    return;
                }
                None => {
                    let _ = callback(StreamEvent::Done);
                    return;
                }
            };
            if callback(event).is_break() {
                return;
            }
        }
    }
}

impl<T> std::fmt::Debug for Stream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stream { .. }")
    }
}

/// Calls `module.function(*args)` and converts the result.
///
/// ```no_run
/// let root: f64 = snakebridge_runtime::call("math", "sqrt", (16,))?;
/// assert_eq!(root, 4.0);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[track_caller]
pub fn call<T: FromValue>(
    module: impl Into<Name>,
    function: impl Into<Name>,
    args: impl IntoArgs,
) -> Result<T> {
    Call::function(module, function, args).call()
}

/// Calls `target.method(*args)` and converts the result.
#[track_caller]
pub fn call_method<T: FromValue>(
    target: &PyRef,
    method: impl Into<Name>,
    args: impl IntoArgs,
) -> Result<T> {
    Call::method(target, method, args).call()
}

/// Constructs `module.Class(*args)`, returning the instance as a ref.
#[track_caller]
pub fn construct(
    module: impl Into<Name>,
    class: impl Into<Name>,
    args: impl IntoArgs,
) -> Result<PyRef> {
    Call::class(module, class, args).call()
}

/// `getattr(target, name)`, converted to `T`.
#[track_caller]
pub fn get_attr<T: FromValue>(target: &PyRef, name: impl Into<Name>) -> Result<T> {
    Call::<T>::from_request(Request::get_attr(target, name)).call()
}

/// `setattr(target, name, value)`.
#[track_caller]
pub fn set_attr(target: &PyRef, name: impl Into<Name>, value: impl IntoValue) -> Result<()> {
    Call::<()>::from_request(Request::set_attr(target, name, value.into_value())).call()
}

/// `getattr(module, name)`: a module constant or any other attribute, converted to `T`.
#[track_caller]
pub fn module_attr<T: FromValue>(module: impl Into<Name>, name: impl Into<Name>) -> Result<T> {
    Call::<T>::from_request(Request::module_attr(module, name)).call()
}

/// Iterates a Python iterable held by a ref (`iter(target)`).
#[track_caller]
pub fn iterate<T: FromValue>(target: &PyRef) -> Result<Stream<T>> {
    Call::<Value>::method(target, "__iter__", ()).stream()
}

/// A call's result as `R`: a constructor's through [`FromValue::from_constructed`] (generated
/// classes take what `Class(...)` returned unchecked), any other through `from_value`.
#[inline(always)]
fn decode<R: FromValue>(value: Value, constructed: bool) -> Result<R> {
    if constructed {
        R::from_constructed(value)
    } else {
        R::from_value(value)
    }
}
