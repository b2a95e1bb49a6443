//! Code generation: from an introspected [`ModuleInfo`] to the items of the bindings module.
//!
//! Everything generated is a thin call into the runtime through `::snakebridge::__private`
//! (imported in every generated module as `__sb`), so that the code per Python item stays a few
//! lines: bindings for numpy or sympy compile in seconds, not minutes.
//!
//! # Stages
//!
//! [`generate`] runs three stages, each in its own file (the split of thiserror-impl's
//! ast/valid/expand, with one error collector as in serde_derive, and a resolved table of names
//! and types before any emission as in cxx):
//!
//! 1. [`resolve()`] (`resolve/`): flattens the module tree, routes the dotted option entries,
//!    chooses and names every item (builder types after Python names), finds each class's
//!    primary base and the hidden ancestors, then computes every callable's [`Plan`] and setter
//!    names, attribute and constant types, and base paths. Its [`Resolved`] tree is public and
//!    unit-tested without Python.
//! 2. [`check()`] (`check.rs`): every validation of the options (unknown `include` and
//!    `streaming` entries, with suggestions), all errors collected, none fatal.
//! 3. emission (`emit.rs`, with `callable.rs` and `class.rs`): tokens read off the resolved
//!    tree; it decides nothing but how to spell it.
//!
//! Errors from stage 2 are combined with `syn::Error::combine` and, in [`generate`], emitted as
//! `compile_error!`s next to the bindings, so one typo does not also break every use.
//!
//! What a module expands to, in order:
//! - inner `#![doc]` from the module docstring and `#![allow]`s for Python naming;
//! - in the root, a private `mod __sb` re-exporting `::snakebridge::__private::*` and the few
//!   `core`/`std` items generated code names (every other module has `use super::__sb;`): short
//!   paths keep the expansion small, and nothing refers to a prelude name a Python item could
//!   shadow; also an `include_bytes!` of the cache file, so that cargo rebuilds when it changes;
//! - functions (module callables of every kind: functions, builtins, ufuncs, callable objects),
//!   see the `callable` submodule;
//! - class structs, see the `class` submodule;
//! - constants: plain values as `const`s, everything else as getter functions;
//! - a `#[doc(hidden)] pub mod __ancestors` holding the classes of the MRO of bound classes that
//!   are not bound themselves (not exported, filtered out, or from another module or package);
//! - requested submodules as nested `pub mod`s;
//! - `pub mod prelude`, re-exporting (as `_`) the member traits through which classes reach the
//!   members of their mixins, and the preludes of the submodules.
//!
//! # Filtering
//!
//! `include`, `exclude` and `streaming` entries are dotted: `"norm"` addresses the module itself,
//! `"linalg.norm"` the submodule `linalg`, `"Class.method"` a method (for `exclude` and
//! `streaming`). A module addressed by at least one `include` entry keeps only the items listed;
//! other modules are not filtered by `include`. Naming something the module lacks in `include`
//! or `streaming` is an error with a suggestion; `exclude` is lenient, so that one list can serve
//! several versions of a library.
//!
//! # Names
//!
//! See [`crate::names`] for the identifier rules. Per module, one scope holds every item name
//! (functions, classes, constants, submodules and builder types; `__sb` and `__ancestors` are
//! reserved). Builder types are `#[doc(hidden)]` (a module page lists the functions, and each
//! function's docs list its optional arguments: builder method, Rust type, Python default); they
//! are the owner's and callable's Rust names in UpperCamelCase with a
//! `Call` suffix: `DumpsCall` for `dumps`, `JSONEncoderEncodeCall` for `JSONEncoder.encode`,
//! `JSONEncoderNewCall` for a constructor (underscores separate words, leading ones are dropped,
//! existing capitals are kept). They are claimed after every Python name, so a Python item
//! called `DumpsCall` keeps its name and the builder becomes `DumpsCall_`. Within a class, `new`
//! is reserved for the constructor, attribute getters have the attribute's name and setters are
//! `set_{name}`. Within a builder, the names of `snakebridge_contract::builder` are reserved
//! (`call`, `call_as`, `stream`, `timeout`, `idempotent`, `pool`, `returns`, `session`, plus `args`
//! and `kwarg` when the callable takes `*args`/`**kwargs`), so a Python parameter called `timeout`
//! is set with `timeout_`. Parameter bindings avoid the module's
//! constants and tuple structs (a binding pattern would name those instead) and `Some`, `None`,
//! `Ok`, `Err`, also by a trailing `_`; rustdoc shows these names, callers never write them.

mod callable;
pub mod check;
mod class;
mod emit;
mod generators;
mod plan;
pub mod resolve;

pub use callable::as_written;
pub use check::check;
pub use plan::{Pass, Plan, PlanParam};
pub use resolve::{Resolved, resolve};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::PathBuf;

use crate::model::ModuleInfo;

/// A name given to an option, with the span to report problems at.
#[derive(Debug, Clone)]
pub struct Name {
    /// The dotted name as written.
    pub name: String,
    /// Where it was written (`Span::call_site()` outside a macro).
    pub span: Span,
}

impl Name {
    /// A name with no particular source location.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            span: Span::call_site(),
        }
    }
}

impl From<&syn::LitStr> for Name {
    fn from(lit: &syn::LitStr) -> Self {
        Self {
            name: lit.value(),
            span: lit.span(),
        }
    }
}

/// What to generate, beyond the module itself.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Bind only these (see the module docs for the dotted form).
    pub include: Vec<Name>,
    /// Never bind these.
    pub exclude: Vec<Name>,
    /// Treat these callables as generators.
    pub streaming: Vec<Name>,
    /// The cache file the module came from; the expansion `include_bytes!`es it so that cargo
    /// rebuilds when it changes. `None` (e.g. golden tests) emits nothing.
    pub cache_file: Option<PathBuf>,
}

/// Generates the items of the bindings module (what goes between the braces of `mod x { }`).
/// Problems with the options (an `include` naming nothing) become `compile_error!`s next to the
/// bindings, so that one typo does not also break every use of the module.
pub fn generate(module: &ModuleInfo, options: &Options) -> TokenStream {
    let (mut tokens, errors) = generate_parts(module, options);
    if let Some(e) = errors {
        tokens.extend(e.to_compile_error());
    }
    tokens
}

/// Like [`generate`], but any problem is returned as the error instead (for tools).
pub fn try_generate(module: &ModuleInfo, options: &Options) -> syn::Result<TokenStream> {
    match generate_parts(module, options) {
        (tokens, None) => Ok(tokens),
        (_, Some(e)) => Err(e),
    }
}

/// The generated items, and the combined errors if any: [`resolve()`], then [`check()`], then
/// the emitter, which runs whatever the checker found, so bindings and errors come out together.
pub fn generate_parts(module: &ModuleInfo, options: &Options) -> (TokenStream, Option<syn::Error>) {
    let resolved = resolve(module, options);
    let errors = check(&resolved);

    // Cargo tracks files read by `include_bytes!`: a changed cache file re-expands the macro.
    let rebuild = options.cache_file.as_ref().map(|path| {
        let path = path.to_string_lossy();
        quote!(
            const _: &[__sb::u8] = __sb::include_bytes!(#path);
        )
    });
    let tokens = emit::module(&resolved, 0, rebuild);
    (tokens, check::combine(errors))
}
