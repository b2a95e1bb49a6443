"""Rust callbacks called from Python: the mirror of ``pool/callback.rs`` (the wire form is
``{"__type__": "callback", "id", "arity", "args"}``, the messages ``callback`` one way and
``callback_ok`` / ``callback_err`` the other, and their binary forms for plain scalars; see
``PROTOCOL.md``).

A call's callbacks are :class:`RustCallback` objects bound to a :class:`Scope`, live while the
call runs (a stream: until it ends or is closed). Calling one sends the callback's id and its
arguments under the call's message id, and waits for the answer. While it waits, the thread
reads the request pipe itself (one reader at a time, among the threads that wait): requests
that come meanwhile are the calls the Rust closure makes, and it runs them; an answer for
another waiting thread is handed to it. A thread other than the one that serves (a
``threading.Thread`` user code started) runs its requests through a view of the worker with
its own converter, so two threads never share a conversion in progress.
"""

from snakebridge_worker import BUILTINS as __builtins__

from asyncio import get_running_loop
from os import _exit
from struct import Struct
from threading import Condition, RLock, get_ident, local

from snakebridge_worker import protocol
from snakebridge_worker.convert import NotData, first_unencodable
from snakebridge_worker.binary import number_callback, read_callback_ok
from snakebridge_worker.protocol import is_binary, read_binary, read_to_worker

_ENDED = (
    "the Rust callback %s was called after the call it was passed to had returned; a Rust "
    "callback lives only while that call runs (pass it to a stream to keep it while Rust "
    "iterates)"
)
_ABANDONED = "the Rust callback %s was called by a stream that Rust closed meanwhile"


class Scope:
    """The callbacks of one call (or stream), message id ``mid``: live while it runs."""

    __slots__ = ("mid", "live", "abandoned", "inflight")

    def __init__(self, mid):
        self.mid = mid
        self.live = True
        # Rust no longer waits for the stream: nobody will answer a callback of it.
        self.abandoned = False
        # Callback calls sent and not yet answered.
        self.inflight = 0


class RustCallback:
    """A Rust closure Python can call (``PyFn``): ``id`` names it to Rust, ``policies`` are how
    its positional arguments convert (the return policy of each Rust argument type). An async
    one's (``PyFn::new_async``) call returns an awaitable, which runs the call on a thread of
    the running loop's default executor, so the loop's other tasks go on meanwhile."""

    __slots__ = ("_hub", "_fid", "_arity", "_policies", "_scope", "_async", "_plain_args", "_number")

    def __init__(self, hub, fid, arity, policies, is_async=False):
        self._hub = hub
        self._fid = fid
        self._arity = arity
        self._policies = policies
        self._scope = None
        self._async = is_async
        # Every argument converts as itself when it is a plain scalar (no `ref` or `map`
        # policy): such calls may go as binary frames.
        self._plain_args = all(p == "auto" or p == "value" for p in policies)
        # The id as a binary frame carries it (the wire value's is text).
        self._number = int(fid)

    def __call__(self, *args, **kwargs):
        if self._async:
            return get_running_loop().run_in_executor(None, self._hub.invoke, self, args, kwargs)
        return self._hub.invoke(self, args, kwargs)

    def __repr__(self):
        scope = self._scope
        state = "" if scope is not None and scope.live else " (ended)"
        if self._arity is None:
            shape = "any arguments"
        else:
            shape = "%d arguments" % self._arity
        return "<snakebridge Rust callback #%s of %s%s>" % (self._fid, shape, state)


class Hub:
    """The callback calls of one worker: their numbers, their answers, the one reader."""

    def __init__(self, worker):
        self.worker = worker
        # `cond` waits and notifies; its lock is taken as `lock` (a C lock's `with`: the
        # Condition's own `__enter__`/`__exit__` are Python functions, two calls per `with`).
        self.lock = RLock()
        self.cond = Condition(self.lock)
        self.reading = False
        # Threads in `cond.wait()` (see `sleep`): nobody to notify when none, the common case
        # of one thread calling its callbacks, where a notify would be pure cost.
        self.waiters = 0
        self.results = {}  # seq -> (op, fields, problems)
        self.next_seq = 0
        # Live scopes of streams: while there is one, a callback may come from another thread
        # while the serving thread reads, so that one reads under the flag too.
        self.stream_scopes = 0
        # Whether a thread other than the serving one may write to the channel: once a callback
        # was made (any thread may call it) or a task started (the loop thread answers it). Both
        # happen on the serving thread before another thread can write, so until then the
        # serving thread's hot path (`binary_calls.serve`) writes without the write lock.
        self.other_writers = False
        self.serving = get_ident()
        # The worker as each other thread uses it: thread-local, so a thread's view goes when
        # the thread does (a worker serving for weeks meets many short-lived threads).
        self.views = local()

    def make(self, obj):
        """The object over a wire callback ``{"id", "arity", "args"}`` (the converter's hook)."""
        self.other_writers = True
        return RustCallback(
            self, obj["id"], obj.get("arity"), obj.get("args") or (), obj.get("async", False)
        )

    def bind(self, callbacks, mid, stream=False):
        """Binds the callbacks a request's arguments made to the request ``mid``."""
        scope = Scope(mid)
        for cb in callbacks:
            cb._scope = scope
        if stream:
            self.stream_scopes += 1
        return scope

    def end(self, scope, stream=False, abandoned=False):
        """Ends a scope: its callbacks raise from now on. Waits for the calls of it in flight
        (another thread's), unless Rust abandoned it (nobody will answer them: they raise)."""
        with self.lock:
            if not scope.live:
                return
            scope.live = False
            scope.abandoned = abandoned
            if stream:
                self.stream_scopes -= 1
            self.wake()
            while scope.inflight and not abandoned:
                self.sleep()

    def view(self):
        """The worker as this thread runs requests: itself on the serving thread, else a view
        with a converter of its own."""
        ident = get_ident()
        if ident == self.serving:
            return self.worker
        view = getattr(self.views, "worker", None)
        if view is None:
            view = self.worker.for_thread()
            self.views.worker = view
        return view

    def invoke(self, cb, args, kwargs, _get_ident=get_ident, _callback_ok=read_callback_ok,
               _number_frame=number_callback, _int_answer=Struct("<IQBq").unpack,
               _float_answer=Struct("<IQBd").unpack, _len=len):
        """Calls callback ``cb`` in Rust and returns what it returned, or raises what it
        raised."""
        scope = cb._scope
        lock = self.lock
        serving = _get_ident() == self.serving
        lock.acquire()
        try:
            if scope is None or not scope.live:
                raise RuntimeError(_ENDED % (cb,))
            scope.inflight += 1
            self.next_seq += 1
            seq = self.next_seq
            # The serving thread reads the answer itself when nobody else reads (a tight loop
            # of callbacks): the reader's flag taken here, under the same lock.
            reader = serving and not self.reading
            if reader:
                self.reading = True
        finally:
            lock.release()
        # Whether the call was counted out of `scope.inflight` already (its answer read inline).
        settled = False
        try:
            view = self.worker if serving else self.view()
            frame = None
            if cb._plain_args:
                # Plain scalars under a policy that keeps them as they are: a binary frame, in
                # one piece for ints and floats.
                if not kwargs:
                    frame = _number_frame(scope.mid, cb._number, seq, args)
                if frame is None:
                    frame = protocol.binary_callback(scope.mid, cb._number, seq, args, kwargs)
                    if frame is not None:
                        frame = _len(frame).to_bytes(4, "little") + frame
            if frame is None:
                if reader:
                    self.release_reading()
                    reader = False
                self.send_json(view, cb, scope, seq, args, kwargs)
                op, fields, problems = self.wait(view, seq, scope, cb)
            else:
                view.send_whole(frame)
                del frame
                if reader:
                    # The common case, inline: the next frame this callback's plain answer.
                    # Anything else is handled here (a request: the call the closure makes) or
                    # handed on (another thread's answer), and the answer waited for as usual.
                    got = view.channel.read_frame()
                    if got is None:
                        _exit(0)  # Rust closed the channel (as in `wait`)
                    body = got[0]
                    if _len(body) == 21 and body[0] == 0xB4:
                        # A number: (magic and padding as one u32, seq, tag, value).
                        tag = body[12]
                        if tag == 3 or tag == 4:
                            head, answered, tag, value = (
                                _int_answer if tag == 3 else _float_answer)(body)
                            settled = head == 0xB4 and answered == seq
                    # The reader's flag given up (`release_reading`, inline), and the call
                    # counted out under the same lock when that was its answer.
                    lock.acquire()
                    self.reading = reader = False
                    if settled:
                        scope.inflight -= 1
                    if self.waiters:
                        self.cond.notify_all()
                    lock.release()
                    if settled:
                        return value
                    if body[:1] == b"\xb4":
                        fields = _callback_ok(body)
                        if fields[0] == seq:
                            return fields[1]
                        self.answered("callback_ok", fields, ())
                    else:
                        op, fields = self.read_message(view, got)
                        view.handlers[op](fields)
                    del got, body
                op, fields, problems = self.wait(view, seq, scope, cb)
        finally:
            if not settled:
                lock.acquire()
                if reader:
                    self.reading = False
                scope.inflight -= 1
                if self.waiters:
                    self.cond.notify_all()
                lock.release()
        if problems:
            raise RuntimeError(
                "the result of the Rust callback %r could not be read: %s" % (cb, problems[0][1])
            )
        if op == "callback_ok":
            return fields[1]
        _seq, cls, message, exception = fields
        if exception is not None:
            original = self.worker.refs.get(int(exception), None)
            if isinstance(original, BaseException):
                raise original
        raise (TypeError if cls == "TypeError" else RuntimeError)(message)

    def release_reading(self):
        """Gives up the reader's flag (held), waking the threads that wait for it."""
        lock = self.lock
        lock.acquire()
        self.reading = False
        self.wake()
        lock.release()

    def read_message(self, view, got):
        """(op, fields) of a frame read while waiting (``read_frame``'s pair), for its
        handler."""
        frame = got[0]
        if is_binary(frame):
            return read_binary(frame)
        msg = view.converter.decode(frame, got[1])
        return read_to_worker(msg)

    def send_json(self, view, cb, scope, seq, args, kwargs):
        """Sends callback call ``seq`` as a JSON ``callback``: its arguments converted by their
        policies; TypeError when one cannot be."""
        converter = view.converter
        policies = cb._policies
        n = len(policies)
        try:
            wire_args = [
                converter.result(a, policies[i] if i < n else "auto") for i, a in enumerate(args)
            ]
            wire_kwargs = {}
            for k, v in kwargs.items():
                wire_kwargs[k] = converter.result(v, "auto")
        except NotData as e:
            converter.drop_made()
            raise TypeError("an argument of the Rust callback %r: %s" % (cb, e.message)) from None
        # A str with lone surrogates has no UTF-8 form (the encoder would make the message the
        # request's failure): a TypeError here, at the callback's call, as the embedded client
        # raises it.
        named = [("argument %d" % (i + 1), a) for i, a in enumerate(wire_args)]
        named += [("keyword argument `%s`" % k, v) for k, v in wire_kwargs.items()]
        for what, value in named:
            bad = first_unencodable(value)
            if bad is not None:
                converter.drop_made()
                raise TypeError("%s of the Rust callback %r: cannot decode str: "
                                "UnicodeEncodeError: %s" % (what, cb, bad))
        view.send(protocol.callback(scope.mid, cb._fid, seq, wire_args, wire_kwargs))

    def sleep(self):
        """Waits on ``cond`` (held) until notified, counted in ``waiters``."""
        self.waiters += 1
        try:
            self.cond.wait()
        finally:
            self.waiters -= 1

    def wake(self):
        """Notifies the threads waiting on ``cond`` (held), if any."""
        if self.waiters:
            self.cond.notify_all()

    def wait(self, view, seq, scope, cb, _callback_ok=read_callback_ok):
        """The answer to callback call ``seq``: read by this thread or by another reader that
        hands it over. Holding the reading flag, this thread reads one message at a time: the
        answer to ``seq`` is returned, another answer is handed to its waiter, a request (a
        call the Rust closure makes) is run here."""
        lock = self.lock
        while True:
            with lock:
                while True:
                    found = self.results.pop(seq, None)
                    if found is not None:
                        return found
                    if scope.abandoned:
                        raise RuntimeError(_ABANDONED % (cb,))
                    if not self.reading:
                        self.reading = True
                        break
                    self.sleep()
            try:
                got = view.channel.read_frame()
                if got is None:
                    # Rust closed the pipe: it is gone or shutting the pool down.
                    _exit(0)
                if got[0][:1] == b"\xb4":
                    # A plain result, most likely this thread's: returned without a hand-over.
                    fields = _callback_ok(got[0])
                    if fields[0] == seq:
                        return "callback_ok", fields, ()
                    op = "binary_callback_ok"
                else:
                    op, fields = self.read_message(view, got)
                del got
            finally:
                with lock:
                    self.reading = False
                    if self.waiters:
                        self.cond.notify_all()
            view.handlers[op](fields)
            del fields

    def read_shared(self):
        """The next frame for the serving thread's loop while stream callbacks may come from
        other threads: read under the reading flag."""
        lock = self.lock
        with lock:
            while self.reading:
                self.sleep()
            self.reading = True
        try:
            return self.worker.channel.read_frame()
        finally:
            with lock:
                self.reading = False
                self.wake()

    def answered(self, op, fields, problems):
        """An answer read by whoever read it: to its waiter."""
        with self.lock:
            self.results[fields[0]] = (op, fields, problems)
            self.wake()
