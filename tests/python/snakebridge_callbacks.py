"""Helpers of the Rust callback tests (snakebridge-runtime/tests/callbacks.rs) and benchmarks:
Python code that calls, keeps, nests and threads the callables Rust passes it."""

import os
import sys
import threading
import time

# What `keep` keeps: a callback held past the call that passed it.
_KEPT = []


def apply(f, *args):
    """f(*args)."""
    return f(*args)


def apply_n(f, n):
    """Calls f(i) for i in range(n); returns the last result (the benchmarks' loop)."""
    result = None
    for i in range(n):
        result = f(i)
    return result


def keep(f):
    """Keeps f for `call_kept`."""
    _KEPT.append(f)


def call_kept(*args):
    """Calls the callback `keep` kept last, after the call that passed it returned; returns
    [exception class, message] of what it raised, or ["returned", value]."""
    try:
        return ["returned", _KEPT.pop()(*args)]
    except Exception as e:  # noqa: BLE001 - the test wants any exception named
        return [type(e).__name__, str(e)]


def catch(f, *args):
    """f(*args); what it raised as [exception class, first argument], else ["returned", value]:
    Python code that catches what a Rust callback raises."""
    try:
        return ["returned", f(*args)]
    except KeyError as e:
        return ["KeyError", e.args[0] if e.args else None]
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e)]


def in_thread(f, *args):
    """Runs f(*args) on a new Python thread and returns [result, thread name] (re-raising what
    it raised)."""
    out = {}

    def run():
        try:
            out["value"] = f(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised below, on the caller's thread
            out["error"] = e
        out["thread"] = threading.current_thread().name

    thread = threading.Thread(target=run, name="callback-thread")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return [out["value"], out["thread"]]


def nap_then_apply(seconds, f, *args):
    """Sleeps, then returns f(*args)."""
    time.sleep(seconds)
    return f(*args)


def apply_then_nap(seconds, f, *args):
    """Returns f(*args) after sleeping."""
    result = f(*args)
    time.sleep(seconds)
    return result


def pid():
    """This process's id (the worker's, through the pool)."""
    return os.getpid()


def apply_in_worker(f, *args):
    """[this process's id, f(*args)]: which worker ran the call, and what the callback gave."""
    return [os.getpid(), f(*args)]


def in_threads(f, threads, calls):
    """Calls f(i) for i in range(calls) on each of `threads` new Python threads and on this one,
    all at once; returns the sum of every result (re-raising the first failure)."""
    sums, failures = [], []
    lock = threading.Lock()

    def run():
        try:
            total = 0
            for i in range(calls):
                total += f(i)
            with lock:
                sums.append(total)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            with lock:
                failures.append(e)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    run()
    for t in workers:
        t.join()
    if failures:
        raise failures[0]
    return sum(sums)


def thread_views_after(f, threads):
    """Calls f(i) once on each of `threads` short-lived Python threads, one after another, and
    returns how many views of the worker (the state a thread other than the serving one runs
    a callback's calls with) are still alive once those threads have ended."""
    import gc

    for i in range(threads):
        t = threading.Thread(target=f, args=(i,))
        t.start()
        t.join()
    gc.collect()
    worker = sys.modules.get("snakebridge_worker.dispatch")
    if worker is None:
        return -1
    return sum(1 for o in gc.get_objects() if type(o) is worker.Worker) - 1


def scalar_samples(seed, count):
    """Values a typed callback's argument may get: random ints of every magnitude (in and
    beyond i64), floats (subnormal to huge, NaN, the infinities, -0.0), bools, None and str
    (ASCII, other planes, a lone surrogate), then what is not an exact scalar: subclasses of
    int, float and str, numpy scalars, bytes, a list. Deterministic for a seed."""
    import enum
    import random

    import numpy

    rng = random.Random(seed)

    class Int(int):
        pass

    class Float(float):
        pass

    class Str(str):
        pass

    class Colour(enum.IntEnum):
        RED = 1

    samples = [None, True, False, 0, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**64 - 1,
               2**64, 255, 256, -128, -129, 2**31, -(2**31) - 1, 0.0, -0.0, 1.5,
               float("nan"), float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308,
               "", "a", "é", "\U0001f40d", "\ud800", Int(7), Float(2.5), Str("s"),
               Colour.RED, numpy.float64(0.25), numpy.int64(-3), numpy.bool_(True), b"x", [1]]
    for _ in range(count):
        kind = rng.randrange(5)
        if kind == 0:
            bits = rng.randrange(1, 70)
            samples.append(rng.choice((-1, 1)) * rng.getrandbits(bits))
        elif kind == 1:
            samples.append(rng.uniform(-1e6, 1e6) * 10.0 ** rng.randrange(-300, 300))
        elif kind == 2:
            samples.append(rng.random() < 0.5)
        elif kind == 3:
            samples.append("".join(chr(rng.choice((rng.randrange(32, 127),
                                                   rng.randrange(0xA0, 0xD7FF),
                                                   rng.randrange(0x10000, 0x10FFFF))))
                                   for _ in range(rng.randrange(0, 8))))
        else:
            samples.append(None)
    return samples


def outcomes(f, values):
    """f(v) for each value, each as (type name, repr) of its result, or ("raised", exception
    class, message) with the callback's `#<id>` taken out of the message (two callbacks
    compared have two ids) and lone surrogates escaped."""
    import re

    out = []
    for v in values:
        try:
            r = f(v)
            out.append([type(r).__name__, repr(r)])
        except Exception as e:  # noqa: BLE001 - the outcome compared
            message = re.sub(r"#\d+", "#", str(e))
            # A message may quote a lone surrogate, which no UTF-8 text can hold.
            message = message.encode("utf-8", "backslashreplace").decode("utf-8")
            out.append(["raised", type(e).__name__, message])
    return out
