"""Rules the embedded client and the pool's worker both apply, written once: the worker imports
this module, and the embedded client (``embedded/rules.rs``) loads this very source into its
interpreter and calls it, so the two cannot drift apart.

- :func:`carries_array`: an object that carries an array (a pandas Series or DataFrame), which
  converts through ``numpy.asarray`` when data is asked for.
- :func:`keyed_data`: the dict a map result asks for (``ReturnPolicy::Map``).
- :func:`items_kind`: an object that is not a plain container but holds items (a ``range``, a
  ``deque``, an ``array.array``, a dict's ``keys()``), taken by its protocol when data is asked
  for.

It imports nothing from the package (the embedded client loads it alone).
"""

import builtins as _builtins

# This module's own copy of the builtins, taken at import: before any user code runs, in the
# worker and in the embedded interpreter alike (which loads it at start). Patched builtins then
# do not change the rules.
__builtins__ = dict(vars(_builtins))
del _builtins

from collections.abc import Mapping, Sequence, Set  # noqa: E402 - after the builtins are taken
from sys import modules  # noqa: E402


class KeyedDataError(Exception):
    """An object holds keyed data that cannot become a dict: ``what`` (``"a map from
    Series"``) and ``message``, as Rust's ``Error::Decode`` says them."""

    def __init__(self, what, message):
        super().__init__(what, message)
        self.what = what
        self.message = message


def carries_array(obj):
    """True for an object (not a class) whose type has ``__array__``: it carries an array (a
    pandas Series or DataFrame)."""
    return not isinstance(obj, type) and hasattr(type(obj), "__array__")


def items_kind(obj):
    """``"list"`` for a ``collections.abc.Sequence`` (``range``, ``collections.deque``,
    ``array.array``, ``UserList``), ``"set"`` for a ``collections.abc.Set`` (a dict's ``keys()``),
    None for anything else: byte buffers (``bytearray``, ``memoryview``), mappings, classes, and
    iterables that are neither. Data asked for by value (``Vec<T>`` from ``Sequence[T]``) takes
    the items of the first two by iterating them: they are finite, and iterating them changes
    nothing. Other iterables are not taken (a generator or a file would be consumed, an
    endless iterator never ends): an ``Iterable[T]`` result streams instead."""
    if isinstance(obj, (type, str, bytes, bytearray, memoryview, Mapping)):
        return None
    if isinstance(obj, Sequence):
        return "list"
    if isinstance(obj, Set):
        return "set"
    return None


def keyed_data(obj):
    """The dict of ``obj``'s items when it holds keyed data and is not a dict already: a numpy
    structured array (field -> column), a ``collections.abc.Mapping``, or an object that
    carries an array and has ``items()`` (a pandas Series: index -> value; a DataFrame: column
    -> column). None for anything else, which then converts as data does. Repeated keys, and
    whatever the object raises, are a KeyedDataError."""
    if isinstance(obj, dict):
        return None
    t = type(obj)
    try:
        np = modules.get("numpy")
        if np is not None and isinstance(obj, np.ndarray):
            names = obj.dtype.names
            return None if names is None else {name: obj[name] for name in names}
        if not (isinstance(obj, Mapping) or (carries_array(obj) and hasattr(t, "items"))):
            return None
        out = {}
        pairs = 0
        for key, value in obj.items():
            out[key] = value
            pairs += 1
    except Exception as e:  # noqa: BLE001 - said as pyo3 says a Python error: `Class: message`
        raise KeyedDataError("a map from " + t.__name__, "%s: %s" % (type(e).__qualname__, e)) from None
    if len(out) != pairs:
        raise KeyedDataError(
            "a map from " + t.__name__,
            "its keys repeat (%d items, %d distinct keys): a map would lose values; ask for a "
            "Vec of pairs or a PyRef instead" % (pairs, len(out)),
        )
    return out
