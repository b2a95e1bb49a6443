//! Ancestors: every class of every bound class's MRO is bound, those not exported in the
//! module's hidden `__ancestors` namespace; each class's `Deref` base (the bound base bringing
//! the most members); the MRO of a class as the introspector gave it (or as fixtures imply it).

use super::naming::{class_builders, name_members};
use super::{ANCESTORS, Resolver};
use crate::model::{ClassInfo, ModuleInfo};
use crate::names::{self, Scope};
use std::collections::{HashMap, HashSet};

impl<'m> Resolver<'m> {
    /// Finds the `Deref` base of every class of module `i`, adding hidden ancestors as needed.
    pub(super) fn find_ancestors(&mut self, i: usize) {
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
}

/// The classes of a module (exported and ancestors) by qualified name.
pub(super) fn classes_by_qualname(info: &ModuleInfo) -> HashMap<&str, &ClassInfo> {
    info.classes
        .iter()
        .map(|c| (c.qualified_name.as_str(), c))
        .collect()
}

/// The MRO after `c` itself: the introspected one, or (fixtures that predate it) the bases
/// depth first, each class once.
pub(super) fn lookup_order(c: &ClassInfo, by_qualname: &HashMap<&str, &ClassInfo>) -> Vec<String> {
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

/// A class and the classes of its MRO that module `info` describes, in MRO order.
pub(super) fn mro_infos<'m>(info: &'m ModuleInfo, class: &'m ClassInfo) -> Vec<&'m ClassInfo> {
    let by_qualname = classes_by_qualname(info);
    std::iter::once(class)
        .chain(
            lookup_order(class, &by_qualname)
                .iter()
                .filter_map(|qn| by_qualname.get(qn.as_str()).copied()),
        )
        .collect()
}
