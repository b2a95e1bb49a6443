//! [`PyRef`]: a handle to a Python object that lives in a runtime (the embedded interpreter, a pool
//! worker, or a mock), released when the last Rust handle is dropped.

use std::fmt;
use std::sync::Arc;

use crate::error::Result;
use crate::value::{FromValue, IntoValue};

/// The runtime side of remote refs: whoever made a ref is told when it is no longer used.
///
/// The embedded client holds its objects directly and does not need this; pool and mock clients
/// implement it.
pub trait RefOwner: Send + Sync + 'static {
    /// The last Rust handle to ref `id` was dropped: release the object.
    fn release(&self, id: u64);
    /// A short name of the owner, for messages (`"pool default, worker 1"`).
    fn describe(&self) -> String;
}

pub(crate) enum RefHandle {
    /// An object in the embedded interpreter, held directly (no registry lookup per call).
    #[cfg(feature = "embedded")]
    Embedded(pyo3::Py<pyo3::PyAny>),
    /// An object held elsewhere, by id.
    Remote(Arc<dyn RefOwner>),
}

pub(crate) struct RefInner {
    pub(crate) id: u64,
    pub(crate) type_name: String,
    pub(crate) handle: RefHandle,
}

impl Drop for RefInner {
    fn drop(&mut self) {
        match &mut self.handle {
            #[cfg(feature = "embedded")]
            RefHandle::Embedded(_) => crate::embedded::release_embedded(self),
            RefHandle::Remote(owner) => owner.release(self.id),
        }
    }
}

/// A handle to a Python object that stays in its runtime.
///
/// Cloning is cheap (the handle is shared); the Python object is released when the last clone is
/// dropped. A ref is only meaningful to the runtime that made it: using it with another one, or
/// after its pool worker died, is an [`Error::StaleRef`](crate::Error::StaleRef).
///
/// ```no_run
/// use snakebridge_runtime::{call, PyRef};
///
/// let path: PyRef = call("pathlib", "Path", ("/tmp/test.txt",))?;
/// let name: String = path.getattr("name")?;
/// assert_eq!(name, "test.txt");
/// let parent: PyRef = path.call_method("with_suffix", (".csv",))?;
/// assert_eq!(parent.str()?, "/tmp/test.csv");
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct PyRef {
    pub(crate) inner: Arc<RefInner>,
}

impl PyRef {
    pub(crate) fn new(id: u64, type_name: String, handle: RefHandle) -> PyRef {
        PyRef {
            inner: Arc::new(RefInner {
                id,
                type_name,
                handle,
            }),
        }
    }

    /// Makes a ref to object `id` held by `owner` (used by pool and mock clients; `owner.release`
    /// runs when the last clone is dropped).
    pub fn remote(id: u64, type_name: impl Into<String>, owner: Arc<dyn RefOwner>) -> PyRef {
        PyRef::new(id, type_name.into(), RefHandle::Remote(owner))
    }

    /// The ref's id, unique within its runtime.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The qualified Python type of the object (`"pathlib.PosixPath"`).
    pub fn type_name(&self) -> &str {
        &self.inner.type_name
    }

    /// The number of Rust handles to this object.
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.inner)
    }

    /// `getattr(obj, name)`, converted to `T`.
    pub fn getattr<T: FromValue>(&self, name: impl Into<crate::Name>) -> Result<T> {
        crate::api::get_attr(self, name)
    }

    /// `setattr(obj, name, value)`.
    pub fn setattr(&self, name: impl Into<crate::Name>, value: impl IntoValue) -> Result<()> {
        crate::api::set_attr(self, name, value)
    }

    /// `obj.name(*args)`, converted to `T`. `args` is a tuple of [`IntoValue`] values (or `()`).
    pub fn call_method<T: FromValue>(
        &self,
        name: impl Into<crate::Name>,
        args: impl crate::api::IntoArgs,
    ) -> Result<T> {
        crate::api::call_method(self, name, args)
    }

    /// `str(obj)`.
    pub fn str(&self) -> Result<String> {
        self.call_method("__str__", ())
    }

    /// `repr(obj)`.
    pub fn repr(&self) -> Result<String> {
        self.call_method("__repr__", ())
    }

    /// A read-only `ndarray` view of the numpy array this ref holds, without copying: the view
    /// reads numpy's memory, and borrows `self`, which keeps the array alive.
    ///
    /// Needs the embedded client (a pool worker's memory is in another process: use
    /// [`to_array`](Self::to_array)). A dtype other than `T`'s, or strides that are not whole
    /// elements, is an [`Error::Decode`](crate::Error::Decode); any layout numpy can make
    /// (transposed, reversed, sliced) is viewed as it is.
    ///
    /// The view is read-only on the Rust side; Python code that writes into the same array
    /// while the view lives (from another thread, or in a call made meanwhile) changes what it
    /// shows, as in numpy itself.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{call, PyRef};
    ///
    /// let grid: PyRef = call("numpy", "arange", (6.0,))?;
    /// let grid: PyRef = grid.call_method("reshape", (2, 3))?;
    /// let view = grid.array_view::<f64>()?;
    /// assert_eq!(view[[1, 2]], 5.0);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[cfg(feature = "embedded")]
    pub fn array_view<T: crate::Element>(&self) -> Result<ndarray::ArrayViewD<'_, T>> {
        crate::embedded_array::view_of(self)
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
    pub fn to_array<T: crate::Element, D: ndarray::Dimension>(
        &self,
    ) -> Result<ndarray::Array<T, D>> {
        crate::api::Call::<crate::NdArray>::function("numpy", "asarray", (self,))
            .call()?
            .into_ndarray()
    }
}

impl PartialEq for PyRef {
    /// Two refs are equal when they name the same object of the same runtime.
    fn eq(&self, other: &Self) -> bool {
        if self.inner.id != other.inner.id {
            return false;
        }
        match (&self.inner.handle, &other.inner.handle) {
            #[cfg(feature = "embedded")]
            (RefHandle::Embedded(_), RefHandle::Embedded(_)) => true,
            (RefHandle::Remote(a), RefHandle::Remote(b)) => {
                std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
            }
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

impl fmt::Debug for PyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ref #{} {}>", self.inner.id, self.inner.type_name)
    }
}
