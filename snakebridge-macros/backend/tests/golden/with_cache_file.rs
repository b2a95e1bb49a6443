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
    use ::snakebridge::__private as __sb;
    const _: &[::core::primitive::u8] = ::core::include_bytes!("/abs/cache/math.json");
    /**Return the square root of x.

Python: `math.sqrt(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sqrt(x: impl __sb::IntoValue) -> __sb::Call<::core::primitive::f64> {
        __sb::Call::function("math", "sqrt", ::std::vec![__sb::IntoValue::into_value(x)])
    }
}
