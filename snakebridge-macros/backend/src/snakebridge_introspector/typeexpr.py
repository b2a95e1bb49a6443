"""TypeExpr values (the dicts `model.rs` reads as `TypeExpr`): constructors, queries, and the
canonical spelling of qualified names (builtins bare, typing aliases to their real classes)."""

import builtins
import json

from .text import scrub


# A resolved type alias larger than this is kept as its name instead (numpy's ArrayLike expands
# to a union of dozens of protocols that no binding could use).
MAX_ALIAS_NODES = 24


ABC_NAMES = (
    "Awaitable Coroutine AsyncIterable AsyncIterator AsyncGenerator Iterable Iterator Generator "
    "Reversible Container Collection Callable MutableSet Mapping MutableMapping Sequence "
    "MutableSequence MappingView KeysView ItemsView ValuesView Sized Hashable Buffer ByteString"
).split()


CANON = {
    "typing.List": "list",
    "typing.Dict": "dict",
    "typing.Set": "set",
    "typing.FrozenSet": "frozenset",
    "typing.Tuple": "tuple",
    "typing.Type": "type",
    "typing.Text": "str",
    "typing.LiteralString": "str",
    "typing.AbstractSet": "collections.abc.Set",
    "typing.DefaultDict": "collections.defaultdict",
    "typing.OrderedDict": "collections.OrderedDict",
    "typing.Counter": "collections.Counter",
    "typing.Deque": "collections.deque",
    "typing.ChainMap": "collections.ChainMap",
    "typing.Pattern": "re.Pattern",
    "typing.Match": "re.Match",
    "typing.Any": "typing.Any",
    "typing.NoReturn": "typing.NoReturn",
    "typing.Never": "typing.Never",
    "typing.Hashable": "collections.abc.Hashable",
    "typing.Sized": "collections.abc.Sized",
    "typing.SupportsInt": "typing.SupportsInt",
    "_collections_abc.Set": "collections.abc.Set",
    "_collections_abc.dict_keys": "dict_keys",
    "_collections_abc.dict_values": "dict_values",
    "_collections_abc.dict_items": "dict_items",
}


for _n in ABC_NAMES:
    CANON["typing." + _n] = "collections.abc." + _n
    CANON["_collections_abc." + _n] = "collections.abc." + _n
    CANON["collections.abc." + _n] = "collections.abc." + _n


# typing constructs that change how a subscript is read (checked before looking into typing.pyi).
SPECIAL_FORMS = {
    "Union", "Optional", "Literal", "Annotated", "ClassVar", "Final", "Self", "Required",
    "NotRequired", "ReadOnly", "TypeGuard", "TypeIs", "Unpack", "Concatenate", "TypeAlias",
    "Generic", "Protocol",
}


ITERATOR_NAMES = {"collections.abc.Iterator", "collections.abc.Generator", "collections.abc.Iterable"}


BUILTIN_NAMES = set(dir(builtins))


NONE = {"kind": "none"}

# The name of the generic that holds a `Callable`'s parameter list: `Callable[[float, int], str]`
# is `generic("collections.abc.Callable", [generic(PARAMS, [float, int]), str])` (no dotted
# Python name can be `[]`); `Callable[..., str]` has the name `...` there instead.
PARAMS = "[]"


def name_t(n):
    return {"kind": "name", "name": n}


def unknown_t(text):
    text = scrub(str(text))
    if len(text) > 200:
        text = text[:200] + "..."
    return {"kind": "unknown", "text": text}


def generic_t(n, args):
    return {"kind": "generic", "name": n, "args": args}


def union_t(items):
    flat = []
    seen = set()
    literal = None
    for it in items:
        for sub in it["items"] if it["kind"] == "union" else [it]:
            if sub["kind"] == "literal":
                # Literal["a"] | Literal["b"] reads as one Literal["a", "b"].
                if literal is None:
                    literal = {"kind": "literal", "values": []}
                    flat.append(literal)
                for v in sub["values"]:
                    if v not in literal["values"]:
                        literal["values"].append(v)
                continue
            key = json.dumps(sub, sort_keys=True)
            if key not in seen:
                seen.add(key)
                flat.append(sub)
    if len(flat) == 1:
        return flat[0]
    return {"kind": "union", "items": flat}


def has_private(t):
    """True when `t` names a private class (`numpy._typing._SupportsArray`): such aliases are
    implementation detail and stay named rather than expanded."""
    k = t["kind"]
    if k in ("name", "generic") and any(p.startswith("_") for p in t["name"].split(".")):
        return True
    if k == "generic":
        return any(has_private(a) for a in t["args"])
    if k == "union":
        return any(has_private(a) for a in t["items"])
    return False


def count_nodes(t):
    k = t["kind"]
    if k == "generic":
        return 1 + sum(count_nodes(a) for a in t["args"])
    if k == "union":
        return 1 + sum(count_nodes(a) for a in t["items"])
    if k == "literal":
        return 1 + len(t["values"])
    return 1


def has_unknown(t):
    """True when `t` has a leaf that could not be resolved (type variables, `~T`, do not count)."""
    k = t["kind"]
    if k == "unknown":
        return not t["text"].startswith("~")
    if k == "generic":
        return any(has_unknown(a) for a in t["args"])
    if k == "union":
        return any(has_unknown(a) for a in t["items"])
    return False


def canon(qname):
    """Normalises a qualified name: builtins bare, typing aliases to their real classes."""
    if qname in CANON:
        return CANON[qname]
    if qname.startswith("builtins."):
        return qname[len("builtins."):]
    if qname.startswith("typing_extensions."):
        return canon("typing." + qname[len("typing_extensions."):])
    return qname


def runtime_qualname(obj):
    mod = getattr(obj, "__module__", None)
    qn = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(qn, str):
        return None
    if not isinstance(mod, str) or mod == "builtins":
        return qn
    return mod + "." + qn


def class_name(cls):
    if cls is type(None):
        return None
    return canon(runtime_qualname(cls))
