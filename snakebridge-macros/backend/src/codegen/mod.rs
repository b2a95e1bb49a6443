//! Code generation: from an introspected [`ModuleInfo`] to the items of the bindings module.
//!
//! Everything generated is a thin call into the runtime through `::snakebridge::__private`
//! (imported in every generated module as `__sb`), so that the code per Python item stays a few
//! lines: bindings for numpy or sympy compile in seconds, not minutes.
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
//! - a `#[doc(hidden)] pub mod __ancestors` holding ancestors that are needed for `Deref` but not
//!   bound themselves (not exported, or filtered out);
//! - requested submodules as nested `pub mod`s.
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
//! reserved). Builder types are the owner's and callable's Rust names in UpperCamelCase with a
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
mod class;
mod plan;

pub use plan::{Pass, Plan, PlanParam};

use crate::docs;
use crate::model::{ClassInfo, ConstantInfo, FunctionInfo, ModuleInfo};
use crate::names::{self, Scope, did_you_mean};
use crate::typemap::{ClassLookup, RustType};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

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

/// The generated items, and the combined errors if any.
pub fn generate_parts(module: &ModuleInfo, options: &Options) -> (TokenStream, Option<syn::Error>) {
    let mut g = Generator::default();
    g.flatten(module, Vec::new());
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut includes = Vec::new();
    for entry in &options.include {
        let (i, local) = g.route(&entry.name);
        g.mods[i]
            .include
            .get_or_insert_with(HashSet::new)
            .insert(local.to_owned());
        includes.push((i, local, entry));
    }
    let mut streams = Vec::new();
    for entry in &options.exclude {
        let (i, local) = g.route(&entry.name);
        g.mods[i].exclude.insert(local.to_owned());
    }
    for entry in &options.streaming {
        let (i, local) = g.route(&entry.name);
        g.mods[i].streaming.insert(local.to_owned());
        streams.push((i, local, entry));
    }
    for i in 0..g.mods.len() {
        g.name_items(i);
    }
    for (i, local, entry) in includes {
        if let Some(e) = g.check_include(i, local, entry) {
            errors.push(e);
        }
    }
    for (i, local, entry) in streams {
        if let Some(e) = g.check_streaming(i, local, entry) {
            errors.push(e);
        }
    }
    for i in 0..g.mods.len() {
        g.find_ancestors(i);
    }

    // Cargo tracks files read by `include_bytes!`: a changed cache file re-expands the macro.
    let rebuild = options.cache_file.as_ref().map(|path| {
        let path = path.to_string_lossy();
        quote!(
            const _: &[__sb::u8] = __sb::include_bytes!(#path);
        )
    });
    let tokens = g.emit_module(0, rebuild);
    let error = errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    });
    (tokens, error)
}

/// A class chosen for emission.
struct ClassSlot<'m> {
    info: &'m ClassInfo,
    rust_name: String,
    /// The qualified name of the base mirrored through `Deref`.
    base: Option<String>,
    members: class::Members<'m>,
}

/// One module of the tree being generated.
struct Mod<'m> {
    info: &'m ModuleInfo,
    /// The Rust path from the root bindings module.
    path: Vec<String>,
    /// `(name relative to the parent, index)` of the child modules.
    children: Vec<(String, usize)>,
    include: Option<HashSet<String>>,
    exclude: HashSet<String>,
    streaming: HashSet<String>,
    /// Every name in the module's namespace.
    scope: Scope<'static>,
    /// The names a parameter binding must not take (see [`callable::Callable::reserved`]).
    values: HashSet<String>,
    /// `(function, Rust name, builder type name)`.
    functions: Vec<(&'m FunctionInfo, String, String)>,
    classes: Vec<ClassSlot<'m>>,
    constants: Vec<(&'m ConstantInfo, String)>,
    submodules: Vec<(usize, String)>,
    /// Ancestors emitted in `__ancestors`, and that module's parameter-reserved names.
    hidden: Vec<ClassSlot<'m>>,
    hidden_values: HashSet<String>,
}

#[derive(Default)]
struct Generator<'m> {
    mods: Vec<Mod<'m>>,
    /// Qualified class name → Rust path from the root of the struct bound for it.
    classes: HashMap<String, Vec<String>>,
}

const RESERVED_ITEMS: &[&str] = &["__sb", "__ancestors"];
const ANCESTORS: &str = "__ancestors";
/// Tuple structs and unit variants of the prelude, which a parameter binding cannot shadow.
const PRELUDE_PATTERNS: &[&str] = &["Some", "None", "Ok", "Err"];

fn pattern_reserved() -> HashSet<String> {
    PRELUDE_PATTERNS.iter().map(|s| (*s).to_owned()).collect()
}

impl<'m> Generator<'m> {
    fn flatten(&mut self, info: &'m ModuleInfo, path: Vec<String>) -> usize {
        let index = self.mods.len();
        self.mods.push(Mod {
            info,
            path: path.clone(),
            children: Vec::new(),
            include: None,
            exclude: HashSet::new(),
            streaming: HashSet::new(),
            scope: Scope::with_reserved(RESERVED_ITEMS.iter().copied()),
            values: pattern_reserved(),
            functions: Vec::new(),
            classes: Vec::new(),
            constants: Vec::new(),
            submodules: Vec::new(),
            hidden: Vec::new(),
            hidden_values: pattern_reserved(),
        });
        for sub in &info.submodules {
            let rel = sub
                .name
                .strip_prefix(&format!("{}.", info.name))
                .unwrap_or(&sub.name)
                .to_owned();
            // The Rust name is settled in `name_items`; the path entry is filled in there.
            let mut child_path = path.clone();
            child_path.push(String::new());
            let child = self.flatten(sub, child_path);
            self.mods[index].children.push((rel, child));
        }
        index
    }

    /// Which module a dotted entry addresses, and the rest of the entry.
    fn route<'n>(&self, name: &'n str) -> (usize, &'n str) {
        let mut at = 0;
        let mut rest = name;
        loop {
            let next = self.mods[at]
                .children
                .iter()
                .filter(|(rel, _)| {
                    rest.strip_prefix(rel.as_str())
                        .is_some_and(|r| r.is_empty() || r.starts_with('.'))
                })
                .max_by_key(|(rel, _)| rel.len());
            match next {
                Some((rel, child)) if rest.len() > rel.len() => {
                    rest = &rest[rel.len() + 1..];
                    at = *child;
                }
                _ => return (at, rest),
            }
        }
    }

    /// Chooses the items of module `i` and gives them (and their builders) Rust names; registers
    /// its classes.
    fn name_items(&mut self, i: usize) {
        let m = &mut self.mods[i];
        let include = &m.include;
        let exclude = &m.exclude;
        let keep = |name: &str| {
            include.as_ref().is_none_or(|inc| inc.contains(name)) && !exclude.contains(name)
        };
        let functions: Vec<&FunctionInfo> =
            m.info.functions.iter().filter(|f| keep(&f.name)).collect();
        let classes: Vec<&ClassInfo> = m
            .info
            .classes
            .iter()
            .filter(|c| c.exported && keep(&c.name))
            .collect();
        let constants: Vec<&ConstantInfo> =
            m.info.constants.iter().filter(|c| keep(&c.name)).collect();

        let mut wanted: Vec<(String, bool)> = Vec::new();
        wanted.extend(functions.iter().map(|f| names::base_name(&f.name)));
        wanted.extend(classes.iter().map(|c| names::base_name(&c.name)));
        wanted.extend(constants.iter().map(|c| names::base_name(&c.name)));
        wanted.extend(m.children.iter().map(|(rel, _)| names::base_name(rel)));
        let mut assigned = m.scope.claim_all(&wanted).into_iter();
        let function_names: Vec<String> = assigned.by_ref().take(functions.len()).collect();
        let class_names: Vec<String> = assigned.by_ref().take(classes.len()).collect();
        m.constants = constants.into_iter().zip(assigned.by_ref()).collect();
        m.submodules = m.children.iter().map(|(_, c)| *c).zip(assigned).collect();

        // Builder types come after every Python name, so a Python `foo_builder` keeps its name.
        let scope = &mut m.scope;
        m.functions = functions
            .into_iter()
            .zip(function_names)
            .map(|(f, name)| {
                let builder = scope.claim(&callable::builder_name(None, &name));
                (f, name, builder)
            })
            .collect();
        m.classes = classes
            .into_iter()
            .zip(class_names)
            .map(|(info, rust_name)| ClassSlot {
                members: class::members(
                    info,
                    &rust_name,
                    true,
                    |member| exclude.contains(&format!("{}.{member}", info.name)),
                    scope,
                ),
                info,
                rust_name,
                base: None,
            })
            .collect();

        m.values.extend(m.constants.iter().map(|(_, n)| n.clone()));
        for slot in &m.classes {
            m.values.insert(slot.rust_name.clone());
            m.values.extend(slot.members.builders());
        }
        m.values
            .extend(m.functions.iter().map(|(_, _, b)| b.clone()));

        let path = m.path.clone();
        let subs = m.submodules.clone();
        for slot in &self.mods[i].classes {
            let mut full = path.clone();
            full.push(slot.rust_name.clone());
            self.classes
                .entry(slot.info.qualified_name.clone())
                .or_insert(full);
        }
        for (child, name) in subs {
            self.set_path_segment(child, path.len(), &name);
        }
    }

    /// Sets segment `depth` of the path of module `i` and all its descendants.
    fn set_path_segment(&mut self, i: usize, depth: usize, name: &str) {
        self.mods[i].path[depth] = name.to_owned();
        for (_, child) in self.mods[i].children.clone() {
            self.set_path_segment(child, depth, name);
        }
    }

    /// Finds the `Deref` base of every class of module `i`, adding hidden ancestors as needed.
    fn find_ancestors(&mut self, i: usize) {
        let info = self.mods[i].info;
        let by_qualname: HashMap<&str, &'m ClassInfo> = info
            .classes
            .iter()
            .map(|c| (c.qualified_name.as_str(), c))
            .collect();
        let primary_base = |c: &ClassInfo, classes: &HashMap<String, Vec<String>>| {
            c.bases
                .iter()
                .find(|b| classes.contains_key(*b) || by_qualname.contains_key(b.as_str()))
                .cloned()
        };
        let mut queue: Vec<String> = Vec::new();
        for k in 0..self.mods[i].classes.len() {
            let base = primary_base(self.mods[i].classes[k].info, &self.classes);
            queue.extend(base.clone());
            self.mods[i].classes[k].base = base;
        }
        // The hidden module has its own namespace: struct names first, then builders.
        let mut found: Vec<(&'m ClassInfo, Option<String>)> = Vec::new();
        let mut hidden_scope = Scope::default();
        let mut hidden_names = Vec::new();
        while let Some(qn) = queue.pop() {
            if self.classes.contains_key(&qn) {
                continue;
            }
            let info = by_qualname[qn.as_str()];
            let (wanted, _) = names::base_name(&info.name);
            let rust_name = hidden_scope.claim(&wanted);
            let mut full = self.mods[i].path.clone();
            full.push(ANCESTORS.to_owned());
            full.push(rust_name.clone());
            self.classes.insert(qn.clone(), full);
            let base = primary_base(info, &self.classes);
            queue.extend(base.clone());
            found.push((info, base));
            hidden_names.push(rust_name);
        }
        let m = &mut self.mods[i];
        let exclude = &m.exclude;
        for ((info, base), rust_name) in found.into_iter().zip(hidden_names) {
            let members = class::members(
                info,
                &rust_name,
                false,
                |member| exclude.contains(&format!("{}.{member}", info.name)),
                &mut hidden_scope,
            );
            m.hidden_values.insert(rust_name.clone());
            m.hidden_values.extend(members.builders());
            m.hidden.push(ClassSlot {
                info,
                rust_name,
                base,
                members,
            });
        }
    }

    fn check_include(&self, i: usize, local: &str, entry: &Name) -> Option<syn::Error> {
        let m = &self.mods[i];
        if local.is_empty() || m.children.iter().any(|(rel, _)| rel == local) {
            return None;
        }
        let exists = m.info.functions.iter().any(|f| f.name == local)
            || m.info.classes.iter().any(|c| c.exported && c.name == local)
            || m.info.constants.iter().any(|c| c.name == local);
        if exists {
            return None;
        }
        let candidates = m
            .info
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .chain(
                m.info
                    .classes
                    .iter()
                    .filter(|c| c.exported)
                    .map(|c| c.name.as_str()),
            )
            .chain(m.info.constants.iter().map(|c| c.name.as_str()))
            .chain(m.children.iter().map(|(rel, _)| rel.as_str()));
        Some(syn::Error::new(
            entry.span,
            format!(
                "`{}` has no function, class, constant or submodule named `{local}`{}",
                m.info.name,
                hint(did_you_mean(local, candidates)),
            ),
        ))
    }

    fn check_streaming(&self, i: usize, local: &str, entry: &Name) -> Option<syn::Error> {
        let m = &self.mods[i];
        let msg = match local.split_once('.') {
            None if m.info.functions.iter().any(|f| f.name == local) => return None,
            None => format!(
                "`{}` has no function named `{local}`{}",
                m.info.name,
                hint(did_you_mean(
                    local,
                    m.info.functions.iter().map(|f| f.name.as_str())
                ))
            ),
            Some((class, method)) => match m.info.classes.iter().find(|c| c.name == class) {
                Some(c) if c.methods.iter().any(|f| f.function.name == method) => return None,
                Some(c) => format!(
                    "class `{class}` of `{}` has no method named `{method}`{}",
                    m.info.name,
                    hint(did_you_mean(
                        method,
                        c.methods.iter().map(|f| f.function.name.as_str())
                    ))
                ),
                None => format!(
                    "`{}` has no class named `{class}`{}",
                    m.info.name,
                    hint(did_you_mean(
                        class,
                        m.info.classes.iter().map(|c| c.name.as_str())
                    ))
                ),
            },
        };
        Some(syn::Error::new(
            entry.span,
            format!("`streaming` takes module functions and `Class.method`s, but {msg}"),
        ))
    }

    /// The items of module `i`; `root_extra` goes only into the root (which also carries the
    /// lint `allow`s that all submodules inherit).
    fn emit_module(&self, i: usize, root_extra: Option<TokenStream>) -> TokenStream {
        let m = &self.mods[i];
        let module = m.info.name.as_str();
        let doc = docs::render_plain(m.info.doc.as_deref(), module);
        let allows = (i == 0).then(|| {
            quote! {
                #![allow(
                    non_camel_case_types, non_snake_case, non_upper_case_globals, missing_docs,
                    unused_qualifications, unreachable_pub, dead_code,
                    clippy::all, clippy::pedantic, clippy::nursery,
                    rustdoc::broken_intra_doc_links, rustdoc::bare_urls, rustdoc::invalid_html_tags,
                    rustdoc::invalid_rust_codeblocks
                )]
            }
        });
        let prelude = if i == 0 {
            quote! {
                #[allow(unused_imports)]
                mod __sb {
                    pub use ::snakebridge::__private::*;
                    pub use ::core::primitive::{bool, f64, i64, str, u8};
                    pub use ::std::{collections::HashMap, convert::Into, include_bytes, iter::IntoIterator, option::Option, string::String, vec, vec::Vec};
                    /// Converts a parameter into a `Value` (shorter than the trait path).
                    #[inline]
                    pub fn v(value: impl IntoValue) -> Value {
                        IntoValue::into_value(value)
                    }
                }
            }
        } else {
            quote!(
                use super::__sb;
            )
        };
        let ctx = ModuleCtx {
            generator: self,
            module: i,
            here: m.path.clone(),
            values: &m.values,
        };
        let lookup = ctx.lookup();

        let mut items = Vec::new();
        for (f, rust_name, builder) in &m.functions {
            let streams = f.is_generator || m.streaming.contains(&f.name);
            let plan = plan::plan(f, streams, &lookup);
            let python_path = format!("{module}.{}", f.name);
            let doc = docs::render(
                f.doc.as_deref(),
                &python_path,
                &class::sig_texts(f),
                Some(f.signature_source),
                callable_note(&plan, streams).as_deref(),
            );
            let (item, builder_items) = callable::emit(&callable::Callable {
                python_name: &f.name,
                rust_name,
                builder: plan.needs_builder().then_some(builder.as_str()),
                target: callable::Target::Function { module },
                plan: &plan,
                doc,
                python_path: &python_path,
                reserved: &m.values,
            });
            items.push(item);
            items.push(builder_items);
        }

        for slot in &m.classes {
            items.push(self.emit_class(&ctx, slot, true));
        }

        for (c, rust_name) in &m.constants {
            items.push(constant(module, c, rust_name, &lookup));
        }

        if !m.hidden.is_empty() {
            let mut here = m.path.clone();
            here.push(ANCESTORS.to_owned());
            let hidden_ctx = ModuleCtx {
                generator: self,
                module: i,
                here,
                values: &m.hidden_values,
            };
            let hidden = m
                .hidden
                .iter()
                .map(|slot| self.emit_class(&hidden_ctx, slot, false));
            let ancestors = names::ident(ANCESTORS);
            items.push(quote! {
                #[doc(hidden)]
                pub mod #ancestors {
                    use super::__sb;
                    #(#hidden)*
                }
            });
        }

        for (child, name) in &m.submodules {
            let content = self.emit_module(*child, None);
            let name = names::ident(name);
            items.push(quote! { pub mod #name { #content } });
        }

        quote! {
            #![doc = #doc]
            #allows
            #prelude
            #root_extra
            #(#items)*
        }
    }

    fn emit_class(&self, ctx: &ModuleCtx<'_>, slot: &ClassSlot<'_>, exported: bool) -> TokenStream {
        let lookup = ctx.lookup();
        let base = slot.base.as_deref().and_then(|b| lookup.class_path(b));
        let python = if exported {
            (ctx.module().info.name.clone(), slot.info.name.clone())
        } else {
            match slot.info.qualified_name.rsplit_once('.') {
                Some((m, n)) => (m.to_owned(), n.to_owned()),
                None => (String::new(), slot.info.qualified_name.clone()),
            }
        };
        class::emit(
            &class::ClassItem {
                info: slot.info,
                rust_name: &slot.rust_name,
                members: &slot.members,
                base,
                exported,
                python,
            },
            ctx,
        )
    }
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// The extra sentence in a callable's docs.
fn callable_note(plan: &Plan, streams: bool) -> Option<String> {
    let mut notes = Vec::new();
    if streams {
        notes.push("A Python generator: `.call()` returns a `Stream` of its items.");
    }
    if plan.dynamic {
        notes.push(
            "The signature is unknown: pass arguments with `.args(...)` and `.kwarg(name, value)`.",
        );
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// A module constant: a `const` for plain values, a getter otherwise.
fn constant(module: &str, c: &ConstantInfo, rust_name: &str, lookup: &Lookup<'_>) -> TokenStream {
    use serde_json::Value as J;
    let name = names::ident(rust_name);
    let py = &c.name;
    let doc = docs::render_plain(c.doc.as_deref(), &format!("{module}.{py}"));
    let doc = format!("{doc}\n\nPython type: {}.", docs::code_span(&c.type_name));
    let plain = match &c.value {
        Some(J::Null) => Some((quote!(()), quote!(()))),
        Some(J::Bool(b)) => Some((quote!(__sb::bool), quote!(#b))),
        Some(J::Number(n)) => {
            if let Some(v) = n.as_i64() {
                let lit = proc_macro2::Literal::i64_unsuffixed(v.unsigned_abs() as i64);
                let value = if v < 0 {
                    if v == i64::MIN {
                        quote!(__sb::i64::MIN)
                    } else {
                        quote!(-#lit)
                    }
                } else {
                    quote!(#lit)
                };
                Some((quote!(__sb::i64), value))
            } else if let Some(v) = n.as_f64().filter(|v| v.is_finite() && !n.is_u64()) {
                let lit = float_literal(v.abs());
                let value = if v.is_sign_negative() {
                    quote!(-#lit)
                } else {
                    quote!(#lit)
                };
                Some((quote!(__sb::f64), value))
            } else {
                None
            }
        }
        // The introspector spells non-finite floats as strings.
        Some(J::String(s)) if c.type_name == "float" => match s.as_str() {
            "nan" => Some((quote!(__sb::f64), quote!(__sb::f64::NAN))),
            "inf" => Some((quote!(__sb::f64), quote!(__sb::f64::INFINITY))),
            "-inf" => Some((quote!(__sb::f64), quote!(__sb::f64::NEG_INFINITY))),
            _ => None,
        },
        Some(J::String(s)) => Some((quote!(&__sb::str), quote!(#s))),
        _ => None,
    };
    if let Some((ty, value)) = plain {
        return quote! {
            #[doc = #doc]
            pub const #name: #ty = #value;
        };
    }
    let ty = match c.type_name.as_str() {
        // The model cannot tell a `None` value from an absent one; `None` is all it can be.
        "NoneType" => {
            return quote! {
                #[doc = #doc]
                pub const #name: () = ();
            };
        }
        "float" => RustType::Float,
        "str" => RustType::Str,
        "bool" => RustType::Bool,
        // An int without a value is beyond i64.
        "int" => RustType::Value,
        other => lookup.class_path(other).map_or(RustType::Value, |p| {
            RustType::Class(crate::typemap::ClassPath::new(other, p))
        }),
    };
    let ret = ty.owned();
    quote! {
        #[doc = #doc]
        pub fn #name() -> __sb::Result<#ret> { __sb::module_attr(#module, #py) }
    }
}

/// A float literal that round-trips, in `Debug` form: shortest digits, with an exponent for very
/// small or large values (`2.220446049250313e-16` rather than 31 digits of `Display`).
fn float_literal(v: f64) -> proc_macro2::Literal {
    format!("{v:?}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::f64_unsuffixed(v))
}

/// What emitting code inside one module needs to know.
pub struct ModuleCtx<'g> {
    generator: &'g Generator<'g>,
    module: usize,
    /// The Rust path (from the root) of the module the code goes in.
    here: Vec<String>,
    /// Names parameter bindings must avoid in this module.
    values: &'g HashSet<String>,
}

impl ModuleCtx<'_> {
    fn module(&self) -> &Mod<'_> {
        &self.generator.mods[self.module]
    }

    /// Class lookup from this module.
    fn lookup(&self) -> Lookup<'_> {
        Lookup {
            classes: &self.generator.classes,
            here: &self.here,
            self_type: None,
        }
    }

    /// Whether `key` (`Class.method`) was listed in `streaming`.
    fn streams(&self, key: &str) -> bool {
        self.module().streaming.contains(key)
    }
}

/// Resolves qualified class names to paths relative to one module.
pub struct Lookup<'a> {
    classes: &'a HashMap<String, Vec<String>>,
    here: &'a [String],
    /// What `Self` means (inside a class).
    self_type: Option<TokenStream>,
}

impl ClassLookup for Lookup<'_> {
    fn class_path(&self, qualified_name: &str) -> Option<TokenStream> {
        let full = self.classes.get(qualified_name)?;
        let (last, parent) = full.split_last()?;
        let last = names::ident(last);
        if parent == self.here {
            return Some(quote!(#last));
        }
        let supers = self.here.iter().map(|_| quote!(super::));
        let parent = parent.iter().map(|p| names::ident(p));
        Some(quote!(#(#supers)* #(#parent::)* #last))
    }

    fn self_type(&self) -> Option<TokenStream> {
        self.self_type.clone()
    }
}
