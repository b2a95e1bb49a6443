//! The unit tests of `PyFn`: arity, conversions, failures, `FnMut`, without Python.

use super::*;

fn args(values: Vec<Value>) -> AnyArgs {
    AnyArgs::positional(values)
}

fn invoke(f: &PyFn, a: AnyArgs) -> std::result::Result<Value, Raise> {
    let mut positional = a.args;
    f.invoke(&mut positional, a.kwargs)
}

#[test]
fn typed_closures_infer_their_arity_and_convert_their_arguments() {
    let product = PyFn::new(|a: f64, b: f64| -> Result<f64> { Ok(a * b) });
    assert_eq!(product.arity(), Some(2));
    assert_eq!(
        product.policies(),
        [ReturnPolicy::Value, ReturnPolicy::Value]
    );
    assert_eq!(
        product
            .call(args(vec![Value::Float(2.0), Value::Int(3)]))
            .unwrap(),
        Value::Float(6.0)
    );
    let none = PyFn::new(|| -> Result<i64> { Ok(7) });
    assert_eq!(none.call(args(vec![])).unwrap(), Value::Int(7));
}

#[test]
fn wrong_arguments_are_type_errors() {
    let square = PyFn::new(|x: f64| -> Result<f64> { Ok(x * x) });
    let arity = invoke(&square, args(vec![])).unwrap_err();
    assert!(
        matches!(&arity, Raise::TypeError(m) if m.contains("takes 1 positional argument but 0")),
        "{arity:?}"
    );
    let typed = invoke(&square, args(vec![Value::Str("x".into())])).unwrap_err();
    assert!(
        matches!(&typed, Raise::TypeError(m) if m.starts_with("argument 1")),
        "{typed:?}"
    );
    let keywords = invoke(
        &square,
        AnyArgs {
            args: vec![Value::Float(1.0)],
            kwargs: vec![("x".into(), Value::Float(1.0))],
        },
    )
    .unwrap_err();
    assert!(matches!(keywords, Raise::TypeError(_)));
}

#[test]
fn any_args_closures_see_every_argument() {
    let count = PyFn::new(|a: AnyArgs| -> Result<usize> { Ok(a.args.len() + a.kwargs.len()) });
    assert_eq!(count.arity(), None);
    let all = AnyArgs {
        args: vec![Value::None, Value::None],
        kwargs: vec![("k".into(), Value::None)],
    };
    assert_eq!(count.call(all).unwrap(), Value::Int(3));
}

#[test]
fn a_panic_is_a_runtime_error_and_the_callback_stays_usable() {
    let f = PyFn::new(|x: i64| -> Result<i64> {
        if x < 0 {
            panic!("negative {x}");
        }
        Ok(x)
    });
    let err = invoke(&f, args(vec![Value::Int(-1)])).unwrap_err();
    assert!(
        matches!(&err, Raise::RuntimeError(m) if m.contains("panicked: negative -1")),
        "{err:?}"
    );
    assert_eq!(f.call(args(vec![Value::Int(2)])).unwrap(), Value::Int(2));
}

#[test]
fn an_fn_mut_keeps_its_state_and_refuses_re_entry() {
    let mut total = 0;
    let add = PyFn::new_mut(move |x: i64| -> Result<i64> {
        total += x;
        Ok(total)
    });
    add.call(args(vec![Value::Int(2)])).unwrap();
    assert_eq!(add.call(args(vec![Value::Int(3)])).unwrap(), Value::Int(5));

    // Re-entry: the closure calls itself (as Python code it calls would).
    let slot: Arc<Mutex<Option<PyFn>>> = Arc::default();
    let inner = slot.clone();
    let reenter = PyFn::new_mut(move |depth: i64| -> Result<Value> {
        let me = inner.lock().unwrap().clone().unwrap();
        if depth == 0 {
            return me.call(args(vec![Value::Int(1)]));
        }
        Ok(Value::Int(depth))
    });
    *slot.lock().unwrap() = Some(reenter.clone());
    let err = reenter.call(args(vec![Value::Int(0)])).unwrap_err();
    assert!(
        matches!(&err, Error::Callback { message } if message.contains("already running")),
        "{err:?}"
    );
    slot.lock().unwrap().take();
}

#[test]
fn an_err_is_kept_as_the_error() {
    let f = PyFn::new(|_: Value| -> Result<()> { Err(Error::config("nope")) });
    assert!(matches!(
        invoke(&f, args(vec![Value::None])),
        Err(Raise::Error(Error::Config { .. }))
    ));
}
