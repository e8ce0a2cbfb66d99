//! The weekly report's top reads (#27 item 4) on graded topic-weeks of the
//! recorded fixtures (`tests/data/graded_weeks.toml`, graded by reading:
//! 2 must read, 1 useful, 0 noise), split by week into a tuning and a test
//! part: nDCG@3 of each topic's top reads. The test part is held to a floor
//! so no change makes it worse; `cargo bench --bench pipeline` prints both.
//! Then the team's marks (#30): the marking curve, and #30's Done-when
//! protocol per topic-week, through the store and through `horizon mark`.

use std::path::{Path, PathBuf};

use horizon::marks::Verdict;

use crate::support::topweek_eval::{
    done_when, evaluate, marking_curve, Marker, Protocol, StoreMarker,
};
use crate::support::{horizon, repo_file, run_expect};

/// The test part's floor: the figure measured when the set was added, less a
/// margin (BENCHMARKS.md). The target is 0.8.
const MIN_TEST_NDCG: f64 = 0.78;

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn top_reads_hold_their_floor_on_the_test_weeks() {
    let figures = evaluate(&crate::support::fixtures());
    for (part, f) in &figures {
        eprintln!(
            "top reads ({part}): nDCG@3 {:.3} over {} topic-weeks, {} with no useful read",
            f.ndcg, f.topic_weeks, f.zero
        );
    }
    // The tuning part's rows, to tune on; the test part's are never shown.
    for r in &figures["tune"].rows {
        eprintln!("  tune {} {}: {:.3}", r.week, r.topic, r.ndcg);
        for (g, title) in &r.shown {
            eprintln!("      {g} {title}");
        }
    }
    let test = &figures["test"];
    assert!(
        test.topic_weeks >= 8,
        "{} test topic-weeks",
        test.topic_weeks
    );
    assert!(test.ndcg >= MIN_TEST_NDCG, "test nDCG@3 {:.3}", test.ndcg);
}

/// How far the next week's nDCG@3 may fall when k items of a week are
/// marked. Marks are per topic (a topic nobody marked ranks exactly as
/// before, held by `learn`'s unit tests). Since the model moves only
/// documents like a marked one, the measured curve is flat to slightly up
/// (BENCHMARKS.md); before, it lost up to 0.04, which this bound now refuses.
const MAX_MARKING_LOSS: f64 = 0.01;

/// #30 item 5: a team marks k graded items of a week (useful for the
/// must-reads, noise for the noise) and reads the next week's top reads.
/// Prints the curve (k = 0, 5, 10, 20) and holds it within
/// [`MAX_MARKING_LOSS`] of no marks.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn marking_a_week_does_not_make_the_next_worse() {
    let curve = marking_curve(&crate::support::fixtures(), &[0, 5, 10, 20]);
    for point in &curve {
        eprintln!("{point}");
    }
    let base = curve[0].all;
    for p in &curve[1..] {
        assert!(
            p.all + MAX_MARKING_LOSS >= base,
            "k={}: {:.3} more than {MAX_MARKING_LOSS} below no marks {base:.3}",
            p.k,
            p.all
        );
    }
}

/// #30's Done-when on every pair of consecutive graded weeks: week N's
/// must-reads marked useful and its noise noise, week N + 1's noise top
/// reads marked noise, week N + 1 read again. The test weeks' mean may not
/// fall below no marks, and no topic-week may get worse.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn the_done_when_protocol_makes_no_topic_worse() {
    let protocol = done_when(
        &crate::support::fixtures(),
        &mut StoreMarker::default(),
        &|_| true,
    );
    eprintln!("{}", protocol.table());
    // The tuning part's top reads, to tune on; the test part's are never shown.
    for r in protocol.rows.iter().filter(|r| !r.test) {
        eprintln!("  tune {} {}:", r.next, r.topic);
        for (label, shown) in [("before", &r.shown_before), ("after", &r.shown_after)] {
            for s in shown {
                eprintln!("      {label:<6} {} {} {}", s.grade, s.id, s.title);
            }
        }
    }
    let (test, tune) = (protocol.means(true), protocol.means(false));
    assert!(
        test.topic_weeks >= 3,
        "{} test topic-weeks",
        test.topic_weeks
    );
    assert!(
        tune.topic_weeks >= 10,
        "{} tuning topic-weeks",
        tune.topic_weeks
    );
    let worse: Vec<String> = protocol
        .worse()
        .iter()
        .map(|r| format!("{} {}: {:.3} -> {:.3}", r.next, r.topic, r.before, r.after))
        .collect();
    assert!(
        worse.is_empty(),
        "topic-weeks made worse by marks: {worse:?}"
    );
    // The marked week itself, read again: none worse either.
    let same: Vec<String> = protocol
        .same_week_worse()
        .iter()
        .map(|r| format!("{} {}: {:.3} -> {:.3}", r.week, r.topic, r.before, r.after))
        .collect();
    assert!(
        same.is_empty(),
        "weeks made worse by their own marks: {same:?}"
    );
    assert!(
        test.after + 1e-9 >= test.before,
        "test weeks: {:.3} with marks, {:.3} without",
        test.after,
        test.before
    );
}

/// Marks with the `horizon mark` binary, as a team does.
struct CliMarker {
    config: PathBuf,
}

impl Marker for CliMarker {
    fn mark(&mut self, index_dir: &Path, id: &str, topic: &str, verdict: Verdict) {
        run_expect(
            horizon(&self.config, index_dir).args([
                "mark",
                id,
                &verdict.to_string(),
                "--topic",
                topic,
            ]),
            0,
        );
    }
}

/// #30's Done-when end to end for the pair of graded weeks whose second is
/// a test week (2025-W44 → 2025-W45): every mark made by running `horizon
/// mark`; the figures are those of the store's API, and no topic-week is
/// worse than with no marks.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn the_done_when_protocol_through_horizon_mark() {
    let fixtures = crate::support::fixtures();
    let week = |next: &str| next == "2025-W45";
    let mut cli = CliMarker {
        config: repo_file("sources.toml"),
    };
    let by_cli = done_when(&fixtures, &mut cli, &week);
    eprintln!("{}", by_cli.table());
    let by_api = done_when(&fixtures, &mut StoreMarker::default(), &week);
    let figures = |p: &Protocol| -> Vec<(String, u64, u64, u64)> {
        let thousandths = |x: f64| (x * 1000.0).round() as u64;
        p.rows
            .iter()
            .map(|r| {
                (
                    r.topic.clone(),
                    thousandths(r.before),
                    thousandths(r.after_week),
                    thousandths(r.after),
                )
            })
            .collect()
    };
    assert!(!by_cli.rows.is_empty());
    assert_eq!(figures(&by_cli), figures(&by_api));
    assert!(
        by_cli.rows.iter().any(|r| r.noise_next > 0),
        "the pair marks some of the next week's top reads"
    );
    assert!(by_cli.worse().is_empty(), "{}", by_cli.table());
}
