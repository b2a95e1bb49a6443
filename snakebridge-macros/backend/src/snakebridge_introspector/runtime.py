"""Runtime inspection of live objects: what kind of callable an object is, its runtime signature
and parameter kinds (C functions' `PyMethodDef` flags included), generators, and what a class
is (mirrored base, namedtuple fields, builtin constructor, attributes set by `__init__`)."""

import ast
import importlib.util
import inspect
import re
import sys
import types
import typing
import warnings

from .signatures import PK, _drop_first_param
from .typeexpr import ITERATOR_NAMES, class_name


def callable_kind(obj):
    tname = type(obj).__name__
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return "function"
    if tname == "ufunc":
        return "ufunc"
    if inspect.isbuiltin(obj) or tname in (
        "method_descriptor", "cython_function_or_method", "fused_cython_function",
        "builtin_function_or_method", "wrapper_descriptor", "classmethod_descriptor",
    ):
        return "builtin"
    return "callable_object"


def _is_coroutine_fn(obj):
    """``async def`` (``inspect.iscoroutinefunction``, through decorators' ``__wrapped__``)."""
    try:
        f = inspect.unwrap(obj)
    except Exception:
        f = obj
    try:
        return inspect.iscoroutinefunction(f)
    except Exception:
        return False


def _is_generator_fn(obj):
    try:
        f = inspect.unwrap(obj)
    except Exception:
        f = obj
    try:
        return inspect.isgeneratorfunction(f)
    except Exception:
        return False


def _iter_return(sigs):
    rets = [s.get("returns") for s in sigs if s.get("returns") is not None]
    if not rets:
        return False
    return all(r["kind"] in ("name", "generic") and r["name"] in ITERATOR_NAMES for r in rets)


def _runtime_sig(obj):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return inspect.signature(obj)
    except Exception:
        return None


# PyMethodDef.ml_flags: without METH_KEYWORDS a C function takes no keyword arguments at all.
_METH_KEYWORDS = 0x0002


_ALL_POSITIONAL = 1 << 30


_METHOD_DEF = []


def _method_def_struct():
    """The ctypes mirror of CPython's PyMethodDef, or None (another implementation, no ctypes)."""
    if not _METHOD_DEF:
        struct = None
        if sys.implementation.name == "cpython":
            try:
                import ctypes

                class _MethodDef(ctypes.Structure):
                    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p),
                                ("ml_flags", ctypes.c_int), ("ml_doc", ctypes.c_char_p)]

                struct = _MethodDef
            except Exception:
                struct = None
        _METHOD_DEF.append(struct)
    return _METHOD_DEF[0]


def _c_method_flags(obj):
    """`ml_flags` of a CPython C function or method descriptor, read from its PyMethodDef, or
    None when that cannot be done safely (another implementation, another kind of object, no
    ctypes, or a layout that does not check out: the definition's `ml_name` must be the
    object's `__name__`)."""
    t = type(obj)
    if t not in (types.BuiltinFunctionType, types.MethodDescriptorType, types.ClassMethodDescriptorType):
        return None
    method_def = _method_def_struct()
    if method_def is None:
        return None
    import ctypes

    ptr_size = ctypes.sizeof(ctypes.c_void_p)
    head = object.__basicsize__  # sizeof(PyObject), larger in debug / free-threaded builds
    if t is types.BuiltinFunctionType:
        offset = head  # PyCFunctionObject: PyObject_HEAD; PyMethodDef *m_ml; ...
    elif t in (types.MethodDescriptorType, types.ClassMethodDescriptorType):
        offset = head + 3 * ptr_size  # PyDescr_COMMON (d_type, d_name, d_qualname); d_method
    else:
        return None
    if t.__basicsize__ < offset + ptr_size:
        return None
    try:
        ml = ctypes.c_void_p.from_address(id(obj) + offset).value
        if not ml:
            return None
        md = method_def.from_address(ml)
        if md.ml_name is None or md.ml_name.decode("utf-8", "replace") != obj.__name__:
            return None
        return int(md.ml_flags)
    except Exception:
        return None


_DOC_BRACKETS_RE = re.compile(r"^\s*[A-Za-z_][\w.]*\s*\(([^()]*)\)")


def _runtime_kinds(obj, rsig, drop_first):
    """(n, names): how many leading positional parameters of `obj` (after dropping `self` when
    drop_first) can only be passed by position, as far as the runtime knows (0 = nothing
    known), and the names of its keyword-only parameters (from `inspect.signature`).

    - `inspect.signature` (which reads a C function's `__text_signature__`): its leading
      positional-only parameters;
    - a CPython C function or method whose PyMethodDef lacks METH_KEYWORDS (`math.log`, which
      has no text signature) takes no keywords at all: every positional parameter;
    - failing both, for a builtin without a runtime signature, a docstring first line in the
      old `name(x, [base=...])` notation (optional arguments in brackets) means the same
      (that is how PyArg_ParseTuple-style functions, which take no keywords, document
      themselves).
    """
    if obj is None:
        return None
    n = 0
    kwonly = frozenset()
    if rsig is not None:
        params = list(rsig.parameters.values())
        if drop_first:
            params = _drop_first_param(params)
        for p in params:
            if p.kind != PK.POSITIONAL_ONLY:
                break
            n += 1
        kwonly = frozenset(p.name for p in params if p.kind == PK.KEYWORD_ONLY)
    flags = _c_method_flags(obj)
    if flags is not None and not flags & _METH_KEYWORDS:
        n = _ALL_POSITIONAL
    elif flags is None and rsig is None and callable_kind(obj) == "builtin":
        doc = getattr(obj, "__doc__", None)
        m = _DOC_BRACKETS_RE.match(doc) if isinstance(doc, str) else None
        if m and "[" in m.group(1) and "=" not in m.group(1).split("[")[0] and "*" not in m.group(1):
            n = _ALL_POSITIONAL
    return (n, kwonly)


def _mirrored(cls):
    """Whether a base class is mirrored by the bindings: not `object`, builtins, `Generic` or
    `typing`'s protocols."""
    if cls is object or cls is typing.Generic:
        return False
    mod = getattr(cls, "__module__", None)
    return mod not in ("builtins", "typing") and class_name(cls) is not None


def _tuple_fields(cls):
    """The field names, in tuple order, of a namedtuple, `typing.NamedTuple` or struct-sequence
    class (`os.stat_result`, `time.struct_time`), else None."""
    try:
        if not (isinstance(cls, type) and issubclass(cls, tuple)):
            return None
        if not (hasattr(cls, "_fields") or hasattr(cls, "n_sequence_fields")):
            return None
        names = getattr(cls, "__match_args__", None) or getattr(cls, "_fields", None)
        names = [n for n in names if isinstance(n, str)]
        # Some struct sequences have unnamed positions (`os.stat_result`'s integer times): the
        # names then do not describe the tuple, and only the getters are bound.
        if len(names) != getattr(cls, "n_sequence_fields", len(names)):
            return None
        return names or None
    except Exception:
        return None


def _ctor_kind(cls):
    return "builtin" if _is_builtin_type(cls) else "function"


def _is_builtin_type(cls):
    return not hasattr(cls, "__dict__") or "__init__" not in cls.__dict__ and not any(
        inspect.isfunction(getattr(k, "__dict__", {}).get("__init__")) for k in cls.__mro__
    ) and not any(inspect.isfunction(getattr(k, "__dict__", {}).get("__new__")) for k in cls.__mro__)


def _plain_function(obj):
    try:
        f = inspect.unwrap(obj)
    except Exception:
        f = obj
    return f if inspect.isfunction(f) else None


def _init_assigned(cls):
    init = cls.__dict__.get("__init__")
    if not inspect.isfunction(init):
        return []
    try:
        src = inspect.getsource(init)
    except Exception:
        return []
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(src))
    except SyntaxError:
        return []
    fn = tree.body[0] if tree.body else None
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    args = fn.args.posonlyargs + fn.args.args
    if not args:
        return []
    self_name = args[0].arg
    found = []
    for node in ast.walk(fn):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == self_name
                    and isinstance(sub.ctx, ast.Store)
                    and sub.attr not in found
                ):
                    found.append(sub.attr)
    return found


def _is_submodule(modname, name):
    try:
        return importlib.util.find_spec(modname + "." + name) is not None
    except Exception:
        return False
