//! [`Value`]: the Rust model of everything that crosses the boundary, and its conversions from
//! and to ordinary Rust types ([`IntoValue`] / [`FromValue`]).
//!
//! The model is lossless for Python's plain data: an `int` of any size, a `float` including NaN,
//! ±inf and -0.0, `str`, `bytes`, `list`, `tuple`, `dict` (insertion order and non-string keys
//! kept), `set`, `frozenset`, `datetime`/`date`/`time`, `complex` and `None`. Everything else stays
//! in Python and is represented by a [`PyRef`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use num_bigint::BigInt;

use crate::data::array::NdArray;
use crate::data::error::{Error, Result};
use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;

/// A value that crosses between Rust and Python.
///
/// ```
/// use snakebridge_runtime::{Value, IntoValue};
///
/// let v = vec![(1, "one"), (2, "two")].into_value();
/// assert_eq!(v, Value::List(vec![
///     Value::Tuple(vec![Value::Int(1), Value::Str("one".into())]),
///     Value::Tuple(vec![Value::Int(2), Value::Str("two".into())]),
/// ]));
/// ```
///
/// Equality is structural (sets ignore order); floats compare by bit pattern except that every
/// NaN equals every NaN, so `-0.0 != 0.0` and a NaN round trip compares equal.
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `bool`.
    Bool(bool),
    /// An `int` that fits in `i64`.
    Int(i64),
    /// An `int` that does not fit in `i64`. Constructors keep the invariant; use
    /// [`Value::from_bigint`] to normalise.
    BigInt(BigInt),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<Value>),
    /// `tuple`.
    Tuple(Vec<Value>),
    /// `dict`: key/value pairs in insertion order; keys may be any hashable value.
    Dict(Vec<(Value, Value)>),
    /// `set` (elements in Python's iteration order).
    Set(Vec<Value>),
    /// `frozenset`.
    FrozenSet(Vec<Value>),
    /// `datetime.datetime`.
    DateTime(DateTime),
    /// `datetime.date`.
    Date(Date),
    /// `datetime.time`.
    Time(Time),
    /// `complex`.
    Complex {
        /// Real part.
        re: f64,
        /// Imaginary part.
        im: f64,
    },
    /// A numpy array of a numeric or bool dtype, by value (see [`NdArray`]: owned Rust buffers
    /// cross without a copy).
    Array(NdArray),
    /// Any other object, left in the runtime that made it.
    Ref(PyRef),
}

impl Value {
    /// An `int` from a big integer, stored as [`Value::Int`] when it fits.
    pub fn from_bigint(i: BigInt) -> Value {
        match i64::try_from(&i) {
            Ok(small) => Value::Int(small),
            Err(_) => Value::BigInt(i),
        }
    }

    /// The Python type name of this value (`"int"`, `"dict"`, `"ref"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::FrozenSet(_) => "frozenset",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Complex { .. } => "complex",
            Value::Array(_) => "ndarray",
            Value::Ref(_) => "ref",
        }
    }

    /// True for the variants that own no memory (their drop does nothing).
    #[inline]
    pub(crate) fn owns_nothing(&self) -> bool {
        matches!(
            self,
            Value::None
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Complex { .. }
                | Value::Date(_)
                | Value::Time(_)
                | Value::DateTime(_)
        )
    }

    /// Drops this value without recursion, however deep it is nested.
    ///
    /// An ordinary drop of a [`Value`] recurses once per level of nesting, as `Vec`'s does, so
    /// a value built by hand tens of thousands of levels deep overflows the stack when it goes
    /// out of scope. `Value` does not implement `Drop` itself (that would forbid moving out of
    /// its variants in a `match`); values the runtime decodes are never deeper than
    /// [`MAX_NESTING`](crate::contract::MAX_NESTING), and the arguments of a call are dropped this way.
    /// Call it on values of unbounded depth that you build yourself.
    ///
    /// ```
    /// use snakebridge_runtime::Value;
    /// let mut deep = Value::None;
    /// for _ in 0..200_000 {
    ///     deep = Value::List(vec![deep]);
    /// }
    /// deep.drop_deep(); // `drop(deep)` would overflow the stack
    /// ```
    pub fn drop_deep(self) {
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            match value {
                Value::List(items)
                | Value::Tuple(items)
                | Value::Set(items)
                | Value::FrozenSet(items) => stack.extend(items),
                Value::Dict(pairs) => {
                    for (k, v) in pairs {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                // Leaves: their drop does not recurse.
                _ => {}
            }
        }
    }

    /// True when dropping this value could recurse (a container holding a non-empty container).
    #[inline]
    pub(crate) fn nests_containers(&self) -> bool {
        let container = |v: &Value| match v {
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => !items.is_empty(),
            Value::Dict(pairs) => !pairs.is_empty(),
            _ => false,
        };
        match self {
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => items.iter().any(container),
            Value::Dict(pairs) => pairs.iter().any(|(k, v)| container(k) || container(v)),
            _ => false,
        }
    }

    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The ref, if this value is one.
    pub fn as_ref(&self) -> Option<&PyRef> {
        match self {
            Value::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Looks a key up in a [`Value::Dict`] (linear: dicts keep their order, not an index).
    pub fn get(&self, key: impl IntoValue) -> Option<&Value> {
        let key = key.into_value();
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Converts this value into a Rust type (shorthand for [`FromValue::from_value`]).
    ///
    /// ```
    /// # use snakebridge_runtime::Value;
    /// let v = Value::List(vec![Value::Int(1), Value::Int(2)]);
    /// let numbers: Vec<i64> = v.extract().unwrap();
    /// assert_eq!(numbers, [1, 2]);
    /// ```
    pub fn extract<T: FromValue>(self) -> Result<T> {
        T::from_value(self)
    }
}

fn float_eq(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (BigInt(a), BigInt(b)) => a == b,
            (Float(a), Float(b)) => float_eq(*a, *b),
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            // Sets are unordered: Python iterates them in hash order, not insertion order.
            (Set(a), Set(b)) | (FrozenSet(a), FrozenSet(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.contains(x))
            }
            (Dict(a), Dict(b)) => a == b,
            (DateTime(a), DateTime(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            (Complex { re: r1, im: i1 }, Complex { re: r2, im: i2 }) => {
                float_eq(*r1, *r2) && float_eq(*i1, *i2)
            }
            (Array(a), Array(b)) => a == b,
            (Ref(a), Ref(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::BigInt(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "b{:?}", String::from_utf8_lossy(b)),
            Value::List(items) => f.debug_list().entries(items).finish(),
            Value::Tuple(items) => {
                let mut t = f.debug_tuple("");
                for item in items {
                    t.field(item);
                }
                t.finish()
            }
            Value::Dict(items) => f
                .debug_map()
                .entries(items.iter().map(|(k, v)| (k, v)))
                .finish(),
            Value::Set(items) => f.debug_set().entries(items).finish(),
            Value::FrozenSet(items) => {
                f.write_str("frozenset(")?;
                f.debug_set().entries(items).finish()?;
                f.write_str(")")
            }
            Value::DateTime(d) => write!(f, "datetime({d})"),
            Value::Date(d) => write!(f, "date({d})"),
            Value::Time(t) => write!(f, "time({t})"),
            Value::Complex { re, im } => write!(f, "({re:?}{im:+?}j)"),
            Value::Array(a) => write!(f, "{a:?}"),
            Value::Ref(r) => write!(f, "{r:?}"),
        }
    }
}

/// `datetime.date`: a proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// 1..=9999 as in Python.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
}

/// `datetime.time`, with an optional fixed UTC offset (Python's `tzinfo`, reduced to its offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
    /// 0..=999_999.
    pub microsecond: u32,
    /// Offset from UTC in seconds for aware values; `None` for naive ones.
    pub utc_offset: Option<i32>,
}

/// `datetime.datetime`: a date and a time of day (naive or with a fixed UTC offset).
///
/// Named time zones (`zoneinfo`) arrive as their UTC offset at that instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date part.
    pub date: Date,
    /// The time part, with the offset.
    pub time: Time,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if self.microsecond != 0 {
            write!(f, ".{:06}", self.microsecond)?;
        }
        if let Some(off) = self.utc_offset {
            let sign = if off < 0 { '-' } else { '+' };
            let abs = off.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)?;
            if abs % 60 != 0 {
                write!(f, ":{:02}", abs % 60)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for DateTime {
    /// ISO 8601, as Python's `isoformat()` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl std::str::FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Date> {
        let bad = || Error::decode("date", format!("`{s}` is not YYYY-MM-DD"));
        let mut parts = s.splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        let date = Date {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
        };
        if !(1..=12).contains(&date.month) || !(1..=31).contains(&date.day) {
            return Err(bad());
        }
        Ok(date)
    }
}

impl std::str::FromStr for Time {
    type Err = Error;
    fn from_str(s: &str) -> Result<Time> {
        let bad = || Error::decode("time", format!("`{s}` is not HH:MM:SS[.ffffff][+HH:MM]"));
        let (clock, offset) = match s.find(['+', '-', 'Z']) {
            Some(i) => (&s[..i], Some(&s[i..])),
            None => (s, None),
        };
        let (hms, micro) = match clock.split_once('.') {
            Some((hms, frac)) if frac.len() == 6 => (hms, frac.parse().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
            None => (clock, 0),
        };
        let fields: Vec<&str> = hms.split(':').collect();
        if fields.len() != 3 {
            return Err(bad());
        }
        let num = |x: &str| x.parse::<u8>().map_err(|_| bad());
        let utc_offset = match offset {
            None => None,
            Some("Z") => Some(0),
            Some(o) => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let parts: Vec<&str> = o[1..].split(':').collect();
                if !(2..=3).contains(&parts.len()) {
                    return Err(bad());
                }
                let mut secs = 0i32;
                for (part, scale) in parts.iter().zip([3600, 60, 1]) {
                    secs += i32::from(num(part)?) * scale;
                }
                Some(sign * secs)
            }
        };
        let time = Time {
            hour: num(fields[0])?,
            minute: num(fields[1])?,
            second: num(fields[2])?,
            microsecond: micro,
            utc_offset,
        };
        if time.hour > 23 || time.minute > 59 || time.second > 59 || time.microsecond > 999_999 {
            return Err(bad());
        }
        Ok(time)
    }
}

impl std::str::FromStr for DateTime {
    type Err = Error;
    fn from_str(s: &str) -> Result<DateTime> {
        let (date, time) = s
            .split_once('T')
            .ok_or_else(|| Error::decode("datetime", format!("`{s}` is not ISO 8601")))?;
        Ok(DateTime {
            date: date.parse()?,
            time: time.parse()?,
        })
    }
}

/// Marks a byte buffer to cross as Python `bytes` (a plain `Vec<u8>` crosses as a `list` of
/// ints, as serde would have it).
///
/// ```
/// use snakebridge_runtime::{Bytes, IntoValue, Value};
/// assert_eq!(Bytes(vec![0, 255]).into_value(), Value::Bytes(vec![0, 255]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<&Vec<u8>> for Bytes {
    fn from(v: &Vec<u8>) -> Self {
        Bytes(v.clone())
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    /// `b"abc"` literals.
    fn from(v: &[u8; N]) -> Self {
        Bytes(v.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Bytes {
    fn from(v: [u8; N]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<&str> for Bytes {
    /// The UTF-8 bytes of the string.
    fn from(v: &str) -> Self {
        Bytes(v.as_bytes().to_vec())
    }
}

/// Conversion of a Rust value into a [`Value`].
///
/// Implemented for the Rust types with a natural Python counterpart; implement it for your own
/// types, or go through serde with [`crate::data::serde::to_value`].
pub trait IntoValue {
    /// Performs the conversion.
    fn into_value(self) -> Value;
}

/// Conversion of a [`Value`] into a Rust type, failing with [`Error::Decode`] on a mismatch.
pub trait FromValue: Sized {
    /// How a call whose result becomes `Self` asks for it: [`ReturnPolicy::Auto`] (plain data by
    /// value, other objects as refs) for most types, [`ReturnPolicy::Ref`] for [`PyRef`] and
    /// generated classes, so that even plain data comes back as a handle when that is asked for.
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Auto;

    /// Performs the conversion.
    fn from_value(value: Value) -> Result<Self>;
}

fn mismatch<T>(expected: &str, got: &Value) -> Result<T> {
    let message = match got {
        // Not data but an object that stayed in Python: say how to get at its data.
        Value::Ref(_) => format!(
            "Python returned an object that stays in Python ({got:?}); {}",
            snakebridge_contract::NOT_DATA_HINT
        ),
        _ => format!("Python returned {} {got:?}", got.type_name()),
    };
    Err(Error::decode(expected, message))
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for &Value {
    fn into_value(self) -> Value {
        self.clone()
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::None
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::None => Ok(()),
            other => mismatch("()", &other),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FromValue for bool {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            other => mismatch("bool", &other),
        }
    }
}

macro_rules! int_conversions {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                match i64::try_from(self) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::BigInt(BigInt::from(self)),
                }
            }
        }

        impl FromValue for $t {
            const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
            fn from_value(value: Value) -> Result<Self> {
                let out_of_range = |v: &dyn fmt::Display| {
                    Error::decode(stringify!($t), format!("Python int {v} is out of range"))
                };
                // As for f64: plain ints own nothing, skip the drop glue.
                let value = std::mem::ManuallyDrop::new(value);
                if let Value::Int(i) = *value {
                    return <$t>::try_from(i).map_err(|_| out_of_range(&i));
                }
                match std::mem::ManuallyDrop::into_inner(value) {
                    Value::BigInt(i) => <$t>::try_from(&i).map_err(|_| out_of_range(&i)),
                    Value::Bool(b) => Ok(<$t>::from(b)),
                    other => mismatch(stringify!($t), &other),
                }
            }
        }
    )*};
}

int_conversions!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl IntoValue for BigInt {
    fn into_value(self) -> Value {
        Value::from_bigint(self)
    }
}

impl FromValue for BigInt {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Int(i) => Ok(BigInt::from(i)),
            Value::BigInt(i) => Ok(i),
            other => mismatch("BigInt", &other),
        }
    }
}

impl IntoValue for f64 {
    #[inline]
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}

impl IntoValue for f32 {
    fn into_value(self) -> Value {
        Value::Float(self.into())
    }
}

impl FromValue for f64 {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    /// Accepts `int` too, as Python does wherever a float is expected (`statistics.mean([1, 3])`
    /// returns the int `2`).
    #[inline(always)]
    fn from_value(value: Value) -> Result<Self> {
        // The hot path of every float-returning call: a float or int owns nothing, so skip the
        // drop glue a by-value `match` would run on the whole `Value` afterwards.
        let value = std::mem::ManuallyDrop::new(value);
        match *value {
            Value::Float(x) => Ok(x),
            Value::Int(i) => Ok(i as f64),
            _ => f64_from_other(std::mem::ManuallyDrop::into_inner(value)),
        }
    }
}

/// [`f64::from_value`] of anything but a float or an int.
#[cold]
fn f64_from_other(value: Value) -> Result<f64> {
    match &value {
        Value::BigInt(i) => {
            use num_bigint::ToBigInt;
            let approx: f64 = i.to_string().parse().unwrap_or(f64::NAN);
            // Only exact conversions are accepted, so no precision is silently lost.
            if approx.is_finite() && approx.to_bigint().as_ref() == Some(i) {
                Ok(approx)
            } else {
                mismatch("f64 (exactly)", &value)
            }
        }
        other => mismatch("f64", other),
    }
}

impl FromValue for f32 {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        f64::from_value(value).map(|x| x as f32)
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Str(self)
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::Str(self.clone())
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Str(self.to_owned())
    }
}

impl IntoValue for char {
    fn into_value(self) -> Value {
        Value::Str(self.to_string())
    }
}

impl IntoValue for std::borrow::Cow<'_, str> {
    fn into_value(self) -> Value {
        Value::Str(self.into_owned())
    }
}

impl FromValue for String {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Str(s) => Ok(s),
            other => mismatch("String", &other),
        }
    }
}

impl IntoValue for &std::path::Path {
    /// A path crosses as `str` (what `os.path` functions take); non-UTF-8 parts are replaced.
    fn into_value(self) -> Value {
        Value::Str(self.to_string_lossy().into_owned())
    }
}

impl IntoValue for std::path::PathBuf {
    fn into_value(self) -> Value {
        self.as_path().into_value()
    }
}

impl FromValue for std::path::PathBuf {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        String::from_value(value).map(Into::into)
    }
}

impl IntoValue for Bytes {
    fn into_value(self) -> Value {
        Value::Bytes(self.0)
    }
}

impl FromValue for Bytes {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bytes(b) => Ok(Bytes(b)),
            other => mismatch("Bytes", &other),
        }
    }
}

impl IntoValue for Date {
    fn into_value(self) -> Value {
        Value::Date(self)
    }
}

impl FromValue for Date {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Date(d) => Ok(d),
            other => mismatch("Date", &other),
        }
    }
}

impl IntoValue for Time {
    fn into_value(self) -> Value {
        Value::Time(self)
    }
}

impl FromValue for Time {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Time(t) => Ok(t),
            other => mismatch("Time", &other),
        }
    }
}

impl IntoValue for DateTime {
    fn into_value(self) -> Value {
        Value::DateTime(self)
    }
}

impl FromValue for DateTime {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::DateTime(d) => Ok(d),
            other => mismatch("DateTime", &other),
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::None, IntoValue::into_value)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const RETURN_POLICY: ReturnPolicy = T::RETURN_POLICY;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::None => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: IntoValue + Clone> IntoValue for &[T] {
    fn into_value(self) -> Value {
        Value::List(self.iter().cloned().map(IntoValue::into_value).collect())
    }
}

impl<T: IntoValue, const N: usize> IntoValue for [T; N] {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

/// Elements of any Python sequence or set (`list`, `tuple`, `set`, `frozenset`), or of a numpy
/// array along its first axis.
fn elements(expected: &str, value: Value) -> Result<Vec<Value>> {
    match value {
        Value::List(v) | Value::Tuple(v) | Value::Set(v) | Value::FrozenSet(v) => Ok(v),
        Value::Array(a) if a.ndim() > 0 => elements(expected, a.to_list_value()),
        other => mismatch(expected, &other),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("Vec", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: IntoValue, S> IntoValue for HashSet<T, S> {
    fn into_value(self) -> Value {
        Value::Set(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: FromValue + Eq + Hash, S: BuildHasher + Default> FromValue for HashSet<T, S> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("HashSet", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: IntoValue> IntoValue for BTreeSet<T> {
    fn into_value(self) -> Value {
        Value::Set(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("BTreeSet", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

fn dict_items(expected: &str, value: Value) -> Result<Vec<(Value, Value)>> {
    match value {
        Value::Dict(items) => Ok(items),
        other => mismatch(expected, &other),
    }
}

impl<K: IntoValue, V: IntoValue, S> IntoValue for HashMap<K, V, S> {
    fn into_value(self) -> Value {
        Value::Dict(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_map(K::RETURN_POLICY, V::RETURN_POLICY);
    fn from_value(value: Value) -> Result<Self> {
        dict_items("HashMap", value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<K: IntoValue, V: IntoValue> IntoValue for BTreeMap<K, V> {
    fn into_value(self) -> Value {
        Value::Dict(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_map(K::RETURN_POLICY, V::RETURN_POLICY);
    fn from_value(value: Value) -> Result<Self> {
        dict_items("BTreeMap", value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

/// Whether `arities` are exactly `1, 2, ..., MAX_TUPLE_ARITY`: what the tuple impls (here and
/// `IntoArgs` in the API) must cover for the contract to hold. Checked at compile time.
pub(crate) const fn covers_tuple_arities(arities: &[usize]) -> bool {
    let mut i = 0;
    while i < arities.len() {
        if arities[i] != i + 1 {
            return false;
        }
        i += 1;
    }
    arities.len() == snakebridge_contract::MAX_TUPLE_ARITY
}

macro_rules! tuple_conversions {
    ($(($($name:ident $idx:tt),+))+) => {$(
        impl<$($name: IntoValue),+> IntoValue for ($($name,)+) {
            fn into_value(self) -> Value {
                Value::Tuple(vec![$(self.$idx.into_value()),+])
            }
        }

        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[$($name::RETURN_POLICY),+]);
            fn from_value(value: Value) -> Result<Self> {
                const LEN: usize = [$($idx),+].len();
                let items = match value {
                    Value::Tuple(v) | Value::List(v) if v.len() == LEN => v,
                    // A 1-D numpy array of the right length (`(f64, f64)` from a point).
                    Value::Array(a) if a.ndim() > 0 && a.shape().first() == Some(&LEN) => {
                        match a.to_list_value() {
                            Value::List(v) => v,
                            other => return mismatch(&format!("a tuple of {LEN}"), &other),
                        }
                    }
                    other => return mismatch(&format!("a tuple of {LEN}"), &other),
                };
                let mut items = items.into_iter();
                Ok(($($name::from_value(items.next().expect(stringify!($idx)))?,)+))
            }
        }
    )*
        // The contract's arity: every tuple up to it, no gap, none beyond (the generator emits
        // argument tuples and typed tuple results up to this size).
        const _: () = assert!(
            $crate::data::value::covers_tuple_arities(&[$([$($idx),+].len()),+]),
            "IntoValue/FromValue must cover tuples up to snakebridge_contract::MAX_TUPLE_ARITY"
        );
    };
}

tuple_conversions! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
}

impl IntoValue for PyRef {
    fn into_value(self) -> Value {
        Value::Ref(self)
    }
}

impl IntoValue for &PyRef {
    fn into_value(self) -> Value {
        Value::Ref(self.clone())
    }
}

impl FromValue for PyRef {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Ref;

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Ref(r) => Ok(r),
            other => mismatch("PyRef (a Python object handle)", &other),
        }
    }
}

macro_rules! value_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                v.into_value()
            }
        }
    )*};
}

value_from!(
    bool, i32, i64, u32, u64, f64, String, &str, Bytes, PyRef, Date, Time, DateTime
);

impl<T: IntoValue> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        v.into_value()
    }
}

impl<T: IntoValue> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.into_value()
    }
}
