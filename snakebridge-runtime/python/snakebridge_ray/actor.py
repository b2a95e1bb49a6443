"""The actor every Ray worker slot runs: the worker package (``snakebridge_worker``), served in a
thread of the actor process over pipes as a local worker is served over its channel. The driver
pushes each request frame (``push``, numbered, since a threaded actor may run two pushes out of
order) and pulls every frame the worker writes through one actor generator (``pull``). The
worker's exit (its pipes closed, a crash of the machinery) ends the actor process, so the
driver sees the actor die as Rust sees a local worker die."""

import json
import os
import socket
import sys
import threading

from snakebridge_ray.frames import read_frame, write_all


def _install(sources, package):
    """Serves ``package``'s modules from ``sources`` (module name -> source), ahead of every path
    on ``sys.path``: the contract's bootstrap (``python_package.rs``), for a process Ray
    started."""
    import importlib.machinery

    class _Finder:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname not in sources:
                return None
            spec = importlib.machinery.ModuleSpec(
                fullname, _Finder, is_package=fullname == package
            )
            spec.has_location = False
            return spec

        @staticmethod
        def create_module(spec):
            return None

        @staticmethod
        def exec_module(module):
            name = module.__name__
            filename = name.replace(".", "/") + ("/__init__.py" if name == package else ".py")
            module.__file__ = filename
            exec(compile(sources[name], filename, "exec"), module.__dict__)

    sys.meta_path.insert(0, _Finder)


class SnakebridgeWorker:
    """One pool worker as a Ray actor: ``sources`` is the worker package (JSON: module name to
    source), ``env`` the variables a local worker would get from Rust (``spawn.rs``)."""

    def __init__(self, sources, env):
        _install(json.loads(sources), "snakebridge_worker")
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        # The worker exits when this socket closes; the actor keeps its end for its life.
        self.control, theirs = socket.socketpair()
        os.environ.update(env)
        os.environ["SNAKEBRIDGE_WORKER_FDS"] = "%d,%d,%d" % (req_r, resp_w, theirs.detach())
        self.turn = 0
        self.turns = threading.Condition()
        from snakebridge_worker.main import run

        threading.Thread(target=run, name="snakebridge-worker", daemon=True).start()

    def node(self):
        """The id of the Ray node this actor runs on, and its address."""
        import ray

        context = ray.get_runtime_context()
        return {"node": context.get_node_id(), "ip": ray.util.get_node_ip_address()}

    def push(self, seq, frame):
        """Writes request frame number ``seq`` to the worker once those before it were."""
        with self.turns:
            while self.turn != seq:
                self.turns.wait()
        try:
            write_all(self.req_w, frame)
        finally:
            with self.turns:
                self.turn += 1
                self.turns.notify_all()

    def pull(self):
        """Every frame the worker writes, as it writes them (an actor generator); it ends when
        the worker closes its response pipe."""
        while True:
            frame = read_frame(self.resp_r)
            if frame is None:
                return
            yield frame
