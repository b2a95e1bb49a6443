//! The macro<->runtime contract, end to end: Python parameters named like the methods a
//! builder gets from the runtime (`call`, `call_as`, `session`, `timeout`, `args`, `kwarg`, the
//! list of `snakebridge::client::contract::builder`) bind with a trailing `_` and reach Python
//! under their own names, while the builder's own methods keep working beside them.

mod common;

use snakebridge::python_module;

#[python_module("snakebridge_testmod", include = ["reserved_names", "variadic_reserved"])]
mod t {}

#[test]
fn parameters_named_like_builder_methods_bind_and_are_callable() {
    common::add_test_modules();
    let echoed: String = t::reserved_names(1)
        .call_as_(2)
        .args(3)
        .call_(4)
        .session_(5)
        .timeout_(6)
        .timeout(std::time::Duration::from_secs(30))
        .call()
        .unwrap();
    assert_eq!(echoed, "[1, 2, 3, 4, 5, 6]");
    // The builder's own `call_as` beside the parameter's `call_as_`.
    let as_value: snakebridge::Value = t::reserved_names(7).call_as_(8).call_as().unwrap();
    assert_eq!(
        as_value,
        snakebridge::Value::Str("[7, 8, 0, 0, 0, 0]".into())
    );
}

#[test]
fn variadic_builders_keep_args_and_kwarg_beside_a_parameter_named_kwarg() {
    common::add_test_modules();
    let echoed: String = t::variadic_reserved()
        .args([1, 2])
        .kwarg_(3)
        .kwarg("extra", 4)
        .call()
        .unwrap();
    assert_eq!(echoed, "[[1, 2], 3, [('extra', 4)]]");
}
