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
    const _: &[__sb::u8] = __sb::include_bytes!("/abs/cache/math.json");
    /**Return the square root of x.

Python: `math.sqrt(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sqrt(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "sqrt");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
