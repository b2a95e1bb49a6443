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
    assert_eq!(floats(&roots), [1.0, 2.0, 3.0]);
}

/// `numpy.sqrt` is overloaded: the stubs type a scalar call `Any`, and the ufunc's own type
/// resolution (`resolve_dtypes`) says a float, int or bool in gives a float out; an array in
/// gives an `ndarray`. The first argument's Rust type picks the result type at compile time.
#[test]
fn ufunc_results_are_typed_by_the_argument() {
    // Scalars: plain Rust results, no `Value` to unpack.
    let two: f64 = np::sqrt(4.0).call().unwrap();
    assert_eq!(two, 2.0);
    let three: f64 = np::sqrt(9_i64).call().unwrap();
    assert_eq!(three, 3.0);
    let from_u8: f64 = np::sqrt(16_u8).call().unwrap();
    assert_eq!(from_u8, 4.0);
    // An integer ufunc keeps integers: `numpy.negative(int64) -> int64`; `isnan` gives a bool.
    let negated: i64 = np::negative(5).call().unwrap();
    assert_eq!(negated, -5);
    let nan: bool = np::isnan(f64::NAN).call().unwrap();
    assert!(nan);
    // Arrays in any Rust form, and the ndarray class itself: an `np::ndarray` comes back.
    let m = np::array(vec![vec![1.0, 4.0], vec![9.0, 16.0]])
        .call()
        .unwrap();
    let roots: np::ndarray = np::sqrt(&m).call().unwrap();
    assert_eq!(roots.shape().unwrap(), [2, 2]);
    let from_slice: np::ndarray = np::sqrt(&[1.0, 4.0][..]).call().unwrap();
    assert_eq!(floats(&from_slice), [1.0, 2.0]);
    let from_array: np::ndarray = np::sqrt([25.0]).call().unwrap();
    assert_eq!(floats(&from_array), [5.0]);
    // A `Value` can be anything: it gives a `Value`.
    let dynamic: Value = np::sqrt(Value::Float(81.0)).call().unwrap();
    assert_eq!(dynamic, Value::Float(9.0));
    // The optional arguments stay on the builder: `out=` writes into an existing array.
    let out = np::array(vec![0.0, 0.0]).call().unwrap();
    let written: np::ndarray = np::sqrt(vec![4.0, 9.0]).out(&out).call().unwrap();
    assert_eq!(floats(&written), [2.0, 3.0]);
    assert_eq!(floats(&out), [2.0, 3.0]);
}

fn floats(a: &np::ndarray) -> Vec<f64> {
    a.tolist().call().unwrap().extract().unwrap()
}

#[test]
fn numpy_errors_are_python_errors() {
    let a = np::array(vec![1.0, 2.0]).call().unwrap();
    let b = np::array(vec![1.0, 2.0, 3.0]).call().unwrap();
    let err = np::dot(&a, &b).call().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
}

/// Every argument the untyped form took still compiles where the stubs do not tell it apart:
/// two-argument ufuncs are typed only for an `ndarray` first argument (their result depends on
/// both), so scalars, sequences and tuples give a `Value`.
#[test]
fn arguments_the_overloads_do_not_tell_apart_give_values() {
    let sum: Value = np::add(1.5, 2).call().unwrap();
    assert_eq!(sum, Value::Float(3.5));
    let pairwise: Value = np::add((1, 2), vec![10, 20]).call().unwrap();
    assert_eq!(pairwise.type_name(), "ref");
    let a = np::array(vec![1.0, 2.0]).call().unwrap();
    let typed: np::ndarray = np::add(&a, 1.0).call().unwrap();
    assert_eq!(floats(&typed), [2.0, 3.0]);
}

/// Methods are overloaded as functions are: numpy's stubs type `ndarray.take(int)` as a numpy
/// scalar and `ndarray.take(array-like)` as an array.
#[test]
fn method_overloads_are_typed_by_the_argument() {
    let a = np::array(vec![10.0, 20.0, 30.0]).call().unwrap();
    let picked: np::ndarray = a.take(vec![0, 2]).call().unwrap();
    assert_eq!(floats(&picked), [10.0, 30.0]);
    let one: np::generic = a.take(1).call().unwrap();
    assert_eq!(one.type_name(), "numpy.float64");
    assert_eq!(one.item().call().unwrap(), Value::Float(20.0));
    // A class's own overloads reach its subclasses' instances through `Deref`.
    let m = np::asmatrix(vec![vec![1.0, 2.0]]).call().unwrap();
    let cols: np::ndarray = m.take(vec![1]).call().unwrap();
    assert_eq!(cols.type_name(), "numpy.matrix");
}

#[test]
fn ndarray_aliases_of_unresolved_scalars_are_the_ndarray_class() {
    // `argsort(..) -> NDArray[intp]`: numpy spells `intp` per platform, so the alias's argument
    // does not resolve, but every `ndarray[..]` is the bound class (not a `Value`).
    let order: np::ndarray = np::argsort(vec![3.0, 1.0, 2.0]).call().unwrap();
    let order: Vec<i64> = order.tolist().call().unwrap().extract().unwrap();
    assert_eq!(order, vec![1, 2, 0]);
}
