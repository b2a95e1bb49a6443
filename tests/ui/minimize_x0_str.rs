// scipy-stubs types `minimize`'s `x0` as numeric array data (`onp.ToFloat | onp.ToFloat1D`):
// a string is not array data.
#[snakebridge::python_module("scipy.optimize", include = ["minimize"])]
mod optimize {}

fn main() {
    let rosen = snakebridge::module_attr::<snakebridge::Value>("scipy.optimize", "rosen").unwrap();
    let _ = optimize::minimize(rosen, "1.3, 0.7");
}
