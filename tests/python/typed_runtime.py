"""Typed Python as application code writes it, for what the runtime must deliver of its
annotations (issue 33): sequences that are no lists, generators driven with ``send`` that return
a value, long tuples, chained exceptions, ``float16`` arrays. Bound by ``tests/typed_runtime.rs``
through both clients."""

import array
import collections
from collections.abc import Collection, Generator, Iterable, Sequence

import numpy as np


def numbers_range(n: int) -> Sequence[int]:
    """``0..n`` as a ``range``."""
    return range(n)


def numbers_deque(n: int) -> Sequence[int]:
    """``0..n`` as a ``collections.deque``."""
    return collections.deque(range(n))


def halves_array(n: int) -> Collection[float]:
    """``0, 0.5, ..., (n - 1) / 2`` as an ``array.array`` of doubles."""
    return array.array("d", [i / 2 for i in range(n)])


def key_set(n: int) -> Collection[str]:
    """The keys of a dict of ``n`` items (a ``dict_keys``, a set-like collection)."""
    return {"k%d" % i: i for i in range(n)}.keys()


def squares(n: int) -> Iterable[int]:
    """The squares below ``n``, from a generator expression (not a generator function)."""
    return (i * i for i in range(n))


def running_total(limit: int) -> Generator[int, int, str]:
    """Yields the running total of the values sent in (``next()`` adds 1) until it reaches
    ``limit``, then returns how it ended."""
    total = 0
    steps = 0
    while total < limit:
        sent = yield total
        total += 1 if sent is None else sent
        steps += 1
    return "reached %d in %d steps" % (total, steps)


finally_ran: list = []


def guarded_total() -> Generator[int, int, int]:
    """Like ``running_total`` without a limit; records in ``finally_ran`` when it is closed."""
    total = 0
    try:
        while True:
            sent = yield total
            total += 1 if sent is None else sent
    finally:
        finally_ran.append(total)


def echo_back() -> Generator[str, str, None]:
    """Yields back what it is sent, upper-cased, and raises on ``"boom"``."""
    got = yield "ready"
    while True:
        if got == "boom":
            raise ValueError("boom was sent")
        got = yield got.upper()


Twelve = tuple[int, str, float, bool, int, str, float, bool, int, str, float, bool]
Seventeen = tuple[
    int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, str
]


def twelve(start: int) -> Twelve:
    """A 12-tuple of four kinds of value."""
    return (start, "a", 0.5, True, start + 1, "b", 1.5, False, start + 2, "c", 2.5, True)


def echo_twelve(t: Twelve) -> Twelve:
    """``t`` back, after checking it is a 12-tuple of the right types."""
    assert isinstance(t, tuple) and len(t) == 12, t
    assert [type(x) for x in t] == [type(x) for x in twelve(0)], t
    return t


def seventeen(start: int) -> Seventeen:
    """A 17-tuple: 16 ints from ``start``, then their sum as text."""
    items = tuple(range(start, start + 16))
    return items + (str(sum(items)),)


def sum_seventeen(t: Seventeen) -> int:
    """The sum of the 16 ints of a 17-tuple, checked against its last item."""
    assert isinstance(t, tuple) and len(t) == 17, t
    total = sum(t[:16])
    assert str(total) == t[16], t
    return total


class NotFound(LookupError):
    """A key that is not there."""


def lookup(key: str) -> int:
    """``int(key)``, re-raised as ``NotFound`` from the ``ValueError`` (an explicit cause)."""
    try:
        return int(key)
    except ValueError as e:
        raise NotFound("no such key: %s" % key) from e


def cleanup_fails() -> None:
    """Raises a ``RuntimeError`` while handling a ``KeyError`` (an implicit context)."""
    try:
        {}["missing"]
    except KeyError:
        raise RuntimeError("cleanup failed")


def half_steps(n: int) -> np.ndarray:
    """``0, 0.5, ..., (n - 1) / 2`` as a ``float16`` numpy array."""
    return np.arange(n, dtype=np.float16) / np.float16(2)


def sum_float16(a: np.ndarray) -> float:
    """The sum of an array that must be ``float16``, as a float."""
    assert a.dtype == np.float16, a.dtype
    return float(a.astype(np.float64).sum())
