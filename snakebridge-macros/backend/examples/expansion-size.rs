//! Measures the size of the expansion of cached modules, without Python or a compiler.
//!
//! ```text
//! cargo run -p snakebridge-codegen --example expansion-size -- cache/numpy+linalg.json cache/sympy.json
//! ```
//!
//! For each cache file: the number of generated items (functions, classes, constants, builder
//! types), the items rustdoc lists on the root module's page (public, not `#[doc(hidden)]`), the
//! token count, and the pretty-printed size in lines and bytes; generation time.
//! With `--print` first, the pretty-printed expansion follows each summary (to read what the
//! macro emits for a whole package).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use proc_macro2::{TokenStream, TokenTree};
use snakebridge_codegen::codegen::resolve;
use snakebridge_codegen::{Options, cache};

fn count_tokens(tokens: TokenStream) -> usize {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => 1 + count_tokens(g.stream()),
            _ => 1,
        })
        .sum()
}

/// Whether rustdoc lists `item` on its module's page: a public item not `#[doc(hidden)]`
/// (macro invocations expand to impls, which it does not list).
fn on_module_page(item: &syn::Item) -> bool {
    let (vis, attrs) = match item {
        syn::Item::Fn(i) => (&i.vis, &i.attrs),
        syn::Item::Struct(i) => (&i.vis, &i.attrs),
        syn::Item::Const(i) => (&i.vis, &i.attrs),
        syn::Item::Mod(i) => (&i.vis, &i.attrs),
        syn::Item::Trait(i) => (&i.vis, &i.attrs),
        syn::Item::Enum(i) => (&i.vis, &i.attrs),
        syn::Item::Type(i) => (&i.vis, &i.attrs),
        syn::Item::Static(i) => (&i.vis, &i.attrs),
        _ => return false,
    };
    let hidden = attrs.iter().any(|a| {
        a.path().is_ident("doc") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "hidden")
    });
    matches!(vis, syn::Visibility::Public(_)) && !hidden
}

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let print = args.first().is_some_and(|a| a == "--print");
    if print {
        args.remove(0);
    }
    for arg in args {
        let file = match cache::read_cache_file(Path::new(&arg)) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{arg}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let module = file.result;
        let options = Options::default();
        let resolved = resolve::resolve(&module, &options);
        let (mut functions, mut classes, mut constants, mut builders) = (0, 0, 0, 0);
        for m in &resolved.mods {
            functions += m.functions.len();
            classes += m.classes.len() + m.hidden.len();
            constants += m.constants.len();
            builders += m.functions.iter().filter(|f| f.builder.is_some()).count();
            for c in m.classes.iter().chain(&m.hidden) {
                builders += c.ctor.iter().filter(|f| f.builder.is_some()).count();
                builders += c
                    .methods
                    .iter()
                    .filter(|f| f.callable.builder.is_some())
                    .count();
            }
        }
        let started = Instant::now();
        let tokens = snakebridge_codegen::generate(&module, &options);
        let elapsed = started.elapsed();
        let text = tokens.to_string();
        let token_count = count_tokens(tokens.clone());
        let page_items = syn::parse2::<syn::File>(tokens.clone())
            .map(|f| f.items.iter().filter(|i| on_module_page(i)).count())
            .unwrap_or(0);
        let name = proc_macro2::Ident::new("m", proc_macro2::Span::call_site());
        let pretty = match syn::parse2::<syn::File>(quote::quote!(pub mod #name { #tokens })) {
            Ok(f) => prettyplease::unparse(&f),
            Err(e) => {
                eprintln!("{arg}: the expansion does not parse: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        println!(
            "{arg}: {} modules, {functions} functions, {classes} classes, {constants} constants, \
             {builders} builder types; {page_items} items on the root module's page; \
             {token_count} tokens, {} bytes as tokens, \
             {} lines / {} bytes pretty-printed; generate {:.0} ms",
            resolved.mods.len(),
            text.len(),
            pretty.lines().count(),
            pretty.len(),
            elapsed.as_secs_f64() * 1e3,
        );
        if print {
            println!("{pretty}");
        }
    }
    status
}
