"""Helpers of tests/pool_health.rs: a preload that fails while a flag file exists, a call that
crashes its worker the first times, a background thread that hangs holding the GIL."""

import ctypes
import os
import threading
import time

_flag = os.environ.get("SB_BREAKER_FLAG")
if _flag and os.path.exists(_flag):
    raise RuntimeError("the model file is corrupt (%s exists)" % _flag)


def crash_first(path, times):
    """Kills its worker the first ``times`` calls (counted in the file at ``path``), then
    returns how many calls came before."""
    try:
        with open(path) as f:
            seen = int(f.read() or "0")
    except FileNotFoundError:
        seen = 0
    with open(path, "w") as f:
        f.write(str(seen + 1))
    if seen < times:
        os._exit(3)
    return seen


def hang_holding_the_gil(delay):
    """Returns the worker's pid; ``delay`` seconds later a background thread calls libc's
    ``sleep`` through ``ctypes.PyDLL``, which keeps the GIL: no other thread runs again."""

    def hold():
        time.sleep(delay)
        ctypes.PyDLL(None).sleep(3600)

    threading.Thread(target=hold, daemon=True).start()
    return os.getpid()


def fail(message):
    raise ValueError(message)
