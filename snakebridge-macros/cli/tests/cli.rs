//! The binary on fresh scratch crates, with the real introspector and the test venv's Python
//! (`SNAKEBRIDGE_PYTHON`, else the workspace's `target/py-venv/bin/python`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The interpreter the tests introspect with.
fn python() -> PathBuf {
    match std::env::var_os("SNAKEBRIDGE_PYTHON").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/py-venv/bin/python"),
    }
}

/// A fresh crate directory `name` with `lib` as its `src/lib.rs`.
fn scratch(name: &str, lib: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n"),
    )
    .unwrap();
    fs::write(dir.join("src/lib.rs"), lib).unwrap();
    dir
}

/// Runs `cargo-snakebridge args` in `dir` with `python` as the interpreter.
fn run_with(dir: &Path, python: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-snakebridge"));
    command.args(args).current_dir(dir);
    for var in [
        "SNAKEBRIDGE_CACHE_DIR",
        "SNAKEBRIDGE_REFRESH",
        "SNAKEBRIDGE_OFFLINE",
        "PYO3_PYTHON",
        "VIRTUAL_ENV",
    ] {
        command.env_remove(var);
    }
    command.env("SNAKEBRIDGE_PYTHON", python);
    command.output().expect("the binary runs")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_with(dir, &python(), args)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_code(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
}

/// A virtual environment whose `bin/python` is `/bin/false` but whose `pyvenv.cfg` and
/// `site-packages` are the test venv's: reading its files gives the real versions, and
/// starting its Python fails.
fn tripwire_venv(dir: &Path) -> PathBuf {
    let real = python();
    let real_venv = real.parent().unwrap().parent().unwrap();
    let venv = dir.join("tripwire-venv");
    fs::create_dir_all(venv.join("bin")).unwrap();
    fs::copy(real_venv.join("pyvenv.cfg"), venv.join("pyvenv.cfg")).unwrap();
    let lib = fs::read_dir(real_venv.join("lib"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .expect("the venv has lib/python3.X");
    fs::create_dir_all(venv.join("lib").join(lib.file_name())).unwrap();
    std::os::unix::fs::symlink(
        lib.path().join("site-packages"),
        venv.join("lib").join(lib.file_name()).join("site-packages"),
    )
    .unwrap();
    let program = venv.join("bin/python");
    std::os::unix::fs::symlink("/bin/false", &program).unwrap();
    program
}

fn lockfile(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("cache/snakebridge.lock")).unwrap()).unwrap()
}

#[test]
fn lock_fills_the_cache_and_check_passes_without_starting_python() {
    let dir = scratch(
        "lock-check",
        "#[snakebridge::python_module(\"math\")]\npub mod math {}\n\
         mod inner {\n    #[python_module(\"json\", include = [\"dumps\"])]\n    mod j {}\n}\n",
    );
    let lock = run(&dir, &["lock"]);
    assert_code(&lock, 0);
    let out = text(&lock);
    assert!(out.contains("module") && out.contains("typed"), "{out}");
    assert!(out.contains("math") && out.contains("json"), "{out}");
    assert!(dir.join("cache/math.json").is_file() && dir.join("cache/json.json").is_file());
    let pins = lockfile(&dir);
    assert!(pins["entries"]["math.json"]["sha256"].is_string(), "{pins}");

    // Its venv's files tell the versions; its `bin/python` is /bin/false.
    let tripwire = tripwire_venv(&dir);
    let check = run_with(&dir, &tripwire, &["check"]);
    assert_code(&check, 0);
    let out = text(&check);
    assert!(out.contains("up to date"), "{out}");
    assert!(out.contains("read from"), "versions were compared: {out}");

    // /bin/false itself: nothing to read, and with --no-python nothing is started either.
    let check = run_with(&dir, Path::new("/bin/false"), &["check", "--no-python"]);
    assert_code(&check, 0);
    assert!(
        text(&check).contains("versions not compared"),
        "{}",
        text(&check)
    );

    // A second lock has nothing to do: every row is answered by the cache.
    let again = run_with(&dir, &tripwire, &["lock"]);
    assert_code(&again, 0);
    assert_eq!(
        text(&again).matches("cached").count(),
        2,
        "{}",
        text(&again)
    );

    // `--refresh math` introspects math again, and only math.
    let refresh = run(&dir, &["lock", "--refresh", "math"]);
    assert_code(&refresh, 0);
    let out = text(&refresh);
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(!row("math").contains("cached"), "{out}");
    assert!(row("json").contains("cached"), "{out}");
    assert_code(&run(&dir, &["lock", "--refresh", "numpy"]), 3);
}

#[test]
fn check_fails_with_a_diff_when_a_stub_package_version_changes() {
    // scipy-stubs (tests/requirements.txt) types scipy.constants: the pin records its version,
    // and a different one installed makes the cache stale, as a new scipy would.
    let dir = scratch(
        "stubversion",
        "#[snakebridge::python_module(\"scipy.constants\")]\npub mod sc {}\n",
    );
    assert_code(&run(&dir, &["lock"]), 0);
    let installed =
        lockfile(&dir)["entries"]["scipy.constants.json"]["stub_packages"]["scipy-stubs"]
            .as_str()
            .expect("scipy-stubs typed scipy.constants")
            .to_string();
    assert_code(&run(&dir, &["check"]), 0);

    // The lockfile says another scipy-stubs typed it.
    let path = dir.join("cache/snakebridge.lock");
    let before = fs::read_to_string(&path).unwrap();
    let edited = before.replace(
        &format!("\"scipy-stubs\": \"{installed}\""),
        "\"scipy-stubs\": \"0.0.1\"",
    );
    assert_ne!(edited, before, "the lockfile pins scipy-stubs: {before}");
    fs::write(&path, edited).unwrap();
    let check = run(&dir, &["check"]);
    assert_code(&check, 1);
    let out = text(&check);
    // The pin against what is installed (`stub package`, padded to the widest label).
    let line = |sign: &str, rest: &str| {
        out.lines().any(|l| {
            l.trim_start()
                .strip_prefix(sign)
                .and_then(|l| l.trim_start().strip_prefix("stub package "))
                .is_some_and(|l| l.trim_start().starts_with(rest))
        })
    };
    assert!(line("-", "scipy-stubs 0.0.1"), "{out}");
    assert!(
        line("+", &format!("scipy-stubs {installed} (read from")),
        "{out}"
    );

    // `lock` introspects again and pins the installed version.
    assert_code(&run(&dir, &["lock"]), 0);
    assert_code(&run(&dir, &["check"]), 0);
}

#[test]
fn check_fails_with_a_diff_when_a_library_version_changes() {
    let dir = scratch(
        "version",
        "#[snakebridge::python_module(\"threadpoolctl\")]\npub mod tp {}\n",
    );
    assert_code(&run(&dir, &["lock"]), 0);
    let installed = lockfile(&dir)["entries"]["threadpoolctl.json"]["library_version"]
        .as_str()
        .expect("a package has a version")
        .to_string();

    // The lockfile says another version was introspected.
    let path = dir.join("cache/snakebridge.lock");
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace(&format!("\"{installed}\""), "\"0.0.1\"");
    fs::write(&path, edited).unwrap();
    let check = run(&dir, &["check"]);
    assert_code(&check, 1);
    let out = text(&check);
    assert!(
        out.contains("- library version  threadpoolctl 0.0.1"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "+ library version  threadpoolctl {installed} (read from"
        )),
        "{out}"
    );
    assert!(out.contains("cargo snakebridge lock"), "{out}");

    // `lock` sees it as stale, introspects again, and the check passes.
    assert_code(&run(&dir, &["lock"]), 0);
    assert_code(&run(&dir, &["check"]), 0);

    // The cache file edited behind the lockfile's back.
    let file = dir.join("cache/threadpoolctl.json");
    let edited = fs::read_to_string(&file)
        .unwrap()
        .replace(&format!("\"{installed}\""), "\"0.0.1\"");
    fs::write(&file, edited).unwrap();
    let check = run(&dir, &["check"]);
    assert_code(&check, 1);
    let out = text(&check);
    assert!(out.contains("- cache file"), "{out}");
    assert!(out.contains("was edited or replaced"), "{out}");
}

#[test]
fn check_fails_with_a_diff_when_an_attribute_changes() {
    let dir = scratch(
        "attribute",
        "#[snakebridge::python_module(\"json\")]\npub mod json {}\n",
    );
    assert_code(&run(&dir, &["lock"]), 0);
    assert_code(&run(&dir, &["check"]), 0);

    fs::write(
        dir.join("src/lib.rs"),
        "#[snakebridge::python_module(\"json\", submodules = [\"decoder\"])]\npub mod json {}\n",
    )
    .unwrap();
    let check = run(&dir, &["check"]);
    assert_code(&check, 1);
    let out = text(&check);
    assert!(out.contains("- attribute  entries for json"), "{out}");
    assert!(
        out.contains("+ attribute  src/lib.rs:1 asks for `json+decoder`"),
        "{out}"
    );

    // An `include` naming nothing is what the build would reject; re-locking does not fix it.
    fs::write(
        dir.join("src/lib.rs"),
        "#[snakebridge::python_module(\"json\", include = [\"dumpz\"])]\npub mod json {}\n",
    )
    .unwrap();
    let check = run(&dir, &["check"]);
    assert_code(&check, 1);
    let out = text(&check);
    assert!(out.contains("named `dumpz`; did you mean `dump`?"), "{out}");
    assert!(out.contains("fix: correct the attribute"), "{out}");
}

#[test]
fn expand_prints_signatures_and_optional_arguments() {
    let dir = scratch(
        "expand",
        "#[snakebridge::python_module(\"math\")]\npub mod m {}\n\
         #[snakebridge::python_module(\"json\")]\npub mod json {}\n",
    );
    let out = run(&dir, &["expand", "math"]);
    assert_code(&out, 0);
    let out = text(&out);
    assert!(out.contains("pub mod m {"), "{out}");
    assert!(out.contains("/// Return the square root of x."), "{out}");
    assert!(
        out.contains("pub fn sqrt(x: impl Into<f64>) -> f64;"),
        "{out}"
    );
    assert!(
        out.contains("pub const pi: f64 = 3.141592653589793;"),
        "{out}"
    );

    let out = text(&run(&dir, &["expand", "json"]));
    assert!(
        out.contains("pub fn dumps(obj: impl IntoValue) -> String;"),
        "{out}"
    );
    assert!(
        out.contains("        .indent(impl IntoValue) = None"),
        "{out}"
    );
    assert!(out.contains("        .sort_keys(bool) = False"), "{out}");

    let full = run(&dir, &["expand", "--full", "json"]);
    assert_code(&full, 0);
    let full = text(&full);
    assert!(full.contains("pub struct DumpsCall"), "{full}");
    assert!(
        full.contains("\npub fn dumps(obj: impl __sb::IntoValue) -> DumpsCall {\n"),
        "pretty-printed: {full}"
    );
}

#[test]
fn doctor_names_the_interpreter_and_a_missing_stub_package() {
    let dir = scratch(
        "doctor",
        "#[snakebridge::python_module(\"dateutil.parser\")]\npub mod parser {}\n\
         #[snakebridge::python_module(\"numpy\")]\npub mod np {}\n",
    );
    let out = run(&dir, &["doctor"]);
    assert_code(&out, 0);
    let out = text(&out);
    let chosen = out
        .lines()
        .find(|l| l.contains("SNAKEBRIDGE_PYTHON"))
        .unwrap_or_default();
    assert!(chosen.contains(&python().display().to_string()), "{out}");
    assert!(chosen.contains("<- chosen"), "{out}");
    // python-dateutil (a dependency of pandas in the test venv) ships no stubs; the test venv
    // installs scipy's, pandas', networkx' and scikit-learn's stub packages.
    let dateutil = out
        .lines()
        .find(|l| l.contains("dateutil.parser"))
        .unwrap_or_default();
    assert!(
        dateutil.contains("pip install types-python-dateutil"),
        "{out}"
    );
    assert!(dateutil.contains("not introspected yet"), "{out}");
    assert!(dateutil.ends_with("not locked yet"), "{out}");
    let numpy = out
        .lines()
        .find(|l| l.trim_start().starts_with("numpy"))
        .unwrap_or_default();
    assert!(numpy.contains("ships its own"), "{out}");
    assert!(out.contains("no snakebridge.lock"), "{out}");
}

#[test]
fn census_applies_the_threshold() {
    let dir = scratch(
        "census",
        "#[snakebridge::python_module(\"math\")]\npub mod math {}\n\
         #[snakebridge::python_module(\"json\", include = [\"dumps\"])]\npub mod json {}\n",
    );
    let pass = run(&dir, &["census", "--min-typed", "10"]);
    assert_code(&pass, 0);
    let fail = run(&dir, &["census", "--min-typed", "80"]);
    assert_code(&fail, 1);
    let out = text(&fail);
    let json = out
        .lines()
        .find(|l| l.starts_with("json"))
        .unwrap_or_default();
    assert!(json.contains("BELOW 80%"), "{out}");
    let math = out
        .lines()
        .find(|l| l.starts_with("math"))
        .unwrap_or_default();
    assert!(math.ends_with("ok"), "{out}");
    // Each module's typed parameters by source: math's all come from typeshed's stubs.
    assert!(
        out.lines()
            .next()
            .unwrap_or_default()
            .contains("stub/doc/runtime"),
        "{out}"
    );
    assert!(math.contains(" 100/0/0% "), "{out}");
}

#[test]
fn errors_name_the_place_and_exit_with_their_code() {
    let dir = scratch(
        "errors",
        "\n#[snakebridge::python_module(\"json\", includ = [\"dumps\"])]\npub mod json {}\n",
    );
    let out = run(&dir, &["check"]);
    assert_code(&out, 3);
    let out = text(&out);
    assert!(out.contains("src/lib.rs:2:"), "{out}");
    assert!(out.contains("did you mean `include`"), "{out}");

    fs::write(
        dir.join("src/lib.rs"),
        "#[snakebridge::python_module(\"json\")]\nmod j {}\n",
    )
    .unwrap();
    let out = run_with(&dir, Path::new("/nonexistent/python"), &["lock"]);
    assert_code(&out, 4);
    assert!(text(&out).contains("cannot run Python"), "{}", text(&out));

    let nowhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-no-crate");
    let _ = fs::create_dir_all(&nowhere);
    let out = run(
        &dir,
        &[
            "check",
            "--manifest-path",
            nowhere.join("Cargo.toml").to_str().unwrap(),
        ],
    );
    assert_code(&out, 3);
    assert!(text(&out).contains("no manifest"), "{}", text(&out));
}

#[test]
fn runs_as_a_cargo_subcommand_with_help() {
    let dir = scratch("help", "");
    // cargo runs `cargo-snakebridge snakebridge <args>`.
    let out = run(&dir, &["snakebridge", "--help"]);
    assert_code(&out, 0);
    let help = text(&out);
    for needle in [
        "Usage: cargo snakebridge",
        "lock",
        "check",
        "expand",
        "doctor",
        "census",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    assert!(help.contains("Exit codes:"), "{help}");
    let out = run(&dir, &["snakebridge", "check"]);
    assert_code(&out, 0);
    assert!(text(&out).contains("nothing to check"), "{}", text(&out));
    assert_code(&run(&dir, &["frobnicate"]), 2);
}
