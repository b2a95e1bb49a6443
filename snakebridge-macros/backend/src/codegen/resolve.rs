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
pub const RESERVED_ITEMS: &[&str] = &["__sb", ANCESTORS, PRELUDE];
/// The module of every bindings module that re-exports its member traits (and those of its
/// submodules), for `use bindings::prelude::*`.
pub const PRELUDE: &str = "prelude";
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
    /// The name of the trait that picks the result from the first argument's type, when the
    /// plan has [overloads](Plan::overloads).
    pub overload_trait: Option<String>,
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
    /// The name of the trait carrying the class's instance members, when some class inherits
    /// them from it off its `Deref` chain (a mixin); see `Inheritance` in this module's source.
    pub members_trait: Option<String>,
    /// Whether the instance members are also inherent (false only for hidden ancestors that no
    /// class derefs to: their trait is all they need).
    pub inherent_members: bool,
    /// The member traits this class implements (paths relative to its module).
    pub trait_impls: Vec<TokenStream>,
    /// Inherent copies of this class's members emitted on subclasses, where the subclass's
    /// MRO would otherwise be ambiguous or resolved differently by Rust: `(subclass struct
    /// path, Rust member names)`.
    pub forwards: Vec<(TokenStream, Vec<String>)>,
    /// A namedtuple or struct sequence: the Rust name of its `to_tuple` method and the field
    /// types in tuple order.
    pub tuple: Option<(String, Vec<RustType>)>,
    /// The item type of `for item in &object`, when the class (or its MRO) defines
    /// `__iter__`.
    pub iter_item: Option<RustType>,
    /// For exception classes: the Rust name of `from_error`.
    pub from_error: Option<String>,
    /// For context managers (`__enter__` and `__exit__` along the MRO): the type `__enter__`
    /// returns, which the `with` method hands to its closure.
    pub context: Option<RustType>,
    /// The Python operators the class has (its own or along its MRO, the MRO winner's
    /// signature), grouped by result and right-operand types.
    pub operators: Vec<OperatorGroup>,
    /// The constructor (exported classes only); its plan returns `Self`.
    pub ctor: Option<ResolvedCallable<'m>>,
    pub methods: Vec<ResolvedMethod<'m>>,
    pub attrs: Vec<ResolvedAttr<'m>>,
}

/// Operators of a class sharing their result and right-operand types, for the runtime's
/// `__py_ops!`.
#[derive(Debug)]
pub struct OperatorGroup {
    /// The result type (`Result<ret>`).
    pub ret: RustType,
    /// The right operands the binary operators take; empty for any value.
    pub rhs: Vec<TokenStream>,
    /// `(operator, method name when it is a method and had to be renamed)`: `add`, `radd`,
    /// `neg`, `pow`, ... (the dunder without underscores).
    pub ops: Vec<(String, Option<String>)>,
}

/// Operators bound as methods (not `std::ops` traits), whose names may collide with members.
const OPERATOR_METHODS: &[&str] = &[
    "pow", "matmul", "floordiv", "lt", "le", "gt", "ge", "pos", "abs", "iadd", "isub", "imul",
    "itruediv",
];
/// Operators whose result, when the stubs do not say, is the defining class (arithmetic keeps
/// to its type far more often than not; comparisons do not).
const COMPARISONS: &[&str] = &["lt", "le", "gt", "ge"];

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
    /// The name its member trait gets if one is needed (claimed in the module scope).
    trait_name: String,
    /// The name of `to_tuple`, for namedtuples and struct sequences.
    to_tuple: Option<String>,
    /// The name of `from_error`, for exception classes.
    from_error: Option<String>,
}

impl ClassNames<'_> {
    /// The Rust names of the instance members (what a subclass inherits).
    fn instance_members(&self) -> impl Iterator<Item = &str> {
        let methods = self
            .methods
            .iter()
            .filter(|(m, _, _)| m.binding == MethodBinding::Instance)
            .map(|(_, n, _)| n.as_str());
        let attrs = self
            .attrs
            .iter()
            .flat_map(|(_, g, s)| std::iter::once(g.as_str()).chain(s.as_deref()));
        methods.chain(attrs)
    }
}

/// How one class's inherited members are reached in Rust, computed by
/// `Resolver::inheritance`.
///
/// Python always runs what its MRO finds: generated methods call by name on the object. What
/// Rust chooses is which typed signature (parameters, builder, result) a call gets, so it
/// follows the MRO too:
///
/// - a class struct derefs to one bound base (the one bringing the most members), and that
///   base to one of its own: the *chain*, whose inherent members auto-deref reaches in MRO
///   order, with no import;
/// - every other class of the MRO with instance members (a mixin) gets a member trait
///   (`RegressorMixinMethods`) with those members as default methods, implemented by each class
///   that inherits it off its chain; the module's `prelude` brings all of them into scope;
/// - where Rust with the prelude would pick another definition than Python (a trait method
///   before a chain member that comes first in the MRO) or find two traits ambiguous, the class
///   gets an inherent copy of the MRO winner's member (a few lines; the builder type is shared).
///
/// Without the prelude, a mixin's member that overrides a chain member is reached through the
/// chain's signature (still calling the mixin's Python method).
#[derive(Default)]
struct Inheritance {
    /// Where the struct bound for each qualified name was named (the first of a class bound
    /// twice, as in `Resolver::classes`).
    slots: HashMap<String, Slot>,
    /// Qualified names of the classes whose member trait is needed.
    needs_trait: HashSet<String>,
    /// Qualified names of the classes some class derefs to.
    on_chain: HashSet<String>,
    /// Per class slot: the qualified names of the traits it implements.
    impls: HashMap<Slot, Vec<String>>,
    /// Per defining class (qualified name): `(subclass struct full path, member names)`.
    forwards: HashMap<String, Vec<Forward>>,
}

/// `(subclass struct full path, member names)`: inherent copies of one class's members on a
/// subclass.
type Forward = (Vec<String>, Vec<String>);

/// Where a class's names live: `(module index, exported (else hidden), index in that list)`.
type Slot = (usize, bool, usize);

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

/// The classes of a module (exported and ancestors) by qualified name.
fn classes_by_qualname(info: &ModuleInfo) -> HashMap<&str, &ClassInfo> {
    info.classes
        .iter()
        .map(|c| (c.qualified_name.as_str(), c))
        .collect()
}

/// Records that class `qn` defines member `name` (in MRO order).
fn add(name: &str, qn: &str, defs: &mut Vec<(String, Vec<String>)>) {
    match defs.iter_mut().find(|(n, _)| n == name) {
        Some((_, ds)) => ds.push(qn.to_owned()),
        None => defs.push((name.to_owned(), vec![qn.to_owned()])),
    }
}

/// The MRO after `c` itself: the introspected one, or (fixtures that predate it) the bases
/// depth first, each class once.
fn lookup_order(c: &ClassInfo, by_qualname: &HashMap<&str, &ClassInfo>) -> Vec<String> {
    if !c.mro.is_empty() {
        return c.mro.clone();
    }
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<&str> = c.bases.iter().rev().map(String::as_str).collect();
    while let Some(qn) = stack.pop() {
        if out.iter().any(|o| o == qn) || qn == c.qualified_name {
            continue;
        }
        out.push(qn.to_owned());
        if let Some(info) = by_qualname.get(qn) {
            stack.extend(info.bases.iter().rev().map(String::as_str));
        }
    }
    out
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
        let by_qualname = classes_by_qualname(self.mods[i].info);
        // The `Deref` base: of the bound bases, the one that brings the most members (the
        // first on a tie), so that fewer members need a trait or an inherent copy. Python's
        // lookup does not depend on it: a method is called by name on the object.
        let weight = |qn: &str| {
            let Some(info) = by_qualname.get(qn) else {
                return 0;
            };
            let mut names: HashSet<&str> = HashSet::new();
            for c in std::iter::once(qn.to_owned())
                .chain(lookup_order(info, &by_qualname))
                .filter_map(|q| by_qualname.get(q.as_str()))
            {
                names.extend(c.methods.iter().map(|m| m.function.name.as_str()));
                names.extend(c.attributes.iter().map(|a| a.name.as_str()));
            }
            names.len()
        };
        let primary_base = |c: &ClassInfo, classes: &HashMap<String, Vec<String>>| {
            let bound = c
                .bases
                .iter()
                .filter(|b| classes.contains_key(*b) || by_qualname.contains_key(b.as_str()));
            let mut best: Option<(&String, usize)> = None;
            for b in bound {
                let w = weight(b);
                if best.is_none_or(|(_, bw)| w > bw) {
                    best = Some((b, w));
                }
            }
            best.map(|(b, _)| b.clone())
        };
        // Every class of every MRO is bound (hidden if not exported): chain classes for `Deref`,
        // mixins for their member traits. The queue is popped from the end: MRO order.
        let mro_here = |info: &ClassInfo| {
            lookup_order(info, &by_qualname)
                .into_iter()
                .filter(|b| by_qualname.contains_key(b.as_str()))
                .rev()
        };
        let mut queue: Vec<String> = Vec::new();
        for k in 0..self.mods[i].classes.len() {
            let info = self.mods[i].classes[k].info;
            let base = primary_base(info, &self.classes);
            queue.extend(mro_here(info));
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
            queue.extend(mro_here(info));
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

    /// Settles [`Inheritance`]: which classes need member traits, who implements them, and
    /// where inherent copies keep Rust's lookup Python's.
    fn inheritance(&mut self) {
        let mut slots: HashMap<&str, Slot> = HashMap::new();
        let mut all: Vec<Slot> = Vec::new();
        for (i, m) in self.mods.iter().enumerate() {
            for (exported, list) in [(true, &m.classes), (false, &m.hidden)] {
                for (k, c) in list.iter().enumerate() {
                    slots
                        .entry(c.info.qualified_name.as_str())
                        .or_insert((i, exported, k));
                    all.push((i, exported, k));
                }
            }
        }
        let get = |(i, exported, k): Slot| {
            let m = &self.mods[i];
            if exported {
                &m.classes[k]
            } else {
                &m.hidden[k]
            }
        };
        let by_module: Vec<HashMap<&str, &ClassInfo>> = self
            .mods
            .iter()
            .map(|m| classes_by_qualname(m.info))
            .collect();
        let mut out = Inheritance::default();
        for slot in all {
            let c = get(slot);
            let by_qualname = &by_module[slot.0];
            let mut chain: HashSet<&str> = HashSet::new();
            let mut next = c.base.as_deref();
            while let Some(qn) = next {
                if !chain.insert(qn) {
                    break;
                }
                out.on_chain.insert(qn.to_owned());
                next = slots.get(qn).and_then(|s| get(*s).base.as_deref());
            }
            let order: Vec<String> = lookup_order(c.info, by_qualname)
                .into_iter()
                .filter(|qn| slots.contains_key(qn.as_str()))
                .collect();
            // Rust member name → the classes defining it, in MRO order (the class itself first).
            let mut defs: Vec<(String, Vec<String>)> = Vec::new();
            for name in c.instance_members() {
                add(name, &c.info.qualified_name, &mut defs);
            }
            let mut impls = Vec::new();
            for qn in &order {
                let d = get(slots[qn.as_str()]);
                let mut any = false;
                for name in d.instance_members() {
                    add(name, qn, &mut defs);
                    any = true;
                }
                if any && !chain.contains(qn.as_str()) {
                    impls.push(qn.clone());
                    out.needs_trait.insert(qn.clone());
                }
            }
            let own = c.info.qualified_name.as_str();
            let mut full = self.mods[slot.0].path.clone();
            if !slot.1 {
                full.push(ANCESTORS.to_owned());
            }
            full.push(c.rust_name.clone());
            for (name, ds) in defs {
                let winner = ds[0].as_str();
                let off_chain = ds
                    .iter()
                    .filter(|d| *d != own && !chain.contains(d.as_str()))
                    .count();
                // With the prelude in scope, Rust takes a trait method before a chain member
                // (wrong when the chain's comes first in the MRO) and finds two traits
                // ambiguous; an inherent copy settles both. A trait member that only shadows
                // chain members is already what Rust picks.
                let wrong = if chain.contains(winner) {
                    off_chain > 0
                } else {
                    off_chain > 1
                };
                if winner != own && ds.len() > 1 && wrong {
                    let list = out.forwards.entry(winner.to_owned()).or_default();
                    match list.iter_mut().find(|(p, _)| *p == full) {
                        Some((_, names)) => names.push(name),
                        None => list.push((full.clone(), vec![name])),
                    }
                }
            }
            out.impls.insert(slot, impls);
        }
        out.slots = slots
            .into_iter()
            .map(|(qn, slot)| (qn.to_owned(), slot))
            .collect();
        self.inherit = out;
    }

    /// The path of a class's member trait, relative to `here`.
    fn trait_path(&self, qualified_name: &str, here: &[String]) -> Option<TokenStream> {
        let full = self.classes.get(qualified_name)?;
        let (_, parent) = full.split_last()?;
        let (i, exported, k) = self.slot_of(qualified_name)?;
        let m = &self.mods[i];
        let c = if exported {
            &m.classes[k]
        } else {
            &m.hidden[k]
        };
        let mut path = parent.to_vec();
        path.push(c.trait_name.clone());
        Some(relative_path(&path, here))
    }

    /// Where the struct bound for `qualified_name` was named.
    fn slot_of(&self, qualified_name: &str) -> Option<Slot> {
        self.inherit.slots.get(qualified_name).copied()
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

    /// A class of module `m`, emitted in the module at Rust path `here`.
    fn finish_class(
        &self,
        m: &ModState<'m>,
        c: &ClassNames<'m>,
        here: &[String],
        slot: Slot,
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
                overloads: Vec::new(),
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
        let qn = c.info.qualified_name.as_str();
        // Only the slot a qualified name resolves to carries the trait (a class exported twice
        // is two structs, one trait).
        let canonical = self.slot_of(qn) == Some(slot);
        let members_trait =
            (canonical && self.inherit.needs_trait.contains(qn)).then(|| c.trait_name.clone());
        let trait_impls = self
            .inherit
            .impls
            .get(&slot)
            .into_iter()
            .flatten()
            .filter_map(|d| self.trait_path(d, here))
            .collect();
        let forwards = if canonical {
            self.inherit
                .forwards
                .get(qn)
                .into_iter()
                .flatten()
                .map(|(path, names)| (relative_path(path, here), names.clone()))
                .collect()
        } else {
            Vec::new()
        };
        // The class and its MRO, looked up once for the protocol forms below.
        let mro = mro_infos(m.info, c.info);
        let tuple = c.to_tuple.as_ref().map(|name| {
            let fields = c.info.fields.as_deref().unwrap_or_default();
            let types = fields
                .iter()
                .map(|f| field_type(&mro, f, &lookup))
                .collect();
            (name.clone(), types)
        });
        let operators = operators(&mro, &lookup);
        // `__iter__ -> Iterator[int]` says the item; `__iter__ -> Self` (an iterator) leaves it
        // to `__next__`.
        let iter_item = first_method(&mro, "__iter__", true, &lookup).map(|item| match item {
            RustType::Value | RustType::Class(_) => first_method(&mro, "__next__", false, &lookup)
                .filter(|next| *next != RustType::Value)
                .unwrap_or(item),
            other => other,
        });
        let context = first_method(&mro, "__exit__", false, &lookup).and(first_method(
            &mro,
            "__enter__",
            false,
            &lookup,
        ));
        ResolvedClass {
            info: c.info,
            rust_name: c.rust_name.clone(),
            exported,
            python,
            base: c.base.clone(),
            base_path: c.base.as_deref().and_then(|b| lookup.class_path(b)),
            operators,
            iter_item,
            from_error: c.from_error.clone(),
            context,
            members_trait,
            inherent_members: exported || !slot_hidden_mixin(&self.inherit, qn),
            trait_impls,
            forwards,
            tuple,
            ctor,
            methods,
            attrs,
        }
    }
}

/// The right operands a binary operator's signatures allow, as Rust types, when every allowed
/// type maps (`Decimal | int` → `Decimal`, `&Decimal`, `i64`); empty (any value) otherwise.
fn operand_types(f: &FunctionInfo, lookup: &Lookup<'_>) -> Vec<TokenStream> {
    use crate::model::TypeExpr;
    let mut out: Vec<TokenStream> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for sig in &f.signatures {
        let Some(param) = sig.params.first() else {
            return Vec::new();
        };
        let items: Vec<&TypeExpr> = match &param.annotation {
            Some(TypeExpr::Union { items }) => items.iter().collect(),
            Some(t) => vec![t],
            None => return Vec::new(),
        };
        for item in items {
            let types = match typemap::map(Some(item), lookup) {
                RustType::Int => vec![quote!(__sb::i64)],
                // A Python float parameter takes ints too.
                RustType::Float => vec![quote!(__sb::f64), quote!(__sb::i64)],
                RustType::Bool => vec![quote!(__sb::bool)],
                RustType::Class(c) => {
                    let path = c.path;
                    vec![quote!(#path), quote!(&#path)]
                }
                _ => return Vec::new(),
            };
            for t in types {
                let key = t.to_string();
                if !keys.contains(&key) {
                    keys.push(key);
                    out.push(t);
                }
            }
        }
    }
    out
}

/// A hidden ancestor that no class derefs to: its members live in its trait only.
fn slot_hidden_mixin(inherit: &Inheritance, qn: &str) -> bool {
    inherit.needs_trait.contains(qn) && !inherit.on_chain.contains(qn)
}

/// A class and the classes of its MRO that module `info` describes, in MRO order.
fn mro_infos<'m>(info: &'m ModuleInfo, class: &'m ClassInfo) -> Vec<&'m ClassInfo> {
    let by_qualname = classes_by_qualname(info);
    std::iter::once(class)
        .chain(
            lookup_order(class, &by_qualname)
                .iter()
                .filter_map(|qn| by_qualname.get(qn.as_str()).copied()),
        )
        .collect()
}

/// The operators of a class (`mro`: the class, then its MRO): for each dunder the MRO defines,
/// the first definer's signature gives the result type (else the definer itself, for
/// arithmetic) and the right operands (when every type the stubs allow maps to a Rust type).
fn operators(mro: &[&ClassInfo], lookup: &Lookup<'_>) -> Vec<OperatorGroup> {
    // Names a renamed operator method must not take: every instance member in the MRO.
    let mut taken: HashSet<&str> = HashSet::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut found: Vec<(&str, &FunctionInfo, &str)> = Vec::new();
    for info in mro {
        taken.extend(info.methods.iter().map(|m| m.function.name.as_str()));
        taken.extend(info.attributes.iter().map(|a| a.name.as_str()));
        for op in &info.operators {
            let name = op.function.name.trim_matches('_');
            // Reflected bitwise and power forms have no Rust operator on a primitive left.
            if !snakebridge_contract::OPERATORS.contains(&name) {
                continue;
            }
            if seen.insert(name) {
                found.push((name, &op.function, info.qualified_name.as_str()));
            }
        }
    }
    let mut groups: Vec<OperatorGroup> = Vec::new();
    for (name, f, definer) in found {
        let p = plan::plan(f, false, lookup);
        let ret = match p.ret {
            RustType::Value if !COMPARISONS.contains(&name) => {
                lookup.class_path(definer).map_or(RustType::Value, |path| {
                    RustType::Class(ClassPath::new(definer, path))
                })
            }
            other => other,
        };
        let rhs = operand_types(f, lookup);
        let renamed =
            (OPERATOR_METHODS.contains(&name) && taken.contains(name)).then(|| format!("{name}_"));
        let key = |g: &OperatorGroup| {
            g.ret == ret
                && g.rhs.len() == rhs.len()
                && g.rhs
                    .iter()
                    .zip(&rhs)
                    .all(|(a, b)| a.to_string() == b.to_string())
        };
        match groups.iter_mut().find(|g| key(g)) {
            Some(g) => g.ops.push((name.to_owned(), renamed)),
            None => groups.push(OperatorGroup {
                ret,
                rhs,
                ops: vec![(name.to_owned(), renamed)],
            }),
        }
    }
    groups
}

/// The result type of the MRO's first `method` (the item type when `streams`:
/// `__iter__ -> Iterator[int]` gives `i64`), if the class has it.
fn first_method(
    mro: &[&ClassInfo],
    method: &str,
    streams: bool,
    lookup: &Lookup<'_>,
) -> Option<RustType> {
    mro.iter().find_map(|info| {
        info.methods
            .iter()
            .find(|m| m.function.name == method)
            .map(|m| plan::plan(&m.function, streams, lookup).ret)
    })
}

/// The type of a namedtuple field: its attribute's, found on the class or along its MRO.
fn field_type(mro: &[&ClassInfo], field: &str, lookup: &Lookup<'_>) -> RustType {
    mro.iter()
        .find_map(|info| info.attributes.iter().find(|a| a.name == field))
        .map_or(RustType::Value, |a| {
            typemap::map(a.annotation.as_ref(), lookup)
        })
}

/// A full path (from the root bindings module) written relative to module `here`.
fn relative_path(full: &[String], here: &[String]) -> TokenStream {
    let Some((last, parent)) = full.split_last() else {
        return TokenStream::new();
    };
    let last = names::ident(last);
    // Climb to the longest common prefix, then descend.
    let common = parent.iter().zip(here).take_while(|(a, b)| a == b).count();
    let supers = here[common..].iter().map(|_| quote!(super::));
    let down = parent[common..].iter().map(|p| names::ident(p));
    quote!(#(#supers)* #(#down::)* #last)
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
        // Named after the builder, whose name is unique in the module (`NdarrayTakeCall` →
        // `NdarrayTakeArg`).
        overload_trait: (!plan.overloads.is_empty())
            .then(|| format!("{}Arg", builder.strip_suffix("Call").unwrap_or(builder))),
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
    let settable: Vec<&AttributeInfo> = attrs.iter().copied().filter(|a| a.settable()).collect();
    for a in &settable {
        let (getter, _) = names::base_name(&a.name);
        wanted.push((format!("set_{getter}"), true));
    }
    let tuple_wanted = info
        .fields
        .as_ref()
        .is_some_and(|f| !f.is_empty() && f.len() <= snakebridge_contract::MAX_TUPLE_ARITY);
    if tuple_wanted {
        wanted.push(("to_tuple".to_owned(), true));
    }
    if info.exception {
        wanted.push(("from_error".to_owned(), true));
    }
    let mut scope = Scope::with_reserved(["new"]);
    let mut assigned = scope.claim_all(&wanted).into_iter();
    let from_error = info.exception.then(|| assigned.next_back()).flatten();
    let to_tuple = tuple_wanted.then(|| assigned.next_back()).flatten();

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
    let trait_name = module_scope.claim(&format!("{rust_name}Methods"));
    let attrs = attrs
        .into_iter()
        .zip(getters)
        .map(|(a, getter)| {
            let setter = if a.settable() { setters.next() } else { None };
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
        trait_name,
        to_tuple,
        from_error,
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
