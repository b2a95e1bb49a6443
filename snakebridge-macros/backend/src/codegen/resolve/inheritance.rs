//! The inheritance plan ([`Inheritance`]): how each class's inherited members are reached in
//! Rust (its `Deref` chain, member traits for mixins, inherent copies where Rust's lookup would
//! not be Python's MRO).

use super::mro::{classes_by_qualname, lookup_order};
use super::tree::relative_path;
use super::{ANCESTORS, Resolver};
use crate::model::ClassInfo;
use proc_macro2::TokenStream;
use std::collections::{HashMap, HashSet};

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
pub(super) struct Inheritance {
    /// Where the struct bound for each qualified name was named (the first of a class bound
    /// twice, as in `Resolver::classes`).
    pub(super) slots: HashMap<String, Slot>,
    /// Qualified names of the classes whose member trait is needed.
    pub(super) needs_trait: HashSet<String>,
    /// Qualified names of the classes some class derefs to.
    pub(super) on_chain: HashSet<String>,
    /// Per class slot: the qualified names of the traits it implements.
    pub(super) impls: HashMap<Slot, Vec<String>>,
    /// Per defining class (qualified name): `(subclass struct full path, member names)`.
    pub(super) forwards: HashMap<String, Vec<Forward>>,
}

/// `(subclass struct full path, member names)`: inherent copies of one class's members on a
/// subclass.
pub(super) type Forward = (Vec<String>, Vec<String>);

/// Where a class's names live: `(module index, exported (else hidden), index in that list)`.
pub(super) type Slot = (usize, bool, usize);

impl<'m> Resolver<'m> {
    /// Settles [`Inheritance`]: which classes need member traits, who implements them, and
    /// where inherent copies keep Rust's lookup Python's.
    pub(super) fn inheritance(&mut self) {
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
    pub(super) fn trait_path(&self, qualified_name: &str, here: &[String]) -> Option<TokenStream> {
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
    pub(super) fn slot_of(&self, qualified_name: &str) -> Option<Slot> {
        self.inherit.slots.get(qualified_name).copied()
    }
}

/// Records that class `qn` defines member `name` (in MRO order).
pub(super) fn add(name: &str, qn: &str, defs: &mut Vec<(String, Vec<String>)>) {
    match defs.iter_mut().find(|(n, _)| n == name) {
        Some((_, ds)) => ds.push(qn.to_owned()),
        None => defs.push((name.to_owned(), vec![qn.to_owned()])),
    }
}

/// A hidden ancestor that no class derefs to: its members live in its trait only.
pub(super) fn slot_hidden_mixin(inherit: &Inheritance, qn: &str) -> bool {
    inherit.needs_trait.contains(qn) && !inherit.on_chain.contains(qn)
}
