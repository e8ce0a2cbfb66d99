//! Golden Markdown, HTML and JSON reports over an index built from the real
//! recorded payloads in the shared fixtures, parsed with the library's
//! adapters and tagged with the checked-in `sources.toml` topics.
//!
//! The goldens are `insta` snapshots in `tests/golden/`, one per output:
//! `report_2025-W44.html.snap` is a three-line header (`---`, `source: …`,
//! `---`) followed by the rendered HTML byte for byte (`sed 1,3d
//! tests/golden/report_2025-W44.html.snap > report.html` gives the page,
//! e.g. for the README's screenshot). A mismatch fails the
//! test with a line diff of the whole file. Outside CI insta also writes the
//! new output beside the golden as `<name>.snap.new`; in CI (`CI=true`, or
//! `INSTA_UPDATE=no` as `.ci/run` sets) it writes nothing.
//!
//! To accept a change on purpose, either review the pending files with
//! `cargo insta review` (`cargo install cargo-insta`; `a` accepts, `r`
//! rejects), or rewrite the goldens in place with
//! `INSTA_UPDATE=always HORIZON_FIXTURES=../shared/fixtures cargo test --test integration report_golden -- --include-ignored`
//! and read `git diff tests/golden`. Either way, say in the commit why the
//! output changed.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::report::{build_report, iso_week, Format, Period, Report};
use horizon::state::{CrawlState, SourceHealth};
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

use crate::support::fixture_items;
use crate::support::{checked_in_config, fixtures};

fn config() -> Config {
    checked_in_config()
}

/// An index of every fixture, crawled in file order at its capture time.
fn fixture_index(dir: &Path, cfg: &Config) -> (tempfile::TempDir, HorizonIndex) {
    let tmp = tempfile::tempdir().unwrap();
    let idx = fixture_items::report_index(dir, cfg, tmp.path());
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
    s.sources.remove("trending-go-daily");
    s
}

/// `actual` against the golden `tests/golden/<name>.snap`.
fn check_golden(name: &str, actual: &str) {
    // insta compares text with trailing white space trimmed, CRLF read as LF
    // and (for old-format files) leading newlines dropped. Every golden
    // starts with text, ends in exactly one newline and holds no CRLF: held
    // to that here, the comparison is byte for byte.
    let body = actual.strip_suffix('\n').unwrap_or_default();
    assert!(
        !body.is_empty() && body.trim() == body,
        "{name}: the output must start with text and end in exactly one newline"
    );
    assert!(!actual.contains("\r\n"), "{name}: CRLF in the output");
    insta::with_settings!({
        snapshot_path => "../golden",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, actual);
    });
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
