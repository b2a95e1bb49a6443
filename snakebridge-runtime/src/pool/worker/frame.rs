//! Frames on the private channel: 4-byte little-endian length + UTF-8 JSON, or, for a message
//! with arrays beside its JSON (either way), the length with [`ATTACHMENTS`] set, a second
//! 4-byte length, the JSON and then that many bytes of attachments (the arrays' elements, each
//! at a multiple of [`ATTACHMENT_ALIGN`] bytes from the start of the attachments).

use std::io::{self, PipeReader, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::data::error::{Error, Result};

/// A frame buffer with room for the length prefix.
pub(crate) fn frame_start() -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(&[0; 4]);
    buf
}

/// Set in a frame's length when attachments follow its JSON (the JSON is then under 2 GiB).
pub(crate) const ATTACHMENTS: u32 = 1 << 31;

/// Each attachment starts at a multiple of this many bytes from the start of the attachments:
/// aligned for any element type once the worker holds them in a buffer of their own.
pub(crate) const ATTACHMENT_ALIGN: usize = 16;

/// Fills in the length prefix; with `attachments` (not empty), makes a frame carrying them
/// after the JSON.
pub(crate) fn frame_finish_with(buf: Vec<u8>, attachments: &[u8]) -> Result<Vec<u8>> {
    if attachments.is_empty() {
        return frame_finish(buf);
    }
    let json = &buf[4..];
    let too_large = |what: &str, n: usize| {
        Error::encode(format!(
            "a request with {n} bytes of {what} is too large for the pool channel"
        ))
    };
    let n = u32::try_from(json.len())
        .ok()
        .filter(|&n| n < ATTACHMENTS)
        .ok_or_else(|| too_large("JSON", json.len()))?;
    let a = u32::try_from(attachments.len()).map_err(|_| too_large("arrays", attachments.len()))?;
    let mut frame = Vec::with_capacity(8 + json.len() + attachments.len());
    frame.extend_from_slice(&(n | ATTACHMENTS).to_le_bytes());
    frame.extend_from_slice(&a.to_le_bytes());
    frame.extend_from_slice(json);
    frame.extend_from_slice(attachments);
    Ok(frame)
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

/// A frame from the worker: its JSON, and the attachments that came beside it (empty for none).
pub(crate) struct Frame {
    json: Json,
    pub(crate) attachments: Vec<u8>,
}

impl Frame {
    /// The frame's JSON.
    pub(crate) fn json(&self) -> &Json {
        &self.json
    }
}

impl std::fmt::Display for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.json.fmt(f)
    }
}

impl std::ops::Deref for Frame {
    type Target = Json;
    fn deref(&self) -> &Json {
        &self.json
    }
}

/// The reading end of a worker's channel, with its own buffer (so a poll is only needed when
/// nothing is buffered).
pub(super) struct FrameReader {
    pipe: PipeReader,
    /// How long to poll before a blocking wait ([`crate::PoolConfig::spin`]).
    spin: Duration,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

const READ_CHUNK: usize = 64 * 1024;

impl FrameReader {
    pub(super) fn new(pipe: PipeReader, spin: Duration) -> FrameReader {
        FrameReader {
            pipe,
            spin,
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
    pub(super) fn next_frame(&mut self, deadline: Option<Instant>) -> io::Result<Option<Frame>> {
        if self.buffered() == 0 {
            let fd = self.pipe.as_raw_fd();
            // Awake for a moment first: a quick reply then costs no wake-up. Without a
            // deadline the read below blocks just as well as a poll would.
            if !spin_until_readable(fd, self.spin)?
                && deadline.is_some()
                && !poll_readable(fd, deadline)?
            {
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
        let n = u32::from_le_bytes(header);
        let (head, n, a) = if n & ATTACHMENTS == 0 {
            (4, n as usize, 0)
        } else {
            self.fill(8)?;
            let a: [u8; 4] = self.buf[self.start + 4..self.start + 8]
                .try_into()
                .expect("4 bytes");
            (
                8,
                (n & !ATTACHMENTS) as usize,
                u32::from_le_bytes(a) as usize,
            )
        };
        self.fill(head + n + a)?;
        let body = &self.buf[self.start + head..self.start + head + n];
        let attachments = self.buf[self.start + head + n..self.start + head + n + a].to_vec();
        let parsed = crate::client::wire::parse_deep(body)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
        self.start += head + n + a;
        parsed.map(|json| Some(Frame { json, attachments }))
    }
}

/// Polls `fd` without blocking for up to `spin`: true as soon as it is readable (or at
/// EOF/error), false when `spin` is over first (at once for zero).
fn spin_until_readable(fd: RawFd, spin: Duration) -> io::Result<bool> {
    if spin.is_zero() {
        return Ok(false);
    }
    let start = Instant::now();
    loop {
        if poll_once(fd, 0)? {
            return Ok(true);
        }
        if start.elapsed() >= spin {
            return Ok(false);
        }
        std::hint::spin_loop();
    }
}

/// Waits until `fd` is readable (or at EOF/error), up to `deadline`.
pub(super) fn poll_readable(fd: RawFd, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
            }
        };
        if poll_once(fd, timeout)? {
            return Ok(true);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(false);
        }
    }
}

/// One `poll` of `fd` for input, waiting up to `timeout_ms` (-1: no limit, 0: not at all):
/// true when it is readable (or at EOF/error), false on a timeout or a signal.
fn poll_once(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
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
    use super::*;

    #[test]
    fn frames_carry_attachments_beside_their_json() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut plain = frame_start();
        plain.extend_from_slice(br#"{"id":1}"#);
        let mut with = frame_start();
        with.extend_from_slice(br#"{"id":2}"#);
        let attachments: Vec<u8> = (0..=255).cycle().take(70_000).collect();
        let plain = frame_finish_with(plain, &[]).unwrap();
        assert_eq!(
            plain[..4],
            8u32.to_le_bytes(),
            "no attachments: the old frame"
        );
        let with = frame_finish_with(with, &attachments).unwrap();
        assert_eq!(with[..4], (8 | ATTACHMENTS).to_le_bytes());
        assert_eq!(with[4..8], 70_000u32.to_le_bytes());
        let sent = [with.clone(), plain, with].concat();
        let writing = std::thread::spawn(move || writer.write_all(&sent).unwrap());
        let mut frames = FrameReader::new(reader, Duration::ZERO);
        for (id, att) in [(2, &attachments[..]), (1, &[][..]), (2, &attachments[..])] {
            let f = frames.next_frame(None).unwrap().unwrap();
            assert_eq!(f.json()["id"], id);
            assert_eq!(f.attachments, att);
        }
        writing.join().unwrap();
        assert!(frames.next_frame(None).is_err(), "EOF");
    }
}
