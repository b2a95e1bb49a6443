// Built with SNAKEBRIDGE_OFFLINE=1: `tomllib` is not in the committed cache.
#[snakebridge::python_module("tomllib")]
pub mod tomllib {}

fn main() {}
