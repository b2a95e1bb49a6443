"""Helpers of the pool recycling and draining tests (snakebridge-runtime/tests/pool_recycle.rs)."""

import os
import time

# What `leak` keeps alive: memory a careless library would never give back.
_LEAKED = []


def resident_bytes():
    """This process's resident set size, as the pool reads it (/proc/self/statm)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def leak(megabytes):
    """Keeps `megabytes` MB more alive (written, so resident); returns (pid, resident bytes)."""
    _LEAKED.append(bytearray(b"\x01") * (megabytes * 1000 * 1000))
    return [os.getpid(), resident_bytes()]


def nap(seconds):
    """Sleeps, then says which worker slept."""
    time.sleep(seconds)
    return os.getpid()
