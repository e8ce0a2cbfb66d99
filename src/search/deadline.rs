//! Searches that stop at a deadline instead of computing on after the
//! client has gone.
//!
//! [`Deadline::guard`] wraps every part of a query that may cost more than
//! one term lookup — phrases, phrase prefixes, ranges, anything tantivy
//! expands — in a query whose scorers look at the clock every
//! [`CHECK_EVERY`] steps (and before each is built). Past the deadline they
//! say they are exhausted, so whatever collects them finishes at once, and
//! [`Deadline::expired`] tells the caller to discard the partial result.
//! Plain term lookups are left alone: they are cheap, and a union of them
//! keeps tantivy's block-max WAND pruning.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::query::{
    AllQuery, BooleanQuery, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight,
};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED};

/// Scorer steps (advances and seeks) between two looks at the clock.
const CHECK_EVERY: u32 = 64;

/// When one search must stop; shared by every guarded part of its query.
#[derive(Clone, Debug)]
pub struct Deadline {
    /// `None`: a budget too large for the clock, never reached.
    at: Option<Instant>,
    budget: Duration,
    expired: Arc<AtomicBool>,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(budget),
            budget,
            expired: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The time the search was given.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Whether a guarded part of the query stopped because the time was up
    /// (its result is then incomplete).
    pub fn expired(&self) -> bool {
        self.expired.load(Ordering::Relaxed)
    }

    /// Whether the time is up now; remembered for [`Deadline::expired`].
    fn passed(&self) -> bool {
        if self.expired() {
            return true;
        }
        if self.at.is_some_and(|at| Instant::now() >= at) {
            self.expired.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// `query` with every part that may cost more than a term lookup
    /// stopping at this deadline. Boolean combinations are rebuilt around
    /// their guarded clauses; everything else is guarded whole.
    pub fn guard(&self, query: &dyn Query) -> Box<dyn Query> {
        if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            let clauses = b
                .clauses()
                .iter()
                .map(|(occur, q)| (*occur, self.guard(&**q)))
                .collect();
            return Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses,
                b.get_minimum_number_should_match(),
            ));
        }
        if is_cheap(query) {
            return query.box_clone();
        }
        Box::new(Guarded {
            inner: query.box_clone(),
            deadline: self.clone(),
        })
    }
}

/// A term lookup (possibly boosted) or every document: work bounded by one
/// posting list, with tantivy's own fast paths.
fn is_cheap(query: &dyn Query) -> bool {
    if query.downcast_ref::<TermQuery>().is_some() || query.downcast_ref::<AllQuery>().is_some() {
        return true;
    }
    // A boosted term (the title's weight) shows one term without positions.
    let (mut terms, mut positions) = (0, false);
    query.query_terms(&mut |_, p| {
        terms += 1;
        positions |= p;
    });
    terms == 1 && !positions
}

/// A query whose scorers stop at a deadline.
#[derive(Debug)]
struct Guarded {
    inner: Box<dyn Query>,
    deadline: Deadline,
}

impl Clone for Guarded {
    fn clone(&self) -> Guarded {
        Guarded {
            inner: self.inner.box_clone(),
            deadline: self.deadline.clone(),
        }
    }
}

impl Query for Guarded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight {
            inner: self.inner.weight(enable_scoring)?,
            deadline: self.deadline.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct GuardedWeight {
    inner: Box<dyn Weight>,
    deadline: Deadline,
}

impl GuardedWeight {
    fn wrap(&self, inner: Box<dyn Scorer>) -> Box<dyn Scorer> {
        Box::new(GuardedScorer {
            inner,
            deadline: self.deadline.clone(),
            steps: 0,
            stopped: false,
        })
    }
}

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        // Building a scorer reads postings (a phrase prefix: of every expansion).
        if self.deadline.passed() {
            return Ok(Box::new(tantivy::query::EmptyScorer));
        }
        Ok(self.wrap(self.inner.scorer(reader, boost)?))
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        if self.deadline.passed() {
            return Ok((
                SeekDangerResult::SeekLowerBound(TERMINATED),
                Box::new(tantivy::query::EmptyScorer),
            ));
        }
        let (found, scorer) = self.inner.scorer_danger(reader, target, boost)?;
        Ok((found, self.wrap(scorer)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// A scorer that says it is exhausted once the deadline has passed.
struct GuardedScorer {
    inner: Box<dyn Scorer>,
    deadline: Deadline,
    steps: u32,
    stopped: bool,
}

impl GuardedScorer {
    /// Whether to stop now (the clock is read every [`CHECK_EVERY`] steps).
    fn stop(&mut self) -> bool {
        if !self.stopped {
            self.steps = self.steps.wrapping_add(1);
            if self.steps.is_multiple_of(CHECK_EVERY) && self.deadline.passed() {
                self.stopped = true;
            }
        }
        self.stopped
    }
}

impl DocSet for GuardedScorer {
    fn advance(&mut self) -> DocId {
        if self.stop() {
            return TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.stop() {
            return TERMINATED;
        }
        self.inner.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if self.stop() {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        // An exclusion asks about documents behind this one (tantivy's
        // default `seek_danger` answers those; a phrase scorer asserts).
        let doc = self.inner.doc();
        if target < doc {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        self.inner.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for GuardedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    fn index(docs: usize) -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut w = index.writer(15_000_000).unwrap();
        for i in 0..docs {
            w.add_document(doc!(body => format!("kafka streams number {i} xylophone{}", i % 7)))
                .unwrap();
        }
        w.commit().unwrap();
        (index, body)
    }

    // A guarded query finds what the plain one finds while there is time.
    #[test]
    fn guarded_queries_match_like_the_plain_ones() {
        let (index, body) = index(500);
        let searcher = index.reader().unwrap().searcher();
        let parser = tantivy::query::QueryParser::for_index(&index, vec![body]);
        for q in [
            r#""kafka streams""#,
            r#""kafka xy"*"#,
            "kafka AND number",
            r#""kafka streams" -xylophone3"#,
            "*",
        ] {
            let query = parser.parse_query(q).unwrap();
            let deadline = Deadline::after(Duration::from_secs(3600));
            let guarded = deadline.guard(&*query);
            assert_eq!(
                searcher.search(&*guarded, &Count).unwrap(),
                searcher.search(&*query, &Count).unwrap(),
                "{q}"
            );
            assert!(!deadline.expired(), "{q}");
        }
    }

    // #28 item 6: a search past its deadline stops and says so.
    #[test]
    fn a_passed_deadline_stops_the_search() {
        let (index, body) = index(500);
        let searcher = index.reader().unwrap().searcher();
        let parser = tantivy::query::QueryParser::for_index(&index, vec![body]);
        let query = parser.parse_query(r#""kafka streams""#).unwrap();
        let deadline = Deadline::after(Duration::ZERO);
        let n = searcher.search(&*deadline.guard(&*query), &Count).unwrap();
        assert_eq!(n, 0);
        assert!(deadline.expired());
        // Term lookups are not wrapped (they keep tantivy's pruning).
        let term = parser.parse_query("kafka").unwrap();
        let guarded = Deadline::after(Duration::ZERO).guard(&*term);
        assert!(guarded.downcast_ref::<Guarded>().is_none(), "{guarded:?}");
    }

    // #28 item 6: the deadline stops a search midway, not only before it starts.
    #[test]
    fn a_deadline_passing_midway_stops_the_iteration() {
        let (index, body) = index(2_000);
        let searcher = index.reader().unwrap().searcher();
        let parser = tantivy::query::QueryParser::for_index(&index, vec![body]);
        let query = parser.parse_query(r#""kafka streams""#).unwrap();
        let deadline = Deadline::after(Duration::from_millis(20));
        let guarded = deadline.guard(&*query);
        let weight = guarded
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let mut seen = 0;
        for segment in searcher.segment_readers() {
            // Each match takes a millisecond: 2,000 would take two seconds.
            weight
                .for_each(segment, &mut |_, _| {
                    seen += 1;
                    std::thread::sleep(Duration::from_millis(1));
                })
                .unwrap();
        }
        assert!(deadline.expired());
        assert!(seen < 2_000, "{seen}");
    }
}
