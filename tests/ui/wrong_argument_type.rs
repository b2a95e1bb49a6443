#[snakebridge::python_module("json")]
pub mod json {}

fn main() {
    // `sort_keys` is a bool in the stubs.
    let _ = json::dumps(1).sort_keys("yes");
}
