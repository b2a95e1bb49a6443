//! [`PyRef`]: a handle to a Python object that lives in a runtime (the embedded interpreter, a pool
//! worker, or a mock), released when the last Rust handle is dropped.

use std::fmt;
use std::sync::Arc;

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

/// How many refs to embedded-interpreter objects are alive (see
/// [`EmbeddedClient::live_refs`](crate::EmbeddedClient::live_refs)).
#[cfg(feature = "embedded")]
pub(crate) static EMBEDDED_LIVE_REFS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

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
            RefHandle::Embedded(obj) => {
                EMBEDDED_LIVE_REFS.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                // Dropped with the interpreter attached, so the refcount falls at once (a `Py`
                // dropped while detached would only be queued).
                pyo3::Python::attach(|py| drop(std::mem::replace(obj, py.None())));
            }
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

    /// Makes a ref to an object of the embedded interpreter, counted in [`EMBEDDED_LIVE_REFS`].
    #[cfg(feature = "embedded")]
    pub(crate) fn embedded(id: u64, type_name: String, object: pyo3::Py<pyo3::PyAny>) -> PyRef {
        EMBEDDED_LIVE_REFS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        PyRef::new(id, type_name, RefHandle::Embedded(object))
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
