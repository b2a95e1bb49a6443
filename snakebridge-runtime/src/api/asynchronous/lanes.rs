//! The runners of `call_async`: per client and group ([`AsyncLanes`]), a queue of calls and up
//! to `threads` runtime threads that take them in order and run them as blocking calls. The
//! caller's executor only ever polls a [`CallFuture`](super::CallFuture); Python work (and
//! attaching to the interpreter) happens on these threads, and thousands of calls wait in the
//! queue without a thread each.
//!
//! A runner that finds no call for [`IDLE`] ends, and the last one of a group removes the group,
//! so a client dropped after its async calls leaves nothing behind.
//!
//! While calls come back quickly (under [`QUICK`] each), a runner of a client that pipelines
//! ([`AsyncLanes::pipeline`]) takes several queued calls at once, its share of the queue, and
//! hands them to the client together ([`RuntimeClient::execute_async_batch`]): a pool sends
//! them all to one worker before waiting, so a worker never idles for a round trip between
//! short calls. Slower calls go one at a time, so none waits behind a slow one while a worker
//! is free.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::client::{AsyncBatch, AsyncLanes, AsyncRequest, RuntimeClient, with_client};
use crate::data::error::Error;

/// How long a runner with nothing to do stays.
const IDLE: Duration = Duration::from_secs(2);

/// How long a runner that ran out of calls looks for the next one before it sleeps: a caller
/// that awaits one call and then makes the next (a request handler, say) finds it awake, rather
/// than paying for a wake-up (tens of µs on an idle machine). Like the pool's spin, once per
/// idle spell.
const LINGER: Duration = Duration::from_micros(100);

/// A runner takes several calls at once only while its calls took less than this each (the
/// last call, or the last batch's mean): a round trip, which pipelining saves, is then a large
/// part of a call, and a call that waits behind another in the batch waits little.
const QUICK: Duration = Duration::from_micros(200);

/// A hand-over takes at most this many times the lanes' `pipeline` calls, so its runner comes
/// back to the queue's order now and then (a slow call among quick ones, a cancellation).
const HAND_OVER_ROUNDS: usize = 16;

/// One queued call, type-erased.
pub(super) trait Job: Send {
    /// The caller dropped its future: the call must not be sent.
    fn is_cancelled(&self) -> bool;
    /// Runs the call and hands the result to the future.
    fn run(self: Box<Self>);
    /// Fails the future without running the call.
    fn reject(self: Box<Self>, error: Error);
    /// Runs before every queued call, past the queue's limits (a cancellation).
    fn urgent(&self) -> bool {
        false
    }
    /// The call as a request a client may run beside others, or the job itself when it must
    /// run alone ([`Job::run`]).
    fn into_request(self: Box<Self>) -> Result<Prepared, Box<dyn Job>>;
}

/// A call ready to hand to its client with others.
pub(super) struct Prepared {
    pub(super) client: Arc<dyn RuntimeClient>,
    pub(super) request: Box<AsyncRequest>,
}

/// A client's cancellation hook ([`CancelToken`](crate::client::CancelToken)), run by a runner.
pub(super) struct Urgent(pub(super) Box<dyn FnOnce() + Send>);

impl Job for Urgent {
    fn is_cancelled(&self) -> bool {
        false
    }

    fn run(self: Box<Self>) {
        (self.0)()
    }

    fn reject(self: Box<Self>, _error: Error) {
        (self.0)()
    }

    fn urgent(&self) -> bool {
        true
    }

    fn into_request(self: Box<Self>) -> Result<Prepared, Box<dyn Job>> {
        Err(self)
    }
}

struct Queued {
    job: Box<dyn Job>,
    since: Instant,
}

struct State {
    jobs: VecDeque<Queued>,
    /// Runner threads alive, and how many of them wait for a job.
    threads: usize,
    idle: usize,
    /// Runners looking for a call before they sleep ([`LINGER`]).
    lingering: usize,
    lanes: AsyncLanes,
}

struct Group {
    key: (usize, usize),
    state: Mutex<State>,
    wake: Condvar,
    /// Counts the calls queued so far: what a lingering runner watches, without the lock.
    queued: AtomicUsize,
}

/// Groups by (client address, group).
type Groups = HashMap<(usize, usize), Arc<Group>>;

/// Every group with runners or queued calls. Locked before a group's own state, never after.
static GROUPS: Mutex<Option<Groups>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A runner's job runs outside these locks (and panics are caught), so poisoning is only
    // possible from a bug here; the state stays consistent either way.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Queues `job` for the client at `client` with `lanes`, starting a runner when all are busy
/// and fewer than `lanes.threads` run. A full queue rejects the job at once.
pub(super) fn submit(client: usize, lanes: AsyncLanes, job: Box<dyn Job>) {
    let key = (client, lanes.group);
    let mut groups = lock(&GROUPS);
    let group = groups
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| {
            Arc::new(Group {
                key,
                state: Mutex::new(State {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    lingering: 0,
                    lanes: lanes.clone(),
                }),
                wake: Condvar::new(),
                queued: AtomicUsize::new(0),
            })
        })
        .clone();
    let mut state = lock(&group.state);
    drop(groups);
    // The latest limits win (a client at a recycled address, or a reconfigured one).
    state.lanes = lanes;
    let urgent = job.urgent();
    if !urgent && state.jobs.len() >= state.lanes.max_queue {
        let error = saturated(
            &state.lanes,
            format!(
                "{} async calls are already waiting for a worker (PoolConfig::max_queue)",
                state.jobs.len()
            ),
        );
        drop(state);
        job.reject(error);
        return;
    }
    let queued = Queued {
        job,
        since: Instant::now(),
    };
    if urgent {
        state.jobs.push_front(queued);
    } else {
        state.jobs.push_back(queued);
    }
    group.queued.fetch_add(1, Ordering::Release);
    if state.idle > 0 {
        group.wake.notify_one();
    }
    // More calls than idle runners: one more runner, up to the limit.
    let waiting = state.idle + state.lingering;
    if state.jobs.len() > waiting && state.threads < state.lanes.threads.max(1) {
        state.threads += 1;
        let name = format!("snakebridge-async {}", state.lanes.label);
        drop(state);
        let runner = group.clone();
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn(move || run(runner));
        if let Err(e) = spawned {
            // No thread: fail what this runner would have taken (others, if any, go on).
            let mut state = lock(&group.state);
            state.threads -= 1;
            if state.threads == 0 {
                let jobs: Vec<Queued> = state.jobs.drain(..).collect();
                drop(state);
                for q in jobs {
                    q.job.reject(Error::config(format!(
                        "cannot start a thread to run async calls: {e}"
                    )));
                }
            }
        }
    }
}

fn saturated(lanes: &AsyncLanes, message: String) -> Error {
    Error::Saturated {
        pool: lanes.label.to_string(),
        message,
    }
}

/// One runner: takes queued calls in order until none comes for [`IDLE`], several at once
/// while they run quickly.
fn run(group: Arc<Group>) {
    let mut quick = false;
    loop {
        let Some(taken) = next(&group, quick) else {
            return;
        };
        let jobs: Vec<Box<dyn Job>> = taken.into_iter().filter_map(|q| admit(&group, q)).collect();
        let started = Instant::now();
        let urgent = jobs.iter().any(|j| j.urgent());
        let n = match <[_; 1]>::try_from(jobs) {
            Ok([job]) => {
                run_one(job);
                1
            }
            Err(jobs) if jobs.is_empty() => continue,
            Err(jobs) => run_together(&group, jobs, started),
        };
        if !urgent {
            quick = started.elapsed() < QUICK * n as u32;
        }
    }
}

/// The job of `queued`, unless it must not run: dropped while queued (never sent), or queued
/// past the queue timeout (failed with [`Error::Saturated`]).
fn admit(group: &Group, queued: Queued) -> Option<Box<dyn Job>> {
    if queued.job.is_cancelled() {
        return None;
    }
    let waited_too_long = if queued.job.urgent() {
        None
    } else {
        let state = lock(&group.state);
        state
            .lanes
            .queue_timeout
            .filter(|t| queued.since.elapsed() > *t)
            .map(|t| {
                saturated(
                    &state.lanes,
                    format!("no worker became free within {t:?} (PoolConfig::queue_timeout)"),
                )
            })
    };
    if let Some(error) = waited_too_long {
        queued.job.reject(error);
        return None;
    }
    Some(queued.job)
}

fn run_one(job: Box<dyn Job>) {
    // A panic in the call (a `FromValue` impl, say) fails this future, not the runner: the
    // job's sender drops unsent and the future reports it.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run()));
}

/// Hands the calls among `jobs` that may go together to their client at once (they share it:
/// a group is one client's), with more from the queue as the client asks for them (see
/// [`take_more`]), and runs the others alone. How many calls ran.
fn run_together(group: &Group, jobs: Vec<Box<dyn Job>>, started: Instant) -> usize {
    let mut client = None;
    let mut requests = Vec::with_capacity(jobs.len());
    let mut alone = Vec::new();
    for job in jobs {
        match job.into_request() {
            Ok(p) => {
                client.get_or_insert(p.client);
                requests.push(p.request);
            }
            Err(job) => alone.push(job),
        }
    }
    let mut ran = requests.len() + alone.len();
    if let Some(client) = client {
        let alone_at_first = alone.len();
        let most = lock(&group.state)
            .lanes
            .pipeline
            .saturating_mul(HAND_OVER_ROUNDS);
        let mut took = requests.len();
        let mut more = || match take_more(group, started, &mut took, most)? {
            More::Call(request) => Some(request),
            More::Alone(job) => {
                alone.push(job);
                None
            }
        };
        // A panic drops the replies not yet sent: each sends its future an error.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let batch = AsyncBatch::with_more(requests, &mut more);
            with_client(client.clone(), || client.execute_async_batch(batch))
        }));
        ran = took + alone_at_first;
    }
    for job in alone {
        run_one(job);
    }
    ran
}

/// One more call for a hand-over that started at `started` and took `took` calls so far (at
/// most `most`): the next queued call as a request, while calls came back quickly (under
/// [`QUICK`] each on average), the queue has more calls than runners waiting for work, and its
/// next call is no cancellation (which runs first, once the hand-over ends). A call that must
/// run alone ends the hand-over and comes back as [`More::Alone`], to run after it.
fn take_more(group: &Group, started: Instant, took: &mut usize, most: usize) -> Option<More> {
    if *took >= most || started.elapsed() >= QUICK * *took as u32 {
        return None;
    }
    loop {
        let queued = {
            let mut state = lock(&group.state);
            // Runners waiting for work get the queue's calls first (their workers are idle).
            let waiting = state.idle + state.lingering;
            if state.jobs.len() <= waiting || state.jobs.front().is_none_or(|q| q.job.urgent()) {
                return None;
            }
            state.jobs.pop_front()?
        };
        let Some(job) = admit(group, queued) else {
            continue;
        };
        *took += 1;
        return Some(match job.into_request() {
            Ok(p) => More::Call(p.request),
            Err(job) => More::Alone(job),
        });
    }
}

/// What [`take_more`] took from the queue.
enum More {
    /// A call for the hand-over.
    Call(Box<AsyncRequest>),
    /// A call that must run alone: the hand-over ends, and it runs after.
    Alone(Box<dyn Job>),
}

/// The next calls for a runner of `group` (one, or with `several` up to its share of the queue
/// and the lanes' `pipeline`, none urgent), or `None` when it should end.
fn next(group: &Arc<Group>, several: bool) -> Option<Vec<Queued>> {
    let mut state = lock(&group.state);
    let mut lingered = false;
    loop {
        if let Some(q) = state.jobs.pop_front() {
            let mut taken = vec![q];
            if several && !taken[0].job.urgent() {
                // Its share: the other runners take theirs.
                let share = (state.jobs.len() + 1).div_ceil(state.threads.max(1));
                let most = share.min(state.lanes.pipeline);
                while taken.len() < most && state.jobs.front().is_some_and(|q| !q.job.urgent()) {
                    taken.extend(state.jobs.pop_front());
                }
            }
            return Some(taken);
        }
        if !lingered {
            lingered = true;
            let seen = group.queued.load(Ordering::Acquire);
            state.lingering += 1;
            drop(state);
            let start = Instant::now();
            while group.queued.load(Ordering::Acquire) == seen && start.elapsed() < LINGER {
                std::hint::spin_loop();
            }
            state = lock(&group.state);
            state.lingering -= 1;
            continue;
        }
        state.idle += 1;
        let (guard, waited) = group
            .wake
            .wait_timeout(state, IDLE)
            .unwrap_or_else(|e| e.into_inner());
        state = guard;
        state.idle -= 1;
        if waited.timed_out() && state.jobs.is_empty() {
            // Leave, in the lock order: the registry, then the group.
            drop(state);
            let mut groups = lock(&GROUPS);
            let mut state = lock(&group.state);
            if let Some(q) = state.jobs.pop_front() {
                // Work came while this runner was leaving: it stays.
                return Some(vec![q]);
            }
            state.threads -= 1;
            if state.threads == 0
                && let Some(map) = groups.as_mut()
                && map.get(&group.key).is_some_and(|g| Arc::ptr_eq(g, group))
            {
                map.remove(&group.key);
            }
            return None;
        }
    }
}
