//! The interpreter rule is one rule (`snakebridge_contract::interpreter`): with `PYO3_PYTHON` the
//! only interpreter setting, the introspector, the embedded client and the pool's workers all use
//! that Python. (Its own process: the environment is read once.)

#![cfg(feature = "embedded")]

use std::path::PathBuf;

use snakebridge_codegen::python::{Interpreter, InterpreterSource as IntrospectSource};
use snakebridge_runtime::{
    EmbeddedClient, InterpreterSource, PoolClient, PoolConfig, PyRef, call, module_attr,
    with_client,
};

#[test]
fn pyo3_python_alone_picks_the_same_python_everywhere() {
    let python = PathBuf::from(std::env::var("SNAKEBRIDGE_PYTHON").expect(
        "run through tests/run.sh, which sets SNAKEBRIDGE_PYTHON to the test venv's python",
    ));
    // SAFETY: this test binary has a single test, run before any other thread reads the env.
    unsafe {
        std::env::remove_var("SNAKEBRIDGE_PYTHON");
        std::env::remove_var("VIRTUAL_ENV");
        std::env::set_var("PYO3_PYTHON", &python);
    }

    // Compile time: the introspector runs PYO3_PYTHON.
    let introspector = Interpreter::from_env();
    assert_eq!(introspector.program, python);
    assert_eq!(introspector.source, IntrospectSource::Pyo3Python);

    // Run time, embedded: PYO3_PYTHON's packages are adopted (numpy is only in the test venv).
    let env = EmbeddedClient::shared().environment().unwrap();
    assert_eq!(env.source, InterpreterSource::Pyo3Python(python.clone()));
    assert!(env.to_string().contains("PYO3_PYTHON"), "{env}");
    let embedded_exe: String = module_attr("sys", "executable").unwrap();
    assert_eq!(PathBuf::from(embedded_exe), python);
    let zeros: PyRef = call("numpy", "zeros", (3,)).unwrap();
    assert_eq!(zeros.type_name(), "numpy.ndarray");

    // Run time, pool: the workers are PYO3_PYTHON.
    let config = PoolConfig::new().size(1);
    assert_eq!(config.interpreter(), (python.clone(), "PYO3_PYTHON"));
    let pool = PoolClient::start(config).unwrap();
    let worker_exe: String =
        with_client(pool.clone(), || module_attr("sys", "executable")).unwrap();
    assert_eq!(PathBuf::from(worker_exe), python);
    let worker_numpy: String =
        with_client(pool.clone(), || module_attr("numpy", "__version__")).unwrap();
    let embedded_numpy: String = module_attr("numpy", "__version__").unwrap();
    assert_eq!(worker_numpy, embedded_numpy);
    pool.shutdown();
}
