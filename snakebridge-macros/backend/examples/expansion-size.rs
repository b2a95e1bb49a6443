//! Measures the size of the expansion of cached modules, without Python or a compiler.
//!
//! ```text
//! cargo run -p snakebridge-codegen --example expansion-size -- cache/numpy+linalg.json cache/sympy.json
//! ```
//!
//! For each cache file: the number of generated items (functions, classes, constants, builder
//! types), the token count, and the pretty-printed size in lines and bytes; generation time.
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
             {builders} builder types; {token_count} tokens, {} bytes as tokens, \
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
