//! The compact binary form of plain values: what the pool's binary frames carry
//! (`pool/protocol/PROTOCOL.md`, "Binary frames") instead of JSON, for calls whose arguments
//! and results are scalars, strings, bytes and small lists or tuples of them. It carries
//! exactly what the JSON wire form ([`super::wire`]) carries for those values, so a value
//! converts the same either way (`tests/codec_props.rs` checks it); any other value has no
//! binary form ([`encode_value`] says so) and travels as JSON.
//!
//! | value | bytes (integers little-endian) |
//! |---|---|
//! | `None` | `00` |
//! | `False`, `True` | `01`, `02` |
//! | `int` within i64 | `03` + i64 |
//! | `float` (NaN and ±inf included) | `04` + f64 |
//! | `str` | `05` + u32 length + UTF-8 |
//! | `bytes` | `06` + u32 length + bytes |
//! | `list`, `tuple` | `07`, `08` + u32 count + the items, nested at most [`MAX_DEPTH`] deep |
//!
//! ```
//! use snakebridge_runtime::Value;
//! use snakebridge_runtime::client::binary_wire::{decode_value, encode_value};
//!
//! let v = Value::List(vec![Value::Int(3), Value::Str("x".into())]);
//! let mut bytes = Vec::new();
//! assert!(encode_value(&v, &mut bytes));
//! assert_eq!(decode_value(&bytes)?, (v, bytes.len()));
//! # Ok::<(), snakebridge_runtime::Error>(())
//! ```

use crate::data::error::{Error, Result};
use crate::data::value::Value;

/// `None`.
pub const NONE: u8 = 0;
/// `False`.
pub const FALSE: u8 = 1;
/// `True`.
pub const TRUE: u8 = 2;
/// An `int` within i64: 8 bytes follow.
pub const INT: u8 = 3;
/// A `float`: 8 bytes follow.
pub const FLOAT: u8 = 4;
/// A `str`: a u32 length and that many bytes of UTF-8 follow.
pub const STR: u8 = 5;
/// `bytes`: a u32 length and the bytes follow.
pub const BYTES: u8 = 6;
/// A `list`: a u32 count and the items follow.
pub const LIST: u8 = 7;
/// A `tuple`: a u32 count and the items follow.
pub const TUPLE: u8 = 8;

/// How deep lists and tuples nest in the binary form (deeper values travel as JSON): small
/// enough for the worker's recursive reader, deep enough for rows of rows.
pub const MAX_DEPTH: usize = 8;

/// Appends the binary form of `value` to `out`; false (with `out` left as it was) when it has
/// none: a value other than those of the table, a list nested deeper than [`MAX_DEPTH`], or a
/// string, bytes or list too long for a u32 length.
pub fn encode_value(value: &Value, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let ok = encode(value, out, 0);
    if !ok {
        out.truncate(start);
    }
    ok
}

/// Whether `value` has a binary form: [`encode_value`] into a scratch buffer, so the two can
/// never disagree (for checks and tests, not a hot path).
pub fn encodable(value: &Value) -> bool {
    encode_value(value, &mut Vec::new())
}

fn length(out: &mut Vec<u8>, n: usize) -> bool {
    match u32::try_from(n) {
        Ok(n) => {
            out.extend_from_slice(&n.to_le_bytes());
            true
        }
        Err(_) => false,
    }
}

fn encode(value: &Value, out: &mut Vec<u8>, depth: usize) -> bool {
    match value {
        Value::None => out.push(NONE),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Int(i) => {
            out.push(INT);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(x) => {
            out.push(FLOAT);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Value::Str(s) => {
            out.push(STR);
            if !length(out, s.len()) {
                return false;
            }
            out.extend_from_slice(s.as_bytes());
        }
        Value::Bytes(b) => {
            out.push(BYTES);
            if !length(out, b.len()) {
                return false;
            }
            out.extend_from_slice(b);
        }
        Value::List(items) | Value::Tuple(items) => {
            if depth >= MAX_DEPTH {
                return false;
            }
            out.push(if matches!(value, Value::List(_)) {
                LIST
            } else {
                TUPLE
            });
            if !length(out, items.len()) {
                return false;
            }
            for item in items {
                if !encode(item, out, depth + 1) {
                    return false;
                }
            }
        }
        _ => return false,
    }
    true
}

fn bad(message: impl Into<String>) -> Error {
    Error::decode("binary wire value", message)
}

/// Reads one value at the start of `bytes`: the value and how many bytes it took. An error
/// names what is wrong (an unknown tag, a value cut short, text that is not UTF-8, nesting
/// past [`MAX_DEPTH`]).
pub fn decode_value(bytes: &[u8]) -> Result<(Value, usize)> {
    let mut at = 0;
    let value = decode(bytes, &mut at, 0)?;
    Ok((value, at))
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8]> {
    let end = at
        .checked_add(n)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| {
            bad(format!(
                "a value cut short: {n} bytes wanted at byte {at}, {} there",
                bytes.len()
            ))
        })?;
    let out = &bytes[*at..end];
    *at = end;
    Ok(out)
}

fn eight(bytes: &[u8], at: &mut usize) -> Result<[u8; 8]> {
    Ok(take(bytes, at, 8)?.try_into().expect("8 bytes"))
}

fn counted<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8]> {
    let n = u32::from_le_bytes(take(bytes, at, 4)?.try_into().expect("4 bytes"));
    take(bytes, at, n as usize)
}

fn decode(bytes: &[u8], at: &mut usize, depth: usize) -> Result<Value> {
    let tag = take(bytes, at, 1)?[0];
    Ok(match tag {
        NONE => Value::None,
        FALSE => Value::Bool(false),
        TRUE => Value::Bool(true),
        INT => Value::Int(i64::from_le_bytes(eight(bytes, at)?)),
        FLOAT => Value::Float(f64::from_le_bytes(eight(bytes, at)?)),
        STR => Value::Str(
            std::str::from_utf8(counted(bytes, at)?)
                .map_err(|e| bad(format!("a string that is not UTF-8: {e}")))?
                .to_owned(),
        ),
        BYTES => Value::Bytes(counted(bytes, at)?.to_vec()),
        LIST | TUPLE => {
            if depth >= MAX_DEPTH {
                return Err(bad(format!("lists nested deeper than {MAX_DEPTH}")));
            }
            let n = u32::from_le_bytes(take(bytes, at, 4)?.try_into().expect("4 bytes"));
            // Each item takes a byte at least: a count beyond what is left is a lie, not a
            // reason to reserve memory.
            if n as usize > bytes.len() - *at {
                return Err(bad(format!("a list of {n} items in {} bytes", bytes.len())));
            }
            let items = (0..n)
                .map(|_| decode(bytes, at, depth + 1))
                .collect::<Result<Vec<_>>>()?;
            if tag == LIST {
                Value::List(items)
            } else {
                Value::Tuple(items)
            }
        }
        other => return Err(bad(format!("unknown tag {other:#04x} at byte {}", *at - 1))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_without_a_binary_form_are_refused_and_nothing_is_written() {
        let mut out = vec![9];
        let deep = (0..=MAX_DEPTH).fold(Value::Int(1), |v, _| Value::List(vec![v]));
        for v in [
            Value::Dict(vec![]),
            Value::List(vec![Value::Int(1), Value::Set(vec![])]),
            deep,
        ] {
            assert!(!encodable(&v), "{v:?}");
            assert!(!encode_value(&v, &mut out), "{v:?}");
            assert_eq!(out, [9]);
        }
    }

    #[test]
    fn broken_input_is_an_error_never_a_panic() {
        for bytes in [
            &[][..],
            &[INT, 1, 2],
            &[STR, 5, 0, 0, 0, b'a'],
            &[STR, 1, 0, 0, 0, 0xff],
            &[LIST, 0xff, 0xff, 0xff, 0xff],
            &[42],
        ] {
            assert!(decode_value(bytes).is_err(), "{bytes:?}");
        }
    }
}
