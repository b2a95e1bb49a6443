pub mod shapes {
    /*!Inheritance mirrored through Deref.

Python: `shapes`*/
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
    /**Bottom of the chain.

Python: `shapes.Leaf`*/
    #[repr(transparent)]
    pub struct Leaf {
        __sb_ref: Middle,
    }
    __sb::__py_class!(Leaf, "shapes", "Leaf", base = Middle);
    impl Leaf {
        /**Python: `shapes.Leaf(size: float)` (signature from typeshed)

Constructs a new `Leaf`: finish with `.call()`.*/
        pub fn new(size: impl __sb::Into<__sb::f64>) -> __sb::Call<Leaf> {
            static SITE: __sb::CallSite = __sb::CallSite::new("shapes", "Leaf");
            __sb::Call::class_at(&SITE, (size.into(),))
        }
        ///Python: `shapes.Leaf.create() -> Self` (signature from typeshed)
        pub fn create() -> __sb::Call<Leaf> {
            __sb::Call::class_method("shapes", "Leaf", "create", ())
        }
        ///Python: `shapes.Leaf.leaf_only() -> Middle` (signature from typeshed)
        pub fn leaf_only(&self) -> __sb::Call<Middle> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "leaf_only", ())
        }
    }
    impl MixinMethods for Leaf {}
    ///Python: `shapes.Middle`
    #[repr(transparent)]
    pub struct Middle {
        __sb_ref: __ancestors::_Root,
    }
    __sb::__py_class!(Middle, "shapes", "Middle", base = __ancestors::_Root);
    impl Middle {
        /**Python: `shapes.Middle` (signature from typeshed)

Constructs a new `Middle`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
        pub fn new() -> MiddleNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("shapes", "Middle");
            MiddleNewCall(__sb::Call::class_at(&SITE, ()))
        }
        ///Python: `shapes.Middle.area() -> float` (signature from typeshed)
        pub fn area(&self) -> __sb::Call<__sb::f64> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "area", ())
        }
        /**Python: `shapes.Middle.scale(by: float, inplace: bool = False) -> Self` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.inplace(..)` | `bool` | `False` |*/
        pub fn scale(&self, by: impl __sb::Into<__sb::f64>) -> MiddleScaleCall {
            MiddleScaleCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "scale", (by.into(),)),
            )
        }
        ///Python: `shapes.Middle.name`
        pub fn name(&self) -> __sb::Result<__sb::String> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "name")
        }
        ///Sets `shapes.Middle.name`.
        pub fn set_name(
            &self,
            value: impl __sb::Into<__sb::String>,
        ) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "name", value.into())
        }
    }
    ///Pending call of `shapes.Middle`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct MiddleNewCall(__sb::Call<Middle>);
    __sb::__call_builder!(MiddleNewCall => Middle, args, kwarg);
    impl MiddleNewCall {}
    ///Pending call of `shapes.Middle.scale`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct MiddleScaleCall(__sb::Call<Middle>);
    __sb::__call_builder!(MiddleScaleCall => Middle);
    impl MiddleScaleCall {
        ///Python argument `inplace` (default `False`).
        pub fn inplace(self, inplace: __sb::bool) -> Self {
            Self(self.0.kwarg("inplace", inplace))
        }
    }
    ///Python: `shapes.Mixin`
    #[repr(transparent)]
    pub struct Mixin {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Mixin, "shapes", "Mixin");
    impl Mixin {
        /**Python: `shapes.Mixin` (signature from nowhere: unknown, so the call is dynamic)

Constructs a new `Mixin`: finish with `.call()`.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |
| `.kwarg(name, value)` | `&str`, `impl IntoValue` | `**kwargs` |*/
        pub fn new() -> MixinNewCall {
            static SITE: __sb::CallSite = __sb::CallSite::new("shapes", "Mixin");
            MixinNewCall(__sb::Call::class_at(&SITE, ()))
        }
        ///Python: `shapes.Mixin.mixed() -> None` (signature from typeshed)
        pub fn mixed(&self) -> __sb::Call<()> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "mixed", ())
        }
    }
    ///The instance members of `shapes.Mixin`, for the classes that inherit them (bring it into scope with the module's `prelude`).
    pub trait MixinMethods: __sb::PyClass {
        ///Python: `shapes.Mixin.mixed() -> None` (signature from typeshed)
        fn mixed(&self) -> __sb::Call<()> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "mixed", ())
        }
    }
    ///Pending call of `shapes.Mixin`: set optional arguments by their Python names, then `.call()` (the signature is unknown: pass arguments with `args` and `kwarg`).
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct MixinNewCall(__sb::Call<Mixin>);
    __sb::__call_builder!(MixinNewCall => Mixin, args, kwarg);
    impl MixinNewCall {}
    #[doc(hidden)]
    pub mod __ancestors {
        use super::__sb;
        /**Not exported.

Python: `shapes._base._Root`*/
        #[doc(hidden)]
        #[repr(transparent)]
        pub struct _Root {
            __sb_ref: _Deeper,
        }
        __sb::__py_class!(_Root, "shapes._base", "_Root", base = _Deeper);
        impl _Root {
            ///Python: `shapes._base._Root.describe() -> str` (signature from typeshed)
            pub fn describe(&self) -> __sb::Call<__sb::String> {
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "describe", ())
            }
            ///Python: `shapes._base._Root.id`
            pub fn id(&self) -> __sb::Result<__sb::i64> {
                __sb::get_attr(__sb::PyClass::as_py_ref(self), "id")
            }
        }
        ///Python: `shapes._base._Deeper`
        #[doc(hidden)]
        #[repr(transparent)]
        pub struct _Deeper {
            __sb_ref: __sb::PyRef,
        }
        __sb::__py_class!(_Deeper, "shapes._base", "_Deeper");
        impl _Deeper {
            ///Python: `shapes._base._Deeper.root_method(other: Leaf) -> _Root` (signature from typeshed)
            pub fn root_method(&self, other: &super::Leaf) -> __sb::Call<_Root> {
                __sb::Call::method(
                    __sb::PyClass::as_py_ref(self),
                    "root_method",
                    (other,),
                )
            }
        }
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {
        pub use super::MixinMethods as _;
    }
}
