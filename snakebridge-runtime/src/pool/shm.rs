//! Large arrays between this process and its workers, through POSIX shared memory.
//!
//! - **To a worker.** The pool's array sink (`sink.rs`) writes an array of at least
//!   [`PoolConfig::shared_memory_threshold`](super::PoolConfig::shared_memory_threshold) bytes
//!   (the one copy, in row-major order) into a segment `/sb-<our pid>-<n>`, created with
//!   `O_CREAT | O_EXCL` and mode `0600` (private to the user); the request carries only the
//!   segment's name (and the array's dtype and shape, hence its length: the segment may be
//!   larger). The worker maps the segment read-only and hands numpy an array over the mapping.
//!   The [`Segment`] guards live until the call is over (reply, error, crash, timeout, and
//!   across the idempotent retry); dropping them unlinks the names. The worker's mappings stay
//!   valid after that: POSIX frees the memory once the last mapping goes. (Arrays Rust code
//!   filled in a segment itself are `shared_array.rs`: they are sent without this copy.)
//! - **Reuse.** Most of the cost of a new segment is the kernel allocating and zeroing its
//!   pages; writing into a segment that already has them is a plain copy. So a call's reply may
//!   name segments the worker no longer uses (it checked that nothing references the mapping or
//!   the array, and unmapped it): those become the pool's [`Spares`] instead of being unlinked,
//!   and later calls write their arrays into them. Only such a reply, from the one worker that
//!   was sent the segment, makes a spare: never a segment of a call that crashed, timed out or
//!   was retried, nor of a stream. Spares are bounded (4 per pool, 512 MiB together) and
//!   unlinked when the pool shuts down; a crash of this process leaves them to [`sweep_dead`].
//! - **From a worker.** A worker returns a large array by value in `/sbw-<worker pid>-<n>`,
//!   written by it in row-major order. [`open_array`] maps it read-only, unlinks the name at once
//!   and wraps the mapping as the array's storage: no copy on this side.
//! - **Leaks.** Segments named in frames that are never decoded are unlinked
//!   ([`unlink_named_in`]); when a worker dies, whatever it created and nobody read is removed
//!   ([`sweep_worker`]); and a pool start removes the segments of processes that no longer
//!   exist ([`sweep_dead`]), left behind by crashes of earlier runs.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value as Json;

use super::protocol::for_each_segment;
use crate::data::array::{DType, NdArray, Storage};
use crate::data::error::{Error, Result};

/// Where a Linux system lists its POSIX shared-memory segments.
const SHM_DIR: &str = "/dev/shm";

/// Without a listing of segments (not Linux), how many names past the last one seen are tried
/// when a worker dies.
const GUESS_AHEAD: u64 = 256;

static NEXT_SEGMENT: AtomicU64 = AtomicU64::new(1);

fn shm_open(name: &CStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: a valid C string; the mode argument is read only with O_CREAT.
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    let fd = unsafe { libc::shm_open(name.as_ptr(), flags, 0o600 as libc::c_uint) };
    // SAFETY: as above.
    #[cfg(not(any(target_os = "macos", target_os = "ios")))]
    let fd = unsafe { libc::shm_open(name.as_ptr(), flags, 0o600 as libc::mode_t) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn shm_unlink(name: &CStr) -> io::Result<()> {
    // SAFETY: a valid C string.
    if unsafe { libc::shm_unlink(name.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn unlink_quietly(name: &str) {
    if let Ok(c) = CString::new(name) {
        let _ = shm_unlink(&c);
    }
}

/// A memory mapping of a whole segment, unmapped on drop.
pub(super) struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory; `Mapping` hands out only shared reads of it (or, while
// being filled, a unique `&mut` through `&mut self`).
unsafe impl Send for Mapping {}
// SAFETY: as above.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len > 0` bytes of `fd`, read-only or read-write.
    fn new(fd: &OwnedFd, len: usize, writable: bool) -> io::Result<Mapping> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a fresh mapping chosen by the kernel; `fd` is a valid descriptor.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping {
            ptr: NonNull::new(ptr.cast()).expect("mmap does not return null on success"),
            len,
        })
    }

    /// A read-write mapping of the first `len > 0` bytes of `fd`, their memory reserved first
    /// where the system can: a full /dev/shm then fails here (ENOSPC) instead of killing this
    /// process with SIGBUS while the mapping is written.
    fn reserved(fd: &OwnedFd, len: usize) -> io::Result<Mapping> {
        #[cfg(target_os = "linux")]
        {
            let size = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
            // SAFETY: a plain call on a valid fd.
            let err = unsafe { libc::posix_fallocate(fd.as_raw_fd(), 0, size) };
            if err != 0 {
                return Err(io::Error::from_raw_os_error(err));
            }
        }
        Mapping::new(fd, len, true)
    }

    pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: `len` mapped, writable bytes, borrowed uniquely through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Storage for Mapping {
    fn bytes(&self) -> &[u8] {
        // SAFETY: `len` mapped bytes that live as long as `self`. Nobody writes them any more:
        // the writer finished before naming the segment, and the name is gone.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// A segment this process created for requests; unlinked when dropped.
pub(crate) struct Segment {
    name: CString,
    /// The segment's size: arrays of up to this many bytes fit.
    capacity: usize,
}

impl Segment {
    /// Creates an empty segment of `capacity > 0` bytes (`O_CREAT | O_EXCL`, mode `0600`);
    /// returns it and an fd to write it (closed once written: a call may carry many arrays).
    pub(super) fn new(capacity: usize) -> io::Result<(Segment, OwnedFd)> {
        let pid = std::process::id();
        let (segment, fd) = loop {
            let n = NEXT_SEGMENT.fetch_add(1, Ordering::Relaxed);
            // Short: macOS allows 31 characters.
            let name = CString::new(format!("/sb-{pid}-{n}")).expect("no NUL in the name");
            match shm_open(&name, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR) {
                Ok(fd) => break (Segment { name, capacity }, fd),
                // Left by an earlier process with our pid: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        };
        // From here on, dropping `segment` unlinks the name.
        let size = libc::off_t::try_from(capacity).map_err(|_| io::ErrorKind::InvalidInput)?;
        // SAFETY: a plain call on an fd this function owns.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), size) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((segment, fd))
    }

    /// Creates a segment holding the elements of `array` (not empty) in row-major order: the one
    /// copy of the array on its way to the worker.
    pub(crate) fn create(array: &NdArray) -> io::Result<Segment> {
        let (segment, fd) = Segment::new(array.nbytes())?;
        segment.write(&fd, array)?;
        Ok(segment)
    }

    /// A segment of at least `len > 0` bytes to be filled in place, and a read-write mapping of
    /// its first `len` bytes, all zero: a spare of `spares` that fits (zeroed here), else a new
    /// segment (zero already), its memory reserved ([`Mapping::reserved`]).
    pub(super) fn mapped_for_filling(
        spares: &Spares,
        len: usize,
    ) -> io::Result<(Segment, Mapping)> {
        // A spare that cannot be opened again is unlinked (dropped) and a new segment made.
        let spare = spares
            .take(len)
            .and_then(|spare| spare.reopen().ok().map(|fd| (spare, fd)));
        let reused = spare.is_some();
        let (segment, fd) = match spare {
            Some(spare) => spare,
            None => Segment::new(grain(len))?,
        };
        let mut mapping = Mapping::reserved(&fd, len)?;
        if reused {
            // An earlier array's elements: the caller is promised zeros.
            mapping.bytes_mut().fill(0);
        }
        Ok((segment, mapping))
    }

    /// Opens the segment again to write it (a spare: nobody else has the name, which only we
    /// unlink, and nobody maps it).
    pub(super) fn reopen(&self) -> io::Result<OwnedFd> {
        shm_open(&self.name, libc::O_RDWR)
    }

    /// Writes the elements of `array` (not empty, at most `capacity` bytes) in row-major order at
    /// the start of the segment, through `fd` (opened on it). Into a segment written before (a
    /// spare), this reuses the memory the kernel already gave it: no page is allocated or zeroed
    /// again.
    pub(super) fn write(&self, fd: &OwnedFd, array: &NdArray) -> io::Result<()> {
        let len = array.nbytes();
        if len > self.capacity {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        // Linux's shared memory takes writes: the kernel copies into its pages directly, about
        // twice as fast as faulting in a mapping page by page and copying into it (and a full
        // /dev/shm is an ENOSPC error, not a SIGBUS).
        #[cfg(target_os = "linux")]
        if array.is_standard_layout() {
            use std::os::unix::fs::FileExt as _;
            // SAFETY: `fd` stays open (borrowed for this call) while this `File` lives, and
            // `ManuallyDrop` keeps the `File` from closing it.
            let file =
                std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd.as_raw_fd()) });
            return file.write_all_at(&array.c_order_bytes(), 0);
        }
        let mut mapping = Mapping::reserved(fd, len)?;
        array.write_c_order(mapping.bytes_mut());
        Ok(())
    }

    /// How many bytes it holds.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The segment's name (`/sb-<pid>-<n>`).
    pub(crate) fn name(&self) -> &str {
        self.name.to_str().expect("the name is ASCII")
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        let _ = shm_unlink(&self.name);
    }
}

/// At most this many spare segments per pool...
pub(super) const MAX_SPARES: usize = 4;
/// ...holding at most this many bytes together.
pub(super) const MAX_SPARE_BYTES: usize = 512 << 20;
/// Segments that may become spares are made in multiples of this size, so that one serves
/// arrays of somewhat different sizes. Only the pages written take memory.
pub(super) const SPARE_GRAIN: usize = 1 << 20;

/// A pool's spare segments: made for earlier requests and reported unused by the worker that
/// mapped them (it has unmapped them), so nobody maps them now. A new request writes its large
/// arrays into them instead of into new segments, reusing memory the kernel already allocated
/// (allocating and zeroing fresh pages is most of the cost of a new segment). Bounded by
/// [`MAX_SPARES`] and [`MAX_SPARE_BYTES`] (the smallest go first); all are unlinked when the pool
/// shuts down.
#[derive(Default)]
pub(crate) struct Spares {
    state: std::sync::Mutex<SpareState>,
}

#[derive(Default)]
struct SpareState {
    free: Vec<Segment>,
    closed: bool,
}

impl Spares {
    fn lock(&self) -> std::sync::MutexGuard<'_, SpareState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The smallest spare that holds `len` bytes, unless it is more than twice as large as a
    /// segment made for them would be (a small array should not use up a large spare).
    pub(super) fn take(&self, len: usize) -> Option<Segment> {
        let mut st = self.lock();
        let limit = grain(len).saturating_mul(2);
        let (i, _) = st
            .free
            .iter()
            .enumerate()
            .filter(|(_, s)| s.capacity >= len && s.capacity <= limit)
            .min_by_key(|(_, s)| s.capacity)?;
        Some(st.free.swap_remove(i))
    }

    /// Keeps `segments` as spares. Only segments that no process maps any more belong here: ones
    /// the worker that mapped them reported unused in its reply. Beyond the bounds, or once the
    /// pool is shut down, segments are unlinked instead.
    pub(crate) fn give_back(&self, segments: Vec<Segment>) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.free.extend(segments);
        // Keep the largest (they save the most), within the bounds.
        st.free.sort_by_key(|s| std::cmp::Reverse(s.capacity));
        let mut total = 0usize;
        let mut evicted = Vec::new();
        for s in std::mem::take(&mut st.free) {
            if st.free.len() < MAX_SPARES && total.saturating_add(s.capacity) <= MAX_SPARE_BYTES {
                total += s.capacity;
                st.free.push(s);
            } else {
                evicted.push(s);
            }
        }
        drop(st);
        drop(evicted);
    }

    /// Unlinks every spare; later ones are unlinked at once. At the pool's shutdown.
    pub(crate) fn close(&self) {
        let spares = {
            let mut st = self.lock();
            st.closed = true;
            std::mem::take(&mut st.free)
        };
        drop(spares);
    }

    /// The names of the spares.
    pub(crate) fn names(&self) -> Vec<String> {
        self.lock()
            .free
            .iter()
            .map(|s| s.name().to_owned())
            .collect()
    }
}

/// `len` rounded up to a whole number of [`SPARE_GRAIN`]s.
pub(super) fn grain(len: usize) -> usize {
    len.div_ceil(SPARE_GRAIN).saturating_mul(SPARE_GRAIN)
}

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

/// Whether segment `name` exists (for tests).
#[cfg(test)]
pub(super) fn exists(name: &str) -> bool {
    shm_open(&CString::new(name).unwrap(), libc::O_RDONLY).is_ok()
}

/// The first `len` bytes of segment `name`, mapped read-only (for tests).
#[cfg(test)]
pub(super) fn read_segment(name: &str, len: usize) -> Vec<u8> {
    let fd = shm_open(&CString::new(name).unwrap(), libc::O_RDONLY).unwrap();
    Mapping::new(&fd, len, false).unwrap().bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip_and_unlink() {
        let data: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        let segment = Segment::create(&NdArray::from_vec(data.clone())).unwrap();
        let name = segment.name().to_owned();
        assert!(name.len() <= 31, "{name}");
        // Read it back as a worker would.
        let c = CString::new(name.clone()).unwrap();
        let fd = shm_open(&c, libc::O_RDONLY).unwrap();
        let mapping = Mapping::new(&fd, data.len(), false).unwrap();
        assert_eq!(mapping.bytes(), &data[..]);
        drop(segment);
        assert!(shm_open(&c, libc::O_RDONLY).is_err(), "unlinked on drop");
        // The mapping outlives the name.
        assert_eq!(mapping.bytes()[..3], [0, 1, 2]);
    }

    #[cfg(feature = "ndarray")]
    #[test]
    fn other_layouts_go_in_row_major_order() {
        // A column-major 2 x 3 array.
        let t = ndarray::Array2::from_shape_vec((3, 2), vec![0u16, 3, 1, 4, 2, 5])
            .unwrap()
            .reversed_axes();
        let t = NdArray::from(t);
        assert!(!t.is_standard_layout());
        let segment = Segment::create(&t).unwrap();
        let c = CString::new(segment.name()).unwrap();
        let fd = shm_open(&c, libc::O_RDONLY).unwrap();
        let mapping = Mapping::new(&fd, 12, false).unwrap();
        let expected: Vec<u8> = (0u16..6).flat_map(u16::to_ne_bytes).collect();
        assert_eq!(mapping.bytes(), &expected[..]);
    }

    /// Creates `/sbw-<pid>-<n>` as a worker would.
    fn worker_segment_with(pid: u32, n: u64, bytes: &[u8]) -> String {
        let name = format!("/sbw-{pid}-{n}");
        let c = CString::new(name.clone()).unwrap();
        let fd = shm_open(&c, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR).unwrap();
        // SAFETY: plain calls on our fd.
        assert_eq!(
            unsafe { libc::ftruncate(fd.as_raw_fd(), bytes.len() as libc::off_t) },
            0
        );
        if !bytes.is_empty() {
            let mut m = Mapping::new(&fd, bytes.len(), true).unwrap();
            m.bytes_mut().copy_from_slice(bytes);
        }
        name
    }

    #[test]
    fn worker_arrays_map_without_a_copy_and_are_checked() {
        // Our own pid: alive, so no sweep (run by another test meanwhile) removes these.
        let pid = std::process::id();
        let values = [1.5f64, -2.0, 3.25, 4.0, 5.5, 6.0];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        let name = worker_segment_with(pid, 1, &bytes);
        let (array, n) = open_array(&name, pid, DType::Float64, vec![2, 3]).unwrap();
        assert_eq!(n, 1);
        assert_eq!(array.to_vec::<f64>().unwrap(), values);
        assert_eq!(array.data_ptr() as usize % 4096, 0, "the mapping itself");
        let c = CString::new(name.clone()).unwrap();
        assert!(
            shm_open(&c, libc::O_RDONLY).is_err(),
            "unlinked once opened"
        );

        // Too small for the shape: an error, and the name is gone all the same.
        let name = worker_segment_with(pid, 2, &bytes[..40]);
        let err = open_array(&name, pid, DType::Float64, vec![6]).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let c = CString::new(name.clone()).unwrap();
        assert!(shm_open(&c, libc::O_RDONLY).is_err());

        // Bools other than 0 and 1 are refused.
        let name = worker_segment_with(pid, 3, &[0, 1, 2]);
        assert!(open_array(&name, pid, DType::Bool, vec![3]).is_err());

        // Another process's segment name is refused without touching it.
        let err = open_array("/sbw-1-1", pid, DType::Bool, vec![3]).unwrap_err();
        assert!(err.to_string().contains("not a segment"), "{err}");
        assert!(open_array("/etc/passwd", pid, DType::Bool, vec![3]).is_err());
    }

    #[test]
    fn names_in_unread_frames_are_unlinked() {
        let pid = std::process::id();
        let a = worker_segment_with(pid, 7, &[1; 8]);
        let b = worker_segment_with(pid, 9, &[1; 8]);
        let frame = serde_json::json!({"id": 3, "ok": [
            {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": a},
            {"k": {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": b}},
            {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": "/sbw-1-1"},
        ]});
        assert_eq!(unlink_named_in(&frame, pid), 9);
        for name in [a, b] {
            let c = CString::new(name).unwrap();
            assert!(shm_open(&c, libc::O_RDONLY).is_err());
        }
    }

    #[test]
    fn sweeps_remove_what_dead_processes_left() {
        let pid = 2_000_000_002; // beyond any pid_max: never alive
        let a = worker_segment_with(pid, 1, &[0; 4]);
        let b = worker_segment_with(pid, 300, &[0; 4]);
        sweep_worker(pid, 0);
        for name in [&a, &b] {
            let c = CString::new(name.as_str()).unwrap();
            assert!(shm_open(&c, libc::O_RDONLY).is_err(), "{name} is left");
        }
        let c = worker_segment_with(pid, 2, &[0; 4]);
        sweep_dead();
        let c = CString::new(c).unwrap();
        assert!(shm_open(&c, libc::O_RDONLY).is_err());
    }
}
