#[snakebridge::python_module("math")]
pub mod math {}

fn main() {
    let _ = math::sqrt(1.0, 2.0);
}
