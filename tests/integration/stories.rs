//! Story grouping (#27 item 2) on the labelled set of real recorded notes
//! (`tests/data/stories.toml`, written by reading): documents labelled as
//! one story share one `story` id, look-alike notes that differ in what tells
//! them apart (a Container-Optimized OS milestone, a GKE channel or release,
//! a product) keep two. Held to its targets on the test part; the tuning part
//! is printed beside it (`cargo bench --bench pipeline` prints both).

use crate::support::story_eval::{labels, score, storied_items};

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn stories_group_what_is_one_event_and_keep_look_alikes_apart() {
    let dir = crate::support::fixtures();
    let labels = labels();
    let items = storied_items(&dir);
    for split in ["tune", "test"] {
        let s = score(&labels, &items, split);
        eprintln!(
            "stories ({split}): precision {:.3} recall {:.3} ({} of {} same-story pairs joined, {} of {} look-alike pairs apart)\n  {}",
            s.precision(),
            s.recall(),
            s.joined,
            s.same,
            s.kept_apart,
            s.apart,
            s.mistakes.join("\n  ")
        );
        assert!(
            s.missing.is_empty(),
            "{split}: ids not in the fixtures: {:?}",
            s.missing
        );
    }
    let t = score(&labels, &items, "test");
    assert!(
        t.same > 10 && t.apart > 30,
        "the test part is too small: {t:?}"
    );
    assert!(
        t.precision() >= 0.95,
        "test precision {:.3}: {:?}",
        t.precision(),
        t.mistakes
    );
    // 0.950 before the cross-product pairs were labelled (one note told
    // under two products' headings: 8 test groups no rule joins yet; a rule
    // written from the 6 tuning ones joined 3 of them but none of the test
    // part and split one look-alike pair wrongly, so it was not kept). The
    // floor keeps what the rules do today from getting worse.
    assert!(
        t.recall() >= 0.67,
        "test recall {:.3}: {:?}",
        t.recall(),
        t.mistakes
    );
}
