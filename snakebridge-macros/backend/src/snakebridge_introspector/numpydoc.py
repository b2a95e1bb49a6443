"""Parameter and return types from numpydoc (and Google-style) docstrings, as TypeExpr values: a
signature source below stubs and above bare `inspect`, for the scientific stack's rigorous
`n_clusters : int, default=8` lines. Only the forms below are read; any other word makes the
whole type unknown (None), so a docstring never gives a wrong type, only no type.

    int, integer, float, bool, boolean, str, string, dict, callable, None   the builtin
    {"lloyd", "elkan"}                       Literal["lloyd", "elkan"]
    array-like / array_like / ndarray / sparse matrix [of shape (...)]     unknown (array-like)
    X or Y, X, Y or Z                        a union (`, default=...` and `, optional` dropped)
    list of X, tuple of X, sequence of X    list[X]
    float in [0, 1], positive int, int > 0  the number type
    Name, Name instance, Name object        the module's class of that name

Kept in Python (not in the Rust code generator) because the types it gives are TypeExprs like
every other source's: they are cached and pinned with the rest of the introspection, and the one
mapping from TypeExpr to Rust (`typemap.rs`) applies to them unchanged."""

import re

from .typeexpr import NONE, generic_t, name_t, union_t, unknown_t


_PLAIN = {
    "int": "int", "integer": "int", "float": "float", "bool": "bool", "boolean": "bool",
    "str": "str", "string": "str", "dict": "dict", "callable": "collections.abc.Callable",
    "none": None, "bytes": "bytes", "list": "list", "tuple": "tuple",
}
_ARRAY = ("array-like", "array_like", "arraylike", "ndarray", "array", "sparse matrix",
          "sparse array", "numpy array", "np.ndarray", "numpy.ndarray")
_ARRAY_T = unknown_t("array-like")
_NUMBER_WORDS = re.compile(r"^(?:non-negative|nonnegative|positive|negative|strictly positive)\s+")
_RANGE = re.compile(r"\s+(?:in\s+[\[(].*[\])]|[<>]=?\s*-?[\d.]+|greater than.*|between.*)$")
_DEFAULT = re.compile(r"(?:,\s*|\s+|\()\s*(?:default|Default|defaults to)\b.*$")
_SHAPE = re.compile(r"\s*(?:of|with)\s+shape\s*[\[(].*$|\s*,\s*shape\s*[\[(].*$|\s+shape\s*[\[(].*$")
_SECTION = re.compile(r"^\s*(Parameters|Other Parameters|Returns|Yields|Args|Arguments|Attributes)"
                      r"\s*:?\s*$")


def _split_top(text, seps):
    """Splits on any of `seps` outside braces, brackets and parentheses."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        if depth == 0:
            hit = next((s for s in seps if text.startswith(s, i)), None)
            if hit is not None:
                out.append(cur)
                cur = ""
                i += len(hit)
                continue
        cur += ch
        i += 1
    out.append(cur)
    return [p.strip() for p in out if p.strip()]


def _literal(body):
    """`{"a", 'b'}` as a Literal; `{array-like, sparse matrix}` as array-like; else None."""
    items = _split_top(body, [","])
    if items and all(re.fullmatch(r"""(['"]).*\1""", it) for it in items):
        return {"kind": "literal", "values": ["'%s'" % it[1:-1] for it in items]}
    if items and all(re.fullmatch(r"-?\d+", it) for it in items):
        return {"kind": "literal", "values": items}
    alts = [_alternative(it, {}) for it in items]
    if any(a is None for a in alts):
        return None
    return union_t(alts)


def _alternative(text, classes):
    """One alternative of a type line (no `or`, no top-level comma) as a TypeExpr, or None."""
    t = text.strip().strip("`").strip()
    t = re.sub(r"^(?:an?|the)\s+", "", t)
    t = _SHAPE.sub("", t).strip()
    if not t:
        return None
    if t.startswith("{") and t.endswith("}"):
        return _literal(t[1:-1])
    if re.fullmatch(r"""(['"]).*\1""", t):
        return {"kind": "literal", "values": ["'%s'" % t[1:-1]]}
    low = t.lower()
    if low in _ARRAY or low.startswith(("array-like", "array_like", "ndarray", "sparse matrix")):
        return _ARRAY_T
    m = re.fullmatch(r"(list|tuple|sequence|iterable)\s+of\s+(.+)", t, flags=re.I)
    if m:
        inner = _alternative(re.sub(r"s$", "", m.group(2).strip()), classes)
        return generic_t("list", [inner]) if inner is not None else None
    t = _RANGE.sub("", _NUMBER_WORDS.sub("", t)).strip()
    low = t.lower()
    if low in _PLAIN:
        plain = _PLAIN[low]
        return NONE if plain is None else name_t(plain)
    word = re.sub(r"\s+(?:instance|object|class)$", "", t)
    if word in classes:
        return name_t(classes[word])
    return None


def parse_type(text, classes=None):
    """The TypeExpr of a numpydoc type line (`int, default=8`), or None when any part of it is
    not understood. `classes` maps the module's class names to their qualified names."""
    classes = classes or {}
    t = text.strip()
    t = re.sub(r",?\s*\boptional\b\s*$", "", t).strip()
    t = _DEFAULT.sub("", t).strip().rstrip(",").strip()
    t = re.sub(r",?\s*\boptional\b\s*$", "", t).strip()
    if not t:
        return None
    alts = []
    for part in _split_top(t, [" or ", ","]):
        if part.startswith("or "):
            part = part[3:]
        a = _alternative(part, classes)
        if a is None:
            return None
        alts.append(a)
    return union_t(alts) if alts else None


def _sections(doc):
    """{section name: [(indent, line)]} of a numpydoc (underlined) or Google (`Args:`) docstring."""
    lines = doc.expandtabs().splitlines()
    out, current = {}, None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _SECTION.match(line)
        underline = i + 1 < len(lines) and re.fullmatch(r"\s*-{3,}\s*", lines[i + 1])
        if m and (underline or line.rstrip().endswith(":")):
            current = m.group(1)
            out.setdefault(current, [])
            i += 2 if underline else 1
            continue
        if underline and line.strip():
            current = None  # another numpydoc section (Notes, Examples, ...)
            i += 2
            continue
        if current is not None:
            out[current].append((len(line) - len(line.lstrip()), line.strip()))
        i += 1
    return out


def _entries(lines):
    """(names, type text) of each entry: the least-indented non-empty lines of a section."""
    body = [(ind, s) for ind, s in lines if s]
    if not body:
        return []
    base = min(ind for ind, _ in body)
    out = []
    for ind, s in body:
        if ind != base:
            continue
        m = re.fullmatch(r"(\*{0,2}[\w, *]+?)\s*\(([^)]*(?:\([^)]*\))?[^)]*)\)\s*:.*", s)  # Google
        if m:
            out.append(([n.strip() for n in m.group(1).split(",")], m.group(2)))
            continue
        name, sep, typ = s.partition(" : ")
        if not sep and s.endswith(" :"):
            name, typ = s[:-2], ""
        if sep or s.endswith(" :"):
            out.append(([n.strip() for n in name.split(",")], typ))
        else:
            out.append(([], s))  # a return type written alone (`ndarray`)
    return out


def doc_types(doc, classes=None):
    """(parameter types, every documented parameter name, return type) read from a docstring:
    {name: TypeExpr} for the parameters whose type line parses, the set of all the names the
    Parameters section documents (to compare with the runtime's), and the Returns section's
    type (a tuple for several entries), or None."""
    if not isinstance(doc, str) or not doc:
        return {}, set(), None
    secs = _sections(doc)
    params, names = {}, set()
    for key in ("Parameters", "Other Parameters", "Args", "Arguments"):
        for pnames, typ in _entries(secs.get(key, [])):
            for n in pnames:
                n = n.lstrip("*")
                if not n.isidentifier():
                    continue
                names.add(n)
                t = parse_type(typ, classes) if typ else None
                if t is not None:
                    params[n] = t
    returns = None
    rets = _entries(secs.get("Returns", []))
    if rets:
        types = [parse_type(typ, classes) if typ else None for _, typ in rets]
        if all(t is not None for t in types):
            returns = types[0] if len(types) == 1 else generic_t("tuple", types)
    return params, names, returns


def apply_doc_types(sig, doc, classes=None):
    """Fills the parameters of a runtime signature that have no annotation (and its result) from
    the docstring; True when it used any. The runtime's names win: when the docstring documents a
    parameter the signature does not have, nothing is taken from it."""
    params, names, returns = doc_types(doc, classes)
    if not params and returns is None:
        return False
    sig_names = {p["name"] for p in sig["params"]}
    if not names <= sig_names:
        return False
    used = False
    for p in sig["params"]:
        if "annotation" not in p and p["name"] in params and p["kind"] not in (
            "var_positional", "var_keyword",
        ):
            p["annotation"] = params[p["name"]]
            used = True
    if returns is not None and "returns" not in sig:
        sig["returns"] = returns
        used = True
    return used
