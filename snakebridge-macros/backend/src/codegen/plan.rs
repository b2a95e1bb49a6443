//! From a callable's signatures (one, several overloads, or none) to the one Rust shape it gets.
//!
//! Overloads are merged conservatively:
//! - a parameter is a required Rust argument only if every overload requires it, at the same
//!   position (positional) or by the same name (keyword-only), with the same kind;
//! - every other named parameter that can be passed by keyword in every overload that has it
//!   becomes a keyword setter on the builder, so nothing an overload accepts is lost;
//! - positional-only parameters that are not required everywhere can still be passed through
//!   `args(...)` (the plan then takes `*args`);
//! - a type that differs between overloads becomes `Value`.
//!
//! Optional parameters whose name starts with `_` are private by convention and get no setter.
//!
//! With no signature at all the callable is dynamic: `*args, **kwargs`, returning `Value`.

use super::generators;
use crate::model::{FunctionInfo, Param, ParamKind, Signature, TypeExpr};
use crate::typemap::{self, ClassLookup, ClassPath, RustType};
use snakebridge_contract::OverloadKind;

/// How a parameter reaches Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// In the positional argument list.
    Positional,
    /// As `name=value`.
    Keyword,
}

/// One parameter of the merged shape.
#[derive(Debug, Clone)]
pub struct PlanParam {
    /// The Python name.
    pub name: String,
    /// The mapped type (for optional parameters: the setter's type).
    pub ty: RustType,
    /// How it is passed.
    pub pass: Pass,
    /// The default's source text (optional parameters).
    pub default: Option<String>,
}

/// The merged shape of a callable.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Rust arguments, in order.
    pub required: Vec<PlanParam>,
    /// Builder setters, in Python order.
    pub optional: Vec<PlanParam>,
    /// Takes `*args` (builder method `args`).
    pub var_args: bool,
    /// Takes `**kwargs` (builder method `kwarg`).
    pub var_kwargs: bool,
    /// The return type, or the item type when `streams`.
    pub ret: RustType,
    /// No signature was known.
    pub dynamic: bool,
    /// A generator (or listed in `streaming`): `call()` streams items of type `ret`.
    pub streams: bool,
    /// A generator annotated `Generator[Y, S, R]` with a send type or a return type other than
    /// `None`: `(S, R)` mapped, and `call()` drives it (`GenStream<ret, S, R>`: `send`, and its
    /// return value) instead of streaming.
    pub sends: Option<(RustType, RustType)>,
    /// Overloads told apart by the first argument's Rust type: `(argument kind, result)` for
    /// each kind the stubs allow (`os.path.join`: `String` → `String`, `Bytes` → `Bytes`;
    /// `numpy.sqrt`: `f64` → `f64`, an array → `ndarray`). Empty unless the overloads' results
    /// differ and `ret` is therefore `Value`.
    pub overloads: Vec<(OverloadArg, RustType)>,
}

/// The kind of first argument one overload arm stands for: a kind of Rust data of the
/// contract's [`OverloadKind`] list (the runtime's `kind::Int`, ..., whose `ArgKind` says which
/// Rust types each kind is), or a generated class.
#[derive(Debug, Clone, PartialEq)]
pub enum OverloadArg {
    /// A kind of Rust data (never [`OverloadKind::Class`]).
    Data(OverloadKind),
    /// A generated class and a reference to it.
    Class(ClassPath),
}

impl OverloadArg {
    /// The contract's kind of this arm.
    pub fn kind(&self) -> OverloadKind {
        match self {
            Self::Data(kind) => *kind,
            Self::Class(_) => OverloadKind::Class,
        }
    }

    /// The kind for an annotation, if Rust can tell it apart from the others.
    fn of(ty: &TypeExpr, classes: &dyn ClassLookup) -> Option<Self> {
        if is_array_like(ty) {
            return Some(Self::Data(OverloadKind::Array));
        }
        Some(match typemap::map(Some(ty), classes) {
            RustType::Int => Self::Data(OverloadKind::Int),
            RustType::Float => Self::Data(OverloadKind::Float),
            RustType::Str => Self::Data(OverloadKind::Str),
            RustType::Bytes => Self::Data(OverloadKind::Bytes),
            RustType::Bool => Self::Data(OverloadKind::Bool),
            RustType::Class(class) => Self::Class(class),
            _ => return None,
        })
    }
}

/// numpy's array-like aliases (`numpy.typing.ArrayLike`, `_ArrayLikeFloat_co`, ...), which
/// the introspector passes on unresolved. A Python scalar is array-like too, but a Rust scalar
/// is told apart by its own arm; this arm stands for Rust array data.
fn is_array_like(ty: &TypeExpr) -> bool {
    let name = match ty {
        TypeExpr::Unknown { text } => text,
        TypeExpr::Name { name } => name,
        _ => return false,
    };
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_start_matches('_').starts_with("ArrayLike")
}

/// The Python class numpy's `ArrayLike` includes: where the module binds it, an instance of it
/// takes the array arm's result.
const NUMPY_ARRAY_CLASS: &str = "numpy.ndarray";

impl Plan {
    /// Whether the callable needs its own builder type (anything beyond required arguments, or a
    /// stream).
    pub fn needs_builder(&self) -> bool {
        !self.optional.is_empty() || self.var_args || self.var_kwargs || self.streams
    }
}

/// Builds the plan of `f`. `streams` selects the item type of an iterator return as `ret`.
pub fn plan(f: &FunctionInfo, streams: bool, classes: &dyn ClassLookup) -> Plan {
    let sigs = &f.signatures;
    if sigs.is_empty() {
        return Plan {
            required: Vec::new(),
            optional: Vec::new(),
            var_args: true,
            var_kwargs: true,
            ret: RustType::Value,
            dynamic: true,
            streams,
            sends: None,
            overloads: Vec::new(),
        };
    }
    let map = |p: &Param| typemap::map_param(p.annotation.as_ref(), classes);

    // Required positional prefix shared by all overloads.
    let mut required = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    for i in 0.. {
        let at: Vec<Option<&Param>> = sigs.iter().map(|s| positional(s).nth(i)).collect();
        let Some(Some(first)) = at.first() else { break };
        let same = at.iter().all(|p| {
            p.is_some_and(|p| p.name == first.name && p.kind == first.kind && p.default.is_none())
        });
        if !same {
            break;
        }
        let ty = required_type(merge_types(at.iter().flatten().map(|p| map(p))));
        required.push(PlanParam {
            name: first.name.clone(),
            ty,
            pass: Pass::Positional,
            default: None,
        });
        taken.push(&first.name);
    }
    let prefix_len = required.len();

    // Required keyword-only parameters shared by all overloads.
    for p in sigs[0]
        .params
        .iter()
        .filter(|p| p.kind == ParamKind::KeywordOnly && p.default.is_none())
    {
        let everywhere: Vec<&Param> = sigs
            .iter()
            .filter_map(|s| {
                s.params.iter().find(|q| {
                    q.name == p.name && q.kind == ParamKind::KeywordOnly && q.default.is_none()
                })
            })
            .collect();
        if everywhere.len() == sigs.len() {
            required.push(PlanParam {
                name: p.name.clone(),
                ty: required_type(merge_types(everywhere.iter().map(|p| map(p)))),
                pass: Pass::Keyword,
                default: None,
            });
            taken.push(&p.name);
        }
    }

    // Everything else that has a name becomes a setter.
    let mut optional: Vec<PlanParam> = Vec::new();
    let mut var_args = false;
    let mut var_kwargs = false;
    let single = sigs.len() == 1;
    for (si, sig) in sigs.iter().enumerate() {
        for (pi, p) in sig.params.iter().enumerate() {
            match p.kind {
                ParamKind::VarPositional => var_args = true,
                ParamKind::VarKeyword => var_kwargs = true,
                _ if taken.contains(&p.name.as_str()) => {}
                _ if optional.iter().any(|o| o.name == p.name) => {}
                ParamKind::PositionalOnly => {
                    // Past the shared prefix a positional-only parameter has no name to set it
                    // by; in a single signature its setter appends it (they are set in order).
                    if single && pi >= prefix_len {
                        optional.push(PlanParam {
                            name: p.name.clone(),
                            ty: map(p).setter(),
                            pass: Pass::Positional,
                            default: p.default.clone(),
                        });
                    } else {
                        var_args = true;
                    }
                }
                // Private by convention (`_w`, `_one_shot`): not part of the API.
                _ if p.name.starts_with('_') && p.default.is_some() => {}
                ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly => {
                    let appearances: Vec<&Param> = sigs[si..]
                        .iter()
                        .filter_map(|s| s.params.iter().find(|q| q.name == p.name))
                        .collect();
                    if appearances
                        .iter()
                        .any(|q| q.kind == ParamKind::PositionalOnly)
                    {
                        var_args = true;
                        continue;
                    }
                    optional.push(PlanParam {
                        name: p.name.clone(),
                        ty: merge_types(appearances.iter().map(|q| map(q).setter())),
                        pass: Pass::Keyword,
                        default: if single { p.default.clone() } else { None },
                    });
                }
            }
        }
    }

    let rets: Vec<RustType> = sigs
        .iter()
        .map(|s| {
            if streams {
                item_type(s.returns.as_ref(), classes)
            } else {
                typemap::map(s.returns.as_ref(), classes)
            }
        })
        .collect();
    let ret = merge_types(rets.iter().cloned());
    let sends = if streams {
        let mut each = sigs
            .iter()
            .map(|s| generators::send_types(s.returns.as_ref(), classes));
        let first = each.next().flatten();
        each.all(|s| s == first).then_some(first).flatten()
    } else {
        None
    };
    let overloads = if ret == RustType::Value && !streams && prefix_len > 0 {
        overloads(sigs, &rets, classes)
    } else {
        Vec::new()
    };
    Plan {
        required,
        optional,
        var_args,
        var_kwargs,
        ret,
        dynamic: false,
        streams,
        sends,
        overloads,
    }
}

/// The overloads of `sigs` that the first argument's Rust type tells apart: for every kind of
/// type the first parameter allows in some overload (unions split), the result of that
/// overload. A kind two overloads give different results for is left out (the call stays
/// `Value` for it), and so is everything when fewer than two results differ or none is typed.
/// Where an array-like arm survives and the module binds `numpy.ndarray`, that class gets the
/// array arm's result unless an overload says otherwise.
fn overloads(
    sigs: &[Signature],
    rets: &[RustType],
    classes: &dyn ClassLookup,
) -> Vec<(OverloadArg, RustType)> {
    let mut arms: Vec<(OverloadArg, Option<RustType>)> = Vec::new();
    let add = |arms: &mut Vec<(OverloadArg, Option<RustType>)>, arg, ret: &RustType| {
        match arms.iter_mut().find(|(a, _)| *a == arg) {
            // Two overloads disagree for this kind: the call cannot be typed by it.
            Some((_, r)) if r.as_ref() != Some(ret) => *r = None,
            Some(_) => {}
            None => arms.push((arg, Some(ret.clone()))),
        }
    };
    for (sig, ret) in sigs.iter().zip(rets) {
        let Some(first) = positional(sig).next() else {
            return Vec::new();
        };
        let items: Vec<&TypeExpr> = match &first.annotation {
            Some(TypeExpr::Union { items }) => items.iter().collect(),
            Some(t) => vec![t],
            None => Vec::new(),
        };
        for item in items {
            if let Some(arg) = OverloadArg::of(item, classes) {
                add(&mut arms, arg, ret);
            }
        }
    }
    let array_result = arms
        .iter()
        .find(|(a, _)| *a == OverloadArg::Data(OverloadKind::Array))
        .and_then(|(_, r)| r.clone());
    if let (Some(ret), Some(path)) = (array_result, classes.class_path(NUMPY_ARRAY_CLASS)) {
        let class = OverloadArg::Class(ClassPath::new(NUMPY_ARRAY_CLASS, path));
        if !arms.iter().any(|(a, _)| *a == class) {
            arms.push((class, Some(ret)));
        }
    }
    let mut arms: Vec<(OverloadArg, RustType)> = arms
        .into_iter()
        .filter_map(|(a, r)| Some((a, r?)))
        .collect();
    let typed = arms.iter().filter(|(_, r)| *r != RustType::Value).count();
    let distinct = arms
        .iter()
        .map(|(_, r)| r)
        .fold(Vec::new(), |mut seen: Vec<&RustType>, r| {
            if !seen.contains(&r) {
                seen.push(r);
            }
            seen
        })
        .len();
    if typed == 0 || distinct < 2 {
        return Vec::new();
    }
    // Every kind of Rust argument the untyped form (`impl IntoValue`) took is still taken:
    // those the stubs do not tell apart give a `Value`.
    for kind in OverloadKind::DATA.map(OverloadArg::Data) {
        if !arms.iter().any(|(a, _)| *a == kind) {
            arms.push((kind, RustType::Value));
        }
    }
    arms
}

/// The positional parameters of a signature (positional-only, then positional-or-keyword).
fn positional(sig: &Signature) -> impl Iterator<Item = &Param> {
    sig.params.iter().filter(|p| {
        matches!(
            p.kind,
            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
        )
    })
}

/// One type if all agree (array data absorbing numbers), else `Value`.
fn merge_types(types: impl Iterator<Item = RustType>) -> RustType {
    let types: Vec<RustType> = types.collect();
    let Some(first) = types.first() else {
        return RustType::Value;
    };
    if types.iter().all(|t| t == first) {
        return first.clone();
    }
    // A callable in every overload (or `None` in some: typeshed's `sorted(key: None = None)`
    // beside `key: Callable[[_T], ...]`), with different signatures (scipy's `quad(func)` takes
    // `Callable[[float], float]`, or with `args` `Callable[Concatenate[float, ...], float]`):
    // the first overload's, the stubs' plain form. A `PyFn` of any signature takes the others.
    fn callable(t: &RustType) -> Option<&RustType> {
        match t {
            RustType::Option(inner) => {
                matches!(**inner, RustType::Callable { .. }).then_some(&**inner)
            }
            t @ RustType::Callable { .. } => Some(t),
            _ => None,
        }
    }
    if types
        .iter()
        .all(|t| callable(t).is_some() || *t == RustType::Unit)
        && let Some(found) = types.iter().find_map(callable)
    {
        let optional = types
            .iter()
            .any(|t| !matches!(t, RustType::Callable { .. }));
        return if optional {
            RustType::Option(Box::new(found.clone()))
        } else {
            found.clone()
        };
    }
    // Array data in one overload and a number in another (scipy's `minimize(x0: float)` and
    // `(x0: float | ToFloat1D)`): array data takes numbers too.
    let numeric_or_array = |t: &RustType| {
        matches!(
            t,
            RustType::Array | RustType::Int | RustType::Float | RustType::Bool
        )
    };
    if types.contains(&RustType::Array) && types.iter().all(numeric_or_array) {
        RustType::Array
    } else {
        RustType::Value
    }
}

/// A required parameter's type: a callable or `None` is any value there (a required argument
/// cannot be left out to mean `None`, and `Option<impl IntoPyFn<..>>` is no parameter type).
fn required_type(ty: RustType) -> RustType {
    match ty {
        RustType::Option(inner) if matches!(*inner, RustType::Callable { .. }) => RustType::Value,
        ty => ty,
    }
}

/// The item type of `Iterator[T]`, `Generator[T, ...]`, `Iterable[T]` (and async forms); `Value`
/// for anything else.
fn item_type(ret: Option<&TypeExpr>, classes: &dyn ClassLookup) -> RustType {
    match ret {
        Some(TypeExpr::Generic { name, args }) => {
            let short = name.rsplit('.').next().unwrap_or(name);
            match short {
                "Iterator" | "Generator" | "Iterable" | "AsyncIterator" | "AsyncGenerator"
                | "AsyncIterable" => typemap::map(args.first(), classes),
                _ => RustType::Value,
            }
        }
        _ => RustType::Value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typemap::NoClasses;

    fn p(name: &str, kind: ParamKind, ty: &str, default: Option<&str>) -> Param {
        Param {
            name: name.into(),
            kind,
            annotation: Some(TypeExpr::Name { name: ty.into() }),
            default: default.map(Into::into),
        }
    }
    fn sig(params: Vec<Param>, ret: &str) -> Signature {
        Signature {
            params,
            returns: Some(TypeExpr::Name { name: ret.into() }),
            text: String::new(),
        }
    }
    fn func(sigs: Vec<Signature>) -> FunctionInfo {
        FunctionInfo {
            name: "f".into(),
            signatures: sigs,
            ..Default::default()
        }
    }
    use ParamKind::*;

    #[test]
    fn single_signature() {
        let f = func(vec![sig(
            vec![
                p("x", PositionalOnly, "float", None),
                p("base", PositionalOnly, "float", Some("e")),
                p("key", KeywordOnly, "str", None),
                p("flag", KeywordOnly, "bool", Some("False")),
            ],
            "float",
        )]);
        let plan = plan(&f, false, &NoClasses);
        let names: Vec<_> = plan.required.iter().map(|p| (&*p.name, p.pass)).collect();
        assert_eq!(names, [("x", Pass::Positional), ("key", Pass::Keyword)]);
        let opt: Vec<_> = plan.optional.iter().map(|p| (&*p.name, p.pass)).collect();
        assert_eq!(opt, [("base", Pass::Positional), ("flag", Pass::Keyword)]);
        assert_eq!(plan.ret, RustType::Float);
        assert!(!plan.var_args && !plan.var_kwargs && plan.needs_builder());
    }

    #[test]
    fn overloads_merge_conservatively() {
        let f = func(vec![
            sig(
                vec![
                    p("a", PositionalOrKeyword, "int", None),
                    p("b", PositionalOrKeyword, "int", None),
                    p("out", KeywordOnly, "None", Some("None")),
                ],
                "int",
            ),
            sig(
                vec![
                    p("a", PositionalOrKeyword, "float", None),
                    p("out", KeywordOnly, "str", None),
                ],
                "str",
            ),
        ]);
        let plan = plan(&f, false, &NoClasses);
        assert_eq!(plan.required.len(), 1);
        assert_eq!(plan.required[0].name, "a");
        assert_eq!(plan.required[0].ty, RustType::Value);
        let opt: Vec<_> = plan.optional.iter().map(|p| &*p.name).collect();
        assert_eq!(opt, ["b", "out"]);
        assert_eq!(plan.ret, RustType::Value);
    }

    /// numpy's shape: a scalar overload (synthesised by the introspector for ufuncs), an
    /// `ArrayLike` one returning `ndarray`, and one the stubs leave `Any`.
    #[test]
    fn overloads_by_kind_of_argument() {
        struct Numpy;
        impl ClassLookup for Numpy {
            fn class_path(&self, name: &str) -> Option<proc_macro2::TokenStream> {
                (name == "numpy.ndarray").then(|| quote::quote!(ndarray))
            }
        }
        let array_like = Param {
            name: "x".into(),
            kind: PositionalOnly,
            annotation: Some(TypeExpr::Unknown {
                text: "numpy._typing._array_like._ArrayLikeFloat_co".into(),
            }),
            default: None,
        };
        let f = func(vec![
            sig(vec![p("x", PositionalOnly, "float", None)], "float"),
            sig(vec![array_like], "numpy.ndarray"),
            sig(vec![p("x", PositionalOnly, "str", None)], "typing.Any"),
        ]);
        let plan = plan(&f, false, &Numpy);
        assert_eq!(plan.ret, RustType::Value);
        let result = |kind: &OverloadArg| {
            plan.overloads
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, r)| r.clone())
        };
        let ndarray = RustType::Class(ClassPath::new("numpy.ndarray", quote::quote!(ndarray)));
        assert_eq!(
            result(&OverloadArg::Data(OverloadKind::Float)),
            Some(RustType::Float)
        );
        assert_eq!(
            result(&OverloadArg::Data(OverloadKind::Array)),
            Some(ndarray.clone())
        );
        // An instance of the array class is array-like: it gets the array arm's result.
        let class = OverloadArg::Class(ClassPath::new("numpy.ndarray", quote::quote!(ndarray)));
        assert_eq!(result(&class), Some(ndarray));
        // Kinds the stubs do not tell apart still compile, as `Value`.
        for kind in [
            OverloadArg::Data(OverloadKind::Str),
            OverloadArg::Data(OverloadKind::Int),
            OverloadArg::Data(OverloadKind::Bool),
            OverloadArg::Data(OverloadKind::Bytes),
        ] {
            assert_eq!(result(&kind), Some(RustType::Value), "{kind:?}");
        }
    }

    /// Two overloads that give different results for one kind leave it out (then `Value`),
    /// and with no typed kind left there are no overloads at all.
    #[test]
    fn disagreeing_overloads_are_not_typed() {
        let f = func(vec![
            sig(vec![p("x", PositionalOnly, "int", None)], "int"),
            sig(vec![p("x", PositionalOnly, "int", None)], "str"),
            sig(vec![p("x", PositionalOnly, "float", None)], "str"),
            sig(vec![p("x", PositionalOnly, "bytes", None)], "bytes"),
        ]);
        let plan = plan_of(&f);
        let float = plan
            .overloads
            .iter()
            .find(|(k, _)| *k == OverloadArg::Data(OverloadKind::Float));
        assert_eq!(float.map(|(_, r)| r), Some(&RustType::Str));
        let int = plan
            .overloads
            .iter()
            .find(|(k, _)| *k == OverloadArg::Data(OverloadKind::Int));
        assert_eq!(int.map(|(_, r)| r), Some(&RustType::Value));
        let f = func(vec![
            sig(vec![p("x", PositionalOnly, "int", None)], "int"),
            sig(vec![p("x", PositionalOnly, "int", None)], "str"),
        ]);
        assert!(plan_of(&f).overloads.is_empty());
    }

    fn plan_of(f: &FunctionInfo) -> Plan {
        plan(f, false, &NoClasses)
    }

    #[test]
    fn unknown_signature_is_dynamic() {
        let plan = plan(&func(vec![]), false, &NoClasses);
        assert!(plan.dynamic && plan.var_args && plan.var_kwargs);
    }

    #[test]
    fn generators_stream_items() {
        let mut s = sig(vec![], "x");
        s.returns = Some(TypeExpr::Generic {
            name: "collections.abc.Iterator".into(),
            args: vec![TypeExpr::Name { name: "str".into() }],
        });
        assert_eq!(plan(&func(vec![s]), true, &NoClasses).ret, RustType::Str);
    }
}
