"""`Stubs`: finding a module's stub (the package's own, then typeshed), following names through
imports and re-exports, a stub class's MRO, and stub annotations read as TypeExpr values."""

import ast
import json
import os
import re
import sys
import time

from .output import warn
from .runtime_types import rt_type
from .stub_files import (
    StubModule, _TYPE_ALIAS_STMT, _dotted, _typeshed_roots, _unparse, build_symbols,
)
from .typeexpr import (
    BUILTIN_NAMES, CANON, MAX_ALIAS_NODES, NONE, PARAMS, SPECIAL_FORMS, canon, class_name, count_nodes,
    generic_t, has_private, has_unknown, name_t, union_t, unknown_t,
)


def _unusable(t):
    # A Literal of many strings (scipy's 30 `method` names) is one Rust `String`, whatever its size.
    too_big = count_nodes(t) > MAX_ALIAS_NODES and t["kind"] != "literal"
    return has_unknown(t) or has_private(t) or too_big


# optype's `Just*` protocols accept exactly the builtin they name.
_JUST = {"JustInt": "int", "JustFloat": "float", "JustComplex": "complex", "JustBytes": "bytes",
         "JustStr": "str", "JustObject": "object", "JustDate": "datetime.date"}

# The plain types an alias may end in, widest first: an alias whose union holds `float` (and
# protocols or numpy scalars a binding cannot name) takes a float, and so on.
_ENDS_IN = ("float", "int", "str", "bytes", "bool")

# numpy's real scalar classes, which an alias ending in float or int also accepts.
_NUMPY_SCALAR = re.compile(r"numpy\.(floating|integer|signedinteger|unsignedinteger|number|bool_?"
                           r"|float\d+|u?int\d*|u?intp|longdouble|double|single|half|u?longlong"
                           r"|generic|inexact)$")

# Members that make a union an array-like (or a dtype-like) rather than a scalar that also
# takes numpy scalars.
_ARRAYISH = re.compile(r"Nested|Buffer|DType|SupportsArray|ndarray|ArrayLike|memoryview|Sequence"
                       r"|_CanArray|_To[12N]D|bytes_like", re.I)


def class_head(t):
    """A generic alias of a class whose arguments do not resolve, read as the class itself:
    numpy's `NDArray[intp]` is `ndarray[tuple[Any, ...], dtype[intp]]` and `intp` is an alias
    the stubs spell per platform, but a binding maps every parametrisation of `ndarray` to one
    struct. Containers of typing and builtins keep their arguments (they decide the Rust type).
    Returns `t` unchanged otherwise."""
    if t["kind"] != "generic" or has_private(name_t(t["name"])) or has_unknown(name_t(t["name"])):
        return t
    if t["name"].startswith(("typing.", "typing_extensions.", "builtins.", "collections.")):
        return t
    # numpy's scalar classes (`int8` is `signedinteger[_8Bit]`) stay unresolved, so that an alias
    # of them and a plain type collapses to the plain type (`Int = int | int8 | ...` is `int`).
    if _NUMPY_SCALAR.match(t["name"]):
        return t
    return name_t(t["name"])


def collapse(t):
    """An alias that does not resolve to something a binding can use, read as the plain type it
    ends in, as optype and scipy-stubs write them: `ToFloat = float | floating_co` (numpy
    scalars and protocols of the stub package) is `float`, `ToJustInt = JustInt | integer` is
    `int`. A union collapses only when, once its unknown and private members (protocols) are
    dropped, what is left is one plain type (float absorbing int and bool, int absorbing bool),
    numpy scalar classes and None. An array-like (numpy's ArrayLike: buffers, nested sequences,
    objects with `__array__`, and also float and int) is not a float: it stays as it is, an
    `impl IntoValue` that takes a `Vec`, an `NdArray` or a scalar. Returns `t` unchanged when
    it does not collapse."""
    k = t["kind"]
    if k == "name":
        short = t["name"].rpartition(".")[2]
        return name_t(_JUST[short]) if short in _JUST else t
    if k == "generic":
        return generic_t(t["name"], [collapse(a) for a in t["args"]])
    if k != "union":
        return t
    items = [collapse(i) for i in t["items"]]
    if any(_ARRAYISH.search(json.dumps(i)) for i in items):
        return t
    keep = [i for i in items if not (has_unknown(i) or has_private(i))]
    has_none = any(i["kind"] == "none" for i in keep)
    rest = [i for i in keep if i["kind"] != "none"]
    if rest and all(i["kind"] == "literal" for i in rest):
        return union_t(keep)
    # scipy's `Callable[[float], T] | Callable[[np.float64], T] | LowLevelCallable` (a private
    # class): the callables.
    if rest and all(i["kind"] == "generic" and i["name"].rpartition(".")[2] == "Callable"
                    for i in rest):
        return union_t(keep)
    plains = set()
    for i in rest:
        if i["kind"] == "name" and i["name"] in _ENDS_IN:
            plains.add(i["name"])
        elif not (i["kind"] == "name" and _NUMPY_SCALAR.match(i["name"])):
            return t  # another kind of thing (os.PathLike, a class): not one plain type
    for plain, absorbs in (("float", {"float", "int", "bool"}), ("int", {"int", "bool"})):
        if plain in plains and plains <= absorbs:
            break
    else:
        if len(plains) != 1:
            return t
        plain = next(iter(plains))
    return union_t([name_t(plain), NONE]) if has_none else name_t(plain)


class Stubs:
    """Finds and parses stub files by module name (never importing them)."""

    def __init__(self):
        self.path_roots = [p for p in sys.path if p and os.path.isdir(p)]
        self.typeshed_roots = _typeshed_roots()
        self.modules = {}
        self.alias_cache = {}
        self.parse_seconds = 0.0
        # Every stub (or typed source) file read, for the distributions that typed the module.
        self.paths_read = set()

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
        self.paths_read.add(path)
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

    def stub_ancestors(self, sm, node, limit=12):
        """The stub ancestors of a stub class (not the class itself), each with the substitution
        of its type variables that its subclasses' subscripted bases give, as type checkers see
        them: `class ParseResult(_ParseResultBase[str])` gives `_ParseResultBase` with
        `{"AnyStr": str}`. Yields (StubModule, ClassDef, subst) depth-first, deduplicated."""
        out = []
        seen = {id(node)}
        stack = [(sm, node, {})]
        while stack and len(out) < limit:
            csm, cnode, subst = stack.pop(0)
            for b in cnode.bases:
                args = None
                if isinstance(b, ast.Subscript):
                    sl = b.slice
                    args = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
                    b = b.value
                dotted = _dotted(b)
                if not dotted:
                    continue
                r = self.resolve_in(csm, dotted)
                if r[0] != "sym" or r[2].kind != "class" or id(r[2].node) in seen:
                    continue
                bsm, bnode = r[1], r[2].node
                if bsm.name == "builtins" and bnode.name == "object":
                    continue
                seen.add(id(bnode))
                bsubst = {}
                if args:
                    conv = [self.type_of(a, csm, {"subst": subst}) for a in args]
                    bsubst = dict(zip(self.class_typevars(bsm, bnode), conv))
                out.append((bsm, bnode, bsubst))
                stack.append((bsm, bnode, bsubst))
        return out

    def class_typevars(self, sm, node):
        """A stub class's type parameters: those of its `Generic[...]`/`Protocol[...]` base, else
        the type variables of its subscripted bases in order of first appearance."""
        for b in node.bases:
            if isinstance(b, ast.Subscript) and (_dotted(b.value) or "").rpartition(".")[2] in (
                "Generic", "Protocol",
            ):
                return self._alias_typevars(b.slice, sm)
        found = []
        for b in node.bases:
            if isinstance(b, ast.Subscript):
                for tv in self._alias_typevars(b.slice, sm):
                    if tv not in found:
                        found.append(tv)
        return found

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
            # A Callable's parameter list.
            return generic_t(PARAMS, [self._type_of(e, sm, ctx, depth + 1) for e in a.elts])
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
                if short == "TypeAliasType" and len(value.args) >= 2:
                    # typing_extensions' `ToFloat = TypeAliasType("ToFloat", float | ...,
                    # type_params=(T,))`, as optype writes its aliases.
                    params = [kw.value for kw in value.keywords if kw.arg == "type_params"]
                    tparams = None
                    if params and isinstance(params[0], ast.Tuple):
                        tparams = [_dotted(e) for e in params[0].elts]
                    return self._alias_value(rsm, local, value.args[1], args, sm, ctx, depth, tparams)
                return unknown_t(qn)
        if value is None:
            return unknown_t(qn)
        return self._alias_value(rsm, local, value, args, sm, ctx, depth, None)

    def _alias_value(self, rsm, local, value, args, sm, ctx, depth, tparams):
        """The type an alias `local = value` of stub module `rsm` stands for, with `args`
        substituted for its type parameters (`tparams`, else its type variables in order of
        first appearance). An alias that does not resolve to something a binding can use is
        read as the plain type it ends in (`collapse`), else kept as its name."""
        qn = rsm.name + "." + local
        if args is None:
            key = (rsm.name, local)
            cached = self.alias_cache.get(key)
            if cached is not None:
                return cached
            self.alias_cache[key] = unknown_t(qn)  # breaks recursive aliases
            t = self._type_of(value, rsm, {}, depth + 3)
            if _unusable(t):
                t = collapse(t)
            if _unusable(t):
                t = class_head(t)
            if _unusable(t):
                t = unknown_t(qn)
            self.alias_cache[key] = t
            return t
        # A generic alias used with arguments (NDArray[np.float64]): substitute its type
        # variables, in order of first appearance, by the converted arguments.
        tvars = tparams if tparams is not None else self._alias_typevars(value, rsm)
        conv = [self._arg(a, sm, ctx, depth) for a in args]
        subst = dict(zip(tvars, conv))
        t = self._type_of(value, rsm, {"subst": subst}, depth + 3)
        if _unusable(t):
            t = collapse(t)
        if _unusable(t):
            t = class_head(t)
        if _unusable(t):
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
