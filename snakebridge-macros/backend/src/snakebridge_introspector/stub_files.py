"""Stub files as symbol tables: `.pyi` (or source) modules parsed with `ast`, never imported, their
top-level symbols after `sys.version_info`/`sys.platform` conditions, and where typeshed is."""

import ast
import importlib.util
import os
import sys
import types


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


def _is_final(ann):
    d = _dotted(ann.value if isinstance(ann, ast.Subscript) else ann) or ""
    return d.rpartition(".")[2] == "Final"
