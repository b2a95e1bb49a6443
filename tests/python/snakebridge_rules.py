"""Objects at the edges of the rules both clients share (keyed data, carries-an-array), for
snakebridge-runtime/tests/shared_rules.rs.

Put on sys.path by the tests (PYTHONPATH of the pool workers, sys.path of the embedded client).
"""

from collections.abc import Mapping

import numpy


class BrokenMapping(Mapping):
    """A Mapping whose items cannot be read."""

    def __getitem__(self, key):
        raise KeyError(key)

    def __len__(self):
        return 1

    def __iter__(self):
        return iter(["k"])

    def items(self):
        raise ValueError("no items today")


class Carrier:
    """Carries an array and has items() whose keys repeat."""

    def __array__(self, dtype=None, copy=None):
        return numpy.arange(3)

    def items(self):
        return [("a", 1), ("a", 2), ("b", 3)]


class Unhashable(Mapping):
    """A Mapping whose keys cannot be dict keys."""

    def __getitem__(self, key):
        return 1

    def __len__(self):
        return 1

    def __iter__(self):
        return iter([[1]])


def broken_mapping():
    return BrokenMapping()


def carrier():
    return Carrier()


def unhashable():
    return Unhashable()
