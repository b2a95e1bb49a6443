"""Serving binary calls (``binary.py``, ``PROTOCOL.md`` "Binary frames"): a module function
called with plain arguments, looked up once per call site. A plain result goes back as a binary
``ok``; an exception, or any other result, as the JSON call's reply would. ``serve`` is the hot
path of a tight loop of calls (no session, no refs to release, positional arguments, a result
that is an int or a float); everything else goes through ``on_call``, with the same outcome."""

from snakebridge_worker import BUILTINS as __builtins__

from os import _exit, write
from struct import Struct, error as StructError
from sys import modules

from snakebridge_worker import protocol
from snakebridge_worker.awaiting import awaitable, settle
from snakebridge_worker.binary import CALL, IS_TASK, OK, read_value
from snakebridge_worker.convert import NotData
from snakebridge_worker.protocol import ProtocolError, read_binary

# User code is called through these, compiled in the namespace of `__main__` (as dispatch's
# `_call`, for the same reasons), in a file of the package's (so tracebacks leave them out).
_call = eval(
    compile("lambda f, args, kwargs: f(*args, **kwargs)", "snakebridge_worker/<call>", "eval"),
    vars(modules["__main__"]),
)
_call_positional = eval(
    compile("lambda f, args: f(*args)", "snakebridge_worker/<call>", "eval"),
    vars(modules["__main__"]),
)
# The same for the hot path's calls of ints and floats, by argument count: the arguments read
# straight from the unpacked frame (from its 6th field), with no tuple made for them and no
# star call.
_CALL_FIELDS = tuple(
    eval(
        compile(
            "lambda f, t: f(%s)" % ", ".join("t[%d]" % (5 + i) for i in range(n)),
            "snakebridge_worker/<call>",
            "eval",
        ),
        vars(modules["__main__"]),
    )
    for n in range(9)
)

# The fixed header: the length prefix, magic, policy and flags as one u64; the request; the
# message id; the site and the release count as one u64 (the site's number when no refs are to
# be released, which the hot path asks for: any other is no site's).
_HOT_HEAD = Struct("<QIQQ")
# What `_HOT_HEAD`'s first field may vary in on the hot path: the policy's low bit (auto or
# value) and the task flag; the rest must be the frame's own length and a binary call's magic.
_LOOSE = ((1 << 64) - 1) ^ (1 << 40) ^ (IS_TASK << 48)
# Whole reply frames of a number: their first 8 bytes (the length prefix, the binary ok's magic,
# no flags) made once, then the request, the message id, the tag and the value.
_OK_INT_AFTER_HEAD = Struct("<8sIQBq")
_OK_FLOAT_AFTER_HEAD = Struct("<8sIQBd")
_OK_HEAD = Struct("<IBBBB").pack(_OK_INT_AFTER_HEAD.size - 4, OK, 0, 0, 0)
# Whole frames (their length prefix included) of calls whose arguments are all ints and floats,
# by their shape: the bytes at every 9th offset from the first argument's tag (each tag, then
# the keyword count, 0), which fix the layout once each tag is an int's or a float's (a fixed
# 8 bytes follow). Filled as shapes come, up to `_MAX_SHAPES`; other shapes are `_NO_SHAPE`.
_NUMBER_SHAPES = {}
_NO_SHAPE = (-1, None, 0, 0, None)
_MAX_SHAPES = 64
_MAX_SHAPE_ARGS = len(_CALL_FIELDS) - 1
# What the hot path reads for the next frame: a tight loop's requests are small, and a read of
# up to this much is a small allocation (one of 64 KiB takes glibc's path for large chunks,
# hundreds of instructions a call); a larger frame comes in pieces the serve loop joins.
_HOT_READ = 448


def hot_head(size):
    """What ``_HOT_HEAD``'s first field is, masked by ``_LOOSE``, in a binary call frame of
    ``size`` bytes (its length prefix included)."""
    return (size - 4) | (CALL << 32)


def number_shape(shape):
    """(size, ``unpack``, ``hot_head(size)``, argument count, caller from ``_CALL_FIELDS``) of
    whole frames of the ``shape``, the length prefix included (see ``_NUMBER_SHAPES``), or
    ``_NO_SHAPE`` when it is not ints and floats then no keywords; remembered."""
    n = len(shape) - 1
    if n < 0 or n > _MAX_SHAPE_ARGS or shape[n] or any(t != 3 and t != 4 for t in shape[:n]):
        known = _NO_SHAPE
    else:
        whole = Struct("<QIQQB" + "".join("xq" if t == 3 else "xd" for t in shape[:n]) + "x")
        known = (whole.size, whole.unpack, hot_head(whole.size), n, _CALL_FIELDS[n])
    if len(_NUMBER_SHAPES) < _MAX_SHAPES:
        _NUMBER_SHAPES[shape] = known
    return known


def site(worker, number, names):
    """The site ``number`` ([module, function, callable or None, call name]), made from
    ``names`` when they came."""
    if names is not None:
        module, function = names
        s = [module, function, None, "%s.%s" % (module, function) if module else function]
        worker.sites[number] = s
        worker.resolved.pop(number, None)
        return s
    s = worker.sites.get(number)
    if s is None:
        raise ProtocolError("a binary call of site %d, whose names never came" % number)
    return s


def on_call(worker, fields):
    """Any binary call (``binary.read_call``'s fields). A task call's awaitable result runs as a
    task of the event loop thread, started once its ``awaiting`` reply is out, as a JSON task
    call's does (``dispatch.Worker.on_call``)."""
    mid, request, policy, session, release, number, names, args, kwargs, task = fields
    fields.clear()
    for rid in release:
        worker.refs.release(rid)
    s = site(worker, number, names)
    refs = worker.refs
    outer = refs.session
    refs.session = session
    outer_call = worker.log_as((mid, s[3]))
    pending = None
    try:
        try:
            f = s[2]
            if f is None:
                f = s[2] = worker.module_attr(s[0], s[1])
                worker.resolved[number] = (f, s[3])
            result = _call(f, args, kwargs)
            del args, kwargs
            if awaitable(result):
                if task:
                    pending = result
                    reply = protocol.awaiting(mid)
                    result = None
                else:
                    result = settle(result)
        except BaseException as e:  # noqa: BLE001 - every exception goes back to Rust
            reply = protocol.err(mid, worker.exception(e))
        else:
            if pending is None:
                reply = result_reply(worker, mid, request, policy, result)
    finally:
        refs.session = outer
        worker.log_as(outer_call)
    if pending is not None:
        # No callbacks among plain arguments: no scope to end with the task.
        worker.send(reply)
        worker.start_task(mid, pending, policy, session, None, s[3])
        return
    if type(reply) is bytes:
        worker.send_frame(reply)
    else:
        worker.send(reply)


def result_reply(worker, mid, request, policy, result):
    """The reply to a binary call that returned ``result``: a binary ok (bytes) when it has the
    form, else the JSON call's (a dict)."""
    if policy != "ref" and policy != "ref_or_none":
        data = protocol.binary_ok(mid, result, request)
        if data is not None:
            return data
    try:
        return protocol.ok(mid, worker.converter.result(result, policy))
    except NotData as e:
        return protocol.decode(mid, e.what, e.message)
    except Exception as e:  # noqa: BLE001
        return protocol.decode(mid, type(result).__name__, str(e))


def serve(worker, frame):
    """A binary frame from Rust, then those that follow it back to back. The common call (a
    known site whose function was found, no session, no refs to release, positional arguments
    only, auto or value policy; a task or not) is read here in place (all of it, the length
    prefix included, in one ``unpack`` when the arguments are ints and floats); any other goes
    through ``read_binary`` and ``on_call``. After a call answered here, while nothing else is
    going on (no stream open, nothing buffered), the next frame is read here too, straight from
    the channel (its pipe or ring): a tight loop of calls costs one Python frame per call
    instead of the serve loop's three. A frame of another kind is left in the channel's buffer,
    where the serve loop reads it. What stays the same from call to call is looked up once."""
    # The calls' context, set once for the whole run of them rather than around each: no
    # session (serving at the top, it is None already), and the log handler's call a list each
    # call fills in with its message id and name (between two calls only this module runs on
    # the serving thread, and it raises no records).
    logs = worker.logs
    if logs is None:
        logs = _NoLogs()
    refs = worker.refs
    outer_call = logs.call
    outer = refs.session
    current = [0, ""]
    logs.call = current
    if outer is not None:
        refs.session = None
    try:
        rest = _serve_calls(worker, frame, logs, current)
    finally:
        logs.call = outer_call
        if outer is not None:
            refs.session = outer
    if rest is not None:
        _not_hot(worker, rest)


def _serve_calls(
    worker,
    frame,
    logs,
    current,
    _head=_HOT_HEAD.unpack_from,
    _i64=Struct("<q").unpack_from,
    _f64=Struct("<d").unpack_from,
    _ok_int=_OK_INT_AFTER_HEAD.pack,
    _ok_float=_OK_FLOAT_AFTER_HEAD.pack,
    _ok_head=_OK_HEAD,
    _loose=_LOOSE,
    _no_shape=_NO_SHAPE,
    _overflow=StructError,
    _len=len,
    _type=type,
    _int=int,
    _float=float,
    _read=read_value,
    _shapes=_NUMBER_SHAPES,
    _write=write,
    _exit=_exit,
):
    """``serve``'s loop, in the context ``serve`` set (the log handler's call is ``current``,
    the session None): the chunk for ``_not_hot`` when a frame is not the hot path's, else
    None."""
    channel = worker.channel
    # The frame as the pipe brings it: its length prefix, then the frame (offsets below are 4
    # more than in ``PROTOCOL.md``).
    chunk = _len(frame).to_bytes(4, "little") + frame
    del frame
    resolved = worker.resolved
    hub = worker.hub
    streams = worker.streams
    buf = channel.buf
    lock = worker.write_lock
    write_whole = channel.write_whole
    whole_fd = channel.whole_fd
    mine = channel.mine
    read_some = channel.read_some
    spin = channel.spin
    # The frames a read brought after the one served (calls Rust wrote ahead of their answers),
    # last first (see `_frames`): served next, or given back with the chunk to the serve loop.
    rest = []
    # Whether frames came several at a time since the last wait (see the wait below).
    ahead = False
    while True:
        shape = chunk[29::9]
        known = _shapes.get(shape, _no_shape)
        if _len(chunk) == known[0]:
            # (head, request, message id, site, argument count, the arguments...): the
            # arguments are read from it by the shape's caller.
            args = known[1](chunk)
            site = resolved.get(args[3])
            # The argument count differs when keywords follow (or the frame is broken), the head
            # when the read brought less than one frame, or another kind; the site is no site's
            # when refs are to be released: the full reader says.
            if args[0] & _loose != known[2] or args[4] != known[3] or site is None:
                return _joined(chunk, rest)
            head = args[0]
            request = args[1]
            mid = args[2]
            caller = known[4]
        else:
            if _len(chunk) < 29 or chunk[4] != CALL:
                # The end of the input (read again by the loop: an end stays one), or another
                # kind: the serve loop's.
                buf += _joined(chunk, rest)
                return None
            head, request, mid, number = _head(chunk, 0)
            end = 4 + (head & 0xFFFFFFFF)
            if end < _len(chunk):
                # More than one frame: this one now (its shape known from here on), the others
                # after it.
                rest += _frames(chunk)
                chunk = rest.pop()
                ahead = True
                continue
            if shape not in _shapes:
                number_shape(shape)  # for the next call of this shape
            site = resolved.get(number)
            if head & _loose != hot_head(_len(chunk)) or site is None:
                return _joined(chunk, rest)
            n = chunk[28]
            at = 29
            args = []
            while n:
                tag = chunk[at]
                if tag == 3:
                    args.append(_i64(chunk, at + 1)[0])
                    at += 9
                elif tag == 4:
                    args.append(_f64(chunk, at + 1)[0])
                    at += 9
                else:
                    value, at = _read(chunk, at)
                    args.append(value)
                n -= 1
            if at + 1 != _len(chunk) or chunk[at]:
                # Keyword arguments (or a broken frame, which the full reader reports).
                return _joined(chunk, rest)
            caller = _call_positional
        # Everything from the read to the reply's write is what the round trip waits for: what
        # can wait (freeing the frame, the arguments) comes after the write.
        # The call's records are tagged with it (see `serve`).
        current[0] = mid
        current[1] = site[1]
        try:
            result = caller(site[0], args)
        except BaseException as e:  # noqa: BLE001 - every exception goes back to Rust
            reply = protocol.err(mid, worker.exception(e))
            result = None
        else:
            # An int beyond i64 does not pack: the JSON reply says it.
            try:
                if _type(result) is _int:
                    reply = _ok_int(_ok_head, request, mid, 3, result)
                elif _type(result) is _float:
                    reply = _ok_float(_ok_head, request, mid, 4, result)
                else:
                    reply = other_reply(worker, mid, request, head, result)
            except _overflow:
                reply = other_reply(worker, mid, request, head, result)
        if _type(reply) is not bytes:
            # The serve loop reads on, from the buffer first.
            buf += _joined(b"", rest)
            if reply is None:
                # A task's awaitable: answered `awaiting`, run on the loop.
                worker.send(protocol.awaiting(mid))
                worker.start_task(mid, result, "value" if head >> 40 & 1 else "auto", None,
                                  None, site[1])
            else:
                worker.send(reply)
            return None
        # `worker.send_whole`, inline.
        if logs.pending:
            worker.flush_logs(logs)
        if whole_fd is not None and not hub.other_writers:
            # A pipe no other thread writes to: no lock (see `Hub.other_writers`).
            if not mine[0]:
                _exit(0)  # as in `Channel.write_frame`
            # `Channel.write_whole`, inline.
            written = _write(whole_fd, reply)
            if written != _len(reply):
                channel.write_frame_rest(memoryview(reply)[written:])
        else:
            # The lock taken by hand (`with` would make two bound methods per call): a ring's
            # writes always take it, a pipe's when another thread may write too.
            lock.acquire()
            try:
                if whole_fd is None:
                    write_whole(reply)
                elif not mine[0]:
                    _exit(0)
                else:
                    written = _write(whole_fd, reply)
                    if written != _len(reply):
                        channel.write_frame_rest(memoryview(reply)[written:])
            finally:
                lock.release()
        # What the call held goes now (after the answer is out), not when the next frame comes.
        chunk = args = result = reply = None
        # The next frame, read here while it is likely another such call (`read_frame`'s fast
        # case, inline): anything else goes back to the serve loop, through the buffer.
        if streams or hub.stream_scopes:
            buf += _joined(b"", rest)
            return None
        if rest:
            chunk = rest.pop()
            continue
        if buf:
            # What the serve loop read ahead (it reads in large pieces, and the calls of a
            # pipeline come many at a time): served here too, not a frame per pass of its loop.
            chunk = bytes(buf)
            del buf[:]
            continue
        if spin:
            if ahead:
                # Rust wrote these ahead of their answers (call_async's pipeline): the time
                # spent on them since the last wait is no sign that Rust waited past its spin
                # and sleeps, so this wait is not judged slow for it.
                channel.last_request = None
                ahead = False
            channel.spin_until_readable()
        chunk = read_some(_HOT_READ)


class _NoLogs:
    """The log handler's stand-in when Rust takes no records (``PoolConfig::python_logging``
    off): the hot path sets and reads the same attributes either way."""

    __slots__ = ("call",)
    pending = ()

    def __init__(self):
        self.call = None


def other_reply(worker, mid, request, head, result):
    """The reply to a hot-path call whose result is not an int within i64 or a float (its
    frame's first field ``head``: the policy and the task flag): None for a task's awaitable
    (answered ``awaiting``, run on the loop), else a whole binary frame or a JSON reply."""
    if head >> 48 & IS_TASK and awaitable(result):
        return None
    if awaitable(result):
        result = settle(result)
    reply = result_reply(worker, mid, request, "value" if head >> 40 & 1 else "auto", result)
    if type(reply) is bytes:
        reply = len(reply).to_bytes(4, "little") + reply
    return reply


def _frames(data, _u32=Struct("<I").unpack_from, _len=len):
    """``data``, several frames (or pieces of them) as a read brought them, cut into its whole
    binary calls, last first (for ``pop``): each a frame with its length prefix. Cutting stops
    at anything else (another kind, a frame with attachments, a piece of a frame), which stays
    whole as the first item, for the serve loop."""
    out = []
    at = 0
    size = _len(data)
    while at + 5 <= size and data[at + 4] == CALL:
        end = at + 4 + _u32(data, at)[0]  # the attachments bit makes it past the end
        if end > size:
            break
        out.append(data[at:end])
        at = end
    if at < size:
        out.append(data[at:])
    out.reverse()
    return out


def _joined(chunk, rest):
    """``chunk`` and the frames after it (``rest``, last first) as the bytes they came as."""
    if not rest:
        return chunk
    return chunk + b"".join(reversed(rest))


def _not_hot(worker, chunk):
    """A binary call read as a whole frame (``chunk``, its length prefix first) that is not the
    hot path's: one whole frame goes through ``read_binary`` and its handler; a frame in pieces,
    or more than one, goes back to the channel's buffer for the serve loop."""
    if int.from_bytes(chunk[:4], "little") != len(chunk) - 4:
        worker.channel.buf[:0] = chunk
        return
    op, fields = read_binary(chunk[4:])
    worker.handlers[op](fields)
