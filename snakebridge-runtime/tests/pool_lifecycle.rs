//! No Python worker outlives its pool, nor the Rust process: dropped pools, explicit shutdown,
//! and helper processes (this test binary run again) that panic, exit without dropping their
//! pool, or are killed with SIGKILL — also while a worker is stuck in C code holding the GIL.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use snakebridge_runtime::Call;
use snakebridge_runtime::{Error, Value, call, with_client};
use support::{alive, all_gone, eventually, pool, within};

const HELPER_ENV: &str = "SNAKEBRIDGE_POOL_HELPER";

#[test]
fn dropping_the_pool_stops_its_workers() {
    let pool = pool(2);
    let pids = pool.worker_pids();
    assert_eq!(pids.len(), 2);
    assert!(pids.iter().all(|&p| alive(p)));
    let n: i64 = with_client(pool.clone(), || call("operator", "add", (1, 2))).unwrap();
    assert_eq!(n, 3);
    drop(pool);
    assert!(all_gone(&pids), "workers left after drop: {pids:?}");
}

#[test]
fn shutdown_stops_workers_and_later_calls_fail_clearly() {
    let pool = pool(2);
    let pids = pool.worker_pids();
    pool.shutdown();
    assert!(all_gone(&pids));
    let err = with_client(pool.clone(), || call::<i64>("operator", "add", (1, 2))).unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("shut down"), "{message}");
    assert!(pool.worker_pids().is_empty());
}

#[test]
fn shutdown_stops_a_worker_stuck_in_a_call() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let stuck = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            with_client(pool, || call::<Value>("snakebridge_faults", "hold_gil", ()))
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .busy
        == 1));
    pool.shutdown();
    assert!(all_gone(&pids));
    let err = stuck.join().unwrap().unwrap_err();
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
}

#[test]
fn dropping_the_pool_stops_a_worker_stuck_in_c_code() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let marker = std::env::temp_dir().join(format!("snakebridge-hold-gil-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let path = marker.to_str().unwrap().to_owned();
    // An open stream whose generator, producing its next item, never releases the GIL.
    let mut stream = with_client(pool.clone(), || {
        Call::<Value>::function("snakebridge_faults", "yield_then_hold_gil", (path,))
            .stream::<i64>()
    })
    .unwrap();
    assert_eq!(stream.next().unwrap().unwrap(), 1);
    assert!(eventually(Duration::from_secs(30), || marker.exists()));
    let _ = std::fs::remove_file(&marker);
    assert!(pids.iter().all(|&p| alive(p)));
    // This is the last handle on the pool (the stream keeps none): dropping it drops the pool.
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
    drop(pool);
    assert!(all_gone(&pids), "workers left after drop: {pids:?}");
    // The stream learns its worker is gone instead of waiting for it.
    let (next, _) = within(
        Duration::from_secs(30),
        "the stream after the drop",
        move || stream.next().map(|r| r.map_err(|e| e.to_string())),
    );
    assert!(!matches!(next, Some(Ok(_))), "{next:?}");
}

#[test]
fn a_zombie_counts_as_alive_until_reaped() {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    // Exited but not waited for: a zombie, which still holds its pid.
    assert!(eventually(Duration::from_secs(30), || support::state(pid) == Some('Z')));
    assert!(alive(pid));
    assert!(!all_gone_quickly(pid));
    child.wait().unwrap();
    assert!(!alive(pid));
}

fn all_gone_quickly(pid: u32) -> bool {
    eventually(Duration::from_millis(200), || !alive(pid))
}

/// Not a test of its own: the body of the helper processes (does nothing in a normal run).
#[test]
fn helper_process() {
    let Ok(mode) = std::env::var(HELPER_ENV) else {
        return;
    };
    let pool = pool(2);
    let pids = pool.worker_pids();
    let line: Vec<String> = pids.iter().map(u32::to_string).collect();
    if mode == "sigkill-busy" {
        let busy = pool.clone();
        std::thread::spawn(move || {
            with_client(busy, || call::<Value>("snakebridge_faults", "hold_gil", ()))
        });
        assert!(eventually(Duration::from_secs(30), || pool
            .stats("default")
            .unwrap()
            .busy
            == 1));
    }
    println!("PIDS {}", line.join(" "));
    // The pool is never dropped: only the process's end can stop the workers.
    std::mem::forget(pool);
    // Wait for the parent to have seen the workers alive.
    let mut go = String::new();
    if std::io::stdin().read_line(&mut go).unwrap_or(0) == 0 {
        std::process::exit(2); // The parent test is gone.
    }
    match mode.as_str() {
        "panic" => panic!("helper panics on purpose"),
        "exit" => std::process::exit(0),
        // Wait to be killed; should the parent test fail first, its end closes stdin.
        _ => {
            let _ = std::io::stdin().read_line(&mut go);
            std::process::exit(2)
        }
    }
}

/// Runs `helper_process` in a child process in `mode`; returns it with its workers' pids.
fn helper(mode: &str) -> (std::process::Child, Vec<u32>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The harness prints `test helper_process ... ` first, on the same line.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some((_, rest)) = line.split_once("PIDS ") {
                let pids: Vec<u32> = rest.split(' ').filter_map(|p| p.parse().ok()).collect();
                let _ = tx.send(pids);
            }
        }
    });
    let Ok(pids) = rx.recv_timeout(Duration::from_secs(120)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the helper ({mode}) did not report its workers");
    };
    assert_eq!(pids.len(), 2, "the helper did not report its workers");
    assert!(pids.iter().all(|&p| alive(p)));
    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    (child, pids)
}

#[test]
fn workers_die_when_the_rust_process_panics() {
    let (mut child, pids) = helper("panic");
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(
        all_gone(&pids),
        "workers outlived a panicking parent: {pids:?}"
    );
}

#[test]
fn workers_die_when_the_rust_process_exits_without_dropping_the_pool() {
    let (mut child, pids) = helper("exit");
    assert!(child.wait().unwrap().success());
    assert!(all_gone(&pids), "workers outlived their parent: {pids:?}");
}

#[test]
fn workers_die_when_the_rust_process_is_killed_with_sigkill() {
    let (mut child, pids) = helper("sigkill");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        all_gone(&pids),
        "workers outlived a SIGKILLed parent: {pids:?}"
    );
}

#[test]
fn a_worker_stuck_holding_the_gil_dies_when_the_rust_process_is_killed() {
    let (mut child, pids) = helper("sigkill-busy");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        all_gone(&pids),
        "workers outlived a SIGKILLed parent: {pids:?}"
    );
}
