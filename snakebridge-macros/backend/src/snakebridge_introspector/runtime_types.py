"""Runtime annotation objects (`typing` constructs, classes, strings) read as TypeExpr values."""

import sys
import types
import typing
import warnings

from .text import safe_repr
from .typeexpr import (
    MAX_ALIAS_NODES, NONE, PARAMS, class_name, count_nodes, generic_t, has_unknown, name_t, union_t,
    unknown_t,
)


_WRAPPER_FORMS = set()


for _n in ("ClassVar", "Final", "Required", "NotRequired", "ReadOnly"):
    if hasattr(typing, _n):
        _WRAPPER_FORMS.add(getattr(typing, _n))


def rt_type(t, globalns=None, self_type=None, depth=0):
    """Normalises a runtime annotation object into a TypeExpr."""
    if depth > 10:
        return unknown_t(safe_repr(t))
    if t is None or t is type(None):
        return NONE
    if t is Ellipsis:
        return name_t("...")
    if isinstance(t, str):
        return str_annotation(t, globalns, self_type, depth + 1)
    if isinstance(t, typing.ForwardRef):
        return str_annotation(t.__forward_arg__, globalns, self_type, depth + 1)
    if isinstance(t, typing.TypeVar):
        return rt_typevar(t, self_type, depth)
    if t is typing.Any:
        return name_t("typing.Any")
    if getattr(typing, "Self", None) is not None and t is getattr(typing, "Self"):
        return name_t(self_type) if self_type else unknown_t("Self")
    if isinstance(t, (list, tuple)):
        # A Callable's parameter list (`Callable[[int], str]`'s `[int]`).
        return generic_t(PARAMS, [rt_type(a, globalns, self_type, depth + 1) for a in t])
    origin = typing.get_origin(t)
    if origin is not None:
        args = typing.get_args(t)
        if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
            return union_t([rt_type(a, globalns, self_type, depth + 1) for a in args])
        if origin is typing.Literal:
            return {"kind": "literal", "values": [safe_repr(a) for a in args]}
        if origin is typing.Annotated:
            return rt_type(args[0], globalns, self_type, depth + 1)
        if origin in _WRAPPER_FORMS:
            return rt_type(args[0], globalns, self_type, depth + 1) if args else name_t("typing.Any")
        if isinstance(origin, type):
            nm = class_name(origin)
            if not args:
                return name_t(nm)
            return generic_t(nm, [rt_type(a, globalns, self_type, depth + 1) for a in args])
        return unknown_t(safe_repr(t))
    if isinstance(t, type):
        return name_t(class_name(t))
    if t is getattr(typing, "LiteralString", object()):
        return name_t("str")
    if t is typing.NoReturn or t is getattr(typing, "Never", object()):
        return name_t("typing.NoReturn" if t is typing.NoReturn else "typing.Never")
    return unknown_t(safe_repr(t))


_RT_TYPEVARS_ACTIVE = set()


def rt_typevar(tv, self_type, depth):
    """A runtime TypeVar read as what it stands for: its bound (`TypeVar("T", bound=B)` -> B),
    the union of its constraints (`TypeVar("T", A, B)` -> A | B), or `~T` when unconstrained or
    when that cannot be normalised or is too large (the variable stays a variable rather than an
    unknown)."""
    fallback = unknown_t("~" + str(getattr(tv, "__name__", "T")))
    bound = getattr(tv, "__bound__", None)
    constraints = tuple(getattr(tv, "__constraints__", ()) or ())
    if (bound is None and not constraints) or id(tv) in _RT_TYPEVARS_ACTIVE:
        return fallback
    mod = sys.modules.get(getattr(tv, "__module__", None) or "")
    globalns = getattr(mod, "__dict__", None)
    _RT_TYPEVARS_ACTIVE.add(id(tv))
    try:
        if bound is not None:
            t = rt_type(bound, globalns, self_type, depth + 1)
        else:
            t = union_t([rt_type(c, globalns, self_type, depth + 1) for c in constraints])
    finally:
        _RT_TYPEVARS_ACTIVE.discard(id(tv))
    return fallback if has_unknown(t) or count_nodes(t) > MAX_ALIAS_NODES else t


def str_annotation(text, globalns, self_type, depth):
    """A string annotation (PEP 563 or a forward reference): evaluated in the defining module."""
    if globalns is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = eval(text, dict(globalns))  # noqa: S307 - the library's own annotation
            if not isinstance(value, str):
                return rt_type(value, globalns, self_type, depth + 1)
        except Exception:
            pass
    return unknown_t(text)
