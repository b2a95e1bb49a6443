//! Python protocols as Rust idioms, against real packages: operators (`std::ops` on the class
//! structs, `pow` and comparisons as methods), typed by the stubs where they say.

use snakebridge::python_module;

#[python_module("sympy", include = ["Symbol", "expand"])]
mod sympy {}

#[python_module("decimal", include = ["Decimal"])]
mod decimal {}

fn text(value: impl snakebridge::IntoValue) -> String {
    snakebridge::call("builtins", "str", (value,)).unwrap()
}

#[test]
fn sympy_expressions_with_rust_operators() {
    let x = sympy::Symbol::new("x").call().unwrap();
    // `Expr.__add__` and `Expr.__pow__` (sympy has no annotations: the result is the defining
    // class, a ref to whatever Python returned).
    let e = ((&x + 1).unwrap().pow(2)).unwrap();
    assert_eq!(text(&e), "(x + 1)**2");
    let expanded = sympy::expand(&e).call().unwrap();
    assert_eq!(text(expanded), "x**2 + 2*x + 1");
    // Reflected and unary forms: `2 * x` is `int.__mul__` then `Expr.__rmul__`; `-x`.
    let doubled = (2 * &x).unwrap();
    assert_eq!(text(&doubled), "2*x");
    let negated = (-&x).unwrap();
    assert_eq!(text(&negated), "-x");
    let difference = (&doubled - &x).unwrap();
    assert_eq!(text(difference), "x");
}

#[test]
fn decimal_arithmetic_and_comparisons_are_typed_by_typeshed() {
    let a = decimal::Decimal::new().value("1.1").call().unwrap();
    let b = decimal::Decimal::new().value("2.2").call().unwrap();
    // typeshed: `__add__(self, value: Decimal | int) -> Decimal`.
    let sum: decimal::Decimal = (&a + &b).unwrap();
    assert_eq!(text(&sum), "3.3");
    let plus_one = (&a + 1).unwrap();
    assert_eq!(text(plus_one), "2.1");
    let product = (&a * &b).unwrap();
    assert_eq!(text(product), "2.42");
    let quotient = (&b / &a).unwrap();
    assert_eq!(text(quotient), "2");
    // Comparisons are methods returning `bool` (typeshed says so).
    let less: bool = a.lt(&b).unwrap();
    assert!(less);
    assert!(!a.ge(&b).unwrap());
    assert!(b.gt(2).unwrap());
    let abs = (-&a).unwrap().abs().unwrap();
    assert_eq!(text(abs), "1.1");
    // Python's errors stay errors: a Decimal is not raised to a float power.
    let err = a.pow(0.5).unwrap_err();
    assert!(
        err.is_python(snakebridge::ExceptionKind::TypeError),
        "{err:?}"
    );
}
