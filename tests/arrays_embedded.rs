//! Arrays between Rust and numpy through the embedded client: no copies where the contract says
//! so (checked by data pointers), dtype round trips, non-contiguous layouts, and generated numpy
//! bindings taking and returning `ndarray` arrays. The lifetime side (a view cannot outlive what
//! it borrows) is pinned by `tests/ui/array_view_*.rs`.

use snakebridge::array::Complex;
use snakebridge::ndarray::{Array1, Array2, ArrayD, Ix1, Ix2, array};
use snakebridge::{
    Call, DType, Element, Error, ExceptionKind, NdArray, PyRef, Value, call, python_module,
};

#[python_module("numpy", submodules = ["linalg"])]
pub mod np {}

/// numpy's data pointer of the array `r` holds.
fn numpy_data_ptr(r: &PyRef) -> usize {
    let ctypes: PyRef = r.getattr("ctypes").unwrap();
    let data: u64 = ctypes.getattr("data").unwrap();
    data as usize
}

fn flag(r: &PyRef, name: &'static str) -> bool {
    let flags: PyRef = r.getattr("flags").unwrap();
    flags.getattr(name).unwrap()
}

fn tolist(r: &PyRef) -> Value {
    r.call_method("tolist", ()).unwrap()
}

fn asarray(value: impl snakebridge::IntoValue) -> PyRef {
    call("numpy", "asarray", (value,)).unwrap()
}

#[test]
fn a_vec_moves_into_numpy_without_a_copy() {
    let data: Vec<f64> = (0..1000).map(f64::from).collect();
    let rust_ptr = data.as_ptr() as usize;
    let array = asarray(NdArray::from_vec(data));
    assert_eq!(numpy_data_ptr(&array), rust_ptr);
    // Rust gave the buffer away; numpy's array owns it now (through its base object) and
    // reads it after every Rust handle to the NdArray is gone.
    assert!(!flag(&array, "owndata"));
    let total: f64 = call("numpy", "sum", (&array,)).unwrap();
    assert_eq!(total, 999.0 * 1000.0 / 2.0);
    let dtype: PyRef = array.getattr("dtype").unwrap();
    assert_eq!(dtype.getattr::<String>("name").unwrap(), "float64");
}

#[test]
fn an_owned_ndarray_moves_without_a_copy() {
    let m: Array2<i32> = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as i32);
    let rust_ptr = m.as_ptr() as usize;
    let array = asarray(m);
    assert_eq!(numpy_data_ptr(&array), rust_ptr);
    assert_eq!(array.getattr::<Vec<i64>>("shape").unwrap(), [3, 4]);
    assert_eq!(
        tolist(&array),
        Value::List(
            (0..3)
                .map(|i| Value::List((0..4).map(|j| Value::Int(10 * i + j)).collect()))
                .collect()
        )
    );
}

#[test]
fn numpy_cannot_write_into_a_shared_rust_buffer() {
    let array = asarray(NdArray::from_vec(vec![1u8, 2, 3]));
    assert!(!flag(&array, "writeable"));
    let err = array
        .call_method::<Value>("__setitem__", (0, 9))
        .unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    // Nothing changed and the interpreter keeps working; a copy is writable.
    assert_eq!(tolist(&array), Value::from(vec![1, 2, 3]));
    let copy: PyRef = array.call_method("copy", ()).unwrap();
    let _: Value = copy.call_method("__setitem__", (0, 9)).unwrap();
    assert_eq!(tolist(&copy), Value::from(vec![9, 2, 3]));
}

#[test]
fn a_view_reads_numpy_memory_without_a_copy() {
    let grid: PyRef = call("numpy", "arange", (12,)).unwrap();
    let grid: PyRef = grid.call_method("reshape", (3, 4)).unwrap();
    let view = grid.array_view::<i64>().unwrap();
    assert_eq!(view.shape(), [3, 4]);
    assert_eq!(view[[2, 1]], 9);
    assert_eq!(view.as_ptr() as usize, numpy_data_ptr(&grid));
    // Same memory: a write made by Python shows through the view (the documented contract).
    let _: Value = grid.call_method("fill", (7,)).unwrap();
    assert!(view.iter().all(|&x| x == 7));
}

#[test]
fn views_of_non_contiguous_arrays_follow_their_strides() {
    let grid: PyRef = call("numpy", "arange", (6,)).unwrap();
    let grid: PyRef = grid.call_method("reshape", (2, 3)).unwrap();
    let transposed: PyRef = grid.getattr("T").unwrap();
    assert!(!flag(&transposed, "c_contiguous"));
    let view = transposed.array_view::<i64>().unwrap();
    assert_eq!(view.shape(), [3, 2]);
    assert_eq!(view, array![[0i64, 3], [1, 4], [2, 5]].into_dyn());
    assert_eq!(view.as_ptr() as usize, numpy_data_ptr(&grid));

    // Reversed (negative strides) and strided slices.
    let reversed: PyRef = call(
        "operator",
        "getitem",
        (&grid, (Slice::all(), Slice::reverse())),
    )
    .unwrap();
    let view = reversed.array_view::<i64>().unwrap();
    assert_eq!(view, array![[2i64, 1, 0], [5, 4, 3]].into_dyn());
    let owned = reversed.to_array::<i64, Ix2>().unwrap();
    assert_eq!(owned, array![[2i64, 1, 0], [5, 4, 3]]);
    assert_ne!(owned.as_ptr() as usize, numpy_data_ptr(&grid)); // to_array copies
}

/// `slice(None)` and `slice(None, None, -1)` as values, through Python.
struct Slice;
impl Slice {
    fn all() -> PyRef {
        call("builtins", "slice", (Value::None,)).unwrap()
    }
    fn reverse() -> PyRef {
        call("builtins", "slice", (Value::None, Value::None, -1)).unwrap()
    }
}

#[test]
fn a_transposed_rust_array_keeps_its_layout_in_numpy() {
    let m = Array2::from_shape_vec((2, 3), vec![0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    let t = m.reversed_axes(); // 3x2, column-major, same buffer
    let rust_ptr = t.as_ptr() as usize;
    let array = asarray(t);
    assert_eq!(numpy_data_ptr(&array), rust_ptr);
    assert!(flag(&array, "f_contiguous"));
    assert_eq!(
        tolist(&array),
        Value::List(vec![
            Value::from(vec![0.0, 3.0]),
            Value::from(vec![1.0, 4.0]),
            Value::from(vec![2.0, 5.0]),
        ])
    );
    // And back by value: one copy, elements in the right places.
    let back: Array2<f32> = Call::<Value>::function("numpy", "asarray", (&array,))
        .call_as()
        .unwrap();
    assert_eq!(back, array![[0.0f32, 3.0], [1.0, 4.0], [2.0, 5.0]]);
}

fn round_trip<T: Element>(values: Vec<T>, numpy_name: &str) {
    let n = values.len();
    let original = Array2::from_shape_vec((2, n / 2), values).unwrap();
    let array = asarray(original.clone());
    let dtype: PyRef = array.getattr("dtype").unwrap();
    assert_eq!(dtype.getattr::<String>("name").unwrap(), numpy_name);
    // Back through numpy.copy (a new numpy-owned array) by value.
    let back: Array2<T> = Call::<Value>::function("numpy", "copy", (&array,))
        .call_as()
        .unwrap();
    assert_eq!(back, original);
    let as_ndarray: NdArray = Call::function("numpy", "copy", (&array,)).call().unwrap();
    assert_eq!(as_ndarray.dtype(), T::DTYPE);
    assert_eq!(as_ndarray.dtype().name(), numpy_name);
    // A view of the numpy-made copy reads the same elements.
    let copy: PyRef = call("numpy", "copy", (&array,)).unwrap();
    assert_eq!(copy.array_view::<T>().unwrap(), original.into_dyn());
}

#[test]
fn dtypes_round_trip() {
    round_trip(
        vec![1.5f32, -0.0, f32::INFINITY, f32::MIN_POSITIVE],
        "float32",
    );
    round_trip(vec![1.5f64, -0.0, f64::NEG_INFINITY, 1e300], "float64");
    round_trip(vec![i32::MIN, -1, 0, i32::MAX], "int32");
    round_trip(vec![i64::MIN, -1, 0, i64::MAX], "int64");
    round_trip(vec![0u8, 1, 128, 255], "uint8");
    round_trip(vec![true, false, false, true], "bool");
    round_trip(
        vec![Complex::new(1.5f32, -2.0), Complex::new(0.0, f32::INFINITY)],
        "complex64",
    );
    round_trip(
        vec![Complex::new(1.5f64, -2.0), Complex::new(-0.0, 1e300)],
        "complex128",
    );
}

#[test]
fn numpy_made_arrays_of_each_dtype_come_back_typed() {
    for dtype in DType::ALL {
        let ones: NdArray = Call::function("numpy", "ones", ((2, 2),))
            .kwarg("dtype", dtype.name())
            .call()
            .unwrap();
        assert_eq!(ones.dtype(), dtype);
        assert_eq!(ones.shape(), [2, 2]);
    }
}

#[test]
fn wrong_element_types_and_dimensions_are_errors() {
    let ints: PyRef = call("numpy", "arange", (4,)).unwrap();
    let err = ints.array_view::<f64>().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("int64") && err.to_string().contains("float64"),
        "{err}"
    );
    let err = ints.to_array::<f32, Ix1>().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let err = ints.to_array::<i64, Ix2>().unwrap_err();
    assert!(err.to_string().contains("1 dimension"), "{err}");
    // A ref that is not an array.
    let path: PyRef = call("pathlib", "Path", ("/tmp",)).unwrap();
    let err = path.array_view::<f64>().unwrap_err();
    assert!(err.to_string().contains("not a numpy array"), "{err}");
    // String arrays are not NdArrays: by value they come back as lists of str.
    let words: Value = Call::function("numpy", "array", (vec!["a", "bc"],))
        .returns(snakebridge::ReturnPolicy::Value)
        .call()
        .unwrap();
    assert_eq!(words, Value::from(vec!["a", "bc"]));
    let err = Call::<NdArray>::function("numpy", "array", (vec!["a", "bc"],))
        .call()
        .unwrap_err();
    assert!(err.to_string().contains("numeric or bool dtype"), "{err}");
    // The interpreter is fine afterwards.
    assert_eq!(ints.to_array::<i64, Ix1>().unwrap(), array![0i64, 1, 2, 3]);
}

#[test]
fn byte_swapped_arrays_are_converted_not_reinterpreted() {
    let big_endian: PyRef = Call::function("numpy", "array", (vec![1.0, 2.0],))
        .kwarg("dtype", ">f8")
        .call()
        .unwrap();
    let err = big_endian.array_view::<f64>().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    // By value it goes through tolist(): right numbers, no array.
    let value: Value = Call::function("numpy", "asarray", (&big_endian,))
        .returns(snakebridge::ReturnPolicy::Value)
        .call()
        .unwrap();
    assert_eq!(value, Value::from(vec![1.0, 2.0]));
}

#[test]
fn generated_numpy_bindings_take_and_return_ndarrays() {
    let v = array![3.0, 4.0];
    let norm: f64 = np::linalg::norm(v.clone())
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(norm, 5.0);
    let total: f64 = np::sum(Array1::from(vec![1.0, 2.0, 3.0]))
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(total, 6.0);
    let dot: f64 = np::dot(v.clone(), v.view())
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(dot, 25.0);
    let roots: Array1<f64> = np::sqrt(array![1.0, 4.0, 9.0]).call_as().unwrap();
    assert_eq!(roots, array![1.0, 2.0, 3.0]);
    let m = array![[2.0, 0.0], [0.0, 4.0]];
    let inverse: Array2<f64> = np::linalg::inv(&m).call_as().unwrap();
    assert_eq!(inverse, array![[0.5, 0.0], [0.0, 0.25]]);
    let product: ArrayD<f64> = np::matmul(m.clone(), inverse).call_as().unwrap();
    assert_eq!(product, Array2::<f64>::eye(2).into_dyn());
    // The result as the generated ndarray class, then viewed without a copy.
    let made = np::array(m.clone()).call().unwrap();
    assert_eq!(made.array_view::<f64>().unwrap(), m.into_dyn());
}

#[test]
fn vec_results_accept_one_dimensional_arrays() {
    let evens: Vec<i64> = Call::<Value>::function("numpy", "arange", (0, 8, 2))
        .call_as::<NdArray>()
        .unwrap()
        .to_vec()
        .unwrap();
    assert_eq!(evens, [0, 2, 4, 6]);
    let as_vec: Vec<f64> = Call::<Value>::function("numpy", "linspace", (0.0, 1.0, 3))
        .returns(snakebridge::ReturnPolicy::Value)
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(as_vec, [0.0, 0.5, 1.0]);
}

#[test]
fn shared_and_static_buffers_cross_without_a_copy() {
    // Rust keeps its Arc and reads it while numpy reads the same memory.
    let table: std::sync::Arc<[f32]> = (0..256).map(|i| i as f32).collect();
    let array = asarray(NdArray::from_shared(table.clone()));
    assert_eq!(numpy_data_ptr(&array), table.as_ptr() as usize);
    let total: f64 = call("numpy", "sum", (&array,)).unwrap();
    assert_eq!(total, table.iter().map(|&x| f64::from(x)).sum::<f64>());
    drop(array);
    assert_eq!(table[255], 255.0); // still Rust's, still intact

    static PRIMES: [u16; 6] = [2, 3, 5, 7, 11, 13];
    let flat = NdArray::from_static(&PRIMES[..]);
    let grid = asarray(flat.reshape([2, 3]).unwrap());
    assert_eq!(numpy_data_ptr(&grid), PRIMES.as_ptr() as usize);
    assert_eq!(
        tolist(&grid),
        Value::List(vec![
            Value::from(vec![2, 3, 5]),
            Value::from(vec![7, 11, 13])
        ])
    );
    // A reshape that would need a copy is refused, not faked.
    let transposed = NdArray::from(Array2::<u8>::zeros((2, 3)).reversed_axes());
    assert!(matches!(transposed.reshape([6]), Err(Error::Encode { .. })));
}

#[test]
fn rust_buffers_come_back_from_numpy_without_a_copy() {
    let data: Vec<i32> = (0..12).collect();
    let rust_ptr = data.as_ptr() as usize;
    let sent = NdArray::from_shape_vec([3, 4], data).unwrap();
    // numpy hands back the very array: the same buffer, shared again.
    let same: NdArray = Call::function("numpy", "asarray", (sent.clone(),))
        .call()
        .unwrap();
    assert_eq!(same.data_ptr() as usize, rust_ptr);
    assert_eq!(same, sent);
    // A view numpy makes of it (transposed, strided): still the same buffer, right elements.
    let transposed: Array2<i32> = Call::<Value>::function("numpy", "transpose", (sent.clone(),))
        .call_as()
        .unwrap();
    assert_eq!(
        transposed.into_dyn(),
        sent.view::<i32>().unwrap().t().to_owned()
    );
    let every_other: NdArray = Call::function(
        "operator",
        "getitem",
        (
            sent.clone(),
            (
                call::<PyRef>("builtins", "slice", (Value::None,)).unwrap(),
                call::<PyRef>("builtins", "slice", (1, Value::None, 2)).unwrap(),
            ),
        ),
    )
    .call()
    .unwrap();
    assert_eq!(every_other.data_ptr() as usize, rust_ptr + 4);
    assert_eq!(every_other.to_vec::<i32>().unwrap(), [1, 3, 5, 7, 9, 11]);
    // Another dtype over the same bytes is not shared (it could hold invalid bools): copied.
    let as_bools: PyRef = Call::method(
        &asarray(NdArray::from_vec(vec![0u8, 1, 2])),
        "view",
        ("bool",),
    )
    .call()
    .unwrap();
    let bools: NdArray = Call::function("numpy", "asarray", (&as_bools,))
        .call()
        .unwrap();
    assert_eq!(bools.to_vec::<bool>().unwrap(), [false, true, true]);
    // numpy arithmetic makes new arrays: those are numpy's memory, copied once.
    let doubled: NdArray = Call::function("numpy", "multiply", (sent.clone(), 2))
        .call()
        .unwrap();
    assert_ne!(doubled.data_ptr() as usize, rust_ptr);
    assert_eq!(doubled.to_vec::<i32>().unwrap()[11], 22);
}
