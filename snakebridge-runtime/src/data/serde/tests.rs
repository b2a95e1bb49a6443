//! Round trips through the serde bridge.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use num_bigint::BigInt;
use serde::{Deserialize, Serialize};

use super::{from_value, to_value};
use crate::data::error::Error;
use crate::data::pyref::{PyRef, RefOwner};
use crate::data::value::{Date, DateTime, Time, Value};

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

fn round_trip<T>(x: &T) -> T
where
    T: Serialize + serde::de::DeserializeOwned,
{
    from_value(to_value(x).expect("to_value")).expect("from_value")
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Kind {
    Plain,
    Scaled(f64),
    Pair(i32, String),
    Named { id: u64, tags: Vec<String> },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Unit;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Record {
    name: String,
    matrix: Vec<Vec<i64>>,
    counts: HashMap<String, Vec<u32>>,
    maybe: Option<Box<Record>>,
    kinds: Vec<Kind>,
    pair: (u8, char),
    unit: Unit,
    length: Meters,
}

fn record() -> Record {
    Record {
        name: "outer ✓".into(),
        matrix: vec![vec![1, -2], vec![], vec![i64::MIN, i64::MAX]],
        counts: [("a".into(), vec![1, 2]), ("b".into(), vec![])].into(),
        maybe: Some(Box::new(Record {
            name: "inner".into(),
            matrix: vec![],
            counts: HashMap::new(),
            maybe: None,
            kinds: vec![Kind::Plain],
            pair: (0, '\0'),
            unit: Unit,
            length: Meters(-0.0),
        })),
        kinds: vec![
            Kind::Plain,
            Kind::Scaled(f64::INFINITY),
            Kind::Pair(-7, "seven".into()),
            Kind::Named {
                id: u64::MAX,
                tags: vec!["x".into()],
            },
        ],
        pair: (255, 'é'),
        unit: Unit,
        length: Meters(1.5),
    }
}

#[test]
fn nested_struct_round_trips() {
    let r = record();
    assert_eq!(round_trip(&r), r);
}

#[test]
fn struct_shape_is_python_like() {
    let v = to_value(&record()).unwrap();
    let Value::Dict(items) = &v else {
        panic!("not a dict: {v:?}")
    };
    let keys: Vec<&Value> = items.iter().map(|(k, _)| k).collect();
    let expected = [
        "name", "matrix", "counts", "maybe", "kinds", "pair", "unit", "length",
    ]
    .map(s);
    assert_eq!(
        keys,
        expected.iter().collect::<Vec<_>>(),
        "declaration order"
    );
    assert_eq!(
        v.get("pair"),
        Some(&Value::Tuple(vec![Value::Int(255), s("é")]))
    );
    assert_eq!(v.get("unit"), Some(&Value::None));
    assert_eq!(v.get("length"), Some(&Value::Float(1.5)));
    let inner = v.get("maybe").unwrap();
    assert_eq!(inner.get("maybe"), Some(&Value::None));
    assert_eq!(
        v.get("kinds"),
        Some(&Value::List(vec![
            s("Plain"),
            Value::Dict(vec![(s("Scaled"), Value::Float(f64::INFINITY))]),
            Value::Dict(vec![(
                s("Pair"),
                Value::Tuple(vec![Value::Int(-7), s("seven")])
            )]),
            Value::Dict(vec![(
                s("Named"),
                Value::Dict(vec![
                    (s("id"), Value::BigInt(BigInt::from(u64::MAX))),
                    (s("tags"), Value::List(vec![s("x")])),
                ])
            )]),
        ]))
    );
}

#[test]
fn nan_and_infinities_are_kept() {
    for x in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        f64::MIN_POSITIVE / 4.0,
    ] {
        let v = to_value(&x).unwrap();
        assert_eq!(v, Value::Float(x));
        let back: f64 = from_value(v).unwrap();
        assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
    }
    let f: f32 = from_value(to_value(&f32::NAN).unwrap()).unwrap();
    assert!(f.is_nan());
}

#[test]
fn u64_max_is_a_big_int() {
    let v = to_value(&u64::MAX).unwrap();
    assert_eq!(v, Value::BigInt(BigInt::from(u64::MAX)));
    assert_eq!(from_value::<u64>(v.clone()).unwrap(), u64::MAX);
    assert_eq!(from_value::<u128>(v.clone()).unwrap(), u128::from(u64::MAX));
    assert!(matches!(from_value::<i64>(v), Err(Error::Decode { .. })));
    assert_eq!(to_value(&(i64::MAX as u64)).unwrap(), Value::Int(i64::MAX));
}

#[test]
fn i128_and_u128_round_trip() {
    for x in [i128::MIN, i128::from(i64::MIN) - 1, -1, 0, i128::MAX] {
        assert_eq!(round_trip(&x), x);
    }
    assert_eq!(to_value(&-1i128).unwrap(), Value::Int(-1));
    assert_eq!(
        to_value(&i128::MIN).unwrap(),
        Value::BigInt(BigInt::from(i128::MIN))
    );
    assert_eq!(round_trip(&u128::MAX), u128::MAX);
}

#[test]
fn integers_are_range_checked() {
    let err = from_value::<u8>(Value::Int(256)).unwrap_err();
    match err {
        Error::Decode { what, message } => {
            assert_eq!(what, "u8");
            assert!(
                message.contains("256") && message.contains("out of range"),
                "{message}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(from_value::<u32>(Value::Int(-1)).is_err());
    assert!(from_value::<i8>(Value::BigInt(BigInt::from(u64::MAX))).is_err());
    assert!(from_value::<i64>(Value::Str("1".into())).is_err());
    assert_eq!(from_value::<i16>(Value::Int(-300)).unwrap(), -300);
}

#[test]
fn floats_accept_ints() {
    assert_eq!(from_value::<f64>(Value::Int(3)).unwrap(), 3.0);
    assert_eq!(from_value::<f32>(Value::Int(-2)).unwrap(), -2.0);
    let exact = Value::BigInt(BigInt::from(1u128 << 100));
    assert_eq!(from_value::<f64>(exact).unwrap(), 2f64.powi(100));
    let inexact = Value::BigInt(BigInt::from((1u128 << 100) + 1));
    assert!(from_value::<f64>(inexact).is_err());
}

/// A byte buffer that serializes with `serialize_bytes`, like `serde_bytes::ByteBuf`.
#[derive(Debug, PartialEq)]
struct ByteBuf(Vec<u8>);

impl Serialize for ByteBuf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

#[test]
fn bytes_round_trip() {
    let buf = ByteBuf(vec![0, 1, 255, b'a']);
    let v = to_value(&buf).unwrap();
    assert_eq!(v, Value::Bytes(vec![0, 1, 255, b'a']));
    assert_eq!(from_value::<ByteBuf>(v.clone()).unwrap(), buf);
    // A list of ints (what a Vec<u8> serializes to) is accepted as bytes too...
    let list = to_value(&vec![0u8, 1, 255, b'a']).unwrap();
    assert_eq!(list, Value::List([0, 1, 255, 97].map(Value::Int).to_vec()));
    assert_eq!(from_value::<ByteBuf>(list).unwrap(), buf);
    // ... and a Vec<u8> can come from Python bytes.
    assert_eq!(from_value::<Vec<u8>>(v).unwrap(), buf.0);
    assert!(from_value::<ByteBuf>(Value::List(vec![Value::Int(256)])).is_err());
}

#[test]
fn int_keys_are_kept() {
    let m: BTreeMap<i64, String> = [(-1, "minus".into()), (2, "two".into())].into();
    let v = to_value(&m).unwrap();
    assert_eq!(
        v,
        Value::Dict(vec![
            (Value::Int(-1), s("minus")),
            (Value::Int(2), s("two")),
        ])
    );
    assert_eq!(from_value::<BTreeMap<i64, String>>(v).unwrap(), m);
    let tuple_keys: HashMap<(i32, bool), ()> = [((1, true), ())].into();
    assert_eq!(round_trip(&tuple_keys), tuple_keys);
}

#[test]
fn enums_from_str_or_single_entry_dict() {
    assert_eq!(from_value::<Kind>(s("Plain")).unwrap(), Kind::Plain);
    assert_eq!(
        from_value::<Kind>(Value::Dict(vec![(s("Plain"), Value::None)])).unwrap(),
        Kind::Plain
    );
    assert_eq!(
        from_value::<Kind>(Value::Dict(vec![(
            s("Pair"),
            Value::List(vec![Value::Int(1), s("a")])
        )]))
        .unwrap(),
        Kind::Pair(1, "a".into())
    );
    assert!(from_value::<Kind>(s("Nope")).is_err());
    assert!(from_value::<Kind>(s("Scaled")).is_err());
    assert!(from_value::<Kind>(Value::Dict(vec![])).is_err());
    assert!(from_value::<Kind>(Value::Int(0)).is_err());
}

#[test]
fn python_shapes_deserialize_leniently() {
    let set = Value::Set(vec![Value::Int(3), Value::Int(1)]);
    let mut v: Vec<i32> = from_value(set).unwrap();
    v.sort();
    assert_eq!(v, [1, 3]);
    let t: (i32, String) = from_value(Value::List(vec![Value::Int(1), s("x")])).unwrap();
    assert_eq!(t, (1, "x".into()));
    assert!(from_value::<(i32, i32)>(Value::Tuple(vec![Value::Int(1); 3])).is_err());
    let c: (f64, f64) = from_value(Value::Complex { re: 1.0, im: -2.0 }).unwrap();
    assert_eq!(c, (1.0, -2.0));
    let d = Date {
        year: 2024,
        month: 2,
        day: 29,
    };
    assert_eq!(from_value::<String>(Value::Date(d)).unwrap(), "2024-02-29");
    let opt: Option<Option<i32>> = from_value(Value::None).unwrap();
    assert_eq!(opt, None);
    let ch: char = from_value(s("é")).unwrap();
    assert_eq!(ch, 'é');
    assert!(from_value::<char>(s("ab")).is_err());
}

#[test]
fn missing_and_wrong_fields_are_decode_errors() {
    let err = from_value::<Record>(Value::Dict(vec![(s("name"), s("x"))])).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { what, message } if what.ends_with("Record") && message.contains("missing field")),
        "{err}"
    );
    let err = from_value::<Record>(Value::Int(1)).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
}

struct NoOwner;
impl RefOwner for NoOwner {
    fn release(&self, _id: u64) {}
    fn describe(&self) -> String {
        "test".into()
    }
}

fn every_variant() -> Value {
    let time = Time {
        hour: 23,
        minute: 59,
        second: 1,
        microsecond: 7,
        utc_offset: Some(-3600),
    };
    let date = Date {
        year: 1,
        month: 12,
        day: 31,
    };
    let pyref = PyRef::remote(7, "pathlib.Path", Arc::new(NoOwner));
    Value::Dict(vec![
        (Value::None, Value::Bool(true)),
        (Value::Int(1), Value::BigInt(BigInt::from(u128::MAX) * 7)),
        (s("f"), Value::Float(f64::NAN)),
        (
            Value::Bytes(vec![1]),
            Value::List(vec![Value::Tuple(vec![])]),
        ),
        (
            Value::Tuple(vec![Value::Int(1)]),
            Value::Set(vec![Value::FrozenSet(vec![Value::Int(2)])]),
        ),
        (s("dt"), Value::DateTime(DateTime { date, time })),
        (s("d"), Value::Date(date)),
        (s("t"), Value::Time(time)),
        (
            s("c"),
            Value::Complex {
                re: -0.0,
                im: 1e300,
            },
        ),
        (s("r"), Value::Ref(pyref)),
        (
            s("$snakebridge::private::Value"),
            Value::BigInt(BigInt::from(-5)),
        ),
    ])
}

#[test]
fn value_converts_exactly_through_the_bridge() {
    let v = every_variant();
    assert_eq!(to_value(&v).unwrap(), v);
    assert_eq!(from_value::<Value>(v.clone()).unwrap(), v);

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Holder {
        label: String,
        payload: Value,
        maybe: Option<Value>,
        list: Vec<Value>,
    }
    let h = Holder {
        label: "h".into(),
        payload: v.clone(),
        maybe: Some(Value::Set(vec![Value::Int(1)])),
        list: vec![v.clone(), Value::Float(f64::NAN)],
    };
    assert_eq!(round_trip(&h), h);
}

#[test]
fn value_serializes_naturally_elsewhere() {
    let v = Value::Dict(vec![
        (s("t"), Value::Tuple(vec![Value::Int(1), Value::None])),
        (s("s"), Value::FrozenSet(vec![s("x")])),
        (s("big"), Value::BigInt(BigInt::from(u64::MAX))),
        (s("huge"), Value::BigInt(BigInt::from(u128::MAX) * 2)),
        (s("c"), Value::Complex { re: 1.0, im: 2.0 }),
        (
            s("time"),
            Value::Time(Time {
                hour: 1,
                minute: 2,
                second: 3,
                microsecond: 0,
                utc_offset: Some(0),
            }),
        ),
    ]);
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"t":[1,null],"s":["x"],"big":18446744073709551615,"huge":"680564733841876926926749214863536422910","c":[1.0,2.0],"time":"01:02:03+00:00"}"#
    );
    let with_ref = Value::List(vec![Value::Ref(PyRef::remote(3, "x.Y", Arc::new(NoOwner)))]);
    let err = serde_json::to_string(&with_ref).unwrap_err();
    assert!(err.to_string().contains("x.Y"), "{err}");

    let back: Value =
        serde_json::from_str(r#"{"a":[1,18446744073709551615,-2.5,"x",null,true]}"#).unwrap();
    assert_eq!(
        back,
        Value::Dict(vec![(
            s("a"),
            Value::List(vec![
                Value::Int(1),
                Value::BigInt(BigInt::from(u64::MAX)),
                Value::Float(-2.5),
                s("x"),
                Value::None,
                Value::Bool(true),
            ])
        )])
    );
}

#[test]
fn flatten_and_untagged_see_the_natural_form() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Open {
        id: u32,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
        Other(Value),
    }
    let v = Value::Dict(vec![
        (s("id"), Value::Int(3)),
        (s("tags"), Value::Tuple(vec![s("a")])),
    ]);
    let open: Open = from_value(v).unwrap();
    assert_eq!(open.id, 3);
    // Buffered by serde, so the tuple arrives as a sequence.
    assert_eq!(open.extra["tags"], Value::List(vec![s("a")]));
    assert_eq!(
        from_value::<Either>(Value::Int(5)).unwrap(),
        Either::Number(5)
    );
    assert_eq!(
        from_value::<Either>(s("x")).unwrap(),
        Either::Text("x".into())
    );
    assert_eq!(
        from_value::<Either>(Value::Float(0.5)).unwrap(),
        Either::Other(Value::Float(0.5))
    );
}

#[test]
fn refs_are_not_plain_data() {
    let r = Value::Ref(PyRef::remote(9, "numpy.ndarray", Arc::new(NoOwner)));
    let err = from_value::<Vec<i32>>(r.clone()).unwrap_err();
    assert!(err.to_string().contains("numpy.ndarray"), "{err}");
    let err = from_value::<serde_json::Value>(r).unwrap_err();
    assert!(err.to_string().contains("ref"), "{err}");
}

#[test]
fn serde_json_value_through_the_bridge() {
    let j = serde_json::json!({"a": [1, 2.5, "x", null, {"b": false}], "u": u64::MAX});
    let v = to_value(&j).unwrap();
    assert_eq!(v.get("u"), Some(&Value::BigInt(BigInt::from(u64::MAX))));
    assert_eq!(from_value::<serde_json::Value>(v).unwrap(), j);
}
