//! Wakes of `call_async` futures that a runtime thread holds back while it settles a run of
//! answers that are already there ([`HeldWakes`]), so the caller's executor is woken once for
//! the run instead of once per answer.
//!
//! Why: an executor awaiting many calls in order sleeps on the first one not finished. Woken
//! for each answer, it runs (on a machine with few cores, in place of the runner that woke it),
//! finds the next call not finished yet and sleeps again: two context switches per call, which
//! cost far more than the call. Woken once the runner has nothing more at hand, it finds the
//! whole run finished. A wake is never held while the runner waits: the holder releases them
//! before any wait ([`HeldWakes::release`]) and when it ends, and a long run releases them
//! every [`MOST_HELD`].

use std::cell::RefCell;
use std::task::Waker;

thread_local! {
    /// The wakes held on this thread, while a [`HeldWakes`] lives on it.
    static HELD: RefCell<Option<Vec<Waker>>> = const { RefCell::new(None) };
}

/// The most wakes held at once: a long run of answers wakes its executor now and then, so
/// the first of them is not kept waiting for the last.
const MOST_HELD: usize = 32;

/// Wakes `waker` now, or once the [`HeldWakes`] alive on this thread releases its wakes (or
/// [`MOST_HELD`] are held).
pub(crate) fn wake(waker: Waker) {
    let mut waker = Some(waker);
    let due = HELD.with(|held| {
        let mut held = held.borrow_mut();
        let wakers = held.as_mut()?;
        wakers.extend(waker.take());
        (wakers.len() >= MOST_HELD).then(|| std::mem::take(wakers))
    });
    // Outside the borrow: a waker may run anything, even a `call_async` of its own.
    for waker in waker.into_iter().chain(due.into_iter().flatten()) {
        waker.wake();
    }
}

/// While alive, the wakes [`wake`] is asked for on this thread wait until [`release`] or its
/// drop. Nested holders share the outer one's wakes (only the outer one ends the holding).
///
/// [`release`]: HeldWakes::release
pub(crate) struct HeldWakes {
    outer: bool,
}

impl HeldWakes {
    /// Starts holding this thread's wakes.
    pub(crate) fn hold() -> HeldWakes {
        let outer = HELD.with(|held| {
            let mut held = held.borrow_mut();
            let outer = held.is_none();
            if outer {
                *held = Some(Vec::new());
            }
            outer
        });
        HeldWakes { outer }
    }

    /// Wakes the futures held so far (before this thread waits); holding goes on.
    pub(crate) fn release(&self) {
        let wakers = HELD.with(|held| held.borrow_mut().as_mut().map(std::mem::take));
        // Outside the borrow: a waker may run anything, even a `call_async` of its own.
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }
}

impl Drop for HeldWakes {
    fn drop(&mut self) {
        if !self.outer {
            self.release();
            return;
        }
        // Holding ends before the wakes run: a waker that wakes another future here wakes it
        // at once.
        let rest = HELD.with(|held| held.borrow_mut().take());
        for waker in rest.into_iter().flatten() {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    fn woken(count: &Count) -> usize {
        count.0.load(Ordering::SeqCst)
    }

    #[test]
    fn without_a_holder_a_wake_happens_at_once() {
        let (count, waker) = counter();
        wake(waker);
        assert_eq!(woken(&count), 1);
    }

    #[test]
    fn held_wakes_happen_on_release_and_on_drop_and_not_before() {
        let (count, waker) = counter();
        let holder = HeldWakes::hold();
        wake(waker.clone());
        wake(waker.clone());
        assert_eq!(woken(&count), 0, "held");
        holder.release();
        assert_eq!(woken(&count), 2, "released");
        wake(waker);
        assert_eq!(woken(&count), 2, "still holding after a release");
        drop(holder);
        assert_eq!(woken(&count), 3, "released on drop");
    }

    #[test]
    fn a_nested_holder_leaves_the_holding_to_the_outer_one() {
        let (count, waker) = counter();
        let outer = HeldWakes::hold();
        drop(HeldWakes::hold());
        wake(waker.clone());
        assert_eq!(woken(&count), 0, "the outer holder still holds");
        drop(outer);
        assert_eq!(woken(&count), 1);
        wake(waker);
        assert_eq!(woken(&count), 2, "no holder: at once");
    }

    #[test]
    fn a_long_run_wakes_every_most_held() {
        let (count, waker) = counter();
        let _holder = HeldWakes::hold();
        for _ in 0..MOST_HELD - 1 {
            wake(waker.clone());
        }
        assert_eq!(woken(&count), 0);
        wake(waker);
        assert_eq!(woken(&count), MOST_HELD);
    }

    #[test]
    fn another_thread_is_not_held() {
        let (count, waker) = counter();
        let _holder = HeldWakes::hold();
        std::thread::spawn(move || wake(waker)).join().unwrap();
        assert_eq!(woken(&count), 1);
    }
}
