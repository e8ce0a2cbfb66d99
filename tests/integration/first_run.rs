//! First-run traps (#31 item 7), run through the real binary from another
//! folder than the config's, as cron, systemd or a user in their home
//! folder would: a relative `[settings] index` and the default index are
//! found beside the config file, `--index` is relative to the current
//! folder, every message names absolute paths, and every mistake in
//! `sources.toml` is listed in one run. The install story's files are
//! checked here too (the README shows the systemd units the package ships);
//! `.ci/deb-check` builds, installs and runs the package itself.

use std::path::{Path, PathBuf};

use crate::support::{horizon_in, repo_file, stderr, write_config};

/// A source on a closed loopback port: crawls fail fast, without a network.
const FEED: &str =
    "[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/feed.xml\"\n";

/// `<tmp>/conf/sources.toml` holding `text`, and `<tmp>/elsewhere` to run
/// from; returns the temporary folder's real path.
fn layout(tmp: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(tmp.join("conf")).expect("conf");
    std::fs::create_dir_all(tmp.join("elsewhere")).expect("elsewhere");
    write_config(&tmp.join("conf"), text);
    tmp.canonicalize().expect("tempdir")
}

/// `horizon --config ../conf/sources.toml <args>` run in `<tmp>/elsewhere`.
fn from_elsewhere(tmp: &Path, args: &[&str]) -> std::process::Output {
    horizon_in(&tmp.join("elsewhere"))
        .args(["--config", "../conf/sources.toml"])
        .args(args)
        .output()
        .expect("horizon runs")
}

// Guards #31 item 7: a relative `[settings] index` followed the current
// folder in messages ("documents in ../conf/data/idx").
#[test]
fn a_relative_index_is_beside_the_config_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = layout(
        tmp.path(),
        &format!("[settings]\nindex = \"data/idx\"\n\n{FEED}"),
    );
    let out = from_elsewhere(tmp.path(), &["crawl"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let index = real.join("conf/data/idx");
    assert!(
        err.contains(&format!("0 documents in {} (", index.display())),
        "{err}"
    );
    assert!(index.is_dir(), "the index beside the config");
    assert!(!tmp.path().join("elsewhere/data").exists(), "not here");
}

// Guards #31 item 7: without `[settings] index` the index was `./index` of
// whatever folder horizon ran in.
#[test]
fn without_an_index_key_the_index_is_beside_the_config_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = layout(tmp.path(), FEED);
    let out = from_elsewhere(tmp.path(), &["stats"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        format!(
            "horizon: no index at {} yet: run `horizon crawl` first\n",
            real.join("conf/index").display()
        )
    );
}

// `--index` is a command-line path: relative to the current folder, as
// with any other tool, and named absolute.
#[test]
fn index_on_the_command_line_is_relative_to_the_current_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = layout(
        tmp.path(),
        &format!("[settings]\nindex = \"data/idx\"\n\n{FEED}"),
    );
    let out = from_elsewhere(tmp.path(), &["--index", "mine", "stats"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        format!(
            "horizon: no index at {} yet: run `horizon crawl` first\n",
            real.join("elsewhere/mine").display()
        )
    );
}

// Guards #31 item 7: five typos took five runs, one error each.
#[test]
fn five_typos_and_a_bad_value_are_listed_in_one_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = layout(
        tmp.path(),
        r#"[settings]
concurency = 4
user_agnet = "horizon (ops@example.com)"

[[topics]]
name = "streaming"
keyword = ["kafka"]
systems = ["Kafka"]

[[sources]]
name = "aws"
kind = "cloud"
vendor = "amazon"

[[sources]]
name = "blog"
kind = "feed"
ulr = "http://127.0.0.1:9/feed.xml"
full_txt = true
"#,
    );
    let out = from_elsewhere(tmp.path(), &["sources"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let config = real.join("conf/sources.toml");
    let at = |place: &str| format!("{}:{place}: ", config.display());
    let lines: Vec<&str> = err.lines().collect();
    let expected = [
        (
            at("2:1"),
            "unknown field `concurency`",
            "did you mean `concurrency`?",
        ),
        (
            at("3:1"),
            "unknown field `user_agnet`",
            "did you mean `user_agent`?",
        ),
        (
            at("7:1"),
            "unknown field `keyword`",
            "did you mean `keywords`?",
        ),
        (
            at("13:10"),
            "unknown variant `amazon`",
            "expected one of `aws`",
        ),
        (at("18:1"), "unknown field `ulr`", "did you mean `url`?"),
        (
            at("19:1"),
            "unknown field `full_txt`",
            "did you mean `full_text`?",
        ),
    ];
    assert_eq!(lines.len(), expected.len() + 1, "{err}");
    for (line, (place, what, hint)) in lines.iter().zip(&expected) {
        let line = line.strip_prefix("horizon: ").unwrap_or(line);
        assert!(
            line.starts_with(&format!("{place}{what}")) && line.contains(hint),
            "{place}{what} … {hint}\n{err}"
        );
    }
    assert_eq!(
        lines.last().copied(),
        Some(format!("6 problems in {}", config.display()).as_str())
    );
}

// The README shows every systemd unit of packaging/systemd/ (which the
// Debian package installs) exactly as shipped, each after its file name.
#[test]
fn readme_shows_the_shipped_systemd_units() {
    let readme = std::fs::read_to_string(repo_file("README.md")).expect("README");
    let mut shown = std::collections::BTreeSet::new();
    let mut parts = readme.split("```ini\n");
    let mut before = parts.next().unwrap_or_default();
    for part in parts {
        let block = part.split("```").next().unwrap_or_default();
        let name = before
            .rsplit("packaging/systemd/")
            .next()
            .and_then(|rest| rest.split('`').next())
            .filter(|_| before.contains("packaging/systemd/"))
            .unwrap_or_else(|| panic!("an ini block without its file name:\n{block}"));
        let file = std::fs::read_to_string(repo_file("packaging/systemd").join(name))
            .unwrap_or_else(|e| panic!("packaging/systemd/{name}: {e}"));
        assert_eq!(block, file, "README's {name} differs from the shipped file");
        shown.insert(name.to_string());
        before = part.rsplit("```").next().unwrap_or_default();
    }
    let shipped: std::collections::BTreeSet<String> =
        std::fs::read_dir(repo_file("packaging/systemd"))
            .expect("packaging/systemd")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(shown, shipped, "every shipped unit is in the README");
}
