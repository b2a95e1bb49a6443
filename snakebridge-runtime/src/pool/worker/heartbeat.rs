//! The heartbeat of an idle worker ([`PoolConfig::heartbeat`](crate::PoolConfig::heartbeat)):
//! the pool's housekeeping writes a byte on the control channel now and then; the worker's
//! parent-watch thread, a Python thread, writes it back, which it can only do when it gets the
//! GIL. A worker that does not answer in time while no call runs on it (a background thread
//! hung holding the GIL, a C extension stuck in a loop) is found unresponsive and replaced.
//! Calls never wait for it, and a worker running a call is not judged (the call's timeout
//! covers that).

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use super::{Worker, lock};

/// Where a worker's heartbeat is.
pub(super) struct Heartbeat {
    /// A ping not answered yet, sent (or last seen busy) then.
    pending: Option<Instant>,
    /// When it last answered (or started).
    answered: Instant,
}

impl Heartbeat {
    pub(super) fn new() -> Heartbeat {
        Heartbeat {
            pending: None,
            answered: Instant::now(),
        }
    }
}

impl Worker {
    /// One heartbeat round: takes the answers that came, pings a worker quiet for `every`,
    /// and returns the cause of death of an idle one whose ping went unanswered for `within`.
    /// `busy`: a call runs on it now (then it is not judged, and its ping's clock restarts).
    pub(crate) fn heartbeat(
        &self,
        busy: bool,
        every: Duration,
        within: Duration,
    ) -> Option<String> {
        let control = lock(&self.control);
        let mut channel = control.as_ref()?;
        let mut answered = false;
        let mut buf = [0u8; 64];
        loop {
            match channel.read(&mut buf) {
                Ok(0) => return None, // Gone: the housekeeping's exit check reports it.
                Ok(_) => answered = true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break, // WouldBlock: nothing more.
            }
        }
        let now = Instant::now();
        let mut beat = lock(&self.heartbeat);
        if answered {
            beat.pending = None;
            beat.answered = now;
        }
        let last_answer = beat.answered;
        match beat.pending {
            Some(_) if busy => beat.pending = Some(now),
            Some(since) if now.duration_since(since) >= within => {
                return Some(format!(
                    "did not answer the heartbeat within {within:?} while idle (a thread of \
                     it holding the GIL, or stuck in C code?), and was killed"
                ));
            }
            Some(_) => {}
            None if now.duration_since(last_answer) >= every && channel.write(b"h").is_ok() => {
                beat.pending = Some(now);
            }
            None => {}
        }
        None
    }
}
