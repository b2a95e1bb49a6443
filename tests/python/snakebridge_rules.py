"""Objects at the edges of the rules both clients share (keyed data, carries-an-array, the items
of sequences), for snakebridge-runtime/tests/shared_rules.rs.

Put on sys.path by the tests (PYTHONPATH of the pool workers, sys.path of the embedded client).
"""

from collections.abc import Mapping, Sequence

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


class BrokenSequence(Sequence):
    """A Sequence whose second item cannot be read."""

    def __len__(self):
        return 3

    def __getitem__(self, i):
        if i == 1:
            raise ValueError("no item 1")
        if i >= 3:
            raise IndexError(i)
        return i


def broken_sequence():
    return BrokenSequence()


def ranges():
    return (range(2), range(1, 3))


def broken_mapping():
    return BrokenMapping()


def carrier():
    return Carrier()


def unhashable():
    return Unhashable()
