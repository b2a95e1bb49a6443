//! Large arrays between this process and its workers, through POSIX shared memory: the
//! segments (`segment.rs`), a pool's spares (`spares.rs`), arrays Rust code fills in a segment
//! itself (`alloc.rs`, [`SharedArrayMut`]), where a request's arrays go and how a call settles
//! its segments (`sink.rs`), and the arrays and segments workers make (`from_worker.rs`).
//!
//! - **To a worker.** The pool's array sink (`sink.rs`) writes an array of at least
//!   [`PoolConfig::shared_memory_threshold`](crate::PoolConfig::shared_memory_threshold) bytes
//!   (the one copy, in row-major order) into a segment `/sb-<our pid>-<n>`, created with
//!   `O_CREAT | O_EXCL` and mode `0600` (private to the user); the request carries only the
//!   segment's name (and the array's dtype and shape, hence its length: the segment may be
//!   larger). The worker maps the segment read-only and hands numpy an array over the mapping.
//!   The [`Segment`] guards live until the call is over (reply, error, crash, timeout, and
//!   across the idempotent retry); dropping them unlinks the names. The worker's mappings stay
//!   valid after that: POSIX frees the memory once the last mapping goes. (Arrays Rust code
//!   filled in a segment itself are `alloc.rs`: they are sent without this copy.)
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

mod alloc;
mod from_worker;
mod segment;
mod sink;
mod spares;
#[cfg(test)]
mod tests;

pub use alloc::SharedArrayMut;
pub(crate) use from_worker::{WorkerSegments, open_array, sweep_dead};
pub(crate) use sink::{SharedArrays, freed};
pub(crate) use spares::Spares;
