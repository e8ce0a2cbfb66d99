//! Topic tagging on the labelled development sample of real fixture items
//! (`tests/data/topic_devset.toml`, written by reading each item): the
//! tagger must reach precision ≥ 0.9 and recall ≥ 0.8 over (item, topic)
//! pairs. `cargo bench --bench pipeline` prints the same figures.

#![allow(clippy::unwrap_used)]

use crate::support::checked_in_config;
use crate::support::topic_eval::{any_keyword_rule, labels, score, tagged_items, tagger_topics};

#[test]
fn the_sample_is_big_enough_and_spans_every_kind() {
    let labels = labels();
    assert!(labels.len() >= 150, "{} labelled items", labels.len());
    for kind in ["paper", "article", "repo", "cloud"] {
        assert!(
            labels.iter().any(|l| l.kind == kind),
            "no {kind} in the sample"
        );
    }
    let cfg = checked_in_config();
    for l in &labels {
        for t in &l.topics {
            assert!(
                cfg.topics.iter().any(|c| &c.name == t),
                "{}: unknown topic {t}",
                l.id
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn tagging_meets_its_targets_on_the_labelled_sample() {
    let dir = crate::support::fixtures();
    let cfg = checked_in_config();
    let labels = labels();
    let items = tagged_items(&dir, &cfg);
    let s = score(&labels, &items, tagger_topics);
    assert!(
        s.missing.is_empty(),
        "labelled items not in the fixtures: {:?}",
        s.missing
    );
    let old = score(&labels, &items, any_keyword_rule(&cfg));
    eprintln!(
        "tagging: precision {:.3} recall {:.3} ({} tp, {} fp, {} fn over {} items); any-keyword rule: precision {:.3} recall {:.3}",
        s.precision(), s.recall(), s.tp, s.fp, s.fn_, s.items, old.precision(), old.recall()
    );
    let show = |v: &[(String, String)]| {
        v.iter()
            .map(|(id, t)| {
                format!(
                    "{t}: {} ({id})",
                    items.get(id).map_or("", |i| i.title.as_str())
                )
            })
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    eprintln!(
        "false positives:\n  {}\nfalse negatives:\n  {}",
        show(&s.false_positives),
        show(&s.false_negatives)
    );
    assert!(
        s.precision() >= 0.9,
        "precision {:.3}; false positives:\n  {}",
        s.precision(),
        show(&s.false_positives)
    );
    assert!(
        s.recall() >= 0.8,
        "recall {:.3}; false negatives:\n  {}",
        s.recall(),
        show(&s.false_negatives)
    );
}
