//! POSIX shared-memory segments: this process's own (`/sb-<pid>-<n>`, unlinked on drop) and
//! mappings of any segment.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::data::array::{NdArray, Storage};

/// Where a Linux system lists its POSIX shared-memory segments.
pub(super) const SHM_DIR: &str = "/dev/shm";

static NEXT_SEGMENT: AtomicU64 = AtomicU64::new(1);

pub(super) fn shm_open(name: &CStr, flags: libc::c_int) -> io::Result<OwnedFd> {
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

pub(super) fn shm_unlink(name: &CStr) -> io::Result<()> {
    // SAFETY: a valid C string.
    if unsafe { libc::shm_unlink(name.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub(super) fn unlink_quietly(name: &str) {
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
    pub(super) fn new(fd: &OwnedFd, len: usize, writable: bool) -> io::Result<Mapping> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        Mapping::map(fd, len, prot, libc::MAP_SHARED)
    }

    fn map(fd: &OwnedFd, len: usize, prot: libc::c_int, flags: libc::c_int) -> io::Result<Mapping> {
        // SAFETY: a fresh mapping chosen by the kernel; `fd` is a valid descriptor.
        let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd.as_raw_fd(), 0) };
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
    pub(super) fn reserved(fd: &OwnedFd, len: usize) -> io::Result<Mapping> {
        #[cfg(target_os = "linux")]
        {
            let size = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
            // SAFETY: a plain call on a valid fd.
            let err = unsafe { libc::posix_fallocate(fd.as_raw_fd(), 0, size) };
            if err != 0 {
                return Err(io::Error::from_raw_os_error(err));
            }
        }
        // Every byte is about to be written: on Linux its pages are mapped in one call instead
        // of one fault each (an 80 MB array is 20,000 faults; a spare's pages exist already).
        #[cfg(target_os = "linux")]
        let flags = libc::MAP_SHARED | libc::MAP_POPULATE;
        #[cfg(not(target_os = "linux"))]
        let flags = libc::MAP_SHARED;
        Mapping::map(fd, len, libc::PROT_READ | libc::PROT_WRITE, flags)
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
    pub(super) capacity: usize,
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
