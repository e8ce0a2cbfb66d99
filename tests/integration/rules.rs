//! `[[rules]]`: mute, pin and boost applied at report and search time to
//! documents already in the index (no recrawl), topic scope, expiry, `rules
//! test` showing each rule's changes in last weeks' reports, and invalid
//! rules reported with file, line and key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use horizon::config::Config;
use horizon::model::{Item, Kind};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::support::*;

const TOPICS: &str = r#"[[topics]]
name = "streaming"
keywords = ["kafka"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"
"#;

/// Six Kafka posts filed in last complete week (five are listed); `blog:5` says "webinar".
pub(crate) fn setup(dir: &Path, rules: &str) -> (PathBuf, PathBuf) {
    let config = write_config(dir, &format!("{TOPICS}\n{rules}"));
    let cfg = Config::load(&config).unwrap();
    let week = horizon::report::last_complete_week(Timestamp::now());
    let items: Vec<Item> = (0..6)
        .map(|k| {
            let title = if k == 5 {
                "Kafka webinar: register now".to_string()
            } else {
                format!("Kafka tiered storage, part {k}")
            };
            let mut i = Item::new(
                format!("blog:{k}"),
                Kind::Article,
                "blog",
                title,
                format!("https://blog.example/{k}"),
            );
            // The webinar mentions Kafka most: it is listed unless muted.
            i.summary = "Kafka ".repeat(if k == 5 { 8 } else { 5 - k });
            i.published = Some(week.since + SignedDuration::from_hours(24 + k as i64));
            i.topics = vec!["streaming".into()];
            i
        })
        .collect();
    let (tmp, idx) = index_of(&cfg, &items);
    drop(idx);
    let index = dir.join("index");
    std::fs::rename(tmp.path(), &index).unwrap();
    (config, index)
}

/// The ids of the report's streaming articles, in order, and their `why`s.
pub(crate) fn report_articles(config: &Path, index: &Path) -> Vec<(String, String)> {
    let out = run_expect(
        horizon(config, index).args(["report", "--format", "json"]),
        0,
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    report["topics"][0]["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["why"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn search_ids(config: &Path, index: &Path, extra: &[&str]) -> Vec<String> {
    let out = run_expect(
        horizon(config, index)
            .args(["search", "kafka", "--json", "-n", "20"])
            .args(extra),
        0,
    );
    json_lines(&stdout(&out))
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn mute_pin_and_boost_apply_to_the_report_and_search_without_a_recrawl() {
    let dir = tempfile::tempdir().unwrap();
    let (config, index) = setup(dir.path(), "");
    let plain = report_articles(&config, &index);
    let plain_ids: Vec<&str> = plain.iter().map(|(i, _)| i.as_str()).collect();
    assert!(plain_ids.contains(&"blog:5"), "{plain_ids:?}");
    let plain_search = search_ids(&config, &index, &[]);
    assert!(plain_search.contains(&"blog:5".to_string()));

    // The same index, a config with rules.
    let rules = r#"
[[rules]]
name = "no webinars"
query = "title:webinar"
action = "mute"

[[rules]]
name = "part four matters"
query = "title:\"part 4\""
action = "pin"
topic = "streaming"

[[rules]]
name = "expired"
query = "title:\"part 3\""
action = "pin"
until = "2020-01-01"
"#;
    let config = write_config(dir.path(), &format!("{TOPICS}\n{rules}"));
    let ruled = report_articles(&config, &index);
    let ids: Vec<&str> = ruled.iter().map(|(i, _)| i.as_str()).collect();
    assert!(!ids.contains(&"blog:5"), "muted: {ids:?}");
    assert_eq!(ids.first(), Some(&"blog:4"), "pinned first: {ids:?}");
    assert!(
        ruled[0]
            .1
            .contains("pinned by the rule \"part four matters\""),
        "{:?}",
        ruled[0]
    );
    assert_ne!(
        plain_ids.first(),
        Some(&"blog:4"),
        "the pin changed the order"
    );
    // Search: muted everywhere, pinned only in the topic's searches.
    let all = search_ids(&config, &index, &[]);
    assert!(!all.contains(&"blog:5".to_string()), "{all:?}");
    assert_ne!(all.first().map(String::as_str), Some("blog:4"));
    let topic = search_ids(&config, &index, &["--topic", "streaming"]);
    assert_eq!(
        topic.first().map(String::as_str),
        Some("blog:4"),
        "{topic:?}"
    );

    // A boost below 1 pushes the first item down.
    let first = plain_ids[0];
    let demote = format!(
        "[[rules]]\nname = \"less\"\nquery = \"id:\\\"{first}\\\"\"\naction = \"boost\"\nboost = 0.01\n"
    );
    let config = write_config(dir.path(), &format!("{TOPICS}\n{demote}"));
    let lowered = report_articles(&config, &index);
    let pos = lowered.iter().position(|(i, _)| i == first);
    assert!(
        pos.is_none_or(|p| p > 0),
        "{first} was first, is now at {pos:?}"
    );
}

#[test]
fn rules_test_shows_what_each_rule_changes_in_last_weeks_reports() {
    let dir = tempfile::tempdir().unwrap();
    let rules = r#"
[[rules]]
name = "no webinars"
query = "title:webinar"
action = "mute"

[[rules]]
name = "nothing matches"
query = "title:zzzzzz"
action = "pin"
"#;
    let (config, index) = setup(dir.path(), rules);
    let before = report_articles(&config, &index);
    let out = run_expect(
        horizon(&config, &index).args(["rules", "test", "--weeks", "2", "--json"]),
        0,
    );
    let effects = json_lines(&stdout(&out));
    assert_eq!(effects.len(), 2);
    assert_eq!(effects[0]["rule"], "no webinars");
    assert_eq!(effects[0]["action"], "mute");
    let weeks = effects[0]["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 2);
    let last = weeks[0]["moved"].as_array().unwrap();
    let webinar = last.iter().find(|m| m["id"] == "blog:5");
    assert!(webinar.is_some(), "{last:?}");
    assert!(webinar.unwrap()["after"].is_null(), "muted: gone");
    assert!(
        weeks[1]["moved"].as_array().unwrap().is_empty(),
        "the week before is empty"
    );
    assert!(effects[1]["weeks"][0]["moved"]
        .as_array()
        .unwrap()
        .is_empty());
    // The text form names the rule and the move.
    let text = stdout(&run_expect(
        horizon(&config, &index).args(["rules", "test", "--weeks", "1"]),
        0,
    ));
    assert!(
        text.contains("rule no webinars") && text.contains("→ —"),
        "{text}"
    );
    // Testing changes nothing.
    assert_eq!(report_articles(&config, &index).len(), before.len());
}

#[test]
fn invalid_rules_are_config_errors_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let rules = r#"
[[rules]]
name = "bad action"
query = "kafka"
action = "hide"

[[rules]]
name = "bad query"
query = "title:(kafka"
action = "mute"

[[rules]]
name = "bad topic"
query = "kafka"
action = "boost"
boost = 2
topic = "nosuch"
until = "next week"
"#;
    let config = write_config(dir.path(), &format!("{TOPICS}\n{rules}"));
    let index = dir.path().join("index");
    let out = run_expect(horizon(&config, &index).arg("rules"), 2);
    let err = stderr(&out);
    let path = config.display().to_string();
    for (line, what) in [
        (14, "rule \"bad action\": action"),
        (18, "rule \"bad query\": query"),
        (26, "rule \"bad topic\": topic"),
        (27, "rule \"bad topic\": until"),
    ] {
        assert!(
            err.contains(&format!("{path}:{line}")) && err.contains(what),
            "{line} {what}:\n{err}"
        );
    }
}

// Guards #30 item 2's hook: marks move the report's ranking at once, and say so.
#[test]
fn marks_move_the_report_ranking_and_the_why_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (config, index) = setup(dir.path(), "");
    let plain = report_articles(&config, &index);
    let place = |list: &[(String, String)], id: &str| list.iter().position(|(i, _)| i == id);
    let webinar = place(&plain, "blog:5").expect("the webinar is listed");
    assert_eq!(webinar, 0, "it mentions Kafka most: {plain:?}");
    run_expect(
        horizon(&config, &index).args(["mark", "blog:5", "noise", "--topic", "streaming"]),
        0,
    );
    let after = report_articles(&config, &index);
    let now = place(&after, "blog:5");
    assert!(
        now.is_none_or(|p| p > webinar),
        "noise goes down: {after:?}"
    );
    assert!(
        after
            .iter()
            .all(|(i, why)| i == "blog:5" || !why.contains("marked noise")),
        "posts unlike the webinar are not said to be like it: {after:?}"
    );
    // Noise no more, useful instead: first again, and the why says why.
    run_expect(
        horizon(&config, &index).args(["marks", "remove", "blog:5", "--topic", "streaming"]),
        0,
    );
    run_expect(
        horizon(&config, &index).args(["mark", "blog:5", "useful", "--topic", "streaming"]),
        0,
    );
    let lifted = report_articles(&config, &index);
    assert_eq!(lifted[0].0, "blog:5", "{lifted:?}");
    assert!(
        lifted[0].1.contains("the team marked it useful"),
        "{lifted:?}"
    );
}
