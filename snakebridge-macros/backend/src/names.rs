//! Turning Python names into Rust identifiers, and resolving collisions between them.
//!
//! # The rules
//!
//! 1. **Keywords.** A Python name that is a Rust keyword (strict or reserved, in any edition:
//!    `type`, `match`, `ref`, `in`, `where`, `async`, `gen`, `try`, …) becomes a raw identifier:
//!    `r#type`. The four keywords that cannot be raw (`self`, `Self`, `super`, `crate`) get a
//!    trailing underscore instead: `self_`.
//! 2. **Not an identifier.** Python names are almost always valid Rust identifiers (both use
//!    Unicode XID; non-ASCII names are kept as they are). Anything else is mangled: every character
//!    that cannot continue an identifier becomes `_`, a leading character that cannot start one
//!    gets a `_` in front (`2d` → `_2d`), and the lone `_` (reserved in Rust) becomes `__`.
//! 3. **Dunder methods** of the container, call, iteration and context protocols are bound as
//!    `get_item`, `set_item`, `del_item`, `call`, `len`, `iter`, `next`, `contains`, `enter`,
//!    `exit` (see [`method_base_name`]); operators are not methods (see `ClassInfo::operators`).
//! 4. **Collisions.** Within one Rust namespace (a module's types, a module's values, one type's
//!    inherent items, one builder's methods), names are handed out by [`Scope`]: names that the
//!    macro itself needs are reserved first; then every item whose Rust name is its Python name
//!    (rule 1's raw identifiers count as unchanged) gets it; then the mangled and synthesized names
//!    (rules 2 and 3, `set_x`, builder types such as `XCall`, …) are handed out in the order given, each taking the
//!    first of `name`, `name_`, `name__`, … that is still free. The result depends only on the
//!    introspected names, never on hashing, so it is stable from build to build.

use proc_macro2::{Ident, Span};
use std::collections::HashSet;

/// Strict and reserved keywords of every edition up to 2024 that *can* be written as raw
/// identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that Rust refuses even as raw identifiers.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate"];

/// The Rust name for a Python name, before collision resolution, and whether it had to change.
///
/// The returned string never has the `r#` prefix; [`ident`] adds it where needed.
pub fn base_name(python: &str) -> (String, bool) {
    if NON_RAW_KEYWORDS.contains(&python) {
        return (format!("{python}_"), true);
    }
    if is_identifier(python) {
        return (python.to_owned(), false);
    }
    let mut out = String::with_capacity(python.len() + 1);
    for (i, c) in python.chars().enumerate() {
        if i == 0 && !(c == '_' || unicode_ident::is_xid_start(c)) {
            out.push('_');
        }
        out.push(if unicode_ident::is_xid_continue(c) {
            c
        } else {
            '_'
        });
    }
    if out.is_empty() || out == "_" {
        out = "__".to_owned();
    }
    (out, true)
}

/// Whether `s` is a Rust identifier as written (keywords aside, which [`ident`] handles).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || unicode_ident::is_xid_start(c) => {}
        _ => return false,
    }
    s != "_" && chars.all(unicode_ident::is_xid_continue)
}

/// The Rust base name of a method: dunder protocol methods lose their underscores (rule 3).
pub fn method_base_name(python: &str) -> (String, bool) {
    match python {
        "__getitem__" => ("get_item".to_owned(), true),
        "__setitem__" => ("set_item".to_owned(), true),
        "__delitem__" => ("del_item".to_owned(), true),
        "__call__" | "__len__" | "__iter__" | "__contains__" | "__enter__" | "__exit__"
        | "__next__" => (python.trim_matches('_').to_owned(), true),
        _ => base_name(python),
    }
}

/// An identifier for a name produced by this module (raw when it is a keyword).
pub fn ident(name: &str) -> Ident {
    if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// One Rust namespace in which names are handed out (see rule 4 in the module docs).
#[derive(Debug, Default, Clone)]
pub struct Scope<'r> {
    /// Names taken by the enclosing namespace, shared rather than copied (a module's set is
    /// consulted for every parameter list in it).
    outer: Option<&'r HashSet<String>>,
    taken: HashSet<String>,
}

impl<'r> Scope<'r> {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            outer: None,
            taken: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// A scope in which the names of `outer` are taken.
    pub fn within(outer: &'r HashSet<String>) -> Self {
        Self {
            outer: Some(outer),
            taken: HashSet::new(),
        }
    }

    fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name) || self.outer.is_some_and(|o| o.contains(name))
    }

    /// Takes `wanted`, or the first of `wanted_`, `wanted__`, … that is free, and returns it.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        while self.is_taken(&name) {
            name.push('_');
        }
        self.taken.insert(name.clone());
        name
    }

    /// Resolves a batch of names at once: unchanged names first, then the changed ones, each in
    /// input order. `names[i]` is `(base name, changed)`; the result is in input order.
    pub fn claim_all(&mut self, names: &[(String, bool)]) -> Vec<String> {
        let mut out = vec![String::new(); names.len()];
        for pass_changed in [false, true] {
            for (i, (name, changed)) in names.iter().enumerate() {
                if *changed == pass_changed {
                    out[i] = self.claim(name);
                }
            }
        }
        out
    }
}

/// The closest candidate to `wanted`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|c| {
            let d = if c.eq_ignore_ascii_case(wanted) {
                0
            } else {
                edit_distance(wanted, c)
            };
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// Edit distance where swapping two adjacent characters counts as one edit (`cahce` → `cache`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table: two back, previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_mangling() {
        assert_eq!(base_name("type"), ("type".into(), false));
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("gen").to_string(), "r#gen");
        assert_eq!(base_name("self"), ("self_".into(), true));
        assert_eq!(base_name("Self"), ("Self_".into(), true));
        assert_eq!(base_name("_"), ("__".into(), true));
        assert_eq!(base_name("2d"), ("_2d".into(), true));
        assert_eq!(base_name("a-b"), ("a_b".into(), true));
        assert_eq!(base_name("é"), ("é".into(), false));
        assert_eq!(method_base_name("__len__"), ("len".into(), true));
    }

    #[test]
    fn collisions_prefer_unchanged_names() {
        let mut scope = Scope::with_reserved(["new"]);
        let names = scope.claim_all(&[
            ("self_".into(), true), // from Python `self`
            ("self_".into(), false),
            ("new".into(), false),
        ]);
        assert_eq!(names, ["self__", "self_", "new_"]);
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("dump", ["dumps", "loads"]), Some("dumps"));
        assert_eq!(did_you_mean("xyzzy", ["dumps", "loads"]), None);
        assert_eq!(did_you_mean("Include", ["include"]), Some("include"));
        assert_eq!(did_you_mean("cahce", ["cache", "include"]), Some("cache"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
