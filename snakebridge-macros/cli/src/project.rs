//! The crate being worked on: its manifest, and every `#[python_module(...)]` in its sources,
//! found with `syn` and parsed by the macro's own argument parser
//! ([`snakebridge_codegen::attr::parse_args`]), so the tool and the macro never disagree about
//! what an attribute asks for.

use std::fs;
use std::path::{Path, PathBuf};

use snakebridge_codegen::attr::{self, ModuleArgs};
use snakebridge_codegen::cache::{self, IntrospectRequest};

use crate::error::CliError;

/// The crate: where its manifest is and what it binds.
#[derive(Debug)]
pub struct Project {
    /// The directory of `Cargo.toml` (what `CARGO_MANIFEST_DIR` is when the macro runs).
    pub dir: PathBuf,
    /// Every binding found, in file order.
    pub bindings: Vec<Binding>,
}

/// One `#[python_module(...)] mod x {}`.
#[derive(Debug, Clone)]
pub struct Binding {
    /// `src/lib.rs:12` (relative to the crate directory).
    pub location: String,
    /// The Rust module's name (`np` in `pub mod np {}`).
    pub rust_mod: String,
    /// The parsed arguments.
    pub args: ModuleArgs,
    /// What the macro introspects for it (the cache key).
    pub request: IntrospectRequest,
    /// The cache directory the macro uses for it (`SNAKEBRIDGE_CACHE_DIR`, `cache = ".."` or
    /// `<crate>/cache`).
    pub cache_dir: PathBuf,
}

impl Project {
    /// Finds the crate (`manifest` or the nearest `Cargo.toml` at or above the working
    /// directory) and scans its sources. Malformed attributes are all reported together, with
    /// their locations, as the macro would report them.
    pub fn load(manifest: Option<&Path>) -> Result<Project, CliError> {
        let manifest = match manifest {
            Some(path) if path.is_file() => path.to_path_buf(),
            Some(path) => {
                return Err(CliError::Project(format!(
                    "no manifest at {}: pass the path of a Cargo.toml to --manifest-path",
                    path.display()
                )));
            }
            None => find_manifest()?,
        };
        let dir = std::path::absolute(&manifest)
            .unwrap_or(manifest.clone())
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut bindings = Vec::new();
        let mut problems = Vec::new();
        // The files cargo compiles: each target's root, then the `mod x;` files they declare
        // (so a trybuild case under tests/ui, which no target declares, is not read).
        let mut queue: Vec<(PathBuf, PathBuf)> = target_roots(&dir)
            .into_iter()
            .map(|root| {
                let module_dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
                (root, module_dir)
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        while let Some((file, module_dir)) = queue.pop() {
            if seen.insert(file.clone()) {
                scan_file(
                    &dir,
                    &file,
                    &module_dir,
                    &mut bindings,
                    &mut problems,
                    &mut queue,
                );
            }
        }
        bindings.sort_by(|a, b| a.location.cmp(&b.location));
        if !problems.is_empty() {
            return Err(CliError::Project(problems.join("\n")));
        }
        Ok(Project { dir, bindings })
    }

    /// The bindings whose Python module (`numpy`, or the key `numpy+linalg`) or Rust module
    /// (`np`) is `name`.
    pub fn find(&self, name: &str) -> Vec<&Binding> {
        self.bindings
            .iter()
            .filter(|b| b.request.module == name || b.request.key() == name || b.rust_mod == name)
            .collect()
    }

    /// The cache directories the bindings use, each once.
    pub fn cache_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self.bindings.iter().map(|b| b.cache_dir.clone()).collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    /// The cache directory for a module the crate does not bind (`expand json` in a crate
    /// without it): the crate's default.
    pub fn default_cache_dir(&self) -> PathBuf {
        cache::resolve_cache_dir(&self.dir, None)
    }
}

/// The nearest `Cargo.toml` at or above the working directory, as cargo looks for it.
fn find_manifest() -> Result<PathBuf, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::Project(format!("cannot read the working directory: {e}")))?;
    cwd.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CliError::Project(format!(
                "could not find `Cargo.toml` in `{}` or any parent directory; run this inside \
                 a crate, or pass --manifest-path",
                cwd.display()
            ))
        })
}

/// The root file of every target cargo discovers (`src/lib.rs`, `src/main.rs`, `src/bin/*`,
/// `tests/*`, `examples/*`, `benches/*`, `build.rs`), plus every `path = "….rs"` the manifest
/// gives a target.
fn target_roots(dir: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = ["src/lib.rs", "src/main.rs", "build.rs"]
        .iter()
        .map(|p| dir.join(p))
        .collect();
    for folder in ["src/bin", "tests", "examples", "benches"] {
        let Ok(entries) = fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                roots.push(path.join("main.rs"));
            } else if path.extension().is_some_and(|e| e == "rs") {
                roots.push(path);
            }
        }
    }
    if let Ok(manifest) = fs::read_to_string(dir.join("Cargo.toml")) {
        for line in manifest.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            if key.trim() == "path" && value.ends_with(".rs") {
                roots.push(dir.join(value));
            }
        }
    }
    roots.retain(|p| p.is_file());
    roots.sort();
    roots.dedup();
    roots
}

/// The file of `mod name;` declared in a file whose child modules live in `module_dir`, and
/// the directory of its own children (Rust's rules: `name.rs` or `name/mod.rs`, or
/// `#[path = "..."]`).
fn module_file(
    module: &syn::ItemMod,
    module_dir: &Path,
    file: &Path,
) -> Option<(PathBuf, PathBuf)> {
    let name = module.ident.to_string();
    let explicit = module.attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    });
    let path = match explicit {
        Some(p) => file.parent()?.join(p),
        None => {
            let flat = module_dir.join(format!("{name}.rs"));
            if flat.is_file() {
                flat
            } else {
                module_dir.join(&name).join("mod.rs")
            }
        }
    };
    let children = if path.file_name().is_some_and(|n| n == "mod.rs") {
        path.parent()?.to_path_buf()
    } else {
        module_dir.join(&name)
    };
    path.is_file().then_some((path, children))
}

/// Parses `file` (whose child modules live in `module_dir`) and collects its bindings and the
/// files of the modules it declares; unparsable files and malformed attributes go to
/// `problems` as `file:line:col: message`.
fn scan_file(
    root: &Path,
    file: &Path,
    module_dir: &Path,
    bindings: &mut Vec<Binding>,
    problems: &mut Vec<String>,
    queue: &mut Vec<(PathBuf, PathBuf)>,
) {
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    let Ok(text) = fs::read_to_string(file) else {
        problems.push(format!("{shown}: cannot read this file"));
        return;
    };
    // A quick test first: most files bind and declare nothing and need no parse.
    if !text.contains("python_module") && !text.contains("mod ") {
        return;
    }
    let parsed = match syn::parse_file(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let at = e.span().start();
            problems.push(format!(
                "{shown}:{}:{}: this file does not parse as Rust: {e}",
                at.line,
                at.column + 1
            ));
            return;
        }
    };
    let mut found = Vec::new();
    let mut declared = Vec::new();
    walk_items(&parsed.items, module_dir, &mut found, &mut declared);
    for (module, dir) in declared {
        queue.extend(module_file(module, &dir, file));
    }
    for (module, attribute) in found {
        let at = attribute.pound_token.span.start();
        let location = format!("{shown}:{}", at.line);
        let tokens = match &attribute.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            // `#[python_module]` alone: the parser reports the missing module name.
            _ => proc_macro2::TokenStream::new(),
        };
        let args = match attr::parse_args(tokens) {
            Ok(args) => args,
            Err(errors) => {
                for e in errors {
                    let at = e.span().start();
                    let (line, column) = if at.line == 0 {
                        (location.clone(), String::new())
                    } else {
                        (
                            format!("{shown}:{}", at.line),
                            format!(":{}", at.column + 1),
                        )
                    };
                    problems.push(format!("{line}{column}: {e}"));
                }
                continue;
            }
        };
        let explicit = args.cache.as_ref().map(|c| PathBuf::from(c.value()));
        bindings.push(Binding {
            location,
            rust_mod: module.ident.to_string(),
            request: IntrospectRequest::new(
                args.module.value(),
                args.submodules.iter().map(|s| s.value()),
            ),
            cache_dir: cache::resolve_cache_dir(root, explicit.as_deref()),
            args,
        });
    }
}

/// Whether `attribute` is `#[python_module]`, `#[snakebridge::python_module]` or
/// `#[::snakebridge::python_module]` (the names the macro is used under).
fn is_python_module(attribute: &syn::Attribute) -> bool {
    let path = attribute.path();
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    matches!(
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["python_module"] | ["snakebridge", "python_module"]
    )
}

/// The `mod`s with the attribute in `items` (into `found`), descending into inline modules,
/// function bodies (tests often bind inside a `fn`) and impl blocks; `mod x;` declarations go
/// to `declared` with the directory their file is looked up in.
fn walk_items<'a>(
    items: &'a [syn::Item],
    dir: &Path,
    found: &mut Vec<(&'a syn::ItemMod, &'a syn::Attribute)>,
    declared: &mut Vec<(&'a syn::ItemMod, PathBuf)>,
) {
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some(attribute) = module.attrs.iter().find(|a| is_python_module(a)) {
                    found.push((module, attribute));
                } else if let Some((_, inner)) = &module.content {
                    walk_items(inner, &dir.join(module.ident.to_string()), found, declared);
                } else {
                    declared.push((module, dir.to_path_buf()));
                }
            }
            syn::Item::Fn(function) => walk_block(&function.block, dir, found, declared),
            syn::Item::Impl(block) => {
                for member in &block.items {
                    if let syn::ImplItem::Fn(function) = member {
                        walk_block(&function.block, dir, found, declared);
                    }
                }
            }
            _ => {}
        }
    }
}

fn walk_block<'a>(
    block: &'a syn::Block,
    dir: &Path,
    found: &mut Vec<(&'a syn::ItemMod, &'a syn::Attribute)>,
    declared: &mut Vec<(&'a syn::ItemMod, PathBuf)>,
) {
    for statement in &block.stmts {
        if let syn::Stmt::Item(item) = statement {
            walk_items(std::slice::from_ref(item), dir, found, declared);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(name: &str, source: &str) -> (Vec<Binding>, Vec<String>) {
        let dir = std::env::temp_dir();
        let file = dir.join(format!("snakebridge-cli-{name}-{}.rs", std::process::id()));
        fs::write(&file, source).unwrap();
        let (mut bindings, mut problems, mut queue) = (Vec::new(), Vec::new(), Vec::new());
        scan_file(&dir, &file, &dir, &mut bindings, &mut problems, &mut queue);
        let _ = fs::remove_file(&file);
        (bindings, problems)
    }

    #[test]
    fn finds_attributes_under_every_spelling_and_nesting() {
        let (bindings, problems) = scan(
            "spellings",
            r#"
            #[snakebridge::python_module("numpy", submodules = ["linalg"])]
            pub mod np {}
            mod outer {
                #[python_module("json", cache = "py")]
                mod j {}
            }
            fn f() {
                #[snakebridge::python_module("math")]
                mod m {}
            }
            // "python_module" in a comment is not an attribute
            #[other::python_module("x")]
            mod not_ours {}
            "#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let keys: Vec<String> = bindings.iter().map(|b| b.request.key()).collect();
        assert_eq!(keys, ["numpy+linalg", "json", "math"]);
        assert_eq!(bindings[0].rust_mod, "np");
        assert!(bindings[1].cache_dir.ends_with("py"), "{:?}", bindings[1]);
        assert!(
            bindings[0].location.ends_with(":2"),
            "{}",
            bindings[0].location
        );
    }

    #[test]
    fn malformed_attributes_are_reported_with_their_line() {
        let (bindings, problems) = scan(
            "malformed",
            "\n#[snakebridge::python_module(\"json\", includ = [\"x\"])]\nmod j {}\n",
        );
        assert!(bindings.is_empty());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(":2:"), "{problems:?}");
        assert!(
            problems[0].contains("did you mean `include`"),
            "{problems:?}"
        );
    }

    #[test]
    fn only_files_cargo_compiles_are_read() {
        let dir = std::env::temp_dir().join(format!("snakebridge-cli-tree-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for d in ["src/a", "tests/ui", "tests/common"] {
            fs::create_dir_all(dir.join(d)).unwrap();
        }
        let write = |p: &str, text: &str| fs::write(dir.join(p), text).unwrap();
        write("Cargo.toml", "[package]\nname = \"t\"\n");
        write("src/lib.rs", "mod a;\n#[path = \"other.rs\"]\nmod b;\n");
        write("src/a.rs", "mod c;\n");
        write("src/a/c.rs", "#[python_module(\"math\")]\nmod m {}\n");
        write("src/other.rs", "#[python_module(\"json\")]\nmod j {}\n");
        write("tests/it.rs", "mod common;\n");
        write(
            "tests/common/mod.rs",
            "#[python_module(\"os\")]\nmod o {}\n",
        );
        // A trybuild case: no target declares it, and it is malformed on purpose.
        write("tests/ui/bad.rs", "#[python_module(42)]\nmod x {}\n");
        let project = Project::load(Some(&dir.join("Cargo.toml"))).unwrap();
        let mut keys: Vec<String> = project.bindings.iter().map(|b| b.request.key()).collect();
        keys.sort();
        assert_eq!(keys, ["json", "math", "os"]);
        let _ = fs::remove_dir_all(&dir);
    }
}
