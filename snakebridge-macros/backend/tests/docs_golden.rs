//! Golden docs: a numpydoc, a Google-style and a reStructuredText docstring, rendered to the
//! Markdown rustdoc shows (`tests/fixtures/docs/<style>.txt` → `<style>.md`). Set
//! `SNAKEBRIDGE_BLESS=1` to rewrite the goldens after an intended change.

use std::path::PathBuf;

use snakebridge_codegen::docs;

fn check(style: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs");
    let doc = std::fs::read_to_string(dir.join(format!("{style}.txt"))).unwrap();
    let actual = docs::render_plain(Some(doc.trim_end()), "pkg.fn") + "\n";
    let golden = dir.join(format!("{style}.md"));
    if std::env::var_os("SNAKEBRIDGE_BLESS").is_some() {
        std::fs::write(&golden, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
        panic!(
            "no golden {}; create it with SNAKEBRIDGE_BLESS=1",
            golden.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{style}: the rendered docs differ from {} at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             (re-bless with SNAKEBRIDGE_BLESS=1 if intended)\n\nactual:\n{actual}",
            golden.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn numpydoc() {
    check("numpydoc");
}

#[test]
fn google() {
    check("google");
}

#[test]
fn rst() {
    check("rst");
}
