"""Frames over the worker's private pipes: the mirror of ``pool/protocol/frame.rs`` (a 4-byte
little-endian length, bit 31 set when binary attachments follow the JSON),
``pool/worker/channel.rs`` and ``pool/worker/exchange.rs`` (each side polls for
``PoolConfig::spin`` before it blocks, so a quick reply costs no wake-up, and stops spinning
while requests come slowly). The frame format is in ``PROTOCOL.md``."""

from snakebridge_worker import BUILTINS as __builtins__

from functools import partial
from mmap import MAP_ANONYMOUS, MAP_PRIVATE, mmap
from os import _exit, getpid, read, write, writev
from select import POLLIN, poll
from time import perf_counter

#: Set in a frame's length when attachments follow its JSON.
ATTACHMENTS = 1 << 31
#: How the worker judges its waits for a request, as the pool's reader does (``SLOW_CYCLE`` in
#: ``pool/worker/poll.rs``): a cycle (the call since the last request came, then the wait for
#: the next) in which either part outlasted the spin adds 2 to a score, a quick one takes 1
#: away (within 0..8); from 6 the worker blocks at once, since the caller comes back slowly
#: (calls of milliseconds, an idle pool) and a spin would only burn a core.
SLOW_CYCLE = 2
STOP_SPINNING_AT = 6
MAX_SCORE = 8
# At most this many buffers per writev (Linux's IOV_MAX is 1024).
_MAX_PARTS = 512
# Linux's madvise advice that zeroes a private page in a forked child (4.14 and later; not
# among the `mmap` module's constants before Python 3.12).
_MADV_WIPEONFORK = 18


class _SameProcessByPid:
    """``same_process``'s fallback where no page is wiped on fork: ``[0]`` compares the pid (a
    system call)."""

    def __init__(self):
        self.pid = getpid()

    def __getitem__(self, _index, _getpid=getpid):
        return _getpid() == self.pid


def same_process():
    """An object whose ``[0]`` is true in this process and false in any child forked from it,
    also below Python (libc's fork through ctypes or a C extension, which no at-fork hook hears
    of): a private page the kernel wipes in the child (``MADV_WIPEONFORK``), so the check on
    every frame written reads memory instead of calling ``getpid``; else the pid."""
    try:
        page = mmap(-1, 4096, flags=MAP_PRIVATE | MAP_ANONYMOUS)
        page.madvise(_MADV_WIPEONFORK)
    except (OSError, ValueError, AttributeError):
        return _SameProcessByPid()
    page[0] = 1
    return page


def warn(text, _write=write):
    """A line on the worker's stderr (fd 2, whatever user code did to ``sys.stderr``)."""
    try:
        _write(2, ("snakebridge: %s\n" % text).encode("utf-8", "replace"))
    except OSError:
        pass


class ChannelBroken(Exception):
    """The response pipe took nothing: the worker cannot answer any more."""


class Channel:
    """The request pipe (read, ``rfd``) and the response pipe (written, ``wfd``) of a worker;
    ``spin`` is how long to poll for the next request before blocking (``PoolConfig::spin``).
    Reads go through ``ready`` (input is there), ``block`` (wait for it) and ``read_some`` (what
    has come, up to ``n`` bytes; b"" at the end), writes through ``write_whole`` and
    ``write_frame``: ``ring.RingChannel`` carries the bytes through shared memory instead."""

    def __init__(self, rfd, wfd, spin):
        self.rfd = rfd
        self.wfd = wfd
        self.spin = spin
        # How slow the last cycles were (see `SLOW_CYCLE`), and when the last request came.
        self.score = 0
        self.last_request = None
        # Only the process that started serving may answer (see `write_frame`).
        self.mine = same_process()
        poller = poll()
        poller.register(rfd, POLLIN)
        self.poll = poller.poll
        self.buf = bytearray()
        # The pipe's three reads, as C callables (no Python frame on the spin's hot path):
        # `ready()` is truthy when input waits in the pipe (or it ended), `block()` waits until
        # it is, `read_some(n)` reads. `RingChannel` has methods instead.
        self.ready = partial(poller.poll, 0)
        self.block = poller.poll
        self.read_some = partial(read, rfd)
        # Where a whole frame is written with one `write` (the hot path of binary calls writes
        # there itself, as `write_whole` does), or None when `write_whole` must be called (a
        # ring).
        self.whole_fd = wfd

    def input_pending(self):
        """True when a request is buffered or waiting in the pipe."""
        return bool(self.buf) or bool(self.ready())

    def fill(self, want, _len=len, _max=max):
        """Reads until ``want`` bytes are buffered; False at EOF."""
        buf = self.buf
        while _len(buf) < want:
            if not buf and self.spin:
                self.spin_until_readable()
            chunk = self.read_some(_max(1 << 16, want - _len(buf)))
            if not chunk:
                return False
            buf += chunk
        return True

    def spin_until_readable(self, _clock=perf_counter, _min=min):
        """Polls the request pipe for up to ``spin`` seconds before the blocking read: the next
        request of a tight loop then costs no wake-up. While cycles come out slow (see
        ``SLOW_CYCLE``), blocks at once instead: an idle worker, or one whose calls take
        milliseconds or whose requests come seconds apart, burns no CPU."""
        ready = self.ready
        spin = self.spin
        start = _clock()
        last = self.last_request
        worked = last is not None and start - last > spin
        if ready():
            waited_long = False
        elif self.score >= STOP_SPINNING_AT:
            # Block in poll (not in the read) to see how soon the request came; waking up takes
            # time a spin would not have, so "quick" allows twice the spin here.
            self.block()
            waited_long = _clock() - start > 2 * spin
        else:
            deadline = start + spin
            waited_long = False
            while not ready():
                if _clock() >= deadline:
                    waited_long = True
                    break
        if worked or waited_long:
            self.score = _min(self.score + SLOW_CYCLE, MAX_SCORE)
        elif self.score:
            self.score -= 1
        # After a missed spin this is before the request came: a long wait is slow anyway.
        self.last_request = _clock()

    def read_frame(self, _from_bytes=int.from_bytes, _bytes=bytes, _len=len):
        """The next frame's JSON (or binary body) and its attachments (b"" for none), or None
        at EOF."""
        buf = self.buf
        if not buf:
            # Between frames: a read that brings exactly one plain frame (a tight loop's
            # request) is taken as it is, without the buffer.
            if self.spin:
                self.spin_until_readable()
            chunk = self.read_some(1 << 16)
            if not chunk:
                return None
            n = _from_bytes(chunk[:4], "little")
            if _len(chunk) == 4 + n:  # bit 31 (attachments) set can never match
                return chunk[4:], b""
            buf += chunk
        if not self.fill(4):
            return None
        n = _from_bytes(buf[:4], "little")
        if not n & ATTACHMENTS:
            if not self.fill(4 + n):
                return None
            frame = _bytes(buf[4 : 4 + n])
            del buf[: 4 + n]
            return frame, b""
        n &= ~ATTACHMENTS
        if not self.fill(8):
            return None
        a = _from_bytes(buf[4:8], "little")
        if not self.fill(8 + n + a):
            return None
        frame = _bytes(buf[8 : 8 + n])
        # A buffer of their own: aligned (CPython's bytes data is 16-byte aligned), and what the
        # arrays over them keep alive.
        attachments = _bytes(buf[8 + n : 8 + n + a])
        del buf[: 8 + n + a]
        return frame, attachments

    def write_whole(self, frame, _len=len, _write=write):
        """Writes a frame made whole, its length prefix included (a small binary reply)."""
        if not self.mine[0]:
            _exit(0)  # as in `write_frame`
        n = _write(self.wfd, frame)
        if n != _len(frame):
            self.write_frame_rest(memoryview(frame)[n:])

    def write_frame_rest(self, rest):
        """Writes what a first write left of a frame."""
        parts = [rest]
        while parts:
            n = writev(self.wfd, parts)
            if n <= 0:
                raise ChannelBroken("the response pipe took %d bytes of a frame" % n)
            parts = [parts[0][n:]] if n < len(parts[0]) else []

    def write_frame(
        self,
        data,
        att,
        size,
        _len=len,
        _write=write,
        _writev=writev,
        _memoryview=memoryview,
    ):
        """Writes one frame: the JSON ``data`` (bytes) and the attachment buffers ``att`` (a
        list, ``size`` bytes together; empty for none)."""
        # Also sees a child forked below Python (ctypes, C extensions), which no at-fork hook
        # hears of (see `same_process`).
        if not self.mine[0]:
            # User code forked and the child came back here: only the worker itself may answer
            # on the channel; the child leaves without a word.
            _exit(0)
        if att:
            head = (_len(data) | ATTACHMENTS).to_bytes(4, "little") + size.to_bytes(4, "little")
            parts = [_memoryview(head + data)] + [_memoryview(a) for a in att]
        else:
            out = _len(data).to_bytes(4, "little") + data
            n = _write(self.wfd, out)
            if n == _len(out):
                return
            parts = [_memoryview(out)[n:]]
        while parts:
            n = _writev(self.wfd, parts[:_MAX_PARTS])
            if n <= 0:
                # A blocking pipe never takes nothing; whatever did this, the frame cannot be
                # finished, and a loop here would spin for ever.
                raise ChannelBroken("the response pipe took %d bytes of a frame" % n)
            while n:
                first = _len(parts[0])
                if n >= first:
                    n -= first
                    del parts[0]
                else:
                    parts[0] = parts[0][n:]
                    n = 0
