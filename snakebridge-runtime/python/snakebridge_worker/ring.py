"""The channel's bytes through shared memory: the worker's side of ``pool/worker/ring.rs``,
which has the design and the one definition of the layout (passed in
``SNAKEBRIDGE_WORKER_RING``). Two byte rings, one each way, with one reader and one writer each;
the pipes stay as doorbells and as the sign of Rust's end. The control words are read and
written whole through a memoryview of 8-byte items (one aligned load or store each); the full
fence between a store of one and the load of another (a sleeper's flag and a writer's ``head``)
is a lock's acquire and release, each an atomic read-modify-write. This side also says which CPU
it runs on, for Rust, which does not spin while the worker was last on its own (``ring.rs`` says
why): when it falls asleep, wakes, or rings Rust."""

from snakebridge_worker import BUILTINS as __builtins__

from mmap import MAP_SHARED, PROT_READ, PROT_WRITE, mmap

try:
    from mmap import MAP_POPULATE
except ImportError:  # not Linux
    MAP_POPULATE = 0
from os import _exit, read, set_blocking, write
from threading import Lock
from time import sleep

from snakebridge_worker.channel import ATTACHMENTS, Channel


def _cpu_reader():
    """A callable giving the CPU this thread runs on plus one, as the control page's
    ``worker_cpu`` says it (0: not known). Only the slow paths ask (falling asleep, waking,
    ringing Rust)."""
    try:
        from ctypes import CDLL

        getcpu = CDLL(None).sched_getcpu
    except (ImportError, OSError, AttributeError):
        return lambda: 0
    return lambda: getcpu() + 1


# How long a writer that finds the reply ring full naps before it looks again (Rust reads it
# whenever it waits for a reply; nobody rings for room): from 50 µs, doubling up to 3.2 ms
# while it stays full (as Rust's writer naps: `ring_nap` in `pool/worker/exchange.rs`).
_ROOM_NAP = 50e-6
_MAX_ROOM_NAP = 3.2e-3


def parse(description):
    """The ``name=value`` pairs of ``SNAKEBRIDGE_WORKER_RING``, as ints."""
    return {k: int(v) for k, v in (pair.split("=") for pair in description.split(","))}


class RingChannel(Channel):
    """``Channel`` with the bytes in the shared rings ``layout`` describes (``parse``): requests
    are read from the request ring, replies written to the reply ring; ``rfd`` and ``wfd`` are
    the doorbells (``wfd`` made non-blocking: a full doorbell pipe has bytes enough)."""

    def __init__(self, rfd, wfd, spin, layout):
        Channel.__init__(self, rfd, wfd, spin)
        # Every page mapped now: a first touch in the middle of a call would cost it a fault
        # (one call in every 4 KiB of requests, through the first pass of the ring).
        self.map = mmap(
            layout["fd"], layout["size"], MAP_SHARED | MAP_POPULATE, PROT_READ | PROT_WRITE
        )
        self.words = memoryview(self.map).cast("Q")
        self.capacity = layout["capacity"]
        self.mask = self.capacity - 1
        # Word indexes of the control words.
        self.request_head = layout["request_head"] // 8
        self.request_tail = layout["request_tail"] // 8
        self.reply_head = layout["reply_head"] // 8
        self.reply_tail = layout["reply_tail"] // 8
        self.worker_asleep = layout["worker_asleep"] // 8
        self.rust_asleep = layout["rust_asleep"] // 8
        self.worker_cpu = layout["worker_cpu"] // 8
        self.current_cpu = _cpu_reader()
        self.request_data = layout["request_data"]
        self.reply_data = layout["reply_data"]
        # Positions in each stream (this side's own word, kept here too).
        self.tail = 0
        self.head = 0
        # Rust closed the request pipe: once the ring is empty, the channel has ended.
        self.ended = False
        fence = Lock()
        self.fence_acquire = fence.acquire
        self.fence_release = fence.release
        set_blocking(wfd, False)
        # The methods below, not the pipe's callables.
        del self.ready, self.block, self.read_some
        self.whole_fd = None
        self.say_cpu()

    def say_cpu(self):
        """Asks which CPU this side runs on, and says it in the control page."""
        self.words[self.worker_cpu] = self.current_cpu()

    def ready(self):
        return self.words[self.request_head] != self.tail or self.ended

    def block(self, _read=read):
        """Sleeps on the doorbell until Rust has written (or closed the pipe)."""
        words = self.words
        self.say_cpu()
        words[self.worker_asleep] = 1
        # The flag's store, then the load of `head`: Rust fences between its store of `head`
        # and its load of the flag (`RequestRing::write`).
        self.fence_acquire()
        self.fence_release()
        if words[self.request_head] == self.tail:
            self.poll()
            if not _read(self.rfd, 4096):
                self.ended = True
        words[self.worker_asleep] = 0
        # Woken where the waker put this side (often beside it).
        self.say_cpu()

    def read_some(self, n):
        """What has come of the request stream, up to ``n`` bytes, waiting for some; b"" once
        Rust closed the channel and everything was read."""
        words = self.words
        tail = self.tail
        head = words[self.request_head]
        while head == tail:
            if self.ended:
                return b""
            self.block()
            head = words[self.request_head]
        if head - tail > n:
            head = tail + n
        at = tail & self.mask
        end = at + (head - tail)
        base = self.request_data
        m = self.map
        if end <= self.capacity:
            data = m[base + at : base + end]
        else:
            data = m[base + at : base + self.capacity] + m[base : base + end - self.capacity]
        self.tail = head
        words[self.request_tail] = head
        return data

    def put(self, data, _len=len, _min=min):
        """Writes the bytes-like ``data`` (flat bytes) to the reply ring, published piece by
        piece as room comes, ringing Rust if it sleeps."""
        words = self.words
        capacity = self.capacity
        base = self.reply_data
        m = self.map
        head = self.head
        left = _len(data)
        done = 0
        nap = _ROOM_NAP
        while left:
            free = capacity - (head - words[self.reply_tail])
            if not free:
                sleep(nap)
                nap = _min(nap * 2, _MAX_ROOM_NAP)
                continue
            k = _min(free, left)
            at = head & self.mask
            end = at + k
            if done == 0 and k == left and end <= capacity:
                m[base + at : base + end] = data
            else:
                piece = memoryview(data)[done : done + k]
                first = _min(k, capacity - at)
                m[base + at : base + at + first] = piece[:first]
                if first < k:
                    m[base : base + k - first] = piece[first:]
            head += k
            done += k
            left -= k
            self.head = head
            words[self.reply_head] = head
            self.ring_bell()

    def ring_bell(self, _write=write):
        """Wakes Rust if it sleeps on the doorbell (after a publish)."""
        self.fence_acquire()
        self.fence_release()
        if self.words[self.rust_asleep]:
            try:
                _write(self.wfd, b"\x01")
            except OSError:
                # Full: it has bytes enough to wake. Closed: Rust is gone (the control
                # channel's end stops the worker).
                pass
            self.say_cpu()

    def write_whole(self, frame):
        """Writes a frame made whole, its length prefix included (a small binary reply)."""
        if not self.mine[0]:
            _exit(0)  # as in `Channel.write_frame`
        self.put(frame)

    def write_frame(self, data, att, size, _len=len):
        """Writes one frame: the JSON ``data`` and the attachment buffers ``att``."""
        if not self.mine[0]:
            _exit(0)  # as in `Channel.write_frame`
        if att:
            self.put(
                (_len(data) | ATTACHMENTS).to_bytes(4, "little")
                + size.to_bytes(4, "little")
                + data
            )
            for a in att:
                view = memoryview(a)
                if view.ndim != 1 or view.format != "B":
                    view = view.cast("B")
                self.put(view)
        else:
            self.put(_len(data).to_bytes(4, "little") + data)
