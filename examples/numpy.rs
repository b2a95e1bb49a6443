//! numpy through generated bindings: arrays stay in Python behind typed handles, and Rust
//! buffers and `ndarray` arrays cross without copying.
//!
//! Needs numpy in the interpreter snakebridge uses (see the README's "Which Python"):
//! `tests/run.sh` creates such a venv; then
//! `SNAKEBRIDGE_PYTHON=target/py-venv/bin/python cargo run --example numpy`.

use snakebridge::ndarray::{Array1, Array2, array};
use snakebridge::{NdArray, python_module};

#[python_module("numpy", submodules = ["linalg"])]
pub mod np {}

fn main() -> Result<(), snakebridge::Error> {
    let m = np::array(vec![vec![3.0, 0.0], vec![4.0, 5.0]]).call()?;
    println!("array shape      = {:?}", m.shape()?);
    assert_eq!(m.shape()?, [2, 2]);
    let dtype = m.dtype()?.name()?;
    println!("array dtype      = {dtype}");
    assert_eq!(dtype, "float64");
    let norm = np::linalg::norm(&m).call()?.extract::<f64>()?;
    println!("linalg.norm(m)   = {norm}");
    assert!((norm - 50f64.sqrt()).abs() < 1e-12, "{norm}");
    let det: f64 = np::linalg::det(&m).call()?.extract()?;
    println!("linalg.det(m)    = {det}");
    assert!((det - 15.0).abs() < 1e-12, "{det}");
    // Overloads are typed by the first argument: an array in, an `np::ndarray` out; a float
    // in, an `f64` out.
    let roots: np::ndarray = np::sqrt(&m).call()?;
    let listed: Vec<Vec<f64>> = roots.tolist().call()?.extract()?;
    println!("sqrt(m).tolist() = {listed:?}");
    assert_eq!(listed, [[3f64.sqrt(), 0.0], [2.0, 5f64.sqrt()]]);
    let root: f64 = np::sqrt(2.0).call()?;
    println!("sqrt(2.0)        = {root}");
    assert_eq!(root, std::f64::consts::SQRT_2);

    // A Rust buffer moves into numpy without a copy (allocated like numpy's own arrays).
    let n = 10_000_000;
    let mut samples = snakebridge::array::large_vec::<f64>(n);
    samples.extend((0..n).map(|i| (i % 1000) as f64));
    let total: f64 = np::sum(NdArray::from_vec(samples)).call()?.extract()?;
    println!("sum of 80 MB     = {total}");
    assert_eq!(total, 499.5 * n as f64);

    // ndarray arrays in and out: owned in (no copy), owned out (one copy).
    let a: Array2<f64> = array![[2.0, 1.0], [1.0, 3.0]];
    let inverse: Array2<f64> = np::linalg::inv(a.clone()).call_as()?;
    println!("inv(a)           = {inverse}");
    let expected = array![[0.6, -0.2], [-0.2, 0.4]];
    assert!(
        inverse
            .iter()
            .zip(&expected)
            .all(|(x, e)| (x - e).abs() < 1e-12),
        "{inverse}"
    );
    let x: Array1<f64> = np::linalg::solve(a, array![1.0, 2.0]).call_as()?;
    println!("solve(a, b)      = {x}");
    assert!(
        (x[0] - 0.2).abs() < 1e-12 && (x[1] - 0.6).abs() < 1e-12,
        "{x}"
    );

    // A numpy array viewed from Rust without a copy, borrowed from its handle.
    let grid = np::arange().args([12]).call()?;
    let grid: snakebridge::PyRef = grid.call_method("reshape", (3, 4))?;
    let view = grid.array_view::<i64>()?;
    println!(
        "grid[2, 1]       = {} (view of numpy's memory)",
        view[[2, 1]]
    );
    assert_eq!(view[[2, 1]], 9);
    Ok(())
}
