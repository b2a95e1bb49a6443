"""Helpers of the async tests (snakebridge-runtime/tests/async_calls.rs)."""

import asyncio
import collections
import gc
import os
import threading
import time


def wait_for(path, started=None, limit=60.0):
    """Blocks until ``path`` exists (a gate the test opens), then returns this process's pid;
    creates ``started`` first, if given, to say the call is running."""
    if started is not None:
        touch(started)
    deadline = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError("the gate %s never opened" % path)
        time.sleep(0.002)
    return os.getpid()


def counter_after(path, started):
    """A new ``Counter`` (a ref in Rust), once ``path`` exists."""
    wait_for(path, started)
    return collections.Counter("async")


def touch(path):
    """Creates ``path``: the visible side effect of a call that ran."""
    with open(path, "w"):
        pass
    return os.getpid()


def triple(n):
    """``3 * n``, after a millisecond's sleep (a call that takes a worker for a while)."""
    time.sleep(0.001)
    return 3 * n


def native_id():
    """The OS id of the thread running this call."""
    return threading.get_native_id()


def live_refs():
    """How many objects this pool worker holds for Rust (its ref table's size)."""
    for o in gc.get_objects():
        t = type(o)
        if t.__name__ == "Refs" and t.__module__ == "snakebridge_worker.refs":
            return len(o.objects)
    return -1


async def doubled_later(x, seconds=0.01):
    """``2 * x`` after an ``asyncio.sleep``: a coroutine function."""
    await asyncio.sleep(seconds)
    return 2 * x


async def failing_later():
    """Raises after an await."""
    await asyncio.sleep(0)
    raise ValueError("failed after an await")


async def countdown(n, closed=None):
    """Yields ``n, n-1, ..., 1``, awaiting between items: an async generator. Creates
    ``closed`` when it ends or is closed early."""
    try:
        for i in range(n, 0, -1):
            await asyncio.sleep(0)
            yield i
    finally:
        if closed is not None:
            touch(closed)


_rendezvous = {}


async def rendezvous(key, n, limit=60.0):
    """Returns once ``n`` coroutines of ``key`` are all waiting here at the same time (so it
    can only return when they run concurrently); raises ``TimeoutError`` after ``limit``."""
    entry = _rendezvous.setdefault(key, [0, asyncio.Event()])
    entry[0] += 1
    if entry[0] == n:
        entry[1].set()
    await asyncio.wait_for(entry[1].wait(), limit)
    return entry[0]


async def cancellable(started, cancelled):
    """Creates ``started``, then awaits for a minute; creates ``cancelled`` if it is cancelled
    meanwhile (and lets the cancellation go on)."""
    touch(started)
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        touch(cancelled)
        raise
    return "not cancelled"


async def apply_later(f, x):
    """``f(x)`` after an await: a callback called by a running task."""
    await asyncio.sleep(0.01)
    return f(x)


async def pid_after(path, limit=60.0):
    """This process's pid once ``path`` exists (polled between ``asyncio.sleep``s): a
    coroutine that waits on a gate without holding its worker."""
    deadline = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError("the gate %s never opened" % path)
        await asyncio.sleep(0.005)
    return os.getpid()


def pending_tasks():
    """How many ``call_async`` tasks this pool worker runs (its dispatcher's table of them)."""
    for o in gc.get_objects():
        t = type(o)
        if t.__name__ == "Worker" and t.__module__ == "snakebridge_worker.dispatch":
            return len(o.tasks)
    return -1


async def awaited_each(f, n):
    """``[await f(0), ..., await f(n - 1)]``, the awaits run together (``asyncio.gather``):
    ``f`` is an async Rust callback."""
    return list(await asyncio.gather(*(f(i) for i in range(n))))


async def ticks_while(f):
    """How often a task beside it ticked (every 5 ms) while ``await f()`` ran: the loop's other
    tasks go on only if awaiting ``f`` leaves the loop free."""
    ticks = 0
    done = False

    async def ticker():
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    await f()
    done = True
    await task
    return ticks


async def logs_later(message):
    """Logs ``message`` (a warning of logger ``sb.async``) after an await: a record raised by a
    task's code."""
    import logging

    await asyncio.sleep(0.01)
    logging.getLogger("sb.async").warning(message)
    return 1


async def cancels_itself():
    """Raises ``CancelledError`` of its own after an await (nobody cancelled it)."""
    await asyncio.sleep(0.01)
    raise asyncio.CancelledError("by itself")


async def counter_later():
    """A new ``Counter`` (a ref in Rust) after an await: an object a task's result makes."""
    await asyncio.sleep(0.01)
    return collections.Counter("task")


async def await_callback(f):
    """``await f()``: an async Rust callback's value."""
    return await f()


async def blocks_its_loop(seconds):
    """Blocks its event loop thread for ``seconds`` (``time.sleep``, not an await): a coroutine
    that no cancellation reaches until then."""
    await asyncio.sleep(0)
    time.sleep(seconds)
    return seconds


async def large_later(i, size, seconds):
    """A string of ``size`` copies of ``str(i % 10)``, after ``seconds``: an answer the loop
    thread writes in many pieces."""
    await asyncio.sleep(seconds)
    return str(i % 10) * size
