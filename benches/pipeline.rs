//! `cargo bench --bench pipeline [-- --quick] [-- --sizes 10k,100k,1m] [-- --write]`
//!
//! Ingest, parse, search and report at 10k / 100k / 1M synthetic documents,
//! each next to a baseline measured in the same run:
//! - ingest: horizon's crawl path (payload bytes → adapter → Tagger → merge
//!   against the index → doc_of → add → one commit per 10k-document "crawl")
//!   vs plain tantivy indexing the same documents with the same schema, heap
//!   and commits. Both run in a child process so their peak RSS is their own.
//! - parse: MB/s of each adapter over the real recorded fixtures.
//! - search: p50/p95/p99 of `horizon::search::search` and of the server's
//!   warm `horizon::serve::SearchEngine` vs a raw tantivy searcher running the
//!   same parsed queries; `/api/search` of `horizon serve` under 64
//!   concurrent clients vs a raw tantivy searcher behind the same axum
//!   router and middleware; the CLI (process start to exit) vs ripgrep over a
//!   JSON-lines dump of the same documents.
//! - report: `build_report` + `render_markdown` and `compute_flags` on the
//!   ingest indexes (the week and the flag windows grow with the corpus) and
//!   vs the raw week aggregations; then again on indexes of the same sizes
//!   whose week and flag windows are held fixed while older history grows
//!   (`support::scale`), each time as a ratio to the smallest index.
//!   `--quick` runs that series at 2k/4k; `--sizes` applies to both.
//!
//! Results are printed and written to BENCHMARKS.md (not in `--quick` mode
//! unless `--write` is given).
//!
//! For profiling, on an index built by `--child horizon --n N --dir D`:
//! `--child stages --dir D [--n ROUNDS]` times each stage of a serve search
//! against the raw searcher, and `--child http --dir D [--n SECONDS]` runs
//! the load test alone; both print and write nothing else.

// The tests' helpers, mounted side by side as in `tests/integration/support`
// (each names the others as `super::…`); the benchmark uses part of them.
#[allow(dead_code)]
#[path = "../tests/integration/support/absorb_eval.rs"]
mod absorb_eval;
#[allow(dead_code)]
#[path = "../tests/integration/support/fixture_items.rs"]
mod fixture_items;
#[allow(dead_code)]
#[path = "../tests/integration/support/fixtures.rs"]
mod fixtures;
#[path = "../tests/integration/support/launch_eval.rs"]
mod launch_eval;
#[allow(dead_code)]
#[path = "../tests/integration/support/story_eval.rs"]
mod story_eval;
mod support;
#[path = "../tests/integration/support/topic_eval.rs"]
mod topic_eval;
#[allow(dead_code)]
#[path = "../tests/integration/support/topweek_eval.rs"]
mod topweek_eval;

use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use horizon::index::{build_schema, merge, to_tantivy, Fields, HorizonIndex};
use horizon::model::{Item, Kind, Stage, Vendor};
use horizon::search::{filter_query, parse_query, search, SearchRequest, SortBy};
use horizon::topics::Tagger;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use support::corpus::{self, Corpus};
use support::scale::{self, Recent, ScaleRow};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DateTime, Index, Order, TantivyDocument, Term};

/// Documents per crawl (one writer, one commit).
const BATCH: usize = 10_000;
/// The writer heap both sides use: horizon's default.
const HEAP: usize = horizon::DEFAULT_WRITER_HEAP_BYTES;
/// Corpus seed.
const SEED: u64 = 0x00C0_FFEE;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct IngestResult {
    docs: usize,
    payload_bytes: u64,
    gen_s: f64,
    parse_s: f64,
    tag_s: f64,
    index_s: f64,
    hwm_kb: u64,
    /// Report stage: build_report, render_markdown, compute_flags, raw aggregations (median of 3, s).
    report_s: f64,
    render_s: f64,
    flags_s: f64,
    agg_s: f64,
    /// First (cold) build_report + compute_flags, s.
    report_cold_s: f64,
    flags_cold_s: f64,
    report_bytes: usize,
    flags: usize,
    /// build_report with 20 marks in the store (median of 3, s) and the
    /// models' training alone (#30 item 2).
    #[serde(default)]
    report_marked_s: f64,
    #[serde(default)]
    learn_train_s: f64,
}

struct Args {
    quick: bool,
    write: bool,
    scale_only: bool,
    sizes: Vec<usize>,
    child: Option<String>,
    n: usize,
    dir: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<usize> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mul) = if let Some(n) = s.strip_suffix('k') {
        (n, 1_000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 1_000_000)
    } else {
        (s.as_str(), 1)
    };
    Ok(num.parse::<usize>().context("size")? * mul)
}

fn args() -> Result<Args> {
    let mut a = Args {
        quick: false,
        write: false,
        scale_only: false,
        sizes: vec![10_000, 100_000, 1_000_000],
        child: None,
        n: 0,
        dir: None,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => a.quick = true,
            "--write" => a.write = true,
            "--scale-only" => a.scale_only = true,
            "--sizes" => {
                a.sizes = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(parse_size)
                    .collect::<Result<_>>()?
            }
            "--child" => a.child = it.next(),
            "--n" => a.n = it.next().unwrap_or_default().parse()?,
            "--dir" => a.dir = it.next().map(PathBuf::from),
            "--dump" => a.dump = it.next().map(PathBuf::from),
            _ => {} // `--bench` and friends from cargo
        }
    }
    if a.quick {
        a.sizes = vec![2_000];
    }
    Ok(a)
}

fn main() -> Result<()> {
    let args = args()?;
    if let Some(mode) = args.child.clone() {
        return child(&mode, &args);
    }
    classifier_figures();
    parent(&args)
}

/// The cloud-note classifier on its labelled development set and the
/// generated announcements (`tests/integration/support/absorb_eval.rs`):
/// precision and recall per relation. Skipped with a line saying so when the
/// fixtures are absent.
fn classifier_figures() {
    launch_wording_figures();
    if let Err(e) = body_snippet_figures() {
        println!("body snippets: not measured: {e:#}");
    }
    let dir = fixtures::fixtures_path();
    if !dir.is_dir() {
        println!("classifier: not measured, no fixtures at {}", dir.display());
        return;
    }
    let cfg = fixtures::checked_in_config();
    let items = topic_eval::tagged_items(&dir, &cfg);
    let labels = topic_eval::labels();
    for split in ["test", "tune"] {
        let t = topic_eval::score(&labels, &items, split, topic_eval::tagger_topics);
        let old = topic_eval::score(&labels, &items, split, topic_eval::any_keyword_rule(&cfg));
        println!(
            "tagging ({split}) precision {:.3} recall {:.3} (tp {}, fp {}, fn {}; {} labelled items); any-keyword rule precision {:.3} recall {:.3}",
            t.precision(),
            t.recall(),
            t.tp,
            t.fp,
            t.fn_,
            t.items,
            old.precision(),
            old.recall()
        );
    }
    let stories = story_eval::storied_items(&dir);
    let story_labels = story_eval::labels();
    for split in ["test", "tune"] {
        let s = story_eval::score(&story_labels, &stories, split);
        println!(
            "stories ({split}) precision {:.3} recall {:.3} ({} of {} same-story pairs joined, {} of {} look-alike pairs apart)",
            s.precision(),
            s.recall(),
            s.joined,
            s.same,
            s.kept_apart,
            s.apart
        );
    }
    for (part, f) in topweek_eval::evaluate(&dir) {
        println!(
            "top reads ({part}) nDCG@3 {:.3} over {} graded topic-weeks ({} with no useful read)",
            f.ndcg, f.topic_weeks, f.zero
        );
    }
    for point in topweek_eval::marking_curve(&dir, &[0, 5, 10, 20]) {
        println!("{point}");
    }
    println!(
        "{}",
        topweek_eval::done_when(&dir, &mut topweek_eval::StoreMarker::default(), &|_| true)
    );
    let Ok(catalog) = horizon::absorb::Catalog::for_config(&cfg) else {
        println!("classifier: not measured, the catalog does not load");
        return;
    };
    let systems = absorb_eval::watched_systems(&cfg, &catalog);
    let classifier = horizon::absorb::Classifier::new(catalog.clone());
    let notes = absorb_eval::fixture_notes(&dir);
    let mut examples = absorb_eval::devset_examples(&notes, &catalog);
    examples.extend(absorb_eval::variations(&notes, &catalog));
    let s = absorb_eval::score(&classifier, &examples, &systems);
    let (good, cited) = absorb_eval::citation_precision(&cfg, &classifier, &examples);
    println!(
        "flags citation precision {:.3} ({good} of {cited} evidence notes of absorbing/absorbed rows are about the system's offering)",
        if cited == 0 { 1.0 } else { good as f64 / cited as f64 }
    );
    for (r, c) in &s.by_relation {
        println!(
            "classifier {:<8} precision {:.3} recall {:.3} (tp {}, fp {}, fn {}; {} notes)",
            r.as_str(),
            c.precision(),
            c.recall(),
            c.tp,
            c.fp,
            c.fn_,
            s.examples
        );
    }
}

/// Launch detection on the vendors' real wording
/// (`tests/data/launch_wording.toml`, `support/launch_eval.rs`): launch
/// precision and recall on the tuning and the test part. Needs no fixtures.
fn launch_wording_figures() {
    let cfg = fixtures::checked_in_config();
    let Ok(catalog) = horizon::absorb::Catalog::for_config(&cfg) else {
        println!("launch wording: not measured, the catalog does not load");
        return;
    };
    let classifier = horizon::absorb::Classifier::new(catalog);
    for part in ["test", "tune"] {
        println!("{}", launch_eval::score(&classifier, part).line(part));
    }
}

// ───────────────────────────── child processes ─────────────────────────────

fn child(mode: &str, args: &Args) -> Result<()> {
    let dir = args.dir.clone().context("--dir")?;
    let mut res = match mode {
        "horizon" => ingest_horizon(args.n, &dir)?,
        "baseline" => ingest_baseline(&args.dump.clone().context("--dump")?, &dir)?,
        "report" => report_stage(&dir)?,
        "stages" => return search_stages(&dir, if args.n == 0 { 200 } else { args.n }),
        "http" => {
            // The load test alone, for profiling: `--n` seconds (default 5).
            let secs = if args.n == 0 { 5.0 } else { args.n as f64 };
            for (side, row) in ["horizon", "baseline"].iter().zip(bench_http(&dir, secs)?) {
                println!(
                    "{side}: {:.0} req/s, p50 {} ms, p99 {} ms, failed {:?}",
                    row.rps(),
                    support::ms(row.p50),
                    support::ms(row.p99),
                    row.failures
                );
            }
            return Ok(());
        }
        other => bail!("unknown child mode {other}"),
    };
    res.hwm_kb = support::vm_hwm_kb();
    println!("RESULT {}", serde_json::to_string(&res)?);
    Ok(())
}

fn new_corpus() -> Result<Corpus> {
    Ok(Corpus::new(
        SEED,
        support::fixture_vocabulary()?,
        support::topic_words()?,
    ))
}

/// horizon's crawl path, batch by batch: the loop body of `crawl::crawl`.
fn ingest_horizon(n: usize, dir: &Path) -> Result<IngestResult> {
    let corpus = new_corpus()?;
    let words = support::topic_words()?;
    let tagger = Tagger::new(&words.topics)?;
    let classifier = support::classifier()?;
    let idx = HorizonIndex::open_or_create(dir)?;
    let id_field = idx.fields().id;
    let batches = n.div_ceil(BATCH);
    let mut r = IngestResult::default();
    let t_all = Instant::now();
    for b in 0..batches {
        let docs = BATCH.min(n - b * BATCH);
        let t = Instant::now();
        let payloads = corpus.batch(b, batches, docs);
        r.gen_s += t.elapsed().as_secs_f64();
        r.payload_bytes += payloads.iter().map(|p| p.bytes.len() as u64).sum::<u64>();
        let now = payloads
            .first()
            .map(|p| p.now)
            .unwrap_or_else(Timestamp::now);

        let t = Instant::now();
        let mut items: Vec<Item> = Vec::with_capacity(docs);
        for p in &payloads {
            let got =
                corpus::parse(p).with_context(|| format!("parsing a {:?} payload", p.adapter))?;
            items.extend(got);
        }
        r.parse_s += t.elapsed().as_secs_f64();
        drop(payloads);

        let t = Instant::now();
        tagger.tag(&mut items)?;
        classifier.classify_all(&mut items);
        r.tag_s += t.elapsed().as_secs_f64();

        let t = Instant::now();
        let searcher = idx.searcher()?;
        let mut writer = idx.writer(HEAP)?;
        for item in items {
            let old = idx.get(&searcher, &item.id)?;
            let (merged, _) = merge(item, old.as_ref(), now);
            writer.delete_term(Term::from_field_text(id_field, &merged.id));
            writer.add_document(idx.doc_of(&merged))?;
            r.docs += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        r.index_s += t.elapsed().as_secs_f64();
        if batches >= 10 && (b + 1) % (batches / 10) == 0 {
            eprintln!(
                "    horizon ingest: {}/{} docs, {:.0}s",
                r.docs,
                n,
                t_all.elapsed().as_secs_f64()
            );
        }
    }
    Ok(r)
}

/// The document a plain tantivy application would build: same schema, same
/// values, the JSON line it already holds stored as is.
fn direct_doc(f: &Fields, it: &Item, line: &str) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &it.id);
    d.add_text(f.kind, it.kind.as_str());
    d.add_text(f.source, &it.source);
    if let Some(v) = it.vendor {
        d.add_text(f.vendor, v.as_str());
    }
    d.add_text(f.title, &it.title);
    d.add_text(f.summary, &it.summary);
    for a in &it.authors {
        d.add_text(f.author, a);
    }
    for c in &it.categories {
        d.add_text(f.category, c);
    }
    for t in &it.topics {
        d.add_text(f.topic, t);
    }
    for p in &it.products {
        d.add_text(f.product, p);
    }
    if let Some(s) = it.stage {
        d.add_text(f.stage, s.as_str());
    }
    if let Some(l) = &it.language {
        d.add_text(f.language, l.to_lowercase());
    }
    if let Some(p) = it.published {
        d.add_date(f.published, to_tantivy(p));
    }
    if let Some(x) = it.date() {
        d.add_date(f.date, to_tantivy(x));
    }
    if let Some(x) = it.first_seen {
        d.add_date(f.first_seen, to_tantivy(x));
    }
    if let Some(s) = it.stars_period {
        d.add_u64(f.stars_period, s);
    }
    if let Some(s) = it.stars {
        d.add_u64(f.stars, s);
    }
    d.add_text(f.item, line);
    d
}

/// Plain tantivy over the same documents (the dump of horizon's index), same
/// schema, heap, batch size, commits and merge waits.
fn ingest_baseline(dump: &Path, dir: &Path) -> Result<IngestResult> {
    std::fs::create_dir_all(dir)?;
    let (schema, f) = build_schema();
    let index = Index::create_in_dir(dir, schema)?;
    let mut lines = std::io::BufReader::new(std::fs::File::open(dump)?).lines();
    let mut r = IngestResult::default();
    loop {
        let mut batch: Vec<(Item, String)> = Vec::with_capacity(BATCH);
        for line in lines.by_ref().take(BATCH) {
            let line = line?;
            let item: Item = serde_json::from_str(&line)?;
            batch.push((item, line));
        }
        if batch.is_empty() {
            break;
        }
        let t = Instant::now();
        let mut writer: tantivy::IndexWriter = index.writer(HEAP)?;
        for (item, line) in &batch {
            writer.add_document(direct_doc(&f, item, line))?;
            r.docs += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        r.index_s += t.elapsed().as_secs_f64();
    }
    Ok(r)
}

/// The weekly report (last complete ISO week of the corpus) and the absorption
/// flags (90 days to the corpus end), next to the raw aggregations a report
/// needs at least: documents per topic and per kind in the week.
fn report_stage(dir: &Path) -> Result<IngestResult> {
    use horizon::report::{build_report, last_complete_week, Format};
    let cfg =
        horizon::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"))?;
    let idx = HorizonIndex::open(dir)?;
    let state = horizon::state::CrawlState::default();
    let end: Timestamp = corpus::END.parse()?;
    let period = last_complete_week(end);
    let window = cfg.absorption.window.0;
    let mut r = IngestResult::default();
    let (mut rep, mut ren, mut fl, mut ag) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..3 {
        let t = Instant::now();
        let report = build_report(&idx, &cfg, &state, period.clone(), end)?;
        rep.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let md = Format::Markdown.render(&report)?;
        ren.push(t.elapsed().as_secs_f64());
        r.report_bytes = md.len();
        let t = Instant::now();
        let flags = horizon::absorb::compute_flags(&idx, &cfg, end, window)?;
        fl.push(t.elapsed().as_secs_f64());
        r.flags = flags.active().count();
        let t = Instant::now();
        let searcher = idx.searcher()?;
        let q =
            horizon::search::date_range(idx.fields().date, Some(period.since), Some(period.until));
        std::hint::black_box(idx.counts_by(&searcher, &*q, "topic")?);
        std::hint::black_box(idx.counts_by(&searcher, &*q, "kind")?);
        ag.push(t.elapsed().as_secs_f64());
        if i == 0 {
            r.report_cold_s = rep[0];
            r.flags_cold_s = fl[0];
        }
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    r.report_s = med(&mut rep);
    r.render_s = med(&mut ren);
    (r.report_marked_s, r.learn_train_s) = marked_report(&idx, &cfg, &state, &period, end)?;
    eprintln!(
        "  report with 20 marks {:.1} ms (without {:.1} ms; training {:.2} ms), {} documents",
        r.report_marked_s * 1e3,
        r.report_s * 1e3,
        r.learn_train_s * 1e3,
        idx.count(&idx.searcher()?)?
    );
    r.flags_s = med(&mut fl);
    r.agg_s = med(&mut ag);
    Ok(r)
}

/// Mark 20 documents of the period (useful and noise in turn, for their
/// first topic) in the bench index's store, then time `build_report` (median
/// of 3) and the training of the models alone.
fn marked_report(
    idx: &HorizonIndex,
    cfg: &horizon::config::Config,
    state: &horizon::state::CrawlState,
    period: &horizon::report::Period,
    end: Timestamp,
) -> Result<(f64, f64)> {
    use horizon::marks::{Mark, MarkStore, Verdict};
    let searcher = idx.searcher()?;
    let q = horizon::search::date_range(idx.fields().date, Some(period.since), Some(period.until));
    let top = searcher.search(
        &*q,
        &tantivy::collector::TopDocs::with_limit(200).order_by_score(),
    )?;
    let store = MarkStore::at(idx.dir());
    let mut marked = 0;
    for (_, addr) in top {
        let item = idx.item_of(&searcher.doc(addr)?)?;
        let Some(topic) = item.topics.first() else {
            continue;
        };
        store.put(&Mark {
            item: item.id.clone(),
            topic: Some(topic.clone()),
            verdict: if marked % 2 == 0 {
                Verdict::Useful
            } else {
                Verdict::Noise
            },
            who: "bench".into(),
            at: end,
            note: None,
        })?;
        marked += 1;
        if marked == 20 {
            break;
        }
    }
    let marks = store.list()?;
    let t = Instant::now();
    std::hint::black_box(horizon::learn::Learner::train(idx, &searcher, &marks)?);
    let train = t.elapsed().as_secs_f64();
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        std::hint::black_box(horizon::report::build_report(
            idx,
            cfg,
            state,
            period.clone(),
            end,
        )?);
        runs.push(t.elapsed().as_secs_f64());
    }
    runs.sort_by(f64::total_cmp);
    std::fs::remove_file(store.path())?;
    Ok((runs[1], train))
}

/// Run a child stage under `/usr/bin/time -v` (peak RSS), else trust its VmHWM.
fn run_child(extra: &[String]) -> Result<(IngestResult, u64)> {
    let exe = std::env::current_exe()?;
    let time = Path::new("/usr/bin/time");
    let tfile = std::env::temp_dir().join(format!("horizon-bench-time-{}", std::process::id()));
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg("-o").arg(&tfile).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(extra)
        .stderr(Stdio::inherit())
        .output()
        .context("running the child stage")?;
    if !out.status.success() {
        bail!("child {:?} failed: {}", extra, out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .context("child printed no RESULT")?;
    let res: IngestResult = serde_json::from_str(line)?;
    let mut rss = res.hwm_kb;
    if let Ok(t) = std::fs::read_to_string(&tfile) {
        if let Some(kb) = t
            .lines()
            .find(|l| l.contains("Maximum resident set size"))
            .and_then(|l| l.rsplit(':').next())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            rss = kb;
        }
        let _ = std::fs::remove_file(&tfile);
    }
    Ok((res, rss))
}

// ───────────────────────────── parent ─────────────────────────────

/// A query's label and p50/p95/p99 of horizon::search::search, raw and the serve engine.
type SearchRow = (String, [Duration; 3], [Duration; 3], [Duration; 3]);

struct SizeResult {
    n: usize,
    horizon: IngestResult,
    horizon_rss: u64,
    baseline: IngestResult,
    baseline_rss: u64,
    report: IngestResult,
    report_rss: u64,
    dump_s: f64,
    dump_bytes: u64,
    index_bytes: u64,
    /// Per query: horizon::search::search, raw, serve engine.
    search: Vec<SearchRow>,
    search_all: ([Duration; 3], [Duration; 3], [Duration; 3]),
    http: [HttpRow; 2],
    cli: Vec<(String, Duration, Duration)>,
}

fn parent(args: &Args) -> Result<()> {
    let t_all = Instant::now();
    let cmdline = if args.quick {
        "cargo bench --bench pipeline -- --quick".to_string()
    } else if args.sizes != [10_000, 100_000, 1_000_000] {
        format!(
            "cargo bench --bench pipeline -- --sizes {}",
            args.sizes
                .iter()
                .map(|n| human(*n))
                .collect::<Vec<_>>()
                .join(",")
        )
    } else {
        "cargo bench --bench pipeline".to_string()
    };
    let machine = support::machine();
    eprintln!("pipeline benchmark: {machine}");
    let corpus = new_corpus()?;
    eprintln!(
        "vocabulary: {} words from {}",
        corpus.vocabulary_size(),
        support::fixtures_dir().display()
    );

    let parse_rows = bench_parse(if args.quick { 0.05 } else { 0.5 })?;
    let rg = which("rg");

    let mut results = Vec::new();
    if args.scale_only {
        // Only the fixed-period table, printed and never written: for
        // profiling the report's growth with the history.
        let (_, scale) = bench_scale(&corpus, &args.sizes, args.quick)?;
        for row in &scale {
            println!(
                "scale {}: report {:.1} ms, flags {:.1} ms",
                human(row.docs),
                row.report_s * 1e3,
                row.flags_s * 1e3
            );
        }
        return Ok(());
    }
    for &n in &args.sizes {
        eprintln!("== {} documents", human(n));
        let tmp = tempfile::Builder::new()
            .prefix("horizon-bench-")
            .tempdir()?;
        let hdir = tmp.path().join("horizon");
        let bdir = tmp.path().join("baseline");
        let dump = tmp.path().join("dump.jsonl");
        let t = Instant::now();
        let (horizon, horizon_rss) = run_child(&[
            "--child".into(),
            "horizon".into(),
            "--n".into(),
            n.to_string(),
            "--dir".into(),
            hdir.display().to_string(),
        ])?;
        eprintln!(
            "  horizon ingest {:.1}s ({} docs)",
            t.elapsed().as_secs_f64(),
            horizon.docs
        );
        let idx = HorizonIndex::open(&hdir)?;
        let t = Instant::now();
        let dumped = dump_jsonl(&idx, &dump)?;
        let dump_s = t.elapsed().as_secs_f64();
        eprintln!("  dumped {dumped} docs to JSON lines in {dump_s:.1}s");
        let t = Instant::now();
        let (baseline, baseline_rss) = run_child(&[
            "--child".into(),
            "baseline".into(),
            "--dir".into(),
            bdir.display().to_string(),
            "--dump".into(),
            dump.display().to_string(),
            "--n".into(),
            n.to_string(),
        ])?;
        eprintln!("  baseline ingest {:.1}s", t.elapsed().as_secs_f64());
        let index_bytes = idx.size_on_disk();
        let t = Instant::now();
        let (report, report_rss) = run_child(&[
            "--child".into(),
            "report".into(),
            "--dir".into(),
            hdir.display().to_string(),
        ])?;
        eprintln!("  report stage {:.1}s", t.elapsed().as_secs_f64());

        let rounds = if args.quick { 2 } else { 30 };
        let engine =
            horizon::serve::SearchEngine::new(std::sync::Arc::new(HorizonIndex::open(&hdir)?))?;
        let (search_rows, search_all) = bench_search(&idx, &engine, rounds)?;
        drop(engine);
        eprintln!("  search done");
        let http = bench_http(&hdir, if args.quick { 0.5 } else { 5.0 })?;
        eprintln!("  http done");
        let cli = bench_cli(&hdir, &dump, rg.as_deref(), if args.quick { 1 } else { 5 })?;
        eprintln!("  cli done");
        results.push(SizeResult {
            n,
            horizon,
            horizon_rss,
            baseline,
            baseline_rss,
            report,
            report_rss,
            dump_s,
            dump_bytes: std::fs::metadata(&dump).map(|m| m.len()).unwrap_or(0),
            index_bytes,
            search: search_rows,
            search_all,
            http,
            cli,
        });
        drop(idx);
    }
    let scale_sizes = if args.quick {
        vec![2_000, 4_000]
    } else {
        args.sizes.clone()
    };
    let (recent, scale) = bench_scale(&corpus, &scale_sizes, args.quick)?;
    let total = t_all.elapsed();
    let md = render(
        &machine,
        &cmdline,
        &parse_rows,
        &results,
        (recent, &scale),
        rg.is_some(),
        total,
    );
    println!("{md}");
    if !args.quick || args.write {
        let path = support::write_section("pipeline", &md)?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!("total {:.1}s", total.as_secs_f64());
    Ok(())
}

/// Report and flags with the period fixed and the history growing (see
/// `support::scale`): one index per size, built, measured and deleted.
fn bench_scale(corpus: &Corpus, sizes: &[usize], quick: bool) -> Result<(Recent, Vec<ScaleRow>)> {
    let mut sizes = sizes.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    let recent = Recent::for_sizes(&sizes);
    let (period, end) = scale::period()?;
    let tagger = Tagger::new(&support::topic_words()?.topics)?;
    let pool_n = sizes.last().copied().unwrap_or(0).clamp(4_000, 50_000);
    let t = Instant::now();
    let pool = scale::pool(corpus, &tagger, pool_n, SEED)?;
    eprintln!(
        "== report scaling: week {} ({} docs) + {} cloud notes in the 180 days before it, history before that; pool of {} items in {:.1}s",
        period.label,
        recent.week_docs,
        recent.window_notes,
        pool.len(),
        t.elapsed().as_secs_f64()
    );
    let (warmup, mut runs) = if quick { (1, 2) } else { (1, 5) };
    // `HORIZON_SCALE_RUNS=100 … --scale-only` gives a profiler time to look.
    if let Some(n) = std::env::var("HORIZON_SCALE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        runs = n;
    }
    // Every size is built first and the runs then go round the sizes, so a
    // slow spell of the machine falls on all sizes alike instead of on one.
    // `HORIZON_SCALE_DIR=DIR` keeps the indexes in DIR/<size> and reuses
    // them on the next run, so a profile can be repeated without the build.
    let keep = std::env::var_os("HORIZON_SCALE_DIR").map(PathBuf::from);
    let mut open = Vec::new();
    for &n in &sizes {
        let tmp = tempfile::Builder::new()
            .prefix("horizon-bench-scale-")
            .tempdir()?;
        let dir = match &keep {
            Some(base) => base.join(human(n)),
            None => tmp.path().join("horizon"),
        };
        let build_s = if keep.is_some() && HorizonIndex::exists(&dir) {
            eprintln!("  {}: reusing {}", human(n), dir.display());
            0.0
        } else {
            scale::build(&dir, n, &pool, recent, &period, HEAP, BATCH)?
        };
        let mut m = scale::open(&dir, &period)?;
        m.row.build_s = build_s;
        m.row.history = n - recent.docs();
        eprintln!(
            "  {}: built in {:.1}s ({} segments)",
            human(n),
            build_s,
            m.row.segments
        );
        open.push((tmp, m));
    }
    for round in 0..warmup + runs {
        for (_, m) in &mut open {
            m.run(&period, end, round < warmup)?;
        }
    }
    let mut rows = Vec::new();
    for (tmp, m) in open {
        let row = m.finish();
        eprintln!(
            "  {}: report {:.1} ms, flags {:.1} ms (median of {}, sizes interleaved)",
            human(row.docs),
            row.report_s * 1e3,
            row.flags_s * 1e3,
            row.runs
        );
        rows.push(row);
        drop(tmp);
    }
    Ok((recent, rows))
}

fn human(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(bin))
            .find(|c| c.is_file())
    })
}

/// Every stored item of the index as one JSON line (the `item` field verbatim).
fn dump_jsonl(idx: &HorizonIndex, path: &Path) -> Result<usize> {
    let searcher = idx.searcher()?;
    let field = idx.fields().item;
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(64)?;
        for doc in store.iter::<TantivyDocument>(seg.alive_bitset()) {
            let doc = doc?;
            if let Some(s) = doc.get_first(field).and_then(|v| v.as_str()) {
                out.write_all(s.as_bytes())?;
                out.write_all(b"\n")?;
                n += 1;
            }
        }
    }
    out.flush()?;
    Ok(n)
}

/// MB/s of each adapter over the real fixtures, each repeated for `secs`.
fn bench_parse(secs: f64) -> Result<Vec<(String, usize, usize, f64)>> {
    use corpus::{Adapter, Payload};
    let now: Timestamp = "2026-11-23T00:00:00Z".parse()?;
    let sets: [(&str, &str, Adapter<'static>, &[&str]); 7] = [
        ("feed (blog-feeds)", "blog-feeds", Adapter::Feed, &[]),
        (
            "arXiv API",
            "arxiv-api",
            Adapter::ArxivApi,
            &[
                "api2026_search",
                "api2016_search",
                "api2016_idlist",
                "old-style",
            ],
        ),
        ("arXiv listing (feed)", "arxiv-rss", Adapter::Feed, &[]),
        (
            "trending HTML",
            "github-trending",
            Adapter::Trending(horizon::config::TrendingPeriod::Daily),
            &[],
        ),
        (
            "AWS what's new",
            "cloud-aws",
            Adapter::Cloud(Vendor::Aws),
            &[],
        ),
        (
            "Azure updates",
            "cloud-azure",
            Adapter::Cloud(Vendor::Azure),
            &[],
        ),
        (
            "GCP release notes",
            "cloud-gcp",
            Adapter::Cloud(Vendor::Gcp),
            &[],
        ),
    ];
    let mut rows = Vec::new();
    for (label, dir, adapter, only) in sets {
        let mut payloads = Vec::new();
        for f in support::fixture_files(dir) {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if !name.ends_with(".xml") && !name.ends_with(".html") {
                continue;
            }
            if !only.is_empty() && !only.iter().any(|o| name.contains(o)) {
                continue;
            }
            payloads.push(Payload {
                adapter,
                source: "bench".into(),
                url: "https://example.com/feed".into(),
                now,
                bytes: std::fs::read(&f)?,
                docs: 0,
            });
        }
        if payloads.is_empty() {
            continue;
        }
        let bytes: usize = payloads.iter().map(|p| p.bytes.len()).sum();
        let mut items = 0;
        for p in &payloads {
            items += corpus::parse(p).map(|v| v.len()).unwrap_or(0);
        }
        let t = Instant::now();
        let mut reps = 0usize;
        while t.elapsed().as_secs_f64() < secs || reps == 0 {
            for p in &payloads {
                std::hint::black_box(corpus::parse(p).ok());
            }
            reps += 1;
        }
        let mbps = (bytes * reps) as f64 / 1e6 / t.elapsed().as_secs_f64();
        rows.push((label.to_string(), bytes, items, mbps));
        eprintln!("  parse {label}: {mbps:.1} MB/s ({reps} reps)");
    }
    Ok(rows)
}

/// The fixed query set.
fn queries() -> Vec<(String, SearchRequest)> {
    let end: Timestamp = corpus::END.parse().expect("constant");
    let ago = |days: i64| end.checked_sub((days * 24).hours()).ok();
    let req = |q: &str| SearchRequest {
        query: q.to_string(),
        limit: 10,
        ..Default::default()
    };
    let mut out: Vec<(String, SearchRequest)> = vec![
        ("term".into(), req("kafka")),
        ("common term".into(), req("data")),
        ("phrase".into(), req("\"stream processing\"")),
        ("AND".into(), req("kubernetes AND observability")),
        ("OR".into(), req("kafka OR flink OR pulsar")),
        ("field".into(), req("title:database")),
        ("exclusion".into(), req("latency -preview")),
    ];
    let mut r = req("storage");
    r.kinds = vec![Kind::Paper];
    r.since = ago(30);
    out.push(("term + kind + since 30d".into(), r));
    let mut r = req("stage:ga");
    r.kinds = vec![Kind::Cloud];
    r.vendors = vec![Vendor::Aws, Vendor::Gcp];
    r.sort = SortBy::Date;
    out.push(("stage:ga cloud, by date".into(), r));
    let mut r = req("");
    r.topics = vec!["databases".into()];
    r.since = ago(7);
    r.until = Some(end);
    r.sort = SortBy::Date;
    out.push(("all, topic + week, by date".into(), r));
    let mut r = req("managed");
    r.stages = vec![Stage::Preview, Stage::Ga];
    out.push(("term + stage filter".into(), r));
    out
}

/// horizon's search and the server's warm engine vs the same parsed query
/// on a raw searcher (TopDocs + stored docs).
#[allow(clippy::type_complexity)]
fn bench_search(
    idx: &HorizonIndex,
    engine: &horizon::serve::SearchEngine,
    rounds: usize,
) -> Result<(
    Vec<SearchRow>,
    ([Duration; 3], [Duration; 3], [Duration; 3]),
)> {
    let qs = queries();
    let searcher = idx.searcher()?;
    let mut prepared: Vec<Box<dyn Query>> = Vec::new();
    for (_, r) in &qs {
        let text = parse_query(idx.index(), &r.query)?;
        let q: Box<dyn Query> = match filter_query(idx, r) {
            Some(f) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, text),
                (Occur::Must, f),
            ])),
            None => text,
        };
        prepared.push(q);
    }
    let raw = |i: usize| -> Result<usize> {
        let r = &qs[i].1;
        let q = &prepared[i];
        let mut n = 0;
        for (_, a) in raw_top(&searcher, q, r)? {
            let d: TantivyDocument = searcher.doc(a)?;
            n += d.len();
        }
        Ok(n)
    };
    let mut hs: Vec<Vec<Duration>> = vec![Vec::new(); qs.len()];
    let mut rs: Vec<Vec<Duration>> = vec![Vec::new(); qs.len()];
    let mut es: Vec<Vec<Duration>> = vec![Vec::new(); qs.len()];
    let page = horizon::serve::engine::PageSpec::default();
    for round in 0..rounds + 2 {
        for i in 0..qs.len() {
            let t = Instant::now();
            std::hint::black_box(search(idx, &qs[i].1)?);
            let h = t.elapsed();
            let t = Instant::now();
            std::hint::black_box(raw(i)?);
            let rr = t.elapsed();
            let t = Instant::now();
            std::hint::black_box(engine.search(&qs[i].1, page)?);
            let e = t.elapsed();
            if round >= 2 {
                hs[i].push(h);
                rs[i].push(rr);
                es[i].push(e);
            }
        }
    }
    let pct = |v: &mut Vec<Duration>| {
        v.sort();
        [
            support::quantile(v, 0.5),
            support::quantile(v, 0.95),
            support::quantile(v, 0.99),
        ]
    };
    let mut rows = Vec::new();
    let mut all_h = Vec::new();
    let mut all_r = Vec::new();
    let mut all_e = Vec::new();
    for (i, (label, _)) in qs.iter().enumerate() {
        all_h.extend(hs[i].iter().copied());
        all_r.extend(rs[i].iter().copied());
        all_e.extend(es[i].iter().copied());
        rows.push((
            label.clone(),
            pct(&mut hs[i]),
            pct(&mut rs[i]),
            pct(&mut es[i]),
        ));
    }
    Ok((rows, (pct(&mut all_h), pct(&mut all_r), pct(&mut all_e))))
}

// ───────────────────────────── search stages ─────────────────────────────

/// The raw baseline's collect: the request's best `limit` documents by
/// score, or newest first, with the score where there is one.
fn raw_top(
    searcher: &tantivy::Searcher,
    q: &dyn Query,
    r: &SearchRequest,
) -> Result<Vec<(Option<f32>, tantivy::DocAddress)>> {
    Ok(match r.sort {
        SortBy::Relevance => searcher
            .search(q, &TopDocs::with_limit(r.limit).order_by_score())?
            .into_iter()
            .map(|(s, a)| (Some(s), a))
            .collect(),
        SortBy::Date => searcher
            .search(
                q,
                &TopDocs::with_limit(r.limit).order_by_fast_field::<DateTime>("date", Order::Desc),
            )?
            .into_iter()
            .map(|(_, a)| (None, a))
            .collect(),
    })
}

/// Issue #32 item 1: a snippet cut from a 100 KB body costs what one cut
/// from a 1 KB summary costs. Three small indexes of the same 2,000 documents
/// (words drawn from the fixtures' vocabulary): in one the query's word is
/// in each 1 KB summary; in the others each summary is a 200-byte lead
/// without it and the word stands 60 KB (or 1 KB) deep in a 100 KB body. The same
/// query through `horizon serve`'s engine, alternating, 300 rounds after 20
/// warm-up rounds: the p50 of the snippet stage alone (`Snippets::hit` on
/// the 10 hits) and of the whole search, and their ratios (target for the
/// snippet: ≤ 1.10).
fn body_snippet_figures() -> Result<()> {
    use horizon::search::{hit_item, Snippets};
    const DOCS: usize = 2_000;
    const ROUNDS: usize = 300;
    let vocab = support::fixture_vocabulary()?;
    let vocab: Vec<&str> = vocab
        .iter()
        .map(String::as_str)
        .filter(|w| !w.eq_ignore_ascii_case("zeppelin"))
        .take(5_000)
        .collect();
    if vocab.is_empty() {
        bail!("no vocabulary");
    }
    let mut state: u64 = SEED;
    let mut text = |bytes: usize| -> String {
        let mut s = String::with_capacity(bytes + 16);
        while s.len() < bytes {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push_str(vocab[(state >> 33) as usize % vocab.len()]);
            s.push(' ');
        }
        s
    };
    let tmp = tempfile::tempdir()?;
    let mut engines = Vec::new();
    for (name, deep) in [("summary", None), ("body", Some(60)), ("early", Some(1))] {
        let dir = tmp.path().join(name);
        let idx = HorizonIndex::open_or_create(&dir)?;
        let mut writer = idx.writer(HEAP)?;
        for n in 0..DOCS {
            let mut item = Item::new(
                format!("bench:{name}:{n}"),
                Kind::Article,
                "bench",
                format!("Note {n}"),
                format!("https://example.org/{name}/{n}"),
            );
            if let Some(kb) = deep {
                item.summary = text(200);
                item.body = format!("{} zeppelin {}", text(kb * 1024), text((100 - kb) * 1024));
            } else {
                item.summary = format!("{} zeppelin {}", text(500), text(500));
            }
            writer.add_document(idx.doc_of(&item))?;
        }
        writer.commit()?;
        let idx = std::sync::Arc::new(HorizonIndex::open(&dir)?);
        let engine = horizon::serve::SearchEngine::new(idx.clone())?;
        engines.push((name, idx, engine));
    }
    let req = SearchRequest {
        query: "zeppelin".into(),
        limit: 10,
        ..Default::default()
    };
    let page = horizon::serve::engine::PageSpec::default();
    let mut snip: Vec<Vec<Duration>> = vec![Vec::new(); 3];
    let mut whole: Vec<Vec<Duration>> = vec![Vec::new(); 3];
    for round in 0..ROUNDS + 20 {
        for (k, (_, idx, engine)) in engines.iter().enumerate() {
            let searcher = engine.searcher();
            let query = parse_query(idx.index(), &req.query)?;
            let snippets = Snippets::new(&searcher, idx.fields(), query.box_clone())?;
            let found = searcher.search(&*query, &TopDocs::with_limit(10).order_by_score())?;
            let items = found
                .iter()
                .map(|(_, a)| {
                    let doc: TantivyDocument = searcher.doc(*a)?;
                    Ok((hit_item(idx, &doc)?, doc))
                })
                .collect::<Result<Vec<_>>>()?;
            let t = Instant::now();
            for ((item, doc), (score, _)) in items.into_iter().zip(&found) {
                let body = idx.stored_body(&doc).unwrap_or_default();
                let hit = snippets.hit(&searcher, item, body, Some(*score))?;
                if hit.highlights.is_empty() {
                    bail!("no highlighted snippet in the {} index", engines[k].0);
                }
                std::hint::black_box(hit);
            }
            let d_snip = t.elapsed();
            let t = Instant::now();
            std::hint::black_box(engine.search(&req, page)?);
            let d_whole = t.elapsed();
            if round >= 20 {
                snip[k].push(d_snip);
                whole[k].push(d_whole);
            }
        }
    }
    let p50 = |v: &mut Vec<Duration>| {
        v.sort();
        support::quantile(v, 0.5)
    };
    let s0 = p50(&mut snip[0]);
    let w0 = p50(&mut whole[0]);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    for (k, deep) in [(1, "60 KB"), (2, "1 KB")] {
        let (s, w) = (p50(&mut snip[k]), p50(&mut whole[k]));
        println!(
            "body snippets (#32), word {deep} deep in 100 KB bodies: snippet stage p50 {:.1} µs vs {:.1} µs on 1 KB summaries ({:.2}x; target <= 1.10); whole serve search p50 {:.1} vs {:.1} µs ({:.2}x); {DOCS} docs, 10 hits, {ROUNDS} rounds",
            us(s),
            us(s0),
            us(s) / us(s0).max(1e-3),
            us(w),
            us(w0),
            us(w) / us(w0).max(1e-3),
        );
    }
    Ok(())
}

/// `--child stages --dir D [--n ROUNDS]`: where the serve engine's time goes
/// on an index built by `--child horizon`, query by query, against the raw
/// searcher: each stage of `SearchEngine::search` run on its own (the
/// engine's prepared query taken as given), µs per request (median of the
/// rounds, summed over the queries and divided by their number). Printed,
/// never written; for profiling (`perf record` this child).
fn search_stages(dir: &Path, rounds: usize) -> Result<()> {
    use horizon::search::{hit_item, with_story_members, Deadline, Snippets};
    let idx = HorizonIndex::open(dir)?;
    let engine = horizon::serve::SearchEngine::new(std::sync::Arc::new(HorizonIndex::open(dir)?))?;
    let searcher = engine.searcher();
    let qs = queries();
    let page = horizon::serve::engine::PageSpec::default();
    const STAGES: [&str; 8] = [
        "raw: collect (TopDocs)",
        "raw: stored documents",
        "engine: whole search",
        "query + filters + deadline guard",
        "collect (guarded query)",
        "stored item JSON → Item",
        "snippets",
        "story members (no per-generation memo)",
    ];
    let mut t: Vec<Vec<Vec<Duration>>> = vec![vec![Vec::new(); qs.len()]; STAGES.len()];
    for round in 0..rounds + 2 {
        for (i, (_, r)) in qs.iter().enumerate() {
            let text = parse_query(idx.index(), &r.query)?;
            let snippets = Snippets::new(&searcher, idx.fields(), text.box_clone())?;
            let raw_q: Box<dyn Query> = match filter_query(&idx, r) {
                Some(f) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, text.box_clone()),
                    (Occur::Must, f),
                ])),
                None => text.box_clone(),
            };
            let top = |q: &dyn Query| raw_top(&searcher, q, r);
            let mut lap = Instant::now();
            let mut d = [Duration::ZERO; 8];
            let mut mark = |k: usize, lap: &mut Instant| {
                d[k] = lap.elapsed();
                *lap = Instant::now();
            };
            let addrs = top(&*raw_q)?;
            mark(0, &mut lap);
            let docs: Vec<TantivyDocument> = addrs
                .iter()
                .map(|(_, a)| searcher.doc(*a))
                .collect::<tantivy::Result<_>>()?;
            mark(1, &mut lap);
            std::hint::black_box(engine.search(r, page)?);
            mark(2, &mut lap);
            let deadline = Deadline::after(Duration::from_secs(10));
            let q: Box<dyn Query> = match filter_query(&idx, r) {
                Some(f) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, snippets.query().box_clone()),
                    (Occur::Must, f),
                ])),
                None => snippets.query().box_clone(),
            };
            let q = deadline.guard(&*q);
            mark(3, &mut lap);
            std::hint::black_box(top(&*q)?);
            mark(4, &mut lap);
            let items = docs
                .iter()
                .map(|doc| hit_item(&idx, doc))
                .collect::<Result<Vec<_>, _>>()?;
            mark(5, &mut lap);
            let mut hits = Vec::with_capacity(items.len());
            for ((item, doc), (score, _)) in items.into_iter().zip(&docs).zip(&addrs) {
                let body = idx.stored_body(doc).unwrap_or_default();
                hits.push(snippets.hit(&searcher, item, body, *score)?);
            }
            mark(6, &mut lap);
            with_story_members(&idx, &searcher, &mut hits)?;
            mark(7, &mut lap);
            if round >= 2 {
                for (k, v) in d.iter().enumerate() {
                    t[k][i].push(*v);
                }
            }
        }
    }
    let us = |v: &mut Vec<Duration>| {
        v.sort();
        support::quantile(v, 0.5).as_secs_f64() * 1e6
    };
    println!(
        "stage | µs per request (mean over {} queries of the p50 of {rounds} rounds)",
        qs.len()
    );
    for (k, name) in STAGES.iter().enumerate() {
        let per_query: Vec<f64> = t[k].iter_mut().map(us).collect();
        let mean = per_query.iter().sum::<f64>() / per_query.len().max(1) as f64;
        let detail: Vec<String> = per_query.iter().map(|v| format!("{v:.0}")).collect();
        println!("{name} | {mean:.1} | {}", detail.join(" "));
    }
    Ok(())
}

/// Cold `horizon search` (process start to exit) vs `rg -c` over the dump.
fn bench_cli(
    hdir: &Path,
    dump: &Path,
    rg: Option<&Path>,
    runs: usize,
) -> Result<Vec<(String, Duration, Duration)>> {
    let exe = env!("CARGO_BIN_EXE_horizon");
    let cwd = hdir.parent().unwrap_or(hdir);
    let mut rows = Vec::new();
    for (q, pattern) in [
        ("kafka", "kafka"),
        ("\"stream processing\"", "stream processing"),
    ] {
        let time_it = |cmd: &mut Command| -> Result<Duration> {
            let mut ts = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let st = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
                ts.push(t.elapsed());
                // rg/grep -c exit 1 on no match; horizon exits 0.
                if st.code().is_none_or(|c| c > 1) {
                    bail!("{cmd:?} failed: {st}");
                }
            }
            ts.sort();
            Ok(support::quantile(&ts, 0.5))
        };
        let h = time_it(
            Command::new(exe)
                .current_dir(cwd)
                .env_remove("HORIZON_CONFIG")
                .env_remove("HORIZON_INDEX")
                .arg("--index")
                .arg(hdir)
                .arg("search")
                .arg(q)
                .arg("-n")
                .arg("10"),
        )?;
        let g = match rg {
            Some(rg) => time_it(
                Command::new(rg)
                    .arg("-c")
                    .arg("-i")
                    .arg("-F")
                    .arg(pattern)
                    .arg(dump),
            )?,
            None => time_it(
                Command::new("grep")
                    .arg("-c")
                    .arg("-i")
                    .arg("-F")
                    .arg(pattern)
                    .arg(dump),
            )?,
        };
        rows.push((q.to_string(), h, g));
    }
    Ok(rows)
}

fn render(
    machine: &str,
    cmdline: &str,
    parse_rows: &[(String, usize, usize, f64)],
    results: &[SizeResult],
    (recent, scale): (Recent, &[ScaleRow]),
    have_rg: bool,
    total: Duration,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Pipeline: ingest, parse, search, report\n");
    let _ = writeln!(s, "Machine: {machine}.  ");
    let _ = writeln!(
        s,
        "Command: `{cmdline}` — total wall time {:.0}s.  ",
        total.as_secs_f64()
    );
    let _ = writeln!(
        s,
        "Corpus: seeded synthetic documents in the shapes of the recorded fixtures (40% arXiv API entries, 30% RSS blog posts, 5% trending rows, 10% AWS / 5% Azure / 10% GCP notes), Zipf(1.0) over the fixtures' vocabulary, topic keywords and systems from sources.toml, 60 weeks of dates. One crawl = {BATCH} documents = one writer ({} MiB heap) and one commit, on both sides.\n",
        HEAP >> 20
    );

    let _ = writeln!(s, "### Ingest\n");
    let _ = writeln!(s, "| docs | payload MB | horizon full path MB/s (parse+tag+index) | parse s | tag s | horizon index stage s | baseline index s | horizon index docs/s | baseline docs/s | **horizon/baseline** (target ≥ 0.8) | index on disk MB |");
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in results {
        let h = &r.horizon;
        let full = h.parse_s + h.tag_s + h.index_s;
        let hdps = h.docs as f64 / h.index_s;
        let bdps = r.baseline.docs as f64 / r.baseline.index_s;
        let _ = writeln!(
            s,
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} | **{:.2}** | {:.0} |",
            human(r.n),
            h.payload_bytes as f64 / 1e6,
            h.payload_bytes as f64 / 1e6 / full,
            h.parse_s,
            h.tag_s,
            h.index_s,
            r.baseline.index_s,
            hdps,
            bdps,
            hdps / bdps,
            r.index_bytes as f64 / 1e6,
        );
    }
    let _ = writeln!(
        s,
        "\nIndex stage = `idx.get` (merge against the index) + `merge` + `doc_of` + `delete_term` + `add_document` + `commit` + `wait_merging_threads`, exactly the loop of `crawl::crawl`. Baseline = the same documents (a JSON-lines dump of horizon's index) added as `TantivyDocument`s built field by field, the JSON line stored as is. Payload generation (not horizon's work) is excluded: {}.\n",
        results
            .iter()
            .map(|r| format!("{} {:.1}s", human(r.n), r.horizon.gen_s))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let _ = writeln!(
        s,
        "### Memory (peak RSS, `/usr/bin/time -v` of a child process)\n"
    );
    let _ = writeln!(s, "| docs | writer heap | horizon ingest RSS MiB | baseline ingest RSS MiB | report + flags RSS MiB |");
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|");
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {} MiB | {:.0} | {:.0} | {:.0} |",
            human(r.n),
            HEAP >> 20,
            r.horizon_rss as f64 / 1024.0,
            r.baseline_rss as f64 / 1024.0,
            r.report_rss as f64 / 1024.0
        );
    }

    let _ = writeln!(s, "\n### Parse (real fixtures, repeated)\n");
    let _ = writeln!(s, "| adapter | fixture bytes | items | MB/s |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    for (l, b, i, m) in parse_rows {
        let _ = writeln!(s, "| {l} | {b} | {i} | {m:.1} |");
    }

    let _ = writeln!(s, "\n### Search (in-process, limit 10)\n");
    let _ = writeln!(s, "horizon = `horizon::search::search` (parse, reader reload, collect, stored item JSON, snippets), what the CLI runs once. serve = `horizon::serve::SearchEngine::search`, what `horizon serve` runs per request: a self-reloading reader, the query parser built once, parsed queries and snippet generators kept per reader generation, then collect, stored item JSON, snippets. Raw = the same parsed query + filters on a held `Searcher` with `TopDocs` and stored-document fetch (no JSON, no snippets). Each query 30 rounds (2 with `--quick`) after 2 warm-up rounds, alternating engines. Times in ms.\n");
    let _ = writeln!(
        s,
        "| docs | horizon p50 / p95 / p99 | serve p50 / p95 / p99 | raw p50 / p95 / p99 | horizon p50 ratio | **serve p50 ratio** (target ≤ 1.2) |"
    );
    let _ = writeln!(s, "|---:|---|---|---|---:|---:|");
    for r in results {
        let (h, b, e) = &r.search_all;
        let _ = writeln!(
            s,
            "| {} | {} / {} / {} | {} / {} / {} | {} / {} / {} | {:.2} | **{:.2}** |",
            human(r.n),
            support::ms(h[0]),
            support::ms(h[1]),
            support::ms(h[2]),
            support::ms(e[0]),
            support::ms(e[1]),
            support::ms(e[2]),
            support::ms(b[0]),
            support::ms(b[1]),
            support::ms(b[2]),
            h[0].as_secs_f64() / b[0].as_secs_f64().max(1e-9),
            e[0].as_secs_f64() / b[0].as_secs_f64().max(1e-9)
        );
    }
    if let Some(last) = results.last() {
        let _ = writeln!(s, "\nPer query at {} documents (p50 ms):\n", human(last.n));
        let _ = writeln!(
            s,
            "| query | horizon | serve | raw | horizon ratio | serve ratio |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
        for (l, h, b, e) in &last.search {
            let _ = writeln!(
                s,
                "| {l} | {} | {} | {} | {:.2} | {:.2} |",
                support::ms(h[0]),
                support::ms(e[0]),
                support::ms(b[0]),
                h[0].as_secs_f64() / b[0].as_secs_f64().max(1e-9),
                e[0].as_secs_f64() / b[0].as_secs_f64().max(1e-9)
            );
        }
    }
    render_http(&mut s, results);
    let tool = if have_rg {
        "rg -c -i -F"
    } else {
        "grep -c -i -F (ripgrep not installed)"
    };
    let _ = writeln!(
        s,
        "\n### CLI: `horizon search` (process start to exit) vs `{tool}` over a JSON-lines dump\n"
    );
    let _ = writeln!(
        s,
        "| docs | dump MB | query | horizon ms | {} ms | horizon/{} |",
        if have_rg { "rg" } else { "grep" },
        if have_rg { "rg" } else { "grep" }
    );
    let _ = writeln!(s, "|---:|---:|---|---:|---:|---:|");
    for r in results {
        for (q, h, g) in &r.cli {
            let _ = writeln!(
                s,
                "| {} | {:.0} | `{}` | {} | {} | {:.2} |",
                human(r.n),
                r.dump_bytes as f64 / 1e6,
                q,
                support::ms(*h),
                support::ms(*g),
                h.as_secs_f64() / g.as_secs_f64().max(1e-9)
            );
        }
    }
    let _ = writeln!(
        s,
        "\n(The dump took {} to write from the index.)",
        results
            .iter()
            .map(|r| format!("{} {:.1}s", human(r.n), r.dump_s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s, "\n### Report and flags\n");
    let _ = writeln!(s, "`horizon::report::build_report` for the corpus's last complete ISO week + `render_markdown`, and `horizon::absorb::compute_flags` over the default 90-day window to the corpus end, in a child process (peak RSS above). Median of 3 runs in one process (first run in parentheses). Baseline: the two raw tantivy aggregations a weekly report needs at the least (documents per topic and per kind in the week, `counts_by` over a date range).\n");
    let _ = writeln!(s, "| docs | build_report ms | render_markdown ms | compute_flags ms | raw week aggregations ms | report/raw | markdown KB | active flags |");
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let p = &r.report;
        let _ = writeln!(
            s,
            "| {} | {:.1} ({:.1}) | {:.2} | {:.1} ({:.1}) | {:.2} | {:.1} | {:.1} | {} |",
            human(r.n),
            p.report_s * 1e3,
            p.report_cold_s * 1e3,
            p.render_s * 1e3,
            p.flags_s * 1e3,
            p.flags_cold_s * 1e3,
            p.agg_s * 1e3,
            p.report_s / p.agg_s.max(1e-9),
            p.report_bytes as f64 / 1024.0,
            p.flags
        );
    }
    render_scale(&mut s, recent, scale);
    s
}

fn render_scale(s: &mut String, recent: Recent, rows: &[ScaleRow]) {
    let Some(first) = rows.first() else {
        return;
    };
    let _ = writeln!(s, "\n### Report and flags: fixed period, growing history\n");
    let _ = writeln!(
        s,
        "Every index holds the same recent documents: {} in the reported week (the corpus mix) and {} cloud notes spread over the {} days before it, which is all the report (its week, its 12-week activity series) and the flags (two {}-day windows, as of the week's end and start) read. The rest is history: the same generator's parsed and tagged items, re-dated evenly over the {} days before that, committed first (oldest first), {} documents per writer and commit. Built with `doc_of` + `add_document` + `commit` (no parsing or merge lookup). `build_report` + `render_markdown`, and `compute_flags` as of the week's end, in process; median of {} runs after one warm-up. The ratios divide by the {} row: about 1.0 means the time follows the period, not the index.\n",
        recent.week_docs,
        recent.window_notes,
        scale::WINDOWS_DAYS,
        scale::WINDOWS_DAYS / 2,
        scale::HISTORY_DAYS,
        BATCH,
        first.runs,
        human(first.docs)
    );
    let _ = writeln!(s, "| index docs | history docs | period docs | cloud notes in the windows (launch-grade) | segments | build s | report ms (build_report + render_markdown) | compute_flags ms | **report / {0}** | **flags / {0}** | markdown KB | active flags |", human(first.docs));
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} ({}) | {} | {:.1} | {:.1} | {:.1} | **{:.2}** | **{:.2}** | {:.1} | {} |",
            human(r.docs),
            r.history,
            r.period_docs,
            r.window_notes,
            r.launch_notes,
            r.segments,
            r.build_s,
            r.report_s * 1e3,
            r.flags_s * 1e3,
            r.report_s / first.report_s.max(1e-9),
            r.flags_s / first.flags_s.max(1e-9),
            r.markdown_bytes as f64 / 1024.0,
            r.flags
        );
    }
}

// ───────────────────────────── HTTP ─────────────────────────────

/// Concurrent clients of the HTTP benchmark.
const HTTP_CLIENTS: usize = 64;

/// One side of the HTTP benchmark.
#[derive(Debug, Clone, Default)]
struct HttpRow {
    requests: usize,
    errors: usize,
    /// The failed requests by what failed (a status, or the client's error).
    failures: std::collections::BTreeMap<String, usize>,
    secs: f64,
    p50: Duration,
    p99: Duration,
}

impl HttpRow {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.secs.max(1e-9)
    }
}

/// The baseline behind the same router: tantivy's own query parser (built
/// once, same default fields and conjunction), `TopDocs`, the stored JSON
/// lines written as they are.
struct RawSearch {
    reader: tantivy::IndexReader,
    parser: tantivy::query::QueryParser,
    item: tantivy::schema::Field,
}

async fn raw_api_search(
    axum::extract::State(raw): axum::extract::State<std::sync::Arc<RawSearch>>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let text = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let out = tokio::task::spawn_blocking(move || -> Result<String> {
        let query = raw.parser.parse_query(&text)?;
        let searcher = raw.reader.searcher();
        let mut out = String::new();
        for (_, addr) in searcher.search(&query, &TopDocs::with_limit(10).order_by_score())? {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(s) = d.get_first(raw.item).and_then(|v| v.as_str()) {
                out.push_str(s);
                out.push('\n');
            }
        }
        Ok(out)
    })
    .await;
    match out {
        Ok(Ok(body)) => ([("content-type", "application/x-ndjson")], body).into_response(),
        _ => axum::http::StatusCode::BAD_REQUEST.into_response(),
    }
}

/// `/api/search` of horizon's server and of the raw baseline, each under
/// [`HTTP_CLIENTS`] concurrent keep-alive clients for `secs` seconds (after
/// a warm-up of a fifth of that), the queries of [`queries`] in turn.
fn bench_http(dir: &Path, secs: f64) -> Result<[HttpRow; 2]> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        // The serve defaults, but room for every client on the one loopback
        // address: the per-address cap (32) guards a public server against
        // one client; at its default, half of the 64 clients were refused and
        // counted as errors on both sides. At exactly 64 a few hundred
        // requests per run still failed on both sides, every one of them the
        // cap's own 503 ("too many connections from your address", or that
        // answer read off a pooled connection as "unexpected message"): the
        // client's pool opens a new connection while a busy one is on its
        // way back, so 64 clients hold more than 64 connections for moments.
        let limits = horizon::serve::Limits {
            per_address_connections: HTTP_CLIENTS * 4,
            ..horizon::serve::Limits::default()
        };
        let cfg = horizon::config::Config::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"),
        )?;
        let app = horizon::serve::App::new(HorizonIndex::open(dir)?, cfg, None)?;
        let horizon_router = horizon::serve::router(std::sync::Arc::new(app), &limits);
        let idx = HorizonIndex::open(dir)?;
        let mut parser = tantivy::query::QueryParser::for_index(
            idx.index(),
            ["title", "summary", "author", "category", "product"]
                .iter()
                .filter_map(|f| idx.index().schema().get_field(f).ok())
                .collect(),
        );
        parser.set_conjunction_by_default();
        let raw = RawSearch {
            reader: idx.index().reader()?,
            parser,
            item: idx.fields().item,
        };
        let raw_router = horizon::serve::with_middleware(
            axum::Router::new()
                .route("/api/search", axum::routing::get(raw_api_search))
                .with_state(std::sync::Arc::new(raw)),
            None,
            &limits,
        );
        let texts: Vec<String> = queries()
            .into_iter()
            .map(|(_, r)| r.query)
            .filter(|q| !q.is_empty())
            .collect();
        let mut rows = Vec::new();
        for router in [horizon_router, raw_router] {
            rows.push(load(router, &limits, &texts, secs).await?);
        }
        let baseline = rows.pop().unwrap_or_default();
        let horizon = rows.pop().unwrap_or_default();
        Ok([horizon, baseline])
    })
}

/// Serve `router` on a free loopback port and measure it.
async fn load(
    router: axum::Router,
    limits: &horizon::serve::Limits,
    texts: &[String],
    secs: f64,
) -> Result<HttpRow> {
    let server =
        horizon::serve::Server::bind("127.0.0.1:0".parse()?, router, limits.clone()).await?;
    let base = format!("http://{}/api/search", server.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(HTTP_CLIENTS)
        .build()?;
    let urls: Vec<String> = texts
        .iter()
        .map(|q| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", q)
                .finish();
            format!("{base}?{query}")
        })
        .collect();
    let run = |secs: f64| {
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let tasks: Vec<_> = (0..HTTP_CLIENTS)
            .map(|c| {
                let client = client.clone();
                let urls = urls.clone();
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut failures = std::collections::BTreeMap::<String, usize>::new();
                    let mut i = c;
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        let failed = match client.get(&urls[i % urls.len()]).send().await {
                            Ok(r) if !r.status().is_success() => {
                                let status = r.status().as_u16();
                                let text = r.text().await.unwrap_or_default();
                                Some(format!(
                                    "HTTP {status}: {}",
                                    text.lines().next().unwrap_or("")
                                ))
                            }
                            Ok(r) => r.bytes().await.err().map(|e| failure(&e)),
                            Err(e) => Some(failure(&e)),
                        };
                        match failed {
                            None => lat.push(t.elapsed()),
                            Some(what) => *failures.entry(what).or_default() += 1,
                        }
                        i += 1;
                    }
                    (lat, failures)
                })
            })
            .collect();
        async move {
            let t = Instant::now();
            let mut all = Vec::new();
            let mut failures = std::collections::BTreeMap::<String, usize>::new();
            for task in tasks {
                if let Ok((lat, f)) = task.await {
                    all.extend(lat);
                    for (what, n) in f {
                        *failures.entry(what).or_default() += n;
                    }
                }
            }
            (all, failures, t.elapsed().as_secs_f64())
        }
    };
    run(secs / 5.0).await;
    let (mut lat, failures, took) = run(secs).await;
    lat.sort();
    if !failures.is_empty() {
        eprintln!("  failed requests: {failures:?}");
    }
    let _ = stop.send(());
    let _ = running.await;
    Ok(HttpRow {
        requests: lat.len(),
        errors: failures.values().sum(),
        failures,
        secs: took,
        p50: support::quantile(&lat, 0.5),
        p99: support::quantile(&lat, 0.99),
    })
}

/// What a failed request of the load test ran into: the client's error and
/// its causes, in a line.
fn failure(e: &reqwest::Error) -> String {
    let mut what = if e.is_timeout() {
        "timeout".to_string()
    } else if e.is_connect() {
        "connect".to_string()
    } else {
        "request".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        what.push_str(": ");
        what.push_str(&s.to_string());
        source = s.source();
    }
    what
}

fn render_http(s: &mut String, results: &[SizeResult]) {
    let _ = writeln!(
        s,
        "\n### HTTP: `/api/search` under {HTTP_CLIENTS} concurrent clients\n"
    );
    let _ = writeln!(s, "horizon = `horizon serve`'s router (`/api/search?q=…`, limit 10: the serve engine, one JSON line per hit as `search --json` prints). Baseline = a raw tantivy searcher behind the same axum router, middleware and accept loop (tantivy's query parser built once, `TopDocs`, the stored JSON lines written as they are). {HTTP_CLIENTS} keep-alive clients (reqwest, same process) send the in-process queries' texts in turn for 5 s (0.5 s with `--quick`) after a warm-up of a fifth of that. Latency in ms.\n");
    let _ = writeln!(s, "| docs | horizon req/s | p50 / p99 | baseline req/s | p50 / p99 | errors | **throughput ratio** (target ≥ 0.8) |");
    let _ = writeln!(s, "|---:|---:|---|---:|---|---:|---:|");
    for r in results {
        let [h, b] = &r.http;
        let _ = writeln!(
            s,
            "| {} | {:.0} | {} / {} | {:.0} | {} / {} | {} / {} | **{:.2}** |",
            human(r.n),
            h.rps(),
            support::ms(h.p50),
            support::ms(h.p99),
            b.rps(),
            support::ms(b.p50),
            support::ms(b.p99),
            h.errors,
            b.errors,
            h.rps() / b.rps().max(1e-9)
        );
    }
}
