"""Helpers the Ray backend's tests (snakebridge-runtime/tests/pool_ray.rs) call in the workers."""

import os
import time


def node():
    """The Ray node this worker's actor runs on (its id), and its process id."""
    import ray

    return {"node": ray.get_runtime_context().get_node_id(), "pid": os.getpid()}


def actor_name():
    """The name of this worker's actor."""
    import ray

    return ray.get_runtime_context().get_actor_name()


def sleep_then(seconds, value):
    time.sleep(seconds)
    return value


def wait_for_file(path, value):
    """Returns ``value`` once ``path`` exists (a test removes this actor's node meanwhile)."""
    while not os.path.exists(path):
        time.sleep(0.01)
    return value


def array_sum(arr):
    """The sum of an array, and whether numpy got it without copying it here."""
    return float(arr.sum())


def burn(n):
    """CPU-bound work: a Python loop of ``n`` steps."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def named_actors(prefix):
    """The names of the live actors of the cluster (any namespace) that start with ``prefix``."""
    import ray

    return sorted(
        a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(prefix)
    )


def node_when(path):
    """The id of this worker's Ray node, once ``path`` exists (a test removes a node
    meanwhile)."""
    import ray

    while not os.path.exists(path):
        time.sleep(0.01)
    return ray.get_runtime_context().get_node_id()
