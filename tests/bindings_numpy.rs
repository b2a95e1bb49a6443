//! Generated bindings to numpy (top level and `linalg`), end to end against real numpy.

use snakebridge::{ExceptionKind, Value, python_module};

#[python_module("numpy", submodules = ["linalg"])]
pub mod np {}

#[test]
fn array_shape_and_dtype() {
    let a = np::array(vec![vec![1.0, 2.0], vec![3.0, 4.0]])
        .call()
        .unwrap();
    assert_eq!(a.type_name(), "numpy.ndarray");
    assert_eq!(a.shape().unwrap(), [2, 2]);
    let dtype = a.dtype().unwrap();
    assert_eq!(dtype.name().unwrap(), "float64");
    // numpy's own `dtype.str` attribute is bound too (it shadows `PyRef::str`).
    assert_eq!(dtype.str().unwrap(), "<f8");
    let ints = np::array(vec![1, 2, 3]).call().unwrap();
    assert_eq!(ints.dtype().unwrap().name().unwrap(), "int64");
    assert_eq!(ints.ndim().unwrap(), 1);
    assert_eq!(ints.size().unwrap(), 3);
}

#[test]
fn linalg_norm() {
    let v = np::array(vec![3.0, 4.0]).call().unwrap();
    let norm: f64 = np::linalg::norm(&v).call().unwrap().extract().unwrap();
    assert_eq!(norm, 5.0);
    let m = np::array(vec![vec![1.0, 0.0], vec![0.0, 1.0]])
        .call()
        .unwrap();
    let fro: f64 = np::linalg::norm(&m)
        .ord("fro")
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert!((fro - 2f64.sqrt()).abs() < 1e-12);
}

#[test]
fn ufunc_sqrt_binds_as_a_function() {
    let roots = np::sqrt(vec![1.0, 4.0, 9.0]).call().unwrap();
    let back: Vec<f64> = roots
        .as_ref()
        .and_then(|r| r.call_method::<Value>("tolist", ()).ok())
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(back, [1.0, 2.0, 3.0]);
    // A scalar in, a numpy scalar out: converted to plain data.
    let two: f64 = np::sqrt(4.0).call().unwrap().extract().unwrap();
    assert_eq!(two, 2.0);
}

#[test]
fn numpy_errors_are_python_errors() {
    let a = np::array(vec![1.0, 2.0]).call().unwrap();
    let b = np::array(vec![1.0, 2.0, 3.0]).call().unwrap();
    let err = np::dot(&a, &b).call().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
}
