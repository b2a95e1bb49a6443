#[snakebridge::python_module("math")]
pub mod math {}

fn main() {
    let _ = math::squareroot(4.0);
}
