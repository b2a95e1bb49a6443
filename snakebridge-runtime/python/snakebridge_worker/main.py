"""Start-up: the worker from the environment the pool sets (``pool/worker/spawn.rs``), the
preloads, ``ready``, and serving until Rust closes the request pipe (``run``, which
``__main__`` calls)."""

from snakebridge_worker import BUILTINS as __builtins__

import sys
from os import _exit, environ, getpid, read, set_inheritable, write
from importlib import import_module
from platform import python_version
from threading import Thread
from traceback import format_exc

from snakebridge_worker import protocol
from snakebridge_worker.channel import Channel
from snakebridge_worker.convert import Converter
from snakebridge_worker.dispatch import Worker
from snakebridge_worker.logs import install as forward_logs
from snakebridge_worker.refs import Refs
from snakebridge_worker.ring import RingChannel, parse as parse_ring
from snakebridge_worker.shm import Segments

def _watch_parent(fd):
    """Exits the process when the control channel closes: the parent died or shut the pool
    down. Answers the heartbeat meanwhile: each byte Rust writes comes back, which this thread
    can only do when it gets the GIL (``pool/worker/heartbeat.rs``)."""
    try:
        while True:
            beat = read(fd, 64)
            if not beat:
                break
            write(fd, beat)
    except OSError:
        pass
    _exit(0)


def start(env=environ):
    """The worker the pool's environment describes (its variables are taken out of ``env``, so
    processes user code starts do not inherit them)."""
    rfd, wfd, cfd = (int(x) for x in env.pop("SNAKEBRIDGE_WORKER_FDS").split(","))
    id_base = int(env.pop("SNAKEBRIDGE_WORKER_ID_BASE"))
    kind_names = env.pop("SNAKEBRIDGE_EXCEPTION_KINDS", "").split(",")
    shm_threshold = int(env.pop("SNAKEBRIDGE_SHM_THRESHOLD", str(16 * 1024)))
    spin = int(env.pop("SNAKEBRIDGE_SPIN_US", "0")) / 1e6
    ring = env.pop("SNAKEBRIDGE_WORKER_RING", None)
    max_nesting = int(env.pop("SNAKEBRIDGE_MAX_NESTING", "1000"))
    not_data = env.pop(
        "SNAKEBRIDGE_NOT_DATA_HINT",
        "the object is not plain data; ask for a ref (ReturnPolicy::Ref / PyRef) instead",
    )
    # Values nest up to max_nesting levels both ways; json's C encoder and decoder and the
    # converter each take a recursion level (or two) per nesting level.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * max_nesting + 1000))
    ring = parse_ring(ring) if ring else None
    for fd in (rfd, wfd, cfd) + ((ring["fd"],) if ring else ()):
        set_inheritable(fd, False)
    Thread(
        target=_watch_parent, args=(cfd,), name="snakebridge-parent-watch", daemon=True
    ).start()
    builtins = __builtins__
    kinds = [(k, builtins[k]) for k in kind_names if k in builtins]
    refs = Refs(id_base)
    segments = Segments()
    converter = Converter(refs, segments, shm_threshold, max_nesting, not_data)
    if ring:
        channel = RingChannel(rfd, wfd, spin, ring)
    else:
        channel = Channel(rfd, wfd, spin)
    return Worker(channel, refs, segments, converter, kinds)


def main():
    worker = start()
    try:
        import faulthandler

        faulthandler.enable()
    except Exception:  # noqa: BLE001
        pass
    # Like the embedded interpreter: the current directory is not importable (the bootstrap
    # runs after the contract's ISOLATE_SYS_PATH; this keeps it so for any other start).
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    sys.argv = ["snakebridge-worker"]
    # Python's logging into Rust's tracing, before the preloads log anything (empty: off for
    # good; "0": not until Rust has a subscriber).
    log_level = environ.pop("SNAKEBRIDGE_LOG_LEVEL", "")
    if log_level:
        worker.logs = forward_logs(int(log_level), worker.send)
    preload = [m for m in environ.pop("SNAKEBRIDGE_PRELOAD", "").split(",") if m]
    for module in preload:
        try:
            import_module(module)
        except BaseException as e:  # noqa: BLE001
            info = worker.exception(e)
            worker.send(
                protocol.startup_error(
                    "preloading `%s` failed: %s: %s\n%s"
                    % (module, info["class"], info["message"], info["traceback"])
                )
            )
            return
    worker.send(protocol.ready(getpid(), python_version()))
    worker.serve()


def _last_resort():
    """The machinery broke (user code corrupted it, or the channel is gone): say why on
    stderr, and exit so the pool sees a crash instead of a worker that never answers."""
    try:
        write(2, format_exc().encode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - nothing more to say
        pass
    _exit(70)


def run():
    """Runs a worker to its end and exits the process: 0 once Rust closed the request pipe, 70
    when the machinery broke."""
    try:
        main()
    except BaseException:  # noqa: BLE001 - a broken channel, protocol or interpreter
        _last_resort()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
    _exit(0)
