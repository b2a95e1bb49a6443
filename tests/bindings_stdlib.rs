//! Generated bindings to the standard library, end to end against real Python.

use snakebridge::{ExceptionKind, PyRef, Value, python_module};

#[python_module("json")]
pub mod json {}

#[python_module("math")]
pub mod math {}

#[python_module("os.path")]
pub mod os_path {}

#[python_module("pathlib")]
pub mod pathlib {}

#[python_module("collections")]
pub mod collections {}

#[python_module("statistics")]
pub mod statistics {}

#[test]
fn json_dumps_with_indent_and_sort_keys() {
    let data = Value::Dict(vec![
        (Value::from("b"), Value::from(1)),
        (Value::from("a"), Value::from(vec![1, 2])),
    ]);
    let text: String = json::dumps(&data).indent(2).sort_keys(true).call().unwrap();
    assert_eq!(text, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": 1\n}");
    let compact: String = json::dumps(&data).call().unwrap();
    assert_eq!(compact, r#"{"b": 1, "a": [1, 2]}"#);
}

#[test]
fn json_loads_round_trip_and_errors() {
    let back: Value = json::loads(r#"{"x": [1, 2.5, null]}"#).call().unwrap();
    assert_eq!(
        back,
        Value::Dict(vec![(
            Value::from("x"),
            Value::List(vec![Value::Int(1), Value::Float(2.5), Value::None])
        )])
    );
    let err = json::loads("{oops").call().unwrap_err();
    let e = err.python().unwrap();
    assert_eq!(e.kind, ExceptionKind::ValueError);
    assert_eq!(e.class, "json.decoder.JSONDecodeError");
}

#[test]
fn json_encoder_with_keywords_encode_and_attributes() {
    let encoder = json::JSONEncoder::new()
        .sort_keys(true)
        .indent(4)
        .call()
        .unwrap();
    let data = Value::Dict(vec![
        (Value::from("z"), Value::from(1)),
        (Value::from("a"), Value::from(2)),
    ]);
    let text: String = encoder.encode(&data).call().unwrap();
    assert_eq!(text, "{\n    \"a\": 2,\n    \"z\": 1\n}");

    let plain = json::JSONEncoder::new().call().unwrap();
    assert_eq!(plain.item_separator().unwrap(), ", ");
    plain.set_item_separator(" | ").unwrap();
    assert_eq!(plain.item_separator().unwrap(), " | ");
    let text: String = plain.encode(vec![1, 2, 3]).call().unwrap();
    assert_eq!(text, "[1 | 2 | 3]");
    // A generated class is accepted wherever a ref is expected.
    let as_ref: &PyRef = plain.as_ref();
    assert_eq!(as_ref.type_name(), "json.encoder.JSONEncoder");
}

#[test]
fn math_functions_and_constants() {
    assert_eq!(math::sqrt(16.0).call().unwrap(), 4.0);
    assert_eq!(math::pi, std::f64::consts::PI);
    assert_eq!(math::factorial(10).call().unwrap(), 3_628_800);
    let gcd = math::gcd().args([48, 18, 30]).call().unwrap();
    assert_eq!(gcd, 6);
    let err = math::sqrt(-1.0).call().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
}

#[test]
fn os_path_functions() {
    // typeshed's `join` overloads (str -> str, bytes -> bytes): a `&str` gives a `String`.
    let joined: String = os_path::join("/tmp").args(["file"]).call().unwrap();
    assert_eq!(joined, "/tmp/file");
    let base = os_path::basename("/a/b/c.txt").call().unwrap();
    assert_eq!(base, Value::from("c.txt"));
    // Overloads for str and bytes paths: the result type is dynamic.
    let (root, ext) = os_path::splitext("archive.tar.gz").call().unwrap();
    assert_eq!(
        (root, ext),
        (Value::from("archive.tar"), Value::from(".gz"))
    );
}

#[test]
fn pathlib_path_methods_and_properties() {
    let path = pathlib::Path::new().args(["/tmp/test.txt"]).call().unwrap();
    // Properties defined on the base class are reached through Deref to PurePath.
    assert_eq!(path.name().unwrap(), "test.txt");
    assert_eq!(path.suffix().unwrap(), ".txt");
    assert_eq!(path.stem().unwrap(), "test");
    let csv = path.with_suffix(".csv").call().unwrap();
    assert_eq!(csv.as_posix().call().unwrap(), "/tmp/test.csv");
    assert!(path.is_absolute().call().unwrap());
    let tmp = pathlib::Path::new().args(["/tmp"]).call().unwrap();
    assert!(tmp.is_dir().call().unwrap());
}

#[test]
fn collections_counter_most_common() {
    let counter = collections::Counter::new()
        .args(["abracadabra"])
        .call()
        .unwrap();
    let top = counter.most_common().n(1).call().unwrap();
    assert_eq!(top, [(Value::from("a"), 5)]);
}

#[test]
fn statistics_mean_and_stdev() {
    let mean: f64 = statistics::mean(vec![1.0, 2.0, 3.0, 4.0])
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(mean, 2.5);
    let stdev: f64 = statistics::stdev(vec![2, 4, 4, 4, 5, 5, 7, 9])
        .call()
        .unwrap()
        .extract()
        .unwrap();
    assert!((stdev - 2.138089935299395).abs() < 1e-12, "{stdev}");
    let err = statistics::mean(Vec::<f64>::new()).call().unwrap_err();
    assert_eq!(err.python().unwrap().class, "statistics.StatisticsError");
}

/// A generated builder's `call_async`: a future of the typed result, awaited by a minimal
/// executor (a parked thread woken by the runtime's runner).
#[test]
fn generated_builders_call_async() {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    fn block_on<F: std::future::Future + Unpin>(mut f: F) -> F::Output {
        let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
        let mut cx = std::task::Context::from_waker(&waker);
        loop {
            if let std::task::Poll::Ready(out) = std::pin::Pin::new(&mut f).poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }
    let text = block_on(json::dumps(vec![1, 2]).indent(1).call_async()).unwrap();
    assert_eq!(text, "[\n 1,\n 2\n]");
    let root = block_on(math::sqrt(16.0).call_async()).unwrap();
    assert_eq!(root, 4.0);
}
