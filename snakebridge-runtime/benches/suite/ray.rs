//! Figures of the Ray backend (`PoolConfig::ray`), on a cluster of two Ray nodes of this
//! machine (`tests/python/snakebridge_ray_cluster.py`: one CPU and one `slot` each):
//!
//! - round trip of a trivial call (`operator.add(i, 1)`) through a Ray worker against a Python
//!   driver calling an actor method directly, `ray.get(actor.add.remote(i, 1))`
//!   (`tests/python/snakebridge_ray_baseline.py`, on the same cluster), p50 in alternating
//!   rounds (target ≤ 1.3×);
//! - throughput of CPU-bound calls on 2 Ray workers (one per node, by the `slot` resource)
//!   against 1, under the same offered load (2 calling threads);
//! - an 80 MB f64 array summed by numpy in a Ray worker: the call with the array sent from
//!   Rust against the same sum of an array already in the worker, and the difference, the
//!   transfer (into a segment, then Ray's object store from the slot's driver); and against the
//!   array sent inside the message (a pool whose shared-memory threshold is off: how arrays
//!   went to Ray workers before the object store).
//! - the same 80 MB array returned by a Ray worker (already there, `numpy.asarray` of it) and
//!   summed in Rust: through the object store (the worker's `ray.put`, the driver's copy into a
//!   segment Rust maps) against inside the message (the pool whose threshold is off).
//!
//! Skipped, saying so, when the interpreter has no `ray`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use snakebridge_runtime::{
    Call, NdArray, PoolClient, PoolConfig, PyRef, RayConfig, call, with_client,
};

use crate::pool::cpu_round;
use crate::{Figure, Mode, median, time_each};

const TEST_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");

/// The two-node cluster, stopped (and its folder removed) on drop.
struct Cluster {
    child: Child,
    _lines: std::io::Lines<BufReader<ChildStdout>>,
    address: String,
    token: String,
}

impl Cluster {
    fn start(python: &std::path::Path) -> Cluster {
        let token = format!(
            "bench{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut child = Command::new(python)
            .arg(format!("{TEST_PYTHON}/snakebridge_ray_cluster.py"))
            .env(
                "SNAKEBRIDGE_RAY_TEMP_DIR",
                std::env::temp_dir().join(format!("sb-ray-bench-{}", std::process::id())),
            )
            .env("RAY_AUTH_MODE", "token")
            .env("RAY_AUTH_TOKEN", &token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster script starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("the cluster's address").unwrap();
            if let Ok(first) = serde_json::from_str::<serde_json::Value>(&line) {
                break first["address"].as_str().unwrap().to_owned();
            }
        };
        Cluster {
            child,
            _lines: lines,
            address,
            token,
        }
    }

    fn pool(&self, name: &str, size: usize, ray: RayConfig) -> Arc<PoolClient> {
        self.pool_from(PoolConfig::new(), name, size, ray)
    }

    fn pool_from(
        &self,
        config: PoolConfig,
        name: &str,
        size: usize,
        ray: RayConfig,
    ) -> Arc<PoolClient> {
        PoolClient::start(
            config
                .name(name)
                .size(size)
                .env("PYTHONPATH", TEST_PYTHON)
                .env("RAY_AUTH_MODE", "token")
                .env("RAY_AUTH_TOKEN", &self.token)
                .ray(ray),
        )
        .expect("the Ray pool starts")
    }

    fn connect(&self) -> RayConfig {
        RayConfig::connect(&self.address)
    }

    /// Sorted round trips (µs) of the Python baseline driver.
    fn baseline(&self, python: &std::path::Path, warmup: usize, calls: usize) -> Vec<f64> {
        let out = Command::new(python)
            .arg(format!("{TEST_PYTHON}/snakebridge_ray_baseline.py"))
            .args([&self.address, &warmup.to_string(), &calls.to_string()])
            .env("RAY_AUTH_MODE", "token")
            .env("RAY_AUTH_TOKEN", &self.token)
            .stderr(Stdio::null())
            .output()
            .expect("the baseline driver runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| l.starts_with('['))
            .unwrap_or_else(|| panic!("the baseline driver printed no samples: {text}"));
        serde_json::from_str(line).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.wait();
    }
}

fn has_ray(python: &std::path::Path) -> bool {
    Command::new(python)
        .args(["-c", "import ray"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn p50_micros(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e6
}

pub fn run(mode: Mode) -> Vec<Figure> {
    let python = snakebridge_runtime::client::contract::interpreter::from_env().program;
    if !has_ray(&python) {
        println!(
            "ray: skipped (`{}` cannot import ray; `pip install \"ray[default]\"` there)",
            python.display()
        );
        return Vec::new();
    }
    let (warmup, calls, rounds) = mode.pick((300, 2_000, 5), (5, 20, 1));
    let (cpu_calls, spin, cpu_rounds) = mode.pick((8, 1_500_000, 5), (2, 1_000, 1));
    let (n, array_runs) = mode.pick((10_000_000usize, 5), (10_000, 1));
    let cluster = Cluster::start(&python);

    // Round trip, in alternating rounds: the pool's p50 and the direct driver's.
    let pool = cluster.pool("ray-bench", 1, cluster.connect().num_cpus(0.1));
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let samples = with_client(pool.clone(), || {
            time_each(warmup, calls, |i| {
                let r: i64 = call("operator", "add", (i as i64, 1)).unwrap();
                assert_eq!(r, i as i64 + 1);
            })
        });
        ours.push(p50_micros(samples));
        let direct = cluster.baseline(&python, warmup, calls);
        theirs.push(direct[direct.len() / 2]);
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "ray round trip, trivial call operator.add(i, 1) ({calls} calls after {warmup} warm-up, \
         {rounds} alternating rounds): through a Ray worker p50 {ours:.1} µs; a Python driver \
         calling an actor method directly p50 {theirs:.1} µs"
    );

    // An 80 MB array summed by numpy in the Ray worker, against the same sum of an array
    // already there; and sent inside the message (a pool whose threshold keeps every array out
    // of shared memory, so out of the object store: how every Ray pool sent arrays before).
    let mb = n as f64 * 8.0 / 1e6;
    let array = NdArray::from_vec((0..n).map(|i| i as f64).collect::<Vec<f64>>());
    let expected = n as f64 * (n as f64 - 1.0) / 2.0;
    let inline_pool = cluster.pool_from(
        PoolConfig::new().shared_memory_threshold(usize::MAX),
        "ray-inline",
        1,
        cluster.connect().num_cpus(0.1),
    );
    let in_worker: PyRef = with_client(pool.clone(), || {
        Call::function("numpy", "arange", (n as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap()
    });
    let in_inline_worker: PyRef = with_client(inline_pool.clone(), || {
        Call::function("numpy", "arange", (n as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap()
    });
    // The worker's array returned by value and read through in Rust.
    let fetch = |pool: &Arc<PoolClient>, array: &PyRef| {
        let t = Instant::now();
        let back: NdArray =
            with_client(pool.clone(), || call("numpy", "asarray", (array,))).unwrap();
        let total: f64 = back.view::<f64>().unwrap().sum();
        let took = t.elapsed();
        assert_eq!(total, expected);
        took
    };
    let (mut sent, mut inline, mut resident) = (Vec::new(), Vec::new(), Vec::new());
    let (mut returned, mut returned_inline) = (Vec::new(), Vec::new());
    for _ in 0..array_runs + 1 {
        returned.push(fetch(&pool, &in_worker));
        returned_inline.push(fetch(&inline_pool, &in_inline_worker));
        let t = Instant::now();
        let total: f64 =
            with_client(pool.clone(), || call("numpy", "sum", (array.clone(),))).unwrap();
        sent.push(t.elapsed());
        assert_eq!(total, expected);
        let t = Instant::now();
        let total: f64 = with_client(inline_pool.clone(), || {
            call("numpy", "sum", (array.clone(),))
        })
        .unwrap();
        inline.push(t.elapsed());
        assert_eq!(total, expected);
        let t = Instant::now();
        let total: f64 = with_client(pool.clone(), || call("numpy", "sum", (&in_worker,))).unwrap();
        resident.push(t.elapsed());
        assert_eq!(total, expected);
    }
    drop((in_worker, in_inline_worker));
    drop(inline_pool);
    // The first round warms up.
    let (sent, inline, resident) = (
        median(sent[1..].to_vec()),
        median(inline[1..].to_vec()),
        median(resident[1..].to_vec()),
    );
    let (returned, returned_inline) = (
        median(returned[1..].to_vec()),
        median(returned_inline[1..].to_vec()),
    );
    let transfer = sent.saturating_sub(resident);
    println!(
        "ray arrays: numpy.sum of a {mb:.0} MB f64 array sent from Rust to a Ray worker {:.1} ms \
         (through the object store), {:.1} ms inside the message; of the array already in the \
         worker {:.1} ms: transfer {:.1} ms ({:.2} GB/s)",
        sent.as_secs_f64() * 1e3,
        inline.as_secs_f64() * 1e3,
        resident.as_secs_f64() * 1e3,
        transfer.as_secs_f64() * 1e3,
        mb / 1e3 / transfer.as_secs_f64().max(1e-9)
    );
    println!(
        "ray array results: a {mb:.0} MB f64 array returned by a Ray worker and summed in Rust \
         {:.1} ms through the object store, {:.1} ms inside the message",
        returned.as_secs_f64() * 1e3,
        returned_inline.as_secs_f64() * 1e3,
    );
    drop(pool);

    // CPU-bound throughput: 1 worker, then 2 (one per node), the same 2 callers.
    let one = cluster.pool("ray-one", 1, cluster.connect().num_cpus(0.1));
    let two = cluster.pool(
        "ray-two",
        2,
        cluster.connect().num_cpus(0.1).resources([("slot", 1.0)]),
    );
    cpu_round(&one, 2, spin);
    cpu_round(&two, 2, spin);
    let (mut t1, mut t2, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..cpu_rounds {
        let a = cpu_round(&one, cpu_calls, spin);
        let b = cpu_round(&two, cpu_calls, spin);
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
        t1.push(a);
        t2.push(b);
    }
    let (m1, m2) = (median(t1), median(t2));
    let ratio = median(ratios);
    let per_s = |d: Duration| cpu_calls as f64 / d.as_secs_f64();
    println!(
        "ray CPU-bound snakebridge_faults.spin({spin}) x {cpu_calls} calls from 2 threads \
         ({cpu_rounds} paired rounds): 1 Ray worker {:.2} calls/s, 2 Ray workers {:.2} calls/s, \
         ratio {ratio:.2}x",
        per_s(m1),
        per_s(m2)
    );
    drop((one, two));
    drop(cluster);
    vec![
        Figure {
            what: "trivial call, round trip: Ray worker vs direct actor call",
            measured: format!("p50 {ours:.1} µs"),
            baseline: format!("ray.get(actor.add.remote()) p50 {theirs:.1} µs"),
            ratio: Some(ours / theirs),
            target: "<= 1.3x",
            met: Some(ours <= 1.3 * theirs),
        },
        Figure {
            what: "CPU-bound calls, 2 Ray workers (one per node) vs 1",
            measured: format!("{:.2} calls/s", per_s(m2)),
            baseline: format!("1 Ray worker {:.2} calls/s", per_s(m1)),
            ratio: Some(ratio),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "80 MB numpy.sum in a Ray worker, sent from Rust",
            measured: format!("{:.1} ms", sent.as_secs_f64() * 1e3),
            baseline: format!("array already there {:.1} ms", resident.as_secs_f64() * 1e3),
            ratio: Some(sent.as_secs_f64() / resident.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "80 MB numpy.sum in a Ray worker: through the object store vs inside the message",
            measured: format!("{:.1} ms", sent.as_secs_f64() * 1e3),
            baseline: format!("inside the message {:.1} ms", inline.as_secs_f64() * 1e3),
            ratio: Some(sent.as_secs_f64() / inline.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "80 MB array result from a Ray worker, summed in Rust: through the object store vs inside the message",
            measured: format!("{:.1} ms", returned.as_secs_f64() * 1e3),
            baseline: format!(
                "inside the message {:.1} ms",
                returned_inline.as_secs_f64() * 1e3
            ),
            ratio: Some(returned.as_secs_f64() / returned_inline.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
    ]
}
