//! Hostile environments at compile time: a broken interpreter is a diagnostic that names it (never
//! a signal that kills rustc), modules planted in the directory the compiler runs in are never
//! imported by the introspector, and an import that raises is not blamed on a missing package.
//! (Its own process: one test changes the working directory.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use snakebridge_codegen::cache::CacheError;
use snakebridge_codegen::python::{Interpreter, InterpreterSource, run_introspector};

fn python() -> Interpreter {
    let program = std::env::var_os("SNAKEBRIDGE_PYTHON")
        .map(PathBuf::from)
        .expect("run through tests/run.sh, which sets SNAKEBRIDGE_PYTHON to the test venv");
    Interpreter::new(program, InterpreterSource::SnakebridgePython)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sb-hostile-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn broken_interpreters_are_named_with_their_exit_status_and_stderr() {
    // `/bin/false`: exits at once, prints nothing. Before, the macro wrote the introspector to
    // its stdin and rustc died of SIGPIPE; now nothing is written to the child at all.
    let false_ = Interpreter::new("/bin/false".into(), InterpreterSource::SnakebridgePython);
    let err = run_introspector(&false_, "json", &[], Duration::from_secs(30)).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, CacheError::IntrospectorCrashed { .. }),
        "{msg}"
    );
    assert!(msg.contains("/bin/false"), "{msg}");
    assert!(msg.contains("SNAKEBRIDGE_PYTHON"), "{msg}");
    assert!(msg.contains("exit status: 1"), "{msg}");

    // A wrapper that fails after saying why (as a bad PYTHONHOME does).
    let dir = scratch("wrapper");
    let wrapper = script(
        &dir,
        "python",
        "#!/bin/sh\necho 'Fatal Python error: init_fs_encoding: failed to get the Python codec' >&2\nexit 1\n",
    );
    let interpreter = Interpreter::new(wrapper.clone(), InterpreterSource::SnakebridgePython);
    let err = run_introspector(&interpreter, "json", &[], Duration::from_secs(30)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(wrapper.to_str().unwrap()), "{msg}");
    assert!(msg.contains("init_fs_encoding"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn modules_planted_where_the_compiler_runs_are_never_imported() {
    let dir = scratch("planted");
    let marker = dir.join("RAN");
    for name in ["json", "inspect", "ast", "os", "typing", "importlib"] {
        let code = format!(
            "open({:?}, 'a').write('{name}\\n')\nraise SystemExit('planted {name} ran')\n",
            marker.to_str().unwrap()
        );
        std::fs::write(dir.join(format!("{name}.py")), code).unwrap();
    }
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let result = run_introspector(&python(), "json", &[], Duration::from_secs(60));
    std::env::set_current_dir(before).unwrap();
    let ran = std::fs::read_to_string(&marker).unwrap_or_default();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ran.is_empty(), "planted modules ran: {ran}");
    let out = result.unwrap();
    assert!(out.module.functions.iter().any(|f| f.name == "dumps"));
}

#[test]
fn an_import_that_raises_is_not_a_missing_package() {
    let dir = scratch("raises");
    std::fs::write(
        dir.join("sb_raises_on_import.py"),
        "raise RuntimeError('the configuration file is missing')\n",
    )
    .unwrap();
    let wrapper = script(
        &dir,
        "python",
        &format!(
            "#!/bin/sh\nPYTHONPATH={} exec {} \"$@\"\n",
            dir.display(),
            python().program.display()
        ),
    );
    let interpreter = Interpreter::new(wrapper, InterpreterSource::SnakebridgePython);
    let err = run_introspector(
        &interpreter,
        "sb_raises_on_import",
        &[],
        Duration::from_secs(60),
    )
    .unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::ImportFailed { .. }), "{msg}");
    assert!(msg.contains("RuntimeError"), "{msg}");
    assert!(msg.contains("the configuration file is missing"), "{msg}");
    assert!(!msg.contains("pip install"), "{msg}");
}

#[test]
fn a_planted_introspector_package_on_pythonpath_is_never_imported() {
    // The introspector's own modules come from memory, ahead of every path: a package of the
    // same name on PYTHONPATH (which the introspected module's imports do use) is not run.
    let dir = scratch("planted-package");
    let marker = dir.join("RAN");
    let package = dir.join("snakebridge_introspector");
    std::fs::create_dir_all(&package).unwrap();
    for module in ["__init__", "main", "output", "introspector"] {
        let code = format!(
            "open({:?}, 'a').write('{module}\\n')\nraise SystemExit('planted {module} ran')\n",
            marker.to_str().unwrap()
        );
        std::fs::write(package.join(format!("{module}.py")), code).unwrap();
    }
    let wrapper = script(
        &dir,
        "python",
        &format!(
            "#!/bin/sh\nPYTHONPATH={} exec {} \"$@\"\n",
            dir.display(),
            python().program.display()
        ),
    );
    let interpreter = Interpreter::new(wrapper, InterpreterSource::SnakebridgePython);
    let result = run_introspector(&interpreter, "json", &[], Duration::from_secs(60));
    let ran = std::fs::read_to_string(&marker).unwrap_or_default();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ran.is_empty(), "planted modules ran: {ran}");
    let out = result.unwrap();
    assert!(out.module.functions.iter().any(|f| f.name == "dumps"));
}
