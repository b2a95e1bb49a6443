//! Binding statistics of modules, for the census (`tests/census/census.py`).
//!
//! ```text
//! SNAKEBRIDGE_PYTHON=target/census-venv/bin/python \
//!   cargo run -p snakebridge-codegen --example census-stats -- --cache-dir target/census/cache json numpy.linalg
//! ```
//!
//! Introspects each module (through the cache in `--cache-dir`) and prints one JSON object per
//! module on stdout: functions, exported classes, methods reachable on instances through the MRO,
//! typed parameters (and how many by signature source: stub, docstring, runtime) and returns
//! (not `Value`, or resolved by the overloads) out of all, the expansion's size, and the three
//! most common annotations behind untyped parameters of the module's functions.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use snakebridge_codegen::Options;
use snakebridge_codegen::cache::{CacheOptions, IntrospectRequest, load_or_introspect_with};
use snakebridge_codegen::codegen::Plan;
use snakebridge_codegen::codegen::resolve;
use snakebridge_codegen::model::{MethodBinding, ModuleInfo, SignatureSource, TypeExpr};
use snakebridge_codegen::typemap::RustType;

#[derive(Default)]
struct Counts {
    params: usize,
    typed_params: usize,
    returns: usize,
    typed_returns: usize,
    /// Typed parameters by where their callable's signature came from: stub (the package's or
    /// typeshed), docstring (numpydoc types over the runtime signature) or runtime (`inspect`,
    /// `__text_signature__`).
    typed_by_source: [usize; 3],
}

impl Counts {
    fn add(&mut self, plan: &Plan, source: SignatureSource) {
        let mut typed = 0;
        for p in plan.required.iter().chain(&plan.optional) {
            self.params += 1;
            typed += usize::from(!matches!(p.ty, RustType::Value));
        }
        self.typed_params += typed;
        let slot = match source {
            SignatureSource::Stub | SignatureSource::Typeshed => Some(0),
            SignatureSource::Docstring => Some(1),
            SignatureSource::Inspect | SignatureSource::TextSignature => Some(2),
            SignatureSource::Unknown => None,
        };
        if let Some(slot) = slot {
            self.typed_by_source[slot] += typed;
        }
        self.returns += 1;
        // A result the overloads resolve by the first argument's type (`os.path.join`: a
        // `String` for a `&str`) is typed although `ret` is `Value`.
        let by_overloads = !plan.overloads.is_empty()
            && plan
                .overloads
                .iter()
                .any(|(_, r)| !matches!(r, RustType::Value));
        self.typed_returns += usize::from(!matches!(plan.ret, RustType::Value) || by_overloads);
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut cache_dir = PathBuf::from("target/census/cache");
    let mut specs = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cache-dir" => cache_dir = args.next().map(PathBuf::from).unwrap_or(cache_dir),
            _ => specs.push(arg),
        }
    }
    let opts = CacheOptions::from_env();
    for spec in specs {
        let req = IntrospectRequest::parse(&spec);
        let line = match load_or_introspect_with(&req, Path::new(&cache_dir), &opts) {
            Ok(loaded) => stats(&spec, &loaded.module),
            Err(e) => serde_json::json!({ "module": spec, "error": e.to_string() }),
        };
        println!("{line}");
    }
    ExitCode::SUCCESS
}

fn stats(spec: &str, module: &ModuleInfo) -> serde_json::Value {
    let options = Options::default();
    let resolved = resolve::resolve(module, &options);
    let mut counts = Counts::default();
    let mut function_counts = Counts::default();
    let (mut functions, mut classes) = (0, 0);
    for m in &resolved.mods {
        functions += m.functions.len();
        classes += m.classes.len();
        for f in &m.functions {
            counts.add(&f.plan, f.info.signature_source);
            function_counts.add(&f.plan, f.info.signature_source);
        }
        for c in m.classes.iter().chain(&m.hidden) {
            if let Some(ctor) = &c.ctor {
                counts.add(&ctor.plan, ctor.info.signature_source);
            }
            for meth in &c.methods {
                counts.add(&meth.callable.plan, meth.callable.info.signature_source);
            }
        }
    }
    // Methods reachable on an instance: the names defined by the class and its MRO.
    let all: HashMap<&str, &snakebridge_codegen::model::ClassInfo> = module
        .classes
        .iter()
        .map(|c| (c.qualified_name.as_str(), c))
        .collect();
    let mut reachable = 0;
    let mut inherited = 0;
    for c in module.classes.iter().filter(|c| c.exported) {
        let mut names: HashSet<&str> = HashSet::new();
        for (k, qn) in std::iter::once(&c.qualified_name).chain(&c.mro).enumerate() {
            let Some(info) = all.get(qn.as_str()) else {
                continue;
            };
            for m in info
                .methods
                .iter()
                .filter(|m| m.binding == MethodBinding::Instance)
            {
                if names.insert(&m.function.name) && k > 0 {
                    inherited += 1;
                }
            }
        }
        reachable += names.len();
    }
    // Why the root module's function parameters are untyped: their annotations, most common
    // first.
    let mut untyped_causes: Vec<(String, usize, String)> = Vec::new();
    for m in resolved.mods.iter().take(1) {
        // cause → (count, an example)
        let mut by_cause: HashMap<String, (usize, String)> = HashMap::new();
        for f in &m.functions {
            let Some(sig) = f.info.signatures.first() else {
                by_cause.entry("no signature".to_owned()).or_default().0 += 1;
                continue;
            };
            for p in f.plan.required.iter().chain(&f.plan.optional) {
                if !matches!(p.ty, RustType::Value) {
                    continue;
                }
                let ann = sig.params.iter().find(|q| q.name == p.name);
                let (cause, example) = match ann.and_then(|q| q.annotation.as_ref()) {
                    None => ("no annotation".to_owned(), String::new()),
                    Some(t) => classify(t),
                };
                let entry = by_cause.entry(cause).or_default();
                entry.0 += 1;
                if entry.1.is_empty() {
                    entry.1 = format!("{}({}: {example})", f.info.name, p.name);
                }
            }
        }
        let mut causes: Vec<(String, usize, String)> = by_cause
            .into_iter()
            .map(|(cause, (n, example))| (cause, n, example))
            .collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        causes.truncate(3);
        untyped_causes = causes;
    }
    let tokens = snakebridge_codegen::generate(module, &options);
    serde_json::json!({
        "module": spec,
        "functions": functions,
        "classes": classes,
        "methods_reachable": reachable,
        "methods_inherited": inherited,
        "params": counts.params,
        "typed_params": counts.typed_params,
        "returns": counts.returns,
        "typed_returns": counts.typed_returns,
        "typed_params_stub": counts.typed_by_source[0],
        "typed_params_docstring": counts.typed_by_source[1],
        "typed_params_runtime": counts.typed_by_source[2],
        "function_params": function_counts.params,
        "function_typed_params": function_counts.typed_params,
        "expansion_bytes": tokens.to_string().len(),
        "untyped_causes": untyped_causes,
    })
}

/// The cause of an untyped parameter, from its annotation: a category, and the annotation
/// shortly described (an example for the report).
fn classify(t: &TypeExpr) -> (String, String) {
    let v = serde_json::to_value(t).unwrap_or_default();
    let cause = match v.get("kind").and_then(|k| k.as_str()).unwrap_or("?") {
        "union" => "a union with no one Rust type (array-likes, scalars and sequences)".to_owned(),
        "none" => "`None` alone (a parameter only an overload's placeholder allows)".to_owned(),
        "unknown" => "an annotation the introspector could not resolve".to_owned(),
        "generic" | "name" => "a class or protocol the bindings do not map".to_owned(),
        other => format!("`{other}` annotations"),
    };
    let mut text = describe_json(&v, true);
    if text.len() > 100 {
        let mut cut = 97;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    (cause, text)
}

fn describe_json(v: &serde_json::Value, top: bool) -> String {
    let field = |name: &str| v.get(name).and_then(|f| f.as_str()).unwrap_or("?");
    match field("kind") {
        "name" => format!("`{}`", field("name")),
        "generic" => format!("`{}[...]`", field("name")),
        "unknown" => format!("unresolved `{}`", field("text")),
        "none" => "`None` alone".to_owned(),
        "union" if top => {
            let items = v.get("items").and_then(|i| i.as_array());
            let parts: Vec<String> = items
                .into_iter()
                .flatten()
                .map(|i| describe_json(i, false))
                .collect();
            format!("a union ({})", parts.join(" | "))
        }
        other => other.to_owned(),
    }
}
