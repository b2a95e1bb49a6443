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
    use ::snakebridge::__private as __sb;
    /**Count up.

Python: `gens.count(start: int = 0) -> Iterator[int]` (signature from typeshed)

A Python generator: iterate over it with `.stream()`.*/
    pub fn count() -> count_builder {
        count_builder(__sb::Call::function("gens", "count", ::std::vec::Vec::new()))
    }
    ///Pending call of `gens.count`: set optional arguments by their Python names, then `.call()`.
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct count_builder(__sb::Call<::core::primitive::i64>);
    __sb::__call_builder!(count_builder => ::core::primitive::i64);
    impl count_builder {
        ///Python argument `start` (default `0`).
        pub fn start(
            self,
            start: impl ::core::convert::Into<::core::primitive::i64>,
        ) -> Self {
            Self(self.0.kwarg("start", start.into()))
        }
    }
    /**Python: `gens.lines(path: str) -> Generator[str, None, None]` (signature from typeshed)

A Python generator: iterate over it with `.stream()`.*/
    pub fn lines(
        path: impl ::core::convert::Into<::std::string::String>,
    ) -> __sb::Call<::std::string::String> {
        __sb::Call::function(
            "gens",
            "lines",
            ::std::vec![__sb::IntoValue::into_value(path.into())],
        )
    }
    /**Python: `gens.chunks(data: bytes)` (signature from typeshed)

A Python generator: iterate over it with `.stream()`.*/
    pub fn chunks(
        data: impl ::core::convert::Into<__sb::Bytes>,
    ) -> __sb::Call<__sb::Value> {
        __sb::Call::function(
            "gens",
            "chunks",
            ::std::vec![__sb::IntoValue::into_value(data.into())],
        )
    }
    ///Python: `gens.Reader`
    #[repr(transparent)]
    pub struct Reader(__sb::PyRef);
    __sb::__py_class!(Reader, "gens", "Reader");
    impl Reader {
        /**Python: `gens.Reader()` (signature from typeshed)

Constructs a new `Reader`: finish with `.call()`.*/
        pub fn new() -> __sb::Call<Reader> {
            __sb::Call::class("gens", "Reader", ::std::vec::Vec::new())
        }
        /**Python: `gens.Reader.__iter__() -> Iterator[bytes]` (signature from typeshed)

A Python generator: iterate over it with `.stream()`.*/
        pub fn iter(&self) -> __sb::Call<__sb::Bytes> {
            __sb::Call::method(
                __sb::PyClass::as_ref(self),
                "__iter__",
                ::std::vec::Vec::new(),
            )
        }
        /**Python: `gens.Reader.records()` (signature from typeshed)

A Python generator: iterate over it with `.stream()`.*/
        pub fn records(&self) -> __sb::Call<__sb::Value> {
            __sb::Call::method(
                __sb::PyClass::as_ref(self),
                "records",
                ::std::vec::Vec::new(),
            )
        }
    }
}
