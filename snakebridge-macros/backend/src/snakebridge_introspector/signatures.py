"""Signatures from each source, as `model.rs`'s `Signature`: a stub `def`, `inspect.signature`,
`__text_signature__` and a docstring's first line; the runtime's defaults and parameter kinds
applied to a stub's."""

import ast
import inspect
import re
import typing
import warnings

from .runtime_types import rt_type
from .stub_files import _dotted, _flatten, _unparse
from .stubs import Stubs
from .text import safe_repr, scrub
from .typeexpr import unknown_t


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
