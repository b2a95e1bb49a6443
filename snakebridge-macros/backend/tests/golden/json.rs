pub mod json {
    /*!JSON (JavaScript Object Notation) \<<https://json.org>\> is a subset of JavaScript syntax (ECMA-262 3rd edition) used as a lightweight data interchange format.

Python: `json`

`json` exposes an API familiar to users of the standard library
`marshal` and `pickle` modules.  It is derived from a
version of the externally maintained simplejson library.

Encoding basic Python object hierarchies:

```python
>>> import json
>>> json.dumps(['foo', {'bar': ('baz', None, 1.0, 2)}])
'["foo", {"bar": ["baz", null, 1.0, 2]}]'
>>> print(json.dumps("\"foo\bar"))
"\"foo\bar"
>>> print(json.dumps('\u1234'))
"\u1234"
>>> print(json.dumps('\\'))
"\\"
>>> print(json.dumps({"c": 0, "b": 0, "a": 0}, sort_keys=True))
{"a": 0, "b": 0, "c": 0}
>>> from io import StringIO
>>> io = StringIO()
>>> json.dump(['streaming API'], io)
>>> io.getvalue()
'["streaming API"]'
```

Compact encoding:

```python
>>> import json
>>> mydict = {'4': 5, '6': 7}
>>> json.dumps([1,2,3,mydict], separators=(',', ':'))
'[1,2,3,{"4":5,"6":7}]'
```

Pretty printing:

```python
>>> import json
>>> print(json.dumps({'4': 5, '6': 7}, sort_keys=True, indent=4))
{
    "4": 5,
    "6": 7
}
```

Decoding JSON:

```python
>>> import json
>>> obj = ['foo', {'bar': ['baz', None, 1.0, 2]}]
>>> json.loads('["foo", {"bar":["baz", null, 1.0, 2]}]') == obj
True
>>> json.loads('"\\"foo\\bar"') == '"foo\x08ar'
True
>>> from io import StringIO
>>> io = StringIO('["streaming API"]')
>>> json.load(io)[0] == 'streaming API'
True
```

Specializing JSON object decoding:

```python
>>> import json
>>> def as_complex(dct):
...     if '__complex__' in dct:
...         return complex(dct['real'], dct['imag'])
...     return dct
...
>>> json.loads('{"__complex__": true, "real": 1, "imag": 2}',
...     object_hook=as_complex)
(1+2j)
>>> from decimal import Decimal
>>> json.loads('1.1', parse_float=Decimal) == Decimal('1.1')
True
```

Specializing JSON object encoding:

```python
>>> import json
>>> def encode_complex(obj):
...     if isinstance(obj, complex):
...         return [obj.real, obj.imag]
...     raise TypeError(f'Object of type {obj.__class__.__name__} '
...                     f'is not JSON serializable')
...
>>> json.dumps(2 + 1j, default=encode_complex)
'[2.0, 1.0]'
>>> json.JSONEncoder(default=encode_complex).encode(2 + 1j)
'[2.0, 1.0]'
>>> ''.join(json.JSONEncoder(default=encode_complex).iterencode(2 + 1j))
'[2.0, 1.0]'
```

Using json.tool from the shell to validate and pretty-print:

```text
$ echo '{"json":"obj"}' | python -m json.tool
{
    "json": "obj"
}
$ echo '{ 1.2:3.4}' | python -m json.tool
Expecting property name enclosed in double quotes: line 1 column 3 (char 2)
```*/
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        missing_docs,
        unused_qualifications,
        unreachable_pub,
        dead_code,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        rustdoc::broken_intra_doc_links,
        rustdoc::bare_urls,
        rustdoc::invalid_html_tags,
        rustdoc::invalid_rust_codeblocks
    )]
    #[allow(unused_imports)]
    mod __sb {
        pub use ::snakebridge::__private::*;
        pub use ::core::primitive::{bool, f64, i64, str, u8};
        pub use ::std::{
            collections::HashMap, convert::Into, include_bytes, iter::IntoIterator,
            option::Option, string::String, vec, vec::Vec,
        };
        /// Converts a parameter into a `Value` (shorter than the trait path).
        #[inline]
        pub fn v(value: impl IntoValue) -> Value {
            IntoValue::into_value(value)
        }
    }
    /**Serialize `obj` as a JSON formatted stream to `fp` (a `.write()`\-supporting file-like object).

Python: `json.dump(obj: Any, fp: SupportsWrite[str], *, skipkeys: bool = False, ensure_ascii: bool = True, check_circular: bool = True, allow_nan: bool = True, cls: type[JSONEncoder] | None = None, indent: None | int | str = None, separators: tuple[str, str] | None = None, default: Callable[[Any], Any] | None = None, sort_keys: bool = False, **kwds: Any) -> None` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.skipkeys(..)` | `bool` | `False` |
| `.ensure_ascii(..)` | `bool` | `True` |
| `.check_circular(..)` | `bool` | `True` |
| `.allow_nan(..)` | `bool` | `True` |
| `.cls(..)` | `impl IntoValue` | `None` |
| `.indent(..)` | `impl IntoValue` | `None` |
| `.separators(..)` | `(String, String)` | `None` |
| `.default(..)` | `impl IntoValue` | `None` |
| `.sort_keys(..)` | `bool` | `False` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

If `skipkeys` is true then `dict` keys that are not basic types
(`str`, `int`, `float`, `bool`, `None`) will be skipped
instead of raising a `TypeError`.

If `ensure_ascii` is false, then the strings written to `fp` can
contain non-ASCII characters if they appear in strings contained in
`obj`. Otherwise, all such characters are escaped in JSON strings.

If `check_circular` is false, then the circular reference check
for container types will be skipped and a circular reference will
result in an `RecursionError` (or worse).

If `allow_nan` is false, then it will be a `ValueError` to
serialize out of range `float` values (`nan`, `inf`, `-inf`)
in strict compliance of the JSON specification, instead of using the
JavaScript equivalents (`NaN`, `Infinity`, `-Infinity`).

If `indent` is a non-negative integer, then JSON array elements and
object members will be pretty-printed with that indent level. An indent
level of 0 will only insert newlines. `None` is the most compact
representation.

If specified, `separators` should be an `(item_separator, key_separator)`
tuple.  The default is `(', ', ': ')` if *indent* is `None` and
`(',', ': ')` otherwise.  To get the most compact JSON representation,
you should specify `(',', ':')` to eliminate whitespace.

`default(obj)` is a function that should return a serializable version
of obj or raise TypeError. The default simply raises TypeError.

If *sort\_keys* is true (default: `False`), then the output of
dictionaries will be sorted by key.

To use a custom `JSONEncoder` subclass (e.g. one that overrides the
`.default()` method to serialize additional types), specify it with
the `cls` kwarg; otherwise `JSONEncoder` is used.*/
    pub fn dump(obj: impl __sb::IntoValue, fp: impl __sb::IntoValue) -> DumpCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("json", "dump");
        DumpCall(__sb::Call::at(&SITE, (obj, fp)))
    }
    ///Pending call of `json.dump`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct DumpCall(__sb::Call<()>);
    __sb::__call_builder!(DumpCall => (), kwarg);
    impl DumpCall {
        ///Python argument `skipkeys` (default `False`).
        pub fn skipkeys(self, skipkeys: __sb::bool) -> Self {
            Self(self.0.kwarg("skipkeys", skipkeys))
        }
        ///Python argument `ensure_ascii` (default `True`).
        pub fn ensure_ascii(self, ensure_ascii: __sb::bool) -> Self {
            Self(self.0.kwarg("ensure_ascii", ensure_ascii))
        }
        ///Python argument `check_circular` (default `True`).
        pub fn check_circular(self, check_circular: __sb::bool) -> Self {
            Self(self.0.kwarg("check_circular", check_circular))
        }
        ///Python argument `allow_nan` (default `True`).
        pub fn allow_nan(self, allow_nan: __sb::bool) -> Self {
            Self(self.0.kwarg("allow_nan", allow_nan))
        }
        ///Python argument `cls` (default `None`).
        pub fn cls(self, cls: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("cls", cls))
        }
        ///Python argument `indent` (default `None`).
        pub fn indent(self, indent: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("indent", indent))
        }
        ///Python argument `separators` (default `None`).
        pub fn separators(self, separators: (__sb::String, __sb::String)) -> Self {
            Self(self.0.kwarg("separators", separators))
        }
        ///Python argument `default` (default `None`).
        pub fn default(self, default: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("default", default))
        }
        ///Python argument `sort_keys` (default `False`).
        pub fn sort_keys(self, sort_keys: __sb::bool) -> Self {
            Self(self.0.kwarg("sort_keys", sort_keys))
        }
    }
    /**Serialize `obj` to a JSON formatted `str`.

Python: `json.dumps(obj: Any, *, skipkeys: bool = False, ensure_ascii: bool = True, check_circular: bool = True, allow_nan: bool = True, cls: type[JSONEncoder] | None = None, indent: None | int | str = None, separators: tuple[str, str] | None = None, default: Callable[[Any], Any] | None = None, sort_keys: bool = False, **kwds: Any) -> str` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.skipkeys(..)` | `bool` | `False` |
| `.ensure_ascii(..)` | `bool` | `True` |
| `.check_circular(..)` | `bool` | `True` |
| `.allow_nan(..)` | `bool` | `True` |
| `.cls(..)` | `impl IntoValue` | `None` |
| `.indent(..)` | `impl IntoValue` | `None` |
| `.separators(..)` | `(String, String)` | `None` |
| `.default(..)` | `impl IntoValue` | `None` |
| `.sort_keys(..)` | `bool` | `False` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

If `skipkeys` is true then `dict` keys that are not basic types
(`str`, `int`, `float`, `bool`, `None`) will be skipped
instead of raising a `TypeError`.

If `ensure_ascii` is false, then the return value can contain non-ASCII
characters if they appear in strings contained in `obj`. Otherwise, all
such characters are escaped in JSON strings.

If `check_circular` is false, then the circular reference check
for container types will be skipped and a circular reference will
result in an `RecursionError` (or worse).

If `allow_nan` is false, then it will be a `ValueError` to
serialize out of range `float` values (`nan`, `inf`, `-inf`) in
strict compliance of the JSON specification, instead of using the
JavaScript equivalents (`NaN`, `Infinity`, `-Infinity`).

If `indent` is a non-negative integer, then JSON array elements and
object members will be pretty-printed with that indent level. An indent
level of 0 will only insert newlines. `None` is the most compact
representation.

If specified, `separators` should be an `(item_separator, key_separator)`
tuple.  The default is `(', ', ': ')` if *indent* is `None` and
`(',', ': ')` otherwise.  To get the most compact JSON representation,
you should specify `(',', ':')` to eliminate whitespace.

`default(obj)` is a function that should return a serializable version
of obj or raise TypeError. The default simply raises TypeError.

If *sort\_keys* is true (default: `False`), then the output of
dictionaries will be sorted by key.

To use a custom `JSONEncoder` subclass (e.g. one that overrides the
`.default()` method to serialize additional types), specify it with
the `cls` kwarg; otherwise `JSONEncoder` is used.*/
    pub fn dumps(obj: impl __sb::IntoValue) -> DumpsCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("json", "dumps");
        DumpsCall(__sb::Call::at(&SITE, (obj,)))
    }
    ///Pending call of `json.dumps`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct DumpsCall(__sb::Call<__sb::String>);
    __sb::__call_builder!(DumpsCall => __sb::String, kwarg);
    impl DumpsCall {
        ///Python argument `skipkeys` (default `False`).
        pub fn skipkeys(self, skipkeys: __sb::bool) -> Self {
            Self(self.0.kwarg("skipkeys", skipkeys))
        }
        ///Python argument `ensure_ascii` (default `True`).
        pub fn ensure_ascii(self, ensure_ascii: __sb::bool) -> Self {
            Self(self.0.kwarg("ensure_ascii", ensure_ascii))
        }
        ///Python argument `check_circular` (default `True`).
        pub fn check_circular(self, check_circular: __sb::bool) -> Self {
            Self(self.0.kwarg("check_circular", check_circular))
        }
        ///Python argument `allow_nan` (default `True`).
        pub fn allow_nan(self, allow_nan: __sb::bool) -> Self {
            Self(self.0.kwarg("allow_nan", allow_nan))
        }
        ///Python argument `cls` (default `None`).
        pub fn cls(self, cls: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("cls", cls))
        }
        ///Python argument `indent` (default `None`).
        pub fn indent(self, indent: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("indent", indent))
        }
        ///Python argument `separators` (default `None`).
        pub fn separators(self, separators: (__sb::String, __sb::String)) -> Self {
            Self(self.0.kwarg("separators", separators))
        }
        ///Python argument `default` (default `None`).
        pub fn default(self, default: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("default", default))
        }
        ///Python argument `sort_keys` (default `False`).
        pub fn sort_keys(self, sort_keys: __sb::bool) -> Self {
            Self(self.0.kwarg("sort_keys", sort_keys))
        }
    }
    /**Deserialize `fp` (a `.read()`\-supporting file-like object containing a JSON document) to a Python object.

Python: `json.load(fp: SupportsRead[str | bytes], *, cls: type[JSONDecoder] | None = None, object_hook: Callable[[dict[Any, Any]], Any] | None = None, parse_float: Callable[[str], Any] | None = None, parse_int: Callable[[str], Any] | None = None, parse_constant: Callable[[str], Any] | None = None, object_pairs_hook: Callable[[list[tuple[Any, Any]]], Any] | None = None, **kwds: Any) -> Any` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.cls(..)` | `impl IntoValue` | `None` |
| `.object_hook(..)` | `impl IntoValue` | `None` |
| `.parse_float(..)` | `impl IntoValue` | `None` |
| `.parse_int(..)` | `impl IntoValue` | `None` |
| `.parse_constant(..)` | `impl IntoValue` | `None` |
| `.object_pairs_hook(..)` | `impl IntoValue` | `None` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

`object_hook` is an optional function that will be called with the
result of any object literal decode (a `dict`). The return value of
`object_hook` will be used instead of the `dict`. This feature
can be used to implement custom decoders (e.g. JSON-RPC class hinting).

`object_pairs_hook` is an optional function that will be called with the
result of any object literal decoded with an ordered list of pairs.  The
return value of `object_pairs_hook` will be used instead of the `dict`.
This feature can be used to implement custom decoders.  If `object_hook`
is also defined, the `object_pairs_hook` takes priority.

To use a custom `JSONDecoder` subclass, specify it with the `cls`
kwarg; otherwise `JSONDecoder` is used.*/
    pub fn load(fp: impl __sb::IntoValue) -> LoadCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("json", "load");
        LoadCall(__sb::Call::at(&SITE, (fp,)))
    }
    ///Pending call of `json.load`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LoadCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(LoadCall => __sb::Value, kwarg);
    impl LoadCall {
        ///Python argument `cls` (default `None`).
        pub fn cls(self, cls: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("cls", cls))
        }
        ///Python argument `object_hook` (default `None`).
        pub fn object_hook(self, object_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_hook", object_hook))
        }
        ///Python argument `parse_float` (default `None`).
        pub fn parse_float(self, parse_float: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_float", parse_float))
        }
        ///Python argument `parse_int` (default `None`).
        pub fn parse_int(self, parse_int: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_int", parse_int))
        }
        ///Python argument `parse_constant` (default `None`).
        pub fn parse_constant(self, parse_constant: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_constant", parse_constant))
        }
        ///Python argument `object_pairs_hook` (default `None`).
        pub fn object_pairs_hook(self, object_pairs_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_pairs_hook", object_pairs_hook))
        }
    }
    /**Deserialize `s` (a `str`, `bytes` or `bytearray` instance containing a JSON document) to a Python object.

Python: `json.loads(s: str | bytes | bytearray, *, cls: type[JSONDecoder] | None = None, object_hook: Callable[[dict[Any, Any]], Any] | None = None, parse_float: Callable[[str], Any] | None = None, parse_int: Callable[[str], Any] | None = None, parse_constant: Callable[[str], Any] | None = None, object_pairs_hook: Callable[[list[tuple[Any, Any]]], Any] | None = None, **kwds: Any) -> Any` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.cls(..)` | `impl IntoValue` | `None` |
| `.object_hook(..)` | `impl IntoValue` | `None` |
| `.parse_float(..)` | `impl IntoValue` | `None` |
| `.parse_int(..)` | `impl IntoValue` | `None` |
| `.parse_constant(..)` | `impl IntoValue` | `None` |
| `.object_pairs_hook(..)` | `impl IntoValue` | `None` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

`object_hook` is an optional function that will be called with the
result of any object literal decode (a `dict`). The return value of
`object_hook` will be used instead of the `dict`. This feature
can be used to implement custom decoders (e.g. JSON-RPC class hinting).

`object_pairs_hook` is an optional function that will be called with the
result of any object literal decoded with an ordered list of pairs.  The
return value of `object_pairs_hook` will be used instead of the `dict`.
This feature can be used to implement custom decoders.  If `object_hook`
is also defined, the `object_pairs_hook` takes priority.

`parse_float`, if specified, will be called with the string
of every JSON float to be decoded. By default this is equivalent to
float(num\_str). This can be used to use another datatype or parser
for JSON floats (e.g. decimal.Decimal).

`parse_int`, if specified, will be called with the string
of every JSON int to be decoded. By default this is equivalent to
int(num\_str). This can be used to use another datatype or parser
for JSON integers (e.g. float).

`parse_constant`, if specified, will be called with one of the
following strings: -Infinity, Infinity, NaN.
This can be used to raise an exception if invalid JSON numbers
are encountered.

To use a custom `JSONDecoder` subclass, specify it with the `cls`
kwarg; otherwise `JSONDecoder` is used.*/
    pub fn loads(s: impl __sb::IntoValue) -> LoadsCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("json", "loads");
        LoadsCall(__sb::Call::at(&SITE, (s,)))
    }
    ///Pending call of `json.loads`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LoadsCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(LoadsCall => __sb::Value, kwarg);
    impl LoadsCall {
        ///Python argument `cls` (default `None`).
        pub fn cls(self, cls: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("cls", cls))
        }
        ///Python argument `object_hook` (default `None`).
        pub fn object_hook(self, object_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_hook", object_hook))
        }
        ///Python argument `parse_float` (default `None`).
        pub fn parse_float(self, parse_float: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_float", parse_float))
        }
        ///Python argument `parse_int` (default `None`).
        pub fn parse_int(self, parse_int: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_int", parse_int))
        }
        ///Python argument `parse_constant` (default `None`).
        pub fn parse_constant(self, parse_constant: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_constant", parse_constant))
        }
        ///Python argument `object_pairs_hook` (default `None`).
        pub fn object_pairs_hook(self, object_pairs_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_pairs_hook", object_pairs_hook))
        }
    }
    /**Subclass of ValueError with the following additional properties:

Python: `json.JSONDecodeError`

msg: The unformatted error message
doc: The JSON document being parsed
pos: The start index of doc where parsing failed
lineno: The line corresponding to pos
colno: The column corresponding to pos*/
    #[repr(transparent)]
    pub struct JSONDecodeError {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(JSONDecodeError, "json", "JSONDecodeError");
    impl JSONDecodeError {
        /**Python: `json.JSONDecodeError(msg: str, doc: str, pos: int)` (signature from typeshed)

Constructs a new `JSONDecodeError`: finish with `.call()`.*/
        pub fn new(
            msg: impl __sb::Into<__sb::String>,
            doc: impl __sb::Into<__sb::String>,
            pos: impl __sb::Into<__sb::i64>,
        ) -> __sb::Call<JSONDecodeError> {
            static SITE: __sb::CallSite = __sb::CallSite::new("json", "JSONDecodeError");
            __sb::Call::class_at(&SITE, (msg.into(), doc.into(), pos.into()))
        }
        ///Python: `json.JSONDecodeError.colno`
        pub fn colno(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "colno")
        }
        ///Sets `json.JSONDecodeError.colno`.
        pub fn set_colno(&self, value: impl __sb::Into<__sb::i64>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "colno", value.into())
        }
        ///Python: `json.JSONDecodeError.doc`
        pub fn doc(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "doc")
        }
        ///Sets `json.JSONDecodeError.doc`.
        pub fn set_doc(&self, value: impl __sb::Into<__sb::String>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "doc", value.into())
        }
        ///Python: `json.JSONDecodeError.lineno`
        pub fn lineno(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "lineno")
        }
        ///Sets `json.JSONDecodeError.lineno`.
        pub fn set_lineno(&self, value: impl __sb::Into<__sb::i64>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "lineno", value.into())
        }
        ///Python: `json.JSONDecodeError.msg`
        pub fn msg(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "msg")
        }
        ///Sets `json.JSONDecodeError.msg`.
        pub fn set_msg(&self, value: impl __sb::Into<__sb::String>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "msg", value.into())
        }
        ///Python: `json.JSONDecodeError.pos`
        pub fn pos(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "pos")
        }
        ///Sets `json.JSONDecodeError.pos`.
        pub fn set_pos(&self, value: impl __sb::Into<__sb::i64>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "pos", value.into())
        }
    }
    /**Simple JSON \<<https://json.org>\> decoder

Python: `json.JSONDecoder`

Performs the following translations in decoding by default:

```text
+---------------+-------------------+
| JSON          | Python            |
+===============+===================+
| object        | dict              |
+---------------+-------------------+
| array         | list              |
+---------------+-------------------+
| string        | str               |
+---------------+-------------------+
| number (int)  | int               |
+---------------+-------------------+
| number (real) | float             |
+---------------+-------------------+
| true          | True              |
+---------------+-------------------+
| false         | False             |
+---------------+-------------------+
| null          | None              |
+---------------+-------------------+
```

It also understands `NaN`, `Infinity`, and `-Infinity` as
their corresponding `float` values, which is outside the JSON spec.*/
    #[repr(transparent)]
    pub struct JSONDecoder {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(JSONDecoder, "json", "JSONDecoder");
    impl JSONDecoder {
        /**Python: `json.JSONDecoder(*, object_hook: Callable[[dict[str, Any]], Any] | None = None, parse_float: Callable[[str], Any] | None = None, parse_int: Callable[[str], Any] | None = None, parse_constant: Callable[[str], Any] | None = None, strict: bool = True, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None)` (signature from typeshed)

Constructs a new `JSONDecoder`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.object_hook(..)` | `impl IntoValue` | `None` |
| `.parse_float(..)` | `impl IntoValue` | `None` |
| `.parse_int(..)` | `impl IntoValue` | `None` |
| `.parse_constant(..)` | `impl IntoValue` | `None` |
| `.strict(..)` | `bool` | `True` |
| `.object_pairs_hook(..)` | `impl IntoValue` | `None` |*/
        pub fn new() -> JSONDecoderNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("json", "JSONDecoder");
            JSONDecoderNewCall(__sb::Call::class_at(&SITE, ()))
        }
        /**Return the Python representation of `s` (a `str` instance containing a JSON document).

Python: `json.JSONDecoder.decode(s: str, _w: Callable[..., Any] = ...) -> Any` (signature from typeshed)*/
        pub fn decode(
            &self,
            s: impl __sb::Into<__sb::String>,
        ) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "decode", (s.into(),))
        }
        /**Decode a JSON document from `s` (a `str` beginning with a JSON document) and return a 2-tuple of the Python representation and the index in `s` where the document ended.

Python: `json.JSONDecoder.raw_decode(s: str, idx: int = 0) -> tuple[Any, int]` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.idx(..)` | `impl Into<i64>` | `0` |

This can be used to decode a JSON document from a string that may
have extraneous data at the end.*/
        pub fn raw_decode(
            &self,
            s: impl __sb::Into<__sb::String>,
        ) -> JSONDecoderRawDecodeCall {
            JSONDecoderRawDecodeCall(
                __sb::Call::method(
                    __sb::PyClass::as_py_ref(self),
                    "raw_decode",
                    (s.into(),),
                ),
            )
        }
        ///Python: `json.JSONDecoder.memo`
        pub fn memo(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "memo")
        }
        ///Sets `json.JSONDecoder.memo`.
        pub fn set_memo(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "memo", value)
        }
        ///Python: `json.JSONDecoder.object_hook`
        pub fn object_hook(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "object_hook")
        }
        ///Sets `json.JSONDecoder.object_hook`.
        pub fn set_object_hook(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "object_hook", value)
        }
        ///Python: `json.JSONDecoder.object_pairs_hook`
        pub fn object_pairs_hook(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "object_pairs_hook")
        }
        ///Sets `json.JSONDecoder.object_pairs_hook`.
        pub fn set_object_pairs_hook(
            &self,
            value: impl __sb::IntoValue,
        ) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "object_pairs_hook", value)
        }
        ///Python: `json.JSONDecoder.parse_array`
        pub fn parse_array(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_array")
        }
        ///Sets `json.JSONDecoder.parse_array`.
        pub fn set_parse_array(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_array", value)
        }
        ///Python: `json.JSONDecoder.parse_constant`
        pub fn parse_constant(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_constant")
        }
        ///Sets `json.JSONDecoder.parse_constant`.
        pub fn set_parse_constant(
            &self,
            value: impl __sb::IntoValue,
        ) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_constant", value)
        }
        ///Python: `json.JSONDecoder.parse_float`
        pub fn parse_float(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_float")
        }
        ///Sets `json.JSONDecoder.parse_float`.
        pub fn set_parse_float(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_float", value)
        }
        ///Python: `json.JSONDecoder.parse_int`
        pub fn parse_int(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_int")
        }
        ///Sets `json.JSONDecoder.parse_int`.
        pub fn set_parse_int(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_int", value)
        }
        ///Python: `json.JSONDecoder.parse_object`
        pub fn parse_object(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_object")
        }
        ///Sets `json.JSONDecoder.parse_object`.
        pub fn set_parse_object(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_object", value)
        }
        ///Python: `json.JSONDecoder.parse_string`
        pub fn parse_string(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "parse_string")
        }
        ///Sets `json.JSONDecoder.parse_string`.
        pub fn set_parse_string(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "parse_string", value)
        }
        ///Python: `json.JSONDecoder.scan_once`
        pub fn scan_once(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "scan_once")
        }
        ///Sets `json.JSONDecoder.scan_once`.
        pub fn set_scan_once(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "scan_once", value)
        }
        ///Python: `json.JSONDecoder.strict`
        pub fn strict(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "strict")
        }
        ///Sets `json.JSONDecoder.strict`.
        pub fn set_strict(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "strict", value)
        }
    }
    ///Pending call of `json.JSONDecoder`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct JSONDecoderNewCall(__sb::Call<JSONDecoder>);
    __sb::__call_builder!(JSONDecoderNewCall => JSONDecoder);
    impl JSONDecoderNewCall {
        ///Python argument `object_hook` (default `None`).
        pub fn object_hook(self, object_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_hook", object_hook))
        }
        ///Python argument `parse_float` (default `None`).
        pub fn parse_float(self, parse_float: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_float", parse_float))
        }
        ///Python argument `parse_int` (default `None`).
        pub fn parse_int(self, parse_int: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_int", parse_int))
        }
        ///Python argument `parse_constant` (default `None`).
        pub fn parse_constant(self, parse_constant: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("parse_constant", parse_constant))
        }
        ///Python argument `strict` (default `True`).
        pub fn strict(self, strict: __sb::bool) -> Self {
            Self(self.0.kwarg("strict", strict))
        }
        ///Python argument `object_pairs_hook` (default `None`).
        pub fn object_pairs_hook(self, object_pairs_hook: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("object_pairs_hook", object_pairs_hook))
        }
    }
    ///Pending call of `json.JSONDecoder.raw_decode`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct JSONDecoderRawDecodeCall(__sb::Call<(__sb::Value, __sb::i64)>);
    __sb::__call_builder!(JSONDecoderRawDecodeCall => (__sb::Value, __sb::i64,));
    impl JSONDecoderRawDecodeCall {
        ///Python argument `idx` (default `0`).
        pub fn idx(self, idx: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("idx", idx.into()))
        }
    }
    /**Extensible JSON \<<https://json.org>\> encoder for Python data structures.

Python: `json.JSONEncoder`

Supports the following objects and types by default:

```text
+-------------------+---------------+
| Python            | JSON          |
+===================+===============+
| dict              | object        |
+-------------------+---------------+
| list, tuple       | array         |
+-------------------+---------------+
| str               | string        |
+-------------------+---------------+
| int, float        | number        |
+-------------------+---------------+
| True              | true          |
+-------------------+---------------+
| False             | false         |
+-------------------+---------------+
| None              | null          |
+-------------------+---------------+
```

To extend this to recognize other objects, subclass and implement a
`.default()` method with another method that returns a serializable
object for `o` if possible, otherwise it should call the superclass
implementation (to raise `TypeError`).*/
    #[repr(transparent)]
    pub struct JSONEncoder {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(JSONEncoder, "json", "JSONEncoder");
    impl JSONEncoder {
        /**Python: `json.JSONEncoder(*, skipkeys: bool = False, ensure_ascii: bool = True, check_circular: bool = True, allow_nan: bool = True, sort_keys: bool = False, indent: int | str | None = None, separators: tuple[str, str] | None = None, default: Callable[..., Any] | None = None)` (signature from typeshed)

Constructs a new `JSONEncoder`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.skipkeys(..)` | `bool` | `False` |
| `.ensure_ascii(..)` | `bool` | `True` |
| `.check_circular(..)` | `bool` | `True` |
| `.allow_nan(..)` | `bool` | `True` |
| `.sort_keys(..)` | `bool` | `False` |
| `.indent(..)` | `impl IntoValue` | `None` |
| `.separators(..)` | `(String, String)` | `None` |
| `.default(..)` | `impl IntoPyFn<fn (AnyArgs) -> Value>` | `None` |*/
        pub fn new() -> JSONEncoderNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("json", "JSONEncoder");
            JSONEncoderNewCall(__sb::Call::class_at(&SITE, ()))
        }
        /**Implement this method in a subclass such that it returns a serializable object for `o`, or calls the base implementation (to raise a `TypeError`).

Python: `json.JSONEncoder.default(o: Any) -> Any` (signature from typeshed)

For example, to support arbitrary iterators, you could
implement default like this:

```text
def default(self, o):
    try:
        iterable = iter(o)
    except TypeError:
        pass
    else:
        return list(iterable)
    # Let the base class default method raise the TypeError
    return JSONEncoder.default(self, o)
```*/
        pub fn default(&self, o: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "default", (o,))
        }
        /**Return a JSON string representation of a Python data structure.

Python: `json.JSONEncoder.encode(o: Any) -> str` (signature from typeshed)

```python
>>> from json.encoder import JSONEncoder
>>> JSONEncoder().encode({"foo": ["bar", "baz"]})
'{"foo": ["bar", "baz"]}'
```*/
        pub fn encode(&self, o: impl __sb::IntoValue) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "encode", (o,))
        }
        /**Encode the given object and yield each string representation as available.

Python: `json.JSONEncoder.iterencode(o: Any, _one_shot: bool = False) -> Iterator[str]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.

For example:

```text
for chunk in JSONEncoder().iterencode(bigobject):
    mysocket.write(chunk)
```*/
        pub fn iterencode(&self, o: impl __sb::IntoValue) -> JSONEncoderIterencodeCall {
            JSONEncoderIterencodeCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "iterencode", (o,)),
            )
        }
        ///Python: `json.JSONEncoder.allow_nan`
        pub fn allow_nan(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "allow_nan")
        }
        ///Sets `json.JSONEncoder.allow_nan`.
        pub fn set_allow_nan(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "allow_nan", value)
        }
        ///Python: `json.JSONEncoder.check_circular`
        pub fn check_circular(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "check_circular")
        }
        ///Sets `json.JSONEncoder.check_circular`.
        pub fn set_check_circular(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "check_circular", value)
        }
        ///Python: `json.JSONEncoder.ensure_ascii`
        pub fn ensure_ascii(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "ensure_ascii")
        }
        ///Sets `json.JSONEncoder.ensure_ascii`.
        pub fn set_ensure_ascii(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "ensure_ascii", value)
        }
        ///Python: `json.JSONEncoder.indent`
        pub fn indent(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "indent")
        }
        ///Sets `json.JSONEncoder.indent`.
        pub fn set_indent(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "indent", value)
        }
        ///Python: `json.JSONEncoder.item_separator`
        pub fn item_separator(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "item_separator")
        }
        ///Sets `json.JSONEncoder.item_separator`.
        pub fn set_item_separator(
            &self,
            value: impl __sb::Into<__sb::String>,
        ) -> __sb::Result<()> {
            __sb::set_attr(
                __sb::PyClass::as_py_ref(self),
                "item_separator",
                value.into(),
            )
        }
        ///Python: `json.JSONEncoder.key_separator`
        pub fn key_separator(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "key_separator")
        }
        ///Sets `json.JSONEncoder.key_separator`.
        pub fn set_key_separator(
            &self,
            value: impl __sb::Into<__sb::String>,
        ) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "key_separator", value.into())
        }
        ///Python: `json.JSONEncoder.skipkeys`
        pub fn skipkeys(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "skipkeys")
        }
        ///Sets `json.JSONEncoder.skipkeys`.
        pub fn set_skipkeys(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "skipkeys", value)
        }
        ///Python: `json.JSONEncoder.sort_keys`
        pub fn sort_keys(&self) -> __sb::Result<__sb::bool> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "sort_keys")
        }
        ///Sets `json.JSONEncoder.sort_keys`.
        pub fn set_sort_keys(&self, value: __sb::bool) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "sort_keys", value)
        }
    }
    ///Pending call of `json.JSONEncoder`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct JSONEncoderNewCall(__sb::Call<JSONEncoder>);
    __sb::__call_builder!(JSONEncoderNewCall => JSONEncoder);
    impl JSONEncoderNewCall {
        ///Python argument `skipkeys` (default `False`).
        pub fn skipkeys(self, skipkeys: __sb::bool) -> Self {
            Self(self.0.kwarg("skipkeys", skipkeys))
        }
        ///Python argument `ensure_ascii` (default `True`).
        pub fn ensure_ascii(self, ensure_ascii: __sb::bool) -> Self {
            Self(self.0.kwarg("ensure_ascii", ensure_ascii))
        }
        ///Python argument `check_circular` (default `True`).
        pub fn check_circular(self, check_circular: __sb::bool) -> Self {
            Self(self.0.kwarg("check_circular", check_circular))
        }
        ///Python argument `allow_nan` (default `True`).
        pub fn allow_nan(self, allow_nan: __sb::bool) -> Self {
            Self(self.0.kwarg("allow_nan", allow_nan))
        }
        ///Python argument `sort_keys` (default `False`).
        pub fn sort_keys(self, sort_keys: __sb::bool) -> Self {
            Self(self.0.kwarg("sort_keys", sort_keys))
        }
        ///Python argument `indent` (default `None`).
        pub fn indent(self, indent: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("indent", indent))
        }
        ///Python argument `separators` (default `None`).
        pub fn separators(self, separators: (__sb::String, __sb::String)) -> Self {
            Self(self.0.kwarg("separators", separators))
        }
        ///Python argument `default` (default `None`).
        pub fn default(
            self,
            default: impl __sb::IntoPyFn<fn(__sb::AnyArgs) -> __sb::Value>,
        ) -> Self {
            Self(self.0.kwarg("default", __sb::IntoPyFn::__into_callable_value(default)))
        }
    }
    ///Pending call of `json.JSONEncoder.iterencode`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct JSONEncoderIterencodeCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(JSONEncoderIterencodeCall => stream __sb::String);
    impl JSONEncoderIterencodeCall {}
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
