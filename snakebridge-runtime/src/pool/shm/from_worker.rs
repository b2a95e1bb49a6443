//! What workers leave in shared memory: arrays returned by value (`/sbw-<pid>-<n>`, mapped
//! without a copy), the segments named in frames never decoded, and those of dead workers and
//! dead processes, swept.

use std::ffi::CString;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value as Json;

use super::segment::{Mapping, SHM_DIR, shm_open, shm_unlink, unlink_quietly};
use crate::data::array::{DType, NdArray, Storage};
use crate::data::error::{Error, Result};
use crate::pool::protocol::for_each_segment;

/// Without a listing of segments (not Linux), how many names past the last one seen are tried
/// when a worker dies.
const GUESS_AHEAD: u64 = 256;

/// The number `n` of a worker's segment name `/sbw-<pid>-<n>`, if `name` is one of `pid`'s.
fn worker_segment(name: &str, pid: u32) -> Option<u64> {
    let rest = name.strip_prefix("/sbw-")?;
    let (owner, n) = rest.split_once('-')?;
    if owner.parse::<u32>().ok()? != pid || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

fn shm_error(name: &str, message: impl std::fmt::Display) -> Error {
    Error::decode(
        "array in shared memory",
        format!("segment `{name}`: {message}"),
    )
}

/// The array a worker (process `pid`) left in segment `name`: mapped read-only, the name
/// unlinked at once; no copy. Returns the segment's number too.
pub(crate) fn open_array(
    name: &str,
    pid: u32,
    dtype: DType,
    shape: Vec<usize>,
) -> Result<(NdArray, u64)> {
    let Some(n) = worker_segment(name, pid) else {
        return Err(shm_error(
            name,
            format!("not a segment of the worker (pid {pid}) that sent it"),
        ));
    };
    let c_name = CString::new(name).expect("checked to be `/sbw-<digits>-<digits>`");
    let fd = shm_open(&c_name, libc::O_RDONLY)
        .map_err(|e| shm_error(name, format!("cannot open it: {e}")))?;
    // Nobody else needs the name: from now on the mapping alone keeps the memory.
    let _ = shm_unlink(&c_name);
    let len = shape
        .iter()
        .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| shm_error(name, format!("shape {shape:?} is too large")))?;
    // SAFETY: all-zero bytes are a valid `stat`.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat on a valid fd into a struct of the right type.
    if unsafe { libc::fstat(fd.as_raw_fd(), &mut stat) } != 0 {
        return Err(shm_error(name, io::Error::last_os_error()));
    }
    // Some systems round a segment's size up to whole pages: it must hold the array, at least.
    if usize::try_from(stat.st_size).map_or(true, |size| size < len) {
        return Err(shm_error(
            name,
            format!(
                "{} bytes cannot hold {} {dtype} elements of shape {shape:?}",
                stat.st_size,
                len / dtype.size()
            ),
        ));
    }
    if len == 0 {
        return NdArray::from_c_bytes(dtype, shape, &[]).map(|a| (a, n));
    }
    let mapping = Mapping::new(&fd, len, false)
        .map_err(|e| shm_error(name, format!("cannot map it: {e}")))?;
    drop(fd);
    if dtype == DType::Bool && mapping.bytes().iter().any(|&b| b > 1) {
        return Err(shm_error(
            name,
            "a bool array holds bytes other than 0 and 1",
        ));
    }
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for (stride, &dim) in strides.iter_mut().zip(&shape).rev() {
        *stride = step;
        step *= dim.max(1) as isize;
    }
    let storage: Arc<dyn Storage> = Arc::new(mapping);
    Ok((NdArray::from_storage(storage, dtype, shape, strides, 0), n))
}

/// Unlinks the worker's segments named in `frame` (a frame that will never be decoded, or
/// whose decoding failed part-way). Returns the highest segment number seen.
pub(crate) fn unlink_named_in(frame: &Json, pid: u32) -> u64 {
    let mut seen = 0;
    for_each_segment(frame, &mut |name| {
        if let Some(n) = worker_segment(name, pid) {
            unlink_quietly(name);
            seen = seen.max(n);
        }
    });
    seen
}

/// The entries of the segment listing whose names parse as `<prefix><pid>-<n>`, as (name, pid).
fn listed(prefix: &str) -> io::Result<Vec<(String, u32)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(SHM_DIR)? {
        let Ok(entry) = entry else { continue };
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Some((pid, n)) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('-'))
        else {
            continue;
        };
        if let Ok(pid) = pid.parse::<u32>()
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            out.push((name, pid));
        }
    }
    Ok(out)
}

/// Removes the segments a dead worker (process `pid`) created that nobody will read. `seen` is
/// the highest segment number this process read from it (used where segments cannot be listed).
pub(crate) fn sweep_worker(pid: u32, seen: u64) {
    match listed("sbw-") {
        Ok(entries) => {
            for (name, owner) in entries {
                if owner == pid {
                    unlink_quietly(&format!("/{name}"));
                }
            }
        }
        Err(_) => {
            // No listing: a worker numbers its segments 1, 2, ...; try the ones after the last
            // one read (a segment is only left behind when its frame was never read).
            for n in seen + 1..=seen + GUESS_AHEAD {
                unlink_quietly(&format!("/sbw-{pid}-{n}"));
            }
        }
    }
}

/// True unless process `pid` certainly no longer exists.
fn may_be_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    exists || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes the segments of this user whose creating process (`sb-<pid>-*` by a snakebridge
/// process, `sbw-<pid>-*` by a worker) no longer exists: leftovers of crashed runs. Where the
/// segments cannot be listed (not Linux), does nothing.
pub(crate) fn sweep_dead() {
    use std::os::unix::fs::MetadataExt as _;
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    for prefix in ["sb-", "sbw-"] {
        let Ok(entries) = listed(prefix) else { return };
        for (name, pid) in entries {
            let mine = std::fs::metadata(format!("{SHM_DIR}/{name}")).is_ok_and(|m| m.uid() == me);
            if mine && !may_be_alive(pid) {
                tracing::debug!(target: "snakebridge::pool", segment = %name, pid,
                    "removing a shared-memory segment left by a process that is gone");
                unlink_quietly(&format!("/{name}"));
            }
        }
    }
}

/// The segments one worker (process `pid`) made that this process has seen: the highest
/// number read or unlinked, and what is left to remove once the worker is gone.
pub(crate) struct WorkerSegments {
    pid: u32,
    seen: AtomicU64,
}

impl WorkerSegments {
    pub(crate) fn new(pid: u32) -> WorkerSegments {
        WorkerSegments {
            pid,
            seen: AtomicU64::new(0),
        }
    }

    /// Unlinks the worker's segments named in `value` (a value that was not, or not wholly,
    /// decoded).
    pub(crate) fn forget_in(&self, value: &Json) {
        self.saw(unlink_named_in(value, self.pid));
    }

    /// Notes that the worker's segment number `n` was read (or unlinked).
    pub(crate) fn saw(&self, n: u64) {
        self.seen.fetch_max(n, Ordering::Relaxed);
    }

    /// Removes the segments the (dead) worker created that nobody read.
    pub(crate) fn sweep(&self) {
        sweep_worker(self.pid, self.seen.load(Ordering::Relaxed));
    }
}
