//! The local Ray cluster of [`RayConfig::local`](super::RayConfig::local): one per process,
//! started by the first pool that asks for it (`python/snakebridge_ray/head.py`), shared by
//! every pool of the process after it, and stopped when the process exits: the head serves
//! until its stdin closes, which the kernel does when this process ends, however it ends.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};

use crate::data::error::{Error, Result};
use crate::pool::PoolConfig;
use crate::pool::package::{RAY_HEAD_ENTRY, RAY_PACKAGE, RAY_SOURCES_VAR};

/// The object store of the local cluster: room for a few large arrays in flight, without
/// taking Ray's default of 30% of the machine's memory.
const OBJECT_STORE_BYTES: u64 = 512 << 20;

/// A running local cluster.
pub(crate) struct LocalCluster {
    /// Its GCS address, which drivers join.
    pub(crate) address: String,
    /// The token its servers ask of every client (Ray's token authentication).
    token: String,
    head: Mutex<Child>,
    /// Held open for the cluster's life: its EOF stops the head.
    _stdin: ChildStdin,
}

impl LocalCluster {
    /// The variables a driver needs to join the cluster.
    pub(crate) fn auth_env(&self) -> [(String, String); 2] {
        [
            ("RAY_AUTH_MODE".into(), "token".into()),
            ("RAY_AUTH_TOKEN".into(), self.token.clone()),
        ]
    }

    fn is_running(&self) -> bool {
        matches!(
            self.head
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .try_wait(),
            Ok(None)
        )
    }
}

/// The process's local cluster, started now if there is none (or the last one died).
pub(crate) fn cluster(config: &PoolConfig) -> Result<Arc<LocalCluster>> {
    static CLUSTER: Mutex<Option<Arc<LocalCluster>>> = Mutex::new(None);
    let mut slot = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(cluster) = slot.as_ref().filter(|c| c.is_running()) {
        return Ok(cluster.clone());
    }
    let cluster = Arc::new(start(config)?);
    *slot = Some(cluster.clone());
    Ok(cluster)
}

fn start(config: &PoolConfig) -> Result<LocalCluster> {
    let (python, source) = config.interpreter();
    let token = random_token()
        .map_err(|e| Error::config(format!("cannot make a token for the local Ray: {e}")))?;
    let temp_dir = std::env::temp_dir().join(format!("sb-ray-{}", std::process::id()));
    let mut cmd = Command::new(&python);
    cmd.arg("-c")
        .arg(snakebridge_contract::interpreter::isolated(
            &RAY_PACKAGE.bootstrap(RAY_SOURCES_VAR, RAY_HEAD_ENTRY),
        ))
        .envs(RAY_PACKAGE.environment(RAY_SOURCES_VAR))
        .env("SNAKEBRIDGE_RAY_TEMP_DIR", &temp_dir)
        .env(
            "SNAKEBRIDGE_RAY_OBJECT_STORE",
            OBJECT_STORE_BYTES.to_string(),
        )
        .env("RAY_AUTH_MODE", "token")
        .env("RAY_AUTH_TOKEN", &token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Its own process group: a Ctrl-C goes to this process, which ends the head by exiting.
        .process_group(0);
    let fail = |what: String| {
        Error::config(format!(
            "cannot start a local Ray (RayConfig::local) with `{}` (from {source}): {what}; \
             install it there with `pip install \"ray[default]\"`, or join a running cluster \
             with RayConfig::connect",
            python.display()
        ))
    };
    let mut head = cmd.spawn().map_err(|e| fail(e.to_string()))?;
    let stdin = head.stdin.take().expect("piped stdin");
    let stdout = head.stdout.take().expect("piped stdout");
    // Its one line, within the start-up timeout (Ray takes seconds to start).
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = tx.send(reader.read_line(&mut line).map(|_| line));
        // Drain what it may print later, so it never blocks on a full pipe.
        let _ = std::io::copy(&mut reader.take(u64::MAX), &mut std::io::sink());
    });
    let line = match rx.recv_timeout(config.startup_timeout) {
        Ok(Ok(line)) => line,
        Ok(Err(e)) => return Err(stop(head, fail(e.to_string()))),
        Err(_) => {
            let what = format!(
                "it did not start within PoolConfig::startup_timeout ({:?})",
                config.startup_timeout
            );
            return Err(stop(head, fail(what)));
        }
    };
    let said: serde_json::Value = match serde_json::from_str(line.trim()) {
        Ok(said) => said,
        Err(_) => {
            let what = if line.is_empty() {
                "it exited without a word (is `ray` installed there?)".to_string()
            } else {
                format!("it said {line:?}")
            };
            return Err(stop(head, fail(what)));
        }
    };
    match said.get("address").and_then(|a| a.as_str()) {
        Some(address) => Ok(LocalCluster {
            address: address.to_owned(),
            token,
            head: Mutex::new(head),
            _stdin: stdin,
        }),
        None => {
            let why = said
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("no address");
            Err(stop(head, fail(why.to_owned())))
        }
    }
}

/// Kills a head that failed to start, and passes on its error.
fn stop(mut head: Child, error: Error) -> Error {
    let _ = head.kill();
    let _ = head.wait();
    error
}

/// 32 random bytes in hex, from the kernel.
fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
