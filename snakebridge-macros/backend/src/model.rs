//! The introspection model: what the Python introspector (`snakebridge_introspector`) prints as
//! JSON and what code generation consumes. It is the contract between the two halves of the backend, so every
//! field is documented and the JSON form is stable (`serde` with snake_case tags).
//!
//! Names are Python names, verbatim; turning them into Rust identifiers is codegen's job.

use serde::{Deserialize, Serialize};

/// One introspected Python module (the top level or a requested submodule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ModuleInfo {
    /// Fully qualified module name, e.g. `"numpy.linalg"`.
    pub name: String,
    /// The module docstring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Public callables reachable as attributes of this module (plain functions, builtins, ufuncs,
    /// array-function dispatchers and other objects with `__call__`), sorted by name.
    #[serde(default)]
    pub functions: Vec<FunctionInfo>,
    /// Public classes reachable as attributes of this module, sorted by name. Also holds the
    /// non-exported ancestor classes needed to mirror inheritance (`exported == false`).
    #[serde(default)]
    pub classes: Vec<ClassInfo>,
    /// Public non-callable, non-module attributes, sorted by name.
    #[serde(default)]
    pub constants: Vec<ConstantInfo>,
    /// Submodules that were requested (`submodules = [...]`), introspected the same way.
    #[serde(default)]
    pub submodules: Vec<ModuleInfo>,
    /// Members that could not be bound, and why; listed in the module's rustdoc.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

/// A member the bindings leave out (or bind without a signature), with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The dotted Python name (`module.Class.member`).
    pub name: String,
    /// Why, in a sentence.
    pub reason: String,
}

/// A function, method or other callable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FunctionInfo {
    /// The attribute name under which it is reached.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// What kind of object this is.
    #[serde(default)]
    pub kind: CallableKind,
    /// One signature, or several when the stubs declare `@overload`s (in stub order).
    /// Empty when nothing is known: codegen then accepts `*args, **kwargs`.
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// Where `signatures` came from.
    #[serde(default)]
    pub signature_source: SignatureSource,
    /// True for generator functions (`inspect.isgeneratorfunction`) or when the stub returns
    /// `Iterator`/`Generator`/`Iterable`; such functions stream.
    #[serde(default)]
    pub is_generator: bool,
    /// True for coroutine functions (`async def`, `inspect.iscoroutinefunction`): a call's
    /// result is awaited (by `.call()` too), and the docs say so. Written only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_coroutine: bool,
}

/// The kind of a callable object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CallableKind {
    /// A `def` function.
    #[default]
    Function,
    /// A C function (`builtin_function_or_method`).
    Builtin,
    /// A numpy ufunc.
    Ufunc,
    /// Any other object with `__call__` (e.g. numpy's array-function dispatchers, functools.partial).
    CallableObject,
}

/// Where a signature came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignatureSource {
    /// The package's own `.pyi` stub file.
    Stub,
    /// typeshed's stubs (e.g. for the standard library).
    Typeshed,
    /// `inspect.signature` with runtime annotations.
    Inspect,
    /// `__text_signature__` of a builtin.
    TextSignature,
    /// The first line of the docstring.
    Docstring,
    /// Nothing was found.
    #[default]
    Unknown,
}

/// One signature of a callable. For methods the `self`/`cls` parameter is already removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Signature {
    pub params: Vec<Param>,
    /// The annotated return type, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<TypeExpr>,
    /// The signature as Python would print it, e.g. `"(obj, *, indent=None) -> str"`, for docs.
    #[serde(default)]
    pub text: String,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation: Option<TypeExpr>,
    /// The default's source text or repr, when the parameter has one (`None` = required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// Python's parameter kinds (`inspect.Parameter.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

/// A type annotation, normalised by the introspector into a small tree.
///
/// `Optional[X]` and `X | None` become `Union [X, None]`; `typing.List[int]` and `list[int]` both
/// become `Generic { name: "list", .. }`; names of classes are fully qualified
/// (`"numpy.ndarray"`, `"json.encoder.JSONEncoder"`), builtins are bare (`"int"`, `"str"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeExpr {
    /// A plain name: `int`, `str`, `numpy.ndarray`, `typing.Any`.
    Name { name: String },
    /// A subscripted generic: `list[int]`, `dict[str, float]`, `tuple[int, ...]` (an ellipsis
    /// argument is `Name { name: "..." }`), `collections.abc.Iterator[str]`.
    Generic { name: String, args: Vec<TypeExpr> },
    /// `A | B | ...`.
    Union { items: Vec<TypeExpr> },
    /// `None` as a type.
    None,
    /// `Literal["a", "b"]`: the reprs of the values.
    Literal { values: Vec<String> },
    /// Anything the introspector could not normalise, with its source text.
    Unknown { text: String },
}

/// A class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ClassInfo {
    /// The attribute name under which it is reached in this module (`"JSONEncoder"`).
    pub name: String,
    /// The qualified name of the class object, `module.qualname` (`"json.encoder.JSONEncoder"`).
    /// Type annotations refer to classes by this name. Unique within one introspection: a second
    /// class object with the same name gets `#2` appended (a namedtuple base and its subclass).
    pub qualified_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// False for ancestors that are not attributes of the module but are included so that
    /// inheritance can be mirrored; codegen emits them hidden.
    #[serde(default = "default_true")]
    pub exported: bool,
    /// Direct bases, qualified names, in declaration order (`builtins.object` omitted).
    #[serde(default)]
    pub bases: Vec<String>,
    /// The method resolution order after the class itself, qualified names, of the classes the
    /// bindings mirror (`object`, builtins and `typing` left out). Empty in fixtures that predate
    /// it: codegen then follows `bases`, depth first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mro: Vec<String>,
    /// The field names, in tuple order, of a namedtuple, `typing.NamedTuple` or struct-sequence
    /// class whose names cover the whole tuple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// A subclass of `BaseException`: the struct gets `from_error` (the exception in an
    /// `Error`, as this class).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exception: bool,
    /// The constructor signature (from `__init__`/`__new__`/the stub), `self` removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constructor: Option<FunctionInfo>,
    /// Methods defined in this class's own `__dict__` (not inherited), public names only plus
    /// `__call__`, `__getitem__`, `__len__`, `__iter__`, `__contains__`.
    #[serde(default)]
    pub methods: Vec<MethodInfo>,
    /// Operator protocols defined in the class's own `__dict__` (`__add__`, `__radd__`,
    /// `__neg__`, `__lt__`, ...): bound as `std::ops` impls and methods, not as methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<MethodInfo>,
    /// Properties and data attributes defined on this class (own `__dict__`, stub annotations,
    /// and instance attributes assigned in `__init__` when known).
    #[serde(default)]
    pub attributes: Vec<AttributeInfo>,
}

fn default_true() -> bool {
    true
}

/// A method of a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodInfo {
    #[serde(flatten)]
    pub function: FunctionInfo,
    pub binding: MethodBinding,
}

/// How a method is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodBinding {
    Instance,
    Static,
    Class,
}

/// A property or data attribute of a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation: Option<TypeExpr>,
    /// True for a property without a setter (or a stub `@property` without `@x.setter`).
    #[serde(default)]
    pub readonly: bool,
}

impl AttributeInfo {
    /// Whether the bindings give this attribute a setter: Python code assigns it on instances.
    /// Not when it is read-only (a property without a setter, a `Final`), nor when by naming
    /// convention it is a class-level constant or flag rather than instance state: an
    /// UPPER_CASE name (PEP 8 constants, `MAX_SIZE`) or a `bool` named `is_*`/`has_*` (sympy's
    /// `is_Symbol`, `is_commutative`). The model does not record whether a value lives on the
    /// class or on instances (the introspector would have to say); these names are what it
    /// can be told from.
    ///
    /// ```
    /// use snakebridge_codegen::model::{AttributeInfo, TypeExpr};
    /// let attr = |name: &str, ty: &str| AttributeInfo {
    ///     name: name.into(),
    ///     doc: None,
    ///     annotation: Some(TypeExpr::Name { name: ty.into() }),
    ///     readonly: false,
    /// };
    /// assert!(attr("item_separator", "str").settable());
    /// assert!(!attr("is_Symbol", "bool").settable());
    /// assert!(!attr("MAX_SIZE", "int").settable());
    /// ```
    pub fn settable(&self) -> bool {
        let name = self.name.as_str();
        let constant = name.len() > 1
            && name.chars().any(|c| c.is_alphabetic())
            && !name.chars().any(char::is_lowercase);
        let flag = (name.starts_with("is_") || name.starts_with("has_"))
            && matches!(&self.annotation, Some(TypeExpr::Name { name }) if name == "bool");
        !(self.readonly || constant || flag)
    }
}

/// A module-level attribute that is neither callable nor a module nor a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstantInfo {
    pub name: String,
    /// `type(value).__qualname__` with its module when not builtins (`"float"`, `"numpy.dtype"`).
    pub type_name: String,
    /// The value itself when it is plain data (bool, int within i64, float, str of at most
    /// 10 000 chars): codegen can then emit a Rust `const`.
    ///
    /// JSON has no non-finite numbers, so a float that is infinite or NaN is written as the JSON
    /// *string* `"inf"`, `"-inf"` or `"nan"` (with `type_name == "float"`; a `str` constant
    /// keeps `type_name == "str"`, which is how the two are told apart). A Python `None` value
    /// is JSON `null`, which reads back as `None` here: `type_name == "NoneType"` identifies it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}
