//! A generated call site the embedded client resolved takes a direct path while the embedded
//! client is the fallback default (`FALLBACK_SITE_CALL`). That path must never take a call away
//! from the client the program chose: a `with_client` scope, or a default set later. Its own
//! test binary, because it sets the process-wide default.

use snakebridge_runtime::{Call, CallSite, MockClient, Value, set_default_client, with_client};

/// What `#[python_module("math")]` generates for `math.sqrt`.
static SQRT: CallSite = CallSite::new("math", "sqrt");

fn sqrt(x: f64) -> f64 {
    Call::at(&SQRT, (x,)).call().unwrap()
}

#[test]
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
