"""Calls that log through Python's ``logging`` and ``warnings`` (tests/python_logging.rs)."""

import logging
import warnings

log = logging.getLogger("snakebridge_logs")


def warn_and_add(a, b):
    log.warning("adding %d and %d", a, b)
    return a + b


def levels():
    """Python's side of the filter: the root logger's level, and whether an INFO record of
    this module's logger would even be made."""
    log.info("an info record")
    return [logging.getLogger().getEffectiveLevel(), log.isEnabledFor(logging.INFO)]


def warn_once():
    warnings.warn("warn_once is going away", UserWarning)
    return 1


def root_handlers():
    """How many handlers the root logger has."""
    return len(logging.getLogger().handlers)


def counting(n):
    """A generator that logs as it makes each item (a stream's records are its call's)."""
    for i in range(n):
        log.warning("item %d", i)
        yield i
