//! Everyday manners of the command line (issue 13), each over a `horizon demo`
//! index (generated, no fixtures, no network): a closed stdout, enumerated
//! query fields, system aliases, the index folder, help examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{
    checked_in_config, horizon_in, json_lines, repo_file, run_expect, stderr, stdout,
};

/// A demo folder (config + index) in a temp dir.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    run_expect(horizon_in(tmp.path()).args(["demo", "d"]), 0);
    let config = tmp.path().join("d/sources.toml");
    (tmp, config)
}

/// `horizon --config <config>` (the index the config names), run in its folder.
fn horizon(config: &Path) -> Command {
    let mut cmd = horizon_in(config.parent().expect("folder"));
    cmd.arg("--config").arg(config);
    cmd
}

// Regression (issue 13): `flags --json | head` printed "Broken pipe (os error 32)".
#[test]
fn a_closed_stdout_is_not_an_error() {
    let (_tmp, config) = demo();
    for args in [
        &["flags", "--json"][..],
        &["flags"],
        &["search", "kafka", "--json"],
        &["search", "kafka"],
        &["sources", "--json"],
        &["stats", "--json"],
        &["report", "--format", "json"],
        &["export"],
        &["completions", "bash"],
        &["man"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader); // closed before horizon writes: every write fails with EPIPE
        let out = horizon(&config)
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

// Regression (issue 13): `stage:gaa` silently matched nothing.
#[test]
fn unknown_values_of_enumerated_fields_are_usage_errors() {
    let (_tmp, config) = demo();
    for (query, allowed) in [
        (
            "stage:gaa",
            "new, preview, ga, region, update, price, deprecation",
        ),
        ("kind:papers", "paper, article, repo, cloud"),
        ("kafka vendor:ibm", "aws, azure, gcp"),
    ] {
        let out = run_expect(horizon(&config).args(["search", query]), 2);
        assert!(stderr(&out).contains(allowed), "{query}: {}", stderr(&out));
    }
    run_expect(horizon(&config).args(["search", "stage:ga"]), 0);
}

// Regression (issue 13): the README's `title:postgres` found nothing: documents say PostgreSQL.
#[test]
fn system_aliases_expand_in_search() {
    let (_tmp, config) = demo();
    let out = run_expect(horizon(&config).args(["search", "postgres", "--json"]), 0);
    let hits = json_lines(&stdout(&out));
    assert!(hits.len() >= 3, "{hits:?}");
    assert!(hits.iter().all(|h| h["title"]
        .as_str()
        .is_some_and(|t| t.contains("PostgreSQL"))
        || h["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("PostgreSQL"))));
    // The snippet shows why: the name the document uses is highlighted.
    let text = stdout(&run_expect(
        horizon(&config).args(["search", "postgres"]),
        0,
    ));
    assert!(text.contains("[PostgreSQL]"), "{text}");
    let titled = json_lines(&stdout(&run_expect(
        horizon(&config).args(["search", "title:postgres", "--json"]),
        0,
    )));
    assert!(!titled.is_empty());
}

// Regression (issue 13): `--index` at a folder of the user's files got an index written among them.
#[test]
fn crawl_refuses_a_folder_that_is_not_an_index() {
    let (tmp, config) = demo();
    let mine = tmp.path().join("my-files");
    std::fs::create_dir_all(&mine).expect("mkdir");
    std::fs::write(mine.join("notes.md"), "mine").expect("write");
    let out = run_expect(
        horizon(&config)
            .arg("--index")
            .arg(&mine)
            .args(["crawl", "--replay", "recording"]),
        3,
    );
    assert!(
        stderr(&out).contains("not a horizon index"),
        "{}",
        stderr(&out)
    );
    let names: Vec<_> = std::fs::read_dir(&mine).expect("list").collect();
    assert_eq!(names.len(), 1, "nothing written beside notes.md");
}

// Regression (issue 13): search exited 3 on a missing index but 0 on an empty one.
#[test]
fn search_exits_3_on_a_missing_or_empty_index() {
    let (tmp, config) = demo();
    let missing = tmp.path().join("nowhere");
    let out = run_expect(
        horizon(&config)
            .arg("--index")
            .arg(&missing)
            .args(["search", "x"]),
        3,
    );
    assert!(stderr(&out).contains("horizon crawl"), "{}", stderr(&out));
    // An empty index: a crawl of a source whose server refuses.
    let empty = tmp.path().join("empty");
    let dead = tmp.path().join("dead.toml");
    std::fs::write(
        &dead,
        "[settings]\nretries = 0\n\n[[sources]]\nname = \"x\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/feed\"\n",
    )
    .expect("write");
    run_expect(horizon(&dead).arg("--index").arg(&empty).arg("crawl"), 1);
    for args in [&["search", "x"][..], &["search", "x", "--json"]] {
        let out = run_expect(horizon(&dead).arg("--index").arg(&empty).args(args), 3);
        assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));
    }
}

// Regression (issue 13): `crawl --help` named a source (`arxiv-dc`) the checked-in config lacks.
#[test]
fn help_examples_name_sources_of_the_checked_in_config() {
    let config = repo_file("sources.toml");
    let cfg = checked_in_config();
    let help = stdout(&run_expect(horizon(&config).args(["crawl", "--help"]), 0));
    for line in help
        .lines()
        .filter(|l| l.trim_start().starts_with("horizon crawl"))
    {
        for name in line.split("--source ").skip(1) {
            let name = name.split_whitespace().next().unwrap_or("");
            assert!(
                cfg.sources.iter().any(|s| s.name == name),
                "{name} in: {line}"
            );
        }
    }
    let help = stdout(&run_expect(horizon(&config).args(["--help"]), 0));
    assert!(!help.contains('`'), "no raw backticks in --help:\n{help}");
    let search = stdout(&run_expect(horizon(&config).args(["search", "--help"]), 0));
    for field in ["id", "date", "published", "stars"] {
        assert!(search.contains(field), "{field}");
    }
    assert!(search.contains("horizon search -- '-preview"), "{search}");
}

// Regression (issue 13): completions offered file names for `search --kind`.
#[test]
fn completions_offer_allowed_values() {
    let config = repo_file("sources.toml");
    let bash = stdout(&run_expect(
        horizon(&config).args(["completions", "bash"]),
        0,
    ));
    assert!(bash.contains("paper article repo cloud"), "kinds");
    assert!(
        bash.contains("new preview ga region update price deprecation"),
        "stages"
    );
    assert!(bash.contains("aws azure gcp"), "vendors");
}

// Regression (issue 13): the man page pointed at horizon-crawl(1)… which were never
// generated, and justified the examples into prose.
#[test]
fn man_pages_exist_for_every_referenced_subcommand() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = repo_file("sources.toml");
    let page = stdout(&run_expect(horizon(&repo).arg("man"), 0));
    assert!(
        page.contains(".SH EXAMPLES\n.nf\n"),
        "examples in no-fill mode"
    );
    let dir = tmp.path().join("man1");
    run_expect(horizon(&repo).arg("man").arg("--dir").arg(&dir), 0);
    for line in page.lines().filter(|l| l.starts_with("horizon\\-")) {
        let name = line.trim_end_matches("(1)").replace("\\-", "-");
        assert!(
            dir.join(format!("{name}.1")).is_file(),
            "{name}.1 for {line}"
        );
    }
    assert!(dir.join("horizon.1").is_file());
    assert!(dir.join("horizon-sources-import.1").is_file());
}
