//! A generated call site the embedded client resolved takes a direct path while the embedded
//! client is the fallback default (`FALLBACK_SITE_CALL`). That path must never take a call away
//! from the client the program chose: a `with_client` scope, or a default set later. Its own
//! test binary, because it sets the process-wide default.

use snakebridge_runtime::client::CallSite;
use snakebridge_runtime::{
    Call, IntoValue, MockClient, ReturnPolicy, Value, set_default_client, with_client,
};

/// What `#[python_module("math")]` generates for `math.sqrt`.
static SQRT: CallSite = CallSite::new("math", "sqrt");

fn sqrt(x: f64) -> f64 {
    Call::at(&SQRT, (x,)).call().unwrap()
}

/// One test, in this order: the direct path's results first (while the embedded client is
/// the default), then the default replaced.
#[test]
fn direct_site_calls() {
    the_direct_path_converts_as_the_general_path_does();
    a_resolved_site_still_goes_to_the_chosen_client();
}

/// `site(*args)` at the call site (twice: the first call resolves the site, the
/// second takes the direct path) and by name (the general path), as values.
fn both_paths(site: &'static CallSite, args: Vec<Value>, policy: ReturnPolicy) -> [Value; 3] {
    let at_site = || {
        Call::<Value>::at(site, ())
            .extra_args(args.clone())
            .returns(policy)
            .call()
            .unwrap()
    };
    let by_name = Call::<Value>::function(site.module, site.name, ())
        .extra_args(args.clone())
        .returns(policy)
        .call()
        .unwrap();
    [at_site(), at_site(), by_name]
}

fn the_direct_path_converts_as_the_general_path_does() {
    static INT: CallSite = CallSite::new("builtins", "int");
    static FLOAT: CallSite = CallSite::new("builtins", "float");
    static BOOL: CallSite = CallSite::new("builtins", "bool");
    static SEED: CallSite = CallSite::new("random", "seed");
    static REPR: CallSite = CallSite::new("builtins", "repr");
    let auto = ReturnPolicy::Auto;
    let cases: [(&'static CallSite, Value, Value); 9] = [
        (&INT, "-1".into_value(), Value::Int(-1)),
        (
            &INT,
            "9223372036854775807".into_value(),
            Value::Int(i64::MAX),
        ),
        (&FLOAT, "2.5".into_value(), Value::Float(2.5)),
        (&BOOL, 1.into_value(), Value::Bool(true)),
        (&BOOL, 0.into_value(), Value::Bool(false)),
        (&SEED, 0.into_value(), Value::None),
        (&REPR, true.into_value(), "True".into_value()),
        (&REPR, Value::None, "None".into_value()),
        (&REPR, "x".into_value(), "'x'".into_value()),
    ];
    for (site, arg, expected) in cases {
        let what = format!("{}({arg:?})", site.name);
        for got in both_paths(site, vec![arg], auto) {
            assert_eq!(got, expected, "{what}");
        }
    }
    // Beyond i64: the inline read declines, the general conversion makes a big int.
    let [direct, again, general] = both_paths(&INT, vec!["1".repeat(30).into_value()], auto);
    assert!(matches!(&direct, Value::BigInt(_)), "{direct:?}");
    assert_eq!((&direct, &again), (&general, &general));
    // `bool` is an `int` subclass, `True` is not read as 1.
    let [direct, ..] = both_paths(&BOOL, vec![Value::Int(7)], auto);
    assert_eq!(direct, Value::Bool(true));
    // Asked for a ref, a float comes back as a ref, on both paths.
    for got in both_paths(&FLOAT, vec![Value::Float(1.0)], ReturnPolicy::Ref) {
        assert!(matches!(got, Value::Ref(_)), "{got:?}");
    }
}

fn a_resolved_site_still_goes_to_the_chosen_client() {
    // Resolved by the embedded client (the fallback default), then called again directly.
    assert_eq!(sqrt(16.0), 4.0);
    assert_eq!(sqrt(2.25), 1.5);

    let mock = MockClient::new();
    mock.expect_call("math", "sqrt")
        .times(3)
        .returning(|_| Ok(Value::Float(-1.0)));
    assert_eq!(
        with_client(mock.clone(), || sqrt(16.0)),
        -1.0,
        "a scope wins"
    );
    assert_eq!(sqrt(16.0), 4.0, "and ends");

    // Another thread, without a scope: still the embedded default.
    assert_eq!(std::thread::spawn(|| sqrt(9.0)).join().unwrap(), 3.0);

    // A default set later wins on every thread.
    set_default_client(mock.clone());
    assert_eq!(sqrt(16.0), -1.0);
    assert_eq!(std::thread::spawn(|| sqrt(9.0)).join().unwrap(), -1.0);
    mock.verify().unwrap();
}
