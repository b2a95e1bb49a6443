//! The one error type of the runtime.
//!
//! Every failure of a call is an [`Error`] variant the caller can match: a Python exception (with
//! its class, message, traceback, a matchable [`ExceptionKind`] and the call that raised it),
//! encode/decode failures, stale refs, configuration problems, and the pool's worker crashes and
//! timeouts. None of them poisons the runtime: the next call works.

pub use snakebridge_contract::ExceptionKind;
use std::fmt;
use std::time::Duration;

use crate::data::pyref::PyRef;

/// Result alias used throughout snakebridge.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling into Python.
///
/// ```
/// use snakebridge_runtime::{Error, ExceptionKind};
///
/// fn describe(err: &Error) -> &'static str {
///     match err {
///         Error::Python(e) if e.kind == ExceptionKind::ValueError => "bad value",
///         Error::Python(_) => "other Python exception",
///         Error::WorkerCrash { .. } => "worker died",
///         _ => "something else",
///     }
/// }
/// # let _ = describe;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Python raised an exception.
    #[error("{0}")]
    Python(Box<PythonError>),
    /// A Rust value could not be turned into a Python object or its wire form.
    #[error("cannot encode value for Python: {message}")]
    Encode {
        /// What could not be encoded and why.
        message: String,
    },
    /// A Python object or wire message could not be turned into the Rust type asked for.
    #[error("cannot decode {what}: {message}")]
    Decode {
        /// What was being decoded (the Rust type or "wire message").
        what: String,
        /// Why it failed.
        message: String,
    },
    /// The ref no longer points to a live object: its worker died or its runtime is another one.
    #[error("stale ref #{id}: {reason}")]
    StaleRef {
        /// The ref's id.
        id: u64,
        /// Why it is stale.
        reason: String,
    },
    /// The runtime is misconfigured (interpreter, environment, client selection).
    #[error("snakebridge configuration error: {message}")]
    Config {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A pool worker process died while handling the call.
    #[error("Python worker {worker} of pool `{pool}` crashed during the call: {cause}")]
    WorkerCrash {
        /// The pool's name.
        pool: String,
        /// The worker's index or pid.
        worker: String,
        /// The cause: the signal or exit code.
        cause: String,
    },
    /// The call did not finish within its timeout.
    #[error("call timed out after {after:?}")]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The pool could not take the call (its queue is full or waiting for a worker timed out).
    #[error("pool `{pool}` is saturated: {message}")]
    Saturated {
        /// The pool's name.
        pool: String,
        /// Details.
        message: String,
    },
    /// The pool is draining ([`PoolClient::drain`](crate::PoolClient::drain)) or drained: it
    /// takes no new calls. Send the call to another pool or client.
    #[error("pool `{pool}` is draining and takes no new calls")]
    Draining {
        /// The pool's name.
        pool: String,
    },
    /// The call named a pool session that is closed: closed by its owner, dropped, ended by the
    /// crash of its worker, or not a session of this client.
    #[error("session #{id} cannot be used: {reason}")]
    SessionClosed {
        /// The session's id.
        id: u64,
        /// Why it is closed and what to do.
        reason: String,
    },
    /// A Rust callback ([`PyFn`](crate::PyFn)) called from Rust with [`PyFn::call`](crate::PyFn::call)
    /// failed the way Python would have seen as a `RuntimeError`: it panicked, or it is an
    /// `FnMut` that was already running. (Called from Python, the same failures are Python
    /// exceptions, which come back as [`Error::Python`].)
    #[error("Rust callback failed: {message}")]
    Callback {
        /// What happened.
        message: String,
    },
    /// The mock client received a request it had no expectation for, or an expectation failed.
    #[error("mock runtime: {0}")]
    Mock(String),
}

impl Error {
    /// The Python exception, if this error is one.
    pub fn python(&self) -> Option<&PythonError> {
        match self {
            Error::Python(e) => Some(e),
            _ => None,
        }
    }

    /// True when this is a Python exception of the given kind or a subclass of it, following
    /// Python's builtin hierarchy ([`ExceptionKind::is_a`]): a `ModuleNotFoundError` is an
    /// `ImportError`, a `KeyError` a `LookupError`, a `FileNotFoundError` an `OSError`.
    ///
    /// ```
    /// # use snakebridge_runtime::{Error, ExceptionKind};
    /// # fn check(err: Error) -> bool {
    /// err.is_python(ExceptionKind::LookupError) // KeyError and IndexError too
    /// # }
    /// ```
    pub fn is_python(&self, kind: ExceptionKind) -> bool {
        self.python().is_some_and(|e| e.kind.is_a(kind))
    }

    /// A stable snake_case name of the variant (`"python"`, `"worker_crash"`, ...), used in
    /// telemetry and logs.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::Python(_) => "python",
            Error::Encode { .. } => "encode",
            Error::Decode { .. } => "decode",
            Error::StaleRef { .. } => "stale_ref",
            Error::Config { .. } => "config",
            Error::WorkerCrash { .. } => "worker_crash",
            Error::Timeout { .. } => "timeout",
            Error::Saturated { .. } => "saturated",
            Error::Draining { .. } => "draining",
            Error::SessionClosed { .. } => "session_closed",
            Error::Callback { .. } => "callback",
            Error::Mock(_) => "mock",
        }
    }

    pub(crate) fn decode(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Decode {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn encode(message: impl Into<String>) -> Self {
        Error::Encode {
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }
}

/// A Python exception, with the Rust-side call that raised it.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonError {
    /// The closest well-known exception class in the exception's MRO.
    pub kind: ExceptionKind,
    /// The exception's class: `ValueError`, or `module.Qualname` for non-builtins
    /// (`json.decoder.JSONDecodeError`).
    pub class: String,
    /// `str(exception)`.
    pub message: String,
    /// The formatted Python traceback (`traceback.format_exception`).
    pub traceback: String,
    /// The call that raised it.
    pub context: CallContext,
    /// The qualified names of the exception's class and its bases, in MRO order
    /// (`["json.decoder.JSONDecodeError", "ValueError", "Exception", "BaseException",
    /// "object"]`): what generated exception classes match against (`JSONDecodeError::from_error`).
    pub mro: Vec<String>,
    /// The exception object itself, kept in Python, for its attributes (`lineno`) and for
    /// handing it back to Python (a context manager's `__exit__`): a copy (`copy.copy`) without
    /// the traceback, so the error does not keep the frames' locals (a large argument, a pool
    /// array's segment) alive; the raised object itself when it cannot be copied.
    pub exception: Option<PyRef>,
}

impl PythonError {
    /// Whether the exception is an instance of the class `qualified_name` (module and
    /// qualname; builtins bare), subclasses included.
    ///
    /// ```
    /// # use snakebridge_runtime::{ExceptionKind, PythonError};
    /// let e = PythonError {
    ///     kind: ExceptionKind::ValueError,
    ///     class: "json.decoder.JSONDecodeError".into(),
    ///     message: "Expecting value".into(),
    ///     traceback: String::new(),
    ///     context: Default::default(),
    ///     mro: vec!["json.decoder.JSONDecodeError".into(), "ValueError".into()],
    ///     exception: None,
    /// };
    /// assert!(e.is_instance_of("ValueError") && !e.is_instance_of("KeyError"));
    /// ```
    pub fn is_instance_of(&self, qualified_name: &str) -> bool {
        self.class == qualified_name || self.mro.iter().any(|c| c == qualified_name)
    }
}

impl fmt::Display for PythonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Python raised {}: {}", self.class, self.message)?;
        write!(f, " (in {})", self.context)
    }
}

impl std::error::Error for PythonError {}

/// Which call raised an error: the Python target and the Rust call site.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallContext {
    /// The Python module of the target (empty for calls on a ref).
    pub python_module: String,
    /// The function, class, `Class.method` or attribute that was called.
    pub function: String,
    /// The number of arguments passed (positional plus keyword).
    pub arity: usize,
    /// The Rust source location that made the call (`file:line:column`), when known.
    pub rust_location: Option<String>,
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.python_module.is_empty() {
            write!(f, "{}/{}", self.function, self.arity)?;
        } else {
            write!(f, "{}.{}/{}", self.python_module, self.function, self.arity)?;
        }
        if let Some(loc) = &self.rust_location {
            write!(f, ", called from {loc}")?;
        }
        Ok(())
    }
}
