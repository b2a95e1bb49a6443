//! A replacement worker still starting when its pool is dropped is stopped with the pool.
//!
//! Alone in its test binary: every worker child of this process belongs to this test.

mod support;

use std::time::Duration;

use snakebridge_runtime::{Error, PoolClient, Value, call, with_client};
use support::{alive, config, eventually};

/// Live child processes of this process.
fn children() -> Vec<u32> {
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let after = stat.rfind(')').map(|i| &stat[i + 1..]).unwrap_or("");
        let ppid: Option<u32> = after.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if ppid == Some(me) && alive(pid) {
            out.push(pid);
        }
    }
    out
}

#[test]
fn a_replacement_still_starting_is_stopped_with_the_pool() {
    let gate = std::env::temp_dir().join(format!("snakebridge-slow-start-{}", std::process::id()));
    let pool = PoolClient::start(
        config(1)
            .preload(["snakebridge_faults"])
            .env("SNAKEBRIDGE_FAULTS_DELAY_IF", &gate)
            .env("SNAKEBRIDGE_FAULTS_IMPORT_DELAY", "300"),
    )
    .unwrap();
    let first = pool.worker_pids();
    assert_eq!(children(), first);
    // From now on a starting worker takes five minutes to import its preload.
    std::fs::write(&gate, b"slow").unwrap();
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "exit_now", (3,)).unwrap_err()
    });
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    let mut replacement = Vec::new();
    assert!(eventually(Duration::from_secs(30), || {
        replacement = children();
        replacement.len() == 1 && replacement != first
    }));
    assert_eq!(
        pool.stats("default").unwrap().ready,
        0,
        "the replacement is still starting"
    );
    drop(pool);
    let _ = std::fs::remove_file(&gate);
    assert!(
        eventually(Duration::from_secs(30), || children().is_empty()),
        "left over: {:?}",
        children()
    );
}
