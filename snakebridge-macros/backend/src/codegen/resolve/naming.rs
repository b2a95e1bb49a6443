//! Rust names: each module chooses its items and names them in one scope (Python names first,
//! builder type names after them); a class's members, setters, `to_tuple`, `from_error` and
//! member trait; builder type and setter names.

use super::super::plan::Plan;
use super::Resolver;
use crate::model::{
    AttributeInfo, ClassInfo, ConstantInfo, FunctionInfo, MethodBinding, MethodInfo,
};
use crate::names::{self, Scope};
use snakebridge_contract::builder as contract;

impl<'m> Resolver<'m> {
    /// Chooses the items of module `i` and gives them (and their builders) Rust names; registers
    /// its classes.
    pub(super) fn name_items(&mut self, i: usize) {
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
}

/// The names of a class, settled before any plan (builder type names live in the module's
/// namespace, so all of them must be known first).
pub(super) struct ClassNames<'m> {
    pub(super) info: &'m ClassInfo,
    pub(super) rust_name: String,
    pub(super) base: Option<String>,
    /// The constructor's builder type name (exported classes only).
    pub(super) ctor_builder: Option<String>,
    /// `(method, Rust name, builder type name)`.
    pub(super) methods: Vec<(&'m MethodInfo, String, String)>,
    /// `(attribute, getter name, setter name unless read-only)`.
    pub(super) attrs: Vec<(&'m AttributeInfo, String, Option<String>)>,
    /// The name its member trait gets if one is needed (claimed in the module scope).
    pub(super) trait_name: String,
    /// The name of `to_tuple`, for namedtuples and struct sequences.
    pub(super) to_tuple: Option<String>,
    /// The name of `from_error`, for exception classes.
    pub(super) from_error: Option<String>,
}

impl ClassNames<'_> {
    /// The Rust names of the instance members (what a subclass inherits).
    pub(super) fn instance_members(&self) -> impl Iterator<Item = &str> {
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

/// Names the members of `info`: `new` is reserved for the constructor; Python names come next;
/// then `set_*` setters; builder type names are claimed in `module_scope`.
pub(super) fn name_members<'m>(
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

pub(super) fn class_builders<'a>(c: &'a ClassNames<'_>) -> impl Iterator<Item = String> + 'a {
    c.ctor_builder
        .iter()
        .chain(c.methods.iter().map(|(_, _, b)| b))
        .cloned()
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
