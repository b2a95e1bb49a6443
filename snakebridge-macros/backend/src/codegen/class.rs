//! Emitting one class: its struct, constructor, methods and attribute accessors.
//!
//! ```text
//! #[repr(transparent)] pub struct JSONEncoder { __sb_ref: PyRef }      // root class
//! #[repr(transparent)] pub struct Sub { __sb_ref: super::Base }        // Deref<Target = Base>
//! __py_class!(Sub, "mod", "Sub", base = super::Base);
//! impl Sub { pub fn new(..) -> ..; pub fn method(&self, ..) -> ..; pub fn attr(&self) -> ..; .. }
//! pub trait MixinMethods: PyClass { fn mixed(&self) -> ..; }            // a mixin's members
//! impl MixinMethods for Sub {}                                         // Sub inherits Mixin
//! ```
//!
//! A class's struct carries what its own `__dict__` defines; its first bound base (its chain)
//! is reached through `Deref`, every other class of its MRO through that class's member trait,
//! and names the MRO defines twice through inherent copies (see `resolve`'s `Inheritance`).
//! Structs have a named field so that their names stay out of the value namespace (a parameter
//! called like a class is a binding, not a pattern). Member names, plans and types come from
//! `resolve`.

use super::callable::{self, Callable, Item, Target};
use super::resolve::ResolvedClass;
use crate::docs;
use crate::model::MethodBinding;
use crate::names::{self, Scope};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

/// Emits the class; the returned tokens go at module level.
/// `values` are the names parameter bindings must avoid in the module the class goes in.
pub fn emit(c: &ResolvedClass<'_>, values: &HashSet<String>) -> TokenStream {
    let info = c.info;
    let struct_name = names::ident(&c.rust_name);
    let (py_module, py_class) = (&c.python.0, &c.python.1);
    let python_path = format!("{py_module}.{py_class}");

    // Constructor and static methods (inherent only), instance members (inherent and/or in
    // the member trait), each with its Rust name.
    let mut statics: Vec<TokenStream> = Vec::new();
    let mut members: Vec<(&str, Item)> = Vec::new();
    let mut builder_items = Vec::new();

    if let Some(ctor) = &c.ctor {
        // The class docstring goes on the struct; repeat it on `new` only if `__init__` has
        // its own.
        let own_doc = ctor
            .info
            .doc
            .as_deref()
            .filter(|d| Some(*d) != info.doc.as_deref());
        let doc = docs::render(
            own_doc,
            &python_path,
            &sig_texts(&ctor.info),
            Some(ctor.info.signature_source),
            Some(&format!(
                "Constructs a new {}: finish with `.call()`.{}",
                crate::markdown::code_span(py_class),
                callable::optional_arguments(ctor)
                    .map(|t| format!("\n\n{t}"))
                    .unwrap_or_default()
            )),
        );
        let (item, builder_tokens) = callable::emit(&Callable {
            python_name: "__init__",
            callable: ctor,
            target: Target::Constructor {
                module: py_module,
                class: py_class,
            },
            doc,
            python_path: &python_path,
            reserved: values,
        });
        statics.push(item.public());
        builder_items.push(builder_tokens);
    }

    for m in &c.methods {
        let f = &m.method.function;
        let target = match m.method.binding {
            MethodBinding::Instance => Target::Method,
            MethodBinding::Static | MethodBinding::Class => Target::Static {
                module: py_module,
                class: py_class,
            },
        };
        let method_path = format!("{python_path}.{}", f.name);
        let doc = docs::render(
            f.doc.as_deref(),
            &method_path,
            &sig_texts(f),
            Some(f.signature_source),
            callable::note(&m.callable).as_deref(),
        );
        let (item, builder_tokens) = callable::emit(&Callable {
            python_name: &f.name,
            callable: &m.callable,
            target,
            doc,
            python_path: &method_path,
            reserved: values,
        });
        if m.method.binding == MethodBinding::Instance {
            members.push((&m.callable.rust_name, item));
        } else {
            statics.push(item.public());
        }
        builder_items.push(builder_tokens);
    }

    for a in &c.attrs {
        let ty = &a.ty;
        let name = &a.info.name;
        let attr_path = format!("{python_path}.{name}");
        let ret = ty.owned();
        let getter = names::ident(&a.getter);
        members.push((
            &a.getter,
            Item {
                doc: docs::render_plain(a.info.doc.as_deref(), &attr_path),
                sig: quote!(#getter(&self) -> __sb::Result<#ret>),
                body: quote!(__sb::get_attr(__sb::PyClass::as_py_ref(self), #name)),
            },
        ));
        if let Some(setter) = &a.setter {
            let param = ty.param();
            let value = names::ident(&Scope::within(values).claim("value"));
            let arg = ty.arg(&quote!(#value));
            let setter_id = names::ident(setter);
            members.push((
                setter,
                Item {
                    doc: format!("Sets {}.", crate::markdown::code_span(&attr_path)),
                    sig: quote!(#setter_id(&self, #value: #param) -> __sb::Result<()>),
                    body: quote!(__sb::set_attr(__sb::PyClass::as_py_ref(self), #name, #arg)),
                },
            ));
        }
    }

    if let Some(name) = &c.from_error {
        let id = names::ident(name);
        // The class's qualified name as errors spell it (without a `#2` disambiguation).
        let qualified = c.info.qualified_name.split('#').next().unwrap_or_default();
        let doc = format!(
            "The Python exception in `error` as {}, when it is one (subclasses included): \
             `{}::{name}(&err)`, then its attributes.",
            crate::markdown::code_span(&python_path),
            c.rust_name
        );
        let error = names::ident(&Scope::within(values).claim("error"));
        statics.push(quote! {
            #[doc = #doc]
            pub fn #id(#error: &__sb::Error) -> __sb::Option<Self> {
                __sb::exception_as(#error, #qualified)
            }
        });
    }

    if let Some(entered) = &c.context {
        let entered = entered.owned();
        let doc = format!(
            "Runs `body` inside this context manager, as Python's `with {} as value:` does: \
             `__exit__` always runs, with the exception when `body` returns an error or panics; \
             `None` when `__exit__` suppressed the exception (see `snakebridge::with_context`).",
            c.rust_name
        );
        let body = names::ident(&Scope::within(values).claim("body"));
        statics.push(quote! {
            #[doc = #doc]
            pub fn with<R>(
                &self,
                #body: impl FnOnce(#entered) -> __sb::Result<R>,
            ) -> __sb::Result<__sb::Option<R>> {
                __sb::with_context(__sb::PyClass::as_py_ref(self), #body)
            }
        });
    }

    if let Some((name, types)) = &c.tuple {
        let id = names::ident(name);
        let types = types.iter().map(|t| t.owned());
        let doc = format!(
            "The fields as a Rust tuple (Python `tuple(self)`): {}.",
            c.info
                .fields
                .iter()
                .flatten()
                .map(|f| crate::markdown::code_span(f))
                .collect::<Vec<_>>()
                .join(", ")
        );
        statics.push(quote! {
            #[doc = #doc]
            pub fn #id(&self) -> __sb::Result<(#(#types,)*)> {
                __sb::Call::function("builtins", "tuple", (__sb::PyClass::as_py_ref(self),)).call()
            }
        });
    }

    let doc = docs::render_plain(info.doc.as_deref(), &python_path);
    let (field, macro_call) = match &c.base_path {
        Some(base) => (
            base.clone(),
            quote!(__sb::__py_class!(#struct_name, #py_module, #py_class, base = #base);),
        ),
        None => (
            quote!(__sb::PyRef),
            quote!(__sb::__py_class!(#struct_name, #py_module, #py_class);),
        ),
    };
    let hidden = (!c.exported).then(|| quote!(#[doc(hidden)]));
    let inherent = c
        .inherent_members
        .then(|| members.iter().map(|(_, item)| item.public()))
        .into_iter()
        .flatten();
    let members_trait = c.members_trait.as_ref().map(|name| {
        let id = names::ident(name);
        let items = members.iter().map(|(_, item)| item.in_trait());
        let doc = format!(
            "The instance members of {}, for the classes that inherit them (bring it into \
             scope with the module's `prelude`).",
            crate::markdown::code_span(&python_path)
        );
        // Without inherent members the class reaches its own through the trait.
        let own = (!c.inherent_members).then(|| quote!(impl #id for #struct_name {}));
        quote! {
            #[doc = #doc]
            #hidden
            pub trait #id: __sb::PyClass { #(#items)* }
            #own
        }
    });
    let trait_impls = c
        .trait_impls
        .iter()
        .map(|t| quote!(impl #t for #struct_name {}));
    let forwards = c.forwards.iter().map(|(target, names)| {
        let items = members
            .iter()
            .filter(|(n, _)| names.iter().any(|m| m == n))
            .map(|(_, item)| item.public());
        quote!(impl #target { #(#items)* })
    });
    let operators = c.operators.iter().map(|g| {
        let ret = g.ret.owned();
        let rhs = &g.rhs;
        let ops = g.ops.iter().map(|(op, renamed)| {
            // Not `names::ident`: the macro matches `mod` as written, not `r#mod`.
            let op = proc_macro2::Ident::new(op, proc_macro2::Span::call_site());
            match renamed {
                Some(n) => {
                    let n = names::ident(n);
                    quote!(#op = #n)
                }
                None => quote!(#op),
            }
        });
        quote!(__sb::__py_ops!(#struct_name => #ret; [#(#rhs),*]; #(#ops),*);)
    });
    let iterable = c.iter_item.as_ref().map(|item| {
        let item = item.owned();
        quote!(__sb::__py_iter!(#struct_name => #item);)
    });
    quote! {
        #[doc = #doc]
        #hidden
        #[repr(transparent)]
        pub struct #struct_name { __sb_ref: #field }
        #macro_call
        impl #struct_name { #(#statics)* #(#inherent)* }
        #members_trait
        #(#trait_impls)*
        #(#operators)*
        #iterable
        #(#forwards)*
        #(#builder_items)*
    }
}

/// The signature texts of a callable, for its docs.
pub fn sig_texts(f: &crate::model::FunctionInfo) -> Vec<&str> {
    f.signatures.iter().map(|s| s.text.as_str()).collect()
}
