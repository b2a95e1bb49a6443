//! How a generator binds, beyond its item type (`plan::item_type`): whether a callable streams by
//! its own runtime annotations, and the send and return types of a `Generator[Y, S, R]` that
//! takes values or returns one (its builder's `call()` then gives a `GenStream`).

use crate::model::{FunctionInfo, SignatureSource, TypeExpr};
use crate::typemap::{self, ClassLookup, RustType};

/// Whether `f` streams by its annotations: its source's return annotations (every signature's)
/// are all `Iterator`, `Iterable` or `Generator`. The introspector marks such callables as
/// generators itself when the annotations come from stubs (`FunctionInfo::is_generator`);
/// this does the same for a module's own runtime annotations (`SignatureSource::Inspect`), so
/// `def squares() -> Iterable[int]: return (i * i for i in ...)` streams as its stub would,
/// instead of asking a generator for a `Vec` (which would consume it to decode it).
pub(crate) fn streams_by_annotation(f: &FunctionInfo) -> bool {
    f.signature_source == SignatureSource::Inspect
        && f.name != "__iter__"
        && !f.signatures.is_empty()
        && f.signatures.iter().all(|s| {
            matches!(&s.returns, Some(TypeExpr::Generic { name, .. })
                if matches!(name.as_str(), "collections.abc.Iterator"
                    | "collections.abc.Iterable" | "collections.abc.Generator"
                    | "typing.Iterator" | "typing.Iterable" | "typing.Generator"))
        })
}

/// The send and return types of `Generator[Y, S, R]` when either is not `None` (a generator
/// that takes values or returns one); `None` for any other annotation, which streams.
pub(super) fn send_types(
    ret: Option<&TypeExpr>,
    classes: &dyn ClassLookup,
) -> Option<(RustType, RustType)> {
    let Some(TypeExpr::Generic { name, args }) = ret else {
        return None;
    };
    if name.rsplit('.').next() != Some("Generator") || args.len() != 3 {
        return None;
    }
    let (sent, returned) = (
        typemap::map(Some(&args[1]), classes),
        typemap::map(Some(&args[2]), classes),
    );
    (sent != RustType::Unit || returned != RustType::Unit).then_some((sent, returned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::plan::plan;
    use crate::model::Signature;
    use crate::typemap::NoClasses;

    fn func(sigs: Vec<Signature>) -> FunctionInfo {
        FunctionInfo {
            name: "f".into(),
            signatures: sigs,
            ..Default::default()
        }
    }

    fn returning(name: &str, args: Vec<TypeExpr>) -> Signature {
        Signature {
            returns: Some(TypeExpr::Generic {
                name: name.into(),
                args,
            }),
            ..Signature::default()
        }
    }

    #[test]
    fn generators_with_send_or_return_types_are_driven() {
        let n = |name: &str| TypeExpr::Name { name: name.into() };
        let generator = |s, r| returning("collections.abc.Generator", vec![n("int"), s, r]);
        let driven = plan(&func(vec![generator(n("int"), n("str"))]), true, &NoClasses);
        assert_eq!(driven.ret, RustType::Int);
        assert_eq!(driven.sends, Some((RustType::Int, RustType::Str)));
        // `Generator[int, None, None]` is a plain stream.
        let plain = plan(
            &func(vec![generator(TypeExpr::None, TypeExpr::None)]),
            true,
            &NoClasses,
        );
        assert_eq!(plain.sends, None);
        // Not streaming (not a generator): no GenStream either.
        let called = plan(
            &func(vec![generator(n("int"), n("str"))]),
            false,
            &NoClasses,
        );
        assert_eq!(called.sends, None);
    }

    #[test]
    fn runtime_iterable_annotations_stream_as_stub_ones_do() {
        let iterable = returning(
            "collections.abc.Iterable",
            vec![TypeExpr::Name { name: "int".into() }],
        );
        let mut f = func(vec![iterable.clone()]);
        f.signature_source = SignatureSource::Inspect;
        assert!(streams_by_annotation(&f));
        // From a stub the introspector decides (`is_generator`); a docstring's types never do.
        f.signature_source = SignatureSource::Docstring;
        assert!(!streams_by_annotation(&f));
        let mut list = func(vec![returning(
            "list",
            vec![TypeExpr::Name { name: "int".into() }],
        )]);
        list.signature_source = SignatureSource::Inspect;
        assert!(!streams_by_annotation(&list));
    }
}
