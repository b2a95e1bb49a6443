//! [`ExceptionKind`]: the well-known Python exception classes, matchable without strings.
//!
//! The embedded client tests a raised exception against these classes in [`ExceptionKind::ALL`]
//! order; the pool's worker is handed the same list of class names when it starts. Neither keeps
//! a list of its own.

macro_rules! exception_kinds {
    ($($(#[$doc:meta])* $kind:ident),* $(,)?) => {
        /// Well-known Python exception classes, so callers can match without string compares.
        ///
        /// The kind of an exception is the first of these found in its class's MRO, so
        /// `json.JSONDecodeError` is a [`ExceptionKind::ValueError`] and `ModuleNotFoundError`
        /// is [`ExceptionKind::ModuleNotFoundError`] (itself an `ImportError` in Python).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ExceptionKind {
            $($(#[$doc])* $kind,)*
            /// Any other exception class (see `PythonError::class` in the runtime).
            Other,
        }

        impl ExceptionKind {
            /// Every kind but [`ExceptionKind::Other`], most specific first: the order in which
            /// an exception's class is tested against them.
            pub const ALL: &'static [ExceptionKind] = &[$(ExceptionKind::$kind),*];

            /// The Python class name of this kind (`"ValueError"`); `"Exception"` for `Other`.
            pub fn class_name(self) -> &'static str {
                match self {
                    $(ExceptionKind::$kind => stringify!($kind),)*
                    ExceptionKind::Other => "Exception",
                }
            }
        }
    };
}

exception_kinds! {
    /// `ModuleNotFoundError`
    ModuleNotFoundError,
    /// `ImportError`
    ImportError,
    /// `KeyError`
    KeyError,
    /// `IndexError`
    IndexError,
    /// `ZeroDivisionError`
    ZeroDivisionError,
    /// `OverflowError`
    OverflowError,
    /// `ArithmeticError`
    ArithmeticError,
    /// `UnicodeDecodeError`, `UnicodeEncodeError` and other `UnicodeError`s
    UnicodeError,
    /// `ValueError`
    ValueError,
    /// `TypeError`
    TypeError,
    /// `AttributeError`
    AttributeError,
    /// `NotImplementedError`
    NotImplementedError,
    /// `RecursionError`
    RecursionError,
    /// `RuntimeError`
    RuntimeError,
    /// `FileNotFoundError`
    FileNotFoundError,
    /// `PermissionError`
    PermissionError,
    /// `TimeoutError`
    TimeoutError,
    /// `OSError`
    OSError,
    /// `StopIteration`
    StopIteration,
    /// `AssertionError`
    AssertionError,
    /// `NameError`
    NameError,
    /// `LookupError`
    LookupError,
    /// `MemoryError`
    MemoryError,
    /// `KeyboardInterrupt`
    KeyboardInterrupt,
    /// `SystemExit`
    SystemExit,
}

impl ExceptionKind {
    /// The kind for a class name as Python spells it, `Other` when it is not a well-known one.
    pub fn from_class_name(name: &str) -> ExceptionKind {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.class_name() == name)
            .unwrap_or(ExceptionKind::Other)
    }
}

impl ExceptionKind {
    /// The nearest base class of this kind that is itself a kind, as in Python's builtin
    /// hierarchy (`ModuleNotFoundError` → `ImportError`, `KeyError` → `LookupError`,
    /// `FileNotFoundError` → `OSError`); `None` for kinds whose bases are not kinds.
    pub fn base(self) -> Option<ExceptionKind> {
        use ExceptionKind::*;
        Some(match self {
            ModuleNotFoundError => ImportError,
            KeyError | IndexError => LookupError,
            ZeroDivisionError | OverflowError => ArithmeticError,
            UnicodeError => ValueError,
            NotImplementedError | RecursionError => RuntimeError,
            FileNotFoundError | PermissionError | TimeoutError => OSError,
            _ => return None,
        })
    }

    /// Whether an exception of this kind is an instance of `other` in Python: the same kind,
    /// or `other` is among its bases (`ModuleNotFoundError.is_a(ImportError)`).
    ///
    /// ```
    /// use snakebridge_contract::ExceptionKind;
    /// assert!(ExceptionKind::ModuleNotFoundError.is_a(ExceptionKind::ImportError));
    /// assert!(ExceptionKind::KeyError.is_a(ExceptionKind::LookupError));
    /// assert!(!ExceptionKind::LookupError.is_a(ExceptionKind::KeyError));
    /// ```
    pub fn is_a(self, other: ExceptionKind) -> bool {
        let mut kind = Some(self);
        while let Some(k) = kind {
            if k == other {
                return true;
            }
            kind = k.base();
        }
        false
    }
}
