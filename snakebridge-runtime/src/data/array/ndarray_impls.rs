//! [`NdArray`] and the `ndarray` crate: with the `ndarray` feature, views without copying,
//! conversions into owned arrays of any dimension, and `IntoValue`/`FromValue` for `ndarray`
//! arrays; with `embedded` alone, only the views the embedded client hands numpy (rust-numpy
//! uses the `ndarray` crate inside without putting its types in the API).

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
            Ok(data) => {
                Array::from_shape_vec(IxDyn(&shape), data).expect("length checked by try_into_vec")
            }
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
    let mut view = unsafe { ArrayView::from_shape_ptr(IxDyn(shape).strides(IxDyn(&abs)), lowest) };
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
