//! Rust closures as Python callables ([`PyFn`]), on both clients: real packages (scipy, `re`,
//! `sorted`) calling Rust, nesting, failures, lifetimes and threads. Each behaviour is a
//! `fn(&Ctx)`; `callbacks!` makes an `embedded::name` and a `pool::name` test of it. The Python
//! side is `tests/python/snakebridge_callbacks.py`.

#![cfg(feature = "embedded")]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use snakebridge_runtime::{
    AnyArgs, Call, ExceptionKind, PoolClient, PyFn, PyRef, Result, Value, call, iterate,
    with_client,
};

enum Client {
    Embedded,
    Pool(#[allow(dead_code)] Arc<PoolClient>),
}

struct Ctx {
    client: Client,
}

const HELPERS: &str = "snakebridge_callbacks";

fn shared_pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| support::pool(2)).clone()
}

fn run_embedded(test: fn(&Ctx)) {
    let ctx = Ctx {
        client: Client::Embedded,
    };
    with_client(support::embedded(), || test(&ctx));
}

#[allow(dead_code)]
fn run_pool(test: fn(&Ctx)) {
    let pool = shared_pool();
    let ctx = Ctx {
        client: Client::Pool(pool.clone()),
    };
    with_client(pool, || test(&ctx));
}

macro_rules! callbacks {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[test] fn $name() { super::run_embedded(super::$name) })*
        }
    };
}

callbacks!(
    scipy_minimize_finds_the_rosenbrock_minimum_with_a_rust_gradient,
    scipy_quad_integrates_a_rust_closure,
    sorted_takes_a_rust_key,
    re_sub_takes_a_rust_replacement,
    callbacks_nest_through_python_three_deep,
    a_panic_is_a_python_exception_and_the_process_goes_on,
    an_err_raises_the_original_python_exception_or_a_runtime_error,
    a_callback_kept_past_its_call_raises_when_called,
    a_python_thread_can_call_a_callback,
    wrong_arguments_are_type_errors,
    an_fn_mut_runs_once_at_a_time,
    a_stream_keeps_its_callbacks_until_it_ends,
);

/// The Rosenbrock function and its gradient, minimised by BFGS from the classic start.
fn scipy_minimize_finds_the_rosenbrock_minimum_with_a_rust_gradient(_: &Ctx) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let rosenbrock = PyFn::new(move |x: Vec<f64>| -> Result<f64> {
        counted.fetch_add(1, Ordering::Relaxed);
        Ok((1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2))
    });
    let gradient = PyFn::new(|x: Vec<f64>| -> Result<Vec<f64>> {
        Ok(vec![
            -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
            200.0 * (x[1] - x[0] * x[0]),
        ])
    });
    let result: PyRef = Call::function("scipy.optimize", "minimize", (rosenbrock, vec![-1.2, 1.0]))
        .kwarg("jac", gradient)
        .kwarg("method", "BFGS")
        .call()
        .unwrap();
    assert!(result.getattr::<bool>("success").unwrap());
    let x: Vec<f64> = result.getattr("x").unwrap();
    assert!(
        (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4,
        "{x:?}"
    );
    // scipy evaluated the Rust function (and counted its evaluations as we did).
    let evaluations: usize = result.getattr("nfev").unwrap();
    assert_eq!(evaluations, calls.load(Ordering::Relaxed));
    assert!(evaluations > 10, "{evaluations}");
}

fn scipy_quad_integrates_a_rust_closure(_: &Ctx) {
    let square = PyFn::new(|x: f64| -> Result<f64> { Ok(x * x) });
    let (area, error): (f64, f64) = call("scipy.integrate", "quad", (square, 0.0, 3.0)).unwrap();
    assert!((area - 9.0).abs() < 1e-9, "{area}");
    assert!(error < 1e-9, "{error}");
}

fn sorted_takes_a_rust_key(_: &Ctx) {
    // By length, then reversed alphabetically: not an order Python would find alone.
    let key = PyFn::new(|word: String| -> Result<(usize, Vec<i64>)> {
        Ok((word.len(), word.chars().map(|c| -(c as i64)).collect()))
    });
    let sorted: Vec<String> = Call::function(
        "builtins",
        "sorted",
        (vec!["pear", "fig", "apple", "kiwi", "date"],),
    )
    .kwarg("key", key)
    .call()
    .unwrap();
    assert_eq!(sorted, ["fig", "pear", "kiwi", "date", "apple"]);
}

fn re_sub_takes_a_rust_replacement(_: &Ctx) {
    // The match object stays in Python (a ref); the closure asks it for its text.
    let double = PyFn::new(|m: PyRef| -> Result<String> {
        let digits: String = m.call_method("group", (0,))?;
        Ok((digits.parse::<i64>().unwrap() * 2).to_string())
    });
    let text: String = call("re", "sub", (r"\d+", double, "3 apples and 12 pears")).unwrap();
    assert_eq!(text, "6 apples and 24 pears");
}

/// Rust → Python → Rust (outer) → Python → Rust (inner): each closure calls back into Python.
fn callbacks_nest_through_python_three_deep(_: &Ctx) {
    let inner = PyFn::new(|x: i64| -> Result<i64> { Ok(x * 10) });
    let outer = PyFn::new(move |x: i64| -> Result<i64> {
        let deeper: i64 = call(HELPERS, "apply", (&inner, x + 1))?;
        Ok(deeper + 1)
    });
    let result: i64 = call(HELPERS, "apply", (outer, 4)).unwrap();
    assert_eq!(result, 51);
    // Recursion through Python: factorial by a closure that calls itself via Python.
    let slot: Arc<OnceLock<PyFn>> = Arc::default();
    let me = slot.clone();
    let factorial = PyFn::new(move |n: i64| -> Result<i64> {
        if n <= 1 {
            return Ok(1);
        }
        let rest: i64 = call(HELPERS, "apply", (me.get().unwrap(), n - 1))?;
        Ok(n * rest)
    });
    let _ = slot.set(factorial.clone());
    assert_eq!(
        call::<i64>(HELPERS, "apply", (&factorial, 10)).unwrap(),
        3628800
    );
}

fn a_panic_is_a_python_exception_and_the_process_goes_on(_: &Ctx) {
    let boom = PyFn::new(|x: i64| -> Result<i64> {
        if x == 3 {
            panic!("three is not allowed");
        }
        Ok(x)
    });
    // Python catches it as an exception in its own frame...
    let caught: (String, String) = call(HELPERS, "catch", (&boom, 3)).unwrap();
    assert_eq!(caught.0, "RuntimeError");
    assert!(
        caught.1.contains("panicked: three is not allowed"),
        "{caught:?}"
    );
    // ... or lets it propagate to the Rust caller as a Python error.
    let err = call::<i64>(HELPERS, "apply", (&boom, 3)).unwrap_err();
    assert!(err.is_python(ExceptionKind::RuntimeError), "{err:?}");
    assert!(err.to_string().contains("three is not allowed"), "{err}");
    // The callback, the client and the process go on.
    assert_eq!(call::<i64>(HELPERS, "apply", (&boom, 4)).unwrap(), 4);
}

fn an_err_raises_the_original_python_exception_or_a_runtime_error(_: &Ctx) {
    // The error came from Python (a KeyError of a lookup the closure made): Python code
    // catches it as a KeyError, with its key.
    let lookup = PyFn::new(|key: String| -> Result<i64> {
        call("operator", "getitem", (Value::Dict(vec![]), key))
    });
    let caught: (String, String) = call(HELPERS, "catch", (&lookup, "missing")).unwrap();
    assert_eq!(caught, ("KeyError".to_owned(), "missing".to_owned()));
    // Uncaught, it reaches Rust as the KeyError it is.
    let err = call::<i64>(HELPERS, "apply", (&lookup, "absent")).unwrap_err();
    assert!(err.is_python(ExceptionKind::KeyError), "{err:?}");
    // An error of Rust's own: a RuntimeError with its message.
    let refuse = PyFn::new(|_: Value| -> Result<()> {
        Err(snakebridge_runtime::from_value::<i64>(Value::Str("x".into())).unwrap_err())
    });
    let caught: (String, String) = call(HELPERS, "catch", (refuse, 1)).unwrap();
    assert_eq!(caught.0, "RuntimeError");
    assert!(caught.1.contains("cannot decode"), "{caught:?}");
}

fn a_callback_kept_past_its_call_raises_when_called(_: &Ctx) {
    let f = PyFn::new(|x: i64| -> Result<i64> { Ok(x + 1) });
    let () = call(HELPERS, "keep", (&f,)).unwrap();
    let (class, message): (String, String) = call(HELPERS, "call_kept", (1,)).unwrap();
    assert_eq!(class, "RuntimeError");
    assert!(
        message.contains("called after the call it was passed to had returned"),
        "{message}"
    );
    // The PyFn itself is still good for new calls.
    assert_eq!(call::<i64>(HELPERS, "apply", (&f, 1)).unwrap(), 2);
}

fn a_python_thread_can_call_a_callback(_: &Ctx) {
    let twice = PyFn::new(|x: i64| -> Result<i64> {
        // It may call Python from there too.
        let root: f64 = call("math", "sqrt", (x * x,))?;
        Ok(2 * root as i64)
    });
    let (value, thread): (i64, String) = call(HELPERS, "in_thread", (twice, 21)).unwrap();
    assert_eq!((value, thread.as_str()), (42, "callback-thread"));
}

fn wrong_arguments_are_type_errors(_: &Ctx) {
    let square = PyFn::new(|x: f64| -> Result<f64> { Ok(x * x) });
    let (class, message): (String, String) = call(HELPERS, "catch", (&square, 1, 2)).unwrap();
    assert_eq!(class, "TypeError");
    assert!(
        message.contains("takes 1 positional argument but 2"),
        "{message}"
    );
    let (class, message): (String, String) = call(HELPERS, "catch", (&square, "x")).unwrap();
    assert_eq!(class, "TypeError");
    assert!(message.contains("argument 1"), "{message}");
    // A closure over AnyArgs takes whatever comes.
    let count = PyFn::new(|args: AnyArgs| -> Result<usize> { Ok(args.args.len()) });
    assert_eq!(
        call::<usize>(HELPERS, "apply", (count, 1, "two", 3.0)).unwrap(),
        3
    );
}

fn an_fn_mut_runs_once_at_a_time(_: &Ctx) {
    let mut total = 0;
    let add = PyFn::new_mut(move |x: i64| -> Result<i64> {
        total += x;
        Ok(total)
    });
    // 0 + 1 + 2 + 3 over one call, then 6 + 10 in the next: the state is the closure's.
    assert_eq!(call::<i64>(HELPERS, "apply_n", (&add, 4)).unwrap(), 6);
    assert_eq!(call::<i64>(HELPERS, "apply", (&add, 10)).unwrap(), 16);
    // Re-entered through Python while it runs: a RuntimeError, not a deadlock.
    let slot: Arc<OnceLock<PyFn>> = Arc::default();
    let me = slot.clone();
    let reenter = PyFn::new_mut(move |x: i64| -> Result<Value> {
        if x == 0 {
            return call(HELPERS, "catch", (me.get().unwrap(), 1));
        }
        Ok(Value::Int(x))
    });
    let _ = slot.set(reenter.clone());
    let (class, message): (String, String) = call(HELPERS, "apply", (&reenter, 0)).unwrap();
    assert_eq!(class, "RuntimeError");
    assert!(message.contains("already running"), "{message}");
}

fn a_stream_keeps_its_callbacks_until_it_ends(_: &Ctx) {
    // `map` calls the closure while Rust iterates, after the call that made the map returned.
    let square = PyFn::new(|x: i64| -> Result<i64> { Ok(x * x) });
    let squares: Vec<i64> = Call::<Value>::function("builtins", "map", (square, vec![1, 2, 3]))
        .stream::<i64>()
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(squares, [1, 4, 9]);
    // A map made by a plain call is iterated after that call ended: a clear error.
    let cube = PyFn::new(|x: i64| -> Result<i64> { Ok(x * x * x) });
    let lazy: PyRef = call("builtins", "map", (cube, vec![1, 2])).unwrap();
    let err = iterate::<i64>(&lazy)
        .unwrap()
        .collect::<Result<Vec<_>>>()
        .unwrap_err();
    assert!(err.is_python(ExceptionKind::RuntimeError), "{err:?}");
    assert!(err.to_string().contains("after the call"), "{err}");
}
