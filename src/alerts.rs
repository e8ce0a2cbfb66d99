//! Alerts: what moved, posted right after the crawl that saw it.
//!
//! After each crawl ([`crate::crawl`]) the alerts of the moment are
//! collected ([`collect`]): the landscape events of the team's systems
//! (launch, stage change, retirement, as `horizon flags` shows them) dated
//! within `[alerts] window`, and the stories matching each
//! `[[alerts.searches]]` query filed within it. Each has a stable
//! [`Alert::key`]. [`send_all`] posts to every `[[alerts.webhooks]]`
//! destination the alerts it has not accepted before:
//!
//! - the first time a destination is seen, the alerts of the moment are
//!   recorded as its **baseline** and nothing is sent, so adding a
//!   destination does not flood it with a week of history;
//! - an alert is remembered for a destination ([`AlertMemory`], kept in the
//!   crawl state) only once that destination accepted the message holding it
//!   (a 2xx answer): a failing destination gets it after a later crawl, a
//!   healthy one never twice;
//! - a remembered alert is forgotten once it is older than the window (it
//!   can no longer be collected).
//!
//! Chat destinations get a short message in their dialect (one line per
//! alert with its link, at most [`ALERTS_PER_MESSAGE`] lines a message);
//! `kind = "json"` gets [`JsonBody`], signed like Miniflux's webhooks
//! (<https://miniflux.app/docs/webhooks.html>): the hex HMAC-SHA256 of the
//! raw body under the destination's secret in [`ALERTS_SIGNATURE_HEADER`].
//! Sending reuses [`crate::deliver`]'s secrets, URL rules (https, or http to
//! a loopback host), client and POST. A failure is reported per destination
//! and never changes the crawl's exit status.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::absorb::{EventKind, OfferingStage};
use crate::config::{AlertDestination, AlertSettings, AlertTarget, Config, SavedSearch};
use crate::deliver::{post_json, shown_url, webhook_client, webhook_url, DeliverOptions};
use crate::index::HorizonIndex;
use crate::model::{Kind, Vendor};
use crate::report::render::{md_escape, md_link};
use crate::search::{SearchRequest, SortBy};
use crate::text::{clean_line, terminal_safe, truncate_words};
use crate::{ALERTS_EVENT_HEADER, ALERTS_PER_MESSAGE, ALERTS_SIGNATURE_HEADER};

/// Looks up an environment variable (the process's, or a test's table).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Send + Sync);

/// Characters of a title kept in a chat line.
const TITLE_CHARS: usize = 160;

/// One thing worth telling the team now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Stable across crawls: what destinations remember it by.
    pub key: String,
    /// What it is about.
    #[serde(flatten)]
    pub subject: Subject,
    /// The note's or story's title (one clean line).
    pub title: String,
    /// Its link.
    pub url: String,
    /// The date it is filed under.
    pub date: Timestamp,
    /// The document id.
    pub id: String,
}

/// What an alert is about: a move in the landscape, or a saved search's match.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A launch, stage change or retirement of a watched system's offering.
    Landscape {
        /// What happened.
        event: EventKind,
        /// The topic listing the system.
        topic: String,
        /// The system, as `sources.toml` names it.
        system: String,
        /// The vendor.
        vendor: Vendor,
        /// The offering.
        product: String,
        /// The stage it reached.
        stage: OfferingStage,
    },
    /// A new story matching an `[[alerts.searches]]` query.
    Search {
        /// The search's name.
        search: String,
        /// Its query.
        query: String,
        /// The `[[sources]]` entry of the document.
        source: String,
        /// What the document is.
        kind: Kind,
        /// Its topic tags.
        topics: Vec<String>,
    },
}

impl Alert {
    /// The alert as one Markdown line of a chat message.
    fn markdown(&self) -> String {
        let title = truncate_words(&self.title, TITLE_CHARS);
        let day = crate::absorb::day(self.date);
        match &self.subject {
            Subject::Landscape {
                event,
                system,
                vendor,
                product,
                stage,
                ..
            } => format!(
                "- {} · **{}**: {} — {}",
                event.as_str().replace('_', " "),
                md_escape(system),
                md_link(
                    &format!(
                        "{} → {}",
                        crate::report::vendor_product(*vendor, product),
                        stage.label()
                    ),
                    &self.url
                ),
                md_escape(&format!("{day}, {title}"))
            ),
            Subject::Search { search, source, .. } => format!(
                "- search **{}**: {} — {}",
                md_escape(search),
                md_link(&title, &self.url),
                md_escape(&format!("{source}, {day}"))
            ),
        }
    }
}

/// What each destination accepted, kept in the crawl state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertMemory {
    /// Per destination name.
    #[serde(default)]
    pub destinations: BTreeMap<String, DestinationMemory>,
}

impl AlertMemory {
    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.destinations.is_empty()
    }
}

/// What one destination accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DestinationMemory {
    /// When its baseline was recorded (its first crawl with alerts).
    pub since: Timestamp,
    /// Alert keys accepted or in the baseline, with the alert's date (for
    /// forgetting them once out of the window).
    #[serde(default)]
    pub sent: BTreeMap<String, Timestamp>,
}

/// Why the alerts could not be collected.
#[derive(Debug, thiserror::Error)]
pub enum AlertsError {
    /// The landscape could not be computed.
    #[error("computing the landscape events")]
    Absorb(#[from] crate::absorb::AbsorbError),
    /// The `[[rules]]` could not be compiled.
    #[error("compiling [[rules]]")]
    Rules(#[from] crate::search::QueryError),
}

/// The alerts of the moment.
#[derive(Debug, Default)]
pub struct Collected {
    /// Every alert, oldest first, each key once.
    pub alerts: Vec<Alert>,
    /// Saved searches that failed, with why (the others are collected).
    pub problems: Vec<String>,
}

/// Collect the alerts of the moment from the index as of `now`: the
/// landscape events of `[alerts] events` and the saved searches' stories,
/// dated within `[alerts] window`. Blocking (reads the index).
pub fn collect(idx: &HorizonIndex, cfg: &Config, now: Timestamp) -> Result<Collected, AlertsError> {
    let settings = &cfg.alerts;
    let mut out = Collected::default();
    let mut seen = BTreeSet::new();
    let flags = crate::absorb::compute_flags(idx, cfg, now, settings.window)?;
    for flag in &flags.flags {
        let Some(system) = &flag.system else { continue };
        for e in flag
            .events
            .iter()
            .filter(|e| settings.events.contains(&e.kind))
        {
            let key = format!("landscape/{system}/{}/{}", e.product, e.id);
            if !seen.insert(key.clone()) {
                continue;
            }
            out.alerts.push(Alert {
                key,
                subject: Subject::Landscape {
                    event: e.kind,
                    topic: flag.topic.clone(),
                    system: system.clone(),
                    vendor: e.vendor,
                    product: e.product.clone(),
                    stage: e.stage,
                },
                title: e.title.clone(),
                url: e.url.clone(),
                date: e.date,
                id: e.id.clone(),
            });
        }
    }
    if !settings.searches.is_empty() {
        let rules = crate::rules::RuleSet::compile(idx, &cfg.rules, now)?;
        let synonyms = crate::search::synonym_groups(cfg);
        for s in &settings.searches {
            match search_alerts(idx, s, &rules, &synonyms, since(now, settings.window)) {
                Ok(found) => out
                    .alerts
                    .extend(found.into_iter().filter(|a| seen.insert(a.key.clone()))),
                Err(e) => out
                    .problems
                    .push(format!("saved search {:?}: {e:#}", s.name)),
            }
        }
    }
    out.alerts
        .sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// `now` less `window` (the Unix epoch when that is out of range).
fn since(now: Timestamp, window: Duration) -> Timestamp {
    SignedDuration::try_from(window)
        .ok()
        .and_then(|w| now.checked_sub(w).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One saved search's stories filed since `from`, one alert per story.
fn search_alerts(
    idx: &HorizonIndex,
    s: &SavedSearch,
    rules: &crate::rules::RuleSet,
    synonyms: &[Vec<String>],
    from: Timestamp,
) -> Result<Vec<Alert>, anyhow::Error> {
    let req = SearchRequest {
        query: s.query.clone(),
        topics: s.topic.iter().cloned().collect(),
        since: Some(from),
        sort: SortBy::Date,
        limit: s.limit,
        synonyms: synonyms.to_vec(),
        ..Default::default()
    };
    let hits = crate::search::search_with_rules(idx, &req, rules)?;
    let mut out = Vec::new();
    for hit in hits {
        let item = hit.item;
        let Some(date) = item.date() else { continue };
        let story = item.story.clone().unwrap_or_else(|| item.id.clone());
        out.push(Alert {
            key: format!("search/{}/{story}", s.name),
            subject: Subject::Search {
                search: s.name.clone(),
                query: s.query.clone(),
                source: item.source.clone(),
                kind: item.kind,
                topics: item.topics.clone(),
            },
            title: clean_line(&item.title),
            url: item.url.clone(),
            date,
            id: item.id.clone(),
        });
    }
    Ok(out)
}

/// The body a `kind = "json"` destination gets.
#[derive(Debug, Serialize)]
pub struct JsonBody<'a> {
    /// `alerts`, or `test` for `horizon alerts test` (also in
    /// [`ALERTS_EVENT_HEADER`]).
    pub event_type: &'static str,
    /// When the message was sent.
    pub sent_at: Timestamp,
    /// The horizon version that sent it.
    pub horizon_version: &'static str,
    /// This message's alerts, oldest first.
    pub alerts: &'a [Alert],
}

/// The hex HMAC-SHA256 of `body` under `secret`: the value of
/// [`ALERTS_SIGNATURE_HEADER`].
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length; the error cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The Markdown of one chat message: a heading line and one line per alert.
pub fn chat_markdown(alerts: &[Alert], part: usize, parts: usize) -> String {
    let n = alerts.len();
    let mut head = format!(
        "**horizon**: {n} new alert{}",
        if n == 1 { "" } else { "s" }
    );
    if parts > 1 {
        head.push_str(&format!(" (message {part} of {parts})"));
    }
    let mut md = head;
    for a in alerts {
        md.push('\n');
        md.push_str(&a.markdown());
    }
    md
}

/// What happened at one destination after a crawl.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationReport {
    /// The destination's name.
    pub name: String,
    /// `slack`, `teams`, `mattermost` or `json`.
    pub kind: &'static str,
    /// Scheme, host and port of its URL, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// First crawl for it: this many alerts were recorded, none sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<usize>,
    /// Alerts it accepted.
    pub sent: usize,
    /// Messages it accepted.
    pub messages: usize,
    /// Alerts not sent because of `error`: tried again after the next crawl.
    pub pending: usize,
    /// Why it did not accept them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DestinationReport {
    /// Whether there is anything to say (a baseline, a send or a failure).
    pub fn is_news(&self) -> bool {
        self.baseline.is_some() || self.sent > 0 || self.error.is_some()
    }
}

impl fmt::Display for DestinationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "alert" } else { "alerts" };
        if let Some(n) = self.baseline {
            return write!(
                f,
                "alerts: {} {:?}: first crawl with this destination, {n} current {} recorded as its baseline (not sent)",
                self.kind, self.name, plural(n)
            );
        }
        if let Some(e) = &self.error {
            let at = self
                .endpoint
                .as_deref()
                .map(|e| format!(" at {e}"))
                .unwrap_or_default();
            write!(f, "alerts failed: {} {:?}{at}: {}", self.kind, self.name, e)?;
            if self.sent > 0 {
                write!(
                    f,
                    "; {} {} sent before the failure",
                    self.sent,
                    plural(self.sent)
                )?;
            }
            if self.pending > 0 {
                write!(
                    f,
                    "; {} {} will be sent after the next crawl",
                    self.pending,
                    plural(self.pending)
                )?;
            }
            return Ok(());
        }
        write!(
            f,
            "alerts: sent {} {} to {} {:?}",
            self.sent,
            plural(self.sent),
            self.kind,
            self.name
        )
    }
}

/// The alerts part of a crawl's report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertsReport {
    /// Alerts of the moment (sent now, before, or in a baseline).
    pub current: usize,
    /// Per destination, in config order.
    pub destinations: Vec<DestinationReport>,
    /// What went wrong before any destination was tried (the index could
    /// not be read), and saved searches that failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl AlertsReport {
    /// Destinations that failed.
    pub fn failed(&self) -> usize {
        self.destinations
            .iter()
            .filter(|d| d.error.is_some())
            .count()
    }
}

/// Send `collected` to every destination of `settings`, each the alerts it
/// has not accepted yet (a new destination records them as its baseline),
/// and update `memory`: accepted alerts are added, alerts older than the
/// window and destinations no longer configured are forgotten.
pub async fn send_all(
    settings: &AlertSettings,
    collected: Collected,
    memory: &mut AlertMemory,
    options: &DeliverOptions,
    env: Env<'_>,
    now: Timestamp,
) -> AlertsReport {
    let alerts = collected.alerts;
    let client = webhook_client(options);
    let jobs = settings.destinations.iter().map(|dest| {
        let known = memory.destinations.get(&dest.name);
        let client = client.as_ref();
        let alerts = &alerts;
        async move {
            let Some(known) = known else {
                return (baseline(dest, alerts.len()), alerts.iter().collect());
            };
            let unsent: Vec<&Alert> = alerts
                .iter()
                .filter(|a| !known.sent.contains_key(&a.key))
                .collect();
            match client {
                Ok(c) => send_new(c, dest, &unsent, env, now).await,
                Err(e) => (
                    failed(
                        dest,
                        None,
                        format!("cannot build the HTTP client: {e}"),
                        0,
                        unsent.len(),
                    ),
                    Vec::new(),
                ),
            }
        }
    });
    let results = futures::future::join_all(jobs).await;
    let mut destinations = Vec::new();
    for (report, accepted) in results {
        let entry = memory
            .destinations
            .entry(report.name.clone())
            .or_insert_with(|| DestinationMemory {
                since: now,
                sent: BTreeMap::new(),
            });
        for a in accepted {
            entry.sent.insert(a.key.clone(), a.date);
        }
        destinations.push(report);
    }
    forget(memory, settings, now);
    AlertsReport {
        current: alerts.len(),
        destinations,
        problems: collected.problems,
    }
}

/// Drop what can no longer come back: alerts dated before the window (with a
/// day's margin) and destinations no longer in the config.
fn forget(memory: &mut AlertMemory, settings: &AlertSettings, now: Timestamp) {
    let horizon = since(now, settings.window + Duration::from_secs(86_400));
    memory
        .destinations
        .retain(|name, _| settings.destinations.iter().any(|d| &d.name == name));
    for m in memory.destinations.values_mut() {
        m.sent.retain(|_, date| *date >= horizon);
    }
}

fn baseline(dest: &AlertDestination, n: usize) -> DestinationReport {
    DestinationReport {
        name: dest.name.clone(),
        kind: dest.target.as_str(),
        endpoint: None,
        baseline: Some(n),
        sent: 0,
        messages: 0,
        pending: 0,
        error: None,
    }
}

fn failed(
    dest: &AlertDestination,
    endpoint: Option<String>,
    error: String,
    sent: usize,
    pending: usize,
) -> DestinationReport {
    DestinationReport {
        name: dest.name.clone(),
        kind: dest.target.as_str(),
        endpoint,
        baseline: None,
        sent,
        messages: 0,
        pending,
        error: Some(terminal_safe(&error)),
    }
}

/// Post `unsent` to `dest` in messages of [`ALERTS_PER_MESSAGE`]; stops at
/// the first failure. Returns the report and the alerts accepted.
async fn send_new<'a>(
    client: &reqwest::Client,
    dest: &AlertDestination,
    unsent: &[&'a Alert],
    env: Env<'_>,
    now: Timestamp,
) -> (DestinationReport, Vec<&'a Alert>) {
    let mut report = DestinationReport {
        name: dest.name.clone(),
        kind: dest.target.as_str(),
        endpoint: None,
        baseline: None,
        sent: 0,
        messages: 0,
        pending: 0,
        error: None,
    };
    let mut accepted = Vec::new();
    if unsent.is_empty() {
        return (report, accepted);
    }
    let parts = unsent.len().div_ceil(ALERTS_PER_MESSAGE);
    for (i, chunk) in unsent.chunks(ALERTS_PER_MESSAGE).enumerate() {
        let owned: Vec<Alert> = chunk.iter().map(|a| (*a).clone()).collect();
        match post(client, dest, "alerts", &owned, i + 1, parts, env, now).await {
            Ok(endpoint) => {
                report.endpoint = Some(endpoint);
                report.sent += chunk.len();
                report.messages += 1;
                accepted.extend_from_slice(chunk);
            }
            Err((endpoint, e)) => {
                let sent = report.sent;
                let mut r = failed(dest, endpoint, e, sent, unsent.len() - sent);
                r.messages = report.messages;
                return (r, accepted);
            }
        }
    }
    (report, accepted)
}

/// POST one message; `Ok(endpoint)` when accepted, else the endpoint (once
/// known) and why not.
#[allow(clippy::too_many_arguments)]
async fn post(
    client: &reqwest::Client,
    dest: &AlertDestination,
    event_type: &'static str,
    alerts: &[Alert],
    part: usize,
    parts: usize,
    env: Env<'_>,
    now: Timestamp,
) -> Result<String, (Option<String>, String)> {
    let url = dest
        .url
        .resolve(env)
        .and_then(|u| webhook_url(&u))
        .map_err(|e| (None, e.to_string()))?;
    let endpoint = shown_url(&url);
    let (body, headers) = match &dest.target {
        AlertTarget::Chat(kind) => {
            let md = chat_markdown(alerts, part, parts);
            let lines: Vec<&str> = md.lines().collect();
            (kind.payload(&lines, None).to_string(), Vec::new())
        }
        AlertTarget::Json { secret } => {
            let secret = secret
                .resolve(env)
                .map_err(|e| (Some(endpoint.clone()), e.to_string()))?;
            let body = serde_json::to_string(&JsonBody {
                event_type,
                sent_at: now,
                horizon_version: env!("CARGO_PKG_VERSION"),
                alerts,
            })
            .map_err(|e| {
                (
                    Some(endpoint.clone()),
                    format!("cannot write the JSON: {e}"),
                )
            })?;
            let signed = signature(secret.as_bytes(), body.as_bytes());
            let headers = vec![
                (ALERTS_SIGNATURE_HEADER, signed),
                (ALERTS_EVENT_HEADER, event_type.to_string()),
            ];
            (body, headers)
        }
    };
    post_json(client, url, body, &headers)
        .await
        .map(|_| endpoint.clone())
        .map_err(|e| (Some(endpoint), e.to_string()))
}

/// The alert `horizon alerts test` sends: a sample launch, marked as a test.
pub fn test_alert(now: Timestamp) -> Alert {
    Alert {
        key: "test".into(),
        subject: Subject::Landscape {
            event: EventKind::Launch,
            topic: "test".into(),
            system: "horizon test".into(),
            vendor: Vendor::Aws,
            product: "Example Service".into(),
            stage: OfferingStage::Ga,
        },
        title: "Test alert from horizon: this destination works".into(),
        url: crate::PROJECT_URL.into(),
        date: now,
        id: "test".into(),
    }
}

/// Send [`test_alert`] to each destination of `settings` named in `only`
/// (every one when empty), as event type `test`; nothing is remembered.
pub async fn send_test(
    settings: &AlertSettings,
    only: &[String],
    options: &DeliverOptions,
    env: Env<'_>,
    now: Timestamp,
) -> Vec<DestinationReport> {
    let alert = [test_alert(now)];
    let client = webhook_client(options);
    let jobs = settings
        .destinations
        .iter()
        .filter(|d| only.is_empty() || only.contains(&d.name))
        .map(|dest| {
            let client = client.as_ref();
            let alert = &alert;
            async move {
                let result = match client {
                    Ok(c) => post(c, dest, "test", alert, 1, 1, env, now).await,
                    Err(e) => Err((None, format!("cannot build the HTTP client: {e}"))),
                };
                match result {
                    Ok(endpoint) => DestinationReport {
                        name: dest.name.clone(),
                        kind: dest.target.as_str(),
                        endpoint: Some(endpoint),
                        baseline: None,
                        sent: 1,
                        messages: 1,
                        pending: 0,
                        error: None,
                    },
                    Err((endpoint, e)) => failed(dest, endpoint, e, 0, 0),
                }
            }
        });
    futures::future::join_all(jobs).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::{Secret, WebhookKind};

    fn launch(title: &str) -> Alert {
        let mut a = test_alert("2026-11-24T18:00:00Z".parse().unwrap());
        a.key = format!("landscape/Kafka/{title}");
        a.title = title.into();
        a.url = "https://aws.example/msk?a=1&b=2".into();
        a.subject = Subject::Landscape {
            event: EventKind::StageChange,
            topic: "streaming".into(),
            system: "Kafka".into(),
            vendor: Vendor::Aws,
            product: "Amazon MSK Express".into(),
            stage: OfferingStage::Ga,
        };
        a
    }

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    // Feed text must not form Markdown links or mentions in a chat line.
    #[test]
    fn a_chat_line_is_short_escaped_and_linked() {
        let md = chat_markdown(&[launch("MSK *Express* [now] GA")], 1, 1);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "**horizon**: 1 new alert");
        assert_eq!(
            lines[1],
            "- stage change · **Kafka**: [Amazon MSK Express → GA](https://aws.example/msk?a=1&b=2) — 2026-11-24, MSK \\*Express\\* \\[now\\] GA"
        );
        let slack = WebhookKind::Slack.payload(&lines, None);
        let text = slack["text"].as_str().unwrap();
        assert!(
            text.contains("<https://aws.example/msk?a=1&amp;b=2|Amazon MSK Express → GA>"),
            "{text}"
        );
        assert!(chat_markdown(&[launch("a"), launch("b")], 2, 3)
            .starts_with("**horizon**: 2 new alerts (message 2 of 3)"));
    }

    #[test]
    fn the_json_body_names_every_field() {
        let alerts = [launch("x")];
        let body = serde_json::to_value(JsonBody {
            event_type: "alerts",
            sent_at: "2026-11-25T00:00:00Z".parse().unwrap(),
            horizon_version: "0",
            alerts: &alerts,
        })
        .unwrap();
        let a = &body["alerts"][0];
        for (k, v) in [
            ("type", "landscape"),
            ("event", "stage_change"),
            ("topic", "streaming"),
            ("system", "Kafka"),
            ("vendor", "aws"),
            ("product", "Amazon MSK Express"),
            ("stage", "ga"),
            ("date", "2026-11-24T18:00:00Z"),
        ] {
            assert_eq!(a[k], v, "{k}: {a}");
        }
        assert_eq!(body["event_type"], "alerts");
    }

    #[test]
    fn memory_forgets_old_alerts_and_removed_destinations() {
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let settings = AlertSettings {
            destinations: vec![AlertDestination {
                name: "kept".into(),
                target: AlertTarget::Chat(WebhookKind::Slack),
                url: Secret::Env("X".into()),
                line: 1,
            }],
            ..Default::default()
        };
        let mem = |dates: &[&str]| DestinationMemory {
            since: now,
            sent: dates
                .iter()
                .map(|d| (d.to_string(), d.parse().unwrap()))
                .collect(),
        };
        let mut m = AlertMemory {
            destinations: BTreeMap::from([
                (
                    "kept".to_string(),
                    mem(&["2026-11-20T00:00:00Z", "2026-11-29T00:00:00Z"]),
                ),
                ("gone".to_string(), mem(&["2026-11-29T00:00:00Z"])),
            ]),
        };
        forget(&mut m, &settings, now);
        assert_eq!(m.destinations.len(), 1);
        let kept: Vec<&String> = m.destinations["kept"].sent.keys().collect();
        assert_eq!(kept, ["2026-11-29T00:00:00Z"]);
    }
}
