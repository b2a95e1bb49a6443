//! The pool worker's Python package as the crate ships it: every module of
//! `snakebridge-runtime/python/snakebridge_worker/`, compiled in. Included (`#[path]`) by
//! `src/pool/worker/spawn.rs`, which starts workers with it, and by the tests that load the
//! package the way a worker does (`tests/protocol_agreement.rs`), so both see one list.

use snakebridge_contract::python_package::PythonPackage;

/// The package every worker runs; [`WORKER_ENTRY`] starts it.
pub(crate) const WORKER_PACKAGE: PythonPackage = PythonPackage {
    name: "snakebridge_worker",
    modules: &[
        (
            "snakebridge_worker",
            include_str!("snakebridge_worker/__init__.py"),
        ),
        (
            "snakebridge_worker.binary",
            include_str!("snakebridge_worker/binary.py"),
        ),
        (
            "snakebridge_worker.protocol",
            include_str!("snakebridge_worker/protocol.py"),
        ),
        (
            "snakebridge_worker.channel",
            include_str!("snakebridge_worker/channel.py"),
        ),
        (
            "snakebridge_worker.ring",
            include_str!("snakebridge_worker/ring.py"),
        ),
        (
            "snakebridge_worker.shm",
            include_str!("snakebridge_worker/shm.py"),
        ),
        (
            "snakebridge_worker.rules",
            include_str!("snakebridge_worker/rules.py"),
        ),
        (
            "snakebridge_worker.convert",
            include_str!("snakebridge_worker/convert.py"),
        ),
        (
            "snakebridge_worker.refs",
            include_str!("snakebridge_worker/refs.py"),
        ),
        (
            "snakebridge_worker.exceptions",
            include_str!("snakebridge_worker/exceptions.py"),
        ),
        (
            "snakebridge_worker.generators",
            include_str!("snakebridge_worker/generators.py"),
        ),
        (
            "snakebridge_worker.logs",
            include_str!("snakebridge_worker/logs.py"),
        ),
        (
            "snakebridge_worker.callbacks",
            include_str!("snakebridge_worker/callbacks.py"),
        ),
        (
            "snakebridge_worker.awaiting",
            include_str!("snakebridge_worker/awaiting.py"),
        ),
        (
            "snakebridge_worker.binary_calls",
            include_str!("snakebridge_worker/binary_calls.py"),
        ),
        (
            "snakebridge_worker.dispatch",
            include_str!("snakebridge_worker/dispatch.py"),
        ),
        (
            "snakebridge_worker.main",
            include_str!("snakebridge_worker/main.py"),
        ),
        (
            "snakebridge_worker.__main__",
            include_str!("snakebridge_worker/__main__.py"),
        ),
    ],
};

/// The module whose import runs a worker (and exits the process when it is done).
pub(crate) const WORKER_ENTRY: &str = "snakebridge_worker.__main__";

/// The environment variable that carries [`WORKER_PACKAGE`]'s sources to the child (popped by
/// the bootstrap, so processes user code starts do not inherit it).
pub(crate) const WORKER_SOURCES_VAR: &str = "SNAKEBRIDGE_WORKER_SOURCES";

/// The package that runs a pool's workers as Ray actors (`src/pool/ray/`): the local cluster
/// ([`RAY_HEAD_ENTRY`]) and each slot's driver ([`RAY_DRIVER_ENTRY`]), which ships the actor's
/// code to the cluster with the [`WORKER_PACKAGE`] it runs.
pub(crate) const RAY_PACKAGE: PythonPackage = PythonPackage {
    name: "snakebridge_ray",
    modules: &[
        (
            "snakebridge_ray",
            include_str!("snakebridge_ray/__init__.py"),
        ),
        (
            "snakebridge_ray.frames",
            include_str!("snakebridge_ray/frames.py"),
        ),
        (
            "snakebridge_ray.objects",
            include_str!("snakebridge_ray/objects.py"),
        ),
        (
            "snakebridge_ray.actor",
            include_str!("snakebridge_ray/actor.py"),
        ),
        (
            "snakebridge_ray.driver",
            include_str!("snakebridge_ray/driver.py"),
        ),
        (
            "snakebridge_ray.head",
            include_str!("snakebridge_ray/head.py"),
        ),
    ],
};

/// The module whose import runs one slot's driver.
pub(crate) const RAY_DRIVER_ENTRY: &str = "snakebridge_ray.driver";

/// The module whose import runs a local Ray cluster.
pub(crate) const RAY_HEAD_ENTRY: &str = "snakebridge_ray.head";

/// The environment variable that carries [`RAY_PACKAGE`]'s sources.
pub(crate) const RAY_SOURCES_VAR: &str = "SNAKEBRIDGE_RAY_SOURCES";

/// The environment variable that carries the contract's package installer
/// ([`snakebridge_contract::python_package::INSTALLER`]) to a Ray slot's driver, which hands it
/// to its actor with the [`WORKER_PACKAGE`]'s sources (`snakebridge_ray/actor.py`).
pub(crate) const RAY_INSTALLER_VAR: &str = "SNAKEBRIDGE_PACKAGE_INSTALLER";
