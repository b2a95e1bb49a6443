//! Runs the real introspector in the machine's Python (chosen like the macro does:
//! SNAKEBRIDGE_PYTHON, PYO3_PYTHON, VIRTUAL_ENV, python3) against standard-library modules and
//! checks concrete facts. The assertions hold with and without typeshed installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use snakebridge_codegen::cache::{
    CacheError, CacheOptions, IntrospectRequest, Refresh, load_or_introspect_with,
};
use snakebridge_codegen::model::{
    ClassInfo, FunctionInfo, MethodBinding, ModuleInfo, ParamKind, SignatureSource, TypeExpr,
};
use snakebridge_codegen::python::{Interpreter, run_introspector};

const TIMEOUT: Duration = Duration::from_secs(120);

fn introspect(module: &str, subs: &[&str]) -> ModuleInfo {
    let subs: Vec<String> = subs.iter().map(|s| s.to_string()).collect();
    match run_introspector(&Interpreter::from_env(), module, &subs, TIMEOUT) {
        Ok(out) => {
            assert!(
                out.warnings.is_empty(),
                "{module}: unexpected warnings {:?}",
                out.warnings
            );
            out.module
        }
        Err(e) => panic!("introspecting {module} failed: {e}"),
    }
}

fn function<'a>(m: &'a ModuleInfo, name: &str) -> &'a FunctionInfo {
    m.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{}.{name} missing", m.name))
}

fn class<'a>(m: &'a ModuleInfo, name: &str) -> &'a ClassInfo {
    m.classes
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{}.{name} missing", m.name))
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "snakebridge-it-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn json_functions_and_encoder() {
    let m = introspect("json", &[]);
    assert_eq!(m.name, "json");
    assert!(m.doc.as_deref().unwrap_or("").contains("JSON"));

    let dumps = function(&m, "dumps");
    assert_ne!(dumps.signature_source, SignatureSource::Unknown);
    let sig = &dumps.signatures[0];
    for kw in ["indent", "sort_keys"] {
        let p = sig
            .params
            .iter()
            .find(|p| p.name == kw)
            .unwrap_or_else(|| panic!("dumps has no `{kw}`: {}", sig.text));
        assert_eq!(p.kind, ParamKind::KeywordOnly, "{kw} in {}", sig.text);
        assert!(p.default.is_some());
    }
    assert_eq!(sig.params[0].name, "obj");
    assert!(sig.params[0].default.is_none());
    assert!(sig.params.iter().any(|p| p.kind == ParamKind::VarKeyword));

    let enc = class(&m, "JSONEncoder");
    assert_eq!(enc.qualified_name, "json.encoder.JSONEncoder");
    assert!(enc.exported);
    let sep = enc
        .attributes
        .iter()
        .find(|a| a.name == "item_separator")
        .expect("JSONEncoder.item_separator");
    assert!(!sep.readonly);
    let encode = enc
        .methods
        .iter()
        .find(|m| m.function.name == "encode")
        .expect("JSONEncoder.encode");
    assert_eq!(encode.binding, MethodBinding::Instance);
    // `self` is removed: encode(o).
    assert_eq!(encode.function.signatures[0].params.len(), 1);
    let ctor = enc.constructor.as_ref().expect("constructor");
    assert!(
        ctor.signatures[0]
            .params
            .iter()
            .any(|p| p.name == "indent" && p.kind == ParamKind::KeywordOnly)
    );
    assert!(ctor.signatures[0].params.iter().all(|p| p.name != "self"));

    // The decode error keeps its builtin base.
    let err = class(&m, "JSONDecodeError");
    assert_eq!(err.bases, vec!["ValueError".to_string()]);

    // Sorted by name.
    let names: Vec<_> = m.functions.iter().map(|f| f.name.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn math_constants_and_sqrt() {
    let m = introspect("math", &[]);
    let sqrt = function(&m, "sqrt");
    assert!(!sqrt.signatures.is_empty());
    assert_eq!(sqrt.signatures[0].params.len(), 1);
    assert_ne!(sqrt.signature_source, SignatureSource::Unknown);
    let pi = m.constants.iter().find(|c| c.name == "pi").unwrap();
    assert_eq!(pi.type_name, "float");
    assert_eq!(
        pi.value.as_ref().unwrap().as_f64(),
        Some(std::f64::consts::PI)
    );
    let inf = m.constants.iter().find(|c| c.name == "inf").unwrap();
    assert_eq!(inf.value, Some(serde_json::Value::from("inf")));
    let nan = m.constants.iter().find(|c| c.name == "nan").unwrap();
    assert_eq!(nan.value, Some(serde_json::Value::from("nan")));
}

#[test]
fn os_path_pathlib_collections_statistics() {
    let m = introspect("os.path", &[]);
    let join = function(&m, "join");
    assert!(
        join.signatures[0]
            .params
            .iter()
            .any(|p| p.kind == ParamKind::VarPositional)
    );
    assert!(m.constants.iter().any(|c| c.name == "sep"));

    let m = introspect("pathlib", &[]);
    let path = class(&m, "Path");
    assert_eq!(path.bases, vec!["pathlib.PurePath".to_string()]);
    assert!(path.methods.iter().any(|m| m.function.name == "exists"));
    let cwd = path
        .methods
        .iter()
        .find(|m| m.function.name == "cwd")
        .unwrap();
    assert_eq!(cwd.binding, MethodBinding::Class);
    let pure = class(&m, "PurePath");
    let name = pure.attributes.iter().find(|a| a.name == "name").unwrap();
    assert!(name.readonly);

    let m = introspect("collections", &[]);
    let counter = class(&m, "Counter");
    assert_eq!(counter.bases, vec!["dict".to_string()]);
    let mc = counter
        .methods
        .iter()
        .find(|m| m.function.name == "most_common")
        .expect("Counter.most_common");
    assert!(
        mc.function.signatures[0]
            .params
            .iter()
            .any(|p| p.name == "n")
    );
    // Ancestors outside the module are included, unexported, so inheritance can be mirrored.
    let ordered = class(&m, "UserDict");
    assert_eq!(
        ordered.bases,
        vec!["collections.abc.MutableMapping".to_string()]
    );
    let mm = m
        .classes
        .iter()
        .find(|c| c.qualified_name == "collections.abc.MutableMapping")
        .expect("MutableMapping ancestor");
    assert!(!mm.exported);
    assert!(mm.methods.iter().any(|m| m.function.name == "pop"));

    let m = introspect("statistics", &[]);
    let mean = function(&m, "mean");
    assert_eq!(mean.signatures[0].params[0].name, "data");
    let nd = class(&m, "NormalDist");
    let from_samples = nd
        .methods
        .iter()
        .find(|m| m.function.name == "from_samples")
        .unwrap();
    assert_eq!(from_samples.binding, MethodBinding::Class);
    assert!(nd.attributes.iter().any(|a| a.name == "mean" && a.readonly));
}

#[test]
fn generator_functions_are_flagged() {
    let m = introspect("os", &[]);
    let walk = function(&m, "walk");
    assert!(walk.is_generator);
    assert!(!function(&m, "getcwd").is_generator);
}

#[test]
fn output_is_deterministic() {
    let a = introspect("json", &[]);
    let b = introspect("json", &[]);
    assert_eq!(a, b);
}

#[test]
fn optional_annotations_become_unions_with_none() {
    let m = introspect("json", &[]);
    let dumps = function(&m, "dumps");
    if dumps.signature_source != SignatureSource::Typeshed {
        return; // only typeshed annotates json
    }
    let cls = dumps.signatures[0]
        .params
        .iter()
        .find(|p| p.name == "cls")
        .unwrap();
    let Some(TypeExpr::Union { items }) = &cls.annotation else {
        panic!("{:?}", cls.annotation)
    };
    assert!(items.contains(&TypeExpr::None));
    assert_eq!(
        dumps.signatures[0].returns,
        Some(TypeExpr::Name { name: "str".into() })
    );
}

#[test]
fn missing_module_is_import_failed() {
    let err = run_introspector(
        &Interpreter::from_env(),
        "snakebridge_no_such_module",
        &[],
        TIMEOUT,
    )
    .unwrap_err();
    let msg = err.to_string();
    let CacheError::ImportFailed {
        module,
        python_type,
        ..
    } = &err
    else {
        panic!("{msg}")
    };
    assert_eq!(module, "snakebridge_no_such_module");
    assert_eq!(python_type, "ModuleNotFoundError");
    assert!(
        msg.contains("No module named 'snakebridge_no_such_module'"),
        "{msg}"
    );
    assert!(msg.contains("interpreter "), "{msg}");
    assert!(msg.contains("Python 3."), "{msg}");

    // A missing submodule names the submodule.
    let err = run_introspector(
        &Interpreter::from_env(),
        "json",
        &["nope".to_string()],
        TIMEOUT,
    )
    .unwrap_err();
    assert!(
        matches!(&err, CacheError::ImportFailed { module, .. } if module == "json.nope"),
        "{err}"
    );
}

#[test]
fn submodules_are_nested() {
    let m = introspect("xml", &["dom"]);
    assert_eq!(m.submodules.len(), 1);
    assert_eq!(m.submodules[0].name, "xml.dom");
    assert!(m.submodules[0].classes.iter().any(|c| c.name == "Node"));
}

/// A library that prints on import (Python and C level) must not break the JSON answer.
#[cfg(unix)]
#[test]
fn noisy_module_does_not_corrupt_the_answer() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("noisy");
    std::fs::write(
        dir.join("snakebridge_noisy.py"),
        "import os\nprint('hello from import')\nos.write(1, b'raw fd write\\n')\n\
         def f(x, y=2):\n    print('called')\n    return x\n",
    )
    .unwrap();
    let base = Interpreter::from_env();
    let wrapper = dir.join("python");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nPYTHONPATH='{}' exec '{}' \"$@\"\n",
            dir.display(),
            base.program.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let interp = Interpreter::new(wrapper, base.source);
    let out = run_introspector(&interp, "snakebridge_noisy", &[], TIMEOUT).unwrap();
    let f = out.module.functions.iter().find(|f| f.name == "f").unwrap();
    assert_eq!(f.signature_source, SignatureSource::Inspect);
    assert_eq!(f.signatures[0].params[1].default.as_deref(), Some("2"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cache_round_trip_with_real_python() {
    let dir = temp_dir("roundtrip");
    let opts = CacheOptions {
        refresh: Refresh::No,
        offline: false,
        interpreter: Interpreter::from_env(),
        timeout: TIMEOUT,
    };
    let req = IntrospectRequest::new("json", Vec::<String>::new());
    let first = load_or_introspect_with(&req, &dir, &opts).unwrap();
    assert!(!first.hit);
    assert!(first.path.is_absolute());
    assert_eq!(first.path, dir.join("json.json"));
    assert!(first.python_version.starts_with("3."));
    assert_eq!(first.library_version, None);
    let offline = CacheOptions {
        offline: true,
        ..opts
    };
    let second = load_or_introspect_with(&req, &dir, &offline).unwrap();
    assert!(second.hit);
    assert_eq!(second.module, first.module);
    assert!(Path::new(&dir.join("snakebridge.lock")).exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
