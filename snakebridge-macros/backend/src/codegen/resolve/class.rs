//! A class resolved once every class path is known: its constructor's, methods' and attributes'
//! plans and types, its place in the inheritance plan (member trait, trait impls, inherent
//! copies), and its protocol forms (tuple fields, iteration, context manager, operators).

use super::super::plan::{self, Plan};
use super::inheritance::{Slot, slot_hidden_mixin};
use super::mro::mro_infos;
use super::naming::ClassNames;
use super::operators::operators;
use super::tree::{Lookup, relative_path};
use super::{ModState, ResolvedAttr, ResolvedClass, ResolvedMethod, Resolver, callable};
use crate::model::ClassInfo;
use crate::names;
use crate::typemap::{self, ClassLookup, ClassPath, RustType};
use quote::quote;
use std::borrow::Cow;

impl<'m> Resolver<'m> {
    /// A class of module `m`, emitted in the module at Rust path `here`.
    pub(super) fn finish_class(
        &self,
        m: &ModState<'m>,
        c: &ClassNames<'m>,
        here: &[String],
        slot: Slot,
    ) -> ResolvedClass<'m> {
        let exported = c.ctor_builder.is_some();
        let struct_name = names::ident(&c.rust_name);
        let lookup = Lookup {
            classes: &self.classes,
            here,
            self_type: Some(quote!(#struct_name)),
        };
        let python = if exported {
            (m.info.name.clone(), c.info.name.clone())
        } else {
            match c.info.qualified_name.rsplit_once('.') {
                Some((module, name)) => (module.to_owned(), name.to_owned()),
                None => (String::new(), c.info.qualified_name.clone()),
            }
        };
        let ctor = c.ctor_builder.as_ref().map(|builder| {
            let ctor = c.info.constructor.clone().unwrap_or_default();
            let plan = Plan {
                ret: RustType::Class(ClassPath::new("Self", quote!(#struct_name))),
                overloads: Vec::new(),
                ..plan::plan(&ctor, false, &lookup)
            };
            callable(Cow::Owned(ctor), "new".to_owned(), builder, plan)
        });
        let methods = c
            .methods
            .iter()
            .map(|(method, rust_name, builder)| {
                let f = &method.function;
                let key = format!("{}.{}", c.info.name, f.name);
                let streams = f.is_generator
                    || f.name == "__iter__"
                    || super::super::generators::streams_by_annotation(f)
                    || m.streaming.contains(&key);
                ResolvedMethod {
                    method,
                    callable: callable(
                        Cow::Borrowed(f),
                        rust_name.clone(),
                        builder,
                        plan::plan(f, streams, &lookup),
                    ),
                }
            })
            .collect();
        let attrs = c
            .attrs
            .iter()
            .map(|(a, getter, setter)| ResolvedAttr {
                info: a,
                getter: getter.clone(),
                setter: setter.clone(),
                ty: typemap::map(a.annotation.as_ref(), &lookup),
            })
            .collect();
        let qn = c.info.qualified_name.as_str();
        // Only the slot a qualified name resolves to carries the trait (a class exported twice
        // is two structs, one trait).
        let canonical = self.slot_of(qn) == Some(slot);
        let members_trait =
            (canonical && self.inherit.needs_trait.contains(qn)).then(|| c.trait_name.clone());
        let trait_impls = self
            .inherit
            .impls
            .get(&slot)
            .into_iter()
            .flatten()
            .filter_map(|d| self.trait_path(d, here))
            .collect();
        let forwards = if canonical {
            self.inherit
                .forwards
                .get(qn)
                .into_iter()
                .flatten()
                .map(|(path, names)| (relative_path(path, here), names.clone()))
                .collect()
        } else {
            Vec::new()
        };
        // The class and its MRO, looked up once for the protocol forms below.
        let mro = mro_infos(m.info, c.info);
        let tuple = c.to_tuple.as_ref().map(|name| {
            let fields = c.info.fields.as_deref().unwrap_or_default();
            let types = fields
                .iter()
                .map(|f| field_type(&mro, f, &lookup))
                .collect();
            (name.clone(), types)
        });
        let operators = operators(&mro, &lookup);
        // `__iter__ -> Iterator[int]` says the item; `__iter__ -> Self` (an iterator) leaves it
        // to `__next__`.
        let iter_item = first_method(&mro, "__iter__", true, &lookup).map(|item| match item {
            RustType::Value | RustType::Class(_) => first_method(&mro, "__next__", false, &lookup)
                .filter(|next| *next != RustType::Value)
                .unwrap_or(item),
            other => other,
        });
        let context = first_method(&mro, "__exit__", false, &lookup).and(first_method(
            &mro,
            "__enter__",
            false,
            &lookup,
        ));
        ResolvedClass {
            info: c.info,
            rust_name: c.rust_name.clone(),
            exported,
            python,
            base: c.base.clone(),
            base_path: c.base.as_deref().and_then(|b| lookup.class_path(b)),
            operators,
            iter_item,
            from_error: c.from_error.clone(),
            context,
            members_trait,
            inherent_members: exported || !slot_hidden_mixin(&self.inherit, qn),
            trait_impls,
            forwards,
            tuple,
            ctor,
            methods,
            attrs,
        }
    }
}

/// The result type of the MRO's first `method` (the item type when `streams`:
/// `__iter__ -> Iterator[int]` gives `i64`), if the class has it.
pub(super) fn first_method(
    mro: &[&ClassInfo],
    method: &str,
    streams: bool,
    lookup: &Lookup<'_>,
) -> Option<RustType> {
    mro.iter().find_map(|info| {
        info.methods
            .iter()
            .find(|m| m.function.name == method)
            .map(|m| plan::plan(&m.function, streams, lookup).ret)
    })
}

/// The type of a namedtuple field: its attribute's, found on the class or along its MRO.
pub(super) fn field_type(mro: &[&ClassInfo], field: &str, lookup: &Lookup<'_>) -> RustType {
    mro.iter()
        .find_map(|info| info.attributes.iter().find(|a| a.name == field))
        .map_or(RustType::Value, |a| {
            typemap::map(a.annotation.as_ref(), lookup)
        })
}
