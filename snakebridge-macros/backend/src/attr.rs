//! The attribute front end: `#[python_module("numpy", submodules = [...], ...)]` and the `mod` it
//! sits on.
//!
//! Arguments, in any order after the module name:
//!
//! | argument | form | meaning |
//! |---|---|---|
//! | module name | `"numpy"` (first, positional, required) | the Python module to bind (dotted names allowed) |
//! | `submodules` | `["linalg", "random"]` | submodules to bind as nested `mod`s, relative to the module |
//! | `include` | `["array", "linalg.norm"]` | bind only these names (per module addressed; see `codegen`) |
//! | `exclude` | `["x"]` | never bind these names |
//! | `streaming` | `["gen", "Class.method"]` | also treat these callables as generators (`stream()`) |
//! | `cache` | `"cache/py"` | the cache directory, relative to `CARGO_MANIFEST_DIR` (default `cache`) |
//!
//! Every misuse is reported as a [`syn::Error`] spanned on the offending argument, and all of them
//! are reported at once (errors are accumulated as `serde_derive` does).

use crate::names::did_you_mean;
use darling::ast::NestedMeta;
use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta};

/// The parsed arguments of `#[python_module(...)]`.
#[derive(Debug, Clone)]
pub struct ModuleArgs {
    /// The Python module name, e.g. `"numpy"`; its span is where import errors point.
    pub module: LitStr,
    /// `submodules = [...]`, relative names.
    pub submodules: Vec<LitStr>,
    /// `include = [...]`.
    pub include: Vec<LitStr>,
    /// `exclude = [...]`.
    pub exclude: Vec<LitStr>,
    /// `streaming = [...]`.
    pub streaming: Vec<LitStr>,
    /// `cache = "dir"`.
    pub cache: Option<LitStr>,
}

const ARGUMENTS: &[&str] = &["submodules", "include", "exclude", "streaming", "cache"];

/// Parses the attribute's arguments (the tokens inside `#[python_module(...)]`).
pub fn parse_args(attr: TokenStream) -> syn::Result<ModuleArgs> {
    let items = NestedMeta::parse_meta_list(attr)?;
    let mut errors = darling::Error::accumulator();
    let mut items = items.into_iter().peekable();

    let module = match items.peek() {
        Some(NestedMeta::Lit(Lit::Str(lit))) => {
            let lit = lit.clone();
            items.next();
            if let Err(msg) = check_dotted_name(&lit.value()) {
                errors.push(error(
                    &lit,
                    format!(
                        "invalid Python module name {:?}: {msg}; write it as Python would import it, e.g. \"numpy\" or \"os.path\"",
                        lit.value()
                    ),
                ));
            }
            Some(lit)
        }
        Some(NestedMeta::Lit(other)) => {
            errors.push(error(
                other,
                "the module name must be a string literal, e.g. `#[python_module(\"json\")]`",
            ));
            items.next();
            None
        }
        Some(NestedMeta::Meta(meta)) => {
            errors.push(error(
                meta,
                "the Python module name comes first: `#[python_module(\"numpy\", ...)]`",
            ));
            None
        }
        None => {
            errors.push(
                darling::Error::custom(
                    "missing the Python module name: write `#[python_module(\"json\")]`",
                )
                .with_span(&Span::call_site()),
            );
            None
        }
    };

    let mut args = ModuleArgs {
        module: module.unwrap_or_else(|| LitStr::new("", Span::call_site())),
        submodules: Vec::new(),
        include: Vec::new(),
        exclude: Vec::new(),
        streaming: Vec::new(),
        cache: None,
    };
    let mut seen: Vec<String> = Vec::new();

    for item in items {
        let meta = match item {
            NestedMeta::Lit(lit) => {
                errors.push(error(
                    &lit,
                    "unexpected literal: only the module name is positional; other arguments are `name = value`",
                ));
                continue;
            }
            NestedMeta::Meta(meta) => meta,
        };
        let path = meta.path();
        let name = path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""));
        if !ARGUMENTS.contains(&name.as_str()) {
            let hint = match did_you_mean(&name, ARGUMENTS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            errors.push(error(
                path,
                format!(
                    "unknown argument `{name}`; {hint}the arguments are: {}",
                    ARGUMENTS.join(", ")
                ),
            ));
            continue;
        }
        if seen.contains(&name) {
            errors.push(error(
                path,
                format!("`{name}` is given twice; give it once (merge the lists)"),
            ));
            continue;
        }
        seen.push(name.clone());
        let value = match &meta {
            Meta::NameValue(nv) => &nv.value,
            Meta::Path(_) => {
                errors.push(error(
                    &meta,
                    format!("`{name}` needs a value: {}", example(&name)),
                ));
                continue;
            }
            Meta::List(_) => {
                errors.push(error(
                    &meta,
                    format!("write `{name}` as {}", example(&name)),
                ));
                continue;
            }
        };
        if name == "cache" {
            match value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if !s.value().trim().is_empty() => {
                    args.cache = Some(s.clone())
                }
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => errors.push(error(
                    s,
                    "`cache` must name a directory, e.g. `cache = \"cache\"` (relative to CARGO_MANIFEST_DIR)",
                )),
                other => errors.push(error(
                    other,
                    "`cache` takes a string literal: the cache directory relative to CARGO_MANIFEST_DIR, e.g. `cache = \"cache\"`",
                )),
            }
            continue;
        }
        let Some(list) = string_list(&name, value, &mut errors) else {
            continue;
        };
        match name.as_str() {
            "submodules" => args.submodules = list,
            "include" => args.include = list,
            "exclude" => args.exclude = list,
            "streaming" => args.streaming = list,
            _ => unreachable!("checked against ARGUMENTS"),
        }
    }

    for sub in &args.submodules {
        let module = args.module.value();
        if !module.is_empty() && sub.value().starts_with(&format!("{module}.")) {
            errors.push(error(
                sub,
                format!(
                    "submodules are relative to the module: write {:?}",
                    &sub.value()[module.len() + 1..]
                ),
            ));
        }
    }
    for ex in &args.exclude {
        if args.include.iter().any(|inc| inc.value() == ex.value()) {
            errors.push(error(
                ex,
                format!(
                    "{:?} is both included and excluded; remove it from one of the lists",
                    ex.value()
                ),
            ));
        }
    }

    errors.finish().map_err(syn::Error::from)?;
    Ok(args)
}

/// Parses and checks the item: it must be an empty inline module (`pub mod np {}`).
pub fn parse_item(item: TokenStream) -> syn::Result<syn::ItemMod> {
    let span = item.span();
    let module: syn::ItemMod = syn::parse2(item).map_err(|_| {
        syn::Error::new(
            span,
            "#[python_module] goes on an empty inline module, e.g. `pub mod json {}`",
        )
    })?;
    match &module.content {
        None => Err(syn::Error::new(
            module.span(),
            format!(
                "#[python_module] needs an inline module: write `mod {} {{}}` instead of `mod {};`",
                module.ident, module.ident
            ),
        )),
        Some((_, items)) if !items.is_empty() => Err(syn::Error::new(
            module.span(),
            "the module must be empty: #[python_module] fills it with the generated bindings; put your own items in another module",
        )),
        Some(_) => Ok(module),
    }
}

/// Parses `["a", "b.c"]`, reporting non-lists, non-strings, bad names and duplicates.
fn string_list(
    name: &str,
    value: &Expr,
    errors: &mut darling::error::Accumulator,
) -> Option<Vec<LitStr>> {
    let array = match value {
        Expr::Array(array) => array,
        other => {
            errors.push(error(
                other,
                format!("`{name}` takes a list of strings: {}", example(name)),
            ));
            return None;
        }
    };
    let mut out: Vec<LitStr> = Vec::new();
    for elem in &array.elems {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = elem
        else {
            errors.push(error(
                elem,
                format!("`{name}` takes string literals: {}", example(name)),
            ));
            continue;
        };
        if let Err(msg) = check_dotted_name(&s.value()) {
            errors.push(error(
                s,
                format!("invalid name {:?} in `{name}`: {msg}", s.value()),
            ));
        } else if out.iter().any(|o| o.value() == s.value()) {
            errors.push(error(
                s,
                format!("{:?} appears twice in `{name}`; list it once", s.value()),
            ));
        } else {
            out.push(s.clone());
        }
    }
    Some(out)
}

/// Checks a dotted Python name (`numpy`, `os.path`, `linalg.norm`).
fn check_dotted_name(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        return Err("it is empty");
    }
    for part in s.split('.') {
        let mut chars = part.chars();
        match chars.next() {
            None => return Err("it has an empty part between dots"),
            Some(c) if !(c == '_' || unicode_ident::is_xid_start(c)) => {
                return Err("each dotted part must start with a letter or `_`");
            }
            _ => {}
        }
        if !chars.all(unicode_ident::is_xid_continue) {
            return Err("it may contain only letters, digits, `_` and dots");
        }
    }
    Ok(())
}

fn example(name: &str) -> &'static str {
    match name {
        "submodules" => "`submodules = [\"linalg\"]`",
        "include" => "`include = [\"array\", \"sqrt\"]`",
        "exclude" => "`exclude = [\"legacy\"]`",
        "streaming" => "`streaming = [\"iterate\"]`",
        _ => "`cache = \"cache\"`",
    }
}

fn error<T: Spanned + ?Sized>(node: &T, msg: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(msg).with_span(&node.span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn messages(attr: TokenStream) -> Vec<String> {
        match parse_args(attr) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn full_form_parses() {
        let args = parse_args(quote!(
            "numpy",
            submodules = ["linalg"],
            include = ["array", "sqrt"],
            exclude = ["x"],
            streaming = ["gen"],
            cache = "py/cache"
        ))
        .unwrap();
        assert_eq!(args.module.value(), "numpy");
        assert_eq!(args.submodules[0].value(), "linalg");
        assert_eq!(args.include.len(), 2);
        assert_eq!(args.exclude[0].value(), "x");
        assert_eq!(args.streaming[0].value(), "gen");
        assert_eq!(args.cache.unwrap().value(), "py/cache");
    }

    #[test]
    fn missing_or_bad_module_name() {
        assert!(messages(quote!())[0].contains("missing the Python module name"));
        assert!(messages(quote!(include = ["a"]))[0].contains("module name comes first"));
        assert!(messages(quote!(42))[0].contains("must be a string literal"));
        assert!(messages(quote!(""))[0].contains("it is empty"));
        assert!(messages(quote!("numpy..linalg"))[0].contains("empty part"));
        assert!(messages(quote!("num py"))[0].contains("only letters"));
    }

    #[test]
    fn unknown_argument_suggests() {
        let m = messages(quote!("json", includes = ["a"]));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].contains("unknown argument `includes`; did you mean `include`?"),
            "{m:?}"
        );
        let m = messages(quote!("json", frobnicate = 1));
        assert!(m[0].contains("the arguments are: submodules"), "{m:?}");
    }

    #[test]
    fn wrong_value_types() {
        assert!(messages(quote!("json", include = "a"))[0].contains("takes a list of strings"));
        assert!(messages(quote!("json", include = [1]))[0].contains("takes string literals"));
        assert!(
            messages(quote!("json", cache = ["a"]))[0].contains("`cache` takes a string literal")
        );
        assert!(messages(quote!("json", cache = ""))[0].contains("must name a directory"));
        assert!(messages(quote!("json", streaming))[0].contains("needs a value"));
        assert!(messages(quote!("json", include("a")))[0].contains("write `include` as"));
        assert!(
            messages(quote!("json", "extra"))[0].contains("only the module name is positional")
        );
        assert!(messages(quote!("json", include = ["a b"]))[0].contains("invalid name"));
    }

    #[test]
    fn duplicates_and_conflicts() {
        let m = messages(quote!("json", include = ["a"], include = ["b"]));
        assert!(m[0].contains("`include` is given twice"), "{m:?}");
        let m = messages(quote!("json", include = ["a", "a"]));
        assert!(m[0].contains("appears twice in `include`"), "{m:?}");
        let m = messages(quote!("json", include = ["a"], exclude = ["a"]));
        assert!(m[0].contains("both included and excluded"), "{m:?}");
        let m = messages(quote!("numpy", submodules = ["numpy.linalg"]));
        assert!(m[0].contains("write \"linalg\""), "{m:?}");
    }

    #[test]
    fn all_errors_are_reported_together() {
        let m = messages(quote!(42, bogus = 1, include = "x", cache = 3));
        assert_eq!(m.len(), 4, "{m:?}");
    }

    #[test]
    fn item_must_be_an_empty_inline_mod() {
        assert!(
            parse_item(quote!(
                pub mod np {}
            ))
            .is_ok()
        );
        let e = parse_item(quote!(
            mod np;
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("write `mod np {}`"), "{e}");
        let e = parse_item(quote!(
            mod np {
                fn f() {}
            }
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("must be empty"), "{e}");
        let e = parse_item(quote!(
            fn f() {}
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("empty inline module"), "{e}");
    }
}
