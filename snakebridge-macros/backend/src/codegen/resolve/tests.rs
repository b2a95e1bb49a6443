//! Tests of resolution: names, builders, setters, ancestors, routing.

use super::*;

fn module(json: serde_json::Value) -> ModuleInfo {
    serde_json::from_value(json).expect("a ModuleInfo")
}

fn param(name: &str, kind: &str, default: Option<&str>) -> serde_json::Value {
    let mut p = serde_json::json!({"name": name, "kind": kind});
    if let Some(d) = default {
        p["default"] = d.into();
    }
    p
}

fn function(name: &str, params: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "name": name, "kind": "function",
        "signatures": [{"params": params, "text": "(...)"}],
        "signature_source": "inspect", "is_generator": false
    })
}

fn class(name: &str, bases: &[&str], exported: bool, methods: &[&str]) -> serde_json::Value {
    let methods: Vec<_> = methods
        .iter()
        .map(|m| {
            let mut f = function(m, vec![param("x", "positional_or_keyword", Some("1"))]);
            f["binding"] = "instance".into();
            f
        })
        .collect();
    serde_json::json!({
        "name": name, "qualified_name": format!("m.{name}"), "bases": bases,
        "exported": exported, "methods": methods, "attributes": []
    })
}

#[test]
fn builder_names_are_upper_camel_case() {
    assert_eq!(builder_name(None, "dumps"), "DumpsCall");
    assert_eq!(builder_name(None, "load_module"), "LoadModuleCall");
    assert_eq!(
        builder_name(Some("JSONEncoder"), "encode"),
        "JSONEncoderEncodeCall"
    );
    assert_eq!(
        builder_name(Some("JSONEncoder"), "new"),
        "JSONEncoderNewCall"
    );
    assert_eq!(builder_name(Some("_Private"), "__x"), "PrivateXCall");
    assert_eq!(builder_name(None, "self_"), "SelfCall");
    assert_eq!(builder_name(None, "_2d"), "_2dCall");
}

#[test]
fn builder_types_yield_to_python_names() {
    let m = module(serde_json::json!({
        "name": "m",
        "functions": [
            function("dumps", vec![param("indent", "keyword_only", Some("None"))]),
            function("DumpsCall", vec![]),
            function("plain", vec![param("x", "positional_or_keyword", None)]),
        ],
        "classes": [class("Enc", &[], true, &["encode"])],
    }));
    let r = resolve(&m, &Options::default());
    let root = &r.mods[0];
    let names: Vec<_> = root
        .functions
        .iter()
        .map(|f| (f.rust_name.as_str(), f.builder.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("dumps", Some("DumpsCall_")),
            ("DumpsCall", None),
            ("plain", None)
        ]
    );
    let enc = &root.classes[0];
    // No `__init__` signature: a dynamic constructor, which needs a builder.
    assert_eq!(
        enc.ctor.as_ref().unwrap().builder.as_deref(),
        Some("EncNewCall")
    );
    assert_eq!(
        enc.methods[0].callable.builder.as_deref(),
        Some("EncEncodeCall")
    );
    // Builder types are values a parameter binding must avoid.
    assert!(root.values.contains("DumpsCall_") && root.values.contains("Enc"));
}

#[test]
fn setters_avoid_builder_methods() {
    let opt = |n: &str| param(n, "keyword_only", Some("None"));
    let m = module(serde_json::json!({
        "name": "m",
        "functions": [
            function("f", ["call_as", "args", "call", "session", "timeout", "kwarg", "x"].map(opt).to_vec()),
            function("g", vec![
                param("args", "var_positional", None),
                opt("kwarg"),
                opt("call_as"),
                param("kwargs", "var_keyword", None),
            ]),
        ],
    }));
    let r = resolve(&m, &Options::default());
    let f = &r.mods[0].functions[0];
    assert_eq!(
        f.setters,
        [
            "call_as_", "args", "call_", "session_", "timeout_", "kwarg", "x"
        ]
    );
    let g = &r.mods[0].functions[1];
    assert!(g.plan.var_args && g.plan.var_kwargs);
    assert_eq!(g.setters, ["kwarg_", "call_as_"]);
}

#[test]
fn ancestors_chain_through_hidden_classes() {
    // Leaf -> Mid (not exported) -> Root (exported but excluded) -> nothing.
    let m = module(serde_json::json!({
        "name": "m",
        "classes": [
            class("Leaf", &["m.Mid"], true, &["leaf"]),
            class("Mid", &["m.Root"], false, &["mid"]),
            class("Root", &[], true, &["root"]),
        ],
    }));
    let options = Options {
        exclude: vec![Name::new("Root")],
        ..Options::default()
    };
    let r = resolve(&m, &options);
    let root = &r.mods[0];
    let bound: Vec<_> = root.classes.iter().map(|c| c.rust_name.as_str()).collect();
    assert_eq!(bound, ["Leaf"]);
    assert_eq!(root.classes[0].base.as_deref(), Some("m.Mid"));
    assert_eq!(
        root.classes[0].base_path.as_ref().unwrap().to_string(),
        "__ancestors :: Mid"
    );
    let hidden: Vec<_> = root
        .hidden
        .iter()
        .map(|c| (c.rust_name.as_str(), c.base.as_deref(), c.exported))
        .collect();
    assert_eq!(
        hidden,
        [("Mid", Some("m.Root"), false), ("Root", None, false)]
    );
    // Inside `__ancestors`, siblings are named directly; hidden classes have no constructor.
    assert_eq!(
        root.hidden[0].base_path.as_ref().unwrap().to_string(),
        "Root"
    );
    assert!(root.hidden.iter().all(|c| c.ctor.is_none()));
    assert_eq!(r.class_paths["m.Root"], ["__ancestors", "Root"]);
}

#[test]
fn entries_are_routed_with_their_module() {
    let m = module(serde_json::json!({
        "name": "pkg",
        "functions": [function("top", vec![])],
        "submodules": [{"name": "pkg.linalg", "functions": [function("norm", vec![])]}],
    }));
    let options = Options {
        include: vec![Name::new("linalg.norm"), Name::new("top")],
        streaming: vec![Name::new("linalg.nrm")],
        ..Options::default()
    };
    let r = resolve(&m, &options);
    let inc: Vec<_> = r
        .includes
        .iter()
        .map(|e| (e.module, e.local.as_str()))
        .collect();
    assert_eq!(inc, [(1, "norm"), (0, "top")]);
    assert_eq!(
        (r.streaming[0].module, r.streaming[0].local.as_str()),
        (1, "nrm")
    );
    assert_eq!(r.mods[1].path, ["linalg"]);
    assert_eq!(r.mods[0].submodules, [(1, "linalg".to_owned())]);
}
