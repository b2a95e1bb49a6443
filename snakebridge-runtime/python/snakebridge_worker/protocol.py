"""The pool's messages, as this side reads and writes them: the mirror of Rust's
``snakebridge-runtime/src/pool/protocol/`` (the spec is ``PROTOCOL.md`` there).

Every message from Rust is read by :func:`read_to_worker` and every message to Rust is made by
one of the writers below, nowhere else. ``snakebridge-runtime/tests/protocol_agreement.rs``
runs this module over the protocol's corpus: each ``to_worker`` file must read, each
``from_worker`` file must come out of the writers byte for byte, and each kind either side
knows must have a file.
"""

from snakebridge_worker import BUILTINS as __builtins__

from snakebridge_worker import binary

#: The protocol this worker speaks, announced in ``ready``; Rust refuses any other.
PROTOCOL_VERSION = 6


class ProtocolError(Exception):
    """A message from Rust that this side cannot read: the two sides disagree."""


# ---------------------------------------------------------------------------------------------
# Rust -> worker. Each reader takes the message without its "op" and pops the fields it knows,
# so what is left over is a key this side does not know (an error, not ignored). The fields come
# as a list, which the handler may empty: a call's arguments must be held by the call alone
# (what else references its arrays decides whether their shared memory may be reused).


def _read_call(msg):
    """(id, req, returns, session, release, window, task): run a call; window None. With
    ``task`` (a ``call_async``), an awaitable result runs as a task of the event loop thread:
    answered :func:`awaiting` at once, and with its result when it ends."""
    return [
        msg.pop("id"),
        msg.pop("req"),
        msg.pop("returns", "auto"),
        msg.pop("session", None),
        msg.pop("release", None),
        None,
        msg.pop("task", False),
    ]


def _read_stream(msg):
    """(id, req, returns, session, release, window, task): open a stream pushing up to window
    items ahead of the consumer; task False."""
    return [
        msg.pop("id"),
        msg.pop("req"),
        msg.pop("returns", "auto"),
        msg.pop("session", None),
        msg.pop("release", None),
        msg.pop("window", 16),
        False,
    ]


def _read_generator(msg):
    """(id, req, returns, session, release, final): open the result as a generator driven by
    ``send``; its return value comes back under the policy ``final``."""
    return [
        msg.pop("id"),
        msg.pop("req"),
        msg.pop("returns", "auto"),
        msg.pop("session", None),
        msg.pop("release", None),
        msg.pop("final", "auto"),
    ]


def _read_send(msg):
    """(id, value): run generator id to its next yield or its end, sending value (None is
    ``next()``)."""
    return [msg.pop("id"), msg.pop("value")]


def _read_credit(msg):
    """(id, n): the consumer of stream id took n more items."""
    return [msg.pop("id"), msg.pop("n")]


def _read_close(msg):
    """(id,): the consumer dropped stream id."""
    return [msg.pop("id")]


def _read_release(msg):
    """(ids,): the last Rust handles of these refs were dropped."""
    return [msg.pop("ids")]


def _read_close_session(msg):
    """(session,): release every ref made in the session."""
    return [msg.pop("session")]


def _read_log_level(msg):
    """(level,): forward Python log records from this level on (a Python level number; above
    ``CRITICAL`` forwards none): the most detailed level Rust's ``tracing`` takes."""
    return [msg.pop("level")]


def _read_callback_ok(msg):
    """(seq, value): what Rust callback call seq returned."""
    return [msg.pop("seq"), msg.pop("value")]


def _read_callback_err(msg):
    """(seq, class, message, exception): Rust callback call seq failed; raise the ref
    ``exception`` (a ref id, or None) if the worker still holds it, else ``class(message)``."""
    return [msg.pop("seq"), msg.pop("class"), msg.pop("message"), msg.pop("exception", None)]


def _read_cancel(msg):
    """(id,): cancel the task of call id (it gets ``CancelledError``); nothing answers it."""
    return [msg.pop("id")]


#: op -> reader, for every message Rust sends (Rust's ``ToWorker``).
TO_WORKER = {
    "call": _read_call,
    "stream": _read_stream,
    "credit": _read_credit,
    "close": _read_close,
    "release": _read_release,
    "close_session": _read_close_session,
    "generator": _read_generator,
    "send": _read_send,
    "log_level": _read_log_level,
    "callback_ok": _read_callback_ok,
    "callback_err": _read_callback_err,
    "cancel": _read_cancel,
    # Binary frames, read from their bytes by `read_binary` (not dicts).
    "binary_call": binary.read_call,
    "binary_callback_ok": binary.read_callback_ok,
}

#: The binary frames from Rust, by their first byte.
_BINARY = {binary.CALL: "binary_call", binary.CALLBACK_OK: "binary_callback_ok"}


def is_binary(frame, _kinds=_BINARY):
    """True for a binary frame from Rust (its first byte, one of ``_BINARY``'s; JSON text
    starts with ``{``)."""
    return bool(frame) and frame[0] in _kinds


def is_binary_reply(frame):
    """True for a binary frame to Rust (a binary ``ok`` or ``callback``)."""
    return frame[:1] in (b"\xb2", b"\xb3")


def read_binary(frame, _kinds=_BINARY, _readers=TO_WORKER):
    """``(op, fields)`` of a binary frame from Rust (``binary_call``: ``binary.read_call``'s
    fields; ``binary_callback_ok``: [seq, value]); ProtocolError for one this side cannot
    read."""
    op = _kinds.get(frame[0]) if frame else None
    if op is None:
        raise ProtocolError("a binary frame of unknown kind %r" % (bytes(frame[:1]),))
    try:
        return op, _readers[op](frame)
    except Exception as e:  # noqa: BLE001 - struct, index, UTF-8 and tag errors alike
        raise ProtocolError("a `%s` this side cannot read: %s: %s"
                            % (op, type(e).__name__, e)) from None


def read_to_worker(msg, _readers=TO_WORKER):
    """``(op, fields)`` of a decoded message from Rust (a dict, consumed; ``fields`` a list, in
    the order its reader documents); ProtocolError for an unknown op, a missing field or a
    field this side does not know."""
    op = msg.pop("op", None)
    reader = _readers.get(op)
    if reader is None or op in _BINARY.values():
        raise ProtocolError("unknown op %r" % (op,))
    try:
        fields = reader(msg)
    except KeyError as e:
        raise ProtocolError("a `%s` message without %s" % (op, e)) from None
    if msg:
        raise ProtocolError("a `%s` message with unknown fields %s" % (op, sorted(msg)))
    return op, fields


# ---------------------------------------------------------------------------------------------
# Worker -> Rust (Rust's ``FromWorker``). Key order is part of the corpus: the writers build
# each dict in the order it goes on the wire.


def ready(pid, python, node=None):
    """The handshake: the worker imported its preloads and serves (on Ray node ``node``, which
    a Ray actor's driver adds)."""
    msg = {"op": "ready", "id": 0, "pid": pid, "python": python, "protocol": PROTOCOL_VERSION}
    if node is not None:
        msg["node"] = node
    return msg


def startup_error(message):
    """The worker could not start (a preload failed)."""
    return {"op": "startup_error", "id": 0, "message": message}


def log(mid, logger, level, message, call=None):
    """A record of Python's ``logging`` (or a warning): raised during the call of message
    ``mid`` (named ``call``), or, with ``mid`` 0 and no ``call``, outside any call."""
    out = {"op": "log", "id": mid, "logger": logger, "level": level, "message": message}
    if call is not None:
        out["call"] = call
    return out


def ok(mid, value):
    """A call's result (a wire value)."""
    return {"id": mid, "ok": value}


def error(cls, kind, message, traceback, mro, exception=None, cause=None, context=None):
    """The body of an ``err`` reply: a Python exception. ``exception`` is a ref to a copy of it,
    left out when none could be made; ``cause`` and ``context`` are the bodies of its
    ``__cause__`` and ``__context__`` (the same shape), left out when it has none."""
    out = {"class": cls, "kind": kind, "message": message, "traceback": traceback, "mro": mro}
    if exception is not None:
        out["exception"] = exception
    if cause is not None:
        out["cause"] = cause
    if context is not None:
        out["context"] = context
    return out


def err(mid, body):
    """A call or stream item raised (``body`` from :func:`error`)."""
    return {"id": mid, "err": body}


def stale(mid, ref, reason):
    """A call named a ref the worker no longer holds."""
    return {"id": mid, "stale": {"ref": ref, "reason": reason}}


def decode(mid, what, message):
    """A result could not become the value asked for (Rust's ``Error::Decode``)."""
    return {"id": mid, "decode": {"what": what, "message": message}}


def encode(mid, message):
    """A call's arguments could not become Python objects (Rust's ``Error::Encode``)."""
    return {"id": mid, "encode": message}


def started(mid):
    """A stream was opened."""
    return {"id": mid, "started": True}


def item(mid, value):
    """The next item of a stream."""
    return {"id": mid, "item": value}


def end(mid):
    """The stream is exhausted."""
    return {"id": mid, "end": True}


def returned(mid, value):
    """A generator driven by ``send`` ended with this return value (a wire value)."""
    return {"id": mid, "returned": value}


def callback(mid, fid, seq, args, kwargs):
    """Python called Rust callback ``fid`` (call number ``seq``) during request ``mid``."""
    return {"id": mid, "callback": {"fn": fid, "seq": seq, "args": args, "kwargs": kwargs}}


def awaiting(mid):
    """The result of a ``task`` call is awaitable: it runs as a task, answered when it ends."""
    return {"id": mid, "awaiting": True}


def binary_ok(mid, value, request=0):
    """A call's plain result as a binary frame (bytes), or None when it has no binary form (a
    JSON ``ok`` then)."""
    return binary.write_ok(mid, value, request)


#: ``binary_callback(mid, fid, seq, args, kwargs, request=0)``: Python called Rust callback
#: ``fid`` (call ``seq``) during request ``mid`` with plain scalar arguments: a binary frame
#: (bytes); None when one is not plain (a JSON :func:`callback` then). The writer itself, not a
#: wrapper: it runs on every callback.
binary_callback = binary.write_callback


def with_free(reply, names):
    """A reply to a call, naming the segments Rust may write into again."""
    reply["free"] = names
    return reply


# ---------------------------------------------------------------------------------------------
# Reading this side's own messages back: what the agreement test re-emits through the writers.


def _read_error(body):
    """An ``err`` body written again through :func:`error` (its chain's bodies too)."""
    link = lambda key: _read_error(body[key]) if key in body else None  # noqa: E731
    return error(
        body["class"],
        body["kind"],
        body["message"],
        body["traceback"],
        body["mro"],
        body.get("exception"),
        link("cause"),
        link("context"),
    )


def read_from_worker(msg):
    """``(kind, writer, args, free)`` of a message this side writes, such that
    ``writer(*args)`` (with ``free``, unless None, added by :func:`with_free`) is ``msg`` again;
    ProtocolError for a message no writer makes. A binary frame (bytes) is read as such."""
    if isinstance(msg, (bytes, bytearray)):
        try:
            if msg[:1] == b"\xb3":
                mid, fid, seq, args, kwargs, request = binary.read_callback(msg)
                return ("binary_callback", binary_callback,
                        (mid, fid, seq, args, kwargs, request), None)
            mid, value, request = binary.read_ok(msg)
        except Exception as e:  # noqa: BLE001
            raise ProtocolError("a binary message this side cannot read: %s" % (e,)) from None
        return "binary_ok", binary_ok, (mid, value, request), None
    msg = dict(msg)
    free = msg.pop("free", None)
    op = msg.get("op")
    try:
        if op == "ready":
            out = "ready", ready, (msg["pid"], msg["python"], msg.get("node"))
        elif op == "startup_error":
            out = "startup_error", startup_error, (msg["message"],)
        elif op == "log":
            args = (msg["id"], msg["logger"], msg["level"], msg["message"], msg.get("call"))
            out = "log", log, args
        elif op is not None:
            raise ProtocolError("unknown op %r" % (op,))
        else:
            mid = msg["id"]
            kinds = [k for k in FROM_WORKER if k in msg]
            if len(kinds) != 1:
                raise ProtocolError("a reply naming %d kinds: %r" % (len(kinds), msg))
            kind = kinds[0]
            body = msg[kind]
            if kind == "err":
                args = (mid, _read_error(body))
            elif kind == "stale":
                args = (mid, body["ref"], body["reason"])
            elif kind == "decode":
                args = (mid, body["what"], body["message"])
            elif kind == "callback":
                args = (mid, body["fn"], body["seq"], body["args"], body["kwargs"])
            elif kind in ("started", "end", "awaiting"):
                if body is not True:
                    raise ProtocolError("`%s` is %r, not true" % (kind, body))
                args = (mid,)
            else:
                args = (mid, body)
            out = kind, FROM_WORKER[kind], args
    except KeyError as e:
        raise ProtocolError("a message without %s: %r" % (e, msg)) from None
    return out + (free,)


#: kind -> writer, for every message this side sends (``ready`` and ``startup_error`` by their
#: op, replies by the key that names them).
FROM_WORKER = {
    "ready": ready,
    "startup_error": startup_error,
    "log": log,
    "ok": ok,
    "err": err,
    "stale": stale,
    "decode": decode,
    "encode": encode,
    "started": started,
    "item": item,
    "end": end,
    "returned": returned,
    "callback": callback,
    "awaiting": awaiting,
    "binary_ok": binary_ok,
    "binary_callback": binary_callback,
}
