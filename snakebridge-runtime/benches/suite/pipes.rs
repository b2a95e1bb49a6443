//! The pool's baselines (README "Performance targets", issue 13): a Python process answering
//! over pipes with nothing in between, measured in the same run as the pool.
//!
//! - the bare loop: `os.read` what came, `os.write` it back (the floor for any Python worker
//!   on pipes: two syscalls and two wake-ups per call);
//! - the naive JSON-lines loop: read a line, `json.loads`, add, `json.dumps`, write a line;
//! - the base64 JSON loop: the same with a numpy array inside the line as base64 (what arrays
//!   below the shared-memory threshold cost before binary attachments), polling before each
//!   read as long as the pool it is compared with (like against like).
//!
//! - bare CPU-bound processes: the pool's CPU-bound function in 1 or 2 plain Python processes,
//!   the machine's own ceiling for the 2-vs-1-worker figure.
//!
//! Both run in the interpreter snakebridge would choose (`contract::interpreter::choose`), with
//! `-I` so nothing from the working directory is imported.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use crate::time_each;

const BARE: &str = "import os\n\
while True:\n    b = os.read(0, 65536)\n    if not b:\n        break\n    os.write(1, b)\n";

/// [`BARE`] polling its input for `SPIN` seconds (the first argument) before each read, as a
/// pool worker does.
const BARE_SPINNING: &str = "import os, select, sys, time\n\
spin = float(sys.argv[1])\n\
p = select.poll()\n\
p.register(0, select.POLLIN)\n\
while True:\n    if not p.poll(0):\n        deadline = time.perf_counter() + spin\n        \
while not p.poll(0) and time.perf_counter() < deadline:\n            pass\n    \
b = os.read(0, 65536)\n    if not b:\n        break\n    os.write(1, b)\n";

const JSON_LINES: &str = "import json, sys\n\
out = sys.stdout.buffer\n\
for line in sys.stdin.buffer:\n    req = json.loads(line)\n    \
out.write(json.dumps({'id': req['id'], 'ok': req['args'][0] + req['args'][1]}).encode() + b'\\n')\n    \
out.flush()\n";

const BASE64_JSON: &str = "import base64, json, select, sys, time\n\
import numpy as np\n\
spin = float(sys.argv[1])\n\
p = select.poll()\n\
p.register(0, select.POLLIN)\n\
inp = sys.stdin.buffer\n\
out = sys.stdout.buffer\n\
while True:\n    if spin and not p.poll(0):\n        deadline = time.perf_counter() + spin\n        \
while not p.poll(0) and time.perf_counter() < deadline:\n            pass\n    \
line = inp.readline()\n    if not line:\n        break\n    req = json.loads(line)\n    \
a = np.frombuffer(base64.b64decode(req['data']), dtype='float64')\n    \
out.write(json.dumps({'id': req['id'], 'ok': len(a)}).encode() + b'\\n')\n    \
out.flush()\n";

/// Runs `spin(n)` (the pool bench's CPU-bound function, pure Python) `calls` times (the two
/// arguments) once a line comes in, and writes a line when done.
const CPU: &str = "import sys\n\
def spin(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n\
n, calls = int(sys.argv[1]), int(sys.argv[2])\n\
spin(1000)\n\
sys.stdout.write('ready\\n'); sys.stdout.flush()\n\
for line in sys.stdin:\n    for _ in range(calls):\n        spin(n)\n    \
sys.stdout.write('done\\n'); sys.stdout.flush()\n";

struct Loop {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Loop {
    fn start(script: &str) -> Loop {
        Loop::start_with(script, &[])
    }

    fn start_with(script: &str, args: &[&str]) -> Loop {
        let choice = snakebridge_runtime::client::contract::interpreter::from_env();
        let mut child = Command::new(&choice.program)
            .args(["-I", "-u", "-c", script])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the baseline's Python starts");
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Loop {
            child,
            stdin,
            stdout,
        }
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Round-trip times of `calls` calls (after `warmup`) of the bare `os.read`/`os.write` loop,
/// with a message the size of a small pool request. With a non-zero `spin` both sides poll for
/// up to that long before each read (as the pool does with
/// [`snakebridge_runtime::PoolConfig::spin`]): the floor of a pipe channel that spins.
pub fn bare_loop(spin: Duration, warmup: usize, calls: usize) -> Vec<Duration> {
    BareLoop::start(spin).time(warmup, calls)
}

/// A running bare loop (see [`bare_loop`]), timed in rounds between the pool's (paired
/// rounds: a burst of other work on the machine then spoils a pair, not one side).
pub struct BareLoop {
    l: Loop,
    spin: Duration,
}

impl BareLoop {
    pub fn start(spin: Duration) -> BareLoop {
        let l = if spin.is_zero() {
            Loop::start(BARE)
        } else {
            Loop::start_with(BARE_SPINNING, &[&spin.as_secs_f64().to_string()])
        };
        BareLoop { l, spin }
    }

    /// The Python process's pid.
    pub fn pid(&self) -> u32 {
        self.l.child.id()
    }

    /// Round-trip times of `calls` calls after `warmup`.
    pub fn time(&mut self, warmup: usize, calls: usize) -> Vec<Duration> {
        use std::os::fd::AsRawFd;
        let message = [b'x'; 64];
        let mut back = [0u8; 64];
        let fd = self.l.stdout.get_ref().as_raw_fd();
        let (l, spin) = (&mut self.l, self.spin);
        let mut one = || {
            l.stdin.write_all(&message).unwrap();
            l.stdin.flush().unwrap();
            spin_until_readable(fd, spin);
            l.stdout.read_exact(&mut back).unwrap();
        };
        time_each(warmup, calls, |_| one())
    }
}

/// Pins thread or process `pid` (0: the calling thread) to the CPUs `cpus` (Linux; elsewhere
/// nothing): the round-trip figures put the caller and the Python process on different cores
/// on both sides of a comparison, instead of wherever the scheduler happens to (a caller and a
/// process on one core hand over without an idle core's wake-up, several times faster).
pub fn pin(pid: u32, cpus: &[usize]) {
    #[cfg(target_os = "linux")]
    // SAFETY: a zeroed cpu_set_t filled by CPU_SET, passed with its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        libc::sched_setaffinity(pid as libc::pid_t, std::mem::size_of_val(&set), &set);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (pid, cpus);
}

/// Polls `fd` for input for up to `spin` (nothing for zero), as the pool's reader does before
/// it blocks.
fn spin_until_readable(fd: std::os::fd::RawFd, spin: Duration) {
    if spin.is_zero() {
        return;
    }
    let start = std::time::Instant::now();
    loop {
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; a zero timeout never blocks.
        if unsafe { libc::poll(&mut pfd, 1, 0) } != 0 || start.elapsed() >= spin {
            return;
        }
        std::hint::spin_loop();
    }
}

/// Round-trip times of the naive JSON-lines loop computing `i + 1`.
pub fn json_lines_loop(warmup: usize, calls: usize) -> Vec<Duration> {
    let mut l = Loop::start(JSON_LINES);
    let mut line = String::new();
    let one = |i: usize| {
        writeln!(l.stdin, "{{\"id\": {i}, \"args\": [{i}, 1]}}").unwrap();
        l.stdin.flush().unwrap();
        line.clear();
        l.stdout.read_line(&mut line).unwrap();
        assert!(line.contains(&format!("\"ok\": {}", i + 1)), "{line}");
    };
    time_each(warmup, calls, one)
}

/// Round-trip times of the base64 JSON loop taking an f64 array of `bytes` bytes (its length
/// back): the line is encoded once, outside the timing. With a non-zero `spin` both sides poll
/// for up to that long before each read, as a pool with that spin does (like against like).
pub fn base64_json_loop(
    bytes: usize,
    spin: Duration,
    warmup: usize,
    calls: usize,
) -> Vec<Duration> {
    use base64::Engine as _;
    use std::os::fd::AsRawFd;
    let mut l = Loop::start_with(BASE64_JSON, &[&spin.as_secs_f64().to_string()]);
    let fd = l.stdout.get_ref().as_raw_fd();
    let elements = bytes / 8;
    let data: Vec<u8> = (0..elements)
        .flat_map(|i| (i as f64).to_ne_bytes())
        .collect();
    let request = format!(
        "{{\"id\": 1, \"data\": \"{}\"}}\n",
        base64::engine::general_purpose::STANDARD.encode(&data)
    );
    let mut line = String::new();
    let mut one = || {
        l.stdin.write_all(request.as_bytes()).unwrap();
        l.stdin.flush().unwrap();
        spin_until_readable(fd, spin);
        line.clear();
        l.stdout.read_line(&mut line).unwrap();
        assert!(line.contains(&format!("\"ok\": {elements}")), "{line}");
    };
    time_each(warmup, calls, |_| one())
}

/// Wall time of `processes` bare Python processes (no pool, no Rust in between) each running
/// `spin(n)` `calls` times at once: the machine's own ceiling for the pool's 2-vs-1-worker
/// figure (2 processes of `calls` against 1 of `2 * calls`).
pub fn bare_cpu(processes: usize, calls: usize, n: i64) -> Duration {
    let mut loops: Vec<Loop> = (0..processes)
        .map(|_| Loop::start_with(CPU, &[&n.to_string(), &calls.to_string()]))
        .collect();
    let mut line = String::new();
    for l in &mut loops {
        line.clear();
        l.stdout.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
    }
    let start = std::time::Instant::now();
    for l in &mut loops {
        l.stdin.write_all(b"go\n").unwrap();
        l.stdin.flush().unwrap();
    }
    for l in &mut loops {
        line.clear();
        l.stdout.read_line(&mut line).unwrap();
        assert_eq!(line, "done\n");
    }
    start.elapsed()
}
