//! Golden expansion tests: each `tests/fixtures/*.json` (a serialized `ModuleInfo`) is expanded
//! with [`snakebridge_codegen::try_generate`] and compared with `tests/golden/<case>.rs`
//! (pretty-printed). Set `SNAKEBRIDGE_BLESS=1` to rewrite the goldens after an intended change.

use proc_macro2::TokenStream;
use quote::quote;
use snakebridge_codegen::model::ModuleInfo;
use snakebridge_codegen::{Name, Options};
use std::path::{Path, PathBuf};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(sub)
}

fn load(fixture: &str) -> ModuleInfo {
    let path = dir("fixtures").join(format!("{fixture}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names(list: &[&str]) -> Vec<Name> {
    list.iter().map(|n| Name::new(*n)).collect()
}

/// Pretty-prints the generated items inside `pub mod <name> { .. }`.
fn render(module_name: &str, tokens: TokenStream) -> String {
    let name = proc_macro2::Ident::new(module_name, proc_macro2::Span::call_site());
    let file: syn::File = syn::parse2(quote!(pub mod #name { #tokens }))
        .unwrap_or_else(|e| panic!("generated code for {module_name} does not parse: {e}"));
    prettyplease::unparse(&file)
}

/// Compares with (or, when blessing, writes) `tests/golden/<case>.rs`.
fn check(case: &str, actual: &str) -> Result<(), String> {
    let path = dir("golden").join(format!("{case}.rs"));
    if std::env::var_os("SNAKEBRIDGE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return Ok(());
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => Ok(()),
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
            Err(format!(
                "{case}: expansion differs from {} at line {}:\n  golden: {:?}\n  actual: {:?}\n(re-bless with SNAKEBRIDGE_BLESS=1 if intended)",
                path.display(),
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
            ))
        }
        Err(_) => Err(format!(
            "{case}: no golden at {}; create it with SNAKEBRIDGE_BLESS=1",
            path.display()
        )),
    }
}

fn expand(fixture: &str, options: &Options) -> String {
    let info = load(fixture);
    let tokens = snakebridge_codegen::try_generate(&info, options)
        .unwrap_or_else(|e| panic!("{fixture}: {e}"));
    render(&info.name.replace('.', "_"), tokens)
}

/// Cases with options beyond the defaults; every other fixture is expanded with defaults.
fn special_cases() -> Vec<(&'static str, &'static str, Options)> {
    vec![
        (
            "generators",
            "generators",
            Options {
                streaming: names(&["chunks", "Reader.records"]),
                ..Options::default()
            },
        ),
        (
            "filtered",
            "submodules",
            Options {
                include: names(&["Array", "linalg.Matrix", "linalg.lapack"]),
                exclude: names(&["linalg.Matrix.det", "nonexistent"]),
                ..Options::default()
            },
        ),
        (
            "with_cache_file",
            "math_like",
            Options {
                include: names(&["sqrt"]),
                cache_file: Some(PathBuf::from("/abs/cache/math.json")),
                ..Options::default()
            },
        ),
    ]
}

#[test]
fn goldens() {
    let mut failures = Vec::new();
    let special = special_cases();
    let mut fixtures: Vec<String> = std::fs::read_dir(dir("fixtures"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    fixtures.sort();
    for fixture in &fixtures {
        if special.iter().any(|(case, _, _)| case == fixture) {
            continue;
        }
        if let Err(e) = check(fixture, &expand(fixture, &Options::default())) {
            failures.push(e);
        }
    }
    for (case, fixture, options) in &special {
        if let Err(e) = check(case, &expand(fixture, options)) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn include_of_a_missing_name_suggests() {
    let info = load("json_like");
    let options = Options {
        include: names(&["dump", "JSONEncoder", "nope"]),
        streaming: names(&["JSONEncoder.iterencod", "lods"]),
        ..Options::default()
    };
    let err = snakebridge_codegen::try_generate(&info, &options).unwrap_err();
    let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "`json` has no function, class, constant or submodule named `dump`; did you mean `dumps`?",
            "`json` has no function, class, constant or submodule named `nope`",
            "`streaming` takes module functions and `Class.method`s, but class `JSONEncoder` of `json` has no method named `iterencod`; did you mean `iterencode`?",
            "`streaming` takes module functions and `Class.method`s, but `json` has no function named `lods`; did you mean `loads`?",
        ]
    );
    // `generate` still emits the bindings next to the errors.
    let tokens = snakebridge_codegen::generate(&info, &options).to_string();
    assert!(tokens.contains("compile_error"));
    assert!(tokens.contains("pub struct JSONEncoder"));
}

#[test]
fn include_in_a_submodule() {
    let info = load("submodules");
    let options = Options {
        include: names(&["linalg.nrm"]),
        ..Options::default()
    };
    let err = snakebridge_codegen::try_generate(&info, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`pkg.linalg` has no function, class, constant or submodule named `nrm`; did you mean `norm`?"
    );
}
