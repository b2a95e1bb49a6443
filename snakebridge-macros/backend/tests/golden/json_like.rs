pub mod json {
    /*!JSON (JavaScript Object Notation) \<<https://json.org>\> is a subset of JavaScript.

Python: `json`

```python
>>> import json
>>> json.dumps([1])
'[1]'
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
    /**Serialize `obj` to a JSON formatted `str`.

Python: `json.dumps(obj: Any, *, skipkeys: bool = False, indent: None | int | str = None, separators: tuple[str, str] | None = None, sort_keys: bool = False, **kwds: Any) -> str` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.skipkeys(..)` | `bool` | `False` |
| `.indent(..)` | `impl IntoValue` | `None` |
| `.separators(..)` | `(String, String)` | `None` |
| `.sort_keys(..)` | `bool` | `False` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

If `skipkeys` is true then `dict` keys that are not basic types
(`str`, `int`) will be skipped \[1\].*/
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
        ///Python argument `indent` (default `None`).
        pub fn indent(self, indent: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("indent", indent))
        }
        ///Python argument `separators` (default `None`).
        pub fn separators(self, separators: (__sb::String, __sb::String)) -> Self {
            Self(self.0.kwarg("separators", separators))
        }
        ///Python argument `sort_keys` (default `False`).
        pub fn sort_keys(self, sort_keys: __sb::bool) -> Self {
            Self(self.0.kwarg("sort_keys", sort_keys))
        }
    }
    /**Deserialize `s` (a `str`, `bytes` or `bytearray` instance containing a JSON document) to a Python object.

Python: `json.loads(s: str | bytes | bytearray, *, cls: type[JSONDecoder] | None = None, **kwds: Any) -> Any` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.cls(..)` | `impl IntoValue` | `None` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
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
    }
    /**Subclass of ValueError with the following additional properties:

Python: `json.JSONDecodeError`

msg: The unformatted error message*/
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
    }
    /**Simple JSON \<<https://json.org>\> decoder

Python: `json.JSONDecoder`*/
    #[repr(transparent)]
    pub struct JSONDecoder {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(JSONDecoder, "json", "JSONDecoder");
    impl JSONDecoder {
        /**Python: `json.JSONDecoder(*, object_hook=None, strict: bool = True)` (signature from typeshed)

Constructs a new `JSONDecoder`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.object_hook(..)` | `impl IntoValue` | `None` |
| `.strict(..)` | `bool` | `True` |*/
        pub fn new() -> JSONDecoderNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("json", "JSONDecoder");
            JSONDecoderNewCall(__sb::Call::class_at(&SITE, ()))
        }
        /**Return the Python representation of `s`.

Python: `json.JSONDecoder.decode(s: str, _w=...) -> Any` (signature from typeshed)*/
        pub fn decode(
            &self,
            s: impl __sb::Into<__sb::String>,
        ) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "decode", (s.into(),))
        }
        /**Python: `json.JSONDecoder.raw_decode(s: str, idx: int = 0) -> tuple[Any, int]` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.idx(..)` | `impl Into<i64>` | `0` |*/
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
        ///Python argument `strict` (default `True`).
        pub fn strict(self, strict: __sb::bool) -> Self {
            Self(self.0.kwarg("strict", strict))
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

Python: `json.JSONEncoder`*/
    #[repr(transparent)]
    pub struct JSONEncoder {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(JSONEncoder, "json", "JSONEncoder");
    impl JSONEncoder {
        /**Python: `json.JSONEncoder(*, skipkeys: bool = False, indent: int | str | None = None)` (signature from typeshed)

Constructs a new `JSONEncoder`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.skipkeys(..)` | `bool` | `False` |
| `.indent(..)` | `impl IntoValue` | `None` |*/
        pub fn new() -> JSONEncoderNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("json", "JSONEncoder");
            JSONEncoderNewCall(__sb::Call::class_at(&SITE, ()))
        }
        ///Python: `json.JSONEncoder.default(o: Any) -> Any` (signature from typeshed)
        pub fn default(&self, o: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "default", (o,))
        }
        /**Return a JSON string representation of a Python data structure.

Python: `json.JSONEncoder.encode(o: Any) -> str` (signature from typeshed)*/
        pub fn encode(&self, o: impl __sb::IntoValue) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "encode", (o,))
        }
        /**Encode the given object and yield each string representation as available.

Python: `json.JSONEncoder.iterencode(o: Any, _one_shot: bool = False) -> Iterator[str]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
        pub fn iterencode(&self, o: impl __sb::IntoValue) -> JSONEncoderIterencodeCall {
            JSONEncoderIterencodeCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "iterencode", (o,)),
            )
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
        ///Python: `json.JSONEncoder.indent`
        pub fn indent(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "indent")
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
        ///Python argument `indent` (default `None`).
        pub fn indent(self, indent: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("indent", indent))
        }
    }
    ///Pending call of `json.JSONEncoder.iterencode`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct JSONEncoderIterencodeCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(JSONEncoderIterencodeCall => stream __sb::String);
    impl JSONEncoderIterencodeCall {}
    /**Python: `json.__version__`

Python type: `str`.*/
    pub const __version__: &__sb::str = "2.0.9";
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
