//! How much index work the server does at once, and for how long.
//!
//! Every handler's index work (searches, pages, reports) takes one of
//! [`QueryLimits::max_searches`] slots for as long as it *runs*, not as long
//! as its request lives: a request that timed out still holds its slot until
//! the work stops, so the work in flight never exceeds the slots. A request
//! waits at most [`QueryLimits::queue_wait`] for a slot (first come, first
//! served), then gets 503 with `Retry-After`. A search itself stops at
//! [`QueryLimits::search_deadline`] (see [`crate::search::Deadline`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::problem::Problem;

/// Bounds on the server's index work.
#[derive(Clone, Debug)]
pub struct QueryLimits {
    /// Pieces of index work run at once (at least 1).
    pub max_searches: usize,
    /// Time a request waits for a slot before 503.
    pub queue_wait: Duration,
    /// Time one search may compute before it is stopped (503).
    pub search_deadline: Duration,
}

impl Default for QueryLimits {
    fn default() -> QueryLimits {
        QueryLimits {
            max_searches: default_max_searches(),
            queue_wait: Duration::from_secs(crate::DEFAULT_SERVE_QUEUE_WAIT_SECS),
            search_deadline: Duration::from_secs(crate::DEFAULT_SEARCH_DEADLINE_SECS),
        }
    }
}

/// [`crate::DEFAULT_SEARCHES_PER_CORE`] per CPU core this process may use.
pub fn default_max_searches() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(crate::DEFAULT_SEARCHES_PER_CORE)
}

/// The slots of index work.
#[derive(Debug)]
pub(super) struct Gate {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Gate {
    pub(super) fn new(limits: &QueryLimits) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(limits.max_searches.max(1))),
            wait: limits.queue_wait,
        }
    }

    /// A slot, waited for at most the queue wait; [`Problem::Busy`] after.
    pub(super) async fn enter(&self) -> Result<OwnedSemaphorePermit, Problem> {
        match tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Problem::Busy {
                retry_after_secs: self.wait.as_secs().max(1),
            }),
        }
    }
}
