//! Every `poll` the pool makes on a worker's channel, in one place: a short spin for a quick
//! reply, a wait for input up to a deadline, and the writer's wait for room in the request pipe
//! (watching the response pipe meanwhile). The frame reader and the writer only ask these.

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

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
