#[snakebridge::python_module("json")]
pub mod json {
    pub fn mine() {}
}

fn main() {}
