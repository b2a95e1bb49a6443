//! Names the runtime's call builders define (`__call_builder!` in the runtime's `__private`).
//!
//! A generated builder is a newtype over the runtime's `Call`; the runtime's macro gives it the
//! terminal methods and per-call options below, and, for callables with `*args` / `**kwargs`,
//! [`VAR_ARGS`] and [`VAR_KWARGS`]. A setter for a Python parameter with one of these names is
//! emitted with a trailing `_` instead (`timeout_`), so the two can never collide.
//!
//! ```
//! use snakebridge_contract::builder;
//! assert!(builder::METHODS.contains(&"call_as"));
//! assert!(!builder::is_reserved("args", false, false));
//! assert!(builder::is_reserved("args", true, false));
//! ```

/// Methods every builder has: the terminal calls and the per-call options.
pub const METHODS: &[&str] = &[
    "call",
    "call_async",
    "call_as",
    "stream",
    "timeout",
    "idempotent",
    "pool",
    "returns",
    "session",
];

/// The method that appends extra positional arguments, on builders of `*args` callables.
pub const VAR_ARGS: &str = "args";

/// The method that adds an extra keyword argument, on builders of `**kwargs` callables.
pub const VAR_KWARGS: &str = "kwarg";

/// Whether a builder of a callable with (`var_args`) `*args` and (`var_kwargs`) `**kwargs`
/// already defines a method called `name`.
pub fn is_reserved(name: &str, var_args: bool, var_kwargs: bool) -> bool {
    METHODS.contains(&name) || (var_args && name == VAR_ARGS) || (var_kwargs && name == VAR_KWARGS)
}

/// Every name a builder of such a callable defines, in a fixed order.
pub fn reserved(var_args: bool, var_kwargs: bool) -> impl Iterator<Item = &'static str> {
    METHODS
        .iter()
        .copied()
        .chain(var_args.then_some(VAR_ARGS))
        .chain(var_kwargs.then_some(VAR_KWARGS))
}
