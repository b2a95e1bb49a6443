//! numpy through generated bindings: arrays stay in Python behind typed handles.
//!
//! Needs numpy in the interpreter snakebridge uses (see the README's "Which Python"):
//! `tests/run.sh` creates such a venv; then
//! `SNAKEBRIDGE_PYTHON=target/py-venv/bin/python cargo run --example numpy`.

use snakebridge::python_module;

#[python_module("numpy", submodules = ["linalg"])]
pub mod np {}

fn main() -> Result<(), snakebridge::Error> {
    let m = np::array(vec![vec![3.0, 0.0], vec![4.0, 5.0]]).call()?;
    println!("array shape      = {:?}", m.shape()?);
    println!("array dtype      = {}", m.dtype()?.name()?);
    println!(
        "linalg.norm(m)   = {}",
        np::linalg::norm(&m).call()?.extract::<f64>()?
    );
    println!("linalg.det(m)    = {:?}", np::linalg::det(&m).call()?);
    // ufuncs return whatever numpy returns: here an array, as a ref; view it as `np::ndarray`.
    let roots: np::ndarray = np::sqrt(&m).call()?.extract()?;
    println!("sqrt(m).tolist() = {:?}", roots.tolist().call()?);
    Ok(())
}
