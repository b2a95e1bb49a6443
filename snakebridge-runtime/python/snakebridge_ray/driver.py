"""One pool slot's driver (started by ``src/pool/worker/spawn.rs`` in place of a worker process
when the pool runs on Ray): it joins the cluster, starts the slot's actor
(``actor.SnakebridgeWorker``, no retries, owned by this process so it dies with it), and relays
the slot's frames both ways without reading them, except ``ready``, which gains the actor's
Ray node, requests naming shared-memory segments, whose arrays go through Ray's object store
(``objects.py``), and their answers, and frames naming arrays the worker put in the object
store, which the driver copies into segments of its own for Rust. Importing this module runs
the driver and exits the process.

Its exits, as Rust sees them (``pool/worker/mod.rs`` describes them): the actor died (its node
was lost, it was killed, the worker's machinery broke): exit code ``ACTOR_DIED``, the reason on
stderr; Rust closed the control socket (shutdown, recycling): the actor is killed, exit 0. A
SIGKILL from Rust (a timed-out call) ends the driver at once, and Ray ends the actor with its
owner."""

import json
import os
import queue
import threading

from snakebridge_ray.frames import read_frame, write_all

#: The exit code of a driver whose actor died (``RAY_ACTOR_DIED`` in ``pool/ray/mod.rs``).
ACTOR_DIED = 75


def _say(text):
    try:
        os.write(2, ("snakebridge: %s\n" % text).encode("utf-8", "replace"))
    except OSError:
        pass


def _worker_sources(var="SNAKEBRIDGE_WORKER_SOURCES"):
    """The worker package's sources, as the bootstrap reads them (``python_package.rs``)."""
    chunks = int(os.environ.pop(var))
    return "".join(os.environ.pop("%s_%d" % (var, i)) for i in range(chunks))


def _actor_options(config):
    options = {
        "max_restarts": 0,
        "max_task_retries": 0,
        # A pull that waits for the worker, and pushes that wait for replies meanwhile.
        "max_concurrency": 8,
        "name": config["name"],
        "lifetime": None,
    }
    if config.get("num_cpus") is not None:
        options["num_cpus"] = config["num_cpus"]
    if config.get("num_gpus") is not None:
        options["num_gpus"] = config["num_gpus"]
    if config.get("resources"):
        options["resources"] = dict(config["resources"])
    runtime_env = {}
    if config.get("env_vars"):
        runtime_env["env_vars"] = dict(config["env_vars"])
    if config.get("working_dir"):
        runtime_env["working_dir"] = config["working_dir"]
    if runtime_env:
        options["runtime_env"] = runtime_env
    return options


def _with_node(frame, node):
    """The ``ready`` frame with the actor's node added (any other frame unchanged)."""
    head = int.from_bytes(frame[:4], "little")
    if head & (1 << 31):
        return frame
    message = json.loads(frame[4:])
    if message.get("op") != "ready":
        return frame
    message["node"] = node
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return len(body).to_bytes(4, "little") + body


#: Requests nothing answers: their push waits for no reply (``PROTOCOL.md``, Messages).
_UNANSWERED = tuple(
    b'{"op":"%s"' % op for op in (b"credit", b"close", b"release", b"close_session", b"log_level")
)


def _wants_reply(frame):
    head = int.from_bytes(frame[:4], "little")
    start = 8 if head & (1 << 31) else 4
    return not frame.startswith(_UNANSWERED, start)


class InOrder:
    """Writes the worker's frames to Rust in the order the worker wrote them, whichever way
    (a push's result, the actor generator) each came back; the first one, ``ready``, with the
    actor's node added, and those naming arrays in the object store with segments instead."""

    def __init__(self, fd, node, lent, returned):
        self.fd = fd
        self.node = node
        self.lent = lent
        self.returned = returned
        self.next = 0
        self.waiting = {}
        self.lock = threading.Lock()

    def deliver(self, frames):
        # The arrays frames name in the object store go into segments first, outside the lock.
        frames = [(n, self.returned.to_segments(f, o) if o else f) for n, f, o in frames]
        with self.lock:
            for number, frame in frames:
                self.waiting[number] = frame
            while self.next in self.waiting:
                frame = self.waiting.pop(self.next)
                if self.next == 0:
                    frame = _with_node(frame, self.node)
                frame = self.lent.settle(frame)
                write_all(self.fd, frame)
                self.next += 1


def main():
    req, resp, control = (int(x) for x in os.environ.pop("SNAKEBRIDGE_WORKER_FDS").split(","))
    config = json.loads(os.environ.pop("SNAKEBRIDGE_RAY_CONFIG"))
    sources = _worker_sources()
    # What a local worker would read from its environment goes to the actor's worker.
    env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("SNAKEBRIDGE_")}

    import logging

    import numpy
    import ray
    import ray.cloudpickle
    from ray.exceptions import RayError

    import snakebridge_ray.actor
    import snakebridge_ray.frames
    from snakebridge_ray.objects import Lent, Returned

    # The actor's code travels with it: the cluster's nodes need Ray and the user's packages,
    # not snakebridge.
    ray.cloudpickle.register_pickle_by_value(snakebridge_ray.actor)
    ray.cloudpickle.register_pickle_by_value(snakebridge_ray.frames)
    try:
        ray.init(
            address=config["address"],
            logging_level=logging.ERROR,
            log_to_driver=True,
            configure_logging=True,
        )
        Actor = ray.remote(snakebridge_ray.actor.SnakebridgeWorker)
        actor = Actor.options(**_actor_options(config)).remote(sources, env)
        node = ray.get(actor.node.remote())
    except Exception as e:  # noqa: BLE001 - said on stderr, which Rust shows in its error
        _say("cannot start the Ray actor at `%s`: %s: %s" % (config["address"], type(e).__name__, e))
        os._exit(ACTOR_DIED)
    del sources

    def stop(code):
        try:
            ray.kill(actor, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
        os._exit(code)

    def watch_control():
        # EOF: Rust shut the slot down (or died). Bytes: the heartbeat, answered here.
        try:
            while True:
                beat = os.read(control, 64)
                if not beat:
                    break
                os.write(control, beat)
        except OSError:
            pass
        stop(0)

    lent = Lent()
    push = actor.push.remote
    packet = snakebridge_ray.actor.packet
    out = InOrder(resp, node, lent, Returned(ray, numpy, actor.take.remote))
    pushed = queue.SimpleQueue()

    def died(e):
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
        _say("the Ray actor of this worker died: %s" % reason)
        stop(ACTOR_DIED)

    def push_requests():
        # Each push goes at once (in order, numbered); the replies it brings are collected
        # by `collect_replies`, so a long call never holds up the next request.
        seq = 0
        while True:
            frame = read_frame(req)
            if frame is None:
                # Rust closed the request pipe: the worker ends once it read what came.
                break
            try:
                frame, keys, refs = lent.to_objects(frame, seq, ray, numpy)
            except Exception as e:  # noqa: BLE001 - the worker then reads the segments itself
                _say("cannot put a request's arrays in Ray's object store: %s: %s" % (type(e).__name__, e))
                keys, refs = [], []
            pushing = packet(seq, _wants_reply(frame), frame)
            if refs:
                # Top-level object refs: Ray hands the actor the arrays themselves.
                pushed.put(push(pushing, keys, *refs))
            else:
                pushed.put(push(pushing))
            del refs
            seq += 1
        stop(0)

    def collect_replies():
        try:
            while True:
                out.deliver(ray.get(pushed.get()))
        except RayError as e:
            died(e)
        except OSError:
            stop(0)

    threading.Thread(target=watch_control, daemon=True, name="control").start()
    threading.Thread(target=push_requests, daemon=True, name="requests").start()
    threading.Thread(target=collect_replies, daemon=True, name="replies").start()
    try:
        for ref in actor.pull.remote():
            out.deliver(ray.get(ref))
            # Let go of the item now, not when the next one comes.
            del ref
    except RayError as e:
        died(e)
    except OSError:
        stop(0)
    # The worker closed its pipe: it exited, and its actor with it.
    _say("the Ray actor's worker exited")
    stop(ACTOR_DIED)


main()
