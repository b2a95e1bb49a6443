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


def array_backing(arr):
    """The sum of an array, whether it is writeable, and the type at the end of its chain of
    bases (``module.name``): what holds its elements here (Ray's object store, a message's
    bytes...)."""
    base = arr
    while getattr(base, "base", None) is not None:
        base = base.base
    kind = type(base)
    return float(arr.sum()), bool(arr.flags.writeable), "%s.%s" % (kind.__module__, kind.__qualname__)


def object_store_bytes():
    """How many bytes the object stores of the cluster's nodes hold."""
    import ray
    from ray._private.internal_api import get_memory_info_reply, get_state_from_address

    state = get_state_from_address(ray.get_runtime_context().gcs_address)
    return int(get_memory_info_reply(state).store_stats.object_store_bytes_used)


def call_with_range(f, n):
    """``f`` (a Rust callback) called with ``numpy.arange(n)`` as float64: an array the worker
    sends to Rust as a callback's argument. Called after 50 ms, past the time a push waits for
    its reply (``QUICK`` in ``snakebridge_ray/actor.py``): the callback then comes back through
    the actor's generator, and the call's reply with the push that answers it."""
    import numpy

    time.sleep(0.05)
    return f(numpy.arange(n, dtype="float64"))


def filled(count, n):
    """Yields ``count`` float64 arrays of ``n`` elements, the i-th all ``i``: a stream's large
    items."""
    import numpy

    for i in range(count):
        yield numpy.full(n, float(i))


def node_and_range_when(path, n):
    """The id of this worker's Ray node and ``numpy.arange(n)`` as float64 (a large result put
    in that node's object store), once ``path`` exists."""
    import numpy
    import ray

    while not os.path.exists(path):
        time.sleep(0.01)
    return ray.get_runtime_context().get_node_id(), numpy.arange(n, dtype="float64")
