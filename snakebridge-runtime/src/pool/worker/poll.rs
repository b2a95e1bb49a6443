//! Every `poll` the pool makes on a worker's channel, in one place: a short spin for a quick
//! reply (that stops spinning while replies come slowly), a wait for input up to a deadline,
//! and the writer's wait for room in the request pipe (watching the response pipe meanwhile).
//! The frame reader and the writer only ask these.

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use super::ring::ReplyRing;

/// How a side judges its waits. A cycle (this side's work since its last wait ended, then the
/// wait) is slow when either part outlasted the spin: the other side waited past its spin, or
/// this one did. (Over the shared ring, the worker's own flag says whether it waited past its
/// spin: it sleeps on its doorbell.) A slow cycle adds [`SLOW_CYCLE`] to the side's score, a quick one takes 1
/// away (the score stays within 0..=[`MAX_SCORE`]); from [`STOP_SPINNING_AT`] (three slow
/// cycles in a row, or slow ones outnumbering quick ones) the side blocks at once, since the
/// other side comes back slowly (calls of milliseconds, an idle pool) and a spin would only burn
/// a core, until quick cycles bring the score down again. The worker keeps the same score with
/// the same numbers (`snakebridge_worker/channel.py`).
pub(super) const SLOW_CYCLE: u32 = 2;
/// See [`SLOW_CYCLE`].
pub(super) const STOP_SPINNING_AT: u32 = 6;
/// See [`SLOW_CYCLE`]: from here, three quick cycles in a row bring the spin back.
pub(super) const MAX_SCORE: u32 = 8;

/// The wait between frames: spins for up to [`crate::PoolConfig::spin`] (never past the
/// deadline), then blocks, or blocks at once while cycles come out slow (see [`SLOW_CYCLE`]).
/// The state is a counter and an instant; a wait reads the clock twice more than a bare spin.
pub(super) struct AdaptiveSpin {
    spin: Duration,
    /// How slow the last cycles were (see [`SLOW_CYCLE`]).
    score: u32,
    /// When the last wait ended.
    last_wait_end: Option<Instant>,
}

impl AdaptiveSpin {
    pub(super) fn new(spin: Duration) -> AdaptiveSpin {
        AdaptiveSpin {
            spin,
            score: 0,
            last_wait_end: None,
        }
    }

    /// Whether the next wait spins first.
    fn spinning(&self) -> bool {
        !self.spin.is_zero() && self.score < STOP_SPINNING_AT
    }

    /// Waits until `input` is readable, up to `deadline` (`None`: no limit; then this may
    /// return true before input came, for the read to block on). False when the deadline came
    /// first.
    pub(super) fn wait(&mut self, input: Input<'_>, deadline: Option<Instant>) -> io::Result<bool> {
        let mut input = input;
        if self.spin.is_zero() {
            return input.wait_or_block(deadline);
        }
        let start = Instant::now();
        if deadline.is_some_and(|d| d <= start) {
            // Only a look (what has come meanwhile), not a wait: nothing to judge.
            return input.wait_readable(deadline);
        }
        // Whether the worker fell asleep before this request came (this side's work since its
        // last wait outlasted the worker's spin): the ring says so itself; a pipe's side
        // judges by its own work, since its last wait on this channel (which, with several
        // callers sharing workers, also counts the time it was used by none).
        let worked = match &input {
            Input::Ring(ring) => ring.worker_asleep(),
            Input::Pipe(_) => self
                .last_wait_end
                .is_some_and(|end| start.duration_since(end) > self.spin),
        };
        // A worker last on this very CPU (`ring.rs`) cannot answer while this side spins there:
        // this wait sleeps at once.
        let spin_now =
            self.spinning() && !matches!(&input, Input::Ring(ring) if ring.beside_worker());
        let (ready, waited_long) = if spin_now {
            // A deadline sooner than the spin ends the spin: a short timeout stays on time.
            let budget = deadline.map_or(self.spin, |d| {
                d.saturating_duration_since(start).min(self.spin)
            });
            if input.spin_until_readable(budget)? {
                (true, false)
            } else {
                (input.wait_or_block(deadline)?, budget == self.spin)
            }
        } else {
            // Block in poll (not in the read) to see how soon input came. Waking up takes time
            // a spin would not have, so "quick" allows twice the spin here.
            let ready = input.wait_readable(deadline)?;
            (ready, start.elapsed() > 2 * self.spin)
        };
        if worked || waited_long {
            self.score = (self.score + SLOW_CYCLE).min(MAX_SCORE);
        } else if ready {
            self.score = self.score.saturating_sub(1);
        }
        self.last_wait_end = Some(Instant::now());
        Ok(ready)
    }
}

/// Where a reader waits for input: a pipe, or the reply ring with its doorbell (`ring.rs`).
pub(super) enum Input<'a> {
    Pipe(RawFd),
    Ring(&'a mut ReplyRing),
}

impl Input<'_> {
    fn spin_until_readable(&mut self, spin: Duration) -> io::Result<bool> {
        match self {
            Input::Pipe(fd) => spin_until_readable(*fd, spin),
            Input::Ring(ring) => ring.spin_until_readable(spin),
        }
    }

    fn wait_readable(&mut self, deadline: Option<Instant>) -> io::Result<bool> {
        match self {
            Input::Pipe(fd) => wait_readable(*fd, deadline),
            Input::Ring(ring) => ring.wait(deadline),
        }
    }

    /// [`wait_or_block`]; the ring has no blocking read, so it always waits.
    pub(super) fn wait_or_block(&mut self, deadline: Option<Instant>) -> io::Result<bool> {
        match self {
            Input::Pipe(fd) => wait_or_block(*fd, deadline),
            Input::Ring(ring) => ring.wait(deadline),
        }
    }
}

/// [`wait_readable`] with a deadline; without one, true at once (the read blocks just as well
/// as a poll would).
pub(super) fn wait_or_block(fd: RawFd, deadline: Option<Instant>) -> io::Result<bool> {
    match deadline {
        None => Ok(true),
        Some(_) => wait_readable(fd, deadline),
    }
}

/// Polls `fd` without blocking for up to `spin`: true as soon as it is readable (or at
/// EOF/error), false when `spin` is over first (at once for zero).
pub(super) fn spin_until_readable(fd: RawFd, spin: Duration) -> io::Result<bool> {
    if spin.is_zero() {
        return Ok(false);
    }
    let start = Instant::now();
    loop {
        if poll_in(fd, 0)? {
            return Ok(true);
        }
        if start.elapsed() >= spin {
            return Ok(false);
        }
        std::hint::spin_loop();
    }
}

/// Waits until `fd` is readable (or at EOF/error), up to `deadline` (`None`: no limit).
pub(super) fn wait_readable(fd: RawFd, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = match deadline {
            None => -1,
            Some(d) => millis_until(d),
        };
        if poll_in(fd, timeout)? {
            return Ok(true);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(false);
        }
    }
}

/// What [`wait_writable`] saw.
pub(super) struct Ready {
    /// The response pipe has input (only when it was watched).
    pub(super) readable: bool,
}

/// Waits a little (50 ms at most) for room in the request pipe `wfd`, also waking when the
/// response pipe `rfd` has input, if given.
pub(super) fn wait_writable(wfd: RawFd, rfd: Option<RawFd>) -> io::Result<Ready> {
    let mut fds = [
        libc::pollfd {
            fd: wfd,
            events: libc::POLLOUT,
            revents: 0,
        },
        libc::pollfd {
            // A negative fd is ignored by poll.
            fd: rfd.unwrap_or(-1),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    // SAFETY: two valid pollfds for the duration of the call.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, 50) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(Ready {
        readable: r > 0 && rfd.is_some() && fds[1].revents != 0,
    })
}

/// Milliseconds left until `deadline`, rounded up (a poll never returns early).
fn millis_until(deadline: Instant) -> i32 {
    let left = deadline.saturating_duration_since(Instant::now());
    left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
}

/// One `poll` of `fd` for input, waiting up to `timeout_ms` (-1: no limit, 0: not at all):
/// true when it is readable (or at EOF/error), false on a timeout or a signal.
fn poll_in(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    Ok(r > 0)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    use super::*;

    /// Three spins in a row that see nothing stop the spinning (and a deadline sooner than the
    /// spin cuts it short); quick input brings it back.
    #[test]
    fn the_spin_stops_after_slow_waits_in_a_row_and_resumes_when_input_comes_quickly() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let fd = reader.as_raw_fd();
        let mut spin = AdaptiveSpin::new(Duration::from_millis(100));
        let soon = || Some(Instant::now() + Duration::from_millis(120));
        for _ in 0..STOP_SPINNING_AT / SLOW_CYCLE {
            assert!(spin.spinning());
            assert!(!spin.wait(Input::Pipe(fd), soon()).unwrap(), "nothing came");
        }
        assert!(!spin.spinning(), "blocks at once after the slow waits");
        // A deadline shorter than the spin cuts the spin short and is no miss.
        let mut short = AdaptiveSpin::new(Duration::from_secs(5));
        let start = Instant::now();
        assert!(
            !short
                .wait(Input::Pipe(fd), Some(start + Duration::from_millis(20)))
                .unwrap()
        );
        assert!(start.elapsed() < Duration::from_secs(5), "on time");
        assert_eq!(short.score, 0);
        writer.write_all(b"x").unwrap();
        assert!(spin.wait(Input::Pipe(fd), soon()).unwrap());
        assert!(spin.spinning(), "quick input: spinning again");
    }

    /// With the shared ring, a cycle is slow when the worker fell asleep before the request
    /// came (the ring's flag), not whenever this side's wait comes long after its last one: a
    /// worker's reader that several callers share (each takes whichever worker is free, and
    /// `call_async`'s runner naps between runs of answers) waits at long intervals while the
    /// worker still spins, and must keep spinning, or every call after pays a wake-up on each
    /// side. Mutation: a ring's cycles judged by the time since this side's last wait.
    #[test]
    fn with_the_ring_a_cycle_is_slow_when_the_worker_fell_asleep() {
        let ring = super::super::ring::Ring::create().unwrap();
        let (bell_r, _bell_w) = std::io::pipe().unwrap();
        let mut rx = ReplyRing::new(ring, bell_r.as_raw_fd());
        let mut spin = AdaptiveSpin::new(Duration::from_micros(100));
        let mut byte = [0u8; 1];
        let mut cycle = |spin: &mut AdaptiveSpin, rx: &mut ReplyRing| {
            // This side's work: longer than the spin.
            std::thread::sleep(Duration::from_millis(1));
            rx.test_publish(1);
            assert!(spin.wait(Input::Ring(rx), None).unwrap());
            assert_eq!(rx.read(&mut byte).unwrap(), 1);
        };
        for _ in 0..2 * STOP_SPINNING_AT {
            cycle(&mut spin, &mut rx);
        }
        assert!(spin.spinning(), "the worker stayed awake: still spinning");
        rx.test_set_worker_asleep(true);
        for _ in 0..STOP_SPINNING_AT / SLOW_CYCLE {
            cycle(&mut spin, &mut rx);
        }
        assert!(
            !spin.spinning(),
            "the worker slept before each request: blocks at once"
        );
    }

    /// A wait while the worker was last on this thread's own CPU sleeps at once (the worker
    /// cannot run there while it spins), while one with the worker elsewhere spins as usual.
    /// Told apart by a reply published without ringing Rust's doorbell: a spin sees it, a
    /// sleeper does not (it wakes at its deadline). Mutation: no sleep at once beside the
    /// worker (the first wait sees the reply).
    #[test]
    #[cfg(target_os = "linux")]
    fn a_worker_on_this_cpu_is_not_spun_for() {
        use super::super::ring::current_cpu;
        let here = current_cpu();
        assert_ne!(here, 0, "sched_getcpu works on Linux");
        // This thread stays on its CPU for the test (restored after).
        // SAFETY: cpu_set_t values filled by CPU_SET, passed with their size.
        let all = unsafe {
            let mut all: libc::cpu_set_t = std::mem::zeroed();
            libc::sched_getaffinity(0, std::mem::size_of_val(&all), &mut all);
            let mut one: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET((here - 1) as usize, &mut one);
            libc::sched_setaffinity(0, std::mem::size_of_val(&one), &one);
            all
        };
        let ring = super::super::ring::Ring::create().unwrap();
        let (bell_r, _bell_w) = std::io::pipe().unwrap();
        let mut rx = ReplyRing::new(ring, bell_r.as_raw_fd());
        let mut spin = AdaptiveSpin::new(Duration::from_secs(5));
        let mut waited = |worker_cpu: u64, rx: &mut ReplyRing| {
            rx.test_set_worker_cpu(worker_cpu);
            let publisher = {
                let published = rx.test_publisher();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(20));
                    published(1);
                })
            };
            let start = Instant::now();
            let deadline = start + Duration::from_millis(300);
            let ready = spin.wait(Input::Ring(rx), Some(deadline)).unwrap();
            publisher.join().unwrap();
            let mut byte = [0u8; 1];
            assert_eq!(rx.read(&mut byte).unwrap(), 1);
            (ready, start.elapsed())
        };
        let (ready, took) = waited(here, &mut rx);
        assert!(
            !ready && took >= Duration::from_millis(290),
            "the worker beside: slept until the deadline ({took:?})"
        );
        let (ready, took) = waited(here + 1, &mut rx);
        assert!(
            ready && took < Duration::from_millis(290),
            "the worker elsewhere: spun, and saw the reply ({took:?})"
        );
        // SAFETY: the set read above, with its size.
        unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&all), &all) };
    }
}
