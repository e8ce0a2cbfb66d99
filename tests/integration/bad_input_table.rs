//! A table of malformed `sources.toml` files and invalid queries, each run
//! through the real binary: exit status 2, the exact first line of what the
//! user sees on stderr, nothing on stdout, and never a panic.
//!
//! The same table is the "bad configuration and queries" part of
//! RELIABILITY.md; print it with
//! `UPDATE_RELIABILITY=1 cargo test --test integration reliability_table -- --nocapture`.
//!
//! Every command runs in a fresh tempdir with `--config sources.toml --index
//! idx` (relative paths). Messages name absolute paths; the tempdir's prefix
//! is taken out ([`in_dir`]), so they read exactly as in the table.

use std::path::Path;

use crate::support::{horizon_in, repo_file, stderr, stdout, write_config};

/// A source every otherwise-valid config below carries.
const FEED: &str =
    "[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/feed.xml\"\n";

/// One malformed config: what it shows, the file, the first stderr line.
struct ConfigCase {
    what: &'static str,
    text: String,
    first_line: &'static str,
}

fn c(what: &'static str, text: impl Into<String>, first_line: &'static str) -> ConfigCase {
    ConfigCase {
        what,
        text: text.into(),
        first_line,
    }
}

fn config_cases() -> Vec<ConfigCase> {
    let topic =
        "[[topics]]\nname = \"databases\"\nkeywords = [\"postgres\"]\nsystems = [\"Kafka\"]\n";
    vec![
        c(
            "TOML syntax error (unclosed table header)",
            format!("[settings\nconcurrency = 2\n{FEED}"),
            "horizon: sources.toml:1:10: unclosed table, expected `]`",
        ),
        c(
            "key without a value",
            format!("[settings]\nconcurrency =\n{FEED}"),
            "horizon: sources.toml:2:14: string values must be quoted, expected literal string",
        ),
        c(
            "same key twice in one table",
            format!("{FEED}url = \"http://127.0.0.1:9/other.xml\"\n"),
            "horizon: sources.toml:5:1: duplicate key",
        ),
        c(
            "unknown key in a source (`urll`)",
            format!("{FEED}urll = \"http://127.0.0.1:9/x\"\n"),
            "horizon: sources.toml:5:1: unknown field `urll`, expected one of `kind`, `name`, `url`, `enabled`, `max_items`, `full_text`; did you mean `url`?",
        ),
        c(
            "unknown key in [settings]",
            format!("[settings]\nper_host_intervall = \"1s\"\n{FEED}"),
            "horizon: sources.toml:2:1: unknown field `per_host_intervall`, expected one of `index`, `user_agent`, `concurrency`, `per_host_concurrency`, `per_host_interval`, `connect_timeout`, `timeout`, `max_body_bytes`, `max_redirects`, `retries`, `retry_budget`, `max_retry_after`, `writer_heap_bytes`, `failing_after`, `allow_private_hosts`, `hosts`; did you mean `per_host_interval`?",
        ),
        c(
            "unknown top-level table ([setting])",
            format!("[setting]\nconcurrency = 2\n{FEED}"),
            "horizon: sources.toml:1:2: unknown field `setting`, expected one of `settings`, `absorption`, `report`, `topics`, `sources`, `offerings`, `rules`, `radar`, `alerts`; did you mean `settings`?",
        ),
        c(
            "wrong type: string for a number",
            format!("[settings]\nconcurrency = \"eight\"\n{FEED}"),
            "horizon: sources.toml:2:15: invalid type: string \"eight\", expected usize",
        ),
        c(
            "wrong type: string for a list (keywords)",
            format!("[[topics]]\nname = \"db\"\nkeywords = \"postgres\"\n{FEED}"),
            "horizon: sources.toml:3:12: invalid type: string \"postgres\", expected a sequence",
        ),
        c(
            "negative number",
            format!("[settings]\nconcurrency = -1\n{FEED}"),
            "horizon: sources.toml:2:15: invalid value: integer `-1`, expected usize",
        ),
        c(
            "duration without a number",
            format!("[settings]\ntimeout = \"soon\"\n{FEED}"),
            "horizon: sources.toml:2:11: \"soon\" does not start with a number (e.g. 500ms, 3s, 10min, 2h, 7d, 4w, 3mo, 1y, \"2 weeks\")",
        ),
        c(
            "unknown source kind",
            "[[sources]]\nname = \"blog\"\nkind = \"rss\"\nurl = \"http://127.0.0.1:9/f\"\n",
            "horizon: sources.toml:3:8: unknown variant `rss`, expected one of `arxiv`, `feed`, `github_trending`, `cloud`",
        ),
        c(
            "source without a kind",
            "[[sources]]\nname = \"blog\"\nurl = \"http://127.0.0.1:9/f\"\n",
            "horizon: sources.toml:1:1: missing field `kind`",
        ),
        c(
            "duplicate source names",
            format!("{FEED}{FEED}"),
            "horizon: sources.toml:5: source \"blog\": duplicate source name (each source needs its own name)",
        ),
        c(
            "empty source name",
            "[[sources]]\nname = \"\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/f\"\n",
            "horizon: sources.toml:1: source \"\": name must not be empty",
        ),
        c(
            "URL with a non-http scheme",
            "[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"ftp://example.org/feed\"\n",
            "horizon: sources.toml:1: source \"blog\": url \"ftp://example.org/feed\" must be http or https with a host (got scheme \"ftp\")",
        ),
        c(
            "URL that is not a URL",
            "[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"not a url\"\n",
            "horizon: sources.toml:1: source \"blog\": url \"not a url\" is not a valid URL: relative URL without a base",
        ),
        c(
            "feed without a url",
            "[[sources]]\nname = \"blog\"\nkind = \"feed\"\n",
            "horizon: sources.toml:1: source \"blog\": kind = \"feed\" needs a `url`",
        ),
        c(
            "cloud source without a vendor",
            "[[sources]]\nname = \"gcp\"\nkind = \"cloud\"\n",
            "horizon: sources.toml:1: source \"gcp\": kind = \"cloud\" needs `vendor = \"aws\"`, `\"azure\"`, `\"gcp\"`, `\"oci\"`, `\"cloudflare\"`, `\"digitalocean\"` or `\"github\"`",
        ),
        c(
            "unknown vendor",
            "[[sources]]\nname = \"oci\"\nkind = \"cloud\"\nvendor = \"oracle\"\n",
            "horizon: sources.toml:4:10: unknown variant `oracle`, expected one of `aws`, `azure`, `gcp`, `oci`, `cloudflare`, `digitalocean`, `github`",
        ),
        c(
            "key that does not apply to the kind",
            "[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/f\"\nvendor = \"aws\"\n",
            "horizon: sources.toml:5: source \"blog\": key `vendor` does not apply to kind = \"feed\"",
        ),
        c(
            "arXiv interval below 3 s",
            format!("[settings.hosts.\"export.arxiv.org\"]\ninterval = \"1s\"\n{FEED}"),
            "horizon: sources.toml:1: [settings] hosts.\"export.arxiv.org\".interval: arXiv's terms allow at most one request every 3s; the interval may only be longer",
        ),
        c(
            "arXiv concurrency above 1",
            format!("[settings.hosts.\"export.arxiv.org\"]\nconcurrency = 4\n{FEED}"),
            "horizon: sources.toml:1: [settings] hosts.\"export.arxiv.org\".concurrency: arXiv's terms allow one connection at a time",
        ),
        c(
            "arXiv listing without categories",
            "[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\nmode = \"listing\"\n",
            "horizon: sources.toml:1: source \"papers\": an arXiv listing source needs `categories` (e.g. [\"cs.DC\"])",
        ),
        c(
            "arXiv page_size above the API limit",
            "[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\npage_size = 5000\n",
            "horizon: sources.toml:1: source \"papers\": page_size may be at most 2000 (arXiv's limit per request)",
        ),
        c(
            "trending language that is not a slug",
            "[[sources]]\nname = \"gh\"\nkind = \"github_trending\"\nlanguage = \"c/c++\"\n",
            "horizon: sources.toml:1: source \"gh\": language \"c/c++\" must be a GitHub language slug such as \"rust\" or \"c++\"",
        ),
        c(
            "topic with empty keywords and no query",
            format!("[[topics]]\nname = \"db\"\nkeywords = []\n{FEED}"),
            "horizon: sources.toml:1: topic \"db\": keywords is empty and there is no query: nothing would ever be tagged",
        ),
        c(
            "topic keyword that is blank",
            format!("[[topics]]\nname = \"db\"\nkeywords = [\"postgres\", \" \"]\n{FEED}"),
            "horizon: sources.toml:1: topic \"db\": keywords holds an empty phrase",
        ),
        c(
            "alias of an unknown system",
            format!("{topic}aliases = {{ Pulsar = [\"StreamNative\"] }}\n{FEED}"),
            "horizon: sources.toml:1: topic \"databases\": aliases names \"Pulsar\", which is not in systems (Kafka)",
        ),
        c(
            "topic name of two words",
            format!("[[topics]]\nname = \"stream processing\"\nkeywords = [\"flink\"]\n{FEED}"),
            "horizon: sources.toml:1: topic \"stream processing\": name must be one word (use dashes, e.g. \"stream-processing\") so it can be used in `topic:` queries",
        ),
        c(
            "duplicate topic names",
            format!("{topic}{topic}{FEED}"),
            "horizon: sources.toml:5: topic \"databases\": duplicate topic name",
        ),
        c(
            "unknown topic in a source",
            format!("{topic}[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\ncategories = [\"cs.DB\"]\ntopics = [\"networking\"]\n"),
            "horizon: sources.toml:5: source \"papers\": topics names \"networking\", which is not a [[topics]] name",
        ),
        c(
            "zero concurrency",
            format!("[settings]\nconcurrency = 0\n{FEED}"),
            "horizon: sources.toml:1: [settings] concurrency: must be at least 1",
        ),
        c(
            "zero per-host concurrency",
            format!("[settings.hosts.\"github.com\"]\nconcurrency = 0\n{FEED}"),
            "horizon: sources.toml:1: [settings] hosts.\"github.com\".concurrency: must be at least 1",
        ),
        c(
            "writer heap below tantivy's minimum",
            format!("[settings]\nwriter_heap_bytes = 1000\n{FEED}"),
            "horizon: sources.toml:1: [settings] writer_heap_bytes: must be at least 15000000 (tantivy's minimum)",
        ),
        c(
            "blank user agent",
            format!("[settings]\nuser_agent = \" \"\n{FEED}"),
            "horizon: sources.toml:1: [settings] user_agent: must not be empty",
        ),
        c(
            "absorption threshold of 0",
            format!("[absorption]\nabsorbed_min_ga_vendors = 0\n{FEED}"),
            "horizon: sources.toml:1: [absorption] absorbed_min_ga_vendors: must be at least 1",
        ),
        c(
            "two problems at once (both listed, then a count)",
            format!("[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"ftp://x/\"\n{FEED}"),
            "horizon: sources.toml:1: source \"blog\": url \"ftp://x/\" must be http or https with a host (got scheme \"ftp\")",
        ),
        c(
            "unknown key in an arXiv source (its kind's keys listed)",
            "[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\npage_sise = 50\n",
            "horizon: sources.toml:4:1: unknown field `page_sise`, expected one of `kind`, `name`, `url`, `enabled`, `max_items`, `mode`, `categories`, `topics`, `max_results`, `page_size`; did you mean `page_size`?",
        ),
        c(
            "API key on an arXiv listing source",
            "[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\nmode = \"listing\"\ncategories = [\"cs.DC\"]\nmax_results = 50\n",
            "horizon: sources.toml:6: source \"papers\": key `max_results` does not apply to mode = \"listing\"",
        ),
        c(
            "kind that is not a string",
            "[[sources]]\nname = \"blog\"\nkind = 3\nurl = \"http://127.0.0.1:9/f\"\n",
            "horizon: sources.toml:3:8: invalid type: integer `3`, expected a string",
        ),
        c(
            "misspelt vendor (did you mean)",
            "[[sources]]\nname = \"aws\"\nkind = \"cloud\"\nvendor = \"asw\"\n",
            "horizon: sources.toml:4:10: unknown variant `asw`, expected one of `aws`, `azure`, `gcp`, `oci`, `cloudflare`, `digitalocean`, `github`; did you mean `aws`?",
        ),
        c(
            "misspelt topic in a source (did you mean)",
            format!("{topic}[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\ntopics = [\"databse\"]\n"),
            "horizon: sources.toml:5: source \"papers\": topics names \"databse\", which is not a [[topics]] name; did you mean `databases`?",
        ),
        c(
            "five typos at once (all listed, then a count)",
            "[settings]\nconcurency = 4\n\n[[topics]]\nname = \"db\"\nkeyword = [\"postgres\"]\n\n[[sources]]\nname = \"blog\"\nkind = \"fed\"\n\n[[sources]]\nname = \"aws\"\nkind = \"cloud\"\nvendr = \"aws\"\nenabeld = false\n",
            "horizon: sources.toml:2:1: unknown field `concurency`, expected one of `index`, `user_agent`, `concurrency`, `per_host_concurrency`, `per_host_interval`, `connect_timeout`, `timeout`, `max_body_bytes`, `max_redirects`, `retries`, `retry_budget`, `max_retry_after`, `writer_heap_bytes`, `failing_after`, `allow_private_hosts`, `hosts`; did you mean `concurrency`?",
        ),
    ]
}

/// One invalid query or search/report argument: the arguments after the
/// global options, and the first stderr line.
struct QueryCase {
    what: &'static str,
    args: &'static [&'static str],
    first_line: &'static str,
}

const QUERY_CASES: &[QueryCase] = &[
    QueryCase {
        what: "unbalanced parenthesis",
        args: &["search", "title:(kafka"],
        first_line: "horizon: invalid query: at position 13: expected ')'",
    },
    QueryCase {
        what: "stray closing parenthesis",
        args: &["search", "kafka)"],
        first_line: "horizon: invalid query: at position 6: unparsed end of query",
    },
    QueryCase {
        what: "unbalanced quote",
        args: &["search", "\"tiered storage"],
        first_line: "horizon: invalid query: at position 16: missing delimiter \\\"",
    },
    QueryCase {
        what: "unknown field",
        args: &["search", "foo:bar"],
        first_line: "horizon: invalid query: at position 1: unknown field \"foo\"; fields are: title, summary, body, author, category, topic, kind, source, vendor, stage, relation, system, offering, product, language, id, story, date, published, first_seen, stars, stars_period",
    },
    QueryCase {
        what: "field without a value",
        args: &["search", "title:"],
        first_line: "horizon: invalid query: at position 7: expected word",
    },
    QueryCase {
        what: "invalid date in a range (month 13)",
        args: &["search", "date:[2026-13-01T00:00:00Z TO *]"],
        first_line: "horizon: invalid query: invalid date in the query; write dates as RFC 3339, e.g. date:[2026-01-01T00:00:00Z TO *]",
    },
    QueryCase {
        what: "unclosed date range",
        args: &["search", "date:[2026-01-01T00:00:00Z TO"],
        first_line: "horizon: invalid query: at position 30: expected word",
    },
    QueryCase {
        what: "only an exclusion",
        args: &["search", "--", "-preview"],
        first_line: "horizon: invalid query: a query cannot only exclude terms; add something to look for (or use `*`)",
    },
    QueryCase {
        what: "only exclusions",
        args: &["search", "--", "-kafka -flink"],
        first_line: "horizon: invalid query: a query cannot only exclude terms; add something to look for (or use `*`)",
    },
    QueryCase {
        what: "`AND` at the end",
        args: &["search", "kafka AND"],
        first_line: "horizon: invalid query: at position 7: AND needs something to combine after it",
    },
    QueryCase {
        what: "`AND AND`",
        args: &["search", "kafka AND AND flink"],
        first_line: "horizon: invalid query: at position 7: AND is followed by another operator",
    },
    QueryCase {
        what: "a lone `OR`",
        args: &["search", "OR"],
        first_line: "horizon: invalid query: at position 1: OR needs something to combine before it",
    },
    QueryCase {
        what: "`AND` at the start",
        args: &["search", "AND kafka"],
        first_line: "horizon: invalid query: at position 1: AND needs something to combine before it",
    },
    QueryCase {
        what: "exclusion sign without a word",
        args: &["search", "kafka -"],
        first_line: "horizon: invalid query: at position 8: expected word",
    },
    QueryCase {
        what: "non-number in a numeric field",
        args: &["search", "stars:>abc"],
        first_line: "horizon: invalid query: at position 1: expected a whole number, e.g. stars:>1000 or stars_period:[100 TO *]",
    },
    QueryCase {
        what: "--since that is no date",
        args: &["search", "kafka", "--since", "yesterday"],
        first_line: "horizon: --since: \"yesterday\" is neither a date (2026-11-01), a timestamp (2026-11-01T08:00:00Z) nor a duration (7d, 4w, 3mo)",
    },
    QueryCase {
        what: "--until that does not exist (Feb 30)",
        args: &["search", "kafka", "--until", "2026-02-30"],
        first_line: "horizon: --until: \"2026-02-30\" is neither a date (2026-11-01), a timestamp (2026-11-01T08:00:00Z) nor a duration (7d, 4w, 3mo)",
    },
    QueryCase {
        what: "--source not in the config",
        args: &["search", "kafka", "--source", "nope"],
        first_line: "horizon: --source: no source named \"nope\" in sources.toml; sources are: blog",
    },
    QueryCase {
        what: "report period that ends before it starts",
        args: &["report", "--since", "2026-05-10", "--until", "2026-05-01"],
        first_line: "horizon: the period must end after it starts (2026-05-01T00:00:00Z is not after 2026-05-10T00:00:00Z)",
    },
    QueryCase {
        what: "report week that does not exist",
        args: &["report", "--week", "2026-W60"],
        first_line: "horizon: --week: invalid ISO week \"2026-W60\": parameter 'iso-week' is not in the required range of 1..=53",
    },
    QueryCase {
        what: "flags window that is no duration",
        args: &["flags", "--window", "forever"],
        first_line: "horizon: --window: \"forever\" does not start with a number (e.g. 500ms, 3s, 10min, 2h, 7d, 4w, 3mo, 1y, \"2 weeks\")",
    },
];

/// `horizon --config sources.toml --index idx <args>` in `dir`, clean environment.
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    horizon_in(dir)
        .args(["--config", "sources.toml", "--index", "idx"])
        .args(args)
        .output()
        .expect("horizon runs")
}

/// `text` with `dir/` taken out of the absolute paths it names.
fn in_dir(dir: &Path, text: &str) -> String {
    let mut text = text.to_string();
    for d in [dir.to_path_buf(), dir.canonicalize().expect("tempdir")] {
        text = text.replace(&format!("{}/", d.display()), "");
    }
    text
}

/// Exit 2, nothing on stdout, no panic, no index created; returns stderr's
/// first line, with the tempdir taken out of its paths.
fn usage_error(dir: &Path, args: &[&str], what: &str) -> String {
    let out = run(dir, args);
    let err = in_dir(dir, &stderr(&out));
    assert!(!err.contains("panicked"), "{what}: panic\n{err}");
    assert_eq!(out.status.code(), Some(2), "{what}: exit status\n{err}");
    assert!(out.stdout.is_empty(), "{what}: stdout: {}", stdout(&out));
    assert!(!dir.join("idx").exists(), "{what}: an index was created");
    err.lines().next().unwrap_or_default().to_string()
}

#[test]
fn malformed_configs_exit_2_with_the_exact_message() {
    let cases = config_cases();
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for case in &cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        write_config(tmp.path(), &case.text);
        for args in [&["sources"][..], &["crawl"][..], &["report"][..]] {
            let first = usage_error(tmp.path(), args, case.what);
            if first != case.first_line {
                failures.push(format!(
                    "{} ({}):\n  expected {}\n  got      {first}",
                    case.what,
                    args.join(" "),
                    case.first_line
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_queries_exit_2_with_the_exact_message() {
    assert!(QUERY_CASES.len() >= 10);
    let tmp = tempfile::tempdir().expect("tempdir");
    write_config(tmp.path(), FEED);
    let mut failures = Vec::new();
    for case in QUERY_CASES {
        let first = usage_error(tmp.path(), case.args, case.what);
        if first != case.first_line {
            failures.push(format!(
                "{}:\n  expected {}\n  got      {first}",
                case.what, case.first_line
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn two_problems_are_both_listed_with_a_count() {
    // Guards "report every problem at once": the whole stderr, not just line 1.
    let tmp = tempfile::tempdir().expect("tempdir");
    write_config(
        tmp.path(),
        &format!("[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"ftp://x/\"\n{FEED}"),
    );
    let out = run(tmp.path(), &["sources"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        in_dir(tmp.path(), &stderr(&out)),
        "horizon: sources.toml:1: source \"blog\": url \"ftp://x/\" must be http or https with a host (got scheme \"ftp\")\n\
         sources.toml:5: source \"blog\": duplicate source name (each source needs its own name)\n\
         2 problems in sources.toml\n"
    );
}

#[test]
fn positioned_query_errors_point_at_the_problem() {
    // Guards the caret line under an invalid query.
    let tmp = tempfile::tempdir().expect("tempdir");
    write_config(tmp.path(), FEED);
    let out = run(tmp.path(), &["search", "title:(kafka"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "horizon: invalid query: at position 13: expected ')'\n  title:(kafka\n              ^\n"
    );
}

#[test]
fn unreadable_config_names_the_cause_once() {
    // Guards the message for a sources.toml with a Latin-1 byte.
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("sources.toml"),
        b"[[sources]]\nname = \"caf\xe9\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/f\"\n",
    )
    .expect("write config");
    let first = usage_error(tmp.path(), &["sources"], "Latin-1 config");
    assert_eq!(
        first,
        "horizon: cannot read config sources.toml: stream did not contain valid UTF-8"
    );
}

#[test]
fn leading_and_points_at_the_operator() {
    // Guards the error position for a query starting with a boolean operator.
    let tmp = tempfile::tempdir().expect("tempdir");
    write_config(tmp.path(), FEED);
    let out = run(tmp.path(), &["search", "AND kafka"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("horizon: invalid query: at position 1:"),
        "{err}"
    );
}

/// Markdown-table cell: pipes escaped, code-quoted.
fn cell(s: &str) -> String {
    let s = s.replace('|', "\\|").replace('\n', "\\n");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[test]
fn reliability_table() {
    // RELIABILITY.md carries these tables; UPDATE_RELIABILITY=1 prints them
    // to paste there when the cases change.
    let mut o = String::from(
        "| # | malformed `sources.toml` | first line on stderr (exit 2) |\n|---|---|---|\n",
    );
    for (i, case) in config_cases().iter().enumerate() {
        o.push_str(&format!(
            "| C{} | {} | {} |\n",
            i + 1,
            case.what,
            cell(case.first_line)
        ));
    }
    o.push_str("\n| # | invalid query or argument | command | first line on stderr (exit 2) |\n|---|---|---|---|\n");
    for (i, case) in QUERY_CASES.iter().enumerate() {
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| {
                if a.contains([' ', '"', '(', ')', '[', '>']) || a.is_empty() {
                    format!("'{a}'")
                } else {
                    a.to_string()
                }
            })
            .collect();
        o.push_str(&format!(
            "| Q{} | {} | {} | {} |\n",
            i + 1,
            case.what,
            cell(&format!("horizon {}", args.join(" "))),
            cell(case.first_line)
        ));
    }
    if std::env::var_os("UPDATE_RELIABILITY").is_some() {
        println!("{o}");
        return;
    }
    let doc = std::fs::read_to_string(repo_file("RELIABILITY.md")).expect("RELIABILITY.md");
    assert!(
        doc.contains(&o),
        "RELIABILITY.md's bad-input tables differ from the cases of this test: \
         run `UPDATE_RELIABILITY=1 cargo test --test integration reliability_table -- --nocapture` \
         and paste the output there"
    );
}
