//! The worker threads: rayon's global pool, one worker pinned to each core it may use. A
//! program using the crate may start it with [`start`] (as the CLI does) or leave rayon's
//! default pool; the results are the same, only the time differs. [`start`] sets up the pool
//! of the whole process, once, before any parallel work: a program that runs rayon work of
//! its own, or hosts other libraries that do, should build its own pool instead, with
//! [`capped`] for its size.
//!
//! Left to itself, the Linux scheduler sometimes wakes a worker on the core another worker is
//! busy on while the second core sits idle, and leaves it there for milliseconds. On this
//! project's 2-core VM `perf sched timehist` showed both workers taking turns on one core for
//! the first 18 ms of a 20 Newsgroups `vectorize`, and again at later phase changes. A pool
//! that has exactly one worker for each core the process may run on loses nothing by pinning
//! them, so such a pool is pinned: worker i to the i-th allowed core. A pool of any other size
//! is not (pinning two workers of a 64-core machine would put every run on the same two
//! cores), and neither is any pool when `PARALLAX_PIN=0`.

use crate::error::{Error, Result};

/// At most this many workers per core: more only share the cores and cost memory (each has a
/// stack and scratch buffers). 100,000 threads once ran for 11 minutes at a load of 4,400.
pub const MAX_THREADS_PER_CORE: usize = 8;

/// The workers to start when `requested` are asked for on `cores` cores: at most
/// [`MAX_THREADS_PER_CORE`] per core.
pub fn capped(requested: usize, cores: usize) -> usize {
    requested.min(cores.max(1).saturating_mul(MAX_THREADS_PER_CORE))
}

/// The cores this process may run on (its affinity where that is known), at least 1.
pub fn available_cores() -> usize {
    count_cores(&allowed_cores())
}

/// How many `cores` there are, or what the system says where they are unknown (empty).
fn count_cores(cores: &[usize]) -> usize {
    match cores.len() {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// The pool [`start`] started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    /// Workers asked for (`None`: rayon's default, one per core).
    pub requested: Option<usize>,
    /// Workers started, when asked for: at most [`MAX_THREADS_PER_CORE`] per core, so fewer
    /// than asked for when the request was capped.
    pub threads: Option<usize>,
    /// The cores this process may run on.
    pub cores: usize,
}

/// Starts the global pool with `threads` workers (at least one; rayon's default when `None`),
/// pinned as the module says. A request beyond [`MAX_THREADS_PER_CORE`] per core is capped
/// (see [`Started::threads`]).
///
/// # Errors
///
/// [`Error::Param`] for `Some(0)` threads; [`Error::Input`] when the pool cannot be started
/// (it starts once per process, and the system may refuse threads).
pub fn start(threads: Option<usize>) -> Result<Started> {
    if threads == Some(0) {
        return Err(Error::param("threads", 0, "must be at least 1"));
    }
    let cores = allowed_cores();
    let available = count_cores(&cores);
    let requested = threads;
    let threads = threads.map(|requested| capped(requested, available));
    let pin = std::env::var_os("PARALLAX_PIN").is_none_or(|v| v != "0");
    let mut pool = rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0));
    if pin {
        pool = pool.start_handler(move |worker| {
            // Inside the handler the worker already belongs to the pool being started, whose
            // size is never 0: where the cores are unknown (empty), nothing is pinned.
            if rayon::current_num_threads() == cores.len() {
                pin_to(cores[worker]);
            }
        });
    }
    if let Err(e) = pool.build_global() {
        let which = threads.map_or("the worker".to_string(), |n| n.to_string());
        return Err(Error::input(format!("cannot start {which} threads: {e}")));
    }
    Ok(Started {
        requested,
        threads,
        cores: available,
    })
}

/// The cores this process may run on, in order (empty where that cannot be known).
#[cfg(target_os = "linux")]
fn allowed_cores() -> Vec<usize> {
    // SAFETY: `set` is a plain bit set, filled by the call or left empty.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&core| libc::CPU_ISSET(core, &set))
            .collect()
    }
}

#[cfg(not(target_os = "linux"))]
fn allowed_cores() -> Vec<usize> {
    Vec::new()
}

/// Keeps the calling thread on `core`. A refusal leaves it where it was: pinning only helps.
#[cfg(target_os = "linux")]
fn pin_to(core: usize) {
    // SAFETY: as above; the call changes only the calling thread's affinity.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_to(_core: usize) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn absurd_thread_counts_are_capped() {
        assert_eq!(capped(100_000, 2), 16);
        assert_eq!(capped(16, 2), 16);
        assert_eq!(capped(3, 2), 3);
        assert_eq!(capped(usize::MAX, usize::MAX), usize::MAX);
        assert_eq!(capped(5, 0), 5);
    }

    #[test]
    fn a_pinned_thread_runs_on_its_core() {
        let cores = allowed_cores();
        // SAFETY: reads the calling thread's current core.
        let here = unsafe { libc::sched_getcpu() } as usize;
        assert!(cores.contains(&here), "{here} not in {cores:?}");
        let last = *cores.last().unwrap();
        let ran_on = std::thread::spawn(move || {
            pin_to(last);
            // A pinned thread is moved before the call returns; yield so it surely ran there.
            std::thread::yield_now();
            // SAFETY: as above.
            unsafe { libc::sched_getcpu() as usize }
        })
        .join()
        .unwrap();
        assert_eq!(ran_on, last);
    }
}
