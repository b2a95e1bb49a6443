//! The macro's entry point: arguments → cache/introspection → generated module, with every failure
//! turned into a `compile_error!` at the right span.

use crate::attr::{self, ModuleArgs};
use crate::cache;
use crate::codegen::{self, Name, Options};
use crate::model::ModuleInfo;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;

/// Expands `#[python_module(attr)] item`.
///
/// Errors in the arguments and in the item are reported together; cache and import errors point
/// at the module-name literal. On error the module is still emitted (empty) so that the error is
/// not buried under "unresolved module" errors from its uses.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = attr::parse_args(attr);
    let module = attr::parse_item(item.clone());
    let (args, module) = match (args, module) {
        (Ok(args), Ok(module)) => (args, module),
        (args, module) => {
            let mut errors = args.err();
            if let Err(e) = &module {
                match &mut errors {
                    Some(all) => all.combine(e.clone()),
                    None => errors = Some(e.clone()),
                }
            }
            let errors = errors.map(|e| e.to_compile_error());
            // Keep a module (made inline if it was `mod x;`, which would add a missing-file
            // error); anything else is left out, the error says what to write.
            let item = syn::parse2::<syn::ItemMod>(item).ok().map(|mut module| {
                if module.content.is_none() {
                    module.content = Some((Default::default(), Vec::new()));
                    module.semi = None;
                }
                module
            });
            return quote!(#errors #item);
        }
    };

    let started = std::time::Instant::now();
    let loaded = match load(&args) {
        Ok(loaded) => loaded,
        Err(message) => {
            let error = syn::Error::new(args.module.span(), message).to_compile_error();
            return quote!(#error #module);
        }
    };
    let options = Options {
        include: args.include.iter().map(Name::from).collect(),
        exclude: args.exclude.iter().map(Name::from).collect(),
        streaming: args.streaming.iter().map(Name::from).collect(),
        cache_file: Some(loaded.1),
    };
    let loaded_at = started.elapsed();
    let content = codegen::generate(&loaded.0, &options);
    if std::env::var_os("SNAKEBRIDGE_TIMINGS").is_some() {
        // Opt-in, for measuring expansion cost (cargo shows it with `-vv` or on errors).
        eprintln!(
            "snakebridge: `{}`: loaded in {loaded_at:?}, generated in {:?}",
            args.module.value(),
            started.elapsed() - loaded_at
        );
    }
    let syn::ItemMod {
        attrs,
        vis,
        mod_token,
        ident,
        ..
    } = module;
    // `mod np { #![allow(..)] }` is still an empty module; its inner attributes stay inside.
    let (inner, outer): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
    quote! {
        #(#outer)*
        #vis #mod_token #ident { #(#inner)* #content }
    }
}

/// The cache directory for `args` (see [`cache::resolve_cache_dir`]).
fn cache_dir(args: &ModuleArgs) -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let explicit = args.cache.as_ref().map(|c| PathBuf::from(c.value()));
    cache::resolve_cache_dir(&manifest, explicit.as_deref())
}

/// Loads the module's introspection (from the cache, or by running the introspector), returning
/// it with the absolute path of the cache file it came from.
fn load(args: &ModuleArgs) -> Result<(ModuleInfo, PathBuf), String> {
    let request = cache::IntrospectRequest::new(
        args.module.value(),
        args.submodules.iter().map(|s| s.value()),
    );
    let loaded =
        cache::load_or_introspect(&request, &cache_dir(args)).map_err(|e| e.to_string())?;
    // `include_bytes!` resolves relative paths against the invoking source file.
    let path = std::path::absolute(&loaded.path).unwrap_or(loaded.path);
    Ok((loaded.module, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(tokens: &TokenStream) -> Vec<String> {
        // `compile_error! { "..." }` invocations, in order.
        let text = tokens.to_string();
        text.split("compile_error !")
            .skip(1)
            .map(|rest| {
                let start = rest.find('"').unwrap() + 1;
                let end = start + rest[start..].find("\" }").unwrap();
                rest[start..end].to_owned()
            })
            .collect()
    }

    #[test]
    fn argument_and_item_errors_are_reported_together() {
        let out = expand(
            quote!("json", includ = ["x"]),
            quote!(
                pub mod j {
                    fn f() {}
                }
            ),
        );
        let m = messages(&out);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].contains("did you mean `include`"), "{m:?}");
        assert!(m[1].contains("must be empty"), "{m:?}");
        // The module itself is kept so that its uses do not add "unresolved" errors.
        assert!(out.to_string().contains("pub mod j"));
    }

    #[test]
    fn an_outline_module_is_kept_inline() {
        let out = expand(
            quote!("json"),
            quote!(
                mod j;
            ),
        );
        assert_eq!(messages(&out).len(), 1);
        assert!(out.to_string().contains("mod j { }"), "{out}");
    }

    #[test]
    fn a_non_module_item_is_only_an_error() {
        let out = expand(
            quote!("json"),
            quote!(
                fn f() {}
            ),
        );
        assert_eq!(messages(&out).len(), 1);
        assert!(!out.to_string().contains("fn f"));
    }
}
