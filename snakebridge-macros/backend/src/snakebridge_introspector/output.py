"""The answer channel: ONE JSON document on the real stdout, the run's warnings, and the error
document of a failed import or run.

The library being introspected may print, from Python or C: `claim_stdout` makes fd 1 stderr for
the whole run and keeps a private duplicate of the original stdout, which only `answer` writes.
"""

import json
import os
import sys

WARNINGS = []


def claim_stdout():
    """Points fd 1 (and `sys.stdout`) at stderr and returns a duplicate of the original stdout,
    the channel `answer` writes on."""
    real_stdout_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return real_stdout_fd


def warn(msg):
    if len(WARNINGS) < 500:
        WARNINGS.append(msg)


def _error_doc(exc, module):
    import traceback

    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:],
        "module": module,
    }


def answer(real_stdout_fd, doc):
    """Writes `doc` as one line of JSON on `real_stdout_fd` and ends the process."""
    indent = 1 if os.environ.get("SNAKEBRIDGE_INTROSPECT_PRETTY") else None
    data = json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False).encode("utf-8")
    with os.fdopen(real_stdout_fd, "wb") as out:
        out.write(data)
        out.write(b"\n")
        out.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: some extension modules crash or hang at exit, and the answer
    # is already out.
    os._exit(0)
