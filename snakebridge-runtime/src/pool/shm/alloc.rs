//! Arrays that Rust code fills in shared memory and workers read without a copy
//! ([`PoolClient::alloc_array`](crate::PoolClient::alloc_array)).
//!
//! - **Allocation.** A segment `/sb-<pid>-<n>` (mode `0600`), one of the pool's spares when one
//!   fits, else a new one, mapped read-write here. Its elements start at zero.
//! - **Filling.** [`SharedArrayMut`] is a `&mut [T]` over the mapping (and, with the `ndarray`
//!   feature, an `ndarray` view of its shape).
//! - **Freezing.** [`SharedArrayMut::into_array`] makes it an [`NdArray`] whose storage is the
//!   segment ([`SegmentStorage`]); from then on nobody writes it.
//! - **Sending.** The pool's encoder recognises that storage and sends only the segment's name
//!   and the array's byte offset, whatever the pool's shared-memory threshold: the worker's
//!   numpy array is over the very pages Rust wrote, and it keeps the mapping between calls, so
//!   an array sent again costs no page faults either.
//! - **Reuse, never under a view.** Each call that sends the array settles a [`Lent`]: the
//!   worker said in its reply that it kept no view of the segment, or the segment is marked as
//!   possibly viewed (a view kept, a crash, a timeout, a retry, a stream). When the last
//!   `NdArray` over it drops, a segment never marked goes back to the spares of the pool it came
//!   from; a marked one is unlinked and never written again (a worker's view keeps its memory
//!   alive for as long as it lives).

use std::any::Any;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use super::segment::{Mapping, Segment};
use super::spares::{Spares, grain};
use crate::data::array::{Element, NdArray, Storage, c_strides};
use crate::data::error::{Error, Result};

/// The segment behind an array made by [`SharedArrayMut::into_array`].
pub(crate) struct SegmentStorage {
    /// Read-write here; after freezing nothing writes through it.
    mapping: Mapping,
    /// `None` only while being dropped.
    segment: Option<Segment>,
    /// The pool whose spares it goes back to.
    spares: Weak<Spares>,
    /// A worker may hold a view of it: never reuse it.
    viewed: AtomicBool,
}

impl Storage for SegmentStorage {
    fn bytes(&self) -> &[u8] {
        self.mapping.bytes()
    }
}

impl SegmentStorage {
    /// The segment's name.
    pub(crate) fn name(&self) -> &str {
        self.segment.as_ref().expect("set until dropped").name()
    }

    /// The storage of `array`, if it is a segment and the array covers it in row-major order
    /// (what a worker can read as it is): lent for one call.
    pub(crate) fn lend(array: &NdArray) -> Option<Lent> {
        if array.is_empty() || !array.is_standard_layout() {
            return None;
        }
        let any: Arc<dyn Any + Send + Sync> = array.storage().clone();
        any.downcast::<SegmentStorage>().ok().map(|s| Lent(Some(s)))
    }
}

impl Drop for SegmentStorage {
    fn drop(&mut self) {
        let segment = self.segment.take().expect("set until dropped");
        if !self.viewed.load(Ordering::Acquire)
            && let Some(spares) = self.spares.upgrade()
        {
            spares.give_back(vec![segment]);
        }
        // Else `segment` drops here: its name is unlinked.
    }
}

/// A segment lent to one call. [`Lent::settle`] with the worker's word that it kept no view;
/// dropped unsettled (a failed call), the segment counts as viewed.
pub(crate) struct Lent(Option<Arc<SegmentStorage>>);

impl Lent {
    pub(crate) fn name(&self) -> &str {
        self.0.as_ref().expect("set until settled").name()
    }

    /// The call is over; `unviewed`: the one worker it reached reported the segment free.
    pub(crate) fn settle(mut self, unviewed: bool) {
        let storage = self.0.take().expect("settled once");
        if !unviewed {
            storage.viewed.store(true, Ordering::Release);
        }
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(storage) = self.0.take() {
            storage.viewed.store(true, Ordering::Release);
        }
    }
}

/// An array in shared memory that Rust fills and workers read without a copy: made by
/// [`PoolClient::alloc_array`](crate::PoolClient::alloc_array), written through `&mut [T]`
/// (row-major order), then turned into an [`NdArray`] with [`into_array`](Self::into_array) to
/// pass to calls.
///
/// Sent to a pool's worker, such an array costs no copy and no encoding: the request names its
/// segment, and the worker's (read-only) numpy array is over the same memory. The worker keeps
/// the mapping, so sending the same array again is as cheap. Passed to the embedded client it is
/// an ordinary array over this memory.
///
/// ```no_run
/// use snakebridge_runtime::{call, with_client, NdArray, PoolClient, PoolConfig};
///
/// let pool = PoolClient::start(PoolConfig::new().size(1).preload(["numpy"]))?;
/// let mut samples = pool.alloc_array::<f64>([1000, 3])?;
/// for (i, x) in samples.iter_mut().enumerate() {
///     *x = i as f64;
/// }
/// let samples: NdArray = samples.into_array();
/// let total: f64 = with_client(pool.clone(), || call("numpy", "sum", (samples.clone(),)))?;
/// assert_eq!(total, 2999.0 * 3000.0 / 2.0);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub struct SharedArrayMut<T: Element> {
    storage: SegmentStorage,
    shape: Vec<usize>,
    len: usize,
    _elements: PhantomData<T>,
}

impl<T: Element> SharedArrayMut<T> {
    /// A zeroed array of `shape` in a spare segment of `spares` or a new one.
    pub(crate) fn alloc(spares: &Arc<Spares>, shape: Vec<usize>) -> Result<SharedArrayMut<T>> {
        Self::allocate(spares, shape, true)
    }

    /// The array of `shape` whose element at row-major index `i` is `f(i)`, in a spare
    /// segment of `spares` or a new one: each element written once, a spare never zeroed
    /// first.
    pub(crate) fn from_fn(
        spares: &Arc<Spares>,
        shape: Vec<usize>,
        mut f: impl FnMut(usize) -> T,
    ) -> Result<SharedArrayMut<T>> {
        let mut array = Self::allocate(spares, shape, false)?;
        let elements = array.storage.mapping.bytes_mut().as_mut_ptr().cast::<T>();
        for i in 0..array.len {
            // SAFETY: the mapping is page-aligned (so aligned for `T`) and holds `len`
            // elements; each is written, never read first (a spare's old bytes need not be a
            // valid `T`: a `bool` of an earlier `f64`). A panic in `f` drops the array unseen.
            unsafe { elements.add(i).write(f(i)) };
        }
        Ok(array)
    }

    /// An array of `shape` in a spare segment of `spares` or a new one, zeroed when `zeroed`
    /// (else a spare's old bytes are left for the caller to overwrite, every one of them).
    fn allocate(
        spares: &Arc<Spares>,
        shape: Vec<usize>,
        zeroed: bool,
    ) -> Result<SharedArrayMut<T>> {
        let too_large = || {
            Error::config(format!(
                "an array of shape {shape:?} of {} is too large to allocate",
                T::DTYPE
            ))
        };
        let len = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(too_large)?;
        let nbytes = len.checked_mul(size_of::<T>()).ok_or_else(too_large)?;
        let failed = |e: std::io::Error| {
            Error::config(format!(
                "cannot allocate {nbytes} bytes of shared memory for an array of shape \
                 {shape:?}: {e} (is /dev/shm full? `df -h /dev/shm`)"
            ))
        };
        // One byte at least: an empty mapping cannot be made.
        let (segment, mapping) =
            mapped_for_filling(spares, nbytes.max(1), zeroed).map_err(failed)?;
        Ok(SharedArrayMut {
            storage: SegmentStorage {
                mapping,
                segment: Some(segment),
                spares: Arc::downgrade(spares),
                viewed: AtomicBool::new(false),
            },
            shape,
            len,
            _elements: PhantomData,
        })
    }

    /// The shape it was allocated with.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The name of its segment (`/sb-<pid>-<n>`), as a worker maps it.
    pub fn segment_name(&self) -> &str {
        self.storage.name()
    }

    /// The elements, in row-major order.
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: the mapping is page-aligned (so aligned for `T`), holds at least `len`
        // elements, and every bit pattern of its zeroed-then-written bytes was written as a
        // `T` or is zero, a valid `T` for every element type (bool included).
        unsafe {
            std::slice::from_raw_parts(self.storage.mapping.bytes().as_ptr().cast(), self.len)
        }
    }

    /// The elements, in row-major order, to fill.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        let bytes = self.storage.mapping.bytes_mut();
        // SAFETY: as in `as_slice`; borrowed uniquely through `&mut self`, and no worker maps
        // the segment before `into_array` (only then can it be sent).
        unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast(), self.len) }
    }

    /// An `ndarray` view of its shape, to fill by index.
    ///
    /// ```no_run
    /// # use snakebridge_runtime::{PoolClient, PoolConfig};
    /// # let pool = PoolClient::start(PoolConfig::new())?;
    /// let mut grid = pool.alloc_array::<f32>([2, 3])?;
    /// grid.view_mut()[[1, 2]] = 7.5;
    /// assert_eq!(grid[5], 7.5);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[cfg(feature = "ndarray")]
    pub fn view_mut(&mut self) -> ndarray::ArrayViewMutD<'_, T> {
        let shape = ndarray::IxDyn(&self.shape);
        ndarray::ArrayViewMutD::from_shape(shape, self.as_mut_slice())
            .expect("the slice holds exactly the shape's elements")
    }

    /// The filled array, to pass to calls (cheap to clone: the memory is shared).
    pub fn into_array(self) -> NdArray {
        let strides = c_strides(&self.shape);
        NdArray::from_storage(Arc::new(self.storage), T::DTYPE, self.shape, strides, 0)
    }
}

impl<T: Element> std::ops::Deref for SharedArrayMut<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Element> std::ops::DerefMut for SharedArrayMut<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T: Element> From<SharedArrayMut<T>> for NdArray {
    fn from(array: SharedArrayMut<T>) -> NdArray {
        array.into_array()
    }
}

impl<T: Element> std::fmt::Debug for SharedArrayMut<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedArrayMut")
            .field("dtype", &T::DTYPE)
            .field("shape", &self.shape)
            .field("segment", &self.segment_name())
            .finish()
    }
}

/// A segment of at least `len > 0` bytes to be filled in place, and a read-write mapping of
/// its first `len` bytes: a spare of `spares` that fits (zeroed here when `zeroed`), else a
/// new segment (zero already), its memory reserved ([`Mapping::reserved`]).
fn mapped_for_filling(
    spares: &Spares,
    len: usize,
    zeroed: bool,
) -> std::io::Result<(Segment, Mapping)> {
    // A spare that cannot be opened again is unlinked (dropped) and a new segment made.
    let spare = spares
        .take(len)
        .and_then(|spare| spare.reopen().ok().map(|fd| (spare, fd)));
    let reused = spare.is_some();
    let (segment, fd) = match spare {
        Some(spare) => spare,
        None => Segment::new(grain(len))?,
    };
    let mut mapping = Mapping::reserved(&fd, len)?;
    if reused && zeroed {
        // An earlier array's elements: the caller is promised zeros.
        mapping.bytes_mut().fill(0);
    }
    Ok((segment, mapping))
}
