//! [`PyFn`]: a Rust closure that Python can call (a callback), made from a closure with typed
//! arguments ([`PyFn::new`], [`IntoPyFn`]) or over the raw arguments ([`AnyArgs`]).
//!
//! `mod.rs` holds the type and the one way every client runs it ([`PyFn::invoke`]): the arity
//! check, the arguments' [`FromValue`], the `FnMut` lock, the panic barrier, and what Python
//! should raise when any of them fails ([`Raise`]). The clients only move values: the embedded
//! client wraps a `PyFn` in a Python callable object, the pool sends its id to the worker and
//! runs it when the worker asks. `asynchronous.rs`: async closures ([`PyFn::new_async`]),
//! which Python awaits. `tests.rs`: the unit tests, without Python.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, TryLockError};

mod asynchronous;

pub use asynchronous::IntoAsyncPyFn;
pub(crate) use asynchronous::{CallbackFuture, block_on};

use crate::data::error::{Error, Result};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{FromValue, IntoValue, Scalar, Value};

/// A Rust function Python can call: pass it wherever a call takes a value (it is an
/// [`IntoValue`]), and Python receives a callable.
///
/// Made from a closure whose arguments are any [`FromValue`] types (`f64`, `Vec<f64>`,
/// `String`, [`PyRef`](crate::PyRef), [`Value`], ...) and whose result is a
/// [`Result`](crate::Result) of any [`IntoValue`] type. Python's arguments convert to the
/// closure's types by the rules a call's result follows (each type asks for its
/// [`ReturnPolicy`]); the closure's result converts to Python as a call's arguments do.
///
/// ```no_run
/// use snakebridge_runtime::{call, PyFn, Result};
///
/// let key = PyFn::new(|word: String| -> Result<usize> { Ok(word.len()) });
/// let sorted: Vec<String> = snakebridge_runtime::Call::function(
///     "builtins",
///     "sorted",
///     (vec!["ccc", "a", "bb"],),
/// )
/// .kwarg("key", key)
/// .call()?;
/// assert_eq!(sorted, ["a", "bb", "ccc"]);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
///
/// # Rules
///
/// - **Lifetime**: Python gets a callable that lives as long as the call it was passed to (a
///   stream: until the stream ends or is dropped). Called after that (kept in a global, a
///   thread, a `functools.partial`), it raises a Python `RuntimeError` saying so; the closure is
///   released when neither Rust nor Python holds it any more. Pass the same `PyFn` to as many
///   calls as you like (cloning is cheap).
/// - **Errors**: an `Err` from the closure raises in Python: the original exception when the
///   error is a Python exception ([`Error::Python`] carrying its exception object), otherwise a
///   `RuntimeError` with the error's message. A panic is caught and raised as a `RuntimeError`
///   in the Python caller's frame. Wrong arguments (count, keywords, types) raise a `TypeError`.
/// - **Threads and re-entrancy**: the closure runs on the thread Python calls it from (any
///   Python thread), and may call Python again, at any depth (on the pool, those calls go to
///   the same worker). A [`PyFn::new_mut`] closure runs once at a time: a second call while it
///   runs (re-entered through Python, or from another Python thread) raises a `RuntimeError`.
#[derive(Clone)]
pub struct PyFn {
    inner: Arc<FnInner>,
}

struct FnInner {
    id: u64,
    /// The number of positional arguments, `None` for a closure over [`AnyArgs`].
    arity: Option<usize>,
    /// What each positional argument asks for when it converts from Python (beyond them:
    /// [`ReturnPolicy::Auto`]).
    policies: Box<[ReturnPolicy]>,
    body: Body,
}

/// Keyword arguments as a client hands them over.
pub(crate) type Keywords = Vec<(String, Value)>;

/// Where a callback's positional arguments come from: the client converts each one when the
/// closure takes it, straight into the closure's argument (no buffer of values in between,
/// whose copies would cost more than the call itself).
pub(crate) trait Arguments {
    /// How many positional arguments Python passed.
    fn count(&self) -> usize;
    /// Argument `index`, as a value (converted with [`PyFn::policy`] of `index`); each is taken
    /// once, in order. A failure is what Python raises.
    fn take(&mut self, index: usize) -> std::result::Result<Value, Raise>;

    /// Argument `index` read in place when it is a [`Scalar`] (`None`, a bool, an int in
    /// `i64`, a float, a str), as [`take`](Self::take) would convert it under any policy but a
    /// ref's; `None` for anything else. Asked only by types that take scalars
    /// ([`FromValue::FROM_SCALAR`]); when the type does not take this one, `take` follows.
    #[inline]
    fn scalar(&mut self, index: usize) -> Option<Scalar<'_>> {
        let _ = index;
        None
    }

    /// Takes the closure's result in place when it is a [`Scalar`] (converted as the client
    /// converts [`Scalar::to_value`]): true when taken, and the body returns
    /// [`Returned::InPlace`]; false (the default) to have it back as a [`Value`].
    #[inline]
    fn put_scalar(&mut self, scalar: Scalar<'_>) -> bool {
        let _ = scalar;
        false
    }
}

/// What a callback's body hands back when it succeeds.
pub(crate) enum Returned {
    /// The result, as a value.
    Value(Value),
    /// The frame took the result in place ([`Arguments::put_scalar`]).
    InPlace,
}

/// Arguments already converted (the pool's, and [`PyFn::call`]'s).
impl Arguments for Vec<Value> {
    fn count(&self) -> usize {
        self.len()
    }

    fn take(&mut self, index: usize) -> std::result::Result<Value, Raise> {
        Ok(self.get_mut(index).map(std::mem::take).unwrap_or_default())
    }
}

/// The closure with its arguments' conversions, erased.
type Erased =
    dyn Fn(&mut dyn Arguments, Keywords) -> std::result::Result<Returned, Raise> + Send + Sync;
type ErasedMut =
    dyn FnMut(&mut dyn Arguments, Keywords) -> std::result::Result<Returned, Raise> + Send;

enum Body {
    Shared(Box<Erased>),
    /// An `FnMut`: one call at a time (`try_lock`, never a wait, so re-entry cannot deadlock).
    Exclusive(Mutex<Box<ErasedMut>>),
    /// An async closure: a call converts the arguments and gives the future to wait for.
    Async(Box<asynchronous::AsyncErased>),
}

static NEXT_FN_ID: AtomicU64 = AtomicU64::new(1);

/// The arguments Python passed, as values: what a closure over `Callable[..., R]` receives.
///
/// ```
/// use snakebridge_runtime::{AnyArgs, PyFn, Result};
/// // Sums every positional argument, whatever their number.
/// let sum = PyFn::new(|args: AnyArgs| -> Result<f64> {
///     (0..args.args.len()).map(|i| args.get::<f64>(i)).sum()
/// });
/// # let _ = sum;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnyArgs {
    /// The positional arguments.
    pub args: Vec<Value>,
    /// The keyword arguments, in the order Python passed them.
    pub kwargs: Vec<(String, Value)>,
}

impl AnyArgs {
    /// Positional arguments only.
    pub fn positional(args: Vec<Value>) -> AnyArgs {
        AnyArgs {
            args,
            kwargs: Vec::new(),
        }
    }

    /// Positional argument `index`, converted (a [`Error::Decode`] when it is missing or of
    /// another type).
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        match self.args.get(index) {
            Some(v) => T::from_value(v.clone()),
            None => Err(Error::decode(
                std::any::type_name::<T>(),
                format!(
                    "the callback got {} positional arguments, not argument {index}",
                    self.args.len()
                ),
            )),
        }
    }

    /// Keyword argument `name`, converted, if Python passed it.
    pub fn kwarg<T: FromValue>(&self, name: &str) -> Result<Option<T>> {
        self.kwargs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| T::from_value(v.clone()))
            .transpose()
    }
}

/// What Python raises when a callback fails; the clients turn it into their exception.
#[derive(Debug)]
pub(crate) enum Raise {
    /// Python called it wrongly: argument count, keywords, an argument of another type.
    TypeError(String),
    /// A panic, an `FnMut` already running, a callback called after its call ended, or a
    /// result that cannot cross.
    RuntimeError(String),
    /// The closure's `Err`: re-raised as the original exception when it is a Python one whose
    /// object the client can reach, else a `RuntimeError` with its message.
    Error(Error),
}

impl Raise {
    /// The message of the `RuntimeError` a client raises for `self` when it cannot re-raise an
    /// original exception.
    pub(crate) fn message(&self) -> String {
        match self {
            Raise::TypeError(m) | Raise::RuntimeError(m) => m.clone(),
            Raise::Error(e) => e.to_string(),
        }
    }
}

/// Conversion of a closure (or a [`PyFn`]) into a [`PyFn`].
///
/// `S` is a signature marker, a function pointer type naming the closure's argument and result
/// types: `fn(f64, f64) -> f64` for `|a: f64, b: f64| -> Result<f64>`, `fn(AnyArgs) -> R` for a
/// closure over [`AnyArgs`] (Python's `Callable[..., R]`). It lets one generic parameter
/// (`impl IntoPyFn<fn(f64) -> f64>`) ask for a closure of exactly that signature, and lets
/// rustc infer the closure's argument types from it. Implemented for closures of 0 to 8
/// arguments, for closures over `AnyArgs`, and for [`PyFn`] itself (under every marker).
///
/// ```
/// use snakebridge_runtime::{AnyArgs, IntoPyFn, PyFn, Result};
///
/// /// A function that takes Python's `Callable[[float], float]`.
/// fn integrate(f: impl IntoPyFn<fn(f64) -> f64>) -> PyFn {
///     f.into_py_fn()
/// }
/// integrate(|x| Ok(x * x)); // the argument's type comes from the marker
/// integrate(|x: f64| -> Result<f64> { Ok(x.sin()) });
/// integrate(PyFn::new(|x: f64| -> Result<f64> { Ok(x) })); // a PyFn fits any marker
///
/// /// A function that takes Python's `Callable[..., float]`.
/// fn any_arguments(f: impl IntoPyFn<fn(AnyArgs) -> f64>) -> PyFn {
///     f.into_py_fn()
/// }
/// // Here the closure names its argument's type: a one-argument closure fits the marker too.
/// any_arguments(|args: AnyArgs| args.get::<f64>(0));
/// ```
///
/// A closure of another arity or argument type does not compile:
///
/// ```compile_fail
/// # use snakebridge_runtime::{IntoPyFn, PyFn, Result};
/// # fn integrate(f: impl IntoPyFn<fn(f64) -> f64>) -> PyFn { f.into_py_fn() }
/// integrate(|x: f64, y: f64| -> Result<f64> { Ok(x * y) });
/// ```
pub trait IntoPyFn<S> {
    /// Performs the conversion.
    fn into_py_fn(self) -> PyFn;

    /// The value a generated binding passes for a typed callable parameter: the [`PyFn`] (a
    /// Python callable held in a [`PyRef`](crate::PyRef) passes as itself instead, with no
    /// round trip through Rust).
    #[doc(hidden)]
    fn __into_callable_value(self) -> Value
    where
        Self: Sized,
    {
        Value::Function(self.into_py_fn())
    }
}

/// Conversion of an `FnMut` closure into a [`PyFn`] ([`PyFn::new_mut`]); `S` as for
/// [`IntoPyFn`].
pub trait IntoPyFnMut<S> {
    /// Performs the conversion.
    fn into_py_fn_mut(self) -> PyFn;
}

impl<S> IntoPyFn<S> for PyFn {
    fn into_py_fn(self) -> PyFn {
        self
    }
}

impl<S> IntoPyFnMut<S> for PyFn {
    fn into_py_fn_mut(self) -> PyFn {
        self
    }
}

impl PyFn {
    /// A callback over an `Fn` closure with typed arguments, or over [`AnyArgs`].
    ///
    /// ```
    /// use snakebridge_runtime::{PyFn, Result};
    /// let product = PyFn::new(|a: f64, b: f64| -> Result<f64> { Ok(a * b) });
    /// assert_eq!(product.arity(), Some(2));
    /// ```
    pub fn new<S>(f: impl IntoPyFn<S>) -> PyFn {
        f.into_py_fn()
    }

    /// A callback over an `FnMut` closure, for state the closure changes (a counter, a log).
    /// It runs once at a time: a second call while it runs (re-entered through Python, or from
    /// a second Python thread) raises a Python `RuntimeError` instead of waiting.
    ///
    /// ```
    /// use snakebridge_runtime::{PyFn, Result};
    /// let mut seen = Vec::new();
    /// let record = PyFn::new_mut(move |x: f64| -> Result<usize> {
    ///     seen.push(x);
    ///     Ok(seen.len())
    /// });
    /// # let _ = record;
    /// ```
    pub fn new_mut<S>(f: impl IntoPyFnMut<S>) -> PyFn {
        f.into_py_fn_mut()
    }

    fn from_parts(arity: Option<usize>, policies: Vec<ReturnPolicy>, body: Body) -> PyFn {
        PyFn {
            inner: Arc::new(FnInner {
                id: NEXT_FN_ID.fetch_add(1, Ordering::Relaxed),
                arity,
                policies: policies.into_boxed_slice(),
                body,
            }),
        }
    }

    /// A unique id of this callback (shared by its clones) within the process.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The number of positional arguments the closure takes; `None` for a closure over
    /// [`AnyArgs`].
    pub fn arity(&self) -> Option<usize> {
        self.inner.arity
    }

    /// The return policy positional argument `index` converts from Python with: its type's
    /// [`FromValue::RETURN_POLICY`], [`Auto`](ReturnPolicy::Auto) for [`AnyArgs`].
    pub fn policy(&self, index: usize) -> ReturnPolicy {
        self.inner
            .policies
            .get(index)
            .copied()
            .unwrap_or(ReturnPolicy::Auto)
    }

    /// The policies of the positional arguments (empty for a closure over [`AnyArgs`]).
    pub(crate) fn policies(&self) -> &[ReturnPolicy] {
        &self.inner.policies
    }

    /// Calls the closure from Rust with these arguments, as Python would: the same checks and
    /// conversions, a panic caught. A failure is the error Python would see, as an [`Error`]:
    /// the closure's own error as it is, anything else an [`Error::Decode`] (wrong arguments)
    /// or [`Error::Callback`] (a panic, an `FnMut` already running).
    ///
    /// ```
    /// use snakebridge_runtime::{AnyArgs, PyFn, Result, Value};
    /// let product = PyFn::new(|a: f64, b: f64| -> Result<f64> { Ok(a * b) });
    /// let args = AnyArgs::positional(vec![Value::Float(3.0), Value::Float(4.0)]);
    /// assert_eq!(product.call(args)?, Value::Float(12.0));
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn call(&self, args: AnyArgs) -> Result<Value> {
        let mut positional = args.args;
        self.invoke(&mut positional, args.kwargs)
            .map_err(|raise| match raise {
                Raise::Error(e) => e,
                Raise::TypeError(m) => Error::decode("callback arguments", m),
                Raise::RuntimeError(m) => Error::Callback { message: m },
            })
    }

    /// Runs the closure on arguments a client converted from Python (each positional one with
    /// [`PyFn::policy`]); what Python should raise when it fails.
    pub(crate) fn invoke(
        &self,
        args: &mut dyn Arguments,
        kwargs: Keywords,
    ) -> std::result::Result<Value, Raise> {
        self.invoke_waiting(args, kwargs, |mut future| block_on(future.as_mut()))
    }

    /// [`PyFn::invoke`], where `wait` waits for an async closure's future (the embedded client
    /// lets go of the interpreter meanwhile).
    pub(crate) fn invoke_waiting(
        &self,
        args: &mut dyn Arguments,
        kwargs: Keywords,
        wait: impl FnOnce(CallbackFuture) -> std::result::Result<Value, Raise>,
    ) -> std::result::Result<Value, Raise> {
        // Only a frame that takes results in place (`put_scalar`) is told `InPlace`; the
        // frames of this path never do, as the default `put_scalar` takes nothing.
        Ok(match self.invoke_in_place(args, kwargs, wait)? {
            Returned::Value(value) => value,
            Returned::InPlace => Value::None,
        })
    }

    /// [`PyFn::invoke_waiting`] for a frame that may take a scalar result in place.
    pub(crate) fn invoke_in_place(
        &self,
        args: &mut dyn Arguments,
        kwargs: Keywords,
        wait: impl FnOnce(CallbackFuture) -> std::result::Result<Value, Raise>,
    ) -> std::result::Result<Returned, Raise> {
        let outcome = catch_unwind(AssertUnwindSafe(|| match &self.inner.body {
            Body::Shared(f) => f(args, kwargs),
            Body::Async(f) => f(args, kwargs).and_then(wait).map(Returned::Value),
            Body::Exclusive(f) => match f.try_lock() {
                Ok(mut f) => f(args, kwargs),
                // A panic in an earlier call: the closure's state is what the panic left,
                // as it would be for any `FnMut` the caller keeps calling.
                Err(TryLockError::Poisoned(p)) => (p.into_inner())(args, kwargs),
                Err(TryLockError::WouldBlock) => Err(Raise::RuntimeError(format!(
                    "{self:?} is an FnMut callback (PyFn::new_mut) and is already running: it \
                     was called again from inside itself or from a second thread; make it with \
                     PyFn::new over an Fn closure to allow that"
                ))),
            },
        }));
        outcome.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(a panic payload that is not a string)".to_owned());
            Err(Raise::RuntimeError(format!(
                "the Rust callback {self:?} panicked: {message}"
            )))
        })
    }
}

impl PartialEq for PyFn {
    /// Two `PyFn`s are equal when they are clones of one callback.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for PyFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.arity {
            Some(n) => write!(f, "<PyFn #{} of {n} arguments>", self.inner.id),
            None => write!(f, "<PyFn #{} of any arguments>", self.inner.id),
        }
    }
}

impl IntoValue for PyFn {
    fn into_value(self) -> Value {
        Value::Function(self)
    }
}

impl IntoValue for &PyFn {
    fn into_value(self) -> Value {
        Value::Function(self.clone())
    }
}

/// Checks the count of positional arguments and that there are no keywords.
#[inline(always)]
fn positional(count: usize, kwargs: &Keywords, arity: usize) -> std::result::Result<(), Raise> {
    if count == arity && kwargs.is_empty() {
        return Ok(());
    }
    wrong_arguments(count, kwargs, arity)
}

/// What Python raises for arguments [`positional`] refused.
#[cold]
fn wrong_arguments(
    count: usize,
    kwargs: &Keywords,
    arity: usize,
) -> std::result::Result<(), Raise> {
    if let Some((name, _)) = kwargs.first() {
        return Err(Raise::TypeError(format!(
            "the Rust callback takes no keyword arguments (got `{name}`)"
        )));
    }
    if count != arity {
        return Err(Raise::TypeError(format!(
            "the Rust callback takes {arity} positional argument{} but {} were given",
            if arity == 1 { "" } else { "s" },
            count
        )));
    }
    Ok(())
}

/// Converts positional argument `index` (0-based) to the closure's type.
fn argument<T: FromValue>(value: Value, index: usize) -> std::result::Result<T, Raise> {
    T::from_value(value)
        .map_err(|e| Raise::TypeError(format!("argument {} of the Rust callback: {e}", index + 1)))
}

/// Takes positional argument `index` (0-based) as the closure's type: a scalar the type takes
/// straight from where it lies ([`FromValue::from_scalar`], no [`Value`] in between), anything
/// else through a `Value` ([`argument`]), every failure included.
#[inline(always)]
fn take_argument<T: FromValue>(
    args: &mut dyn Arguments,
    index: usize,
) -> std::result::Result<T, Raise> {
    // Both tests are constants: a type that takes no scalars compiles to the general path only.
    // (A ref's policy makes even a scalar a ref: never read in place.)
    if T::FROM_SCALAR
        && !matches!(
            T::RETURN_POLICY,
            ReturnPolicy::Ref | ReturnPolicy::RefOrNone
        )
        && let Some(value) = args.scalar(index).and_then(T::from_scalar)
    {
        return Ok(value);
    }
    argument::<T>(args.take(index)?, index)
}

/// The closure's own result, its error kept for re-raising.
fn result<R: IntoValue>(r: Result<R>) -> std::result::Result<Returned, Raise> {
    r.map(|r| Returned::Value(r.into_value()))
        .map_err(Raise::Error)
}

/// The closure's own result, its error kept for re-raising: a scalar put in place when the
/// frame takes it ([`Arguments::put_scalar`]), anything else as a [`Value`].
#[inline(always)]
fn output<R: IntoValue>(
    args: &mut dyn Arguments,
    r: Result<R>,
) -> std::result::Result<Returned, Raise> {
    let r = r.map_err(Raise::Error)?;
    // `as_scalar` is `None` by its default for every other type: the test compiles away.
    if let Some(scalar) = r.as_scalar()
        && args.put_scalar(scalar)
    {
        return Ok(Returned::InPlace);
    }
    Ok(Returned::Value(r.into_value()))
}

macro_rules! typed_callbacks {
    ($( $n:literal => ($($a:ident $i:tt),*) ),* $(,)?) => {$(
        impl<F, $($a,)* R> IntoPyFn<fn($($a),*) -> R> for F
        where
            F: Fn($($a),*) -> Result<R> + Send + Sync + 'static,
            $($a: FromValue,)*
            R: IntoValue,
        {
            fn into_py_fn(self) -> PyFn {
                let body = move |args: &mut dyn Arguments, kwargs: Keywords| {
                    positional(args.count(), &kwargs, $n)?;
                    let r = self($(take_argument::<$a>(args, $i)?),*);
                    output(args, r)
                };
                PyFn::from_parts(
                    Some($n),
                    vec![$(<$a as FromValue>::RETURN_POLICY),*],
                    Body::Shared(Box::new(body)),
                )
            }
        }

        impl<F, $($a,)* R> IntoPyFnMut<fn($($a),*) -> R> for F
        where
            F: FnMut($($a),*) -> Result<R> + Send + 'static,
            $($a: FromValue,)*
            R: IntoValue,
        {
            fn into_py_fn_mut(mut self) -> PyFn {
                let body = move |args: &mut dyn Arguments, kwargs: Keywords| {
                    positional(args.count(), &kwargs, $n)?;
                    let r = self($(take_argument::<$a>(args, $i)?),*);
                    output(args, r)
                };
                PyFn::from_parts(
                    Some($n),
                    vec![$(<$a as FromValue>::RETURN_POLICY),*],
                    Body::Exclusive(Mutex::new(Box::new(body))),
                )
            }
        }
    )*};
}

typed_callbacks!(
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

impl<F, R> IntoPyFn<fn(AnyArgs) -> R> for F
where
    F: Fn(AnyArgs) -> Result<R> + Send + Sync + 'static,
    R: IntoValue,
{
    fn into_py_fn(self) -> PyFn {
        PyFn::from_parts(
            None,
            Vec::new(),
            Body::Shared(Box::new(move |args: &mut dyn Arguments, kwargs| {
                let args = (0..args.count())
                    .map(|i| args.take(i))
                    .collect::<std::result::Result<_, _>>()?;
                result(self(AnyArgs { args, kwargs }))
            })),
        )
    }
}

impl<F, R> IntoPyFnMut<fn(AnyArgs) -> R> for F
where
    F: FnMut(AnyArgs) -> Result<R> + Send + 'static,
    R: IntoValue,
{
    fn into_py_fn_mut(mut self) -> PyFn {
        PyFn::from_parts(
            None,
            Vec::new(),
            Body::Exclusive(Mutex::new(Box::new(
                move |args: &mut dyn Arguments, kwargs| {
                    let args = (0..args.count())
                        .map(|i| args.take(i))
                        .collect::<std::result::Result<_, _>>()?;
                    result(self(AnyArgs { args, kwargs }))
                },
            ))),
        )
    }
}

#[cfg(test)]
mod tests;
