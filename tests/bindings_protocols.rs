//! Python protocols as Rust idioms, against real packages: operators (`std::ops` on the class
//! structs, `pow` and comparisons as methods), typed by the stubs where they say.

mod common;

use snakebridge::{ExceptionKind, FromValue, Value, python_module};

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

#[test]
fn display_is_str_and_debug_is_repr() {
    let a = decimal::Decimal::new().value("1.10").call().unwrap();
    assert_eq!(format!("{a}"), "1.10");
    assert_eq!(format!("{a:?}"), "Decimal('1.10')");
    // In a container, as `assert_eq!` and `dbg!` print it.
    assert_eq!(format!("{:?}", vec![a.clone()]), "[Decimal('1.10')]");
    // The alternate form prints the handle and calls no Python.
    let handle = format!("{a:#?}");
    assert!(
        handle.starts_with("decimal.Decimal(<ref #") && handle.ends_with(" decimal.Decimal>)"),
        "{handle}"
    );
}

#[python_module("collections", include = ["OrderedDict"])]
mod collections {}

#[python_module("itertools", include = ["combinations"])]
mod itertools {}

#[python_module("tempfile", include = ["TemporaryDirectory"])]
mod tempfile {}

#[python_module("json", include = ["loads", "JSONDecodeError"])]
mod json {}

#[python_module("numpy", include = ["array", "ndarray"])]
mod np {}

#[test]
fn containers_have_len_contains_and_item_access() {
    // OrderedDict's `__len__`, `__contains__`, `__getitem__`, ... come from `dict` (a builtin
    // base, typed by typeshed's builtins).
    let d = collections::OrderedDict::new().call().unwrap();
    d.set_item("a", 1).call().unwrap();
    d.set_item("b", 2).call().unwrap();
    assert_eq!(d.len().call().unwrap(), 2);
    assert!(d.contains("a").call().unwrap());
    assert!(!d.contains("z").call().unwrap());
    assert_eq!(d.get_item("b").call().unwrap(), Value::Int(2));
    d.del_item("a").call().unwrap();
    assert_eq!(d.len().call().unwrap(), 1);
    let missing = d.get_item("a").call().unwrap_err();
    assert!(missing.is_python(ExceptionKind::KeyError), "{missing:?}");
    // A numpy array: typed by numpy's stubs.
    let a: np::ndarray = np::array(vec![0, 1, 2, 3, 4]).call().unwrap();
    assert_eq!(a.len().call().unwrap(), 5);
    assert!(a.contains(3).call().unwrap());
    let third: i64 = a.get_item(2).call_as().unwrap();
    assert_eq!(third, 2);
}

#[test]
fn iterators_are_rust_iterators() {
    let pairs = itertools::combinations::new("abc", 2).call().unwrap();
    let mut seen = Vec::new();
    for pair in &pairs {
        let (a, b): (String, String) = snakebridge::FromValue::from_value(pair.unwrap()).unwrap();
        seen.push(format!("{a}{b}"));
    }
    assert_eq!(seen, ["ab", "ac", "bc"]);
    // Exhausted, like the Python iterator.
    assert_eq!((&pairs).into_iter().count(), 0);
}

#[test]
fn iteration_is_typed_where_the_stubs_leave_items_open() -> snakebridge::Result<()> {
    // typeshed's `combinations[_T_co]` leaves the item generic: `iter_as` names it.
    let mut seen = Vec::new();
    for pair in itertools::combinations::new("abc", 2)
        .call()?
        .iter_as::<(String, String)>()?
    {
        let (a, b) = pair?;
        seen.push(format!("{a}{b}"));
    }
    assert_eq!(seen, ["ab", "ac", "bc"]);
    // An item that does not convert is an error item (the items after it still come).
    let mut wrong = itertools::combinations::new([1, 2, 3], 2)
        .call()?
        .iter_as::<(String, String)>()?;
    let err = wrong.next().unwrap().unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("String") && message.contains("int 1"),
        "{message}"
    );
    // (1, 3) and (2, 3) still come, as errors too, then the end.
    assert_eq!(
        wrong.map(|item| item.is_err()).collect::<Vec<_>>(),
        [true, true]
    );
    Ok(())
}

#[python_module("snakebridge_testmod", include = ["Recorder"])]
mod testmod {}

#[test]
fn a_context_manager_always_runs_exit() {
    let exists = |path: &str| std::path::Path::new(path).exists();
    // The scope ends well: the directory existed inside and is gone after.
    let tmp = tempfile::TemporaryDirectory::new().call().unwrap();
    let path = tmp
        .with(|dir| {
            let dir = String::from_value(dir)?;
            assert!(exists(&dir));
            Ok(dir)
        })
        .unwrap()
        .expect("TemporaryDirectory suppresses nothing");
    assert!(!exists(&path));

    // The body fails with a Python error: `__exit__` gets that exception, the error comes back.
    let tmp = tempfile::TemporaryDirectory::new().call().unwrap();
    let seen = std::cell::RefCell::new(String::new());
    let err = tmp
        .with(|dir| -> snakebridge::Result<()> {
            *seen.borrow_mut() = String::from_value(dir)?;
            let _: Value = snakebridge::call("os", "listdir", ("/does/not/exist",))?;
            Ok(())
        })
        .unwrap_err();
    assert!(err.is_python(ExceptionKind::FileNotFoundError), "{err:?}");
    assert!(!exists(&seen.borrow()));
}

/// What the generated `with` hands `__exit__`, seen by `snakebridge_testmod.Recorder` (it
/// records the arguments of each `__exit__` call and suppresses when made with `suppress`).
#[test]
fn the_generated_with_hands_exit_what_python_would() {
    common::add_test_modules();
    let missing_key =
        || snakebridge::call::<i64>("operator", "getitem", (Value::Dict(vec![]), "k"));
    // `(None, None, None)` or `(type(e), e, e.__traceback__)`, as Python's `with` passes them.
    let consistent = |r: &testmod::Recorder| r.exit_consistent().call().unwrap();

    // Success: `__exit__(None, None, None)` once, the body gets `__enter__`'s str.
    let r = testmod::Recorder::new().call().unwrap();
    let got = r.with(|entered: String| Ok(entered.len())).unwrap();
    assert_eq!(got, Some("entered".len()));
    assert_eq!(r.exit_count().call().unwrap(), 1);
    assert_eq!(r.exit_type().call().unwrap(), "None");
    assert!(consistent(&r));

    // A Python error: the very exception object the error holds; not suppressed.
    let r = testmod::Recorder::new().call().unwrap();
    let err = r.with(|_| missing_key()).unwrap_err();
    let snakebridge::Error::Python(p) = &err else {
        panic!("{err:?}")
    };
    let seen = r.exit_value().call().unwrap();
    let same: bool =
        snakebridge::call("operator", "is_", (seen, p.exception.as_ref().unwrap())).unwrap();
    assert!(
        same,
        "__exit__ got another object than the error's exception"
    );
    assert_eq!(r.exit_type().call().unwrap(), "KeyError");
    assert!(consistent(&r));

    // Suppressed by `__exit__`: `Ok(None)`.
    let r = testmod::Recorder::new().suppress(true).call().unwrap();
    assert_eq!(r.with(|_| missing_key()).unwrap(), None);
    assert_eq!(r.exit_type().call().unwrap(), "KeyError");

    // A panic: a RuntimeError carrying the panic's message, then the panic goes on.
    let r = testmod::Recorder::new().call().unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = r.with(|_| -> snakebridge::Result<()> { panic!("boom in the body") });
    }));
    assert!(panicked.is_err());
    assert_eq!(r.exit_count().call().unwrap(), 1);
    assert_eq!(r.exit_type().call().unwrap(), "RuntimeError");
    let message = r.exit_message().call().unwrap();
    assert!(message.contains("boom in the body"), "{message}");
    assert!(consistent(&r));
}

#[test]
fn module_exceptions_are_typed_with_their_attributes() {
    let err = json::loads("{oops").call().unwrap_err();
    let decode = json::JSONDecodeError::from_error(&err).expect("a JSONDecodeError");
    assert_eq!(decode.lineno().unwrap(), 1);
    assert_eq!(decode.colno().unwrap(), 2);
    assert_eq!(decode.pos().unwrap(), 1);
    // Its Python base classes match too.
    assert!(err.is_python(ExceptionKind::ValueError));
    // Another error is not one.
    let other = snakebridge::call::<Value>("builtins", "int", ("x",)).unwrap_err();
    assert!(json::JSONDecodeError::from_error(&other).is_none());
}

#[python_module("os.path", include = ["join"])]
mod os_path {}

#[test]
fn overloads_are_told_apart_by_the_first_arguments_type() {
    // typeshed: `join(a: StrPath, *paths: StrPath) -> str` and
    // `join(a: BytesPath, *paths: BytesPath) -> bytes`.
    let joined: String = os_path::join("usr").args(["lib", "x"]).call().unwrap();
    assert_eq!(joined, "usr/lib/x");
    let owned: String = os_path::join(String::from("a")).args(["b"]).call().unwrap();
    assert_eq!(owned, "a/b");
    let bytes = os_path::join(snakebridge::Bytes(b"a".to_vec()))
        .args([snakebridge::Bytes(b"b".to_vec())])
        .call()
        .unwrap();
    assert_eq!(bytes, snakebridge::Bytes(b"a/b".to_vec()));
    // A dynamic value keeps the dynamic result.
    let dynamic: Value = os_path::join(Value::Str("p".into()))
        .args(["q"])
        .call()
        .unwrap();
    assert_eq!(dynamic, Value::Str("p/q".into()));
}
