//! The cache trusts a file only when the lockfile pins its content hash (issue 32): a cache
//! file edited by hand (here: a function added that Python does not have) is never bound as it
//! stands, whatever state the lockfile is in.
//!
//! Each case starts from a real introspection of a standard-library module with the machine's
//! Python (chosen like the macro does: `SNAKEBRIDGE_PYTHON`, ...), plants the function, puts the
//! lockfile in one state (absent, empty, pinning only another file, or pinning the file as it
//! was), and loads again online, offline and with no Python, asserting what the user sees.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use snakebridge_codegen::cache::{
    CacheError, CacheOptions, IntrospectRequest, LOCKFILE_NAME, Loaded, LockEntry, Lockfile,
    Refresh, load_or_introspect_with, read_cache_file, read_lockfile_shared, serialize_cache_file,
};
use snakebridge_codegen::model::FunctionInfo;
use snakebridge_codegen::python::{Interpreter, InterpreterSource, content_sha256};

/// The function planted in the cache file; `colorsys` has no such thing.
const PLANTED: &str = "not_in_python";

fn request() -> IntrospectRequest {
    IntrospectRequest::new("colorsys", Vec::<String>::new())
}

fn options(offline: bool) -> CacheOptions {
    CacheOptions {
        refresh: Refresh::No,
        offline,
        interpreter: Interpreter::from_env(),
        timeout: Duration::from_secs(120),
    }
}

/// Online, but the interpreter does not exist.
fn no_python() -> CacheOptions {
    CacheOptions {
        interpreter: Interpreter::new(
            "/nonexistent/python".into(),
            InterpreterSource::SnakebridgePython,
        ),
        ..options(false)
    }
}

/// How the lockfile is left after the cache file was edited.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LockState {
    /// Deleted.
    Absent,
    /// A 0-byte file (what earlier versions left behind).
    Empty,
    /// Pins only a file of another module.
    OtherFile,
    /// Pins this file as it was before the edit.
    Pinned,
}

const UNPINNED: [LockState; 3] = [LockState::Absent, LockState::Empty, LockState::OtherFile];

/// The text the user sees about the lockfile in each unpinned state.
fn state_text(state: LockState) -> &'static str {
    match state {
        LockState::Absent => "there is no snakebridge.lock beside it",
        LockState::Empty => "snakebridge.lock pins no file",
        LockState::OtherFile => "snakebridge.lock pins only other.json",
        LockState::Pinned => unreachable!("a pinned file is not unpinned"),
    }
}

struct Scene {
    dir: PathBuf,
    cache_file: PathBuf,
    lockfile: PathBuf,
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A cache directory holding a real introspection of `colorsys` with [`PLANTED`] added by
/// hand, and the lockfile in `state`.
fn scene(tag: &str, state: LockState) -> Scene {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "snakebridge-trust-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let first = load_or_introspect_with(&request(), &dir, &options(false))
        .unwrap_or_else(|e| panic!("introspecting colorsys failed: {e}"));
    assert!(!first.hit);
    let lockfile = dir.join(LOCKFILE_NAME);
    let pinned = read_lockfile_shared(&dir).unwrap().unwrap();

    let mut file = read_cache_file(&first.path).unwrap();
    assert!(!binds_planted(&file.result.functions));
    file.result.functions.push(FunctionInfo {
        name: PLANTED.into(),
        ..Default::default()
    });
    fs::write(&first.path, serialize_cache_file(&file)).unwrap();

    match state {
        LockState::Absent => fs::remove_file(&lockfile).unwrap(),
        LockState::Empty => fs::write(&lockfile, "").unwrap(),
        LockState::OtherFile => {
            let entry = pinned.entries["colorsys.json"].clone();
            let other = Lockfile {
                entries: [(
                    "other.json".to_string(),
                    LockEntry {
                        module: "other".into(),
                        ..entry
                    },
                )]
                .into(),
                ..Lockfile::default()
            };
            fs::write(&lockfile, serde_json::to_string_pretty(&other).unwrap()).unwrap();
        }
        LockState::Pinned => {}
    }
    Scene {
        dir,
        cache_file: first.path,
        lockfile,
    }
}

fn binds_planted(functions: &[FunctionInfo]) -> bool {
    functions.iter().any(|f| f.name == PLANTED)
}

fn still_planted(scene: &Scene) -> bool {
    fs::read_to_string(&scene.cache_file)
        .unwrap()
        .contains(PLANTED)
}

fn load(scene: &Scene, opts: &CacheOptions) -> Result<Loaded, CacheError> {
    load_or_introspect_with(&request(), &scene.dir, opts)
}

/// Online, an unpinned file is introspected again: the planted function is gone from the
/// result and the file, the new file is pinned (beside the other file's pin), and the next
/// build is a hit.
#[test]
fn an_unpinned_file_is_introspected_again_and_pinned_online() {
    for state in UNPINNED {
        let scene = scene("online", state);
        let loaded = load(&scene, &options(false)).unwrap();
        assert!(!loaded.hit, "{state:?}: the unpinned file was used");
        assert!(!binds_planted(&loaded.module.functions), "{state:?}");
        assert!(
            !still_planted(&scene),
            "{state:?}: the file was not replaced"
        );
        let reason = loaded.miss_reason.unwrap();
        assert!(reason.contains("colorsys.json is not pinned"), "{reason}");
        assert!(reason.contains(state_text(state)), "{state:?}: {reason}");

        let lock = read_lockfile_shared(&scene.dir).unwrap().unwrap();
        let pin = &lock.entries["colorsys.json"];
        assert_eq!(
            pin.sha256,
            content_sha256(&fs::read(&scene.cache_file).unwrap())
        );
        assert_eq!(
            lock.entries.contains_key("other.json"),
            state == LockState::OtherFile,
            "{state:?}: another file's pin is kept, and only that"
        );

        let again = load(&scene, &options(true)).unwrap();
        assert!(again.hit, "{state:?}: the re-pinned file is a hit offline");
        assert_eq!(again.module, loaded.module);
    }
}

/// Offline, an unpinned file is refused with a message that says why and what to do, and
/// nothing is written: the file stays as it is and no lockfile appears. A rebuild refuses it
/// again.
#[test]
fn an_unpinned_file_is_refused_offline() {
    for state in UNPINNED {
        let scene = scene("offline", state);
        let before = fs::read(&scene.lockfile).ok();
        for build in ["first", "second"] {
            let err = load(&scene, &options(true)).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, CacheError::Unpinned { .. }),
                "{state:?}, {build} build: {msg}"
            );
            assert!(
                msg.starts_with(&format!(
                    "the introspection cache file {} for `colorsys` is not pinned: {};",
                    scene.cache_file.display(),
                    state_text(state)
                )),
                "{msg}"
            );
            assert!(
                msg.contains("cannot be introspected again: SNAKEBRIDGE_OFFLINE is set"),
                "{msg}"
            );
            assert!(
                msg.contains(
                    "fix: if the file is the one snakebridge wrote, restore the lockfile beside \
                     it from version control; else build once with Python and `colorsys` \
                     installed (SNAKEBRIDGE_OFFLINE unset) to introspect it again and pin it"
                ),
                "{msg}"
            );
            assert!(still_planted(&scene));
            assert_eq!(fs::read(&scene.lockfile).ok(), before, "{state:?}");
        }
    }
}

/// With no Python to introspect it again, an unpinned file is refused likewise (the error
/// names the interpreter's failure), and the lockfile the attempt had to create for its lock
/// is not left behind empty.
#[test]
fn an_unpinned_file_without_python_is_refused_and_leaves_no_empty_lockfile() {
    for state in UNPINNED {
        let scene = scene("nopython", state);
        let before = fs::read(&scene.lockfile).ok();
        let err = load(&scene, &no_python()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::Unpinned { .. }), "{msg}");
        assert!(msg.contains(state_text(state)), "{msg}");
        assert!(
            msg.contains(
                "cannot be introspected again: introspecting it failed: cannot run Python to \
                 introspect `colorsys`"
            ),
            "{msg}"
        );
        assert!(still_planted(&scene));
        match state {
            // The attempt created the lockfile to lock it; it removed it again.
            LockState::Absent => assert!(!scene.lockfile.exists(), "a lockfile was left"),
            // A 0-byte lockfile pins nothing: it is not left either.
            LockState::Empty => assert!(!scene.lockfile.exists(), "the empty lockfile was left"),
            _ => assert_eq!(fs::read(&scene.lockfile).ok(), before),
        }
    }
}

/// A pinned file whose content no longer matches its pin is refused, online and offline alike,
/// as modified; nothing is rewritten.
#[test]
fn an_edited_pinned_file_is_refused_online_and_offline() {
    let scene = scene("edited", LockState::Pinned);
    let lock_before = fs::read(&scene.lockfile).unwrap();
    for opts in [options(false), options(true)] {
        let err = load(&scene, &opts).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::Corrupt { .. }), "{msg}");
        assert!(
            msg.starts_with(&format!(
                "corrupt snakebridge cache file {}: the cache file was modified or is corrupt: \
                 its sha256 is ",
                scene.cache_file.display()
            )),
            "{msg}"
        );
        assert!(
            msg.contains("but snakebridge.lock pins"),
            "offline={}: {msg}",
            opts.offline
        );
        assert!(
            msg.contains("fix: delete it, or rebuild with SNAKEBRIDGE_REFRESH=1"),
            "{msg}"
        );
        assert!(still_planted(&scene));
        assert_eq!(fs::read(&scene.lockfile).unwrap(), lock_before);
    }
}
