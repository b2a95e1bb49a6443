//! Emitting one callable: a module function, a constructor, a method or a static/class method.
//!
//! The shape, for `json.dumps(obj, *, indent=None, ...)`:
//!
//! ```text
//! pub fn dumps(obj: impl IntoValue) -> DumpsCall {
//!     static SITE: CallSite = CallSite::new("json", "dumps");
//!     DumpsCall(Call::at(&SITE, (obj,)))
//! }
//! pub struct DumpsCall(Call<String>);
//! __call_builder!(DumpsCall => String);             // call(), call_as(), timeout(), ...
//! impl DumpsCall {
//!     pub fn indent(self, indent: impl IntoValue) -> Self { Self(self.0.kwarg("indent", indent)) }
//! }
//! ```
//!
//! A callable with required arguments only returns the runtime's `Call<R>` itself (no builder
//! type), which already has `call()`, `stream()` and the per-call options; a module function of
//! at most the contract's `MAX_SITE_ARGS` arguments, each `i64`, `f64`, `bool` or `String`,
//! returns a `SiteCall<(A, ..), R>` instead (`SiteCall::new(&SITE, (x.into(),))`), the same
//! call with a typed path: its options turn it into that `Call`. Generators always get
//! a builder, declared `__call_builder!(b => stream Item)`, whose `call()` returns the item stream
//! (`__call_builder!(b => generator Item, Sent, Returned)` for a `Generator[Y, S, R]` that takes
//! values or returns one: `call()` returns a `GenStream`).
//! Callables with `*args` / `**kwargs` pass the flags `args` / `kwarg` to the macro
//! (`__call_builder!(FormatCall => String, args, kwarg)`), which defines those methods; a Python
//! parameter with one of the contract's builder names gets a setter with a trailing `_` (the
//! setter names are settled by `resolve`).

use super::plan::{OverloadArg, Pass};
use super::resolve::ResolvedCallable;
use crate::names::{self, Scope};
use proc_macro2::TokenStream;
use quote::quote;
use snakebridge_contract::{MAX_SITE_ARGS, MAX_TUPLE_ARITY, builder as contract};
use std::collections::HashSet;

/// Where a callable lives in Python.
pub enum Target<'a> {
    /// `module.function`.
    Function { module: &'a str },
    /// `module.Class(...)`.
    Constructor { module: &'a str, class: &'a str },
    /// `self.method` on an instance.
    Method,
    /// `module.Class.method`.
    Static { module: &'a str, class: &'a str },
}

/// Everything needed to emit one callable.
pub struct Callable<'a> {
    /// The Python attribute name (what is called).
    pub python_name: &'a str,
    /// Its resolved names and plan.
    pub callable: &'a ResolvedCallable<'a>,
    pub target: Target<'a>,
    /// The rendered rustdoc.
    pub doc: String,
    /// What the builder's docs call the callable (`json.dumps`).
    pub python_path: &'a str,
    /// Names a parameter binding must not take: the module's constants and tuple structs, which
    /// a binding pattern would refer to instead of introducing a variable.
    pub reserved: &'a HashSet<String>,
}

/// A function or method item, kept in parts so that it can be written inherent (`pub fn`) or
/// inside a member trait (`fn`, a default method).
pub struct Item {
    /// The rendered rustdoc.
    pub doc: String,
    /// `name(params) -> Ret`.
    pub sig: TokenStream,
    /// The body's statements.
    pub body: TokenStream,
}

impl Item {
    /// `pub fn ...`, for an inherent impl or a module.
    pub fn public(&self) -> TokenStream {
        let Item { doc, sig, body } = self;
        quote! { #[doc = #doc] pub fn #sig { #body } }
    }

    /// `fn ...`, a default method of a trait.
    pub fn in_trait(&self) -> TokenStream {
        let Item { doc, sig, body } = self;
        quote! { #[doc = #doc] fn #sig { #body } }
    }
}

/// The function (or method) item, and the builder items that go at module level.
pub fn emit(c: &Callable<'_>) -> (Item, TokenStream) {
    let plan = &c.callable.plan;
    let rust_name = names::ident(&c.callable.rust_name);
    let builder = c.callable.builder.as_deref().map(names::ident);

    // Parameter names: Python names, keyword-mangled, made distinct, never a reserved name.
    let reserved = || Scope::within(c.reserved);
    let mut scope = reserved();
    let param_names = scope.claim_all(
        &plan
            .required
            .iter()
            .map(|p| names::base_name(&p.name))
            .collect::<Vec<_>>(),
    );

    // Overloads told apart by the first argument (functions and methods; constructors have
    // none): the argument's type chooses the result through a trait (`JoinArg`), falling back
    // to `Value` for `Value`s and refs.
    let overload = c
        .callable
        .overload_trait
        .as_deref()
        .map(|name| overload_trait(c, name));
    let mut params = Vec::new();
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    for (i, (p, name)) in plan.required.iter().zip(&param_names).enumerate() {
        let id = names::ident(name);
        if i == 0 && overload.is_some() {
            params.push(quote!(#id: __SbArg));
            positional.push(quote!(#id));
            continue;
        }
        let ty = p.ty.param();
        params.push(quote!(#id: #ty));
        let arg = p.ty.arg(&quote!(#id));
        match p.pass {
            Pass::Positional => positional.push(arg),
            Pass::Keyword => {
                let py = &p.name;
                keywords.push(quote!(.kwarg(#py, #arg)));
            }
        }
    }
    // Up to 8 positional arguments travel as a tuple (no allocation); more as a `Vec<Value>`.
    let args = if positional.len() <= MAX_TUPLE_ARITY {
        quote!((#(#positional,)*))
    } else {
        quote!(__sb::vec![#(__sb::v(#positional)),*])
    };
    let py_name = c.python_name;
    let (receiver, site, call) = match c.target {
        // Functions and constructors resolve their Python object once, through a static site.
        Target::Function { module } => (
            None,
            Some(quote!(static SITE: __sb::CallSite = __sb::CallSite::new(#module, #py_name);)),
            quote!(__sb::Call::at(&SITE, #args)),
        ),
        Target::Constructor { module, class } => (
            None,
            Some(quote!(static SITE: __sb::CallSite = __sb::CallSite::new(#module, #class);)),
            quote!(__sb::Call::class_at(&SITE, #args)),
        ),
        Target::Method => (
            Some(quote!(&self,)),
            None,
            quote!(__sb::Call::method(__sb::PyClass::as_py_ref(self), #py_name, #args)),
        ),
        Target::Static { module, class } => (
            None,
            None,
            quote!(__sb::Call::class_method(#module, #class, #py_name, #args)),
        ),
    };
    // A streaming builder's `call()` yields the items; its inner call's result type is moot.
    let (ret, call_ret) = if plan.streams {
        let item = plan.ret.owned();
        match &plan.sends {
            Some((sent, returned)) => {
                let (sent, returned) = (sent.owned(), returned.owned());
                (
                    quote!(generator #item, #sent, #returned),
                    quote!(__sb::Value),
                )
            }
            None => (quote!(stream #item), quote!(__sb::Value)),
        }
    } else {
        let ret = plan.ret.owned();
        (ret.clone(), ret)
    };
    let doc = &c.doc;
    // With overloads: the function is generic over its first argument (any `ArgKind`, whose
    // kind the trait maps to the result), the builder over its result (`JoinCall<R>`:
    // `builder_args` in the function's result, `builder_params` on the struct and its impl),
    // and the trait goes beside the builder.
    let (generics, call_ret, ret, builder_args, builder_params, overload_items) = match &overload {
        Some((trait_name, items)) => {
            let output = quote!(<<__SbArg as __sb::ArgKind>::Kind as #trait_name>::Output);
            (
                quote!(<__SbArg: __sb::ArgKind>),
                output.clone(),
                quote!(__SbR),
                quote!(<#output>),
                quote!(<__SbR>),
                items.clone(),
            )
        }
        None => (
            TokenStream::new(),
            call_ret,
            ret,
            TokenStream::new(),
            TokenStream::new(),
            TokenStream::new(),
        ),
    };

    let where_clause = overload
        .as_ref()
        .map(|(trait_name, _)| quote!(where <__SbArg as __sb::ArgKind>::Kind: #trait_name));
    let Some(builder) = builder else {
        // A module function of a few scalar arguments and nothing optional: a `SiteCall`,
        // whose `call()` takes the typed path (no `Value`s, no request) where it may.
        if let Target::Function { .. } = c.target
            && overload.is_none()
            && !plan.streams
            && plan.required.len() <= MAX_SITE_ARGS
            && plan
                .required
                .iter()
                .all(|p| matches!(p.pass, Pass::Positional) && p.ty.is_site_scalar())
        {
            let types = plan.required.iter().map(|p| p.ty.owned());
            let item = Item {
                doc: doc.clone(),
                sig: quote!(#rust_name (#(#params),*) -> __sb::SiteCall<(#(#types,)*), #call_ret>),
                body: quote!(#site __sb::SiteCall::new(&SITE, #args)),
            };
            return (item, overload_items);
        }
        let item = Item {
            doc: doc.clone(),
            sig: quote!(#rust_name #generics (#receiver #(#params),*) -> __sb::Call<#call_ret> #where_clause),
            body: quote!(#site #call #(#keywords)*),
        };
        return (item, overload_items);
    };

    let item = Item {
        doc: doc.clone(),
        sig: quote!(#rust_name #generics (#receiver #(#params),*) -> #builder #builder_args #where_clause),
        body: quote!(#site #builder(#call #(#keywords)*)),
    };

    let mut methods = Vec::new();
    // Optional positional-only parameters sit after the required positional ones, in order.
    let mut next_position = plan
        .required
        .iter()
        .filter(|p| p.pass == Pass::Positional)
        .count();
    for (p, name) in plan.optional.iter().zip(&c.callable.setters) {
        let id = names::ident(name);
        let ty = p.ty.param();
        let value = names::ident(&reserved().claim(&names::base_name(&p.name).0));
        let arg = p.ty.arg(&quote!(#value));
        let py = &p.name;
        let doc = setter_doc(py, p.default.as_deref(), p.pass);
        let body = match p.pass {
            Pass::Keyword => quote!(self.0.kwarg(#py, #arg)),
            Pass::Positional => {
                let index = next_position;
                next_position += 1;
                quote!(self.0.positional(#index, #arg))
            }
        };
        methods.push(quote! {
            #[doc = #doc]
            pub fn #id(self, #value: #ty) -> Self { Self(#body) }
        });
    }
    // `*args` / `**kwargs` methods come from the runtime's macro, asked for by flags.
    let variadic = [
        plan.var_args.then_some(contract::VAR_ARGS),
        plan.var_kwargs.then_some(contract::VAR_KWARGS),
    ]
    .into_iter()
    .flatten()
    .map(names::ident);
    let builder_doc = format!(
        "Pending call of {}: set optional arguments by their Python names, then `.call()`{}.",
        crate::markdown::code_span(c.python_path),
        if plan.dynamic {
            format!(
                " (the signature is unknown: pass arguments with `{}` and `{}`)",
                contract::VAR_ARGS,
                contract::VAR_KWARGS
            )
        } else {
            String::new()
        }
    );
    // The struct holds `Call<__SbR>` when generic, else `Call<call_ret>`.
    let (struct_ret, impl_bounds) = match &overload {
        Some(_) => (quote!(__SbR), quote!(<__SbR: __sb::FromValue>)),
        None => (call_ret.clone(), TokenStream::new()),
    };
    // Hidden from the module's item list: the function's own docs list the optional
    // arguments (see `note`), so a page shows the functions, not a builder beside each.
    let builder_items = quote! {
        #[doc = #builder_doc]
        #[doc(hidden)]
        #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
        pub struct #builder #builder_params (__sb::Call<#struct_ret>);
        __sb::__call_builder!(#builder #builder_params => #ret #(, #variadic)*);
        impl #impl_bounds #builder #builder_params { #(#methods)* }
        #overload_items
    };
    (item, builder_items)
}

/// The trait that picks an overloaded callable's result by its first argument's kind
/// (`__sb::ArgKind::Kind`), and its impls (the runtime's `__py_overloads!`, one line per kind):
/// `(trait name, items)`. The name is resolve's (`JoinArg`), with `_`s while the module has a
/// constant of it.
fn overload_trait(c: &Callable<'_>, name: &str) -> (proc_macro2::Ident, TokenStream) {
    let mut name = name.to_owned();
    while c.reserved.contains(&name) {
        name.push('_');
    }
    let trait_name = names::ident(&name);
    let arms = c.callable.plan.overloads.iter().map(|(arg, ret)| {
        let ret = ret.owned();
        // The arm's keyword is the contract's spelling of its kind (`float => f64;`).
        let keyword = proc_macro2::Ident::new(arg.kind().keyword(), proc_macro2::Span::call_site());
        match arg {
            OverloadArg::Data(_) => quote!(#keyword => #ret;),
            OverloadArg::Class(class) => {
                let path = &class.path;
                quote!(#keyword #path => #ret;)
            }
        }
    });
    let doc = format!(
        "The result of {} for each kind of first argument (`ArgKind`), from the stubs' \
         overloads; a `Value` or a `PyRef` gives a `Value`.",
        crate::markdown::code_span(c.python_path)
    );
    // The compiler's error for another type names the callable, not only the trait (the
    // macro adds the label and note that every trait shares).
    let message = format!(
        "an argument of kind `{{Self}}` is not one the overloads of {} take",
        crate::markdown::code_span(c.python_path)
    );
    let items = quote! {
        __sb::__py_overloads! { #[doc = #doc] #trait_name(#message); #(#arms)* }
    };
    (trait_name, items)
}

fn setter_doc(name: &str, default: Option<&str>, pass: Pass) -> String {
    let mut doc = match default {
        Some(d) => format!(
            "Python argument {} (default {}).",
            crate::markdown::code_span(name),
            crate::markdown::code_span(d)
        ),
        None => format!("Python argument {}.", crate::markdown::code_span(name)),
    };
    if pass == Pass::Positional {
        doc.push_str(
            " Positional-only: it is appended to the positional arguments, so set such arguments in order.",
        );
    }
    doc
}

/// The extra text in a callable's docs, after its Python signature: how it streams, and its
/// optional arguments (see [`optional_arguments`]).
pub fn note(callable: &ResolvedCallable<'_>) -> Option<String> {
    let plan = &callable.plan;
    let mut notes = Vec::new();
    if plan.streams && plan.sends.is_some() {
        notes.push(
            "A Python generator that takes values and returns one: `.call()` returns a \
             `GenStream`, which `next()` and `send(value)` step, and whose `returned()` is its \
             return value once it ends."
                .to_owned(),
        );
    } else if plan.streams {
        notes.push("A Python generator: `.call()` returns a `Stream` of its items.".to_owned());
    }
    if callable.info.is_coroutine {
        notes.push(
            "A Python coroutine function (`async def`): `.call()` runs it to its result, and \
             `.call_async()` gives a future of it that blocks no thread."
                .to_owned(),
        );
    }
    if plan.dynamic {
        notes.push(format!(
            "The signature is unknown: pass arguments with `.{}(...)` and `.{}(name, value)`.",
            contract::VAR_ARGS,
            contract::VAR_KWARGS
        ));
    }
    let mut text = notes.join(" ");
    if let Some(table) = optional_arguments(callable) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&table);
    }
    (!text.is_empty()).then_some(text)
}

/// Token text as a person writes a type: `impl Into<f64>`, not `impl __sb :: Into < __sb :: f64 >`
/// (the generated docs' optional-argument tables and `cargo snakebridge expand` print types so).
///
/// ```
/// use snakebridge_codegen::codegen::as_written;
/// assert_eq!(as_written("impl __sb :: Into < __sb :: f64 >"), "impl Into<f64>");
/// assert_eq!(as_written("__sb :: Vec < (__sb :: i64 , __sb :: String) >"), "Vec<(i64, String)>");
/// ```
pub fn as_written(tokens: &str) -> String {
    tokens
        .replace("__sb :: ", "")
        .replace(" :: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(",)", ")")
}

/// The `# Optional arguments` section of a callable with a builder: one row per builder method
/// (its name, Rust type and the Python default), so that the function's own page says what its
/// pending call takes (the builder type itself is hidden).
pub fn optional_arguments(callable: &ResolvedCallable<'_>) -> Option<String> {
    let plan = &callable.plan;
    callable.builder.as_ref()?;
    if plan.optional.is_empty() && !plan.var_args && !plan.var_kwargs {
        return None;
    }
    // A table cell: code, with `|` escaped (GFM splits cells on it even inside code).
    let cell = |text: &str| crate::markdown::code_span(text).replace('|', "\\|");
    let mut rows = String::new();
    for (p, setter) in plan.optional.iter().zip(&callable.setters) {
        let ty = as_written(&p.ty.setter().param().to_string());
        let default = match (&p.default, p.pass) {
            (Some(d), Pass::Keyword) => cell(d),
            (Some(d), Pass::Positional) => format!("{} (positional-only: set in order)", cell(d)),
            (None, _) => "(none: not every overload takes it)".to_owned(),
        };
        rows.push_str(&format!(
            "| {} | {} | {default} |\n",
            cell(&format!(".{setter}(..)")),
            cell(&ty)
        ));
    }
    if plan.var_args {
        rows.push_str(&format!(
            "| {} | `impl IntoValue`, each | `*args` |\n",
            cell(&format!(".{}(..)", contract::VAR_ARGS))
        ));
    }
    if plan.var_kwargs {
        rows.push_str(&format!(
            "| {} | `&str`, `impl IntoValue` | `**kwargs` |\n",
            cell(&format!(".{}(name, value)", contract::VAR_KWARGS))
        ));
    }
    Some(format!(
        "# Optional arguments\n\n\
         It returns a pending call: set any of these on it, then `.call()`.\n\n\
         | method | Rust type | Python default |\n|---|---|---|\n{}",
        rows.trim_end()
    ))
}
