pub mod gens {
    //!Python: `gens`
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
    /**Count up.

Python: `gens.count(start: int = 0) -> Iterator[int]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.start(..)` | `impl Into<i64>` | `0` |*/
    pub fn count() -> CountCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("gens", "count");
        CountCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `gens.count`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct CountCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(CountCall => stream __sb::i64);
    impl CountCall {
        ///Python argument `start` (default `0`).
        pub fn start(self, start: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.kwarg("start", start.into()))
        }
    }
    /**Python: `gens.lines(path: str) -> Generator[str, None, None]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
    pub fn lines(path: impl __sb::Into<__sb::String>) -> LinesCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("gens", "lines");
        LinesCall(__sb::Call::at(&SITE, (path.into(),)))
    }
    ///Pending call of `gens.lines`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LinesCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(LinesCall => stream __sb::String);
    impl LinesCall {}
    /**Python: `gens.chunks(data: bytes)` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
    pub fn chunks(data: impl __sb::Into<__sb::Bytes>) -> ChunksCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("gens", "chunks");
        ChunksCall(__sb::Call::at(&SITE, (data.into(),)))
    }
    ///Pending call of `gens.chunks`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct ChunksCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(ChunksCall => stream __sb::Value);
    impl ChunksCall {}
    /**Fetch a page (an async def).

Python: `gens.fetch(url: str) -> bytes` (signature from inspect.signature)

A Python coroutine function (`async def`): `.call()` runs it to its result, and `.call_async()` gives a future of it that blocks no thread.*/
    pub fn fetch(
        url: impl __sb::Into<__sb::String>,
    ) -> __sb::SiteCall<(__sb::String,), __sb::Bytes> {
        static SITE: __sb::CallSite = __sb::CallSite::new("gens", "fetch");
        __sb::SiteCall::new(&SITE, (url.into(),))
    }
    ///Python: `gens.Reader`
    #[repr(transparent)]
    pub struct Reader {
        __sb_ref: __sb::PyRef,
    }
    __sb::__py_class!(Reader, "gens", "Reader");
    impl Reader {
        /**Python: `gens.Reader()` (signature from typeshed)

Constructs a new `Reader`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Reader> {
            static SITE: __sb::CallSite = __sb::CallSite::new("gens", "Reader");
            __sb::Call::class_at(&SITE, ())
        }
        /**Python: `gens.Reader.__iter__() -> Iterator[bytes]` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
        pub fn iter(&self) -> ReaderIterCall {
            ReaderIterCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "__iter__", ()),
            )
        }
        /**Python: `gens.Reader.records()` (signature from typeshed)

A Python generator: `.call()` returns a `Stream` of its items.*/
        pub fn records(&self) -> ReaderRecordsCall {
            ReaderRecordsCall(
                __sb::Call::method(__sb::PyClass::as_py_ref(self), "records", ()),
            )
        }
    }
    __sb::__py_iter!(Reader => __sb::Bytes);
    ///Pending call of `gens.Reader.__iter__`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct ReaderIterCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(ReaderIterCall => stream __sb::Bytes);
    impl ReaderIterCall {}
    ///Pending call of `gens.Reader.records`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct ReaderRecordsCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(ReaderRecordsCall => stream __sb::Value);
    impl ReaderRecordsCall {}
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
