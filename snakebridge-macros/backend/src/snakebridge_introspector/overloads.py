"""Extra overloads the stubs do not spell: a one-argument numpy ufunc called on a Python scalar,
typed by the ufunc's own type resolution."""



from .typeexpr import name_t


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
