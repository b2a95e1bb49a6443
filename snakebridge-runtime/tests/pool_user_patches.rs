//! User code in a worker that rebinds builtins or patches `os`, `json`, `select`, `sys` or
//! `time` (as test suites and some libraries do) does not change how the worker frames, reads,
//! writes or dispatches: later calls of every kind succeed on the same worker. A call that
//! breaks the worker anyway ends as `WorkerCrash`, never as a hang.

mod support;
#[path = "support/worker_package.rs"]
mod worker_package;

use std::sync::Arc;
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, NdArray, PoolClient, PyRef, Value, call, in_session, with_client,
};
use support::{crashed_pid, ready_pids, within};

/// Long enough never to fire on a working worker, short enough that a hung exchange fails the
/// test (as a `Timeout`) instead of hanging the run.
const DEADLINE: Duration = Duration::from_secs(60);

fn pool() -> Arc<PoolClient> {
    PoolClient::start(support::config(1).call_timeout(DEADLINE)).expect("the pool starts")
}

/// The pid of the pool's one worker.
fn worker_pid(pool: &Arc<PoolClient>) -> u32 {
    let pids = pool.worker_pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    pids[0]
}

/// Runs `code` in the worker, as a call (`exec` with fresh globals).
fn run(pool: &Arc<PoolClient>, code: &str) -> Result<Value, Error> {
    let code = code.to_owned();
    with_client(pool.clone(), || {
        call::<Value>("builtins", "exec", (code, Value::Dict(vec![])))
    })
}

/// Calls of every kind the worker serves, each checked: scalars, containers, a frame larger
/// than the pipe (written in parts), an error, refs and their release, a session, a stream,
/// arrays both ways (as attachments and through shared memory).
fn serves_everything(pool: &Arc<PoolClient>) {
    let pool = pool.clone();
    let ((), _) = within(DEADLINE * 2, "the calls after the patch", move || {
        with_client(pool.clone(), || {
            assert_eq!(call::<i64>("operator", "add", (40, 2)).unwrap(), 42);
            assert_eq!(call::<f64>("math", "sqrt", (16.0,)).unwrap(), 4.0);
            let list: Vec<i64> = call("builtins", "list", ((1, 2, 3),)).unwrap();
            assert_eq!(list, [1, 2, 3]);
            let text: String = call("builtins", "str", ("hello",)).unwrap();
            assert_eq!(text, "hello");
            let nested: Value = call(
                "builtins",
                "eval",
                ("{'a': [1, (2, 3)], 1: {4, 5}, 'big': 2 ** 70}",),
            )
            .unwrap();
            let Value::Dict(items) = nested else {
                panic!("{nested:?}")
            };
            assert_eq!(items.len(), 3);
            // 3 MB of reply: more than the pipe holds, so it is written in parts.
            let long: String = call("operator", "mul", ("xyz", 1_000_000)).unwrap();
            assert_eq!(long.len(), 3_000_000);
            let err = call::<f64>("math", "sqrt", (-1.0,)).unwrap_err();
            let Error::Python(python) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(python.class, "ValueError", "{err}");
            let obj: PyRef = call("collections", "OrderedDict", ()).unwrap();
            let _: () = obj.call_method("__setitem__", ("k", 7)).unwrap();
            assert_eq!(obj.call_method::<i64>("__getitem__", ("k",)).unwrap(), 7);
            drop(obj);
            let session = pool.session().unwrap();
            in_session(&session, || {
                let items: PyRef = call("builtins", "list", ()).unwrap();
                let _: () = items.call_method("append", (1,)).unwrap();
                assert_eq!(items.call_method::<i64>("__len__", ()).unwrap(), 1);
            });
            drop(session);
            let streamed: Vec<i64> = Call::<Value>::function("builtins", "range", (5,))
                .stream()
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(streamed, [0, 1, 2, 3, 4]);
            // Arrays both ways: small (attachments) and large (shared memory).
            for n in [100usize, 1 << 16] {
                let data: Vec<f64> = (0..n).map(|i| i as f64).collect();
                let back: NdArray =
                    call("operator", "pos", (NdArray::from_vec(data.clone()),)).unwrap();
                assert_eq!(back.to_vec::<f64>().unwrap(), data);
            }
        })
    });
}

/// Patches the worker with `code`, then checks it serves everything, and is the same process.
/// numpy is imported first: importing it needs the builtins some patches break (user code
/// that patches them breaks later imports itself; the worker's machinery is what is tested).
fn survives(code: &str) {
    let code = format!("import numpy\n{code}");
    survives_after(|pool| run(pool, &code).map(drop));
}

/// Runs `patch` on a fresh pool's worker, then checks it serves everything, and is the same
/// process.
fn survives_after(patch: impl FnOnce(&Arc<PoolClient>) -> Result<(), Error>) {
    let pool = pool();
    let before = worker_pid(&pool);
    patch(&pool).expect("the patch runs");
    serves_everything(&pool);
    assert_eq!(worker_pid(&pool), before, "the worker was replaced");
    assert_eq!(pool.stats("default").unwrap().restarts, 0);
}

#[test]
fn a_worker_whose_user_code_patches_builtins_len_serves_on() {
    survives("import builtins\nbuiltins.len = lambda *a, **k: 42\n");
}

#[test]
fn a_worker_whose_user_code_patches_builtins_isinstance_serves_on() {
    survives(
        "import builtins\n\
         builtins.isinstance = lambda *a: False\n\
         builtins.memoryview = None\n\
         builtins.int = None\n",
    );
}

#[test]
fn a_worker_whose_user_code_replaces_os_write_serves_on() {
    // Each replacement pretends to work: a worker that used them would lose its replies (or
    // take its requests for EOF) instead of failing loudly.
    survives(
        "import os\n\
         os.write = lambda fd, data: len(data)\n\
         os.writev = lambda fd, parts: sum(len(p) for p in parts)\n\
         os.read = lambda fd, n: b''\n\
         os.getpid = lambda: 1\n",
    );
}

#[test]
fn a_worker_whose_user_code_patches_json_select_sys_and_time_serves_on() {
    survives(
        "import json, select, sys, time\n\
         json.dumps = json.loads = None\n\
         json.JSONEncoder.encode = json.JSONDecoder.decode = None\n\
         select.poll = select.select = None\n\
         time.perf_counter = time.monotonic = None\n\
         sys.getrefcount = None\n\
         sys.stderr = None\n",
    );
}

#[test]
fn a_worker_whose_user_code_execs_without_globals_serves_on() {
    // `exec` and `eval` given no globals use their caller's: `__main__`'s namespace, as in a
    // script, never a module of the worker, whose names (`str`, `getattr`...) the `global`
    // statement would rebind.
    survives_after(|pool| {
        with_client(pool.clone(), || {
            let code = "global str, int, getattr, type, iter, max\n\
                        str = int = getattr = type = iter = max = None";
            call::<Value>("builtins", "exec", (code,))?;
            let seen: Value = call("builtins", "eval", ("(str, __name__)",))?;
            assert_eq!(
                seen,
                Value::Tuple(vec![Value::None, Value::from("__main__")])
            );
            Ok(())
        })
    });
}

/// A call whose user code breaks what the worker cannot do without, and the crash it must be,
/// over the pipes and over the shared ring (`PoolConfig::shared_ring`). With `answered_first`,
/// the breaking call may still be answered over the ring (what it broke was only the pipes,
/// which the ring needs only to sleep): the worker then dies when it next waits, and the pool
/// replaces it without failing the next call.
fn breaks_beyond_repair(code: &str, answered_first: bool) {
    for ring in [false, true] {
        let pool = PoolClient::start(support::config(1).call_timeout(DEADLINE).shared_ring(ring))
            .expect("the pool starts");
        let before = worker_pid(&pool);
        let (outcome, _) = {
            let pool = pool.clone();
            let code = code.to_owned();
            within(DEADLINE * 2, "the breaking call", move || run(&pool, &code))
        };
        match outcome {
            Ok(_) if ring && answered_first => {}
            Ok(v) => panic!("ring {ring}: the breaking call was answered: {v:?}"),
            Err(err) => {
                assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
                assert_eq!(crashed_pid(&err), before);
            }
        }
        assert_eq!(call_on(&pool), 3, "ring {ring}");
        let after = ready_pids(&pool, "default");
        assert!(!after.contains(&before), "ring {ring}: {after:?}");
    }
}

fn call_on(pool: &Arc<PoolClient>) -> i64 {
    with_client(pool.clone(), || call("operator", "add", (1, 2)).unwrap())
}

#[test]
fn a_call_that_closes_the_workers_pipes_is_a_worker_crash() {
    breaks_beyond_repair("import os\nos.closerange(3, 1 << 16)\n", true);
}

#[test]
fn a_call_that_breaks_the_workers_own_machinery_is_a_worker_crash() {
    // The channel's class, whichever carries the bytes (the pipes' or the ring's).
    breaks_beyond_repair(
        "import sys\nChannel = sys.modules['snakebridge_worker.channel'].Channel\n\
         for c in (Channel, *Channel.__subclasses__()):\n    c.write_frame = None\n",
        false,
    );
}

/// The static side of the same promise: every module of the worker package uses its own copy
/// of the builtins, and no function looks an attribute up on a shared module (`os`, `json`,
/// `sys`...) at run time (`support/worker_isolation.py`, run over the package as a worker
/// loads it).
#[test]
fn the_worker_package_holds_its_own_references() {
    let out = worker_package::run_worker_package(
        include_str!("support/worker_isolation.py"),
        &[(
            "SB_MODULES",
            worker_package::worker_module_names().join(","),
        )],
    );
    assert!(out.status.success(), "{}", out.text);
    assert!(out.text.contains("checked "), "{}", out.text);
}
