//! `horizon demo` on a fresh clone: no `../shared`, no network. It writes a
//! generated recording of every source kind, crawls it through the replay
//! server, and prints three commands — which must each work as printed.

use crate::support::{horizon_in, run_expect, stderr, stdout};

#[test]
fn demo_crawls_offline_and_its_next_commands_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_expect(horizon_in(tmp.path()).args(["demo", "try"]), 0);
    let err = stderr(&out);
    for kind in ["arxiv", "feed", "github_trending", "cloud"] {
        assert!(
            err.lines().any(|l| l.contains(" ok ") && l.contains(kind)),
            "{kind} crawled:\n{err}"
        );
    }
    assert!(err.contains("crawl ok: 7 sources, 0 failed"), "{err}");
    let text = stdout(&out);
    let next: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("  horizon "))
        .collect();
    assert_eq!(next.len(), 3, "three next commands:\n{text}");

    // search kafka --kind cloud: the three vendors' Kafka notes.
    let search = run_expect(horizon_in(tmp.path()).args(next[0].split(' ')), 0);
    let hits = stdout(&search);
    for vendor in ["gcp", "aws", "azure"] {
        assert!(
            hits.contains(&format!(" · {vendor} · ga")),
            "{vendor}:\n{hits}"
        );
    }
    // flags: Kafka absorbed (GA from three vendors).
    let flags = stdout(&run_expect(
        horizon_in(tmp.path()).args(next[1].split(' ')),
        0,
    ));
    assert!(
        flags
            .lines()
            .any(|l| l.contains("absorbed") && l.contains("Kafka")),
        "{flags}"
    );
    // report: an HTML file.
    run_expect(horizon_in(tmp.path()).args(next[2].split(' ')), 0);
    let html = std::fs::read_to_string(tmp.path().join("try/report.html")).expect("report");
    assert!(html.contains("<html"), "an HTML report");

    // Again into the same folder: rewritten, no duplicates.
    let again = run_expect(horizon_in(tmp.path()).args(["demo", "try"]), 0);
    assert!(
        stderr(&again).contains("22 documents"),
        "{}",
        stderr(&again)
    );
}

// Regression (issue 13): the demo never writes among the user's own files.
#[test]
fn demo_refuses_a_folder_of_other_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("thesis.tex"), "mine").expect("write");
    let out = run_expect(horizon_in(tmp.path()).args(["demo", "."]), 2);
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert!(!tmp.path().join("recording").exists());
}
