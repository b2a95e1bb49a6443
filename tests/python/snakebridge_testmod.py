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


class Recorder:
    """A context manager that records the arguments of every `__exit__` call, and suppresses the
    exception when made with `suppress=True` (tests of `with_context` and the generated `with`)."""

    def __init__(self, suppress: bool = False):
        self.suppress = suppress
        self.exits = []

    def __enter__(self) -> str:
        return "entered"

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.exits.append((exc_type, exc, tb))
        return self.suppress

    def exit_count(self) -> int:
        """How many times `__exit__` ran."""
        return len(self.exits)

    def exit_type(self) -> str:
        """The name of the class the last `__exit__` got ("None" for None)."""
        return getattr(self.exits[-1][0], "__name__", repr(self.exits[-1][0]))

    def exit_value(self):
        """The exception the last `__exit__` got (None on success)."""
        return self.exits[-1][1]

    def exit_message(self) -> str:
        """`str()` of the exception the last `__exit__` got ("" for None)."""
        exc = self.exits[-1][1]
        return "" if exc is None else str(exc)

    def exit_consistent(self) -> bool:
        """Whether the last `__exit__`'s arguments agree as Python's own `with` passes them: all
        None, or the exception's class, the exception and its `__traceback__`."""
        t, exc, tb = self.exits[-1]
        if exc is None:
            return t is None and tb is None
        return t is type(exc) and tb is exc.__traceback__
