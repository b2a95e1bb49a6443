//! The pool's channel holds against a worker that breaks it: a frame the worker starts but
//! does not finish is a hung call (killed at the call's deadline, `Timeout`, replaced), a frame
//! header announcing more than the channel's bound kills the worker with an error that says so,
//! and a worker of another protocol version is refused at start, naming both versions.
//!
//! The broken frames are written by user code in the worker, where its replies go: on the
//! worker's response pipe (the only write-only FIFO it holds at fd 3 or above;
//! `SNAKEBRIDGE_WORKER_FDS` is gone from its environment once it started; see
//! PROTOCOL-NOTES.md), or in the shared reply ring of a pool that has one
//! (`PoolConfig::shared_ring`). Each test runs over both channels.

#![cfg(target_os = "linux")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use snakebridge_runtime::{Call, Error, PoolClient, PoolConfig, Value, call, with_client};
use support::within;

/// A hung call that the fix does not catch fails the test instead of hanging the run.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Python that writes `header` and `body` (Python bytes expressions) on the worker's response
/// pipe, then sleeps: a frame begun and never finished. The response pipe is the write-only
/// FIFO (at fd 3 or above) whose pipe the parent holds no write end of: other inherited pipes
/// (a build tool's jobserver) are the parent's as much as the worker's.
fn partial_frame(header: &str, body: &str) -> String {
    format!(
        "import os, stat, fcntl, time\n\
         parent = '/proc/%d/' % os.getppid()\n\
         def parent_writes(pipe):\n\
         \x20   for n in os.listdir(parent + 'fd'):\n\
         \x20       try:\n\
         \x20           if os.readlink(parent + 'fd/' + n) != pipe:\n\
         \x20               continue\n\
         \x20           info = open(parent + 'fdinfo/' + n).read()\n\
         \x20       except OSError:\n\
         \x20           continue\n\
         \x20       if int(info.split('flags:')[1].split()[0], 8) & os.O_ACCMODE != os.O_RDONLY:\n\
         \x20           return True\n\
         \x20   return False\n\
         fds = []\n\
         for name in os.listdir('/proc/self/fd'):\n\
         \x20   fd = int(name)\n\
         \x20   try:\n\
         \x20       st = os.fstat(fd)\n\
         \x20   except OSError:\n\
         \x20       continue\n\
         \x20   if fd >= 3 and stat.S_ISFIFO(st.st_mode) and \
                   fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY and \
                   not parent_writes('pipe:[%d]' % st.st_ino):\n\
         \x20       fds.append(fd)\n\
         assert len(fds) == 1, fds\n\
         os.write(fds[0], {header} + {body})\n\
         time.sleep(600)\n"
    )
}

/// Python that writes `header` and `body` in the worker's reply ring (through its channel
/// object, as the worker's own replies go), then sleeps.
fn partial_frame_in_ring(header: &str, body: &str) -> String {
    format!(
        "import gc, time\n\
         from snakebridge_worker.ring import RingChannel\n\
         channels = [o for o in gc.get_objects() if isinstance(o, RingChannel)]\n\
         assert len(channels) == 1, channels\n\
         channels[0].put({header} + {body})\n\
         time.sleep(600)\n"
    )
}

/// The broken frame's code for a pool with the shared ring or without.
fn broken_frame(ring: bool, header: &str, body: &str) -> String {
    if ring {
        partial_frame_in_ring(header, body)
    } else {
        partial_frame(header, body)
    }
}

/// A pool of one worker whose channel carries its bytes through the shared ring or the pipes.
fn pool_over(ring: bool) -> Arc<PoolClient> {
    let pool = PoolClient::start(support::config(1).shared_ring(ring)).expect("the pool starts");
    assert_eq!(
        support::config(1).shared_ring(ring).uses_shared_ring(),
        ring
    );
    pool
}

/// Runs `code` in the pool's worker (with `timeout`, if any) and returns the call's error.
fn break_the_channel(pool: &Arc<PoolClient>, code: String, timeout: Option<Duration>) -> Error {
    let client = pool.clone();
    within(
        WATCHDOG,
        "a call whose worker broke the channel",
        move || {
            with_client(client, || {
                let mut call =
                    Call::<Value>::function("builtins", "exec", (code, Value::Dict(Vec::new())));
                if let Some(t) = timeout {
                    call = call.timeout(t);
                }
                call.call().unwrap_err()
            })
        },
    )
    .0
}

/// The pool replaced its worker and serves the next call.
fn serves(pool: &Arc<PoolClient>, old: u32) {
    assert!(
        support::all_gone(&[old]),
        "the broken worker {old} is still there"
    );
    let client = pool.clone();
    let (n, _) = within(WATCHDOG, "the next call", move || {
        with_client(client, || call::<i64>("builtins", "len", ("abc",)))
    });
    assert_eq!(n.unwrap(), 3);
    assert_eq!(pool.stats("default").unwrap().restarts, 1);
    assert!(!pool.worker_pids().contains(&old));
}

#[test]
fn a_worker_that_stalls_mid_frame_times_out_at_the_deadline_and_is_replaced() {
    for ring in [false, true] {
        let pool = pool_over(ring);
        let old = pool.worker_pids()[0];
        // A header announcing 100 bytes of JSON, then 6 of them.
        let code = broken_frame(ring, "(100).to_bytes(4, 'little')", "b'{\"id\":'");
        let after = Duration::from_millis(800);
        let err = break_the_channel(&pool, code, Some(after));
        assert!(
            matches!(err, Error::Timeout { after: a } if a == after),
            "ring {ring}: {err:?}"
        );
        serves(&pool, old);
    }
}

#[test]
fn a_frame_over_the_channels_bound_kills_the_worker_with_a_clear_error() {
    for ring in [false, true] {
        let pool = pool_over(ring);
        let old = pool.worker_pids()[0];
        // 2 GiB - 1 of JSON announced: over the bound, never allocated, never waited for (the
        // call has no timeout: only the bound ends it).
        let code = broken_frame(ring, "(0x7fffffff).to_bytes(4, 'little')", "b''");
        let err = break_the_channel(&pool, code, None);
        let Error::WorkerCrash { cause, .. } = &err else {
            panic!("ring {ring}: {err:?}")
        };
        assert!(cause.contains("2147483647 bytes"), "{cause}");
        assert!(cause.contains("bound"), "{cause}");
        assert!(cause.contains("killed"), "{cause}");
        serves(&pool, old);
    }
}

/// A pool whose one worker is a stand-in that answers the handshake with `protocol` (`None`:
/// no `"protocol"` key at all), then holds the channel until the pool lets go of it.
fn start_with_protocol(protocol: Option<u64>) -> snakebridge_runtime::Result<Arc<PoolClient>> {
    let (python, _) = PoolConfig::new().interpreter();
    let dir = std::env::temp_dir().join(format!(
        "sb-fake-worker-{}-{}",
        std::process::id(),
        protocol.map_or("none".into(), |p| p.to_string())
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("worker.py");
    std::fs::write(
        &script,
        "import json, os\n\
         r, w, c = (int(x) for x in os.environ['SNAKEBRIDGE_WORKER_FDS'].split(','))\n\
         ready = {'op': 'ready', 'id': 0, 'pid': os.getpid(), 'python': '3.99.0'}\n\
         if os.environ['FAKE_PROTOCOL'] != 'none':\n\
         \x20   ready['protocol'] = int(os.environ['FAKE_PROTOCOL'])\n\
         body = json.dumps(ready).encode()\n\
         os.write(w, len(body).to_bytes(4, 'little') + body)\n\
         os.read(c, 1)\n",
    )
    .unwrap();
    // The pool runs `<python> -c <its program>`: this interpreter runs the stand-in instead.
    let wrapper = dir.join("python");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' '{}'\n",
            python.display(),
            script.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let version = protocol.map_or("none".into(), |p| p.to_string());
    // The stand-in answers on the response pipe: a pool without the shared ring.
    PoolClient::start(
        support::config(1)
            .shared_ring(false)
            .python(&wrapper)
            .env("FAKE_PROTOCOL", version)
            .startup_timeout(Duration::from_secs(30)),
    )
}

#[test]
fn a_worker_of_another_protocol_version_is_refused_naming_both_versions() {
    // The stand-in passes the handshake when it speaks this runtime's protocol...
    let pool = start_with_protocol(Some(6)).expect("a worker of protocol 6 starts");
    pool.shutdown();
    drop(pool);
    // ...and is refused, and killed, when it speaks another, or none.
    for (protocol, speaks) in [
        (Some(99), "the worker speaks protocol 99"),
        (None, "the worker speaks no versioned protocol"),
    ] {
        let err = start_with_protocol(protocol).unwrap_err();
        let Error::Config { message } = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains(speaks), "{message}");
        assert!(
            message.contains("this snakebridge-runtime speaks protocol 6"),
            "{message}"
        );
        assert!(message.contains("worker 0 of pool `default`"), "{message}");
    }
    let left = support::tagged_workers();
    assert!(
        support::all_gone(&left),
        "refused workers left running: {left:?}"
    );
}

/// Frames several times the size of the shared ring (1 MiB each way) cross it whole in both
/// directions, cut where the ring wraps and fills, with each side waiting for room; so do many
/// small ones in between, which wrap it at every offset. Over the pipes too.
#[test]
fn frames_larger_than_the_ring_cross_it_whole_both_ways() {
    for ring in [false, true] {
        let pool = pool_over(ring);
        let client = pool.clone();
        let ((), _) = within(WATCHDOG, "large frames", move || {
            with_client(client, || {
                for (i, size) in [3 << 20, 1 << 20, 5 << 20].into_iter().enumerate() {
                    let a: String = (0..size / 2)
                        .map(|k| char::from(b'a' + ((k * 7 + i) % 26) as u8))
                        .collect();
                    let b: String = a.chars().rev().collect();
                    let joined: String =
                        call("operator", "add", (a.clone(), b.clone())).expect("joined");
                    assert_eq!(joined.len(), a.len() + b.len(), "ring {ring}");
                    assert!(joined == a.clone() + &b, "ring {ring}: size {size}");
                    for k in 0..300i64 {
                        let s: String = call("operator", "mul", ("x", k)).unwrap();
                        assert_eq!(s.len(), k as usize);
                    }
                }
            })
        });
    }
}
