"""The worker's side of the protocol agreement test (run by tests/protocol_agreement.rs, after
the worker package's bootstrap, so the modules are the shipped ones, loaded as a worker loads
them).

- Every ``to_worker.*`` corpus file is decoded by the worker's converter (its attachments from
  the ``.att.hex`` sidecar), read by ``protocol.read_to_worker`` and handled by the worker's
  dispatch (calls run for real); every reply dispatch writes must read back through
  ``protocol.read_from_worker``.
- Every ``from_worker.*`` corpus file is read by ``protocol.read_from_worker`` and written again,
  by the protocol's writer and the worker's encoder, byte for byte.
- Every kind either way that the protocol module knows has a file, and every file's kind is
  known.

Prints one line per problem and exits 1 if there is any.
"""

import json
import os
import sys

from snakebridge_worker import binary, protocol
from snakebridge_worker.convert import Converter
from snakebridge_worker.dispatch import Worker
from snakebridge_worker.refs import Refs
from snakebridge_worker.shm import Segments

corpus = os.environ["SB_CORPUS"]
problems = []


class Recorder:
    """A channel that keeps the frames dispatch writes."""

    def __init__(self):
        self.frames = []

    def write_frame(self, data, att, size):
        self.frames.append(data)

    def write_whole(self, frame):
        # A frame made whole: its length prefix first.
        self.frames.append(frame[4:])

    def input_pending(self):
        return False


def new_worker():
    refs = Refs(1 << 40)
    segments = Segments()
    converter = Converter(refs, segments, 1 << 14, 1000, "not plain data")
    return Worker(Recorder(), refs, segments, converter, []), converter


seen = {"to_worker": set(), "from_worker": set()}


def check_binary(name, direction, kind, frame):
    """A binary frame's body (a ``.hex`` file): read and handled to the worker, written back
    byte for byte from it."""
    seen[direction].add(kind)
    if direction == "to_worker":
        op, fields = protocol.read_binary(frame)
        if op != kind:
            problems.append("%s: read as a `%s` message" % (name, op))
        worker, _ = new_worker()
        worker.handlers[op](fields)
        for out in worker.channel.frames:
            print("%s -> %s" % (name, bytes(out)[:160]))
            protocol.read_from_worker(out if protocol.is_binary_reply(out) else json.loads(out))
    else:
        read_kind, writer, args, _free = protocol.read_from_worker(frame)
        if read_kind != kind:
            problems.append("%s: read as a `%s` message" % (name, read_kind))
        again = writer(*args)
        if again != frame:
            problems.append("%s: the worker writes it as %s" % (name, again.hex()))


for name in sorted(os.listdir(corpus)):
    if name.endswith(".hex") and not name.endswith(".att.hex"):
        direction, kind = name.split(".")[:2]
        try:
            with open(os.path.join(corpus, name)) as f:
                check_binary(name, direction, kind, bytes.fromhex("".join(f.read().split())))
        except Exception as e:  # noqa: BLE001 - every file is checked
            problems.append("%s: %s: %s" % (name, type(e).__name__, e))
        continue
    if not name.endswith(".json"):
        continue
    direction, kind = name.split(".")[:2]
    with open(os.path.join(corpus, name), encoding="utf-8") as f:
        text = f.read()
    if not text.endswith("\n"):
        problems.append("%s: does not end with one newline" % name)
        continue
    text = text[:-1]
    if direction not in seen:
        problems.append("%s: unknown direction %r" % (name, direction))
        continue
    seen[direction].add(kind)
    try:
        if direction == "to_worker":
            if kind not in protocol.TO_WORKER:
                problems.append("%s: the worker reads no `%s` message" % (name, kind))
                continue
            sidecar = os.path.join(corpus, name[: -len(".json")] + ".att.hex")
            attachments = b""
            if os.path.exists(sidecar):
                with open(sidecar) as f:
                    attachments = bytes.fromhex("".join(f.read().split()))
            worker, converter = new_worker()
            msg = converter.decode(text.encode("utf-8"), attachments)
            op, fields = protocol.read_to_worker(msg)
            if op != kind:
                problems.append("%s: read as a `%s` message" % (name, op))
            worker.handlers[op](fields)
            for frame in worker.channel.frames:
                # What the worker made of it (a fresh worker holds no refs: a call on one is
                # `stale`), which must be a message the protocol reads.
                print("%s -> %s" % (name, frame.decode("utf-8")[:160]))
                protocol.read_from_worker(json.loads(frame))
        else:
            if kind not in protocol.FROM_WORKER:
                problems.append("%s: the worker writes no `%s` message" % (name, kind))
                continue
            read_kind, writer, args, free = protocol.read_from_worker(json.loads(text))
            if read_kind != kind:
                problems.append("%s: read as a `%s` message" % (name, read_kind))
            out = writer(*args)
            if free is not None:
                protocol.with_free(out, free)
            _, converter = new_worker()
            data, _att, _size = converter.encode(out)
            again = data.decode("utf-8")
            if again != text:
                problems.append("%s: the worker writes it as\n  %s\nnot\n  %s" % (name, again, text))
    except Exception as e:  # noqa: BLE001 - every file is checked
        problems.append("%s: %s: %s" % (name, type(e).__name__, e))

# The one-piece writer of numeric callbacks (`binary.number_callback`, the worker's fast path)
# writes what the general writer does, with the length prefix, and declines anything else.
for args in [(), (1,), (1.5, -2), (2**63 - 1, -(2**63), 0.0, float("inf"), -0.0, 5e-324),
             tuple(range(8))]:
    fast = binary.number_callback(12, 3, 7, args)
    slow = binary.write_callback(12, 3, 7, args, {})
    if fast != len(slow).to_bytes(4, "little") + slow:
        problems.append("number_callback%r writes %r, not %r" % (args, fast, slow))
for args in [(2**63,), (-(2**63) - 1,), (True,), ("s",), (None,), tuple(range(9))]:
    if binary.number_callback(12, 3, 7, args) is not None:
        problems.append("number_callback%r is not None" % (args,))

for direction, kinds in (("to_worker", protocol.TO_WORKER), ("from_worker", protocol.FROM_WORKER)):
    for kind in sorted(set(kinds) - seen[direction]):
        problems.append("no corpus file for the %s message `%s`" % (direction, kind))

for p in problems:
    print("PROBLEM: " + p)
print("checked %d to_worker and %d from_worker kinds" % (len(seen["to_worker"]), len(seen["from_worker"])))
sys.exit(1 if problems else 0)
