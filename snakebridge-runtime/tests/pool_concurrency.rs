//! Many threads through a small pool: every result reaches the caller that asked for it.

mod support;

use snakebridge_runtime::{Call, PyRef, Value, call, construct, with_client};
use support::{all_gone, pool};

#[test]
fn eight_threads_times_two_thousand_calls_through_a_pool_of_two() {
    let pool = pool(2);
    let pids = pool.worker_pids();
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                with_client(pool, || {
                    for i in 0..2_000i64 {
                        let a = t * 1_000_000 + i;
                        match i % 4 {
                            0 => {
                                let r: i64 = call("operator", "add", (a, 7)).unwrap();
                                assert_eq!(r, a + 7);
                            }
                            1 => {
                                let r: String = call("builtins", "repr", ((t, i),)).unwrap();
                                assert_eq!(r, format!("({t}, {i})"));
                            }
                            2 => {
                                let r: Vec<i64> =
                                    Call::function("builtins", "sorted", (vec![i, t, a],))
                                        .kwarg("reverse", true)
                                        .call()
                                        .unwrap();
                                let mut want = vec![i, t, a];
                                want.sort_unstable_by(|x, y| y.cmp(x));
                                assert_eq!(r, want);
                            }
                            _ => {
                                let s: String = call("builtins", "str", (a,)).unwrap();
                                assert_eq!(s, a.to_string());
                            }
                        }
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().expect("every caller got its own results");
    }
    drop(pool);
    assert!(all_gone(&pids));
}

#[test]
fn threads_sharing_refs_and_creating_their_own() {
    let pool = pool(2);
    let shared: PyRef =
        with_client(pool.clone(), || construct("collections", "Counter", ())).unwrap();
    let threads: Vec<_> = (0..4i64)
        .map(|t| {
            let (pool, shared) = (pool.clone(), shared.clone());
            std::thread::spawn(move || {
                with_client(pool, || {
                    for i in 0..200i64 {
                        let _: Value = shared
                            .call_method("update", (vec![format!("t{t}")],))
                            .unwrap();
                        let own: PyRef =
                            construct("snakebridge_testmod", "Thing", (format!("{t}-{i}"),))
                                .unwrap();
                        let loud: String = own.call_method("shout", ("?",)).unwrap();
                        assert_eq!(loud, format!("{t}-{i}?"));
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for t in 0..4 {
        let n: i64 = with_client(pool.clone(), || {
            shared.call_method("__getitem__", (format!("t{t}"),))
        })
        .unwrap();
        assert_eq!(n, 200);
    }
}
