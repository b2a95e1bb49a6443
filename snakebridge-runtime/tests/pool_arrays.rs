//! numpy arrays through the pool: small ones inside the messages, large ones through POSIX
//! shared memory (one copy by the sender, none by the receiver), with every segment removed
//! after calls, crashes and timeouts but the spares a worker reported unused (reused by later
//! calls, never while a worker still holds them), and those at shutdown. Needs numpy in the workers' Python (`tests/run.sh` sets up
//! such a venv and points SNAKEBRIDGE_PYTHON at it).

// Arrays as `ndarray` arrays too: not in a build without the `ndarray` feature.
#![cfg(feature = "ndarray")]

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use snakebridge_runtime::array::Complex;
use snakebridge_runtime::ndarray::{Array1, Array2, Ix2};
use snakebridge_runtime::{
    Call, Element, Error, NdArray, PoolClient, PyRef, ReturnPolicy, Value, call, with_client,
};
use support::{all_gone, assert_between, config, crashed_pid, eventually, ready_pids, within};

/// Tests take turns: they count the segments this process has in /dev/shm.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Names in /dev/shm starting with `prefix`.
fn segments(prefix: &str) -> Vec<String> {
    std::fs::read_dir("/dev/shm")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}

/// The segments this process made (`sb-<pid>-*`) and those of the given workers.
fn leftovers(workers: &[u32]) -> Vec<String> {
    let mut found = segments(&format!("sb-{}-", std::process::id()));
    for pid in workers {
        found.extend(segments(&format!("sbw-{pid}-")));
    }
    found.sort();
    found
}

/// The pool's spare segments, as listed in /dev/shm (without the leading `/`).
fn spares(pool: &PoolClient) -> Vec<String> {
    let mut names: Vec<String> = pool
        .spare_segments()
        .iter()
        .map(|n| n.trim_start_matches('/').to_owned())
        .collect();
    names.sort();
    names
}

/// The segments left in /dev/shm that are not spares of the pool.
fn strays(pool: &PoolClient, pids: &[u32]) -> Vec<String> {
    let spare = spares(pool);
    leftovers(pids)
        .into_iter()
        .filter(|n| !spare.contains(n))
        .collect()
}

/// No segment is left but the pool's spares (which do exist, at most 4 of them).
fn assert_clean(pool: &PoolClient, also: &[u32]) {
    let mut pids = pool.worker_pids();
    pids.extend_from_slice(also);
    let ok = eventually(Duration::from_secs(10), || strays(pool, &pids).is_empty());
    assert!(ok, "segments left in /dev/shm: {:?}", strays(pool, &pids));
    let spare = spares(pool);
    assert!(spare.len() <= 4, "{spare:?}");
    let listed = leftovers(&[]);
    assert!(
        spare.iter().all(|n| listed.contains(n)),
        "{spare:?} vs {listed:?}"
    );
}

/// [`assert_clean`], then shuts the pool down: no segment at all is left, spares included.
fn assert_none_after_shutdown(pool: Arc<PoolClient>, also: &[u32]) {
    assert_clean(&pool, also);
    let mut pids = pool.worker_pids();
    pids.extend_from_slice(also);
    pool.shutdown();
    assert!(pool.spare_segments().is_empty());
    drop(pool);
    let ok = eventually(Duration::from_secs(10), || leftovers(&pids).is_empty());
    assert!(
        ok,
        "segments left in /dev/shm after the shutdown: {:?}",
        leftovers(&pids)
    );
}

/// The path of the memory mapping holding `ptr` in this process (Linux), if it is a file's.
fn mapped_file(ptr: *const u8) -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let at = ptr as usize;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let (start, end) = (
            usize::from_str_radix(start, 16).ok()?,
            usize::from_str_radix(end, 16).ok()?,
        );
        if !(start..end).contains(&at) {
            return None;
        }
        let path = fields.nth(4).map(str::to_owned);
        Some(path.unwrap_or_default())
    })
}

/// True when the array's memory is a worker's shared-memory segment (mapped, no copy).
fn is_mapped_segment(a: &NdArray) -> bool {
    mapped_file(a.data_ptr()).is_some_and(|p| p.starts_with("/dev/shm/sbw-"))
}

const SMALL_THRESHOLD: usize = 1024;

fn start(threshold: usize) -> Arc<PoolClient> {
    PoolClient::start(config(1).shared_memory_threshold(threshold)).expect("the pool starts")
}

/// What the worker saw of an array argument.
struct Facts {
    dtype: String,
    shape: Vec<usize>,
    writeable: bool,
    owner: String,
    elements: Value,
}

fn facts(arg: impl snakebridge_runtime::IntoValue) -> Facts {
    let v: Value = call("snakebridge_faults", "array_facts", (arg,)).unwrap();
    let field = |k: &str| {
        v.get(k)
            .unwrap_or_else(|| panic!("no {k} in {v:?}"))
            .clone()
    };
    Facts {
        dtype: field("dtype").extract().unwrap(),
        shape: field("shape").extract().unwrap(),
        writeable: field("writeable").extract().unwrap(),
        owner: field("owner").extract().unwrap(),
        elements: field("elements"),
    }
}

/// `numpy.copy(a)` by value.
fn copy_back(a: impl snakebridge_runtime::IntoValue) -> NdArray {
    call("numpy", "copy", (a,)).unwrap()
}

#[test]
fn an_80_mb_array_is_summed_through_shared_memory() {
    let _turn = serial();
    let pool = PoolClient::start(config(1).preload(["numpy"])).unwrap();
    const N: usize = 10_000_000;
    let data: Vec<f64> = (0..N).map(|i| i as f64).collect();
    let expected = (N as f64) * (N as f64 - 1.0) / 2.0; // exact: every partial sum is below 2^53
    let array = NdArray::from_vec(data);
    with_client(pool.clone(), || {
        // Warm up (numpy.sum's first call, page tables of the interpreter).
        let _: f64 = call("numpy", "sum", (NdArray::from_vec(vec![1.0f64; 1 << 17]),)).unwrap();
        let started = Instant::now();
        let total: f64 = call("numpy", "sum", (array.clone(),)).unwrap();
        let through = started.elapsed();
        assert_eq!(total, expected);
        // The call left its 80 MB segment as a spare (beside the warm-up's): the only
        // segments there are.
        let first = spares(&pool);
        assert_eq!(first.len(), 2, "{first:?}");
        assert_eq!(leftovers(&[]), first);
        // Again: into the spare segment the first call left (a new segment would have a new
        // name, and be a spare afterwards instead).
        let started = Instant::now();
        let total: f64 = call("numpy", "sum", (array.clone(),)).unwrap();
        let again = started.elapsed();
        assert_eq!(total, expected);
        assert_eq!(spares(&pool), first, "the spare was not reused");
        assert_eq!(leftovers(&[]), first);
        // The worker's 80 MB array is over the shared-memory mapping, not a copy.
        let owner: Value = call("snakebridge_faults", "array_owner", (array.clone(),)).unwrap();
        let field = |k: &str| owner.get(k).unwrap().clone();
        assert_eq!(field("owner"), Value::Str("mmap".into()), "{owner:?}");
        assert_eq!(field("shape"), Value::List(vec![Value::Int(N as i64)]));
        assert_eq!(field("writeable"), Value::Bool(false));
        assert_eq!(spares(&pool), first);

        let resident: PyRef = Call::function("numpy", "arange", (N as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap();
        let started = Instant::now();
        let same: f64 = call("numpy", "sum", (&resident,)).unwrap();
        let local = started.elapsed();
        assert_eq!(same, expected);

        let started = Instant::now();
        let back: NdArray = call("numpy", "asarray", (&resident,)).unwrap();
        let returned = started.elapsed();
        assert!(is_mapped_segment(&back));
        assert_eq!(back.len(), N);
        assert_eq!(back.view::<f64>().unwrap()[[N - 1]], (N - 1) as f64);
        println!(
            "80 MB f64 array: numpy.sum through the pool {through:?} (array sent through shared \
             memory; {again:?} through a spare segment) vs {local:?} on an array already in the worker (ratio {:.1}x, transfer \
             ≈ {:?}); the same array returned by value in {returned:?}",
            through.as_secs_f64() / local.as_secs_f64(),
            through.saturating_sub(local)
        );
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn small_arrays_travel_inline_and_large_ones_through_shared_memory() {
    let _turn = serial();
    let pool = PoolClient::start(config(1)).unwrap();
    with_client(pool.clone(), || {
        // 16 KiB is the default threshold.
        let small = NdArray::from_vec(vec![1u8; 16 * 1024 - 1]);
        let large = NdArray::from_vec(vec![1u8; 16 * 1024]);
        let f = facts(small.clone());
        assert_eq!((f.owner.as_str(), f.writeable), ("bytes", false));
        let f = facts(large.clone());
        assert_eq!((f.owner.as_str(), f.writeable), ("mmap", false));
        assert_eq!(f.shape, [16 * 1024]);
        assert!(!is_mapped_segment(&copy_back(small)));
        assert!(is_mapped_segment(&copy_back(large)));
    });
    assert_none_after_shutdown(pool, &[]);

    // The threshold is the pool's: with usize::MAX nothing goes through shared memory.
    let inline = start(usize::MAX);
    with_client(inline.clone(), || {
        let big = NdArray::from_vec(vec![2.0f64; 1 << 20]);
        assert_eq!(facts(big.clone()).owner, "bytes");
        let back = copy_back(big.clone());
        assert!(!is_mapped_segment(&back));
        assert_eq!(back, big);
    });
    assert_none_after_shutdown(inline, &[]);
}

fn round_trip<T: Element>(make: impl Fn(usize) -> T, name: &str) {
    for (len, shared) in [(7, false), (5_000, true)] {
        let data: Vec<T> = (0..len).map(&make).collect();
        let array = NdArray::from_shape_vec([len], data.clone()).unwrap();
        let f = facts(array.clone());
        assert_eq!(f.dtype, name);
        assert_eq!(
            f.owner,
            if shared { "mmap" } else { "bytes" },
            "{name} x {len}"
        );
        assert_eq!(f.elements, array.to_list_value(), "{name} x {len}");
        // Rust -> worker -> Rust, by value.
        let back = copy_back(array.clone());
        assert_eq!(back.dtype(), T::DTYPE);
        assert_eq!(is_mapped_segment(&back), shared, "{name} x {len}");
        assert_eq!(back.to_vec::<T>().unwrap(), data, "{name} x {len}");
        // ndarray arrays, 2-d, both ways.
        let rows = len.min(5);
        let grid = Array2::from_shape_vec((rows, len / rows), data[..rows * (len / rows)].to_vec())
            .unwrap();
        let back: Array2<T> = call("numpy", "asarray", (grid.clone(),)).unwrap();
        assert_eq!(back, grid, "{name} x {len}");
        // Made in the worker, of this dtype.
        let made: NdArray = Call::function("numpy", "ones", (len as i64,))
            .kwarg("dtype", name)
            .call()
            .unwrap();
        assert_eq!((made.dtype(), made.len()), (T::DTYPE, len));
        assert_eq!(is_mapped_segment(&made), shared);
    }
}

#[test]
fn every_dtype_round_trips_below_and_above_the_threshold() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        round_trip(|i| i as f32 * 0.25 - 3.0, "float32");
        round_trip(|i| i as f64 / 3.0 - 1e300 * (i % 2) as f64, "float64");
        round_trip(|i| i as i32 * -7919, "int32");
        round_trip(|i| (i as i64) << 40 | i as i64, "int64");
        round_trip(|i| (i * 31) as u8, "uint8");
        round_trip(|i| i % 3 == 0, "bool");
        round_trip(|i| u64::MAX - i as u64, "uint64");
        round_trip(|i| i as i8, "int8");
        round_trip(|i| Complex::new(i as f64, -(i as f64) / 7.0), "complex128");
        round_trip(|i| Complex::new(i as f32 * 0.5, 1.0), "complex64");
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn transposed_arrays_keep_their_elements_both_ways() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        for (rows, cols) in [(2usize, 3usize), (300, 200)] {
            let n = rows * cols;
            // Rust -> worker: a column-major layout.
            let t = Array2::from_shape_vec((rows, cols), (0..n as i64).collect())
                .unwrap()
                .reversed_axes();
            assert!(!t.is_standard_layout());
            let expected: Vec<i64> = t.iter().copied().collect();
            let sent = NdArray::from(t.clone());
            let f = facts(sent.clone());
            assert_eq!(f.shape, [cols, rows]);
            let flat: Vec<i64> = f.elements.extract::<Vec<Vec<i64>>>().unwrap().concat();
            assert_eq!(flat, expected);
            let back: Array2<i64> = call("numpy", "copy", (sent,)).unwrap();
            assert_eq!(back, t);

            // Worker -> Rust: numpy.arange(n).reshape(rows, cols).T.
            let got: NdArray =
                call("snakebridge_faults", "transposed", (rows, cols, "int64")).unwrap();
            assert_eq!(got.shape(), [cols, rows]);
            assert_eq!(got.to_vec::<i64>().unwrap(), expected);
            assert_eq!(is_mapped_segment(&got), n * 8 >= SMALL_THRESHOLD);
            let as_f32: Array2<f32> =
                call("snakebridge_faults", "transposed", (rows, cols, "float32")).unwrap();
            assert_eq!(as_f32, t.mapv(|x| x as f32));
        }
        // A reversed 1-d view (negative stride) goes in element order too.
        let mut r = Array1::from_iter(0..2_000i32);
        r.invert_axis(snakebridge_runtime::ndarray::Axis(0));
        let back: Array1<i32> = call("numpy", "copy", (r.clone(),)).unwrap();
        assert_eq!(back, r);
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn other_dtypes_by_value_become_lists_and_auto_keeps_arrays_as_refs() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        let big_endian: Value = Call::function("numpy", "arange", (3,))
            .kwarg("dtype", ">i4")
            .returns(ReturnPolicy::Value)
            .call()
            .unwrap();
        assert_eq!(
            big_endian,
            Value::List(vec![Value::Int(0), Value::Int(1), Value::Int(2)])
        );
        let words: Value = Call::function("numpy", "array", (vec!["a", "bc"],))
            .returns(ReturnPolicy::Value)
            .call()
            .unwrap();
        assert_eq!(words, Value::from(vec!["a", "bc"]));
        let auto: Value = call("numpy", "zeros", (10_000,)).unwrap();
        assert!(matches!(auto, Value::Ref(ref r) if r.type_name() == "numpy.ndarray"));
        // A ref's array copied out through shared memory.
        let r = auto.as_ref().unwrap();
        let owned = r
            .to_array::<f64, snakebridge_runtime::ndarray::Ix1>()
            .unwrap();
        assert_eq!(owned.len(), 10_000);
        let wrong = r.to_array::<f32, Ix2>().unwrap_err();
        assert!(matches!(wrong, Error::Decode { .. }), "{wrong:?}");
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn a_failed_conversion_after_an_array_leaves_no_segment() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        let err = Call::<Value>::function("snakebridge_faults", "array_then_object", (10_000,))
            .returns(ReturnPolicy::Value)
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        // A Python exception in a call holding an array: its segment goes all the same.
        let err =
            call::<f64>("math", "sqrt", (NdArray::from_vec(vec![1.0f64; 10_000]),)).unwrap_err();
        assert!(matches!(err, Error::Python(_)), "{err:?}");
        // Nothing kept the array: the error reply gave its segment back as a spare.
        assert_eq!(pool.spare_segments().len(), 1);
        let n: i64 = call(
            "snakebridge_faults",
            "sleep_with",
            (NdArray::from_vec(vec![1.0f64; 10_000]), 0),
        )
        .unwrap();
        assert_eq!(n, 10_000);
    });
    assert_none_after_shutdown(pool, &[]);
}

fn still_serves(pool: &Arc<PoolClient>) {
    with_client(pool.clone(), || {
        let big = NdArray::from_vec((0..100_000).map(|i| i as f64).collect());
        let total: f64 = call("numpy", "sum", (big.clone(),)).unwrap();
        assert_eq!(total, 4_999_950_000.0);
        assert_eq!(copy_back(big.clone()), big);
    });
}

#[test]
fn a_crash_while_holding_an_array_leaves_no_segment() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    let big = NdArray::from_vec(vec![3.0f64; 1 << 20]);
    // A spare the crashing calls take: it must be removed, not kept for later calls.
    let spare_for = |array: &NdArray| {
        let total: f64 =
            with_client(pool.clone(), || call("numpy", "sum", (array.clone(),))).unwrap();
        assert_eq!(total, 3.0 * array.len() as f64);
        let spare = spares(&pool);
        assert_eq!(spare.len(), 1, "{spare:?}");
        spare
    };
    let spare = spare_for(&big);
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "exit_with", (big.clone(), 3)).unwrap_err()
    });
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    let dead = crashed_pid(&err);
    assert!(all_gone(&[dead]));
    assert_clean(&pool, &[dead]);
    assert!(
        spares(&pool).is_empty(),
        "the crashed call's segment stayed a spare"
    );
    assert!(!leftovers(&[]).contains(&spare[0]));

    // Idempotent: retried once on the replacement, same segments, then removed.
    let spare = spare_for(&big);
    let first = ready_pids(&pool, "default");
    let restarts = pool.stats("default").unwrap().restarts;
    let err = with_client(pool.clone(), || {
        Call::<Value>::function("snakebridge_faults", "exit_with", (big.clone(), 4))
            .idempotent(true)
            .call()
            .unwrap_err()
    });
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    // The first attempt crashed the only worker; the error is the retry's, which crashed its
    // replacement (a worker started after the call began): two restarts, not one.
    let retried_on = crashed_pid(&err);
    assert_eq!(first.len(), 1);
    assert_ne!(retried_on, first[0], "the call was not retried");
    assert!(all_gone(&[first[0], retried_on]));
    assert_eq!(pool.stats("default").unwrap().restarts, restarts + 2);
    assert_clean(&pool, &[first[0], retried_on]);
    assert!(spares(&pool).is_empty());
    assert!(!leftovers(&[]).contains(&spare[0]));

    // A retry that succeeds: the answer comes from the replacement, with the same array.
    let marker = std::env::temp_dir().join(format!(
        "snakebridge-crash-once-with-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&marker);
    let path = marker.to_str().unwrap().to_owned();
    let restarts = pool.stats("default").unwrap().restarts;
    let (answered_by, total): (u32, f64) = with_client(pool.clone(), || {
        Call::function("snakebridge_faults", "crash_once_with", (big.clone(), path))
            .idempotent(true)
            .call()
    })
    .unwrap();
    let crashed: u32 = std::fs::read_to_string(&marker).unwrap().parse().unwrap();
    let _ = std::fs::remove_file(&marker);
    assert_ne!(
        answered_by, crashed,
        "the answer came from the crashed worker"
    );
    assert_eq!(pool.worker_pids(), [answered_by]);
    assert_eq!(total, 3.0 * big.len() as f64);
    assert_eq!(pool.stats("default").unwrap().restarts, restarts + 1);
    assert!(all_gone(&[crashed]));
    assert_clean(&pool, &[crashed]);

    // A worker that made a segment for its reply and died before sending it.
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "leak_segment_and_exit", (5,)).unwrap_err()
    });
    let dead = crashed_pid(&err);
    assert!(all_gone(&[dead]));
    assert_clean(&pool, &[dead]);
    still_serves(&pool);
    assert_none_after_shutdown(pool, &[dead]);
}

#[test]
fn a_timeout_while_holding_an_array_leaves_no_segment() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    let before = pool.worker_pids();
    let array = NdArray::from_vec(vec![1i64; 1 << 16]);
    // A spare for the call that times out to take: it must be removed, not kept.
    let n: i64 = with_client(pool.clone(), || {
        call("snakebridge_faults", "sleep_with", (array.clone(), 0))
    })
    .unwrap();
    assert_eq!(n, 1 << 16);
    let spare = spares(&pool);
    assert_eq!(spare.len(), 1, "{spare:?}");
    let (client, arg) = (pool.clone(), array.clone());
    let (err, elapsed) = within(Duration::from_secs(60), "the timeout", move || {
        with_client(client, || {
            Call::<i64>::function("snakebridge_faults", "sleep_with", (arg, 60))
                .timeout(Duration::from_millis(500))
                .call()
                .unwrap_err()
        })
    });
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_between(
        elapsed,
        Duration::from_millis(500),
        Duration::from_secs(3),
        "the timeout",
    );
    assert!(all_gone(&before));
    assert_clean(&pool, &before);
    assert!(spares(&pool).is_empty());
    assert!(!leftovers(&[]).contains(&spare[0]));
    still_serves(&pool);
    assert_none_after_shutdown(pool, &before);
}

#[test]
fn arrays_pushed_ahead_of_a_dropped_stream_are_removed() {
    let _turn = serial();
    let pool = PoolClient::start(
        config(1)
            .shared_memory_threshold(SMALL_THRESHOLD)
            .stream_window(8),
    )
    .unwrap();
    with_client(pool.clone(), || {
        let mut stream = Call::<Value>::function("snakebridge_faults", "arrays", (20, 4_096))
            .returns(ReturnPolicy::Value)
            .stream::<NdArray>()
            .unwrap();
        let first = stream.next().unwrap().unwrap();
        assert!(is_mapped_segment(&first));
        assert_eq!(first.to_vec::<f64>().unwrap(), vec![0.0; 4_096]);
        let pid = pool.worker_pids()[0];
        // Let the worker push items ahead, then drop the stream with them unread.
        assert!(eventually(Duration::from_secs(10), || segments(&format!(
            "sbw-{pid}-"
        ))
        .len()
            >= 4));
        drop(stream);
        // The next call on the worker reads (and discards) what was pushed.
        let n: i64 = call("operator", "add", (1, 2)).unwrap();
        assert_eq!(n, 3);
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn without_numpy_an_array_argument_is_an_encode_error() {
    let _turn = serial();
    // A numpy that fails to import.
    let dir = std::env::temp_dir().join(format!("sb-no-numpy-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("numpy")).unwrap();
    std::fs::write(
        dir.join("numpy/__init__.py"),
        "raise ImportError('numpy is switched off for this test')\n",
    )
    .unwrap();
    let path = format!("{}:{}", dir.display(), support::TEST_PYTHON);
    let pool = PoolClient::start(
        snakebridge_runtime::PoolConfig::new()
            .size(1)
            .env("PYTHONPATH", path)
            .shared_memory_threshold(SMALL_THRESHOLD),
    )
    .unwrap();
    with_client(pool.clone(), || {
        for len in [4, 10_000] {
            let err =
                call::<i64>("builtins", "len", (NdArray::from_vec(vec![1u8; len]),)).unwrap_err();
            let Error::Encode { message } = &err else {
                panic!("{err:?}")
            };
            assert!(message.contains("needs numpy"), "{message}");
        }
        assert_eq!(call::<i64>("operator", "add", (1, 2)).unwrap(), 3);
    });
    assert_none_after_shutdown(pool, &[]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_pool_start_removes_segments_of_processes_that_are_gone() {
    let _turn = serial();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let names = [format!("sb-{dead}-1"), format!("sbw-{dead}-7")];
    for name in &names {
        std::fs::write(format!("/dev/shm/{name}"), b"left over").unwrap();
    }
    // Still ours and alive: kept.
    let live = format!("sb-{}-999999999", std::process::id());
    std::fs::write(format!("/dev/shm/{live}"), b"in use").unwrap();
    let pool = start(SMALL_THRESHOLD);
    for name in &names {
        assert!(
            !std::path::Path::new(&format!("/dev/shm/{name}")).exists(),
            "{name} is left"
        );
    }
    assert!(std::path::Path::new(&format!("/dev/shm/{live}")).exists());
    std::fs::remove_file(format!("/dev/shm/{live}")).unwrap();
    drop(pool);
}

/// `n` f64s `start, start + 1, ...`, and their sum (exact: every partial sum is an integer
/// below 2^53).
fn counting_from(start: f64, n: usize) -> (NdArray, f64) {
    let data: Vec<f64> = (0..n).map(|i| start + i as f64).collect();
    let total = data.iter().sum();
    (NdArray::from_vec(data), total)
}

#[test]
fn later_calls_write_their_arrays_into_the_segments_of_earlier_ones() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        let (a, sum_a) = counting_from(1.0, 100_000);
        let total: f64 = call("numpy", "sum", (a,)).unwrap();
        assert_eq!(total, sum_a);
        let first = spares(&pool);
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(leftovers(&[]), first, "the spare is the only segment");

        // Other contents, other (smaller) sizes: the same segment, and the worker sees exactly
        // the new array.
        for (start, n) in [
            (7.0, 100_000),
            (-3.0, 60_000),
            (0.5, 2_000),
            (11.0, 131_072),
        ] {
            let (b, sum_b) = counting_from(start, n);
            let f = facts(b.clone());
            assert_eq!((f.owner.as_str(), f.shape.as_slice()), ("mmap", &[n][..]));
            assert_eq!(f.elements, b.to_list_value());
            let total: f64 = call("numpy", "sum", (b,)).unwrap();
            assert_eq!(total, sum_b);
            assert_eq!(spares(&pool), first, "{n} elements from {start}");
            assert_eq!(leftovers(&[]), first);
        }

        // Two arrays in one call: the spare and a new segment, both spares afterwards.
        let (b, _) = counting_from(0.0, 10_000);
        let (c, _) = counting_from(0.0, 20_000);
        let n: i64 = call("builtins", "len", (vec![b.clone(), c.clone()],)).unwrap();
        assert_eq!(n, 2);
        let two = spares(&pool);
        assert_eq!(two.len(), 2);
        assert!(two.contains(&first[0]));

        // Six at once: at most four are kept, the others removed.
        let six = vec![b.clone(), c.clone(), b.clone(), c.clone(), b.clone(), c];
        let n: i64 = call("builtins", "len", (six,)).unwrap();
        assert_eq!(n, 6);
        assert_eq!(spares(&pool).len(), 4);
        assert_eq!(leftovers(&[]), spares(&pool));

        // A stream neither takes a spare (its items may refer to its arguments for as long as
        // it lives, so nothing may write them meanwhile) nor gives its segments back: its
        // generator reads its array from a segment that is no spare, and the spares are the
        // same ones before, during and after.
        let before = spares(&pool);
        assert!(!before.is_empty());
        let mut files =
            Call::<Value>::function("snakebridge_faults", "mapped_each", (b.clone(), 3))
                .returns(ReturnPolicy::Value)
                .stream::<String>()
                .unwrap();
        let file = files.next().unwrap().unwrap();
        let segment = file
            .strip_prefix("/dev/shm/")
            .expect("a shared-memory segment");
        assert!(
            !before.iter().any(|s| s == segment),
            "the stream took spare {segment}"
        );
        assert_eq!(spares(&pool), before);
        let rest: Vec<String> = files.collect::<snakebridge_runtime::Result<_>>().unwrap();
        assert_eq!(rest, [file.clone(), file.clone()]);
        assert_eq!(spares(&pool), before);
        assert!(
            !leftovers(&[]).iter().any(|s| s == segment),
            "its segment stayed"
        );
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn a_segment_the_worker_still_holds_is_never_written_again() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    const N: usize = 100_000;
    with_client(pool.clone(), || {
        let mut kept_sums = Vec::new();
        for (k, how) in ["array", "view", "memoryview", "base", "raise"]
            .into_iter()
            .enumerate()
        {
            // A spare of the right size for the next call to take.
            let (warm, sum) = counting_from(0.0, N);
            assert_eq!(call::<f64>("numpy", "sum", (warm,)).unwrap(), sum);
            let spare = spares(&pool);
            assert_eq!(spare.len(), 1, "{how}: {spare:?}");

            let (kept, sum_kept) = counting_from(1000.0 * (k + 1) as f64, N);
            let got = call::<f64>("snakebridge_faults", "keep", (kept.clone(), how));
            if how == "raise" {
                assert!(matches!(got, Err(Error::Python(_))), "{got:?}");
            } else {
                assert_eq!(got.unwrap(), sum_kept, "{how}");
                kept_sums.push(match how {
                    "view" => kept.to_vec::<f64>().unwrap().iter().step_by(2).sum(),
                    _ => sum_kept,
                });
            }
            // The worker holds it: not a spare, unlinked (its mapping keeps the memory).
            assert!(spares(&pool).is_empty(), "{how}: {:?}", spares(&pool));
            assert!(!leftovers(&[]).contains(&spare[0]), "{how}");

            // Later calls, with other contents, do not touch what the worker kept.
            for start in [-5.0, 3.0] {
                let (other, sum_other) = counting_from(start, N);
                assert_eq!(call::<f64>("numpy", "sum", (other,)).unwrap(), sum_other);
            }
            let sums: Vec<f64> = call("snakebridge_faults", "kept_sums", ()).unwrap();
            assert_eq!(sums, kept_sums, "{how}");
        }

        // A ref to the array itself (numpy.asarray returns it): held, so never reused.
        let (kept, sum_kept) = counting_from(42.0, N);
        let r: PyRef = Call::function("numpy", "asarray", (kept.clone(),))
            .returns(ReturnPolicy::Ref)
            .call()
            .unwrap();
        assert!(spares(&pool).is_empty());
        for start in [-7.0, 9.0] {
            let (other, sum_other) = counting_from(start, N);
            assert_eq!(call::<f64>("numpy", "sum", (other,)).unwrap(), sum_other);
        }
        assert_eq!(call::<f64>("numpy", "sum", (&r,)).unwrap(), sum_kept);
        assert_eq!(
            r.to_array::<f64, snakebridge_runtime::ndarray::Ix1>()
                .unwrap()
                .len(),
            N
        );

        // Once nothing is kept, calls reuse segments again.
        let _: Value = call("snakebridge_faults", "forget_kept", ()).unwrap();
        drop(r);
        let (a, sum_a) = counting_from(0.0, N);
        assert_eq!(call::<f64>("numpy", "sum", (a.clone(),)).unwrap(), sum_a);
        let spare = spares(&pool);
        assert_eq!(spare.len(), 1);
        assert_eq!(call::<f64>("numpy", "sum", (a,)).unwrap(), sum_a);
        assert_eq!(spares(&pool), spare);
    });
    assert_none_after_shutdown(pool, &[]);
}

/// The file the worker's array lies in and the address of its first element there.
fn mapped_in_worker(a: &NdArray) -> (String, i64) {
    call("snakebridge_faults", "mapped_from", (a.clone(),)).unwrap()
}

#[test]
fn arrays_allocated_in_shared_memory_are_sent_without_a_copy() {
    let _turn = serial();
    // Whatever the threshold: here no other array would go through shared memory.
    let pool = start(usize::MAX);
    let mut a = pool.alloc_array::<f64>([300, 100]).unwrap();
    assert_eq!(a.shape(), [300, 100]);
    assert!(a.iter().all(|&x| x == 0.0), "zeroed");
    for (i, x) in a.iter_mut().enumerate() {
        *x = i as f64 * 0.5;
    }
    a.view_mut()[[299, 99]] = -1.0;
    let name = a.segment_name().to_owned();
    let a = a.into_array();
    assert_eq!(a.shape(), [300, 100]);
    let expected: f64 = a.to_vec::<f64>().unwrap().iter().sum();
    with_client(pool.clone(), || {
        // The worker's array is over the very segment Rust wrote: no copy, no other segment.
        let f = facts(a.clone());
        assert_eq!(f.owner, "mmap");
        assert_eq!(
            (f.dtype.as_str(), f.shape.as_slice()),
            ("float64", &[300, 100][..])
        );
        assert!(!f.writeable, "the worker cannot write Rust's memory");
        assert_eq!(f.elements, a.to_list_value());
        let (file, first_at) = mapped_in_worker(&a);
        assert_eq!(file, format!("/dev/shm{name}"));
        assert_eq!(leftovers(&[]), [name.trim_start_matches('/')]);
        assert_eq!(call::<f64>("numpy", "sum", (a.clone(),)).unwrap(), expected);
        // Between calls the worker keeps its mapping, and an array sent again is read through
        // it (the same address: no new mapping, no page faults).
        let mappings = |name: &str| call::<i64>("snakebridge_faults", "mappings_of", (name,));
        assert_eq!(mappings(&name).unwrap(), 1);
        assert_eq!(mapped_in_worker(&a), (file.clone(), first_at));
        assert_eq!(mappings(&name).unwrap(), 1);
        // Rust still holds the array: the segment is not for reuse.
        assert!(spares(&pool).is_empty(), "{:?}", spares(&pool));
    });
    // Once the last NdArray over it is gone, the segment is the pool's spare...
    let copy = a.clone();
    drop(a);
    assert!(spares(&pool).is_empty(), "a clone still holds it");
    drop(copy);
    assert_eq!(spares(&pool), [name.trim_start_matches('/')]);
    // ...which the next allocation takes, zeroed again.
    let b = pool.alloc_array::<i32>([1000]).unwrap();
    assert_eq!(b.segment_name(), name);
    assert!(
        b.iter().all(|&x| x == 0),
        "an earlier array's elements are not seen"
    );
    let b = b.into_array();
    with_client(pool.clone(), || {
        assert_eq!(call::<i64>("numpy", "sum", (b.clone(),)).unwrap(), 0);
        // The worker maps the reused segment where it did before.
        assert_eq!(mapped_in_worker(&b).0, format!("/dev/shm{name}"));
        // An empty array allocates and travels too.
        let empty = pool.alloc_array::<u8>([0, 4]).unwrap().into_array();
        let f = facts(empty);
        assert_eq!(f.shape, [0, 4]);
    });
    drop(b);
    assert_none_after_shutdown(pool, &[]);
}

/// `alloc_array_from_fn` fills a spare without zeroing it first: every element is `f(i)`,
/// whatever the spare held (an `f64` array's bytes under a `bool` one included), a panic in
/// `f` gives the memory back unseen, and `alloc_array` still zeroes the same spare after it.
#[test]
fn arrays_made_from_a_function_hold_exactly_its_values_over_a_used_spare() {
    let _turn = serial();
    let pool = start(usize::MAX);
    const N: usize = 4096;
    let first = pool.alloc_array_from_fn([N], |i| i as f64 + 0.5).unwrap();
    let name = first.segment_name().to_owned();
    assert!(first.iter().enumerate().all(|(i, &x)| x == i as f64 + 0.5));
    drop(first);
    assert_eq!(spares(&pool), [name.trim_start_matches('/')]);
    // The spare's bytes are an f64 array's: as bools, most would not be 0 or 1.
    let flags = pool.alloc_array_from_fn([N], |i| i % 3 == 0).unwrap();
    assert_eq!(flags.segment_name(), name, "the spare, taken");
    let flags = flags.into_array();
    with_client(pool.clone(), || {
        let trues: i64 = call("numpy", "count_nonzero", (flags.clone(),)).unwrap();
        assert_eq!(trues, N.div_ceil(3) as i64);
        let f = facts(flags.clone());
        assert_eq!(f.dtype, "bool");
    });
    assert_eq!(
        flags.to_vec::<bool>().unwrap(),
        (0..N).map(|i| i % 3 == 0).collect::<Vec<_>>()
    );
    drop(flags);
    let panicked = std::panic::catch_unwind(|| {
        pool.alloc_array_from_fn([N], |i| {
            assert!(i < 10, "a fill that fails midway");
            7u8
        })
    });
    assert!(panicked.is_err());
    assert_eq!(
        spares(&pool),
        [name.trim_start_matches('/')],
        "the memory is back, unseen"
    );
    let zeroed = pool.alloc_array::<f64>([N]).unwrap();
    assert_eq!(zeroed.segment_name(), name);
    assert!(
        zeroed.iter().all(|&x| x == 0.0),
        "alloc_array zeroes it still"
    );
    drop(zeroed);
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn an_allocated_segment_a_worker_may_still_view_is_never_reused() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    const N: usize = 50_000;
    let filled = |start: f64| {
        let mut a = pool.alloc_array::<f64>([N]).unwrap();
        a.iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = start + i as f64);
        let name = a.segment_name().to_owned();
        let a = a.into_array();
        let sum: f64 = a.to_vec::<f64>().unwrap().iter().sum();
        (a, name, sum)
    };
    with_client(pool.clone(), || {
        // The worker keeps a view of it: once Rust drops the array, the segment is unlinked
        // (the view keeps the memory), never handed out again.
        let (a, name, sum) = filled(1.0);
        assert_eq!(
            call::<f64>("snakebridge_faults", "keep", (a.clone(), "view")).unwrap(),
            sum
        );
        let view_sum: f64 = a.to_vec::<f64>().unwrap().iter().step_by(2).sum();
        drop(a);
        assert!(spares(&pool).is_empty(), "{:?}", spares(&pool));
        assert!(!leftovers(&[]).contains(&name.trim_start_matches('/').to_owned()));
        let (b, other, sum_b) = filled(-100.0);
        assert_ne!(other, name, "a new segment");
        assert_eq!(call::<f64>("numpy", "sum", (b.clone(),)).unwrap(), sum_b);
        let kept: Vec<f64> = call("snakebridge_faults", "kept_sums", ()).unwrap();
        assert_eq!(kept, [view_sum], "what the worker kept is untouched");
        let _: Value = call("snakebridge_faults", "forget_kept", ()).unwrap();
        // `b` was only read: it goes back to the spares.
        drop(b);
        assert_eq!(spares(&pool), [other.trim_start_matches('/')]);

        // A call that fails with the array (the worker dies holding it): never reused either.
        let (c, name_c, _) = filled(5.0);
        assert_eq!(name_c, other, "the spare, taken");
        let pid = pool.worker_pids()[0];
        let got = call::<Value>("snakebridge_faults", "exit_with", (c.clone(), 3));
        assert!(matches!(got, Err(Error::WorkerCrash { .. })), "{got:?}");
        drop(c);
        assert!(spares(&pool).is_empty(), "{:?}", spares(&pool));
        assert!(!leftovers(&[pid]).contains(&name_c.trim_start_matches('/').to_owned()));
        still_serves(&pool);
    });
    assert_none_after_shutdown(pool, &[]);
}

#[test]
fn arrays_below_the_threshold_travel_beside_the_json_without_base64() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    with_client(pool.clone(), || {
        let bytes = NdArray::from_vec(vec![7u8; 5]);
        let floats = NdArray::from_vec(vec![0.25f64, -1.0, 3.5]);
        let ints = NdArray::from_vec((0..100i64).collect::<Vec<_>>());
        // One buffer holds the attachments of the request: 5 bytes, the floats at 16 (aligned),
        // the ints at 48, 848 bytes in all. Decoded from base64, each would own its bytes.
        let got: Vec<(usize, bool)> = call(
            "snakebridge_faults",
            "buffer_facts",
            (vec![bytes.clone(), floats.clone(), ints.clone()],),
        )
        .unwrap();
        assert_eq!(got, [(848, true), (848, true), (848, true)]);
        // The elements arrive whole and read-only.
        let f = facts(floats.clone());
        assert_eq!((f.owner.as_str(), f.writeable), ("bytes", false));
        assert_eq!(f.elements, floats.to_list_value());
        assert_eq!(copy_back(ints.clone()), ints);
        assert_eq!(copy_back(bytes.clone()), bytes);
        // Nothing went through shared memory.
        assert!(leftovers(&[]).is_empty(), "{:?}", leftovers(&[]));
    });
    assert_none_after_shutdown(pool, &[]);
}
