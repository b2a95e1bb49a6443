"""The snakebridge pool worker: runs Python calls for a Rust process.

What it speaks is specified in ``snakebridge-runtime/src/pool/protocol/PROTOCOL.md`` (versioned;
this side's version is ``protocol.PROTOCOL_VERSION``); this package repeats none of it. The pool
client (``snakebridge-runtime/src/pool/``) compiles the package into the crate
(``snakebridge-runtime/python/package.rs`` lists the modules) and starts each worker as
``python -c <bootstrap>`` with the sources in one environment variable
(``snakebridge_contract::python_package``): the modules are imported from memory, so nothing
on disk (the working directory, ``PYTHONPATH``) can shadow them.

Modules, named after the Rust files they talk to:

- ``protocol``: the messages each way, read and written in one place (``pool/protocol/``).
- ``channel``: frames over the private pipes, reading, spinning, writing
  (``pool/worker/channel.rs``, ``pool/worker/exchange.rs``, ``pool/protocol/frame.rs``).
- ``shm``: POSIX shared-memory segments, both ways (``pool/shm``).
- ``refs``: the objects Rust holds handles to, by session (``pool/worker/refs.rs``).
- ``convert``: Python objects to wire values and back, arrays included (``wire.rs``); its
  conversions are the embedded client's (``embedded/convert.rs``).
- ``rules``: the rules the embedded client applies too, from this very source (keyed data,
  carries-an-array: ``embedded/rules.rs`` loads it).
- ``exceptions``: a Python exception as an error reply (``embedded/exceptions.rs``).
- ``logs``: Python's ``logging`` records and warnings as ``log`` messages
  (``pool/worker/logs.rs``).
- ``awaiting``: awaitable results awaited, async iterators streamed, on the thread's event
  loop (``embedded/awaiting.rs`` does the same).
- ``dispatch``: calls, streams, sessions; the serve loop.
- ``main``: start-up (the environment the pool sets, preloads, ``ready``), and ``__main__``,
  the entry point the bootstrap imports.

User code runs in this process and may rebind builtins or patch ``os``, ``json``, ``select``,
``sys`` and ``time`` (test suites do). The machinery holds its own references, all taken when
the package is imported, before any user code runs: every module uses :data:`BUILTINS` (a copy
of the builtins made here) as its ``__builtins__``, and binds what it uses of other modules
by name (``from os import write``), never looking an attribute up on a shared module at run
time; user callables are called from ``__main__``'s namespace, so ``eval``/``exec`` without
globals cannot reach a module of the worker. A worker whose machinery is broken anyway exits
(the pool reports ``WorkerCrash``) rather than hang. ``tests/pool_user_patches.rs`` checks
all of this.
"""

import builtins as _builtins

#: The builtins as they were when the package was imported: each module's ``__builtins__``.
BUILTINS = dict(vars(_builtins))
__builtins__ = BUILTINS

del _builtins
