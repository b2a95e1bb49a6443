//! Emitting one class: its struct, constructor, methods and attribute accessors.
//!
//! ```text
//! #[repr(transparent)] pub struct JSONEncoder(PyRef);          // root class
//! #[repr(transparent)] pub struct Sub(super::Base);             // subclass: Deref<Target = Base>
//! __py_class!(Sub, "mod", "Sub", base = super::Base);
//! impl Sub { pub fn new(..) -> ..; pub fn method(&self, ..) -> ..; pub fn attr(&self) -> ..; .. }
//! ```
//!
//! Inheritance is mirrored once: a class's struct carries only what its own `__dict__` defines;
//! the rest is reached through `Deref` to the base's struct. Only the first base that is bound
//! (by this invocation) is mirrored. Member names, plans and types come from `resolve`.

use super::callable::{self, Callable, Target};
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

    let mut members = Vec::new();
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
                "Constructs a new {}: finish with `.call()`.",
                docs::code_span(py_class)
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
        members.push(item);
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
            callable::note(&m.callable.plan).as_deref(),
        );
        let (item, builder_tokens) = callable::emit(&Callable {
            python_name: &f.name,
            callable: &m.callable,
            target,
            doc,
            python_path: &method_path,
            reserved: values,
        });
        members.push(item);
        builder_items.push(builder_tokens);
    }

    for a in &c.attrs {
        let ty = &a.ty;
        let name = &a.info.name;
        let attr_path = format!("{python_path}.{name}");
        let ret = ty.owned();
        let getter = names::ident(&a.getter);
        let doc = docs::render_plain(a.info.doc.as_deref(), &attr_path);
        members.push(quote! {
            #[doc = #doc]
            pub fn #getter(&self) -> __sb::Result<#ret> { __sb::get_attr(__sb::PyClass::as_py_ref(self), #name) }
        });
        if let Some(setter) = &a.setter {
            let param = ty.param();
            let value = names::ident(&Scope::within(values).claim("value"));
            let arg = ty.arg(&quote!(#value));
            let setter = names::ident(setter);
            let doc = format!("Sets {}.", docs::code_span(&attr_path));
            members.push(quote! {
                #[doc = #doc]
                pub fn #setter(&self, #value: #param) -> __sb::Result<()> { __sb::set_attr(__sb::PyClass::as_py_ref(self), #name, #arg) }
            });
        }
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
    quote! {
        #[doc = #doc]
        #hidden
        #[repr(transparent)]
        pub struct #struct_name(#field);
        #macro_call
        impl #struct_name { #(#members)* }
        #(#builder_items)*
    }
}

/// The signature texts of a callable, for its docs.
pub fn sig_texts(f: &crate::model::FunctionInfo) -> Vec<&str> {
    f.signatures.iter().map(|s| s.text.as_str()).collect()
}
