"""The protocol's binary frames: the mirror of Rust's ``client/binary_wire.rs`` (the compact
binary form of plain values) and ``pool/protocol/binary.rs`` (the binary ``call`` and ``ok``).
A call whose arguments are all plain data (None, bool, int within i64, float, str, bytes, and
lists or tuples of them) comes without JSON, and a plain result (None, bool, int within i64,
float, str) goes back the same way; the values are exactly those the JSON form would give. The
layout is in ``PROTOCOL.md`` ("Binary frames")."""

from snakebridge_worker import BUILTINS as __builtins__

from struct import Struct

#: The first byte of a binary call (Rust -> worker) and of a binary ok (worker -> Rust).
CALL = 0xB1
OK = 0xB2
#: A binary call's flags: a session id follows the header; the site's names follow.
HAS_SESSION = 1
HAS_NAMES = 2
#: The return policies by their number.
POLICIES = ("auto", "value", "ref", "ref_or_none", "map")
#: Value tags.
NONE, FALSE, TRUE, INT, FLOAT, STR, BYTES, LIST, TUPLE = range(9)
#: How deep lists and tuples nest in the binary form.
MAX_DEPTH = 8
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1

_CALL_HEAD = Struct("<BBBBIQI")
_OK_HEAD = Struct("<BBBBIQ")
_I64 = Struct("<q")
_F64 = Struct("<d")
_U64 = Struct("<Q")
_U32 = Struct("<I")
_U16 = Struct("<H")


class BinaryError(Exception):
    """A binary message this side cannot read: the two sides disagree."""


def read_value(buf, at, depth=0, _i64=_I64.unpack_from, _f64=_F64.unpack_from,
               _u32=_U32.unpack_from, _len=len):
    """(value, next offset) of the value at ``buf[at]``."""
    tag = buf[at]
    at += 1
    if tag == INT:
        return _i64(buf, at)[0], at + 8
    if tag == FLOAT:
        return _f64(buf, at)[0], at + 8
    if tag == STR or tag == BYTES:
        n = _u32(buf, at)[0]
        at += 4
        end = at + n
        if end > _len(buf):
            raise BinaryError("a value cut short")
        raw = buf[at:end]
        return (str(raw, "utf-8") if tag == STR else bytes(raw)), end
    if tag == NONE:
        return None, at
    if tag == TRUE:
        return True, at
    if tag == FALSE:
        return False, at
    if tag == LIST or tag == TUPLE:
        if depth >= MAX_DEPTH:
            raise BinaryError("lists nested deeper than %d" % MAX_DEPTH)
        n = _u32(buf, at)[0]
        at += 4
        items = []
        for _ in range(n):
            item, at = read_value(buf, at, depth + 1)
            items.append(item)
        return (items if tag == LIST else tuple(items)), at
    raise BinaryError("unknown value tag %#04x" % tag)


def read_call(frame, _head=_CALL_HEAD.unpack_from, _u64=_U64.unpack_from,
              _u32=_U32.unpack_from, _u16=_U16.unpack_from, _read=read_value):
    """[id, request, policy, session, release, site, names, args, kwargs] of a binary call
    (``names`` (module, function) or None; ``release`` a list of ref ids)."""
    magic, policy, flags, zero, request, mid, site = _head(frame, 0)
    if magic != CALL or zero:
        raise BinaryError("not a binary call")
    at = 20
    session = None
    if flags & HAS_SESSION:
        session = _u64(frame, at)[0]
        at += 8
    names = None
    if flags & HAS_NAMES:
        n = _u16(frame, at)[0]
        module = str(frame[at + 2 : at + 2 + n], "utf-8")
        at += 2 + n
        n = _u16(frame, at)[0]
        function = str(frame[at + 2 : at + 2 + n], "utf-8")
        at += 2 + n
        names = (module, function)
    n = _u32(frame, at)[0]
    at += 4
    release = [_u64(frame, at + 8 * i)[0] for i in range(n)]
    at += 8 * n
    nargs = frame[at]
    at += 1
    args = []
    for _ in range(nargs):
        value, at = _read(frame, at)
        args.append(value)
    nk = frame[at]
    at += 1
    kwargs = {}
    for _ in range(nk):
        n = _u16(frame, at)[0]
        name = str(frame[at + 2 : at + 2 + n], "utf-8")
        kwargs[name], at = _read(frame, at + 2 + n)
    if at != len(frame):
        raise BinaryError("%d bytes after a binary call's arguments" % (len(frame) - at))
    try:
        policy = POLICIES[policy]
    except IndexError:
        raise BinaryError("unknown return policy %d" % policy) from None
    return [mid, request, policy, session, release, site, names, args, kwargs]


def write_ok(mid, value, request=0, _head=_OK_HEAD.pack, _i64=_I64.pack, _f64=_F64.pack,
             _u32=_U32.pack, _len=len):
    """A binary ok of ``value`` for message ``mid``, or None when the value has no binary
    result form (it goes as a JSON ``ok``)."""
    t = type(value)
    if t is int:
        if not I64_MIN <= value <= I64_MAX:
            return None
        body = b"\x03" + _i64(value)
    elif t is float:
        body = b"\x04" + _f64(value)
    elif t is str:
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates: the JSON form says what becomes of them
        body = b"\x05" + _u32(_len(raw)) + raw
    elif value is None:
        body = b"\x00"
    elif t is bool:
        body = b"\x02" if value else b"\x01"
    else:
        return None
    return _head(OK, 0, 0, 0, request, mid) + body


def read_ok(frame):
    """(id, value, request) of a binary ok (the agreement test reads the corpus with it)."""
    magic, a, b, c, request, mid = _OK_HEAD.unpack_from(frame, 0)
    if (magic, a, b, c) != (OK, 0, 0, 0):
        raise BinaryError("not a binary ok")
    value, at = read_value(frame, 16)
    if at != len(frame):
        raise BinaryError("%d bytes after a binary ok's value" % (len(frame) - at))
    return mid, value, request
