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


def yield_then_hold_gil(marker):
    """Yield 1; then, producing the next item, create `marker` and run one very long C loop that
    never releases the GIL."""
    yield 1
    with open(marker, "w") as f:
        f.write("holding the GIL")
    yield sum(range(10**15))


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


def arguments(*args, **kwargs):
    """The repr of the arguments as they arrived (their types show)."""
    return repr((args, kwargs))


def stall(marker):
    """Yield 1; then, producing the next item, create `marker` and stall for two minutes."""
    yield 1
    with open(marker, "w") as f:
        f.write("stalled")
    time.sleep(120)
    yield 2


def array_facts(arr):
    """What the worker got for an array argument: dtype, shape, writeable, the type of the object
    owning its memory (mmap for shared memory, bytes for inline), and its elements as a list."""
    base = arr
    while getattr(base, "base", None) is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return {
        "dtype": arr.dtype.name,
        "shape": list(arr.shape),
        "writeable": bool(arr.flags.writeable),
        "owner": type(base).__name__,
        "elements": arr.tolist(),
    }


def exit_with(arr, code):
    """Receive an array, then end the process at once with this exit code."""
    os._exit(code)


def crash_once_with(arr, marker):
    """Exit with code 3 the first time (writing this pid to `marker`); afterwards return
    [this pid, the array's sum]."""
    if os.path.exists(marker):
        return [os.getpid(), float(arr.sum())]
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    os._exit(3)


def sleep_with(arr, seconds):
    """Receive an array, sleep, then return its length."""
    time.sleep(seconds)
    return len(arr)


def leak_segment_and_exit(code):
    """Create a shared-memory segment named as the worker names its own (as if a reply holding an
    array was about to be sent), then end the process at once."""
    import _posixshmem

    fd = _posixshmem.shm_open("/sbw-%d-999999" % os.getpid(), os.O_CREAT | os.O_RDWR, 0o600)
    os.ftruncate(fd, 4096)
    os._exit(code)


def transposed(rows, cols, dtype):
    """numpy.arange(rows * cols).reshape(rows, cols).T: a non-contiguous array."""
    import numpy

    return numpy.arange(rows * cols, dtype=dtype).reshape(rows, cols).T


def arrays(n, length):
    """Yield n float64 arrays of `length` elements, the i-th filled with i."""
    import numpy

    for i in range(n):
        yield numpy.full(length, float(i))


def array_then_object(length):
    """[numpy.zeros(length), object()]: by value, the second item cannot be converted."""
    import numpy

    return [numpy.zeros(length), object()]


_KEPT = []


def keep(arr, how):
    """Keep something of an array argument past the call (in a module global), then return the
    sum of the array: the array itself, a view, a memoryview, its base (the shared-memory mapping
    it lies in), or an exception whose traceback holds it (raised, not returned)."""
    if how == "array":
        _KEPT.append(arr)
    elif how == "view":
        _KEPT.append(arr[::2])
    elif how == "memoryview":
        _KEPT.append(memoryview(arr))
    elif how == "base":
        _KEPT.append(arr.base)
    elif how == "raise":
        try:
            raise ValueError("kept")
        except ValueError as e:
            _KEPT.append(e)
            raise
    else:
        raise ValueError(how)
    return float(arr.sum())


def kept_sums():
    """The sum of each kept array (of the bytes of a kept mapping, as float64)."""
    import numpy

    out = []
    for k in _KEPT:
        if isinstance(k, BaseException):
            continue
        if not hasattr(k, "sum"):
            k = numpy.frombuffer(k, dtype="float64")
        out.append(float(k.sum()))
    return out


def forget_kept():
    """Drop what `keep` kept."""
    _KEPT.clear()


def mapped_from(arr):
    """Where the worker's array lies: the file mapped at its first element (from
    /proc/self/maps; "" for anonymous memory) and the element's address."""
    at = arr.ctypes.data
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if start <= at < end:
                return [fields[5] if len(fields) > 5 else "", at]
    return ["", at]


def mappings_of(segment):
    """How many mappings of shared-memory segment ``segment`` this process has (Linux)."""
    with open("/proc/self/maps") as maps:
        return sum(1 for line in maps if line.rstrip().endswith("/dev/shm" + segment))


def buffer_facts(arrays):
    """For each array: the length of the bytes object its memory lies in, and whether its
    elements are aligned."""
    out = []
    for arr in arrays:
        base = arr
        while getattr(base, "base", None) is not None:
            base = base.base
        owner = base.obj if isinstance(base, memoryview) else base
        out.append([len(owner), bool(arr.flags.aligned)])
    return out


def array_owner(arr):
    """`array_facts` without the elements (for arrays too large to list): the dtype, shape,
    writeable flag and the type of the object owning the array's memory."""
    base = arr
    while getattr(base, "base", None) is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return {
        "dtype": arr.dtype.name,
        "shape": list(arr.shape),
        "writeable": bool(arr.flags.writeable),
        "owner": type(base).__name__,
    }


def mapped_each(arr, n):
    """Yield, n times, the file the array lies in (`mapped_from(arr)[0]`): what a stream's
    generator reads while the stream is open."""
    for _ in range(n):
        yield mapped_from(arr)[0]


def kept_exception_sums():
    """For each exception `keep(arr, "raise")` kept: the sum of the array its traceback still
    holds (the `arr` of keep's frame)."""
    out = []
    for k in _KEPT:
        if not isinstance(k, BaseException):
            continue
        tb = k.__traceback__
        while tb is not None:
            arr = tb.tb_frame.f_locals.get("arr")
            if arr is not None:
                out.append(float(arr.sum()))
                break
            tb = tb.tb_next
    return out
