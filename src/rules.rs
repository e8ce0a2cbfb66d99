//! The `[[rules]]` of the config (`config::Rule`) applied at read time — to
//! the report's ranking and to search — so a new rule changes the history at
//! once, without a recrawl.
//!
//! - **mute**: the rule's query becomes a `MustNot` clause of the scope's
//!   queries: the documents are neither listed nor counted as hits;
//! - **pin**: [`PIN_SCORE`] is added to the score of the documents, so they
//!   come first (by their own score among themselves);
//! - **boost**: the score is multiplied by the factor.
//!
//! A rule scoped to a topic applies to that topic's report sections and to
//! searches filtered by that topic alone; a rule without a topic applies
//! everywhere. Expired rules (`until` passed) apply nowhere. With no rule in
//! force, nothing here is called and rankings are exactly what they were.

pub mod preview;

use std::collections::HashSet;
use std::sync::Arc;

use jiff::Timestamp;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::config::{Rule, RuleAction};
use crate::index::HorizonIndex;
use crate::search::QueryError;

/// Added to the score of a pinned document.
pub const PIN_SCORE: f64 = 1000.0;

/// A rule with its query parsed.
struct Compiled {
    rule: Rule,
    query: Box<dyn Query>,
}

/// The rules in force at one moment, parsed against one index.
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<Compiled>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|c| &c.rule.name))
            .finish()
    }
}

impl RuleSet {
    /// The rules of `rules` in force at `when`, their queries parsed.
    pub fn compile(
        idx: &HorizonIndex,
        rules: &[Rule],
        when: Timestamp,
    ) -> Result<RuleSet, QueryError> {
        let mut out = Vec::new();
        for rule in rules.iter().filter(|r| r.active_at(when)) {
            let query = crate::search::parse_query(idx.index(), &rule.query)?;
            out.push(Compiled {
                rule: rule.clone(),
                query,
            });
        }
        Ok(RuleSet { rules: out })
    }

    /// Whether no rule is in force.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that apply to `topic` (`None`: no topic in particular).
    pub fn scope(&self, topic: Option<&str>) -> Scope<'_> {
        Scope {
            rules: self
                .rules
                .iter()
                .filter(|c| c.rule.applies_to(topic))
                .collect(),
        }
    }
}

/// The rules of one scope.
pub struct Scope<'a> {
    rules: Vec<&'a Compiled>,
}

impl Scope<'_> {
    /// Whether no rule applies.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// `query` without what the scope's mute rules match.
    pub fn without_muted(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        let mutes: Vec<(Occur, Box<dyn Query>)> = self
            .rules
            .iter()
            .filter(|c| c.rule.action == RuleAction::Mute)
            .map(|c| (Occur::MustNot, c.query.box_clone()))
            .collect();
        if mutes.is_empty() {
            return query;
        }
        let mut clauses = vec![(Occur::Must, query)];
        clauses.extend(mutes);
        Box::new(BooleanQuery::new(clauses))
    }

    /// The pin and boost rules, ready to score the documents of `searcher`;
    /// `None` when there are none.
    pub fn tweaks(&self, searcher: &Searcher) -> tantivy::Result<Option<Arc<Tweaks>>> {
        let mut rules = Vec::new();
        for c in &self.rules {
            if c.rule.action == RuleAction::Mute {
                continue;
            }
            let weight = c
                .query
                .weight(EnableScoring::disabled_from_searcher(searcher))?;
            rules.push((c.rule.clone(), weight));
        }
        Ok((!rules.is_empty()).then(|| Arc::new(Tweaks { rules })))
    }
}

/// Pin and boost rules with their queries' weights.
pub struct Tweaks {
    rules: Vec<(Rule, Box<dyn Weight>)>,
}

/// The documents of one segment each pin or boost rule matches.
pub struct SegmentTweak {
    sets: Vec<(RuleAction, HashSet<DocId>)>,
}

impl Tweaks {
    /// The matches of every rule in `segment` (a rule that fails to run
    /// there matches nothing in it, with a warning).
    pub fn segment(&self, segment: &SegmentReader) -> SegmentTweak {
        let sets = self
            .rules
            .iter()
            .map(|(rule, weight)| {
                let mut set = HashSet::new();
                match weight.scorer(segment, 1.0) {
                    Ok(mut scorer) => {
                        let mut doc = scorer.doc();
                        while doc != TERMINATED {
                            set.insert(doc);
                            doc = scorer.advance();
                        }
                    }
                    Err(e) => tracing::warn!("rule {:?}: {e}", rule.name),
                }
                (rule.action, set)
            })
            .collect();
        SegmentTweak { sets }
    }

    /// The rules that match the document `addr`, for its `why`.
    pub fn matching(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> Vec<&Rule> {
        let segment = searcher.segment_reader(addr.segment_ord);
        self.rules
            .iter()
            .filter(|(_, weight)| {
                weight
                    .scorer(segment, 1.0)
                    .map(|mut s| {
                        // A scorer starts on its first match; seek only forwards.
                        s.doc() == addr.doc_id
                            || (s.doc() < addr.doc_id && s.seek(addr.doc_id) == addr.doc_id)
                    })
                    .unwrap_or(false)
            })
            .map(|(rule, _)| rule)
            .collect()
    }
}

impl SegmentTweak {
    /// `score` after the rules that match `doc`.
    pub fn apply(&self, doc: DocId, score: f64) -> f64 {
        let mut out = score;
        let mut pinned = false;
        for (action, set) in &self.sets {
            if !set.contains(&doc) {
                continue;
            }
            match action {
                RuleAction::Boost(f) => out *= f,
                RuleAction::Pin => pinned = true,
                RuleAction::Mute => {}
            }
        }
        if pinned {
            out + PIN_SCORE
        } else {
            out
        }
    }
}

/// The words a `why` line gets for the rules that matched.
pub fn why_words(rules: &[&Rule]) -> Vec<String> {
    rules
        .iter()
        .map(|r| match r.action {
            RuleAction::Pin => format!("pinned by the rule {:?}", r.name),
            RuleAction::Boost(f) if f >= 1.0 => format!("boosted ×{f} by the rule {:?}", r.name),
            RuleAction::Boost(f) => format!("lowered ×{f} by the rule {:?}", r.name),
            RuleAction::Mute => format!("muted by the rule {:?}", r.name),
        })
        .collect()
}

/// The topic a search is about, for the rules' scope: its one topic filter.
pub fn search_topic(topics: &[String]) -> Option<&str> {
    match topics {
        [one] => Some(one.as_str()),
        _ => None,
    }
}

/// Hits with their scores.
pub type ScoredHits = Vec<(f32, tantivy::DocAddress)>;

/// The best `limit` documents of `query` after `offset` by score with the
/// pin and boost rules of `tweaks` applied, and the count when asked.
pub fn top_by_score(
    searcher: &Searcher,
    query: &dyn Query,
    tweaks: Arc<Tweaks>,
    limit: usize,
    offset: usize,
    count: bool,
) -> tantivy::Result<(Option<usize>, ScoredHits)> {
    let top = tantivy::collector::TopDocs::with_limit(limit.max(1))
        .and_offset(offset)
        .tweak_score(move |seg: &SegmentReader| {
            let rules = tweaks.segment(seg);
            move |doc: DocId, score: f32| rules.apply(doc, f64::from(score))
        });
    let (n, hits) = if count {
        let (n, hits) = searcher.search(query, &(tantivy::collector::Count, top))?;
        (Some(n), hits)
    } else {
        (None, searcher.search(query, &top)?)
    };
    Ok((n, hits.into_iter().map(|(s, a)| (s as f32, a)).collect()))
}
