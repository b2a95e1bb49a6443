//! Rust closures as Python callables ([`PyFn`]), on both clients: real packages (scipy, `re`,
//! `sorted`) calling Rust, nesting, failures, lifetimes and threads. Each behaviour is a
//! `fn(&Ctx)`; `callbacks!` makes an `embedded::name` and a `pool::name` test of it. The Python
//! side is `tests/python/snakebridge_callbacks.py`.

#![cfg(feature = "embedded")]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use snakebridge_runtime::{
    AnyArgs, Call, Error, ExceptionKind, FromValue, IntoValue, PoolClient, PyFn, PyRef, Result,
    ReturnPolicy, Value, call, iterate, with_client,
};

/// What a behaviour gets (the client is the thread's, set by `run_*`).
struct Ctx;

const HELPERS: &str = "snakebridge_callbacks";

fn shared_pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| support::pool(2)).clone()
}

fn run_embedded(test: fn(&Ctx)) {
    with_client(support::embedded(), || test(&Ctx));
}

fn run_pool(test: fn(&Ctx)) {
    with_client(shared_pool(), || test(&Ctx));
}

macro_rules! callbacks {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[test] fn $name() { super::run_embedded(super::$name) })*
        }
        mod pool {
            $(#[test] fn $name() { super::run_pool(super::$name) })*
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
    python_threads_call_a_callback_at_once,
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
    // The pool is shared with the other tests, running meanwhile: `call_kept` may go to the
    // other worker, which kept nothing (an IndexError of its empty list). Asked again until it
    // reaches the one that kept the callback.
    let (class, message) = (0..1000)
        .map(|_| call::<(String, String)>(HELPERS, "call_kept", (1,)).unwrap())
        .find(|(class, _)| class != "IndexError")
        .expect("a call reaches the worker that kept the callback");
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

/// Five Python threads call one callback at once, each closure call making a call of its own:
/// every answer reaches the thread that waits for it.
fn python_threads_call_a_callback_at_once(_: &Ctx) {
    let double = PyFn::new(|x: i64| -> Result<i64> {
        let same: i64 = call("builtins", "abs", (x,))?;
        Ok(2 * same)
    });
    let (threads, calls) = (4, 40);
    let total: i64 = call(HELPERS, "in_threads", (double, threads, calls)).unwrap();
    let per_thread: i64 = (0..calls).map(|i| 2 * i).sum();
    assert_eq!(total, (threads + 1) * per_thread);
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

/// `T` the general way (through a `Value`, both ways): the same conversions as `T`'s without
/// its scalar fast path (`FromValue::from_scalar`, `IntoValue::as_scalar` keep their defaults).
#[derive(Debug, PartialEq)]
struct General<T>(T);

impl<T: FromValue> FromValue for General<T> {
    const RETURN_POLICY: ReturnPolicy = T::RETURN_POLICY;
    fn from_value(value: Value) -> Result<Self> {
        T::from_value(value).map(General)
    }
}

impl<T: IntoValue> IntoValue for General<T> {
    fn into_value(self) -> Value {
        self.0.into_value()
    }
}

/// The outcomes (results, or exceptions and their messages) of an identity callback over `T`
/// with the scalar fast path and without it, for every sample.
fn fast_and_general<T: FromValue + IntoValue + Send + Sync + 'static>(samples: &PyRef) {
    let fast = PyFn::new(|x: T| -> Result<T> { Ok(x) });
    let general = PyFn::new(|x: General<T>| -> Result<General<T>> { Ok(x) });
    let fast: Vec<Vec<String>> = call(HELPERS, "outcomes", (fast, samples)).unwrap();
    let general: Vec<Vec<String>> = call(HELPERS, "outcomes", (general, samples)).unwrap();
    assert_eq!(fast.len(), general.len());
    for (i, (f, g)) in fast.iter().zip(&general).enumerate() {
        assert_eq!(f, g, "{}: sample {i}", std::any::type_name::<T>());
    }
}

/// A typed callback reads scalar arguments in place and makes a scalar result in place (the
/// embedded client's fast path): the outcome must be the general path's, errors word for
/// word, over random and edge values of every kind, for every type that takes the fast path.
/// (Embedded only: the pool has no such path; `pool_callbacks_convert_scalars_as_embedded_ones_do`
/// holds its callbacks to the embedded client's outcomes.)
#[test]
fn embedded_scalar_fast_path_agrees_with_the_general_conversions() {
    run_embedded(scalar_fast_path_agrees_with_the_general_conversions);
}

fn scalar_fast_path_agrees_with_the_general_conversions(_: &Ctx) {
    let samples: PyRef = call(HELPERS, "scalar_samples", (24, 300)).unwrap();
    fast_and_general::<i64>(&samples);
    fast_and_general::<i32>(&samples);
    fast_and_general::<u8>(&samples);
    fast_and_general::<u64>(&samples);
    fast_and_general::<i128>(&samples);
    fast_and_general::<f64>(&samples);
    fast_and_general::<f32>(&samples);
    fast_and_general::<bool>(&samples);
    fast_and_general::<String>(&samples);
    fast_and_general::<()>(&samples);
    fast_and_general::<Option<i64>>(&samples);
    fast_and_general::<Option<f64>>(&samples);
    fast_and_general::<Option<bool>>(&samples);
    fast_and_general::<Option<String>>(&samples);
}

// The pool's own: where a callback's calls go, crashes, timeouts, other callers.

/// True once process `pid` has exited (a zombie included: its pipes are closed).
fn exited(pid: u32) -> bool {
    !matches!(support::state(pid), Some(state) if state != 'Z')
}

#[test]
fn pool_a_callbacks_calls_go_to_the_worker_that_called_it() {
    let pool = shared_pool();
    with_client(pool, || {
        for _ in 0..6 {
            // The closure asks which process it reached; the outer call says which one ran it.
            let ask = PyFn::new(|_: i64| -> Result<i64> { call(HELPERS, "pid", ()) });
            let (outer, inner): (i64, i64) = call(HELPERS, "apply_in_worker", (ask, 0)).unwrap();
            assert_eq!(outer, inner, "the callback's call went to another worker");
        }
    });
}

// Mutation: the worker's per-thread views kept in a dict by thread id (`Hub.views`): one
// stays alive for every thread that ever called a callback.
#[test]
fn pool_the_views_of_threads_that_called_a_callback_go_with_their_threads() {
    let pool = shared_pool();
    with_client(pool, || {
        // Each call from the closure runs through the calling thread's view of the worker.
        let echo = PyFn::new(|x: i64| -> Result<i64> { call("builtins", "abs", (x,)) });
        let alive: i64 = call(HELPERS, "thread_views_after", (echo, 20)).unwrap();
        assert!(alive >= 0, "the worker's dispatch module is not loaded");
        assert!(alive <= 1, "{alive} views of ended threads are still alive");
    });
}

#[test]
fn pool_other_callers_are_not_blocked_by_a_callback_in_progress() {
    let pool = shared_pool();
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<f64>();
    let started_tx = std::sync::Mutex::new(started_tx);
    let done_rx = std::sync::Mutex::new(done_rx);
    // The closure holds its call open until another caller's call has finished.
    let wait_for_other = PyFn::new(move |x: i64| -> Result<i64> {
        let _ = started_tx.lock().unwrap().send(());
        let other = done_rx
            .lock()
            .unwrap()
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the other caller's call never finished: it was blocked");
        Ok(x + other as i64)
    });
    let other_pool = pool.clone();
    let other = std::thread::spawn(move || {
        started_rx.recv().unwrap();
        let root: f64 = with_client(other_pool, || call("math", "sqrt", (16,))).unwrap();
        done_tx.send(root).unwrap();
    });
    let got: i64 = with_client(pool, || call(HELPERS, "apply", (wait_for_other, 1))).unwrap();
    other.join().unwrap();
    assert_eq!(got, 5);
}

#[test]
fn pool_a_worker_killed_during_a_callback_is_a_crash_not_a_hang_nor_a_retry() {
    let pool = support::pool(1);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let client = pool.clone();
    let (result, _) = support::within(
        std::time::Duration::from_secs(120),
        "a call whose worker was killed during its callback",
        move || {
            with_client(client, || {
                let kill_my_worker = PyFn::new(move |_: i64| -> Result<i64> {
                    counted.fetch_add(1, Ordering::Relaxed);
                    let pid: u32 = call(HELPERS, "pid", ())?;
                    let killed = std::process::Command::new("kill")
                        .args(["-9", &pid.to_string()])
                        .status()
                        .unwrap();
                    assert!(killed.success());
                    assert!(support::eventually(
                        std::time::Duration::from_secs(30),
                        || exited(pid)
                    ));
                    // A call to the dead worker from inside the callback fails; it does not hang.
                    let after = call::<i64>(HELPERS, "pid", ());
                    assert!(matches!(after, Err(Error::WorkerCrash { .. })), "{after:?}");
                    Ok(1)
                });
                // Idempotent, yet not retried: the callback ran, its effects in Rust are done.
                Call::<i64>::function(HELPERS, "apply", (kill_my_worker, 0))
                    .idempotent(true)
                    .call()
            })
        },
    );
    let err = result.unwrap_err();
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    assert!(err.to_string().contains("SIGKILL"), "{err}");
    assert_eq!(runs.load(Ordering::Relaxed), 1, "the call was retried");
    // The pool replaced the worker and goes on.
    let root: f64 = with_client(pool, || call("math", "sqrt", (9,))).unwrap();
    assert_eq!(root, 3.0);
}

#[test]
fn pool_the_timeout_counts_pythons_time_not_rusts() {
    let pool = support::pool(1);
    with_client(pool, || {
        let slow = PyFn::new(|x: i64| -> Result<i64> {
            std::thread::sleep(std::time::Duration::from_millis(1500));
            Ok(x)
        });
        // Python naps 0.3 s and the closure 1.5 s: within a 1 s timeout, since Rust's time
        // does not count.
        let got: i64 = Call::function(HELPERS, "apply_then_nap", (0.3, &slow, 7))
            .timeout(std::time::Duration::from_secs(1))
            .call()
            .unwrap();
        assert_eq!(got, 7);
        // Python naps 3 s before the callback: past the timeout, whatever Rust does.
        let err = Call::<i64>::function(HELPERS, "nap_then_apply", (3.0, &slow, 7))
            .timeout(std::time::Duration::from_secs(1))
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    });
}

#[test]
fn pool_dropping_a_stream_whose_generator_waits_on_its_callback_leaves_the_worker_serving() {
    let pool = support::pool(1);
    with_client(pool, || {
        let before: u32 = call(HELPERS, "pid", ()).unwrap();
        let square = PyFn::new(|x: i64| -> Result<i64> { Ok(x * x) });
        let mut squares = Call::<Value>::function("builtins", "map", (square, vec![1, 2, 3, 4]))
            .stream::<i64>()
            .unwrap();
        assert_eq!(squares.next().unwrap().unwrap(), 1);
        // The worker pushes ahead: its generator now waits on the callback for the next item,
        // which this side answers only while it iterates. Dropped, the stream answers none.
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(squares);
        // The worker goes on serving, the same process.
        let root: f64 = call("math", "sqrt", (16,)).unwrap();
        assert_eq!(root, 4.0);
        let after: u32 = call(HELPERS, "pid", ()).unwrap();
        assert_eq!(before, after, "the worker died");
    });
}

/// The outcomes of an identity callback over `T` on `client`, for the samples of
/// `scalar_samples` made there.
fn identity_outcomes<T: FromValue + IntoValue + Send + Sync + 'static>(
    client: Arc<dyn snakebridge_runtime::client::RuntimeClient>,
) -> Vec<Vec<String>> {
    with_client(client, || {
        let samples: PyRef = call(HELPERS, "scalar_samples", (24, 300)).unwrap();
        let identity = PyFn::new(|x: T| -> Result<T> { Ok(x) });
        call(HELPERS, "outcomes", (identity, &samples)).unwrap()
    })
}

/// A pool callback takes and gives what an embedded one does: plain scalars travel as binary
/// frames, anything else as JSON, and a str no Rust `String` can hold (a lone surrogate) is a
/// `TypeError` at the callback's call, not the failure of the call that passed it.
#[test]
fn pool_callbacks_convert_scalars_as_embedded_ones_do() {
    fn same<T: FromValue + IntoValue + Send + Sync + 'static>() {
        let embedded = identity_outcomes::<T>(support::embedded());
        let pool = identity_outcomes::<T>(shared_pool());
        // A message names the callback by its repr, each client's own.
        let named = |outcome: &Vec<String>| -> Vec<String> {
            outcome
                .iter()
                .map(|s| s.replace("<snakebridge Rust callback #", "<PyFn #"))
                .collect()
        };
        assert_eq!(embedded.len(), pool.len());
        for (i, (e, p)) in embedded.iter().zip(&pool).enumerate() {
            assert_eq!(
                named(e),
                named(p),
                "{}: sample {i}",
                std::any::type_name::<T>()
            );
        }
    }
    same::<i64>();
    same::<f64>();
    same::<bool>();
    same::<String>();
    same::<Option<i64>>();
    same::<Value>();
}
