//! Stage 1, resolution: from the introspected [`ModuleInfo`] and the [`Options`] to a
//! [`Resolved`] tree that settles everything the emitter needs to know.
//!
//! In order: the module tree is flattened (each module gets an index and its Rust path); the
//! dotted `include` / `exclude` / `streaming` entries are routed to the module they address
//! (the routed `include` and `streaming` entries are kept, with their spans, for
//! [`check`](super::check())); every module chooses its items and names them in one scope (Python
//! names first, builder type names after them); each class's primary base is found and
//! ancestors that are not bound themselves are added to the module's hidden `__ancestors`
//! namespace; last, with every class path known, each callable gets its [`Plan`] (and its
//! builder's setter names), each attribute and getter constant its type, and each class the
//! path of its base struct.
//!
//! Nothing here emits tokens except the class paths inside [`RustType`]s; nothing here reports
//! errors (an unknown entry simply selects nothing).
//!
//! One concern per file: `resolved.rs` (the output types), `tree.rs` (the module tree, routing,
//! paths between modules), `naming.rs` (Rust names of items, members and builders), `mro.rs`
//! (MROs, `Deref` bases, hidden ancestors), `inheritance.rs` (member traits, their impls,
//! inherent copies), `class.rs` (a class's plans and protocol forms), `operators.rs` (a
//! class's operators); this module holds the state and the driver ([`resolve`]), and the
//! last step for a module's functions and constants.

mod class;
mod inheritance;
mod mro;
mod naming;
mod operators;
mod resolved;
#[cfg(test)]
mod tests;
mod tree;

pub use naming::{builder_name, setter_names};
pub use resolved::{
    OperatorGroup, Resolved, ResolvedAttr, ResolvedCallable, ResolvedClass, ResolvedConstant,
    ResolvedMethod, ResolvedModule, Routed,
};
pub use tree::Lookup;

use super::plan::{self, Plan};
use super::{Name, Options};
use crate::model::{ConstantInfo, FunctionInfo, ModuleInfo};
use crate::names::Scope;
use crate::typemap::{ClassLookup, ClassPath, RustType};
use inheritance::Inheritance;
use naming::ClassNames;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Item names of every module that no Python name may take.
pub const RESERVED_ITEMS: &[&str] = &["__sb", ANCESTORS, PRELUDE];

/// The module of every bindings module that re-exports its member traits (and those of its
/// submodules), for `use bindings::prelude::*`.
pub const PRELUDE: &str = "prelude";

/// The hidden module holding ancestors that are needed for `Deref` but not bound themselves.
pub const ANCESTORS: &str = "__ancestors";

/// Tuple structs and unit variants of the prelude, which a parameter binding cannot shadow.
const PRELUDE_PATTERNS: &[&str] = &["Some", "None", "Ok", "Err"];

/// Resolves `module` under `options` (see the module docs for the steps).
pub fn resolve<'m>(module: &'m ModuleInfo, options: &Options) -> Resolved<'m> {
    let mut r = Resolver::default();
    r.flatten(module, Vec::new());
    let mut includes = Vec::new();
    for entry in &options.include {
        let (i, local) = r.route(&entry.name);
        r.mods[i]
            .include
            .get_or_insert_with(HashSet::new)
            .insert(local.to_owned());
        includes.push(routed(i, local, entry));
    }
    for entry in &options.exclude {
        let (i, local) = r.route(&entry.name);
        r.mods[i].exclude.insert(local.to_owned());
    }
    let mut streaming = Vec::new();
    for entry in &options.streaming {
        let (i, local) = r.route(&entry.name);
        r.mods[i].streaming.insert(local.to_owned());
        streaming.push(routed(i, local, entry));
    }
    for i in 0..r.mods.len() {
        r.name_items(i);
    }
    for i in 0..r.mods.len() {
        r.find_ancestors(i);
    }
    r.inheritance();
    let mods = (0..r.mods.len()).map(|i| r.finish(i)).collect();
    Resolved {
        mods,
        class_paths: r.classes,
        includes,
        streaming,
    }
}

fn routed(module: usize, local: &str, entry: &Name) -> Routed {
    Routed {
        module,
        local: local.to_owned(),
        entry: entry.clone(),
    }
}

/// A module while it is being resolved.
struct ModState<'m> {
    info: &'m ModuleInfo,
    path: Vec<String>,
    children: Vec<(String, usize)>,
    include: Option<HashSet<String>>,
    exclude: HashSet<String>,
    streaming: HashSet<String>,
    scope: Scope<'static>,
    values: HashSet<String>,
    functions: Vec<(&'m FunctionInfo, String, String)>,
    classes: Vec<ClassNames<'m>>,
    constants: Vec<(&'m ConstantInfo, String)>,
    submodules: Vec<(usize, String)>,
    hidden: Vec<ClassNames<'m>>,
    hidden_values: HashSet<String>,
}

#[derive(Default)]
struct Resolver<'m> {
    mods: Vec<ModState<'m>>,
    classes: HashMap<String, Vec<String>>,
    inherit: Inheritance,
}

impl<'m> Resolver<'m> {
    /// Module `i` with plans, types and base paths, now that every class path is known.
    pub(super) fn finish(&self, i: usize) -> ResolvedModule<'m> {
        let m = &self.mods[i];
        let lookup = Lookup {
            classes: &self.classes,
            here: &m.path,
            self_type: None,
        };
        let functions = m
            .functions
            .iter()
            .map(|(f, rust_name, builder)| {
                let streams = f.is_generator
                    || super::generators::streams_by_annotation(f)
                    || m.streaming.contains(&f.name);
                callable(
                    Cow::Borrowed(*f),
                    rust_name.clone(),
                    builder,
                    plan::plan(f, streams, &lookup),
                )
            })
            .collect();
        let classes = m
            .classes
            .iter()
            .enumerate()
            .map(|(k, c)| self.finish_class(m, c, &m.path, (i, true, k)))
            .collect();
        let mut hidden_here = m.path.clone();
        hidden_here.push(ANCESTORS.to_owned());
        let hidden = m
            .hidden
            .iter()
            .enumerate()
            .map(|(k, c)| self.finish_class(m, c, &hidden_here, (i, false, k)))
            .collect();
        let constants = m
            .constants
            .iter()
            .map(|(c, rust_name)| ResolvedConstant {
                info: c,
                rust_name: rust_name.clone(),
                getter_type: constant_type(c, &lookup),
            })
            .collect();
        ResolvedModule {
            info: m.info,
            path: m.path.clone(),
            children: m.children.clone(),
            values: m.values.clone(),
            functions,
            classes,
            constants,
            submodules: m.submodules.clone(),
            hidden,
            hidden_values: m.hidden_values.clone(),
        }
    }
}

/// A callable whose builder name was claimed as `builder` and whose plan is known.
pub(super) fn callable<'m>(
    info: Cow<'m, FunctionInfo>,
    rust_name: String,
    builder: &str,
    plan: Plan,
) -> ResolvedCallable<'m> {
    ResolvedCallable {
        info,
        rust_name,
        builder: plan.needs_builder().then(|| builder.to_owned()),
        setters: setter_names(&plan),
        // Named after the builder, whose name is unique in the module (`NdarrayTakeCall` →
        // `NdarrayTakeArg`).
        overload_trait: (!plan.overloads.is_empty())
            .then(|| format!("{}Arg", builder.strip_suffix("Call").unwrap_or(builder))),
        plan,
    }
}

/// The type of a constant's getter (used when its value is not plain).
fn constant_type(c: &ConstantInfo, lookup: &Lookup<'_>) -> RustType {
    match c.type_name.as_str() {
        "float" => RustType::Float,
        "str" => RustType::Str,
        "bool" => RustType::Bool,
        // An int without a value is beyond i64; `NoneType` is emitted as `()` by the emitter.
        "int" | "NoneType" => RustType::Value,
        other => lookup.class_path(other).map_or(RustType::Value, |p| {
            RustType::Class(ClassPath::new(other, p))
        }),
    }
}
