pub mod math {
    /*!This module provides access to the mathematical functions defined by the C standard.

Python: `math`*/
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
    /**Return the square root of x.

Python: `math.sqrt(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sqrt(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "sqrt");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**log(x, \[base=math.e\]) Return the logarithm of x to the given base.

Python: `math.log(x: float, base: float = e, /) -> float` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.base(..)` | `impl Into<f64>` | `e` (positional-only: set in order) |*/
    pub fn log(x: impl __sb::Into<__sb::f64>) -> LogCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "log");
        LogCall(__sb::Call::at(&SITE, (x.into(),)))
    }
    ///Pending call of `math.log`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LogCall(__sb::Call<__sb::f64>);
    __sb::__call_builder!(LogCall => __sb::f64);
    impl LogCall {
        ///Python argument `base` (default `e`). Positional-only: it is appended to the positional arguments, so set such arguments in order.
        pub fn base(self, base: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.positional(1usize, base.into()))
        }
    }
    /**Multidimensional Euclidean distance from the origin to a point.

Python: `math.hypot(*coordinates: float) -> float` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |*/
    pub fn hypot() -> HypotCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "hypot");
        HypotCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `math.hypot`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct HypotCall(__sb::Call<__sb::f64>);
    __sb::__call_builder!(HypotCall => __sb::f64, args);
    impl HypotCall {}
    /**Python: `math.isclose(a: float, b: float, /, *, rel_tol: float = 1e-09, abs_tol: float = 0.0) -> bool` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.rel_tol(..)` | `impl Into<f64>` | `1e-09` |
| `.abs_tol(..)` | `impl Into<f64>` | `0.0` |*/
    pub fn isclose(
        a: impl __sb::Into<__sb::f64>,
        b: impl __sb::Into<__sb::f64>,
    ) -> IscloseCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isclose");
        IscloseCall(__sb::Call::at(&SITE, (a.into(), b.into())))
    }
    ///Pending call of `math.isclose`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct IscloseCall(__sb::Call<__sb::bool>);
    __sb::__call_builder!(IscloseCall => __sb::bool);
    impl IscloseCall {
        ///Python argument `rel_tol` (default `1e-09`).
        pub fn rel_tol(self, rel_tol: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("rel_tol", rel_tol.into()))
        }
        ///Python argument `abs_tol` (default `0.0`).
        pub fn abs_tol(self, abs_tol: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("abs_tol", abs_tol.into()))
        }
    }
    /**Python: `math.prod(iterable, /, *, start=1)` (signature from __text_signature__)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.start(..)` | `impl Into<f64>` | `1` |*/
    pub fn prod(iterable: impl __sb::ListArg<__sb::f64>) -> ProdCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "prod");
        ProdCall(__sb::Call::at(&SITE, (__sb::ListArg::into_list(iterable),)))
    }
    ///Pending call of `math.prod`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct ProdCall(__sb::Call<__sb::f64>);
    __sb::__call_builder!(ProdCall => __sb::f64);
    impl ProdCall {
        ///Python argument `start` (default `1`).
        pub fn start(self, start: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("start", start.into()))
        }
    }
    ///Python: `math.factorial(x, /)` (signature from __text_signature__)
    pub fn factorial(
        x: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::i64,), __sb::i64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "factorial");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**No signature could be found.

Python: `math.mystery` (signature from nowhere: unknown, so the call is dynamic)

The signature is unknown: pass arguments with `.args(...)` and `.kwarg(name, value)`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
    pub fn mystery() -> MysteryCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "mystery");
        MysteryCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `math.mystery`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct MysteryCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(MysteryCall => __sb::Value, args, kwarg);
    impl MysteryCall {}
    /**Python: `math.e`

Python type: `float`.*/
    pub const e: __sb::f64 = 2.718281828459045;
    /**Python: `math.inf`

Python type: `float`.*/
    pub fn inf() -> __sb::Result<__sb::f64> {
        __sb::module_attr("math", "inf")
    }
    /**Python: `math.nan`

Python type: `float`.*/
    pub fn nan() -> __sb::Result<__sb::f64> {
        __sb::module_attr("math", "nan")
    }
    /**Python: `math.pi`

Python type: `float`.*/
    pub const pi: __sb::f64 = 3.141592653589793;
    /**Python: `math.tau`

Python type: `float`.*/
    pub const tau: __sb::f64 = 6.283185307179586;
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
