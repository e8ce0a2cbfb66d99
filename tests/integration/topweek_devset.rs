//! The weekly report's top reads (#27 item 4) on graded topic-weeks of the
//! recorded fixtures (`tests/data/graded_weeks.toml`, graded by reading:
//! 2 must read, 1 useful, 0 noise), split by week into a tuning and a test
//! part: nDCG@3 of each topic's top reads. The test part is held to a floor
//! so no change makes it worse; `cargo bench --bench pipeline` prints both.

use crate::support::topweek_eval::{evaluate, marking_curve, team_protocol};

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

/// How far the next week's nDCG@3 may fall when a week is marked. Marks
/// are per topic (a topic nobody marked ranks exactly as before, held by
/// `learn`'s unit tests). Since the model moves only documents like a marked
/// one, the measured curve is flat to slightly up (BENCHMARKS.md); before, it
/// lost up to 0.04, which this bound now refuses.
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
    let team = team_protocol(&crate::support::fixtures());
    eprintln!("{team}");
    // #30's Done-when: no topic gets worse.
    let worse: Vec<String> = team
        .each
        .iter()
        .filter_map(|(key, v)| {
            let before = curve[0].each.get(key).copied().unwrap_or(0.0);
            (*v + 1e-9 < before).then(|| format!("{} {}: {before:.3} -> {v:.3}", key.0, key.1))
        })
        .collect();
    eprintln!(
        "team marks: {} of {} topic-weeks better, {} worse",
        team.each
            .iter()
            .filter(|(k, v)| **v > curve[0].each.get(*k).copied().unwrap_or(0.0) + 1e-9)
            .count(),
        team.each.len(),
        worse.len()
    );
    assert!(
        worse.is_empty(),
        "topic-weeks made worse by the team's marks: {worse:?}"
    );
    assert!(
        team.all + MAX_MARKING_LOSS >= curve[0].all,
        "the team's marks made the next week worse: {team}"
    );
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
