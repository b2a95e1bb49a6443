//! The runtime's modules form layers: each top-level module of `src/` may name (`crate::x`) only
//! the modules below it in [`LAYERS`]. ARCHITECTURE.md describes the same order; this test fails
//! when code reaches up a layer (the way cycles start), so the map stays true.
//!
//! A module cycle between layers needs an upward edge, so this test also rules out cycles (it is
//! stricter: it rejects an upward edge that is not yet a cycle).

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom up. The crate root (`lib.rs`) is the composition root and may name anything.
const LAYERS: &[&str] = &[
    "data",     // 1. Value, NdArray, PyRef, Error, ReturnPolicy, serde bridge
    "client",   // 2. RuntimeClient, Request, CallOptions, client selection, wire, telemetry
    "api",      // 3. the universal API (Call, call, PyRef methods)
    "mock",     // 4. clients
    "embedded", // 4.
    "pool",     // 4.
    "bind",     // 5. what generated code uses
];

/// Root items a layer may name: the composition root's registration of the fallback client, and
/// the `#[macro_export]` macros (which live at the root by Rust's rules).
const ROOT_ITEMS: &[&str] = &[
    "FALLBACK_CLIENT",
    "fallback_site_call",
    "fallback_scalar_call",
    "fallback_scalar_ready",
    "__call_builder",
    "__py_class",
    "__py_iter",
    "__py_ops",
    "__py_overloads",
];

/// Every `crate::name` mentioned outside comments in the files of module `dir`.
fn mentions(path: &Path, out: &mut BTreeSet<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            mentions(&entry.unwrap().path(), out);
        }
        return;
    }
    if path.extension().is_none_or(|e| e != "rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            // `$crate::` in macros names the crate root from outside: not a layer edge.
            let before = &rest[..at];
            rest = &rest[at + "crate::".len()..];
            if before.ends_with('$') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a::b, c}`: each first segment.
                let group = group.split('}').next().unwrap_or("");
                for part in group.split(',') {
                    let name = part.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() {
                        out.insert(name.to_owned());
                    }
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
}

#[test]
fn modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .map(|n| n.trim_end_matches(".rs").to_owned())
        .filter(|n| n != "lib")
        .collect();
    found.sort();
    let mut declared: Vec<String> = LAYERS.iter().map(|s| (*s).to_owned()).collect();
    declared.sort();
    assert_eq!(
        found, declared,
        "every top-level module of src/ must have a place in LAYERS (and ARCHITECTURE.md)"
    );

    let mut violations = Vec::new();
    for (rank, module) in LAYERS.iter().enumerate() {
        let dir = src.join(module);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{module}.rs"))
        };
        let mut names = BTreeSet::new();
        mentions(&path, &mut names);
        for name in names {
            // A re-export at the root (`crate::Call`) would hide which layer it comes from.
            if !LAYERS.contains(&name.as_str()) && !ROOT_ITEMS.contains(&name.as_str()) {
                violations.push(format!(
                    "`{module}` names `crate::{name}`: name items by their layer path \
                     (`crate::api::Call`), not through the root's re-exports"
                ));
                continue;
            }
            if let Some(target) = LAYERS.iter().position(|l| *l == name)
                && target >= rank
                && name != *module
            {
                violations.push(format!(
                    "`{module}` names `crate::{name}`, a layer above it"
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering broken:\n{}",
        violations.join("\n")
    );
}

/// The checker itself sees an upward edge (so a passing run means something).
#[test]
fn the_checker_notices_an_upward_mention() {
    let dir = std::env::temp_dir().join(format!("sb-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("x.rs");
    std::fs::write(
        &file,
        "use crate::api::Call; // crate::pool in a comment\n$crate::__private::x\nuse crate::{wire, data::value};",
    )
    .unwrap();
    let mut names = BTreeSet::new();
    mentions(&file, &mut names);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["api", "data", "wire"]
    );
}
