//! The cloud-note classifier held to its labelled development set and to
//! generated announcements in each vendor's format (see `support/absorb_eval.rs`).

#![allow(clippy::unwrap_used)]

use crate::support::absorb_eval::*;
use crate::support::checked_in_config;
use horizon::absorb::{Catalog, Classifier};
use horizon::model::Relation;

fn report(name: &str, s: &Scores) {
    eprintln!("{name}: {} examples", s.examples);
    for (r, c) in &s.by_relation {
        eprintln!(
            "  {:<8} precision {:.3} recall {:.3} (tp {}, fp {}, fn {})",
            r.as_str(),
            c.precision(),
            c.recall(),
            c.tp,
            c.fp,
            c.fn_
        );
    }
    for e in &s.errors {
        eprintln!("  disagrees: {e}");
    }
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES); CI runs it with --include-ignored"]
fn classifier_meets_its_targets_on_the_dev_set_and_variations() {
    let cfg = checked_in_config();
    let catalog = Catalog::for_config(&cfg).unwrap();
    let systems = watched_systems(&cfg, &catalog);
    let classifier = Classifier::new(catalog.clone());
    let notes = fixture_notes(&crate::support::fixtures());
    let mut examples = devset_examples(&notes, &catalog);
    assert!(examples.len() >= 250, "{} labelled notes", examples.len());
    examples.extend(variations(&notes, &catalog));
    let s = score(&classifier, &examples, &systems);
    report("dev set + variations", &s);
    let c = |r: Relation| s.by_relation[&r];
    assert!(
        c(Relation::Launch).tp >= 10,
        "launches in the set: {:?}",
        c(Relation::Launch)
    );
    assert!(
        c(Relation::Launch).precision() >= 0.95,
        "launch precision {:?}",
        c(Relation::Launch)
    );
    assert!(
        c(Relation::Launch).recall() >= 0.9,
        "launch recall {:?}",
        c(Relation::Launch)
    );
    assert!(
        c(Relation::Feature).precision() >= 0.9,
        "feature precision {:?}",
        c(Relation::Feature)
    );
    assert!(
        c(Relation::Mention).precision() >= 0.9,
        "mention precision {:?}",
        c(Relation::Mention)
    );
    let (good, cited) = citation_precision(&cfg, &classifier, &examples);
    eprintln!("flags citation precision {good}/{cited}");
    assert!(cited >= 20, "too few citations to measure: {cited}");
    assert!(
        good as f64 >= 0.95 * cited as f64,
        "citation precision {good}/{cited}"
    );
}
