//! Golden Markdown, HTML and JSON reports over an index built from the real
//! recorded payloads in the shared fixtures, parsed with the library's
//! adapters and tagged with the checked-in `sources.toml` topics.
//!
//! The goldens live in `tests/golden/`; regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --test report_golden` and review the diff.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use horizon::absorb::{Catalog, Classifier};
use horizon::config::Config;
use horizon::index::{merge, HorizonIndex};
use horizon::model::Item;
use horizon::report::{build_report, iso_week, Format, Period, Report};
use horizon::state::{CrawlState, SourceHealth};
use horizon::topics::Tagger;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

use crate::support::fixture_items::{self, REPORT_FIXTURES};
use crate::support::{checked_in_config, fixtures};

fn config() -> Config {
    checked_in_config()
}

/// An index of every fixture, crawled in file order at its capture time.
fn fixture_index(dir: &Path, cfg: &Config) -> (tempfile::TempDir, HorizonIndex) {
    let catalog = Catalog::for_config(cfg).unwrap();
    let tagger = Tagger::with_catalog(&cfg.topics, &catalog).unwrap();
    let classifier = Classifier::new(catalog);
    let mut docs: BTreeMap<String, Item> = BTreeMap::new();
    for f in REPORT_FIXTURES {
        let now = fixture_items::captured(f);
        let mut items = fixture_items::parse(dir, f);
        classifier.classify_all(&mut items);
        tagger.tag(&mut items).unwrap();
        for item in items {
            let (merged, _) = merge(item.clone(), docs.get(&item.id), now);
            docs.insert(merged.id.clone(), merged);
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let idx = HorizonIndex::open_or_create(tmp.path()).unwrap();
    let mut w = idx.writer(20_000_000).unwrap();
    for item in docs.values() {
        w.add_document(idx.doc_of(item)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    (tmp, idx)
}

/// Every configured source crawled fine, except two with trouble to show.
fn state(cfg: &Config) -> CrawlState {
    let mut s = CrawlState::default();
    for src in &cfg.sources {
        s.sources.insert(
            src.name.clone(),
            SourceHealth {
                runs: 30,
                last_success: Some(ts("2025-11-02T03:00:00Z")),
                last_item_count: Some(10),
                max_item_count: 20,
                ..Default::default()
            },
        );
    }
    if let Some(h) = s.sources.get_mut("netflix-tech-blog") {
        h.consecutive_failures = 5;
        h.last_error = Some("HTTP 403 Forbidden from https://netflixtechblog.com/feed".into());
    }
    if let Some(h) = s.sources.get_mut("cncf-blog") {
        h.consecutive_nothing_new = 21;
    }
    s.sources.remove("trending-go-weekly");
    s
}

fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        eprintln!("updated {}", path.display());
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {} (UPDATE_GOLDEN=1 regenerates it)\nexpected: {:?}\nactual:   {:?}",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The report of week 2025-W44 (Oct 27 – Nov 2, 2025): Google Cloud release
/// notes of the week, Azure updates within the 90-day flag window before it.
const WEEK: &str = "2025-W44";
const NOW: &str = "2025-11-05T09:00:00Z";

fn week_report(dir: &Path) -> Report {
    let cfg = config();
    let (_tmp, idx) = fixture_index(dir, &cfg);
    build_report(&idx, &cfg, &state(&cfg), iso_week(WEEK).unwrap(), ts(NOW)).unwrap()
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_week_report() {
    let dir = fixtures();
    let r = week_report(&dir);
    assert!(
        r.headline.documents > 0,
        "the chosen week holds fixture data"
    );
    check_golden("report_2025-W44.md", &Format::Markdown.render(&r).unwrap());
    check_golden("report_2025-W44.html", &Format::Html.render(&r).unwrap());
    check_golden("report_2025-W44.json", &Format::Json.render(&r).unwrap());
}

/// A custom period covering the spring 2026 research and trending fixtures.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_custom_period_report() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let period = Period::between(ts("2026-04-01T00:00:00Z"), ts("2026-05-11T00:00:00Z")).unwrap();
    let r = build_report(&idx, &cfg, &state(&cfg), period, ts("2026-05-11T00:00:00Z")).unwrap();
    assert!(r.headline.documents > 0);
    check_golden(
        "report_2026-04-01_2026-05-10.md",
        &Format::Markdown.render(&r).unwrap(),
    );
}

/// Rebuilding the index from the same fixtures gives the same bytes.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn fixture_report_is_reproducible() {
    let dir = fixtures();
    let a = week_report(&dir);
    let b = week_report(&dir);
    assert_eq!(
        Format::Json.render(&a).unwrap(),
        Format::Json.render(&b).unwrap()
    );
    assert_eq!(
        Format::Html.render(&a).unwrap(),
        Format::Html.render(&b).unwrap()
    );
}

/// A week with no fixture data renders "Nothing new", not an error.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn fixture_empty_week() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let r = build_report(
        &idx,
        &cfg,
        &state(&cfg),
        iso_week("2021-W10").unwrap(),
        ts(NOW),
    )
    .unwrap();
    assert!(r.is_empty());
    assert!(Format::Markdown
        .render(&r)
        .unwrap()
        .contains("Nothing new in this period"));
}

/// The flags over every cloud fixture (Azure Sep 2025 – Aug 2026, Google
/// Cloud Oct – Nov 2025) as of the day after the last Azure note, with a
/// one-year window so both vendors count.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_flags_text() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let year = std::time::Duration::from_secs(365 * 86_400);
    let flags =
        horizon::absorb::compute_flags(&idx, &cfg, ts("2026-08-07T00:00:00Z"), year).unwrap();
    check_golden(
        "flags_2026-08-07.txt",
        &horizon::absorb::render_text(&flags),
    );
    check_golden(
        "flags_2026-08-07.json",
        &format!("{}\n", serde_json::to_string_pretty(&flags).unwrap()),
    );
}
