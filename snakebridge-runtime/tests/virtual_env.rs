//! The embedded interpreter adopts an active `VIRTUAL_ENV` (its own process: the environment is
//! read once, when the interpreter starts).

#![cfg(feature = "embedded")]

use snakebridge_runtime::{EmbeddedClient, InterpreterSource, PyRef, call};

#[test]
fn virtual_env_packages_are_importable_and_reported() {
    let python = std::env::var("SNAKEBRIDGE_PYTHON").expect(
        "run through tests/run.sh, which sets SNAKEBRIDGE_PYTHON to the test venv's python",
    );
    let venv = std::path::Path::new(&python)
        .parent()
        .and_then(|bin| bin.parent())
        .expect("SNAKEBRIDGE_PYTHON is <venv>/bin/python")
        .to_path_buf();
    // SAFETY: this test binary has a single test, run before any other thread reads the env.
    unsafe {
        std::env::remove_var("SNAKEBRIDGE_PYTHON");
        std::env::set_var("VIRTUAL_ENV", &venv);
    }
    let env = EmbeddedClient::shared().environment().unwrap();
    assert_eq!(env.source, InterpreterSource::VirtualEnv(venv.clone()));
    assert!(
        env.added_paths.iter().any(|p| p.starts_with(&venv)),
        "{:?}",
        env.added_paths
    );
    assert!(env.to_string().contains("VIRTUAL_ENV"), "{env}");
    // numpy is only installed in the venv.
    let array: PyRef = call("numpy", "zeros", (3,)).unwrap();
    assert_eq!(array.type_name(), "numpy.ndarray");
    let numpy_file: String = {
        let numpy: PyRef = call("importlib", "import_module", ("numpy",)).unwrap();
        numpy.getattr("__file__").unwrap()
    };
    assert!(
        numpy_file.starts_with(venv.to_str().unwrap()),
        "{numpy_file}"
    );
}
