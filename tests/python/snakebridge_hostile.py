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


def fork_below_python_and_return():
    """`fork_and_return` through libc's fork() (ctypes): Python's at-fork hooks do not run, as
    with a C extension that forks."""
    import ctypes
    import os

    pid = ctypes.CDLL(None, use_errno=True).fork()
    if pid == 0:
        return "child"
    os.waitpid(pid, 0)
    return "parent"


def identity(value):
    return value


def random_graph(seed, nodes, back_edges):
    """A random structure of `nodes` lists and dicts (each a child of an earlier one), with up to
    `back_edges` extra references from a node to one of its ancestors (cycles) or to any other
    node (shared, not cyclic). Returns (root, has_cycle, depth)."""
    import random

    rng = random.Random(seed)
    made = [[]]
    parent = [None]
    level = [1]
    for i in range(1, nodes):
        p = rng.randrange(i) if rng.random() < 0.3 else i - 1
        node = {} if rng.random() < 0.3 else []
        holder = made[p]
        if isinstance(holder, list):
            holder.append(node)
        else:
            holder["k%d" % len(holder)] = node
        made.append(node)
        parent.append(p)
        level.append(level[p] + 1)
    has_cycle = False
    for _ in range(rng.randrange(back_edges + 1)):
        i = rng.randrange(nodes)
        ancestors = []
        j = parent[i]
        while j is not None:
            ancestors.append(j)
            j = parent[j]
        if ancestors and rng.random() < 0.5:
            target = made[rng.choice(ancestors)]
            has_cycle = True
        else:
            target = rng.choice(["leaf", 7, 2.5, None])
        holder = made[i]
        if isinstance(holder, list):
            holder.append(target)
        else:
            holder["b%d" % len(holder)] = target
    return made[0], has_cycle, max(level)
