//! The universal API's methods on [`PyRef`]: attribute access, method calls and conversions that
//! go through the current client.

use super::{Call, CallFuture, IntoArgs, Stream, call_method, get_attr, iterate, set_attr};
use crate::client::request::{Name, Request};
#[cfg(feature = "ndarray")]
use crate::data::array::{Element, NdArray};
use crate::data::error::Result;
use crate::data::pyfn::{AnyArgs, IntoPyFn, PyFn};
use crate::data::pyref::PyRef;
use crate::data::value::{FromValue, IntoValue, Value};

impl PyRef {
    /// `getattr(obj, name)`, converted to `T`.
    pub fn getattr<T: FromValue>(&self, name: impl Into<Name>) -> Result<T> {
        get_attr(self, name)
    }

    /// `setattr(obj, name, value)`.
    pub fn setattr(&self, name: impl Into<Name>, value: impl IntoValue) -> Result<()> {
        set_attr(self, name, value)
    }

    /// `obj.name(*args)`, converted to `T`. `args` is a tuple of [`IntoValue`] values (or `()`).
    pub fn call_method<T: FromValue>(
        &self,
        name: impl Into<Name>,
        args: impl IntoArgs,
    ) -> Result<T> {
        call_method(self, name, args)
    }

    /// [`call_method`](Self::call_method) without blocking: a future of the result (see
    /// [`Call::call_async`]).
    ///
    /// ```no_run
    /// # async fn f(counter: snakebridge_runtime::PyRef) -> snakebridge_runtime::Result<()> {
    /// let top: Vec<(String, i64)> = counter.call_method_async("most_common", (1,)).await?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn call_method_async<T: FromValue + Send + 'static>(
        &self,
        name: impl Into<Name>,
        args: impl IntoArgs,
    ) -> CallFuture<T> {
        Call::method(self, name, args).call_async()
    }

    /// [`getattr`](Self::getattr) without blocking: a future of the attribute (see
    /// [`Call::call_async`]).
    #[track_caller]
    pub fn getattr_async<T: FromValue + Send + 'static>(
        &self,
        name: impl Into<Name>,
    ) -> CallFuture<T> {
        Call::<T>::from_request(Request::get_attr(self, name)).call_async()
    }

    /// `str(obj)`.
    pub fn str(&self) -> Result<String> {
        self.call_method("__str__", ())
    }

    /// `repr(obj)`.
    pub fn repr(&self) -> Result<String> {
        self.call_method("__repr__", ())
    }

    /// `bool(obj)`: Python's truth value (`__bool__`, else `__len__`, else true). Generated
    /// classes reach it through `Deref`.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{PyRef, construct};
    /// let empty: PyRef = construct("collections", "OrderedDict", ())?;
    /// assert!(!empty.is_truthy()?);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn is_truthy(&self) -> Result<bool> {
        super::call("operator", "truth", (self,))
    }

    /// `hash(obj)` (`__hash__`): a `TypeError` for unhashable objects.
    pub fn py_hash(&self) -> Result<i64> {
        super::call("builtins", "hash", (self,))
    }

    /// Iterates the object (`iter(obj)`), converting each item to `T`: the typed form of
    /// `for item in &obj` where the stubs leave the item type open (a generic iterator such as
    /// `itertools.combinations`). An item that does not convert is an `Err` item; the items
    /// after it still come.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{PyRef, call};
    /// let pairs: PyRef = call("itertools", "combinations", ("abc", 2))?;
    /// for pair in pairs.iter_as::<(String, String)>()? {
    ///     let (a, b) = pair?;
    ///     println!("{a}{b}");
    /// }
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[track_caller]
    pub fn iter_as<T: FromValue>(&self) -> Result<Stream<T>> {
        iterate(self)
    }

    /// The numpy array (or array-like) this ref holds, copied once into an owned `ndarray`
    /// array of element `T` and dimension `D` (`Ix1`, `Ix2`, ..., `IxDyn`). Works with every
    /// client; through a pool, large arrays come back through shared memory.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{call, PyRef};
    /// use snakebridge_runtime::ndarray::Ix2;
    ///
    /// let eye: PyRef = call("numpy", "eye", (2,))?;
    /// let owned = eye.to_array::<f64, Ix2>()?;
    /// assert_eq!(owned[[1, 1]], 1.0);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[cfg(feature = "ndarray")]
    pub fn to_array<T: Element, D: ndarray::Dimension>(&self) -> Result<ndarray::Array<T, D>> {
        Call::<NdArray>::function("numpy", "asarray", (self,))
            .call()?
            .into_ndarray()
    }
}

/// A Python callable (a function a call returned, `numpy.sin` got with
/// [`module_attr`](crate::module_attr)) where a binding takes a typed `Callable`: generated
/// bindings pass it to Python as itself; as a [`PyFn`] called from Rust, it calls the object
/// through the current client.
///
/// ```no_run
/// # use snakebridge_runtime::{AnyArgs, IntoPyFn, PyRef, Result, Value, module_attr};
/// fn integrate(f: impl IntoPyFn<fn(f64) -> f64>) -> snakebridge_runtime::PyFn { f.into_py_fn() }
/// let sin: PyRef = module_attr("math", "sin")?;
/// let f = integrate(sin);
/// let y: f64 = f.call(AnyArgs::positional(vec![Value::Float(0.0)]))?.extract()?;
/// assert_eq!(y, 0.0);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
impl<S> IntoPyFn<S> for PyRef {
    fn into_py_fn(self) -> PyFn {
        PyFn::new(move |args: AnyArgs| -> Result<Value> {
            let mut call = Call::<Value>::method(&self, "__call__", args.args);
            for (name, value) in args.kwargs {
                call = call.kwarg(name, value);
            }
            call.call()
        })
    }

    fn __into_callable_value(self) -> Value {
        Value::Ref(self)
    }
}
