//! The numpydoc type grammar (`snakebridge_introspector/numpydoc.py`) on real docstring lines:
//! `tests/fixtures/numpydoc_types.tsv` holds parameter and return type lines taken from
//! scikit-learn, scipy and numpy docstrings, each with the Rust parameter type it gives through
//! `typemap` (re-bless with `SNAKEBRIDGE_BLESS=1`, then review the diff). Runs the module in the
//! interpreter the macro would use (the grammar is standard-library Python only).

use snakebridge_codegen::model::TypeExpr;
use snakebridge_codegen::python::Interpreter;
use snakebridge_codegen::typemap::{NoClasses, map};
use std::path::Path;
use std::process::Command;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/numpydoc_types.tsv"
);

/// The Rust parameter type of each type line, as the macro would write it (paths stripped).
fn rust_types(lines: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let program = "import json, sys\n\
        from snakebridge_introspector.numpydoc import parse_type\n\
        lines = json.load(sys.stdin)\n\
        print(json.dumps([parse_type(l, {'KMeans': 'sklearn.cluster.KMeans'}) for l in lines]))";
    let mut child = Command::new(Interpreter::from_env().program)
        .args(["-c", program])
        .env("PYTHONPATH", &src)
        .current_dir(&src)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run Python");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(lines).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "numpydoc.py failed");
    let types: Vec<Option<TypeExpr>> = serde_json::from_slice(&out.stdout).unwrap();
    types
        .iter()
        .map(|t| {
            map(t.as_ref(), &NoClasses)
                .param()
                .to_string()
                .replace("__sb :: ", "")
                .replace(' ', "")
        })
        .collect()
}

#[test]
fn numpydoc_lines_of_the_scientific_stack_give_their_rust_types() {
    let fixture = std::fs::read_to_string(FIXTURE).unwrap();
    let rows: Vec<Vec<&str>> = fixture
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect();
    let lines: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    let got = rust_types(&lines);
    if std::env::var_os("SNAKEBRIDGE_BLESS").is_some() {
        let mut out = String::from(
            "# source\tnumpydoc type line\tRust parameter type (re-bless: SNAKEBRIDGE_BLESS=1)\n",
        );
        for (r, g) in rows.iter().zip(&got) {
            out.push_str(&format!("{}\t{}\t{}\n", r[0], r[1], g));
        }
        std::fs::write(FIXTURE, out).unwrap();
        return;
    }
    let mismatches: Vec<String> = rows
        .iter()
        .zip(&got)
        .filter(|(r, g)| r.get(2).copied() != Some(g.as_str()))
        .map(|(r, g)| format!("{:?}: expected {:?}, got {g:?}", r[1], r.get(2)))
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The fixture covers the grammar: at least this many lines are typed (not `impl IntoValue`).
    let typed = got.iter().filter(|g| !g.contains("IntoValue")).count();
    assert!(typed >= 18, "only {typed} of {} lines typed", got.len());
}

/// Runs a Python program with the introspector package importable; its stdout.
fn python(program: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let out = Command::new(Interpreter::from_env().program)
        .args(["-c", program])
        .env("PYTHONPATH", &src)
        .current_dir(&src)
        .output()
        .expect("run Python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn docstring_types_fill_a_runtime_signature_only_when_the_names_agree() {
    // A numpydoc docstring over a runtime signature without annotations: the documented types
    // fill it, and the Returns section gives the result. When the docstring documents a name the
    // signature lacks (a renamed parameter), the runtime wins and nothing is taken.
    let out = python(
        r#"
import json
from snakebridge_introspector.numpydoc import apply_doc_types
doc = """Fit.

Parameters
----------
n_clusters : int, default=8
    How many.
algorithm : {"lloyd", "elkan"}, default="lloyd"
    Which.

Returns
-------
score : float
    The score.
"""
def sig(*names):
    return {"params": [{"name": n, "kind": "positional_or_keyword"} for n in names]}
same = sig("n_clusters", "algorithm")
renamed = sig("k", "algorithm")
print(json.dumps([apply_doc_types(same, doc), same, apply_doc_types(renamed, doc), renamed]))
"#,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0], true);
    assert_eq!(v[1]["params"][0]["annotation"]["name"], "int");
    assert_eq!(
        v[1]["params"][1]["annotation"]["values"],
        serde_json::json!(["'lloyd'", "'elkan'"])
    );
    assert_eq!(v[1]["returns"]["name"], "float");
    assert_eq!(v[2], false);
    assert!(v[3]["params"][1].get("annotation").is_none());
}
