//! A generated call site the embedded client resolved takes a direct path while the embedded
//! client is the fallback default (`FALLBACK_SITE_CALL`). That path must never take a call away
//! from the client the program chose: a `with_client` scope, or a default set later. Its own
//! test binary, because it sets the process-wide default.

use snakebridge_runtime::client::CallSite;
use snakebridge_runtime::{
    Call, Error, FromValue, IntoValue, MockClient, ReturnPolicy, SiteCall, Value,
    set_default_client, with_client,
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
    logging_waits_for_a_subscriber();
    the_direct_path_converts_as_the_general_path_does();
    typed_site_calls_give_what_the_general_path_gives();
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

/// No `tracing` subscriber in this binary: the interpreter's start did not import `logging`
/// for the handler that forwards its records (`python_logging_at_start.rs` has the other case).
// Mutation: `logs::install` making the handler whatever the level (`logging` is imported).
fn logging_waits_for_a_subscriber() {
    let modules: snakebridge_runtime::PyRef =
        snakebridge_runtime::module_attr("sys", "modules").unwrap();
    let imported: bool = modules.call_method("__contains__", ("logging",)).unwrap();
    assert!(!imported, "the interpreter's start imported logging");
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

/// `site(*args)` as a `SiteCall` (twice: the first call resolves the site through the general
/// path, the second takes the typed path) and as `Call::at` asked by name through a
/// `with_client` scope (the general path all the way): the same result, or the same error.
fn typed_and_general<A, R>(site: &'static CallSite, args: A) -> [Result<R, Error>; 3]
where
    A: snakebridge_runtime::__private::SiteArgs + Clone,
    R: FromValue,
{
    let typed = || SiteCall::<A, R>::new(site, args.clone()).call();
    let general = with_client(snakebridge_runtime::EmbeddedClient::shared(), || {
        Call::<R>::function(site.module, site.name, args.clone()).call()
    });
    [typed(), typed(), general]
}

/// Errors compared by what a caller sees: the variant, Python's class and message, the call's
/// context (module, function, arity) and that the Rust location is recorded.
fn outcome<R: std::fmt::Debug>(r: &Result<R, Error>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(Error::Python(e)) => format!(
            "{:?} {}: {} at {}.{}/{} from Rust {}",
            e.kind,
            e.class,
            e.message,
            e.context.python_module,
            e.context.function,
            e.context.arity,
            e.context.rust_location.is_some()
        ),
        Err(e) => format!("{e:?}"),
    }
}

fn agree<A, R>(site: &'static CallSite, args: A) -> String
where
    A: snakebridge_runtime::__private::SiteArgs + Clone + std::fmt::Debug,
    R: FromValue + std::fmt::Debug,
{
    let [first, typed, general] = typed_and_general::<A, R>(site, args.clone());
    let (first, typed, general) = (outcome(&first), outcome(&typed), outcome(&general));
    let what = format!("{}.{}{args:?}", site.module, site.name);
    assert_eq!(typed, general, "{what}");
    assert_eq!(first, general, "{what}");
    typed
}

/// A generated function of scalar arguments returns a `SiteCall`, whose typed path makes its
/// arguments from the Rust scalars and reads its result into `R`: results and errors must be
/// the general path's, to the error's context.
fn typed_site_calls_give_what_the_general_path_gives() {
    static SQRT_T: CallSite = CallSite::new("math", "sqrt");
    static FACTORIAL: CallSite = CallSite::new("math", "factorial");
    static ISFINITE: CallSite = CallSite::new("math", "isfinite");
    static CONCAT: CallSite = CallSite::new("operator", "concat");
    static DIVMOD: CallSite = CallSite::new("builtins", "divmod");
    static TRUTH: CallSite = CallSite::new("operator", "truth");
    static COPYSIGN: CallSite = CallSite::new("math", "copysign");
    assert_eq!(agree::<_, f64>(&SQRT_T, (2.25,)), "1.5");
    assert_eq!(agree::<_, i64>(&FACTORIAL, (20i64,)), "2432902008176640000");
    assert_eq!(agree::<_, bool>(&ISFINITE, (f64::INFINITY,)), "false");
    assert_eq!(
        agree::<_, String>(&CONCAT, ("snake".to_owned(), "bridge🐍".to_owned())),
        "\"snakebridge🐍\""
    );
    assert_eq!(agree::<_, bool>(&TRUTH, (true,)), "true");
    assert_eq!(agree::<_, f64>(&COPYSIGN, (3.0, -0.0)), "-3.0");
    // A result beyond what `R` holds, or of another kind: the general conversion's error.
    assert!(agree::<_, i32>(&FACTORIAL, (20i64,)).contains("out of range"));
    assert!(agree::<_, String>(&SQRT_T, (4.0,)).contains("Decode"));
    // A result no scalar: the general conversion.
    assert_eq!(agree::<_, (i64, i64)>(&DIVMOD, (7i64, 2i64)), "(3, 1)");
    // Python's errors, with the call's context.
    assert_eq!(
        agree::<_, f64>(&SQRT_T, (-1.0,)),
        "ValueError ValueError: math domain error at math.sqrt/1 from Rust true"
    );
    assert!(agree::<_, i64>(&FACTORIAL, (-1i64,)).starts_with("ValueError"));
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
