//! Routing: which pool and which worker a call goes to (any free worker, the one holding its
//! refs, or its session's), and the error when that worker is gone.

use std::sync::Arc;

use super::callback;
use super::sched::Target;
use super::worker::{ID_SHIFT, Worker, lock};
use super::{PoolClient, session};
use crate::client::request::{CallOptions, Request};
use crate::data::error::{Error, Result};
use crate::data::pyref::{PyRef, RefHandle};
use crate::data::value::Value;

#[derive(Debug, Clone, Copy)]
pub(super) struct SessionRoute {
    pub(super) pool: usize,
    pub(super) incarnation: u64,
}

/// Where one call goes.
pub(super) struct Plan {
    pub(super) pool: usize,
    pub(super) target: Target,
    pub(super) bound: Bound,
}

pub(super) enum Bound {
    Free,
    /// Made by a Rust callback this thread runs for a request on `worker`: it goes to that
    /// worker, past its busy slot (`callback.rs`), in the thread's session if it has one.
    Callback {
        worker: Arc<Worker>,
        session: Option<u64>,
    },
    /// Pinned by a ref argument or target.
    Ref(PyRef),
    Session(u64),
}

impl PoolClient {
    pub(super) fn address(&self) -> usize {
        self as *const PoolClient as *const () as usize
    }

    /// Where the worker holding ref `r` is: (pool index, incarnation).
    pub(super) fn locate(&self, r: &PyRef) -> Result<(usize, u64)> {
        #[allow(unreachable_patterns)]
        let owner = match &r.inner.handle {
            RefHandle::Remote(owner) => owner,
            _ => {
                return Err(Error::StaleRef {
                    id: r.id(),
                    reason: format!(
                        "it belongs to the embedded interpreter, not to the {}",
                        self.label
                    ),
                });
            }
        };
        let incarnation = r.id() >> ID_SHIFT;
        let ptr = Arc::as_ptr(owner) as *const ();
        self.pools
            .iter()
            .position(|p| p.owns(incarnation, ptr))
            .map(|i| (i, incarnation))
            .ok_or_else(|| Error::StaleRef {
                id: r.id(),
                reason: format!("it belongs to {}", owner.describe()),
            })
    }

    /// The pool a free call to `pool` goes to: `pool`, or while it drains, the pool its
    /// `reroute_while_draining` names (one step; `start_all` checked the name). Only pools
    /// configured so pay a look at their state.
    fn rerouted(&self, pool: usize) -> usize {
        let from = &self.pools[pool];
        match &from.config.reroute_while_draining {
            Some(to) if from.is_draining() => self.pool_index(to).unwrap_or(pool),
            _ => pool,
        }
    }

    pub(super) fn plan(&self, req: &Request, opts: &CallOptions) -> Result<Plan> {
        // Data the worker's Python could not take (nested deeper than Python's recursion
        // limit) fails here, before anything is sent, and the worker is untouched.
        crate::data::nesting::check(req.args.iter().chain(req.kwargs.iter().map(|(_, v)| v)))?;
        // Inside a callback: the worker that called it, whatever the refs or the session say
        // (a ref of another worker is that worker's to report stale).
        if let Some(pin) = callback::pinned(self.address()) {
            let session = opts
                .session
                .or_else(|| session::current_for(self.address()));
            return Ok(Plan {
                pool: pin.pool,
                target: Target::Worker(pin.worker.incarnation),
                bound: Bound::Callback {
                    worker: pin.worker,
                    session,
                },
            });
        }
        let mut pinned: Option<(usize, u64, PyRef)> = None;
        let mut visit = |r: &PyRef| -> Result<()> {
            let (pool, inc) = self.locate(r)?;
            match &pinned {
                None => pinned = Some((pool, inc, r.clone())),
                Some((_, i, _)) if *i == inc => {}
                Some((_, _, first)) => {
                    return Err(Error::encode(format!(
                        "ref #{} and ref #{} live in different worker processes, so one call \
                         cannot use both; create the objects in one session (in_session) so \
                         they share a worker",
                        first.id(),
                        r.id()
                    )));
                }
            }
            Ok(())
        };
        if let Some(t) = &req.target {
            visit(t)?;
        }
        for v in req.args.iter().chain(req.kwargs.iter().map(|(_, v)| v)) {
            visit_refs(v, &mut visit)?;
        }
        let session = opts
            .session
            .or_else(|| session::current_for(self.address()));
        let plan =
            if let Some(sid) = session {
                let route = lock(&self.sessions).get(&sid).copied().ok_or_else(|| {
                    Error::SessionClosed {
                        id: sid,
                        reason: format!(
                            "it was closed, or it is not a session of this client ({})",
                            self.label
                        ),
                    }
                })?;
                if let Some((_, inc, r)) = &pinned
                    && *inc != route.incarnation
                {
                    return Err(Error::encode(format!(
                        "ref #{} lives in another worker process than session #{sid}; use refs \
                     made in the session (or outside any session) with it",
                        r.id()
                    )));
                }
                Plan {
                    pool: route.pool,
                    target: Target::Worker(route.incarnation),
                    bound: Bound::Session(sid),
                }
            } else if let Some((pool, inc, r)) = pinned {
                Plan {
                    pool,
                    target: Target::Worker(inc),
                    bound: Bound::Ref(r),
                }
            } else {
                let pool = match &opts.pool {
                    None => 0,
                    Some(name) => self.pool_index(name)?,
                };
                let pool = self.rerouted(pool);
                return Ok(Plan {
                    pool,
                    target: Target::Any,
                    bound: Bound::Free,
                });
            };
        if let Some(name) = &opts.pool
            && **name != *self.pools[plan.pool].name
        {
            return Err(Error::config(format!(
                "the call asks for pool `{name}`, but its {} lives in pool `{}`",
                match plan.bound {
                    Bound::Session(_) => "session",
                    _ => "ref",
                },
                self.pools[plan.pool].name
            )));
        }
        Ok(plan)
    }

    /// The error for a call whose pinned worker is gone.
    pub(super) fn gone(&self, plan: &Plan, cause: Option<String>) -> Error {
        let pool = &self.pools[plan.pool];
        match &plan.bound {
            Bound::Session(sid) => {
                let cause = cause
                    .or_else(|| match plan.target {
                        Target::Worker(inc) => pool.death_of(inc),
                        Target::Any => None,
                    })
                    .unwrap_or_else(|| "it is gone".into());
                Error::SessionClosed {
                    id: *sid,
                    reason: format!(
                        "its worker in pool `{}` {cause}; the state it held is gone, so open a \
                         new session",
                        pool.name
                    ),
                }
            }
            Bound::Ref(r) => Error::StaleRef {
                id: r.id(),
                reason: match &r.inner.handle {
                    RefHandle::Remote(owner) => format!("it belongs to {}", owner.describe()),
                    #[allow(unreachable_patterns)]
                    _ => "its worker is gone".into(),
                },
            },
            Bound::Callback { worker, .. } => Error::WorkerCrash {
                pool: pool.name.to_string(),
                worker: format!("{} (pid {})", worker.slot, worker.pid),
                cause: cause
                    .or_else(|| worker.refs.death())
                    .unwrap_or_else(|| "is gone".into()),
            },
            Bound::Free => Error::config(format!("pool `{}` has no worker", pool.name)),
        }
    }
}

/// Calls `f` on every ref inside `v` (without recursion: `v` may nest deep).
fn visit_refs(v: &Value, f: &mut impl FnMut(&PyRef) -> Result<()>) -> Result<()> {
    match v {
        Value::Ref(r) => return f(r),
        // A scalar holds no ref (and needs no walk).
        Value::List(_) | Value::Tuple(_) | Value::Set(_) | Value::FrozenSet(_) | Value::Dict(_) => {
        }
        _ => return Ok(()),
    }
    crate::data::nesting::walk([v], |v, _| match v {
        Value::Ref(r) => f(r).map(|()| false),
        _ => Ok(true),
    })
}
