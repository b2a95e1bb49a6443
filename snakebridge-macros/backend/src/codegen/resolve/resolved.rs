//! The resolved tree: what resolution hands the checker and the emitter (every module with its
//! items, Rust names, plans and types).

use super::super::Name;
use super::super::plan::Plan;
use crate::model::{AttributeInfo, ClassInfo, ConstantInfo, FunctionInfo, MethodInfo, ModuleInfo};
use crate::typemap::RustType;
use proc_macro2::TokenStream;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The resolved tree of one `#[python_module]` invocation.
#[derive(Debug)]
pub struct Resolved<'m> {
    /// Every module of the tree; index 0 is the root, children follow their parent.
    pub mods: Vec<ResolvedModule<'m>>,
    /// Qualified Python class name → the Rust path (from the root bindings module) of the struct
    /// bound for it, hidden ancestors included.
    pub class_paths: HashMap<String, Vec<String>>,
    /// The `include` entries, routed to their module (for the checker).
    pub includes: Vec<Routed>,
    /// The `streaming` entries, routed to their module (for the checker).
    pub streaming: Vec<Routed>,
}

/// An option entry routed to the module it addresses.
#[derive(Debug, Clone)]
pub struct Routed {
    /// Index into [`Resolved::mods`].
    pub module: usize,
    /// The rest of the dotted entry, relative to that module (`""` for the module itself).
    pub local: String,
    /// The entry as written, with its span.
    pub entry: Name,
}

/// One module of the tree.
#[derive(Debug)]
pub struct ResolvedModule<'m> {
    pub info: &'m ModuleInfo,
    /// The Rust path from the root bindings module (empty for the root).
    pub path: Vec<String>,
    /// `(name relative to the parent, index)` of the child modules (all of them, bound or not).
    pub children: Vec<(String, usize)>,
    /// Names a parameter binding must not take in this module: its constants, tuple structs and
    /// builder types, and the prelude's `Some`, `None`, `Ok`, `Err`.
    pub values: HashSet<String>,
    pub functions: Vec<ResolvedCallable<'m>>,
    pub classes: Vec<ResolvedClass<'m>>,
    pub constants: Vec<ResolvedConstant<'m>>,
    /// `(child module index, Rust name)` of the bound submodules.
    pub submodules: Vec<(usize, String)>,
    /// The classes of `__ancestors` (not exported: instance methods and attributes only).
    pub hidden: Vec<ResolvedClass<'m>>,
    /// [`ResolvedModule::values`] of the `__ancestors` module.
    pub hidden_values: HashSet<String>,
}

/// A callable with its Rust names and its plan.
#[derive(Debug)]
pub struct ResolvedCallable<'m> {
    /// The callable (a constructor without `__init__` info gets an empty one).
    pub info: Cow<'m, FunctionInfo>,
    /// The Rust function name.
    pub rust_name: String,
    /// The builder type name, when the plan [needs one](Plan::needs_builder). The name is
    /// claimed in the module scope either way, so names do not shift when a signature changes.
    pub builder: Option<String>,
    pub plan: Plan,
    /// The builder's setter names, one per [`Plan::optional`] parameter: the Python name unless
    /// the builder already has it (see `snakebridge_contract::builder`), then with a `_`.
    pub setters: Vec<String>,
    /// The name of the trait that picks the result from the first argument's type, when the
    /// plan has [overloads](Plan::overloads).
    pub overload_trait: Option<String>,
}

/// A class to emit, with its members.
#[derive(Debug)]
pub struct ResolvedClass<'m> {
    pub info: &'m ClassInfo,
    /// The struct's name.
    pub rust_name: String,
    /// Exported (bound) classes are constructible and have static methods; hidden ancestors
    /// only carry instance methods and attributes.
    pub exported: bool,
    /// `(module, name)` under which Python reaches the class.
    pub python: (String, String),
    /// The qualified name of the base mirrored through `Deref`.
    pub base: Option<String>,
    /// The path of the base's struct, relative to the module the class is emitted in.
    pub base_path: Option<TokenStream>,
    /// The name of the trait carrying the class's instance members, when some class inherits
    /// them from it off its `Deref` chain (a mixin); see `Inheritance` in this module's source.
    pub members_trait: Option<String>,
    /// Whether the instance members are also inherent (false only for hidden ancestors that no
    /// class derefs to: their trait is all they need).
    pub inherent_members: bool,
    /// The member traits this class implements (paths relative to its module).
    pub trait_impls: Vec<TokenStream>,
    /// Inherent copies of this class's members emitted on subclasses, where the subclass's
    /// MRO would otherwise be ambiguous or resolved differently by Rust: `(subclass struct
    /// path, Rust member names)`.
    pub forwards: Vec<(TokenStream, Vec<String>)>,
    /// A namedtuple or struct sequence: the Rust name of its `to_tuple` method and the field
    /// types in tuple order.
    pub tuple: Option<(String, Vec<RustType>)>,
    /// The item type of `for item in &object`, when the class (or its MRO) defines
    /// `__iter__`.
    pub iter_item: Option<RustType>,
    /// For exception classes: the Rust name of `from_error`.
    pub from_error: Option<String>,
    /// For context managers (`__enter__` and `__exit__` along the MRO): the type `__enter__`
    /// returns, which the `with` method hands to its closure.
    pub context: Option<RustType>,
    /// The Python operators the class has (its own or along its MRO, the MRO winner's
    /// signature), grouped by result and right-operand types.
    pub operators: Vec<OperatorGroup>,
    /// The constructor (exported classes only); its plan returns `Self`.
    pub ctor: Option<ResolvedCallable<'m>>,
    pub methods: Vec<ResolvedMethod<'m>>,
    pub attrs: Vec<ResolvedAttr<'m>>,
}

/// Operators of a class sharing their result and right-operand types, for the runtime's
/// `__py_ops!`.
#[derive(Debug)]
pub struct OperatorGroup {
    /// The result type (`Result<ret>`).
    pub ret: RustType,
    /// The right operands the binary operators take; empty for any value.
    pub rhs: Vec<TokenStream>,
    /// `(operator, method name when it is a method and had to be renamed)`: `add`, `radd`,
    /// `neg`, `pow`, ... (the dunder without underscores).
    pub ops: Vec<(String, Option<String>)>,
}

/// A method of a class.
#[derive(Debug)]
pub struct ResolvedMethod<'m> {
    pub method: &'m MethodInfo,
    pub callable: ResolvedCallable<'m>,
}

/// An attribute of a class: getter, setter unless read-only, and the mapped type.
#[derive(Debug)]
pub struct ResolvedAttr<'m> {
    pub info: &'m AttributeInfo,
    pub getter: String,
    pub setter: Option<String>,
    pub ty: RustType,
}

/// A module constant.
#[derive(Debug)]
pub struct ResolvedConstant<'m> {
    pub info: &'m ConstantInfo,
    pub rust_name: String,
    /// The getter's return type, for constants without a plain value.
    pub getter_type: RustType,
}
