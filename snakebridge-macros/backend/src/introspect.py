"""snakebridge introspector.

Run by the snakebridge backend as a subprocess (`python - MODULE [SUBMODULE ...]`, this script on
stdin). Imports MODULE (and MODULE.SUBMODULE for each requested submodule), describes its public
functions, classes and constants, and prints ONE JSON document on the real stdout:

    {"python_version": "3.11.7", "library_version": "2.3.5" | null, "executable": "...",
     "elapsed_seconds": 1.23, "warnings": [...], "result": <ModuleInfo>}

or, when the module cannot be imported (or the run fails as a whole):

    {"python_version": ..., "error": {"type": "ModuleNotFoundError", "message": "...",
                                      "traceback": "...", "module": "..."}}

The exit status is 0 whenever a JSON document was printed; anything else is a crash of this script.
<ModuleInfo> is the serde form of `model.rs` (the contract with the Rust side).

Type information, best first: the package's own `.pyi` stubs (parsed with `ast`, never imported),
typeshed (mypy's or jedi's copy, or SNAKEBRIDGE_TYPESHED), `inspect.signature` with annotations,
`__text_signature__`, and the docstring's first line. Whatever the source, the runtime has the
last word on parameter kinds (positional-only, keyword-only) where it knows them. Type variables
are read as their bound, or the union of their constraints; an unconstrained one stays `~T`.

Only the standard library is used: this runs in whatever interpreter the user points us at.
"""

import ast
import builtins
import importlib
import importlib.util
import inspect
import json
import os
import re
import sys
import time
import types
import typing
import warnings

# Keep the library's own prints (Python or C level) off the channel we answer on: fd 1 becomes
# stderr for the whole run and the JSON goes to a private duplicate of the original stdout.
_REAL_STDOUT_FD = os.dup(1)
os.dup2(2, 1)
sys.stdout = sys.stderr

# The working directory is wherever cargo ran rustc; a stray `json.py` there must not shadow the
# module the user asked for (PYTHONPATH is the explicit way to add local modules).
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]

WARNINGS = []

# Docstrings are rendered as rustdoc; a few pathological ones (tens of KB) would bloat the cache.
MAX_DOC_CHARS = 20000
# A resolved type alias larger than this is kept as its name instead (numpy's ArrayLike expands
# to a union of dozens of protocols that no binding could use).
MAX_ALIAS_NODES = 24

SPECIAL_METHODS = (
    "__call__", "__getitem__", "__setitem__", "__delitem__", "__len__", "__iter__", "__next__",
    "__contains__", "__enter__", "__exit__",
)

# Operator protocols, bound as Rust operators and methods (`ClassInfo.operators`), not as
# ordinary methods.
OPERATOR_METHODS = frozenset(
    "__%s__" % n
    for n in (
        "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift "
        "radd rsub rmul rtruediv rfloordiv rmod rpow rmatmul rand ror rxor rlshift rrshift "
        "neg pos abs invert lt le gt ge iadd isub imul itruediv"
    ).split()
)

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


def warn(msg):
    if len(WARNINGS) < 500:
        WARNINGS.append(msg)


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


_ADDR_RE = re.compile(r" at 0x[0-9a-fA-F]+")


def scrub(text):
    """Removes memory addresses from reprs so the output is the same on every run."""
    return _ADDR_RE.sub("", text)


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


def clean_doc(doc):
    if not isinstance(doc, str):
        return None
    doc = inspect.cleandoc(doc).strip()
    if not doc:
        return None
    if len(doc) > MAX_DOC_CHARS:
        doc = doc[:MAX_DOC_CHARS].rstrip() + "\n\n[docstring truncated by snakebridge]"
    return doc


def safe_repr(value):
    try:
        text = repr(value)
    except Exception:
        text = "<unrepresentable %s>" % type(value).__name__
    text = scrub(text)
    if len(text) > 200:
        text = text[:200] + "..."
    return text


# --------------------------------------------------------------------------------------------
# Runtime annotations -> TypeExpr
# --------------------------------------------------------------------------------------------

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
        return unknown_t("[" + ", ".join(safe_repr(a) for a in t) + "]")
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


# --------------------------------------------------------------------------------------------
# Stub files
# --------------------------------------------------------------------------------------------


def _cond_value(node):
    """Evaluates `sys.version_info >= (3, 10)`-style stub conditions; None when unknown."""
    allowed = (
        ast.Expression, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Constant, ast.Tuple, ast.Name,
        ast.Attribute, ast.Subscript, ast.Slice, ast.Load, ast.And, ast.Or, ast.Not, ast.Eq,
        ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Call,
    )
    expr = ast.Expression(body=node)
    for sub in ast.walk(expr):
        if not isinstance(sub, allowed):
            return None
        if isinstance(sub, ast.Name) and sub.id not in ("sys", "TYPE_CHECKING", "typing"):
            return None
        if isinstance(sub, ast.Attribute) and sub.attr not in (
            "version_info", "platform", "TYPE_CHECKING", "startswith",
        ):
            return None
        if isinstance(sub, ast.Call) and not (
            isinstance(sub.func, ast.Attribute) and sub.func.attr == "startswith"
        ):
            return None
    fake_typing = types.SimpleNamespace(TYPE_CHECKING=True)
    try:
        code = compile(ast.fix_missing_locations(expr), "<stub-condition>", "eval")
        return bool(eval(code, {"__builtins__": {}, "sys": sys, "typing": fake_typing,
                                "TYPE_CHECKING": True}))
    except Exception:
        return None


def _flatten(body):
    """Stub statements with `if sys.version_info ...` blocks resolved for this interpreter."""
    out = []
    for st in body:
        if isinstance(st, ast.If):
            v = _cond_value(st.test)
            if v is None or v:
                out.extend(_flatten(st.body))
            else:
                out.extend(_flatten(st.orelse))
        elif isinstance(st, ast.Try):
            out.extend(_flatten(st.body))
        else:
            out.append(st)
    return out


def _decorator_names(fn):
    names = []
    for d in fn.decorator_list:
        if isinstance(d, ast.Call):
            d = d.func
        if isinstance(d, ast.Name):
            names.append(d.id)
        elif isinstance(d, ast.Attribute):
            # `@x.setter` -> "x.setter"; `@typing.overload` -> "overload"
            if isinstance(d.value, ast.Name) and d.attr in ("setter", "getter", "deleter"):
                names.append(d.value.id + "." + d.attr)
            else:
                names.append(d.attr)
    return names


_TYPE_ALIAS_STMT = getattr(ast, "TypeAlias", None)


class Sym:
    """One name bound in a stub module or class body."""

    __slots__ = ("kind", "defs", "node", "module", "name", "setter", "static", "classmethod")

    def __init__(self, kind, node=None, module=None, name=None):
        self.kind = kind  # def | class | var | import | module | property
        self.defs = []
        self.node = node
        self.module = module
        self.name = name
        self.setter = False
        self.static = False
        self.classmethod = False


def build_symbols(body, package, is_init):
    """Maps each name bound by these stub statements to a Sym (later bindings win)."""
    symbols = {}
    stars = []
    for st in _flatten(body):
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            decos = _decorator_names(st)
            if any(d.endswith(".setter") for d in decos):
                sym = symbols.get(st.name)
                if sym is not None and sym.kind == "property":
                    sym.setter = True
                continue
            if any(d.endswith(".deleter") or d.endswith(".getter") for d in decos):
                continue
            if "property" in decos or "cached_property" in decos:
                sym = Sym("property", node=st)
                sym.defs = [st]
                symbols[st.name] = sym
                continue
            sym = symbols.get(st.name)
            if "overload" in decos and sym is not None and sym.kind == "def" and sym.node == "overload":
                sym.defs.append(st)
            else:
                sym = Sym("def", node="overload" if "overload" in decos else "plain")
                sym.defs = [st]
                symbols[st.name] = sym
            sym.static = "staticmethod" in decos
            sym.classmethod = "classmethod" in decos
        elif isinstance(st, ast.ClassDef):
            symbols[st.name] = Sym("class", node=st)
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            symbols[st.target.id] = Sym("var", node=st)
        elif _TYPE_ALIAS_STMT is not None and isinstance(st, _TYPE_ALIAS_STMT):
            symbols[st.name.id] = Sym("var", node=st)  # `type X = ...` (Python 3.12+)
        elif isinstance(st, ast.Assign):
            for tgt in st.targets:
                if isinstance(tgt, ast.Name):
                    symbols[tgt.id] = Sym("var", node=st)
        elif isinstance(st, ast.ImportFrom):
            base = _resolve_relative(st.module, st.level, package)
            if base is None:
                continue
            for alias in st.names:
                if alias.name == "*":
                    stars.append(base)
                    continue
                symbols[alias.asname or alias.name] = Sym("import", module=base, name=alias.name)
        elif isinstance(st, ast.Import):
            for alias in st.names:
                if alias.asname:
                    symbols[alias.asname] = Sym("module", module=alias.name)
                else:
                    top = alias.name.split(".")[0]
                    symbols[top] = Sym("module", module=top)
    return symbols, stars


def _resolve_relative(module, level, package):
    if not level:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    if module:
        base = base + "." + module if base else module
    return base


class StubModule:
    def __init__(self, name, path, source, tree, is_source):
        self.name = name
        self.path = path
        self.source = source  # "stub" | "typeshed"
        self.is_source = is_source  # a .py file, used for type resolution only
        is_init = os.path.basename(path).startswith("__init__.")
        package = name if is_init else name.rpartition(".")[0]
        self.symbols, self.stars = build_symbols(tree.body, package, is_init)
        self.class_cache = {}


def _typeshed_roots():
    roots = []
    env = os.environ.get("SNAKEBRIDGE_TYPESHED")
    if env:
        roots.append(env)
    for pkg, rel in (("mypy", ("typeshed", "stdlib")), ("jedi", ("third_party", "typeshed", "stdlib"))):
        try:
            spec = importlib.util.find_spec(pkg)
        except Exception:
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for loc in spec.submodule_search_locations:
            d = os.path.join(loc, *rel)
            if os.path.isdir(d):
                roots.append(d)
    return roots


class Stubs:
    """Finds and parses stub files by module name (never importing them)."""

    def __init__(self):
        self.path_roots = [p for p in sys.path if p and os.path.isdir(p)]
        self.typeshed_roots = _typeshed_roots()
        self.modules = {}
        self.alias_cache = {}
        self.parse_seconds = 0.0

    def find(self, modname, allow_source=False):
        key = (modname, allow_source)
        if key in self.modules:
            return self.modules[key]
        sm = self._find(modname, allow_source)
        self.modules[key] = sm
        return sm

    def _find(self, modname, allow_source):
        if not modname:
            return None
        parts = modname.split(".")
        for root in self.path_roots:
            for top in (parts[0] + "-stubs", parts[0]):
                base = os.path.join(root, top, *parts[1:])
                for cand in (base + ".pyi", os.path.join(base, "__init__.pyi")):
                    if os.path.isfile(cand):
                        return self._parse(modname, cand, "stub", False)
        for root in self.typeshed_roots:
            base = os.path.join(root, *parts)
            for cand in (base + ".pyi", os.path.join(base, "__init__.pyi")):
                if os.path.isfile(cand):
                    return self._parse(modname, cand, "typeshed", False)
        if allow_source:
            # Inline-typed packages (numpy._typing) define their aliases in .py files.
            for root in self.path_roots:
                base = os.path.join(root, *parts)
                if not os.path.isfile(os.path.join(root, parts[0], "py.typed")):
                    continue
                for cand in (base + ".py", os.path.join(base, "__init__.py")):
                    if os.path.isfile(cand):
                        return self._parse(modname, cand, "stub", True)
        return None

    def _parse(self, modname, path, source, is_source):
        t0 = time.perf_counter()
        try:
            with open(path, "r", encoding="utf-8") as f:
                tree = ast.parse(f.read(), filename=path)
            return StubModule(modname, path, source, tree, is_source)
        except Exception as e:
            warn("cannot parse %s: %s" % (path, e))
            return None
        finally:
            self.parse_seconds += time.perf_counter() - t0

    # ---- symbol lookup ------------------------------------------------------------------

    def follow(self, modname, name, for_types=False, depth=0):
        """Follows imports/re-exports of `modname.name` to its definition.

        Returns one of ("special", qname), ("module", modname), ("sym", StubModule, Sym, name),
        ("missing", modname, name).
        """
        qn = modname + "." + name
        # For types, typing's aliases stop here (typing.List is `list`); for signatures and stub
        # ancestors we go on into typing.pyi, which defines Mapping & co. as classes.
        if for_types and modname in ("typing", "typing_extensions") and (
            name in SPECIAL_FORMS or qn in CANON
        ):
            return ("special", "typing." + name)
        if for_types and qn in CANON:
            return ("special", qn)
        if depth > 16:
            return ("missing", modname, name)
        sm = self.find(modname, allow_source=for_types)
        if sm is None:
            if self.find(qn, allow_source=for_types) is not None:
                return ("module", qn)
            return ("missing", modname, name)
        sym = sm.symbols.get(name)
        if sym is None:
            for star in sm.stars:
                r = self.follow(star, name, for_types, depth + 1)
                if r[0] != "missing":
                    return r
            if self.find(qn, allow_source=for_types) is not None:
                return ("module", qn)
            return ("missing", modname, name)
        if sym.kind == "import":
            r = self.follow(sym.module, sym.name, for_types, depth + 1)
            if r[0] == "missing" and self.find(sym.module + "." + sym.name, for_types) is not None:
                return ("module", sym.module + "." + sym.name)
            return r
        if sym.kind == "module":
            return ("module", sym.module)
        return ("sym", sm, sym, name)

    def follow_dotted(self, modname, dotted, for_types=False):
        """Like follow, for `A.B.C` (a class nested in a class, or a module path)."""
        parts = dotted.split(".")
        r = self.follow(modname, parts[0], for_types)
        for i, part in enumerate(parts[1:]):
            if r[0] == "module":
                r = self.follow(r[1], part, for_types)
            elif r[0] == "sym" and r[2].kind == "class":
                sm, sym = r[1], r[2]
                body = self.class_body(sm, sym.node)
                inner = body.get(part)
                if inner is None:
                    return ("missing", modname, dotted)
                r = ("sym", sm, inner, ".".join(parts[: i + 2]))
            else:
                return ("missing", modname, dotted)
        return r

    def class_body(self, sm, node):
        key = id(node)
        body = sm.class_cache.get(key)
        if body is None:
            pkg = sm.name.rpartition(".")[0]
            body, _ = build_symbols(node.body, pkg, False)
            sm.class_cache[key] = body
        return body

    def stub_mro(self, sm, node, limit=12):
        """The stub class and its stub ancestors (depth-first, deduplicated, `object` excluded)."""
        out = []
        seen = set()
        stack = [(sm, node)]
        while stack and len(out) < limit:
            csm, cnode = stack.pop(0)
            if id(cnode) in seen:
                continue
            seen.add(id(cnode))
            if csm.name == "builtins" and cnode.name == "object":
                continue
            out.append((csm, cnode))
            for b in cnode.bases:
                if isinstance(b, ast.Subscript):
                    b = b.value
                dotted = _dotted(b)
                if not dotted:
                    continue
                r = self.resolve_in(csm, dotted)
                if r[0] == "sym" and r[2].kind == "class":
                    stack.append((r[1], r[2].node))
        return out

    def resolve_in(self, sm, dotted, for_types=False):
        """Resolves a dotted name as written inside stub module `sm` (implicit builtins)."""
        head = dotted.split(".")[0]
        if head in sm.symbols or any(self._star_has(s, head) for s in sm.stars):
            return self.follow_dotted(sm.name, dotted, for_types)
        if head in BUILTIN_NAMES:
            return self.follow_dotted("builtins", dotted, for_types)
        return ("missing", sm.name, dotted)

    def _star_has(self, modname, name, depth=0):
        sm = self.find(modname)
        if sm is None or depth > 8:
            return False
        return name in sm.symbols or any(self._star_has(s, name, depth + 1) for s in sm.stars)

    # ---- stub annotations -> TypeExpr ------------------------------------------------------

    def type_of(self, node, sm, ctx, depth=0):
        try:
            return self._type_of(node, sm, ctx, depth)
        except RecursionError:
            return unknown_t(_unparse(node))

    def _type_of(self, node, sm, ctx, depth):
        if depth > 12:
            return unknown_t(_unparse(node))
        if isinstance(node, ast.Constant):
            if node.value is None:
                return NONE
            if node.value is Ellipsis:
                return name_t("...")
            if isinstance(node.value, str):
                try:
                    inner = ast.parse(node.value, mode="eval").body
                except SyntaxError:
                    return unknown_t(node.value)
                return self._type_of(inner, sm, ctx, depth + 1)
            return unknown_t(_unparse(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return union_t([self._type_of(node.left, sm, ctx, depth + 1),
                            self._type_of(node.right, sm, ctx, depth + 1)])
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            if dotted is None:
                return unknown_t(_unparse(node))
            return self._named(dotted, None, sm, ctx, depth)
        if isinstance(node, ast.Subscript):
            dotted = _dotted(node.value)
            sl = node.slice
            args = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
            if dotted is None:
                return unknown_t(_unparse(node))
            return self._named(dotted, args, sm, ctx, depth)
        return unknown_t(_unparse(node))

    def _named(self, dotted, args, sm, ctx, depth):
        subst = ctx.get("subst")
        if subst and dotted in subst and args is None:
            return subst[dotted]
        r = self.resolve_in(sm, dotted, for_types=True)
        kind = r[0]
        if kind == "special":
            return self._special(r[1], args, sm, ctx, depth)
        if kind == "module":
            return unknown_t(dotted)
        if kind == "missing":
            return self._runtime_named(r[1], r[2], dotted, args, sm, ctx, depth)
        rsm, sym, local = r[1], r[2], r[3]
        if sym.kind == "class":
            qn = self._class_qname(rsm, local)
            return self._apply(qn, args, sm, ctx, depth)
        if sym.kind == "var":
            return self._var(rsm, sym, local, args, sm, ctx, depth)
        return unknown_t(dotted)

    def _runtime_named(self, modname, name, dotted, args, sm, ctx, depth):
        """A name whose module has no stub: look at the live module if it is loaded."""
        mod = sys.modules.get(modname)
        obj = mod
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except Exception:
            obj = None
        if obj is None or mod is None:
            return unknown_t(dotted)
        if isinstance(obj, type):
            return self._apply(class_name(obj), args, sm, ctx, depth)
        if args is None:
            t = rt_type(obj)
            if count_nodes(t) > MAX_ALIAS_NODES or has_unknown(t) or has_private(t):
                return unknown_t(modname + "." + name)
            return t
        return unknown_t(dotted)

    def _class_qname(self, sm, local):
        qn = sm.name + "." + local
        if sm.name == "builtins":
            return canon(qn)
        mod = sys.modules.get(sm.name)
        if mod is not None:
            obj = mod
            try:
                for part in local.split("."):
                    obj = getattr(obj, part)
                if isinstance(obj, type):
                    return class_name(obj)
            except Exception:
                pass
        return canon(qn)

    def _apply(self, qn, args, sm, ctx, depth):
        if qn is None:
            return NONE
        if args is None:
            return name_t(qn)
        return generic_t(qn, [self._arg(a, sm, ctx, depth) for a in args])

    def _arg(self, a, sm, ctx, depth):
        if isinstance(a, ast.List):
            return unknown_t(_unparse(a))
        return self._type_of(a, sm, ctx, depth + 1)

    def _special(self, qn, args, sm, ctx, depth):
        short = qn.rpartition(".")[2]
        if qn in CANON and short not in SPECIAL_FORMS:
            return self._apply(CANON[qn], args, sm, ctx, depth)
        if short == "Self":
            st = ctx.get("self_type")
            return name_t(st) if st else unknown_t("Self")
        if args is None:
            if short in ("Any",):
                return name_t("typing.Any")
            return unknown_t(qn)
        if short == "Union":
            return union_t([self._arg(a, sm, ctx, depth) for a in args])
        if short == "Optional":
            return union_t([self._arg(args[0], sm, ctx, depth), NONE])
        if short == "Literal":
            values = []
            for a in args:
                inner = self._type_of(a, sm, ctx, depth + 1) if isinstance(a, ast.Subscript) else None
                if inner is not None and inner["kind"] == "literal":
                    values.extend(inner["values"])
                elif isinstance(a, ast.Constant):
                    values.append(repr(a.value))
                else:
                    values.append(_unparse(a))
            return {"kind": "literal", "values": values}
        if short in ("Annotated", "ClassVar", "Final", "Required", "NotRequired", "ReadOnly"):
            return self._type_of(args[0], sm, ctx, depth + 1)
        if short in ("TypeGuard", "TypeIs"):
            return name_t("bool")
        return generic_t("typing." + short, [self._arg(a, sm, ctx, depth) for a in args])

    def _var(self, rsm, sym, local, args, sm, ctx, depth):
        node = sym.node
        qn = rsm.name + "." + local
        value = None
        if _TYPE_ALIAS_STMT is not None and isinstance(node, _TYPE_ALIAS_STMT):
            value = node.value
        elif isinstance(node, ast.AnnAssign):
            ann = _dotted(node.annotation)
            if ann and ann.rpartition(".")[2] == "TypeAlias":
                value = node.value
            else:
                return unknown_t(qn)
        elif isinstance(node, ast.Assign):
            value = node.value
            if isinstance(value, ast.Call):
                fn = _dotted(value.func) or ""
                short = fn.rpartition(".")[2]
                if short == "TypeVar":
                    return self._typevar(rsm, local, value, depth)
                if short in ("ParamSpec", "TypeVarTuple"):
                    return unknown_t("~" + local)
                if short == "NewType" and len(value.args) >= 2:
                    return self._type_of(value.args[1], rsm, {}, depth + 1)
                return unknown_t(qn)
        if value is None:
            return unknown_t(qn)
        if args is None:
            key = (rsm.name, local)
            cached = self.alias_cache.get(key)
            if cached is not None:
                return cached
            self.alias_cache[key] = unknown_t(qn)  # breaks recursive aliases
            t = self._type_of(value, rsm, {}, depth + 3)
            if has_unknown(t) or has_private(t) or count_nodes(t) > MAX_ALIAS_NODES:
                t = unknown_t(qn)
            self.alias_cache[key] = t
            return t
        # A generic alias used with arguments (NDArray[np.float64]): substitute its type
        # variables, in order of first appearance, by the converted arguments.
        tvars = self._alias_typevars(value, rsm)
        conv = [self._arg(a, sm, ctx, depth) for a in args]
        subst = dict(zip(tvars, conv))
        t = self._type_of(value, rsm, {"subst": subst}, depth + 3)
        if has_unknown(t) or has_private(t) or count_nodes(t) > MAX_ALIAS_NODES:
            return unknown_t(qn + "[" + ", ".join(_unparse(a) for a in args) + "]")
        return t

    def _typevar(self, rsm, local, call, depth):
        """A stub type variable read as what it stands for: `T = TypeVar("T", bound=B)` is B,
        `T = TypeVar("T", A, B)` is A | B (both normalised in the stub module that defines T, so
        variables imported from other stubs work too). An unconstrained variable, or one whose
        bound cannot be normalised or is larger than MAX_ALIAS_NODES (numpy's `_AnyShapeT`, ten
        tuple shapes), stays `~T`."""
        key = ("~", rsm.name, local)
        cached = self.alias_cache.get(key)
        if cached is not None:
            return cached
        fallback = unknown_t("~" + local)
        self.alias_cache[key] = fallback  # a bound that mentions the variable itself
        bound = None
        for kw in call.keywords:
            if kw.arg == "bound" and not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                bound = kw.value
        constraints = call.args[1:]
        t = fallback
        if bound is not None:
            t = self._type_of(bound, rsm, {}, depth + 1)
        elif constraints:
            t = union_t([self._type_of(c, rsm, {}, depth + 1) for c in constraints])
        if has_unknown(t) or count_nodes(t) > MAX_ALIAS_NODES:
            t = fallback
        self.alias_cache[key] = t
        return t

    def _alias_typevars(self, value, sm):
        found = []
        for sub in ast.walk(value):
            if isinstance(sub, ast.Name) and sub.id not in found:
                r = self.resolve_in(sm, sub.id, for_types=True)
                if r[0] == "sym" and r[2].kind == "var" and isinstance(r[2].node, ast.Assign):
                    v = r[2].node.value
                    if isinstance(v, ast.Call) and (_dotted(v.func) or "").endswith("TypeVar"):
                        found.append(sub.id)
        return found


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _unparse(node):
    try:
        return ast.unparse(node)
    except Exception:
        return "?"


# --------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------

PK = inspect.Parameter
KIND_NAMES = {
    PK.POSITIONAL_ONLY: "positional_only",
    PK.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    PK.VAR_POSITIONAL: "var_positional",
    PK.KEYWORD_ONLY: "keyword_only",
    PK.VAR_KEYWORD: "var_keyword",
}


def sig_text(params, returns_text):
    """Python-style signature text from (name, kind, annotation text, default text) tuples."""
    out = []
    saw_star = False
    prev = None
    for name, kind, ann, default in params:
        if prev == "positional_only" and kind != "positional_only":
            out.append("/")
        if kind == "keyword_only" and not saw_star:
            out.append("*")
            saw_star = True
        if kind == "var_positional":
            saw_star = True
            piece = "*" + name
        elif kind == "var_keyword":
            piece = "**" + name
        else:
            piece = name
        if ann:
            piece += ": " + ann
        if default is not None:
            piece += (" = " if ann else "=") + default
        out.append(piece)
        prev = kind
    if prev == "positional_only":
        out.append("/")
    text = "(" + ", ".join(out) + ")"
    if returns_text:
        text += " -> " + returns_text
    return text


def runtime_defaults(runtime_sig):
    if runtime_sig is None:
        return {}
    out = {}
    for p in runtime_sig.parameters.values():
        if p.default is not PK.empty:
            out[p.name.lstrip("_") or p.name] = safe_repr(p.default)
    return out


def _fallback_defaults(obj, name, drop_first):
    if obj is None:
        return {}
    try:
        sig = text_signature(obj, drop_first) or docstring_signature(
            getattr(obj, "__doc__", None), name, drop_first
        )
    except Exception:
        sig = None
    if sig is None:
        return {}
    return {p["name"]: p["default"] for p in sig["params"] if p.get("default") not in (None, "...")}


def stub_signature(stubs, sm, fn, drop_first, ctx, rt_defaults, rt_kinds=None):
    """A Signature dict from a stub `def` (or a parsed text signature / docstring line).

    rt_kinds: what the runtime object says about parameter kinds (`_runtime_kinds`): how many
    leading positional parameters (after dropping `self`) it accepts only by position, and the
    names it accepts only by keyword. Stub parameters spelled as ordinary ones are corrected:
    the leading ones to positional-only, a trailing run (when the stub has no `*args`) to
    keyword-only.
    """
    a = fn.args
    positional = [(x, "positional_only") for x in a.posonlyargs]
    positional += [(x, "positional_or_keyword") for x in a.args]
    pos_defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    # The old stub convention: leading `__x` parameters are positional-only.
    legacy = True
    for i, (arg, kind) in enumerate(positional):
        if kind == "positional_or_keyword":
            if legacy and arg.arg.startswith("__") and not arg.arg.endswith("__"):
                positional[i] = (arg, "positional_only")
            elif not (i == 0 and drop_first):
                legacy = False
    entries = [(arg, kind, d) for (arg, kind), d in zip(positional, pos_defaults)]
    if drop_first and entries:
        entries = entries[1:]
    if rt_kinds is not None:
        posonly, kwonly = rt_kinds
        entries = [
            (arg, "positional_only" if i < posonly else kind, d) for i, (arg, kind, d) in enumerate(entries)
        ]
        if a.vararg is None:
            k = len(entries)
            while k and entries[k - 1][1] == "positional_or_keyword" and entries[k - 1][0].arg in kwonly:
                k -= 1
            entries = entries[:k] + [(arg, "keyword_only", d) for arg, _, d in entries[k:]]
    if a.vararg is not None:
        entries.append((a.vararg, "var_positional", None))
    entries += [(arg, "keyword_only", d) for arg, d in zip(a.kwonlyargs, a.kw_defaults)]
    entries = [(arg, kind, d, sm) for arg, kind, d in entries]
    if a.kwarg is not None:
        unpacked = _unpacked_typeddict(stubs, sm, a.kwarg.annotation)
        if unpacked is not None:
            # `**kwargs: Unpack[TD]` is really a set of named keyword arguments.
            entries += unpacked
        else:
            entries.append((a.kwarg, "var_keyword", None, sm))

    params = []
    text_params = []
    for arg, kind, d, asm in entries:
        name = arg.arg
        if kind == "positional_only" and name.startswith("__"):
            name = name.lstrip("_") or name
        p = {"name": name, "kind": kind}
        if arg.annotation is not None:
            p["annotation"] = stubs.type_of(arg.annotation, asm, ctx)
        default = None
        if d is not None:
            default = _unparse(d)
            if default == "..." and name in rt_defaults:
                default = rt_defaults[name]
            p["default"] = default
        params.append(p)
        text_params.append(
            (name, kind, _unparse(arg.annotation) if arg.annotation is not None else None, default)
        )
    sig = {"params": params}
    ret_text = None
    if fn.returns is not None:
        sig["returns"] = stubs.type_of(fn.returns, sm, ctx)
        ret_text = _unparse(fn.returns)
    sig["text"] = sig_text(text_params, ret_text)
    return sig


def _unpacked_typeddict(stubs, sm, ann):
    """Keyword-only entries for `Unpack[TD]` when TD is a stub TypedDict, else None."""
    if not isinstance(stubs, Stubs) or not isinstance(ann, ast.Subscript):
        return None
    head = _dotted(ann.value)
    if head is None or stubs.resolve_in(sm, head, for_types=True) != ("special", "typing.Unpack"):
        return None
    target = _dotted(ann.slice)
    if target is None:
        return None
    r = stubs.resolve_in(sm, target, for_types=True)
    if r[0] != "sym" or r[2].kind != "class":
        return None
    entries = []
    seen = set()
    for csm, cnode in stubs.stub_mro(r[1], r[2].node):
        bases = [_dotted(b) or "" for b in cnode.bases]
        if not any(b.rpartition(".")[2] == "TypedDict" for b in bases) and cnode is not r[2].node:
            continue
        total = True
        for kw in cnode.keywords:
            if kw.arg == "total" and isinstance(kw.value, ast.Constant):
                total = bool(kw.value.value)
        for st in _flatten(cnode.body):
            if not (isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name)):
                continue
            field = st.target.id
            if field in seen:
                continue
            seen.add(field)
            ann_node = st.annotation
            wrapper = _dotted(ann_node.value) if isinstance(ann_node, ast.Subscript) else None
            short = (wrapper or "").rpartition(".")[2]
            required = total
            if short in ("Required", "NotRequired"):
                required = short == "Required"
                ann_node = ann_node.slice
            default = None if required else ast.Constant(value=Ellipsis)
            entries.append((ast.arg(arg=field, annotation=ann_node), "keyword_only", default, csm))
    return entries if entries else None


def _drop_first_param(params):
    if params and params[0].kind in (PK.POSITIONAL_ONLY, PK.POSITIONAL_OR_KEYWORD):
        return params[1:]
    return params


def inspect_signature(sig, drop_first, func, self_type):
    params = list(sig.parameters.values())
    if drop_first:
        params = _drop_first_param(params)
    globalns = getattr(inspect.unwrap(func), "__globals__", None) if func is not None else None
    hints = {}
    if func is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hints = typing.get_type_hints(func)
        except Exception:
            hints = {}
    out = []
    for p in params:
        d = {"name": p.name, "kind": KIND_NAMES[p.kind]}
        ann = hints.get(p.name, p.annotation)
        if ann is not PK.empty:
            d["annotation"] = rt_type(ann, globalns, self_type)
        if p.default is not PK.empty:
            d["default"] = safe_repr(p.default)
        out.append(d)
    result = {"params": out}
    ret = hints.get("return", sig.return_annotation)
    if ret is not PK.empty and ret is not inspect.Signature.empty:
        result["returns"] = rt_type(ret, globalns, self_type)
    try:
        text = str(sig.replace(parameters=params))
    except Exception:
        text = "(...)"
    result["text"] = scrub(text)
    return result


_DOC_SIG_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*\(")


def docstring_signature(doc, name, drop_first, rt_kinds=None):
    """Reads `name(a, b=1) -> x` from the first line(s) of a docstring."""
    if not isinstance(doc, str):
        return None
    text = doc.lstrip()
    m = _DOC_SIG_RE.match(text)
    if not m:
        return None
    head = m.group(1).rpartition(".")[2]
    if head != name and name not in ("__init__", "__new__", "__call__"):
        return None
    # Take characters until the parenthesis closes (signatures often wrap over lines).
    start = m.end()
    depth = 1
    i = start
    while i < len(text) and depth:
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    if depth:
        return None
    inner = " ".join(text[start : i - 1].split())
    rest = text[i:].split("\n", 1)[0].strip()
    returns = rest[2:].strip() if rest.startswith("->") else None
    candidates = [inner]
    # The old notation for optional arguments, `log(x, [base=math.e])` or `a[, b]`: first read
    # them as parameters with defaults, else (`range([start,] stop[, step])`) drop them.
    unbracketed = _unbracket(inner)
    if unbracketed != inner:
        candidates.append(unbracketed)
    stripped = re.sub(r"\[,?\s*[^\[\]]*\]", "", inner).strip().rstrip(",")
    if stripped != inner:
        candidates.append(stripped)
    for cand in list(candidates):
        candidates.append(re.sub(r"<[^<>]*>", "...", cand))
    for cand in candidates:
        try:
            tree = ast.parse("def _f(%s): pass" % cand)
        except SyntaxError:
            continue
        fn = tree.body[0]
        sig = stub_signature(_NO_STUBS, None, fn, drop_first and _first_is_self(fn), {}, {}, rt_kinds)
        for p in sig["params"]:
            if "annotation" in p:
                p["annotation"] = unknown_t(p["annotation"].get("text", "?"))
        if returns:
            sig["returns"] = unknown_t(returns)
            sig["text"] += " -> " + returns
        return sig
    return None


def _unbracket(inner):
    """`x, [base=math.e]` -> `x, base=math.e`; `a[, b]` -> `a, b=...` (innermost groups first)."""

    def fix(m):
        pieces = m.group(1).split(",")
        for k, piece in enumerate(pieces):
            p = piece.strip()
            if p and "=" not in p and not p.startswith("*") and p != "/":
                pieces[k] = piece.rstrip() + "=..."
        return ",".join(pieces)

    prev = None
    while prev != inner:
        prev = inner
        inner = re.sub(r"\[([^\[\]]*)\]", fix, inner)
    return inner


def _first_is_self(fn):
    args = fn.args.posonlyargs + fn.args.args
    return bool(args) and args[0].arg in ("self", "cls", "$self", "$cls", "type")


class _NoStubs:
    def type_of(self, node, sm, ctx, depth=0):
        return unknown_t(_unparse(node))


_NO_STUBS = _NoStubs()


def text_signature(obj, drop_first):
    ts = getattr(obj, "__text_signature__", None)
    if not isinstance(ts, str) or not ts.startswith("("):
        return None
    src = ts.replace("$", "")
    try:
        fn = ast.parse("def _f%s: pass" % src).body[0]
    except SyntaxError:
        return None
    drop = _first_is_self(fn) and ("$" in ts.split(",")[0] or drop_first)
    sig = stub_signature(_NO_STUBS, None, fn, drop, {}, {})
    return sig


# --------------------------------------------------------------------------------------------
# The introspector proper
# --------------------------------------------------------------------------------------------


# A Python scalar argument, as numpy sees it, and the Python type `.item()` gives for a result
# dtype kind. Complex and other kinds have no Rust scalar here.
_UFUNC_SCALARS = (("float", "float64"), ("int", "int64"), ("bool", "bool"))
_DTYPE_KIND_TYPES = {"f": "float", "i": "int", "u": "int", "b": "bool"}


def ufunc_scalar_signatures(ufunc, sigs):
    """Overloads for a one-in, one-out ufunc called on a Python scalar: `numpy.sqrt(float) ->
    float`. numpy's stubs type that call `Any` (the result is a numpy scalar, which comes back
    as a plain value); the ufunc's own type resolution says which: `resolve_dtypes` picks the
    loop numpy would run for that input dtype. Each copies the first stub signature with the
    argument's annotation and the result replaced, so the other parameters merge unchanged.
    Nothing for other ufuncs (a two-argument result depends on both), without a stub signature,
    or on a numpy without `resolve_dtypes` (before 1.24)."""
    if getattr(ufunc, "nin", None) != 1 or getattr(ufunc, "nout", None) != 1 or not sigs:
        return []
    base = sigs[0]
    if not base["params"] or base["params"][0]["kind"] not in ("positional_only", "positional_or_keyword"):
        return []
    try:
        import numpy
    except Exception:
        return []
    out = []
    for py_type, dtype in _UFUNC_SCALARS:
        try:
            result = ufunc.resolve_dtypes((numpy.dtype(dtype), None))[-1]
        except Exception:
            continue  # no loop for this input (`numpy.negative(bool)`)
        ret = _DTYPE_KIND_TYPES.get(getattr(result, "kind", None))
        if ret is None:
            continue
        first = dict(base["params"][0], annotation=name_t(py_type))
        rest = base["text"].split(",", 1)[1] if "," in base["text"] else ")"
        rest = rest.rsplit(" -> ", 1)[0]
        text = "(%s: %s,%s -> %s" % (first["name"], py_type, rest, ret)
        out.append({"params": [first] + base["params"][1:], "returns": name_t(ret), "text": text})
    return out


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


class Introspector:
    def __init__(self):
        self.stubs = Stubs()
        # id(class) -> (unique qualified name, class); see class_id.
        self.class_ids = {}
        self.class_id_taken = set()
        # Members of the module being described that could not be described: listed in the
        # module's rustdoc by the Rust side.
        self.left_out = []

    def leave_out(self, name, why, exc=None):
        reason = why if exc is None else "%s: %s: %s" % (why, type(exc).__name__, scrub(str(exc))[:300])
        warn("%s: %s" % (name, reason))
        if len(self.left_out) < 200:
            self.left_out.append({"name": name, "reason": reason})

    # ---- signatures -------------------------------------------------------------------

    def signatures(self, obj, name, stub_target, drop_first, self_type, runtime_target=None):
        """(signatures, source) for `obj`, best source first.

        stub_target: a (StubModule, Sym) pair already found, or None.
        runtime_target: what to give inspect.signature (defaults to obj).
        """
        rt_obj = obj if runtime_target is None else runtime_target
        rsig = _runtime_sig(rt_obj) if rt_obj is not None else None
        # Stubs (typeshed's older ones especially) may spell parameters as ordinary ones
        # although the runtime takes them only by position (`math.log(x, base)`, a C function
        # without keyword support) or only by keyword (`numpy.linalg.tensordot(x1, x2, /, *,
        # axes=2)`): the runtime decides. (A class's runtime signature has no `self` to drop.)
        rt_kinds = _runtime_kinds(rt_obj, rsig, drop_first and not inspect.isclass(rt_obj))
        if stub_target is not None:
            sm, sym = stub_target
            # Stubs write defaults as `...`; the real values come from the runtime signature,
            # or (ufuncs, C functions) from the text signature or the docstring.
            if rsig is not None:
                defaults = runtime_defaults(rsig)
            else:
                defaults = _fallback_defaults(rt_obj, name, drop_first)
            sigs = self.stub_sym_signatures(sm, sym, drop_first, self_type, defaults, rt_kinds=rt_kinds)
            if sigs:
                return sigs, sm.source
        if rsig is not None:
            sig = inspect_signature(rsig, drop_first, _plain_function(rt_obj), self_type)
            src = "inspect"
            if _plain_function(rt_obj) is None and isinstance(
                getattr(rt_obj, "__text_signature__", None), str
            ):
                src = "text_signature"
            return [sig], src
        if rt_obj is not None:
            sig = text_signature(rt_obj, drop_first)
            if sig is not None:
                return [sig], "text_signature"
            doc = getattr(rt_obj, "__doc__", None)
            sig = docstring_signature(doc, name, drop_first, rt_kinds)
            if sig is not None:
                return [sig], "docstring"
        return [], "unknown"

    def stub_sym_signatures(self, sm, sym, drop_first, self_type, defaults, depth=0, rt_kinds=None):
        ctx = {"self_type": self_type}
        if sym.kind == "def":
            drop = drop_first and not sym.static
            return [stub_signature(self.stubs, sm, d, drop, ctx, defaults, rt_kinds) for d in sym.defs]
        if sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
            # `sin: _UFunc_Nin1_Nout1[...]`: the signatures of the annotated class's __call__.
            ann = sym.node.annotation
            if isinstance(ann, ast.Subscript) and (_dotted(ann.value) or "").rpartition(".")[2] in (
                "Final", "ClassVar",
            ):
                ann = ann.slice
            if isinstance(ann, ast.Subscript):
                ann = ann.value
            dotted = _dotted(ann)
            if dotted:
                r = self.stubs.resolve_in(sm, dotted, for_types=True)
                if r[0] == "sym" and r[2].kind == "class":
                    call = self.find_in_stub_class(r[1], r[2].node, "__call__")
                    if call is not None and call[1].kind == "def":
                        csm, csym = call
                        return [stub_signature(self.stubs, csm, d, True, ctx, defaults, rt_kinds)
                                for d in csym.defs]
        if sym.kind == "var" and isinstance(sym.node, ast.Assign) and depth < 4:
            # `abs = absolute`: the stub re-binds another function under a second name.
            dotted = _dotted(sym.node.value)
            if dotted:
                r = self.stubs.resolve_in(sm, dotted)
                if r[0] == "sym" and r[2].kind in ("def", "var"):
                    return self.stub_sym_signatures(r[1], r[2], drop_first, self_type, defaults,
                                                    depth + 1, rt_kinds)
                # `randint = _inst.randint` with `_inst: Random`: a bound method of an instance.
                head, _, attr = dotted.rpartition(".")
                if head and "." not in head:
                    r = self.stubs.resolve_in(sm, head)
                    if r[0] == "sym" and r[2].kind == "var" and isinstance(r[2].node, ast.AnnAssign):
                        cls_name = _dotted(r[2].node.annotation)
                        c = self.stubs.resolve_in(r[1], cls_name, for_types=True) if cls_name else None
                        if c is not None and c[0] == "sym" and c[2].kind == "class":
                            found = self.find_in_stub_class(c[1], c[2].node, attr)
                            if found is not None and found[1].kind == "def":
                                return self.stub_sym_signatures(found[0], found[1], True, self_type,
                                                                defaults, depth + 1, rt_kinds)
        return []

    def find_in_stub_class(self, sm, node, name):
        for csm, cnode in self.stubs.stub_mro(sm, node):
            sym = self.stubs.class_body(csm, cnode).get(name)
            if sym is not None:
                return csm, sym
        return None

    def stub_for(self, keys):
        """The first (StubModule, Sym) found for any (module, dotted name) key."""
        for modname, dotted in keys:
            if not modname or not dotted or "<" in dotted:
                continue
            try:
                r = self.stubs.follow_dotted(modname, dotted)
            except RecursionError:
                continue
            if r[0] == "sym" and not r[1].is_source:
                return r[1], r[2]
        return None

    # ---- members ------------------------------------------------------------------------

    def function_info(self, name, obj, modname):
        info = {"name": name, "kind": callable_kind(obj)}
        doc = clean_doc(getattr(obj, "__doc__", None))
        if doc:
            info["doc"] = doc
        keys = [(modname, name)]
        omod = getattr(obj, "__module__", None)
        oqual = getattr(obj, "__qualname__", None)
        if isinstance(omod, str) and isinstance(oqual, str):
            keys.append((omod, oqual))
        target = self.stub_for(keys)
        if target is not None and target[1].kind not in ("def", "var"):
            target = None
        sigs, source = self.signatures(obj, name, target, False, None)
        if info["kind"] == "ufunc":
            sigs = ufunc_scalar_signatures(obj, sigs) + sigs
        info["signatures"] = sigs
        info["signature_source"] = source
        info["is_generator"] = _is_generator_fn(obj) or (source in ("stub", "typeshed") and _iter_return(sigs))
        return info

    def constant_info(self, name, obj):
        t = type(obj)
        info = {"name": name, "type_name": class_name(t) or "NoneType"}
        value = None
        if obj is None:
            value = None
            info["value"] = None
        elif t is bool:
            value = obj
        elif t is int:
            if -(2**63) <= obj < 2**63:
                value = obj
        elif t is float:
            if obj != obj:
                value = "nan"
            elif obj in (float("inf"), float("-inf")):
                value = "inf" if obj > 0 else "-inf"
            else:
                value = obj
        elif t is str:
            if len(obj) <= 10000:
                value = obj
        if value is not None:
            info["value"] = value
        doc = getattr(obj, "__doc__", None)
        if isinstance(doc, str) and doc != getattr(t, "__doc__", None):
            d = clean_doc(doc)
            if d:
                info["doc"] = d
        return info

    def class_id(self, cls):
        """The class's qualified name, made unique: two class objects can share one
        (`urllib.parse.SplitResult` subclasses a namedtuple also called `urllib.parse.SplitResult`),
        and the Rust side tells classes apart by this name. The first class seen keeps the plain
        name (exported classes are registered first, so annotations naming it find it); a later
        one gets `#2`, `#3`, ..."""
        known = self.class_ids.get(id(cls))
        if known is not None:
            return known[0]
        qn = class_name(cls) or getattr(cls, "__name__", "?")
        unique, n = qn, 1
        while unique in self.class_id_taken:
            n += 1
            unique = "%s#%d" % (qn, n)
        self.class_id_taken.add(unique)
        # The class object is kept alive with its id so the id is never reused for another class.
        self.class_ids[id(cls)] = (unique, cls)
        return unique

    def builtin_protocols(self, cls, qn, methods, operators):
        """Adds the protocol methods and operators a builtin base provides (`OrderedDict` gets
        `dict`'s `__getitem__`, `__len__`, ...), typed by typeshed's builtins: builtins are not
        mirrored as classes, so the first mirrored class below one carries what it provides."""
        mro = getattr(cls, "__mro__", ())
        have = {m["name"] for m in methods} | {o["name"] for o in operators}
        for i, base in enumerate(mro[1:], 1):
            if base is object or getattr(base, "__module__", None) != "builtins":
                continue
            if any(_mirrored(k) and issubclass(k, base) for k in mro[1:i]):
                continue
            stub = self.stub_for([("builtins", base.__qualname__)])
            if stub is not None and stub[1].kind != "class":
                stub = None
            body = self.stubs.class_body(stub[0], stub[1].node) if stub else {}
            for mname in sorted(base.__dict__):
                if mname in have or not (mname in SPECIAL_METHODS or mname in OPERATOR_METHODS):
                    continue
                if any(mname in getattr(k, "__dict__", {}) for k in mro[:i]):
                    continue
                try:
                    m = self.member(cls, qn, mname, base.__dict__[mname], stub, body)
                except Exception:
                    continue
                if m is None or m.get("binding") != "instance":
                    continue
                have.add(mname)
                (operators if mname in OPERATOR_METHODS else methods).append(m)

    def class_info(self, name, cls, modname, exported):
        qn = class_name(cls)
        info = {"name": name, "qualified_name": self.class_id(cls), "exported": exported}
        doc = clean_doc(cls.__dict__.get("__doc__"))
        if doc:
            info["doc"] = doc
        bases = []
        for b in getattr(cls, "__bases__", ()):
            if b is object or b is typing.Generic or getattr(b, "_is_protocol", False) and b.__module__ == "typing":
                continue
            bases.append(self.class_id(b))
        info["bases"] = bases
        # The whole MRO (after the class itself) of the classes the bindings mirror: the order in
        # which Python looks members up, which the Rust side follows.
        try:
            info["mro"] = [self.class_id(b) for b in cls.__mro__[1:] if _mirrored(b)]
        except Exception as e:
            warn("%s: __mro__: %s: %s" % (qn, type(e).__name__, e))
        fields = _tuple_fields(cls)
        if fields is not None:
            info["fields"] = fields
        try:
            if issubclass(cls, BaseException):
                info["exception"] = True
        except TypeError:
            pass

        keys = []
        if exported:
            keys.append((modname, name))
        keys.append((cls.__module__, cls.__qualname__))
        stub = self.stub_for(keys)
        if stub is not None and stub[1].kind != "class":
            stub = None
        stub_body = self.stubs.class_body(stub[0], stub[1].node) if stub else {}

        # constructor
        try:
            info["constructor"] = self.constructor(cls, qn, stub)
        except Exception as e:
            warn("%s: constructor: %s: %s" % (qn, type(e).__name__, e))
            info["constructor"] = {"name": "__init__", "kind": "function", "signatures": [],
                                   "signature_source": "unknown", "is_generator": False}

        methods = []
        operators = []
        attributes = {}
        own = dict(cls.__dict__)
        for mname in sorted(own):
            public = not mname.startswith("_")
            if mname in OPERATOR_METHODS:
                try:
                    m = self.member(cls, qn, mname, own[mname], stub, stub_body)
                except Exception as e:
                    self.leave_out("%s.%s" % (qn, mname), "introspection failed", e)
                    continue
                if m is not None and m.get("binding") == "instance":
                    operators.append(m)
                continue
            if not public and mname not in SPECIAL_METHODS:
                continue
            raw = own[mname]
            try:
                m = self.member(cls, qn, mname, raw, stub, stub_body)
            except Exception as e:
                self.leave_out("%s.%s" % (qn, mname), "introspection failed", e)
                continue
            if m is None:
                continue
            if "binding" in m:
                methods.append(m)
            elif public:
                attributes[mname] = m

        self.builtin_protocols(cls, qn, methods, operators)

        # Stub-declared attributes of this class (instance attributes, properties of C types).
        method_names = {m["name"] for m in methods}
        for aname, sym in stub_body.items():
            if aname.startswith("_") or aname in attributes or aname in method_names:
                continue
            if sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                a = {"name": aname, "readonly": _is_final(sym.node.annotation)}
                a["annotation"] = self.stubs.type_of(sym.node.annotation, stub[0], {"self_type": qn})
                attributes[aname] = a
            elif sym.kind == "property" and aname in own:
                a = {"name": aname, "readonly": not sym.setter}
                if sym.defs[0].returns is not None:
                    a["annotation"] = self.stubs.type_of(sym.defs[0].returns, stub[0], {"self_type": qn})
                attributes[aname] = a

        # Instance attributes assigned in __init__ (`self.item_separator = ...`).
        for aname in _init_assigned(cls):
            if aname not in attributes and aname not in method_names and not aname.startswith("_"):
                attributes[aname] = {"name": aname, "readonly": False}

        # Runtime class annotations (dataclasses, NamedTuple, annotated classes).
        anns = cls.__dict__.get("__annotations__")
        if isinstance(anns, dict):
            globalns = getattr(sys.modules.get(cls.__module__), "__dict__", None)
            for aname, ann in anns.items():
                if not isinstance(aname, str) or aname.startswith("_") or aname in method_names:
                    continue
                a = attributes.get(aname) or {"name": aname, "readonly": False}
                if "annotation" not in a:
                    try:
                        a["annotation"] = rt_type(ann, globalns, qn)
                    except Exception:
                        pass
                attributes[aname] = a

        info["methods"] = sorted(methods, key=lambda m: m["name"])
        if operators:
            info["operators"] = sorted(operators, key=lambda m: m["name"])
        info["attributes"] = [attributes[k] for k in sorted(attributes)]
        return info

    def constructor(self, cls, qn, stub):
        if stub is not None:
            for csm, cnode in self.stubs.stub_mro(stub[0], stub[1].node):
                body = self.stubs.class_body(csm, cnode)
                for special in ("__init__", "__new__"):
                    sym = body.get(special)
                    if sym is not None and sym.kind == "def":
                        sigs, source = self.signatures(None, special, (csm, sym), True, qn, runtime_target=cls)
                        if sigs:
                            for s in sigs:
                                s.pop("returns", None)
                                s["text"] = s["text"].split(" -> ")[0]
                            return _fn("__init__", _ctor_kind(cls), sigs, source)
                        break
                else:
                    continue
                break
        rsig = _runtime_sig(cls)
        if rsig is not None:
            init = cls.__dict__.get("__init__") if "__init__" in cls.__dict__ else getattr(cls, "__init__", None)
            func = init if inspect.isfunction(init) else None
            sig = inspect_signature(rsig, False, func, qn)
            if func is not None:
                # get_type_hints on __init__ includes `self`; inspect_signature matched by name.
                pass
            sig.pop("returns", None)
            sig["text"] = sig["text"].split(" -> ")[0]
            src = "inspect" if func is not None or not _is_builtin_type(cls) else "text_signature"
            return _fn("__init__", _ctor_kind(cls), [sig], src)
        for special in ("__init__", "__new__"):
            target = cls.__dict__.get(special)
            if target is not None:
                sig = text_signature(target, True)
                if sig is not None:
                    return _fn("__init__", _ctor_kind(cls), [sig], "text_signature")
        sig = docstring_signature(cls.__dict__.get("__doc__"), cls.__name__, False)
        if sig is not None:
            sig.pop("returns", None)
            sig["text"] = sig["text"].split(" -> ")[0]
            return _fn("__init__", _ctor_kind(cls), [sig], "docstring")
        return _fn("__init__", _ctor_kind(cls), [], "unknown")

    def member(self, cls, qn, mname, raw, stub, stub_body):
        """A MethodInfo dict (has "binding") or an AttributeInfo dict, or None to skip."""
        sym = stub_body.get(mname)
        if stub is not None and sym is None:
            found = self.find_in_stub_class(stub[0], stub[1].node, mname)
            ssm, sym = found if found else (None, None)
        else:
            ssm = stub[0] if stub is not None else None
        if isinstance(raw, property) or type(raw).__name__ in (
            "getset_descriptor", "member_descriptor", "cached_property", "_tuplegetter",
        ):
            fget = getattr(raw, "fget", None) or getattr(raw, "func", None)
            tname = type(raw).__name__
            # A Python property knows whether it has a setter; a C getset descriptor does not
            # say, so the stub decides and, without one, it is taken as read-only (most are).
            # Slots (member descriptors) and cached properties can be assigned.
            # Namedtuple fields (`_tuplegetter`) and struct-sequence fields (member descriptors of
            # a tuple subclass) are read-only like the tuple itself.
            tuple_field = tname == "_tuplegetter" or (
                tname == "member_descriptor" and issubclass(cls, tuple)
            )
            if isinstance(raw, property):
                readonly = raw.fset is None
            else:
                readonly = tuple_field or tname == "getset_descriptor"
            a = {"name": mname}
            doc = clean_doc(getattr(raw, "__doc__", None))
            if doc:
                a["doc"] = doc
            if sym is not None and sym.kind == "property":
                if not isinstance(raw, property) and not tuple_field:
                    readonly = not sym.setter
                if sym.defs[0].returns is not None:
                    a["annotation"] = self.stubs.type_of(sym.defs[0].returns, ssm, {"self_type": qn})
            elif sym is not None and sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                if not isinstance(raw, property) and not tuple_field:
                    readonly = _is_final(sym.node.annotation)
                a["annotation"] = self.stubs.type_of(sym.node.annotation, ssm, {"self_type": qn})
            elif fget is not None:
                try:
                    hints = typing.get_type_hints(fget)
                    if "return" in hints:
                        a["annotation"] = rt_type(hints["return"], getattr(fget, "__globals__", None), qn)
                except Exception:
                    pass
            a["readonly"] = readonly
            return a
        if inspect.isclass(raw):
            return None
        binding = None
        func = raw
        if isinstance(raw, staticmethod):
            binding, func = "static", raw.__func__
        elif isinstance(raw, classmethod):
            binding, func = "class", raw.__func__
        elif type(raw).__name__ == "classmethod_descriptor":
            binding = "class"
        elif inspect.isfunction(raw) or type(raw).__name__ in (
            "method_descriptor", "wrapper_descriptor", "cython_function_or_method",
            "fused_cython_function",
        ):
            binding = "instance"
        elif type(raw).__name__ == "builtin_function_or_method":
            binding = "static"
        elif callable(raw):
            binding = "instance" if hasattr(type(raw), "__get__") else "static"
        else:
            # Plain class-level data (JSONEncoder.item_separator = ', '): a writable attribute.
            a = {"name": mname, "readonly": False}
            if sym is not None and sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                a["annotation"] = self.stubs.type_of(sym.node.annotation, ssm, {"self_type": qn})
                a["readonly"] = _is_final(sym.node.annotation)
            elif type(raw) in (int, float, str, bool, bytes, complex):
                a["annotation"] = name_t(type(raw).__name__)
            return a
        info = {"name": mname, "kind": callable_kind(func)}
        doc = clean_doc(getattr(func, "__doc__", None))
        if doc:
            info["doc"] = doc
        target = (ssm, sym) if sym is not None and sym.kind in ("def", "var") else None
        drop = binding != "static"
        sigs, source = self.signatures(func, mname, target, drop, qn)
        if target is not None and sym.kind == "def":
            # The stub knows best how the method is bound.
            if sym.static:
                binding = "static"
            elif sym.classmethod:
                binding = "class"
        info["signatures"] = sigs
        info["signature_source"] = source
        info["is_generator"] = _is_generator_fn(func) or (
            source in ("stub", "typeshed") and mname != "__iter__" and _iter_return(sigs)
        )
        info["binding"] = binding
        return info

    # ---- modules --------------------------------------------------------------------------

    def module_info(self, mod, modname):
        self.left_out = []
        info = {"name": modname}
        doc = clean_doc(getattr(mod, "__doc__", None))
        if doc:
            info["doc"] = doc
        names = public_names(mod)
        # Exported classes claim their plain qualified names before any ancestor can.
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    obj = getattr(mod, name)
                if inspect.isclass(obj):
                    self.class_id(obj)
            except Exception:
                pass
        functions, classes, constants = [], [], []
        exported_classes = {}
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    obj = getattr(mod, name)
            except Exception as e:
                # `__all__` may list submodules that are not imported yet (xml.__all__): those
                # are skipped like every other submodule.
                if not _is_submodule(modname, name):
                    self.leave_out("%s.%s" % (modname, name), "reading the attribute failed", e)
                continue
            if isinstance(obj, types.ModuleType):
                continue
            try:
                if inspect.isclass(obj):
                    classes.append(self.class_info(name, obj, modname, True))
                    exported_classes.setdefault(id(obj), obj)
                elif callable(obj):
                    functions.append(self.function_info(name, obj, modname))
                else:
                    constants.append(self.constant_info(name, obj))
            except Exception as e:
                self.leave_out("%s.%s" % (modname, name),
                               "introspection failed, bound without a signature", e)
                if inspect.isclass(obj):
                    classes.append({"name": name, "qualified_name": self.class_id(obj),
                                    "exported": True, "bases": [], "methods": [], "attributes": []})
                elif callable(obj):
                    functions.append({"name": name, "kind": callable_kind(obj), "signatures": [],
                                      "signature_source": "unknown", "is_generator": False})
                else:
                    constants.append({"name": name, "type_name": type(obj).__name__})

        # Ancestors that the module does not export, so that inheritance can be mirrored.
        ancestors = {}
        for cls in exported_classes.values():
            for base in getattr(cls, "__mro__", ())[1:]:
                if id(base) in exported_classes or id(base) in ancestors:
                    continue
                if not _mirrored(base):
                    continue
                ancestors[id(base)] = base
        used = {c["name"] for c in classes}
        for base in sorted(ancestors.values(), key=lambda b: (self.class_id(b), b.__name__)):
            nm = base.__name__
            if nm in used:
                import hashlib

                nm = "%s_%s" % (nm, hashlib.sha256(self.class_id(base).encode()).hexdigest()[:6])
            used.add(nm)
            try:
                classes.append(self.class_info(nm, base, modname, False))
            except Exception as e:
                self.leave_out(self.class_id(base), "introspecting this base class failed", e)

        info["functions"] = sorted(functions, key=lambda f: f["name"])
        info["classes"] = sorted(classes, key=lambda c: c["name"])
        info["constants"] = sorted(constants, key=lambda c: c["name"])
        info["submodules"] = []
        if self.left_out:
            info["left_out"] = self.left_out
        return info


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


def _fn(name, kind, sigs, source):
    return {"name": name, "kind": kind, "signatures": sigs, "signature_source": source,
            "is_generator": False}


def _ctor_kind(cls):
    return "builtin" if _is_builtin_type(cls) else "function"


def _is_builtin_type(cls):
    return not hasattr(cls, "__dict__") or "__init__" not in cls.__dict__ and not any(
        inspect.isfunction(getattr(k, "__dict__", {}).get("__init__")) for k in cls.__mro__
    ) and not any(inspect.isfunction(getattr(k, "__dict__", {}).get("__new__")) for k in cls.__mro__)


def _is_final(ann):
    d = _dotted(ann.value if isinstance(ann, ast.Subscript) else ann) or ""
    return d.rpartition(".")[2] == "Final"


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


def public_names(mod):
    names = getattr(mod, "__all__", None)
    if names is not None:
        try:
            names = [n for n in names if isinstance(n, str)]
        except Exception:
            names = None
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    return sorted(set(names))


def library_version(modname):
    top = modname.split(".")[0]
    if top in getattr(sys, "stdlib_module_names", ()) or top in sys.builtin_module_names:
        return None
    try:
        import importlib.metadata as md
    except Exception:
        md = None
    if md is not None:
        try:
            return md.version(top)
        except Exception:
            pass
    v = getattr(sys.modules.get(top), "__version__", None)
    if isinstance(v, str):
        return v
    if md is not None:
        try:
            dists = md.packages_distributions().get(top)
            if dists:
                return md.version(dists[0])
        except Exception:
            pass
    return None


def _error_doc(exc, module):
    import traceback

    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:],
        "module": module,
    }


def run(argv):
    t0 = time.perf_counter()
    doc = {"python_version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable}
    if not argv:
        doc["error"] = {"type": "UsageError", "message": "usage: introspect.py MODULE [SUBMODULE ...]",
                        "traceback": "", "module": ""}
        return doc
    if sys.version_info < (3, 9):
        doc["error"] = {"type": "IntrospectorError:UnsupportedPython",
                        "message": "snakebridge needs Python 3.9 or newer",
                        "traceback": "", "module": argv[0]}
        return doc
    modname = argv[0]
    subs = sorted(set(argv[1:]))
    current = modname
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = importlib.import_module(modname)
            submods = []
            for s in subs:
                current = modname + "." + s
                submods.append((current, importlib.import_module(current)))
    except BaseException as e:  # SystemExit from a module's import counts as a failure too
        doc["error"] = _error_doc(e, current)
        return doc
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    intro = Introspector()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = intro.module_info(mod, modname)
        for full, sm in submods:
            result["submodules"].append(intro.module_info(sm, full))
    doc["library_version"] = library_version(modname)
    doc["elapsed_seconds"] = round(time.perf_counter() - t0, 3)
    doc["stub_parse_seconds"] = round(intro.stubs.parse_seconds, 3)
    doc["typeshed"] = intro.stubs.typeshed_roots[:1]
    doc["warnings"] = WARNINGS
    doc["result"] = result
    return doc


def main():
    try:
        doc = run(sys.argv[1:])
    except BaseException as e:
        doc = {"python_version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable,
               "error": dict(_error_doc(e, sys.argv[1] if len(sys.argv) > 1 else ""),
                             type="IntrospectorError:" + type(e).__name__)}
    indent = 1 if os.environ.get("SNAKEBRIDGE_INTROSPECT_PRETTY") else None
    data = json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False).encode("utf-8")
    with os.fdopen(_REAL_STDOUT_FD, "wb") as out:
        out.write(data)
        out.write(b"\n")
        out.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: some extension modules crash or hang at exit, and the answer
    # is already out.
    os._exit(0)


if __name__ == "__main__":
    main()
