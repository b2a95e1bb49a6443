//! Stage 3, emission: the tokens of the bindings module, read off the [`Resolved`] tree. Every
//! name, plan, type and class path was settled by [`resolve`](super::resolve); this stage only
//! renders docs and writes items (the `callable` and `class` submodules emit one callable and one
//! class).

use super::callable::{self, Callable, Target};
use super::class;
use super::resolve::{ANCESTORS, PRELUDE, Resolved, ResolvedConstant};
use crate::docs;
use crate::names;
use proc_macro2::TokenStream;
use quote::quote;

/// The items of module `i`; `root_extra` goes only into the root (which also carries the lint
/// `allow`s that all submodules inherit).
pub fn module(r: &Resolved<'_>, i: usize, root_extra: Option<TokenStream>) -> TokenStream {
    let m = &r.mods[i];
    let module = m.info.name.as_str();
    let mut doc = docs::render_plain(m.info.doc.as_deref(), module);
    if !m.info.left_out.is_empty() {
        // What could not be bound stays visible where users look for it.
        doc.push_str("\n\n# Left out\n\nThese members could not be bound as typed items:\n\n");
        for l in &m.info.left_out {
            doc.push_str(&format!(
                "- {}: {}\n",
                crate::markdown::code_span(&l.name),
                l.reason
            ));
        }
    }
    let allows = (i == 0).then(|| {
        quote! {
            #![allow(
                non_camel_case_types, non_snake_case, non_upper_case_globals, missing_docs,
                unused_qualifications, unreachable_pub, dead_code,
                clippy::all, clippy::pedantic, clippy::nursery,
                rustdoc::broken_intra_doc_links, rustdoc::bare_urls, rustdoc::invalid_html_tags,
                rustdoc::invalid_rust_codeblocks
            )]
        }
    });
    let prelude = if i == 0 {
        quote! {
            #[allow(unused_imports)]
            mod __sb {
                pub use ::snakebridge::__private::*;
                pub use ::core::primitive::{bool, f64, i64, str, u8};
                pub use ::std::{collections::HashMap, convert::Into, include_bytes, iter::IntoIterator, option::Option, string::String, vec, vec::Vec};
                /// Converts a parameter into a `Value` (shorter than the trait path).
                #[inline]
                pub fn v(value: impl IntoValue) -> Value {
                    IntoValue::into_value(value)
                }
            }
        }
    } else {
        quote!(
            use super::__sb;
        )
    };

    let mut items = Vec::new();
    for f in &m.functions {
        let info = &f.info;
        let python_path = format!("{module}.{}", info.name);
        let doc = docs::render(
            info.doc.as_deref(),
            &python_path,
            &class::sig_texts(info),
            Some(info.signature_source),
            callable::note(f).as_deref(),
        );
        let (item, builder_items) = callable::emit(&Callable {
            python_name: &info.name,
            callable: f,
            target: Target::Function { module },
            doc,
            python_path: &python_path,
            reserved: &m.values,
        });
        items.push(item.public());
        items.push(builder_items);
    }

    for c in &m.classes {
        items.push(class::emit(c, &m.values));
    }

    for c in &m.constants {
        items.push(constant(module, c));
    }

    if !m.hidden.is_empty() {
        let hidden = m.hidden.iter().map(|c| class::emit(c, &m.hidden_values));
        let ancestors = names::ident(ANCESTORS);
        items.push(quote! {
            #[doc(hidden)]
            pub mod #ancestors {
                use super::__sb;
                #(#hidden)*
            }
        });
    }

    for (child, name) in &m.submodules {
        let content = self::module(r, *child, None);
        let name = names::ident(name);
        items.push(quote! { pub mod #name { #content } });
    }

    // The member traits of this module, its ancestors and its submodules, imported anonymously
    // (`as _`) so that a glob import brings their methods into scope without their names.
    let ancestors = names::ident(ANCESTORS);
    let traits = m
        .classes
        .iter()
        .filter_map(|c| c.members_trait.as_deref())
        .map(|t| {
            let t = names::ident(t);
            quote!(pub use super::#t as _;)
        })
        .chain(
            m.hidden
                .iter()
                .filter_map(|c| c.members_trait.as_deref())
                .map(|t| {
                    let t = names::ident(t);
                    quote!(pub use super::#ancestors::#t as _;)
                }),
        )
        .chain(m.submodules.iter().map(|(_, name)| {
            let name = names::ident(name);
            let prelude = names::ident(PRELUDE);
            quote!(pub use super::#name::#prelude::*;)
        }));
    let prelude_mod = names::ident(PRELUDE);
    let prelude_doc = format!(
        "`use` this module's `{PRELUDE}::*` to call the members classes inherit from mixins \
         (bases other than the first): it brings their traits into scope."
    );
    items.push(quote! {
        #[doc = #prelude_doc]
        pub mod #prelude_mod {
            #(#traits)*
        }
    });

    quote! {
        #![doc = #doc]
        #allows
        #prelude
        #root_extra
        #(#items)*
    }
}

/// A module constant: a `const` for plain values, a getter otherwise.
fn constant(module: &str, rc: &ResolvedConstant<'_>) -> TokenStream {
    use serde_json::Value as J;
    let c = rc.info;
    let name = names::ident(&rc.rust_name);
    let py = &c.name;
    let doc = docs::render_plain(c.doc.as_deref(), &format!("{module}.{py}"));
    let doc = format!(
        "{doc}\n\nPython type: {}.",
        crate::markdown::code_span(&c.type_name)
    );
    let plain = match &c.value {
        Some(J::Null) => Some((quote!(()), quote!(()))),
        Some(J::Bool(b)) => Some((quote!(__sb::bool), quote!(#b))),
        Some(J::Number(n)) => {
            if let Some(v) = n.as_i64() {
                let lit = proc_macro2::Literal::i64_unsuffixed(v.unsigned_abs() as i64);
                let value = if v < 0 {
                    if v == i64::MIN {
                        quote!(__sb::i64::MIN)
                    } else {
                        quote!(-#lit)
                    }
                } else {
                    quote!(#lit)
                };
                Some((quote!(__sb::i64), value))
            } else if let Some(v) = n.as_f64().filter(|v| v.is_finite() && !n.is_u64()) {
                let lit = float_literal(v.abs());
                let value = if v.is_sign_negative() {
                    quote!(-#lit)
                } else {
                    quote!(#lit)
                };
                Some((quote!(__sb::f64), value))
            } else {
                None
            }
        }
        // The introspector spells non-finite floats as strings.
        Some(J::String(s)) if c.type_name == "float" => match s.as_str() {
            "nan" => Some((quote!(__sb::f64), quote!(__sb::f64::NAN))),
            "inf" => Some((quote!(__sb::f64), quote!(__sb::f64::INFINITY))),
            "-inf" => Some((quote!(__sb::f64), quote!(__sb::f64::NEG_INFINITY))),
            _ => None,
        },
        Some(J::String(s)) => Some((quote!(&__sb::str), quote!(#s))),
        // The model cannot tell a `None` value from an absent one; `None` is all it can be.
        _ if c.type_name == "NoneType" => Some((quote!(()), quote!(()))),
        _ => None,
    };
    if let Some((ty, value)) = plain {
        return quote! {
            #[doc = #doc]
            pub const #name: #ty = #value;
        };
    }
    let ret = rc.getter_type.owned();
    quote! {
        #[doc = #doc]
        pub fn #name() -> __sb::Result<#ret> { __sb::module_attr(#module, #py) }
    }
}

/// A float literal that round-trips, in `Debug` form: shortest digits, with an exponent for very
/// small or large values (`2.220446049250313e-16` rather than 31 digits of `Display`).
fn float_literal(v: f64) -> proc_macro2::Literal {
    format!("{v:?}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::f64_unsuffixed(v))
}
