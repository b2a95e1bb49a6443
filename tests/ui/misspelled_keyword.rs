#[snakebridge::python_module("json")]
pub mod json {}

fn main() {
    let _ = json::dumps(vec![1, 2]).indnet(2).call();
}
