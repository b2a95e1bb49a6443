"""Python objects to wire values and back: the mirror of ``wire.rs`` (the JSON form of values,
tagged with ``"__type__"``; arrays inline, as attachments or in shared memory). The conversions
follow the embedded client's (``embedded/convert.rs``) exactly: the same return policies, numpy
scalars through ``.item()``, cycles and depth reported with the path into the value."""

from snakebridge_worker import BUILTINS as __builtins__

from binascii import a2b_base64, b2a_base64
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import time as _time
from json import JSONDecoder
from math import isfinite, isnan
from sys import modules

from snakebridge_worker.channel import warn
from snakebridge_worker.rules import KeyedDataError, carries_array, items_kind, keyed_data
from snakebridge_worker.shm import OBJECTS

try:
    from _json import encode_basestring as _encode_str
    from _json import make_encoder as _make_encoder
except ImportError:  # pragma: no cover - a Python without json's C accelerator
    _make_encoder = None

TAG = "__type__"
_TAG_KEY = b'"__type__"'
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1

# numpy (kind, itemsize) -> the dtype's name on the wire.
DTYPES = {
    ("b", 1): "bool",
    ("i", 1): "int8",
    ("i", 2): "int16",
    ("i", 4): "int32",
    ("i", 8): "int64",
    ("u", 1): "uint8",
    ("u", 2): "uint16",
    ("u", 4): "uint32",
    ("u", 8): "uint64",
    ("f", 2): "float16",
    ("f", 4): "float32",
    ("f", 8): "float64",
    ("c", 8): "complex64",
    ("c", 16): "complex128",
}
_DTYPE_NAMES = frozenset(DTYPES.values())
# Results `_convert` turns into themselves (or a tagged int) without walking anything.
_PLAIN = frozenset((bool, int, float, str))
# Attachments start at multiples of this many bytes from the first.
_ATTACHMENT_ALIGN = 16


class NoNumpy(Exception):
    """An array travelled but numpy is not installed in the worker's Python."""


class NotData(Exception):
    """A value asked for by value is not plain data (a ``decode`` reply)."""

    def __init__(self, what, message):
        super().__init__(message)
        self.what = what
        self.message = message


def numpy():
    """The numpy module (imported if needed); NoNumpy without it."""
    np = modules.get("numpy")
    if np is not None:
        return np
    try:
        import numpy as np
    except ImportError as e:
        raise NoNumpy(
            "passing an array needs numpy in the worker's Python (pip install numpy): %s" % e
        ) from None
    return np


def _where(path):
    """`[0][2]` for a path of indices, "the top" for none."""
    return "".join("[%d]" % n for n in path) or "the top"


def _fmt_time(h, m, s, us, offset):
    out = "%02d:%02d:%02d" % (h, m, s)
    if us:
        out += ".%06d" % us
    if offset is not None:
        sign = "-" if offset < 0 else "+"
        a = abs(offset)
        out += "%s%02d:%02d" % (sign, a // 3600, (a % 3600) // 60)
        if a % 60:
            out += ":%02d" % (a % 60)
    return out


def _offset(obj):
    if obj.tzinfo is None:
        return None
    off = obj.utcoffset()
    if off is None:
        return None
    return round(off.total_seconds())


def _float(x):
    if isfinite(x):
        return x
    if isnan(x):
        return {TAG: "float", "value": "nan"}
    return {TAG: "float", "value": "inf" if x > 0 else "-inf"}


def _not_json(obj):
    raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)


def first_unencodable(value):
    """The UnicodeEncodeError of the first str in a wire value (keys before values, in order)
    that has no UTF-8 form, or None."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError as e:
                return e
        elif t is dict:
            for pair in reversed(list(v.items())):
                stack.append(pair[1])
                stack.append(pair[0])
        elif t is list or t is tuple:
            stack.extend(reversed(v))
    return None


def _plain_reply(reply):
    """The JSON of ``{"id": n, "ok": v}`` for an int or float ``v`` without the encoder (the
    reply of most scalar calls), else None. Floats here are finite (`_float` tags the others),
    and their repr is the JSON the encoder writes."""
    if len(reply) != 2:
        return None
    v = reply.get("ok", reply)
    t = type(v)
    if t is int:
        return b'{"id":%d,"ok":%d}' % (reply["id"], v)
    if t is float:
        return b'{"id":%d,"ok":%s}' % (reply["id"], float.__repr__(v).encode("ascii"))
    return None


class Converter:
    """Values both ways for one worker: wire values from Rust into Python objects (``decode``,
    through the JSON decoder's hook) and Python objects into wire values (``result``), with the
    worker's refs and shared-memory segments."""

    def __init__(self, refs, segments, shm_threshold, max_nesting, not_data):
        self.refs = refs
        self.segments = segments
        self.shm_threshold = shm_threshold
        self.max_nesting = max_nesting
        self.not_data = not_data
        # What decoding the current message's arguments ran into: ("stale", ref id) or
        # ("encode", message); reported instead of running the call.
        self.problems = []
        # The Rust callbacks the current message's arguments hold (``callbacks.Hub.make``
        # makes them; the worker binds them to the call).
        self.callbacks = []
        self.make_callback = None
        self.attachments = b""  # of the frame being decoded
        self.out_att = []  # the attachments of the message being made
        self.out_len = 0
        # Made once: json.loads with options builds a new decoder per call. Their C scanners
        # are what runs (`scan_once`), bound now.
        self.scan_tagged = JSONDecoder(object_hook=self.hook).scan_once
        # For frames without a tagged object (most calls): no Python hook per JSON object.
        self.scan_plain = JSONDecoder().scan_once
        # json's C encoder itself, made once: `JSONEncoder.encode` is Python that looks up
        # `isinstance` and friends at run time, in builtins user code may have patched.
        if _make_encoder is not None:
            self.dump = _make_encoder(None, _not_json, _encode_str, None, ":", ",", False, False, True)
        else:  # pragma: no cover
            from json import JSONEncoder

            encoder = JSONEncoder(separators=(",", ":"), ensure_ascii=False)
            self.dump = lambda obj, _level: (encoder.encode(obj),)
        # The walk of the value being converted: the containers being converted (to notice
        # cycles) and the index taken in each (to say where), as in the embedded client.
        self.ancestors = []
        self.ancestor_ids = set()
        self.path = []

    # ------------------------------------------------------------------------------------------
    # Frames

    def decode(self, frame, attachments):
        """A frame's message (its arguments decoded, ``problems`` noted). Rust's encoder writes
        the tag key literally (never with escapes), so a frame without it has no tagged object:
        the plain scanner then skips the Python hook per JSON object."""
        self.problems = []
        self.callbacks = []
        self.attachments = attachments
        try:
            scan = self.scan_tagged if _TAG_KEY in frame else self.scan_plain
            text = frame.decode("utf-8")
            try:
                msg, end = scan(text, 0)
            except StopIteration:
                end = -1
            if end != len(text):
                # Not one JSON value: the decoder says where and why.
                return JSONDecoder().decode(text)
            return msg
        finally:
            self.attachments = b""  # the arrays over them keep what they use

    def encode(self, reply):
        """The JSON bytes of a message to Rust and its attachments: ``(data, att, size)``."""
        try:
            data = _plain_reply(reply)
            if data is None:
                data = "".join(self.dump(reply, 0)).encode("utf-8")
        except UnicodeEncodeError:
            # A str with lone surrogates has no UTF-8 form (the embedded client cannot take it
            # into a Rust String either): said of the str itself, as the embedded client does.
            bad = first_unencodable(reply)
            self.drop_made()
            message = "UnicodeEncodeError: %s" % (bad,)
            reply = {"id": reply.get("id"), "decode": {"what": "str", "message": message}}
            data = "".join(self.dump(reply, 0)).encode("utf-8", "backslashreplace")
        # The segments the message names are Rust's to unlink from here on.
        self.segments.made = []
        att, size = self.out_att, self.out_len
        self.out_att, self.out_len = [], 0
        return data, att, size

    # ------------------------------------------------------------------------------------------
    # Wire values -> Python objects (the decoder's object hook: children are already decoded)

    def hook(self, obj):
        tag = obj.get(TAG)
        if tag is None:
            return obj
        try:
            if tag == "ref":
                rid = int(obj["id"])
                found = self.refs.get(rid, self)
                if found is self:
                    self.problems.append(("stale", rid))
                    return None
                return found
            if tag == "int":
                return int(obj["value"])
            if tag == "float":
                return float(obj["value"])
            if tag in ("binary", "bytes"):
                return a2b_base64(obj["data"])
            if tag == "tuple":
                return tuple(obj["elements"])
            if tag == "set":
                return set(obj["elements"])
            if tag == "frozenset":
                return frozenset(obj["elements"])
            if tag == "dict":
                out = {}
                for k, v in obj["items"]:
                    out[k] = v
                return out
            if tag == "datetime":
                return _datetime.fromisoformat(obj["value"])
            if tag == "date":
                return _date.fromisoformat(obj["value"])
            if tag == "time":
                return _time.fromisoformat(obj["value"])
            if tag == "complex":
                return complex(obj["real"], obj["imag"])
            if tag == "ndarray":
                return self.decode_array(obj)
            if tag == "callback" and self.make_callback is not None:
                cb = self.make_callback(obj)
                self.callbacks.append(cb)
                return cb
            self.problems.append(("encode", "unknown `__type__` `%s`" % tag))
        except NoNumpy as e:
            self.problems.append(("encode", str(e)))
        except Exception as e:  # noqa: BLE001 - reported to Rust as an encode error
            self.problems.append(("encode", "%s: %s" % (type(e).__name__, e)))
        return None

    def decode_array(self, obj):
        """A read-only numpy array over the wire array's bytes (no copy of a mapped segment)."""
        np = numpy()
        name = obj["dtype"]
        if name not in _DTYPE_NAMES:
            raise ValueError("`%s` is not a dtype snakebridge arrays carry" % (name,))
        dtype = np.dtype(name)
        shape = tuple(int(d) for d in obj["shape"])
        count = 1
        for d in shape:
            count *= d
        key = obj.get("obj")
        if key is not None:
            # Ray: the array itself, from the object store on this node (no copy, read-only).
            arr = OBJECTS.pop(key, None)
            if arr is None or arr.dtype != dtype or arr.shape != shape:
                raise ValueError("object `%s` is not a %s array of shape %s here" % (key, name, shape))
            return arr
        segment = obj.get("shm")
        if segment is not None and count:
            offset = int(obj.get("offset", 0))
            if offset < 0 or offset % dtype.itemsize:
                raise ValueError(
                    "offset %d into segment `%s` is not one of %s elements"
                    % (offset, segment, dtype.name)
                )
            mm = self.segments.mapping(segment, offset + count * dtype.itemsize)
            # The array's base is the mapping itself, and every view of it has the array or
            # the mapping as its base (numpy collapses chains of views): what
            # `Segments.unmap_unused` counts on.
            arr = np.ndarray(shape, dtype=dtype, buffer=mm, offset=offset)
            self.segments.keep_array(segment, mm, arr)
            return arr
        att = obj.get("att")
        if segment is not None:
            data = b""
        elif att is not None:
            offset, length = int(att[0]), int(att[1])
            if (
                length != count * dtype.itemsize
                or offset < 0
                or offset + length > len(self.attachments)
            ):
                raise ValueError("attachment %r does not hold %d %s elements" % (att, count, name))
            # Read-only (a view of bytes), like every array from Rust; no copy.
            data = memoryview(self.attachments)[offset : offset + length]
        else:
            data = a2b_base64(obj["data"])
        return np.frombuffer(data, dtype=dtype, count=count).reshape(shape)

    # ------------------------------------------------------------------------------------------
    # numpy arrays asked for by value (the embedded client's `array_from_py`)

    def encode_array(self, np, arr):
        dt = arr.dtype
        name = None
        if dt.isnative and dt.fields is None and dt.subdtype is None:
            name = DTYPES.get((dt.kind, dt.itemsize))
        if name is None:
            # object, str, datetime, byte-swapped, ...: plain values, element by element.
            return self.convert(arr.tolist(), True)
        shape = [int(d) for d in arr.shape]
        nbytes = int(arr.nbytes)
        if nbytes and nbytes >= self.shm_threshold:
            try:
                if self.segments.objects is not None:
                    # Ray: into the object store; the driver hands it on in a segment.
                    key = self.segments.put_object(arr)
                    return {TAG: "ndarray", "dtype": name, "shape": shape, "obj": key}
                segment = self.segments.write_array(np, arr)
                return {TAG: "ndarray", "dtype": name, "shape": shape, "shm": segment}
            except OSError as e:
                warn("cannot put an array in shared memory (%s); sending it inline" % (e,))
        if not nbytes:
            return {TAG: "ndarray", "dtype": name, "shape": shape, "data": ""}
        return {TAG: "ndarray", "dtype": name, "shape": shape, "att": self.attach(arr)}

    def attach(self, arr):
        """Puts the C-order bytes of ``arr`` in the attachments of the message being made (no copy
        of a C-contiguous array until it is written); returns [offset, length]."""
        pad = -self.out_len % _ATTACHMENT_ALIGN
        if pad:
            self.out_att.append(bytes(pad))
            self.out_len += pad
        data = memoryview(arr).cast("B") if arr.flags.c_contiguous else arr.tobytes()
        at = [self.out_len, len(data)]
        self.out_att.append(data)
        self.out_len += len(data)
        return at

    # ------------------------------------------------------------------------------------------
    # Python objects -> wire values (the embedded client's `from_py`)

    def result(self, obj, policy):
        """The wire value of a call's result (or a stream's item) under its return policy;
        NotData when it cannot be the value asked for."""
        if policy == "ref":
            return self.refs.make(obj)
        if policy == "ref_or_none":
            return None if obj is None else self.refs.make(obj)
        # The result of most typed calls, without the walk: an exact float or int converts to
        # itself under every other policy (a map of one is not keyed data).
        t = type(obj)
        if t is float and isfinite(obj):
            return obj
        if t is int and I64_MIN <= obj <= I64_MAX:
            return obj
        if policy == "map":
            try:
                keyed = keyed_data(obj)
            except KeyedDataError as e:
                raise NotData(e.what, e.message) from None
            if keyed is not None:
                obj = keyed
            policy = "value"
        self.segments.made = []
        try:
            return self.convert(obj, policy == "value")
        except BaseException:
            # The segments of arrays converted before the failure would never be named to Rust.
            self.drop_made()
            raise

    def drop_made(self):
        """Unlinks the segments made for the value being sent (which will not be sent), and
        drops its attachments."""
        self.out_att, self.out_len = [], 0
        self.segments.drop_made()

    def convert(self, obj, strict):
        if obj is None or type(obj) in _PLAIN:
            return self._convert(obj, strict)  # no walk state for a scalar
        self.ancestors = []
        self.ancestor_ids = set()
        self.path = []
        return self._convert(obj, strict)

    def _enter(self, obj, strict):
        """Before converting a container's items: None to go on, a ref where the container is
        its own ancestor and refs are allowed; else raises (a cycle by value, or too deep)."""
        i = id(obj)
        if i in self.ancestor_ids:
            if not strict:
                return self.refs.make(obj)
            at = self.ancestors.index(i)
            raise NotData(
                type(obj).__name__,
                "the value contains itself: %s is the same object as %s (a cycle); ask for a "
                "ref (PyRef) to keep it in Python" % (_where(self.path), _where(self.path[:at])),
            )
        if len(self.ancestors) >= self.max_nesting:
            raise NotData(
                type(obj).__name__,
                "nested more than %d levels deep (at %s); flatten the data, or keep it in "
                "Python as a ref" % (self.max_nesting, _where(self.path)),
            )
        self.ancestors.append(i)
        self.ancestor_ids.add(i)
        return None

    def _leave(self):
        self.ancestor_ids.discard(self.ancestors.pop())

    def _items(self, obj, strict, pairs=False):
        """The converted items of container `obj` (its converted key/value pairs, for a dict
        with `pairs`) and True; or, when `obj` closes a cycle, a ref to it and False."""
        cycle = self._enter(obj, strict)
        if cycle is not None:
            return cycle, False
        convert = self._convert
        out = []
        path = self.path
        path.append(0)
        for i, x in enumerate(obj.items() if pairs else obj):
            path[-1] = i
            out.append((convert(x[0], strict), convert(x[1], strict)) if pairs else convert(x, strict))
        path.pop()
        self._leave()
        return out, True

    def _convert(self, obj, strict):
        if obj is None:
            return None
        t = type(obj)
        if t is bool:
            return obj
        if t is int or (strict and isinstance(obj, int)):
            v = int(obj)
            if I64_MIN <= v <= I64_MAX:
                return v
            return {TAG: "int", "value": str(v)}
        if t is float or (strict and isinstance(obj, float)):
            return _float(float(obj))
        if t is str or (strict and isinstance(obj, str)):
            return str.__str__(obj)
        if t is bytes or (strict and isinstance(obj, bytes)):
            return {TAG: "binary", "data": b2a_base64(obj, newline=False).decode("ascii")}
        if t is list or (strict and isinstance(obj, list)):
            return self._items(obj, strict)[0]
        if t is tuple or (strict and isinstance(obj, tuple)):
            items, whole = self._items(obj, strict)
            return {TAG: "tuple", "elements": items} if whole else items
        if t is dict or (strict and isinstance(obj, dict)):
            items, whole = self._items(obj, strict, pairs=True)
            if not whole:
                return items
            if all(type(k) is str and k != TAG for k, _ in items):
                return dict(items)
            return {TAG: "dict", "items": [[k, v] for k, v in items]}
        if t is set or (strict and isinstance(obj, set)):
            items, whole = self._items(obj, strict)
            return {TAG: "set", "elements": items} if whole else items
        if t is frozenset or (strict and isinstance(obj, frozenset)):
            items, whole = self._items(obj, strict)
            return {TAG: "frozenset", "elements": items} if whole else items
        if t is _datetime or (strict and isinstance(obj, _datetime)):
            text = "%04d-%02d-%02dT%s" % (
                obj.year,
                obj.month,
                obj.day,
                _fmt_time(obj.hour, obj.minute, obj.second, obj.microsecond, _offset(obj)),
            )
            return {TAG: "datetime", "value": text}
        if t is _date or (strict and isinstance(obj, _date)):
            return {TAG: "date", "value": "%04d-%02d-%02d" % (obj.year, obj.month, obj.day)}
        if t is _time or (strict and isinstance(obj, _time)):
            text = _fmt_time(obj.hour, obj.minute, obj.second, obj.microsecond, _offset(obj))
            return {TAG: "time", "value": text}
        if t is complex or (strict and isinstance(obj, complex)):
            return {TAG: "complex", "real": _float(obj.real), "imag": _float(obj.imag)}
        if strict:
            np = modules.get("numpy")
            if np is not None and isinstance(obj, np.ndarray):
                return self.encode_array(np, obj)
        if getattr(t, "__module__", None) == "numpy":
            np = modules.get("numpy")
            if np is not None and isinstance(obj, np.generic):
                try:
                    item = obj.item()
                except Exception:  # noqa: BLE001 - not convertible: fall through
                    item = obj
                if item is not obj:
                    return self._convert(item, strict)
        if strict:
            # Objects that carry an array (a pandas Series, a DataFrame) are data when data is
            # asked for: numpy.asarray, as the embedded client does.
            np = modules.get("numpy")
            if np is not None and carries_array(obj):
                try:
                    arr = np.asarray(obj)
                except Exception:  # noqa: BLE001 - not an array after all: not data
                    arr = None
                if isinstance(arr, np.ndarray) and arr.dtype.kind != "O":
                    return self.encode_array(np, arr)
            # A sequence or set that is no list, tuple or set (a range, a deque): its items.
            kind = items_kind(obj)
            if kind is not None:
                try:
                    items, whole = self._items(obj, strict)
                except NotData:
                    raise
                except Exception as e:  # noqa: BLE001 - iterating it raised: said as pyo3 says it
                    raise NotData(t.__name__, "%s: %s" % (type(e).__qualname__, e)) from None
                return {TAG: "set", "elements": items} if kind == "set" and whole else items
            raise NotData(t.__name__, self.not_data)
        return self.refs.make(obj)
