pub mod ov {
    //!Python: `ov`
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
    /**Overloaded.

Python overloads (signature from the package's .pyi stubs):

- `ov.pick(a: int, b: int, *, out: None = None) -> int`
- `ov.pick(a: float, *, out: str) -> str`

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.b(..)` | `impl Into<i64>` | (none: not every overload takes it) |
| `.out(..)` | `impl IntoValue` | (none: not every overload takes it) |*/
    pub fn pick<__SbArg: __sb::ArgKind>(
        a: __SbArg,
    ) -> PickCall<<<__SbArg as __sb::ArgKind>::Kind as PickArg>::Output>
    where
        <__SbArg as __sb::ArgKind>::Kind: PickArg,
    {
        static SITE: __sb::CallSite = __sb::CallSite::new("ov", "pick");
        PickCall(__sb::Call::at(&SITE, (a,)))
    }
    ///Pending call of `ov.pick`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct PickCall<__SbR>(__sb::Call<__SbR>);
    __sb::__call_builder!(PickCall < __SbR > => __SbR);
    impl<__SbR: __sb::FromValue> PickCall<__SbR> {
        ///Python argument `b`.
        pub fn b(self, b: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("b", b.into()))
        }
        ///Python argument `out`.
        pub fn out(self, out: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("out", out))
        }
    }
    __sb::__py_overloads! {
        #[doc =
        "The result of `ov.pick` for each kind of first argument (`ArgKind`), from the stubs' overloads; a `Value` or a `PyRef` gives a `Value`."]
        PickArg("an argument of kind `{Self}` is not one the overloads of `ov.pick` take");
        int => __sb::i64; float => __sb::String; str => __sb::Value; bytes =>
        __sb::Value; bool => __sb::Value; array => __sb::Value;
    }
    /**Python overloads (signature from the package's .pyi stubs):

- `ov.same(x: str, n: int = 1) -> str`
- `ov.same(x: str, n: int = 1, *, sep: str = '') -> str`

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.n(..)` | `impl Into<i64>` | (none: not every overload takes it) |
| `.sep(..)` | `impl Into<String>` | (none: not every overload takes it) |*/
    pub fn same(x: impl __sb::Into<__sb::String>) -> SameCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("ov", "same");
        SameCall(__sb::Call::at(&SITE, (x.into(),)))
    }
    ///Pending call of `ov.same`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct SameCall(__sb::Call<__sb::String>);
    __sb::__call_builder!(SameCall => __sb::String);
    impl SameCall {
        ///Python argument `n`.
        pub fn n(self, n: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("n", n.into()))
        }
        ///Python argument `sep`.
        pub fn sep(self, sep: impl __sb::Into<__sb::String>) -> Self {
            Self(self.0.kwarg("sep", sep.into()))
        }
    }
    /**Python overloads (signature from the package's .pyi stubs):

- `ov.posonly(x, /)`
- `ov.posonly(x, y, /)`

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |*/
    pub fn posonly(x: impl __sb::Into<__sb::i64>) -> PosonlyCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("ov", "posonly");
        PosonlyCall(__sb::Call::at(&SITE, (x.into(),)))
    }
    ///Pending call of `ov.posonly`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct PosonlyCall(__sb::Call<__sb::i64>);
    __sb::__call_builder!(PosonlyCall => __sb::i64, args);
    impl PosonlyCall {}
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
