//! The JSON wire form of values and requests (what the pool's workers and a mock's expectations
//! see). It follows the seed's tagged table and extends it so that every [`Value`] survives:
//!
//! | Python | JSON |
//! |---|---|
//! | `None`, `bool`, `str`, `list` | `null`, `true`/`false`, string, array |
//! | `int` within i64 | number |
//! | `int` beyond i64 | `{"__type__": "int", "value": "123456789012345678901234567890"}` |
//! | finite `float` | number with a fraction or exponent (`1.0`, `-0.0`) |
//! | NaN, ±inf | `{"__type__": "float", "value": "nan" \| "inf" \| "-inf"}` |
//! | `bytes` | `{"__type__": "binary", "data": "<base64>"}` |
//! | `tuple` | `{"__type__": "tuple", "elements": [...]}` |
//! | `dict` with only `str` keys (none of them `__type__`) | object |
//! | any other `dict` | `{"__type__": "dict", "items": [[key, value], ...]}` |
//! | `set`, `frozenset` | `{"__type__": "set" \| "frozenset", "elements": [...]}` |
//! | `datetime`, `date`, `time` | `{"__type__": "datetime" \| "date" \| "time", "value": "<ISO 8601>"}` |
//! | `complex` | `{"__type__": "complex", "real": <float>, "imag": <float>}` |
//! | ref | `{"__type__": "ref", "id": "<id>", "type": "pathlib.PosixPath"}` |
//! | Rust callback ([`PyFn`], Rust to Python only) | `{"__type__": "callback", "id": "<PyFn::id>", "arity": n \| null, "args": ["value", "auto", ...]}`: `args` the return policy each positional argument converts from Python with |
//! | numpy array (numeric/bool dtype) | `{"__type__": "ndarray", "dtype": "float64", "shape": [2, 3], "data": "<base64, C order, native endian>"}` |
//! | numpy array through the pool, from [`PoolConfig::shared_memory_threshold`](crate::PoolConfig::shared_memory_threshold) bytes | `{"__type__": "ndarray", "dtype": .., "shape": .., "shm": "/sb-<pid>-<n>"}`: a POSIX shared-memory segment holding the C-order bytes (`/sbw-<worker pid>-<n>` when a worker made it), from byte `"offset"` when there is one |
//! | numpy array through the pool, below the threshold | `{"__type__": "ndarray", "dtype": .., "shape": .., "att": [offset, length]}`: the C-order bytes in the frame's binary attachments, after its JSON |
//!
//! Decoding never panics: malformed input is an [`Error::Decode`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use num_bigint::BigInt;
use serde_json::{Map, Number, Value as Json, json};

use crate::client::request::{CallOptions, CallType, Request};
use crate::data::array::{DType, NdArray};
use crate::data::error::{Error, Result};
use crate::data::nesting::{deeper, inside};
use crate::data::pyfn::PyFn;
use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

const TAG: &str = "__type__";

/// Turns wire refs back into [`PyRef`]s: implemented by the client that owns the refs.
pub trait RefResolver {
    /// The ref with this id and type.
    fn resolve(&self, id: u64, type_name: &str) -> Result<PyRef>;

    /// The array in shared-memory segment `name` (only the pool sends these).
    fn shared_array(&self, name: &str, dtype: DType, shape: Vec<usize>) -> Result<NdArray> {
        let _ = (dtype, shape);
        Err(bad(format!(
            "array in shared memory `{name}` arrived where no pool can map it"
        )))
    }

    /// The binary attachments that came beside the message, which `{"att": [offset, length]}`
    /// arrays point into (only the pool sends these).
    fn attachments(&self) -> Option<&[u8]> {
        None
    }
}

/// Where the encoder puts the elements of arrays: inline in the JSON ([`InlineArrays`]) or, for
/// the pool's large arrays, in shared memory. It also sees the Rust callbacks it encodes (the
/// pool keeps them to run when its worker calls them).
pub trait ArraySink {
    /// The wire JSON of `array`.
    fn encode_array(&mut self, array: &NdArray) -> Json;

    /// The wire JSON of callback `f` ([`function_header`]; a client that runs callbacks keeps
    /// `f` here).
    fn encode_function(&mut self, f: &PyFn) -> Json {
        function_header(f)
    }
}

/// `{"__type__": "callback", "id", "arity", "args"}`: a Rust callback as the wire names it.
pub fn function_header(f: &PyFn) -> Json {
    let policies: Vec<&str> = f.policies().iter().map(|p| policy_name(*p)).collect();
    let mut header =
        json!({ TAG: "callback", "id": f.id().to_string(), "arity": f.arity(), "args": policies });
    if f.is_async() {
        // Python's call of it returns an awaitable.
        header["async"] = Json::Bool(true);
    }
    header
}

/// A return policy's name on the wire (`"auto"`, `"value"`, `"ref"`, `"ref_or_none"`, `"map"`).
pub fn policy_name(policy: ReturnPolicy) -> &'static str {
    match policy {
        ReturnPolicy::Auto => "auto",
        ReturnPolicy::Value => "value",
        ReturnPolicy::Ref => "ref",
        ReturnPolicy::RefOrNone => "ref_or_none",
        ReturnPolicy::Map => "map",
    }
}

/// Arrays travel inside the JSON, base64-encoded.
pub struct InlineArrays;

impl ArraySink for InlineArrays {
    fn encode_array(&mut self, array: &NdArray) -> Json {
        array_header(array, "data", BASE64.encode(array.c_order_bytes()))
    }
}

/// `{"__type__": "ndarray", "dtype", "shape", key: location}`.
pub(crate) fn array_header(array: &NdArray, key: &str, location: impl Into<Json>) -> Json {
    let location = location.into();
    json!({ TAG: "ndarray", "dtype": array.dtype().name(), "shape": array.shape(), key: location })
}

/// A resolver for wire data that must not contain refs.
pub struct NoRefs;

impl RefResolver for NoRefs {
    fn resolve(&self, id: u64, _type_name: &str) -> Result<PyRef> {
        Err(Error::StaleRef {
            id,
            reason: "a ref arrived where no runtime can own it".into(),
        })
    }
}

fn float(x: f64) -> Json {
    match Number::from_f64(x) {
        Some(n) => Json::Number(n),
        None => {
            let text = if x.is_nan() {
                "nan"
            } else if x > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            json!({ TAG: "float", "value": text })
        }
    }
}

fn tagged(tag: &str, key: &str, items: &[Value], arrays: &mut dyn ArraySink) -> Json {
    tagged_json(tag, key, encode_all(items, arrays))
}

/// `{"__type__": tag, key: content}`, moving `content` in (`json!` would copy it, level by
/// level, which is quadratic in the nesting and recursive).
fn tagged_json(tag: &str, key: &str, content: Json) -> Json {
    let mut object = Map::with_capacity(2);
    object.insert(TAG.to_owned(), Json::String(tag.to_owned()));
    object.insert(key.to_owned(), content);
    Json::Object(object)
}

fn encode_all(items: &[Value], arrays: &mut dyn ArraySink) -> Json {
    deeper(|| Json::Array(items.iter().map(|v| encode_value_with(v, arrays)).collect()))
}

/// Encodes a value into its wire JSON.
///
/// ```
/// use snakebridge_runtime::Value;
/// use snakebridge_runtime::client::wire;
/// let v = Value::Dict(vec![(Value::Int(1), Value::Float(f64::NAN))]);
/// assert_eq!(
///     wire::encode_value(&v).to_string(),
///     r#"{"__type__":"dict","items":[[1,{"__type__":"float","value":"nan"}]]}"#
/// );
/// ```
pub fn encode_value(value: &Value) -> Json {
    encode_value_with(value, &mut InlineArrays)
}

/// Encodes a value into its wire JSON, arrays through `arrays`.
pub fn encode_value_with(value: &Value, arrays: &mut dyn ArraySink) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::BigInt(i) => json!({ TAG: "int", "value": i.to_string() }),
        Value::Float(x) => float(*x),
        Value::Str(s) => Json::String(s.clone()),
        Value::Bytes(b) => json!({ TAG: "binary", "data": BASE64.encode(b) }),
        Value::List(items) => encode_all(items, arrays),
        Value::Tuple(items) => tagged("tuple", "elements", items, arrays),
        Value::Set(items) => tagged("set", "elements", items, arrays),
        Value::FrozenSet(items) => tagged("frozenset", "elements", items, arrays),
        Value::Dict(items) => {
            let plain = items
                .iter()
                .all(|(k, _)| matches!(k, Value::Str(s) if s != TAG));
            // A JSON object cannot hold a key twice; Python dicts can't either, but a
            // hand-built Value might: keep it lossless through the pair form.
            let mut object = Map::new();
            if plain {
                for (k, v) in items {
                    if let Value::Str(k) = k {
                        object.insert(k.clone(), deeper(|| encode_value_with(v, arrays)));
                    }
                }
            }
            if plain && object.len() == items.len() {
                Json::Object(object)
            } else {
                let pairs: Vec<Json> = items
                    .iter()
                    .map(|(k, v)| {
                        deeper(|| {
                            Json::Array(vec![
                                encode_value_with(k, arrays),
                                encode_value_with(v, arrays),
                            ])
                        })
                    })
                    .collect();
                tagged_json("dict", "items", Json::Array(pairs))
            }
        }
        Value::DateTime(d) => json!({ TAG: "datetime", "value": d.to_string() }),
        Value::Date(d) => json!({ TAG: "date", "value": d.to_string() }),
        Value::Time(t) => json!({ TAG: "time", "value": t.to_string() }),
        Value::Complex { re, im } => {
            json!({ TAG: "complex", "real": float(*re), "imag": float(*im) })
        }
        Value::Array(a) => arrays.encode_array(a),
        Value::Ref(r) => json!({ TAG: "ref", "id": r.id().to_string(), "type": r.type_name() }),
        Value::Function(f) => arrays.encode_function(f),
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::decode("wire value", message)
}

fn field<'a>(obj: &'a Map<String, Json>, tag: &str, key: &str) -> Result<&'a Json> {
    obj.get(key)
        .ok_or_else(|| bad(format!("`{tag}` value without `{key}`")))
}

fn str_field<'a>(obj: &'a Map<String, Json>, tag: &str, key: &str) -> Result<&'a str> {
    field(obj, tag, key)?
        .as_str()
        .ok_or_else(|| bad(format!("`{tag}`.`{key}` is not a string")))
}

fn list(
    obj: &Map<String, Json>,
    tag: &str,
    key: &str,
    refs: &dyn RefResolver,
    depth: usize,
) -> Result<Vec<Value>> {
    let items = field(obj, tag, key)?
        .as_array()
        .ok_or_else(|| bad(format!("`{tag}`.`{key}` is not an array")))?;
    decode_items(items, refs, depth, tag)
}

/// The items of a container at `depth`.
fn decode_items(
    items: &[Json],
    refs: &dyn RefResolver,
    depth: usize,
    what: &str,
) -> Result<Vec<Value>> {
    let inner = inside(true, depth, what)?;
    deeper(|| items.iter().map(|j| decode_at(j, refs, inner)).collect())
}

fn decode_float(j: &Json, refs: &dyn RefResolver) -> Result<f64> {
    match decode_at(j, refs, 0)? {
        Value::Float(x) => Ok(x),
        Value::Int(i) => Ok(i as f64),
        other => Err(bad(format!("expected a float, got {}", other.type_name()))),
    }
}

/// Decodes wire JSON into a value; refs are turned into [`PyRef`]s by `refs`. Data nested
/// deeper than [`MAX_NESTING`](crate::client::contract::MAX_NESTING) is an [`Error::Decode`].
pub fn decode_value(json: &Json, refs: &dyn RefResolver) -> Result<Value> {
    decode_at(json, refs, 0)
}

/// [`decode_value`] of a value nested `depth` containers deep.
fn decode_at(json: &Json, refs: &dyn RefResolver, depth: usize) -> Result<Value> {
    Ok(match json {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::from_bigint(BigInt::from(u))
            } else {
                Value::Float(n.as_f64().ok_or_else(|| bad("unrepresentable number"))?)
            }
        }
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::List(decode_items(items, refs, depth, "list")?),
        Json::Object(obj) => match obj.get(TAG) {
            None => {
                let inner = inside(true, depth, "dict")?;
                Value::Dict(deeper(|| {
                    obj.iter()
                        .map(|(k, v)| Ok((Value::Str(k.clone()), decode_at(v, refs, inner)?)))
                        .collect::<Result<_>>()
                })?)
            }
            Some(Json::String(tag)) => decode_tagged(tag, obj, refs, depth)?,
            Some(_) => return Err(bad("`__type__` is not a string")),
        },
    })
}

fn decode_tagged(
    tag: &str,
    obj: &Map<String, Json>,
    refs: &dyn RefResolver,
    depth: usize,
) -> Result<Value> {
    Ok(match tag {
        "int" => {
            let text = str_field(obj, tag, "value")?;
            let i: BigInt = text
                .parse()
                .map_err(|_| bad(format!("`{text}` is not an integer")))?;
            Value::from_bigint(i)
        }
        "float" => match str_field(obj, tag, "value")? {
            "nan" => Value::Float(f64::NAN),
            "inf" => Value::Float(f64::INFINITY),
            "-inf" => Value::Float(f64::NEG_INFINITY),
            other => Value::Float(
                other
                    .parse()
                    .map_err(|_| bad(format!("`{other}` is not a float")))?,
            ),
        },
        "binary" | "bytes" => Value::Bytes(
            BASE64
                .decode(str_field(obj, tag, "data")?)
                .map_err(|e| bad(format!("bad base64 in bytes: {e}")))?,
        ),
        "tuple" => Value::Tuple(list(obj, tag, "elements", refs, depth)?),
        "set" => Value::Set(list(obj, tag, "elements", refs, depth)?),
        "frozenset" => Value::FrozenSet(list(obj, tag, "elements", refs, depth)?),
        "dict" => {
            let pairs = field(obj, tag, "items")?
                .as_array()
                .ok_or_else(|| bad("`dict`.`items` is not an array"))?;
            let inner = inside(true, depth, "dict")?;
            let mut items = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match pair.as_array().map(Vec::as_slice) {
                    Some([k, v]) => items.push(deeper(|| {
                        Ok::<_, Error>((decode_at(k, refs, inner)?, decode_at(v, refs, inner)?))
                    })?),
                    _ => return Err(bad("a `dict` item is not a [key, value] pair")),
                }
            }
            Value::Dict(items)
        }
        "datetime" => Value::DateTime(str_field(obj, tag, "value")?.parse()?),
        "date" => Value::Date(str_field(obj, tag, "value")?.parse()?),
        "time" => Value::Time(str_field(obj, tag, "value")?.parse()?),
        "complex" => Value::Complex {
            re: decode_float(field(obj, tag, "real")?, refs)?,
            im: decode_float(field(obj, tag, "imag")?, refs)?,
        },
        "ref" => {
            let id = match field(obj, tag, "id")? {
                Json::String(s) => s.parse().ok(),
                Json::Number(n) => n.as_u64(),
                _ => None,
            }
            .ok_or_else(|| bad("`ref`.`id` is not an unsigned integer"))?;
            let type_name = obj.get("type").and_then(Json::as_str).unwrap_or("object");
            Value::Ref(refs.resolve(id, type_name)?)
        }
        "ndarray" => Value::Array(decode_array(obj, refs)?),
        other => return Err(bad(format!("unknown `__type__` `{other}`"))),
    })
}

fn decode_array(obj: &Map<String, Json>, refs: &dyn RefResolver) -> Result<NdArray> {
    let name = str_field(obj, "ndarray", "dtype")?;
    let dtype = DType::from_name(name)
        .ok_or_else(|| bad(format!("`{name}` is not a dtype snakebridge arrays carry")))?;
    let shape = field(obj, "ndarray", "shape")?
        .as_array()
        .and_then(|dims| {
            dims.iter()
                .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                .collect::<Option<Vec<usize>>>()
        })
        .ok_or_else(|| bad("`ndarray`.`shape` is not a list of lengths"))?;
    if let Some(Json::String(segment)) = obj.get("shm") {
        return refs.shared_array(segment, dtype, shape);
    }
    if let Some(att) = obj.get("att") {
        let at = |i: usize| {
            att.get(i)
                .and_then(Json::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let (Some(offset), Some(len)) = (at(0), at(1)) else {
            return Err(bad("`ndarray`.`att` is not [offset, length]"));
        };
        let Some(attachments) = refs.attachments() else {
            return Err(bad(
                "an array beside the message arrived where no attachments are",
            ));
        };
        let bytes = offset
            .checked_add(len)
            .and_then(|end| attachments.get(offset..end))
            .ok_or_else(|| {
                bad(format!(
                    "`ndarray`.`att` bytes {offset}..+{len} are not inside the {} bytes of \
                     attachments",
                    attachments.len()
                ))
            })?;
        return NdArray::from_c_bytes(dtype, shape, bytes);
    }
    let data = BASE64
        .decode(str_field(obj, "ndarray", "data")?)
        .map_err(|e| bad(format!("bad base64 in ndarray: {e}")))?;
    NdArray::from_c_bytes(dtype, shape, &data)
}

/// The seed's JSON payload of a request (what a mock expectation or a pool worker sees).
///
/// ```
/// use snakebridge_runtime::Value;
/// use snakebridge_runtime::client::{wire, CallOptions, Request};
/// let mut req = Request::function("builtins", "round");
/// req.args.push(Value::Float(3.14159));
/// req.kwargs.push(("ndigits".into(), Value::Int(2)));
/// assert_eq!(
///     wire::request_payload(&req, &CallOptions::default()).to_string(),
///     r#"{"library":"builtins","python_module":"builtins","function":"round","args":[3.14159],"kwargs":{"ndigits":2},"idempotent":false}"#
/// );
/// ```
pub fn request_payload(request: &Request, options: &CallOptions) -> Json {
    request_payload_with(request, options, &mut InlineArrays)
}

/// [`request_payload`] with arrays encoded through `arrays` (the pool's frames carry the same
/// payload, written straight as text; this is that text read back).
pub fn request_payload_with(
    request: &Request,
    options: &CallOptions,
    arrays: &mut dyn ArraySink,
) -> Json {
    let mut text = Vec::new();
    write_request_payload(request, options, arrays, &mut text)
        .expect("JSON values and string keys always write (the writer's only errors are others)");
    parse_deep(&text).expect("the writer writes JSON")
}

/// The seed's JSON payload of a request, written as text into `out` (what the pool puts in
/// its request frames): the one definition of the payload, written without building a JSON
/// map first, whose every key the map would hash.
pub(crate) fn write_request_payload(
    request: &Request,
    options: &CallOptions,
    arrays: &mut dyn ArraySink,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    use serde::ser::{SerializeMap, Serializer as _};
    let mut json = serde_json::Serializer::new(out);
    let mut p = json.serialize_map(None)?;
    if let Some(call_type) = request.call_type.as_str() {
        p.serialize_entry("call_type", call_type)?;
    }
    if !request.python_module.is_empty() {
        p.serialize_entry("library", request.library())?;
        p.serialize_entry("python_module", request.python_module.as_ref())?;
    }
    if let Some(class) = &request.class {
        p.serialize_entry("class", class.as_ref())?;
    }
    if let Some(target) = &request.target {
        p.serialize_entry("ref", &target.id().to_string())?;
    }
    let name_key = match request.call_type {
        CallType::Function => "function",
        CallType::Class => "",
        CallType::ClassMethod | CallType::Method => "method",
        CallType::GetAttr | CallType::SetAttr | CallType::ModuleAttr => "attr",
    };
    if !name_key.is_empty() {
        p.serialize_entry(name_key, request.name.as_ref())?;
    }
    if request.call_type == CallType::SetAttr {
        let value = request
            .args
            .first()
            .map_or(Json::Null, |v| encode_value_with(v, arrays));
        p.serialize_entry("value", &Deep(&value))?;
    } else if !matches!(request.call_type, CallType::GetAttr | CallType::ModuleAttr) {
        p.serialize_entry("args", &Deep(&encode_all(&request.args, arrays)))?;
        let kwargs: Vec<(&str, Json)> = request
            .kwargs
            .iter()
            .map(|(k, v)| (k.as_ref(), encode_value_with(v, arrays)))
            .collect();
        p.serialize_entry("kwargs", &Keywords(&kwargs))?;
    }
    p.serialize_entry("idempotent", &options.idempotent)?;
    if request.streaming {
        p.serialize_entry("streaming", &true)?;
    }
    p.end()
}

/// A JSON value written on a stack that grows (values nest as deep as Python allows).
struct Deep<'a>(&'a Json);

impl serde::Serialize for Deep<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serde::Serialize::serialize(self.0, serde_stacker::Serializer::new(s))
    }
}

/// Keyword arguments as a JSON object, in order (a repeated name: the last value wins when
/// read, as in a map).
struct Keywords<'a>(&'a [(&'a str, Json)]);

impl serde::Serialize for Keywords<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, &Deep(v))?;
        }
        m.end()
    }
}

/// Parses JSON text that may nest as deep as Python allows (the wire decoder bounds it
/// later): no recursion limit, and a stack that grows instead of overflowing.
pub(crate) fn parse_deep(text: &[u8]) -> serde_json::Result<Json> {
    let mut json = serde_json::Deserializer::from_slice(text);
    json.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(serde_stacker::Deserializer::new(&mut json))?;
    json.end()?;
    Ok(value)
}
