//! Compile-fail cases of `#[python_module]`, with their diagnostics pinned in `tests/ui/*.stderr`
//! (re-bless with `TRYBUILD=overwrite`).
//!
//! The cases expand against this repository's committed cache (`SNAKEBRIDGE_CACHE_DIR`), so they
//! need no Python except the one that must fail to import; the offline case runs with
//! `SNAKEBRIDGE_OFFLINE=1`. Environment variables are process-wide, so the two groups run one
//! after the other inside a single test.

#[test]
fn ui() {
    let cache = concat!(env!("CARGO_MANIFEST_DIR"), "/cache");
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("SNAKEBRIDGE_CACHE_DIR", cache);
        std::env::remove_var("SNAKEBRIDGE_OFFLINE");
        std::env::remove_var("SNAKEBRIDGE_REFRESH");
    }
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/*.rs");
    }
    // SAFETY: as above.
    unsafe { std::env::set_var("SNAKEBRIDGE_OFFLINE", "1") };
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/offline/*.rs");
    }
    // SAFETY: as above.
    unsafe { std::env::remove_var("SNAKEBRIDGE_OFFLINE") };
}
