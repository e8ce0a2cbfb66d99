//! Measuring the report's top reads against graded topic-weeks
//! (`tests/data/graded_weeks.toml`: every candidate of a topic in an ISO week
//! graded by reading — 2 must read, 1 useful, 0 noise — split by week into a
//! tuning and a test part before any ranking change was made against it):
//! nDCG@3 of each topic's top reads, averaged over topic-weeks. Shared by the
//! `topweek_devset` test and `benches/pipeline.rs`.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::Item;
use horizon::report::{build_report, iso_week};
use horizon::state::CrawlState;
use serde::Deserialize;

use super::fixtures::{checked_in_config, repo_toml};
use super::topic_eval;

/// Top reads looked at.
pub const K: usize = 3;

/// One graded candidate.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Judged {
    pub week: String,
    pub topic: String,
    pub id: String,
    pub title: String,
    pub grade: u8,
    #[serde(default)]
    pub note: Option<String>,
}

/// The weeks of each part.
#[derive(Debug, Clone, Deserialize)]
pub struct Splits {
    pub tune: Vec<String>,
    pub test: Vec<String>,
}

#[derive(Deserialize)]
struct GradedFile {
    splits: Splits,
    judged: Vec<Judged>,
}

/// nDCG@[`K`] of one part.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// Mean nDCG@K over the topic-weeks with something worth reading.
    pub ndcg: f64,
    /// Topic-weeks measured.
    pub topic_weeks: usize,
    /// Topic-weeks whose top reads hold nothing graded above 0.
    pub zero: usize,
    /// Per topic-week.
    pub rows: Vec<Row>,
}

/// One topic-week's figure.
#[derive(Debug, Clone)]
pub struct Row {
    pub week: String,
    pub topic: String,
    pub ndcg: f64,
    /// The top reads: grade and title.
    pub shown: Vec<(u8, String)>,
}

fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(K)
        .enumerate()
        .map(|(i, g)| f64::from((1u32 << g) - 1) / ((i + 2) as f64).log2())
        .sum()
}

/// The graded weeks, the checked-in config, and an index of the tagged
/// fixture items with their stories (as a crawl gives them), in a folder
/// kept alive by the returned guard.
fn graded_index(fixtures: &Path) -> (GradedFile, Config, tempfile::TempDir, HorizonIndex) {
    let file: GradedFile = repo_toml("tests/data/graded_weeks.toml");
    let cfg: Config = checked_in_config();
    let mut by_id: BTreeMap<String, Item> = BTreeMap::new();
    for ((capture, id), item) in topic_eval::tagged_items(fixtures, &cfg) {
        if !capture.starts_with("captures/") {
            by_id.entry(id).or_insert(item);
        }
    }
    let mut items: Vec<Item> = by_id.into_values().collect();
    horizon::stories::assign(&mut items, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(50_000_000).unwrap();
    for i in &items {
        w.add_document(idx.doc_of(i)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    (file, cfg, dir, idx)
}

/// Index the tagged fixture items (with their stories, as a crawl gives
/// them), build the report of every graded week, and score each part.
pub fn evaluate(fixtures: &Path) -> BTreeMap<&'static str, Figures> {
    let (file, cfg, _dir, idx) = graded_index(fixtures);

    let grades: BTreeMap<(&str, &str, &str), u8> = file
        .judged
        .iter()
        .map(|j| ((j.week.as_str(), j.topic.as_str(), j.id.as_str()), j.grade))
        .collect();
    let topic_weeks: BTreeSet<(&str, &str)> = file
        .judged
        .iter()
        .map(|j| (j.week.as_str(), j.topic.as_str()))
        .collect();
    let now = jiff::Timestamp::from_second(1_900_000_000).unwrap();
    let mut out = BTreeMap::new();
    for (part, weeks) in [("tune", &file.splits.tune), ("test", &file.splits.test)] {
        let mut f = Figures::default();
        for week in weeks {
            let period = iso_week(week).unwrap();
            let report = build_report(&idx, &cfg, &CrawlState::default(), period, now).unwrap();
            for (w, topic) in topic_weeks.iter().filter(|(w, _)| w == week) {
                let mut ideal: Vec<u8> = grades
                    .iter()
                    .filter(|((gw, gt, _), _)| gw == w && gt == topic)
                    .map(|(_, g)| *g)
                    .collect();
                ideal.sort_unstable_by(|a, b| b.cmp(a));
                let best = dcg(&ideal);
                if best == 0.0 {
                    continue;
                }
                let shown: Vec<(u8, String)> = report
                    .summary
                    .top_reads
                    .iter()
                    .find(|t| t.topic == *topic)
                    .map(|t| {
                        t.items
                            .iter()
                            .map(|i| {
                                let g = grades.get(&(*w, *topic, i.id.as_str())).copied();
                                (g.unwrap_or(0), i.title.clone())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let got: Vec<u8> = shown.iter().map(|(g, _)| *g).collect();
                let n = dcg(&got) / best;
                if n == 0.0 {
                    f.zero += 1;
                }
                f.ndcg += n;
                f.topic_weeks += 1;
                f.rows.push(Row {
                    week: w.to_string(),
                    topic: topic.to_string(),
                    ndcg: n,
                    shown,
                });
            }
        }
        if f.topic_weeks > 0 {
            f.ndcg /= f.topic_weeks as f64;
        }
        out.insert(part, f);
    }
    out
}

/// #30 item 5: a team marks `k` graded items of week N for each topic (grade
/// 2 useful, grade 0 noise, grade 1 left alone; in id order), then reads
/// week N + 1. Per k: mean nDCG@[`K`] of week N + 1's top reads over the
/// graded topic-weeks that follow a graded week, and those of the test part.
/// One point of [`marking_curve`]: nDCG@3 of the next week's top reads after
/// `k` marks per topic, over all, the test and the tuning topic-weeks.
#[derive(Debug, Clone)]
pub struct MarkingPoint {
    pub k: usize,
    pub all: f64,
    pub test: f64,
    pub tune: f64,
    pub topic_weeks: usize,
    /// nDCG@3 of each (next week, topic).
    pub each: BTreeMap<(String, String), f64>,
}

impl std::fmt::Display for MarkingPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.k == usize::MAX {
            "marks of the whole week, then the next week's noise top reads".to_string()
        } else {
            format!("marks k={}", self.k)
        };
        write!(
            f,
            "{what}: next week's top reads nDCG@3 {:.3} over {} topic-weeks (test weeks {:.3}, tuning weeks {:.3})",
            self.all, self.topic_weeks, self.test, self.tune
        )
    }
}

pub fn marking_curve(fixtures: &Path, ks: &[usize]) -> Vec<MarkingPoint> {
    curve(fixtures, ks, false)
}

/// #30's Done-when: the team marks every graded must-read of week N useful
/// and its noise noise, then marks the next week's top reads it finds to be
/// noise (graded 0, or not graded), and reads the next week's top reads
/// again. A [`MarkingPoint`] with `k = usize::MAX`.
pub fn team_protocol(fixtures: &Path) -> MarkingPoint {
    curve(fixtures, &[usize::MAX], true).remove(0)
}

fn curve(fixtures: &Path, ks: &[usize], then_noise: bool) -> Vec<MarkingPoint> {
    use horizon::marks::{Mark, MarkStore, Verdict};
    let (file, cfg, dir, idx) = graded_index(fixtures);
    let store = MarkStore::at(dir.path());
    let now = jiff::Timestamp::from_second(1_900_000_000).unwrap();
    let weeks: BTreeSet<&str> = file.judged.iter().map(|j| j.week.as_str()).collect();
    // (week N, week N + 1), both graded.
    let pairs: Vec<(String, String)> = weeks
        .iter()
        .filter_map(|w| {
            let p = iso_week(w).ok()?;
            let monday = p
                .until
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .iso_week_date();
            let next = format!("{:04}-W{:02}", monday.year(), monday.week());
            weeks.contains(next.as_str()).then(|| (w.to_string(), next))
        })
        .collect();
    let mut out = Vec::new();
    for &k in ks {
        let (mut all, mut test, mut n, mut n_test) = (0.0, 0.0, 0usize, 0usize);
        let mut each = BTreeMap::new();
        for (week, next) in &pairs {
            for m in store.list().unwrap() {
                store.remove(&m.item, m.topic.as_deref()).unwrap();
            }
            let topics: BTreeSet<&str> = file
                .judged
                .iter()
                .filter(|j| &j.week == week)
                .map(|j| j.topic.as_str())
                .collect();
            for topic in &topics {
                let mut graded: Vec<&Judged> = file
                    .judged
                    .iter()
                    .filter(|j| &j.week == week && j.topic == *topic && j.grade != 1)
                    .collect();
                graded.sort_by(|a, b| a.id.cmp(&b.id));
                for j in graded.into_iter().take(k) {
                    let verdict = if j.grade == 2 {
                        Verdict::Useful
                    } else {
                        Verdict::Noise
                    };
                    store
                        .put(&Mark {
                            item: j.id.clone(),
                            topic: Some(topic.to_string()),
                            verdict,
                            who: "simulation".into(),
                            at: now,
                            note: None,
                        })
                        .unwrap();
                }
            }
            let period = iso_week(next).unwrap();
            let mut report =
                build_report(&idx, &cfg, &CrawlState::default(), period.clone(), now).unwrap();
            let next_topics: BTreeSet<&str> = file
                .judged
                .iter()
                .filter(|j| &j.week == next)
                .map(|j| j.topic.as_str())
                .collect();
            if then_noise {
                for topic in &next_topics {
                    let shown = report.summary.top_reads.iter().find(|t| t.topic == *topic);
                    for i in shown.iter().flat_map(|t| t.items.iter()) {
                        let grade = file
                            .judged
                            .iter()
                            .find(|j| &j.week == next && j.topic == *topic && j.id == i.id)
                            .map_or(0, |j| j.grade);
                        if grade == 0 {
                            store
                                .put(&Mark {
                                    item: i.id.clone(),
                                    topic: Some(topic.to_string()),
                                    verdict: Verdict::Noise,
                                    who: "simulation".into(),
                                    at: now,
                                    note: None,
                                })
                                .unwrap();
                        }
                    }
                }
                report = build_report(&idx, &cfg, &CrawlState::default(), period, now).unwrap();
            }
            for topic in next_topics {
                let grade = |id: &str| {
                    file.judged
                        .iter()
                        .find(|j| &j.week == next && j.topic == topic && j.id == id)
                        .map_or(0, |j| j.grade)
                };
                let mut ideal: Vec<u8> = file
                    .judged
                    .iter()
                    .filter(|j| &j.week == next && j.topic == topic)
                    .map(|j| j.grade)
                    .collect();
                ideal.sort_unstable_by(|a, b| b.cmp(a));
                let best = dcg(&ideal);
                if best == 0.0 {
                    continue;
                }
                let got: Vec<u8> = report
                    .summary
                    .top_reads
                    .iter()
                    .find(|t| t.topic == topic)
                    .map(|t| t.items.iter().map(|i| grade(&i.id)).collect())
                    .unwrap_or_default();
                let v = dcg(&got) / best;
                each.insert((next.clone(), topic.to_string()), v);
                all += v;
                n += 1;
                if file.splits.test.contains(next) {
                    test += v;
                    n_test += 1;
                }
            }
        }
        let mean = |s: f64, c: usize| if c == 0 { 0.0 } else { s / c as f64 };
        out.push(MarkingPoint {
            k,
            all: mean(all, n),
            test: mean(test, n_test),
            tune: mean(all - test, n - n_test),
            topic_weeks: n,
            each,
        });
    }
    out
}
