//! Typed Python as application code writes it (issue 33), bound by `#[python_module]` and run
//! through the embedded interpreter and through a pool of workers: `Any` is a `Value` (not a
//! class of the module), an optional class result that is `None` is `None` and one of another
//! type a `Decode` error, `@overload`s of a
//! `.py` function type its results, and a `list[str]` parameter takes `vec!["a", "b"]`.

mod common;

use snakebridge::{Call, Error, PyRef, Value, python_module, with_client};

/// `tests/python/typed_app.py`: imports `Any`, `Optional`, `Union`, `cast`, `overload`.
#[python_module("typed_app")]
pub mod app {}

#[python_module("re", include = ["match", "Match"])]
pub mod re {}

/// Every check, run by the embedded test and by the pool test.
fn suite() {
    any_takes_and_gives_values();
    optional_class_results_decode_none_as_none();
    class_results_of_the_wrong_type_are_decode_errors();
    overloads_type_results_per_argument();
    list_parameters_take_vectors_slices_and_arrays();
}

fn any_takes_and_gives_values() {
    // `list[Any]`: any mix of values.
    let kinds = app::kinds(vec![
        Value::Int(1),
        Value::from("a"),
        Value::None,
        Value::Float(2.5),
    ])
    .call()
    .unwrap();
    assert_eq!(kinds, ["int", "str", "NoneType", "float"]);
    // `(value: Any) -> Any`: an ordinary value in, a `Value` out.
    let echoed: Value = app::echo("text").call().unwrap();
    assert_eq!(echoed, Value::from("text"));
    assert_eq!(app::echo(7).call().unwrap(), Value::Int(7));
    // `Optional[Any]`: `None` and a value.
    assert_eq!(app::maybe().call().unwrap(), Value::None);
    assert_eq!(app::maybe().value(5).call().unwrap(), Value::Int(5));
}

fn optional_class_results_decode_none_as_none() {
    // Twice: the first call resolves the call site, the second takes the embedded fast path.
    for _ in 0..2 {
        let no_match: Option<re::Match> = re::r#match("x", "y").call().unwrap();
        assert!(no_match.is_none(), "re.match without a match is None");
        let found = re::r#match("a", "abc").call().unwrap().expect("a match");
        assert_eq!(found.start().call().unwrap(), 0);
    }
    // The universal builder asks the same way.
    let via_builder: Option<PyRef> = Call::function("re", "match", ("x", "y")).call().unwrap();
    assert!(via_builder.is_none());
    // A generated class in and out: a list of `&Point`, an `Optional[Point]` result.
    let (p1, p2) = (
        app::Point::new(1, 2).call().unwrap(),
        app::Point::new(3, 4).call().unwrap(),
    );
    let found = app::find_point(vec![&p1, &p2], 3).call().unwrap();
    assert_eq!(found.expect("a point at x=3").norm1().call().unwrap(), 7);
    assert!(app::find_point(vec![&p1, &p2], 9).call().unwrap().is_none());
    // A subclass is a fine `Point`, twice (the second time from the known types).
    for _ in 0..2 {
        let p3 = app::point_at(1, -2).z(5).call().unwrap();
        assert_eq!(p3.norm1().call().unwrap(), 3);
    }
}

fn class_results_of_the_wrong_type_are_decode_errors() {
    // Twice: a type found not to be a `Point` is never remembered as one.
    for _ in 0..2 {
        let err = app::fake_point().call().unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("typed_app.Point") && text.contains("`str`"),
            "names both types: {text}"
        );
    }
    // Taken as it is, the same result is fine.
    let text: String = app::fake_point().call_as().unwrap();
    assert_eq!(text, "surely a point");
}

fn overloads_type_results_per_argument() {
    // `@overload def double(value: int) -> int` / `(value: str) -> str`: typed per argument.
    let number: i64 = app::double(21).call().unwrap();
    assert_eq!(number, 42);
    let text: String = app::double("ab").call().unwrap();
    assert_eq!(text, "abab");
}

fn list_parameters_take_vectors_slices_and_arrays() {
    assert_eq!(app::join_words(vec!["a", "b"]).call().unwrap(), "a b");
    let borrowed_array: &[&str; 2] = &["a", "b"];
    assert_eq!(app::join_words(borrowed_array).call().unwrap(), "a b");
    assert_eq!(app::join_words(["a", "b"]).sep("-").call().unwrap(), "a-b");
    let owned = vec![String::from("x"), String::from("y")];
    assert_eq!(app::join_words(&owned).call().unwrap(), "x y");
    assert_eq!(app::join_words(owned).call().unwrap(), "x y");
    let words: &[&str] = &["p", "q"];
    assert_eq!(app::join_words(words).call().unwrap(), "p q");
    assert_eq!(app::total(vec![1, 2, 3]).call().unwrap(), 6);
    assert_eq!(app::total(&[1u8, 2][..]).call().unwrap(), 3);
    let rows = app::lengths(vec![vec!["a"], vec!["b", "c"]])
        .call()
        .unwrap();
    assert_eq!(rows, [1, 2]);
}

#[test]
fn typed_python_through_the_embedded_interpreter() {
    common::add_test_modules();
    suite();
}

#[cfg(unix)]
#[test]
fn typed_python_through_the_pool() {
    use snakebridge::{PoolClient, PoolConfig};
    let pool = PoolClient::start(PoolConfig::new().name("typed-bindings").size(2).env(
        "PYTHONPATH",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python"),
    ))
    .unwrap();
    with_client(pool.clone(), suite);
    pool.shutdown();
}
