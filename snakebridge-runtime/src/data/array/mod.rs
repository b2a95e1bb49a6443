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

mod dtype;
#[cfg(any(feature = "ndarray", feature = "embedded"))]
mod ndarray_impls;
mod storage;
#[cfg(test)]
mod tests;

pub(crate) use dtype::with_element;
pub use dtype::{Complex, DType, Element, f16};
pub(crate) use storage::Storage;
pub use storage::large_vec;
use storage::{SharedStorage, StaticStorage, VecStorage};

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::data::error::{Error, Result};
use crate::data::value::Value;

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

#[cfg(all(feature = "embedded", feature = "ndarray"))]
pub(crate) use ndarray_impls::raw_view;
