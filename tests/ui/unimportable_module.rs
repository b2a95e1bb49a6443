#[snakebridge::python_module("snakebridge_no_such_module")]
pub mod missing {}

fn main() {}
