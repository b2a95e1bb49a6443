"""Calls, streams and sessions: what the worker does with each message from Rust, and the serve
loop. The request payload's fields are those of Rust's ``Request`` (``wire.rs``,
``write_request_payload``); the call kinds are Rust's ``CallType``."""

from snakebridge_worker import BUILTINS as __builtins__

from asyncio import CancelledError
from os import _exit
from sys import modules
from threading import Lock

from snakebridge_worker import binary_calls, generators, protocol
from snakebridge_worker.awaiting import awaitable, iterate, schedule_task, settle
from snakebridge_worker.callbacks import Hub
from snakebridge_worker.channel import same_process, warn
from snakebridge_worker.convert import Converter, NotData
from snakebridge_worker.exceptions import report
from snakebridge_worker.logs import TASK_CALL, call_name
from snakebridge_worker.protocol import ProtocolError, read_binary, read_to_worker
from snakebridge_worker.refs import STALE_REASON, StaleTarget
from snakebridge_worker.shm import Segments


# User code is called through this function, compiled in the namespace of `__main__`: builtins
# that read their caller's globals (`eval`, `exec`, `globals`, `vars` without arguments) then
# get `__main__`'s, as in a script, instead of this module's, so user code can neither rebind
# the names the machinery uses nor see its private builtins. Its frame is the package's own
# (the file name), so tracebacks leave it out.
_call = eval(
    compile("lambda f, args, kwargs: f(*args, **kwargs)", "snakebridge_worker/<call>", "eval"),
    vars(modules["__main__"]),
)


class Worker:
    """One worker: its channel, its refs, its segments, its converter and its open streams."""

    def __init__(self, channel, refs, segments, converter, kinds):
        self.channel = channel
        self.refs = refs
        self.segments = segments
        self.converter = converter
        # [(name, class)] of the matchable exception kinds, in the order they are tested.
        self.kinds = kinds
        # True in this process only, not in a child user code forks (see `send`).
        self.mine = same_process()
        self.attrs = {}  # (module, name) -> object, resolved once
        # Binary calls' sites (``binary_calls.py``): number -> [module, function, callable or
        # None, call name].
        self.sites = {}
        # The sites whose callable was found: number -> (callable, call name).
        self.resolved = {}
        # stream id -> [iterator, source, credit, policy, session, callback scope or None,
        # the call's name for log records]
        self.streams = {}
        # generator id -> [generator, has send, policy, return value's policy, session]
        self.generators = {}
        # The handler forwarding Python's log records (``logs.py``), or None when Rust takes
        # none (``PoolConfig::python_logging(false)``).
        self.logs = None
        # Rust callbacks: their scopes, their calls in flight, the one reader (callbacks.py).
        self.hub = Hub(self)
        converter.make_callback = self.hub.make
        # Frames are written whole by one thread at a time (a callback may be called from a
        # thread user code started).
        self.write_lock = Lock()
        # Tasks of `call_async` calls on the event loop thread: call id -> its cancel (None
        # while it is being scheduled); `pending` is the task of the call being answered, started
        # once its `awaiting` reply is out (see `on_call`).
        self.tasks = {}
        self.task_lock = Lock()
        self.pending = None
        self.handlers = self.make_handlers()

    def make_handlers(self):
        handlers = {
            "call": self.on_call,
            "stream": self.on_call,
            "credit": self.on_credit,
            "close": self.close_stream,
            "release": self.on_release,
            "close_session": self.on_close_session,
            "generator": lambda fields: generators.on_generator(self, fields),
            "send": lambda fields: generators.on_send(self, fields),
            "log_level": self.on_log_level,
            "callback_ok": self.on_callback_ok,
            "callback_err": self.on_callback_err,
            "cancel": self.on_cancel,
            "binary_call": lambda fields: binary_calls.on_call(self, fields),
            "binary_callback_ok": self.on_binary_callback_ok,
        }
        if handlers.keys() != protocol.TO_WORKER.keys():
            raise ProtocolError("the worker handles %s, the protocol module reads %s"
                                % (sorted(handlers), sorted(protocol.TO_WORKER)))
        return handlers

    def for_thread(self):
        """This worker as another thread runs requests (the calls a Rust callback it called
        makes): the same channel, refs, streams and hub, with a converter and segments of its
        own."""
        view = Worker.__new__(Worker)
        view.__dict__.update(self.__dict__)
        c = self.converter
        view.segments = Segments()
        # Its own current session: the serving thread's calls set theirs meanwhile.
        view.refs = self.refs.facet()
        view.pending = None
        view.converter = Converter(view.refs, view.segments, c.shm_threshold, c.max_nesting,
                                   c.not_data)
        view.converter.make_callback = self.hub.make
        view.handlers = view.make_handlers()
        return view

    def send(self, reply, _exit=_exit):
        # Also sees a child forked below Python (ctypes, C extensions), which no at-fork hook
        # hears of (`channel.same_process`).
        if not self.mine[0]:
            # User code forked and the child came back here: only the worker itself may answer
            # on the channel; the child leaves without a word (and unlinks nothing).
            _exit(0)
        logs = self.logs
        if logs is not None and logs.pending:
            self.flush_logs(logs)
        data, att, size = self.converter.encode(reply)
        # The lock taken by hand, here and below: `with` would make two bound methods a call.
        lock = self.write_lock
        lock.acquire()
        try:
            self.channel.write_frame(data, att, size)
        finally:
            lock.release()

    def send_frame(self, data):
        """Sends a binary message (bytes), as ``send`` sends one (the channel checks the pid:
        a binary message makes no segments to leave behind)."""
        self.send_whole(len(data).to_bytes(4, "little") + data)

    def send_whole(self, frame):
        """Sends a binary message made whole (its length prefix included)."""
        logs = self.logs
        if logs is not None and logs.pending:
            self.flush_logs(logs)
        lock = self.write_lock
        lock.acquire()
        try:
            self.channel.write_whole(frame)
        finally:
            lock.release()

    def flush_logs(self, logs):
        """Sends the records raised outside a call, oldest first."""
        pending = logs.pending
        while pending:
            data, att, size = self.converter.encode(pending.popleft())
            with self.write_lock:
                self.channel.write_frame(data, att, size)

    def exception(self, e):
        return report(e, self.kinds, self.refs.make)

    # ----------------------------------------------------------------------------------------
    # Calls

    def module_attr(self, module, name):
        key = (module, name)
        found = self.attrs.get(key)
        if found is None:
            # `__import__` (not importlib.import_module): import errors then carry no importlib
            # frames, as with the embedded client's C-level import.
            __import__(module)
            found = getattr(modules[module], name)
            self.attrs[key] = found
        return found

    def run(self, req):
        ct = req.get("call_type")
        if ct is None:
            module, name = req.get("python_module", ""), req["function"]
            f = self.attrs.get((module, name))  # resolved before: no call to look it up
            if f is None:
                f = self.module_attr(module, name)
            return _call(f, req["args"], req["kwargs"])
        if ct == "class":
            f = self.module_attr(req.get("python_module", ""), req["class"])
            return _call(f, req["args"], req["kwargs"])
        if ct == "method":
            f = getattr(self.refs.target(req["ref"]), req["method"])
            return _call(f, req["args"], req["kwargs"])
        if ct == "get_attr":
            return getattr(self.refs.target(req["ref"]), req["attr"])
        if ct == "set_attr":
            setattr(self.refs.target(req["ref"]), req["attr"], req["value"])
            return None
        if ct == "module_attr":
            return self.module_attr(req.get("python_module", ""), req["attr"])
        if ct == "class_method":
            cls = self.module_attr(req.get("python_module", ""), req["class"])
            return _call(getattr(cls, req["method"]), req["args"], req["kwargs"])
        raise ProtocolError("unknown call_type %r" % (ct,))

    def problem_reply(self, mid):
        """The reply for a message whose arguments could not be decoded, if any."""
        problems = self.converter.problems
        for what, detail in problems:
            if what == "stale":
                return protocol.stale(mid, str(detail), STALE_REASON)
        for what, detail in problems:
            return protocol.encode(mid, detail)
        return None

    def bind_callbacks(self, mid, stream=False):
        """The scope of the Rust callbacks request ``mid``'s arguments made (None when they made
        none): they live while the call runs (a stream: until it ends or is closed)."""
        callbacks = self.converter.callbacks
        if not callbacks:
            return None
        self.converter.callbacks = []
        return self.hub.bind(callbacks, mid, stream=stream)

    def log_as(self, call):
        """Tags the log records the serving thread raises from now on with ``call`` ((message
        id, request payload or call name), or None); returns the tag it replaces, to put back
        the same way."""
        logs = self.logs
        if logs is None:
            return None
        outer, logs.call = logs.call, call
        return outer

    def on_call(self, fields):
        """A ``call`` or ``stream`` (``window`` not None); a ``task`` call's awaitable result
        runs as a task of the event loop thread, started once its ``awaiting`` reply is out."""
        mid, req, policy, session, release, window, task = fields
        # Only `answer` holds the arguments: once it returns, what references them is the call's.
        fields.clear()
        for rid in release or ():
            self.refs.release(rid)
        # A task's callbacks may be called from the loop thread while this one reads: they are
        # scoped as a stream's are (this thread then reads under the hub's flag).
        scope = self.bind_callbacks(mid, stream=window is not None or task)
        # A call made by a Rust callback runs inside the call that called it: the outer call's
        # session (and log tag) come back after it.
        outer = self.refs.session
        self.refs.session = session
        outer_call = self.log_as((mid, req))
        try:
            reply = self.answer(mid, req, policy, window, scope, task)
        finally:
            self.refs.session = outer
            self.log_as(outer_call)
            if scope is not None and window is None and self.pending is None:
                self.hub.end(scope, stream=task)
        del req
        pending = self.pending
        if not self.segments.mapped:
            pass  # no shared memory in this call (most calls): nothing to check
        elif window is not None or pending is not None:
            # A stream's or a task's arguments live on after this reply.
            self.segments.let_go_of_mapped()
        else:
            free = self.segments.unmap_unused()
            if free:
                protocol.with_free(reply, free)
        self.send(reply)
        if pending is not None:
            self.pending = None
            self.start_task(*pending)

    def answer(self, mid, req, policy, window, scope=None, task=False):
        """Runs a call (or, with a window, opens a stream); returns the reply to send. A
        ``task`` call whose result is awaitable leaves it in ``pending`` and answers
        ``awaiting``."""
        if self.converter.problems:
            reply = self.problem_reply(mid)
            if reply is not None:
                self.end_stream_scope(scope, window)
                return reply
        try:
            result = self.run(req)
            if window is not None:
                iterator, result = iterate(result)
            elif awaitable(result):
                if task:
                    self.pending = (mid, result, policy, self.refs.session, scope, call_name(req))
                    return protocol.awaiting(mid)
                # An `async def` (or any awaitable): its value is the call's result.
                result = settle(result)
        except StaleTarget as e:
            self.end_stream_scope(scope, window)
            return protocol.stale(mid, str(e.rid), STALE_REASON)
        except BaseException as e:  # noqa: BLE001 - every exception goes back to Rust
            self.end_stream_scope(scope, window)
            return protocol.err(mid, self.exception(e))
        if window is not None:
            self.streams[mid] = [
                iterator, result, max(1, int(window)), policy, self.refs.session, scope,
                call_name(req),
            ]
            return protocol.started(mid)
        try:
            value = self.converter.result(result, policy)
        except NotData as e:
            return protocol.decode(mid, e.what, e.message)
        except Exception as e:  # noqa: BLE001
            return protocol.decode(mid, type(result).__name__, str(e))
        return protocol.ok(mid, value)

    # ----------------------------------------------------------------------------------------
    # Tasks (`call_async` of a coroutine)

    def start_task(self, mid, obj, policy, session, scope, name):
        """Runs awaitable ``obj`` (of call ``name``) as a task of the event loop thread, beside
        the others; its answer goes out under ``mid`` when it ends (none when Rust cancelled
        it). The log records its code raises carry its call (``logs.TASK_CALL``)."""
        tasks, lock = self.tasks, self.task_lock
        # The loop thread answers it: writes take the lock from now on.
        self.hub.other_writers = True

        def done(future):
            with lock:
                tasks.pop(mid, None)
            self.task_done(mid, future, policy, session, scope)

        with lock:
            tasks[mid] = None
        # The task runs in a copy of this context: its records are tagged with its call.
        tagged = TASK_CALL.set((mid, name))
        try:
            cancel = schedule_task(obj, done)
        finally:
            TASK_CALL.reset(tagged)
        with lock:
            if mid in tasks:  # not ended already
                tasks[mid] = cancel

    def task_done(self, mid, future, policy, session, scope):
        """Answers a task that ended: on the thread that ended it (the loop's), through that
        thread's view of the worker, in the call's session. A cancelled one answers
        ``CancelledError`` (also when Rust cancelled it: its answer tells Rust the loop is
        alive)."""
        view = self.hub.view()
        refs = view.refs
        outer = refs.session
        refs.session = session
        reply = None
        try:
            if future.cancelled():
                reply = protocol.err(mid, view.exception(CancelledError()))
            else:
                e = future.exception()
                if e is not None:
                    reply = protocol.err(mid, view.exception(e))
                else:
                    result = future.result()
                    try:
                        reply = protocol.ok(mid, view.converter.result(result, policy))
                    except NotData as e:
                        reply = protocol.decode(mid, e.what, e.message)
                    except Exception as e:  # noqa: BLE001
                        reply = protocol.decode(mid, type(result).__name__, str(e))
                    del result
        finally:
            refs.session = outer
            if scope is not None:
                self.hub.end(scope, stream=True)
        if reply is not None:
            view.send(reply)

    def on_cancel(self, fields):
        """Rust dropped the future of a task (or it timed out): cancel it (``CancelledError``
        at its ``await``); nobody waits for its answer."""
        with self.task_lock:
            cancel = self.tasks.pop(fields[0], None)
        if cancel is not None:
            cancel()

    # ----------------------------------------------------------------------------------------
    # Rust callbacks

    def on_callback_ok(self, fields):
        """A callback's result, read by this thread for whichever thread waits for it."""
        self.hub.answered("callback_ok", fields, list(self.converter.problems))

    def on_binary_callback_ok(self, fields):
        """A callback's plain result (a binary frame: nothing decoded, no problems)."""
        self.hub.answered("callback_ok", fields, ())

    def on_callback_err(self, fields):
        """A callback's failure, read by this thread for whichever thread waits for it."""
        self.hub.answered("callback_err", fields, [])

    def end_stream_scope(self, scope, window, abandoned=False):
        """Ends the callbacks of a stream (those of a call end in ``on_call``)."""
        if scope is not None and window is not None:
            self.hub.end(scope, stream=True, abandoned=abandoned)

    # ----------------------------------------------------------------------------------------
    # Streams

    def pump(self):
        """Produces one item of a stream that has credit; False when none has."""
        for sid, s in self.streams.items():
            if s[2] > 0:
                break
        else:
            return False
        iterator, _source, _credit, policy, session, scope, name = s
        outer = self.refs.session
        self.refs.session = session
        # Records the stream's code logs while it makes an item are its call's.
        outer_call = self.log_as((sid, name))
        try:
            try:
                item = next(iterator)
            except StopIteration:
                self.streams.pop(sid, None)  # a callback may have seen it closed
                self.end_stream_scope(scope, True)
                self.send(protocol.end(sid))
                return True
            except BaseException as e:  # noqa: BLE001
                self.streams.pop(sid, None)
                self.end_stream_scope(scope, True)
                self.send(protocol.err(sid, self.exception(e)))
                return True
            try:
                value = self.converter.result(item, policy)
            except NotData as e:
                self.streams.pop(sid, None)
                self.end_stream_scope(scope, True)
                self.send(protocol.decode(sid, e.what, e.message))
                return True
            except Exception as e:  # noqa: BLE001
                self.streams.pop(sid, None)
                self.end_stream_scope(scope, True)
                self.send(protocol.decode(sid, type(item).__name__, str(e)))
                return True
            s[2] -= 1
            self.send(protocol.item(sid, value))
            return True
        finally:
            self.refs.session = outer
            self.log_as(outer_call)

    def on_credit(self, fields):
        sid, n = fields
        s = self.streams.get(sid)
        if s is not None:
            s[2] += int(n)

    def close_stream(self, fields):
        s = self.streams.pop(fields[0], None)
        if s is None:
            generators.close(self, fields[0])
            return
        # Rust dropped the stream: it answers none of its callbacks any more, so they raise
        # (also in the generator's `finally` blocks, which `close` runs).
        self.end_stream_scope(s[5], True, abandoned=True)
        close = getattr(s[1], "close", None)
        if close is not None:
            try:
                close()
            except BaseException as e:  # noqa: BLE001
                warn("closing a Python generator failed: %r" % (e,))

    # ----------------------------------------------------------------------------------------
    # Refs

    def on_release(self, fields):
        for rid in fields[0]:
            self.refs.release(rid)

    def on_close_session(self, fields):
        self.refs.close_session(fields[0])

    def on_log_level(self, fields):
        if self.logs is not None:
            self.logs.set_level(fields[0])

    # ----------------------------------------------------------------------------------------

    def serve(self):
        """Answers messages until Rust closes the request pipe."""
        channel = self.channel
        decode = self.converter.decode
        handlers = self.handlers
        hub = self.hub
        while True:
            if self.streams and not channel.input_pending() and self.pump():
                continue
            # A stream's callback may be waiting on another thread, reading too: take turns.
            got = hub.read_shared() if hub.stream_scopes else channel.read_frame()
            if got is None:
                return
            frame = got[0]
            head = frame[:1]
            if head == b"\xb1":  # a binary call, inline: every request asks
                del got
                binary_calls.serve(self, frame)
                del frame
                continue
            if head == b"\xb4":  # a callback's plain result, for a thread that waits
                op, fields = read_binary(frame)
                del got, frame
                handlers[op](fields)
                continue
            msg = decode(frame, got[1])
            del got, frame
            op, fields = read_to_worker(msg)
            del msg
            handlers[op](fields)
