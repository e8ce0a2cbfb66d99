//! Report and flags against the index size with the period held fixed.
//!
//! Every index of the series holds the same *recent* documents — the reported
//! ISO week (a normal mix of kinds) and the cloud notes of the 180 days before
//! it (what the two 90-day flag windows read) — plus *history*: documents
//! dated more than 180 days before the week, as many as it takes to reach the
//! index size. History is committed first, oldest first, and the recent block
//! last, 10,000 documents per writer and commit, like a crawl that has run for
//! years. If the report and the flags read only what their period and windows
//! hold, their times stay flat while the index grows.
//!
//! Items come from a pool of parsed and tagged synthetic payloads (the same
//! generator and adapters as the ingest benchmark), shuffled with a seed and
//! re-dated; history cycles through the pool with a suffix on the id. The
//! indexes are written with `HorizonIndex::doc_of` + `add_document` +
//! `commit`, without the per-item merge lookup of the crawl path.

use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind};
use horizon::report::{build_report, last_complete_week, Format, Period};
use horizon::topics::Tagger;
use jiff::Timestamp;
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::corpus::{self, Corpus};
use super::Rng;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// How far back before the week the flags read (two windows of 90 days).
pub const WINDOWS_DAYS: i64 = 180;
/// History spans this many days before the windows.
pub const HISTORY_DAYS: i64 = 4 * 365;

/// The fixed part of every index of the series.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    /// Documents dated in the reported week (the usual mix of kinds).
    pub week_docs: usize,
    /// Cloud notes dated in the 180 days before the week.
    pub window_notes: usize,
}

impl Recent {
    /// 2,000 week documents and 1,500 window notes, shrunk so that they take
    /// at most 35% of the smallest index.
    pub fn for_sizes(sizes: &[usize]) -> Recent {
        let smallest = sizes.iter().copied().min().unwrap_or(10_000);
        Recent {
            week_docs: 2_000.min(smallest / 5),
            window_notes: 1_500.min(smallest * 3 / 20),
        }
    }

    /// Documents in the recent block.
    pub fn docs(&self) -> usize {
        self.week_docs + self.window_notes
    }
}

/// One index size of the series.
#[derive(Debug, Clone, Default)]
pub struct ScaleRow {
    /// Documents in the index.
    pub docs: usize,
    /// Documents dated more than 180 days before the week.
    pub history: usize,
    /// Documents the report counted in its period.
    pub period_docs: u64,
    /// Cloud notes in the 180 days before the period's end (both flag windows).
    pub window_notes: u64,
    /// Of which launch-grade (stage new / preview / GA): what the flags keep.
    pub launch_notes: u64,
    /// Segments after the build.
    pub segments: usize,
    /// Index build time, s.
    pub build_s: f64,
    /// Index size on disk, bytes.
    pub disk_bytes: u64,
    /// `build_report` + `render_markdown`, median, s.
    pub report_s: f64,
    /// Of which `render_markdown`, median, s.
    pub render_s: f64,
    /// `compute_flags` (90 days to the period's end), median, s.
    pub flags_s: f64,
    /// Markdown size, bytes.
    pub markdown_bytes: usize,
    /// Active flags.
    pub flags: usize,
    /// Timed runs (after the warm-up).
    pub runs: usize,
}

/// The reported week and the corpus end.
pub fn period() -> Result<(Period, Timestamp)> {
    let end: Timestamp = corpus::END.parse()?;
    Ok((last_complete_week(end), end))
}

/// `pool` parsed and tagged items from the synthetic corpus, shuffled.
pub fn pool(corpus: &Corpus, tagger: &Tagger, pool: usize, seed: u64) -> Result<Vec<Item>> {
    let batches = pool.div_ceil(10_000);
    let mut items = Vec::with_capacity(pool);
    for b in 0..batches {
        let docs = 10_000.min(pool - b * 10_000);
        for p in corpus.batch(b, batches, docs) {
            items.extend(corpus::parse(&p).with_context(|| format!("parsing {:?}", p.adapter))?);
        }
    }
    tagger.tag(&mut items)?;
    super::classifier()?.classify_all(&mut items);
    let mut rng = Rng::new(seed ^ 0x5CA1_AB1E);
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
    Ok(items)
}

fn redate(mut item: Item, at_s: i64) -> Result<Item> {
    let at = Timestamp::from_second(at_s)?;
    item.published = Some(at);
    item.updated = item.updated.map(|_| at);
    item.first_seen = Some(at);
    item.last_seen = Some(at);
    Ok(item)
}

/// `k` of `n` evenly over `[from, from + span)` seconds.
fn spread(from: i64, span: i64, k: usize, n: usize) -> i64 {
    from + (span as i128 * k as i128 / n.max(1) as i128) as i64
}

/// Write an index of `n` documents at `dir`: history, then the recent block.
pub fn build(
    dir: &Path,
    n: usize,
    pool: &[Item],
    recent: Recent,
    period: &Period,
    heap: usize,
    batch: usize,
) -> Result<f64> {
    ensure!(
        n > recent.docs(),
        "index size {n} must exceed the recent block ({} documents)",
        recent.docs()
    );
    // The recent block: the first `week_docs` pool items, then cloud notes.
    let week: Vec<&Item> = pool.iter().take(recent.week_docs).collect();
    let notes: Vec<&Item> = pool
        .iter()
        .skip(recent.week_docs)
        .filter(|i| i.kind == Kind::Cloud)
        .take(recent.window_notes)
        .collect();
    ensure!(
        week.len() == recent.week_docs && notes.len() == recent.window_notes,
        "the pool of {} items is too small for the recent block",
        pool.len()
    );
    let since = period.since.as_second();
    let until = period.until.as_second();
    let windows_from = since - WINDOWS_DAYS * DAY;
    let history_from = windows_from - HISTORY_DAYS * DAY;
    let history = n - recent.docs();

    let item_at = |k: usize| -> Result<Item> {
        if k < history {
            let src = &pool[k % pool.len()];
            let mut item = redate(
                src.clone(),
                spread(history_from, HISTORY_DAYS * DAY, k, history),
            )?;
            item.id = format!("{}#h{k}", src.id);
            Ok(item)
        } else if k < history + notes.len() {
            let j = k - history;
            let at = spread(windows_from, WINDOWS_DAYS * DAY, j, notes.len());
            redate(notes[j].clone(), at)
        } else {
            let j = k - history - notes.len();
            redate(week[j].clone(), spread(since, until - since, j, week.len()))
        }
    };

    let t = Instant::now();
    let idx = HorizonIndex::open_or_create(dir)?;
    let mut k = 0;
    while k < n {
        let mut writer = idx.writer(heap)?;
        for _ in 0..batch.min(n - k) {
            writer.add_document(idx.doc_of(&item_at(k)?))?;
            k += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
    }
    Ok(t.elapsed().as_secs_f64())
}

/// An index of the series opened for measuring, with the counts of what it holds.
pub struct Measured {
    idx: HorizonIndex,
    cfg: horizon::config::Config,
    state: horizon::state::CrawlState,
    /// What the index holds; the timings are filled by [`Measured::finish`].
    pub row: ScaleRow,
    rep: Vec<f64>,
    ren: Vec<f64>,
    fl: Vec<f64>,
}

/// Opens the index at `dir` and counts its documents, segments and the
/// windows' notes; [`Measured::run`] then times one report and one flags run.
pub fn open(dir: &Path, period: &Period) -> Result<Measured> {
    let cfg =
        horizon::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"))?;
    let idx = HorizonIndex::open(dir)?;
    let state = horizon::state::CrawlState::default();
    let mut row = ScaleRow::default();
    let searcher = idx.searcher()?;
    row.docs = idx.count(&searcher)?;
    row.segments = searcher.segment_readers().len();
    row.disk_bytes = idx.size_on_disk();
    let f = idx.fields();
    let cloud = || -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(f.kind, Kind::Cloud.as_str()),
            IndexRecordOption::Basic,
        ))
    };
    let windows = horizon::search::date_range(
        f.date,
        Some(Timestamp::from_second(
            period.until.as_second() - WINDOWS_DAYS * DAY,
        )?),
        Some(period.until),
    );
    let q = BooleanQuery::new(vec![
        (Occur::Must, cloud()),
        (Occur::Must, windows.box_clone()),
    ]);
    row.window_notes = searcher.search(&q, &Count)? as u64;
    let mut launch = 0;
    for stage in ["new", "preview", "ga"] {
        let q = BooleanQuery::new(vec![
            (Occur::Must, cloud()),
            (Occur::Must, windows.box_clone()),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.stage, stage),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        launch += searcher.search(&q, &Count)? as u64;
    }
    row.launch_notes = launch;
    drop(searcher);
    Ok(Measured {
        idx,
        cfg,
        state,
        row,
        rep: Vec::new(),
        ren: Vec::new(),
        fl: Vec::new(),
    })
}

impl Measured {
    /// One `build_report` + `render_markdown` and one `compute_flags`; kept
    /// for the medians unless `warmup`.
    pub fn run(&mut self, period: &Period, end: Timestamp, warmup: bool) -> Result<()> {
        let window = self.cfg.absorption.window.0;
        let t = Instant::now();
        let report = build_report(&self.idx, &self.cfg, &self.state, period.clone(), end)?;
        let t_md = Instant::now();
        let md = Format::Markdown.render(&report)?;
        let rendered = t_md.elapsed().as_secs_f64();
        let total = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let flags = horizon::absorb::compute_flags(&self.idx, &self.cfg, period.until, window)?;
        let flags_s = t.elapsed().as_secs_f64();
        self.row.period_docs = report.headline.documents;
        self.row.markdown_bytes = md.len();
        self.row.flags = flags.active().count();
        std::hint::black_box((md, flags));
        if !warmup {
            self.rep.push(total);
            self.ren.push(rendered);
            self.fl.push(flags_s);
        }
        Ok(())
    }

    /// The row with the medians of the runs kept.
    pub fn finish(mut self) -> ScaleRow {
        self.row.runs = self.rep.len();
        self.row.report_s = median(&mut self.rep);
        self.row.render_s = median(&mut self.ren);
        self.row.flags_s = median(&mut self.fl);
        self.row
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
