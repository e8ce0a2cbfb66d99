//! The report's ranking on the graded development set of real cloud notes
//! (`tests/data/rank_devset.toml`, graded by reading): within each judged
//! topic and week, the notes worth reading first must reach the top five,
//! and the top three must beat the newest-first order the report used
//! before #12. `cargo bench --bench pipeline` prints the same figures.

#![allow(clippy::unwrap_used)]

use crate::support::rank_eval::{evaluate, judged};

#[test]
fn the_set_is_graded_and_names_known_topics() {
    let judged = judged();
    assert!(judged.len() >= 150, "{} graded notes", judged.len());
    let cfg = crate::support::checked_in_config();
    for j in &judged {
        assert!(j.grade <= 2, "{}: grade {}", j.id, j.grade);
        assert!(
            cfg.topics.iter().any(|t| t.name == j.topic),
            "{}: unknown topic {}",
            j.id,
            j.topic
        );
        assert!(
            horizon::report::iso_week(&j.week).is_ok(),
            "{}: bad week {}",
            j.id,
            j.week
        );
    }
    let best = judged.iter().filter(|j| j.grade == 2).count();
    assert!(best >= 20, "only {best} notes graded 2");
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn ranking_puts_what_matters_first() {
    let dir = crate::support::fixtures();
    let eval = evaluate(&dir);
    assert!(
        eval.missing.is_empty(),
        "graded notes not tagged in their week (fixtures or tagger changed): {:?}",
        eval.missing
    );
    assert!(
        eval.unjudged.is_empty(),
        "the report lists notes the set does not grade (re-grade the pool): {:?}",
        eval.unjudged
    );
    for p in &eval.pools {
        assert_eq!(
            p.total,
            p.newest.len() as u64,
            "{} {}: the report counts {} notes, the set grades {}",
            p.week,
            p.topic,
            p.total,
            p.newest.len()
        );
    }
    let ranked = eval.figures(true);
    let newest = eval.figures(false);
    eprintln!(
        "ranking over {} pools: recall@5 {:.3} precision@3 {:.3} on-topic@3 {:.3} nDCG@5 {:.3}; newest first: {:.3} {:.3} {:.3} {:.3}",
        ranked.pools, ranked.recall, ranked.precision, ranked.on_topic, ranked.ndcg,
        newest.recall, newest.precision, newest.on_topic, newest.ndcg
    );
    for p in &eval.pools {
        eprintln!("  {} {}: {:?}", p.week, p.topic, p.ranked);
    }
    // Targets a little under the figures measured when the set was written
    // (recall@5 0.772, precision@3 0.308, nDCG@5 0.817; newest first 0.353,
    // 0.103, 0.643): a change that loses one grade-2 note from a top five fails.
    assert!(ranked.recall >= 0.75, "recall@5 {:.3}", ranked.recall);
    assert!(ranked.on_topic >= 0.9, "on-topic@3 {:.3}", ranked.on_topic);
    assert!(
        ranked.ndcg > newest.ndcg,
        "nDCG@5 {:.3} not above newest first {:.3}",
        ranked.ndcg,
        newest.ndcg
    );
    assert!(
        ranked.precision > newest.precision,
        "precision@3 {:.3} not above newest first {:.3}",
        ranked.precision,
        newest.precision
    );
}
