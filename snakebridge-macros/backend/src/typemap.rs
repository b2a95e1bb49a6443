//! Type mapping: from the introspector's [`TypeExpr`] to the Rust types of generated signatures.
//!
//! | Python annotation | return type (and inside containers) | parameter type |
//! |---|---|---|
//! | `int`, `SupportsIndex`, `Literal[1, 2]` | `i64` | `impl Into<i64>` |
//! | `float`, `SupportsFloat`, `SupportsFloat \| SupportsIndex` | `f64` | `impl Into<f64>` |
//! | `str`, `Literal["a", "b"]` | `String` | `impl Into<String>` |
//! | `bytes` | `Bytes` (the runtime's wrapper) | `impl Into<Bytes>` |
//! | `bool`, `Literal[True, False]` | `bool` | `bool` |
//! | `None` | `()` | `()` |
//! | `list[T]`, `Sequence[T]`, `Iterable[T]`, `tuple[T, ...]` | `Vec<T>` | `impl ListArg<T>`: a `Vec`, slice or array of what a `T` parameter takes (`Vec<T>` for maps and tuples; `impl IntoValue` when `T` maps to `Value`) |
//! | `dict[str, T]`, `Mapping[str, T]` | `HashMap<String, T>` | `HashMap<String, T>` (`impl IntoValue` when `T` maps to `Value`) |
//! | `tuple[A, B]` (up to 17 items, the contract's `MAX_TUPLE_ARITY`) | `(A, B)` | `(A, B)` |
//! | `Optional[T]`, `T \| None` | `Option<T>` | `Option<T>`; an optional parameter's setter takes `T` |
//! | `A \| B` mapping to one Rust type (e.g. `int \| SupportsIndex`) | that type | that parameter type |
//! | a class bound by the same macro invocation (by qualified name), also subscripted (`ndarray[...]`) | its struct | `&Struct` (subclasses coerce through `Deref`) |
//! | `Self` (in a class's methods) | the class's struct | `&Struct` |
//! | `Any`, `object` (a class object on some Pythons: never a struct) | `Value` | `impl IntoValue` |
//! | numeric array data: numpy's `ArrayLike` (and `_ArrayLikeFloat_co`, ...), scikit-learn's `MatrixLike`, a docstring's `array-like`, alone or in a union with numbers and `None` | `Value` | `impl ArrayArg` (arrays, sequences, numbers, classes, `Value`; not text) |
//! | `Callable[[A, B], R]` (the first callable of a union with `None` and other callables) | `Value` | `impl IntoPyFn<fn(A, B) -> R>`: a closure `Fn(A, B) -> Result<R>` (or a `PyFn`), `A`, `B` as results map, `R` owned |
//! | `Callable[..., R]`, `Callable[Concatenate[A, ...], R]` | `Value` | `impl IntoPyFn<fn(AnyArgs) -> R>` |
//! | anything else: other unions, `complex`, type aliases, classes not bound | `Value` | `impl IntoValue` |
//!
//! Notes:
//! - A callable's own result annotated `Iterator[T]`, `Iterable[T]` or `Generator[T, ...]` streams
//!   `T` instead (`codegen::generators`); a `Sequence[T]` result decodes from any sequence by its
//!   protocol at run time (a `range`, a `deque`).
//! - `Value` returns hold non-plain objects as `Value::Ref`, so nothing is lost by falling back.
//! - A missing annotation is "anything else".
//! - Parameters take `impl Into<..>` so that `math::sqrt(2)` and `json::loads("[]")` compile;
//!   containers take concrete owned types because a generic per element would need per-element code.
//! - `int` is Python's unbounded int; a result beyond `i64` is a decode error at run time (ask for
//!   `Value` by binding the function through `Value`-typed APIs if that matters).
//! - Every type is written with an absolute path (`__sb::i64`, `__sb::String`):
//!   generated modules routinely define structs called `bool`, `str` or `int_` that would shadow
//!   the prelude.

use crate::model::TypeExpr;
use proc_macro2::TokenStream;
use quote::quote;

/// A mapped type, before it is written as tokens.
#[derive(Debug, Clone, PartialEq)]
pub enum RustType {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `String`.
    Str,
    /// The runtime's `Bytes`.
    Bytes,
    /// `bool`.
    Bool,
    /// `()`.
    Unit,
    /// `Vec<T>`.
    List(Box<RustType>),
    /// `HashMap<String, T>`.
    Dict(Box<RustType>),
    /// `(A, B, ...)`.
    Tuple(Vec<RustType>),
    /// `Option<T>`.
    Option(Box<RustType>),
    /// A generated class struct, by its path relative to the module being generated.
    Class(ClassPath),
    /// The runtime's dynamic `Value`.
    Value,
    /// A parameter that takes numeric array data (only from [`map_param`]): the runtime's
    /// `ArrayArg`, which refuses text and bytes.
    Array,
    /// A parameter that takes a callable (only from [`map_param`]): a Rust closure through the
    /// runtime's `IntoPyFn<fn(A, B) -> R>`, with `args` the types Python passes it (as results
    /// map) and `ret` what it returns; `args` is `None` for any arguments (`AnyArgs`).
    Callable {
        /// The arguments' types, `None` for `Callable[..., R]`.
        args: Option<Vec<RustType>>,
        /// The closure's result.
        ret: Box<RustType>,
    },
}

/// The most arguments a typed callback takes (the runtime's `IntoPyFn` arities).
pub const MAX_CALLBACK_ARITY: usize = 6;

/// The path of a generated class struct, with the Python class it stands for (which is what
/// two paths are compared by: printing tokens to compare them would be slow in a proc macro).
#[derive(Debug, Clone)]
pub struct ClassPath {
    /// The qualified Python name (or `Self`).
    pub key: String,
    /// The Rust path, relative to the module being generated.
    pub path: TokenStream,
}

impl ClassPath {
    /// A path for the class `key`.
    pub fn new(key: impl Into<String>, path: TokenStream) -> Self {
        Self {
            key: key.into(),
            path,
        }
    }
}

impl PartialEq for ClassPath {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// Resolves class names (qualified, as annotations spell them) to generated structs.
pub trait ClassLookup {
    /// The path of the struct bound for `qualified_name`, relative to the current module.
    fn class_path(&self, qualified_name: &str) -> Option<TokenStream>;
    /// The struct that `Self` means here (inside a class), if any.
    fn self_type(&self) -> Option<TokenStream> {
        None
    }
}

/// A lookup that knows no classes (every class maps to `Value`).
pub struct NoClasses;

impl ClassLookup for NoClasses {
    fn class_path(&self, _: &str) -> Option<TokenStream> {
        None
    }
}

// The largest tuple that is mapped to a Rust tuple (the runtime implements its traits up to it).
use snakebridge_contract::MAX_TUPLE_ARITY;

/// Maps an annotation (absent = unknown) to a Rust type.
pub fn map(ty: Option<&TypeExpr>, classes: &dyn ClassLookup) -> RustType {
    ty.map_or(RustType::Value, |t| map_expr(t, classes))
}

/// Maps a parameter's annotation: as [`map`], except that numeric array data (numpy's
/// `ArrayLike` and its numeric `_ArrayLike*_co` forms, scikit-learn's `MatrixLike`, a numpydoc
/// `array-like`), alone or in a union with numbers and `None` (numpy reads both as arrays), is
/// [`RustType::Array`]. Results never are: an array-like result is a `Value`.
///
/// A `Callable` (alone, or the first of a union of callables and `None`) is
/// [`RustType::Callable`] (`Option` of it with `None`).
pub fn map_param(ty: Option<&TypeExpr>, classes: &dyn ClassLookup) -> RustType {
    match ty {
        Some(t) if takes_array_data(t) => RustType::Array,
        Some(t) => callable_param(t, classes).unwrap_or_else(|| map(ty, classes)),
        None => RustType::Value,
    }
}

/// `Callable[...]` as a parameter: alone, or the first callable of a union of callables (scipy's
/// `Callable[[float], T] | Callable[[float64], T]`: a `PyFn` takes the others) and `None`.
fn callable_param(ty: &TypeExpr, classes: &dyn ClassLookup) -> Option<RustType> {
    let is_callable =
        |t: &TypeExpr| matches!(t, TypeExpr::Generic { name, .. } if short(name) == "Callable");
    match ty {
        TypeExpr::Generic { name, args } if short(name) == "Callable" => callable(args, classes),
        TypeExpr::Union { items } => {
            if !items
                .iter()
                .all(|i| is_callable(i) || matches!(i, TypeExpr::None))
            {
                return None;
            }
            let first = items.iter().find(|i| is_callable(i))?;
            let mapped = callable_param(first, classes)?;
            Some(if items.iter().any(|i| matches!(i, TypeExpr::None)) {
                RustType::Option(Box::new(mapped))
            } else {
                mapped
            })
        }
        _ => None,
    }
}

/// `Callable[[A, B], R]`'s arguments (`[]` holding the parameter list, see the introspector's
/// `PARAMS`), `...` or `Concatenate[A, ...]` (any arguments), and result.
fn callable(args: &[TypeExpr], classes: &dyn ClassLookup) -> Option<RustType> {
    let [params, ret] = args else {
        return None;
    };
    let args = match params {
        TypeExpr::Name { name } if name == "..." => None,
        TypeExpr::Generic { name, args } if name == "[]" => {
            if args.len() > MAX_CALLBACK_ARITY {
                return None;
            }
            Some(args.iter().map(|a| map_expr(a, classes)).collect())
        }
        TypeExpr::Generic { name, .. } if short(name) == "Concatenate" => None,
        _ => return None,
    };
    Some(RustType::Callable {
        args,
        ret: Box::new(map_expr(ret, classes)),
    })
}

/// The array-data aliases the introspector passes on unresolved (too large to spell), by their
/// last dotted segment.
const ARRAY_DATA: &[&str] = &[
    "ArrayLike",
    "MatrixLike",
    "array-like",
    "_ArrayLikeBool_co",
    "_ArrayLikeInt_co",
    "_ArrayLikeUInt_co",
    "_ArrayLikeFloat_co",
    "_ArrayLikeComplex_co",
    "_ArrayLikeNumber_co",
];

/// optype's numeric arrays of a dimension (`ToFloat1D`, `ToJustInt2D`, `ToFloatND`, as
/// scipy-stubs writes `x0: onp.ToFloat1D`).
fn is_optype_array(last: &str) -> bool {
    let Some(rest) = last.strip_prefix("To") else {
        return false;
    };
    let rest = rest.strip_prefix("Just").unwrap_or(rest);
    ["Float", "Int", "Complex", "Bool", "Array"]
        .iter()
        .any(|k| {
            rest.strip_prefix(k)
                .is_some_and(|d| matches!(d, "1D" | "2D" | "3D" | "ND"))
        })
}

fn takes_array_data(ty: &TypeExpr) -> bool {
    let is_array = |t: &TypeExpr| match t {
        TypeExpr::Unknown { text: name } | TypeExpr::Name { name } => {
            let last = name.rsplit('.').next().unwrap_or(name);
            ARRAY_DATA.contains(&last) || is_optype_array(last)
        }
        _ => false,
    };
    let is_number_or_none = |t: &TypeExpr| match t {
        TypeExpr::None => true,
        TypeExpr::Name { name } => matches!(short(name), "int" | "float" | "bool"),
        _ => false,
    };
    match ty {
        TypeExpr::Union { items } => {
            items.iter().any(is_array) && items.iter().all(|i| is_array(i) || is_number_or_none(i))
        }
        t => is_array(t),
    }
}

fn map_expr(ty: &TypeExpr, classes: &dyn ClassLookup) -> RustType {
    match ty {
        TypeExpr::None => RustType::Unit,
        TypeExpr::Name { name } => map_name(name, classes),
        TypeExpr::Generic { name, args } => map_generic(name, args, classes),
        TypeExpr::Union { items } => map_union(items, classes),
        TypeExpr::Literal { values } => map_literal(values),
        TypeExpr::Unknown { .. } => RustType::Value,
    }
}

/// Strips `typing.`, `builtins.`, `collections.abc.` and friends so that `typing.List` and `list`
/// are the same thing.
fn short(name: &str) -> &str {
    for prefix in [
        "builtins.",
        "typing.",
        "typing_extensions.",
        "collections.abc.",
        "_typeshed.",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

fn map_name(name: &str, classes: &dyn ClassLookup) -> RustType {
    match short(name) {
        "int" | "SupportsIndex" => RustType::Int,
        // Protocol of what `float()` accepts: the callee converts, so a Rust `f64` is right.
        "float" | "SupportsFloat" => RustType::Float,
        "str" | "LiteralString" => RustType::Str,
        "bytes" => RustType::Bytes,
        "bool" => RustType::Bool,
        "None" | "NoneType" => RustType::Unit,
        // Before any class lookup: on Python 3.11 `typing.Any` is a class object, and a module
        // that imports it must not turn it into a struct of its own.
        "Any" | "object" => RustType::Value,
        "Self" => classes.self_type().map_or(RustType::Value, |p| {
            RustType::Class(ClassPath::new("Self", p))
        }),
        _ => classes.class_path(name).map_or(RustType::Value, |p| {
            RustType::Class(ClassPath::new(name, p))
        }),
    }
}

fn map_generic(name: &str, args: &[TypeExpr], classes: &dyn ClassLookup) -> RustType {
    let arg = |i: usize| {
        args.get(i)
            .map_or(RustType::Value, |a| map_expr(a, classes))
    };
    match short(name) {
        "list" | "List" | "Sequence" | "MutableSequence" | "Iterable" | "Collection" => {
            RustType::List(Box::new(arg(0)))
        }
        "dict" | "Dict" | "Mapping" | "MutableMapping" => {
            match args.first().map(|a| map_expr(a, classes)) {
                Some(RustType::Str) => RustType::Dict(Box::new(arg(1))),
                _ => RustType::Value,
            }
        }
        "tuple" | "Tuple" => match args {
            [item, TypeExpr::Name { name }] if name == "..." => {
                RustType::List(Box::new(map_expr(item, classes)))
            }
            [] => RustType::Value,
            // `tuple[()]` spelled as an empty tuple literal
            [TypeExpr::Unknown { text }] if text == "()" => RustType::Unit,
            items if items.len() <= MAX_TUPLE_ARITY => {
                RustType::Tuple(items.iter().map(|a| map_expr(a, classes)).collect())
            }
            _ => RustType::Value,
        },
        "Optional" => option_of(arg(0)),
        "Union" => map_union(args, classes),
        "Annotated" | "Final" | "ClassVar" | "Required" | "NotRequired" | "ReadOnly" => arg(0),
        "Literal" => map_literal(
            &args
                .iter()
                .map(|a| match a {
                    TypeExpr::Unknown { text } => text.clone(),
                    TypeExpr::Name { name } => name.clone(),
                    _ => String::new(),
                })
                .collect::<Vec<_>>(),
        ),
        // A generic class of the module (`numpy.ndarray[tuple[int, ...], dtype[float64]]`): the
        // struct stands for every parametrisation.
        _ => classes.class_path(name).map_or(RustType::Value, |p| {
            RustType::Class(ClassPath::new(name, p))
        }),
    }
}

fn option_of(inner: RustType) -> RustType {
    match inner {
        // `Optional[Any]` and `Optional[Optional[T]]` add nothing: Value already holds None.
        RustType::Value | RustType::Option(_) | RustType::Unit => inner,
        other => RustType::Option(Box::new(other)),
    }
}

fn map_union(items: &[TypeExpr], classes: &dyn ClassLookup) -> RustType {
    // `SupportsFloat | SupportsIndex` (typeshed's `_SupportsFloatOrIndex`) is converted with
    // `float()` by the callee: an int member adds nothing a Rust `f64` cannot pass. (A plain
    // `int | float` stays `Value`: there the callee may tell the two apart.)
    let converts_to_float = items
        .iter()
        .any(|t| matches!(t, TypeExpr::Name { name } if short(name) == "SupportsFloat"));
    let mut has_none = false;
    let mut mapped: Option<RustType> = None;
    for item in items {
        let m = match map_expr(item, classes) {
            RustType::Int if converts_to_float => RustType::Float,
            m => m,
        };
        match m {
            RustType::Unit => has_none = true,
            RustType::Option(inner) => {
                has_none = true;
                if !merge(&mut mapped, *inner) {
                    return RustType::Value;
                }
            }
            other => {
                if !merge(&mut mapped, other) {
                    return RustType::Value;
                }
            }
        }
    }
    match (mapped, has_none) {
        (None, _) => RustType::Unit,
        (Some(t), true) => option_of(t),
        (Some(t), false) => t,
    }
}

/// Records `next` as the union's type; false when it differs from what is already there.
fn merge(slot: &mut Option<RustType>, next: RustType) -> bool {
    match slot {
        None => {
            *slot = Some(next);
            true
        }
        Some(current) => *current == next,
    }
}

fn map_literal(values: &[String]) -> RustType {
    let non_none: Vec<&String> = values.iter().filter(|v| *v != "None").collect();
    let kind = |v: &str| {
        if (v.starts_with('\'') && v.ends_with('\'')) || (v.starts_with('"') && v.ends_with('"')) {
            RustType::Str
        } else if v == "True" || v == "False" {
            RustType::Bool
        } else if v.trim_start_matches('-').parse::<i64>().is_ok() {
            RustType::Int
        } else {
            RustType::Value
        }
    };
    let Some(first) = non_none.first() else {
        return RustType::Unit;
    };
    let t = kind(first);
    if t == RustType::Value || non_none.iter().any(|v| kind(v) != t) {
        return RustType::Value;
    }
    if non_none.len() < values.len() {
        option_of(t)
    } else {
        t
    }
}

impl RustType {
    /// The owned Rust type: what a call returns, and what containers hold.
    pub fn owned(&self) -> TokenStream {
        match self {
            RustType::Int => quote!(__sb::i64),
            RustType::Float => quote!(__sb::f64),
            RustType::Str => quote!(__sb::String),
            RustType::Bytes => quote!(__sb::Bytes),
            RustType::Bool => quote!(__sb::bool),
            RustType::Unit => quote!(()),
            RustType::List(t) => {
                let t = t.owned();
                quote!(__sb::Vec<#t>)
            }
            RustType::Dict(t) => {
                let t = t.owned();
                quote!(__sb::HashMap<__sb::String, #t>)
            }
            RustType::Tuple(items) => {
                let items = items.iter().map(RustType::owned);
                quote!((#(#items,)*))
            }
            RustType::Option(t) => {
                let t = t.owned();
                quote!(__sb::Option<#t>)
            }
            RustType::Class(class) => class.path.clone(),
            RustType::Value | RustType::Array | RustType::Callable { .. } => quote!(__sb::Value),
        }
    }

    /// True when `Value` appears anywhere in the type (`Vec<Value>`, `Option<Value>`, ...).
    fn holds_value(&self) -> bool {
        match self {
            RustType::Value | RustType::Array | RustType::Callable { .. } => true,
            RustType::List(t) | RustType::Dict(t) | RustType::Option(t) => t.holds_value(),
            RustType::Tuple(items) => items.iter().any(RustType::holds_value),
            _ => false,
        }
    }

    /// The type a parameter of this type is declared with.
    pub fn param(&self) -> TokenStream {
        match self {
            RustType::Array => quote!(impl __sb::ArrayArg),
            RustType::Callable { args, ret } => {
                let ret = ret.owned();
                let args = match args {
                    Some(args) => {
                        let args = args.iter().map(RustType::owned);
                        quote!(#(#args),*)
                    }
                    None => quote!(__sb::AnyArgs),
                };
                quote!(impl __sb::IntoPyFn<fn(#args) -> #ret>)
            }
            // A container of dynamic values checks nothing at compile time that `IntoValue`
            // would not, and `Vec<Value>` would force callers to wrap every element.
            t if t.holds_value() => quote!(impl __sb::IntoValue),
            RustType::Int | RustType::Float | RustType::Str | RustType::Bytes => {
                let t = self.owned();
                quote!(impl __sb::Into<#t>)
            }
            RustType::Class(class) => {
                let path = &class.path;
                quote!(&#path)
            }
            RustType::Value => quote!(impl __sb::IntoValue),
            // Any vector, slice or array of what an element parameter takes (`vec!["a"]`,
            // `&["a"]`, `Vec<String>` for `list[str]`).
            RustType::List(item) if item.is_list_element() => {
                let item = item.owned();
                quote!(impl __sb::ListArg<#item>)
            }
            other => other.owned(),
        }
    }

    /// True for the types a typed site call passes as scalars (`SiteCall`): `i64`, `f64`,
    /// `bool`, `String`.
    pub fn is_site_scalar(&self) -> bool {
        matches!(
            self,
            RustType::Int | RustType::Float | RustType::Bool | RustType::Str
        )
    }

    /// Whether a list of this type is declared `impl ListArg<T>` (the runtime's `ElemArg`
    /// covers it): scalars, classes, options and lists of them; maps and tuples stay `Vec<T>`.
    fn is_list_element(&self) -> bool {
        match self {
            RustType::Int
            | RustType::Float
            | RustType::Str
            | RustType::Bytes
            | RustType::Bool
            | RustType::Class(_) => true,
            RustType::Option(t) | RustType::List(t) => t.is_list_element(),
            RustType::Unit
            | RustType::Dict(_)
            | RustType::Tuple(_)
            | RustType::Value
            | RustType::Array
            | RustType::Callable { .. } => false,
        }
    }

    /// An expression implementing the runtime's `IntoValue` for a parameter `name` declared with
    /// [`RustType::param`].
    pub fn arg(&self, name: &TokenStream) -> TokenStream {
        match self {
            RustType::Int | RustType::Float | RustType::Str | RustType::Bytes => {
                quote!(#name.into())
            }
            RustType::List(item) if !self.holds_value() && item.is_list_element() => {
                quote!(__sb::ListArg::into_list(#name))
            }
            RustType::Callable { .. } => quote!(__sb::IntoPyFn::__into_callable_value(#name)),
            _ => name.clone(),
        }
    }

    /// The parameter type of an optional parameter's setter: `Option<T>` drops to `T`, because
    /// leaving the setter out is how one passes the default.
    pub fn setter(&self) -> RustType {
        match self {
            RustType::Option(inner) => (**inner).clone(),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> TypeExpr {
        TypeExpr::Name { name: n.into() }
    }
    fn generic(n: &str, args: Vec<TypeExpr>) -> TypeExpr {
        TypeExpr::Generic {
            name: n.into(),
            args,
        }
    }

    struct OneClass;
    impl ClassLookup for OneClass {
        fn class_path(&self, q: &str) -> Option<TokenStream> {
            (q == "json.encoder.JSONEncoder").then(|| quote!(JSONEncoder))
        }
        fn self_type(&self) -> Option<TokenStream> {
            Some(quote!(Me))
        }
    }

    fn owned(t: &TypeExpr) -> String {
        map(Some(t), &OneClass).owned().to_string()
    }
    fn param(t: &TypeExpr) -> String {
        map(Some(t), &OneClass).param().to_string()
    }

    #[test]
    fn scalars() {
        assert_eq!(owned(&name("int")), "__sb :: i64");
        assert_eq!(owned(&name("builtins.float")), "__sb :: f64");
        assert_eq!(owned(&name("str")), "__sb :: String");
        assert_eq!(owned(&name("bytes")), "__sb :: Bytes");
        assert_eq!(owned(&name("bool")), "__sb :: bool");
        assert_eq!(owned(&TypeExpr::None), "()");
        assert_eq!(owned(&name("complex")), "__sb :: Value");
        assert_eq!(owned(&name("typing.Any")), "__sb :: Value");
        assert_eq!(map(None, &NoClasses), RustType::Value);
        assert_eq!(owned(&name("typing.SupportsIndex")), "__sb :: i64");
    }

    #[test]
    fn params_are_ergonomic() {
        assert_eq!(param(&name("int")), "impl __sb :: Into < __sb :: i64 >");
        assert_eq!(param(&name("str")), "impl __sb :: Into < __sb :: String >");
        assert_eq!(param(&name("bool")), "__sb :: bool");
        assert_eq!(param(&name("object")), "impl __sb :: IntoValue");
        assert_eq!(param(&name("json.encoder.JSONEncoder")), "& JSONEncoder");
        assert_eq!(
            param(&generic("list", vec![name("str")])),
            "impl __sb :: ListArg < __sb :: String >"
        );
        let rows = generic("list", vec![generic("list", vec![name("float")])]);
        assert_eq!(
            param(&rows),
            "impl __sb :: ListArg < __sb :: Vec < __sb :: f64 > >"
        );
        assert_eq!(
            map(Some(&rows), &OneClass).arg(&quote!(x)).to_string(),
            "__sb :: ListArg :: into_list (x)"
        );
        // Maps and tuples have no `ElemArg`: their lists stay vectors.
        let maps = generic(
            "list",
            vec![generic("dict", vec![name("str"), name("int")])],
        );
        assert_eq!(
            param(&maps),
            "__sb :: Vec < __sb :: HashMap < __sb :: String , __sb :: i64 > >"
        );
    }

    /// `typing.Any` is a class object on Python 3.11: even when a module bound it as a class,
    /// annotations naming it (or `object`) are `Value`.
    #[test]
    fn any_and_object_are_values_even_when_bound_as_classes() {
        struct AnyBound;
        impl ClassLookup for AnyBound {
            fn class_path(&self, _: &str) -> Option<TokenStream> {
                Some(quote!(Any))
            }
        }
        for n in [
            "typing.Any",
            "typing_extensions.Any",
            "Any",
            "object",
            "builtins.object",
        ] {
            assert_eq!(map(Some(&name(n)), &AnyBound), RustType::Value, "{n}");
        }
        let list_any = generic("list", vec![name("typing.Any")]);
        assert_eq!(
            map(Some(&list_any), &AnyBound).param().to_string(),
            "impl __sb :: IntoValue"
        );
    }

    #[test]
    fn containers() {
        assert_eq!(
            owned(&generic("typing.List", vec![name("int")])),
            "__sb :: Vec < __sb :: i64 >"
        );
        assert_eq!(
            owned(&generic("dict", vec![name("str"), name("float")])),
            "__sb :: HashMap < __sb :: String , __sb :: f64 >"
        );
        assert_eq!(
            owned(&generic("dict", vec![name("int"), name("float")])),
            "__sb :: Value"
        );
        assert_eq!(
            owned(&generic("tuple", vec![name("int"), name("str")])),
            "(__sb :: i64 , __sb :: String ,)"
        );
        assert_eq!(
            owned(&generic("tuple", vec![name("int"), name("...")])),
            "__sb :: Vec < __sb :: i64 >"
        );
        // Up to the contract's arity a tuple, beyond it a Value.
        let widest = generic("tuple", vec![name("int"); MAX_TUPLE_ARITY]);
        assert!(owned(&widest).starts_with("(__sb :: i64 ,"));
        let big = generic("tuple", vec![name("int"); MAX_TUPLE_ARITY + 1]);
        assert_eq!(owned(&big), "__sb :: Value");
    }

    #[test]
    fn unions_and_optionals() {
        let opt = TypeExpr::Union {
            items: vec![name("int"), TypeExpr::None],
        };
        assert_eq!(owned(&opt), "__sb :: Option < __sb :: i64 >");
        assert_eq!(map(Some(&opt), &OneClass).setter(), RustType::Int);
        let same = TypeExpr::Union {
            items: vec![name("int"), name("typing.SupportsIndex")],
        };
        assert_eq!(map(Some(&same), &OneClass), RustType::Int);
        let float_like = TypeExpr::Union {
            items: vec![name("typing.SupportsFloat"), name("typing.SupportsIndex")],
        };
        assert_eq!(map(Some(&float_like), &OneClass), RustType::Float);
        let int_or_float = TypeExpr::Union {
            items: vec![name("int"), name("float")],
        };
        assert_eq!(map(Some(&int_or_float), &OneClass), RustType::Value);
        let mixed = TypeExpr::Union {
            items: vec![name("int"), name("str")],
        };
        assert_eq!(owned(&mixed), "__sb :: Value");
        let any_or_none = TypeExpr::Union {
            items: vec![name("typing.Any"), TypeExpr::None],
        };
        assert_eq!(owned(&any_or_none), "__sb :: Value");
        assert_eq!(
            map(
                Some(&generic("typing.Optional", vec![name("str")])),
                &OneClass
            ),
            RustType::Option(Box::new(RustType::Str))
        );
    }

    #[test]
    fn array_data_parameters() {
        let unknown = |t: &str| TypeExpr::Unknown { text: t.into() };
        let p = |t: &TypeExpr| map_param(Some(t), &OneClass);
        // scikit-learn's `X: MatrixLike | ArrayLike`, `sample_weight: None | ArrayLike`.
        let x = TypeExpr::Union {
            items: vec![
                unknown("sklearn._typing.MatrixLike"),
                unknown("numpy._typing._array_like.ArrayLike"),
            ],
        };
        assert_eq!(p(&x), RustType::Array);
        assert_eq!(p(&x).param().to_string(), "impl __sb :: ArrayArg");
        let weights = TypeExpr::Union {
            items: vec![
                TypeExpr::None,
                unknown("numpy._typing._array_like.ArrayLike"),
            ],
        };
        assert_eq!(p(&weights), RustType::Array);
        assert_eq!(p(&unknown("array-like")), RustType::Array);
        // A number or an array (numpy reads both as arrays).
        let preference = TypeExpr::Union {
            items: vec![
                name("float"),
                TypeExpr::None,
                unknown("numpy.typing.ArrayLike"),
            ],
        };
        assert_eq!(p(&preference), RustType::Array);
        // Text beside an array, or an array of text, is not numeric array data.
        let or_str = TypeExpr::Union {
            items: vec![name("str"), unknown("sklearn._typing.MatrixLike")],
        };
        assert_eq!(p(&or_str), RustType::Value);
        assert_eq!(
            p(&unknown("numpy._typing._array_like._ArrayLikeStr_co")),
            RustType::Value
        );
        // Results never are array data: `map` keeps them `Value`.
        assert_eq!(map(Some(&x), &OneClass), RustType::Value);
        assert_eq!(p(&name("int")), RustType::Int);
        // scipy-stubs' `x0: onp.ToFloat | onp.ToFloat1D`.
        let x0 = TypeExpr::Union {
            items: vec![name("float"), unknown("optype.numpy._to.ToFloat1D")],
        };
        assert_eq!(p(&x0), RustType::Array);
        assert_eq!(p(&unknown("optype.numpy._to.ToJustInt2D")), RustType::Array);
        assert_eq!(p(&unknown("optype.numpy._to.ToStr1D")), RustType::Value);
    }

    #[test]
    fn callable_parameters() {
        let params = |items: Vec<TypeExpr>| generic("[]", items);
        let callable = |p: TypeExpr, r: TypeExpr| generic("collections.abc.Callable", vec![p, r]);
        let p = |t: &TypeExpr| map_param(Some(t), &OneClass).param().to_string();
        // `Callable[[float], float]`: a closure `Fn(f64) -> Result<f64>`.
        let f = callable(params(vec![name("float")]), name("float"));
        assert_eq!(
            p(&f),
            "impl __sb :: IntoPyFn < fn (__sb :: f64) -> __sb :: f64 >"
        );
        assert_eq!(
            map_param(Some(&f), &OneClass)
                .arg(&quote!(func))
                .to_string(),
            "__sb :: IntoPyFn :: __into_callable_value (func)"
        );
        // Arguments as results map (a class by value), the result owned.
        let two = callable(
            params(vec![name("json.encoder.JSONEncoder"), name("str")]),
            TypeExpr::None,
        );
        assert_eq!(
            p(&two),
            "impl __sb :: IntoPyFn < fn (JSONEncoder , __sb :: String) -> () >"
        );
        // `Callable[..., str]` and `Concatenate[float, ...]`: any arguments.
        let any = callable(name("..."), name("str"));
        assert_eq!(
            p(&any),
            "impl __sb :: IntoPyFn < fn (__sb :: AnyArgs) -> __sb :: String >"
        );
        let concat = callable(
            generic("typing.Concatenate", vec![name("float"), name("...")]),
            name("float"),
        );
        assert_eq!(
            p(&concat),
            "impl __sb :: IntoPyFn < fn (__sb :: AnyArgs) -> __sb :: f64 >"
        );
        // scipy's union of callables: the first; with `None`, an optional one.
        let g = callable(params(vec![name("numpy.float64")]), name("float"));
        let union = TypeExpr::Union {
            items: vec![f.clone(), g, TypeExpr::None],
        };
        let mapped = map_param(Some(&union), &OneClass);
        assert!(
            matches!(&mapped, RustType::Option(inner) if **inner == map_param(Some(&f), &OneClass))
        );
        assert_eq!(mapped.setter(), map_param(Some(&f), &OneClass));
        // An untyped callable, a parameter list beyond the runtime's arities, a ParamSpec, a
        // callable beside another kind of thing: any value, as before.
        assert_eq!(
            map_param(Some(&name("collections.abc.Callable")), &OneClass),
            RustType::Value
        );
        let wide = callable(params(vec![name("int"); 7]), name("int"));
        assert_eq!(map_param(Some(&wide), &OneClass), RustType::Value);
        let spec = callable(TypeExpr::Unknown { text: "~P".into() }, name("int"));
        assert_eq!(map_param(Some(&spec), &OneClass), RustType::Value);
        let or_str = TypeExpr::Union {
            items: vec![f.clone(), name("str")],
        };
        assert_eq!(map_param(Some(&or_str), &OneClass), RustType::Value);
        // Never a result.
        assert_eq!(map(Some(&f), &OneClass), RustType::Value);
    }

    #[test]
    fn literals_classes_and_self() {
        let lit = |v: &[&str]| TypeExpr::Literal {
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(map(Some(&lit(&["'a'", "\"b\""])), &OneClass), RustType::Str);
        assert_eq!(map(Some(&lit(&["1", "-2"])), &OneClass), RustType::Int);
        assert_eq!(map(Some(&lit(&["True"])), &OneClass), RustType::Bool);
        assert_eq!(map(Some(&lit(&["1", "'a'"])), &OneClass), RustType::Value);
        assert_eq!(
            map(Some(&lit(&["'a'", "None"])), &OneClass),
            RustType::Option(Box::new(RustType::Str))
        );
        assert_eq!(owned(&name("json.encoder.JSONEncoder")), "JSONEncoder");
        assert_eq!(
            owned(&generic("json.encoder.JSONEncoder", vec![name("int")])),
            "JSONEncoder"
        );
        assert_eq!(owned(&name("json.decoder.JSONDecoder")), "__sb :: Value");
        assert_eq!(owned(&name("typing.Self")), "Me");
        assert_eq!(map(Some(&name("Self")), &NoClasses), RustType::Value);
    }
}
