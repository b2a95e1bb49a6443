"""POSIX shared-memory segments, both ways: the mirror of Rust's ``pool/shm`` (which segments
Rust's arrays arrive in, when Rust may reuse one, arrays the worker returns in its own). What
the names, the ``"free"`` lists and the bounds mean is in ``PROTOCOL.md``, "Arrays"."""

from snakebridge_worker import BUILTINS as __builtins__

from mmap import MAP_SHARED, PROT_READ, mmap
from os import (
    O_CREAT,
    O_EXCL,
    O_RDONLY,
    O_RDWR,
    close,
    fstat,
    ftruncate,
    getpid,
    pwrite,
    stat,
)
from sys import getrefcount, modules
from sys import platform as _platform

try:
    from os import posix_fallocate
except ImportError:  # pragma: no cover - not on every platform
    posix_fallocate = None

# Linux's shared memory takes write(): the kernel copies straight into its pages, about twice as
# fast as faulting a fresh mapping in page by page (elsewhere, e.g. macOS, only mmap works).
_SHM_WRITES = _platform.startswith("linux")

try:
    from _posixshmem import shm_open as _posix_shm_open  # CPython's (multiprocessing's)
    from _posixshmem import shm_unlink

    def shm_open(name, flags):
        return _posix_shm_open(name, flags, 0o600)

except ImportError:  # pragma: no cover - Linux without the module: the segments are files here
    from os import O_CLOEXEC, O_NOFOLLOW, unlink
    from os import open as _open

    def shm_open(name, flags):
        return _open("/dev/shm" + name, flags | O_NOFOLLOW | O_CLOEXEC, 0o600)

    def shm_unlink(name):
        unlink("/dev/shm" + name)


#: The arrays a Ray actor took from the object store for the requests it passes this worker (in
#: its own process), by the key their wire value names (``"obj"``; ``PROTOCOL.md``, Ray): each is
#: taken out as its request is read, so the worker's references alone keep it.
OBJECTS = {}

# The mappings of Rust's segments a worker keeps between calls: at most this many, holding at
# most this many bytes together (the newest is kept whatever its size).
MAX_MAPPINGS = 8
MAX_MAPPED_BYTES = 1 << 30


def _exists(path):
    try:
        stat(path)
    except OSError:
        return False
    return True


def map_segment(name, nbytes):
    """A read-only mapping of the whole of segment ``name`` (made by the Rust side), which must
    hold at least ``nbytes > 0`` bytes. The whole segment: a later array in it (Rust reuses
    segments) may be larger, and mapping costs nothing until pages are touched."""
    if not name.startswith("/sb-") or "/" in name[1:]:
        raise ValueError("`%s` is not a snakebridge shared-memory segment" % name)
    fd = shm_open(name, O_RDONLY)
    try:
        size = fstat(fd).st_size
        if size < nbytes:
            raise ValueError(
                "segment `%s` holds %d bytes, the array needs %d" % (name, size, nbytes)
            )
        return mmap(fd, size, flags=MAP_SHARED, prot=PROT_READ)
    finally:
        close(fd)


def close_quietly(mm):
    """Unmaps ``mm`` unless something still holds its buffer (which then keeps it)."""
    try:
        mm.close()
    except BufferError:
        pass


class Segments:
    """The segments of one worker: Rust's, mapped for the message being handled and kept
    between calls, and the worker's own, made for the value being sent."""

    #: On Ray, the actor's store for the arrays the worker returns from the threshold on
    #: (``snakebridge_ray.actor.Results``, set before the worker starts: ``put(arr)`` -> key,
    #: ``drop(key)``): they go into Ray's object store instead of segments, and their wire
    #: values name them (``"obj"``; ``PROTOCOL.md``, Ray). None in a local worker.
    objects = None

    def __init__(self):
        self.count = 0  # of segments made, for their names
        self.made = []  # segments made for the value being converted and sent
        # [name, mmap, array] of each array over a segment, for the message being handled
        self.mapped = []
        # name -> mmap of Rust's segments kept mapped between calls, oldest first
        self.maps = {}
        self.baseline = None  # reference counts of an unreferenced array and mapping

    def mapping(self, name, nbytes):
        """The kept mapping of segment ``name`` if there is one, else a new one, kept: Rust
        reuses segments (its spares, and arrays it allocated in shared memory and sends again),
        and a mapping whose pages are already in this process costs no page faults to read."""
        maps = self.maps
        mm = maps.pop(name, None)
        if mm is not None and not mm.closed and len(mm) >= nbytes:
            maps[name] = mm  # now the newest
            return mm
        if mm is not None:
            close_quietly(mm)
        mm = map_segment(name, nbytes)
        self.forget_gone()
        maps[name] = mm
        total = sum(len(m) for m in maps.values())
        while len(maps) > MAX_MAPPINGS or (len(maps) > 1 and total > MAX_MAPPED_BYTES):
            old = maps.pop(next(iter(maps)))
            total -= len(old)
            close_quietly(old)
        return mm

    def keep_array(self, name, mm, arr):
        """Notes an array made over segment ``name`` for the message being handled."""
        self.mapped.append([name, mm, arr])

    def forget_gone(self):
        """Unmaps the kept mappings of segments Rust has unlinked (it never names them again):
        their memory is freed once nothing maps it."""
        if not _SHM_WRITES:  # no /dev/shm to look in: the bounds alone limit what is kept
            return
        for name in [n for n in self.maps if not _exists("/dev/shm" + n)]:
            close_quietly(self.maps.pop(name))

    def let_go_of_mapped(self):
        """After a stream opened: its items may refer to its arguments for as long as it lives,
        so its segments are never reused (the mappings go with the arrays) nor kept."""
        for entry in self.mapped:
            if self.maps.get(entry[0]) is entry[1]:
                del self.maps[entry[0]]
        self.mapped = []

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
            # getrefcount counts differs between Pythons). numpy is loaded: it made the arrays.
            probe = [None, mmap(-1, 8), None]
            probe[2] = modules["numpy"].ndarray((1,), "u1", buffer=probe[1])
            array_refs = getrefcount(probe[2])
            probe[2] = None
            self.baseline = (array_refs, getrefcount(probe[1]))
            del probe
        array_refs, mapping_refs = self.baseline
        unused = [getrefcount(entry[2]) == array_refs for entry in mapped]
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
            if not (
                same
                and all(unused[i] for i in indices)
                and getrefcount(first[1]) == expected
            ):
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

    def write_array(self, np, arr):
        """Copies ``arr`` in C order into a new segment ``/sbw-<pid>-<n>``; returns its name,
        which is Rust's to unlink once the reply naming it is sent."""
        nbytes = int(arr.nbytes)
        while True:
            self.count += 1
            name = "/sbw-%d-%d" % (getpid(), self.count)
            try:
                fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR)
                break
            except FileExistsError:  # left by an earlier process with this pid
                continue
        try:
            try:
                ftruncate(fd, nbytes)
                if _SHM_WRITES and arr.flags.c_contiguous:
                    data = memoryview(arr).cast("B")
                    done = 0
                    while done < nbytes:
                        done += pwrite(fd, data[done:], done)
                    del data
                else:
                    if posix_fallocate is not None:
                        # A full /dev/shm fails here (ENOSPC) rather than with SIGBUS mid-copy.
                        posix_fallocate(fd, 0, nbytes)
                    mm = mmap(fd, nbytes, flags=MAP_SHARED)
                    try:
                        out = np.ndarray(arr.shape, dtype=arr.dtype, buffer=mm)
                        np.copyto(out, arr, casting="no")
                        del out
                    finally:
                        mm.close()
            except BaseException:
                shm_unlink(name)
                raise
        finally:
            close(fd)
        self.made.append(name)
        return name

    def put_object(self, arr):
        """On Ray: puts ``arr`` in the object store of the actor's node (one copy) and returns
        its key, for the value being sent (OSError when the store cannot take it)."""
        key = self.objects.put(arr)
        self.made.append(key)  # a key, never "/...": let go of if the value is not sent
        return key

    def sent(self):
        """The value made was sent: the segments it names are Rust's to unlink from here on."""
        self.made = []

    def drop_made(self):
        """Unlinks the segments made for the value being sent (which will not be sent), and
        lets go of its objects (Ray)."""
        for name in self.made:
            if name[:1] != "/":
                self.objects.drop(name)  # an object's key (Ray)
                continue
            try:
                shm_unlink(name)
            except OSError:
                pass
        self.made = []
