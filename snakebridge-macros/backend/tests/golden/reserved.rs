pub mod reserved {
    /*!Parameters named like the methods every builder has.

Python: `reserved`*/
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
    /**Optional parameters named like builder methods: their setters get a trailing `_`.

Python: `reserved.f(x, *, call_as=None, args=None, call=None, session=None, timeout=None) -> str` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.call_as_(..)` | `impl Into<i64>` | `None` |
| `.args(..)` | `impl Into<i64>` | `None` |
| `.call_(..)` | `impl Into<i64>` | `None` |
| `.session_(..)` | `impl Into<i64>` | `None` |
| `.timeout_(..)` | `impl Into<i64>` | `None` |*/
    pub fn f(x: impl __sb::Into<__sb::i64>) -> FCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("reserved", "f");
        FCall(__sb::Call::at(&SITE, (x.into(),)))
    }
    ///Pending call of `reserved.f`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct FCall(__sb::Call<__sb::String>);
    __sb::__call_builder!(FCall => __sb::String);
    impl FCall {
        ///Python argument `call_as` (default `None`).
        pub fn call_as_(self, call_as: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("call_as", call_as.into()))
        }
        ///Python argument `args` (default `None`).
        pub fn args(self, args: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("args", args.into()))
        }
        ///Python argument `call` (default `None`).
        pub fn call_(self, call: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("call", call.into()))
        }
        ///Python argument `session` (default `None`).
        pub fn session_(self, session: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("session", session.into()))
        }
        ///Python argument `timeout` (default `None`).
        pub fn timeout_(self, timeout: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("timeout", timeout.into()))
        }
    }
    /**`*args`, a keyword parameter named `kwarg`, and `**kwargs`.

Python: `reserved.g(*args, kwarg=None, **kwargs) -> str` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.kwarg_(..)` | `impl Into<i64>` | `None` |
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
    pub fn g() -> GCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("reserved", "g");
        GCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `reserved.g`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct GCall(__sb::Call<__sb::String>);
    __sb::__call_builder!(GCall => __sb::String, args, kwarg);
    impl GCall {
        ///Python argument `kwarg` (default `None`).
        pub fn kwarg_(self, kwarg: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("kwarg", kwarg.into()))
        }
    }
    /**Without `*args`/`**kwargs`, parameters named `args` and `kwarg` keep their names.

Python: `reserved.h(args=None, kwarg=None) -> str` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl Into<i64>` | `None` |
| `.kwarg(..)` | `impl Into<i64>` | `None` |*/
    pub fn h() -> HCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("reserved", "h");
        HCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `reserved.h`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct HCall(__sb::Call<__sb::String>);
    __sb::__call_builder!(HCall => __sb::String);
    impl HCall {
        ///Python argument `args` (default `None`).
        pub fn args(self, args: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("args", args.into()))
        }
        ///Python argument `kwarg` (default `None`).
        pub fn kwarg(self, kwarg: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("kwarg", kwarg.into()))
        }
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
