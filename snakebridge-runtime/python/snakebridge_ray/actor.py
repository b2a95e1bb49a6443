"""The actor every Ray worker slot runs: the worker package (``snakebridge_worker``), served in a
thread of the actor process over pipes as a local worker is served over its channel. The driver
pushes each request frame (``push``, numbered, since a threaded actor may run two pushes out of
order). Every frame the worker writes is numbered too, and goes back one of two ways: in the
result of the push that waits for it (a reply within ``QUICK``: one actor round trip, as a
direct actor call costs), or else through the one actor generator the driver iterates
(``pull``: stream items, callbacks, replies to long calls; the object refs of their arrays
then through ``take``). The driver puts them back in order.
No thread reads the worker's pipe for the others: a push waiting for its reply reads it itself
(one thread woken by the reply, not a reader and then the push), and ``pull`` reads while no
push waits. The worker's exit (its pipes closed, a crash of the machinery) ends the actor
process, so the driver sees the actor die as Rust sees a local worker die. Arrays the worker
returns from the pool's threshold on go into Ray's object store (``Results``), and each frame
naming some goes back with their object refs beside it: the driver, a borrower of them, hands
them to Rust."""

import json
import os
import select
import socket
import threading
import time

from snakebridge_ray.frames import json_part, read_frame, write_all

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


def _readable(fd, timeout):
    """True once ``fd`` has data or its EOF (within ``timeout`` seconds; None: however long)."""
    poller = select.poll()  # one per wait: a poll object is not shared between threads
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000) + 1)))


def packet(seq, wait, frame):
    """What the driver pushes: ``frame`` behind its number and whether the push waits for a
    reply (one argument: every argument of an actor call costs the driver time)."""
    return seq.to_bytes(8, "little") + (b"\x01" if wait else b"\x00") + frame


class Results:
    """The arrays the worker returns from the threshold on, put in Ray's object store of this
    node (one copy) for the value being sent, by key (``"r<n>"``, the ``"obj"`` of their wire
    value), until the frame naming them is read: its object refs then go beside it."""

    def __init__(self, put):
        self.put_ref = put
        self.lock = threading.Lock()
        self.count = 0
        self.made = {}  # key -> object ref

    def put(self, arr):
        """Puts ``arr`` in the store; its key (OSError when the store cannot take it: the
        worker then sends it inside the message)."""
        try:
            ref = self.put_ref(arr)
        except Exception as e:  # noqa: BLE001 - the store is full, or Ray is going away
            raise OSError("Ray's object store: %s: %s" % (type(e).__name__, e)) from None
        with self.lock:
            self.count += 1
            key = "r%d" % self.count
            self.made[key] = ref
        return key

    def drop(self, key):
        """Lets go of an object whose value will not be sent."""
        with self.lock:
            self.made.pop(key, None)

    def named_in(self, frame):
        """The objects (key -> ref) ``frame`` names, no longer held here, or None."""
        if not self.made:
            return None
        part = json_part(frame)
        if part is None:
            return None
        start, end = part
        with self.lock:
            keys = [k for k in self.made if frame.find(b'"obj":"%s"' % k.encode(), start, end) >= 0]
            return {k: self.made.pop(k) for k in keys} or None


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
        self.held = {}  # the object refs of frames pulled, by key, until ``take``n
        # Held by whoever takes a frame off the worker's pipe (a push or the pull).
        self.reading = threading.Lock()
        import ray

        from snakebridge_worker.main import run
        from snakebridge_worker.shm import Segments

        self.results = Results(ray.put)
        Segments.objects = self.results

        threading.Thread(target=run, name="snakebridge-worker", daemon=True).start()

    def _read_ready(self):
        """Takes the frame the worker's pipe was seen to hold (numbering it, with the objects
        it names) and wakes the waiters; False when another thread is taking one."""
        if not self.reading.acquire(blocking=False):
            return False
        try:
            # The reader before may have taken what was seen: look again, without waiting.
            if not _readable(self.resp_r, 0):
                return True
            frame = read_frame(self.resp_r)
            objects = None if frame is None else self.results.named_in(frame)
            with self.out:
                if frame is None:
                    self.ended = True
                else:
                    self.frames.append((self.written, frame, objects))
                    self.written += 1
                self.out.notify_all()
        finally:
            self.reading.release()
        return True

    def node(self):
        """The id of the Ray node this actor runs on."""
        import ray

        return ray.get_runtime_context().get_node_id()

    def push(self, packet, keys=None, *arrays):
        """Writes the request frame of ``packet`` (``packet()``: its number, whether to wait,
        the frame) to the worker once those before it were; to wait, returns the frames the
        worker writes within ``QUICK`` after it (as ``(number, frame, objects)``: ``objects``
        the refs of the arrays it names by key, or None), else none. ``arrays`` (read-only,
        over Ray's object store on this node: Ray resolved the driver's object refs) are those
        the frame's wire values name by ``keys`` (``objects.py``): the worker takes them from
        ``shm.OBJECTS``."""
        if keys:
            from snakebridge_worker.shm import OBJECTS

            OBJECTS.update(zip(keys, arrays))
        del arrays
        seq = int.from_bytes(packet[:8], "little")
        with self.turns:
            while self.turn != seq:
                self.turns.wait()
        try:
            write_all(self.req_w, memoryview(packet)[9:])
        finally:
            with self.turns:
                self.turn += 1
                self.turns.notify_all()
        if not packet[8]:
            return []
        deadline = time.monotonic() + QUICK
        with self.out:
            self.waiting += 1
        try:
            while True:
                with self.out:
                    left = deadline - time.monotonic()
                    if self.frames or self.ended or left <= 0:
                        taken, self.frames = self.frames, []
                        return taken
                if _readable(self.resp_r, left) and not self._read_ready():
                    # Another thread is taking a frame: wait for it.
                    with self.out:
                        if not self.frames and not self.ended:
                            self.out.wait(max(0, deadline - time.monotonic()))
        finally:
            with self.out:
                self.waiting -= 1
                self.out.notify_all()

    def _keys_for_refs(self, frames):
        """``frames`` with the object refs beside each replaced by their keys, the refs kept
        for ``take``: Ray keeps the refs inside a generator's items alive as long as the
        generator, while those of a method's result go once the driver lets go of them."""
        out = []
        for number, frame, objects in frames:
            if objects:
                with self.out:
                    self.held.update(objects)
                objects = list(objects)
            out.append((number, frame, objects))
        return out

    def take(self, keys):
        """The object refs of keys ``pull`` sent instead (key -> ref), no longer kept here."""
        with self.out:
            return {k: self.held.pop(k) for k in keys}

    def pull(self):
        """The frames no push took, as ``(number, frame, keys)`` lists, as they come (an actor
        generator; ``keys``: those of the arrays the frame names, whose refs ``take`` gives, or
        None); it ends when the worker closes its response pipe."""
        while True:
            with self.out:
                # A waiting push reads (and takes) the frames meanwhile.
                while self.waiting and not self.ended:
                    self.out.wait()
                taken, self.frames = self.frames, []
                ended = self.ended
            if taken:
                yield self._keys_for_refs(taken)
                del taken
            if ended:
                return
            if _readable(self.resp_r, None) and not self.waiting:
                self._read_ready()
