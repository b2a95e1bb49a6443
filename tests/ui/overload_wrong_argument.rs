// typeshed overloads `os.path.join(StrPath, ...) -> str` and `(BytesPath, ...) -> bytes`: the
// first argument's Rust type picks the result. Every kind of Rust data still compiles (an
// integer gives a `Value`), but an object of a class neither overload takes does not.
#[snakebridge::python_module("os.path", include = ["join"])]
mod os_path {}

#[snakebridge::python_module("decimal", include = ["Decimal"])]
mod decimal {}

fn main() {
    let _ = os_path::join(42).call();
    let d = decimal::Decimal::new().call().unwrap();
    let _ = os_path::join(&d).call();
}
