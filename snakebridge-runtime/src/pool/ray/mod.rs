//! A pool whose workers are Ray actors: [`RayConfig`], given to [`PoolConfig::ray`].
//!
//! Each slot of the pool is a local driver process (`python/snakebridge_ray/driver.py`) on the
//! slot's private channel, in place of a worker process: the pool treats it as a worker
//! (requests, replies, crashes, timeouts, recycling, sessions, refs are the pool's own logic),
//! and the driver relays the slot's frames to one Ray actor that runs the worker package
//! (`python/snakebridge_ray/actor.py`). The actor's death ends its driver (the pool sees a
//! worker die: `WorkerCrash`, a replacement, one retry of an idempotent call, `StaleRef` for
//! its refs); killing the driver (a timed-out call) ends the actor, which Ray ties to its owner.
//! `local.rs` starts the local cluster of [`RayConfig::local`].

use std::path::PathBuf;

use super::PoolConfig;
use crate::data::error::Result;

mod local;

use super::package::{RAY_DRIVER_ENTRY, RAY_INSTALLER_VAR, RAY_PACKAGE, RAY_SOURCES_VAR};

/// The exit code of a driver whose actor died (`ACTOR_DIED` in `driver.py`): the pool's
/// crash cause then says so, with the reason the driver wrote on its stderr.
pub(crate) const RAY_ACTOR_DIED: i32 = 75;

/// Which cluster a pool's actors run on.
#[derive(Debug, Clone, PartialEq)]
enum Cluster {
    /// A Ray started by this process, for development (one per process).
    Local,
    /// An existing cluster: `"auto"`, `"host:port"` (a GCS address) or `"ray://host:10001"`.
    Connect(String),
}

/// Where a pool's workers run as Ray actors, and what each actor asks of its node: given to
/// [`PoolConfig::ray`]. Everything after [`PoolClient::start`](crate::PoolClient::start) is the
/// pool as usual (calls, sessions, refs, streams, callbacks, async calls); what differs is
/// where the workers run, and that a worker's death is its actor's (its node lost, a kill).
///
/// ```no_run
/// use snakebridge_runtime::{PoolClient, PoolConfig, RayConfig};
///
/// // Two workers on a Ray this process starts (for development).
/// let pool = PoolClient::start(PoolConfig::new().size(2).ray(RayConfig::local()))?;
/// // Four workers on an existing cluster, each with one GPU and a custom resource.
/// let gpus = PoolClient::start(
///     PoolConfig::new().name("gpu").size(4).ray(
///         RayConfig::connect("ray://head.example:10001")
///             .num_cpus(2.0)
///             .num_gpus(1.0)
///             .resources([("model_cache", 1.0)])
///             .env("HF_HOME", "/scratch/hf")
///             .working_dir("./inference"),
///     ),
/// )?;
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RayConfig {
    cluster: Cluster,
    num_cpus: Option<f64>,
    num_gpus: Option<f64>,
    resources: Vec<(String, f64)>,
    env: Vec<(String, String)>,
    working_dir: Option<PathBuf>,
}

impl RayConfig {
    fn on(cluster: Cluster) -> RayConfig {
        RayConfig {
            cluster,
            num_cpus: None,
            num_gpus: None,
            resources: Vec::new(),
            env: Vec::new(),
            working_dir: None,
        }
    }

    /// A Ray cluster of this machine, started by this process at the first pool that asks for
    /// it and shared by every pool of the process (`ray.init()` with the machine's CPUs, no
    /// dashboard, a 512 MiB object store, token authentication with a token of its own, its
    /// session folder under `/tmp/sb-ray-<pid>`). It stops, and its folder goes, when this
    /// process exits (or dies).
    pub fn local() -> RayConfig {
        RayConfig::on(Cluster::Local)
    }

    /// An existing cluster: `"auto"` (the cluster `ray start` started on this machine, or
    /// `RAY_ADDRESS`), a GCS address `"host:6379"`, or a Ray Client address
    /// `"ray://host:10001"`. Ray's own environment variables (`RAY_ADDRESS`, `RAY_AUTH_TOKEN`,
    /// ...) reach the drivers from this process's environment.
    pub fn connect(address: impl Into<String>) -> RayConfig {
        RayConfig::on(Cluster::Connect(address.into()))
    }

    /// The CPUs each worker's actor reserves (Ray's `num_cpus`; Ray's default for an actor
    /// without it: 1 to be placed, 0 while it runs). Fractions share a CPU.
    pub fn num_cpus(mut self, cpus: f64) -> Self {
        self.num_cpus = Some(cpus);
        self
    }

    /// The GPUs each worker's actor reserves (Ray's `num_gpus`; Ray sets
    /// `CUDA_VISIBLE_DEVICES` for it).
    pub fn num_gpus(mut self, gpus: f64) -> Self {
        self.num_gpus = Some(gpus);
        self
    }

    /// Custom resources each worker's actor reserves, by name (Ray's `resources`): the nodes
    /// that declared them (`ray start --resources='{"name": 4}'`) are the ones it runs on.
    pub fn resources<I, K>(mut self, resources: I) -> Self
    where
        I: IntoIterator<Item = (K, f64)>,
        K: Into<String>,
    {
        self.resources
            .extend(resources.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// An environment variable of the workers' runtime environment (Ray's `runtime_env`
    /// `env_vars`), beside the pool's own [`PoolConfig::env`], which goes there too.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// A local folder Ray uploads to the cluster and runs the workers in (Ray's `runtime_env`
    /// `working_dir`): the way the user's own modules reach nodes of other machines.
    pub fn working_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }
}

/// What starts one slot's driver: its `-c` program and its environment, beside a worker's.
pub(crate) struct DriverCommand {
    pub(crate) program: &'static str,
    pub(crate) env: Vec<(String, String)>,
}

/// The driver of slot `slot` (incarnation `incarnation`) of pool `pool` on `ray`'s cluster
/// (starting the local one first if it asks for it).
pub(crate) fn driver_command(
    config: &PoolConfig,
    ray: &RayConfig,
    pool: &str,
    slot: usize,
    incarnation: u64,
) -> Result<DriverCommand> {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let program = PROGRAM.get_or_init(|| {
        snakebridge_contract::interpreter::isolated(
            &RAY_PACKAGE.bootstrap(RAY_SOURCES_VAR, RAY_DRIVER_ENTRY),
        )
    });
    let mut env = RAY_PACKAGE.environment(RAY_SOURCES_VAR);
    // The actor installs the worker package with the bootstrap's own finder.
    env.push((
        RAY_INSTALLER_VAR.to_string(),
        snakebridge_contract::python_package::INSTALLER.to_string(),
    ));
    let address = match &ray.cluster {
        Cluster::Connect(address) => address.clone(),
        Cluster::Local => {
            let cluster = local::cluster(config)?;
            env.extend(cluster.auth_env());
            cluster.address.clone()
        }
    };
    // The runtime environment: the pool's variables (PYTHONPATH...) and the Ray config's.
    let env_vars: serde_json::Map<String, serde_json::Value> = config
        .env
        .iter()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .chain(ray.env.iter().cloned())
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let working_dir = match &ray.working_dir {
        Some(dir) => Some(
            std::path::absolute(dir)
                .map_err(|e| {
                    crate::data::error::Error::config(format!(
                        "RayConfig::working_dir `{}`: {e}",
                        dir.display()
                    ))
                })?
                .to_string_lossy()
                .into_owned(),
        ),
        None => None,
    };
    let description = serde_json::json!({
        "address": address,
        "name": actor_name(pool, slot, incarnation),
        "num_cpus": ray.num_cpus,
        "num_gpus": ray.num_gpus,
        "resources": ray.resources,
        "env_vars": env_vars,
        "working_dir": working_dir,
    });
    env.push(("SNAKEBRIDGE_RAY_CONFIG".into(), description.to_string()));
    Ok(DriverCommand { program, env })
}

/// The name of a slot's actor on the cluster (`ray list actors` shows it): this process, the
/// pool, the slot, and the incarnation of the worker.
pub(crate) fn actor_name(pool: &str, slot: usize, incarnation: u64) -> String {
    format!(
        "snakebridge-{}-{pool}-{slot}-{incarnation}",
        std::process::id()
    )
}
