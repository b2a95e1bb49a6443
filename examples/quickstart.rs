//! Quickstart: typed bindings to Python's standard library, generated at compile time.
//!
//! Run with `cargo run --example quickstart`.

use snakebridge::{ExceptionKind, Value, python_module};

/// `math`, with typed functions and constants.
#[python_module("math")]
pub mod math {}

/// `json`: functions with keyword builders, and the `JSONEncoder` class.
#[python_module("json")]
pub mod json {}

/// `pathlib`: classes with properties and inherited methods.
#[python_module("pathlib")]
pub mod pathlib {}

fn main() -> Result<(), snakebridge::Error> {
    // Functions: required arguments are Rust arguments, the result is typed.
    let root: f64 = math::sqrt(2.0).call()?;
    println!("math.sqrt(2)      = {root}");
    assert_eq!(root, std::f64::consts::SQRT_2);
    println!("math.pi           = {}", math::pi);
    assert_eq!(math::pi, std::f64::consts::PI);
    let factorial = math::factorial(20).call()?;
    println!("math.factorial(20) = {factorial}");
    assert_eq!(factorial, 2_432_902_008_176_640_000);

    // Optional and keyword-only parameters are builder methods named as in Python.
    let data = Value::Dict(vec![
        ("name".into(), "snakebridge".into()),
        ("languages".into(), Value::from(vec!["Rust", "Python"])),
    ]);
    let text: String = json::dumps(&data).indent(2).sort_keys(true).call()?;
    println!("json.dumps(..., indent=2, sort_keys=True) =\n{text}");
    assert_eq!(
        text,
        "{\n  \"languages\": [\n    \"Rust\",\n    \"Python\"\n  ],\n  \"name\": \"snakebridge\"\n}"
    );

    // Classes: `new` with the constructor's keywords, typed methods, attribute getters/setters.
    let encoder = json::JSONEncoder::new().sort_keys(true).call()?;
    encoder.set_item_separator(" | ")?;
    let encoded = encoder.encode(vec![1, 2, 3]).call()?;
    println!("JSONEncoder.encode = {encoded}");
    assert_eq!(encoded, "[1 | 2 | 3]");

    // Objects stay in Python behind handles; base-class members are reached through Deref.
    let path = pathlib::Path::new().args(["/tmp/report.csv"]).call()?;
    let (name, suffix) = (path.name()?, path.suffix()?);
    println!("Path.name = {name}, Path.suffix = {suffix}");
    assert_eq!((name.as_str(), suffix.as_str()), ("report.csv", ".csv"));
    let renamed = path.with_suffix(".json").call()?.as_posix().call()?;
    println!("with_suffix(.json) = {renamed}");
    assert_eq!(renamed, "/tmp/report.json");

    // Python exceptions are matchable errors; the runtime keeps working afterwards.
    match math::sqrt(-1.0).call() {
        Err(e) if e.is_python(ExceptionKind::ValueError) => println!("math.sqrt(-1) -> {e}"),
        other => panic!("math.sqrt(-1) should be a ValueError, not {other:?}"),
    }
    Ok(())
}
