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

use super::plan::{self, Plan};
use super::{Name, Options};
use crate::model::{
    AttributeInfo, ClassInfo, ConstantInfo, FunctionInfo, MethodBinding, MethodInfo, ModuleInfo,
};
use crate::names::{self, Scope};
use crate::typemap::{self, ClassLookup, ClassPath, RustType};
use proc_macro2::TokenStream;
use quote::quote;
use snakebridge_contract::builder as contract;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Item names of every module that no Python name may take.
pub const RESERVED_ITEMS: &[&str] = &["__sb", ANCESTORS];
/// The hidden module holding ancestors that are needed for `Deref` but not bound themselves.
pub const ANCESTORS: &str = "__ancestors";
/// Tuple structs and unit variants of the prelude, which a parameter binding cannot shadow.
const PRELUDE_PATTERNS: &[&str] = &["Some", "None", "Ok", "Err"];

/// The resolved tree of one `#[python_module]` invocation.
#[derive(Debug)]
pub struct Resolved<'m> {
    /// Every module of the tree; index 0 is the root, children follow their parent.
    pub mods: Vec<ResolvedModule<'m>>,
    /// Qualified Python class name → the Rust path (from the root bindings module) of the struct
    /// bound for it, hidden ancestors included.
    pub class_paths: HashMap<String, Vec<String>>,
    /// The `include` entries, routed to their module (for the checker).
    pub includes: Vec<Routed>,
    /// The `streaming` entries, routed to their module (for the checker).
    pub streaming: Vec<Routed>,
}

/// An option entry routed to the module it addresses.
#[derive(Debug, Clone)]
pub struct Routed {
    /// Index into [`Resolved::mods`].
    pub module: usize,
    /// The rest of the dotted entry, relative to that module (`""` for the module itself).
    pub local: String,
    /// The entry as written, with its span.
    pub entry: Name,
}

/// One module of the tree.
#[derive(Debug)]
pub struct ResolvedModule<'m> {
    pub info: &'m ModuleInfo,
    /// The Rust path from the root bindings module (empty for the root).
    pub path: Vec<String>,
    /// `(name relative to the parent, index)` of the child modules (all of them, bound or not).
    pub children: Vec<(String, usize)>,
    /// Names a parameter binding must not take in this module: its constants, tuple structs and
    /// builder types, and the prelude's `Some`, `None`, `Ok`, `Err`.
    pub values: HashSet<String>,
    pub functions: Vec<ResolvedCallable<'m>>,
    pub classes: Vec<ResolvedClass<'m>>,
    pub constants: Vec<ResolvedConstant<'m>>,
    /// `(child module index, Rust name)` of the bound submodules.
    pub submodules: Vec<(usize, String)>,
    /// The classes of `__ancestors` (not exported: instance methods and attributes only).
    pub hidden: Vec<ResolvedClass<'m>>,
    /// [`ResolvedModule::values`] of the `__ancestors` module.
    pub hidden_values: HashSet<String>,
}

/// A callable with its Rust names and its plan.
#[derive(Debug)]
pub struct ResolvedCallable<'m> {
    /// The callable (a constructor without `__init__` info gets an empty one).
    pub info: Cow<'m, FunctionInfo>,
    /// The Rust function name.
    pub rust_name: String,
    /// The builder type name, when the plan [needs one](Plan::needs_builder). The name is
    /// claimed in the module scope either way, so names do not shift when a signature changes.
    pub builder: Option<String>,
    pub plan: Plan,
    /// The builder's setter names, one per [`Plan::optional`] parameter: the Python name unless
    /// the builder already has it (see `snakebridge_contract::builder`), then with a `_`.
    pub setters: Vec<String>,
}

/// A class to emit, with its members.
#[derive(Debug)]
pub struct ResolvedClass<'m> {
    pub info: &'m ClassInfo,
    /// The struct's name.
    pub rust_name: String,
    /// Exported (bound) classes are constructible and have static methods; hidden ancestors
    /// only carry instance methods and attributes.
    pub exported: bool,
    /// `(module, name)` under which Python reaches the class.
    pub python: (String, String),
    /// The qualified name of the base mirrored through `Deref`.
    pub base: Option<String>,
    /// The path of the base's struct, relative to the module the class is emitted in.
    pub base_path: Option<TokenStream>,
    /// The constructor (exported classes only); its plan returns `Self`.
    pub ctor: Option<ResolvedCallable<'m>>,
    pub methods: Vec<ResolvedMethod<'m>>,
    pub attrs: Vec<ResolvedAttr<'m>>,
}

/// A method of a class.
#[derive(Debug)]
pub struct ResolvedMethod<'m> {
    pub method: &'m MethodInfo,
    pub callable: ResolvedCallable<'m>,
}

/// An attribute of a class: getter, setter unless read-only, and the mapped type.
#[derive(Debug)]
pub struct ResolvedAttr<'m> {
    pub info: &'m AttributeInfo,
    pub getter: String,
    pub setter: Option<String>,
    pub ty: RustType,
}

/// A module constant.
#[derive(Debug)]
pub struct ResolvedConstant<'m> {
    pub info: &'m ConstantInfo,
    pub rust_name: String,
    /// The getter's return type, for constants without a plain value.
    pub getter_type: RustType,
}

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

/// The names of a class, settled before any plan (builder type names live in the module's
/// namespace, so all of them must be known first).
struct ClassNames<'m> {
    info: &'m ClassInfo,
    rust_name: String,
    base: Option<String>,
    /// The constructor's builder type name (exported classes only).
    ctor_builder: Option<String>,
    /// `(method, Rust name, builder type name)`.
    methods: Vec<(&'m MethodInfo, String, String)>,
    /// `(attribute, getter name, setter name unless read-only)`.
    attrs: Vec<(&'m AttributeInfo, String, Option<String>)>,
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
}

fn pattern_reserved() -> HashSet<String> {
    PRELUDE_PATTERNS.iter().map(|s| (*s).to_owned()).collect()
}

impl<'m> Resolver<'m> {
    fn flatten(&mut self, info: &'m ModuleInfo, path: Vec<String>) -> usize {
        let index = self.mods.len();
        self.mods.push(ModState {
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

        // Builder types come after every Python name, so a Python `DumpsCall` keeps its name.
        let scope = &mut m.scope;
        m.functions = functions
            .into_iter()
            .zip(function_names)
            .map(|(f, name)| {
                let builder = scope.claim(&builder_name(None, &name));
                (f, name, builder)
            })
            .collect();
        m.classes = classes
            .into_iter()
            .zip(class_names)
            .map(|(info, rust_name)| {
                name_members(
                    info,
                    rust_name,
                    true,
                    |member| exclude.contains(&format!("{}.{member}", info.name)),
                    scope,
                )
            })
            .collect();

        m.values.extend(m.constants.iter().map(|(_, n)| n.clone()));
        for class in &m.classes {
            m.values.insert(class.rust_name.clone());
            m.values.extend(class_builders(class));
        }
        m.values
            .extend(m.functions.iter().map(|(_, _, b)| b.clone()));

        let path = m.path.clone();
        let subs = m.submodules.clone();
        for class in &self.mods[i].classes {
            let mut full = path.clone();
            full.push(class.rust_name.clone());
            self.classes
                .entry(class.info.qualified_name.clone())
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
            let mut class = name_members(
                info,
                rust_name,
                false,
                |member| exclude.contains(&format!("{}.{member}", info.name)),
                &mut hidden_scope,
            );
            class.base = base;
            m.hidden_values.insert(class.rust_name.clone());
            m.hidden_values.extend(class_builders(&class));
            m.hidden.push(class);
        }
    }

    /// Module `i` with plans, types and base paths, now that every class path is known.
    fn finish(&self, i: usize) -> ResolvedModule<'m> {
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
                let streams = f.is_generator || m.streaming.contains(&f.name);
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
            .map(|c| self.finish_class(m, c, &m.path))
            .collect();
        let mut hidden_here = m.path.clone();
        hidden_here.push(ANCESTORS.to_owned());
        let hidden = m
            .hidden
            .iter()
            .map(|c| self.finish_class(m, c, &hidden_here))
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

    /// A class of module `m`, emitted in the module at Rust path `here`.
    fn finish_class(
        &self,
        m: &ModState<'m>,
        c: &ClassNames<'m>,
        here: &[String],
    ) -> ResolvedClass<'m> {
        let exported = c.ctor_builder.is_some();
        let struct_name = names::ident(&c.rust_name);
        let lookup = Lookup {
            classes: &self.classes,
            here,
            self_type: Some(quote!(#struct_name)),
        };
        let python = if exported {
            (m.info.name.clone(), c.info.name.clone())
        } else {
            match c.info.qualified_name.rsplit_once('.') {
                Some((module, name)) => (module.to_owned(), name.to_owned()),
                None => (String::new(), c.info.qualified_name.clone()),
            }
        };
        let ctor = c.ctor_builder.as_ref().map(|builder| {
            let ctor = c.info.constructor.clone().unwrap_or_default();
            let plan = Plan {
                ret: RustType::Class(ClassPath::new("Self", quote!(#struct_name))),
                ..plan::plan(&ctor, false, &lookup)
            };
            callable(Cow::Owned(ctor), "new".to_owned(), builder, plan)
        });
        let methods = c
            .methods
            .iter()
            .map(|(method, rust_name, builder)| {
                let f = &method.function;
                let key = format!("{}.{}", c.info.name, f.name);
                let streams = f.is_generator || f.name == "__iter__" || m.streaming.contains(&key);
                ResolvedMethod {
                    method,
                    callable: callable(
                        Cow::Borrowed(f),
                        rust_name.clone(),
                        builder,
                        plan::plan(f, streams, &lookup),
                    ),
                }
            })
            .collect();
        let attrs = c
            .attrs
            .iter()
            .map(|(a, getter, setter)| ResolvedAttr {
                info: a,
                getter: getter.clone(),
                setter: setter.clone(),
                ty: typemap::map(a.annotation.as_ref(), &lookup),
            })
            .collect();
        ResolvedClass {
            info: c.info,
            rust_name: c.rust_name.clone(),
            exported,
            python,
            base: c.base.clone(),
            base_path: c.base.as_deref().and_then(|b| lookup.class_path(b)),
            ctor,
            methods,
            attrs,
        }
    }
}

fn class_builders<'a>(c: &'a ClassNames<'_>) -> impl Iterator<Item = String> + 'a {
    c.ctor_builder
        .iter()
        .chain(c.methods.iter().map(|(_, _, b)| b))
        .cloned()
}

/// A callable whose builder name was claimed as `builder` and whose plan is known.
fn callable<'m>(
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
        plan,
    }
}

/// The builder's setter names for the optional parameters of `plan`: Python names, except
/// where they collide with what the builder already has (the contract's names).
pub fn setter_names(plan: &Plan) -> Vec<String> {
    let mut scope = Scope::with_reserved(contract::reserved(plan.var_args, plan.var_kwargs));
    scope.claim_all(
        &plan
            .optional
            .iter()
            .map(|p| names::base_name(&p.name))
            .collect::<Vec<_>>(),
    )
}

/// Names the members of `info`: `new` is reserved for the constructor; Python names come next;
/// then `set_*` setters; builder type names are claimed in `module_scope`.
fn name_members<'m>(
    info: &'m ClassInfo,
    rust_name: String,
    exported: bool,
    excluded: impl Fn(&str) -> bool,
    module_scope: &mut Scope<'_>,
) -> ClassNames<'m> {
    let methods: Vec<&MethodInfo> = info
        .methods
        .iter()
        .filter(|m| exported || m.binding == MethodBinding::Instance)
        .filter(|m| !excluded(&m.function.name))
        .collect();
    let attrs: Vec<&AttributeInfo> = info
        .attributes
        .iter()
        .filter(|a| !excluded(&a.name))
        .collect();
    let mut wanted: Vec<(String, bool)> = methods
        .iter()
        .map(|m| names::method_base_name(&m.function.name))
        .collect();
    wanted.extend(attrs.iter().map(|a| names::base_name(&a.name)));
    let settable: Vec<&AttributeInfo> = attrs.iter().copied().filter(|a| !a.readonly).collect();
    for a in &settable {
        let (getter, _) = names::base_name(&a.name);
        wanted.push((format!("set_{getter}"), true));
    }
    let mut scope = Scope::with_reserved(["new"]);
    let mut assigned = scope.claim_all(&wanted).into_iter();

    let ctor_builder = exported.then(|| module_scope.claim(&builder_name(Some(&rust_name), "new")));
    let methods = methods
        .into_iter()
        .zip(assigned.by_ref())
        .map(|(m, name)| {
            let builder = module_scope.claim(&builder_name(Some(&rust_name), &name));
            (m, name, builder)
        })
        .collect();
    let getters: Vec<String> = assigned.by_ref().take(attrs.len()).collect();
    let mut setters = assigned;
    let attrs = attrs
        .into_iter()
        .zip(getters)
        .map(|(a, getter)| {
            let setter = if a.readonly { None } else { setters.next() };
            (a, getter, setter)
        })
        .collect();
    ClassNames {
        info,
        rust_name,
        base: None,
        ctor_builder,
        methods,
        attrs,
    }
}

/// The conventional builder type name for a callable: the owner's and the callable's Rust
/// names in UpperCamelCase, then `Call` (`dumps` → `DumpsCall`, `JSONEncoder.encode` →
/// `JSONEncoderEncodeCall`, a constructor `JSONEncoderNewCall`). Existing capitals are kept;
/// underscores (leading ones included) only separate words.
pub fn builder_name(owner: Option<&str>, rust_name: &str) -> String {
    let mut out = String::new();
    for word in owner.into_iter().chain([rust_name]) {
        camel_case_into(word, &mut out);
    }
    out.push_str("Call");
    // `_2d` → `2dCall` would not be an identifier.
    if !out.starts_with(unicode_ident::is_xid_start) {
        out.insert(0, '_');
    }
    out
}

/// Appends `name` in UpperCamelCase: each `_`-separated word gets a capital first letter.
fn camel_case_into(name: &str, out: &mut String) {
    for word in name.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn module(json: serde_json::Value) -> ModuleInfo {
        serde_json::from_value(json).expect("a ModuleInfo")
    }

    fn param(name: &str, kind: &str, default: Option<&str>) -> serde_json::Value {
        let mut p = serde_json::json!({"name": name, "kind": kind});
        if let Some(d) = default {
            p["default"] = d.into();
        }
        p
    }

    fn function(name: &str, params: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::json!({
            "name": name, "kind": "function",
            "signatures": [{"params": params, "text": "(...)"}],
            "signature_source": "inspect", "is_generator": false
        })
    }

    fn class(name: &str, bases: &[&str], exported: bool, methods: &[&str]) -> serde_json::Value {
        let methods: Vec<_> = methods
            .iter()
            .map(|m| {
                let mut f = function(m, vec![param("x", "positional_or_keyword", Some("1"))]);
                f["binding"] = "instance".into();
                f
            })
            .collect();
        serde_json::json!({
            "name": name, "qualified_name": format!("m.{name}"), "bases": bases,
            "exported": exported, "methods": methods, "attributes": []
        })
    }

    #[test]
    fn builder_names_are_upper_camel_case() {
        assert_eq!(builder_name(None, "dumps"), "DumpsCall");
        assert_eq!(builder_name(None, "load_module"), "LoadModuleCall");
        assert_eq!(
            builder_name(Some("JSONEncoder"), "encode"),
            "JSONEncoderEncodeCall"
        );
        assert_eq!(
            builder_name(Some("JSONEncoder"), "new"),
            "JSONEncoderNewCall"
        );
        assert_eq!(builder_name(Some("_Private"), "__x"), "PrivateXCall");
        assert_eq!(builder_name(None, "self_"), "SelfCall");
        assert_eq!(builder_name(None, "_2d"), "_2dCall");
    }

    #[test]
    fn builder_types_yield_to_python_names() {
        let m = module(serde_json::json!({
            "name": "m",
            "functions": [
                function("dumps", vec![param("indent", "keyword_only", Some("None"))]),
                function("DumpsCall", vec![]),
                function("plain", vec![param("x", "positional_or_keyword", None)]),
            ],
            "classes": [class("Enc", &[], true, &["encode"])],
        }));
        let r = resolve(&m, &Options::default());
        let root = &r.mods[0];
        let names: Vec<_> = root
            .functions
            .iter()
            .map(|f| (f.rust_name.as_str(), f.builder.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("dumps", Some("DumpsCall_")),
                ("DumpsCall", None),
                ("plain", None)
            ]
        );
        let enc = &root.classes[0];
        // No `__init__` signature: a dynamic constructor, which needs a builder.
        assert_eq!(
            enc.ctor.as_ref().unwrap().builder.as_deref(),
            Some("EncNewCall")
        );
        assert_eq!(
            enc.methods[0].callable.builder.as_deref(),
            Some("EncEncodeCall")
        );
        // Builder types are values a parameter binding must avoid.
        assert!(root.values.contains("DumpsCall_") && root.values.contains("Enc"));
    }

    #[test]
    fn setters_avoid_builder_methods() {
        let opt = |n: &str| param(n, "keyword_only", Some("None"));
        let m = module(serde_json::json!({
            "name": "m",
            "functions": [
                function("f", ["call_as", "args", "call", "session", "timeout", "kwarg", "x"].map(opt).to_vec()),
                function("g", vec![
                    param("args", "var_positional", None),
                    opt("kwarg"),
                    opt("call_as"),
                    param("kwargs", "var_keyword", None),
                ]),
            ],
        }));
        let r = resolve(&m, &Options::default());
        let f = &r.mods[0].functions[0];
        assert_eq!(
            f.setters,
            [
                "call_as_", "args", "call_", "session_", "timeout_", "kwarg", "x"
            ]
        );
        let g = &r.mods[0].functions[1];
        assert!(g.plan.var_args && g.plan.var_kwargs);
        assert_eq!(g.setters, ["kwarg_", "call_as_"]);
    }

    #[test]
    fn ancestors_chain_through_hidden_classes() {
        // Leaf -> Mid (not exported) -> Root (exported but excluded) -> nothing.
        let m = module(serde_json::json!({
            "name": "m",
            "classes": [
                class("Leaf", &["m.Mid"], true, &["leaf"]),
                class("Mid", &["m.Root"], false, &["mid"]),
                class("Root", &[], true, &["root"]),
            ],
        }));
        let options = Options {
            exclude: vec![Name::new("Root")],
            ..Options::default()
        };
        let r = resolve(&m, &options);
        let root = &r.mods[0];
        let bound: Vec<_> = root.classes.iter().map(|c| c.rust_name.as_str()).collect();
        assert_eq!(bound, ["Leaf"]);
        assert_eq!(root.classes[0].base.as_deref(), Some("m.Mid"));
        assert_eq!(
            root.classes[0].base_path.as_ref().unwrap().to_string(),
            "__ancestors :: Mid"
        );
        let hidden: Vec<_> = root
            .hidden
            .iter()
            .map(|c| (c.rust_name.as_str(), c.base.as_deref(), c.exported))
            .collect();
        assert_eq!(
            hidden,
            [("Mid", Some("m.Root"), false), ("Root", None, false)]
        );
        // Inside `__ancestors`, siblings are named directly; hidden classes have no constructor.
        assert_eq!(
            root.hidden[0].base_path.as_ref().unwrap().to_string(),
            "Root"
        );
        assert!(root.hidden.iter().all(|c| c.ctor.is_none()));
        assert_eq!(r.class_paths["m.Root"], ["__ancestors", "Root"]);
    }

    #[test]
    fn entries_are_routed_with_their_module() {
        let m = module(serde_json::json!({
            "name": "pkg",
            "functions": [function("top", vec![])],
            "submodules": [{"name": "pkg.linalg", "functions": [function("norm", vec![])]}],
        }));
        let options = Options {
            include: vec![Name::new("linalg.norm"), Name::new("top")],
            streaming: vec![Name::new("linalg.nrm")],
            ..Options::default()
        };
        let r = resolve(&m, &options);
        let inc: Vec<_> = r
            .includes
            .iter()
            .map(|e| (e.module, e.local.as_str()))
            .collect();
        assert_eq!(inc, [(1, "norm"), (0, "top")]);
        assert_eq!(
            (r.streaming[0].module, r.streaming[0].local.as_str()),
            (1, "nrm")
        );
        assert_eq!(r.mods[1].path, ["linalg"]);
        assert_eq!(r.mods[0].submodules, [(1, "linalg".to_owned())]);
    }
}
