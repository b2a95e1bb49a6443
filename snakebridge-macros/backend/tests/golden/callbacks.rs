pub mod cb {
    //!Python: `cb`
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
    /**A typed callback, and an optional one of any arguments.

Python: `cb.quad(func: Callable[[float], float] | Callable[[float64], float], a: float, b: float, *, callback: Callable[..., None] | None = None) -> tuple[float, float]` (signature from the package's .pyi stubs)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.callback(..)` | `impl IntoPyFn<fn (AnyArgs) -> ()>` | `None` |*/
    pub fn quad(
        func: impl __sb::IntoPyFn<fn(__sb::f64) -> __sb::f64>,
        a: impl __sb::Into<__sb::f64>,
        b: impl __sb::Into<__sb::f64>,
    ) -> QuadCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("cb", "quad");
        QuadCall(
            __sb::Call::at(
                &SITE,
                (__sb::IntoPyFn::__into_callable_value(func), a.into(), b.into()),
            ),
        )
    }
    ///Pending call of `cb.quad`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct QuadCall(__sb::Call<(__sb::f64, __sb::f64)>);
    __sb::__call_builder!(QuadCall => (__sb::f64, __sb::f64,));
    impl QuadCall {
        ///Python argument `callback` (default `None`).
        pub fn callback(
            self,
            callback: impl __sb::IntoPyFn<fn(__sb::AnyArgs) -> ()>,
        ) -> Self {
            Self(
                self.0.kwarg("callback", __sb::IntoPyFn::__into_callable_value(callback)),
            )
        }
    }
    /**Two untyped arguments: their arity is still checked.

Python: `cb.reduce(function: Callable[[_T, _T], _T], iterable: Iterable[_T], /) -> _T` (signature from the package's .pyi stubs)*/
    pub fn reduce(
        function: impl __sb::IntoPyFn<fn(__sb::Value, __sb::Value) -> __sb::Value>,
        iterable: impl __sb::IntoValue,
    ) -> __sb::Call<__sb::Value> {
        static SITE: __sb::CallSite = __sb::CallSite::new("cb", "reduce");
        __sb::Call::at(
            &SITE,
            (__sb::IntoPyFn::__into_callable_value(function), iterable),
        )
    }
    /**Numeric array data.

Python: `cb.fit(X: MatrixLike | ArrayLike, sample_weight: None | ArrayLike = None) -> None` (signature from the package's .pyi stubs)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.sample_weight(..)` | `impl ArrayArg` | `None` |*/
    pub fn fit(X: impl __sb::ArrayArg) -> FitCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("cb", "fit");
        FitCall(__sb::Call::at(&SITE, (X,)))
    }
    ///Pending call of `cb.fit`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct FitCall(__sb::Call<()>);
    __sb::__call_builder!(FitCall => ());
    impl FitCall {
        ///Python argument `sample_weight` (default `None`).
        pub fn sample_weight(self, sample_weight: impl __sb::ArrayArg) -> Self {
            Self(self.0.kwarg("sample_weight", sample_weight))
        }
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
