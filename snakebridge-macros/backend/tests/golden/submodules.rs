pub mod pkg {
    /*!A package.

Python: `pkg`*/
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
    ///Python: `pkg.top() -> Matrix` (signature from typeshed)
    pub fn top() -> __sb::SiteCall<(), linalg::Matrix> {
        static SITE: __sb::CallSite = __sb::CallSite::new("pkg", "top");
        __sb::SiteCall::new(&SITE, ())
    }
    ///Python: `pkg.Array`
    #[repr(transparent)]
    pub struct Array {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Array, "pkg", "Array");
    impl Array {
        /**Python: `pkg.Array(data: list[float])` (signature from typeshed)

Constructs a new `Array`: finish with `.call()`.*/
        pub fn new(data: impl __sb::ListArg<__sb::f64>) -> __sb::Call<Array> {
            static SITE: __sb::CallSite = __sb::CallSite::new("pkg", "Array");
            __sb::Call::class_at(&SITE, (__sb::ListArg::into_list(data),))
        }
        ///Python: `pkg.Array.T() -> Array` (signature from typeshed)
        pub fn T(&self) -> __sb::Call<Array> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "T", ())
        }
    }
    /**Python: `pkg.VERSION`

Python type: `str`.*/
    pub const VERSION: &__sb::str = "1.0";
    pub mod linalg {
        /*!Linear algebra.

Python: `pkg.linalg`*/
        use super::__sb;
        /**Python: `pkg.linalg.norm(x: Array, ord: int | None = None) -> float` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.ord(..)` | `impl Into<i64>` | `None` |*/
        pub fn norm(x: &super::Array) -> NormCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("pkg.linalg", "norm");
            NormCall(__sb::Call::at(&SITE, (x,)))
        }
        ///Pending call of `pkg.linalg.norm`: set optional arguments by their Python names, then `.call()`.
        #[doc(hidden)]
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct NormCall(__sb::Call<__sb::f64>);
        __sb::__call_builder!(NormCall => __sb::f64);
        impl NormCall {
            ///Python argument `ord` (default `None`).
            pub fn ord(self, ord: impl __sb::Into<__sb::i64>) -> Self {
                Self(self.0.kwarg("ord", ord.into()))
            }
        }
        ///Python: `pkg.linalg.inv(m: Matrix) -> Matrix` (signature from typeshed)
        pub fn inv(m: &Matrix) -> __sb::Call<Matrix> {
            static SITE: __sb::CallSite = __sb::CallSite::new("pkg.linalg", "inv");
            __sb::Call::at(&SITE, (m,))
        }
        ///Python: `pkg.linalg.Matrix`
        #[repr(transparent)]
        pub struct Matrix {
            __sb_ref: super::Array,
        }
        __sb::__py_class!(Matrix, "pkg.linalg", "Matrix", base = super::Array);
        impl Matrix {
            /**Python: `pkg.linalg.Matrix` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `Matrix`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
            pub fn new() -> MatrixNewCall {
                static SITE: __sb::CallSite = __sb::CallSite::new(
                    "pkg.linalg",
                    "Matrix",
                );
                MatrixNewCall(__sb::Call::class_at(&SITE, ()))
            }
            ///Python: `pkg.linalg.Matrix.det() -> float` (signature from typeshed)
            pub fn det(&self) -> __sb::Call<__sb::f64> {
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "det", ())
            }
        }
        ///Pending call of `pkg.linalg.Matrix`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
        #[doc(hidden)]
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct MatrixNewCall(__sb::Call<Matrix>);
        __sb::__call_builder!(MatrixNewCall => Matrix, args, kwarg);
        impl MatrixNewCall {}
        ///Python: `pkg.linalg.LinAlgError`
        #[repr(transparent)]
        pub struct LinAlgError {
            __sb_ref: __sb::PyRef,
        }
        __sb::__py_class!(LinAlgError, "pkg.linalg", "LinAlgError");
        impl LinAlgError {
            /**Python: `pkg.linalg.LinAlgError` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `LinAlgError`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
            pub fn new() -> LinAlgErrorNewCall {
                static SITE: __sb::CallSite = __sb::CallSite::new(
                    "pkg.linalg",
                    "LinAlgError",
                );
                LinAlgErrorNewCall(__sb::Call::class_at(&SITE, ()))
            }
        }
        ///Pending call of `pkg.linalg.LinAlgError`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
        #[doc(hidden)]
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct LinAlgErrorNewCall(__sb::Call<LinAlgError>);
        __sb::__call_builder!(LinAlgErrorNewCall => LinAlgError, args, kwarg);
        impl LinAlgErrorNewCall {}
        /**Python: `pkg.linalg.eps`

Python type: `float`.*/
        pub const eps: __sb::f64 = 2.220446049250313e-16;
        pub mod lapack {
            //!Python: `pkg.linalg.lapack`
            use super::__sb;
            ///Python: `pkg.linalg.lapack.dgesv(a) -> tuple[Array, int]` (signature from typeshed)
            pub fn dgesv(
                a: &super::super::linalg::Matrix,
            ) -> __sb::Call<(super::super::Array, __sb::i64)> {
                static SITE: __sb::CallSite = __sb::CallSite::new(
                    "pkg.linalg.lapack",
                    "dgesv",
                );
                __sb::Call::at(&SITE, (a,))
            }
            ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
            pub mod prelude {}
        }
        ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
        pub mod prelude {
            pub use super::lapack::prelude::*;
        }
    }
    pub mod random {
        //!Python: `pkg.random`
        use super::__sb;
        /**Python: `pkg.random.seed(s=None)` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.s(..)` | `impl Into<i64>` | `None` |*/
        pub fn seed() -> SeedCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("pkg.random", "seed");
            SeedCall(__sb::Call::at(&SITE, ()))
        }
        ///Pending call of `pkg.random.seed`: set optional arguments by their Python names, then `.call()`.
        #[doc(hidden)]
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct SeedCall(__sb::Call<()>);
        __sb::__call_builder!(SeedCall => ());
        impl SeedCall {
            ///Python argument `s` (default `None`).
            pub fn s(self, s: impl __sb::Into<__sb::i64>) -> Self {
                Self(self.0.kwarg("s", s.into()))
            }
        }
        ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
        pub mod prelude {}
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {
        pub use super::linalg::prelude::*;
        pub use super::random::prelude::*;
    }
}
