//! Launch detection held to the vendors' real wording (issue #29 item 5):
//! launch, preview, GA and retirement titles of offerings and look-alikes
//! from the same pages, labelled by reading (`tests/data/launch_wording.toml`,
//! see `support/launch_eval.rs`). Rules are tuned on the "tune" part only;
//! the floors hold the "test" part.

#![allow(clippy::unwrap_used)]

use crate::support::checked_in_config;
use crate::support::launch_eval::*;
use horizon::absorb::{Catalog, Classifier};

#[test]
fn launch_wording_precision_and_recall_on_real_titles() {
    let all = wordings();
    let launches = all.iter().filter(|w| w.is_launch()).count();
    assert!(all.len() >= 400, "{} labelled titles", all.len());
    assert!(launches >= 60, "{launches} labelled launches");
    let catalog = Catalog::for_config(&checked_in_config()).unwrap();
    let classifier = Classifier::new(catalog);
    let tune = score(&classifier, "tune");
    let test = score(&classifier, "test");
    eprintln!("{}", tune.line("tune"));
    for e in &tune.errors {
        eprintln!("  disagrees: {e}");
    }
    eprintln!("{}", test.line("test"));
    assert!(test.launches >= 35 && test.lookalikes >= 150, "{test:?}");
    assert!(test.recall() >= RECALL_FLOOR, "{}", test.line("test"));
    assert!(test.precision() >= PRECISION_FLOOR, "{}", test.line("test"));
}

/// Floors a little under what the test part measures (recall 0.769 and
/// precision 0.612 on 39 launches and 170 look-alikes; BENCHMARKS.md). The
/// issue's target is 0.95 for each: not met.
const RECALL_FLOOR: f64 = 0.74;
const PRECISION_FLOOR: f64 = 0.58;
