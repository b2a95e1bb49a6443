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

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.fields(..)` | `impl IntoValue` | `None` (positional-only: set in order) |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |

Usage:

```text
class Employee(NamedTuple):
    name: str
    id: int
```

This is equivalent to:

```text
Employee = collections.namedtuple('Employee', ['name', 'id'])
```

The resulting class has an extra \_\_annotations\_\_ attribute, giving a
dict that maps field names to types.  (The field names are also in
the \_fields attribute, which is part of the namedtuple API.)
An alternative equivalent functional syntax is also accepted:

```text
Employee = NamedTuple('Employee', [('name', str), ('id', int)])
```*/
    pub fn NamedTuple(typename: impl __sb::IntoValue) -> NamedTupleCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "NamedTuple");
        NamedTupleCall(__sb::Call::at(&SITE, (typename,)))
    }
    ///Pending call of `diamond.NamedTuple`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
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
    ) -> __sb::SiteCall<(__sb::i64, __sb::String), Pair> {
        static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "make_pair");
        __sb::SiteCall::new(&SITE, (count.into(), label.into()))
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
    /**Operators, iteration, a context and a container.

Python: `diamond.Counter`*/
    #[repr(transparent)]
    pub struct Counter {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Counter, "diamond", "Counter");
    impl Counter {
        /**Python: `diamond.Counter()` (signature from __text_signature__)

Constructs a new `Counter`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Counter> {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Counter");
            __sb::Call::class_at(&SITE, ())
        }
        ///Runs `body` inside this context manager, as Python's `with Counter as value:` does: `__exit__` always runs, with the exception when `body` returns an error or panics; `None` when `__exit__` suppressed the exception (see `snakebridge::with_context`).
        pub fn with<R>(
            &self,
            body_: impl FnOnce(__sb::String) -> __sb::Result<R>,
        ) -> __sb::Result<__sb::Option<R>> {
            __sb::with_context(__sb::PyClass::as_py_ref(self), body_)
        }
        ///Python: `diamond.Counter.__enter__() -> str` (signature from inspect.signature)
        pub fn enter(&self) -> __sb::Call<__sb::String> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__enter__", ())
        }
        /**Python: `diamond.Counter.__exit__(*exc) -> None` (signature from inspect.signature)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |*/
        pub fn exit(&self) -> CounterExitCall {
            CounterExitCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "__exit__", ()),
            )
        }
        ///Python: `diamond.Counter.__getitem__(key: int) -> str` (signature from inspect.signature)
        pub fn get_item(
            &self,
            key: impl __sb::Into<__sb::i64>,
        ) -> __sb::Call<__sb::String> {
            __sb::Call::method(
                __sb::PyClass::as_py_ref(self),
                "__getitem__",
                (key.into(),),
            )
        }
        /**Python: `diamond.Counter.__iter__()` (signature from inspect.signature)

A Python generator: `.call()` returns a `Stream` of its items.*/
        pub fn iter(&self) -> CounterIterCall {
            CounterIterCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "__iter__", ()),
            )
        }
        ///Python: `diamond.Counter.__len__() -> int` (signature from inspect.signature)
        pub fn len(&self) -> __sb::Call<__sb::i64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__len__", ())
        }
        ///Python: `diamond.Counter.__next__() -> int` (signature from inspect.signature)
        pub fn next(&self) -> __sb::Call<__sb::i64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__next__", ())
        }
    }
    __sb::__py_ops!(Counter => Counter; [__sb::i64]; add, radd);
    __sb::__py_ops!(Counter => __sb::bool; [Counter, & Counter]; lt);
    __sb::__py_ops!(Counter => Counter; []; neg);
    __sb::__py_ops!(Counter => __sb::i64; [__sb::i64]; pow);
    __sb::__py_iter!(Counter => __sb::i64);
    ///Pending call of `diamond.Counter.__exit__`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct CounterExitCall(__sb::Call<()>);
    __sb::__call_builder!(CounterExitCall => (), args);
    impl CounterExitCall {}
    ///Pending call of `diamond.Counter.__iter__`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct CounterIterCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(CounterIterCall => stream __sb::Value);
    impl CounterIterCall {}
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
    /**A module exception.

Python: `diamond.Oops`*/
    #[repr(transparent)]
    pub struct Oops {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Oops, "diamond", "Oops");
    impl Oops {
        /**Python: `diamond.Oops` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `Oops`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
        pub fn new() -> OopsNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("diamond", "Oops");
            OopsNewCall(__sb::Call::class_at(&SITE, ()))
        }
        ///The Python exception in `error` as `diamond.Oops`, when it is one (subclasses included): `Oops::from_error(&err)`, then its attributes.
        pub fn from_error(error_: &__sb::Error) -> __sb::Option<Self> {
            __sb::exception_as(error_, "diamond.Oops")
        }
        ///Python: `diamond.Oops.code`
        pub fn code(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "code")
        }
        ///Sets `diamond.Oops.code`.
        pub fn set_code(&self, value: impl __sb::Into<__sb::i64>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "code", value.into())
        }
    }
    ///Pending call of `diamond.Oops`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct OopsNewCall(__sb::Call<Oops>);
    __sb::__call_builder!(OopsNewCall => Oops, args, kwarg);
    impl OopsNewCall {}
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
        /**Return key in self.

Python: `diamond.Pair.__contains__(key: object, /) -> bool` (signature from typeshed)*/
        pub fn contains(&self, key: impl __sb::IntoValue) -> __sb::Call<__sb::bool> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__contains__", (key,))
        }
        /**Return self\[key\].

Python overloads (signature from typeshed):

- `diamond.Pair.__getitem__(key: int, /) -> _T_co`
- `diamond.Pair.__getitem__(key: slice[int | None], /) -> tuple[_T_co, ...]`*/
        pub fn get_item(&self, key: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__getitem__", (key,))
        }
        /**Implement iter(self).

Python: `diamond.Pair.__iter__() -> Iterator[_T_co]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
        pub fn iter(&self) -> PairIterCall {
            PairIterCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "__iter__", ()),
            )
        }
        /**Return len(self).

Python: `diamond.Pair.__len__() -> int` (signature from typeshed)*/
        pub fn len(&self) -> __sb::Call<__sb::i64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__len__", ())
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
    __sb::__py_ops!(Pair => __sb::Vec < __sb::Value >; []; add);
    __sb::__py_ops!(Pair => __sb::bool; []; ge, gt, le, lt);
    __sb::__py_ops!(Pair => __sb::Vec < __sb::Value >; [__sb::i64]; mul, rmul);
    __sb::__py_iter!(Pair => __sb::Value);
    ///Pending call of `diamond.Pair.__iter__`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct PairIterCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(PairIterCall => stream __sb::Value);
    impl PairIterCall {}
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
    /**Python: `diamond.body`

Python type: `int`.*/
    pub const body: __sb::i64 = 3;
    /**Python: `diamond.e`

Python type: `float`.*/
    pub const e: __sb::f64 = 2.718;
    /**Python: `diamond.error`

Python type: `int`.*/
    pub const error: __sb::i64 = 4;
    /**Python: `diamond.f`

Python type: `float`.*/
    pub const f: __sb::f64 = 1.0;
    /**Python: `diamond.other`

Python type: `int`.*/
    pub const other: __sb::i64 = 1;
    /**Python: `diamond.rhs`

Python type: `int`.*/
    pub const rhs: __sb::i64 = 2;
    /**Python: `diamond.s`

Python type: `str`.*/
    pub const s: &__sb::str = "s";
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {
        pub use super::RightMethods as _;
    }
}
