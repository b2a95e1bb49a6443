//! Starting a worker process: the worker package, its private pipes, and the handshake.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak, mpsc};
use std::time::Instant;

use super::exchange::Outbound;
use super::ring::{ReplyRing, RequestRing, Ring};
use super::*;
use crate::client::python_log;
use crate::data::error::{Error, ExceptionKind, Result};
use crate::pool::protocol::{FromWorker, PROTOCOL_VERSION};
use crate::pool::{PoolConfig, WorkerOutput};

// The worker's Python package (`python/snakebridge_worker/`), its entry module and the variable
// its sources travel in: one list (`pool::package`), shared with the tests that load the package
// as a worker does.
use crate::pool::package::{WORKER_ENTRY, WORKER_PACKAGE, WORKER_SOURCES_VAR};

/// The `-c` program of every worker: the package's bootstrap (a finder first on `sys.path`
/// that serves the package from [`WORKER_SOURCES_VAR`]), after the contract's
/// `ISOLATE_SYS_PATH`. The command line stays short (`ps` shows `python -c <this>`), nothing
/// from the working directory or `PYTHONPATH` can shadow a module of the package, and no
/// temporary file is left behind by a killed process.
fn worker_program() -> &'static str {
    static PROGRAM: OnceLock<String> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        snakebridge_contract::interpreter::isolated(
            &WORKER_PACKAGE.bootstrap(WORKER_SOURCES_VAR, WORKER_ENTRY),
        )
    })
}

/// [`WORKER_PACKAGE`]'s sources, the environment under [`WORKER_SOURCES_VAR`].
fn worker_sources() -> &'static [(String, String)] {
    static SOURCES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SOURCES.get_or_init(|| WORKER_PACKAGE.environment(WORKER_SOURCES_VAR))
}

static NEXT_INCARNATION: AtomicU64 = AtomicU64::new(1);

/// The size asked for the channel's pipes (Linux caps it at `/proc/sys/fs/pipe-max-size`).
#[cfg(target_os = "linux")]
const PIPE_SIZE: libc::c_int = 1 << 20;

impl Worker {
    /// Spawns a worker process; it is usable once [`Worker::wait_ready`] returns.
    pub(crate) fn spawn(config: &PoolConfig, pool: &Arc<str>, slot: usize) -> Result<Arc<Worker>> {
        let (python, source) = config.interpreter();
        // The control channel is a socket pair: its EOF stops the worker, and the heartbeat
        // goes both ways on it (see `heartbeat.rs`).
        let pipes = || -> io::Result<_> { Ok((io::pipe()?, io::pipe()?, UnixStream::pair()?)) };
        let ((req_r, req_w), (resp_r, resp_w), (ctl_r, ctl_w)) =
            pipes().map_err(|e| Error::config(format!("cannot create a worker channel: {e}")))?;
        // The bytes through shared memory where the pool spins (`ring.rs`); through the pipes
        // if the mapping cannot be made.
        let ring = if config.uses_shared_ring() {
            match Ring::create() {
                Ok(ring) => Some(ring),
                Err(e) => {
                    tracing::debug!(
                        target: "snakebridge::pool", pool = %pool, worker = slot,
                        "no shared ring for the worker's channel ({e}): its pipes carry it"
                    );
                    None
                }
            }
        } else {
            None
        };
        let ring_fd = ring.as_ref().map(|r| r.fd());
        let incarnation = NEXT_INCARNATION.fetch_add(1, Ordering::Relaxed);
        let child_fds: [OwnedFd; 3] = [req_r.into(), resp_w.into(), ctl_r.into()];
        let raw: [RawFd; 3] = [
            child_fds[0].as_raw_fd(),
            child_fds[1].as_raw_fd(),
            child_fds[2].as_raw_fd(),
        ];

        // On Ray, the slot's process is a driver that relays the channel to an actor.
        let driver = match &config.ray {
            Some(ray) => Some(crate::pool::ray::driver_command(
                config,
                ray,
                pool,
                slot,
                incarnation,
            )?),
            None => None,
        };
        let mut cmd = Command::new(&python);
        cmd.arg("-c")
            .arg(driver.as_ref().map_or(worker_program(), |d| d.program));
        if let Some(driver) = &driver {
            cmd.envs(driver.env.iter().map(|(k, v)| (k, v)));
        }
        cmd.env("PYTHONUNBUFFERED", "1");
        for (k, v) in &config.env {
            cmd.env(k, v);
        }
        let kinds: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.class_name()).collect();
        cmd.envs(worker_sources().iter().map(|(k, v)| (k, v)))
            .env(
                "SNAKEBRIDGE_WORKER_FDS",
                format!("{},{},{}", raw[0], raw[1], raw[2]),
            )
            .env(
                "SNAKEBRIDGE_WORKER_ID_BASE",
                (incarnation << ID_SHIFT).to_string(),
            )
            .env("SNAKEBRIDGE_EXCEPTION_KINDS", kinds.join(","))
            .env(
                "SNAKEBRIDGE_MAX_NESTING",
                snakebridge_contract::MAX_NESTING.to_string(),
            )
            .env(
                "SNAKEBRIDGE_NOT_DATA_HINT",
                snakebridge_contract::NOT_DATA_HINT,
            )
            .env("SNAKEBRIDGE_PRELOAD", config.preload.join(","))
            .env(
                "SNAKEBRIDGE_SHM_THRESHOLD",
                config.array_threshold().to_string(),
            )
            .env("SNAKEBRIDGE_SPIN_US", config.spin.as_micros().to_string());
        if let Some(ring) = &ring {
            cmd.env("SNAKEBRIDGE_WORKER_RING", ring.describe());
        }
        // Python's logging into tracing, from the level the subscribers take (see `logs.rs`).
        let log_level = python_log::python_level();
        if config.python_logging {
            cmd.env("SNAKEBRIDGE_LOG_LEVEL", log_level.to_string());
        }
        cmd.stdin(Stdio::null());
        // Stderr always through a pipe: it goes where `output` says, and its last lines are
        // kept for the error of a worker that fails to start (see `output.rs`).
        cmd.stderr(Stdio::piped());
        match config.output {
            WorkerOutput::Inherit => {}
            WorkerOutput::Null => {
                cmd.stdout(Stdio::null());
            }
            WorkerOutput::Tracing => {
                cmd.stdout(Stdio::piped());
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
                for fd in raw.into_iter().chain(ring_fd) {
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
        let stderr = forward_output(&mut child, config.output, pool, slot, pid);

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
        if ctl_w.set_nonblocking(true).is_err() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::config(format!(
                "cannot set up the worker's control channel: {}",
                io::Error::last_os_error()
            )));
        }
        let reader_fd = resp_r.as_raw_fd();
        let worker = Arc::new_cyclic(|me: &Weak<Worker>| {
            let mut mail = Mailboxes::default();
            // Message 0 is the readiness handshake.
            mail.insert(0, VecDeque::new());
            Worker {
                pool: pool.clone(),
                slot,
                incarnation,
                pid,
                child: Mutex::new(child),
                writer: Mutex::new(Some(Outbound {
                    pipe: req_w,
                    ring: ring.clone().map(RequestRing::new),
                })),
                control: Mutex::new(Some(ctl_w)),
                heartbeat: Mutex::new(Heartbeat::new()),
                stderr,
                reader: Mutex::new(FrameReader::with_ring(
                    resp_r,
                    ring.map(|ring| ReplyRing::new(ring, reader_fd)),
                    config.spin,
                )),
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
                segments: WorkerSegments::new(pid),
                refs: Arc::new(WorkerRefs {
                    worker: me.clone(),
                    pool: pool.clone(),
                    slot,
                    pid,
                    death: Mutex::new(None),
                }),
                life: WorkerLife::new(pid),
                log_level: AtomicU64::new(log_level),
                node: OnceLock::new(),
                tasks: Default::default(),
                sites: Default::default(),
            }
        });
        Ok(worker)
    }

    /// Waits for the readiness handshake (the worker imported its preloads and serves).
    pub(crate) fn wait_ready(&self, config: &PoolConfig) -> Result<()> {
        let deadline = Instant::now() + config.startup_timeout;
        let (python, source) = config.interpreter();
        let fail = |what: String| {
            // What it wrote to stderr (a crash's message, a broken environment's complaint).
            let said = self.stderr.last_lines(Duration::from_secs(1));
            let said = if said.is_empty() {
                String::new()
            } else {
                format!("; its stderr ended with:\n{said}")
            };
            Error::config(format!(
                "worker {} of pool `{}` failed to start: {what} (interpreter `{}`, from \
                 {source}){said}",
                self.slot,
                self.pool,
                python.display()
            ))
        };
        let reply = self.wait_for(0, Some(deadline), false);
        self.unregister(0);
        match reply.map(|frame| frame.message) {
            Ok(FromWorker::Ready {
                python: version,
                protocol,
                node,
                ..
            }) => {
                if protocol != Some(PROTOCOL_VERSION) {
                    self.kill("speaks another protocol".into());
                    let speaks = match protocol {
                        Some(v) => format!("protocol {v}"),
                        None => "no versioned protocol (its `ready` has no \"protocol\")".into(),
                    };
                    return Err(fail(format!(
                        "the worker speaks {speaks}, this snakebridge-runtime speaks protocol \
                         {PROTOCOL_VERSION}; the worker must be the one shipped with this \
                         snakebridge-runtime (see src/pool/protocol/PROTOCOL.md)"
                    )));
                }
                if let Some(node) = node {
                    let _ = self.node.set(node);
                }
                tracing::debug!(
                    target: "snakebridge::pool",
                    pool = %self.pool, worker = self.slot, pid = self.pid, python = %version,
                    node = self.node(), "worker ready"
                );
                Ok(())
            }
            Ok(FromWorker::StartupError { message }) => {
                self.kill("failed to start".into());
                Err(fail(message.trim_end().to_owned()))
            }
            Ok(other) => {
                self.kill("sent a malformed handshake".into());
                Err(fail(format!("unexpected handshake: {other}")))
            }
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
}

// -------------------------------------------------------------------------------------------

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
