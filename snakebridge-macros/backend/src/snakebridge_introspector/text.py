"""Text taken from the runtime: docstrings (cleaned, capped) and reprs (without memory
addresses, so that the output is the same on every run)."""

import inspect
import re


# Docstrings are rendered as rustdoc; a few pathological ones (tens of KB) would bloat the cache.
MAX_DOC_CHARS = 20000


_ADDR_RE = re.compile(r" at 0x[0-9a-fA-F]+")


def scrub(text):
    """Removes memory addresses from reprs so the output is the same on every run."""
    return _ADDR_RE.sub("", text)


def clean_doc(doc):
    if not isinstance(doc, str):
        return None
    doc = inspect.cleandoc(doc).strip()
    if not doc:
        return None
    if len(doc) > MAX_DOC_CHARS:
        doc = doc[:MAX_DOC_CHARS].rstrip() + "\n\n[docstring truncated by snakebridge]"
    return doc


def safe_repr(value):
    try:
        text = repr(value)
    except Exception:
        text = "<unrepresentable %s>" % type(value).__name__
    text = scrub(text)
    if len(text) > 200:
        text = text[:200] + "..."
    return text
