//! [`ReturnPolicy`]: whether a result comes back as data or as a ref. Conversions declare the
//! policy they want ([`FromValue::RETURN_POLICY`](crate::FromValue::RETURN_POLICY)), so it belongs
//! with the data types rather than with the request.

/// How the result of a call comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnPolicy {
    /// Plain data (exact `int`, `float`, `str`, containers of them, ...) by value; anything else
    /// (ndarrays, class instances, iterators, modules, subclasses of plain types) as a ref.
    #[default]
    Auto,
    /// Always by value: subclasses of plain types are converted to the base type; objects that
    /// are not data are a [`Decode`](crate::Error::Decode) error.
    Value,
    /// Always a [`PyRef`](crate::PyRef), even for plain data.
    Ref,
    /// A [`PyRef`](crate::PyRef), but Python `None` as [`Value::None`](crate::Value::None):
    /// what `Option<T>` asks for when `T` asks for a ref (`Option<PyRef>`, an optional
    /// generated class), so that `None` decodes as `None` rather than as a ref to `None`.
    RefOrNone,
    /// By value, as a map (what `HashMap` and `BTreeMap` ask for): a `dict` as it is, and an
    /// object that holds keyed data as the dict of its items: a `collections.abc.Mapping`
    /// (`os.environ`, a `MappingProxyType`), a pandas Series (index → value) or DataFrame
    /// (column → column), a numpy structured array (field → column). Keys that repeat (a
    /// Series index with duplicate labels) are a [`Decode`](crate::Error::Decode) error, not a
    /// map that silently lost values. Anything else converts as for
    /// [`Value`](ReturnPolicy::Value). Only the result itself is looked at this way; the
    /// values in it convert as data.
    Map,
}

impl ReturnPolicy {
    /// The policy of a container of items with these policies: by value when every item is
    /// plain Rust data (`Vec<i64>` from a numpy array, a `(f64, String)` from a tuple
    /// subclass), otherwise [`Auto`](ReturnPolicy::Auto) so that items which are objects
    /// (`Vec<PyRef>`, `Vec<Value>`) come back as refs.
    ///
    /// ```
    /// use snakebridge_runtime::{FromValue, ReturnPolicy};
    /// assert_eq!(<Vec<Vec<f64>> as FromValue>::RETURN_POLICY, ReturnPolicy::Value);
    /// assert_eq!(<Vec<snakebridge_runtime::Value> as FromValue>::RETURN_POLICY, ReturnPolicy::Auto);
    /// ```
    pub const fn of_items(items: &[ReturnPolicy]) -> ReturnPolicy {
        // (`RefOrNone` items, `Vec<Option<PyRef>>`, ask for `Auto`: refs and `None` as they are.)
        let mut i = 0;
        while i < items.len() {
            if !matches!(items[i], ReturnPolicy::Value | ReturnPolicy::Map) {
                return ReturnPolicy::Auto;
            }
            i += 1;
        }
        ReturnPolicy::Value
    }

    /// The policy of a map whose keys and values have these policies:
    /// [`Map`](ReturnPolicy::Map) when both are plain Rust data (a `HashMap<String, f64>` from
    /// a pandas Series), otherwise [`Auto`](ReturnPolicy::Auto), as for
    /// [`of_items`](Self::of_items).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use snakebridge_runtime::{FromValue, ReturnPolicy, Value};
    /// assert_eq!(<HashMap<String, f64> as FromValue>::RETURN_POLICY, ReturnPolicy::Map);
    /// assert_eq!(<HashMap<String, Value> as FromValue>::RETURN_POLICY, ReturnPolicy::Auto);
    /// // A list of maps asks for data; each map is a dict there.
    /// assert_eq!(<Vec<HashMap<String, i64>> as FromValue>::RETURN_POLICY, ReturnPolicy::Value);
    /// ```
    pub const fn of_map(key: ReturnPolicy, value: ReturnPolicy) -> ReturnPolicy {
        match Self::of_items(&[key, value]) {
            ReturnPolicy::Value => ReturnPolicy::Map,
            other => other,
        }
    }
}
