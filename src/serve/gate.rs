//! How much index work the server does at once, and for how long.
//!
//! Every handler's index work (searches, pages, reports) takes one of
//! [`QueryLimits::max_searches`] slots for as long as it *runs*, not as long
//! as its request lives: a request that timed out still holds its slot until
//! the work stops, so the work in flight never exceeds the slots. A request
//! waits at most [`QueryLimits::queue_wait`] for a slot (first come, first
//! served), then gets 503 with `Retry-After`. A search itself stops at
//! [`QueryLimits::search_deadline`] (see [`crate::search::Deadline`]).
//!
//! A search of plain words ([`Lane::Quick`]: no phrase, prefix or range,
//! the queries that cost milliseconds) has slots of its own, as many again:
//! a burst of expensive queries fills the main lane, and the plain searches
//! of everyone else go on being answered beside it.

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

/// Which slots a piece of work takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lane {
    /// Pages, reports and searches that may be expensive.
    Main,
    /// A search of plain words.
    Quick,
}

/// Longest search text that may take the quick lane.
const QUICK_MAX_CHARS: usize = 200;

impl Lane {
    /// The lane of a search for `q`: quick when it holds no phrase, prefix,
    /// range, fuzzy or regular-expression syntax (what costs more than a
    /// lookup of each word).
    pub(super) fn of_search(q: Option<&str>) -> Lane {
        let q = q.unwrap_or("");
        let costly = q.chars().count() > QUICK_MAX_CHARS
            || q.contains(['"', '*', '[', '{', '~', '/'])
            || q.split_whitespace().any(|w| w == "TO");
        if costly {
            Lane::Main
        } else {
            Lane::Quick
        }
    }
}

/// The slots of index work.
#[derive(Debug)]
pub(super) struct Gate {
    slots: Arc<Semaphore>,
    quick: Arc<Semaphore>,
    wait: Duration,
}

impl Gate {
    pub(super) fn new(limits: &QueryLimits) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(limits.max_searches.max(1))),
            quick: Arc::new(Semaphore::new(limits.max_searches.max(1))),
            wait: limits.queue_wait,
        }
    }

    /// A slot of `lane`, waited for at most the queue wait; [`Problem::Busy`] after.
    pub(super) async fn enter(&self, lane: Lane) -> Result<OwnedSemaphorePermit, Problem> {
        let slots = match lane {
            Lane::Main => &self.slots,
            Lane::Quick => &self.quick,
        };
        match tokio::time::timeout(self.wait, Arc::clone(slots).acquire_owned()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Problem::Busy {
                retry_after_secs: self.wait.as_secs().max(1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_take_the_quick_lane_and_costly_syntax_the_main_one() {
        for q in [
            None,
            Some("kafka"),
            Some("kafka streams -flink"),
            Some("title:kafka AND source:blog"),
        ] {
            assert_eq!(Lane::of_search(q), Lane::Quick, "{q:?}");
        }
        for q in [
            "\"kafka streams\"",
            "\"kafka xy\"*",
            "kaf*",
            "published:[2025-01-01T00:00:00Z TO *]",
            "stars:{10 TO 20}",
            "kafka~2",
            "/ka.*/",
        ] {
            assert_eq!(Lane::of_search(Some(q)), Lane::Main, "{q}");
        }
        assert_eq!(Lane::of_search(Some(&"kafka ".repeat(50))), Lane::Main);
    }

    #[tokio::test]
    async fn a_full_main_lane_leaves_the_quick_lane_open() {
        let gate = Gate::new(&QueryLimits {
            max_searches: 1,
            queue_wait: Duration::from_millis(50),
            search_deadline: Duration::from_secs(1),
        });
        let held = gate.enter(Lane::Main).await;
        assert!(held.is_ok());
        assert!(matches!(
            gate.enter(Lane::Main).await,
            Err(Problem::Busy { .. })
        ));
        assert!(gate.enter(Lane::Quick).await.is_ok());
    }
}
