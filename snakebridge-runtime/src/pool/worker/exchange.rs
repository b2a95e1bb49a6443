//! Sending frames to a worker and reading its replies: one reader at a time, mail for the
//! other waiters, deadlines.

use std::collections::VecDeque;
use std::io::{self, PipeWriter, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use super::poll::wait_writable;
use super::ring::RequestRing;
use super::*;
use crate::pool::protocol::FromWorker;

/// Where requests go: the request pipe, or the request ring with the pipe as its doorbell
/// (`ring.rs`). Dropped to close the channel (the worker exits at its end).
pub(crate) struct Outbound {
    pub(super) pipe: PipeWriter,
    pub(super) ring: Option<RequestRing>,
}

impl Outbound {
    /// Writes some of `bytes`: `WouldBlock` when there is no room.
    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.ring {
            Some(ring) => match ring.write(bytes, self.pipe.as_raw_fd()) {
                0 => Err(io::ErrorKind::WouldBlock.into()),
                n => Ok(n),
            },
            None => self.pipe.write(bytes),
        }
    }
}

/// What a writer waits for room in: a pipe, or the request ring (with how many times this
/// write has found it full: see [`ring_nap`]).
enum Room {
    Pipe(RawFd),
    Ring(u32),
}

/// How long a writer that is not reading naps the `n`th time (from 0) it finds the request
/// ring full during one write: 50 µs, doubling up to 3.2 ms, so a worker busy for long in one
/// call costs a waiting writer few wake-ups while a worker that reads on is caught up with
/// quickly.
fn ring_nap(n: u32) -> std::time::Duration {
    std::time::Duration::from_micros(50 << n.min(6))
}

impl Worker {
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
    pub(crate) fn send_until(&self, frame: &[u8], deadline: Option<Instant>) -> io::Result<()> {
        self.send_marked(frame, deadline).map(drop)
    }

    /// [`Worker::send_until`], returning where the frame starts in the request ring's stream
    /// (`None` without a ring): see [`Worker::never_read`].
    fn send_marked(&self, frame: &[u8], deadline: Option<Instant>) -> io::Result<Option<u64>> {
        let mut guard = lock(&self.writer);
        let start = guard
            .as_ref()
            .and_then(|w| w.ring.as_ref())
            .map(RequestRing::position);
        self.write_locked(&mut guard, frame, deadline)?;
        Ok(start)
    }

    /// Whether the worker never read a byte from stream position `start` on: a request written
    /// there never reached it (a pipe's write fails instead when the worker is gone; a ring's
    /// cannot tell).
    fn never_read(&self, start: Option<u64>) -> bool {
        start.is_some_and(|start| {
            lock(&self.writer)
                .as_ref()
                .and_then(|w| w.ring.as_ref())
                .is_some_and(|ring| !ring.read_past(start))
        })
    }

    pub(super) fn write_locked(
        &self,
        writer: &mut Option<Outbound>,
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
        let mut full = 0;
        while written < frame.len() {
            match w.write_some(&frame[written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    let room = match w.ring {
                        Some(_) => Room::Ring(full),
                        None => Room::Pipe(w.pipe.as_raw_fd()),
                    };
                    full += 1;
                    self.unblock(room)?
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Waits a little for room in the full request pipe or ring, reading the worker's output
    /// meanwhile if nobody else is.
    fn unblock(&self, room: Room) -> io::Result<()> {
        let lead = {
            let mut io = lock(&self.io);
            if let Some(cause) = &io.dead {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, cause.clone()));
            }
            !std::mem::replace(&mut io.reading, true)
        };
        let (ready, look) = match room {
            Room::Pipe(wfd) => (
                wait_writable(wfd, lead.then_some(self.reader_fd)).map(|r| r.readable),
                Instant::now(),
            ),
            // Nothing to poll for room in a ring: the leader reads (a little while), the others
            // nap.
            Room::Ring(_) if lead => (Ok(true), Instant::now() + ring_nap(0) * 20),
            Room::Ring(n) => {
                std::thread::sleep(ring_nap(n));
                (Ok(false), Instant::now())
            }
        };
        let mut failed = None;
        match ready {
            Ok(true) => {
                // Input: read what has come of a frame (the rest, if any, waits for the next
                // reader) and route it.
                let got = lock(&self.reader).next_frame(Some(look));
                match got {
                    Ok(Some(frame)) => self.deliver(frame),
                    Ok(None) => {}
                    Err(e) => failed = Some(self.read_failure(e)),
                }
            }
            Ok(false) => {}
            Err(e) => failed = Some(format!("its channel failed: {e}")),
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
    pub(super) fn deliver(&self, frame: Frame) {
        let Some(frame) = self.take_log(frame) else {
            return;
        };
        let id = frame.message.id();
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
    pub(crate) fn discard(&self, frame: &Frame) {
        for value in frame.message.values() {
            self.release_refs_in(value);
            self.segments.forget_in(value);
        }
    }

    /// The cause of death after reading the channel failed (a worker that broke the protocol is
    /// killed here).
    pub(super) fn read_failure(&self, e: ReadError) -> String {
        match e {
            ReadError::Protocol(what) => {
                let _ = lock(&self.child).kill();
                format!("broke the pool protocol, and was killed: it sent {what}")
            }
            ReadError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => self.reap_cause(),
            ReadError::Io(e) => {
                let _ = lock(&self.child).kill();
                format!("could not be read from ({e}), and was killed")
            }
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
    ) -> std::result::Result<Frame, Failure> {
        self.register(id);
        let sent = self.send_marked(frame, deadline);
        let start = *sent.as_ref().unwrap_or(&None);
        if let Err(e) = sent {
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
        let reply = self.wait_for(id, deadline, !keep);
        if reply.is_err() && keep {
            self.unregister(id);
        }
        reply.map_err(|w| match w {
            Wait::Dead(cause) if self.never_read(start) => Failure::NotDelivered(cause),
            Wait::Dead(cause) => Failure::Crashed(cause),
            Wait::Timeout => Failure::TimedOut,
        })
    }

    /// Whether the next message for `id` is likely at hand: read already, or bytes of a frame
    /// wait unread (then a wait for it will hardly wait). Never waits, nor reads.
    pub(crate) fn answer_at_hand(&self, id: u64) -> bool {
        {
            let io = lock(&self.io);
            if io.mail.get(&id).is_some_and(|q| !q.is_empty()) {
                return true;
            }
            if io.reading {
                return false;
            }
        }
        self.reader.try_lock().is_ok_and(|r| r.has_input())
    }

    /// The next message read for `id` already, if any (without waiting).
    pub(crate) fn take_mail(&self, id: u64) -> Option<Frame> {
        lock(&self.io)
            .mail
            .get_mut(&id)
            .and_then(VecDeque::pop_front)
    }

    /// Waits for the next message for `id`, reading frames itself if nobody else is. With
    /// `close`, the mailbox of `id` is closed (as [`Worker::unregister`] does) under the same lock
    /// the wait ends in, whether it ends with a message or not.
    pub(crate) fn wait_for(
        &self,
        id: u64,
        deadline: Option<Instant>,
        close: bool,
    ) -> std::result::Result<Frame, Wait> {
        let mut left = None;
        let got = self.wait_until(
            |mail| mail.get_mut(&id).and_then(VecDeque::pop_front),
            |got| got == id,
            deadline,
            |mail| {
                if close {
                    left = mail.remove(&id);
                }
            },
        );
        self.discard_left(left);
        got
    }

    /// Waits for the next message for any id `wanted` accepts (the tasks a watcher waits for:
    /// `tasks.rs`), reading frames itself if nobody else is. `wanted` runs under the channel's
    /// lock.
    pub(crate) fn wait_for_any(
        &self,
        wanted: impl Fn(u64) -> bool,
        deadline: Option<Instant>,
    ) -> std::result::Result<Frame, Wait> {
        self.wait_until(
            |mail| {
                mail.iter_mut()
                    .find(|(id, q)| !q.is_empty() && wanted(**id))
                    .and_then(|(_, q)| q.pop_front())
            },
            &wanted,
            deadline,
            |_| {},
        )
    }

    /// The one wait: `take` finds a message already read for the waiter in the mailboxes,
    /// `mine` says whether a message id this thread reads is the waiter's; `last` runs on the
    /// mailboxes under the lock the wait ends in, however it ends.
    fn wait_until(
        &self,
        take: impl Fn(&mut Mailboxes) -> Option<Frame>,
        mine: impl Fn(u64) -> bool,
        deadline: Option<Instant>,
        last: impl FnOnce(&mut Mailboxes),
    ) -> std::result::Result<Frame, Wait> {
        let mut io = lock(&self.io);
        let outcome = loop {
            if let Some(msg) = take(&mut io.mail) {
                break Ok(msg);
            }
            if let Some(cause) = &io.dead {
                break Err(Wait::Dead(cause.clone()));
            }
            // No clock read without a deadline.
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break Err(Wait::Timeout);
            }
            if !io.reading {
                io.reading = true;
                drop(io);
                let got = lock(&self.reader).next_frame(deadline);
                let mut outcome = None;
                let failed = match got {
                    Ok(Some(frame)) => {
                        if let FromWorker::Log(_) = frame.message {
                            self.take_log(frame);
                        } else if mine(frame.message.id()) {
                            outcome = Some(frame);
                        } else {
                            self.deliver(frame);
                        }
                        None
                    }
                    Ok(None) => None,
                    Err(e) => Some(self.read_failure(e)),
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
                    break Ok(frame);
                }
            } else {
                io.waiters += 1;
                io = match deadline {
                    None => self.io_cond.wait(io).unwrap_or_else(|e| e.into_inner()),
                    Some(d) => {
                        self.io_cond
                            .wait_timeout(io, d.saturating_duration_since(Instant::now()))
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                };
                io.waiters -= 1;
            }
        };
        last(&mut io.mail);
        outcome
    }
}
