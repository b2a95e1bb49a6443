// scipy-stubs type `quad`'s `func` as `Callable[[float], float]`: a closure of two arguments is
// not one (rustc's E0593), where an untyped binding would fail only at run time in Python.
#[snakebridge::python_module("scipy.integrate", include = ["quad"])]
mod integrate {}

fn main() {
    let _ = integrate::quad(|x: f64, y: f64| Ok(x * y), 0.0, 1.0);
}
