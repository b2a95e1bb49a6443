//! One worker process: how it is started, its private channel (three pipes, never its
//! stdout/stderr, and where the pool spins a shared-memory ring for the bytes: `ring.rs`), the frames on that channel, and how its death is noticed and described.
//!
//! Reading is leader/follower: whoever waits for a message and finds nobody reading becomes the
//! reader and reads frames itself (no reader thread, so a plain call costs no thread hand-off);
//! frames for other waiters (stream items pushed by the worker) go to their mailboxes.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::os::fd::RawFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

mod channel;
mod exchange;
mod heartbeat;
mod logs;
mod output;
mod poll;
mod refs;
mod ring;
mod spawn;

pub(crate) use channel::Frame;
use channel::{FrameReader, ReadError};
use heartbeat::Heartbeat;
use output::{StderrTail, forward_output};
pub(crate) use refs::WorkerRefs;

use super::protocol::ToWorker;
use super::recycle::WorkerLife;
use super::shm::WorkerSegments;
use super::sites::KnownSites;
use super::tasks::Tasks;

/// Ref ids are `incarnation << ID_SHIFT | n`: every worker process ever started by this process
/// has its own incarnation, so an id is never reused, not even by a replacement worker.
pub(crate) const ID_SHIFT: u32 = 40;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a message exchange with a worker failed.
pub(crate) enum Failure {
    /// The request could not even be written: the worker was already gone. Nothing ran.
    NotDelivered(String),
    /// The worker died after the request was sent.
    Crashed(String),
    /// No reply before the deadline (the worker is still running the call).
    TimedOut,
}

/// Why waiting for a message ended without one.
pub(crate) enum Wait {
    Dead(String),
    Timeout,
}

/// Frames read for each waiting message id.
type Mailboxes = HashMap<u64, VecDeque<Frame>, BuildHasherDefault<IdHasher>>;

/// Hashes message ids (a counter) by one multiplication: the mailboxes are looked up a few
/// times on every call, and their keys are this process's own, so SipHash's protection against
/// chosen keys buys nothing there.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: consecutive ids spread over the high bits the table probes with.
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

struct Io {
    /// Someone is reading frames right now (the leader).
    reading: bool,
    /// Threads blocked on `io_cond`.
    waiters: usize,
    /// Messages read for a waiter other than the reader, by message id.
    mail: Mailboxes,
    /// Set once the worker is dead (or being killed): the cause.
    dead: Option<String>,
}

/// A running worker process.
pub(crate) struct Worker {
    pub(crate) pool: Arc<str>,
    pub(crate) slot: usize,
    pub(crate) incarnation: u64,
    pub(crate) pid: u32,
    child: Mutex<Child>,
    writer: Mutex<Option<exchange::Outbound>>,
    /// The control channel: closing it stops the worker; the heartbeat goes over it.
    control: Mutex<Option<UnixStream>>,
    heartbeat: Mutex<Heartbeat>,
    /// The end of its stderr (see `output.rs`).
    stderr: Arc<StderrTail>,
    reader: Mutex<FrameReader>,
    reader_fd: RawFd,
    io: Mutex<Io>,
    io_cond: Condvar,
    dead: AtomicBool,
    next_id: AtomicU64,
    pending_release: Mutex<Vec<u64>>,
    /// The worker's shared-memory segments this process has seen (removed once it is gone).
    pub(crate) segments: WorkerSegments,
    /// The owner of this worker's refs (what each `PyRef` it made holds).
    pub(crate) refs: Arc<WorkerRefs>,
    /// Its age, calls and limits passed, for recycling.
    pub(crate) life: WorkerLife,
    /// The Python level it forwards log records from (see `logs.rs`).
    log_level: AtomicU64,
    /// The Ray node it runs on, from its `ready` (a Ray actor's; unset for a local worker).
    node: OnceLock<String>,
    /// The `call_async` coroutines it runs as tasks (see `tasks.rs`).
    pub(crate) tasks: Tasks,
    /// The call sites whose names it was sent (binary calls, `pool/sites.rs`).
    pub(crate) sites: KnownSites,
}

impl Worker {
    /// Where the worker runs, for the pool's events: its Ray node's id, or `local`.
    pub(crate) fn node(&self) -> &str {
        self.node.get().map_or("local", String::as_str)
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Acquire)
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Opens a mailbox for replies to message `id` (before the message is sent).
    pub(crate) fn register(&self, id: u64) {
        lock(&self.io).mail.insert(id, VecDeque::new());
    }

    /// Closes the mailbox of message `id`; later frames for it are discarded. Objects in frames
    /// left unread (items pushed ahead of a stream's consumer) are released.
    pub(crate) fn unregister(&self, id: u64) {
        let left = lock(&self.io).mail.remove(&id);
        self.discard_left(left);
    }

    /// Releases what the frames of a closed mailbox hold ([`Worker::discard`]); none, the
    /// common case, costs a length check.
    pub(super) fn discard_left(&self, left: Option<VecDeque<Frame>>) {
        if let Some(left) = left.filter(|q| !q.is_empty()) {
            for frame in left {
                self.discard(&frame);
            }
        }
    }

    /// Records the worker's death: every waiter gets `cause`, refs become stale.
    pub(crate) fn mark_dead(&self, cause: String) {
        self.dead.store(true, Ordering::Release);
        {
            let mut death = lock(&self.refs.death);
            if death.is_none() {
                *death = Some(cause.clone());
            }
        }
        let mut io = lock(&self.io);
        if io.dead.is_none() {
            io.dead = Some(cause);
        }
        self.io_cond.notify_all();
    }

    /// Kills the process now (SIGKILL), reaps it, and removes the shared-memory segments it
    /// left.
    pub(crate) fn kill(&self, cause: String) {
        self.mark_dead(cause);
        let mut child = lock(&self.child);
        let _ = child.kill();
        let _ = child.wait();
        drop(child);
        self.segments.sweep();
    }

    /// The exit status if the process has exited (described), without blocking.
    pub(crate) fn exited(&self) -> Option<String> {
        match lock(&self.child).try_wait() {
            Ok(Some(status)) => Some(describe_exit(status)),
            _ => None,
        }
    }

    /// Waits (briefly) for the process to exit after its channel closed, and describes how it
    /// ended.
    pub(crate) fn reap_cause(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let status = lock(&self.child).try_wait();
            match status {
                Ok(Some(status)) => return self.describe_end(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                Ok(None) => {
                    let mut child = lock(&self.child);
                    let _ = child.kill();
                    let _ = child.wait();
                    return "closed its channel without exiting, and was killed".into();
                }
                Err(e) => return format!("could not be waited for ({e})"),
            }
        }
    }

    /// How the process ended; for a Ray slot's driver whose actor died, with the reason it
    /// gave on its stderr (see `pool/ray`).
    fn describe_end(&self, status: ExitStatus) -> String {
        let ended = describe_exit(status);
        if status.code() != Some(super::ray::RAY_ACTOR_DIED) {
            return ended;
        }
        let said = self.stderr.last_lines(Duration::from_millis(500));
        match said
            .lines()
            .rev()
            .find_map(|l| l.split_once("snakebridge: "))
        {
            Some((_, reason)) => format!("{ended} ({reason})"),
            None => ended,
        }
    }

    /// Sends a message that has no reply (credit, close, close_session).
    pub(crate) fn notify(&self, message: &ToWorker<'_>) {
        if let Ok(frame) = message.frame(&[]) {
            let _ = self.send(&frame);
        }
    }

    /// True while a call or stream waits for messages from the worker.
    pub(crate) fn has_open_mailboxes(&self) -> bool {
        !lock(&self.io).mail.is_empty()
    }

    /// Lets a recycled worker go: its refs name `cause`, its channel closes, and it is reaped
    /// (killed if it does not exit within a second).
    pub(crate) fn retire(&self, cause: String) {
        self.mark_dead(cause);
        self.begin_shutdown();
        self.finish_shutdown(Instant::now() + Duration::from_secs(1));
    }

    /// First step of a graceful stop: close the channel; the worker exits on EOF.
    pub(crate) fn begin_shutdown(&self) {
        self.mark_dead("its pool was shut down".into());
        lock(&self.control).take();
        // A writer blocked on a stuck worker keeps its lock: the control pipe and the final
        // SIGKILL are enough then.
        if let Ok(mut w) = self.writer.try_lock() {
            w.take();
        }
    }

    /// Second step: wait until `deadline` for the exit, then SIGKILL. Always reaps, then
    /// removes the shared-memory segments the worker left.
    pub(crate) fn finish_shutdown(&self, deadline: Instant) {
        loop {
            let mut child = lock(&self.child);
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => {}
            }
            drop(child);
            std::thread::sleep(Duration::from_millis(2));
        }
        self.segments.sweep();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let running = matches!(child.try_wait(), Ok(None));
        if running {
            let _ = child.kill();
        }
        let _ = child.wait();
        if running {
            self.segments.sweep();
        }
    }
}

/// Describes how a process ended: `killed by signal 11 (SIGSEGV)`, `exited with code 3`.
pub(crate) fn describe_exit(status: ExitStatus) -> String {
    if let Some(sig) = status.signal() {
        let core = if status.core_dumped() {
            ", core dumped"
        } else {
            ""
        };
        return format!("was killed by signal {sig} ({}){core}", signal_name(sig));
    }
    match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => format!("ended ({status})"),
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGSYS => "SIGSYS",
        _ => "unknown signal",
    }
}
