//! Stage 2, checking: every validation of the options against the resolved tree, each problem an
//! error at the offending entry's span. Nothing stops at the first problem: all errors are
//! returned, and [`generate`](super::generate) reports them together next to the bindings.
//!
//! - an `include` entry must name a function, exported class, constant or submodule of the module
//!   it is routed to;
//! - a `streaming` entry must name a module function or a `Class.method`.
//!
//! `exclude` is lenient (one list can serve several versions of a library), so it is not checked.

use super::resolve::{Resolved, ResolvedModule, Routed};
use crate::names::did_you_mean;

/// All problems with the options of `resolved`, in entry order (`include` first).
pub fn check(resolved: &Resolved<'_>) -> Vec<syn::Error> {
    let includes = resolved
        .includes
        .iter()
        .filter_map(|e| check_include(&resolved.mods[e.module], e));
    let streaming = resolved
        .streaming
        .iter()
        .filter_map(|e| check_streaming(&resolved.mods[e.module], e));
    includes.chain(streaming).collect()
}

/// Combines errors into one (for `syn::Result`), `None` if there are none.
pub fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    })
}

fn check_include(m: &ResolvedModule<'_>, e: &Routed) -> Option<syn::Error> {
    let local = e.local.as_str();
    if local.is_empty() || m.children.iter().any(|(rel, _)| rel == local) {
        return None;
    }
    let info = m.info;
    let exists = info.functions.iter().any(|f| f.name == local)
        || info.classes.iter().any(|c| c.exported && c.name == local)
        || info.constants.iter().any(|c| c.name == local);
    if exists {
        return None;
    }
    let candidates = info
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .chain(
            info.classes
                .iter()
                .filter(|c| c.exported)
                .map(|c| c.name.as_str()),
        )
        .chain(info.constants.iter().map(|c| c.name.as_str()))
        .chain(m.children.iter().map(|(rel, _)| rel.as_str()));
    Some(syn::Error::new(
        e.entry.span,
        format!(
            "`{}` has no function, class, constant or submodule named `{local}`{}",
            info.name,
            hint(did_you_mean(local, candidates)),
        ),
    ))
}

fn check_streaming(m: &ResolvedModule<'_>, e: &Routed) -> Option<syn::Error> {
    let local = e.local.as_str();
    let info = m.info;
    let msg = match local.split_once('.') {
        None if info.functions.iter().any(|f| f.name == local) => return None,
        None => format!(
            "`{}` has no function named `{local}`{}",
            info.name,
            hint(did_you_mean(
                local,
                info.functions.iter().map(|f| f.name.as_str())
            ))
        ),
        Some((class, method)) => match info.classes.iter().find(|c| c.name == class) {
            Some(c) if c.methods.iter().any(|f| f.function.name == method) => return None,
            Some(c) => format!(
                "class `{class}` of `{}` has no method named `{method}`{}",
                info.name,
                hint(did_you_mean(
                    method,
                    c.methods.iter().map(|f| f.function.name.as_str())
                ))
            ),
            None => format!(
                "`{}` has no class named `{class}`{}",
                info.name,
                hint(did_you_mean(
                    class,
                    info.classes.iter().map(|c| c.name.as_str())
                ))
            ),
        },
    };
    Some(syn::Error::new(
        e.entry.span,
        format!("`streaming` takes module functions and `Class.method`s, but {msg}"),
    ))
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::resolve::resolve;
    use crate::codegen::{Name, Options};
    use crate::model::ModuleInfo;

    fn module() -> ModuleInfo {
        serde_json::from_value(serde_json::json!({
            "name": "m",
            "functions": [{"name": "dumps"}, {"name": "loads"}],
            "classes": [{"name": "Enc", "qualified_name": "m.Enc",
                         "methods": [{"name": "encode", "binding": "instance"}]}],
            "constants": [{"name": "pi", "type_name": "float", "value": 3.0}],
            "submodules": [{"name": "m.sub", "functions": [{"name": "f"}]}],
        }))
        .unwrap()
    }

    fn errors(options: &Options) -> Vec<String> {
        let m = module();
        check(&resolve(&m, options))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn names(list: &[&str]) -> Vec<Name> {
        list.iter().map(|n| Name::new(*n)).collect()
    }

    #[test]
    fn good_entries_pass() {
        let options = Options {
            include: names(&["dumps", "Enc", "pi", "sub", "sub.f"]),
            streaming: names(&["loads", "Enc.encode", "sub.f"]),
            exclude: names(&["whatever"]),
            ..Options::default()
        };
        assert_eq!(errors(&options), Vec::<String>::new());
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let options = Options {
            include: names(&["dump", "sub.g"]),
            streaming: names(&["Enc.encod", "Nope.x"]),
            ..Options::default()
        };
        assert_eq!(
            errors(&options),
            [
                "`m` has no function, class, constant or submodule named `dump`; did you mean `dumps`?",
                "`m.sub` has no function, class, constant or submodule named `g`; did you mean `f`?",
                "`streaming` takes module functions and `Class.method`s, but class `Enc` of `m` has no method named `encod`; did you mean `encode`?",
                "`streaming` takes module functions and `Class.method`s, but `m` has no class named `Nope`",
            ]
        );
        let two = Options {
            include: names(&["dump", "lods"]),
            ..Options::default()
        };
        let m = module();
        let combined = combine(check(&resolve(&m, &two))).unwrap();
        assert_eq!(combined.into_iter().count(), 2);
    }
}
