"""Python's ``logging`` records and warnings, forwarded to Rust as ``log`` messages, which
``pool/worker/logs.rs`` turns into ``tracing`` events (``PoolConfig::python_logging``).

One handler on the root logger. A record the serving thread raises during a call goes out at
once, tagged with the call's message id and name; one a task raises (a ``call_async``'s
coroutine on the event loop thread: :data:`TASK_CALL` of its context) waits in ``pending``,
tagged with the task's call, and goes out before the worker's next message (the task's answer
at the latest); any other (a thread of user code, start-up, between calls) waits there
untagged.
Rust sets the level (``log_level``) from what its ``tracing`` subscribers take, on the root
logger and the handler, so a level Rust filters out is never even formatted here. Level
:data:`UNSET` (Rust has no subscriber at all) takes the handler off and gives the root logger
its level back: ``logging`` then works as Python has it (warnings on stderr).
"""

from snakebridge_worker import BUILTINS as __builtins__

from collections import deque
from contextvars import ContextVar
from logging import Handler, captureWarnings, getLogger
from threading import get_ident

from snakebridge_worker import protocol

#: A level above every record's (``CRITICAL`` is 50): nothing is forwarded.
OFF = 100
#: No subscriber in Rust: leave ``logging`` alone.
UNSET = 0
#: (message id, call name) of the task whose code runs, in the task's context (set where the
#: task is scheduled: asyncio copies the context into it); None elsewhere.
TASK_CALL = ContextVar("snakebridge_task_call", default=None)


def _name(call):
    """A call's name from what ``Handler.call`` holds: the request payload of a call, or the
    name itself for a stream producing an item."""
    return call if isinstance(call, str) else call_name(call)


def call_name(req):
    """The name of the call ``req`` (a request payload) as Rust's ``Request::display_name``
    spells a function, with its module: ``module.function``, ``module.Class``,
    ``Class.method``, ``<ref>.method``."""
    module = req.get("python_module") or ""
    ct = req.get("call_type")
    if ct is None:
        name = req.get("function")
    elif ct == "method":
        return "<ref>." + str(req.get("method"))
    elif ct in ("get_attr", "set_attr"):
        return "<ref>." + str(req.get("attr"))
    elif ct == "module_attr":
        name = req.get("attr")
    elif ct == "class_method":
        name = "%s.%s" % (req.get("class"), req.get("method"))
    else:
        name = req.get("class")
    return "%s.%s" % (module, name) if module else str(name)


class Forward(Handler):
    """The handler: ``send`` writes a message to Rust (the worker's ``send``)."""

    def __init__(self, level, send):
        Handler.__init__(self, level)
        self.send = send
        #: The root logger's own level, given back when forwarding stops.
        self.root_level = getLogger().level
        self.attached = False
        self.thread = get_ident()
        #: (message id, request payload or call name) of the call (or stream) the serving
        #: thread runs, else None.
        self.call = None
        #: Messages of records raised outside a call, for the worker's next ``send``.
        self.pending = deque()
        self.sending = False

    def emit(self, record, _get_ident=get_ident):
        try:
            # The message, with the traceback of `exc_info` and `stack_info` if any.
            message = self.format(record)
        except Exception:  # noqa: BLE001 - as logging does: a bad record is reported, not raised
            self.handleError(record)
            return
        call = self.call
        if call is not None and not self.sending and _get_ident() == self.thread:
            self.sending = True
            try:
                self.send(
                    protocol.log(call[0], record.name, record.levelno, message, _name(call[1]))
                )
            finally:
                self.sending = False
        else:
            task = TASK_CALL.get()
            if task is not None:
                self.pending.append(
                    protocol.log(task[0], record.name, record.levelno, message, task[1])
                )
            else:
                self.pending.append(protocol.log(0, record.name, record.levelno, message))

    def set_level(self, level):
        """Forwards records from ``level`` on (a Python level number; :data:`OFF` for none,
        :data:`UNSET` to stop forwarding and leave ``logging`` as it was)."""
        root = getLogger()
        if level == UNSET:
            if self.attached:
                root.removeHandler(self)
                root.setLevel(self.root_level)
                captureWarnings(False)
                self.attached = False
            return
        if not self.attached:
            self.root_level = root.level
            root.addHandler(self)
            captureWarnings(True)
            self.attached = True
        self.setLevel(level)
        root.setLevel(level)


def install(level, send):
    """Forwards records of ``level`` and above (and warnings) through ``send`` from now on
    (:data:`UNSET`: once Rust says a level); returns the handler. Start-up only."""
    handler = Forward(level, send)
    handler.set_level(level)
    return handler
