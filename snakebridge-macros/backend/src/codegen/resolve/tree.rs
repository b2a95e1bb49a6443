//! The module tree: flattening the introspected modules (each gets an index and its Rust path),
//! routing dotted option entries to the module they address, and writing paths between modules
//! ([`Lookup`]: class paths relative to one module).

use super::{ModState, PRELUDE_PATTERNS, RESERVED_ITEMS, Resolver};
use crate::model::ModuleInfo;
use crate::names::{self, Scope};
use crate::typemap::ClassLookup;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{HashMap, HashSet};

impl<'m> Resolver<'m> {
    pub(super) fn flatten(&mut self, info: &'m ModuleInfo, path: Vec<String>) -> usize {
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
    pub(super) fn route<'n>(&self, name: &'n str) -> (usize, &'n str) {
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

    /// Sets segment `depth` of the path of module `i` and all its descendants.
    pub(super) fn set_path_segment(&mut self, i: usize, depth: usize, name: &str) {
        self.mods[i].path[depth] = name.to_owned();
        for (_, child) in self.mods[i].children.clone() {
            self.set_path_segment(child, depth, name);
        }
    }
}

pub(super) fn pattern_reserved() -> HashSet<String> {
    PRELUDE_PATTERNS.iter().map(|s| (*s).to_owned()).collect()
}

/// A full path (from the root bindings module) written relative to module `here`.
pub(super) fn relative_path(full: &[String], here: &[String]) -> TokenStream {
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

/// Resolves qualified class names to paths relative to one module.
pub struct Lookup<'a> {
    pub(super) classes: &'a HashMap<String, Vec<String>>,
    pub(super) here: &'a [String],
    /// What `Self` means (inside a class).
    pub(super) self_type: Option<TokenStream>,
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
