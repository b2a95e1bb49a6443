//! The mock client: expectations on the seed's payload, canned replies, and client selection
//! that does not leak between threads.

use std::sync::{Arc, Barrier};

use snakebridge::{
    Call, Error, MockClient, PyRef, Value, call, construct, current_client, with_client,
};

/// The seed's Mox example, ported: `Numpy.array([1, 2, 3])` answered by a mock.
#[test]
fn seed_mox_example() {
    let mock = MockClient::new();
    mock.expect(|tool, payload, _opts| {
        assert_eq!(tool, "snakebridge.call");
        assert_eq!(payload["function"], "array");
        Ok(Value::from(vec![1, 2, 3]))
    });
    let result: Vec<i64> =
        with_client(mock.clone(), || call("numpy", "array", (vec![1, 2, 3],))).unwrap();
    assert_eq!(result, [1, 2, 3]);
    mock.verify().unwrap();
}

#[test]
#[allow(clippy::approx_constant)] // round(3.14159, ndigits=2), as in the seed
fn payload_is_the_seed_payload() {
    let mock = MockClient::new();
    mock.stub(|_, _| true, |_, _, _| Ok(Value::None));
    with_client(mock.clone(), || {
        let _: Value = Call::function("builtins", "round", (3.14159,))
            .kwarg("ndigits", 2)
            .idempotent(true)
            .call()
            .unwrap();
    });
    let received = mock.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "snakebridge.call");
    assert_eq!(
        received[0].1,
        serde_json::json!({
            "library": "builtins",
            "python_module": "builtins",
            "function": "round",
            "args": [3.14159],
            "kwargs": {"ndigits": 2},
            "idempotent": true,
        })
    );
}

#[test]
fn class_method_and_attribute_payloads() {
    let mock = MockClient::new();
    let encoder = mock.make_ref("json.encoder.JSONEncoder");
    let id = encoder.id();
    let reply = encoder.clone();
    mock.expect(move |_, p, _| {
        assert_eq!(p["call_type"], "class");
        assert_eq!(p["class"], "JSONEncoder");
        assert_eq!(p["kwargs"]["indent"], 2);
        Ok(Value::Ref(reply.clone()))
    });
    mock.expect(move |_, p, _| {
        assert_eq!(p["call_type"], "method");
        assert_eq!(p["ref"], id.to_string());
        assert_eq!(p["method"], "encode");
        Ok(Value::from("[1]"))
    });
    mock.expect(move |_, p, _| {
        assert_eq!(p["call_type"], "set_attr");
        assert_eq!(p["attr"], "item_separator");
        assert_eq!(p["value"], " : ");
        Ok(Value::None)
    });
    mock.expect(move |_, p, _| {
        assert_eq!(p["call_type"], "get_attr");
        assert_eq!(p["attr"], "item_separator");
        Ok(Value::from(" : "))
    });
    with_client(mock.clone(), || {
        let enc: PyRef = Call::class("json", "JSONEncoder", ())
            .kwarg("indent", 2)
            .call()
            .unwrap();
        assert_eq!(enc, encoder);
        assert_eq!(
            enc.call_method::<String>("encode", (vec![1],)).unwrap(),
            "[1]"
        );
        enc.setattr("item_separator", " : ").unwrap();
        assert_eq!(enc.getattr::<String>("item_separator").unwrap(), " : ");
    });
    mock.verify().unwrap();
    drop(encoder);
    assert_eq!(mock.released(), [id]);
}

#[test]
fn unexpected_and_missing_calls_fail_verification() {
    let mock = MockClient::new();
    mock.expect_call("math", "sqrt")
        .times(2)
        .returning(|_| Ok(Value::Float(2.0)));
    let err = with_client(mock.clone(), || call::<f64>("math", "floor", (1.5,))).unwrap_err();
    assert!(
        matches!(err, Error::Mock(ref m) if m.contains("floor")),
        "{err:?}"
    );
    let root: f64 = with_client(mock.clone(), || call("math", "sqrt", (4,))).unwrap();
    assert_eq!(root, 2.0);
    let problems = mock.verify().unwrap_err().to_string();
    assert!(
        problems.contains("math.floor") || problems.contains("floor"),
        "{problems}"
    );
    assert!(problems.contains("expected 1 more call"), "{problems}");
}

#[test]
fn handler_errors_reach_the_caller() {
    let mock = MockClient::new();
    mock.expect(|_, _, _| {
        Err(Error::Timeout {
            after: std::time::Duration::from_secs(1),
        })
    });
    let err = with_client(mock.clone(), || call::<Value>("m", "f", ())).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }));
}

#[test]
fn streaming_replies_are_streamed() {
    let mock = MockClient::new();
    mock.expect(|tool, p, _| {
        assert_eq!(tool, "snakebridge.stream");
        assert_eq!(p["streaming"], true);
        Ok(Value::from(vec![1, 2, 3]))
    });
    let items: Vec<i64> = with_client(mock.clone(), || {
        Call::<Value>::function("gen", "numbers", ())
            .stream()
            .unwrap()
            .collect::<Result<_, _>>()
    })
    .unwrap();
    assert_eq!(items, [1, 2, 3]);
}

/// A scoped client is seen only by its own thread, even while another thread uses the real
/// interpreter at the same moment.
#[test]
fn scoped_client_does_not_leak_across_threads() {
    let barrier = Arc::new(Barrier::new(2));
    let mocked = {
        let barrier = barrier.clone();
        std::thread::spawn(move || {
            let mock = MockClient::new();
            mock.stub(|_, _| true, |_, _, _| Ok(Value::Float(-1.0)));
            with_client(mock.clone(), || {
                barrier.wait();
                let v: f64 = call("math", "sqrt", (16,)).unwrap();
                barrier.wait();
                assert_eq!(current_client().unwrap().name(), "mock");
                v
            })
        })
    };
    barrier.wait();
    let real: f64 = call("math", "sqrt", (16,)).unwrap();
    barrier.wait();
    assert_eq!(real, 4.0);
    assert_eq!(mocked.join().unwrap(), -1.0);
    assert_eq!(current_client().unwrap().name(), "embedded");
}

#[test]
fn scopes_nest_and_unwind_on_panic() {
    let outer = MockClient::new();
    outer.stub(|_, _| true, |_, _, _| Ok(Value::from("outer")));
    let inner = MockClient::new();
    inner.stub(|_, _| true, |_, _, _| Ok(Value::from("inner")));
    with_client(outer.clone(), || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_client(inner.clone(), || {
                assert_eq!(call::<String>("m", "f", ()).unwrap(), "inner");
                panic!("boom");
            })
        }));
        assert!(r.is_err());
        assert_eq!(call::<String>("m", "f", ()).unwrap(), "outer");
    });
}

#[test]
fn refs_of_one_runtime_are_stale_in_another() {
    let mock = MockClient::new();
    let foreign = mock.make_ref("object");
    let err = call::<Value>("builtins", "repr", (&foreign,)).unwrap_err();
    assert!(matches!(err, Error::StaleRef { .. }), "{err:?}");
    assert!(err.to_string().contains("mock"), "{err}");
    // The ref above was judged stale by the embedded client, the current one outside a scope;
    // its own refs it keeps serving.
    assert_eq!(current_client().unwrap().name(), "embedded");
    let real: PyRef = construct("collections", "OrderedDict", ()).unwrap();
    assert_eq!(real.type_name(), "collections.OrderedDict");
    let text: String = call("builtins", "repr", (&real,)).unwrap();
    assert_eq!(text, "OrderedDict()");

    // The other direction: the embedded ref is stale under the mock (also nested in a value),
    // before any handler sees it, and so is another mock's ref.
    mock.expect_call("builtins", "repr")
        .any_times()
        .returning(|_| Ok(Value::Str("mocked".into())));
    for arg in [
        Value::Ref(real.clone()),
        Value::List(vec![Value::Int(1), Value::Ref(real.clone())]),
        Value::Ref(MockClient::new().make_ref("object")),
    ] {
        let err =
            with_client(mock.clone(), || call::<String>("builtins", "repr", (arg,))).unwrap_err();
        assert!(matches!(err, Error::StaleRef { .. }), "{err:?}");
        assert!(err.to_string().contains("not made by this mock"), "{err}");
    }
    // Its own refs it answers for.
    let own = mock.make_ref("object");
    let text: String = with_client(mock.clone(), || call("builtins", "repr", (&own,))).unwrap();
    assert_eq!(text, "mocked");
    assert_eq!(
        mock.received().len(),
        1,
        "only the own-ref call reached the mock"
    );
}
