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
golden!(mro);
golden!(overloads);
golden!(reserved);
golden!(submodules);

use mro::diamond as d;
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

/// The `mro` golden's protocols as a Rust user writes them, beside the module's constants named
/// `e`, `f`, `body` and `error`: a binding of one of those names inside the expansion (a
/// closure parameter, an argument) would be a pattern naming the constant, not a new variable,
/// and fail to compile here. Never run; it must type-check.
fn _uses_mro(c: d::Counter, err: snakebridge::Error) -> snakebridge::Result<()> {
    // Operators: `Counter + int`, `int + Counter` (reflected), `-Counter`, `pow`, `<`.
    let more: d::Counter = (&c + 1)?;
    let reflected: d::Counter = (2 + &c)?;
    let negated: d::Counter = (-&more)?;
    let _: d::Counter = (negated + 3)?;
    let _: i64 = c.pow(2)?;
    let _: bool = c.lt(&reflected)?;
    // `with`: the body gets `__enter__`'s str; `None` when `__exit__` suppressed an error.
    let entered: Option<usize> = c.with(|s: String| Ok(s.len()))?;
    let _ = entered;
    // Iteration and the container protocol.
    for item in &c {
        let _: i64 = item?;
    }
    let _: String = c.get_item(0).call()?;
    // The module exception, from an error.
    if let Some(oops) = d::Oops::from_error(&err) {
        let _: i64 = oops.code()?;
        oops.set_code(d::error)?;
    }
    let _: (f64, f64, i64, i64) = (d::e, d::f, d::body, d::error);
    Ok(())
}

#[test]
fn goldens_type_check() {
    // Taking the functions as values keeps them (and their builder types) from being dead code
    // the compiler could skip checking; reaching this line means every golden compiled.
    let uses: fn() = _uses;
    let uses_mro: fn(d::Counter, snakebridge::Error) -> snakebridge::Result<()> = _uses_mro;
    let f: fn(i64) -> r::FCall = r::f;
    let g: fn() -> r::GCall = r::g;
    let _ = (uses, uses_mro, f, g);
}
