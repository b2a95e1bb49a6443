//! Frames on the private channel, as bytes (no I/O here: `worker/channel.rs` reads them):
//! a 4-byte little-endian length + UTF-8 JSON, or, for a message with arrays beside its JSON
//! (either way), the length with [`ATTACHMENTS`] set, a second 4-byte length, the JSON and
//! then that many bytes of attachments (the arrays' elements, each at a multiple of
//! [`ATTACHMENT_ALIGN`] bytes from the start of the attachments). See `PROTOCOL.md`.

use std::io::Write as _;

use crate::data::error::{Error, Result};

/// Set in a frame's length when attachments follow its JSON (the JSON is then under 2 GiB).
pub(crate) const ATTACHMENTS: u32 = 1 << 31;

/// Each attachment starts at a multiple of this many bytes from the start of the attachments:
/// aligned for any element type once the worker holds them in a buffer of their own.
pub(crate) const ATTACHMENT_ALIGN: usize = 16;

/// The largest frame (JSON and attachments together) this side reads: 1 GiB.
///
/// Why a bound: a frame's length arrives before its bytes, so a corrupted header (a worker whose
/// framing broke, e.g. user code that wrote on the channel) would otherwise make the reader
/// wait for, and make room for, up to 6 GiB that never come. Why this one: nothing legitimate
/// comes near it: arrays from
/// [`PoolConfig::shared_memory_threshold`](crate::PoolConfig::shared_memory_threshold) bytes
/// on travel through shared-memory segments, not in frames (only a pool configured to send
/// none that way, `usize::MAX`, could want more); a gigabyte of JSON would take seconds to
/// parse and several gigabytes as `Value`s. A larger length is a protocol error that kills
/// the worker (see `worker/channel.rs`).
pub(crate) const MAX_FRAME_BYTES: usize = 1 << 30;

/// The most bytes a header takes (the attachments form).
pub(crate) const MAX_HEADER: usize = 8;

/// A frame buffer with room for the length prefix (filled in by [`finish`]).
pub(crate) fn start() -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(&[0; 4]);
    buf
}

/// Fills in the length prefix of a buffer from [`start`]; with `attachments` (not empty), makes
/// a frame carrying them after the JSON.
pub(crate) fn finish(mut buf: Vec<u8>, attachments: &[u8]) -> Result<Vec<u8>> {
    let too_large = |what: &str, n: usize| {
        Error::encode(format!(
            "a request with {n} bytes of {what} is too large for the pool channel"
        ))
    };
    if attachments.is_empty() {
        let n = u32::try_from(buf.len() - 4)
            .ok()
            .filter(|&n| n < ATTACHMENTS)
            .ok_or_else(|| too_large("JSON", buf.len() - 4))?;
        buf[..4].copy_from_slice(&n.to_le_bytes());
        return Ok(buf);
    }
    let json = &buf[4..];
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

/// Writes `[1,2,3]`.
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

/// The sizes a frame's header announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The header's own length (4, or 8 with attachments).
    pub(crate) head: usize,
    /// The JSON's length.
    pub(crate) json: usize,
    /// The attachments' length (0 for none).
    pub(crate) attachments: usize,
}

impl Header {
    /// The whole frame's length, header included.
    pub(crate) fn total(&self) -> usize {
        self.head + self.json + self.attachments
    }

    /// The header at the start of `bytes`: `Ok(None)` while it is incomplete, an error when it
    /// announces more than [`MAX_FRAME_BYTES`].
    pub(crate) fn parse(bytes: &[u8]) -> std::result::Result<Option<Header>, String> {
        let Some(first) = bytes.get(..4) else {
            return Ok(None);
        };
        let n = u32::from_le_bytes(first.try_into().expect("4 bytes"));
        let header = if n & ATTACHMENTS == 0 {
            Header {
                head: 4,
                json: n as usize,
                attachments: 0,
            }
        } else {
            let Some(second) = bytes.get(4..8) else {
                return Ok(None);
            };
            Header {
                head: 8,
                json: (n & !ATTACHMENTS) as usize,
                attachments: u32::from_le_bytes(second.try_into().expect("4 bytes")) as usize,
            }
        };
        let body = header.json + header.attachments;
        if body > MAX_FRAME_BYTES {
            return Err(format!(
                "a frame header announcing {body} bytes (JSON {}, attachments {}), over the \
                 channel's bound of {MAX_FRAME_BYTES} bytes (MAX_FRAME_BYTES): its framing \
                 is broken",
                header.json, header.attachments
            ));
        }
        Ok(Some(header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_announce_json_and_attachments_and_are_bounded() {
        let mut plain = start();
        plain.extend_from_slice(br#"{"id":1}"#);
        let plain = finish(plain, &[]).unwrap();
        assert_eq!(
            plain[..4],
            8u32.to_le_bytes(),
            "no attachments: the plain frame"
        );
        assert_eq!(
            Header::parse(&plain).unwrap(),
            Some(Header {
                head: 4,
                json: 8,
                attachments: 0
            })
        );
        let mut with = start();
        with.extend_from_slice(br#"{"id":2}"#);
        let with = finish(with, &[7; 70_000]).unwrap();
        assert_eq!(with[..4], (8 | ATTACHMENTS).to_le_bytes());
        assert_eq!(Header::parse(&with[..6]).unwrap(), None, "incomplete");
        let h = Header::parse(&with).unwrap().unwrap();
        assert_eq!((h.head, h.json, h.attachments), (8, 8, 70_000));
        assert_eq!(h.total(), with.len());
        assert_eq!(Header::parse(&with[..3]).unwrap(), None);

        let at_bound = (MAX_FRAME_BYTES as u32).to_le_bytes();
        assert!(Header::parse(&at_bound).unwrap().is_some());
        let over = (MAX_FRAME_BYTES as u32 + 1).to_le_bytes();
        let err = Header::parse(&over).unwrap_err();
        assert!(err.contains(&format!("{}", MAX_FRAME_BYTES + 1)), "{err}");
        let mut split = (1u32 | ATTACHMENTS).to_le_bytes().to_vec();
        split.extend_from_slice(&(MAX_FRAME_BYTES as u32).to_le_bytes());
        assert!(
            Header::parse(&split).is_err(),
            "JSON and attachments count together"
        );
    }
}
