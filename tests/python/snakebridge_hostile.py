"""Hostile data for snakebridge's tests: cycles and deep nesting, built without recursion."""


def nested_list(depth):
    """A list nested `depth` levels deep around the int 1: [[[...[1]...]]]."""
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def nested_dict(depth):
    value = 1
    for _ in range(depth):
        value = {"k": value}
    return value


def self_list():
    """[1, 2, <itself>]."""
    items = [1, 2]
    items.append(items)
    return items


def self_dict():
    """{"a": 1, "me": <itself>} inside a list: [0, {...}]."""
    d = {"a": 1}
    d["me"] = d
    return [0, d]


def depth_of(value):
    """How many list/tuple/dict levels `value` has, counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, tuple)):
            deepest = max(deepest, d + 1)
            stack.extend((x, d + 1) for x in v)
        elif isinstance(v, dict):
            deepest = max(deepest, d + 1)
            stack.extend((x, d + 1) for x in v.values())
    return deepest


def fork_and_return():
    """Forks; the child returns too (into whoever called), the parent waits for it."""
    import os

    pid = os.fork()
    if pid == 0:
        return "child"
    os.waitpid(pid, 0)
    return "parent"
