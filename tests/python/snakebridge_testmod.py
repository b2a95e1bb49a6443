"""Helpers for snakebridge's integration tests (put on sys.path by the tests)."""

import gc

finally_ran = []


class Thing:
    """A plain object that supports weak references."""

    def __init__(self, label="thing"):
        self.label = label

    def shout(self, suffix="!"):
        return self.label.upper() + suffix


def live_things():
    """How many Thing instances the interpreter still holds."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is Thing)


def countdown(n):
    """Yield n, n-1, ..., 1 and record that the finally block ran."""
    try:
        while n > 0:
            yield n
            n -= 1
    finally:
        finally_ran.append(True)


def fails_after(n):
    """Yield 0..n-1, then raise ValueError."""
    for i in range(n):
        yield i
    raise ValueError(f"failed after {n} items")


def shout(text):
    print("this goes to the worker's stdout and must not corrupt anything")
    return text.upper()


def reserved_names(x: int, *, call_as: int = 0, args: int = 0, call: int = 0, session: int = 0, timeout: int = 0) -> str:
    """Echoes its arguments: Python parameters named like the methods of a snakebridge builder."""
    return repr([x, call_as, args, call, session, timeout])


def variadic_reserved(*args: int, kwarg: int = 0, **kwargs: int) -> str:
    """Echoes `*args`, the parameter named `kwarg` and `**kwargs`."""
    return repr([list(args), kwarg, sorted(kwargs.items())])


# --- The object model (tests/bindings_objects.rs) -------------------------------------------
# A diamond with a method overridden on one side: Python's MRO is
# Diamond, DiamondRight, DiamondLeft, DiamondBase. The return annotations differ where the
# implementations agree, so that a test can tell at compile time which signature Rust chose.


class DiamondBase:
    def who(self) -> int:
        return "DiamondBase"

    def side(self) -> str:
        return "DiamondBase"

    def base_only(self) -> str:
        return "base"


class DiamondLeft(DiamondBase):
    def who(self) -> str:
        return "DiamondLeft"

    def side(self) -> int:
        return "DiamondLeft"

    def left_only(self) -> str:
        return "left"


class DiamondRight(DiamondBase):
    # More members than DiamondLeft: the Rust struct derefs to DiamondRight.
    def side(self) -> str:
        return "DiamondRight"

    def right_a(self) -> str:
        return "a"

    def right_b(self) -> str:
        return "b"

    def right_c(self) -> str:
        return "c"


class Diamond(DiamondRight, DiamondLeft):
    pass


# Two mixins defining one name, beside a base with more members.
class MixA:
    def describe(self) -> str:
        return "MixA"


class MixB:
    def describe(self) -> int:
        return 2


class Core:
    def core_a(self) -> int:
        return 1

    def core_b(self) -> int:
        return 2


class Mixed(MixA, MixB, Core):
    pass


import collections as _collections
import typing as _typing

Point = _collections.namedtuple("Point", "x y")


class Pair(_typing.NamedTuple):
    """A typed namedtuple."""

    count: int
    label: str


def make_pair(count: int, label: str) -> Pair:
    return Pair(count, label)
