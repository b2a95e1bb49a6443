"""Coroutines and async iterators, for ``dispatch``: a call whose result is awaitable (the
coroutine of an ``async def``, an asyncio future or task, any object with ``__await__``) is
awaited on this thread's event loop before the reply, so Rust gets its value; a stream over an
async generator (or any async iterator without ``__iter__``) is driven item by item on the same
loop, so it streams with the window's flow control as a generator does.

It imports nothing from the package: the embedded client (``embedded/awaiting.rs``) loads this
very source into its interpreter, as it does ``rules.py``.
"""

import builtins as _builtins

# This module's own copy of the builtins, taken at import (before any user code runs).
__builtins__ = dict(vars(_builtins))
del _builtins

from asyncio import get_running_loop, new_event_loop, run_coroutine_threadsafe  # noqa: E402
from functools import partial  # noqa: E402
from threading import Lock, Thread, local  # noqa: E402

# One loop per thread: a Rust callback's calls run on threads of their own (``for_thread``).
_loops = local()


def _loop():
    loop = getattr(_loops, "loop", None)
    if loop is None:
        loop = new_event_loop()
        _loops.loop = loop
    return loop


def awaitable(obj, _hasattr=hasattr, _type=type):
    """True when ``obj`` is awaited before it is returned (its type has ``__await__``)."""
    return _hasattr(_type(obj), "__await__")


def settle(obj):
    """``obj`` awaited to its result on this thread's loop (its exception raised here)."""
    return _loop().run_until_complete(obj)


# The event loop thread of ``schedule`` (the embedded client's `call_async`), once started.
_background = []
_background_lock = Lock()


def _background_loop():
    with _background_lock:
        if not _background:
            loop = new_event_loop()
            Thread(target=loop.run_forever, name="snakebridge-asyncio", daemon=True).start()
            _background.append(loop)
        return _background[0]


async def _awaited(obj):
    return await obj


def schedule(obj, done):
    """Runs awaitable ``obj`` as a task of the background event loop thread (started on first
    use), beside every other one scheduled; ``done(future)`` is called on that thread when it
    ends (with its value, its exception, or cancelled). Returns the future's ``cancel``, which
    any thread may call: the task then gets ``CancelledError`` at its ``await``."""
    future = run_coroutine_threadsafe(_awaited(obj), _background_loop())
    future.add_done_callback(done)
    return future.cancel


def schedule_task(obj, done):
    """Runs awaitable ``obj`` as a task of the background event loop thread, as
    :func:`schedule` does, but ``done(task)`` is called on that thread only when the task has
    really ended (a cancelled one once its coroutine took the ``CancelledError``: a loop that is
    blocked calls it never). Returns the task's ``cancel`` for any thread (the pool worker's
    tasks: Rust learns from the answer that the loop is alive)."""
    loop = _background_loop()
    started = []

    def start():
        task = loop.create_task(_awaited(obj))
        task.add_done_callback(done)
        started.append(task)

    def cancel():
        # After `start` (the loop runs its callbacks in order).
        loop.call_soon_threadsafe(lambda: started and started[0].cancel())

    loop.call_soon_threadsafe(start)
    return cancel


def awaitable_callback(call):
    """``call`` (a blocking callable: a Rust callback over an async closure) as a function
    whose call returns an awaitable: ``call`` runs on a thread of the running loop's default
    executor, so the loop's other tasks go on while Rust's future runs. Called where no loop
    runs, it raises ``RuntimeError``."""

    def start(*args, **kwargs):
        return get_running_loop().run_in_executor(None, partial(call, *args, **kwargs))

    start.__name__ = start.__qualname__ = "async_rust_callback"
    start.__wrapped__ = call
    return start


def iterate(obj, _hasattr=hasattr, _type=type, _iter=iter):
    """(iterator, source) of a stream's result: ``iter(obj)``, or a generator driving an async
    iterator on this thread's loop (closing it closes the async generator)."""
    t = _type(obj)
    if _hasattr(t, "__aiter__") and not _hasattr(t, "__iter__"):
        drive = _drive(obj.__aiter__())
        return drive, drive
    return _iter(obj), obj


def _drive(aiterator):
    run = _loop().run_until_complete
    step = aiterator.__anext__
    try:
        while True:
            try:
                item = run(step())
            except StopAsyncIteration:
                return
            yield item
    finally:
        aclose = getattr(aiterator, "aclose", None)
        if aclose is not None:
            run(aclose())
