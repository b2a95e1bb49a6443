// typeshed types `Decimal.__add__(value: Decimal | int)`: a string operand does not compile.
#[snakebridge::python_module("decimal", include = ["Decimal"])]
mod decimal {}

fn main() {
    let a = decimal::Decimal::new().value("1.1").call().unwrap();
    let _ = &a + "2.2";
}
