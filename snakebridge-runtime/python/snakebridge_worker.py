"""The snakebridge pool worker: runs calls for a Rust process.

Started by snakebridge-runtime's pool client (src/pool/), which ships this file inside the crate.
Its conversions follow the embedded client (src/embedded.rs) exactly: the same return policies,
numpy scalars through ``.item()``, exceptions reported with class, message, traceback and the kind
found first in the MRO, and the JSON wire table of src/wire.rs.

Channel: three inherited pipe fds named in SNAKEBRIDGE_WORKER_FDS="req,resp,control" -- never
stdout or stderr, which user code may print to. ``req`` carries frames from Rust, ``resp`` frames to
Rust; ``control`` is never written: its EOF means the parent is gone (or shutting the pool down)
and the worker exits at once, even while a call is running.

Framing: a 4-byte little-endian length, then that many bytes of UTF-8 JSON. A message may carry
binary attachments: its length then has bit 31 set (the JSON's length is the other bits), a second
4-byte length follows, then the JSON, then that many bytes of attachments (arrays' elements, each
at a multiple of 16 bytes from their start; see Arrays).

Rust -> worker (``id`` is the message id chosen by Rust):
  {"op": "call", "id", "returns": "auto"|"value"|"ref"|"map", "session", "release": [ids],
   "req": payload}
  {"op": "stream", ...same..., "window": n}   iterate the result; push up to n items ahead
  {"op": "credit", "id", "n"}                  the consumer took n more items
  {"op": "close", "id"}                        the consumer dropped the stream: close it
  {"op": "release", "ids": [...]}              the last Rust handles of these refs were dropped
  {"op": "close_session", "session"}           release every ref made in the session
Worker -> Rust:
  {"op": "ready", "id": 0, "pid", "python", "protocol": 1} | {"op": "startup_error", "id": 0, "message"}
  {"id", "ok": value} | {"id", "err": {"class", "kind", "message", "traceback"}}
  {"id", "stale": {"ref", "reason"}} | {"id", "decode": {"what", "message"}} | {"id", "encode": msg}
    any of these, answering a "call", may add "free": [segment names] (see Arrays)
  {"id", "started": true} then {"id", "item": value}... and {"id", "end": true} or an error

Arrays (numpy, numeric and bool dtypes in native byte order) travel as
``{"__type__": "ndarray", "dtype", "shape", "data": <base64 of the C-order bytes>}`` when empty or
smaller than SNAKEBRIDGE_SHM_THRESHOLD bytes (non-empty ones as ``{..., "att": [offset, length]}``
instead: the C-order bytes in the message's attachments, both ways; the worker's array is a
read-only view of a request's), else as ``{..., "shm": "<segment>", "offset": n}``:
a POSIX shared-memory segment (mode 0600) that holds the C-order bytes from byte ``offset``
(default 0). Rust's arrays arrive in ``/sb-<rust pid>-<n>``: copied there by Rust, or allocated
there by Rust's code itself (``PoolClient::alloc_array``: whatever the threshold, and with no
copy). The worker maps the segment read-only and hands numpy a read-only array over the mapping
(no copy). Mappings are kept between calls (at most 8, 1 GiB together; unmapped once the name is
gone), since Rust reuses segments: an array sent again, or a new one in a reused segment, is read
without page faults. Once a call's reply is ready, the worker checks each segment it mapped for
it: if nothing but its own bookkeeping references the mapping or the array (reference counts,
compared with those of a probe taken through the same code; any view of the array references
the array or the mapping), it names the segment in the reply's "free" list, and Rust may write
the arrays of later calls into it. Otherwise (the array was kept: in a global, a ref, a view, a
cache...) the mapping lives as long as the array and is no longer kept, and Rust never writes
into the segment again. Streams never report segments free.
A numpy array returned by value goes into a new ``/sbw-<worker pid>-<n>`` (one copy, in
C order); Rust maps it and unlinks the name, or removes it when the worker dies before the reply
was read. Other dtypes asked for by value go through ``tolist()``; without numpy installed, an
array argument is an encode error (and the worker keeps serving).
"""

import base64
import builtins
import collections.abc
import datetime
import importlib
import json
import math
import mmap
import os
import select
import sys
import threading
import time
import traceback

TAG = "__type__"
_TAG_KEY = b'"__type__"'
# How deep values may nest (snakebridge_contract::MAX_NESTING, passed in by the pool).
MAX_NESTING = 1000
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1
_GLOBALS = globals()
NOT_DATA = "the object is not plain data; ask for a ref (ReturnPolicy::Ref / PyRef) instead"

# numpy (kind, itemsize) -> the dtype's name on the wire.
_DTYPES = {
    ("b", 1): "bool",
    ("i", 1): "int8",
    ("i", 2): "int16",
    ("i", 4): "int32",
    ("i", 8): "int64",
    ("u", 1): "uint8",
    ("u", 2): "uint16",
    ("u", 4): "uint32",
    ("u", 8): "uint64",
    ("f", 4): "float32",
    ("f", 8): "float64",
    ("c", 8): "complex64",
    ("c", 16): "complex128",
}
_DTYPE_NAMES = frozenset(_DTYPES.values())
# Set in a frame's length when attachments follow its JSON (src/pool/worker/frame.rs).
_ATTACHMENTS = 1 << 31
# Results `_convert` turns into themselves (or a tagged int) without walking anything.
_PLAIN = frozenset((bool, int, float, str))
_ATTACHMENT_ALIGN = 16
# Linux's shared memory takes write(): the kernel copies straight into its pages, about twice as
# fast as faulting a fresh mapping in page by page (elsewhere, e.g. macOS, only mmap works).
_SHM_WRITES = sys.platform.startswith("linux")

try:
    import _posixshmem  # CPython's own binding of shm_open / shm_unlink (multiprocessing's)

    def _shm_open(name, flags):
        return _posixshmem.shm_open(name, flags, 0o600)

    _shm_unlink = _posixshmem.shm_unlink
except ImportError:  # pragma: no cover - Linux without the module: the segments are files here

    def _shm_open(name, flags):
        return os.open("/dev/shm" + name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)

    def _shm_unlink(name):
        os.unlink("/dev/shm" + name)


def _numpy():
    try:
        import numpy
    except ImportError as e:
        raise _NoNumpy(
            "passing an array needs numpy in the worker's Python (pip install numpy): %s" % e
        )
    return numpy


def _map_segment(name, nbytes):
    """A read-only mapping of the whole of segment ``name`` (made by the Rust side), which must
    hold at least ``nbytes > 0`` bytes. The whole segment: a later array in it (Rust reuses
    segments) may be larger, and mapping costs nothing until pages are touched."""
    if not name.startswith("/sb-") or "/" in name[1:]:
        raise ValueError("`%s` is not a snakebridge shared-memory segment" % name)
    fd = _shm_open(name, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size < nbytes:
            raise ValueError(
                "segment `%s` holds %d bytes, the array needs %d" % (name, size, nbytes)
            )
        return mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
    finally:
        os.close(fd)


def _close_quietly(mm):
    """Unmaps ``mm`` unless something still holds its buffer (which then keeps it)."""
    try:
        mm.close()
    except BufferError:
        pass


# The mappings of Rust's segments a worker keeps between calls (see Arrays): at most this many,
# holding at most this many bytes together (the newest is kept whatever its size).
_MAX_MAPPINGS = 8
_MAX_MAPPED_BYTES = 1 << 30


class _NoNumpy(Exception):
    pass


def _class_name(t):
    """``module.Qualname`` of an exception class, builtins bare: how errors name classes (the
    embedded client's ``qualified_name``)."""
    module = getattr(t, "__module__", "builtins")
    return t.__qualname__ if module == "builtins" else "%s.%s" % (module, t.__qualname__)


def _detached(e):
    """A copy of exception ``e`` without its traceback (``copy.copy`` keeps the class, the args
    and the attributes), or ``e`` itself when it cannot be copied."""
    import copy

    try:
        c = copy.copy(e)
    except Exception:  # noqa: BLE001 - an exception that cannot be rebuilt stays itself
        return e
    if type(c) is not type(e):
        return e
    c.__traceback__ = None
    return c


class _NotData(Exception):
    """A value asked for by value is not plain data (ReturnPolicy.Value)."""

    def __init__(self, what, message):
        super().__init__(message)
        self.what = what
        self.message = message


def _carries_array(obj):
    """An object (not a class) whose type has `__array__`: a pandas Series or DataFrame (the
    embedded client's `carries_array`)."""
    return not isinstance(obj, type) and hasattr(type(obj), "__array__")


def keyed_data(obj):
    """The dict a map result asks for (ReturnPolicy::Map), as the embedded client's
    `embedded/keyed.rs` makes it: a dict as it is; a numpy structured array as field -> column;
    a `collections.abc.Mapping`, or an object that carries an array and has `items()` (a pandas
    Series: index -> value; a DataFrame: column -> column), as the dict of its items, with
    repeated keys an error; anything else unchanged (it then converts as data)."""
    if isinstance(obj, dict):
        return obj
    t = type(obj)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray):
        names = obj.dtype.names
        return obj if names is None else {name: obj[name] for name in names}
    if not (
        isinstance(obj, collections.abc.Mapping) or (_carries_array(obj) and hasattr(t, "items"))
    ):
        return obj
    out = {}
    pairs = 0
    for key, value in obj.items():
        out[key] = value
        pairs += 1
    if len(out) != pairs:
        raise _NotData(
            "a map from " + t.__name__,
            "its keys repeat (%d items, %d distinct keys): a map would lose values; ask for a "
            "Vec of pairs or a PyRef instead" % (pairs, len(out)),
        )
    return out


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
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return {TAG: "float", "value": "nan"}
    return {TAG: "float", "value": "inf" if x > 0 else "-inf"}


def _type_name(t):
    """The qualified type name, as pyo3's ``fully_qualified_name`` gives it."""
    module = getattr(t, "__module__", None)
    qualname = getattr(t, "__qualname__", t.__name__)
    if module in (None, "builtins", "__main__"):
        return qualname
    return "%s.%s" % (module, qualname)


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


class Worker:
    def __init__(self, rfd, wfd, id_base, kinds, shm_threshold, spin=0.0):
        self.pid = os.getpid()
        self.rfd = rfd
        # Seconds to poll for the next request before blocking (PoolConfig::spin).
        self.spin = spin
        self.poller = select.poll()
        self.poller.register(rfd, select.POLLIN)
        self.wfd = wfd
        self.buf = bytearray()
        self.refs = {}
        self.ref_session = {}
        self.session_refs = {}
        self.next_ref = id_base
        self.attrs = {}
        self.streams = {}
        self.session = None
        self.problems = []
        self.kinds = [(k, getattr(builtins, k)) for k in kinds if hasattr(builtins, k)]
        self.shm_threshold = shm_threshold
        self.attachments = b""  # of the frame being decoded
        self.out_att = []  # the attachments of the message being made
        self.out_len = 0
        # Made once: json.loads/json.dumps with options build a new decoder/encoder per call,
        # a few microseconds of every round trip.
        self.decoder = json.JSONDecoder(object_hook=self.hook)
        # For frames without a tagged object (most calls): no Python hook per JSON object.
        self.plain_decoder = json.JSONDecoder()
        self.encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
        self.segments = 0
        self.made = []  # segments made for the value being converted and sent
        # [name, mmap, array] of each array over a segment, for the message being handled
        self.mapped = []
        # name -> mmap of Rust's segments kept mapped between calls, oldest first
        self.maps = {}
        self.baseline = None  # reference counts of an unreferenced array and mapping

    # ----------------------------------------------------------------------------------------
    # Channel

    def input_pending(self):
        if self.buf:
            return True
        return bool(self.poller.poll(0))

    def fill(self, want):
        """Reads until ``want`` bytes are buffered; False at EOF."""
        buf = self.buf
        while len(buf) < want:
            if not buf and self.spin:
                self.spin_until_readable()
            chunk = os.read(self.rfd, max(1 << 16, want - len(buf)))
            if not chunk:
                return False
            buf += chunk
        return True

    def spin_until_readable(self):
        """Polls the request pipe for up to ``self.spin`` seconds before the blocking read: the
        next request of a tight loop then costs no wake-up."""
        poll = self.poller.poll
        if poll(0):
            return
        deadline = time.perf_counter() + self.spin
        while not poll(0):
            if time.perf_counter() >= deadline:
                return

    def read_frame(self):
        """The next frame's JSON and its attachments (b"" for none), or None at EOF."""
        if not self.fill(4):
            return None
        buf = self.buf
        n = int.from_bytes(buf[:4], "little")
        if not n & _ATTACHMENTS:
            if not self.fill(4 + n):
                return None
            frame = bytes(buf[4 : 4 + n])
            del buf[: 4 + n]
            return frame, b""
        n &= ~_ATTACHMENTS
        if not self.fill(8):
            return None
        a = int.from_bytes(buf[4:8], "little")
        if not self.fill(8 + n + a):
            return None
        frame = bytes(buf[8 : 8 + n])
        # A buffer of their own: aligned (CPython's bytes data is 16-byte aligned), and what the
        # arrays over them keep alive.
        attachments = bytes(buf[8 + n : 8 + n + a])
        del buf[: 8 + n + a]
        return frame, attachments

    def send(self, obj):
        # A system call per message, but the only check that also sees a child forked below
        # Python (ctypes, C extensions), which no at-fork hook hears of.
        if os.getpid() != self.pid:
            # User code forked and the child came back here: only the worker itself may answer
            # on the channel; the child leaves without a word.
            os._exit(0)
        try:
            data = _plain_reply(obj)
            if data is None:
                data = self.encoder.encode(obj).encode("utf-8")
        except UnicodeEncodeError as e:
            # A str with lone surrogates has no UTF-8 form (the embedded client cannot take it
            # into a Rust String either).
            self.drop_made()
            obj = {"id": obj.get("id"), "decode": {"what": "str", "message": str(e)}}
            data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        # The segments named in `data` are Rust's to unlink from here on.
        self.made = []
        att, size = self.out_att, self.out_len
        self.out_att, self.out_len = [], 0
        if att:
            head = (len(data) | _ATTACHMENTS).to_bytes(4, "little") + size.to_bytes(4, "little")
        else:
            head = len(data).to_bytes(4, "little")
        if not att:
            out = head + data
            n = os.write(self.wfd, out)
            if n == len(out):
                return
            parts = [memoryview(out)[n:]]
        else:
            parts = [memoryview(head + data)] + [memoryview(a) for a in att]
        while parts:
            n = os.writev(self.wfd, parts[:512])
            while n:
                if n >= len(parts[0]):
                    n -= len(parts.pop(0))
                else:
                    parts[0] = parts[0][n:]
                    n = 0

    # ----------------------------------------------------------------------------------------
    # Wire values -> Python objects (json.loads object_hook: children are already decoded)

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
                return base64.b64decode(obj["data"])
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
                return datetime.datetime.fromisoformat(obj["value"])
            if tag == "date":
                return datetime.date.fromisoformat(obj["value"])
            if tag == "time":
                return datetime.time.fromisoformat(obj["value"])
            if tag == "complex":
                return complex(obj["real"], obj["imag"])
            if tag == "ndarray":
                return self.decode_array(obj)
            self.problems.append(("encode", "unknown `__type__` `%s`" % tag))
        except _NoNumpy as e:
            self.problems.append(("encode", str(e)))
        except Exception as e:  # noqa: BLE001 - reported to Rust as an encode error
            self.problems.append(("encode", "%s: %s" % (type(e).__name__, e)))
        return None

    def decode_array(self, obj):
        """A read-only numpy array over the wire array's bytes (no copy of a mapped segment)."""
        np = _numpy()
        name = obj["dtype"]
        if name not in _DTYPE_NAMES:
            raise ValueError("`%s` is not a dtype snakebridge arrays carry" % (name,))
        dtype = np.dtype(name)
        shape = tuple(int(d) for d in obj["shape"])
        count = 1
        for d in shape:
            count *= d
        segment = obj.get("shm")
        if segment is not None and count:
            offset = int(obj.get("offset", 0))
            if offset < 0 or offset % dtype.itemsize:
                raise ValueError(
                    "offset %d into segment `%s` is not one of %s elements"
                    % (offset, segment, dtype.name)
                )
            mm = self.mapping(segment, offset + count * dtype.itemsize)
            # The array's base is the mapping itself, and every view of it has the array or
            # the mapping as its base (numpy collapses chains of views): what `unmap_unused`
            # counts on.
            arr = np.ndarray(shape, dtype=dtype, buffer=mm, offset=offset)
            self.mapped.append([segment, mm, arr])
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
            data = base64.b64decode(obj["data"])
        return np.frombuffer(data, dtype=dtype, count=count).reshape(shape)

    def mapping(self, name, nbytes):
        """The kept mapping of segment ``name`` if there is one, else a new one, kept: Rust
        reuses segments (its spares, and arrays it allocated in shared memory and sends again),
        and a mapping whose pages are already in this process costs no page faults to read."""
        mm = self.maps.pop(name, None)
        if mm is not None and not mm.closed and len(mm) >= nbytes:
            self.maps[name] = mm  # now the newest
            return mm
        if mm is not None:
            _close_quietly(mm)
        mm = _map_segment(name, nbytes)
        self.forget_gone()
        self.maps[name] = mm
        total = sum(len(m) for m in self.maps.values())
        while len(self.maps) > _MAX_MAPPINGS or (len(self.maps) > 1 and total > _MAX_MAPPED_BYTES):
            old = self.maps.pop(next(iter(self.maps)))
            total -= len(old)
            _close_quietly(old)
        return mm

    def forget_gone(self):
        """Unmaps the kept mappings of segments Rust has unlinked (it never names them again):
        their memory is freed once nothing maps it."""
        if not _SHM_WRITES:  # no /dev/shm to look in: the bounds alone limit what is kept
            return
        for name in [n for n in self.maps if not os.path.exists("/dev/shm" + n)]:
            _close_quietly(self.maps.pop(name))

    def unmap_unused(self):
        """Checks the segments mapped for the message just handled and returns the names of
        those nothing references any more: Rust may then write other arrays into them. Their
        mappings stay kept (unmapped only when no longer kept: bounds, or the name gone). A
        segment whose array or mapping is still referenced (kept in a global, a ref, a cache, a
        view of it, a memoryview, an exception's traceback...) is not named and no longer kept:
        what references it keeps it mapped as long as it lives, and Rust never writes into it
        again."""
        mapped, self.mapped = self.mapped, []
        if not mapped:
            return []
        if self.baseline is None:
            # The counts of an array that only a list holds, and of a mapping that only a list
            # holds once its array is gone, taken through the same code as the real ones (how
            # getrefcount counts differs between Pythons).
            probe = [None, mmap.mmap(-1, 8), None]
            probe[2] = _numpy().ndarray((1,), "u1", buffer=probe[1])
            array_refs = sys.getrefcount(probe[2])
            probe[2] = None
            self.baseline = (array_refs, sys.getrefcount(probe[1]))
            del probe
        array_refs, mapping_refs = self.baseline
        unused = [sys.getrefcount(entry[2]) == array_refs for entry in mapped]
        for entry in mapped:
            entry[2] = None  # our array: freed if unused, releasing its hold on the mapping
        # The entries of one segment together: each of their lists holds its mapping once.
        by_name = {}
        for i, entry in enumerate(mapped):
            by_name.setdefault(entry[0], []).append(i)
        free = []
        for name, indices in by_name.items():
            first = mapped[indices[0]]
            same = all(mapped[i][1] is first[1] for i in indices)
            kept = self.maps.get(name) is first[1]
            expected = mapping_refs + len(indices) - 1 + (1 if kept else 0)
            if not (same and all(unused[i] for i in indices)
                    and sys.getrefcount(first[1]) == expected):
                if kept:
                    del self.maps[name]
                continue
            if not kept:  # let go of already (bounds): unmap it now
                try:
                    first[1].close()
                except BufferError:
                    continue
            free.append(name)
        return free

    # ----------------------------------------------------------------------------------------
    # numpy arrays asked for by value (the embedded client's `array_from_py`)

    def encode_array(self, np, arr):
        dt = arr.dtype
        name = None
        if dt.isnative and dt.fields is None and dt.subdtype is None:
            name = _DTYPES.get((dt.kind, dt.itemsize))
        if name is None:
            # object, str, datetime, float16, byte-swapped, ...: plain values, element by element.
            return self.convert(arr.tolist(), True)
        shape = [int(d) for d in arr.shape]
        nbytes = int(arr.nbytes)
        if nbytes and nbytes >= self.shm_threshold:
            try:
                segment = self.write_segment(np, arr)
                return {TAG: "ndarray", "dtype": name, "shape": shape, "shm": segment}
            except OSError as e:
                sys.stderr.write(
                    "snakebridge: cannot put an array in shared memory (%s); "
                    "sending it inline\n" % (e,)
                )
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

    def write_segment(self, np, arr):
        """Copies ``arr`` in C order into a new segment ``/sbw-<pid>-<n>``; returns its name."""
        nbytes = int(arr.nbytes)
        while True:
            self.segments += 1
            name = "/sbw-%d-%d" % (os.getpid(), self.segments)
            try:
                fd = _shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR)
                break
            except FileExistsError:  # left by an earlier process with this pid
                continue
        try:
            try:
                os.ftruncate(fd, nbytes)
                if _SHM_WRITES and arr.flags.c_contiguous:
                    data = memoryview(arr).cast("B")
                    done = 0
                    while done < nbytes:
                        done += os.pwrite(fd, data[done:], done)
                    del data
                else:
                    if hasattr(os, "posix_fallocate"):
                        # A full /dev/shm fails here (ENOSPC) rather than with SIGBUS mid-copy.
                        os.posix_fallocate(fd, 0, nbytes)
                    mm = mmap.mmap(fd, nbytes, flags=mmap.MAP_SHARED)
                    try:
                        out = np.ndarray(arr.shape, dtype=arr.dtype, buffer=mm)
                        np.copyto(out, arr, casting="no")
                        del out
                    finally:
                        mm.close()
            except BaseException:
                _shm_unlink(name)
                raise
        finally:
            os.close(fd)
        self.made.append(name)
        return name

    # ----------------------------------------------------------------------------------------
    # Python objects -> wire values (the embedded client's `from_py`)

    def make_ref(self, obj):
        self.next_ref += 1
        rid = self.next_ref
        self.refs[rid] = obj
        if self.session is not None:
            self.ref_session[rid] = self.session
            self.session_refs.setdefault(self.session, set()).add(rid)
        return {TAG: "ref", "id": str(rid), "type": _type_name(type(obj))}

    def release(self, rid):
        rid = int(rid)
        self.refs.pop(rid, None)
        session = self.ref_session.pop(rid, None)
        if session is not None:
            refs = self.session_refs.get(session)
            if refs is not None:
                refs.discard(rid)

    def close_session(self, session):
        for rid in self.session_refs.pop(session, ()):
            self.refs.pop(rid, None)
            self.ref_session.pop(rid, None)

    def result(self, obj, policy):
        if policy == "ref":
            return self.make_ref(obj)
        if policy == "map":
            obj = keyed_data(obj)
            policy = "value"
        self.made = []
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
        for name in self.made:
            try:
                _shm_unlink(name)
            except OSError:
                pass
        self.made = []

    def convert(self, obj, strict):
        if obj is None or type(obj) in _PLAIN:
            return self._convert(obj, strict)  # no walk state for a scalar
        # The containers being converted (to notice cycles) and the index taken in each (to
        # say where), as in the embedded client.
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
                return self.make_ref(obj)
            at = self.ancestors.index(i)
            raise _NotData(
                type(obj).__name__,
                "the value contains itself: %s is the same object as %s (a cycle); ask for a "
                "ref (PyRef) to keep it in Python" % (_where(self.path), _where(self.path[:at])),
            )
        if len(self.ancestors) >= MAX_NESTING:
            raise _NotData(
                type(obj).__name__,
                "nested more than %d levels deep (at %s); flatten the data, or keep it in "
                "Python as a ref" % (MAX_NESTING, _where(self.path)),
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
            return {TAG: "binary", "data": base64.b64encode(obj).decode("ascii")}
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
        if t is datetime.datetime or (strict and isinstance(obj, datetime.datetime)):
            text = "%04d-%02d-%02dT%s" % (
                obj.year,
                obj.month,
                obj.day,
                _fmt_time(obj.hour, obj.minute, obj.second, obj.microsecond, _offset(obj)),
            )
            return {TAG: "datetime", "value": text}
        if t is datetime.date or (strict and isinstance(obj, datetime.date)):
            return {TAG: "date", "value": "%04d-%02d-%02d" % (obj.year, obj.month, obj.day)}
        if t is datetime.time or (strict and isinstance(obj, datetime.time)):
            text = _fmt_time(obj.hour, obj.minute, obj.second, obj.microsecond, _offset(obj))
            return {TAG: "time", "value": text}
        if t is complex or (strict and isinstance(obj, complex)):
            return {TAG: "complex", "real": _float(obj.real), "imag": _float(obj.imag)}
        if strict:
            np = sys.modules.get("numpy")
            if np is not None and isinstance(obj, np.ndarray):
                return self.encode_array(np, obj)
        if getattr(t, "__module__", None) == "numpy":
            np = sys.modules.get("numpy")
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
            np = sys.modules.get("numpy")
            if np is not None and _carries_array(obj):
                try:
                    arr = np.asarray(obj)
                except Exception:  # noqa: BLE001 - not an array after all: not data
                    arr = None
                if isinstance(arr, np.ndarray) and arr.dtype.kind != "O":
                    return self.encode_array(np, arr)
            raise _NotData(t.__name__, NOT_DATA)
        return self.make_ref(obj)

    # ----------------------------------------------------------------------------------------
    # Calls

    def module_attr(self, module, name):
        key = (module, name)
        found = self.attrs.get(key)
        if found is None:
            # `__import__` (not importlib.import_module): import errors then carry no importlib
            # frames, as with the embedded client's C-level import.
            __import__(module)
            found = getattr(sys.modules[module], name)
            self.attrs[key] = found
        return found

    def target(self, req):
        rid = int(req["ref"])
        found = self.refs.get(rid, self)
        if found is self:
            raise _StaleTarget(rid)
        return found

    def run(self, req):
        ct = req.get("call_type")
        if ct is None:
            f = self.module_attr(req.get("python_module", ""), req["function"])
            return f(*req["args"], **req["kwargs"])
        if ct == "class":
            f = self.module_attr(req.get("python_module", ""), req["class"])
            return f(*req["args"], **req["kwargs"])
        if ct == "method":
            f = getattr(self.target(req), req["method"])
            return f(*req["args"], **req["kwargs"])
        if ct == "get_attr":
            return getattr(self.target(req), req["attr"])
        if ct == "set_attr":
            setattr(self.target(req), req["attr"], req["value"])
            return None
        if ct == "module_attr":
            return self.module_attr(req.get("python_module", ""), req["attr"])
        if ct == "class_method":
            cls = self.module_attr(req.get("python_module", ""), req["class"])
            return getattr(cls, req["method"])(*req["args"], **req["kwargs"])
        raise _Protocol("unknown call_type %r" % (ct,))

    def exception(self, e):
        t = type(e)
        cls = _class_name(t)
        try:
            message = str(e)
        except Exception:  # noqa: BLE001
            message = "<unprintable exception>"
        tb = e.__traceback__
        # The worker's own frames are not the caller's business (the embedded client has none).
        while tb is not None and tb.tb_frame.f_globals is _GLOBALS:
            tb = tb.tb_next
        try:
            text = "".join(traceback.format_exception(t, e, tb))
        except Exception:  # noqa: BLE001
            text = ""
        kind = "Other"
        for name, k in self.kinds:
            if isinstance(e, k):
                kind = name
                break
        mro = [_class_name(c) for c in getattr(t, "__mro__", ())]
        out = {"class": cls, "kind": kind, "message": message, "traceback": text, "mro": mro}
        # The exception stays here as a ref (its attributes, a context manager's __exit__),
        # as a copy without the traceback: the frames' locals (arrays, segments) are not kept
        # by the Rust error, and the raised object (which user code may hold) is not touched.
        try:
            out["exception"] = self.make_ref(_detached(e))
        except Exception:  # noqa: BLE001 - a ref is a convenience, the error is what matters
            pass
        return out

    def problem_reply(self, mid):
        """The reply for a message whose arguments could not be decoded, if any."""
        for what, detail in self.problems:
            if what == "stale":
                return {"id": mid, "stale": {"ref": str(detail), "reason": STALE_REASON}}
        for what, detail in self.problems:
            return {"id": mid, "encode": detail}
        return None

    def on_call(self, msg, streaming):
        mid = msg["id"]
        for rid in msg.get("release") or ():
            self.release(rid)
        # Only `answer` holds the arguments: once it returns, what references them is the call's.
        req = msg.pop("req", None)
        self.session = msg.get("session")
        try:
            window = msg.get("window", 16) if streaming else None
            reply = self.answer(mid, req, msg.get("returns", "auto"), window)
        finally:
            self.session = None
        del req
        if streaming:
            # A stream's items may refer to its arguments for as long as it lives: its segments
            # are never reused (the mappings go with the arrays) nor kept.
            for entry in self.mapped:
                if self.maps.get(entry[0]) is entry[1]:
                    del self.maps[entry[0]]
            self.mapped = []
        else:
            free = self.unmap_unused()
            if free:
                reply["free"] = free
        self.send(reply)

    def answer(self, mid, req, policy, window):
        """Runs a call (or, with a window, opens a stream); returns the reply to send."""
        streaming = window is not None
        reply = self.problem_reply(mid)
        if reply is not None:
            return reply
        try:
            result = self.run(req)
            if streaming:
                iterator = iter(result)
        except _StaleTarget as e:
            return {"id": mid, "stale": {"ref": str(e.rid), "reason": STALE_REASON}}
        except BaseException as e:  # noqa: BLE001 - every exception goes back to Rust
            return {"id": mid, "err": self.exception(e)}
        if streaming:
            self.streams[mid] = [iterator, result, max(1, int(window)), policy, self.session]
            return {"id": mid, "started": True}
        try:
            value = self.result(result, policy)
        except _NotData as e:
            return {"id": mid, "decode": {"what": e.what, "message": e.message}}
        except Exception as e:  # noqa: BLE001
            return {"id": mid, "decode": {"what": type(result).__name__, "message": str(e)}}
        return {"id": mid, "ok": value}

    def pump(self):
        """Produces one item of a stream that has credit; False when none has."""
        for sid, s in self.streams.items():
            if s[2] > 0:
                break
        else:
            return False
        iterator, _source, _credit, policy, session = s
        self.session = session
        try:
            try:
                item = next(iterator)
            except StopIteration:
                del self.streams[sid]
                self.send({"id": sid, "end": True})
                return True
            except BaseException as e:  # noqa: BLE001
                del self.streams[sid]
                self.send({"id": sid, "err": self.exception(e)})
                return True
            try:
                value = self.result(item, policy)
            except _NotData as e:
                del self.streams[sid]
                self.send({"id": sid, "decode": {"what": e.what, "message": e.message}})
                return True
            except Exception as e:  # noqa: BLE001
                del self.streams[sid]
                self.send({"id": sid, "decode": {"what": type(item).__name__, "message": str(e)}})
                return True
            s[2] -= 1
            self.send({"id": sid, "item": value})
            return True
        finally:
            self.session = None

    def close_stream(self, sid):
        s = self.streams.pop(sid, None)
        if s is None:
            return
        source = s[1]
        close = getattr(source, "close", None)
        if close is not None:
            try:
                close()
            except BaseException as e:  # noqa: BLE001
                sys.stderr.write("snakebridge: closing a Python generator failed: %r\n" % (e,))

    def handle(self, msg):
        op = msg.get("op")
        if op == "call":
            self.on_call(msg, False)
        elif op == "stream":
            self.on_call(msg, True)
        elif op == "credit":
            s = self.streams.get(msg["id"])
            if s is not None:
                s[2] += int(msg["n"])
        elif op == "close":
            self.close_stream(msg["id"])
        elif op == "release":
            for rid in msg["ids"]:
                self.release(rid)
        elif op == "close_session":
            self.close_session(msg["session"])
        else:
            raise _Protocol("unknown op %r" % (op,))

    def decode(self, frame):
        """A frame's message. Rust's encoder writes the tag key literally (never with escapes),
        so a frame without it has no tagged object: the plain decoder then skips the Python
        hook per JSON object."""
        decoder = self.decoder if _TAG_KEY in frame else self.plain_decoder
        text = frame.decode("utf-8")
        # The C scanner straight away (what `decode` runs after two Python-level calls); a
        # frame it does not consume whole goes through `decode` for its error.
        try:
            msg, end = decoder.scan_once(text, 0)
        except StopIteration:
            end = -1
        if end != len(text):
            return decoder.decode(text)
        return msg

    def serve(self):
        while True:
            if self.streams and not self.input_pending() and self.pump():
                continue
            got = self.read_frame()
            if got is None:
                return
            frame, self.attachments = got
            self.problems = []
            self.mapped = []
            msg = self.decode(frame)
            self.attachments = b""  # the arrays over them keep what they use
            self.handle(msg)


STALE_REASON = (
    "the worker no longer holds this object (its last handle was dropped or its session was closed)"
)


class _StaleTarget(Exception):
    def __init__(self, rid):
        super().__init__(rid)
        self.rid = rid


class _Protocol(Exception):
    pass


def _watch_parent(fd):
    """Exits the process when the control pipe closes: the parent died or shut the pool down."""
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass
    os._exit(0)


def main():
    rfd, wfd, cfd = (int(x) for x in os.environ.pop("SNAKEBRIDGE_WORKER_FDS").split(","))
    id_base = int(os.environ.pop("SNAKEBRIDGE_WORKER_ID_BASE"))
    kinds = os.environ.pop("SNAKEBRIDGE_EXCEPTION_KINDS", "").split(",")
    preload = [m for m in os.environ.pop("SNAKEBRIDGE_PRELOAD", "").split(",") if m]
    shm_threshold = int(os.environ.pop("SNAKEBRIDGE_SHM_THRESHOLD", str(16 * 1024)))
    spin = int(os.environ.pop("SNAKEBRIDGE_SPIN_US", "0")) / 1e6
    global MAX_NESTING, NOT_DATA
    MAX_NESTING = int(os.environ.pop("SNAKEBRIDGE_MAX_NESTING", str(MAX_NESTING)))
    NOT_DATA = os.environ.pop("SNAKEBRIDGE_NOT_DATA_HINT", NOT_DATA)
    # Values nest up to MAX_NESTING levels both ways; json's C encoder and decoder and this
    # script's converter each take a recursion level (or two) per nesting level.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * MAX_NESTING + 1000))
    for fd in (rfd, wfd, cfd):
        os.set_inheritable(fd, False)
    threading.Thread(target=_watch_parent, args=(cfd,), name="snakebridge-parent-watch", daemon=True).start()
    try:
        import faulthandler

        faulthandler.enable()
    except Exception:  # noqa: BLE001
        pass
    # Like the embedded interpreter: the current directory is not importable by default.
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    sys.argv = ["snakebridge-worker"]
    worker = Worker(rfd, wfd, id_base, kinds, shm_threshold, spin)
    for module in preload:
        try:
            importlib.import_module(module)
        except BaseException as e:  # noqa: BLE001
            info = worker.exception(e)
            worker.send(
                {
                    "op": "startup_error",
                    "id": 0,
                    "message": "preloading `%s` failed: %s: %s\n%s"
                    % (module, info["class"], info["message"], info["traceback"]),
                }
            )
            return
    import platform

    worker.send(
        {"op": "ready", "id": 0, "pid": os.getpid(), "python": platform.python_version(), "protocol": 1}
    )
    try:
        worker.serve()
    except BaseException:  # noqa: BLE001 - a broken channel or protocol: nothing left to serve
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(70)


main()
for _stream in (sys.stdout, sys.stderr):
    try:
        _stream.flush()
    except Exception:  # noqa: BLE001
        pass
os._exit(0)
