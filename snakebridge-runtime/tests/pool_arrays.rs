//! numpy arrays through the pool: small ones inside the messages, large ones through POSIX
//! shared memory (one copy by the sender, none by the receiver), with every segment removed
//! after calls, crashes and timeouts. Needs numpy in the workers' Python (`tests/run.sh` sets up
//! such a venv and points SNAKEBRIDGE_PYTHON at it).

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use snakebridge_runtime::array::Complex;
use snakebridge_runtime::ndarray::{Array1, Array2, Ix2};
use snakebridge_runtime::{
    Call, Element, Error, NdArray, PoolClient, PyRef, ReturnPolicy, Value, call, with_client,
};
use support::{all_gone, config, crashed_pid, eventually};

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
    found
}

fn assert_clean(pool: &PoolClient, also: &[u32]) {
    let mut pids = pool.worker_pids();
    pids.extend_from_slice(also);
    let ok = eventually(Duration::from_secs(10), || leftovers(&pids).is_empty());
    assert!(ok, "segments left in /dev/shm: {:?}", leftovers(&pids));
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
        assert_eq!(
            facts(NdArray::from_vec(vec![0.5f64; 1 << 14])).owner,
            "mmap"
        );

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
             memory) vs {local:?} on an array already in the worker (ratio {:.1}x, transfer \
             ≈ {:?}); the same array returned by value in {returned:?}",
            through.as_secs_f64() / local.as_secs_f64(),
            through.saturating_sub(local)
        );
    });
    assert_clean(&pool, &[]);
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
    assert_clean(&pool, &[]);

    // The threshold is the pool's: with usize::MAX nothing goes through shared memory.
    let inline = start(usize::MAX);
    with_client(inline.clone(), || {
        let big = NdArray::from_vec(vec![2.0f64; 1 << 20]);
        assert_eq!(facts(big.clone()).owner, "bytes");
        let back = copy_back(big.clone());
        assert!(!is_mapped_segment(&back));
        assert_eq!(back, big);
    });
    assert_clean(&inline, &[]);
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
    assert_clean(&pool, &[]);
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
    assert_clean(&pool, &[]);
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
    assert_clean(&pool, &[]);
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
        let n: i64 = call(
            "snakebridge_faults",
            "sleep_with",
            (NdArray::from_vec(vec![1.0f64; 10_000]), 0),
        )
        .unwrap();
        assert_eq!(n, 10_000);
    });
    assert_clean(&pool, &[]);
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
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "exit_with", (big.clone(), 3)).unwrap_err()
    });
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    let dead = crashed_pid(&err);
    assert!(all_gone(&[dead]));
    assert_clean(&pool, &[dead]);

    // Idempotent: retried once on the replacement, same segments, then removed.
    let err = with_client(pool.clone(), || {
        Call::<Value>::function("snakebridge_faults", "exit_with", (big.clone(), 4))
            .idempotent(true)
            .call()
            .unwrap_err()
    });
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    assert_clean(&pool, &[crashed_pid(&err)]);

    // A worker that made a segment for its reply and died before sending it.
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "leak_segment_and_exit", (5,)).unwrap_err()
    });
    let dead = crashed_pid(&err);
    assert!(all_gone(&[dead]));
    assert_clean(&pool, &[dead]);
    still_serves(&pool);
    assert_clean(&pool, &[dead]);
}

#[test]
fn a_timeout_while_holding_an_array_leaves_no_segment() {
    let _turn = serial();
    let pool = start(SMALL_THRESHOLD);
    let before = pool.worker_pids();
    let err = with_client(pool.clone(), || {
        Call::<i64>::function(
            "snakebridge_faults",
            "sleep_with",
            (NdArray::from_vec(vec![1i64; 1 << 16]), 60),
        )
        .timeout(Duration::from_millis(500))
        .call()
        .unwrap_err()
    });
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(all_gone(&before));
    assert_clean(&pool, &before);
    still_serves(&pool);
    assert_clean(&pool, &before);
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
    assert_clean(&pool, &[]);
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
    assert_clean(&pool, &[]);
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
