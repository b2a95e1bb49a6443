pub mod kw {
    /*!Names that collide with Rust: \[see\] \<here\>.

Python: `kw`*/
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
    /**Return the type of `object`.

Python: `kw.type(object) -> str` (signature from typeshed)*/
    pub fn r#type(object: impl __sb::IntoValue) -> __sb::Call<__sb::String> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "type");
        __sb::Call::at(&SITE, (object,))
    }
    /**Python: `kw.match(pattern, string, flags=0)` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.flags(..)` | `impl Into<i64>` | `0` |*/
    pub fn r#match(
        pattern: impl __sb::Into<__sb::String>,
        string: impl __sb::Into<__sb::String>,
    ) -> MatchCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "match");
        MatchCall(__sb::Call::at(&SITE, (pattern.into(), string.into())))
    }
    ///Pending call of `kw.match`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct MatchCall(__sb::Call<__sb::Option<__sb::String>>);
    __sb::__call_builder!(MatchCall => __sb::Option < __sb::String >);
    impl MatchCall {
        ///Python argument `flags` (default `0`).
        pub fn flags(self, flags: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("flags", flags.into()))
        }
    }
    /**Python: `kw.search(match, ref, *, in=False, type='x', self=0, timeout=None, call=False)` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.in(..)` | `bool` | `False` |
| `.type(..)` | `impl Into<String>` | `'x'` |
| `.self_(..)` | `impl Into<i64>` | `0` |
| `.timeout_(..)` | `impl Into<f64>` | `None` |
| `.call_(..)` | `bool` | `False` |*/
    pub fn search(
        r#match: impl __sb::Into<__sb::String>,
        ref_: impl __sb::Into<__sb::i64>,
    ) -> SearchCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "search");
        SearchCall(__sb::Call::at(&SITE, (r#match.into(), ref_.into())))
    }
    ///Pending call of `kw.search`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct SearchCall(__sb::Call<()>);
    __sb::__call_builder!(SearchCall => ());
    impl SearchCall {
        ///Python argument `in` (default `False`).
        pub fn r#in(self, r#in: __sb::bool) -> Self {
            Self(self.0.kwarg("in", r#in))
        }
        ///Python argument `type` (default `'x'`).
        pub fn r#type(self, r#type: impl __sb::Into<__sb::String>) -> Self {
            Self(self.0.kwarg("type", r#type.into()))
        }
        ///Python argument `self` (default `0`).
        pub fn self_(self, self_: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("self", self_.into()))
        }
        ///Python argument `timeout` (default `None`).
        pub fn timeout_(self, timeout: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("timeout", timeout.into()))
        }
        ///Python argument `call` (default `False`).
        pub fn call_(self, call: __sb::bool) -> Self {
            Self(self.0.kwarg("call", call))
        }
    }
    ///Python: `kw.self()` (signature from typeshed)
    pub fn self__() -> __sb::SiteCall<(), ()> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "self");
        __sb::SiteCall::new(&SITE, ())
    }
    ///Python: `kw.self_()` (signature from typeshed)
    pub fn self_() -> __sb::SiteCall<(), ()> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "self_");
        __sb::SiteCall::new(&SITE, ())
    }
    /**Python: `kw.foo(x=1)` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.x(..)` | `impl Into<i64>` | `1` |*/
    pub fn foo() -> FooCall_ {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "foo");
        FooCall_(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `kw.foo`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct FooCall_(__sb::Call<()>);
    __sb::__call_builder!(FooCall_ => ());
    impl FooCall_ {
        ///Python argument `x` (default `1`).
        pub fn x(self, x: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("x", x.into()))
        }
    }
    ///Python: `kw.FooCall()` (signature from typeshed)
    pub fn FooCall() -> __sb::SiteCall<(), ()> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "FooCall");
        __sb::SiteCall::new(&SITE, ())
    }
    ///Python: `kw._()` (signature from typeshed)
    pub fn __() -> __sb::SiteCall<(), ()> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "_");
        __sb::SiteCall::new(&SITE, ())
    }
    ///Python: `kw.Vec(n) -> list[int]` (signature from typeshed)
    pub fn Vec(
        n: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::i64,), __sb::Vec<__sb::i64>> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "Vec");
        __sb::SiteCall::new(&SITE, (n.into(),))
    }
    /**Python: `kw.ufunc_like(x, /, out=None, *, where=True)` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.out(..)` | `impl IntoValue` | `None` |
| `.where(..)` | `bool` | `True` |*/
    pub fn ufunc_like(x: impl __sb::IntoValue) -> UfuncLikeCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "ufunc_like");
        UfuncLikeCall(__sb::Call::at(&SITE, (x,)))
    }
    ///Pending call of `kw.ufunc_like`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct UfuncLikeCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(UfuncLikeCall => __sb::Value);
    impl UfuncLikeCall {
        ///Python argument `out` (default `None`).
        pub fn out(self, out: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("out", out))
        }
        ///Python argument `where` (default `True`).
        pub fn r#where(self, r#where: __sb::bool) -> Self {
            Self(self.0.kwarg("where", r#where))
        }
    }
    ///Python: `kw.dispatcher(a)` (signature from typeshed)
    pub fn dispatcher(a: &str_) -> __sb::Call<bool> {
        static SITE: __sb::CallSite = __sb::CallSite::new("kw", "dispatcher");
        __sb::Call::at(&SITE, (a,))
    }
    /**Boolean \<type\> like `numpy.bool`.

Python: `kw.bool`*/
    #[repr(transparent)]
    pub struct bool {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(bool, "kw", "bool");
    impl bool {
        /**Python: `kw.bool(value=False)` (signature from typeshed)

Constructs a new `bool`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.value(..)` | `impl IntoValue` | `False` |*/
        pub fn new() -> BoolNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("kw", "bool");
            BoolNewCall(__sb::Call::class_at(&SITE, ()))
        }
        ///Python: `kw.bool.type(x: bool) -> Self` (signature from typeshed)
        pub fn r#type(x: &bool) -> __sb::Call<bool> {
            __sb::Call::class_method("kw", "bool", "type", (x,))
        }
        ///Python: `kw.bool.new() -> bool` (signature from typeshed)
        pub fn new_(&self) -> __sb::Call<bool> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "new", ())
        }
        ///Python: `kw.bool.__len__() -> int` (signature from typeshed)
        pub fn len(&self) -> __sb::Call<__sb::i64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "__len__", ())
        }
        ///Python: `kw.bool.real`
        pub fn real(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "real")
        }
        ///Python: `kw.bool.set_real`
        pub fn set_real(&self) -> __sb::Result<__sb::i64> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "set_real")
        }
        ///Python: `kw.bool.str`
        pub fn str(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "str")
        }
        ///Sets `kw.bool.str`.
        pub fn set_str(&self, value: impl __sb::Into<__sb::String>) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "str", value.into())
        }
    }
    ///Pending call of `kw.bool`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct BoolNewCall(__sb::Call<bool>);
    __sb::__call_builder!(BoolNewCall => bool);
    impl BoolNewCall {
        ///Python argument `value` (default `False`).
        pub fn value(self, value: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("value", value))
        }
    }
    /**A string.

Python: `kw.str_`*/
    #[repr(transparent)]
    pub struct str_ {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(str_, "kw", "str_");
    impl str_ {
        /**Python: `kw.str_` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `str_`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
        pub fn new() -> StrNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("kw", "str_");
            StrNewCall(__sb::Call::class_at(&SITE, ()))
        }
    }
    ///Pending call of `kw.str_`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct StrNewCall(__sb::Call<str_>);
    __sb::__call_builder!(StrNewCall => str_, args, kwarg);
    impl StrNewCall {}
    /**A class named Self.

Python: `kw.Self`*/
    #[repr(transparent)]
    pub struct Self_ {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Self_, "kw", "Self");
    impl Self_ {
        /**Python: `kw.Self` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `Self`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
        pub fn new() -> SelfNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("kw", "Self");
            SelfNewCall(__sb::Call::class_at(&SITE, ()))
        }
    }
    ///Pending call of `kw.Self`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct SelfNewCall(__sb::Call<Self_>);
    __sb::__call_builder!(SelfNewCall => Self_, args, kwarg);
    impl SelfNewCall {}
    /**Python: `kw.int_`

Python type: `type`.*/
    pub fn int_() -> __sb::Result<__sb::Value> {
        __sb::module_attr("kw", "int_")
    }
    /**Python: `kw.ref`

Python type: `int`.*/
    pub const r#ref: __sb::i64 = __sb::i64::MIN;
    /**Python: `kw.big`

Python type: `int`.*/
    pub fn big() -> __sb::Result<__sb::Value> {
        __sb::module_attr("kw", "big")
    }
    /**Python: `kw.None_`

Python type: `NoneType`.*/
    pub const None_: () = ();
    /**Python: `kw.neg`

Python type: `float`.*/
    pub const neg: __sb::f64 = -0.5;
    /**Python: `kw.flag`

Python type: `bool`.*/
    pub const flag: __sb::bool = true;
    /**Python: `kw.quote`

Python type: `str`.*/
    pub const quote: &__sb::str = "a \"quoted\"\\ string\n";
    /**Python: `kw.instance`

Python type: `kw.bool`.*/
    pub fn instance() -> __sb::Result<bool> {
        __sb::module_attr("kw", "instance")
    }
    /**Python: `kw.huge`

Python type: `int`.*/
    pub fn huge() -> __sb::Result<__sb::Value> {
        __sb::module_attr("kw", "huge")
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
