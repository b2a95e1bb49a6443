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
//! (by this invocation) is mirrored.

use super::callable::{self, Callable, Target};
use super::plan;
use super::{Lookup, ModuleCtx};
use crate::docs;
use crate::model::{AttributeInfo, ClassInfo, MethodBinding, MethodInfo};
use crate::names::{self, Scope};
use crate::typemap::{self, RustType};
use proc_macro2::TokenStream;
use quote::quote;

/// The Rust names of a class's members, settled before any code is emitted (builder type names
/// live in the module's namespace, so all of them must be known first).
#[derive(Debug, Default)]
pub struct Members<'m> {
    /// The constructor's builder type name (exported classes only).
    pub ctor_builder: Option<String>,
    /// `(method, Rust name, builder type name)`.
    pub methods: Vec<(&'m MethodInfo, String, String)>,
    /// `(attribute, getter name, setter name unless read-only)`.
    pub attrs: Vec<(&'m AttributeInfo, String, Option<String>)>,
}

impl Members<'_> {
    /// The builder type names claimed for this class.
    pub fn builders(&self) -> impl Iterator<Item = String> + '_ {
        self.ctor_builder
            .iter()
            .chain(self.methods.iter().map(|(_, _, b)| b))
            .cloned()
    }
}

/// Names the members of `info`: `new` is reserved for the constructor; Python names come next;
/// then `set_*` setters; builder type names are claimed in `module_scope`.
pub fn members<'m>(
    info: &'m ClassInfo,
    rust_name: &str,
    exported: bool,
    excluded: impl Fn(&str) -> bool,
    module_scope: &mut Scope<'_>,
) -> Members<'m> {
    let methods: Vec<&MethodInfo> = info
        .methods
        .iter()
        .filter(|m| exported || m.binding == MethodBinding::Instance)
        .filter(|m| !excluded(&m.function.name))
        .collect();
    let attrs: Vec<&AttributeInfo> = info
        .attributes
        .iter()
        .filter(|a| !excluded(&a.name))
        .collect();
    let mut wanted: Vec<(String, bool)> = methods
        .iter()
        .map(|m| names::method_base_name(&m.function.name))
        .collect();
    wanted.extend(attrs.iter().map(|a| names::base_name(&a.name)));
    let settable: Vec<&AttributeInfo> = attrs.iter().copied().filter(|a| !a.readonly).collect();
    for a in &settable {
        let (getter, _) = names::base_name(&a.name);
        wanted.push((format!("set_{getter}"), true));
    }
    let mut scope = Scope::with_reserved(["new"]);
    let mut assigned = scope.claim_all(&wanted).into_iter();

    let ctor_builder =
        exported.then(|| module_scope.claim(&callable::builder_name(Some(rust_name), "new")));
    let methods = methods
        .into_iter()
        .zip(assigned.by_ref())
        .map(|(m, name)| {
            let builder = module_scope.claim(&callable::builder_name(Some(rust_name), &name));
            (m, name, builder)
        })
        .collect();
    let getters: Vec<String> = assigned.by_ref().take(attrs.len()).collect();
    let mut setters = assigned;
    let attrs = attrs
        .into_iter()
        .zip(getters)
        .map(|(a, getter)| {
            let setter = if a.readonly { None } else { setters.next() };
            (a, getter, setter)
        })
        .collect();
    Members {
        ctor_builder,
        methods,
        attrs,
    }
}

/// A class to emit.
pub struct ClassItem<'a> {
    pub info: &'a ClassInfo,
    /// The struct's name.
    pub rust_name: &'a str,
    pub members: &'a Members<'a>,
    /// The path of the base struct (relative to the module the class is emitted in).
    pub base: Option<TokenStream>,
    /// Exported classes are constructible and have static methods; hidden ancestors only carry
    /// instance methods and attributes (they are only reached through a subclass's `Deref`).
    pub exported: bool,
    /// `(module, name)` under which Python reaches the class.
    pub python: (String, String),
}

/// Emits the class; the returned tokens go at module level.
pub fn emit(c: &ClassItem<'_>, ctx: &ModuleCtx<'_>) -> TokenStream {
    let info = c.info;
    let struct_name = names::ident(c.rust_name);
    let (py_module, py_class) = (&c.python.0, &c.python.1);
    let python_path = format!("{py_module}.{py_class}");
    let lookup = Lookup {
        self_type: Some(quote!(#struct_name)),
        ..ctx.lookup()
    };

    let mut members = Vec::new();
    let mut builder_items = Vec::new();

    if c.exported {
        let ctor = info.constructor.clone().unwrap_or_default();
        let plan = plan::Plan {
            ret: RustType::Class(typemap::ClassPath::new("Self", quote!(#struct_name))),
            ..plan::plan(&ctor, false, &lookup)
        };
        // The class docstring goes on the struct; repeat it on `new` only if `__init__` has
        // its own.
        let own_doc = ctor
            .doc
            .as_deref()
            .filter(|d| Some(*d) != info.doc.as_deref());
        let doc = docs::render(
            own_doc,
            &python_path,
            &sig_texts(&ctor),
            Some(ctor.signature_source),
            Some(&format!(
                "Constructs a new {}: finish with `.call()`.",
                docs::code_span(py_class)
            )),
        );
        let (item, builder_tokens) = callable::emit(&Callable {
            python_name: "__init__",
            rust_name: "new",
            builder: plan
                .needs_builder()
                .then_some(c.members.ctor_builder.as_deref())
                .flatten(),
            target: Target::Constructor {
                module: py_module,
                class: py_class,
            },
            plan: &plan,
            doc,
            python_path: &python_path,
            reserved: ctx.values,
        });
        members.push(item);
        builder_items.push(builder_tokens);
    }

    for (m, rust_name, builder) in &c.members.methods {
        let f = &m.function;
        let key = format!("{}.{}", info.name, f.name);
        let streams = f.is_generator || f.name == "__iter__" || ctx.streams(&key);
        let plan = plan::plan(f, streams, &lookup);
        let target = match m.binding {
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
            super::callable_note(&plan, streams).as_deref(),
        );
        let (item, builder_tokens) = callable::emit(&Callable {
            python_name: &f.name,
            rust_name,
            builder: plan.needs_builder().then_some(builder.as_str()),
            target,
            plan: &plan,
            doc,
            python_path: &method_path,
            reserved: ctx.values,
        });
        members.push(item);
        builder_items.push(builder_tokens);
    }

    for (a, getter, setter) in &c.members.attrs {
        let ty = typemap::map(a.annotation.as_ref(), &lookup);
        let name = &a.name;
        let attr_path = format!("{python_path}.{name}");
        let ret = ty.owned();
        let getter = names::ident(getter);
        let doc = docs::render_plain(a.doc.as_deref(), &attr_path);
        members.push(quote! {
            #[doc = #doc]
            pub fn #getter(&self) -> __sb::Result<#ret> { __sb::get_attr(__sb::PyClass::as_py_ref(self), #name) }
        });
        if let Some(setter) = setter {
            let param = ty.param();
            let value = names::ident(&Scope::within(ctx.values).claim("value"));
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
    let (field, macro_call) = match &c.base {
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
