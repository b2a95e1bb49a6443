//! The channel's bytes through shared memory: two byte rings in one anonymous mapping (a
//! memfd the worker inherits), one each way, each with one writer and one reader. The pipes
//! stay, as doorbells and as the sign of death: a side that has spun out its
//! [`crate::PoolConfig::spin`] says so in the mapping and blocks in `poll` on its pipe; the
//! other side, after publishing bytes, writes one byte to that pipe only if it sees the
//! sleeper's flag. A tight loop of calls then makes no system call at all (a pipe round trip
//! makes at least four), and a worker's death still shows as the pipe's EOF.
//!
//! Each ring is a byte stream, exactly what the pipe carried (frames of `PROTOCOL.md`, cut
//! wherever the ring wraps or fills): `head` counts the bytes ever written, `tail` the bytes
//! ever read; the writer stores `head` after the bytes (release), the reader `tail` after
//! reading them. The sleeper's flag and the writer's `head` form the classic pair of a store
//! then a load on each side, so both sides put a full fence between them (the worker takes a
//! lock, whose atomic read-modify-write is one: `snakebridge_worker/ring.py`). A writer that
//! finds its ring full waits with short sleeps (a frame larger than the ring, or a reader
//! that has stopped reading); nobody sleeps on the doorbell for room.
//!
//! The worker also says which CPU it runs on: when it falls asleep, wakes, or rings Rust (its
//! Python cannot ask cheaply more often; a move while it spins shows when it next does). A Rust
//! side that runs on the CPU the worker was last on does not spin, but sleeps at once: the
//! worker cannot run while Rust spins there, and would wait out the whole spin on every call.
//! That is where a caller and its worker end up when a pipe's "sync" wake-up (the woken thread
//! goes where its waker runs) puts them together, as after the pool sat idle. The worker then
//! spins as usual: Rust, asleep, is woken by its reply and takes the CPU from the spin at once
//! (a thread that slept comes first), and the next request is there when the worker runs again,
//! with no wake-up on that side. Once the scheduler puts them apart, both spin.
//!
//! Used where plain loads and stores of aligned 8-byte words are atomic and stay in program
//! order for the worker's Python (x86-64 Linux: `PoolConfig::uses_shared_ring`); elsewhere,
//! without a spin, and on Ray, the bytes go through the pipes as before. The layout below is the one definition: the worker is told it at
//! start-up (`SNAKEBRIDGE_WORKER_RING`).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

/// How often a spinning reader looks at the doorbell pipe for the worker's end (a system call;
/// the ring itself is looked at all the time).
const EOF_LOOK: Duration = Duration::from_micros(50);

/// The bytes each ring holds (a power of two).
pub(crate) const CAPACITY: usize = 1 << 20;
/// The words of the control page, each on its own cache line: bytes Rust wrote to the request
/// ring, bytes the worker read of it, the same for the reply ring, the two sleepers' flags, and
/// the CPU the worker said it runs on (plus one; 0 for not known).
const REQUEST_HEAD: usize = 0;
const REQUEST_TAIL: usize = 64;
const REPLY_HEAD: usize = 128;
const REPLY_TAIL: usize = 192;
const WORKER_ASLEEP: usize = 256;
const RUST_ASLEEP: usize = 320;
const WORKER_CPU: usize = 384;
/// The control page's size; the request ring follows it, then the reply ring.
const CONTROL: usize = 4096;
const REQUEST_DATA: usize = CONTROL;
const REPLY_DATA: usize = CONTROL + CAPACITY;
const SIZE: usize = CONTROL + 2 * CAPACITY;

/// The shared mapping, unmapped when both ends are gone.
pub(crate) struct Ring {
    base: NonNull<u8>,
    fd: OwnedFd,
}

// SAFETY: the mapping is shared memory touched only through atomics (the control words) or by
// the one writer / one reader of each ring, in the order its `head` and `tail` allow.
unsafe impl Send for Ring {}
// SAFETY: as above.
unsafe impl Sync for Ring {}

impl Ring {
    /// A new, zeroed mapping (Linux only: a memfd, no name anywhere).
    #[cfg(target_os = "linux")]
    pub(crate) fn create() -> io::Result<Arc<Ring>> {
        // SAFETY: a valid C string; the flags are memfd_create's.
        let fd = unsafe { libc::memfd_create(c"snakebridge-ring".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a new fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: plain calls on the fd owned here; a fresh mapping chosen by the kernel.
        let base = unsafe {
            if libc::ftruncate(fd.as_raw_fd(), SIZE as libc::off_t) != 0 {
                return Err(io::Error::last_os_error());
            }
            // Every page mapped now (the worker does the same): a first touch in the middle of
            // a call would cost it a fault, one call in every 4 KiB through the first pass.
            let p = libc::mmap(
                std::ptr::null_mut(),
                SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd.as_raw_fd(),
                0,
            );
            if p == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            p
        };
        Ok(Arc::new(Ring {
            base: NonNull::new(base.cast()).expect("mmap does not return null on success"),
            fd,
        }))
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn create() -> io::Result<Arc<Ring>> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// The fd the worker inherits.
    pub(crate) fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The worker's `SNAKEBRIDGE_WORKER_RING`: the fd, then the layout, as `name=value` pairs.
    pub(crate) fn describe(&self) -> String {
        format!(
            "fd={},size={SIZE},capacity={CAPACITY},request_head={REQUEST_HEAD},\
             request_tail={REQUEST_TAIL},reply_head={REPLY_HEAD},reply_tail={REPLY_TAIL},\
             worker_asleep={WORKER_ASLEEP},rust_asleep={RUST_ASLEEP},\
             worker_cpu={WORKER_CPU},\
             request_data={REQUEST_DATA},reply_data={REPLY_DATA}",
            self.fd()
        )
    }

    fn word(&self, at: usize) -> &AtomicU64 {
        // SAFETY: `at` is one of the control page's 8-byte-aligned offsets, inside the mapping,
        // which lives as long as `self`; the other side touches it only with aligned 8-byte
        // loads and stores.
        unsafe { &*self.base.as_ptr().add(at).cast::<AtomicU64>() }
    }

    /// Copies `bytes` into the ring at `data`, from stream position `pos` (wrapping).
    ///
    /// # Safety
    /// The caller is the ring's one writer and `pos..pos + bytes.len()` is free.
    unsafe fn put(&self, data: usize, pos: u64, bytes: &[u8]) {
        let at = (pos as usize) & (CAPACITY - 1);
        let first = bytes.len().min(CAPACITY - at);
        // SAFETY: both ranges lie inside the ring's `CAPACITY` bytes at `data`; the reader
        // does not touch free bytes.
        unsafe {
            let ring = self.base.as_ptr().add(data);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), ring.add(at), first);
            std::ptr::copy_nonoverlapping(bytes.as_ptr().add(first), ring, bytes.len() - first);
        }
    }

    /// Copies `out.len()` bytes out of the ring at `data`, from stream position `pos`.
    ///
    /// # Safety
    /// The caller is the ring's one reader and `pos..pos + out.len()` was published.
    unsafe fn get(&self, data: usize, pos: u64, out: &mut [u8]) {
        let at = (pos as usize) & (CAPACITY - 1);
        let first = out.len().min(CAPACITY - at);
        // SAFETY: as in `put`; the writer does not touch published bytes before they are read.
        unsafe {
            let ring = self.base.as_ptr().add(data);
            std::ptr::copy_nonoverlapping(ring.add(at), out.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(ring, out.as_mut_ptr().add(first), out.len() - first);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `create`, unmapped once.
        unsafe { libc::munmap(self.base.as_ptr().cast(), SIZE) };
    }
}

/// Rust's end of the request ring (written under the worker's writer lock).
pub(crate) struct RequestRing {
    ring: Arc<Ring>,
    head: u64,
}

impl RequestRing {
    pub(crate) fn new(ring: Arc<Ring>) -> RequestRing {
        RequestRing { ring, head: 0 }
    }

    /// Writes what fits of `bytes` (none when the ring is full) and publishes it; then, if the
    /// worker sleeps, rings `doorbell` (the request pipe, non-blocking). How many were written.
    pub(crate) fn write(&mut self, bytes: &[u8], doorbell: RawFd) -> usize {
        let tail = self.ring.word(REQUEST_TAIL).load(Ordering::Acquire);
        let free = CAPACITY - (self.head - tail) as usize;
        let n = bytes.len().min(free);
        if n == 0 {
            return 0;
        }
        // SAFETY: the one writer (the caller holds the writer lock); `n` bytes are free.
        unsafe { self.ring.put(REQUEST_DATA, self.head, &bytes[..n]) };
        self.head += n as u64;
        self.ring
            .word(REQUEST_HEAD)
            .store(self.head, Ordering::Release);
        // The store above, then the load of the sleeper's flag: a full fence between (the
        // worker fences between setting its flag and looking at `head`).
        fence(Ordering::SeqCst);
        if self.ring.word(WORKER_ASLEEP).load(Ordering::Relaxed) != 0 {
            ring_bell(doorbell);
        }
        n
    }

    /// The stream position after everything written so far.
    pub(crate) fn position(&self) -> u64 {
        self.head
    }

    /// Whether the worker has read anything at or after stream position `pos`.
    pub(crate) fn read_past(&self, pos: u64) -> bool {
        self.ring.word(REQUEST_TAIL).load(Ordering::Acquire) > pos
    }
}

/// Rust's end of the reply ring (read by the one reader of the worker's channel).
pub(crate) struct ReplyRing {
    ring: Arc<Ring>,
    tail: u64,
    /// The response pipe (non-blocking), where the worker rings and where its death shows.
    doorbell: RawFd,
    /// The doorbell pipe has ended: once the ring is empty, the worker is gone.
    ended: bool,
}

impl ReplyRing {
    pub(crate) fn new(ring: Arc<Ring>, doorbell: RawFd) -> ReplyRing {
        ReplyRing {
            ring,
            tail: 0,
            doorbell,
            ended: false,
        }
    }

    /// Whether the worker sleeps on its doorbell (it waited for a request past its spin, and
    /// the next one wakes it): a reply to a request sent since then comes after a wake-up.
    pub(crate) fn worker_asleep(&self) -> bool {
        self.ring.word(WORKER_ASLEEP).load(Ordering::Relaxed) != 0
    }

    /// Whether the worker was last on the CPU this side runs on (see the module's doc): then
    /// it cannot run while this side spins.
    pub(crate) fn beside_worker(&self) -> bool {
        let cpu = current_cpu();
        cpu != 0 && self.ring.word(WORKER_CPU).load(Ordering::Relaxed) == cpu
    }

    /// As if the worker said it runs on `cpu` (its number plus one; tests).
    #[cfg(test)]
    pub(crate) fn test_set_worker_cpu(&self, cpu: u64) {
        self.ring.word(WORKER_CPU).store(cpu, Ordering::Relaxed);
    }

    /// A function that does what [`ReplyRing::test_publish`] does, from another thread (tests).
    #[cfg(test)]
    pub(crate) fn test_publisher(&self) -> impl FnOnce(u64) + Send + 'static {
        let ring = self.ring.clone();
        move |n| {
            ring.word(REPLY_HEAD).fetch_add(n, Ordering::Release);
        }
    }

    /// As if the worker published `n` more bytes of replies (tests).
    #[cfg(test)]
    pub(crate) fn test_publish(&self, n: u64) {
        self.test_publisher()(n);
    }

    /// As if the worker fell asleep on its doorbell, or woke (tests).
    #[cfg(test)]
    pub(crate) fn test_set_worker_asleep(&self, asleep: bool) {
        self.ring
            .word(WORKER_ASLEEP)
            .store(u64::from(asleep), Ordering::Relaxed);
    }

    pub(crate) fn available(&self) -> usize {
        (self.ring.word(REPLY_HEAD).load(Ordering::Acquire) - self.tail) as usize
    }

    /// Copies what has come (up to `out.len()`) into `out`: how many bytes, `Ok(0)` for none
    /// yet, `UnexpectedEof` once nothing is left and the worker is gone.
    pub(crate) fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.available().min(out.len());
        if n == 0 {
            return if self.ended {
                Err(io::ErrorKind::UnexpectedEof.into())
            } else {
                Ok(0)
            };
        }
        // SAFETY: the one reader (the caller holds the frame reader's lock); `n` bytes were
        // published.
        unsafe { self.ring.get(REPLY_DATA, self.tail, &mut out[..n]) };
        self.tail += n as u64;
        self.ring
            .word(REPLY_TAIL)
            .store(self.tail, Ordering::Release);
        Ok(n)
    }

    /// Looks at the ring without blocking for up to `spin`: true as soon as bytes are there
    /// (or the worker is known gone), false when the spin is over first, or cut short because
    /// the worker is on this side's CPU (see the module's doc). The doorbell pipe is looked at
    /// too, every [`EOF_LOOK`] or so, so that a worker that dies while this side spins is
    /// noticed at once, not at the end of a long spin; and so is the worker's CPU.
    pub(crate) fn spin_until_readable(&mut self, spin: Duration) -> io::Result<bool> {
        if self.available() > 0 || self.ended {
            return Ok(true);
        }
        if spin.is_zero() {
            return Ok(false);
        }
        let start = Instant::now();
        let mut last_look = start;
        loop {
            for _ in 0..64 {
                if self.available() > 0 {
                    return Ok(true);
                }
                std::hint::spin_loop();
            }
            let now = Instant::now();
            if now.duration_since(last_look) >= EOF_LOOK {
                last_look = now;
                // Moved beside the worker while spinning (see the module's doc): it cannot
                // answer while this side spins here.
                if self.beside_worker() {
                    return Ok(false);
                }
                if super::poll::wait_readable(self.doorbell, Some(now))? {
                    self.drain_doorbell()?;
                    if self.ended || self.available() > 0 {
                        return Ok(true);
                    }
                }
            }
            if now.duration_since(start) >= spin {
                return Ok(false);
            }
        }
    }

    /// Sleeps on the doorbell until bytes come, the worker goes, or `deadline` passes
    /// (`None`: no limit): false on the deadline. May return true for a doorbell whose bytes
    /// were read already (the caller reads nothing and waits again).
    pub(crate) fn wait(&mut self, deadline: Option<Instant>) -> io::Result<bool> {
        if self.available() > 0 || self.ended {
            return Ok(true);
        }
        let asleep = self.ring.word(RUST_ASLEEP);
        asleep.store(1, Ordering::Relaxed);
        // The flag's store, then the load of `head`: the worker's side of this is in
        // `RequestRing::write`'s mirror (`ring.py`).
        fence(Ordering::SeqCst);
        let ready = if self.available() > 0 {
            Ok(true)
        } else {
            super::poll::wait_readable(self.doorbell, deadline)
        };
        asleep.store(0, Ordering::Relaxed);
        if ready? {
            self.drain_doorbell()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads the doorbell's bytes (non-blocking), noting its end.
    fn drain_doorbell(&mut self) -> io::Result<()> {
        let mut bytes = [0u8; 256];
        loop {
            // SAFETY: a valid buffer of its length; the fd stays open as long as the worker.
            let n = unsafe { libc::read(self.doorbell, bytes.as_mut_ptr().cast(), bytes.len()) };
            match n {
                0 => {
                    self.ended = true;
                    return Ok(());
                }
                n if n > 0 => {}
                _ => {
                    let e = io::Error::last_os_error();
                    match e.kind() {
                        io::ErrorKind::WouldBlock => return Ok(()),
                        io::ErrorKind::Interrupted => {}
                        _ => return Err(e),
                    }
                }
            }
        }
    }
}

/// The CPU this thread runs on, plus one (0: not known), as the control page's CPU word says
/// it. (glibc's `sched_getcpu` reads it from the thread's rseq area, without a system call.)
pub(crate) fn current_cpu() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: no arguments; -1 on failure.
        let cpu = unsafe { libc::sched_getcpu() };
        u64::try_from(cpu).map_or(0, |c| c + 1)
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// One byte on a non-blocking doorbell pipe. A full pipe has bytes enough to wake the sleeper;
/// a closed one (the worker gone) shows as EOF on the other pipe.
fn ring_bell(fd: RawFd) {
    // SAFETY: one byte from a valid buffer.
    unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsRawFd;

    use super::*;

    /// Rust writes to the request ring as the worker would read it, and reads the reply ring
    /// as the worker would write it: here both sides are this test, through the same words.
    #[test]
    fn bytes_cross_the_ring_whole_across_its_wrap_and_fill() {
        let ring = Ring::create().unwrap();
        let (bell_r, bell_w) = std::io::pipe().unwrap();
        let mut tx = RequestRing::new(ring.clone());
        // Three frames' worth that wrap the ring: each written, then read as the worker does.
        let chunk: Vec<u8> = (0..=255u8).cycle().take(CAPACITY / 3 + 7).collect();
        let mut tail = 0u64;
        for _ in 0..5 {
            assert_eq!(tx.write(&chunk, bell_w.as_raw_fd()), chunk.len());
            let mut back = vec![0; chunk.len()];
            // SAFETY: the test is the ring's reader here; the bytes were published.
            unsafe { ring.get(REQUEST_DATA, tail, &mut back) };
            assert_eq!(back, chunk);
            tail += chunk.len() as u64;
            ring.word(REQUEST_TAIL).store(tail, Ordering::Release);
        }
        // Full: only what fits is taken, and nothing once full.
        let big = vec![7u8; CAPACITY + 10];
        assert_eq!(tx.write(&big, bell_w.as_raw_fd()), CAPACITY);
        assert_eq!(tx.write(&big, bell_w.as_raw_fd()), 0);
        assert!(!tx.read_past(tx.position() - 1), "nothing read yet");
        drop(bell_r);
    }

    /// The reply side: a doorbell wakes the sleeper, bytes wrap, the pipe's end with an empty
    /// ring is EOF (but not before the bytes that came are read).
    #[test]
    fn the_reply_ring_wakes_on_the_doorbell_and_ends_after_the_last_bytes() {
        let ring = Ring::create().unwrap();
        let (bell_r, bell_w) = std::io::pipe().unwrap();
        // SAFETY: plain fcntl on a valid fd.
        unsafe { libc::fcntl(bell_r.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        let mut rx = ReplyRing::new(ring.clone(), bell_r.as_raw_fd());
        assert!(!rx.spin_until_readable(Duration::from_micros(50)).unwrap());
        let soon = Some(Instant::now() + Duration::from_millis(20));
        assert!(!rx.wait(soon).unwrap(), "nothing came: the deadline");
        // Start near the end of the ring (as if that much had come and been read), so the
        // bytes wrap.
        let start = CAPACITY as u64 - 4;
        ring.word(REPLY_HEAD).store(start, Ordering::Release);
        rx.tail = start;
        let writer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                // The worker's side of a write: bytes, head, fence, the flag, the bell.
                let bytes = b"hello, ring";
                std::thread::sleep(Duration::from_millis(30));
                // SAFETY: the test is the ring's writer here.
                unsafe { ring.put(REPLY_DATA, start, bytes) };
                ring.word(REPLY_HEAD)
                    .store(start + bytes.len() as u64, Ordering::Release);
                fence(Ordering::SeqCst);
                if ring.word(RUST_ASLEEP).load(Ordering::Relaxed) != 0 {
                    ring_bell(bell_w.as_raw_fd());
                }
                drop(bell_w);
            })
        };
        while rx.available() == 0 {
            assert!(rx.wait(None).unwrap());
        }
        writer.join().unwrap();
        let mut out = [0u8; 64];
        let n = rx.read(&mut out).unwrap();
        assert_eq!(&out[..n], b"hello, ring");
        assert!(rx.wait(None).unwrap(), "the pipe's end wakes");
        assert_eq!(
            rx.read(&mut out).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
