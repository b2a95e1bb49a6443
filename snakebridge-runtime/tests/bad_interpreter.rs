//! A `SNAKEBRIDGE_PYTHON` that cannot be used is a configuration error that says what to do,
//! for every call, and nothing panics (its own process: the environment is read once).

#![cfg(feature = "embedded")]

use snakebridge_runtime::{EmbeddedClient, Error, Value, call};

#[test]
fn unusable_interpreter_is_a_clear_config_error() {
    // SAFETY: this test binary has a single test, run before any other thread reads the env.
    unsafe { std::env::set_var("SNAKEBRIDGE_PYTHON", "/nonexistent/bin/python") };
    let err = EmbeddedClient::shared().environment().unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("/nonexistent/bin/python"), "{message}");
    assert!(message.contains("SNAKEBRIDGE_PYTHON"), "{message}");
    // Calls fail the same way, every time.
    for _ in 0..2 {
        let err = call::<Value>("math", "sqrt", (4,)).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
    }
}
