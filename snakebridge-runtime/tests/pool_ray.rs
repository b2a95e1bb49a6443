//! The pool's workers as Ray actors (`PoolConfig::ray`): calls, sessions, refs, crashes, one
//! local cluster for the whole binary.

mod support;

use std::sync::Arc;

use snakebridge_runtime::{PoolClient, RayConfig, Value, call, with_client};

fn ray_pool(size: usize) -> Arc<PoolClient> {
    PoolClient::start(
        support::config(size).ray(RayConfig::local().num_cpus(0.1)),
    )
    .expect("the Ray pool starts")
}

#[test]
fn calls_run_in_ray_actors() {
    let pool = ray_pool(2);
    with_client(pool.clone(), || {
        let root: f64 = call("math", "sqrt", (16,)).unwrap();
        assert_eq!(root, 4.0);
        let node: Value = call("snakebridge_ray_helpers", "node", ()).unwrap();
        eprintln!("{node:?}");
    });
    pool.shutdown();
}
