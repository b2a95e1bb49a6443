//! `cargo snakebridge expand <module>`: the Rust API a binding expands to, as a reader wants it
//! (each function's signature, what `.call()` returns, its optional arguments with their Rust
//! types and Python defaults, and the first line of its docs), read off the code generator's
//! resolved tree; `--full` prints the generated code itself, pretty-printed.

use std::fmt::Write;

use snakebridge_codegen::Options;
use snakebridge_codegen::cache::{CacheOptions, load_or_introspect_with};
use snakebridge_codegen::codegen::resolve::{ResolvedCallable, ResolvedModule};
use snakebridge_codegen::codegen::{Plan, as_written, generate, resolve};
use snakebridge_codegen::model::{MethodBinding, ModuleInfo};
use snakebridge_codegen::typemap::RustType;

use crate::error::CliError;
use crate::lock::{bound, options, request_for};
use crate::project::Project;
use crate::staleness::shown;

/// Prints the expansion of `name` (a Python module, a cache key or the Rust module's name).
/// A module the crate does not bind is expanded with default options from the crate's cache
/// directory (introspected into it when missing, as a build would).
pub fn run(project: &Project, name: &str, full: bool) -> Result<(), CliError> {
    let found = project.find(name);
    let (request, cache_dir, options, rust_mod) = match found.as_slice() {
        [binding, ..] => (
            binding.request.clone(),
            binding.cache_dir.clone(),
            options(binding),
            binding.rust_mod.clone(),
        ),
        [] => {
            let request = request_for(name);
            if request.module.is_empty() {
                return Err(CliError::Project(format!(
                    "name a module: the crate binds {}",
                    bound(project)
                )));
            }
            let rust_mod = request.module.replace('.', "_");
            (
                request,
                project.default_cache_dir(),
                Options::default(),
                rust_mod,
            )
        }
    };
    let loaded = load_or_introspect_with(&request, &cache_dir, &CacheOptions::from_env())?;
    if full {
        let tokens = generate(&loaded.module, &options);
        let text = match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(_) => tokens.to_string(),
        };
        crate::write_stdout(&format!("pub mod {rust_mod} {{\n{text}}}\n"));
        return Ok(());
    }
    let version = loaded
        .library_version
        .as_deref()
        .map(|v| format!("{} {v}", request.module))
        .unwrap_or_else(|| "standard library".to_string());
    let header = format!(
        "// `{}`: Python {}, {version}; from {}\n\
         // Each function returns a pending call: `-> T` below is what `.call()` gives \
         (`Result<T>`); the indented `.name(T) = default` lines are the optional arguments, set \
         on the pending call before `.call()`.\n",
        request.key(),
        loaded.python_version,
        shown(&loaded.path).display()
    );
    crate::write_stdout(&(header + &reader_view(&loaded.module, &options, &rust_mod)));
    Ok(())
}

/// The reader's view of `module` under `options`, as `pub mod rust_mod { ... }`.
pub fn reader_view(module: &ModuleInfo, options: &Options, rust_mod: &str) -> String {
    let resolved = resolve(module, options);
    let mut out = String::new();
    if let Some(root) = resolved.mods.first() {
        write_module(&mut out, &resolved.mods, root, rust_mod, 0);
    }
    out
}

fn write_module(
    out: &mut String,
    all: &[ResolvedModule<'_>],
    m: &ResolvedModule<'_>,
    name: &str,
    depth: usize,
) {
    let pad = "    ".repeat(depth);
    let inner = "    ".repeat(depth + 1);
    doc_line(out, &pad, m.info.doc.as_deref());
    let _ = writeln!(out, "{pad}pub mod {name} {{");
    for c in &m.constants {
        doc_line(out, &inner, c.info.doc.as_deref());
        match const_value(&c.info.type_name, c.info.value.as_ref()) {
            Some((t, value)) => {
                let _ = writeln!(out, "{inner}pub const {}: {t} = {value};", c.rust_name);
            }
            None => {
                let _ = writeln!(
                    out,
                    "{inner}pub fn {}() -> {};",
                    c.rust_name,
                    ty(&c.getter_type)
                );
            }
        }
    }
    for f in &m.functions {
        callable(out, &inner, f, None);
    }
    for c in &m.classes {
        doc_line(out, &inner, c.info.doc.as_deref());
        let base = c
            .base
            .as_deref()
            .map(|b| format!(" // derefs to {b}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{inner}pub struct {}; // Python `{}.{}`{base}",
            c.rust_name, c.python.0, c.python.1
        );
        let _ = writeln!(out, "{inner}impl {} {{", c.rust_name);
        let member = format!("{inner}    ");
        if let Some(ctor) = &c.ctor {
            callable(out, &member, ctor, Some(""));
        }
        for method in &c.methods {
            let receiver = match method.method.binding {
                MethodBinding::Instance => "&self",
                MethodBinding::Static | MethodBinding::Class => "",
            };
            callable(out, &member, &method.callable, Some(receiver));
        }
        for a in &c.attrs {
            let t = ty(&a.ty);
            let _ = writeln!(out, "{member}pub fn {}(&self) -> {t};", a.getter);
            if let Some(setter) = &a.setter {
                let _ = writeln!(out, "{member}pub fn {setter}(&self, value: {t});");
            }
        }
        let _ = writeln!(out, "{inner}}}");
    }
    for (index, sub) in &m.submodules {
        if let Some(child) = all.get(*index) {
            write_module(out, all, child, sub, depth + 1);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}

/// One callable: its doc summary, `pub fn name(args) -> T;`, then its optional arguments.
fn callable(out: &mut String, pad: &str, f: &ResolvedCallable<'_>, receiver: Option<&str>) {
    doc_line(out, pad, f.info.doc.as_deref());
    let plan: &Plan = &f.plan;
    let mut args: Vec<String> = Vec::new();
    if let Some(r) = receiver.filter(|r| !r.is_empty()) {
        args.push(r.to_string());
    }
    args.extend(
        plan.required
            .iter()
            .map(|p| format!("{}: {}", p.name, as_written(&p.ty.param().to_string()))),
    );
    let ret = if plan.streams {
        format!("Stream<{}>", ty(&plan.ret))
    } else {
        ty(&plan.ret)
    };
    let _ = writeln!(
        out,
        "{pad}pub fn {}({}) -> {ret};",
        f.rust_name,
        args.join(", ")
    );
    for (p, setter) in plan.optional.iter().zip(&f.setters) {
        let default = p
            .default
            .as_deref()
            .map(|d| format!(" = {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad}    .{setter}({}){default}",
            as_written(&p.ty.setter().param().to_string())
        );
    }
    if plan.var_args {
        let _ = writeln!(out, "{pad}    .args(..)  // *args");
    }
    if plan.var_kwargs {
        let _ = writeln!(out, "{pad}    .kwarg(name, value)  // **kwargs");
    }
}

/// A plain constant's Rust type and value, by the generator's rule (`emit.rs`: by the JSON
/// value, non-finite floats spelt as strings); `None`: the constant is a getter.
fn const_value(
    type_name: &str,
    value: Option<&serde_json::Value>,
) -> Option<(&'static str, String)> {
    use serde_json::Value as J;
    match value {
        Some(J::Null) => Some(("()", "()".into())),
        Some(J::Bool(b)) => Some(("bool", b.to_string())),
        Some(J::Number(n)) if n.is_i64() => Some(("i64", n.to_string())),
        Some(J::Number(n)) if !n.is_u64() && n.as_f64().is_some_and(f64::is_finite) => {
            Some(("f64", format!("{:?}", n.as_f64().unwrap_or_default())))
        }
        Some(J::String(s)) if type_name == "float" => match s.as_str() {
            "inf" => Some(("f64", "f64::INFINITY".into())),
            "-inf" => Some(("f64", "f64::NEG_INFINITY".into())),
            "nan" => Some(("f64", "f64::NAN".into())),
            _ => None,
        },
        Some(J::String(s)) => Some(("&str", format!("{s:?}"))),
        _ if type_name == "NoneType" => Some(("()", "()".into())),
        _ => None,
    }
}

/// The first line of a docstring as a `///` line.
fn doc_line(out: &mut String, pad: &str, doc: Option<&str>) {
    if let Some(first) = doc
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
    {
        let _ = writeln!(out, "{pad}/// {first}");
    }
}

fn ty(t: &RustType) -> String {
    as_written(&t.owned().to_string())
}
