//! Reading a worker's response pipe: bytes in, [`Frame`]s out, each within the caller's
//! deadline. A frame the worker starts but does not finish by the deadline stays buffered (the
//! next read goes on from there, or the worker is killed as hung); a header that announces more
//! than [`MAX_FRAME_BYTES`](crate::pool::protocol::frame::MAX_FRAME_BYTES) is a protocol
//! error, and so is a message that does not parse. Waiting is `poll.rs`'s; framing and
//! messages are `protocol`'s.

use std::io::{self, PipeReader, Read};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::poll::{AdaptiveSpin, Input};
use super::ring::ReplyRing;
use crate::pool::protocol::FromWorker;
use crate::pool::protocol::frame::{Header, MAX_HEADER};

/// A message from the worker and the attachments that came beside it (empty for none).
pub(crate) struct Frame {
    pub(crate) message: FromWorker,
    pub(crate) attachments: Vec<u8>,
}

/// Why reading the channel failed.
pub(crate) enum ReadError {
    /// The pipe failed or closed (the worker is gone).
    Io(io::Error),
    /// The worker broke the protocol (what it sent, described).
    Protocol(String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// The reading end of a worker's channel, with its own buffer (so a poll is only needed when
/// nothing is buffered).
pub(crate) struct FrameReader {
    pipe: PipeReader,
    /// The reply ring, when the bytes come through shared memory (the pipe is then only the
    /// doorbell: `ring.rs`).
    ring: Option<ReplyRing>,
    /// How long to poll before a blocking wait between frames ([`crate::PoolConfig::spin`]),
    /// adapting to how soon replies come.
    spin: AdaptiveSpin,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

const READ_CHUNK: usize = 64 * 1024;

impl FrameReader {
    #[cfg(test)]
    pub(crate) fn new(pipe: PipeReader, spin: Duration) -> FrameReader {
        FrameReader::with_ring(pipe, None, spin)
    }

    /// A reader of `ring`, if given, with `pipe` as its doorbell (made non-blocking here).
    pub(crate) fn with_ring(
        pipe: PipeReader,
        ring: Option<ReplyRing>,
        spin: Duration,
    ) -> FrameReader {
        if ring.is_some() {
            // The doorbell is drained without blocking (`ReplyRing::wait`).
            let fd = pipe.as_raw_fd();
            // SAFETY: plain fcntl calls on a valid fd.
            unsafe {
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        FrameReader {
            pipe,
            ring,
            spin: AdaptiveSpin::new(spin),
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
        }
    }

    fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Whether bytes wait to be taken: buffered here, or in the reply ring (a pipe's are not
    /// seen without a system call).
    pub(crate) fn has_input(&self) -> bool {
        self.buffered() > 0 || self.ring.as_ref().is_some_and(|r| r.available() > 0)
    }

    /// The next frame, or `None` if it was not complete by `deadline` (what came of it stays
    /// buffered for the next call). Without a deadline, waits as long as it takes.
    pub(crate) fn next_frame(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<Frame>, ReadError> {
        loop {
            let want = match Header::parse(&self.buf[self.start..self.end])
                .map_err(ReadError::Protocol)?
            {
                Some(h) if self.buffered() >= h.total() => return self.take(h).map(Some),
                Some(h) => h.total(),
                None => MAX_HEADER,
            };
            if !self.wait(deadline)? {
                return Ok(None);
            }
            self.read_some(want)?;
        }
    }

    /// Waits for input up to `deadline`: false when none came.
    fn wait(&mut self, deadline: Option<Instant>) -> io::Result<bool> {
        let fd = self.pipe.as_raw_fd();
        let between = self.buffered() == 0;
        if between {
            // Between frames: start at the front (and give back the memory of a huge frame),
            // and stay awake for a moment, so a quick reply costs no wake-up (but not past the
            // deadline, and not while replies come slowly: see `AdaptiveSpin`).
            self.start = 0;
            self.end = 0;
            if self.buf.len() > 16 * READ_CHUNK {
                self.buf = vec![0; READ_CHUNK];
            }
        }
        let mut input = match &mut self.ring {
            Some(ring) => Input::Ring(ring),
            None => Input::Pipe(fd),
        };
        if between {
            self.spin.wait(input, deadline)
        } else {
            input.wait_or_block(deadline)
        }
    }

    /// One read (the pipe is readable), with room for a frame of `want` bytes from `start`.
    fn read_some(&mut self, want: usize) -> io::Result<()> {
        if self.start > 0 && self.buf.len() - self.start < want {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // Full: grow by doubling toward the frame's size, so memory follows the bytes that
            // came rather than what a header announced.
            let len = self.buf.len();
            let target = (self.start + want).min(len.saturating_mul(2).max(READ_CHUNK));
            self.buf.resize(target.max(len + 1), 0);
        }
        if let Some(ring) = &mut self.ring {
            // Nothing yet (a doorbell for bytes read already) is no error: the caller waits
            // again.
            self.end += ring.read(&mut self.buf[self.end..])?;
            return Ok(());
        }
        loop {
            match self.pipe.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes the complete frame `h` at the front of the buffer.
    fn take(&mut self, h: Header) -> Result<Frame, ReadError> {
        let at = self.start + h.head;
        let body = &self.buf[at..at + h.json];
        let attachments = self.buf[at + h.json..at + h.json + h.attachments].to_vec();
        let parsed = FromWorker::parse(body);
        self.start += h.total();
        let message = parsed.map_err(|e| {
            ReadError::Protocol(format!(
                "a message that breaks the protocol ({e}): {}",
                String::from_utf8_lossy(&body_prefix(body))
            ))
        })?;
        Ok(Frame {
            message,
            attachments,
        })
    }
}

/// The first 200 bytes of a message, for an error.
fn body_prefix(body: &[u8]) -> Vec<u8> {
    body[..body.len().min(200)].to_vec()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::pool::protocol::frame::{MAX_FRAME_BYTES, finish, start};

    fn frame(json: &[u8], attachments: &[u8]) -> Vec<u8> {
        let mut buf = start();
        buf.extend_from_slice(json);
        finish(buf, attachments).unwrap()
    }

    fn id_of(f: &Frame) -> u64 {
        f.message.id()
    }

    #[test]
    fn frames_carry_attachments_beside_their_json() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let attachments: Vec<u8> = (0..=255).cycle().take(70_000).collect();
        let plain = frame(br#"{"id":1,"end":true}"#, &[]);
        let with = frame(br#"{"id":2,"end":true}"#, &attachments);
        let sent = [with.clone(), plain, with].concat();
        let writing = std::thread::spawn(move || writer.write_all(&sent).unwrap());
        let mut frames = FrameReader::new(reader, Duration::ZERO);
        for (id, att) in [(2, &attachments[..]), (1, &[][..]), (2, &attachments[..])] {
            let f = frames.next_frame(None).ok().unwrap().unwrap();
            assert_eq!(id_of(&f), id);
            assert_eq!(f.attachments, att);
        }
        writing.join().unwrap();
        assert!(
            matches!(frames.next_frame(None), Err(ReadError::Io(_))),
            "EOF"
        );
    }

    #[test]
    fn a_frame_unfinished_at_the_deadline_stays_buffered_and_resumes() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let whole = frame(br#"{"id":5,"ok":[1,2,3]}"#, &[]);
        let mut frames = FrameReader::new(reader, Duration::ZERO);
        for cut in [2, 9] {
            writer.write_all(&whole[..cut]).unwrap();
            let got = frames.next_frame(Some(Instant::now() + Duration::from_millis(20)));
            assert!(
                matches!(got, Ok(None)),
                "cut at {cut}: not complete, no error"
            );
            writer.write_all(&whole[cut..]).unwrap();
            let f = frames
                .next_frame(Some(Instant::now()))
                .ok()
                .unwrap()
                .unwrap();
            assert_eq!(id_of(&f), 5);
        }
    }

    #[test]
    fn an_oversized_header_or_a_bad_message_is_a_protocol_error() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        writer
            .write_all(&(MAX_FRAME_BYTES as u32 + 1).to_le_bytes())
            .unwrap();
        let mut frames = FrameReader::new(reader, Duration::ZERO);
        let Err(ReadError::Protocol(e)) = frames.next_frame(None) else {
            panic!("not a protocol error")
        };
        assert!(e.contains("bound"), "{e}");
        assert_eq!(frames.buf.len(), READ_CHUNK, "nothing allocated for it");

        let (reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(&frame(br#"{"id":1}"#, &[])).unwrap();
        let mut frames = FrameReader::new(reader, Duration::ZERO);
        let Err(ReadError::Protocol(e)) = frames.next_frame(None) else {
            panic!("not a protocol error")
        };
        assert!(e.contains("no known kind"), "{e}");
    }
}
