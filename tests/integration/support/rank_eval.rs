//! Measuring the report's ranking against the graded development set
//! (`tests/data/rank_devset.toml`: real cloud notes of `../shared/fixtures`,
//! graded by reading). Shared by `rank_devset` (which holds the figures to
//! their targets) and `benches/pipeline.rs` (which prints them; it mounts
//! this file beside `fixtures.rs` and `topic_eval.rs`, named here as
//! `super::…`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind};
use horizon::report::{build_report, iso_week};
use horizon::state::CrawlState;
use serde::Deserialize;

use super::fixtures::{checked_in_config, repo_toml};
use super::topic_eval;

/// How many of a section's items the figures look at.
pub const TOP: usize = 5;
/// The share of the top three that is on the topic.
pub const HEAD: usize = 3;

/// One graded note. `title` and `note` are for the people who grade
/// (required and optional columns of the file); the code reads the rest.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Judged {
    pub week: String,
    pub topic: String,
    pub id: String,
    pub title: String,
    /// 0 not about the topic, 1 on it and routine, 2 worth reading first.
    pub grade: u8,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct JudgedFile {
    judged: Vec<Judged>,
}

/// The graded set.
pub fn judged() -> Vec<Judged> {
    repo_toml::<JudgedFile>("tests/data/rank_devset.toml").judged
}

/// Figures of one ordering over the pools.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// Mean over pools with a grade-2 note: grade-2 notes in the top [`TOP`]
    /// over min([`TOP`], grade-2 notes in the pool).
    pub recall: f64,
    /// Mean over pools: share of the top [`HEAD`] graded 2.
    pub precision: f64,
    /// Mean over pools: share of the top [`HEAD`] graded ≥ 1 (on the topic).
    pub on_topic: f64,
    /// Mean nDCG@[`TOP`] over pools with a grade above 0 (gains 0, 1, 3).
    pub ndcg: f64,
    /// Pools measured.
    pub pools: usize,
}

/// One pool's orderings.
#[derive(Debug, Clone)]
pub struct Pool {
    pub week: String,
    pub topic: String,
    /// Notes the report counted for the topic in the week.
    pub total: u64,
    /// The report's top [`TOP`], best first.
    pub ranked: Vec<String>,
    /// The pool newest first (ties by id), the baseline.
    pub newest: Vec<String>,
}

/// The evaluation: per pool, the report's order and the baseline, and the grades.
pub struct Eval {
    pub pools: Vec<Pool>,
    pub grades: BTreeMap<(String, String, String), u8>,
    /// Notes the report listed that are not in the set (the set is stale).
    pub unjudged: Vec<String>,
    /// Judged notes not among the fixtures' tagged notes of their week.
    pub missing: Vec<String>,
}

impl Eval {
    fn grade(&self, p: &Pool, id: &str) -> u8 {
        self.grades
            .get(&(p.week.clone(), p.topic.clone(), id.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Figures of the report's ranking (`ranked`) or of the baseline.
    pub fn figures(&self, ranked: bool) -> Figures {
        let (mut r, mut rn, mut p, mut on, mut nd, mut ndn) = (0.0, 0, 0.0, 0.0, 0.0, 0);
        for pool in &self.pools {
            let order = if ranked { &pool.ranked } else { &pool.newest };
            let top: Vec<u8> = order
                .iter()
                .take(TOP)
                .map(|id| self.grade(pool, id))
                .collect();
            let mut all: Vec<u8> = pool.newest.iter().map(|id| self.grade(pool, id)).collect();
            all.sort_unstable_by(|a, b| b.cmp(a));
            let best = all.iter().filter(|g| **g == 2).count();
            if best > 0 {
                let found = top.iter().filter(|g| **g == 2).count();
                r += found as f64 / best.min(TOP) as f64;
                rn += 1;
            }
            let head = top.len().clamp(1, HEAD) as f64;
            p += top.iter().take(HEAD).filter(|g| **g == 2).count() as f64 / head;
            on += top.iter().take(HEAD).filter(|g| **g >= 1).count() as f64 / head;
            let ideal = dcg(&all);
            if ideal > 0.0 {
                nd += dcg(&top) / ideal;
                ndn += 1;
            }
        }
        let n = self.pools.len().max(1) as f64;
        Figures {
            recall: r / rn.max(1) as f64,
            precision: p / n,
            on_topic: on / n,
            ndcg: nd / ndn.max(1) as f64,
            pools: self.pools.len(),
        }
    }
}

fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(TOP)
        .enumerate()
        .map(|(i, g)| {
            let gain = f64::from((1u32 << g) - 1);
            gain / ((i + 2) as f64).log2()
        })
        .sum()
}

/// Build an index of the tagged fixture items, the report of every judged
/// week, and each judged pool's two orderings.
pub fn evaluate(fixtures: &Path) -> Eval {
    let mut cfg: Config = checked_in_config();
    cfg.report.items_per_section = TOP;
    // By id: the graded notes are shared-fixture notes (ids unique there).
    let mut items: BTreeMap<String, Item> = BTreeMap::new();
    for ((_, id), item) in topic_eval::tagged_items(fixtures, &cfg) {
        items.entry(id).or_insert(item);
    }
    let dir = tempfile::tempdir().unwrap();
    let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(50_000_000).unwrap();
    for i in items.values() {
        w.add_document(idx.doc_of(i)).unwrap();
    }
    w.commit().unwrap();
    drop(w);

    let judged = judged();
    let grades: BTreeMap<(String, String, String), u8> = judged
        .iter()
        .map(|j| ((j.week.clone(), j.topic.clone(), j.id.clone()), j.grade))
        .collect();
    let pools_wanted: BTreeSet<(String, String)> = judged
        .iter()
        .map(|j| (j.week.clone(), j.topic.clone()))
        .collect();
    let weeks: BTreeSet<&String> = pools_wanted.iter().map(|(w, _)| w).collect();
    let now = jiff::Timestamp::from_second(1_900_000_000).unwrap();
    let mut pools = Vec::new();
    let mut unjudged = Vec::new();
    let mut missing = Vec::new();
    for week in weeks {
        let period = iso_week(week).unwrap();
        let report = build_report(&idx, &cfg, &CrawlState::default(), period.clone(), now).unwrap();
        for (w, topic) in pools_wanted.iter().filter(|(w, _)| w == week) {
            let section = report
                .topics
                .iter()
                .find(|t| &t.topic == topic)
                .and_then(|t| t.sections.iter().find(|s| s.kind == Kind::Cloud));
            let ranked: Vec<String> = section
                .map(|s| s.items.iter().map(|i| i.id.clone()).collect())
                .unwrap_or_default();
            for id in &ranked {
                if !grades.contains_key(&(w.clone(), topic.clone(), id.clone())) {
                    unjudged.push(format!("{w} {topic} {id}"));
                }
            }
            let in_week = |i: &Item| {
                i.kind == Kind::Cloud
                    && i.topics.contains(topic)
                    && i.date()
                        .is_some_and(|d| d >= period.since && d < period.until)
            };
            let mut pool: Vec<&Item> = judged
                .iter()
                .filter(|j| &j.week == w && &j.topic == topic)
                .filter_map(|j| match items.get(&j.id).filter(|i| in_week(i)) {
                    Some(i) => Some(i),
                    None => {
                        missing.push(format!("{w} {topic} {}", j.id));
                        None
                    }
                })
                .collect();
            pool.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.id.cmp(&b.id)));
            pools.push(Pool {
                week: w.clone(),
                topic: topic.clone(),
                total: section.map_or(0, |s| s.total),
                ranked,
                newest: pool.iter().map(|i| i.id.clone()).collect(),
            });
        }
    }
    Eval {
        pools,
        grades,
        unjudged,
        missing,
    }
}
