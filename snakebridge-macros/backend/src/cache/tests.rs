//! Tests of the cache as a whole (keys, hits, misses, pins, locking, refresh, offline).
//!
//! Over 600 lines: every case drives the one entry point (`load_or_introspect_with`) through
//! the fixtures at the top (temp directories, cache files, the fake Python); splitting the cases
//! would split those fixtures from them.

use super::*;
use crate::model::{ConstantInfo, FunctionInfo};
use crate::python::{Interpreter, InterpreterSource, sha256_hex};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// A fresh, empty directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "snakebridge-cache-test-{tag}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn fake_module(name: &str) -> ModuleInfo {
    ModuleInfo {
        name: name.to_string(),
        doc: Some("A fake module.".into()),
        functions: vec![FunctionInfo {
            name: "f".into(),
            ..Default::default()
        }],
        constants: vec![ConstantInfo {
            name: "ANSWER".into(),
            type_name: "int".into(),
            value: Some(42.into()),
            doc: None,
        }],
        ..Default::default()
    }
}

/// A stand-in for Python: a shell script that swallows the introspector on stdin, records
/// that it ran, and prints a canned answer (or sleeps / fails, per `mode`).
#[cfg(unix)]
struct FakePython {
    dir: PathBuf,
    program: PathBuf,
    counter: PathBuf,
}

#[cfg(unix)]
impl FakePython {
    fn new(dir: &Path, answer: &str, mode: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = dir.join("fake-python");
        fs::create_dir_all(&dir).unwrap();
        let answer_path = dir.join("answer.json");
        fs::write(&answer_path, answer).unwrap();
        let counter = dir.join("runs");
        let program = dir.join("python");
        let script = format!(
            "#!/bin/sh\ncat > /dev/null\necho run >> '{}'\n{mode}\ncat '{}'\n",
            counter.display(),
            answer_path.display()
        );
        fs::write(&program, script).unwrap();
        fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
        FakePython {
            dir,
            program,
            counter,
        }
    }

    fn ok(dir: &Path, module: &str) -> Self {
        let answer = serde_json::json!({
            "python_version": "3.99.1",
            "library_version": "1.2.3",
            "warnings": [],
            "result": fake_module(module),
        });
        Self::new(dir, &answer.to_string(), "")
    }

    fn runs(&self) -> usize {
        fs::read_to_string(&self.counter)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn options(&self) -> CacheOptions {
        CacheOptions {
            refresh: Refresh::No,
            offline: false,
            interpreter: Interpreter::new(
                self.program.clone(),
                InterpreterSource::SnakebridgePython,
            ),
            timeout: Duration::from_secs(60),
        }
    }
}

#[cfg(unix)]
impl Drop for FakePython {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn request_is_normalised_and_named_readably() {
    let req = IntrospectRequest::new("numpy", ["linalg", "fft", "linalg", ""]);
    assert_eq!(req.submodules, vec!["fft", "linalg"]);
    assert_eq!(req.key(), "numpy+fft+linalg");
    assert_eq!(req.file_name(), "numpy+fft+linalg.json");
    assert_eq!(IntrospectRequest::parse("numpy+linalg+fft"), req);
    assert_eq!(
        IntrospectRequest::new("json", Vec::<String>::new()).file_name(),
        "json.json"
    );
    assert_eq!(
        IntrospectRequest::new("os.path", Vec::<String>::new()).file_name(),
        "os.path.json"
    );
    assert_eq!(
        req.qualified_submodules(),
        vec!["numpy.fft", "numpy.linalg"]
    );
}

#[test]
fn odd_names_get_a_hash_and_never_collide() {
    let a = IntrospectRequest::new("a/b", Vec::<String>::new()).file_name();
    let b = IntrospectRequest::new("a?b", Vec::<String>::new()).file_name();
    assert!(a.starts_with("a_b-") && a.ends_with(".json"), "{a}");
    assert_ne!(a, b);
    let long = IntrospectRequest::new("m", (0..40).map(|i| format!("sub{i}"))).file_name();
    assert!(long.len() < 100, "{long}");
    assert!(
        !IntrospectRequest::new("..", Vec::<String>::new())
            .file_name()
            .starts_with("..")
    );
}

#[test]
fn cache_paths_are_absolute_and_normalised() {
    assert_eq!(
        absolute(Path::new("/a/b/../../c/./d")),
        PathBuf::from("/c/d")
    );
    assert!(absolute(Path::new("rel/x")).is_absolute());
}

#[test]
fn cache_dir_precedence() {
    let m = Path::new("/crate");
    assert_eq!(resolve_cache_dir_with(m, None, None), m.join("cache"));
    assert_eq!(
        resolve_cache_dir_with(m, Some(Path::new("py/cache")), None),
        m.join("py/cache")
    );
    assert_eq!(
        resolve_cache_dir_with(m, Some(Path::new("x")), Some(Path::new("/abs/c"))),
        PathBuf::from("/abs/c")
    );
    assert_eq!(
        resolve_cache_dir_with(m, None, Some(Path::new("rel"))),
        m.join("rel")
    );
}

#[test]
fn refresh_values() {
    assert_eq!(Refresh::parse("1"), Refresh::All);
    assert_eq!(Refresh::parse("true"), Refresh::All);
    assert_eq!(Refresh::parse("0"), Refresh::No);
    assert_eq!(Refresh::parse(""), Refresh::No);
    let only = Refresh::parse("numpy, json");
    assert!(only.applies_to(&IntrospectRequest::new("numpy", ["linalg"])));
    assert!(only.applies_to(&IntrospectRequest::new("json", Vec::<String>::new())));
    assert!(!only.applies_to(&IntrospectRequest::new("math", Vec::<String>::new())));
    assert!(Refresh::parse("numpy+linalg").applies_to(&IntrospectRequest::parse("numpy+linalg")));
}

#[test]
fn shallow_pretty_round_trips_and_breaks_lines() {
    let file = CacheFile {
        format: CACHE_FORMAT,
        module: "fake".into(),
        submodules: vec![],
        python_version: "3.11.7".into(),
        library_version: None,
        stub_packages: [("scipy-stubs".to_string(), "1.17.1.5".to_string())].into(),
        introspector_sha256: "ab".repeat(32),
        result: fake_module("fake"),
    };
    let bytes = serialize_cache_file(&file);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("{\n \"format\": 1,\n"), "{text}");
    assert!(text.lines().count() > 5);
    let back: CacheFile = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back, file);
    // Deterministic: same input, same bytes.
    assert_eq!(serialize_cache_file(&back), bytes);
}

fn write_cache(dir: &Path, req: &IntrospectRequest, sha: &str) -> PathBuf {
    let file = CacheFile {
        format: CACHE_FORMAT,
        module: req.module.clone(),
        submodules: req.submodules.clone(),
        python_version: "3.11.7".into(),
        library_version: Some("9.9".into()),
        stub_packages: Default::default(),
        introspector_sha256: sha.to_string(),
        result: fake_module(&req.module),
    };
    write_atomic(dir, &req.file_name(), &serialize_cache_file(&file)).unwrap();
    dir.join(req.file_name())
}

fn offline() -> CacheOptions {
    CacheOptions {
        refresh: Refresh::No,
        offline: true,
        // Never run: offline must not spawn anything.
        interpreter: Interpreter::new("/nonexistent/python".into(), InterpreterSource::Default),
        timeout: Duration::from_secs(1),
    }
}

/// Puts a valid cache file for `req` in `dir` and pins it, as an introspection would have.
fn write_pinned(dir: &Path, req: &IntrospectRequest) -> PathBuf {
    let path = write_cache(dir, req, introspector_sha256());
    let file = read_cache_file(&path).unwrap();
    super::pin_existing(dir, &req.file_name(), &path, &file).unwrap();
    path
}

#[test]
fn offline_hit_of_a_pinned_file() {
    let dir = temp_dir("offline-hit");
    let req = IntrospectRequest::new("fake", ["sub"]);
    let path = write_pinned(&dir, &req);
    let loaded = load_or_introspect_with(&req, &dir, &offline()).unwrap();
    assert!(loaded.hit);
    assert_eq!(loaded.path, path);
    assert_eq!(loaded.module, fake_module("fake"));
    assert_eq!(loaded.library_version.as_deref(), Some("9.9"));
    let lock = read_lockfile_shared(&dir)
        .unwrap()
        .expect("lockfile written");
    let entry = &lock.entries["fake+sub.json"];
    assert_eq!(entry.sha256, sha256_hex(&fs::read(&path).unwrap()));
    assert_eq!(entry.submodules, vec!["sub"]);
    // The lockfile is human-readable JSON in a stable order.
    let text = fs::read_to_string(dir.join(LOCKFILE_NAME)).unwrap();
    assert!(text.contains("\"fake+sub.json\": {"), "{text}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unpinned_cache_file_is_not_trusted_or_pinned() {
    let dir = temp_dir("unpinned");
    let req = IntrospectRequest::new("fake", ["sub"]);
    write_cache(&dir, &req, introspector_sha256());
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::Unpinned { .. }), "{msg}");
    assert!(msg.contains("not pinned"), "{msg}");
    assert!(msg.contains(LOCKFILE_NAME), "{msg}");
    assert!(
        !dir.join(LOCKFILE_NAME).exists(),
        "offline wrote a lockfile"
    );
    // Nothing was pinned on the way.
    let pinned = read_lockfile_shared(&dir)
        .unwrap()
        .is_some_and(|l| l.entries.contains_key("fake+sub.json"));
    assert!(!pinned);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn offline_miss_says_how_to_fill_the_cache() {
    let dir = temp_dir("offline-miss");
    let req = IntrospectRequest::new("numpy", ["linalg"]);
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    assert!(matches!(err, CacheError::OfflineMiss { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("numpy+linalg"), "{msg}");
    assert!(msg.contains("cargo build"), "{msg}");
    assert!(msg.contains("SNAKEBRIDGE_OFFLINE"), "{msg}");
    assert!(msg.contains("numpy+linalg.json"), "{msg}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stale_introspector_is_a_miss() {
    let dir = temp_dir("stale");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    write_cache(&dir, &req, &"0".repeat(64));
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::OfflineMiss { .. }), "{msg}");
    assert!(msg.contains("another version of the introspector"), "{msg}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn modified_cache_file_is_reported_as_corrupt() {
    let dir = temp_dir("modified");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let path = write_pinned(&dir, &req);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("A fake module.", "An edited module.")).unwrap();
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::Corrupt { .. }), "{msg}");
    assert!(msg.contains("modified or is corrupt"), "{msg}");
    assert!(msg.contains("SNAKEBRIDGE_REFRESH=1"), "{msg}");
    assert!(msg.contains("fake.json"), "{msg}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn crlf_checkout_is_still_a_hit() {
    let dir = temp_dir("crlf");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let path = write_pinned(&dir, &req);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    let loaded = load_or_introspect_with(&req, &dir, &offline()).unwrap();
    assert!(loaded.hit);
    assert_eq!(loaded.module, fake_module("fake"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unparsable_or_foreign_cache_file_is_corrupt_but_other_format_is_stale() {
    let dir = temp_dir("garbage");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    fs::write(dir.join("fake.json"), "{ not json").unwrap();
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    assert!(matches!(err, CacheError::Corrupt { .. }), "{err}");

    // A file holding another request.
    let other = IntrospectRequest::new("other", Vec::<String>::new());
    let other_path = write_cache(&dir, &other, introspector_sha256());
    fs::rename(other_path, dir.join("fake.json")).unwrap();
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    assert!(err.to_string().contains("holds `other`"), "{err}");

    fs::write(
        dir.join("fake.json"),
        r#"{"format": 999, "whatever": true}"#,
    )
    .unwrap();
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    assert!(matches!(err, CacheError::OfflineMiss { .. }), "{err}");
    assert!(err.to_string().contains("format 999"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn corrupt_lockfile_is_reported() {
    let dir = temp_dir("badlock");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    write_cache(&dir, &req, introspector_sha256());
    fs::write(dir.join(LOCKFILE_NAME), "][").unwrap();
    let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
    assert!(matches!(err, CacheError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("lockfile"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_atomic_replaces_and_leaves_no_temp_files() {
    let dir = temp_dir("atomic");
    write_atomic(&dir, "x.json", b"one").unwrap();
    write_atomic(&dir, "x.json", b"two").unwrap();
    assert_eq!(fs::read(dir.join("x.json")).unwrap(), b"two");
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("x.json")]);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn miss_introspects_then_hit_spawns_nothing() {
    let dir = temp_dir("miss-hit");
    let fake = FakePython::ok(&dir, "fake");
    let req = IntrospectRequest::new("fake", ["b", "a"]);
    let cache = dir.join("cache");
    let first = load_or_introspect_with(&req, &cache, &fake.options()).unwrap();
    assert!(!first.hit);
    assert_eq!(fake.runs(), 1);
    assert_eq!(first.path, cache.join("fake+a+b.json"));
    assert_eq!(first.python_version, "3.99.1");

    let file = read_cache_file(&first.path).unwrap();
    assert_eq!(file.submodules, vec!["a", "b"]);
    assert_eq!(file.library_version.as_deref(), Some("1.2.3"));
    assert_eq!(file.introspector_sha256, introspector_sha256());
    let lock = read_lockfile_shared(&cache).unwrap().unwrap();
    let entry = &lock.entries["fake+a+b.json"];
    assert_eq!(entry.sha256, sha256_hex(&fs::read(&first.path).unwrap()));
    assert_eq!(entry.python_version, "3.99.1");
    assert_eq!(entry.library_version.as_deref(), Some("1.2.3"));

    let second = load_or_introspect_with(&req, &cache, &fake.options()).unwrap();
    assert!(second.hit);
    assert_eq!(fake.runs(), 1, "a hit must not spawn Python");
    assert_eq!(second.module, first.module);

    let mut opts = fake.options();
    opts.refresh = Refresh::All;
    let third = load_or_introspect_with(&req, &cache, &opts).unwrap();
    assert!(!third.hit);
    assert_eq!(fake.runs(), 2);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn refresh_repairs_a_corrupt_file() {
    let dir = temp_dir("repair");
    let fake = FakePython::ok(&dir, "fake");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let loaded = load_or_introspect_with(&req, &dir, &fake.options()).unwrap();
    fs::write(&loaded.path, "garbage").unwrap();
    assert!(load_or_introspect_with(&req, &dir, &fake.options()).is_err());
    let mut opts = fake.options();
    opts.refresh = Refresh::parse("fake");
    let fixed = load_or_introspect_with(&req, &dir, &opts).unwrap();
    assert!(!fixed.hit);
    assert!(
        load_or_introspect_with(&req, &dir, &fake.options())
            .unwrap()
            .hit
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn parallel_expansions_introspect_once() {
    let dir = temp_dir("parallel");
    // A slow Python, so that all threads arrive while the first one is still running.
    let answer = serde_json::json!({
        "python_version": "3.99.1", "library_version": null, "warnings": [],
        "result": fake_module("fake"),
    });
    let fake = FakePython::new(&dir, &answer.to_string(), "sleep 0.5");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let cache = dir.join("cache");
    let results: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| load_or_introspect_with(&req, &cache, &fake.options())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(fake.runs(), 1);
    assert_eq!(
        results.iter().filter(|r| !r.as_ref().unwrap().hit).count(),
        1
    );
    let lock = read_lockfile_shared(&cache).unwrap().unwrap();
    assert_eq!(lock.entries.len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn lockfile_keeps_every_entry() {
    let dir = temp_dir("entries");
    let fake = FakePython::ok(&dir, "fake");
    for m in ["zeta", "alpha", "mid"] {
        let req = IntrospectRequest::new(m, Vec::<String>::new());
        load_or_introspect_with(&req, &dir, &fake.options()).unwrap();
    }
    let lock = read_lockfile_shared(&dir).unwrap().unwrap();
    let keys: Vec<_> = lock.entries.keys().cloned().collect();
    assert_eq!(keys, vec!["alpha.json", "mid.json", "zeta.json"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn import_error_carries_python_text_and_interpreter() {
    let dir = temp_dir("importerr");
    let answer = serde_json::json!({
        "python_version": "3.99.1",
        "error": {"type": "ModuleNotFoundError", "message": "No module named 'nope'",
                  "traceback": "Traceback...", "module": "nope"},
    });
    let fake = FakePython::new(&dir, &answer.to_string(), "");
    let req = IntrospectRequest::new("nope", Vec::<String>::new());
    let err = load_or_introspect_with(&req, &dir, &fake.options()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::ImportFailed { .. }), "{msg}");
    assert!(msg.contains("No module named 'nope'"), "{msg}");
    assert!(msg.contains("ModuleNotFoundError"), "{msg}");
    assert!(
        msg.contains("from SNAKEBRIDGE_PYTHON), Python 3.99.1"),
        "{msg}"
    );
    assert!(msg.contains("pip install nope"), "{msg}");
    assert!(!dir.join("nope.json").exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn crash_reports_status_and_stderr() {
    let dir = temp_dir("crash");
    let fake = FakePython::new(&dir, "", "echo 'Fatal Python error: boom' >&2; exit 134");
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let err = load_or_introspect_with(&req, &dir, &fake.options()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, CacheError::IntrospectorCrashed { .. }),
        "{msg}"
    );
    assert!(msg.contains("134"), "{msg}");
    assert!(msg.contains("Fatal Python error: boom"), "{msg}");
    fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn timeout_kills_the_introspector() {
    let dir = temp_dir("timeout");
    let fake = FakePython::new(&dir, "{}", "exec sleep 30");
    let mut opts = fake.options();
    opts.timeout = Duration::from_millis(300);
    let req = IntrospectRequest::new("slow", Vec::<String>::new());
    let started = std::time::Instant::now();
    let err = load_or_introspect_with(&req, &dir, &opts).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(matches!(err, CacheError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("SNAKEBRIDGE_INTROSPECT_TIMEOUT"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_interpreter_is_python_not_found() {
    let dir = temp_dir("nopython");
    let opts = CacheOptions {
        offline: false,
        ..offline()
    };
    let req = IntrospectRequest::new("json", Vec::<String>::new());
    let err = load_or_introspect_with(&req, &dir, &opts).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CacheError::PythonNotFound { .. }), "{msg}");
    assert!(msg.contains("/nonexistent/python"), "{msg}");
    assert!(msg.contains("SNAKEBRIDGE_PYTHON"), "{msg}");
    fs::remove_dir_all(&dir).unwrap();
}

/// Parallel expansions where the first introspection fails (it removes the lockfile it created
/// and never wrote): another one introspects and its pin is in the lockfile on disk, and the
/// rest are hits.
#[cfg(unix)]
#[test]
fn a_failed_introspection_among_parallel_ones_leaves_the_pin_on_disk() {
    let dir = temp_dir("removed-lock");
    let failure = dir.join("failure.json");
    fs::write(
        &failure,
        serde_json::json!({
            "python_version": "3.99.1",
            "error": {"type": "ModuleNotFoundError", "message": "No module named 'fake'",
                      "traceback": "", "module": "fake"},
        })
        .to_string(),
    )
    .unwrap();
    let answer = serde_json::json!({
        "python_version": "3.99.1", "library_version": null, "warnings": [],
        "result": fake_module("fake"),
    });
    // The first run fails slowly, so that the other threads queue on its lock.
    let first_fails = format!(
        "if [ \"$(wc -l < \"$(dirname \"$0\")/runs\")\" -eq 1 ]; then sleep 0.5; cat '{}'; \
         exit 0; fi",
        failure.display()
    );
    let fake = FakePython::new(&dir, &answer.to_string(), &first_fails);
    let req = IntrospectRequest::new("fake", Vec::<String>::new());
    let cache = dir.join("cache");
    fs::create_dir_all(&cache).unwrap();
    let results: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..5)
            .map(|_| s.spawn(|| load_or_introspect_with(&req, &cache, &fake.options())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    assert_eq!(fake.runs(), 2, "one failed run, then one that pinned");
    let lock = read_lockfile_shared(&cache)
        .unwrap()
        .expect("the pin is in the lockfile on disk");
    let pin = &lock.entries["fake.json"];
    assert_eq!(
        pin.sha256,
        content_sha256(&fs::read(cache.join("fake.json")).unwrap())
    );
    fs::remove_dir_all(&dir).unwrap();
}
