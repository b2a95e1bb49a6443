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
