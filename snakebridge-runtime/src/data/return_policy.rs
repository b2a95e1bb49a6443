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
}
