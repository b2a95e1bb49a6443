//! Python's object model through generated bindings, against real packages: members inherited
//! from mixins (every base of the MRO, in Python's order), namedtuples and struct sequences.

mod common;

use snakebridge::{NdArray, Value, python_module};

#[python_module(
    "snakebridge_testmod",
    include = ["Diamond", "Mixed", "Point", "Pair", "make_pair"]
)]
mod t {}

#[python_module("sklearn.linear_model", include = ["LinearRegression"])]
mod linear_model {}

#[python_module("sklearn.preprocessing", include = ["StandardScaler"])]
mod preprocessing {}

#[python_module("pandas", include = ["DataFrame"])]
mod pd {}

#[python_module("urllib.parse", include = ["urlsplit", "SplitResult"])]
mod parse {}

#[python_module("os", include = ["stat", "stat_result"])]
mod os {}

#[test]
fn a_diamond_resolves_members_in_python_mro_order() {
    common::add_test_modules();
    use t::prelude::*;
    let d = t::Diamond::new().call().unwrap();
    // MRO: Diamond, DiamondRight, DiamondLeft, DiamondBase; the struct derefs to DiamondRight
    // (more members), then DiamondBase. `who` is overridden on the left side only: Python
    // finds DiamondLeft's (annotated `str`) before DiamondBase's (annotated `int`, which the
    // Deref chain reaches), and so does Rust: this only compiles with DiamondLeft's signature.
    let who: String = d.who().call().unwrap();
    assert_eq!(who, "DiamondLeft");
    // `side` is defined on both sides: DiamondRight's (first in the MRO, `str`) wins over
    // DiamondLeft's (`int`), although DiamondLeft's member trait is in scope.
    let side: String = d.side().call().unwrap();
    assert_eq!(side, "DiamondRight");
    let base: String = d.base_only().call().unwrap();
    assert_eq!(base, "base");
    let left: String = d.left_only().call().unwrap();
    assert_eq!(left, "left");
    let right: String = d.right_a().call().unwrap();
    assert_eq!(right, "a");
    // What Python itself calls, for the record.
    let py: String = snakebridge::call_method(&d, "who", ()).unwrap();
    assert_eq!(py, who);
}

#[test]
fn two_mixins_defining_one_name_resolve_to_the_first() {
    common::add_test_modules();
    let m = t::Mixed::new().call().unwrap();
    // MixA and MixB are both member traits of Mixed (it derefs to Core): without the
    // inherent copy of MixA's `describe`, this call would be ambiguous.
    let described: String = m.describe().call().unwrap();
    assert_eq!(described, "MixA");
    let core: i64 = m.core_b().call().unwrap();
    assert_eq!(core, 2);
}

#[test]
fn namedtuples_have_typed_field_getters_and_convert_to_a_tuple() {
    common::add_test_modules();
    let pair = t::make_pair(3, "three").call().unwrap();
    assert_eq!(pair.count().unwrap(), 3);
    assert_eq!(pair.label().unwrap(), "three");
    let (count, label): (i64, String) = pair.to_tuple().unwrap();
    assert_eq!((count, label.as_str()), (3, "three"));
    // An untyped namedtuple: the getters and the tuple carry `Value`s.
    let point = t::Point::new(1, 2).call().unwrap();
    assert_eq!(point.y().unwrap(), Value::Int(2));
    assert_eq!(point.to_tuple().unwrap(), (Value::Int(1), Value::Int(2)));
}

#[test]
fn urlsplit_returns_its_namedtuple_class_with_mixin_members() {
    // typeshed's overloads of `urlsplit` (str -> SplitResult, bytes -> SplitResultBytes) are
    // told apart by the argument's type: a `&str` gives a `SplitResult`.
    let parts: parse::SplitResult = parse::urlsplit("https://user@example.com:8080/path?q=1")
        .call()
        .unwrap();
    // The fields are declared on `_SplitResultBase[str]`, a generic base substituted as type
    // checkers do: `String`, not the `Value` an unsubstituted `AnyStr` gave.
    let netloc: String = parts.netloc().unwrap();
    assert_eq!(netloc, "user@example.com:8080");
    assert_eq!(parts.path().unwrap(), "/path");
    // `hostname` and `port` come from the mixin `_NetlocResultMixinBase[str]` (`port`, an
    // `int | None` either way, through the mixin's member trait).
    use parse::prelude::*;
    let hostname: Option<String> = parts.hostname().unwrap();
    assert_eq!(hostname.as_deref(), Some("example.com"));
    assert_eq!(parts.port().unwrap(), Some(8080));
    let (scheme, ..) = parts.to_tuple().unwrap();
    assert_eq!(scheme, "https");
    // `geturl` is SplitResult's own method.
    let url: String = parts.geturl().call().unwrap();
    assert_eq!(url, "https://user@example.com:8080/path?q=1");
}

#[test]
fn stat_returns_a_struct_sequence_with_field_getters() {
    let path = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let st = os::stat(path.as_str()).call().unwrap();
    let expected = std::fs::metadata(&path).unwrap().len() as i64;
    assert_eq!(st.st_size().unwrap(), expected);
    assert!(st.st_mode().unwrap() & 0o100000 != 0, "a regular file");
}

#[test]
fn linear_regression_fits_predicts_and_scores_through_its_mixins() {
    use linear_model::prelude::*;
    let x = vec![vec![0.0], vec![1.0], vec![2.0], vec![3.0]];
    let y = vec![1.0, 3.0, 5.0, 7.0];
    let model = linear_model::LinearRegression::new().call().unwrap();
    // `fit` is LinearRegression's own; `predict` is LinearModel's, a base that is not the
    // first (LinearRegression(MultiOutputMixin, RegressorMixin, LinearModel)); `score` is
    // RegressorMixin's, from sklearn.base.
    // `fit -> Self` in scikit-learn-stubs: the fitted estimator.
    let _: linear_model::LinearRegression = model.fit(x.clone(), y.clone()).call().unwrap();
    let predicted: Vec<f64> = model
        .predict(vec![vec![4.0], vec![5.0]])
        .call_as::<NdArray>()
        .and_then(|a| a.to_vec::<f64>())
        .unwrap();
    assert!((predicted[0] - 9.0).abs() < 1e-9 && (predicted[1] - 11.0).abs() < 1e-9);
    let score: f64 = model.score(x, y).call_as().unwrap();
    assert!((score - 1.0).abs() < 1e-12, "R² of an exact fit: {score}");
}

#[test]
fn standard_scaler_fit_transform_comes_from_transformer_mixin() {
    use preprocessing::prelude::*;
    let scaler = preprocessing::StandardScaler::new().call().unwrap();
    let scaled = scaler
        .fit_transform(vec![vec![1.0], vec![3.0]])
        .call_as::<NdArray>()
        .and_then(|a| a.to_vec::<f64>())
        .unwrap();
    assert_eq!(scaled, vec![-1.0, 1.0]);
}

#[test]
fn dataframe_methods_from_its_base_classes() {
    let data = Value::Dict(vec![
        (
            Value::Str("a".into()),
            Value::List((1..=6).map(Value::Int).collect()),
        ),
        (
            Value::Str("b".into()),
            Value::List((1..=6).map(|i| Value::Float(f64::from(i) / 2.0)).collect()),
        ),
    ]);
    let df = pd::DataFrame::new().data(data).call().unwrap();
    // `head` and `describe` are NDFrame's (pandas.core.generic, reached through `Deref`),
    // `to_dict` DataFrame's own.
    let head = df.head().n(2).call().unwrap();
    let as_dict: Value = snakebridge::PyRef::from(head)
        .call_method("to_dict", ("list",))
        .unwrap();
    assert_eq!(
        as_dict,
        Value::Dict(vec![
            (
                Value::Str("a".into()),
                Value::List(vec![Value::Int(1), Value::Int(2)])
            ),
            (
                Value::Str("b".into()),
                Value::List(vec![Value::Float(0.5), Value::Float(1.0)])
            ),
        ])
    );
    let records: Value = df.to_dict().orient("records").call().unwrap();
    let Value::List(records) = records else {
        panic!("to_dict('records') is a list: {records:?}")
    };
    assert_eq!(records.len(), 6);
    let described = df.describe().call().unwrap();
    let mean: f64 = snakebridge::PyRef::from(described)
        .getattr::<snakebridge::PyRef>("loc")
        .and_then(|loc| loc.call_method("__getitem__", (("mean", "a"),)))
        .unwrap();
    assert_eq!(mean, 3.5);
    // Rust maps from pandas objects: a DataFrame is column → column values, and `mean()` a
    // Series of column means (index label → value).
    let columns: std::collections::BTreeMap<String, Vec<f64>> = df.head().n(2).call_as().unwrap();
    assert_eq!(columns["a"], [1.0, 2.0]);
    assert_eq!(columns["b"], [0.5, 1.0]);
    let means: std::collections::HashMap<String, f64> = df.mean().call_as().unwrap();
    assert_eq!(means["a"], 3.5);
    assert_eq!(means["b"], 1.75);
}
