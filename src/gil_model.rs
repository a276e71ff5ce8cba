//! A model of CPython's global interpreter lock, for the `gil` strategy.
//!
//! The documents' central measurement is that Python threads do not speed up pure-Python CPU
//! work but do speed up numpy and I/O work, because only the thread holding the GIL runs
//! bytecode while numpy, BLAS and blocking I/O release it. Rust has no such lock, so this
//! module supplies one with CPython's scheduling rules (Python/ceval_gil.c, 3.2 and later):
//!
//! * A thread that wants the lock waits up to one switch interval (5 ms by default, like
//!   `sys.getswitchinterval()`); if no switch happened meanwhile it sets a drop request.
//! * The holder checks for a drop request at its "eval breaker" points ([`tick`], which the
//!   interpreter-style loops call every [`TICK_EVERY`] operations), releases the lock, and
//!   waits until another thread has taken it (FORCE_SWITCHING), so it cannot grab it back at
//!   once.
//! * Array, BLAS and I/O work runs inside [`released`], as numpy and the I/O layer drop the
//!   lock around their C loops and system calls.
//!
//! The lock lives in a thread-local of the threads the `gil` strategy starts; everywhere else
//! (other strategies, worker processes) [`tick`] and [`released`] cost one thread-local read
//! and do nothing.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How many interpreter operations pass between two checks for a drop request: CPython checks
/// its eval breaker every few bytecodes; a few hundred of our operations take well under a
/// microsecond, far below the switch interval.
pub const TICK_EVERY: usize = 256;

/// CPython's default `sys.getswitchinterval()`.
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

#[derive(Default)]
struct State {
    held: bool,
    /// Incremented on every acquisition: a waiter that sees it unchanged after a full interval
    /// knows the holder has not let go, and asks it to.
    switches: u64,
    waiters: usize,
}

/// One interpreter lock shared by the threads of one `gil` run.
pub struct Gil {
    state: Mutex<State>,
    /// Signalled when the lock is released.
    released_cv: Condvar,
    /// Signalled when the lock is taken (what a forced dropper waits for).
    taken_cv: Condvar,
    drop_request: AtomicBool,
    interval: Duration,
}

impl Gil {
    pub fn new(interval: Duration) -> Arc<Gil> {
        Arc::new(Gil {
            state: Mutex::new(State::default()),
            released_cv: Condvar::new(),
            taken_cv: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: interval.max(Duration::from_micros(1)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the bookkeeping mutex cannot leave `State` inconsistent
        // (every update is a single field store), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn acquire(&self) {
        let mut s = self.lock();
        s.waiters += 1;
        while s.held {
            let seen = s.switches;
            let (guard, timeout) = self
                .released_cv
                .wait_timeout(s, self.interval)
                .unwrap_or_else(|e| e.into_inner());
            s = guard;
            if timeout.timed_out() && s.held && s.switches == seen {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        s.waiters -= 1;
        s.held = true;
        s.switches += 1;
        self.drop_request.store(false, Ordering::Release);
        self.taken_cv.notify_all();
    }

    fn release(&self) {
        let mut s = self.lock();
        s.held = false;
        drop(s);
        self.released_cv.notify_one();
    }

    /// Gives the lock up because a waiter asked, waits until someone else has it, and queues
    /// for it again.
    fn switch(&self) {
        let mut s = self.lock();
        s.held = false;
        let before = s.switches;
        self.released_cv.notify_one();
        while s.switches == before && s.waiters > 0 {
            s = self.taken_cv.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        drop(s);
        self.acquire();
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Gil>>> = const { RefCell::new(None) };
}

/// Makes `gil` the interpreter lock of the calling thread for the rest of its life.
pub fn enter(gil: Arc<Gil>) {
    CURRENT.with(|c| *c.borrow_mut() = Some(gil));
}

fn current() -> Option<Arc<Gil>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` as Python code: holding the lock of the calling thread, if it has one.
pub fn hold<R>(f: impl FnOnce() -> R) -> R {
    match current() {
        Some(g) => {
            g.acquire();
            // Release even if `f` panics, or the other threads would wait forever.
            let _release = Release(&g);
            f()
        }
        None => f(),
    }
}

struct Release<'a>(&'a Gil);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

struct Reacquire<'a>(&'a Gil);

impl Drop for Reacquire<'_> {
    fn drop(&mut self) {
        self.0.acquire();
    }
}

/// Runs `f` with the lock released, as numpy, BLAS and blocking I/O do.
pub fn released<R>(f: impl FnOnce() -> R) -> R {
    match current() {
        Some(g) => {
            g.release();
            let _back = Reacquire(&g);
            f()
        }
        None => f(),
    }
}

/// An eval-breaker point: gives the lock to a waiting thread if one has asked for it.
pub fn tick() {
    CURRENT.with(|c| {
        if let Some(g) = c.borrow().as_ref()
            && g.drop_request.load(Ordering::Acquire)
        {
            g.switch();
        }
    });
}

/// Counts interpreter operations and reaches [`tick`] every [`TICK_EVERY`] of them.
#[derive(Default)]
pub struct Ticker(usize);

impl Ticker {
    #[inline]
    pub fn step(&mut self) {
        self.0 += 1;
        if self.0.is_multiple_of(TICK_EVERY) {
            tick();
        }
    }
}

#[cfg(test)]
mod tests {
    //! Properties of the lock protocol, checked without timing assertions (the test machines
    //! are shared and noisy): exclusivity, release around blocking work, forced switching.

    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;
    use std::time::Instant;

    fn on_two_threads(gil: &Arc<Gil>, job: impl Fn(usize) + Sync) {
        std::thread::scope(|s| {
            for id in 0..2 {
                let (g, job) = (gil.clone(), &job);
                s.spawn(move || {
                    enter(g);
                    hold(|| job(id));
                });
            }
        });
    }

    #[test]
    fn only_one_thread_runs_interpreter_work_at_a_time() {
        let gil = Gil::new(Duration::from_micros(200));
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let steps = AtomicUsize::new(0);
        on_two_threads(&gil, |_| {
            let mut t = Ticker::default();
            for _ in 0..200_000 {
                // Between two ticks the thread holds the lock, so no one else may be here.
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                steps.fetch_add(1, Ordering::Relaxed);
                inside.fetch_sub(1, Ordering::SeqCst);
                t.step();
            }
        });
        assert_eq!(steps.into_inner(), 400_000);
        assert_eq!(
            most.into_inner(),
            1,
            "two threads ran interpreter work at once"
        );
    }

    #[test]
    fn released_work_lets_the_other_thread_in() {
        // Each thread, inside `released`, waits for the other to arrive there too: possible
        // only if `released` really gives the lock up.
        let gil = Gil::new(DEFAULT_SWITCH_INTERVAL);
        let (tx, rx) = mpsc::channel::<usize>();
        let rx = Mutex::new(rx);
        let met = AtomicUsize::new(0);
        on_two_threads(&gil, |id| {
            released(|| {
                tx.send(id).unwrap();
                // Wait for the other thread's message (ours may be picked up first).
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline {
                    if let Ok(other) = rx.lock().unwrap().recv_timeout(Duration::from_millis(10)) {
                        if other != id {
                            met.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        tx.send(other).unwrap();
                    }
                }
            });
        });
        assert!(
            met.into_inner() >= 1,
            "the threads never overlapped in released work"
        );
    }

    #[test]
    fn a_waiting_thread_is_handed_the_lock_by_a_spinning_holder() {
        // One thread spins in interpreter work until the other has run; without forced
        // switching at the eval-breaker points it would spin until its deadline.
        let gil = Gil::new(Duration::from_millis(1));
        let other_ran = AtomicBool::new(false);
        let saw_other = AtomicBool::new(false);
        let first = AtomicUsize::new(usize::MAX);
        on_two_threads(&gil, |id| {
            if first
                .compare_exchange(usize::MAX, id, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let deadline = Instant::now() + Duration::from_secs(10);
                let mut t = Ticker::default();
                while !other_ran.load(Ordering::SeqCst) && Instant::now() < deadline {
                    t.step();
                }
                saw_other.store(other_ran.load(Ordering::SeqCst), Ordering::SeqCst);
            } else {
                other_ran.store(true, Ordering::SeqCst);
            }
        });
        assert!(
            saw_other.into_inner(),
            "the holder never let the waiting thread run"
        );
    }

    #[test]
    fn hooks_do_nothing_outside_gil_threads() {
        tick();
        assert_eq!(released(|| 7), 7);
        assert_eq!(hold(|| 8), 8);
    }
}
