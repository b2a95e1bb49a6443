//! [`NdArray`]: n-dimensional numeric arrays that cross to numpy without copying.
//!
//! An `NdArray` owns (shares, through an `Arc`) a typed buffer plus a shape and strides. It is
//! what [`Value::Array`] holds:
//!
//! - **Rust to Python.** An owned buffer (`Vec<T>` through [`NdArray::from_vec`], or an owned
//!   `ndarray::Array` of any layout) moves into the array without a copy. The embedded client
//!   hands numpy a read-only array over that very memory (its data pointer is the `Vec`'s); the
//!   pool copies it once into a shared-memory segment that the worker maps. Borrowed data
//!   (`&[T]`, `ArrayView`) is copied once, explicitly ([`NdArray::copy_from_slice`]), because
//!   Python could keep the array after the borrow ends.
//! - **Python to Rust.** A numpy array asked for by value (an `NdArray`, `ndarray::Array<T, D>`
//!   or `Vec<T>` result) is copied once into Rust memory; a read-only view without any copy is
//!   [`PyRef::array_view`](crate::PyRef::array_view), borrowed from the ref that keeps the numpy
//!   array alive.
//!
//! Element types are [`Element`]s: `bool`, `i8`..`i64`, `u8`..`u64`, `f32`, `f64` and complex numbers. Asking for
//! the wrong one is an [`Error::Decode`] that names both dtypes; nothing is reinterpreted.
//!
//! ```
//! use snakebridge_runtime::{DType, NdArray};
//!
//! let data = vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let ptr = data.as_ptr();
//! let a = NdArray::from_shape_vec([2, 3], data)?;
//! assert_eq!(a.dtype(), DType::Float64);
//! assert_eq!(a.shape(), [2, 3]);
//! assert_eq!(a.data_ptr(), ptr.cast()); // the Vec moved in, no copy
//! assert_eq!(a.to_vec::<f64>()?, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
//! assert!(a.to_vec::<f32>().is_err()); // wrong element type: an error, never a reinterpretation
//! # Ok::<(), snakebridge_runtime::Error>(())
//! ```

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::data::error::{Error, Result};
use crate::data::value::Value;

/// The element type of an [`NdArray`], named as numpy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DType {
    /// `bool` (one byte, 0 or 1).
    Bool,
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `uint8`.
    UInt8,
    /// `uint16`.
    UInt16,
    /// `uint32`.
    UInt32,
    /// `uint64`.
    UInt64,
    /// `float32`.
    Float32,
    /// `float64`.
    Float64,
    /// `complex64` (two `float32`s).
    Complex64,
    /// `complex128` (two `float64`s).
    Complex128,
}

impl DType {
    /// Every dtype, for lookups.
    pub const ALL: [DType; 13] = [
        DType::Bool,
        DType::Int8,
        DType::Int16,
        DType::Int32,
        DType::Int64,
        DType::UInt8,
        DType::UInt16,
        DType::UInt32,
        DType::UInt64,
        DType::Float32,
        DType::Float64,
        DType::Complex64,
        DType::Complex128,
    ];

    /// numpy's name of the dtype (`"float64"`), also its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::UInt8 => "uint8",
            DType::UInt16 => "uint16",
            DType::UInt32 => "uint32",
            DType::UInt64 => "uint64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
            DType::Complex64 => "complex64",
            DType::Complex128 => "complex128",
        }
    }

    /// The dtype numpy calls `name`.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 | DType::Complex64 => 8,
            DType::Complex128 => 16,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust element type with a numpy dtype: `bool`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`,
/// `u32`, `u64`, `f32`, `f64`, [`Complex<f32>`] and [`Complex<f64>`]. Sealed: these are the types whose every bit pattern numpy and
/// Rust read alike (bools are checked to be 0 or 1 where bytes arrive from outside).
pub trait Element: Copy + Send + Sync + PartialEq + fmt::Debug + 'static + sealed::Sealed {
    /// The matching dtype.
    const DTYPE: DType;
    /// The element as a plain value (for list conversions).
    fn to_value(self) -> Value;
}

macro_rules! elements {
    ($($t:ty => $dtype:ident, $variant:ident;)*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$dtype;
            fn to_value(self) -> Value {
                Value::$variant(self.into())
            }
        }
    )*};
}

elements! {
    bool => Bool, Bool;
    i8 => Int8, Int;
    i16 => Int16, Int;
    i32 => Int32, Int;
    i64 => Int64, Int;
    u8 => UInt8, Int;
    u16 => UInt16, Int;
    u32 => UInt32, Int;
    f32 => Float32, Float;
    f64 => Float64, Float;
}

/// Complex numbers as numpy stores them (`complex64`, `complex128`): re-exported from
/// `num-complex`.
pub use num_complex::Complex;

macro_rules! complex_elements {
    ($($t:ty => $dtype:ident;)*) => {$(
        impl sealed::Sealed for Complex<$t> {}
        impl Element for Complex<$t> {
            const DTYPE: DType = DType::$dtype;
            fn to_value(self) -> Value {
                Value::Complex {
                    re: self.re.into(),
                    im: self.im.into(),
                }
            }
        }
    )*};
}

complex_elements! {
    f32 => Complex64;
    f64 => Complex128;
}

impl sealed::Sealed for u64 {}
impl Element for u64 {
    const DTYPE: DType = DType::UInt64;
    fn to_value(self) -> Value {
        match i64::try_from(self) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(self.into()),
        }
    }
}

/// Calls `$body` with `$T` bound to the Rust element type of `$dtype`.
macro_rules! with_element {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::data::array::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::data::array::DType::Int8 => {
                type $T = i8;
                $body
            }
            $crate::data::array::DType::Int16 => {
                type $T = i16;
                $body
            }
            $crate::data::array::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::data::array::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::data::array::DType::UInt8 => {
                type $T = u8;
                $body
            }
            $crate::data::array::DType::UInt16 => {
                type $T = u16;
                $body
            }
            $crate::data::array::DType::UInt32 => {
                type $T = u32;
                $body
            }
            $crate::data::array::DType::UInt64 => {
                type $T = u64;
                $body
            }
            $crate::data::array::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::data::array::DType::Float64 => {
                type $T = f64;
                $body
            }
            $crate::data::array::DType::Complex64 => {
                type $T = $crate::data::array::Complex<f32>;
                $body
            }
            $crate::data::array::DType::Complex128 => {
                type $T = $crate::data::array::Complex<f64>;
                $body
            }
        }
    };
}
#[allow(unused_imports)] // used by the embedded client
pub(crate) use with_element;

/// Memory an array's elements live in: a `Vec` that moved in, or a shared-memory mapping.
///
/// Implementors guarantee that `bytes` is valid, aligned for the array's element type, and
/// unchanged for as long as the storage lives.
pub(crate) trait Storage: Any + Send + Sync {
    fn bytes(&self) -> &[u8];
}

struct VecStorage<T>(Vec<T>);

impl<T: Element> Storage for VecStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: every Element is plain old data; the byte view covers exactly the Vec's
        // initialised elements.
        unsafe {
            std::slice::from_raw_parts(
                self.0.as_ptr().cast(),
                self.0.len() * std::mem::size_of::<T>(),
            )
        }
    }
}

/// Memory shared with Rust: Python reads it while Rust keeps its own `Arc`.
struct SharedStorage<T>(Arc<[T]>);

impl<T: Element> Storage for SharedStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: as for `VecStorage`; an `Arc<[T]>` is immutable.
        unsafe {
            std::slice::from_raw_parts(self.0.as_ptr().cast(), std::mem::size_of_val(&*self.0))
        }
    }
}

/// Memory that lives for the whole program.
struct StaticStorage<T: 'static>(&'static [T]);

impl<T: Element> Storage for StaticStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: as for `VecStorage`; a `'static` shared slice never changes or goes away.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast(), std::mem::size_of_val(self.0)) }
    }
}

/// An empty `Vec` with room for `capacity` elements whose buffer, when large, the operating
/// system backs with transparent huge pages where it allows (Linux `madvise(MADV_HUGEPAGE)`),
/// as numpy does for its own large arrays. Fill it, then move it into an [`NdArray`]: numpy
/// reductions over huge-page memory run ~15–25% faster than over an ordinary allocation (fewer
/// TLB misses), which is most of the gap between a Rust buffer and a numpy-made array.
/// Elsewhere, or for small capacities, it is `Vec::with_capacity`.
///
/// ```
/// use snakebridge_runtime::{NdArray, array::large_vec};
///
/// let mut samples = large_vec::<f64>(1_000_000);
/// samples.extend((0..1_000_000).map(|i| i as f64 * 0.5));
/// let samples = NdArray::from_vec(samples);
/// assert_eq!(samples.len(), 1_000_000);
/// ```
pub fn large_vec<T: Element>(capacity: usize) -> Vec<T> {
    let data = Vec::<T>::with_capacity(capacity);
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = capacity * std::mem::size_of::<T>();
        if bytes >= 2 * HUGE {
            let start = (data.as_ptr() as usize).next_multiple_of(HUGE);
            let end = (data.as_ptr() as usize + bytes) / HUGE * HUGE;
            if end > start {
                // SAFETY: advice on whole pages inside this Vec's own, still untouched,
                // allocation; it changes how pages are backed, never their contents. A refusal
                // (THP off) leaves ordinary pages.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE)
                };
            }
        }
    }
    data
}

/// An n-dimensional array of [`Element`]s, shared cheaply on clone. See the
/// [module documentation](self) for how it crosses to Python.
#[derive(Clone)]
pub struct NdArray {
    storage: Arc<dyn Storage>,
    dtype: DType,
    shape: Vec<usize>,
    /// In elements; may be negative (reversed axes).
    strides: Vec<isize>,
    /// Elements from the start of the storage to element `[0, 0, ...]`.
    offset: usize,
}

pub(crate) fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for (stride, &dim) in strides.iter_mut().zip(shape).rev() {
        *stride = step;
        step *= dim.max(1) as isize;
    }
    strides
}

impl NdArray {
    /// A one-dimensional array that takes ownership of `data` without copying it.
    ///
    /// ```
    /// # use snakebridge_runtime::NdArray;
    /// let a = NdArray::from_vec(vec![1u8, 2, 3]);
    /// assert_eq!(a.shape(), [3]);
    /// ```
    pub fn from_vec<T: Element>(data: Vec<T>) -> NdArray {
        let len = data.len();
        NdArray::from_storage(Arc::new(VecStorage(data)), T::DTYPE, vec![len], vec![1], 0)
    }

    /// A one-dimensional array over memory Rust keeps sharing, without copying: numpy reads the
    /// very buffer of the `Arc`, which lives until both sides are done with it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use snakebridge_runtime::NdArray;
    /// let table: Arc<[f32]> = Arc::from(vec![0.5f32; 1024]);
    /// let a = NdArray::from_shared(table.clone());
    /// assert_eq!(a.data_ptr(), table.as_ptr().cast());
    /// ```
    pub fn from_shared<T: Element>(data: Arc<[T]>) -> NdArray {
        let len = data.len();
        NdArray::from_storage(
            Arc::new(SharedStorage(data)),
            T::DTYPE,
            vec![len],
            vec![1],
            0,
        )
    }

    /// A one-dimensional array over a `'static` slice (a constant table), without copying.
    pub fn from_static<T: Element>(data: &'static [T]) -> NdArray {
        NdArray::from_storage(
            Arc::new(StaticStorage(data)),
            T::DTYPE,
            vec![data.len()],
            vec![1],
            0,
        )
    }

    /// This array with a new shape over the same elements, without copying: the array must be
    /// in row-major order and the shape must hold as many elements.
    ///
    /// ```
    /// # use snakebridge_runtime::NdArray;
    /// let flat = NdArray::from_vec((0..6).collect::<Vec<i64>>());
    /// let grid = flat.reshape([2, 3])?;
    /// assert_eq!(grid.shape(), [2, 3]);
    /// assert_eq!(grid.data_ptr(), flat.data_ptr());
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn reshape(&self, shape: impl AsRef<[usize]>) -> Result<NdArray> {
        let shape = shape.as_ref().to_vec();
        let count: usize = shape.iter().product();
        if count != self.len() || !self.is_standard_layout() {
            return Err(Error::encode(format!(
                "cannot view an array of shape {:?}{} as shape {shape:?} without copying",
                self.shape,
                if self.is_standard_layout() {
                    ""
                } else {
                    " (not in row-major order)"
                }
            )));
        }
        let strides = c_strides(&shape);
        Ok(NdArray::from_storage(
            self.storage.clone(),
            self.dtype,
            shape,
            strides,
            self.offset,
        ))
    }

    /// An array of `shape` in row-major (C) order that takes ownership of `data` without copying.
    /// A `data` length that is not the product of `shape` is an [`Error::Encode`].
    pub fn from_shape_vec<T: Element>(shape: impl AsRef<[usize]>, data: Vec<T>) -> Result<NdArray> {
        let shape = shape.as_ref().to_vec();
        let expected: usize = shape.iter().product();
        if expected != data.len() {
            return Err(Error::encode(format!(
                "an array of shape {shape:?} needs {expected} elements, the Vec has {}",
                data.len()
            )));
        }
        let strides = c_strides(&shape);
        Ok(NdArray::from_storage(
            Arc::new(VecStorage(data)),
            T::DTYPE,
            shape,
            strides,
            0,
        ))
    }

    /// A one-dimensional array holding a copy of `data` (borrowed memory cannot be handed to
    /// Python, which may keep the array after the borrow ends).
    pub fn copy_from_slice<T: Element>(data: &[T]) -> NdArray {
        NdArray::from_vec(data.to_vec())
    }

    /// An array over `storage`. The caller has checked that every element the shape and strides
    /// reach lies inside the storage and that the storage is aligned for `dtype`.
    pub(crate) fn from_storage(
        storage: Arc<dyn Storage>,
        dtype: DType,
        shape: Vec<usize>,
        strides: Vec<isize>,
        offset: usize,
    ) -> NdArray {
        debug_assert_eq!(shape.len(), strides.len());
        NdArray {
            storage,
            dtype,
            shape,
            strides,
            offset,
        }
    }

    /// The memory the elements live in, for a client that recognises memory of its own (the
    /// pool's arrays allocated in shared memory travel by name).
    pub(crate) fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// Bytes from the start of the storage to element `[0, 0, ...]`.
    pub(crate) fn byte_offset(&self) -> usize {
        self.offset * self.dtype.size()
    }

    /// A C-ordered array of `dtype` and `shape` whose elements are copied from `bytes`
    /// (native byte order). Checks the length and, for `bool`, that every byte is 0 or 1.
    pub(crate) fn from_c_bytes(dtype: DType, shape: Vec<usize>, bytes: &[u8]) -> Result<NdArray> {
        let count: usize = shape.iter().product();
        if count.checked_mul(dtype.size()) != Some(bytes.len()) {
            return Err(Error::decode(
                "array",
                format!(
                    "{} bytes cannot hold {count} {dtype} elements of shape {shape:?}",
                    bytes.len()
                ),
            ));
        }
        if dtype == DType::Bool && bytes.iter().any(|&b| b > 1) {
            return Err(Error::decode(
                "array",
                "a bool array holds bytes other than 0 and 1",
            ));
        }
        let storage: Arc<dyn Storage> = with_element!(dtype, T => {
            let mut data = large_vec::<T>(count);
            // SAFETY: `data` has room for `count` elements = `bytes.len()` bytes; every byte
            // pattern is a valid element (bools were checked above).
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.as_mut_ptr().cast(), bytes.len());
                data.set_len(count);
            }
            Arc::new(VecStorage(data))
        });
        let strides = c_strides(&shape);
        Ok(NdArray::from_storage(storage, dtype, shape, strides, 0))
    }

    /// The same storage seen with another shape, element strides and data address (a view numpy
    /// made of this array), if the dtype is the same and every element it reaches lies inside
    /// the storage. (Used by the embedded client, which recognises numpy views of Rust memory.)
    #[cfg(feature = "embedded")]
    pub(crate) fn view_of_same_storage(
        &self,
        dtype: DType,
        shape: Vec<usize>,
        strides: Vec<isize>,
        data: *const u8,
    ) -> Option<NdArray> {
        // Another dtype over the same bytes (`a.view("bool")`) could hold invalid elements.
        if dtype != self.dtype {
            return None;
        }
        let bytes = self.storage.bytes();
        let size = dtype.size();
        let start = (data as usize).checked_sub(bytes.as_ptr() as usize)?;
        if start % size != 0 {
            return None;
        }
        if shape.contains(&0) {
            return Some(NdArray::from_storage(
                self.storage.clone(),
                dtype,
                shape,
                strides,
                0,
            ));
        }
        // The lowest and highest element offsets the view reaches, in elements from `data`.
        let (mut low, mut high) = (0isize, 0isize);
        for (&dim, &stride) in shape.iter().zip(&strides) {
            let far = stride.checked_mul(dim as isize - 1)?;
            if far < 0 {
                low = low.checked_add(far)?;
            } else {
                high = high.checked_add(far)?;
            }
        }
        let first = start as isize / size as isize;
        let in_bounds = first + low >= 0 && ((first + high + 1) as usize) * size <= bytes.len();
        in_bounds.then(|| {
            NdArray::from_storage(self.storage.clone(), dtype, shape, strides, first as usize)
        })
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The length of each axis.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The step between neighbours along each axis, in elements (negative for reversed axes).
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of the elements in bytes (`len() * dtype().size()`).
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype.size()
    }

    /// True when the elements are contiguous in row-major (C) order.
    pub fn is_standard_layout(&self) -> bool {
        self.is_empty() || self.strides == c_strides(&self.shape)
    }

    /// The address of element `[0, 0, ...]`: the same address numpy reports as the array's data
    /// pointer when the array crossed without a copy.
    pub fn data_ptr(&self) -> *const u8 {
        // SAFETY: `offset` elements lie inside the storage (constructor invariant), or the array
        // is empty and `offset` is 0.
        unsafe {
            self.storage
                .bytes()
                .as_ptr()
                .add(self.offset * self.dtype.size())
        }
    }

    fn check_dtype<T: Element>(&self) -> Result<()> {
        if T::DTYPE == self.dtype {
            Ok(())
        } else {
            Err(Error::decode(
                format!("array of {}", T::DTYPE),
                format!(
                    "the array holds {} elements; ask for that element type or convert in \
                     Python first (e.g. `.astype(\"{}\")`)",
                    self.dtype,
                    T::DTYPE
                ),
            ))
        }
    }

    /// Visits the byte offsets (from `data_ptr`) of every element in row-major order.
    fn for_each_offset(&self, mut visit: impl FnMut(isize)) {
        if self.is_empty() {
            return;
        }
        let size = self.dtype.size() as isize;
        let mut index = vec![0usize; self.shape.len()];
        let mut at = 0isize;
        loop {
            visit(at * size);
            // Advance the last axis; carry into earlier axes.
            let mut axis = self.shape.len();
            loop {
                if axis == 0 {
                    return;
                }
                axis -= 1;
                index[axis] += 1;
                at += self.strides[axis];
                if index[axis] < self.shape[axis] {
                    break;
                }
                at -= self.strides[axis] * self.shape[axis] as isize;
                index[axis] = 0;
            }
        }
    }

    /// The elements as bytes in row-major order: borrowed when the array is already laid out so,
    /// gathered into a new buffer otherwise.
    pub(crate) fn c_order_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        if self.is_standard_layout() {
            // SAFETY: standard layout = `nbytes` contiguous bytes from `data_ptr`, all inside the
            // storage.
            return std::borrow::Cow::Borrowed(unsafe {
                std::slice::from_raw_parts(self.data_ptr(), self.nbytes())
            });
        }
        let mut out = vec![0u8; self.nbytes()];
        self.write_c_order(&mut out);
        std::borrow::Cow::Owned(out)
    }

    /// Writes the elements in row-major order into `out` (`out.len() == nbytes()`).
    pub(crate) fn write_c_order(&self, out: &mut [u8]) {
        assert_eq!(out.len(), self.nbytes(), "output buffer of the wrong size");
        if self.is_standard_layout() {
            out.copy_from_slice(&self.c_order_bytes());
            return;
        }
        let size = self.dtype.size();
        let base = self.data_ptr();
        let mut chunks = out.chunks_exact_mut(size);
        self.for_each_offset(|at| {
            // SAFETY: every offset the shape and strides reach is inside the storage.
            let src = unsafe { std::slice::from_raw_parts(base.offset(at), size) };
            chunks
                .next()
                .expect("one chunk per element")
                .copy_from_slice(src);
        });
    }

    /// The elements in row-major order, copied into a `Vec`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        self.check_dtype::<T>()?;
        let base = self.data_ptr().cast::<T>();
        let mut out = Vec::with_capacity(self.len());
        self.for_each_offset(|at| {
            // SAFETY: the dtype matches `T`, every reached offset is in bounds and aligned.
            out.push(unsafe { *base.byte_offset(at) });
        });
        Ok(out)
    }

    /// The array as nested [`Value::List`]s of plain values (what `ndarray.tolist()` gives).
    pub fn to_list_value(&self) -> Value {
        with_element!(self.dtype, T => {
            let flat = self.to_vec::<T>().expect("dtype matches");
            nest(&self.shape, &mut flat.into_iter().map(Element::to_value))
        })
    }

    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    /// Returns the `Vec<T>` that moved in, when this array is its only owner and covers it whole
    /// in row-major order.
    fn try_into_vec<T: Element>(self) -> std::result::Result<Vec<T>, NdArray> {
        if T::DTYPE != self.dtype
            || self.offset != 0
            || !self.is_standard_layout()
            || self.storage.bytes().len() != self.nbytes()
            || !(&*self.storage as &dyn Any).is::<VecStorage<T>>()
        {
            return Err(self);
        }
        let NdArray {
            storage,
            dtype,
            shape,
            strides,
            offset,
        } = self;
        let any: Arc<dyn Any + Send + Sync> = storage.clone();
        drop(storage);
        match any.downcast::<VecStorage<T>>().map(Arc::try_unwrap) {
            Ok(Ok(VecStorage(data))) => Ok(data),
            Ok(Err(shared)) => Err(NdArray::from_storage(shared, dtype, shape, strides, offset)),
            Err(_) => unreachable!("checked to be a VecStorage<T>"),
        }
    }
}

fn nest(shape: &[usize], flat: &mut impl Iterator<Item = Value>) -> Value {
    match shape.split_first() {
        None => flat.next().unwrap_or_default(),
        Some((&n, rest)) => Value::List((0..n).map(|_| nest(rest, flat)).collect()),
    }
}

impl<T: Element> From<Vec<T>> for NdArray {
    /// [`NdArray::from_vec`]: moves the buffer, no copy.
    fn from(data: Vec<T>) -> NdArray {
        NdArray::from_vec(data)
    }
}

impl<T: Element> From<Box<[T]>> for NdArray {
    /// Moves the buffer, no copy.
    fn from(data: Box<[T]>) -> NdArray {
        NdArray::from_vec(data.into_vec())
    }
}

impl<T: Element> From<Arc<[T]>> for NdArray {
    /// [`NdArray::from_shared`]: shares the buffer, no copy.
    fn from(data: Arc<[T]>) -> NdArray {
        NdArray::from_shared(data)
    }
}

impl PartialEq for NdArray {
    /// Same dtype, same shape, same elements (floats by bit pattern, NaN equal to NaN, as for
    /// [`Value`]).
    fn eq(&self, other: &Self) -> bool {
        self.dtype == other.dtype
            && self.shape == other.shape
            && (Arc::ptr_eq(&self.storage, &other.storage)
                && self.offset == other.offset
                && self.strides == other.strides
                || self.to_list_value() == other.to_list_value())
    }
}

impl fmt::Debug for NdArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "array(dtype={}, shape={:?}", self.dtype, self.shape)?;
        if self.len() <= 16 {
            write!(f, ", {:?}", self.to_list_value())?;
        }
        f.write_str(")")
    }
}

impl crate::data::value::IntoValue for NdArray {
    fn into_value(self) -> Value {
        Value::Array(self)
    }
}

impl crate::data::value::FromValue for NdArray {
    const RETURN_POLICY: crate::data::return_policy::ReturnPolicy =
        crate::data::return_policy::ReturnPolicy::Value;

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Array(a) => Ok(a),
            other => Err(Error::decode(
                "NdArray",
                format!(
                    "expected a numpy array of a numeric or bool dtype, got {}",
                    other.type_name()
                ),
            )),
        }
    }
}

/// `ndarray` conversions (the `ndarray` feature) and the views the embedded client hands numpy
/// (the `embedded` feature, which uses the `ndarray` crate through rust-numpy without putting
/// its types in the API).
#[cfg(any(feature = "ndarray", feature = "embedded"))]
mod ndarray_impls {
    #[cfg(feature = "ndarray")]
    use ndarray::{Array, ArrayBase, Data, Dimension};
    use ndarray::{ArrayView, ArrayViewD, IxDyn, ShapeBuilder};

    use super::*;
    #[cfg(feature = "ndarray")]
    use crate::data::value::{FromValue, IntoValue};

    impl NdArray {
        /// What [`NdArray::view`] returns, for the embedded client also without the `ndarray`
        /// feature.
        pub(crate) fn elements_view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
            self.check_dtype::<T>()?;
            // SAFETY: dtype checked; shape, strides and offset stay inside the live storage.
            Ok(unsafe { raw_view(self.data_ptr().cast(), &self.shape, &self.strides) })
        }
    }

    #[cfg(feature = "ndarray")]
    impl NdArray {
        /// A read-only `ndarray` view of the elements, without copying; borrowed from `self`.
        ///
        /// ```
        /// # use snakebridge_runtime::NdArray;
        /// let a = NdArray::from_shape_vec([2, 2], vec![1i32, 2, 3, 4])?;
        /// let view = a.view::<i32>()?;
        /// assert_eq!(view[[1, 0]], 3);
        /// # Ok::<(), snakebridge_runtime::Error>(())
        /// ```
        pub fn view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
            self.elements_view()
        }

        /// Converts into an owned `ndarray` array of dimension `D` (`Ix1`, `Ix2`, `IxDyn`, ...):
        /// moves the buffer out when this array is its only owner and is in row-major order,
        /// copies once otherwise.
        pub fn into_ndarray<T: Element, D: Dimension>(self) -> Result<Array<T, D>> {
            self.check_dtype::<T>()?;
            let shape = self.shape.clone();
            let dynamic: Array<T, IxDyn> = match self.try_into_vec::<T>() {
                Ok(data) => Array::from_shape_vec(IxDyn(&shape), data)
                    .expect("length checked by try_into_vec"),
                Err(shared) => shared.view::<T>()?.to_owned(),
            };
            let ndim = dynamic.ndim();
            dynamic.into_dimensionality::<D>().map_err(|_| {
                Error::decode(
                    std::any::type_name::<Array<T, D>>(),
                    format!(
                        "the array has {ndim} dimension(s), shape {shape:?}; ask for a \
                         matching dimension (or IxDyn)"
                    ),
                )
            })
        }
    }

    /// A view from a pointer to element `[0, ...]` and element strides that may be negative
    /// (ndarray's constructor wants non-negative ones: start from the lowest address, then
    /// reverse those axes).
    ///
    /// # Safety
    /// `ptr`, `shape` and `strides` must describe valid, aligned, initialised `T`s that live and
    /// stay unchanged for `'a`.
    pub(crate) unsafe fn raw_view<'a, T>(
        ptr: *const T,
        shape: &[usize],
        strides: &[isize],
    ) -> ArrayViewD<'a, T> {
        let mut lowest = ptr;
        let mut inverted = Vec::new();
        let mut abs = Vec::with_capacity(strides.len());
        for (axis, (&stride, &dim)) in strides.iter().zip(shape).enumerate() {
            if stride < 0 && dim > 0 {
                // SAFETY: the last element along a reversed axis is inside the allocation.
                lowest = unsafe { lowest.offset(stride * (dim as isize - 1)) };
                inverted.push(axis);
            }
            abs.push(stride.unsigned_abs());
        }
        // SAFETY: per the function contract, with the strides made non-negative.
        let mut view =
            unsafe { ArrayView::from_shape_ptr(IxDyn(shape).strides(IxDyn(&abs)), lowest) };
        for axis in inverted {
            view.invert_axis(ndarray::Axis(axis));
        }
        view
    }

    #[cfg(feature = "ndarray")]
    impl<T: Element, D: Dimension> From<Array<T, D>> for NdArray {
        /// Takes the array's buffer without copying, in whatever layout it has (a transposed
        /// array stays transposed: numpy sees the same strides).
        fn from(array: Array<T, D>) -> NdArray {
            let shape = array.shape().to_vec();
            let strides = array.strides().to_vec();
            let (data, offset) = array.into_raw_vec_and_offset();
            NdArray::from_storage(
                Arc::new(VecStorage(data)),
                T::DTYPE,
                shape,
                strides,
                offset.unwrap_or(0),
            )
        }
    }

    /// An owned `ndarray` array moves to Python without a copy.
    #[cfg(feature = "ndarray")]
    impl<T: Element, D: Dimension> IntoValue for Array<T, D> {
        fn into_value(self) -> Value {
            Value::Array(self.into())
        }
    }

    /// A borrowed array or view is copied once (Python may outlive the borrow).
    #[cfg(feature = "ndarray")]
    impl<S: Data, D: Dimension> IntoValue for &ArrayBase<S, D>
    where
        S::Elem: Element,
    {
        fn into_value(self) -> Value {
            Value::Array(self.to_owned().into())
        }
    }

    /// A view is copied once (Python may outlive the borrow).
    #[cfg(feature = "ndarray")]
    impl<T: Element, D: Dimension> IntoValue for ArrayView<'_, T, D> {
        fn into_value(self) -> Value {
            Value::Array(self.to_owned().into())
        }
    }

    /// A numpy array result of the right dtype and dimension, copied once out of Python.
    #[cfg(feature = "ndarray")]
    impl<T: Element, D: Dimension> FromValue for Array<T, D> {
        const RETURN_POLICY: crate::data::return_policy::ReturnPolicy =
            crate::data::return_policy::ReturnPolicy::Value;

        fn from_value(value: Value) -> Result<Self> {
            NdArray::from_value(value)
                .map_err(|_| Error::decode(std::any::type_name::<Self>(), "not a numpy array"))?
                .into_ndarray()
        }
    }
}

#[cfg(all(feature = "embedded", feature = "ndarray"))]
pub(crate) use ndarray_impls::raw_view;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_order_of_a_reversed_layout() {
        // A 2x3 array stored column-major: element [i, j] at i + 2 j.
        let a = NdArray::from_storage(
            Arc::new(VecStorage(vec![0i32, 3, 1, 4, 2, 5])),
            DType::Int32,
            vec![2, 3],
            vec![1, 2],
            0,
        );
        assert!(!a.is_standard_layout());
        assert_eq!(a.to_vec::<i32>().unwrap(), [0, 1, 2, 3, 4, 5]);
        let bytes = a.c_order_bytes();
        let back = NdArray::from_c_bytes(DType::Int32, vec![2, 3], &bytes).unwrap();
        assert_eq!(back.to_vec::<i32>().unwrap(), [0, 1, 2, 3, 4, 5]);
        assert_eq!(a, back);
    }

    #[test]
    fn negative_strides_and_offsets() {
        // [3, 2, 1] as a reversed view of [1, 2, 3].
        let a = NdArray::from_storage(
            Arc::new(VecStorage(vec![1u8, 2, 3])),
            DType::UInt8,
            vec![3],
            vec![-1],
            2,
        );
        assert_eq!(a.to_vec::<u8>().unwrap(), [3, 2, 1]);
        #[cfg(feature = "ndarray")]
        assert_eq!(
            a.view::<u8>().unwrap().iter().copied().collect::<Vec<_>>(),
            [3, 2, 1]
        );
    }

    #[test]
    fn bad_bytes_are_refused() {
        assert!(NdArray::from_c_bytes(DType::Float64, vec![2], &[0; 15]).is_err());
        assert!(NdArray::from_c_bytes(DType::Bool, vec![2], &[0, 2]).is_err());
        assert!(NdArray::from_shape_vec([2, 2], vec![1.0f32; 3]).is_err());
    }

    #[test]
    fn unique_vec_moves_back_out() {
        let data = vec![1.5f64; 6];
        let ptr = data.as_ptr();
        let a = NdArray::from_shape_vec([3, 2], data).unwrap();
        let back = a.try_into_vec::<f64>().unwrap();
        assert_eq!(back.as_ptr(), ptr);
        let shared = NdArray::from_vec(vec![1u16, 2]);
        let keep = shared.clone();
        assert!(shared.try_into_vec::<u16>().is_err());
        drop(keep);
    }

    #[test]
    fn lists_nest_by_shape() {
        let a = NdArray::from_shape_vec([2, 2], vec![true, false, false, true]).unwrap();
        assert_eq!(
            a.to_list_value(),
            Value::List(vec![
                Value::List(vec![Value::Bool(true), Value::Bool(false)]),
                Value::List(vec![Value::Bool(false), Value::Bool(true)]),
            ])
        );
    }
}
