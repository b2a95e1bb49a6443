//! Generated code reaches the runtime through one door, `__private`: the expansions the code
//! generator writes (its golden files) name `::snakebridge` only as `::snakebridge::__private`,
//! and the runtime's `macro_rules!` that those expansions invoke name `$crate` only as
//! `$crate::__private`. The crate root stays the user's API, free to change shape without
//! breaking generated code, and `__private` is the one hidden module generated code needs.

use std::path::{Path, PathBuf};

/// Every occurrence of `prefix` in the Rust files under `dir` (comments included: a doc
/// example naming another path would teach it), with what follows it, as
/// `file:line: text after the prefix`.
fn occurrences(dir: &Path, prefix: &str) -> Vec<(PathBuf, usize, String)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(occurrences(&path, prefix));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                rest = &rest[at + prefix.len()..];
                out.push((path.clone(), number + 1, rest.to_owned()));
            }
        }
    }
    out
}

/// The occurrences of `prefix` not followed by `door`.
fn outside(dir: &Path, prefix: &str, door: &str) -> (usize, Vec<String>) {
    let all = occurrences(dir, prefix);
    let stray = all
        .iter()
        .filter(|(_, _, after)| !after.starts_with(door))
        .map(|(path, line, after)| format!("{}:{line}: {prefix}{after}", path.display()))
        .collect();
    (all.len(), stray)
}

#[test]
fn generated_code_names_the_facade_only_through_private() {
    let goldens =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../snakebridge-macros/backend/tests/golden");
    let (seen, stray) = outside(&goldens, "::snakebridge", "::__private");
    // The goldens do name the facade (else this test checks nothing).
    assert!(seen > 0, "no `::snakebridge` path in {}", goldens.display());
    assert!(
        stray.is_empty(),
        "generated code names the facade outside `__private`:\n{}",
        stray.join("\n")
    );
    let (runtime, _) = outside(&goldens, "snakebridge_runtime", "");
    assert_eq!(
        runtime, 0,
        "generated code names the runtime crate directly"
    );
}

#[test]
fn the_generated_codes_macros_name_the_runtime_only_through_private() {
    let bind = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bind");
    let (seen, stray) = outside(&bind, "$crate", "::__private");
    assert!(seen > 0, "no `$crate` path in {}", bind.display());
    assert!(
        stray.is_empty(),
        "a macro that generated code invokes names the runtime outside `__private`:\n{}",
        stray.join("\n")
    );
}
