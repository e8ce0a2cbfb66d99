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
use horizon::marks::{Mark, MarkStore, Verdict};
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

/// The graded weeks whose next ISO week is graded too: (week N, week N + 1).
fn week_pairs(file: &GradedFile) -> Vec<(String, String)> {
    let weeks: BTreeSet<&str> = file.judged.iter().map(|j| j.week.as_str()).collect();
    weeks
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
        .collect()
}

/// The grade of `id` for `topic` in `week`; an item nobody graded there
/// counts as noise (0), as in [`evaluate`].
fn grade_of(file: &GradedFile, week: &str, topic: &str, id: &str) -> u8 {
    file.judged
        .iter()
        .find(|j| j.week == week && j.topic == topic && j.id == id)
        .map_or(0, |j| j.grade)
}

/// The topics graded in `week`.
fn topics_of<'a>(file: &'a GradedFile, week: &str) -> BTreeSet<&'a str> {
    file.judged
        .iter()
        .filter(|j| j.week == week)
        .map(|j| j.topic.as_str())
        .collect()
}

/// nDCG@[`K`] of `topic`'s top reads in `report` of `week`, with the top
/// reads shown (grade, id, title); `None` when the topic-week holds nothing
/// graded above 0.
fn measure(
    file: &GradedFile,
    report: &horizon::report::Report,
    week: &str,
    topic: &str,
) -> Option<(f64, Vec<Shown>)> {
    let mut ideal: Vec<u8> = file
        .judged
        .iter()
        .filter(|j| j.week == week && j.topic == topic)
        .map(|j| j.grade)
        .collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&ideal);
    if best == 0.0 {
        return None;
    }
    let shown: Vec<Shown> = report
        .summary
        .top_reads
        .iter()
        .find(|t| t.topic == topic)
        .map(|t| {
            t.items
                .iter()
                .map(|i| Shown {
                    grade: grade_of(file, week, topic, &i.id),
                    id: i.id.clone(),
                    title: i.title.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let got: Vec<u8> = shown.iter().map(|s| s.grade).collect();
    Some((dcg(&got) / best, shown))
}

/// One top read as measured.
#[derive(Debug, Clone)]
pub struct Shown {
    pub grade: u8,
    pub id: String,
    pub title: String,
}

/// Puts the simulated team's marks into the mark store beside an index.
pub trait Marker {
    /// Mark `id` `verdict` for `topic` in the store of the index at `index_dir`.
    fn mark(&mut self, index_dir: &Path, id: &str, topic: &str, verdict: Verdict);
}

/// Marks through the store's API, as `horizon mark` does
/// ([`MarkStore::put`]), each one second after the one before, so a later
/// mark is later as it is for a team.
#[derive(Debug, Default)]
pub struct StoreMarker {
    made: i64,
}

impl Marker for StoreMarker {
    fn mark(&mut self, index_dir: &Path, id: &str, topic: &str, verdict: Verdict) {
        self.made += 1;
        MarkStore::at(index_dir)
            .put(&Mark {
                item: id.to_string(),
                topic: Some(topic.to_string()),
                verdict,
                who: "simulation".into(),
                at: jiff::Timestamp::from_second(1_900_000_000 + self.made).unwrap(),
                note: None,
            })
            .unwrap();
    }
}

fn clear_marks(index_dir: &Path) {
    let store = MarkStore::at(index_dir);
    for m in store.list().unwrap() {
        store.remove(&m.item, m.topic.as_deref()).unwrap();
    }
}

/// One topic-week of [`done_when`]: week N + 1's nDCG@3 before any mark,
/// after week N's marks, and after the noise among its top reads is marked too.
#[derive(Debug, Clone)]
pub struct ProtocolRow {
    /// Week N, whose graded items were marked.
    pub week: String,
    /// Week N + 1, measured.
    pub next: String,
    pub topic: String,
    /// Week N + 1 is a test week.
    pub test: bool,
    /// Marks put on week N's items for the topic: useful, noise.
    pub marked: (usize, usize),
    /// Week N + 1's top reads marked noise.
    pub noise_next: usize,
    /// nDCG@3 with no marks.
    pub before: f64,
    /// After week N's marks only.
    pub after_week: f64,
    /// After week N's marks and the next week's noise top reads.
    pub after: f64,
    pub shown_before: Vec<Shown>,
    pub shown_after: Vec<Shown>,
}

/// #30's Done-when, measured per topic-week ([`done_when`]).
#[derive(Debug, Clone, Default)]
pub struct Protocol {
    pub rows: Vec<ProtocolRow>,
    /// Week N itself, before and after its own marks.
    pub same_week: Vec<SameWeekRow>,
}

/// A marked week read again: nDCG@3 of its top reads before and after
/// the marks of its own must-reads and noise.
#[derive(Debug, Clone)]
pub struct SameWeekRow {
    pub week: String,
    pub topic: String,
    pub test: bool,
    pub before: f64,
    pub after: f64,
}

/// Mean nDCG@3 of a part: before, after week N's marks, after all marks,
/// over so many topic-weeks.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartMeans {
    pub before: f64,
    pub after_week: f64,
    pub after: f64,
    pub topic_weeks: usize,
}

impl Protocol {
    /// Means over the test weeks (`true`) or the tuning weeks (`false`).
    pub fn means(&self, test: bool) -> PartMeans {
        let rows: Vec<&ProtocolRow> = self.rows.iter().filter(|r| r.test == test).collect();
        let n = rows.len();
        let mean = |f: fn(&ProtocolRow) -> f64| {
            if n == 0 {
                0.0
            } else {
                rows.iter().map(|r| f(r)).sum::<f64>() / n as f64
            }
        };
        PartMeans {
            before: mean(|r| r.before),
            after_week: mean(|r| r.after_week),
            after: mean(|r| r.after),
            topic_weeks: n,
        }
    }

    /// Marked weeks whose own top reads their marks made worse.
    pub fn same_week_worse(&self) -> Vec<&SameWeekRow> {
        self.same_week
            .iter()
            .filter(|r| r.after + 1e-9 < r.before)
            .collect()
    }

    /// Topic-weeks the marks made worse than no marks.
    pub fn worse(&self) -> Vec<&ProtocolRow> {
        self.rows
            .iter()
            .filter(|r| r.after + 1e-9 < r.before)
            .collect()
    }

    /// One line per topic-week, then the means and the count of topics worse.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            out.push_str(&format!(
                "  {} -> {} {:<18} {}  marked {:>2} useful {:>2} noise, then {} top reads noise: nDCG@3 {:.3} -> {:.3} -> {:.3}\n",
                r.week,
                r.next,
                r.topic,
                if r.test { "test" } else { "tune" },
                r.marked.0,
                r.marked.1,
                r.noise_next,
                r.before,
                r.after_week,
                r.after
            ));
        }
        for r in &self.same_week {
            out.push_str(&format!(
                "  {} itself {:<18} {}  after its own marks: nDCG@3 {:.3} -> {:.3}\n",
                r.week,
                r.topic,
                if r.test { "test" } else { "tune" },
                r.before,
                r.after
            ));
        }
        out.push_str(&self.to_string());
        out
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (test, tune) = (self.means(true), self.means(false));
        write!(
            f,
            "#30 Done-when protocol (week N's must-reads useful and noise noise, then week N+1's noise top reads noise): \
             week N+1's top reads nDCG@3, test weeks {:.3} -> {:.3} over {} topic-weeks, tuning weeks {:.3} -> {:.3} over {} (after week N's marks only: test {:.3}, tuning {:.3}); topics worse: {}",
            test.before,
            test.after,
            test.topic_weeks,
            tune.before,
            tune.after,
            tune.topic_weeks,
            test.after_week,
            tune.after_week,
            self.worse().len()
        )
    }
}

/// #30's Done-when on every pair of consecutive graded weeks (both
/// graded), each pair from an empty mark store: (a) every grade-2 item of
/// week N is marked useful and every grade-0 item noise, for its topic;
/// (b) week N + 1's report is built, and its top reads (the first [`K`]
/// per graded topic) that are graded 0 or not graded are marked noise for
/// that topic; (c) week N + 1's report is built again and measured.
/// `pairs` keeps the pairs to run (by week N + 1).
pub fn done_when(
    fixtures: &Path,
    marker: &mut dyn Marker,
    pairs: &dyn Fn(&str) -> bool,
) -> Protocol {
    let (file, cfg, dir, idx) = graded_index(fixtures);
    let now = jiff::Timestamp::from_second(1_900_000_000).unwrap();
    let report = |week: &str| {
        build_report(
            &idx,
            &cfg,
            &CrawlState::default(),
            iso_week(week).unwrap(),
            now,
        )
        .unwrap()
    };
    let mut out = Protocol::default();
    for (week, next) in week_pairs(&file).into_iter().filter(|(_, n)| pairs(n)) {
        clear_marks(dir.path());
        let before = report(&next);
        let week_before = report(&week);
        // (a) week N's must-reads useful, its noise noise.
        let mut marked: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for j in file.judged.iter().filter(|j| j.week == week) {
            let slot = marked.entry(j.topic.as_str()).or_default();
            let verdict = match j.grade {
                2 => Verdict::Useful,
                0 => Verdict::Noise,
                _ => continue,
            };
            match verdict {
                Verdict::Useful => slot.0 += 1,
                Verdict::Noise => slot.1 += 1,
            }
            marker.mark(dir.path(), &j.id, &j.topic, verdict);
        }
        // Week N itself, read again after its marks.
        let week_after = report(&week);
        for topic in topics_of(&file, &week) {
            let Some((b, _)) = measure(&file, &week_before, &week, topic) else {
                continue;
            };
            let (a, _) = measure(&file, &week_after, &week, topic).unwrap();
            out.same_week.push(SameWeekRow {
                week: week.clone(),
                topic: topic.to_string(),
                test: file.splits.test.contains(&week),
                before: b,
                after: a,
            });
        }
        // (b) week N + 1's top reads that are noise.
        let after_week = report(&next);
        let topics = topics_of(&file, &next);
        let mut noise_next: BTreeMap<&str, usize> = BTreeMap::new();
        for topic in &topics {
            let shown = after_week
                .summary
                .top_reads
                .iter()
                .find(|t| t.topic == *topic);
            for i in shown.iter().flat_map(|t| t.items.iter().take(K)) {
                if grade_of(&file, &next, topic, &i.id) == 0 {
                    marker.mark(dir.path(), &i.id, topic, Verdict::Noise);
                    *noise_next.entry(topic).or_default() += 1;
                }
            }
        }
        // (c) read it again.
        let after = report(&next);
        for topic in topics {
            let Some((b, shown_before)) = measure(&file, &before, &next, topic) else {
                continue;
            };
            let (w, _) = measure(&file, &after_week, &next, topic).unwrap();
            let (a, shown_after) = measure(&file, &after, &next, topic).unwrap();
            out.rows.push(ProtocolRow {
                week: week.clone(),
                next: next.clone(),
                topic: topic.to_string(),
                test: file.splits.test.contains(&next),
                marked: marked.get(topic).copied().unwrap_or_default(),
                noise_next: noise_next.get(topic).copied().unwrap_or_default(),
                before: b,
                after_week: w,
                after: a,
                shown_before,
                shown_after,
            });
        }
    }
    out
}

/// #30 item 5: a team marks `k` graded items of week N for each topic (grade
/// 2 useful, grade 0 noise, grade 1 left alone; in id order), then reads
/// week N + 1. One point of [`marking_curve`]: nDCG@3 of the next week's
/// top reads after `k` marks per topic, over all, the test and the tuning
/// topic-weeks that follow a graded week.
#[derive(Debug, Clone)]
pub struct MarkingPoint {
    pub k: usize,
    pub all: f64,
    pub test: f64,
    pub tune: f64,
    pub topic_weeks: usize,
}

impl std::fmt::Display for MarkingPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "marks k={}: next week's top reads nDCG@3 {:.3} over {} topic-weeks (test weeks {:.3}, tuning weeks {:.3})",
            self.k, self.all, self.topic_weeks, self.test, self.tune
        )
    }
}

/// The points of #30 item 5's curve, one per `k`.
pub fn marking_curve(fixtures: &Path, ks: &[usize]) -> Vec<MarkingPoint> {
    let (file, cfg, dir, idx) = graded_index(fixtures);
    let now = jiff::Timestamp::from_second(1_900_000_000).unwrap();
    let pairs = week_pairs(&file);
    let mut out = Vec::new();
    for &k in ks {
        let mut marker = StoreMarker::default();
        let (mut all, mut test, mut n, mut n_test) = (0.0, 0.0, 0usize, 0usize);
        for (week, next) in &pairs {
            clear_marks(dir.path());
            for topic in topics_of(&file, week) {
                let mut graded: Vec<&Judged> = file
                    .judged
                    .iter()
                    .filter(|j| &j.week == week && j.topic == topic && j.grade != 1)
                    .collect();
                graded.sort_by(|a, b| a.id.cmp(&b.id));
                for j in graded.into_iter().take(k) {
                    let verdict = if j.grade == 2 {
                        Verdict::Useful
                    } else {
                        Verdict::Noise
                    };
                    marker.mark(dir.path(), &j.id, topic, verdict);
                }
            }
            let period = iso_week(next).unwrap();
            let report = build_report(&idx, &cfg, &CrawlState::default(), period, now).unwrap();
            for topic in topics_of(&file, next) {
                let Some((v, _)) = measure(&file, &report, next, topic) else {
                    continue;
                };
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
        });
    }
    out
}
