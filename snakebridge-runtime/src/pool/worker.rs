//! One worker process: how it is started, its private channel (three pipes, never its
//! stdout/stderr), the frames on that channel, and how its death is noticed and described.
//!
//! Reading is leader/follower: whoever waits for a message and finds nobody reading becomes the
//! reader and reads frames itself (no reader thread, so a plain call costs no thread hand-off);
//! frames for other waiters (stream items pushed by the worker) go to their mailboxes.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, PipeReader, PipeWriter, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::{PoolConfig, WorkerOutput, shm};
use crate::data::error::{Error, ExceptionKind, Result};
use crate::data::pyref::RefOwner;

/// The adapter every worker runs.
pub(crate) const SCRIPT: &str = include_str!("../../python/snakebridge_worker.py");

/// Runs the adapter from an environment variable: the command line stays short (`ps` shows
/// `python -c <this>`), and no temporary file is left behind by a killed process.
const BOOTSTRAP: &str = "import os; exec(compile(os.environ.pop('SNAKEBRIDGE_WORKER_SCRIPT'), \
     'snakebridge_worker.py', 'exec'), {'__name__': 'snakebridge_worker'})";

/// Ref ids are `incarnation << ID_SHIFT | n`: every worker process ever started by this process
/// has its own incarnation, so an id is never reused, not even by a replacement worker.
pub(crate) const ID_SHIFT: u32 = 40;
static NEXT_INCARNATION: AtomicU64 = AtomicU64::new(1);

/// Releases are sent at once when this many are pending (else with the next call, or by the
/// pool's housekeeping within a fraction of a second).
const RELEASE_BATCH: usize = 128;

/// The size asked for the channel's pipes (Linux caps it at `/proc/sys/fs/pipe-max-size`).
#[cfg(target_os = "linux")]
const PIPE_SIZE: libc::c_int = 1 << 20;

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

struct Io {
    /// Someone is reading frames right now (the leader).
    reading: bool,
    /// Threads blocked on `io_cond`.
    waiters: usize,
    /// Messages read for a waiter other than the reader, by message id.
    mail: HashMap<u64, VecDeque<Json>>,
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
    writer: Mutex<Option<PipeWriter>>,
    control: Mutex<Option<PipeWriter>>,
    reader: Mutex<FrameReader>,
    reader_fd: RawFd,
    io: Mutex<Io>,
    io_cond: Condvar,
    dead: AtomicBool,
    next_id: AtomicU64,
    pending_release: Mutex<Vec<u64>>,
    /// The highest number of the worker's shared-memory segments this process has seen.
    shm_seen: AtomicU64,
    /// The owner of this worker's refs (what each `PyRef` it made holds).
    pub(crate) refs: Arc<WorkerRefs>,
}

/// The [`RefOwner`] of one worker's refs.
pub(crate) struct WorkerRefs {
    worker: Weak<Worker>,
    pool: Arc<str>,
    slot: usize,
    pid: u32,
    death: Mutex<Option<String>>,
}

impl RefOwner for WorkerRefs {
    fn release(&self, id: u64) {
        if let Some(worker) = self.worker.upgrade() {
            worker.queue_release(id);
        }
    }

    fn describe(&self) -> String {
        let base = format!(
            "worker {} (pid {}) of pool `{}`",
            self.slot, self.pid, self.pool
        );
        match lock(&self.death).as_deref() {
            None => base,
            Some(cause) => format!("{base}, which is gone ({cause}); the object died with it"),
        }
    }
}

impl WorkerRefs {
    pub(crate) fn death(&self) -> Option<String> {
        lock(&self.death).clone()
    }
}

impl Worker {
    /// Spawns a worker process; it is usable once [`Worker::wait_ready`] returns.
    pub(crate) fn spawn(config: &PoolConfig, pool: &Arc<str>, slot: usize) -> Result<Arc<Worker>> {
        let (python, source) = config.interpreter();
        let pipes = || -> io::Result<_> { Ok((io::pipe()?, io::pipe()?, io::pipe()?)) };
        let ((req_r, req_w), (resp_r, resp_w), (ctl_r, ctl_w)) =
            pipes().map_err(|e| Error::config(format!("cannot create a worker channel: {e}")))?;
        let incarnation = NEXT_INCARNATION.fetch_add(1, Ordering::Relaxed);
        let child_fds: [OwnedFd; 3] = [req_r.into(), resp_w.into(), ctl_r.into()];
        let raw: [RawFd; 3] = [
            child_fds[0].as_raw_fd(),
            child_fds[1].as_raw_fd(),
            child_fds[2].as_raw_fd(),
        ];

        let mut cmd = Command::new(&python);
        cmd.arg("-c").arg(BOOTSTRAP);
        cmd.env("PYTHONUNBUFFERED", "1");
        for (k, v) in &config.env {
            cmd.env(k, v);
        }
        let kinds: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.class_name()).collect();
        cmd.env("SNAKEBRIDGE_WORKER_SCRIPT", SCRIPT)
            .env(
                "SNAKEBRIDGE_WORKER_FDS",
                format!("{},{},{}", raw[0], raw[1], raw[2]),
            )
            .env(
                "SNAKEBRIDGE_WORKER_ID_BASE",
                (incarnation << ID_SHIFT).to_string(),
            )
            .env("SNAKEBRIDGE_EXCEPTION_KINDS", kinds.join(","))
            .env("SNAKEBRIDGE_PRELOAD", config.preload.join(","))
            .env(
                "SNAKEBRIDGE_SHM_THRESHOLD",
                config.shared_memory_threshold.to_string(),
            );
        cmd.stdin(Stdio::null());
        match config.output {
            WorkerOutput::Inherit => {}
            WorkerOutput::Null => {
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
            }
            WorkerOutput::Tracing => {
                cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
        }
        // Its own process group: a Ctrl-C in the terminal goes to the Rust program, which then
        // takes its workers down with it, instead of interrupting calls in the middle.
        cmd.process_group(0);
        let parent = std::process::id();
        // SAFETY: the closure runs in the forked child before exec and only makes
        // async-signal-safe calls (fcntl, prctl, getppid).
        unsafe {
            cmd.pre_exec(move || {
                for fd in raw {
                    // Inherited by this child only: the parent's copies stay close-on-exec.
                    if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                }
                #[cfg(target_os = "linux")]
                {
                    // Die with the parent even if it is SIGKILLed. The fork happens on the
                    // spawner thread, which lives as long as the process.
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                    if libc::getppid() as u32 != parent {
                        return Err(io::Error::other("the parent exited during the spawn"));
                    }
                }
                #[cfg(not(target_os = "linux"))]
                let _ = parent;
                Ok(())
            });
        }
        let mut child = spawn_on_spawner(cmd).map_err(|e| {
            Error::config(format!(
                "cannot start the Python interpreter `{}` ({source}) for pool `{pool}`: {e}; \
                 point SNAKEBRIDGE_PYTHON or PoolConfig::python at a Python 3 interpreter",
                python.display()
            ))
        })?;
        // The parent's copies of the child's ends must go, or the worker's death would never
        // show as EOF.
        drop(child_fds);
        let pid = child.id();
        if config.output == WorkerOutput::Tracing {
            forward_output(&mut child, pool, slot, pid);
        }

        // Roomier pipes (best effort; the default is 64 KiB), and a non-blocking request end
        // (see `Worker::send`).
        #[cfg(target_os = "linux")]
        for fd in [req_w.as_raw_fd(), resp_r.as_raw_fd()] {
            // SAFETY: plain fcntl calls on fds this function owns.
            unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_SIZE) };
        }
        // SAFETY: as above.
        let nonblocking = unsafe {
            let fd = req_w.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            flags != -1 && libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) != -1
        };
        if !nonblocking {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::config(format!(
                "cannot set up the worker channel: {}",
                io::Error::last_os_error()
            )));
        }
        let reader_fd = resp_r.as_raw_fd();
        let worker = Arc::new_cyclic(|me: &Weak<Worker>| {
            let mut mail = HashMap::new();
            // Message 0 is the readiness handshake.
            mail.insert(0, VecDeque::new());
            Worker {
                pool: pool.clone(),
                slot,
                incarnation,
                pid,
                child: Mutex::new(child),
                writer: Mutex::new(Some(req_w)),
                control: Mutex::new(Some(ctl_w)),
                reader: Mutex::new(FrameReader::new(resp_r)),
                reader_fd,
                io: Mutex::new(Io {
                    reading: false,
                    waiters: 0,
                    mail,
                    dead: None,
                }),
                io_cond: Condvar::new(),
                dead: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                pending_release: Mutex::new(Vec::new()),
                shm_seen: AtomicU64::new(0),
                refs: Arc::new(WorkerRefs {
                    worker: me.clone(),
                    pool: pool.clone(),
                    slot,
                    pid,
                    death: Mutex::new(None),
                }),
            }
        });
        Ok(worker)
    }

    /// Waits for the readiness handshake (the worker imported its preloads and serves).
    pub(crate) fn wait_ready(&self, config: &PoolConfig) -> Result<()> {
        let deadline = Instant::now() + config.startup_timeout;
        let (python, source) = config.interpreter();
        let fail = |what: String| {
            Error::config(format!(
                "worker {} of pool `{}` failed to start: {what} (interpreter `{}`, from {source})",
                self.slot,
                self.pool,
                python.display()
            ))
        };
        let reply = self.wait_for(0, Some(deadline));
        self.unregister(0);
        match reply {
            Ok(msg) => match msg.get("op").and_then(Json::as_str) {
                Some("ready") => {
                    tracing::debug!(
                        target: "snakebridge::pool",
                        pool = %self.pool, worker = self.slot, pid = self.pid,
                        python = msg.get("python").and_then(Json::as_str).unwrap_or("?"),
                        "worker ready"
                    );
                    Ok(())
                }
                Some("startup_error") => {
                    self.kill("failed to start".into());
                    let message = msg.get("message").and_then(Json::as_str).unwrap_or("");
                    Err(fail(message.trim_end().to_owned()))
                }
                _ => {
                    self.kill("sent a malformed handshake".into());
                    Err(fail(format!("unexpected handshake {msg}")))
                }
            },
            Err(Wait::Dead(cause)) => Err(fail(format!("the process {cause} during startup"))),
            Err(Wait::Timeout) => {
                self.kill("did not become ready in time".into());
                Err(fail(format!(
                    "not ready within the startup timeout of {:?} (PoolConfig::startup_timeout)",
                    config.startup_timeout
                )))
            }
        }
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
        for frame in left.into_iter().flatten() {
            self.discard(&frame);
        }
    }

    /// Writes one frame.
    ///
    /// The request pipe is non-blocking on this side: when it is full, the worker may itself be
    /// blocked writing stream items to us, so the writer reads (and routes) the worker's output
    /// while it waits, unless someone else is reading already. Two full pipes never deadlock.
    pub(crate) fn send(&self, frame: &[u8]) -> io::Result<()> {
        self.send_until(frame, None)
    }

    /// [`Worker::send`], giving up with `TimedOut` at `deadline` (the frame may then be partly
    /// written: the worker must be killed).
    fn send_until(&self, frame: &[u8], deadline: Option<Instant>) -> io::Result<()> {
        let mut guard = lock(&self.writer);
        self.write_locked(&mut guard, frame, deadline)
    }

    fn write_locked(
        &self,
        writer: &mut Option<PipeWriter>,
        frame: &[u8],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        let Some(w) = writer.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the worker is shutting down",
            ));
        };
        let mut written = 0;
        while written < frame.len() {
            match w.write(&frame[written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    self.unblock(w.as_raw_fd())?
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Waits a little for the full request pipe `wfd` to drain, reading the worker's output
    /// meanwhile if nobody else is.
    fn unblock(&self, wfd: RawFd) -> io::Result<()> {
        let lead = {
            let mut io = lock(&self.io);
            if let Some(cause) = &io.dead {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, cause.clone()));
            }
            !std::mem::replace(&mut io.reading, true)
        };
        let mut fds = [
            libc::pollfd {
                fd: wfd,
                events: libc::POLLOUT,
                revents: 0,
            },
            libc::pollfd {
                fd: if lead { self.reader_fd } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfds (a negative fd is ignored by poll).
        let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, 50) };
        let mut failed = None;
        if r > 0 && lead && fds[1].revents != 0 {
            // A frame has begun: read it whole and route it.
            let got = lock(&self.reader).next_frame(Some(Instant::now()));
            match got {
                Ok(Some(frame)) => self.deliver(frame),
                Ok(None) => {}
                Err(e) => failed = Some(self.read_failure(&e)),
            }
        }
        if lead {
            let mut io = lock(&self.io);
            io.reading = false;
            if io.waiters > 0 {
                self.io_cond.notify_all();
            }
        }
        if let Some(cause) = failed {
            self.mark_dead(cause.clone());
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, cause));
        }
        Ok(())
    }

    /// Puts a frame read for someone else in its mailbox. A frame nobody waits for (an item of
    /// a stream dropped meanwhile) is discarded, and the objects it made are released.
    fn deliver(&self, frame: Json) {
        let Some(id) = frame.get("id").and_then(Json::as_u64) else {
            return;
        };
        let orphan = {
            let mut io = lock(&self.io);
            match io.mail.get_mut(&id) {
                Some(q) => {
                    q.push_back(frame);
                    None
                }
                None => Some(frame),
            }
        };
        if let Some(frame) = orphan {
            self.discard(&frame);
        }
    }

    /// Lets go of what a frame that will never be decoded holds: its refs, its arrays in
    /// shared memory.
    fn discard(&self, frame: &Json) {
        self.release_refs_in(frame);
        self.forget_segments_in(frame);
    }

    /// Unlinks the shared-memory segments named in a frame that was not (or not wholly)
    /// decoded.
    pub(crate) fn forget_segments_in(&self, frame: &Json) {
        self.saw_segment(shm::unlink_named_in(frame, self.pid));
    }

    /// Notes that the worker's segment number `n` was read (or unlinked).
    pub(crate) fn saw_segment(&self, n: u64) {
        self.shm_seen.fetch_max(n, Ordering::Relaxed);
    }

    /// Removes the segments the (dead) worker created that nobody read.
    fn sweep_segments(&self) {
        shm::sweep_worker(self.pid, self.shm_seen.load(Ordering::Relaxed));
    }

    /// Queues the release of every ref in a frame that will never be decoded (sent with the
    /// next request or by the pool's housekeeping).
    fn release_refs_in(&self, frame: &Json) {
        match frame {
            Json::Array(items) => items.iter().for_each(|j| self.release_refs_in(j)),
            Json::Object(obj) => {
                if obj.get("__type__").and_then(Json::as_str) == Some("ref") {
                    if let Some(id) = obj
                        .get("id")
                        .and_then(Json::as_str)
                        .and_then(|s| s.parse().ok())
                    {
                        // Only queued: this runs on the reading path, which must never block
                        // on a write (see `Worker::send`).
                        lock(&self.pending_release).push(id);
                    }
                } else {
                    obj.values().for_each(|j| self.release_refs_in(j));
                }
            }
            _ => {}
        }
    }

    /// The cause of death after reading the channel failed.
    fn read_failure(&self, e: &io::Error) -> String {
        if e.kind() == io::ErrorKind::InvalidData {
            let _ = lock(&self.child).kill();
            format!("sent a malformed frame ({e}) and was killed")
        } else {
            self.reap_cause()
        }
    }

    /// Sends a request and waits for its first reply. With `keep`, the mailbox stays open for
    /// more messages under the same id (a stream's items).
    pub(crate) fn exchange(
        &self,
        id: u64,
        frame: &[u8],
        deadline: Option<Instant>,
        keep: bool,
    ) -> std::result::Result<Json, Failure> {
        self.register(id);
        if let Err(e) = self.send_until(frame, deadline) {
            self.unregister(id);
            if e.kind() == io::ErrorKind::TimedOut {
                return Err(Failure::TimedOut);
            }
            let cause = match e.kind() {
                io::ErrorKind::BrokenPipe => self.reap_cause(),
                _ => format!("its channel failed: {e}"),
            };
            self.mark_dead(cause.clone());
            return Err(Failure::NotDelivered(cause));
        }
        let reply = self.wait_for(id, deadline);
        if reply.is_err() || !keep {
            self.unregister(id);
        }
        reply.map_err(|w| match w {
            Wait::Dead(cause) => Failure::Crashed(cause),
            Wait::Timeout => Failure::TimedOut,
        })
    }

    /// Waits for the next message for `id`, reading frames itself if nobody else is.
    pub(crate) fn wait_for(
        &self,
        id: u64,
        deadline: Option<Instant>,
    ) -> std::result::Result<Json, Wait> {
        let mut io = lock(&self.io);
        loop {
            if let Some(msg) = io.mail.get_mut(&id).and_then(VecDeque::pop_front) {
                return Ok(msg);
            }
            if let Some(cause) = &io.dead {
                return Err(Wait::Dead(cause.clone()));
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Err(Wait::Timeout);
            }
            if !io.reading {
                io.reading = true;
                drop(io);
                let got = lock(&self.reader).next_frame(deadline);
                let mut outcome = None;
                let failed = match got {
                    Ok(Some(frame)) => {
                        if frame.get("id").and_then(Json::as_u64) == Some(id) {
                            outcome = Some(frame);
                        } else {
                            self.deliver(frame);
                        }
                        None
                    }
                    Ok(None) => None,
                    Err(e) => Some(self.read_failure(&e)),
                };
                if let Some(cause) = failed {
                    self.mark_dead(cause);
                }
                io = lock(&self.io);
                io.reading = false;
                if io.waiters > 0 {
                    self.io_cond.notify_all();
                }
                if let Some(frame) = outcome {
                    return Ok(frame);
                }
            } else {
                io.waiters += 1;
                io = match deadline {
                    None => self.io_cond.wait(io).unwrap_or_else(|e| e.into_inner()),
                    Some(d) => {
                        self.io_cond
                            .wait_timeout(io, d.saturating_duration_since(now))
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                };
                io.waiters -= 1;
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
        self.sweep_segments();
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
    fn reap_cause(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let status = lock(&self.child).try_wait();
            match status {
                Ok(Some(status)) => return describe_exit(status),
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

    /// Queues the release of ref `id` (sent with the next call, or in a batch).
    fn queue_release(&self, id: u64) {
        if self.is_dead() {
            return;
        }
        let full = {
            let mut pending = lock(&self.pending_release);
            pending.push(id);
            pending.len() >= RELEASE_BATCH
        };
        if full {
            self.flush_releases();
        }
    }

    /// Takes the releases waiting to go with the next request.
    pub(crate) fn take_releases(&self) -> Vec<u64> {
        std::mem::take(&mut *lock(&self.pending_release))
    }

    /// Sends the pending releases now. They are taken under the writer's lock, so a request
    /// that finds none pending is written after them: a release queued before a call always
    /// reaches the worker before that call.
    pub(crate) fn flush_releases(&self) {
        if self.is_dead() {
            return;
        }
        let mut writer = lock(&self.writer);
        let ids = self.take_releases();
        if ids.is_empty() {
            return;
        }
        let mut frame = frame_start();
        frame.extend_from_slice(br#"{"op":"release","ids":"#);
        push_ids(&mut frame, &ids);
        frame.push(b'}');
        if let Ok(frame) = frame_finish(frame) {
            // A dead worker holds nothing to release.
            let _ = self.write_locked(&mut writer, &frame, None);
        }
    }

    /// Sends a message that has no reply (credit, close, close_session).
    pub(crate) fn notify(&self, body: &Json) {
        let mut frame = frame_start();
        if serde_json::to_writer(&mut frame, body).is_ok()
            && let Ok(frame) = frame_finish(frame)
        {
            let _ = self.send(&frame);
        }
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
        self.sweep_segments();
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
            self.sweep_segments();
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

// -------------------------------------------------------------------------------------------
// Frames: 4-byte little-endian length + UTF-8 JSON.

/// A frame buffer with room for the length prefix.
pub(crate) fn frame_start() -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(&[0; 4]);
    buf
}

/// Fills in the length prefix.
pub(crate) fn frame_finish(mut buf: Vec<u8>) -> Result<Vec<u8>> {
    let n = u32::try_from(buf.len() - 4).map_err(|_| {
        Error::encode(format!(
            "a request of {} bytes is too large for the pool channel (at most 4 GiB)",
            buf.len() - 4
        ))
    })?;
    buf[..4].copy_from_slice(&n.to_le_bytes());
    Ok(buf)
}

pub(crate) fn push_ids(buf: &mut Vec<u8>, ids: &[u64]) {
    buf.push(b'[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let _ = write!(buf, "{id}");
    }
    buf.push(b']');
}

/// The reading end of a worker's channel, with its own buffer (so a poll is only needed when
/// nothing is buffered).
struct FrameReader {
    pipe: PipeReader,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

const READ_CHUNK: usize = 64 * 1024;

impl FrameReader {
    fn new(pipe: PipeReader) -> FrameReader {
        FrameReader {
            pipe,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
        }
    }

    fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Reads until at least `want` bytes are buffered.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.buffered() >= want {
            return Ok(());
        }
        if self.buf.len() - self.start < want {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < want {
                self.buf.resize(want.max(READ_CHUNK), 0);
            }
        }
        while self.buffered() < want {
            match self.pipe.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The next frame, or `None` if none started before `deadline`.
    fn next_frame(&mut self, deadline: Option<Instant>) -> io::Result<Option<Json>> {
        if self.buffered() == 0 {
            // Without a deadline the read below blocks just as well: no poll needed.
            if deadline.is_some() && !poll_readable(self.pipe.as_raw_fd(), deadline)? {
                return Ok(None);
            }
            // Nothing buffered: start at the front (and give back the memory of a huge frame).
            self.start = 0;
            self.end = 0;
            if self.buf.len() > 16 * READ_CHUNK {
                self.buf = vec![0; READ_CHUNK];
            }
        }
        // Once a frame has begun, the rest follows: the worker writes whole frames.
        self.fill(4)?;
        let header: [u8; 4] = self.buf[self.start..self.start + 4]
            .try_into()
            .expect("4 bytes");
        let n = u32::from_le_bytes(header) as usize;
        self.fill(4 + n)?;
        let body = &self.buf[self.start + 4..self.start + 4 + n];
        let parsed =
            serde_json::from_slice(body).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
        self.start += 4 + n;
        parsed.map(Some)
    }
}

/// Waits until `fd` is readable (or at EOF/error), up to `deadline`.
fn poll_readable(fd: RawFd, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
            }
        };
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let r = unsafe { libc::poll(&mut pfd, 1, timeout) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if r > 0 {
            return Ok(true);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(false);
        }
    }
}

// -------------------------------------------------------------------------------------------
// Spawning

struct SpawnJob {
    cmd: Command,
    reply: mpsc::Sender<io::Result<Child>>,
}

/// Spawns on one long-lived thread: `PR_SET_PDEATHSIG` fires when the *thread* that forked the
/// child ends, so forking from short-lived threads would kill workers early.
fn spawn_on_spawner(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("snakebridge-spawner".into())
            .spawn(move || {
                for mut job in rx {
                    let _ = job.reply.send(job.cmd.spawn());
                }
            })
            .expect("cannot start the snakebridge spawner thread");
        Mutex::new(tx)
    });
    let (tx, rx) = mpsc::channel();
    lock(spawner)
        .send(SpawnJob { cmd, reply: tx })
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    rx.recv()
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}

/// Forwards the worker's stdout and stderr, line by line, to `tracing`.
fn forward_output(child: &mut Child, pool: &Arc<str>, slot: usize, pid: u32) {
    fn pump(r: impl Read + Send + 'static, pool: Arc<str>, slot: usize, pid: u32, err: bool) {
        let _ = std::thread::Builder::new()
            .name(format!("snakebridge-worker-{pid}-output"))
            .spawn(move || {
                for line in io::BufReader::new(r).lines() {
                    let Ok(line) = line else { break };
                    if err {
                        tracing::warn!(target: "snakebridge::worker", pool = %pool, worker = slot, pid, "{line}");
                    } else {
                        tracing::info!(target: "snakebridge::worker", pool = %pool, worker = slot, pid, "{line}");
                    }
                }
            });
    }
    if let Some(out) = child.stdout.take() {
        pump(out, pool.clone(), slot, pid, false);
    }
    if let Some(err) = child.stderr.take() {
        pump(err, pool.clone(), slot, pid, true);
    }
}
