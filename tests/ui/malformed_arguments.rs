#[snakebridge::python_module(42)]
pub mod a {}

#[snakebridge::python_module("json", submodule = ["decoder"])]
pub mod b {}

#[snakebridge::python_module("json", include = "dumps")]
pub mod c {}

#[snakebridge::python_module("json", include = ["dumps"], exclude = ["dumps"])]
pub mod d {}

#[snakebridge::python_module("json", include = ["dumpz"])]
pub mod e {}

#[snakebridge::python_module]
pub mod f {}

fn main() {}
