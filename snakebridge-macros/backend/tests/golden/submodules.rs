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
    use ::snakebridge::__private as __sb;
    ///Python: `pkg.top() -> Matrix` (signature from typeshed)
    pub fn top() -> __sb::Call<linalg::Matrix> {
        __sb::Call::function("pkg", "top", ::std::vec::Vec::new())
    }
    ///Python: `pkg.Array`
    #[repr(transparent)]
    pub struct Array(__sb::PyRef);
    __sb::__py_class!(Array, "pkg", "Array");
    impl Array {
        /**Python: `pkg.Array(data: list[float])` (signature from typeshed)

Constructs a new `Array`: finish with `.call()`.*/
        pub fn new(data: ::std::vec::Vec<::core::primitive::f64>) -> __sb::Call<Array> {
            __sb::Call::class(
                "pkg",
                "Array",
                ::std::vec![__sb::IntoValue::into_value(data)],
            )
        }
        ///Python: `pkg.Array.T() -> Array` (signature from typeshed)
        pub fn T(&self) -> __sb::Call<Array> {
            __sb::Call::method(__sb::PyClass::as_ref(self), "T", ::std::vec::Vec::new())
        }
    }
    /**Python: `pkg.VERSION`

Python type: `str`.*/
    pub const VERSION: &::core::primitive::str = "1.0";
    pub mod linalg {
        /*!Linear algebra.

Python: `pkg.linalg`*/
        use ::snakebridge::__private as __sb;
        ///Python: `pkg.linalg.norm(x: Array, ord: int | None = None) -> float` (signature from typeshed)
        pub fn norm(x: &super::Array) -> norm_builder {
            norm_builder(
                __sb::Call::function(
                    "pkg.linalg",
                    "norm",
                    ::std::vec![__sb::IntoValue::into_value(__sb::PyClass::as_ref(x))],
                ),
            )
        }
        ///Pending call of `pkg.linalg.norm`: set optional arguments by their Python names, then `.call()`.
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct norm_builder(__sb::Call<::core::primitive::f64>);
        __sb::__call_builder!(norm_builder => ::core::primitive::f64);
        impl norm_builder {
            ///Python argument `ord` (default `None`).
            pub fn ord(
                self,
                ord: impl ::core::convert::Into<::core::primitive::i64>,
            ) -> Self {
                Self(self.0.kwarg("ord", ord.into()))
            }
        }
        ///Python: `pkg.linalg.inv(m: Matrix) -> Matrix` (signature from typeshed)
        pub fn inv(m: &Matrix) -> __sb::Call<Matrix> {
            __sb::Call::function(
                "pkg.linalg",
                "inv",
                ::std::vec![__sb::IntoValue::into_value(__sb::PyClass::as_ref(m))],
            )
        }
        ///Python: `pkg.linalg.Matrix`
        #[repr(transparent)]
        pub struct Matrix(super::Array);
        __sb::__py_class!(Matrix, "pkg.linalg", "Matrix", base = super::Array);
        impl Matrix {
            /**Python: `pkg.linalg.Matrix` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `Matrix`: finish with `.call()`.*/
            pub fn new() -> Matrix_new_builder {
                Matrix_new_builder(
                    __sb::Call::class("pkg.linalg", "Matrix", ::std::vec::Vec::new()),
                )
            }
            ///Python: `pkg.linalg.Matrix.det() -> float` (signature from typeshed)
            pub fn det(&self) -> __sb::Call<::core::primitive::f64> {
                __sb::Call::method(
                    __sb::PyClass::as_ref(self),
                    "det",
                    ::std::vec::Vec::new(),
                )
            }
        }
        ///Pending call of `pkg.linalg.Matrix`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct Matrix_new_builder(__sb::Call<Matrix>);
        __sb::__call_builder!(Matrix_new_builder => Matrix);
        impl Matrix_new_builder {
            ///Extra positional arguments (Python `*args`), appended in order.
            pub fn args(
                self,
                values: impl ::core::iter::IntoIterator<Item = __sb::Value>,
            ) -> Self {
                Self(self.0.extra_args(values))
            }
            ///An extra keyword argument (Python `**kwargs`).
            pub fn kwarg(
                self,
                name: impl ::core::convert::Into<::std::string::String>,
                value: impl __sb::IntoValue,
            ) -> Self {
                Self(self.0.extra_kwarg(name, value))
            }
        }
        ///Python: `pkg.linalg.LinAlgError`
        #[repr(transparent)]
        pub struct LinAlgError(__sb::PyRef);
        __sb::__py_class!(LinAlgError, "pkg.linalg", "LinAlgError");
        impl LinAlgError {
            /**Python: `pkg.linalg.LinAlgError` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `LinAlgError`: finish with `.call()`.*/
            pub fn new() -> LinAlgError_new_builder {
                LinAlgError_new_builder(
                    __sb::Call::class(
                        "pkg.linalg",
                        "LinAlgError",
                        ::std::vec::Vec::new(),
                    ),
                )
            }
        }
        ///Pending call of `pkg.linalg.LinAlgError`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct LinAlgError_new_builder(__sb::Call<LinAlgError>);
        __sb::__call_builder!(LinAlgError_new_builder => LinAlgError);
        impl LinAlgError_new_builder {
            ///Extra positional arguments (Python `*args`), appended in order.
            pub fn args(
                self,
                values: impl ::core::iter::IntoIterator<Item = __sb::Value>,
            ) -> Self {
                Self(self.0.extra_args(values))
            }
            ///An extra keyword argument (Python `**kwargs`).
            pub fn kwarg(
                self,
                name: impl ::core::convert::Into<::std::string::String>,
                value: impl __sb::IntoValue,
            ) -> Self {
                Self(self.0.extra_kwarg(name, value))
            }
        }
        /**Python: `pkg.linalg.eps`

Python type: `float`.*/
        pub const eps: ::core::primitive::f64 = 0.0000000000000002220446049250313;
        pub mod lapack {
            //!Python: `pkg.linalg.lapack`
            use ::snakebridge::__private as __sb;
            ///Python: `pkg.linalg.lapack.dgesv(a) -> tuple[Array, int]` (signature from typeshed)
            pub fn dgesv(
                a: &super::super::linalg::Matrix,
            ) -> __sb::Call<(super::super::Array, ::core::primitive::i64)> {
                __sb::Call::function(
                    "pkg.linalg.lapack",
                    "dgesv",
                    ::std::vec![__sb::IntoValue::into_value(__sb::PyClass::as_ref(a))],
                )
            }
        }
    }
    pub mod random {
        //!Python: `pkg.random`
        use ::snakebridge::__private as __sb;
        ///Python: `pkg.random.seed(s=None)` (signature from typeshed)
        pub fn seed() -> seed_builder {
            seed_builder(
                __sb::Call::function("pkg.random", "seed", ::std::vec::Vec::new()),
            )
        }
        ///Pending call of `pkg.random.seed`: set optional arguments by their Python names, then `.call()`.
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct seed_builder(__sb::Call<()>);
        __sb::__call_builder!(seed_builder => ());
        impl seed_builder {
            ///Python argument `s` (default `None`).
            pub fn s(
                self,
                s: impl ::core::convert::Into<::core::primitive::i64>,
            ) -> Self {
                Self(self.0.kwarg("s", s.into()))
            }
        }
    }
}
