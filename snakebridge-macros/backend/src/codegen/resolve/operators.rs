//! A class's Python operators ([`OperatorGroup`]s): for each dunder along the MRO, the first
//! definer's result and right-operand types, grouped for the runtime's `__py_ops!`.

use super::super::plan;
use super::OperatorGroup;
use super::tree::Lookup;
use crate::model::{ClassInfo, FunctionInfo};
use crate::typemap::{self, ClassLookup, ClassPath, RustType};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

/// Operators bound as methods (not `std::ops` traits), whose names may collide with members.
const OPERATOR_METHODS: &[&str] = &[
    "pow", "matmul", "floordiv", "lt", "le", "gt", "ge", "pos", "abs", "iadd", "isub", "imul",
    "itruediv",
];

/// Operators whose result, when the stubs do not say, is the defining class (arithmetic keeps
/// to its type far more often than not; comparisons do not).
const COMPARISONS: &[&str] = &["lt", "le", "gt", "ge"];

/// The operators of a class (`mro`: the class, then its MRO): for each dunder the MRO defines,
/// the first definer's signature gives the result type (else the definer itself, for
/// arithmetic) and the right operands (when every type the stubs allow maps to a Rust type).
pub(super) fn operators(mro: &[&ClassInfo], lookup: &Lookup<'_>) -> Vec<OperatorGroup> {
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
