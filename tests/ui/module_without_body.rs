#[snakebridge::python_module("json")]
pub mod json;

fn main() {}
