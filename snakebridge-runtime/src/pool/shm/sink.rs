//! The pool's [`ArraySink`]: where the arrays of a request go.
//!
//! - An array Rust code filled in a segment itself ([`SharedArrayMut`](super::SharedArrayMut))
//!   goes by the segment's name, whatever its size: nothing is copied. The call lends the
//!   segment ([`Lent`]) and settles it once the reply says whether the worker kept a view.
//! - Any other array of at least the threshold is copied into a segment (a spare, else a new
//!   one), kept until the call is over.
//! - Smaller arrays travel beside the request's JSON as binary attachments (`{"att": [offset,
//!   length]}` in the JSON): one copy into the frame, none in the worker, no base64.

use std::io;

use serde_json::Value as Json;

use super::alloc::{Lent, SegmentStorage};
use super::segment::Segment;
use super::spares::{Spares, grain};
use crate::client::wire::{ArraySink, InlineArrays};
use crate::data::array::NdArray;
use crate::pool::protocol::frame::ATTACHMENT_ALIGN;
use crate::pool::protocol::{FromWorker, array_attached, array_in_segment};

/// The pool's [`ArraySink`]: arrays of at least `threshold` bytes go through shared-memory
/// segments (kept in `segments` until the call is over), spares when `spares` has a fitting
/// one, else new ones; arrays already in a segment go by name (lent in `lent`); smaller arrays
/// go in `attachments`, beside the JSON.
pub(crate) struct SharedArrays<'a> {
    threshold: usize,
    spares: Option<&'a Spares>,
    segments: Vec<Segment>,
    lent: Vec<Lent>,
    /// The elements of the arrays that travel beside the JSON, each at a multiple of
    /// `ATTACHMENT_ALIGN` bytes.
    pub(crate) attachments: Vec<u8>,
}

impl<'a> SharedArrays<'a> {
    /// `spares`: where to take segments from (`None`: new segments only, sized exactly).
    pub(crate) fn new(threshold: usize, spares: Option<&'a Spares>) -> SharedArrays<'a> {
        SharedArrays {
            threshold,
            spares,
            segments: Vec::new(),
            lent: Vec::new(),
            attachments: Vec::new(),
        }
    }

    fn segment_for(&self, array: &NdArray) -> io::Result<Segment> {
        let len = array.nbytes();
        let Some(spares) = self.spares else {
            return Segment::create(array);
        };
        if let Some(segment) = spares.take(len) {
            match segment.reopen().and_then(|fd| segment.write(&fd, array)) {
                Ok(()) => return Ok(segment),
                // E.g. no room in /dev/shm for the pages the spare lacked: it is unlinked.
                Err(e) => tracing::debug!(
                    target: "snakebridge::pool",
                    segment = segment.name(), bytes = len, error = %e,
                    "cannot reuse a spare segment"
                ),
            }
        }
        let (segment, fd) = Segment::new(grain(len))?;
        segment.write(&fd, array)?;
        Ok(segment)
    }
}

/// The segment names of a reply's `free` list (those the worker kept no view of).
pub(crate) fn freed(reply: &FromWorker) -> Vec<&str> {
    match reply {
        FromWorker::Answer { free, .. } => free.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

impl SharedArrays<'_> {
    /// The call is over: `free` names the segments the one worker that saw them reported
    /// unused (empty after a failed call, a retry, or for a stream). Copied segments it names
    /// become spares; lent ones are settled (those it does not name count as viewed and are
    /// never reused); the other segments are unlinked.
    pub(crate) fn settle(mut self, free: &[&str]) {
        // Without spares (a stream), nothing is ever reused.
        let free = if self.spares.is_some() { free } else { &[] };
        if let Some(spares) = self.spares
            && !self.segments.is_empty()
            && !free.is_empty()
        {
            spares.give_back(unused(&mut self.segments, free));
        }
        for lent in self.lent {
            let unviewed = free.contains(&lent.name());
            lent.settle(unviewed);
        }
    }
}

/// Takes out of `segments` those named in `free` (the worker kept no view of them).
fn unused(segments: &mut Vec<Segment>, free: &[&str]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        if free.contains(&segments[i].name()) {
            out.push(segments.swap_remove(i));
        } else {
            i += 1;
        }
    }
    out
}

impl ArraySink for SharedArrays<'_> {
    fn encode_array(&mut self, array: &NdArray) -> Json {
        if let Some(lent) = SegmentStorage::lend(array) {
            let json = array_in_segment(array, lent.name(), array.byte_offset());
            self.lent.push(lent);
            return json;
        }
        let len = array.nbytes();
        if len > 0 && len >= self.threshold {
            match self.segment_for(array) {
                Ok(segment) => {
                    let json = array_in_segment(array, segment.name(), 0);
                    self.segments.push(segment);
                    return json;
                }
                Err(e) => tracing::warn!(
                    target: "snakebridge::pool",
                    bytes = len, error = %e,
                    "cannot put an array in shared memory; sending it inside the request"
                ),
            }
        }
        if len == 0 {
            return InlineArrays.encode_array(array);
        }
        let offset = self.attachments.len().next_multiple_of(ATTACHMENT_ALIGN);
        self.attachments.resize(offset, 0);
        self.attachments.extend_from_slice(&array.c_order_bytes());
        array_attached(array, offset, len)
    }
}

#[cfg(test)]
mod tests {
    use super::super::segment::{exists, read_segment};
    use super::super::spares::{MAX_SPARE_BYTES, MAX_SPARES, SPARE_GRAIN};
    use super::*;

    #[test]
    fn spares_are_reused_bounded_and_unlinked_at_close() {
        let spares = Spares::default();
        let mut sink = SharedArrays::new(0, Some(&spares));
        let small = NdArray::from_vec(vec![7u8; 1000]);
        let _ = sink.encode_array(&small);
        let first = sink.segments.pop().unwrap();
        assert_eq!(first.capacity(), SPARE_GRAIN, "rounded up");
        let name = first.name().to_owned();
        spares.give_back(vec![first]);
        assert_eq!(spares.names(), std::slice::from_ref(&name));

        // Taken again, and written anew: the array's bytes at the start.
        let other = NdArray::from_vec((0..=255u8).cycle().take(5000).collect::<Vec<u8>>());
        let json = sink.encode_array(&other);
        assert_eq!(json["shm"], name.as_str());
        assert!(spares.names().is_empty());
        assert_eq!(read_segment(&name, 5000), other.c_order_bytes().as_ref());

        // Too small, or more than twice too large: a new segment.
        let spare = sink.segments.pop().unwrap();
        spares.give_back(vec![spare]);
        let big = NdArray::from_vec(vec![1u8; SPARE_GRAIN + 1]);
        let _ = sink.encode_array(&big);
        assert_eq!(spares.names(), std::slice::from_ref(&name));
        let big = sink.segments.pop().unwrap();
        assert_eq!(big.capacity(), 2 * SPARE_GRAIN);
        let huge_name = {
            let (huge, _fd) = Segment::new(5 * SPARE_GRAIN).unwrap();
            let n = huge.name().to_owned();
            spares.give_back(vec![huge]);
            n
        };
        let _ = sink.encode_array(&small);
        let small_segment = sink.segments.pop().unwrap();
        assert_eq!(small_segment.name(), name, "the smallest that fits");
        let _ = sink.encode_array(&small);
        let fresh = sink.segments.pop().unwrap();
        assert_ne!(
            fresh.name(),
            huge_name,
            "a small array leaves a large spare alone"
        );

        // Bounds: at most MAX_SPARES, the largest kept; the others unlinked.
        let mut names = vec![huge_name.clone(), big.name().to_owned()];
        names.push(small_segment.name().to_owned());
        names.push(fresh.name().to_owned());
        let (extra, _fd) = Segment::new(SPARE_GRAIN).unwrap();
        let extra_name = extra.name().to_owned();
        spares.give_back(vec![big, small_segment, fresh, extra]);
        assert_eq!(spares.names().len(), MAX_SPARES);
        let gone = [names.clone(), vec![extra_name]]
            .concat()
            .into_iter()
            .filter(|n| !exists(n))
            .count();
        assert_eq!(gone, 1, "one of the 1 MiB segments");
        assert!(spares.names().contains(&huge_name));

        // Too large to keep at all.
        let (giant, _fd) = Segment::new(MAX_SPARE_BYTES + 1).unwrap();
        let giant_name = giant.name().to_owned();
        spares.give_back(vec![giant]);
        assert!(!exists(&giant_name));
        assert!(spares.names().contains(&huge_name));

        // Closed: every spare unlinked, and later ones at once.
        let kept = spares.names();
        spares.close();
        assert!(spares.names().is_empty());
        assert!(kept.iter().all(|n| !exists(n)));
        let (late, _fd) = Segment::new(SPARE_GRAIN).unwrap();
        let late_name = late.name().to_owned();
        spares.give_back(vec![late]);
        assert!(spares.names().is_empty() && !exists(&late_name));
    }
}
