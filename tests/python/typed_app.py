"""Typed Python as application code writes it (issue 33), bound by `tests/bindings_typed.rs`:
`Any` and `Optional` annotations, a class result that may be None or the wrong type, an
`@overload`ed function, list parameters. `Any`, `Optional`, `Union`, `cast`, `overload` and the
`TypeVar` are imports and helpers, not items."""

from __future__ import annotations

from typing import Any, Optional, TypeVar, Union, cast, overload

T = TypeVar("T")


class Point:
    """A point in the plane."""

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y

    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


class Point3(Point):
    """A subclass: a result annotated `Point` may be one."""

    def __init__(self, x: int, y: int, z: int) -> None:
        super().__init__(x, y)
        self.z = z


def kinds(items: list[Any]) -> list[str]:
    """The type name of each item."""
    return [type(item).__name__ for item in items]


def maybe(value: Optional[Any] = None) -> Optional[Any]:
    """`value` back, None included."""
    return value


def echo(value: Any) -> Any:
    return cast(Any, value)


def join_words(words: list[str], sep: str = " ") -> str:
    return sep.join(words)


def total(numbers: list[int]) -> int:
    return sum(numbers)


def lengths(rows: list[list[str]]) -> list[int]:
    return [len(r) for r in rows]


def point_at(x: int, y: int, z: Optional[int] = None) -> Point:
    return Point(x, y) if z is None else Point3(x, y, z)


def find_point(points: list[Point], x: int) -> Optional[Point]:
    """The first point with this `x`, or None."""
    return next((p for p in points if p.x == x), None)


def fake_point() -> Point:
    """Not a point at all, whatever the annotation says."""
    return cast(Point, "surely a point")


@overload
def double(value: int) -> int: ...
@overload
def double(value: str) -> str: ...
def double(value: Union[int, str]) -> Union[int, str]:
    """`value * 2`: an int for an int, a str for a str."""
    return value * 2
