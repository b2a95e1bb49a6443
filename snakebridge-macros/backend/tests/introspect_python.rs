//! Runs the real introspector in the machine's Python (chosen like the macro does:
//! SNAKEBRIDGE_PYTHON, PYO3_PYTHON, VIRTUAL_ENV, python3) against standard-library modules and
//! checks concrete facts. The assertions hold with and without typeshed installed.
//!
//! Over 600 lines: one independent test per fact of the real introspector, sharing the helpers
//! at the top; a test binary per topic would rebuild and start Python once more each.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use snakebridge_codegen::cache::{
    CacheError, CacheOptions, IntrospectRequest, Refresh, load_or_introspect_with,
};
use snakebridge_codegen::model::{
    ClassInfo, FunctionInfo, MethodBinding, ModuleInfo, Param, ParamKind, Signature,
    SignatureSource, TypeExpr,
};
use snakebridge_codegen::python::{Interpreter, InterpreterSource, run_introspector};

const TIMEOUT: Duration = Duration::from_secs(120);

fn introspect(module: &str, subs: &[&str]) -> ModuleInfo {
    introspect_in(&Interpreter::from_env(), module, subs)
}

fn introspect_in(interp: &Interpreter, module: &str, subs: &[&str]) -> ModuleInfo {
    let subs: Vec<String> = subs.iter().map(|s| s.to_string()).collect();
    match run_introspector(interp, module, &subs, TIMEOUT) {
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

fn param<'a>(sig: &'a Signature, name: &str) -> &'a Param {
    sig.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no `{name}` in {}", sig.text))
}

fn name(n: &str) -> TypeExpr {
    TypeExpr::Name { name: n.into() }
}

fn generic_name(t: Option<&TypeExpr>) -> Option<&str> {
    match t {
        Some(TypeExpr::Generic { name, .. }) => Some(name),
        _ => None,
    }
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

/// Writes `files` (relative path, contents) under a fresh directory and returns the directory
/// with an interpreter that has it on `PYTHONPATH` (a wrapper script around the usual one).
#[cfg(unix)]
fn python_with_modules(tag: &str, files: &[(&str, &str)]) -> (PathBuf, Interpreter) {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir(tag);
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
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
    (dir, interp)
}

/// An interpreter that can import numpy: the configured one, else the workspace's
/// `target/py-venv` (which `tests/run.sh` fills); a test about numpy fails without one.
fn numpy_python() -> Interpreter {
    let mut candidates = vec![Interpreter::from_env()];
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/py-venv/bin/python");
    if venv.exists() {
        candidates.push(Interpreter::new(venv, InterpreterSource::SnakebridgePython));
    }
    candidates
        .into_iter()
        .find(|i| {
            std::process::Command::new(&i.program)
                .args(["-c", "import numpy"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect(
            "no Python with numpy: set SNAKEBRIDGE_PYTHON to one, or run tests/run.sh (which \
             installs tests/requirements.txt into target/py-venv)",
        )
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

// Mutation: `_is_coroutine_fn` returning False (no flag, and no rustdoc line for it).
#[cfg(unix)]
#[test]
fn coroutine_functions_and_methods_are_flagged() {
    let (_dir, interp) = python_with_modules(
        "coroutines",
        &[(
            "sb_coroutines.py",
            "import functools\n\
             async def fetch(url: str) -> bytes:\n    return b''\n\
             def plain(x: int) -> int:\n    return x\n\
             def logged(f):\n    @functools.wraps(f)\n    async def inner(*a):\n        return await f(*a)\n    return inner\n\
             @logged\nasync def wrapped(x: int) -> int:\n    return x\n\
             class Client:\n    async def get(self, key: str) -> str:\n        return key\n",
        )],
    );
    let m = introspect_in(&interp, "sb_coroutines", &[]);
    assert!(function(&m, "fetch").is_coroutine);
    assert!(function(&m, "wrapped").is_coroutine);
    assert!(!function(&m, "plain").is_coroutine);
    let get = class(&m, "Client")
        .methods
        .iter()
        .find(|f| f.function.name == "get")
        .expect("Client.get");
    assert!(get.function.is_coroutine);
    // Only a coroutine function carries the key: other cache files are unchanged.
    let json = serde_json::to_string(function(&m, "plain")).unwrap();
    assert!(!json.contains("is_coroutine"), "{json}");
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
    // The test venv has mypy's typeshed (tests/requirements.txt): only typeshed annotates json,
    // so a signature from anywhere else means the typeshed lookup is broken.
    assert_eq!(
        dumps.signature_source,
        SignatureSource::Typeshed,
        "json.dumps must be typed by typeshed (is mypy installed in the interpreter?)"
    );
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
/// A name of `__all__` whose reading raises (scikit-learn's `model_selection` raises
/// `ImportError` for an experimental class until it is enabled) is left out; the rest of the
/// module is bound.
#[cfg(unix)]
#[test]
fn a_name_whose_reading_raises_is_left_out() {
    let (dir, interp) = python_with_modules(
        "raising-attr",
        &[(
            "sb_raising_attr.py",
            concat!(
                "__all__ = ['Kept', 'Experimental', 'kept']\n",
                "class Kept:\n",
                "    pass\n",
                "def kept(x: int) -> int:\n",
                "    return x\n",
                "def __getattr__(name):\n",
                "    if name == 'Experimental':\n",
                "        raise ImportError('Experimental is experimental: enable it first')\n",
                "    raise AttributeError(name)\n",
            ),
        )],
    );
    let out = run_introspector(&interp, "sb_raising_attr", &[], TIMEOUT)
        .unwrap_or_else(|e| panic!("introspecting sb_raising_attr failed: {e}"));
    class(&out.module, "Kept");
    function(&out.module, "kept");
    assert!(
        !out.module.classes.iter().any(|c| c.name == "Experimental"),
        "{:?}",
        out.module.classes
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn noisy_module_does_not_corrupt_the_answer() {
    let (dir, interp) = python_with_modules(
        "noisy",
        &[(
            "snakebridge_noisy.py",
            "import os\nprint('hello from import')\nos.write(1, b'raw fd write\\n')\n\
             def f(x, y=2):\n    print('called')\n    return x\n",
        )],
    );
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

/// Type variables in stubs stand for their bound (also when the variable and its bound live in
/// another stub module), for the union of their constraints, or stay `~T` when unconstrained.
#[cfg(unix)]
#[test]
fn stub_typevars_resolve_to_bounds_and_constraints() {
    let (dir, interp) = python_with_modules(
        "tvstub",
        &[
            (
                "snakebridge_tv/__init__.py",
                "class Box:\n    def __init__(self, v):\n        self.v = v\n\n    \
                 @property\n    def shape(self):\n        return (1,)\n\n\n\
                 def wrap(x):\n    return x\n\n\ndef pick(x):\n    return x\n\n\n\
                 def ident(x):\n    return x\n",
            ),
            (
                "snakebridge_tv/__init__.pyi",
                "from typing import Any, Generic, TypeVar\n\n\
                 from ._tvars import _BoxT, _ShapeT\n\n\
                 _AnyStr = TypeVar(\"_AnyStr\", str, bytes)\n_T = TypeVar(\"_T\")\n\n\
                 class Box(Generic[_ShapeT]):\n    def __init__(self, v: Any) -> None: ...\n    \
                 @property\n    def shape(self) -> _ShapeT: ...\n\n\
                 def wrap(x: _BoxT) -> _BoxT: ...\n\
                 def pick(x: _AnyStr) -> _AnyStr: ...\n\
                 def ident(x: _T) -> _T: ...\n",
            ),
            (
                "snakebridge_tv/_tvars.pyi",
                "from typing import Any, TypeVar\nfrom typing_extensions import TypeAlias\n\n\
                 from . import Box\n\n\
                 _Shape: TypeAlias = tuple[int, ...]\n\
                 _ShapeT = TypeVar(\"_ShapeT\", bound=_Shape)\n\
                 _BoxT = TypeVar(\"_BoxT\", bound=\"Box[Any]\")\n",
            ),
        ],
    );
    let m = introspect_in(&interp, "snakebridge_tv", &[]);
    let box_any = TypeExpr::Generic {
        name: "snakebridge_tv.Box".into(),
        args: vec![name("typing.Any")],
    };
    let wrap = &function(&m, "wrap").signatures[0];
    assert_eq!(wrap.params[0].annotation.as_ref(), Some(&box_any));
    assert_eq!(wrap.returns.as_ref(), Some(&box_any));

    let str_or_bytes = TypeExpr::Union {
        items: vec![name("str"), name("bytes")],
    };
    let pick = &function(&m, "pick").signatures[0];
    assert_eq!(pick.params[0].annotation.as_ref(), Some(&str_or_bytes));
    assert_eq!(pick.returns.as_ref(), Some(&str_or_bytes));

    let tilde_t = TypeExpr::Unknown { text: "~_T".into() };
    let ident = &function(&m, "ident").signatures[0];
    assert_eq!(ident.params[0].annotation.as_ref(), Some(&tilde_t));
    assert_eq!(ident.returns.as_ref(), Some(&tilde_t));

    let shape = class(&m, "Box")
        .attributes
        .iter()
        .find(|a| a.name == "shape")
        .expect("Box.shape");
    assert_eq!(
        shape.annotation,
        Some(TypeExpr::Generic {
            name: "tuple".into(),
            args: vec![name("int"), name("...")],
        })
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The same for runtime annotations (`typing.TypeVar` objects, forward-referenced bounds).
#[cfg(unix)]
#[test]
fn runtime_typevars_resolve_to_bounds_and_constraints() {
    let (dir, interp) = python_with_modules(
        "tvrt",
        &[(
            "snakebridge_tvrt.py",
            "import typing as _t\n\n\
             T = _t.TypeVar(\"T\")\nN = _t.TypeVar(\"N\", int, float)\n\
             B = _t.TypeVar(\"B\", bound=\"Node\")\n\n\n\
             class Node:\n    pass\n\n\n\
             def ident(x: T) -> T:\n    return x\n\n\n\
             def num(x: N) -> N:\n    return x\n\n\n\
             def first(xs: \"list[B]\") -> B:\n    return xs[0]\n",
        )],
    );
    let m = introspect_in(&interp, "snakebridge_tvrt", &[]);
    let ident = function(&m, "ident");
    assert_eq!(ident.signature_source, SignatureSource::Inspect);
    assert_eq!(
        ident.signatures[0].returns,
        Some(TypeExpr::Unknown { text: "~T".into() })
    );
    let num = &function(&m, "num").signatures[0];
    let int_or_float = TypeExpr::Union {
        items: vec![name("int"), name("float")],
    };
    assert_eq!(num.params[0].annotation.as_ref(), Some(&int_or_float));
    assert_eq!(num.returns.as_ref(), Some(&int_or_float));
    let first = &function(&m, "first").signatures[0];
    let node = name("snakebridge_tvrt.Node");
    assert_eq!(
        first.params[0].annotation,
        Some(TypeExpr::Generic {
            name: "list".into(),
            args: vec![node.clone()],
        })
    );
    assert_eq!(first.returns, Some(node));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// numpy's stubs: `array` returns `_ArrayT` (bound `ndarray[Any, Any]`) or `NDArray[...]` (an
/// alias of `ndarray[...]`): every overload returns the `numpy.ndarray` generic. `ndarray.shape`
/// (`_ShapeT_co`, bound `tuple[int, ...]`) and `ndarray.dtype` (`_DTypeT_co`, bound `dtype`)
/// resolve too.
#[test]
fn numpy_typevars_and_aliases_resolve() {
    let py = numpy_python();
    let m = introspect_in(&py, "numpy", &["linalg"]);
    let array = function(&m, "array");
    assert_eq!(array.signature_source, SignatureSource::Stub);
    assert!(array.signatures.len() >= 3, "{:?}", array.signatures);
    for sig in &array.signatures {
        assert_eq!(
            generic_name(sig.returns.as_ref()),
            Some("numpy.ndarray"),
            "{} -> {:?}",
            sig.text,
            sig.returns
        );
    }

    let nd = class(&m, "ndarray");
    let attr = |n: &str| {
        nd.attributes
            .iter()
            .find(|a| a.name == n)
            .unwrap_or_else(|| panic!("ndarray.{n} missing"))
    };
    assert_eq!(
        attr("shape").annotation,
        Some(TypeExpr::Generic {
            name: "tuple".into(),
            args: vec![name("int"), name("...")],
        })
    );
    assert_eq!(attr("dtype").annotation, Some(name("numpy.dtype")));

    // `ndarray.swapaxes` is a C method without keyword support; the stub omits the `/`.
    let swapaxes = nd
        .methods
        .iter()
        .find(|m| m.function.name == "swapaxes")
        .expect("ndarray.swapaxes");
    for p in &swapaxes.function.signatures[0].params {
        assert_eq!(p.kind, ParamKind::PositionalOnly, "{:?}", p);
    }

    // `NDArray[floating]` is `ndarray[tuple[Any, ...], dtype[floating]]`.
    let linalg = &m.submodules[0];
    let svdvals = &function(linalg, "svdvals").signatures[0];
    let Some(TypeExpr::Generic { name: n, args }) = &svdvals.returns else {
        panic!("{:?}", svdvals.returns)
    };
    assert_eq!(n, "numpy.ndarray");
    assert_eq!(
        args[1],
        TypeExpr::Generic {
            name: "numpy.dtype".into(),
            args: vec![name("numpy.floating")],
        }
    );
    // The runtime says `svdvals(x, /)` and `tensordot(x1, x2, /, *, axes=2)`; the stubs do not.
    assert_eq!(svdvals.params[0].kind, ParamKind::PositionalOnly);
    for sig in &function(linalg, "tensordot").signatures {
        assert_eq!(
            sig.params[0].kind,
            ParamKind::PositionalOnly,
            "{}",
            sig.text
        );
        assert_eq!(
            sig.params[1].kind,
            ParamKind::PositionalOnly,
            "{}",
            sig.text
        );
        assert_eq!(
            param(sig, "axes").kind,
            ParamKind::KeywordOnly,
            "{}",
            sig.text
        );
    }
}

/// C functions: whatever the stub (or typeshed's age) says, parameters the runtime takes only by
/// position are positional-only. `math.log` has no text signature and takes no keywords.
#[test]
fn builtin_positional_only_params_follow_the_runtime() {
    let m = introspect("math", &[]);
    let log = function(&m, "log");
    assert_ne!(log.signature_source, SignatureSource::Unknown);
    for sig in &log.signatures {
        for p in &sig.params {
            assert_eq!(p.kind, ParamKind::PositionalOnly, "{}", sig.text);
        }
    }
    let base = param(&log.signatures[0], "base");
    assert!(base.default.is_some(), "{}", log.signatures[0].text);
    let sqrt = function(&m, "sqrt");
    assert_eq!(
        param(&sqrt.signatures[0], "x").kind,
        ParamKind::PositionalOnly
    );

    let m = introspect("json", &[]);
    let dumps = &function(&m, "dumps").signatures[0];
    assert_eq!(param(dumps, "obj").kind, ParamKind::PositionalOrKeyword);
    assert_eq!(param(dumps, "indent").kind, ParamKind::KeywordOnly);
}

/// A stub that spells every parameter as an ordinary one is corrected from the runtime: C
/// functions without keyword support, Python `/` and `*` markers; parameters the runtime takes
/// by keyword stay as they are.
#[cfg(unix)]
#[test]
fn stub_param_kinds_are_checked_against_the_runtime() {
    let (dir, interp) = python_with_modules(
        "kinds",
        &[
            (
                "snakebridge_kinds.py",
                "from math import isclose, log, sqrt\n\n\n\
                 def f(a, b, /, *, c=1):\n    return a + b + c\n\n\n\
                 def g(a, b=2):\n    return a + b\n",
            ),
            (
                "snakebridge_kinds.pyi",
                "def log(x: float, base: float = ...) -> float: ...\n\
                 def sqrt(x: float) -> float: ...\n\
                 def isclose(a: float, b: float, rel_tol: float = ..., abs_tol: float = ...) -> bool: ...\n\
                 def f(a: int, b: int, c: int = ...) -> int: ...\n\
                 def g(a: int, b: int = ...) -> int: ...\n",
            ),
        ],
    );
    let m = introspect_in(&interp, "snakebridge_kinds", &[]);
    let kinds = |f: &str| -> Vec<(String, ParamKind)> {
        let f = function(&m, f);
        assert_eq!(f.signature_source, SignatureSource::Stub);
        f.signatures[0]
            .params
            .iter()
            .map(|p| (p.name.clone(), p.kind))
            .collect()
    };
    let k = |n: &str, kind| (n.to_string(), kind);
    use ParamKind::*;
    assert_eq!(
        kinds("log"),
        [k("x", PositionalOnly), k("base", PositionalOnly)]
    );
    assert_eq!(kinds("sqrt"), [k("x", PositionalOnly)]);
    assert_eq!(
        kinds("isclose"),
        [
            k("a", PositionalOrKeyword),
            k("b", PositionalOrKeyword),
            k("rel_tol", KeywordOnly),
            k("abs_tol", KeywordOnly)
        ]
    );
    assert_eq!(
        kinds("f"),
        [
            k("a", PositionalOnly),
            k("b", PositionalOnly),
            k("c", KeywordOnly)
        ]
    );
    assert_eq!(
        kinds("g"),
        [k("a", PositionalOrKeyword), k("b", PositionalOrKeyword)]
    );
    let f = &function(&m, "f").signatures[0];
    assert_eq!(f.text, "(a: int, b: int, /, *, c: int = 1) -> int");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn counter_and_statistics_signatures() {
    let m = introspect("collections", &[]);
    let ctor = class(&m, "Counter")
        .constructor
        .as_ref()
        .expect("Counter constructor");
    assert_ne!(ctor.signature_source, SignatureSource::Unknown);
    // Every form takes its first argument by position only, and `Counter()` is allowed.
    for sig in &ctor.signatures {
        assert!(sig.params.iter().all(|p| p.name != "self"), "{}", sig.text);
        if let Some(first) = sig.params.first() {
            assert!(
                matches!(
                    first.kind,
                    ParamKind::PositionalOnly | ParamKind::VarKeyword
                ),
                "{}",
                sig.text
            );
        }
    }
    assert!(
        ctor.signatures
            .iter()
            .any(|sig| sig.params.iter().any(|p| p.name == "iterable"
                && p.kind == ParamKind::PositionalOnly
                && p.default.is_some())),
        "{:?}",
        ctor.signatures.iter().map(|s| &s.text).collect::<Vec<_>>()
    );

    let m = introspect("statistics", &[]);
    let mean = function(&m, "mean");
    let sig = &mean.signatures[0];
    assert_eq!(sig.params.len(), 1, "{}", sig.text);
    assert_eq!(sig.params[0].name, "data");
    assert!(sig.params[0].default.is_none());
    let stdev = function(&m, "stdev");
    let sig = &stdev.signatures[0];
    let names: Vec<_> = sig.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["data", "xbar"], "{}", sig.text);
    assert_eq!(param(sig, "xbar").default.as_deref(), Some("None"));
    assert_eq!(
        mean.signature_source,
        SignatureSource::Typeshed,
        "statistics.mean must be typed by typeshed (is mypy installed in the interpreter?)"
    );
    {
        // `_NumberT = TypeVar("_NumberT", float, Decimal, Fraction)`: the constraints' union.
        let number = TypeExpr::Union {
            items: vec![
                name("float"),
                name("decimal.Decimal"),
                name("fractions.Fraction"),
            ],
        };
        assert_eq!(mean.signatures[0].returns.as_ref(), Some(&number));
        assert_eq!(
            mean.signatures[0].params[0].annotation,
            Some(TypeExpr::Generic {
                name: "collections.abc.Iterable".into(),
                args: vec![number],
            })
        );
    }
}

/// A module's items are what it defines or deliberately exports: the typing names it imports
/// for its annotations (`Any` is a class on Python 3.11), its `TypeVar`, a type alias and a
/// class imported from another module are not items (issue 33; the golden
/// `tests/golden/typing_imports.rs` is the expansion of this very introspection). `@overload`s
/// of a `.py` function are its signatures, one per overload.
#[cfg(unix)]
#[test]
fn typing_imports_are_not_items_and_py_overloads_are_signatures() {
    let source = include_str!("fixtures/typing_imports.py");
    let overloaded = "from typing import overload\n\
        @overload\ndef double(value: int) -> int: ...\n\
        @overload\ndef double(value: str, times: int = ...) -> str: ...\n\
        def double(value, times=2):\n    return value * times\n";
    let (_dir, interp) = python_with_modules(
        "typing-imports",
        &[("typing_imports.py", source), ("overloaded.py", overloaded)],
    );
    let m = introspect_in(&interp, "typing_imports", &[]);
    let names = |items: Vec<&String>| items.into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(m.functions.iter().map(|f| &f.name).collect()),
        ["first", "pick"]
    );
    assert_eq!(
        names(m.classes.iter().map(|c| &c.name).collect()),
        ["Record"]
    );
    assert_eq!(
        names(m.constants.iter().map(|c| &c.name).collect()),
        ["LIMIT"]
    );
    let expected = fixture_module_info("typing_imports");
    assert_eq!(m, expected, "the golden's fixture is this introspection");

    let m = introspect_in(&interp, "overloaded", &[]);
    let sigs = &function(&m, "double").signatures;
    let returns: Vec<_> = sigs.iter().map(|s| s.returns.clone()).collect();
    assert_eq!(returns, [Some(name("int")), Some(name("str"))]);
    // The implementation's default replaces the overload's `...`.
    assert_eq!(param(&sigs[1], "times").default.as_deref(), Some("2"));
}

fn fixture_module_info(fixture: &str) -> ModuleInfo {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{fixture}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}
