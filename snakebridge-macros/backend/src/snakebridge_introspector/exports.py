"""Which of a module's names are its items: what it defines or deliberately exports, never the
`typing` constructs it imports for its annotations (`Any`, `Optional`, `cast`, a `TypeVar`)."""

import inspect
import types
import typing
import warnings


# The modules whose names are annotation machinery, not API, when another module imports them.
TYPING_MODULES = ("typing", "typing_extensions", "__future__")


# Instances that only annotations use, wherever they were created (`T = TypeVar("T")` says
# the creating module as its `__module__`).
_TYPING_INSTANCES = tuple(
    t for t in (
        getattr(typing, "TypeVar", None), getattr(typing, "ParamSpec", None),
        getattr(typing, "TypeVarTuple", None), getattr(typing, "TypeAliasType", None),
        getattr(types, "GenericAlias", None), getattr(types, "UnionType", None),
    ) if isinstance(t, type)
) + ((typing.NewType,) if isinstance(typing.NewType, type) else ())


def _own_module(obj):
    """The module an object says it was defined in: a class's or a function's `__module__`;
    None for other objects (an instance's `__module__` is its class's, which says nothing
    about where the instance was made)."""
    if inspect.isclass(obj) or inspect.isroutine(obj):
        om = getattr(obj, "__module__", None)
        return om if isinstance(om, str) else None
    return None


def is_typing_construct(name, obj, modname):
    """Whether `obj` (bound to `name` in `modname`) is annotation machinery: anything typing,
    typing_extensions or `__future__` define (`Any` is a class on 3.11, `Optional` a special
    form, `cast` a function, `NamedTuple` a factory, `Sequence` an alias), a type variable,
    `NewType`, a type alias (`Vector = list[float]`), or `TYPE_CHECKING`. The typing modules
    themselves keep their names."""
    if modname in TYPING_MODULES:
        return False
    if isinstance(obj, _TYPING_INSTANCES):
        return True
    if name == "TYPE_CHECKING" and obj is False:
        return True
    om = getattr(obj, "__module__", None) if inspect.isclass(obj) or inspect.isroutine(obj) else None
    if om is None:
        om = getattr(type(obj), "__module__", None)  # special forms, aliases, features
    return om in TYPING_MODULES


def _inside(om, modname, is_package):
    """Whether a definition in module `om` belongs to `modname`: the module itself, its
    submodules when it is a package, the rest of its package when it is a submodule
    (`sklearn.base` re-exporting `sklearn._config.get_config`), and private modules, which
    nothing imports from but to re-export (`bisect`'s `_bisect`, `hmac`'s
    `_hashlib.compare_digest`)."""
    if om == modname or (is_package and om.startswith(modname + ".")):
        return True
    parent = modname.rpartition(".")[0]
    if parent and om.startswith(parent + "."):
        return True
    return om.startswith("_")


def bound_names(mod, modname, stub_declares=None):
    """The names of `mod` the bindings describe, sorted: `__all__` when the module declares it,
    else its public names whose classes and functions are defined inside it (see `_inside`) or
    bound under a name of the module's choosing (`from typing import Any` or `from asyncio
    import Future` add no item; `Date = datetime.date` does) or that the module's own stub
    declares (`stub_declares(name)`: a `.pyi` is a declaration of the API); instances and other
    objects are kept, since nothing tells an imported one from one the module made. Typing
    constructs are dropped either way."""
    names = getattr(mod, "__all__", None)
    declared = names is not None
    if declared:
        try:
            names = [n for n in names if isinstance(n, str)]
        except Exception:
            names, declared = None, False
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    is_package = hasattr(mod, "__path__")
    # `os.path` is `posixpath`: its definitions say the module's own name.
    homes = {modname, getattr(mod, "__name__", modname)}
    out = []
    for name in sorted(set(names)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                obj = getattr(mod, name)
        except Exception:
            out.append(name)  # the introspector reports it (or skips a lazy submodule)
            continue
        if is_typing_construct(name, obj, modname):
            continue
        if not declared and modname != "builtins":
            om = _own_module(obj)
            # A name other than the object's own is an alias the module made (`Date = date`,
            # `from _operator import _compare_digest as compare_digest`): deliberate.
            alias = getattr(obj, "__name__", name) != name
            if (om is not None and not alias and not any(_inside(om, h, is_package) for h in homes)
                    and not (stub_declares is not None and stub_declares(name))):
                continue
        out.append(name)
    return out
