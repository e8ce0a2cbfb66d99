//! `[alerts]`: where `horizon crawl` posts what moved right after the crawl
//! that saw it ([`crate::alerts`]), parsed and validated like the rest of
//! the file.
//!
//! A destination is a chat incoming webhook of the kinds `[report.deliver]`
//! knows (`slack`, `teams`, `mattermost`) or a generic JSON webhook
//! (`kind = "json"`) signed with HMAC-SHA256. Its URL and signing secret are
//! secrets, read at send time from the environment variable or file the
//! config names (`url_env`/`url_file`, `secret_env`/`secret_file`); inline
//! values are refused with their line, as in `[report.deliver]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::deliver::{claim_name, secret_source};
use super::deliver::{Secret, WebhookKind};
use super::{line_col, Problem};
use crate::duration::ConfigDuration;
use crate::model::EventKind;
use crate::{DEFAULT_ALERTS_SEARCH_HITS, DEFAULT_ALERTS_WINDOW_DAYS};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlerts {
    #[serde(default)]
    events: Option<Vec<EventKind>>,
    #[serde(default)]
    window: Option<Spanned<ConfigDuration>>,
    #[serde(default)]
    webhooks: Vec<Spanned<RawAlertHook>>,
    #[serde(default)]
    searches: Vec<Spanned<RawSearch>>,
}

/// `kind` of an `[[alerts.webhooks]]` table: a chat service, or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawHookKind {
    Slack,
    Teams,
    Mattermost,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlertHook {
    name: String,
    kind: RawHookKind,
    #[serde(default)]
    url_env: Option<String>,
    #[serde(default)]
    url_file: Option<PathBuf>,
    /// Refused with a message: only here so the message can name its line.
    #[serde(default)]
    url: Option<Spanned<toml::Value>>,
    #[serde(default)]
    secret_env: Option<String>,
    #[serde(default)]
    secret_file: Option<PathBuf>,
    /// Refused with a message: only here so the message can name its line.
    #[serde(default)]
    secret: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    name: String,
    query: String,
    #[serde(default)]
    topic: Option<String>,
}

/// `[alerts]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSettings {
    /// The landscape events alerted (default: all three kinds).
    pub events: Vec<EventKind>,
    /// How far back an event or a story may be dated and still be alerted;
    /// also how long a sent alert is remembered.
    pub window: Duration,
    /// `[[alerts.webhooks]]`, in file order.
    pub destinations: Vec<AlertDestination>,
    /// `[[alerts.searches]]`, in file order.
    pub searches: Vec<SavedSearch>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            events: vec![
                EventKind::Launch,
                EventKind::StageChange,
                EventKind::Retirement,
            ],
            window: Duration::from_secs(DEFAULT_ALERTS_WINDOW_DAYS * 86_400),
            destinations: Vec::new(),
            searches: Vec::new(),
        }
    }
}

impl AlertSettings {
    /// Whether no destination is configured (nothing is ever sent).
    pub fn is_empty(&self) -> bool {
        self.destinations.is_empty()
    }
}

/// `[[alerts.webhooks]]`: one place alerts are posted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDestination {
    /// Unique name; what the crawl state remembers sent alerts under.
    pub name: String,
    /// What is posted there.
    pub target: AlertTarget,
    /// Where the webhook URL is read from when sending.
    pub url: Secret,
    /// Line of the table.
    pub line: usize,
}

/// The payload a destination gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertTarget {
    /// A short chat message, one line per alert, in the service's dialect.
    Chat(WebhookKind),
    /// The alerts as JSON, signed with the secret (`X-Horizon-Signature`).
    Json {
        /// Where the signing secret is read from when sending.
        secret: Secret,
    },
}

impl AlertTarget {
    /// `slack`, `teams`, `mattermost` or `json`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertTarget::Chat(kind) => kind.as_str(),
            AlertTarget::Json { .. } => "json",
        }
    }
}

/// `[[alerts.searches]]`: a query whose new matching stories are alerted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    /// Unique name, shown in the alert.
    pub name: String,
    /// A query in `horizon search` syntax.
    pub query: String,
    /// Only documents tagged with this topic.
    pub topic: Option<String>,
    /// Most hits read per crawl.
    pub limit: usize,
    /// Line of the table.
    pub line: usize,
}

/// Validate `[alerts]`; problems are added to `problems`.
pub(super) fn build_alerts(
    path: &Path,
    text: &str,
    raw: Spanned<RawAlerts>,
    topics: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> AlertSettings {
    let line = line_col(text, raw.span().start).0;
    let raw = raw.into_inner();
    let mut out = AlertSettings::default();
    if let Some(events) = raw.events {
        if events.is_empty() {
            problems.push(Problem {
                column: None,
                line,
                context: "[alerts] events".into(),
                message: "is empty: leave it out for every kind (\"launch\", \"stage_change\", \"retirement\"), or name at least one".into(),
            });
        }
        out.events = events;
    }
    if let Some(w) = raw.window {
        let wline = line_col(text, w.span().start).0;
        let ConfigDuration(d) = w.into_inner();
        if d < Duration::from_secs(86_400) {
            problems.push(Problem {
                column: None,
                line: wline,
                context: "[alerts] window".into(),
                message: "must be at least 1d (events are dated by day)".into(),
            });
        }
        out.window = d;
    }
    let mut names = BTreeSet::new();
    for w in raw.webhooks {
        let wline = line_col(text, w.span().start).0;
        if let Some(d) = build_hook(path, text, w.into_inner(), wline, &mut names, problems) {
            out.destinations.push(d);
        }
    }
    let mut search_names = BTreeSet::new();
    for s in raw.searches {
        let sline = line_col(text, s.span().start).0;
        if let Some(s) = build_search(s.into_inner(), sline, topics, &mut search_names, problems) {
            out.searches.push(s);
        }
    }
    if out.destinations.is_empty() && !out.searches.is_empty() {
        problems.push(Problem {
            column: None,
            line,
            context: "[alerts]".into(),
            message: "has saved searches but no [[alerts.webhooks]] to send them to".into(),
        });
    }
    out
}

/// An inline secret `key`, refused on its own line.
fn refuse_inline(
    text: &str,
    inline: &Option<Spanned<toml::Value>>,
    ctx: &str,
    key: &str,
    example: &str,
    problems: &mut Vec<Problem>,
) {
    if let Some(inline) = inline {
        problems.push(Problem {
            column: None,
            line: line_col(text, inline.span().start).0,
            context: format!("{ctx}: {key}"),
            message: format!(
                "a webhook {key} is a secret and is not read from the config file; put it in an \
                 environment variable named by `{key}_env` (e.g. {key}_env = \"{example}\") or in \
                 a file named by `{key}_file`"
            ),
        });
    }
}

fn build_hook(
    path: &Path,
    text: &str,
    w: RawAlertHook,
    line: usize,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<AlertDestination> {
    let name = w.name.trim().to_string();
    let ctx = format!("[[alerts.webhooks]] {name:?}");
    let start = problems.len();
    let chat = match w.kind {
        RawHookKind::Slack => Some(WebhookKind::Slack),
        RawHookKind::Teams => Some(WebhookKind::Teams),
        RawHookKind::Mattermost => Some(WebhookKind::Mattermost),
        RawHookKind::Json => None,
    };
    let example = chat.map_or("HORIZON_ALERTS_WEBHOOK", |k| k.example_env());
    refuse_inline(text, &w.url, &ctx, "url", example, problems);
    if chat.is_none() {
        refuse_inline(
            text,
            &w.secret,
            &ctx,
            "secret",
            "HORIZON_ALERTS_SECRET",
            problems,
        );
    }
    let mut bad = |message: String| {
        problems.push(Problem {
            column: None,
            line,
            context: ctx.clone(),
            message,
        })
    };
    if let Some(message) = claim_name(&name, names) {
        bad(message);
    }
    let url = secret_source(
        path,
        "url",
        w.url_env,
        w.url_file,
        w.url.is_none(),
        &mut bad,
    );
    let target = match chat {
        Some(kind) => {
            if w.secret_env.is_some() || w.secret_file.is_some() || w.secret.is_some() {
                bad(format!(
                    "a signing secret is only for JSON webhooks; {} messages are not signed (leave out `secret_env` and `secret_file`)",
                    kind.as_str()
                ));
            }
            Some(AlertTarget::Chat(kind))
        }
        None => secret_source(
            path,
            "secret",
            w.secret_env,
            w.secret_file,
            w.secret.is_none(),
            &mut bad,
        )
        .map(|secret| AlertTarget::Json { secret }),
    };
    if problems.len() > start {
        return None;
    }
    Some(AlertDestination {
        name,
        target: target?,
        url: url?,
        line,
    })
}

fn build_search(
    s: RawSearch,
    line: usize,
    topics: &BTreeSet<String>,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<SavedSearch> {
    let name = s.name.trim().to_string();
    let ctx = format!("[[alerts.searches]] {name:?}");
    let start = problems.len();
    let mut bad = |key: &str, message: String| {
        problems.push(Problem {
            column: None,
            line,
            context: if key.is_empty() {
                ctx.clone()
            } else {
                format!("{ctx} {key}")
            },
            message,
        })
    };
    if name.is_empty() {
        bad("", "name must not be empty".into());
    } else if !names.insert(name.clone()) {
        bad("", "duplicate search name".into());
    }
    if s.query.trim().is_empty() {
        bad("query", "must not be empty".into());
    } else if let Err(e) = crate::search::validate_query(&s.query) {
        bad("query", format!("{:?} is not a valid query: {e}", s.query));
    }
    let topic = s.topic.map(|t| t.trim().to_string());
    if let Some(t) = &topic {
        if !topics.contains(t) {
            bad(
                "topic",
                format!(
                    "{t:?} is not a topic of this file{}",
                    super::did_you_mean(t, topics.iter().map(String::as_str))
                ),
            );
        }
    }
    if problems.len() > start {
        return None;
    }
    Some(SavedSearch {
        name,
        query: s.query.trim().to_string(),
        topic,
        limit: DEFAULT_ALERTS_SEARCH_HITS,
        line,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/etc/horizon/test.toml"), text).map_err(|e| e.to_string())
    }

    const TOPIC: &str =
        "[[topics]]\nname = \"streaming\"\nkeywords = [\"kafka\"]\nsystems = [\"Kafka\"]\n\n";

    #[test]
    fn destinations_and_searches_are_read_with_defaults() {
        let c = parse(&format!(
            "{TOPIC}[alerts]\n\n[[alerts.webhooks]]\nname = \"chat\"\nkind = \"mattermost\"\nurl_env = \"HOOK\"\n\n[[alerts.webhooks]]\nname = \"pager\"\nkind = \"json\"\nurl_file = \"secrets/pager-url\"\nsecret_env = \"PAGER_SECRET\"\n\n[[alerts.searches]]\nname = \"tiered\"\nquery = '\"tiered storage\"'\ntopic = \"streaming\"\n"
        ))
        .unwrap();
        let a = &c.alerts;
        assert_eq!(a.events.len(), 3);
        assert_eq!(a.window, Duration::from_secs(7 * 86_400));
        assert_eq!(a.destinations.len(), 2);
        assert_eq!(
            a.destinations[0].target,
            AlertTarget::Chat(WebhookKind::Mattermost)
        );
        assert_eq!(a.destinations[0].line, 8);
        assert_eq!(
            a.destinations[1].url,
            Secret::File("/etc/horizon/secrets/pager-url".into())
        );
        assert_eq!(
            a.destinations[1].target,
            AlertTarget::Json {
                secret: Secret::Env("PAGER_SECRET".into())
            }
        );
        assert_eq!(a.searches[0].topic.as_deref(), Some("streaming"));
        assert!(parse("").unwrap().alerts.is_empty());
    }

    /// The commented-out block in `sources.toml` and the README's example
    /// are real configs.
    #[test]
    fn shipped_examples_parse() {
        let block = crate::config::shipped::commented_block("# [alerts]");
        let c = parse(&block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        assert_eq!(c.alerts.destinations.len(), 2);
        let section = crate::config::shipped::readme_toml("## Alerts");
        let c = parse(&format!("{TOPIC}{section}")).unwrap_or_else(|e| panic!("{e}\n{section}"));
        assert_eq!(c.alerts.destinations.len(), 2);
        assert_eq!(c.alerts.searches.len(), 1);
    }

    // Guards the config errors of `[alerts]`: file, line and key, all in one run.
    #[test]
    fn bad_alert_keys_name_file_line_and_key() {
        let err = parse(&format!(
            "{TOPIC}[alerts]\nevents = [\"lanch\"]\nwindw = \"7d\"\n\n[[alerts.webhooks]]\nname = \"pager\"\nkind = \"jsn\"\n\n[[alerts.webhooks]]\nname = \"hook\"\nkind = \"json\"\nurl_env = \"U\"\nsecret = \"hunter2\"\n\n[[alerts.webhooks]]\nname = \"chat\"\nkind = \"slack\"\nurl_env = \"U\"\nsecret_env = \"S\"\n\n[[alerts.searches]]\nname = \"s\"\nquery = \"title:(\"\ntopic = \"streamin\"\n"
        ))
        .unwrap_err();
        for want in [
            "/etc/horizon/test.toml:7:11: unknown variant `lanch`",
            "did you mean `launch`?",
            "/etc/horizon/test.toml:8:1: unknown field `windw`",
            "did you mean `window`?",
            "/etc/horizon/test.toml:12:8: unknown variant `jsn`",
            "did you mean `json`?",
            "test.toml:18: [[alerts.webhooks]] \"hook\": secret: a webhook secret is a secret",
            "test.toml:20: [[alerts.webhooks]] \"chat\": a signing secret is only for JSON webhooks",
            "test.toml:26: [[alerts.searches]] \"s\" query:",
            "test.toml:26: [[alerts.searches]] \"s\" topic: \"streamin\" is not a topic of this file; did you mean `streaming`?",
        ] {
            assert!(err.contains(want), "missing {want:?} in\n{err}");
        }
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn a_json_webhook_needs_a_secret_and_searches_need_a_destination() {
        let err = parse("[[alerts.webhooks]]\nname = \"hook\"\nkind = \"json\"\nurl_env = \"U\"\n")
            .unwrap_err();
        assert!(
            err.contains("test.toml:1: [[alerts.webhooks]] \"hook\": needs `secret_env`"),
            "{err}"
        );
        let err = parse(&format!(
            "{TOPIC}[[alerts.searches]]\nname = \"s\"\nquery = \"kafka\"\n"
        ))
        .unwrap_err();
        assert!(
            err.contains("[alerts]: has saved searches but no [[alerts.webhooks]]"),
            "{err}"
        );
    }
}
