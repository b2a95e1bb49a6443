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
            let item = match module {
                Ok(module) => quote!(#module),
                // Not a module at all: leave the item out; the error says what to write.
                Err(_) => TokenStream::new(),
            };
            return quote!(#errors #item);
        }
    };

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
    let content = codegen::generate(&loaded.0, &options);
    let syn::ItemMod {
        attrs,
        vis,
        mod_token,
        ident,
        ..
    } = module;
    quote! {
        #(#attrs)*
        #vis #mod_token #ident { #content }
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
    let loaded = cache::load_or_introspect(&request, &cache_dir(args)).map_err(|e| e.to_string())?;
    // `include_bytes!` resolves relative paths against the invoking source file.
    let path = std::path::absolute(&loaded.path).unwrap_or(loaded.path);
    Ok((loaded.module, path))
}
