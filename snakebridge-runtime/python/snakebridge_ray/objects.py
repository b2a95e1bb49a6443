"""Large arrays between Rust and a slot's actor through Ray's object store, in the driver
(``PROTOCOL.md``, Ray), both ways.

To the actor (``Lent``): Rust sends the driver, on its own machine, large arrays in
shared-memory segments as it would a local worker; the driver ``ray.put``s each segment's array
once (the one copy), and the request goes on with the array's wire value naming the object
(``"obj"``: a key among the objects passed beside the frame) instead of the segment, which the
actor's worker reads from the object store without a copy. The segments are then free, and the
reply answering the request says so (``"free"``), as a local worker's would; the objects are
let go of then.

From the actor (``Returned``): the actor's worker puts the large arrays it returns in the
object store of its node and names them by key (``"obj"``); the frame comes with their object
refs. The driver reads each one (without a copy when the actor shares its node; else Ray brings
it here first) and hands it to Rust as a local worker hands its own: copied once into a new
segment ``/sbw-<driver pid>-<n>``, named by ``"shm"``, which Rust maps and unlinks; the object
is let go of then."""

import json
import threading
from mmap import MAP_SHARED, PROT_READ, mmap
from os import O_CREAT, O_EXCL, O_RDONLY, O_RDWR, close, fstat, ftruncate, getpid, pwrite
from sys import platform

from snakebridge_ray.frames import ATTACHMENTS, json_part

#: The alignment of an array's elements in a frame's attachments (``PROTOCOL.md``, Frames).
_ATTACHMENT_ALIGN = 16

try:
    from _posixshmem import shm_open as _posix_shm_open
    from _posixshmem import shm_unlink as _shm_unlink

    def _shm_open(name, flags):
        return _posix_shm_open(name, flags, 0o600)

except ImportError:  # pragma: no cover - the segments are files in /dev/shm
    from os import O_CLOEXEC, O_NOFOLLOW
    from os import open as _open
    from os import unlink as _unlink

    def _shm_open(name, flags):
        return _open("/dev/shm" + name, flags | O_NOFOLLOW | O_CLOEXEC, 0o600)

    def _shm_unlink(name):
        _unlink("/dev/shm" + name)


def _open_segment(name):
    return _shm_open(name, O_RDONLY)


#: Requests whose arrays may arrive in segments (``send`` carries its values inline).
_WITH_ARRAYS = ("call", "stream", "generator")

#: The keys of an answer that may carry ``"free"`` (``PROTOCOL.md``, Messages).
_ANSWERS = ("ok", "err", "stale", "decode", "encode")

#: Any answer ending what a request's arrays were lent for (a stream's starts it).
_ENDS = _ANSWERS + ("started",)


def join(text, attachments):
    """The frame of JSON ``text`` (bytes) and ``attachments`` (bytes, maybe empty)."""
    if not attachments:
        return len(text).to_bytes(4, "little") + text
    return (
        (len(text) | ATTACHMENTS).to_bytes(4, "little")
        + len(attachments).to_bytes(4, "little")
        + text
        + attachments
    )


def _dumps(message):
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _put_segment(ray, np, value):
    """The object (``ray.put``) holding the array wire value ``value`` names in a segment."""
    dtype = np.dtype(value["dtype"])
    shape = tuple(int(d) for d in value["shape"])
    offset = int(value.get("offset", 0))
    name = value["shm"]
    if not name.startswith("/sb-") or "/" in name[1:]:
        raise ValueError("`%s` is not a snakebridge shared-memory segment" % name)
    fd = _open_segment(name)
    try:
        mm = mmap(fd, fstat(fd).st_size, flags=MAP_SHARED, prot=PROT_READ)
    finally:
        close(fd)
    try:
        arr = np.ndarray(shape, dtype=dtype, buffer=mm, offset=offset)
        ref = ray.put(arr)
        del arr
    finally:
        mm.close()
    return ref


class Lent:
    """The segments and objects of the requests relayed to the actor and not answered yet."""

    def __init__(self):
        self.lock = threading.Lock()
        # request id -> (segment names, object refs)
        self.pending = {}

    def to_objects(self, frame, seq, ray, np):
        """``(frame, keys, refs)``: ``frame`` with the arrays it names in segments replaced by
        objects put in the store (``keys[i]`` names ``refs[i]`` in its JSON), or unchanged
        (and no objects) when it names none."""
        part = json_part(frame)
        if part is None or frame.find(b'"shm":"/sb-', *part) < 0:
            return frame, [], []
        message = json.loads(frame[part[0] : part[1]])
        if message.get("op") not in _WITH_ARRAYS:
            return frame, [], []
        names, keys, refs = [], [], []

        def walk(value):
            if isinstance(value, list):
                return [walk(v) for v in value]
            if not isinstance(value, dict):
                return value
            if value.get("__type__") == "ndarray" and "shm" in value:
                out = {"__type__": "ndarray", "dtype": value["dtype"], "shape": value["shape"]}
                if value["shm"] not in names:
                    names.append(value["shm"])
                count = 1
                for d in value["shape"]:
                    count *= int(d)
                if not count:
                    out["data"] = ""
                    return out
                key = "%d.%d" % (seq, len(keys))
                refs.append(_put_segment(ray, np, value))
                keys.append(key)
                out["obj"] = key
                return out
            return {k: walk(v) for k, v in value.items()}

        message = walk(message)
        with self.lock:
            self.pending[message["id"]] = (names, refs)
        return join(_dumps(message), frame[part[1] :]), keys, refs

    def settle(self, frame):
        """``frame`` (from the worker), with ``"free"`` naming the segments of the request it
        answers when it is that request's answer, whose objects are let go of then."""
        if not self.pending:
            return frame
        part = json_part(frame)
        if part is None or frame.find(b'"id":', *part) < 0:
            return frame
        message = json.loads(frame[part[0] : part[1]])
        if "op" in message or not any(k in message for k in _ENDS):
            return frame
        with self.lock:
            lent = self.pending.pop(message.get("id"), None)
        if lent is None:
            return frame
        names, refs = lent
        del refs[:]  # the objects: the store frees them once the worker holds none either
        if not any(k in message for k in _ANSWERS):
            return frame  # a stream's segments are never reused
        free = message.get("free", [])
        message["free"] = free + [n for n in names if n not in free]
        return join(_dumps(message), frame[part[1] :])


class Returned:
    """The arrays the actor's worker returned through the object store, handed to Rust in
    segments of this driver (``/sbw-<pid>-<n>``, Rust's to unlink once it read the frame, or
    when this driver dies before)."""

    def __init__(self, ray, np, take):
        self.get = ray.get
        self.np = np
        self.take = take  # the actor's ``take``: keys -> the object ref of its result
        self.count = 0  # of segments made, for their names

    def to_segments(self, frame, objects):
        """``frame`` with each array it names by key (``"obj"``, one of ``objects``: key ->
        object ref, or the keys alone, whose refs the actor's ``take`` gives) in a new segment
        instead (``"shm"``; beside the JSON if no segment can be made). The refs are let go
        of: the object store then frees the objects."""
        if isinstance(objects, list):
            objects = self.get(self.take(objects))
        part = json_part(frame)
        if part is None:
            return frame
        keys = list(objects)
        arrays = dict(zip(keys, self.get([objects.pop(k) for k in keys])))
        attachments = [frame[part[1] :]]
        size = len(attachments[0])

        def walk(value):
            nonlocal size
            if isinstance(value, list):
                return [walk(v) for v in value]
            if not isinstance(value, dict):
                return value
            if value.get("__type__") != "ndarray" or value.get("obj") not in arrays:
                return {k: walk(v) for k, v in value.items()}
            arr = self.np.ascontiguousarray(arrays.pop(value["obj"]))
            out = {"__type__": "ndarray", "dtype": value["dtype"], "shape": value["shape"]}
            try:
                out["shm"] = self.write(arr)
            except OSError:
                # No room in /dev/shm: beside the JSON, as a local worker sends it then.
                pad = -size % _ATTACHMENT_ALIGN
                data = memoryview(arr).cast("B")
                attachments += [bytes(pad), data]
                out["att"] = [size + pad, len(data)]
                size += pad + len(data)
            return out

        message = walk(json.loads(frame[part[0] : part[1]]))
        arrays.clear()  # the objects: let go of
        return join(_dumps(message), b"".join(attachments))

    def write(self, arr):
        """Copies C-contiguous ``arr`` into a new segment of this driver; returns its name."""
        nbytes = int(arr.nbytes)
        while True:
            self.count += 1
            name = "/sbw-%d-%d" % (getpid(), self.count)
            try:
                fd = _shm_open(name, O_CREAT | O_EXCL | O_RDWR)
                break
            except FileExistsError:  # left by an earlier process with this pid
                continue
        try:
            try:
                ftruncate(fd, nbytes)
                if platform.startswith("linux"):
                    # Linux's shared memory takes write(): the kernel copies into its pages.
                    data = memoryview(arr).cast("B")
                    done = 0
                    while done < nbytes:
                        done += pwrite(fd, data[done:], done)
                    del data
                else:  # pragma: no cover - elsewhere (macOS) only a mapping writes it
                    mm = mmap(fd, nbytes, flags=MAP_SHARED)
                    try:
                        mm[:] = memoryview(arr).cast("B")
                    finally:
                        mm.close()
            except BaseException:
                _shm_unlink(name)
                raise
        finally:
            close(fd)
        return name
