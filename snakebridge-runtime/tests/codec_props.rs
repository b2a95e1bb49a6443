//! Property tests of the value codecs: the JSON wire form, the embedded interpreter's conversions
//! and the serde bridge, over arbitrary values in normal form.

#![cfg(feature = "ndarray")]

use std::collections::{BTreeMap, HashMap};

use num_bigint::{BigInt, BigUint, Sign};
use proptest::collection::vec;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value as Json};
use snakebridge_runtime::array::Complex;
use snakebridge_runtime::client::binary_wire;
use snakebridge_runtime::client::wire::{NoRefs, decode_value, encode_value};
use snakebridge_runtime::ndarray::{ArrayD, Axis, IxDyn};
use snakebridge_runtime::{
    DType, Date, DateTime, Element, NdArray, PyRef, Time, Value, from_value, to_value,
};

/// `cases` per property, or `CODEC_PROPS_CASES` when set (to search longer).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("CODEC_PROPS_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig::with_cases(cases)
}

// ---------------------------------------------------------------------------------------------
// Strategies

/// Ints beyond i64 (so `Value::BigInt` is in normal form): the edges and up to 224-bit ones.
fn big_int() -> impl Strategy<Value = BigInt> {
    prop_oneof![
        Just(BigInt::from(i64::MAX) + 1),
        Just(BigInt::from(i64::MIN) - 1),
        Just(BigInt::from(u64::MAX)),
        Just(BigInt::from(u64::MAX) + 1),
        Just(BigInt::from(i128::MIN)),
        Just(BigInt::from(u128::MAX)),
        (any::<bool>(), vec(any::<u32>(), 2..6), 1..=u32::MAX).prop_map(
            |(negative, mut digits, top)| {
                // At least three 32-bit digits with a non-zero top one: |i| >= 2^64.
                digits.push(top);
                let sign = if negative { Sign::Minus } else { Sign::Plus };
                BigInt::from_biguint(sign, BigUint::new(digits))
            }
        ),
    ]
}

fn small_int() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3i64..=3,
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(1 << 53),
        Just((1 << 53) + 1),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        // Every bit pattern: NaN payloads, subnormals, both zeros.
        any::<u64>().prop_map(f64::from_bits),
        prop::sample::select(vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 3.0,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            0.1,
            1e16,
            1e22,
            1e23,
            9007199254740993.0,
            123456789012345680000.0,
        ]),
        -1e6..1e6f64,
        any::<i32>().prop_map(f64::from),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,12}",
        "[ab]{0,2}",
        prop::sample::select(vec![
            "", "__type__", "nan", "inf", "-inf", "tuple", "value", "\0", "é", "𝄞", "\u{FEFF}",
            "\"\\", "\u{7f}", "\u{2028}",
        ])
        .prop_map(String::from),
    ]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..24)
}

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn date() -> impl Strategy<Value = Date> {
    (
        prop_oneof![1i32..=9999, Just(1), Just(9999), Just(2000), Just(1900)],
        1u8..=12,
        1u8..=31,
    )
        .prop_map(|(year, month, day)| Date {
            year,
            month,
            day: day.min(days_in(year, month)),
        })
}

fn time() -> impl Strategy<Value = Time> {
    (
        0u8..24,
        0u8..60,
        0u8..60,
        prop_oneof![Just(0u32), 0u32..1_000_000, Just(999_999)],
        prop::option::of(prop_oneof![
            -1439i32..=1439,
            Just(0),
            Just(-1439),
            Just(1439)
        ]),
    )
        .prop_map(|(hour, minute, second, microsecond, offset)| Time {
            hour,
            minute,
            second,
            microsecond,
            utc_offset: offset.map(|minutes| minutes * 60),
        })
}

/// Removes later duplicates (Python would merge them in a set or dict).
fn dedup(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn dedup_keys(items: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    let mut out: Vec<(Value, Value)> = Vec::with_capacity(items.len());
    for (k, v) in items {
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

/// Hashable values that Python tells apart exactly as `Value`'s equality does: no floats, bools
/// or complex numbers (1, 1.0, True and 1+0j are one key in Python; NaN is not equal to itself)
/// and no times (aware ones compare by their UTC instant).
fn key() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::None),
        small_int().prop_map(Value::Int),
        big_int().prop_map(Value::BigInt),
        string().prop_map(Value::Str),
        bytes().prop_map(Value::Bytes),
        date().prop_map(Value::Date),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Tuple),
            vec(inner, 0..4).prop_map(|items| Value::FrozenSet(dedup(items))),
        ]
    })
    .boxed()
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        small_int().prop_map(Value::Int),
        big_int().prop_map(Value::BigInt),
        float().prop_map(Value::Float),
        string().prop_map(Value::Str),
        bytes().prop_map(Value::Bytes),
        (date(), time()).prop_map(|(date, time)| Value::DateTime(DateTime { date, time })),
        date().prop_map(Value::Date),
        time().prop_map(Value::Time),
        (float(), float()).prop_map(|(re, im)| Value::Complex { re, im }),
    ]
}

/// Any value but a ref, in normal form.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::List),
            vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            vec((key(), inner.clone()), 0..6).prop_map(|items| Value::Dict(dedup_keys(items))),
            // Dicts with only str keys take the wire's plain-object form.
            vec((string().prop_map(Value::Str), inner), 0..6)
                .prop_map(|items| Value::Dict(dedup_keys(items))),
            vec(key(), 0..6).prop_map(|items| Value::Set(dedup(items))),
            vec(key(), 0..6).prop_map(|items| Value::FrozenSet(dedup(items))),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Rust -> JSON -> Rust

fn through_text(v: &Value) -> Result<(String, Value), TestCaseError> {
    let text = serde_json::to_string(&encode_value(v)).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let back =
        decode_value(&json, &NoRefs).map_err(|e| TestCaseError::fail(format!("{e} in {text}")))?;
    Ok((text, back))
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn wire_json_round_trips(v in value()) {
        let json = encode_value(&v);
        let back = decode_value(&json, &NoRefs).map_err(|e| TestCaseError::fail(format!("{e} in {json}")))?;
        prop_assert_eq!(back, v);
    }

    /// Exactly through JSON text (serde_json's `float_roundtrip` parser is correctly rounded:
    /// without it `9.150286798176586e-104` parsed one ulp off).
    #[test]
    fn wire_json_text_round_trips(v in value()) {
        let (text, back) = through_text(&v)?;
        prop_assert_eq!(back, v, "through {}", text);
    }
}

// ---------------------------------------------------------------------------------------------
// Rust -> binary wire form -> Rust (the pool's binary frames)

/// Values of the binary form (`client::binary_wire`): scalars, strings, bytes, and lists and
/// tuples of them.
fn plain_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        small_int().prop_map(Value::Int),
        float().prop_map(Value::Float),
        string().prop_map(Value::Str),
        bytes().prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::List),
            vec(inner, 0..6).prop_map(Value::Tuple),
        ]
    })
}

proptest! {
    #![proptest_config(config(1024))]

    /// Every plain value has a binary form, which comes back as the value, exactly as through
    /// the JSON form's text.
    #[test]
    fn wire_binary_round_trips_as_the_json_form_does(v in plain_value()) {
        let mut bytes = Vec::new();
        prop_assert!(binary_wire::encode_value(&v, &mut bytes), "no binary form for {:?}", v);
        let (back, used) = binary_wire::decode_value(&bytes)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(used, bytes.len());
        let (text, through_json) = through_text(&v)?;
        prop_assert_eq!(&back, &through_json, "binary vs JSON {}", text);
        prop_assert_eq!(back, v);
    }

    /// Any value either has a binary form that converts exactly as its JSON form does, or none
    /// (and nothing is written: it travels as JSON).
    #[test]
    fn any_value_converts_the_same_binary_or_as_json(v in value()) {
        let mut bytes = vec![0xAA];
        if binary_wire::encode_value(&v, &mut bytes) {
            let (back, used) = binary_wire::decode_value(&bytes[1..])
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(used, bytes.len() - 1);
            let (text, through_json) = through_text(&v)?;
            prop_assert_eq!(back, through_json, "binary vs JSON {}", text);
        } else {
            prop_assert_eq!(bytes, vec![0xAA]);
            prop_assert!(!binary_wire::encodable(&v));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rust -> Python -> Rust

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn python_round_trips(v in value()) {
        let back: Value = snakebridge_runtime::call("copy", "deepcopy", (v.clone(),))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(back, v);
    }
}

// ---------------------------------------------------------------------------------------------
// Arrays: every dtype, 0 to 3 dimensions, C order, transposed and reversed layouts

/// An element type built from native-endian bytes.
trait FromChunk: Element {
    fn from_chunk(chunk: &[u8]) -> Self;
}

macro_rules! from_chunk {
    ($($t:ty),*) => {$(
        impl FromChunk for $t {
            fn from_chunk(chunk: &[u8]) -> Self {
                <$t>::from_ne_bytes(chunk.try_into().unwrap())
            }
        }
    )*};
}
from_chunk!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

macro_rules! complex_from_chunk {
    ($($t:ty),*) => {$(
        impl FromChunk for Complex<$t> {
            fn from_chunk(chunk: &[u8]) -> Self {
                let (re, im) = chunk.split_at(chunk.len() / 2);
                Complex::new(<$t>::from_chunk(re), <$t>::from_chunk(im))
            }
        }
    )*};
}
complex_from_chunk!(f32, f64);

impl FromChunk for bool {
    fn from_chunk(chunk: &[u8]) -> Self {
        chunk[0] & 1 == 1
    }
}

fn build<T: FromChunk>(shape: &[usize], raw: &[u8], layout: u8) -> NdArray {
    let size = std::mem::size_of::<T>();
    let len: usize = shape.iter().product();
    let data: Vec<T> = raw
        .chunks_exact(size)
        .cycle()
        .take(len)
        .map(T::from_chunk)
        .collect();
    let array = ArrayD::from_shape_vec(IxDyn(shape), data).unwrap();
    match layout {
        0 => array.into(),
        1 => array.reversed_axes().into(),
        _ => {
            let mut array = array;
            if array.ndim() > 0 {
                array.invert_axis(Axis(0));
            }
            array.into()
        }
    }
}

fn array() -> impl Strategy<Value = NdArray> {
    (
        0..DType::ALL.len(),
        vec(0usize..4, 0..=3),
        vec(any::<u8>(), 16..=16 * 8),
        0u8..3,
    )
        .prop_map(|(dtype, shape, raw, layout)| match DType::ALL[dtype] {
            DType::Bool => build::<bool>(&shape, &raw, layout),
            DType::Int8 => build::<i8>(&shape, &raw, layout),
            DType::Int16 => build::<i16>(&shape, &raw, layout),
            DType::Int32 => build::<i32>(&shape, &raw, layout),
            DType::Int64 => build::<i64>(&shape, &raw, layout),
            DType::UInt8 => build::<u8>(&shape, &raw, layout),
            DType::UInt16 => build::<u16>(&shape, &raw, layout),
            DType::UInt32 => build::<u32>(&shape, &raw, layout),
            DType::UInt64 => build::<u64>(&shape, &raw, layout),
            DType::Float32 => build::<f32>(&shape, &raw, layout),
            DType::Complex64 => build::<Complex<f32>>(&shape, &raw, layout),
            DType::Complex128 => build::<Complex<f64>>(&shape, &raw, layout),
            _ => build::<f64>(&shape, &raw, layout),
        })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arrays_round_trip_through_the_wire(a in array()) {
        let v = Value::Array(a);
        let (text, back) = through_text(&v)?;
        prop_assert_eq!(back, v, "through {}", text);
    }

    /// Rust -> numpy (no copy, any layout) -> numpy's own copy -> Rust by value; and numpy's
    /// `tolist()` of the zero-copy array equals ours.
    #[test]
    fn arrays_round_trip_through_numpy(a in array()) {
        let copied: NdArray = snakebridge_runtime::Call::function("numpy", "copy", (a.clone(),))
            .call()
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&copied, &a);
        prop_assert_eq!(copied.dtype(), a.dtype());
        let listed: Value = snakebridge_runtime::call_method(
            &snakebridge_runtime::call::<PyRef>("numpy", "asarray", (a.clone(),)).unwrap(),
            "tolist",
            (),
        )
        .unwrap();
        prop_assert_eq!(listed, a.to_list_value());
    }
}

// ---------------------------------------------------------------------------------------------
// Arbitrary JSON never panics the decoder

const TAGS: &[&str] = &[
    "int",
    "float",
    "binary",
    "bytes",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "datetime",
    "date",
    "time",
    "complex",
    "ref",
    "",
    "list",
    "None",
    "ndarray",
];
const FIELDS: &[&str] = &[
    "__type__", "value", "data", "elements", "items", "real", "imag", "id", "type", "dtype",
    "shape", "shm",
];

fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        string(),
        prop::sample::select(TAGS).prop_map(String::from),
        prop::sample::select(FIELDS).prop_map(String::from),
        "-?[0-9]{0,45}",
        "nan|inf|-inf|[0-9.e+-]{0,12}",
        "[A-Za-z0-9+/=]{0,12}",
        "-?[0-9]{0,6}-[0-9]{0,4}-[0-9]{0,4}(T[0-9:.Z+-]{0,24})?",
        "[0-9]{0,3}:[0-9]{0,3}(:[0-9]{0,3})?(\\.[0-9]{0,8})?([-+Z][0-9:]{0,10})?",
    ]
}

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_filter_map("finite", |x| Number::from_f64(x).map(Json::Number)),
        json_string().prop_map(Json::String),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    json_leaf().prop_recursive(5, 64, 6, |inner| {
        let field = prop_oneof![
            prop::sample::select(FIELDS).prop_map(String::from),
            json_string()
        ];
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Json::Array),
            vec((field.clone(), inner.clone()), 0..6)
                .prop_map(|fields| Json::Object(fields.into_iter().collect())),
            // A tagged value with random fields.
            (
                prop::sample::select(TAGS),
                vec((field, inner.clone()), 0..4)
            )
                .prop_map(|(tag, fields)| {
                    let mut obj: Map<String, Json> = fields.into_iter().collect();
                    obj.insert("__type__".into(), Json::from(tag));
                    Json::Object(obj)
                }),
            // A `dict` item list made of pairs and not-quite pairs.
            vec(vec(inner, 0..4).prop_map(Json::Array), 0..4)
                .prop_map(|items| { serde_json::json!({ "__type__": "dict", "items": items }) }),
        ]
    })
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"__type__\"",
    "\"int\"",
    "\"float\"",
    "\"tuple\"",
    "\"dict\"",
    "\"items\"",
    "\"elements\"",
    "\"value\"",
    "\"data\"",
    "\"time\"",
    "\"date\"",
    "\"datetime\"",
    "\"complex\"",
    "\"real\"",
    "\"imag\"",
    "\"ref\"",
    "\"id\"",
    "\"binary\"",
    "\"nan\"",
    "\"12:00:00+05:30\"",
    "\"2024-02-30\"",
    "\"AAEC\"",
    "1",
    "-0",
    "1e400",
    "0.5",
    "18446744073709551616",
    "-9223372036854775809",
    "null",
    "true",
    "\"\\ud800\"",
    " ",
];

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn decoding_arbitrary_json_never_panics(json in json()) {
        let _ = decode_value(&json, &NoRefs);
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(
        raw in prop_oneof![
            vec(any::<u8>(), 0..64),
            vec(prop::sample::select(FRAGMENTS), 0..24).prop_map(|parts| parts.concat().into_bytes()),
        ]
    ) {
        if let Ok(json) = serde_json::from_slice::<Json>(&raw) {
            let _ = decode_value(&json, &NoRefs);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// serde bridge

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(u32, u32),
    Poly {
        points: Vec<(i64, i64)>,
        closed: bool,
    },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Doc {
    title: String,
    tags: Vec<String>,
    counts: HashMap<String, u64>,
    by_id: BTreeMap<i64, Option<String>>,
    huge: i128,
    unsigned: u128,
    ratio: f64,
    shapes: Vec<Shape>,
    parent: Option<Box<Doc>>,
    letter: char,
    pair: (u8, i16),
}

fn finite() -> impl Strategy<Value = f64> {
    float().prop_filter("not NaN", |x| !x.is_nan())
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        finite().prop_map(Shape::Circle),
        (any::<u32>(), any::<u32>()).prop_map(|(w, h)| Shape::Rect(w, h)),
        (vec(any::<(i64, i64)>(), 0..4), any::<bool>())
            .prop_map(|(points, closed)| Shape::Poly { points, closed }),
    ]
}

fn doc_fields() -> impl Strategy<Value = Doc> {
    (
        (
            string(),
            vec(string(), 0..4),
            prop::collection::hash_map(string(), any::<u64>(), 0..4),
            prop::collection::btree_map(any::<i64>(), prop::option::of(string()), 0..4),
        ),
        (
            any::<i128>(),
            any::<u128>(),
            finite(),
            vec(shape(), 0..4),
            any::<char>(),
            any::<(u8, i16)>(),
        ),
    )
        .prop_map(
            |((title, tags, counts, by_id), (huge, unsigned, ratio, shapes, letter, pair))| Doc {
                title,
                tags,
                counts,
                by_id,
                huge,
                unsigned,
                ratio,
                shapes,
                parent: None,
                letter,
                pair,
            },
        )
}

fn doc() -> impl Strategy<Value = Doc> {
    (doc_fields(), prop::option::of(doc_fields())).prop_map(|(mut d, parent)| {
        d.parent = parent.map(Box::new);
        d
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn serde_round_trips_rust_types(d in doc()) {
        let v = to_value(&d).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Doc = from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e} from {v:?}")))?;
        prop_assert_eq!(back, d);
    }

    #[test]
    fn serde_round_trips_through_the_wire(d in doc()) {
        let v = to_value(&d).unwrap();
        let wired = decode_value(&encode_value(&v), &NoRefs).unwrap();
        let back: Doc = from_value(wired).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, d);
    }

    #[test]
    fn serde_keeps_floats_and_scalars(
        x in float(),
        i in any::<i128>(),
        u in any::<u64>(),
        xs in vec(float(), 0..6),
    ) {
        let v = to_value(&(x, i, u, &xs)).unwrap();
        let (x2, i2, u2, xs2): (f64, i128, u64, Vec<f64>) = from_value(v.clone()).unwrap();
        prop_assert_eq!(Value::Float(x2), Value::Float(x));
        prop_assert_eq!(i2, i);
        prop_assert_eq!(u2, u);
        prop_assert_eq!(to_value(&xs2).unwrap(), to_value(&xs).unwrap());
        prop_assert!(matches!(&v, Value::Tuple(items) if items.len() == 4));
    }

    /// `Value` goes through the bridge unchanged, both ways.
    #[test]
    fn value_is_exact_through_serde(v in value()) {
        prop_assert_eq!(to_value(&v).unwrap(), v.clone());
        prop_assert_eq!(from_value::<Value>(v.clone()).unwrap(), v);
    }

    /// Other serde consumers see Value's natural form and never panic.
    #[test]
    fn value_natural_form_never_panics(v in value()) {
        let _ = serde_json::to_string(&v);
        let _ = from_value::<serde_json::Value>(v.clone());
        let _ = from_value::<Vec<String>>(v.clone());
        let _ = from_value::<HashMap<String, f64>>(v.clone());
        let _ = from_value::<Shape>(v.clone());
        let _ = from_value::<Doc>(v);
    }
}
