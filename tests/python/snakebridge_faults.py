"""Helpers for snakebridge's pool tests: crashes, hangs, CPU work, per-process state.

Put on sys.path by the tests (PYTHONPATH of the pool workers).
"""

import ctypes
import os
import sys
import time

# A slow import, for startup-timeout tests (only once the file SNAKEBRIDGE_FAULTS_DELAY_IF names
# exists, if it names one).
if os.path.exists(os.environ.get("SNAKEBRIDGE_FAULTS_DELAY_IF", os.sep)):
    time.sleep(float(os.environ.get("SNAKEBRIDGE_FAULTS_IMPORT_DELAY", "0")))


def pid():
    """The worker's process id."""
    return os.getpid()


def segfault():
    """Crash the process with SIGSEGV (reads address 0 through ctypes)."""
    ctypes.string_at(0)


def abort():
    """Crash the process with SIGABRT."""
    os.abort()


def exit_now(code):
    """End the process at once with this exit code (no cleanup)."""
    os._exit(code)


def sleep(seconds):
    """Sleep, then return the seconds slept."""
    time.sleep(seconds)
    return seconds


def crash_once(marker):
    """Exit with code 3 the first time (creating `marker`); return "survived" afterwards."""
    if os.path.exists(marker):
        return "survived"
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    os._exit(3)


def spin(n):
    """CPU-bound work: the sum of i*i for i < n, in pure Python."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def env(name):
    """An environment variable of the worker (None if unset)."""
    return os.environ.get(name)


def loaded(module):
    """True if the module is imported in this process."""
    return module in sys.modules


produced = [0]


def counting(n):
    """Yield 0..n-1, counting in `produced` how many items were produced."""
    for i in range(n):
        produced[0] += 1
        yield i


def produced_count():
    """How many items `counting` generators produced in this process."""
    return produced[0]


def noisy(n):
    """Print a lot to stdout and stderr (without newlines too), then return n."""
    for i in range(n):
        print("noise", i, "{\"id\": 1, \"ok\": 2}")
        sys.stdout.write("\x00\x01\x02\x03")
        sys.stderr.write("more noise %d\n" % i)
    sys.stdout.flush()
    return n


def count_things(prefix):
    """How many snakebridge_testmod.Thing objects whose label starts with `prefix` are alive."""
    import gc

    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if type(o).__name__ == "Thing" and str(getattr(o, "label", "")).startswith(prefix)
    )


def wait_for_file(path):
    """Block until `path` exists (tests use it to hold a worker busy), then return True."""
    while not os.path.exists(path):
        time.sleep(0.005)
    return True


def hang():
    """Spin in Python bytecode forever."""
    while True:
        pass


def hold_gil():
    """Run one very long C loop that never releases the GIL."""
    return sum(range(10**15))


def crash_after(n):
    """Yield 0..n-1, then kill the process (exit code 5)."""
    for i in range(n):
        yield i
    os._exit(5)


def slow_items():
    """Yield 1, then nothing for a minute."""
    yield 1
    time.sleep(60)
    yield 2


def things(prefix, n):
    """Yield n snakebridge_testmod.Thing objects labelled prefix0, prefix1, ..."""
    from snakebridge_testmod import Thing

    for i in range(n):
        yield Thing("%s%d" % (prefix, i))


def big_items(n, size):
    """Yield n strings of `size` characters, each starting with its index."""
    for i in range(n):
        head = "%d:" % i
        yield head + "x" * (size - len(head))


memory = {}


def remember(key, value):
    """Keep a value in this process's module state."""
    memory[key] = value


def recall(key):
    """A value kept by `remember` in this process (None if this process has none)."""
    return memory.get(key)


def stall(marker):
    """Yield 1; then, producing the next item, create `marker` and stall for two minutes."""
    yield 1
    with open(marker, "w") as f:
        f.write("stalled")
    time.sleep(120)
    yield 2
