//! The runtime's universal API against the real embedded CPython: the acceptance list of the
//! runtime-core issue. Behaviours shared with the pool client (return policies, exception kinds,
//! streams, threads, conversions) are tested against both clients in
//! `snakebridge-runtime/tests/behaviour.rs`.

mod common;

use snakebridge::{
    Bytes, Call, EmbeddedClient, Error, ExceptionKind, InterpreterSource, PyRef, ReturnPolicy,
    Value, call, construct,
};

#[test]
fn math_sqrt() {
    let root: f64 = call("math", "sqrt", (16,)).unwrap();
    assert_eq!(root, 4.0);
}

#[test]
#[allow(clippy::approx_constant)] // the issue's own example: round(3.14159, ndigits=2)
fn round_with_keyword() {
    let rounded: f64 = Call::function("builtins", "round", (3.14159,))
        .kwarg("ndigits", 2)
        .call()
        .unwrap();
    assert_eq!(rounded, 3.14);
}

#[test]
fn os_path_join() {
    let joined: String = call("os.path", "join", ("/tmp", "file")).unwrap();
    assert_eq!(joined, "/tmp/file");
}

#[test]
fn pathlib_path_is_a_ref_with_attributes() {
    let path: PyRef = call("pathlib", "Path", ("/tmp/test.txt",)).unwrap();
    assert_eq!(path.type_name(), "pathlib.PosixPath");
    assert_eq!(path.getattr::<String>("name").unwrap(), "test.txt");
    assert_eq!(path.getattr::<String>("suffix").unwrap(), ".txt");
    let csv: PyRef = path.call_method("with_suffix", (".csv",)).unwrap();
    assert_eq!(csv.str().unwrap(), "/tmp/test.csv");
    // Without asking for a ref, a non-data object still comes back as one.
    let auto: Value = call("pathlib", "Path", ("/x",)).unwrap();
    assert!(matches!(auto, Value::Ref(_)), "{auto:?}");
}

#[test]
fn hashlib_md5_hexdigest() {
    let hash: PyRef = call("hashlib", "md5", (Bytes(b"abc".to_vec()),)).unwrap();
    let hex: String = hash.call_method("hexdigest", ()).unwrap();
    assert_eq!(hex, "900150983cd24fb0d6963f7d28e17f72");
}

#[test]
fn base64_round_trip_of_bytes() {
    let data = Bytes(vec![0, 1, 2, 128, 255]);
    let encoded: Bytes = call("base64", "b64encode", (data.clone(),)).unwrap();
    assert_eq!(encoded.0, b"AAECgP8=");
    let decoded: Bytes = call("base64", "b64decode", (encoded,)).unwrap();
    assert_eq!(decoded, data);
}

#[test]
fn value_error_is_matchable_with_traceback_and_context() {
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
    assert!(e.traceback.contains("Traceback") || e.traceback.contains("ValueError"));
    assert!(
        e.traceback.contains("ValueError: invalid literal"),
        "{}",
        e.traceback
    );
    assert_eq!(e.context.python_module, "builtins");
    assert_eq!(e.context.function, "int");
    assert_eq!(e.context.arity, 1);
    let location = e.context.rust_location.as_deref().unwrap();
    assert!(location.contains("runtime_embedded.rs"), "{location}");
    // The runtime keeps working after an exception.
    assert_eq!(call::<i64>("builtins", "int", ("42",)).unwrap(), 42);
}

#[test]
fn missing_module_error_names_it() {
    let err = call::<Value>("no_such_module_xyz", "f", ()).unwrap_err();
    assert!(err.is_python(ExceptionKind::ModuleNotFoundError), "{err:?}");
    assert!(err.to_string().contains("no_such_module_xyz"), "{err}");
}

#[test]
fn missing_attribute_is_an_attribute_error() {
    let err = call::<Value>("math", "no_such_function", ()).unwrap_err();
    assert!(err.is_python(ExceptionKind::AttributeError), "{err:?}");
}

#[test]
fn dict_with_int_keys_and_nan_round_trips_unchanged() {
    let v = Value::Dict(vec![
        (Value::Int(1), Value::Float(f64::NAN)),
        (Value::Int(-7), Value::Float(f64::NEG_INFINITY)),
        (Value::Str("z".into()), Value::Float(-0.0)),
        (
            Value::Tuple(vec![Value::Int(1), Value::Int(2)]),
            Value::Str("tuple key".into()),
        ),
    ]);
    let back: Value = call("copy", "deepcopy", (v.clone(),)).unwrap();
    assert_eq!(back, v);
    // The JSON wire form keeps it too.
    let json = snakebridge::client::wire::encode_value(&v);
    let decoded =
        snakebridge::client::wire::decode_value(&json, &snakebridge::client::wire::NoRefs).unwrap();
    assert_eq!(decoded, v);
}

#[test]
fn big_ints_complex_and_datetimes_cross_unchanged() {
    let big: Value = call("builtins", "pow", (2, 100)).unwrap();
    assert_eq!(
        big,
        Value::BigInt("1267650600228229401496703205376".parse().unwrap())
    );
    let c: Value = call("builtins", "complex", (1.5, -2.0)).unwrap();
    assert_eq!(c, Value::Complex { re: 1.5, im: -2.0 });
    let dt: Value = call("datetime", "datetime", (2024, 2, 29, 13, 45, 6, 789)).unwrap();
    // A `datetime` instance is plain data.
    let Value::DateTime(d) = &dt else {
        panic!("{dt:?}")
    };
    assert_eq!(d.to_string(), "2024-02-29T13:45:06.000789");
    // Sent back to Python it is a real datetime again.
    let as_object: PyRef = Call::function("copy", "copy", (dt.clone(),))
        .returns(ReturnPolicy::Ref)
        .call()
        .unwrap();
    assert_eq!(as_object.type_name(), "datetime.datetime");
    let iso: String = as_object.call_method("isoformat", ()).unwrap();
    assert_eq!(iso, "2024-02-29T13:45:06.000789");
}

#[test]
fn numpy_array_is_a_ref_with_shape() {
    let array: PyRef = call("numpy", "array", (vec![1, 2, 3],)).unwrap();
    assert_eq!(array.type_name(), "numpy.ndarray");
    let shape: (i64,) = array.getattr("shape").unwrap();
    assert_eq!(shape, (3,));
    // numpy scalars are data: the sum comes back as an int.
    let total: i64 = array.call_method("sum", ()).unwrap();
    assert_eq!(total, 6);
}

#[test]
fn dropping_the_last_handle_releases_the_python_object() {
    common::add_test_modules();
    let thing: PyRef = construct("snakebridge_testmod", "Thing", ("a",)).unwrap();
    let weak: PyRef = call("weakref", "ref", (&thing,)).unwrap();
    let alive: Value = weak.call_method("__call__", ()).unwrap();
    assert!(matches!(alive, Value::Ref(_)));
    drop(alive);
    let clone = thing.clone();
    drop(thing);
    // One handle left: still alive.
    assert!(matches!(
        weak.call_method::<Value>("__call__", ()).unwrap(),
        Value::Ref(_)
    ));
    drop(clone);
    let dead: Value = weak.call_method("__call__", ()).unwrap();
    assert_eq!(dead, Value::None);
}

#[test]
fn many_create_drop_cycles_leave_nothing_behind() {
    common::add_test_modules();
    let before = EmbeddedClient::live_refs();
    for i in 0..100_000 {
        let thing: PyRef = construct("snakebridge_testmod", "Thing", (i,)).unwrap();
        assert_eq!(thing.handle_count(), 1);
    }
    let live_things: i64 = call("snakebridge_testmod", "live_things", ()).unwrap();
    assert_eq!(live_things, 0);
    // Other tests run in parallel and hold refs of their own; ours are all gone.
    assert!(EmbeddedClient::live_refs() <= before + 16);
}

#[test]
fn environment_is_reported() {
    let env = EmbeddedClient::shared().environment().unwrap();
    assert!(env.python_version.starts_with("3."), "{env}");
    match std::env::var_os("SNAKEBRIDGE_PYTHON") {
        Some(p) if !p.is_empty() => {
            assert_eq!(env.source, InterpreterSource::SnakebridgePython(p.into()));
        }
        _ => {}
    }
    // Whatever the source, the description says which interpreter it is.
    assert!(env.to_string().contains(&env.python_version));
}

#[test]
fn the_chosen_environment_comes_before_system_packages() {
    let env = EmbeddedClient::shared().environment().unwrap();
    // Other tests add their own directories in front later; what start-up left stays in order.
    let now: Vec<std::path::PathBuf> = snakebridge::module_attr::<Vec<String>>("sys", "path")
        .unwrap()
        .into_iter()
        .map(Into::into)
        .collect();
    assert!(
        now.ends_with(&env.sys_path),
        "{now:?} vs {:?}",
        env.sys_path
    );
    let Some(first_added) = env.added_paths.first() else {
        return assert_eq!(env.source, InterpreterSource::Linked, "{env:?}");
    };
    let at = |p: &std::path::Path| env.sys_path.iter().position(|q| q == p).unwrap();
    let system = env.sys_path.iter().filter(|p| {
        !env.added_paths.contains(p)
            && p.file_name()
                .is_some_and(|n| n == "site-packages" || n == "dist-packages")
    });
    for dir in system {
        assert!(
            at(first_added) < at(dir),
            "{} must come before the system's {}: {:?}",
            first_added.display(),
            dir.display(),
            env.sys_path
        );
    }
}

#[test]
fn streams_have_the_seeds_callback_form() {
    use snakebridge::StreamEvent;
    use std::ops::ControlFlow;
    common::add_test_modules();
    let mut seen = Vec::new();
    Call::<Value>::function("snakebridge_testmod", "fails_after", (2,))
        .stream::<i64>()
        .unwrap()
        .for_each_event(|event| {
            seen.push(match event {
                StreamEvent::Chunk(n) => format!("chunk {n}"),
                StreamEvent::Done => "done".to_string(),
                StreamEvent::Error(e) => format!("error {}", e.python().unwrap().class),
            });
            ControlFlow::Continue(())
        });
    assert_eq!(seen, ["chunk 0", "chunk 1", "error ValueError"]);

    let mut seen = Vec::new();
    Call::<Value>::function("builtins", "range", (2,))
        .stream::<i64>()
        .unwrap()
        .for_each_event(|event| {
            seen.push(format!("{event:?}"));
            ControlFlow::Continue(())
        });
    assert_eq!(seen, ["Chunk(0)", "Chunk(1)", "Done"]);
}
