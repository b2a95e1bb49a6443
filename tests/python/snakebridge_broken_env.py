"""A preload that dies at start the way a broken environment does: a word on stderr, then an
exit without a Python exception (tests/pool_health.rs)."""

import os
import sys

sys.stderr.write("fatal: libfoo.so.3: cannot open shared object file\n")
sys.stderr.flush()
os._exit(1)
