"""The actor every Ray worker slot runs: the worker package (``snakebridge_worker``), served in a
thread of the actor process over pipes as a local worker is served over its channel. The driver
pushes each request frame (``push``, numbered, since a threaded actor may run two pushes out of
order). Every frame the worker writes is numbered too, and goes back one of two ways: in the
result of the push that waits for it (a reply within ``QUICK``: one actor round trip, as a
direct actor call costs), or else through the one actor generator the driver iterates
(``pull``: stream items, callbacks, replies to long calls). The driver puts them back in order.
The worker's exit (its pipes closed, a crash of the machinery) ends the actor process, so the
driver sees the actor die as Rust sees a local worker die."""

import json
import os
import socket
import threading
import time

from snakebridge_ray.frames import read_frame, write_all

#: How long a push that asks for the reply waits for the worker's first frame (seconds): a
#: quick call's reply then comes back with the push; a longer one's through ``pull``.
QUICK = 0.01


def _install(installer, sources, package):
    """Serves ``package``'s modules from ``sources`` (module name -> source), ahead of every path
    on ``sys.path``, with ``installer``: the contract's own finder (``INSTALLER`` in
    ``python_package.rs``, what every bootstrap runs), for a process Ray started."""
    namespace = {}
    exec(installer, namespace)
    namespace["_snakebridge_serve"](sources, package)


class SnakebridgeWorker:
    """One pool worker as a Ray actor: ``sources`` is the worker package (JSON: module name to
    source), ``env`` the variables a local worker would get from Rust (``spawn.rs``), and the contract's
    package installer the driver was given (``SNAKEBRIDGE_PACKAGE_INSTALLER``)."""

    def __init__(self, sources, env):
        _install(env.pop("SNAKEBRIDGE_PACKAGE_INSTALLER"), json.loads(sources), "snakebridge_worker")
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        # The worker exits when this socket closes; the actor keeps its end for its life.
        self.control, theirs = socket.socketpair()
        os.environ.update(env)
        os.environ["SNAKEBRIDGE_WORKER_FDS"] = "%d,%d,%d" % (req_r, resp_w, theirs.detach())
        self.turn = 0
        self.turns = threading.Condition()
        # Frames the worker wrote, numbered, not yet taken; pushes waiting for one.
        self.frames = []
        self.written = 0
        self.waiting = 0
        self.ended = False
        self.out = threading.Condition()
        from snakebridge_worker.main import run

        threading.Thread(target=run, name="snakebridge-worker", daemon=True).start()
        threading.Thread(target=self._read, name="snakebridge-replies", daemon=True).start()

    def _read(self):
        """Takes every frame the worker writes, numbering them, until it closes its pipe."""
        while True:
            frame = read_frame(self.resp_r)
            with self.out:
                if frame is None:
                    self.ended = True
                else:
                    self.frames.append((self.written, frame))
                    self.written += 1
                self.out.notify_all()
            if frame is None:
                return

    def node(self):
        """The id of the Ray node this actor runs on."""
        import ray

        return ray.get_runtime_context().get_node_id()

    def push(self, seq, frame, wait, keys, *arrays):
        """Writes request frame number ``seq`` to the worker once those before it were; with
        ``wait``, returns the frames the worker writes within ``QUICK`` after it (as
        ``(number, frame)``), else none. ``arrays`` (read-only, over Ray's object store on this
        node: Ray resolved the driver's object refs) are those the frame's wire values name by
        ``keys`` (``objects.py``): the worker takes them from ``shm.OBJECTS``."""
        if keys:
            from snakebridge_worker.shm import OBJECTS

            OBJECTS.update(zip(keys, arrays))
        del arrays
        with self.turns:
            while self.turn != seq:
                self.turns.wait()
        try:
            write_all(self.req_w, frame)
        finally:
            with self.turns:
                self.turn += 1
                self.turns.notify_all()
        if not wait:
            return []
        deadline = time.monotonic() + QUICK
        with self.out:
            self.waiting += 1
            try:
                while not self.frames and not self.ended:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.out.wait(left)
                taken, self.frames = self.frames, []
                return taken
            finally:
                self.waiting -= 1
                self.out.notify_all()

    def pull(self):
        """The frames no push took, as ``(number, frame)`` lists, as they come (an actor
        generator); it ends when the worker closes its response pipe."""
        while True:
            with self.out:
                while (not self.frames or self.waiting) and not self.ended:
                    self.out.wait()
                taken, self.frames = self.frames, []
                ended = self.ended
            if taken:
                yield taken
            if ended:
                return
