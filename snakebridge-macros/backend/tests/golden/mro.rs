pub mod diamond {
    /*!A diamond, a mixin and a namedtuple (the codegen fixture of the object model).

Python: `diamond`*/
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
    /**Typed version of namedtuple.

Python: `diamond.NamedTuple(typename, fields=None, /, **kwargs)` (signature from inspect.signature)

```text
Usage::

    class Employee(NamedTuple):
        name: str
        id: int

This is equivalent to::

    Employee = collections.namedtuple('Employee', ['name', 'id'])

The resulting class has an extra __annotations__ attribute, giving a
dict that maps field names to types.  (The field names are also in
the _fields attribute, which is part of the namedtuple API.)
An alternative equivalent functional syntax is also accepted::

    Employee = NamedTuple('Employee', [('name', str), ('id', int)])
```*/
    pub fn NamedTuple(typename: impl __sb::IntoValue) -> NamedTupleCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "NamedTuple");
        NamedTupleCall(__sb::Call::at(&SITE, (typename,)))
    }
    ///Pending call of `diamond.NamedTuple`: set optional arguments by their Python names, then `.call()`.
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct NamedTupleCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(NamedTupleCall => __sb::Value, kwarg);
    impl NamedTupleCall {
        ///Python argument `fields` (default `None`). Positional-only: it is appended to the positional arguments, so set such arguments in order.
        pub fn fields(self, fields: impl __sb::IntoValue) -> Self {
            Self(self.0.positional(1usize, fields))
        }
    }
    ///Python: `diamond.make_pair(count: int, label: str) -> diamond.Pair` (signature from inspect.signature)
    pub fn make_pair(
        count: impl __sb::Into<__sb::i64>,
        label: impl __sb::Into<__sb::String>,
    ) -> __sb::Call<Pair> {
        static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "make_pair");
        __sb::Call::at(&SITE, (count.into(), label.into()))
    }
    ///Python: `diamond.Base`
    #[repr(transparent)]
    pub struct Base {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Base, "diamond", "Base");
    impl Base {
        /**Python: `diamond.Base()` (signature from __text_signature__)

Constructs a new `Base`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Base> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Base");
            __sb::Call::class_at(&SITE, ())
        }
        ///Python: `diamond.Base.base_only() -> int` (signature from inspect.signature)
        pub fn base_only(&self) -> __sb::Call<__sb::i64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "base_only", ())
        }
        ///Python: `diamond.Base.side() -> str` (signature from inspect.signature)
        pub fn side(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "side", ())
        }
        ///Python: `diamond.Base.who() -> str` (signature from inspect.signature)
        pub fn who(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "who", ())
        }
    }
    ///Python: `diamond.Diamond`
    #[repr(transparent)]
    pub struct Diamond {
        __sb_ref: Left,
    }
    __sb::__py_class!(Diamond, "diamond", "Diamond", base = Left);
    impl Diamond {
        /**Python: `diamond.Diamond()` (signature from __text_signature__)

Constructs a new `Diamond`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Diamond> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Diamond");
            __sb::Call::class_at(&SITE, ())
        }
    }
    impl RightMethods for Diamond {}
    ///Python: `diamond.Left`
    #[repr(transparent)]
    pub struct Left {
        __sb_ref: Base,
    }
    __sb::__py_class!(Left, "diamond", "Left", base = Base);
    impl Left {
        /**Python: `diamond.Left()` (signature from __text_signature__)

Constructs a new `Left`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Left> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Left");
            __sb::Call::class_at(&SITE, ())
        }
        ///Python: `diamond.Left.left_only() -> float` (signature from inspect.signature)
        pub fn left_only(&self) -> __sb::Call<__sb::f64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "left_only", ())
        }
        ///Python: `diamond.Left.side() -> str` (signature from inspect.signature)
        pub fn side(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "side", ())
        }
        ///Python: `diamond.Left.who() -> str` (signature from inspect.signature)
        pub fn who(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "who", ())
        }
    }
    /**Pair(count, label)

Python: `diamond.Pair`*/
    #[repr(transparent)]
    pub struct Pair {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Pair, "diamond", "Pair");
    impl Pair {
        /**Python: `diamond.Pair(count: int, label: str)` (signature from __text_signature__)

Constructs a new `Pair`: finish with `.call()`.*/
        pub fn new(
            count: impl __sb::Into<__sb::i64>,
            label: impl __sb::Into<__sb::String>,
        ) -> __sb::Call<Pair> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Pair");
            __sb::Call::class_at(&SITE, (count.into(), label.into()))
        }
        ///The fields as a Rust tuple (Python `tuple(self)`): `count`, `label`.
        pub fn to_tuple(&self) -> __sb::Result<(__sb::i64, __sb::String)> {
            __sb::Call::function("builtins", "tuple", (__sb::PyClass::as_py_ref(self),))
                .call()
        }
        /**Alias for field number 0

Python: `diamond.Pair.count`*/
        pub fn count(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "count")
        }
        /**Alias for field number 1

Python: `diamond.Pair.label`*/
        pub fn label(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "label")
        }
    }
    ///Python: `diamond.Right`
    #[repr(transparent)]
    pub struct Right {
        __sb_ref: Base,
    }
    __sb::__py_class!(Right, "diamond", "Right", base = Base);
    impl Right {
        /**Python: `diamond.Right()` (signature from __text_signature__)

Constructs a new `Right`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Right> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Right");
            __sb::Call::class_at(&SITE, ())
        }
        ///Python: `diamond.Right.side() -> str` (signature from inspect.signature)
        pub fn side(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "side", ())
        }
    }
    ///The instance members of `diamond.Right`, for the classes that inherit them (bring it into scope with the module's `prelude`).
    pub trait RightMethods: __sb::PyClass {
        ///Python: `diamond.Right.side() -> str` (signature from inspect.signature)
        fn side(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "side", ())
        }
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {
        pub use super::RightMethods as _;
    }
}
