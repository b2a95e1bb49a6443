pub mod typing_imports {
    /*!A module of application code that imports typing names for its annotations (issue 33): `Any`, `Optional`, `cast`, `Union`, `Sequence`, a `TypeVar`, `TYPE_CHECKING`, and a class from another module. Only `Record`, `first`, `pick` and `LIMIT` are its items.

Python: `typing_imports`*/
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
    /**The first item, or `default`.

Python: `typing_imports.first(items: 'list[Any]', default: 'Optional[Any]' = None) -> 'Optional[Any]'` (signature from inspect.signature)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.default(..)` | `impl IntoValue` | `None` |*/
    pub fn first(items: impl __sb::IntoValue) -> FirstCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("typing_imports", "first");
        FirstCall(__sb::Call::at(&SITE, (items,)))
    }
    ///Pending call of `typing_imports.first`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct FirstCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(FirstCall => __sb::Value);
    impl FirstCall {
        ///Python argument `default` (default `None`).
        pub fn default(self, default: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("default", default))
        }
    }
    /**The record at `index`, or None.

Python: `typing_imports.pick(records: 'Sequence[Record]', index: 'int') -> 'Optional[Record]'` (signature from inspect.signature)*/
    pub fn pick(
        records: impl __sb::ListArg<Record>,
        index: impl __sb::Into<__sb::i64>,
    ) -> __sb::Call<__sb::Option<Record>> {
        static SITE: __sb::CallSite = __sb::CallSite::new("typing_imports", "pick");
        __sb::Call::at(&SITE, (__sb::ListArg::into_list(records), index.into()))
    }
    /**A record holding any value.

Python: `typing_imports.Record`*/
    #[repr(transparent)]
    pub struct Record {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Record, "typing_imports", "Record");
    impl Record {
        /**Python: `typing_imports.Record(value: 'Any')` (signature from inspect.signature)

Constructs a new `Record`: finish with `.call()`.*/
        pub fn new(value: impl __sb::IntoValue) -> __sb::Call<Record> {
            static SITE: __sb::CallSite = __sb::CallSite::new(
                "typing_imports",
                "Record",
            );
            __sb::Call::class_at(&SITE, (value,))
        }
        ///Python: `typing_imports.Record.get() -> 'Any'` (signature from inspect.signature)
        pub fn get(&self) -> __sb::Call<__sb::Value> {
            __sb::Call::method(__sb::PyClass::as_py_ref(self), "get", ())
        }
        ///Python: `typing_imports.Record.value`
        pub fn value(&self) -> __sb::Result<__sb::Value> {
            __sb::get_attr(__sb::PyClass::as_py_ref(self), "value")
        }
        ///Sets `typing_imports.Record.value`.
        pub fn set_value(&self, value: impl __sb::IntoValue) -> __sb::Result<()> {
            __sb::set_attr(__sb::PyClass::as_py_ref(self), "value", value)
        }
    }
    /**Python: `typing_imports.LIMIT`

Python type: `int`.*/
    pub const LIMIT: __sb::i64 = 3;
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
