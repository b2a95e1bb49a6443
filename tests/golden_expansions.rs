//! Type-checks every golden expansion of `snakebridge-macros/backend/tests/golden/` against the
//! real runtime: each golden is a `pub mod name { .. }` referring to `::snakebridge::__private`,
//! so `include!`ing it here compiles it exactly as `#[python_module]` would have expanded it.
//! Several goldens share a module name (`json`, `math`, `pkg`), so each goes in a module of its
//! own, named after the golden file.
//!
//! Not included: `with_cache_file.rs`, whose `include_bytes!("/abs/cache/math.json")` names a
//! cache file that only exists on the machine the golden describes; the rest of it is
//! `math_like.rs` filtered to `sqrt`, which is compiled here.
//!
//! Nothing here calls Python: the test functions only take function pointers, and `_uses` is never
//! run; the point is that the expansions compile and have the methods a Rust user would write.

#![allow(dead_code, unused_imports, clippy::all)]

macro_rules! golden {
    ($case:ident) => {
        mod $case {
            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/snakebridge-macros/backend/tests/golden/",
                stringify!($case),
                ".rs"
            ));
        }
    };
}

golden!(filtered);
golden!(generators);
golden!(inheritance);
golden!(json);
golden!(json_like);
golden!(keywords);
golden!(math);
golden!(math_like);
golden!(overloads);
golden!(reserved);
golden!(submodules);

use reserved::reserved as r;

/// Setters of Python parameters named like builder methods get a trailing `_`; the builder
/// methods themselves (`call`, `call_as`, `session`, `timeout`, `args`, `kwarg`) stay the
/// runtime's. Never run (it would call Python); it must type-check.
fn _uses() {
    // `f(x, *, call_as=None, args=None, call=None, session=None, timeout=None)`
    let pending = r::f(1)
        .call_as_(2)
        .args(3)
        .call_(4)
        .session_(5)
        .timeout_(6)
        .timeout(std::time::Duration::from_secs(1));
    let _: snakebridge::Result<String> = pending.call();
    let _: snakebridge::Result<snakebridge::Value> = r::f(1).call_as_(2).call_as();

    // `g(*args, kwarg=None, **kwargs)`: `args`/`kwarg` are the variadic methods, the parameter
    // named `kwarg` is set with `kwarg_`.
    let _: snakebridge::Result<String> =
        r::g().args([1, 2]).kwarg_(3).kwarg("extra", "value").call();

    // `h(args=None, kwarg=None)`: no variadics, so the parameters keep their names.
    let _: snakebridge::Result<String> = r::h().args(1).kwarg(2).call();
}

#[test]
fn goldens_type_check() {
    // Taking the functions as values keeps them (and their builder types) from being dead code
    // the compiler could skip checking; reaching this line means every golden compiled.
    let uses: fn() = _uses;
    let f: fn(i64) -> r::FCall = r::f;
    let g: fn() -> r::GCall = r::g;
    let _ = (uses, f, g);
}
