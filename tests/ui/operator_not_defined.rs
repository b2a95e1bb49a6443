// A class without `__add__` has no `+`: `json.JSONEncoder` defines no operators.
#[snakebridge::python_module("json", include = ["JSONEncoder"])]
mod json {}

fn main() {
    let encoder = json::JSONEncoder::new().call().unwrap();
    let _ = &encoder + 1;
}
