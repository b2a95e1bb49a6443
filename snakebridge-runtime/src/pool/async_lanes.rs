//! How `call_async` calls run on a pool ([`RuntimeClient::async_lanes`]): one runtime runner
//! thread per worker of the call's pool (more would only wait in the pool's queue), behind a
//! queue with the pool's own `max_queue` and `queue_timeout`; and the session of the
//! creating thread's [`in_session`](super::in_session) scope, written into the call so it holds
//! wherever the future is polled.
//!
//! [`RuntimeClient::async_lanes`]: crate::client::RuntimeClient::async_lanes

use super::{PoolClient, session};
use crate::client::AsyncLanes;
use crate::client::request::CallOptions;

/// The most short calls a runner takes from the queue at once, to write ahead to one worker
/// (`pipeline.rs`, which takes more as answers come): few enough that the runners share the
/// queue's calls among the workers evenly.
const PIPELINE: usize = 32;

impl PoolClient {
    pub(super) fn lanes_for(&self, options: &CallOptions) -> AsyncLanes {
        // An unknown pool name fails when the call runs, with the usual message.
        let index = options
            .pool
            .as_deref()
            .and_then(|name| self.pool_index(name).ok())
            .unwrap_or(0);
        let pool = &self.pools[index];
        AsyncLanes {
            group: index,
            threads: pool.config.size,
            max_queue: pool.config.max_queue,
            queue_timeout: Some(pool.config.queue_timeout),
            label: pool.name.clone(),
            pipeline: PIPELINE,
        }
    }

    pub(super) fn capture_session(&self, options: &mut CallOptions) {
        if options.session.is_none() {
            options.session = session::current_for(self.address());
        }
    }
}
