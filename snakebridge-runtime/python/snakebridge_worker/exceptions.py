"""A Python exception as the body of an ``err`` reply: the mirror of the embedded client's
``embedded/exceptions.rs`` (class, message, traceback, the matchable kind found first in the
MRO, and the exception itself kept as a ref)."""

from snakebridge_worker import BUILTINS as __builtins__

from copy import copy as _copy
from traceback import format_exception

from snakebridge_worker.protocol import error

# The file names of the package's code (the bootstrap compiles each module as
# `snakebridge_worker/<module>.py`).
_OWN_FILES = "snakebridge_worker/"


def class_name(t):
    """``module.Qualname`` of an exception class, builtins bare: how errors name classes (the
    embedded client's ``qualified_name``)."""
    module = getattr(t, "__module__", "builtins")
    return t.__qualname__ if module == "builtins" else "%s.%s" % (module, t.__qualname__)


def _detached(e):
    """A copy of exception ``e`` without its traceback (``copy.copy`` keeps the class, the args
    and the attributes), or ``e`` itself when it cannot be copied."""
    try:
        c = _copy(e)
    except Exception:  # noqa: BLE001 - an exception that cannot be rebuilt stays itself
        return e
    if type(c) is not type(e):
        return e
    c.__traceback__ = None
    return c


def _is_own(frame):
    """True for a frame of this package's code."""
    return frame.f_code.co_filename.startswith(_OWN_FILES)


def _plain_traceback(tb, cls, message):
    """The frames of ``tb`` as ``traceback`` prints them, without source lines: made with this
    package's own builtins, when ``traceback`` itself fails."""
    lines = ["Traceback (most recent call last):\n"]
    while tb is not None:
        code = tb.tb_frame.f_code
        lines.append('  File "%s", line %s, in %s\n' % (code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    lines.append("%s: %s\n" % (cls, message))
    return "".join(lines)


# How many exceptions of a chain are kept (as the embedded client's ``MAX_CHAIN``): a chain that
# long is a loop of retries, whose first links say nothing more.
_MAX_CHAIN = 32


def report(e, kinds, make_ref):
    """The ``err`` body of exception ``e``: ``kinds`` is ``[(name, class)]`` of the matchable
    kinds in the order they are tested, ``make_ref`` keeps an object as a ref. Its
    ``__cause__`` and ``__context__`` are bodies of their own inside it (the embedded client's
    ``exception_of``)."""
    return _body(e, kinds, make_ref, True, [])


def _body(e, kinds, make_ref, chain, done):
    """The body of ``e``; ``chain`` keeps the chain's text in its traceback (the top exception),
    ``done`` is ``[[exception, body]]`` of the chain so far (``body`` None while it is being
    made), so an exception met twice is reported once and a loop ends."""
    at = len(done)
    done.append([e, None])
    t = type(e)
    try:
        message = str(e)
    except Exception:  # noqa: BLE001
        message = "<unprintable exception>"
    tb = e.__traceback__
    # The worker's own frames are not the caller's business (the embedded client has none).
    while tb is not None and _is_own(tb.tb_frame):
        tb = tb.tb_next
    try:
        text = "".join(format_exception(t, e, tb, chain=chain))
    except Exception:  # noqa: BLE001 - `traceback` needs the builtins user code may have broken
        text = _plain_traceback(tb, class_name(t), message)
    kind = "Other"
    for name, k in kinds:
        if isinstance(e, k):
            kind = name
            break
    mro = [class_name(c) for c in getattr(t, "__mro__", ())]
    # The exception stays here as a ref (its attributes, a context manager's __exit__), as a
    # copy without the traceback: the frames' locals (arrays, segments) are not kept by the
    # Rust error, and the raised object (which user code may hold) is not touched.
    try:
        ref = make_ref(_detached(e))
    except Exception:  # noqa: BLE001 - a ref is a convenience, the error is what matters
        ref = None

    def link(attr):
        nxt = getattr(e, attr, None)
        if nxt is None:
            return None
        for seen, body in done:
            if seen is nxt:
                return body
        if len(done) >= _MAX_CHAIN:
            return None
        return _body(nxt, kinds, make_ref, False, done)

    cause = link("__cause__")
    context = link("__context__")
    out = error(class_name(t), kind, message, text, mro, ref, cause, context)
    done[at][1] = out
    return out
