"""The protocol's binary frames: the mirror of Rust's ``client/binary_wire.rs`` (the compact
binary form of plain values) and ``pool/protocol/binary.rs`` (the binary ``call``, ``ok``,
``callback`` and ``callback_ok``). A call whose arguments are all plain data (None, bool, int
within i64, float, str, bytes, and lists or tuples of them) comes without JSON, and a plain
result (None, bool, int within i64, float, str) goes back the same way; so do a Rust callback's
plain arguments (the same scalars, and bytes) and its plain result. The values are exactly those
the JSON form would give. The layout is in ``PROTOCOL.md`` ("Binary frames")."""

from snakebridge_worker import BUILTINS as __builtins__

from struct import Struct, error as StructError

#: The first byte of a binary call (Rust -> worker) and of a binary ok (worker -> Rust).
CALL = 0xB1
OK = 0xB2
#: The first byte of a binary callback (worker -> Rust) and of its answer (Rust -> worker).
CALLBACK = 0xB3
CALLBACK_OK = 0xB4
#: A binary call's flags: a session id follows the header; the site's names follow.
HAS_SESSION = 1
HAS_NAMES = 2
#: A binary call's flag: the call is a task (``call_async``; the JSON call's ``"task": true``).
IS_TASK = 4
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
_CALLBACK_HEAD = Struct("<BBBBIQQQB")  # with the count of positional arguments
_CALLBACK_OK_HEAD = Struct("<BBBBQ")
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


def read_arguments(frame, at, what, _u16=_U16.unpack_from, _read=read_value, _len=len):
    """(args, kwargs) of the arguments from ``frame[at]`` to the frame's end (a u8 count and
    the values, a u8 count and the (u16-long name, value) pairs) of ``what``."""
    n = frame[at]
    at += 1
    args = []
    for _ in range(n):
        value, at = _read(frame, at)
        args.append(value)
    n = frame[at]
    at += 1
    kwargs = {}
    for _ in range(n):
        size = _u16(frame, at)[0]
        name = str(frame[at + 2 : at + 2 + size], "utf-8")
        kwargs[name], at = _read(frame, at + 2 + size)
    if at != _len(frame):
        raise BinaryError("%d bytes after %s's arguments" % (_len(frame) - at, what))
    return args, kwargs


def read_call(frame, _head=_CALL_HEAD.unpack_from, _u64=_U64.unpack_from,
              _u32=_U32.unpack_from, _u16=_U16.unpack_from, _read=read_value):
    """[id, request, policy, session, release, site, names, args, kwargs, task] of a binary
    call (``names`` (module, function) or None; ``release`` a list of ref ids; ``task`` a
    bool)."""
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
    args, kwargs = read_arguments(frame, at, "a binary call")
    try:
        policy = POLICIES[policy]
    except IndexError:
        raise BinaryError("unknown return policy %d" % policy) from None
    return [mid, request, policy, session, release, site, names, args, kwargs,
            bool(flags & IS_TASK)]


def scalar(value, _i64=_I64.pack, _f64=_F64.pack, _u32=_U32.pack, _len=len):
    """The binary form of a plain scalar (None, bool, int within i64, float, str, bytes), or
    None when ``value`` is none of those (it goes as JSON)."""
    t = type(value)
    if t is int:
        if not I64_MIN <= value <= I64_MAX:
            return None
        return b"\x03" + _i64(value)
    if t is float:
        return b"\x04" + _f64(value)
    if t is str:
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates: the JSON form says what becomes of them
        return b"\x05" + _u32(_len(raw)) + raw
    if value is None:
        return b"\x00"
    if t is bool:
        return b"\x02" if value else b"\x01"
    if t is bytes:
        return b"\x06" + _u32(_len(value)) + value
    return None


def write_ok(mid, value, request=0, _head=_OK_HEAD.pack, _scalar=scalar):
    """A binary ok of ``value`` for message ``mid``, or None when the value has no binary
    result form (it goes as a JSON ``ok``; bytes do too, as the JSON call's result would)."""
    if type(value) is bytes:
        return None
    body = _scalar(value)
    if body is None:
        return None
    return _head(OK, 0, 0, 0, request, mid) + body


def write_callback(mid, fid, seq, args, kwargs, request=0, _head=_CALLBACK_HEAD.pack,
                   _int_arg=Struct("<Bq").pack, _float_arg=Struct("<Bd").pack, _scalar=scalar,
                   _u16=_U16.pack, _type=type, _len=len, _int=int, _float=float):
    """A binary callback: Python called Rust callback ``fid`` (call ``seq``) during request
    ``mid`` with ``args`` and ``kwargs`` (a dict); None when an argument is not a plain scalar
    (a JSON ``callback`` then). Ints and floats, what numeric callbacks take, are written in
    place."""
    n = _len(args)
    if n > 255 or _len(kwargs) > 255:
        return None
    out = _head(CALLBACK, 0, 0, 0, request, mid, fid, seq, n)
    for value in args:
        t = _type(value)
        if t is _float:
            out += _float_arg(FLOAT, value)
        elif t is _int and I64_MIN <= value <= I64_MAX:
            out += _int_arg(INT, value)
        else:
            body = _scalar(value)
            if body is None:
                return None
            out += body
    if not kwargs:
        return out + b"\x00"
    out += bytes((_len(kwargs),))
    for name, value in kwargs.items():
        body = _scalar(value)
        if body is None:
            return None
        try:
            raw = name.encode("utf-8")
        except UnicodeEncodeError:
            return None
        if _len(raw) > 0xFFFF:
            return None
        out += _u16(_len(raw)) + raw + body
    return out


#: Whole binary callback frames (their length prefix included) of calls whose arguments are
#: ints and floats, by the arguments' types: the packer of each (``_callback_packer``), or False
#: for types that are not all ints and floats. Filled as shapes come, up to 64.
_CALLBACK_SHAPES = {}
_MAX_CALLBACK_SHAPES = 64


def _callback_packer(types):
    """A function ``(mid, fid, seq, args)`` -> the whole frame, for positional arguments of
    ``types`` (at most 8 ints and floats, then no keywords), its tags and header constants
    written into its code; False for any other ``types``."""
    if len(types) > 8 or any(t is not int and t is not float for t in types):
        return False
    whole = Struct("<IBBBBIQQQB" + "".join("Bq" if t is int else "Bd" for t in types) + "B")
    values = "".join(
        ", %d, a[%d]" % (INT if t is int else FLOAT, i) for i, t in enumerate(types)
    )
    source = "lambda mid, fid, seq, a: pack(%d, %d, 0, 0, 0, 0, mid, fid, seq, %d%s, 0)" % (
        whole.size - 4, CALLBACK, len(types), values)
    return eval(source, {"pack": whole.pack})


def number_callback(mid, fid, seq, args, _shapes=_CALLBACK_SHAPES, _tuple=tuple, _map=map,
                    _type=type, _overflow=StructError):
    """What ``write_callback`` writes for positional ``args`` that are all ints (within i64)
    and floats, with its length prefix, in one ``pack``: the frame of a numeric callback. None
    for any other arguments."""
    types = _tuple(_map(_type, args))
    pack = _shapes.get(types)
    if pack is None:
        pack = _callback_packer(types)
        if len(_shapes) < _MAX_CALLBACK_SHAPES:
            _shapes[types] = pack
    if not pack:
        return None
    try:
        return pack(mid, fid, seq, args)
    except _overflow:  # an int beyond i64
        return None


def read_callback(frame):
    """(id, fn, seq, args, kwargs, request) of a binary callback (the agreement test reads
    the corpus with it)."""
    magic, a, b, c, request, mid, fid, seq, _n = _CALLBACK_HEAD.unpack_from(frame, 0)
    if (magic, a, b, c) != (CALLBACK, 0, 0, 0):
        raise BinaryError("not a binary callback")
    # The arguments start with their count, the head's last byte.
    args, kwargs = read_arguments(frame, _CALLBACK_HEAD.size - 1, "a binary callback")
    return mid, fid, seq, args, kwargs, request


def read_callback_ok(frame, _head=_CALLBACK_OK_HEAD.unpack_from, _read=read_value,
                     _number=Struct("<BBBBQBq").unpack, _float=Struct("<BBBBQBd").unpack,
                     _len=len):
    """[seq, value] of a binary callback_ok: what Rust callback call ``seq`` returned (an int
    or a float, what numeric callbacks return, read in one piece)."""
    if _len(frame) == 21:
        tag = frame[12]
        if tag == INT:
            magic, a, b, c, seq, _tag, value = _number(frame)
        elif tag == FLOAT:
            magic, a, b, c, seq, _tag, value = _float(frame)
        else:
            magic = None
        if magic == CALLBACK_OK and not (a or b or c):
            return [seq, value]
    magic, a, b, c, seq = _head(frame, 0)
    if magic != CALLBACK_OK or a or b or c:
        raise BinaryError("not a binary callback_ok")
    value, at = _read(frame, 12)
    if at != _len(frame):
        raise BinaryError("%d bytes after a binary callback_ok's value" % (_len(frame) - at))
    return [seq, value]


def read_ok(frame):
    """(id, value, request) of a binary ok (the agreement test reads the corpus with it)."""
    magic, a, b, c, request, mid = _OK_HEAD.unpack_from(frame, 0)
    if (magic, a, b, c) != (OK, 0, 0, 0):
        raise BinaryError("not a binary ok")
    value, at = read_value(frame, 16)
    if at != len(frame):
        raise BinaryError("%d bytes after a binary ok's value" % (len(frame) - at))
    return mid, value, request
