"""Whole frames off a pipe (``PROTOCOL.md``, Frames: a 4-byte little-endian length, bit 31 set
when a second length of attachments follows), read unparsed so they can be relayed, and where
a frame's JSON lies in it."""

from os import read, write

#: Set in a frame's length when attachments follow its JSON.
ATTACHMENTS = 1 << 31


def read_exact(fd, n):
    """``n`` bytes from ``fd``, or None at EOF."""
    parts = []
    while n:
        chunk = read(fd, min(n, 1 << 24))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts) if len(parts) != 1 else parts[0]


def read_frame(fd):
    """The next whole frame (its headers included), or None at EOF."""
    head = read_exact(fd, 4)
    if head is None:
        return None
    length = int.from_bytes(head, "little")
    if length & ATTACHMENTS:
        second = read_exact(fd, 4)
        if second is None:
            return None
        head += second
        length = (length & ~ATTACHMENTS) + int.from_bytes(second, "little")
    body = read_exact(fd, length) if length else b""
    if body is None:
        return None
    return head + body


def json_part(frame):
    """``(start, end)`` of a JSON frame's JSON (its attachments follow it), or None for a
    binary frame (its first byte 0xB0-0xBF)."""
    head = int.from_bytes(frame[:4], "little")
    if head & ATTACHMENTS:
        start, length = 8, head & ~ATTACHMENTS
    else:
        start, length = 4, head
    if length and 0xB0 <= frame[start] <= 0xBF:
        return None
    return start, start + length


def write_all(fd, data):
    """Writes all of ``data`` (a pipe takes it in pieces)."""
    view = memoryview(data)
    while view:
        n = write(fd, view)
        view = view[n:]
