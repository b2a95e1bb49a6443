//! Deep values never overflow the stack. Every recursive walk over a [`Value`](super::value::Value)
//! or a Python object (the embedded conversions, the wire codec, the serde bridge) descends
//! through [`deeper`], which grows the stack on the heap when it runs low, and stops at
//! [`MAX_NESTING`] levels with an error that says where. So every value the runtime builds is
//! at most that deep; a deeper one built by hand is refused by encoding and dropped without
//! recursion by the request that held it ([`Value::drop_deep`](super::value::Value::drop_deep)).

pub use snakebridge_contract::MAX_NESTING;

use super::error::Error;
use super::value::Value;

/// Grow the stack when less than this is left.
const RED_ZONE: usize = 256 * 1024;
/// By this much at a time.
const GROWTH: usize = 4 * 1024 * 1024;

/// Runs one level of a recursive walk with enough stack for it.
#[inline]
pub(crate) fn deeper<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, GROWTH, f)
}

/// The error for data nested deeper than [`MAX_NESTING`]; `decoding` tells the direction,
/// `what` the value (`"list"`), `path` where it happened (`[0][0][1]`).
pub(crate) fn too_deep(decoding: bool, what: &str, path: &str) -> Error {
    let message = format!(
        "nested more than {MAX_NESTING} levels deep (at {}); flatten the data, or keep it in \
         Python as a ref",
        if path.is_empty() { "the top" } else { path }
    );
    if decoding {
        Error::decode(what.to_owned(), message)
    } else {
        Error::encode(format!("{what} {message}"))
    }
}

/// The depth of the items of a container at `depth`, or the error for going past
/// [`MAX_NESTING`] (`decoding` tells the direction, `what` the container).
#[inline]
pub(crate) fn inside(decoding: bool, depth: usize, what: &str) -> Result<usize, Error> {
    if depth >= MAX_NESTING {
        return Err(too_deep(decoding, what, &format!("depth {depth}")));
    }
    Ok(depth + 1)
}

/// Visits `roots` and everything inside them, parents before children and items in order,
/// without recursion: `visit(value, depth)` says whether to look inside `value` (dict entries
/// are visited key, then value). The first error stops the walk.
pub(crate) fn walk<'a, E>(
    roots: impl IntoIterator<Item = &'a Value>,
    mut visit: impl FnMut(&'a Value, usize) -> Result<bool, E>,
) -> Result<(), E> {
    // Allocated only when a container comes: most calls' arguments are scalars.
    let mut stack: Vec<(&'a Value, usize)> = Vec::new();
    for root in roots {
        let mut next = Some((root, 0));
        while let Some((v, d)) = next.take().or_else(|| stack.pop()) {
            if !visit(v, d)? {
                continue;
            }
            match v {
                Value::List(items)
                | Value::Tuple(items)
                | Value::Set(items)
                | Value::FrozenSet(items) => stack.extend(items.iter().rev().map(|c| (c, d + 1))),
                Value::Dict(pairs) => {
                    for (k, v) in pairs.iter().rev() {
                        stack.push((v, d + 1));
                        stack.push((k, d + 1));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn is_container(v: &Value) -> bool {
    matches!(
        v,
        Value::List(_) | Value::Tuple(_) | Value::Set(_) | Value::FrozenSet(_) | Value::Dict(_)
    )
}

/// The depth of `value`'s deepest container (0 for a scalar), counted without recursion and
/// without looking further than `MAX_NESTING + 1` levels.
pub(crate) fn depth(value: &Value) -> usize {
    if !is_container(value) {
        // Most arguments: no walk (and no stack to allocate).
        return 0;
    }
    let mut deepest = 0;
    let Ok(()) = walk::<std::convert::Infallible>([value], |v, d| {
        let container = is_container(v);
        if container {
            deepest = deepest.max(d + 1);
        }
        Ok(container && d < MAX_NESTING + 1)
    });
    deepest
}

/// An error when any of `values` nests deeper than [`MAX_NESTING`] (checked before a value
/// leaves for a pool worker, whose interpreter would otherwise fail on it).
pub(crate) fn check<'a>(values: impl IntoIterator<Item = &'a Value>) -> Result<(), Error> {
    for v in values {
        if depth(v) > MAX_NESTING {
            return Err(too_deep(false, v.type_name(), "an argument"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..levels {
            v = Value::List(vec![v]);
        }
        v
    }

    #[test]
    fn depth_counts_containers_iteratively() {
        assert_eq!(depth(&Value::Int(1)), 0);
        assert_eq!(depth(&nested(3)), 3);
        let dict = Value::Dict(vec![(Value::Str("k".into()), nested(2))]);
        assert_eq!(depth(&dict), 3);
        assert!(check([&nested(MAX_NESTING)]).is_ok());
        let deep = nested(MAX_NESTING + 1);
        assert!(matches!(check([&deep]), Err(Error::Encode { .. })));
    }
}
