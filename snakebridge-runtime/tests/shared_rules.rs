//! The rules both clients apply (keyed data for map results, carries-an-array and the items of
//! sequences and sets for data results) come from one Python source (`python/snakebridge_worker/rules.py`): the embedded
//! client and a pool worker give the same value or the same error, word for word, at their
//! edges.

#![cfg(feature = "embedded")]

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::{Error, call, with_client};

/// `(what, message)` of a decode error, or the value.
fn outcome<R: snakebridge_runtime::FromValue + std::fmt::Debug>(
    client: Arc<dyn RuntimeClient>,
    function: &'static str,
) -> Result<String, (String, String)> {
    with_client(client, || {
        match call::<R>("snakebridge_rules", function, ()) {
            Ok(v) => Ok(format!("{v:?}")),
            Err(Error::Decode { what, message, .. }) => Err((what, message)),
            Err(e) => panic!("{function}: not a decode error: {e:?}"),
        }
    })
}

fn both<R: snakebridge_runtime::FromValue + std::fmt::Debug>(
    function: &'static str,
) -> Result<String, (String, String)> {
    let embedded = outcome::<R>(support::embedded(), function);
    let pool = support::pool(1);
    let pooled = outcome::<R>(pool, function);
    assert_eq!(embedded, pooled, "{function}: the clients disagree");
    embedded
}

#[test]
fn a_mapping_whose_items_raise_is_the_same_error_on_both_clients() {
    let (what, message) = both::<HashMap<String, i64>>("broken_mapping").unwrap_err();
    assert_eq!(what, "a map from BrokenMapping");
    assert_eq!(message, "ValueError: no items today");
}

#[test]
fn repeated_keys_of_an_array_carrier_are_the_same_error_on_both_clients() {
    let (what, message) = both::<HashMap<String, i64>>("carrier").unwrap_err();
    assert_eq!(what, "a map from Carrier");
    assert!(
        message.starts_with("its keys repeat (3 items, 2 distinct keys)"),
        "{message}"
    );
}

#[test]
fn unhashable_keys_are_the_same_error_on_both_clients() {
    let (what, message) = both::<HashMap<String, i64>>("unhashable").unwrap_err();
    assert_eq!(what, "a map from Unhashable");
    assert_eq!(message, "TypeError: unhashable type: 'list'");
}

#[test]
fn a_sequence_whose_items_raise_is_the_same_error_on_both_clients() {
    let (what, message) = both::<Vec<i64>>("broken_sequence").unwrap_err();
    assert_eq!(what, "BrokenSequence");
    assert_eq!(message, "ValueError: no item 1");
}

#[test]
fn sequences_asked_for_as_data_are_their_items_on_both_clients() {
    assert_eq!(
        both::<(Vec<i64>, Vec<i64>)>("ranges").unwrap(),
        "([0, 1], [1, 2])"
    );
}

#[test]
fn an_array_carrier_asked_for_as_data_is_its_array_on_both_clients() {
    assert_eq!(both::<Vec<i64>>("carrier").unwrap(), "[0, 1, 2]");
}
