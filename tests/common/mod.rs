//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::sync::Once;

use snakebridge::{PyRef, module_attr};

/// Puts `tests/python` (the test helper modules) on the embedded interpreter's `sys.path`.
pub fn add_test_modules() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python");
        let path: PyRef = module_attr("sys", "path").expect("sys.path");
        let _: () = path
            .call_method("insert", (0, dir))
            .expect("sys.path.insert");
    });
}
