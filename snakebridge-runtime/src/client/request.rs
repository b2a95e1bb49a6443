//! [`Request`]: one call into Python, as every client receives it, and [`CallOptions`].

use std::borrow::Cow;
use std::time::Duration;

use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

/// Positional arguments: up to three are stored inline (no allocation for most calls).
pub type Args = smallvec::SmallVec<[Value; 3]>;

/// A name that is usually a `&'static str` from generated code (no allocation per call).
pub type Name = Cow<'static, str>;

/// What kind of call a [`Request`] is (the seed payload's `call_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallType {
    /// `module.function(*args, **kwargs)` (the payload has no `call_type` key, as in the seed).
    Function,
    /// `module.Class(*args, **kwargs)`: construct an instance, returned as a ref.
    Class,
    /// `module.Class.method(*args, **kwargs)`: a static or class method.
    ClassMethod,
    /// `ref.method(*args, **kwargs)`.
    Method,
    /// `getattr(ref, attr)`.
    GetAttr,
    /// `setattr(ref, attr, value)`.
    SetAttr,
    /// `getattr(module, attr)`.
    ModuleAttr,
}

impl CallType {
    /// The payload's `call_type` string (`None` for plain function calls).
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            CallType::Function => None,
            CallType::Class => Some("class"),
            CallType::ClassMethod => Some("class_method"),
            CallType::Method => Some("method"),
            CallType::GetAttr => Some("get_attr"),
            CallType::SetAttr => Some("set_attr"),
            CallType::ModuleAttr => Some("module_attr"),
        }
    }
}

/// One call into Python.
///
/// Clients receive it as a struct; its JSON form ([`wire::request_payload`](crate::client::wire::request_payload)) is the seed's payload:
/// `library`, `python_module`, `function`, `args`, `kwargs`, `idempotent`, and for other call
/// types `call_type` with `class`, `method`, `attr`, `ref` and `value` as they apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    // A field that can own memory must be checked in `owns_nothing`, which lets a finished
    // call be forgotten rather than dropped.
    /// The kind of call.
    pub call_type: CallType,
    /// The Python module (`"os.path"`); empty for calls on a ref.
    pub python_module: Name,
    /// The class, for `Class` and `ClassMethod` calls.
    pub class: Option<Name>,
    /// The function, method or attribute name (for `Class` calls, the class name again).
    pub name: Name,
    /// The object called on, for `Method`, `GetAttr` and `SetAttr`.
    pub target: Option<PyRef>,
    /// Positional arguments (for `SetAttr`, the single value).
    pub args: Args,
    /// Keyword arguments, in order.
    pub kwargs: Vec<(Name, Value)>,
    /// True for a streaming call (the tool `snakebridge.stream`).
    pub streaming: bool,
    /// The generated call site this request comes from, if any: clients may keep what they
    /// resolved for it there (the embedded client keeps the Python callable).
    pub site: Option<&'static CallSite>,
}

impl Request {
    /// True when dropping the request would free nothing: borrowed names, no class or target,
    /// arguments that own no memory (scalars) and no heap buffers: a generated scalar call.
    /// Such a request may be forgotten instead of dropped (see `Call::call`).
    #[inline]
    pub(crate) fn owns_nothing(&self) -> bool {
        matches!(self.python_module, Name::Borrowed(_))
            && matches!(self.name, Name::Borrowed(_))
            && self.class.is_none()
            && self.target.is_none()
            && self.args.iter().all(Value::owns_nothing)
            && !self.args.spilled()
            && self.kwargs.capacity() == 0
    }
}

/// A request's values are the user's: one nested deeper than the stack allows (which encoding
/// refuses with an error) must not abort the process when the request is dropped.
impl Drop for Request {
    #[inline]
    fn drop(&mut self) {
        // Only nested arguments are taken out (a generated scalar call has none left by now:
        // this stays a pair of length checks on its hot path); the rest drop as usual.
        if self.args.is_empty() && self.kwargs.is_empty() {
            return;
        }
        let values = self
            .args
            .iter_mut()
            .chain(self.kwargs.iter_mut().map(|(_, v)| v));
        for value in values {
            if value.nests_containers() {
                std::mem::take(value).drop_deep();
            }
        }
    }
}

/// A call site in generated code: a `static` naming a module attribute, where clients keep what
/// they resolved for it, so a call needs no lookup by name.
///
/// ```
/// use snakebridge_runtime::Call;
/// use snakebridge_runtime::client::CallSite;
/// static SQRT: CallSite = CallSite::new("math", "sqrt");
/// let call = Call::<f64>::at(&SQRT, (16.0,));
/// assert_eq!(call.request().name, "sqrt");
/// ```
pub struct CallSite {
    /// The Python module.
    pub module: &'static str,
    /// The attribute (function or class) in it.
    pub name: &'static str,
    #[cfg(feature = "embedded")]
    pub(crate) embedded: std::sync::OnceLock<pyo3::Py<pyo3::PyAny>>,
}

impl CallSite {
    /// A call site for `module.name`.
    pub const fn new(module: &'static str, name: &'static str) -> CallSite {
        CallSite {
            module,
            name,
            #[cfg(feature = "embedded")]
            embedded: std::sync::OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for CallSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallSite({}.{})", self.module, self.name)
    }
}

impl PartialEq for CallSite {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Request {
    #[inline]
    fn new(call_type: CallType, python_module: Name, name: Name) -> Request {
        Request {
            call_type,
            python_module,
            class: None,
            name,
            target: None,
            args: Args::new(),
            kwargs: Vec::new(),
            streaming: false,
            site: None,
        }
    }

    /// `module.function(...)`.
    #[inline]
    pub fn function(module: impl Into<Name>, function: impl Into<Name>) -> Request {
        Request::new(CallType::Function, module.into(), function.into())
    }

    /// `site.module.site.name(...)` from a generated call site.
    #[inline]
    pub fn at_site(site: &'static CallSite) -> Request {
        let mut r = Request::function(site.module, site.name);
        r.site = Some(site);
        r
    }

    /// `site.module.site.name(...)` constructing a class instance, from a generated call site.
    pub fn class_at_site(site: &'static CallSite) -> Request {
        let mut r = Request::class(site.module, site.name);
        r.site = Some(site);
        r
    }

    /// `module.Class(...)`.
    pub fn class(module: impl Into<Name>, class: impl Into<Name>) -> Request {
        let class = class.into();
        let mut r = Request::new(CallType::Class, module.into(), class.clone());
        r.class = Some(class);
        r
    }

    /// `module.Class.method(...)`.
    pub fn class_method(
        module: impl Into<Name>,
        class: impl Into<Name>,
        method: impl Into<Name>,
    ) -> Request {
        let mut r = Request::new(CallType::ClassMethod, module.into(), method.into());
        r.class = Some(class.into());
        r
    }

    /// `target.method(...)`.
    pub fn method(target: &PyRef, method: impl Into<Name>) -> Request {
        let mut r = Request::new(CallType::Method, Name::Borrowed(""), method.into());
        r.target = Some(target.clone());
        r
    }

    /// `getattr(target, attr)`.
    pub fn get_attr(target: &PyRef, attr: impl Into<Name>) -> Request {
        let mut r = Request::new(CallType::GetAttr, Name::Borrowed(""), attr.into());
        r.target = Some(target.clone());
        r
    }

    /// `setattr(target, attr, value)`.
    pub fn set_attr(target: &PyRef, attr: impl Into<Name>, value: Value) -> Request {
        let mut r = Request::new(CallType::SetAttr, Name::Borrowed(""), attr.into());
        r.target = Some(target.clone());
        r.args.push(value);
        r
    }

    /// `getattr(module, attr)`.
    pub fn module_attr(module: impl Into<Name>, attr: impl Into<Name>) -> Request {
        Request::new(CallType::ModuleAttr, module.into(), attr.into())
    }

    /// The library: the top-level package of `python_module` (`"os"` for `"os.path"`).
    pub fn library(&self) -> &str {
        self.python_module
            .split('.')
            .next()
            .unwrap_or(&self.python_module)
    }

    /// The tool name the seed routes this request to: `snakebridge.call` or `snakebridge.stream`.
    pub fn tool(&self) -> &'static str {
        if self.streaming {
            "snakebridge.stream"
        } else {
            "snakebridge.call"
        }
    }

    /// The name of what is called, for errors and telemetry (`"JSONEncoder.encode"`).
    pub fn display_name(&self) -> String {
        match (&self.class, &self.target) {
            (Some(class), _) if self.call_type == CallType::ClassMethod => {
                format!("{class}.{}", self.name)
            }
            (_, Some(target)) => format!("<{}>.{}", target.type_name(), self.name),
            _ => self.name.to_string(),
        }
    }

    /// Number of arguments (positional plus keyword).
    pub fn arity(&self) -> usize {
        self.args.len() + self.kwargs.len()
    }
}

/// Per-call options: they travel beside the request, not inside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    /// Give up after this long (pool: the worker is killed and replaced).
    pub timeout: Option<Duration>,
    /// The call may be retried once on a fresh worker if its worker crashes.
    pub idempotent: bool,
    /// The session whose worker runs the call.
    pub session: Option<u64>,
    /// The named pool that runs the call (`None`: the default pool).
    pub pool: Option<Name>,
    /// How the result comes back.
    pub returns: ReturnPolicy,
}
