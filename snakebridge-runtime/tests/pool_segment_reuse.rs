//! When a segment made by `PoolClient::alloc_array` is written again, seen from outside: the
//! names in /dev/shm, the mappings in a worker's /proc/<pid>/maps, and what the workers read.
//!
//! A segment goes back to its pool's spares (the next allocation of a fitting size gets the
//! same name) when the last `NdArray` over it drops, unless a worker may still hold a view of
//! it: a timeout, a retry, a stream, a view kept by any one of several workers, an exception's
//! traceback. Then it is unlinked (gone from /dev/shm) and never written again. Needs numpy in
//! the workers' Python (`tests/run.sh`).

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, NdArray, PoolClient, ReturnPolicy, Value, call, in_session, with_client,
};
use support::{config, within};

/// Tests take turns: they look at the segments this process has in /dev/shm.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const SMALL_THRESHOLD: usize = 1024;
const N: usize = 50_000;

fn start(workers: usize) -> Arc<PoolClient> {
    PoolClient::start(config(workers).shared_memory_threshold(SMALL_THRESHOLD))
        .expect("the pool starts")
}

/// Whether segment `name` (`/sb-<pid>-<n>`) is listed in /dev/shm.
fn exists(name: &str) -> bool {
    std::path::Path::new(&format!("/dev/shm{name}")).exists()
}

/// An array of `n` f64s `start, start + 1, ...` allocated in `pool`'s shared memory: the array,
/// its segment's name and its sum (exact: every partial sum is an integer below 2^53).
fn allocated(pool: &PoolClient, start: f64, n: usize) -> (NdArray, String, f64) {
    let mut a = pool.alloc_array::<f64>([n]).unwrap();
    a.iter_mut()
        .enumerate()
        .for_each(|(i, x)| *x = start + i as f64);
    let name = a.segment_name().to_owned();
    let sum = a.iter().sum();
    (a.into_array(), name, sum)
}

fn sum(a: &NdArray) -> f64 {
    call("numpy", "sum", (a.clone(),)).unwrap()
}

/// Whether the last array over segment `name` put it back among the spares: the next
/// allocation of the same size gets that very segment.
fn reused(pool: &PoolClient, name: &str) -> bool {
    let next = pool.alloc_array::<f64>([N]).unwrap();
    next.segment_name() == name
}

/// The lines of worker `pid`'s /proc/<pid>/maps that map this process's segments.
fn worker_maps(pid: u32) -> Vec<String> {
    let mine = format!("/dev/shm/sb-{}-", std::process::id());
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(&mine))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_timeout_a_retry_or_a_stream_marks_an_allocated_segment_viewed() {
    let _turn = serial();
    let pool = start(1);
    with_client(pool.clone(), || {
        // The control: an array a call only read goes back to the spares once dropped.
        let (a, name, total) = allocated(&pool, 1.0, N);
        assert_eq!(sum(&a), total);
        drop(a);
        assert!(reused(&pool, &name), "a segment only read was not reused");
    });

    // A call that times out: its worker is killed mid-call, whatever it held.
    let (a, name, _) = allocated(&pool, 2.0, N);
    let (client, arg) = (pool.clone(), a.clone());
    let (err, _) = within(Duration::from_secs(60), "the timeout", move || {
        with_client(client, || {
            Call::<i64>::function("snakebridge_faults", "sleep_with", (arg, 60))
                .timeout(Duration::from_millis(500))
                .call()
                .unwrap_err()
        })
    });
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    drop(a);
    assert!(!exists(&name), "the segment of a timed-out call was kept");

    with_client(pool.clone(), || {
        // An idempotent call retried after a crash: the crashed worker had mapped it too.
        let (a, name, total) = allocated(&pool, 3.0, N);
        let marker = std::env::temp_dir().join(format!(
            "snakebridge-reuse-crash-once-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&marker);
        let (_, got): (u32, f64) = Call::function(
            "snakebridge_faults",
            "crash_once_with",
            (a.clone(), marker.to_str().unwrap()),
        )
        .idempotent(true)
        .call()
        .unwrap();
        let _ = std::fs::remove_file(&marker);
        assert_eq!(got, total);
        drop(a);
        assert!(!exists(&name), "the segment of a retried call was kept");

        // A stream: its items may refer to its arguments for as long as it lives.
        let (a, name, total) = allocated(&pool, 4.0, N);
        let items: Vec<f64> = Call::<Value>::function("builtins", "iter", (a.clone(),))
            .returns(ReturnPolicy::Value)
            .stream::<f64>()
            .unwrap()
            .collect::<snakebridge_runtime::Result<_>>()
            .unwrap();
        assert_eq!(items.iter().sum::<f64>(), total);
        drop(a);
        assert!(!exists(&name), "the segment of a stream was kept");

        // And allocations go on, in new segments.
        let (b, other, total) = allocated(&pool, 5.0, N);
        assert_eq!(sum(&b), total);
        assert_ne!(other, name);
    });
}

#[test]
fn a_segment_several_workers_read_is_reused_only_when_none_keeps_a_view() {
    let _turn = serial();
    let pool = start(2);
    let (one, two) = (pool.session().unwrap(), pool.session().unwrap());
    let pid = |s| in_session(s, || call::<u32>("os", "getpid", ())).unwrap();
    let pids = [pid(&one), pid(&two)];
    assert_ne!(pids[0], pids[1], "two sessions on two workers");
    with_client(pool.clone(), || {
        let (a, name, total) = allocated(&pool, 1.0, N);
        for s in [&one, &two] {
            assert_eq!(in_session(s, || sum(&a)), total);
        }
        drop(a);
        // Both workers reported it free: reused, and both read the new contents through the
        // mapping they kept (one each).
        let mut b = pool.alloc_array::<f64>([N]).unwrap();
        assert_eq!(b.segment_name(), name, "not reused after two clean reads");
        b.iter_mut().for_each(|x| *x = -2.0);
        let b = b.into_array();
        for (s, pid) in [&one, &two].into_iter().zip(pids) {
            assert_eq!(in_session(s, || sum(&b)), -2.0 * N as f64);
            let maps = worker_maps(pid);
            let of_b = maps.iter().filter(|l| l.ends_with(&name)).count();
            assert_eq!(of_b, 1, "worker {pid}: {maps:?}");
        }
        drop(b);

        // One worker keeps a view, the other only reads it afterwards: never reused.
        let (c, name, total) = allocated(&pool, 7.0, N);
        let kept: f64 = in_session(&one, || {
            call("snakebridge_faults", "keep", (c.clone(), "view")).unwrap()
        });
        assert_eq!(kept, total);
        let view_sum: f64 = c.to_vec::<f64>().unwrap().iter().step_by(2).sum();
        assert_eq!(in_session(&two, || sum(&c)), total);
        drop(c);
        assert!(!exists(&name), "a segment one worker still views was kept");
        let (d, other, total) = allocated(&pool, -100.0, N);
        assert_ne!(other, name);
        assert_eq!(in_session(&two, || sum(&d)), total);
        let sums: Vec<f64> = in_session(&one, || {
            call("snakebridge_faults", "kept_sums", ()).unwrap()
        });
        assert_eq!(sums, [view_sum], "what the worker kept is untouched");
    });
}

#[test]
fn an_allocated_array_outlives_its_pool() {
    let _turn = serial();
    // Shut down, the pool keeps no spare: the segment goes when the array does.
    let pool = start(1);
    let (a, name, total) = allocated(&pool, 1.0, N);
    assert_eq!(with_client(pool.clone(), || sum(&a)), total);
    pool.shutdown();
    assert_eq!(a.to_vec::<f64>().unwrap().iter().sum::<f64>(), total);
    assert!(exists(&name));
    drop(a);
    assert!(!exists(&name), "a shut-down pool kept a spare");
    assert!(pool.spare_segments().is_empty());
    drop(pool);

    // Dropped, the pool is gone; the array still reads, and another pool takes it by name.
    let pool = start(1);
    let (a, name, total) = allocated(&pool, 2.0, N);
    drop(pool);
    assert_eq!(a.to_vec::<f64>().unwrap().iter().sum::<f64>(), total);
    let other = start(1);
    assert_eq!(with_client(other.clone(), || sum(&a)), total);
    drop(a);
    assert!(!exists(&name), "a segment of a dropped pool was kept");
    assert!(other.spare_segments().is_empty(), "another pool took it");
}

/// The worker keeps at most 8 mappings of Rust's segments between calls, and lets go of those
/// whose names Rust unlinked (seen in /proc/<pid>/maps as "(deleted)").
#[test]
fn the_workers_mapping_cache_is_bounded_and_let_go_once_rust_unlinks() {
    let _turn = serial();
    let pool = start(1);
    let pid = pool.worker_pids()[0];
    with_client(pool.clone(), || {
        let arrays: Vec<(NdArray, String, f64)> =
            (0..10).map(|i| allocated(&pool, i as f64, 1_000)).collect();
        for (a, _, total) in &arrays {
            assert_eq!(sum(a), *total);
        }
        let maps = worker_maps(pid);
        assert!(
            (1..=8).contains(&maps.len()),
            "{} mappings kept: {maps:#?}",
            maps.len()
        );
        // The last array sent is among them: mappings are kept between calls.
        assert!(maps.iter().any(|l| l.ends_with(&arrays[9].1)), "{maps:#?}");
        // Dropped: four stay spares, the others are unlinked...
        drop(arrays);
        let deleted = |maps: &[String]| maps.iter().filter(|l| l.ends_with("(deleted)")).count();
        assert!(deleted(&worker_maps(pid)) > 0, "{:#?}", worker_maps(pid));
        // ...and the worker unmaps those at its next new mapping (an array no spare fits).
        let (big, _, total) = allocated(&pool, 0.5, 3 << 17);
        assert_eq!(sum(&big), total);
        let maps = worker_maps(pid);
        assert_eq!(deleted(&maps), 0, "{maps:#?}");
        assert!(maps.len() <= 8, "{maps:#?}");
    });
}

#[test]
fn an_array_kept_in_a_raised_exceptions_traceback_is_never_reused() {
    let _turn = serial();
    let pool = start(1);
    with_client(pool.clone(), || {
        let (a, name, total) = allocated(&pool, 1.0, N);
        let err = call::<f64>("snakebridge_faults", "keep", (a.clone(), "raise")).unwrap_err();
        assert!(matches!(err, Error::Python(_)), "{err:?}");
        drop((a, err));
        assert!(
            !exists(&name),
            "a segment an exception's traceback holds was kept"
        );
        let (b, other, total_b) = allocated(&pool, -5.0, N);
        assert_ne!(other, name);
        assert_eq!(sum(&b), total_b);
        let sums: Vec<f64> = call("snakebridge_faults", "kept_exception_sums", ()).unwrap();
        assert_eq!(sums, [total], "what the traceback holds is untouched");
        let _: Value = call("snakebridge_faults", "forget_kept", ()).unwrap();
    });
}

/// A Python error keeps a copy of the exception without its traceback: the frames' locals (an
/// array argument) are not held by the `Error`, so the segment is reused while the error lives.
#[test]
fn errors_keep_a_traceback_free_copy_so_the_segment_is_reused() {
    let _turn = serial();
    let pool = start(1);
    with_client(pool.clone(), || {
        let (a, name, _) = allocated(&pool, 1.0, N);
        // `keep` raises ValueError("no such way") with the array in its frame.
        let err =
            call::<f64>("snakebridge_faults", "keep", (a.clone(), "no such way")).unwrap_err();
        let Error::Python(p) = &err else {
            panic!("{err:?}")
        };
        assert!(p.traceback.contains("keep"), "{}", p.traceback);
        let exception = p.exception.as_ref().expect("the exception object");
        let traceback: Value = exception.getattr("__traceback__").unwrap();
        assert_eq!(traceback, Value::None);
        drop(a);
        assert!(
            reused(&pool, &name),
            "the error's exception held the segment"
        );
        drop(err);
    });
}

/// The embedded client: an allocated array is an ordinary numpy array over the segment's
/// memory, and a numpy view of it (a slice) comes back over the same memory, which the pool then
/// sends by the segment's name at the slice's offset.
#[cfg(feature = "embedded")]
#[test]
fn an_allocated_array_and_its_slices_on_the_embedded_client() {
    use snakebridge_runtime::PyRef;
    let _turn = serial();
    let pool = start(1);
    let embedded = support::embedded();
    let (a, name, total) = allocated(&pool, 1.0, N);
    let mapped =
        |client: Arc<dyn snakebridge_runtime::client::RuntimeClient>, x: &NdArray| -> String {
            let (file, _): (String, i64) = with_client(client, || {
                call("snakebridge_faults", "mapped_from", (x.clone(),))
            })
            .unwrap();
            file
        };
    // No copy: numpy's array lies in this process's mapping of the segment.
    assert_eq!(mapped(embedded.clone(), &a), format!("/dev/shm{name}"));
    assert_eq!(with_client(embedded.clone(), || sum(&a)), total);

    // Slices made by numpy: a contiguous one shares the segment at an offset, a strided one too
    // (but is not in row-major order, so the pool copies it).
    let slice = |step: i64| -> NdArray {
        with_client(embedded.clone(), || {
            let s: PyRef = call("builtins", "slice", (10, Value::None, step)).unwrap();
            call("operator", "getitem", (a.clone(), s)).unwrap()
        })
    };
    let (tail, every_other) = (slice(1), slice(2));
    assert_eq!(
        tail.data_ptr(),
        a.data_ptr().wrapping_add(80),
        "a view, not a copy"
    );
    let tail_sum: f64 = a.to_vec::<f64>().unwrap()[10..].iter().sum();
    let other_sum: f64 = a.to_vec::<f64>().unwrap()[10..].iter().step_by(2).sum();
    with_client(pool.clone(), || {
        assert_eq!(sum(&tail), tail_sum, "read at the slice's offset");
        assert_eq!(sum(&every_other), other_sum);
    });
    assert_eq!(mapped(pool.clone(), &tail), format!("/dev/shm{name}"));
    assert_ne!(
        mapped(pool.clone(), &every_other),
        format!("/dev/shm{name}")
    );

    // The embedded client keeps a view past the call: that view holds the memory, so the
    // segment is not reused while it lives, and is once it is gone (the embedded client is
    // this process: nothing outlives the memory).
    let kept: f64 = with_client(embedded.clone(), || {
        call("snakebridge_faults", "keep", (a.clone(), "view")).unwrap()
    });
    assert!(kept > 0.0);
    drop((a, tail, every_other));
    assert!(exists(&name));
    let next = pool.alloc_array::<f64>([N]).unwrap();
    assert_ne!(next.segment_name(), name, "reused under the embedded view");
    let _: Value = with_client(embedded.clone(), || {
        call("snakebridge_faults", "forget_kept", ())
    })
    .unwrap();
    assert!(
        reused(&pool, &name),
        "not reused once the embedded view was gone"
    );
    drop(next);
}
