//! A worker's output: its stdout and stderr go where [`WorkerOutput`] says, and the last
//! lines of its stderr are kept ([`StderrTail`]) for the error of a worker that fails to start
//! (what a crash or a broken environment printed), which the circuit breaker carries.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Write};
use std::process::Child;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::lock;
use crate::pool::WorkerOutput;

/// How much of the end of a worker's stderr is kept.
const TAIL_BYTES: usize = 4096;

/// The end of a worker's stderr.
#[derive(Default)]
pub(crate) struct StderrTail {
    state: Mutex<Tail>,
    closed: Condvar,
}

#[derive(Default)]
struct Tail {
    bytes: VecDeque<u8>,
    closed: bool,
}

impl StderrTail {
    fn push(&self, chunk: &[u8]) {
        let mut tail = lock(&self.state);
        tail.bytes.extend(chunk);
        let over = tail.bytes.len().saturating_sub(TAIL_BYTES);
        tail.bytes.drain(..over);
    }

    fn close(&self) {
        lock(&self.state).closed = true;
        self.closed.notify_all();
    }

    /// The last lines written (whole lines, up to 4 KiB), once the stream ended or `wait`
    /// passed: a worker that died has written all it will by then.
    pub(crate) fn last_lines(&self, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        let mut tail = lock(&self.state);
        while !tail.closed {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            tail = self
                .closed
                .wait_timeout(tail, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let bytes: Vec<u8> = tail.bytes.iter().copied().collect();
        drop(tail);
        // From the first whole line, unless everything is one line.
        let start = if bytes.len() == TAIL_BYTES {
            bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)
        } else {
            0
        };
        String::from_utf8_lossy(&bytes[start..])
            .trim_end()
            .to_owned()
    }
}

/// Starts the threads that take the worker's output where `output` says; returns the tail of
/// its stderr.
pub(super) fn forward_output(
    child: &mut Child,
    output: WorkerOutput,
    pool: &Arc<str>,
    slot: usize,
    pid: u32,
) -> Arc<StderrTail> {
    let tail = Arc::new(StderrTail::default());
    if let Some(out) = child.stdout.take() {
        let pool = pool.clone();
        spawn_pump(pid, move || {
            for line in io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                tracing::info!(target: "snakebridge::worker", pool = %pool, worker = slot, pid, "{line}");
            }
        });
    }
    if let Some(err) = child.stderr.take() {
        let (pool, kept) = (pool.clone(), tail.clone());
        spawn_pump(pid, move || {
            if output == WorkerOutput::Tracing {
                for line in io::BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    kept.push(line.as_bytes());
                    kept.push(b"\n");
                    tracing::warn!(target: "snakebridge::worker", pool = %pool, worker = slot, pid, "{line}");
                }
            } else {
                // As it comes, bytes as they are: this process's stderr is the worker's.
                let mut err = err;
                let mut buf = [0u8; 8192];
                loop {
                    match err.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if output == WorkerOutput::Inherit {
                                let _ = io::stderr().write_all(&buf[..n]);
                            }
                            kept.push(&buf[..n]);
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            }
            kept.close();
        });
    } else {
        tail.close();
    }
    tail
}

fn spawn_pump(pid: u32, f: impl FnOnce() + Send + 'static) {
    let _ = std::thread::Builder::new()
        .name(format!("snakebridge-worker-{pid}-output"))
        .spawn(f);
}
