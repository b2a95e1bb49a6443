//! One behavioural suite, run against both clients: the embedded interpreter and a pool of
//! worker processes must behave the same for every call a user can make, and so must a pool
//! whose workers are Ray actors (`PoolConfig::ray`, on the one local cluster of this binary).
//!
//! Each behaviour is a `fn(&Ctx)`; `behaviours!` makes an `embedded::name`, a `pool::name` and a
//! `ray::name` test of it. `Ctx::affine` runs code that depends on per-process Python state (module
//! globals) where that state lives: directly for the embedded client, in a session for the pool.

#![cfg(feature = "embedded")]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use snakebridge_runtime::client::{CallOptions, Request, RuntimeClient};
use snakebridge_runtime::{
    Bytes, Call, Error, ExceptionKind, FromValue, MockClient, PoolClient, PyRef, RayConfig,
    ReturnPolicy, Value, call, construct, in_session, iterate, module_attr, with_client,
};

enum Client {
    Embedded,
    Pool(Arc<PoolClient>),
}

struct Ctx {
    client: Client,
}

impl Ctx {
    /// Runs `f` where per-process Python state persists between its calls.
    fn affine<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.client {
            Client::Embedded => f(),
            Client::Pool(pool) => {
                let session = pool.session().expect("a session");
                in_session(&session, f)
            }
        }
    }
}

use support::embedded;

fn shared_pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| support::pool(2)).clone()
}

/// Two workers as Ray actors, each reserving a tenth of a CPU of the local cluster (which has
/// the machine's CPUs), so the binary's tests never wait for room.
fn shared_ray_pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| {
        PoolClient::start(support::config(2).ray(RayConfig::local().num_cpus(0.1)))
            .expect("the Ray pool starts")
    })
    .clone()
}

fn run_embedded(test: fn(&Ctx)) {
    let client = embedded();
    let ctx = Ctx {
        client: Client::Embedded,
    };
    with_client(client, || test(&ctx));
}

fn run_pool(test: fn(&Ctx)) {
    run_on(shared_pool(), test)
}

fn run_ray(test: fn(&Ctx)) {
    run_on(shared_ray_pool(), test)
}

fn run_on(pool: Arc<PoolClient>, test: fn(&Ctx)) {
    let ctx = Ctx {
        client: Client::Pool(pool.clone()),
    };
    with_client(pool, || test(&ctx));
}

macro_rules! behaviours {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[test] fn $name() { super::run_embedded(super::$name) })*
        }
        mod pool {
            $(#[test] fn $name() { super::run_pool(super::$name) })*
        }
        mod ray {
            $(#[test] fn $name() { super::run_ray(super::$name) })*
        }
    };
}

behaviours!(
    functions_with_positional_and_keyword_arguments,
    objects_come_back_as_refs_with_attributes_and_methods,
    bytes_cross_unchanged,
    python_exceptions_are_matchable_with_traceback_and_context,
    exception_kinds_follow_the_mro,
    base_exceptions_are_reported_not_fatal,
    wire_values_round_trip_unchanged,
    numpy_arrays_are_refs_and_numpy_scalars_are_data,
    collections_and_maps_convert_both_ways,
    return_policy_can_force_a_ref_or_a_value,
    module_constants_and_attribute_setting,
    class_methods_and_iterating_refs,
    decode_mismatch_is_an_error_with_the_python_type,
    a_str_python_cannot_encode_names_its_position_in_the_value,
    a_ref_where_data_was_asked_for_says_how_to_get_the_data,
    rust_data_converts_from_numpy_and_pandas_results,
    maps_convert_from_objects_that_hold_keyed_data,
    python_errors_keep_the_exception_object_and_its_mro,
    truth_and_hash_are_pythons,
    context_managers_exit_with_the_bodys_exception,
    unencodable_values_are_encode_errors,
    foreign_refs_are_stale,
    dropping_the_last_handle_releases_the_python_object,
    many_create_drop_cycles_leave_nothing_behind,
    many_threads_call_concurrently,
    streams_iterate_python_iterators_lazily,
    dropping_a_stream_early_runs_the_generators_finally,
    printing_does_not_corrupt_anything,
);

fn functions_with_positional_and_keyword_arguments(_: &Ctx) {
    let root: f64 = call("math", "sqrt", (16,)).unwrap();
    assert_eq!(root, 4.0);
    let rounded: f64 = Call::function("builtins", "round", (1.23456,))
        .kwarg("ndigits", 2)
        .call()
        .unwrap();
    assert_eq!(rounded, 1.23);
    let joined: String = call("os.path", "join", ("/tmp", "file")).unwrap();
    assert_eq!(joined, "/tmp/file");
    let sorted: Vec<i64> = Call::function("builtins", "sorted", (vec![3, 1, 2],))
        .kwarg("reverse", true)
        .call()
        .unwrap();
    assert_eq!(sorted, [3, 2, 1]);
}

fn objects_come_back_as_refs_with_attributes_and_methods(_: &Ctx) {
    let path: PyRef = call("pathlib", "Path", ("/tmp/test.txt",)).unwrap();
    assert_eq!(path.type_name(), "pathlib.PosixPath");
    assert_eq!(path.getattr::<String>("name").unwrap(), "test.txt");
    assert_eq!(path.getattr::<String>("suffix").unwrap(), ".txt");
    let csv: PyRef = path.call_method("with_suffix", (".csv",)).unwrap();
    assert_eq!(csv.str().unwrap(), "/tmp/test.csv");
    assert_eq!(csv.repr().unwrap(), "PosixPath('/tmp/test.csv')");
    let auto: Value = call("pathlib", "Path", ("/x",)).unwrap();
    assert!(matches!(auto, Value::Ref(_)), "{auto:?}");
    // A ref passed back as an argument is the object itself.
    let joined: String = call("os.path", "join", (&path, "more")).unwrap();
    assert_eq!(joined, "/tmp/test.txt/more");
}

fn bytes_cross_unchanged(_: &Ctx) {
    let hash: PyRef = call("hashlib", "md5", (Bytes(b"abc".to_vec()),)).unwrap();
    let hex: String = hash.call_method("hexdigest", ()).unwrap();
    assert_eq!(hex, "900150983cd24fb0d6963f7d28e17f72");
    let data = Bytes(vec![0, 1, 2, 128, 255]);
    let encoded: Bytes = call("base64", "b64encode", (data.clone(),)).unwrap();
    assert_eq!(encoded.0, b"AAECgP8=");
    let decoded: Bytes = call("base64", "b64decode", (encoded,)).unwrap();
    assert_eq!(decoded, data);
}

fn python_exceptions_are_matchable_with_traceback_and_context(_: &Ctx) {
    let err = call::<i64>("builtins", "int", ("not-a-number",)).unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
    let Error::Python(e) = &err else {
        panic!("not a Python error: {err:?}")
    };
    assert_eq!(e.class, "ValueError");
    assert!(
        e.message.contains("invalid literal for int()"),
        "{}",
        e.message
    );
    assert!(
        e.traceback.contains("ValueError: invalid literal"),
        "{}",
        e.traceback
    );
    assert_eq!(e.context.python_module, "builtins");
    assert_eq!(e.context.function, "int");
    assert_eq!(e.context.arity, 1);
    let location = e.context.rust_location.as_deref().unwrap();
    assert!(location.contains("behaviour.rs"), "{location}");
    // Raised deep inside Python code: the traceback shows the Python frames, not the worker's.
    let err = call::<Value>("json", "loads", ("{not json",)).unwrap_err();
    let e = err.python().unwrap();
    assert!(
        e.traceback
            .starts_with("Traceback (most recent call last):"),
        "{}",
        e.traceback
    );
    assert!(e.traceback.contains("json/decoder.py"), "{}", e.traceback);
    assert!(
        !e.traceback.contains("snakebridge_worker"),
        "{}",
        e.traceback
    );
    // The runtime keeps working after an exception.
    assert_eq!(call::<i64>("builtins", "int", ("42",)).unwrap(), 42);
}

fn exception_kinds_follow_the_mro(_: &Ctx) {
    let err = call::<Value>("json", "loads", ("{not json",)).unwrap_err();
    let e = err.python().unwrap();
    assert_eq!(e.kind, ExceptionKind::ValueError);
    assert_eq!(e.class, "json.decoder.JSONDecodeError");
    let err = call::<Value>("operator", "getitem", (Value::Dict(vec![]), "k")).unwrap_err();
    assert!(err.is_python(ExceptionKind::KeyError), "{err:?}");
    // is_python honours the hierarchy: a KeyError is a LookupError, not an IndexError.
    assert!(err.is_python(ExceptionKind::LookupError), "{err:?}");
    assert!(!err.is_python(ExceptionKind::IndexError), "{err:?}");
    let err = call::<Value>("no_such_module_xyz", "f", ()).unwrap_err();
    assert!(err.is_python(ExceptionKind::ModuleNotFoundError), "{err:?}");
    assert!(err.is_python(ExceptionKind::ImportError), "{err:?}");
    assert!(err.to_string().contains("no_such_module_xyz"), "{err}");
    let err = call::<Value>("os", "stat", ("/no/such/path/xyz",)).unwrap_err();
    assert_eq!(err.python().unwrap().kind, ExceptionKind::FileNotFoundError);
    assert!(err.is_python(ExceptionKind::OSError), "{err:?}");
    assert!(!err.is_python(ExceptionKind::PermissionError), "{err:?}");
    let err = call::<Value>("math", "no_such_function", ()).unwrap_err();
    assert!(err.is_python(ExceptionKind::AttributeError), "{err:?}");
    let err = call::<Value>("operator", "truediv", (1, 0)).unwrap_err();
    assert!(err.is_python(ExceptionKind::ZeroDivisionError), "{err:?}");
    assert!(err.is_python(ExceptionKind::ArithmeticError), "{err:?}");
    let err = call::<Value>("decimal", "Decimal", ("x",)).unwrap_err();
    let e = err.python().unwrap();
    assert_eq!(e.kind, ExceptionKind::ArithmeticError, "{e:?}");
    assert_eq!(e.class, "decimal.InvalidOperation");
}

fn base_exceptions_are_reported_not_fatal(_: &Ctx) {
    let err = call::<Value>("sys", "exit", (3,)).unwrap_err();
    assert!(err.is_python(ExceptionKind::SystemExit), "{err:?}");
    assert_eq!(err.python().unwrap().message, "3");
    assert_eq!(call::<i64>("operator", "add", (1, 2)).unwrap(), 3);
}

fn wire_values_round_trip_unchanged(_: &Ctx) {
    let values = [
        Value::Dict(vec![
            (Value::Int(1), Value::Float(f64::NAN)),
            (Value::Int(-7), Value::Float(f64::NEG_INFINITY)),
            (Value::Str("z".into()), Value::Float(-0.0)),
            (
                Value::Tuple(vec![Value::Int(1), Value::Int(2)]),
                Value::Str("tuple key".into()),
            ),
        ]),
        Value::Dict(vec![
            (Value::Str("__type__".into()), Value::Int(1)),
            (Value::Str("plain".into()), Value::List(vec![])),
        ]),
        Value::BigInt("-123456789012345678901234567890".parse().unwrap()),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(1e300),
        // Plain scalar replies (the pool's worker writes these without its JSON encoder).
        Value::Float(-0.0),
        Value::Float(5e-324),
        Value::Float(0.1),
        Value::Float(1e16),
        Value::Float(-1.7976931348623157e308),
        Value::Int(-1),
        Value::Float(f64::INFINITY),
        Value::Str("héllo \u{1F40D} \"quoted\" \\ \n".into()),
        Value::Bytes(vec![0, 159, 146, 150]),
        Value::Tuple(vec![]),
        Value::Set(vec![Value::Int(1)]),
        Value::FrozenSet(vec![Value::Str("a".into())]),
        Value::Complex { re: 1.5, im: -2.0 },
        Value::Complex {
            re: f64::INFINITY,
            im: 0.0,
        },
        "2024-02-29".parse().map(Value::Date).unwrap(),
        "13:45:06.000789".parse().map(Value::Time).unwrap(),
        "23:59:59+05:30".parse().map(Value::Time).unwrap(),
        "2024-02-29T13:45:06.000789"
            .parse()
            .map(Value::DateTime)
            .unwrap(),
        "2024-02-29T13:45:06-08:00"
            .parse()
            .map(Value::DateTime)
            .unwrap(),
        Value::List(vec![
            Value::None,
            Value::Bool(true),
            Value::List(vec![Value::Tuple(vec![Value::Int(1)])]),
        ]),
    ];
    for v in values {
        let back: Value = call("copy", "deepcopy", (v.clone(),)).unwrap();
        assert!(same(&back, &v), "{v:?} came back as {back:?}");
    }
    let big: Value = call("builtins", "pow", (2, 100)).unwrap();
    assert_eq!(
        big,
        Value::BigInt("1267650600228229401496703205376".parse().unwrap())
    );
    let c: Value = call("builtins", "complex", (1.5, -2.0)).unwrap();
    assert_eq!(c, Value::Complex { re: 1.5, im: -2.0 });
    let dt: Value = call("datetime", "datetime", (2024, 2, 29, 13, 45, 6, 789)).unwrap();
    let Value::DateTime(d) = &dt else {
        panic!("{dt:?}")
    };
    assert_eq!(d.to_string(), "2024-02-29T13:45:06.000789");
    let as_object: PyRef = Call::function("copy", "copy", (dt.clone(),))
        .returns(ReturnPolicy::Ref)
        .call()
        .unwrap();
    assert_eq!(as_object.type_name(), "datetime.datetime");
    let iso: String = as_object.call_method("isoformat", ()).unwrap();
    assert_eq!(iso, "2024-02-29T13:45:06.000789");
}

/// Equality where NaN equals NaN and -0.0 differs from 0.0.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::FrozenSet(x), Value::FrozenSet(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        _ => a == b,
    }
}

fn numpy_arrays_are_refs_and_numpy_scalars_are_data(_: &Ctx) {
    let array: PyRef = call("numpy", "array", (vec![1, 2, 3],)).unwrap();
    assert_eq!(array.type_name(), "numpy.ndarray");
    let shape: (i64,) = array.getattr("shape").unwrap();
    assert_eq!(shape, (3,));
    let total: i64 = array.call_method("sum", ()).unwrap();
    assert_eq!(total, 6);
    let mean: Value = array.call_method("mean", ()).unwrap();
    assert_eq!(mean, Value::Float(2.0));
    let norm: f64 = call("numpy.linalg", "norm", (vec![3.0, 4.0],)).unwrap();
    assert_eq!(norm, 5.0);
    let flag: Value = call("numpy", "bool_", (true,)).unwrap();
    assert_eq!(flag, Value::Bool(true));
}

fn collections_and_maps_convert_both_ways(_: &Ctx) {
    let mut m = BTreeMap::new();
    m.insert("b".to_string(), 2i64);
    m.insert("a".to_string(), 1i64);
    let keys: Vec<String> = call("builtins", "sorted", (m.clone(),)).unwrap();
    assert_eq!(keys, ["a", "b"]);
    let back: BTreeMap<String, i64> = call("builtins", "dict", (m.clone(),)).unwrap();
    assert_eq!(back, m);
    let counter: PyRef = construct("collections", "Counter", ("abracadabra",)).unwrap();
    let most: Vec<(String, i64)> = counter.call_method("most_common", (1,)).unwrap();
    assert_eq!(most, [("a".to_string(), 5)]);
}

fn return_policy_can_force_a_ref_or_a_value(_: &Ctx) {
    let as_ref: PyRef = call("builtins", "list", ((1, 2),)).unwrap();
    assert_eq!(as_ref.type_name(), "list");
    let len: i64 = call("builtins", "len", (&as_ref,)).unwrap();
    assert_eq!(len, 2);
    let counter: Value = call("collections", "Counter", ("aab",)).unwrap();
    assert!(matches!(counter, Value::Ref(_)));
    let as_dict: Value = Call::function("collections", "Counter", ("aab",))
        .returns(ReturnPolicy::Value)
        .call()
        .unwrap();
    assert_eq!(
        as_dict,
        Value::Dict(vec![
            (Value::Str("a".into()), Value::Int(2)),
            (Value::Str("b".into()), Value::Int(1)),
        ])
    );
    // An int subclass (an IntEnum member) is a ref by default and an int when asked.
    let member: Value = module_attr("signal", "SIGTERM").unwrap();
    assert!(matches!(member, Value::Ref(_)), "{member:?}");
    let as_int: Value = Call::<Value>::from_request(Request::module_attr("signal", "SIGTERM"))
        .returns(ReturnPolicy::Value)
        .call()
        .unwrap();
    assert_eq!(as_int, Value::Int(15));
    let err = Call::<Value>::function("pathlib", "Path", ("/x",))
        .returns(ReturnPolicy::Value)
        .call()
        .unwrap_err();
    let Error::Decode { what, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(what, "PosixPath");
    assert!(message.contains("not plain data"), "{message}");
}

fn module_constants_and_attribute_setting(_: &Ctx) {
    let pi: f64 = module_attr("math", "pi").unwrap();
    assert_eq!(pi, std::f64::consts::PI);
    let encoder: PyRef = construct("json", "JSONEncoder", ()).unwrap();
    assert_eq!(encoder.getattr::<String>("item_separator").unwrap(), ", ");
    encoder.setattr("item_separator", " ; ").unwrap();
    let text: String = encoder.call_method("encode", (vec![1, 2],)).unwrap();
    assert_eq!(text, "[1 ; 2]");
    let err = encoder.getattr::<Value>("no_such_attribute").unwrap_err();
    assert!(err.is_python(ExceptionKind::AttributeError), "{err:?}");
}

fn class_methods_and_iterating_refs(_: &Ctx) {
    let d: Value = Call::class_method("datetime", "date", "fromisoformat", ("2024-01-02",))
        .call()
        .unwrap();
    assert_eq!(d, "2024-01-02".parse().map(Value::Date).unwrap());
    let list: PyRef = call("builtins", "list", ("abc",)).unwrap();
    let items: Vec<String> = iterate(&list).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(items, ["a", "b", "c"]);
    let not_iterable: PyRef = call("builtins", "object", ()).unwrap();
    let err = iterate::<Value>(&not_iterable).unwrap_err();
    // Both clients look `__iter__` up on the object: the same AttributeError from each.
    assert!(err.is_python(ExceptionKind::AttributeError), "{err:?}");
    let python = err.python().unwrap();
    assert_eq!(python.class, "AttributeError");
    assert!(python.message.contains("'__iter__'"), "{python:?}");
}

fn decode_mismatch_is_an_error_with_the_python_type(_: &Ctx) {
    let err = call::<i64>("os.path", "join", ("a", "b")).unwrap_err();
    let Error::Decode { what, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(what, "i64");
    assert!(message.contains("str"), "{message}");
}

/// A `str` with a lone surrogate has no UTF-8 form: the error names the position in the
/// string (as pyo3 reports it), not in any JSON the pool's reply was written as.
fn a_str_python_cannot_encode_names_its_position_in_the_value(_: &Ctx) {
    let message = |at: usize| {
        format!(
            "UnicodeEncodeError: 'utf-8' codec can't encode character '\\ud800' in position \
             {at}: surrogates not allowed"
        )
    };
    for (source, at) in [
        ("'ab\\ud800c'", 2),
        (
            "['x', {'k': 'a\\ud800'}, 'long enough to move the JSON']",
            1,
        ),
    ] {
        let err = call::<Value>("builtins", "eval", (source, Value::Dict(Vec::new()))).unwrap_err();
        let Error::Decode { what, message: got } = &err else {
            panic!("{source}: {err:?}")
        };
        assert_eq!(what, "str", "{source}");
        assert_eq!(*got, message(at), "{source}");
    }
    // Nothing was lost: the next call works.
    assert_eq!(call::<i64>("builtins", "len", ("abc",)).unwrap(), 3);
}

fn unencodable_values_are_encode_errors(_: &Ctx) {
    let unhashable = Value::Set(vec![Value::List(vec![Value::Int(1)])]);
    let err = call::<Value>("builtins", "len", (unhashable,)).unwrap_err();
    let Error::Encode { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("unhashable"), "{message}");
    // Nothing was lost: the next call works.
    assert_eq!(call::<i64>("builtins", "len", ("abc",)).unwrap(), 3);
}

fn foreign_refs_are_stale(_: &Ctx) {
    let mock = MockClient::new();
    let foreign = mock.make_ref("object");
    let err = call::<Value>("builtins", "repr", (&foreign,)).unwrap_err();
    let Error::StaleRef { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("mock"), "{reason}");
}

fn dropping_the_last_handle_releases_the_python_object(_: &Ctx) {
    let thing: PyRef = construct("snakebridge_testmod", "Thing", ("a",)).unwrap();
    let weak: PyRef = call("weakref", "ref", (&thing,)).unwrap();
    let alive: Value = weak.call_method("__call__", ()).unwrap();
    assert!(matches!(alive, Value::Ref(_)));
    drop(alive);
    let clone = thing.clone();
    drop(thing);
    assert!(matches!(
        weak.call_method::<Value>("__call__", ()).unwrap(),
        Value::Ref(_)
    ));
    drop(clone);
    let dead: Value = weak.call_method("__call__", ()).unwrap();
    assert_eq!(dead, Value::None);
}

fn many_create_drop_cycles_leave_nothing_behind(ctx: &Ctx) {
    ctx.affine(|| {
        for i in 0..10_000 {
            let label = format!("cycles-{i}");
            let thing: PyRef = construct("snakebridge_testmod", "Thing", (label,)).unwrap();
            assert_eq!(thing.handle_count(), 1);
        }
        let left: i64 = call("snakebridge_faults", "count_things", ("cycles-",)).unwrap();
        assert_eq!(left, 0);
    });
}

fn many_threads_call_concurrently(_: &Ctx) {
    let client = snakebridge_runtime::current_client().unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                with_client(client, || {
                    for i in 0..250 {
                        let x = (t * 1000 + i) as f64;
                        let root: f64 = call("math", "sqrt", (x * x,)).unwrap();
                        assert_eq!(root, x);
                    }
                })
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

fn streams_iterate_python_iterators_lazily(_: &Ctx) {
    let items: Vec<i64> = Call::<Value>::function("builtins", "range", (5,))
        .stream()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items, [0, 1, 2, 3, 4]);
    let mut counter = Call::<Value>::function("itertools", "count", (1,))
        .stream::<i64>()
        .unwrap();
    let first: Vec<i64> = counter.by_ref().take(5).map(Result::unwrap).collect();
    let next: Vec<i64> = counter.by_ref().take(5).map(Result::unwrap).collect();
    assert_eq!(first, [1, 2, 3, 4, 5]);
    assert_eq!(next, [6, 7, 8, 9, 10]);
    drop(counter);
    let mut failing = Call::<Value>::function("snakebridge_testmod", "fails_after", (2,))
        .stream::<i64>()
        .unwrap();
    assert_eq!(failing.next().unwrap().unwrap(), 0);
    assert_eq!(failing.next().unwrap().unwrap(), 1);
    let err = failing.next().unwrap().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
    assert!(failing.next().is_none());
    // Not iterable: the error comes when the stream is opened.
    let err = Call::<Value>::function("pathlib", "PurePosixPath", ("/a/b/c",))
        .stream::<Value>()
        .unwrap_err();
    assert!(err.is_python(ExceptionKind::TypeError), "{err:?}");
    // Items that are objects come as refs, usable while the stream is still open.
    let path: PyRef = call("pathlib", "PurePosixPath", ("/a/b/c",)).unwrap();
    let parts: PyRef = path.getattr("parents").unwrap();
    let mut parents = iterate::<PyRef>(&parts).unwrap();
    let first = parents.next().unwrap().unwrap();
    let name: String = first.getattr("name").unwrap();
    assert_eq!(name, "b");
    assert_eq!(parents.count(), 2);
}

fn dropping_a_stream_early_runs_the_generators_finally(ctx: &Ctx) {
    ctx.affine(|| {
        let log: PyRef = module_attr("snakebridge_testmod", "finally_ran").unwrap();
        let before: i64 = call("builtins", "len", (&log,)).unwrap();
        let mut stream = Call::<Value>::function("snakebridge_testmod", "countdown", (10,))
            .stream::<i64>()
            .unwrap();
        assert_eq!(stream.next().unwrap().unwrap(), 10);
        drop(stream);
        let after: i64 = call("builtins", "len", (&log,)).unwrap();
        assert_eq!(after, before + 1);
    });
}

fn printing_does_not_corrupt_anything(_: &Ctx) {
    for _ in 0..3 {
        let loud: String = call("snakebridge_testmod", "shout", ("quiet",)).unwrap();
        assert_eq!(loud, "QUIET");
        let n: i64 = call("snakebridge_faults", "noisy", (5,)).unwrap();
        assert_eq!(n, 5);
    }
}

/// The same calls through both clients give identical results and identical errors (class,
/// kind, message and traceback): the worker adapter keeps the embedded semantics.
#[test]
fn both_clients_give_identical_results_and_errors() {
    let embedded = embedded();
    let pool: Arc<dyn RuntimeClient> = shared_pool();
    let requests: Vec<Request> = vec![
        req("math", "sqrt", [Value::Int(2)]),
        req(
            "json",
            "loads",
            [Value::Str("{\"a\": [1, 2.5, null, true]}".into())],
        ),
        req("json", "loads", [Value::Str("{not json".into())]),
        req("builtins", "divmod", [Value::Int(7), Value::Int(2)]),
        req("operator", "truediv", [Value::Int(1), Value::Int(0)]),
        req("builtins", "int", [Value::Str("nope".into())]),
        req("decimal", "Decimal", [Value::Str("x".into())]),
        req("snakebridge_testmod", "shout", [Value::Str("x".into())]),
        req("no_such_module_xyz", "f", []),
        req("datetime", "timedelta", [Value::Int(1)]),
        req("builtins", "frozenset", [Value::List(vec![Value::Int(1)])]),
    ];
    for request in &requests {
        for returns in [ReturnPolicy::Auto, ReturnPolicy::Value] {
            let options = CallOptions {
                returns,
                ..CallOptions::default()
            };
            let a = embedded.execute(request, &options);
            let b = pool.execute(request, &options);
            match (&a, &b) {
                (Ok(Value::Ref(x)), Ok(Value::Ref(y))) => assert_eq!(x.type_name(), y.type_name()),
                (Ok(x), Ok(y)) => assert!(same(x, y), "{request:?}: {x:?} vs {y:?}"),
                (Err(Error::Python(x)), Err(Error::Python(y))) => {
                    let (mut x, mut y) = (x.clone(), y.clone());
                    // The embedded interpreter's standard library may live elsewhere than the
                    // workers' (another installation of the same version): compare file names.
                    x.traceback = basenames(&x.traceback);
                    y.traceback = basenames(&y.traceback);
                    // Both keep the exception object, each as its own client's ref.
                    let (ex, ey) = (x.exception.take(), y.exception.take());
                    assert_eq!(
                        ex.map(|r| r.type_name().to_owned()),
                        ey.map(|r| r.type_name().to_owned())
                    );
                    assert_eq!(x, y, "{request:?}")
                }
                (
                    Err(Error::Decode {
                        what: w1,
                        message: m1,
                    }),
                    Err(Error::Decode {
                        what: w2,
                        message: m2,
                    }),
                ) => {
                    assert_eq!((w1, m1), (w2, m2), "{request:?}")
                }
                _ => panic!("{request:?} ({returns:?}): embedded {a:?}, pool {b:?}"),
            }
        }
    }
}

fn req<const N: usize>(module: &'static str, function: &'static str, args: [Value; N]) -> Request {
    let mut r = Request::function(module, function);
    r.args.extend(args);
    r
}

/// A traceback with each `File "..."` reduced to the file's name.
fn basenames(traceback: &str) -> String {
    traceback
        .lines()
        .map(|line| match line.strip_prefix("  File \"") {
            Some(rest) => {
                let (path, tail) = rest.split_once('"').unwrap_or((rest, ""));
                let name = path.rsplit('/').next().unwrap_or(path);
                format!("  File \"{name}\"{tail}\n")
            }
            None => format!("{line}\n"),
        })
        .collect()
}

fn a_ref_where_data_was_asked_for_says_how_to_get_the_data(_: &Ctx) {
    // An iterator is not data: asking for a `Vec` of it says how to get at the data.
    let err = call::<Vec<i64>>("builtins", "iter", (vec![1, 2],)).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("list_iterator"), "{msg}");
    assert!(msg.contains("PyRef") && msg.contains("to_array"), "{msg}");
    // The same advice when a dynamic result is converted afterwards.
    let it: Value = call("builtins", "iter", (vec![1, 2],)).unwrap();
    let err = Vec::<i64>::from_value(it).unwrap_err().to_string();
    assert!(err.contains("tolist") && err.contains("to_array"), "{err}");
    // And the advice works.
    let it: PyRef = call("builtins", "iter", (vec![1, 2],)).unwrap();
    let items: Vec<i64> = call("builtins", "list", (it,)).unwrap();
    assert_eq!(items, [1, 2]);
}

fn truth_and_hash_are_pythons(_: &Ctx) {
    let d: PyRef = construct("collections", "OrderedDict", ()).unwrap();
    assert!(
        !d.is_truthy().unwrap(),
        "an empty mapping is false (its __len__)"
    );
    let _: Value = d.call_method("__setitem__", ("k", 1)).unwrap();
    assert!(d.is_truthy().unwrap());
    // A `PyRef` result is asked for as a ref, even for plain data.
    let t: PyRef = call("builtins", "tuple", (vec![1, 2],)).unwrap();
    let expected: i64 = call("builtins", "hash", ((1, 2),)).unwrap();
    assert_eq!(t.py_hash().unwrap(), expected);
    let err = d.py_hash().unwrap_err();
    assert!(err.is_python(ExceptionKind::TypeError), "{err:?}");
}

fn maps_convert_from_objects_that_hold_keyed_data(_: &Ctx) {
    use std::collections::HashMap;
    // A pandas Series: index label → value (numpy scalars become plain values).
    let series: PyRef = Call::class("pandas", "Series", (vec![1.5, 2.5, 4.0],))
        .kwarg("index", vec!["a", "b", "c"])
        .call()
        .unwrap();
    let by_label: HashMap<String, f64> = series.call_method("copy", ()).unwrap();
    let expected: HashMap<String, f64> =
        [("a".into(), 1.5), ("b".into(), 2.5), ("c".into(), 4.0)].into();
    assert_eq!(by_label, expected);
    // The same Series asked for as a Vec is its values, as before.
    let values: Vec<f64> = series.call_method("copy", ()).unwrap();
    assert_eq!(values, [1.5, 2.5, 4.0]);
    // A DataFrame: column → column values (a BTreeMap keeps the columns sorted).
    let columns = BTreeMap::from([("x", vec![1, 2]), ("y", vec![3, 4])]);
    let frame: PyRef = construct("pandas", "DataFrame", (columns,)).unwrap();
    let by_column: BTreeMap<String, Vec<i64>> = frame.call_method("copy", ()).unwrap();
    assert_eq!(
        by_column,
        BTreeMap::from([("x".into(), vec![1, 2]), ("y".into(), vec![3, 4])])
    );
    // `DataFrame.mean()` is a Series indexed by column: a map of column means.
    let means: HashMap<String, f64> = frame.call_method("mean", ()).unwrap();
    assert_eq!(means, HashMap::from([("x".into(), 1.5), ("y".into(), 3.5)]));
    // A numpy structured array: field → column.
    let dtype = Value::List(vec![
        Value::Tuple(vec![Value::from("id"), Value::from("i8")]),
        Value::Tuple(vec![Value::from("score"), Value::from("f8")]),
    ]);
    let records: Value = Value::List(vec![
        Value::Tuple(vec![Value::Int(1), Value::Float(0.5)]),
        Value::Tuple(vec![Value::Int(2), Value::Float(0.25)]),
    ]);
    let table: PyRef = Call::function("numpy", "array", (records,))
        .kwarg("dtype", dtype)
        .call()
        .unwrap();
    let fields: HashMap<String, Vec<f64>> = table.call_method("copy", ()).unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields["id"], [1.0, 2.0]);
    assert_eq!(fields["score"], [0.5, 0.25]);
    // A `collections.abc.Mapping` that is not a dict: a read-only view of one.
    let proxy: PyRef =
        construct("types", "MappingProxyType", (BTreeMap::from([("k", 7)]),)).unwrap();
    let map: HashMap<String, i64> = proxy.call_method("copy", ()).unwrap();
    assert_eq!(map, HashMap::from([("k".into(), 7)]));
    // Labels that repeat would lose values: a decode error that says so, not a smaller map.
    let repeated: PyRef = Call::class("pandas", "Series", (vec![1, 2],))
        .kwarg("index", vec!["a", "a"])
        .call()
        .unwrap();
    let err = repeated
        .call_method::<HashMap<String, i64>>("copy", ())
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("keys repeat"), "{err}");
    // What holds no keys stays a mismatch: a list is not a map.
    let err = call::<HashMap<String, i64>>("builtins", "list", ((1, 2),)).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    // Lists of dicts still convert as data.
    let rows: Vec<HashMap<String, i64>> = frame.call_method("to_dict", ("records",)).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["y"], 4);
}

fn python_errors_keep_the_exception_object_and_its_mro(_: &Ctx) {
    let err = call::<Value>("json", "loads", ("{oops",)).unwrap_err();
    let Error::Python(p) = &err else {
        panic!("{err:?}")
    };
    assert!(p.is_instance_of("json.decoder.JSONDecodeError"));
    assert!(p.is_instance_of("ValueError") && p.is_instance_of("Exception"));
    assert!(!p.is_instance_of("KeyError"));
    let exception = p.exception.as_ref().expect("the exception object");
    let lineno: i64 = exception.getattr("lineno").unwrap();
    assert_eq!(lineno, 1);
}

fn context_managers_exit_with_the_bodys_exception(ctx: &Ctx) {
    use snakebridge_runtime::with_context;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    ctx.affine(|| {
        // `snakebridge_testmod.Recorder` records the arguments of each `__exit__` call.
        let recorder = |suppress: bool| -> PyRef {
            Call::function("snakebridge_testmod", "Recorder", ())
                .kwarg("suppress", suppress)
                .call()
                .unwrap()
        };
        let ask = |r: &PyRef, what: &'static str| -> Value { r.call_method(what, ()).unwrap() };
        let exit_type = |r: &PyRef| -> String { r.call_method("exit_type", ()).unwrap() };
        let message = |r: &PyRef| -> String { r.call_method("exit_message", ()).unwrap() };
        // Python's `with` passes `(None, None, None)` or `(type(e), e, e.__traceback__)`.
        let consistent = |r: &PyRef| -> bool { r.call_method("exit_consistent", ()).unwrap() };
        let missing_key = || call::<i64>("operator", "getitem", (Value::Dict(vec![]), "k"));

        // The body succeeds: `__exit__(None, None, None)`, once; the body's value comes back.
        let r = recorder(false);
        let got = with_context(&r, |entered: String| Ok(format!("{entered}!"))).unwrap();
        assert_eq!(got.as_deref(), Some("entered!"));
        assert_eq!(ask(&r, "exit_count"), Value::Int(1));
        assert_eq!(ask(&r, "exit_value"), Value::None);
        assert_eq!(exit_type(&r), "None");
        assert!(consistent(&r));

        // A Python error: `__exit__` gets the very exception object the error holds, with its
        // class; it does not suppress it, so the error comes back.
        let r = recorder(false);
        let err = with_context(&r, |_: String| missing_key()).unwrap_err();
        let Error::Python(p) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(p.kind, ExceptionKind::KeyError, "{err:?}");
        let seen = ask(&r, "exit_value");
        let same: bool = call(
            "operator",
            "is_",
            (seen, p.exception.as_ref().expect("the exception object")),
        )
        .unwrap();
        assert!(
            same,
            "__exit__ got another object than the error's exception"
        );
        assert_eq!(
            (exit_type(&r).as_str(), message(&r).as_str()),
            ("KeyError", "'k'")
        );
        assert!(consistent(&r));

        // `__exit__` suppresses it (returns True): no error and no value, as Python's `with`
        // goes on after a suppressed exception; a body that succeeds still gives its value.
        let r = recorder(true);
        assert_eq!(with_context(&r, |_: String| missing_key()).unwrap(), None);
        assert_eq!(exit_type(&r), "KeyError");
        assert_eq!(with_context(&r, |_: String| Ok(5)).unwrap(), Some(5));
        // So does `contextlib.suppress`, whose `__enter__` gives None.
        let key_error: PyRef = module_attr("builtins", "KeyError").unwrap();
        let suppress: PyRef = construct("contextlib", "suppress", (key_error,)).unwrap();
        assert_eq!(
            with_context(&suppress, |_: Value| missing_key()).unwrap(),
            None
        );
        // ...and only what it names.
        let err = with_context(&suppress, |_: Value| call::<i64>("builtins", "int", ("x",)));
        assert!(err.unwrap_err().is_python(ExceptionKind::ValueError));

        // An error that is not Python's: a RuntimeError carrying its message.
        let r = recorder(false);
        let err = with_context(&r, |_: String| -> snakebridge_runtime::Result<()> {
            Err(Error::Config {
                message: "no such setting".into(),
            })
        })
        .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert_eq!(exit_type(&r), "RuntimeError");
        assert!(message(&r).contains("no such setting"), "{}", message(&r));
        assert!(consistent(&r));

        // A panic: a RuntimeError carrying the panic's message, and the panic goes on, even
        // when `__exit__` suppresses the exception.
        for suppress in [false, true] {
            let r = recorder(suppress);
            let panicked = catch_unwind(AssertUnwindSafe(|| {
                with_context(&r, |_: String| -> snakebridge_runtime::Result<()> {
                    panic!("the body gave up ({suppress})")
                })
            }));
            assert!(panicked.is_err(), "the panic did not go on");
            assert_eq!(ask(&r, "exit_count"), Value::Int(1));
            assert_eq!(exit_type(&r), "RuntimeError");
            let text = message(&r);
            assert!(
                text.contains(&format!("the body gave up ({suppress})")),
                "{text}"
            );
            assert!(consistent(&r));
        }

        // A real manager: TemporaryDirectory removes its directory in `__exit__`.
        let tmp: PyRef = construct("tempfile", "TemporaryDirectory", ()).unwrap();
        let dir = with_context(&tmp, |dir: String| Ok(dir)).unwrap().unwrap();
        let exists: bool = call("os.path", "exists", (dir.as_str(),)).unwrap();
        assert!(!exists, "the directory is removed by __exit__");
    });
}

fn rust_data_converts_from_numpy_and_pandas_results(_: &Ctx) {
    // Asked for as Rust data, a numpy array is data, at any depth.
    let v: Vec<i64> = call("numpy", "arange", (3,)).unwrap();
    assert_eq!(v, [0, 1, 2]);
    let rows: Vec<Vec<f64>> = call("numpy", "eye", (2,)).unwrap();
    assert_eq!(rows, [[1.0, 0.0], [0.0, 1.0]]);
    let pair: (f64, f64) = call("numpy", "array", (vec![1.5, 2.5],)).unwrap();
    assert_eq!(pair, (1.5, 2.5));
    let (values, counts) =
        Call::<(Vec<i64>, Vec<i64>)>::function("numpy", "unique", (vec![3, 1, 3],))
            .kwarg("return_counts", true)
            .call()
            .unwrap();
    assert_eq!((values, counts), (vec![1, 3], vec![1, 2]));
    // numpy scalars are data too.
    let n: i64 = call("numpy", "int64", (7,)).unwrap();
    assert_eq!(n, 7);
    // The example: a generator's integers, as `Vec<i64>`, equal to Python's own list.
    let rng: PyRef = call("numpy.random", "default_rng", (42,)).unwrap();
    let drawn: Vec<i64> = rng.call_method("integers", (0, 10, 5)).unwrap();
    let again: PyRef = call("numpy.random", "default_rng", (42,)).unwrap();
    let python: Vec<i64> = again
        .call_method::<PyRef>("integers", (0, 10, 5))
        .and_then(|a| a.call_method("tolist", ()))
        .unwrap();
    assert_eq!(drawn, python);
    assert!(drawn.len() == 5 && drawn.iter().all(|x| (0..10).contains(x)));
    // A pandas Series carries an array: `numpy.asarray` makes it data.
    let series: PyRef = construct("pandas", "Series", (vec![1.0, 2.0, 4.0],)).unwrap();
    let doubled: Vec<f64> = series.call_method("__mul__", (2,)).unwrap();
    assert_eq!(doubled, [2.0, 4.0, 8.0]);
    // Containers of objects still come back as refs.
    let mixed: Vec<Value> = call("builtins", "list", ((1, "a"),)).unwrap();
    assert_eq!(mixed, [Value::Int(1), Value::Str("a".into())]);
}
