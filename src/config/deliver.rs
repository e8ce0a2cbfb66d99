//! `[report.deliver]`: the chat webhooks and the mail destination of
//! `horizon report --deliver`, parsed and validated like the rest of the file.
//!
//! Secrets never live in the config file: a webhook URL is read from the
//! environment variable named by `url_env` or the file named by `url_file`,
//! an SMTP password from `password_env` or `password_file`. An inline `url` or
//! `password` is refused with the line it is on, so a checked-in
//! `sources.toml` cannot leak one. The secrets themselves are read only when
//! the report is delivered ([`crate::deliver`]), so `horizon crawl` does not
//! need them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::{line_col, Problem};
use crate::{
    DEFAULT_MAIL_SUBJECT, DEFAULT_MATTERMOST_MAX_CHARS, DEFAULT_SLACK_MAX_CHARS,
    DEFAULT_TEAMS_MAX_BYTES,
};

/// The placeholder `subject` and `report_url` may hold.
pub const PERIOD_PLACEHOLDER: &str = "{period}";

/// Which chat service a webhook belongs to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum WebhookKind {
    /// Slack incoming webhook.
    Slack,
    /// Microsoft Teams Workflows (or Office 365 connector) webhook.
    Teams,
    /// Mattermost incoming webhook.
    Mattermost,
}

impl WebhookKind {
    /// The name used in `sources.toml` and in the delivery lines.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The service's name in prose.
    pub(crate) fn title(self) -> &'static str {
        match self {
            WebhookKind::Slack => "Slack",
            WebhookKind::Teams => "Microsoft Teams",
            WebhookKind::Mattermost => "Mattermost",
        }
    }

    /// The service's size limit, in [`WebhookKind::limit_unit`].
    pub fn default_limit(self) -> usize {
        match self {
            WebhookKind::Slack => DEFAULT_SLACK_MAX_CHARS,
            WebhookKind::Teams => DEFAULT_TEAMS_MAX_BYTES,
            WebhookKind::Mattermost => DEFAULT_MATTERMOST_MAX_CHARS,
        }
    }

    /// What the limit counts.
    pub fn limit_unit(self) -> &'static str {
        match self {
            WebhookKind::Slack | WebhookKind::Mattermost => "characters",
            WebhookKind::Teams => "bytes of JSON payload",
        }
    }

    /// An environment variable name for the docs and messages.
    pub fn example_env(self) -> &'static str {
        match self {
            WebhookKind::Slack => "HORIZON_SLACK_WEBHOOK",
            WebhookKind::Teams => "HORIZON_TEAMS_WEBHOOK",
            WebhookKind::Mattermost => "HORIZON_MATTERMOST_WEBHOOK",
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTls {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only allowed for a loopback host (port 25).
    None,
}

impl MailTls {
    /// The port used when `port` is not set.
    pub fn default_port(self) -> u16 {
        match self {
            MailTls::Starttls => 587,
            MailTls::Tls => 465,
            MailTls::None => 25,
        }
    }
}

/// Where a secret is read from at delivery time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// An environment variable.
    Env(String),
    /// A file (resolved against the config file's folder); surrounding
    /// whitespace and the final newline are ignored.
    File(PathBuf),
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Env(var) => write!(f, "environment variable {var}"),
            Secret::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeliver {
    #[serde(default)]
    report_url: Option<Spanned<String>>,
    #[serde(default)]
    webhooks: Vec<Spanned<RawWebhook>>,
    #[serde(default)]
    mail: Option<Spanned<RawMail>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    name: String,
    kind: WebhookKind,
    #[serde(default)]
    url_env: Option<String>,
    #[serde(default)]
    url_file: Option<PathBuf>,
    /// Refused with a message: only here so the message can name its line.
    #[serde(default)]
    url: Option<Spanned<toml::Value>>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    full: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    #[serde(default)]
    name: Option<String>,
    host: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    tls: MailTls,
    from: String,
    to: Vec<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    username_env: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
    #[serde(default)]
    password_file: Option<PathBuf>,
    /// Refused with a message: only here so the message can name its line.
    #[serde(default)]
    password: Option<Spanned<toml::Value>>,
    #[serde(default)]
    subject: Option<String>,
}

/// `[report.deliver]`, validated.
#[derive(Debug, Clone, Default)]
pub struct DeliverSettings {
    /// Where readers find the full report, with `{period}` replaced by the
    /// period's label; linked at the end of every chat digest and in a chat
    /// message that had to be cut. `None`: the saved file's path is named
    /// instead.
    pub report_url: Option<String>,
    /// `[[report.deliver.webhooks]]`, in file order.
    pub webhooks: Vec<WebhookDestination>,
    /// `[report.deliver.mail]`.
    pub mail: Option<MailDestination>,
}

impl DeliverSettings {
    /// Whether no destination is configured.
    pub fn is_empty(&self) -> bool {
        self.webhooks.is_empty() && self.mail.is_none()
    }
}

/// `[[report.deliver.webhooks]]`: one chat incoming webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDestination {
    /// Unique name among the destinations, shown in the delivery lines.
    pub name: String,
    /// Which service, hence which payload, dialect and size limit.
    pub kind: WebhookKind,
    /// Where the webhook URL is read from when delivering.
    pub url: Secret,
    /// The size limit in the kind's unit ([`WebhookKind::limit_unit`]),
    /// when not the default (the digest's 4,000 characters for Slack and
    /// Mattermost, the service's limit otherwise).
    pub limit: Option<usize>,
    /// `full = true`: the full report's Markdown instead of the digest.
    pub full: bool,
    /// Line of the table.
    pub line: usize,
}

/// `[report.deliver.mail]`: the HTML report by SMTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailDestination {
    /// Name shown in the delivery lines (`mail` unless set).
    pub name: String,
    /// SMTP server.
    pub host: String,
    /// SMTP port (default by `tls`: 587, 465 or 25).
    pub port: u16,
    /// How the connection is secured.
    pub tls: MailTls,
    /// The sender.
    pub from: Mailbox,
    /// The recipients.
    pub to: Vec<Mailbox>,
    /// Login name, inline or from the environment.
    pub username: Option<Username>,
    /// Where the password is read from when delivering.
    pub password: Option<Secret>,
    /// Subject, `{period}` replaced by the period's label.
    pub subject: String,
    /// Line of the table.
    pub line: usize,
}

/// An SMTP login name: not a secret, so it may be written inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Username {
    /// Written in the config.
    Inline(String),
    /// Read from this environment variable.
    Env(String),
}

/// Validate `[report.deliver]`; problems are added to `problems`.
pub(super) fn build_deliver(
    path: &Path,
    text: &str,
    raw: RawDeliver,
    problems: &mut Vec<Problem>,
) -> DeliverSettings {
    let mut names = BTreeSet::new();
    let report_url = raw.report_url.and_then(|u| {
        let line = line_col(text, u.span().start).0;
        check_report_url(u.into_inner(), line, problems)
    });
    let webhooks = raw
        .webhooks
        .into_iter()
        .filter_map(|w| {
            let line = line_col(text, w.span().start).0;
            build_webhook(path, text, w.into_inner(), line, &mut names, problems)
        })
        .collect();
    let mail = raw.mail.and_then(|m| {
        let line = line_col(text, m.span().start).0;
        build_mail(path, text, m.into_inner(), line, &mut names, problems)
    });
    DeliverSettings {
        report_url,
        webhooks,
        mail,
    }
}

fn check_report_url(url: String, line: usize, problems: &mut Vec<Problem>) -> Option<String> {
    let sample = url.replace(PERIOD_PLACEHOLDER, "2026-W48");
    let mut bad = |message: String| {
        problems.push(Problem {
            column: None,
            line,
            context: "[report.deliver] report_url".into(),
            message,
        })
    };
    match Url::parse(sample.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => {
            bad(format!("{url:?} must be an http or https URL"));
            return None;
        }
    }
    if let Some(p) = unknown_placeholder(&url) {
        bad(format!(
            "unknown placeholder {p}: only {PERIOD_PLACEHOLDER} is replaced"
        ));
        return None;
    }
    Some(url.trim().to_string())
}

/// The first `{…}` in `s` other than `{period}`.
fn unknown_placeholder(s: &str) -> Option<String> {
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let tail = &rest[start..];
        let end = tail.find('}').map(|e| e + 1).unwrap_or(tail.len());
        let token = &tail[..end];
        if token != PERIOD_PLACEHOLDER {
            return Some(token.to_string());
        }
        rest = &tail[end..];
    }
    None
}

/// A unique destination name, or a problem.
pub(super) fn claim_name(name: &str, names: &mut BTreeSet<String>) -> Option<String> {
    if name.is_empty() {
        Some("name must not be empty".into())
    } else if !names.insert(name.to_string()) {
        Some("duplicate destination name (webhooks and mail share one namespace)".into())
    } else {
        None
    }
}

/// `path` resolved against the config file's folder.
fn beside_config(config: &Path, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        return path;
    }
    config.parent().map(|d| d.join(&path)).unwrap_or(path)
}

/// `key_env` or `key_file`: exactly one, as a [`Secret`].
pub(super) fn secret_source(
    config: &Path,
    key: &str,
    env: Option<String>,
    file: Option<PathBuf>,
    required: bool,
    bad: &mut dyn FnMut(String),
) -> Option<Secret> {
    match (env, file) {
        (Some(_), Some(_)) => {
            bad(format!("set either `{key}_env` or `{key}_file`, not both"));
            None
        }
        (Some(var), None) => {
            if var.trim().is_empty() || var.contains(['=', '\0']) {
                bad(format!(
                    "`{key}_env` {var:?} must name an environment variable"
                ));
                None
            } else {
                Some(Secret::Env(var.trim().to_string()))
            }
        }
        (None, Some(file)) => {
            if file.as_os_str().is_empty() {
                bad(format!("`{key}_file` must name a file"));
                None
            } else {
                Some(Secret::File(beside_config(config, file)))
            }
        }
        (None, None) => {
            if required {
                bad(format!(
                    "needs `{key}_env` (an environment variable) or `{key}_file` (a file) holding the {key}"
                ));
            }
            None
        }
    }
}

fn build_webhook(
    path: &Path,
    text: &str,
    w: RawWebhook,
    line: usize,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<WebhookDestination> {
    let name = w.name.trim().to_string();
    let ctx = format!("[[report.deliver.webhooks]] {name:?}");
    let start = problems.len();
    if let Some(inline) = &w.url {
        problems.push(Problem {
            column: None,
            line: line_col(text, inline.span().start).0,
            context: format!("{ctx}: url"),
            message: format!(
                "a webhook URL is a secret and is not read from the config file; put it in an \
                 environment variable named by `url_env` (e.g. url_env = \"{}\") or in a file \
                 named by `url_file`",
                w.kind.example_env()
            ),
        });
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
    if let Some(limit) = w.limit {
        if limit < 1_000 {
            bad(format!(
                "limit {limit} is too small to hold a report (at least 1000 {})",
                w.kind.limit_unit()
            ));
        }
    }
    let url = secret_source(
        path,
        "url",
        w.url_env,
        w.url_file,
        w.url.is_none(),
        &mut bad,
    );
    if problems.len() > start {
        return None;
    }
    Some(WebhookDestination {
        name,
        kind: w.kind,
        url: url?,
        limit: w.limit,
        full: w.full,
        line,
    })
}

fn build_mail(
    path: &Path,
    text: &str,
    m: RawMail,
    line: usize,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<MailDestination> {
    let name = m.name.as_deref().unwrap_or("mail").trim().to_string();
    let ctx = "[report.deliver.mail]".to_string();
    let start = problems.len();
    if let Some(inline) = &m.password {
        problems.push(Problem {
            column: None,
            line: line_col(text, inline.span().start).0,
            context: format!("{ctx} password"),
            message: "a password is a secret and is not read from the config file; put it in an \
                      environment variable named by `password_env` or in a file named by \
                      `password_file`"
                .into(),
        });
    }
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
    if let Some(message) = claim_name(&name, names) {
        bad("name", message);
    }
    let host = m.host.trim().to_string();
    check_server(&m, &host, &mut bad);
    let from = match m.from.trim().parse::<Mailbox>() {
        Ok(mb) => Some(mb),
        Err(e) => {
            bad("from", format!("{:?} is not a mail address: {e}", m.from));
            None
        }
    };
    if m.to.is_empty() {
        bad("to", "needs at least one recipient".into());
    }
    let mut to = Vec::new();
    for addr in &m.to {
        match addr.trim().parse::<Mailbox>() {
            Ok(mb) => to.push(mb),
            Err(e) => bad("to", format!("{addr:?} is not a mail address: {e}")),
        }
    }
    let username = mail_username(m.username, m.username_env, &mut bad);
    let mut bad_secret = |message: String| bad("", message);
    let password = secret_source(
        path,
        "password",
        m.password_env,
        m.password_file,
        false,
        &mut bad_secret,
    );
    if username.is_some() != (password.is_some() || m.password.is_some()) {
        bad(
            "",
            "SMTP login needs both a username (`username` or `username_env`) and a password \
             (`password_env` or `password_file`)"
                .into(),
        );
    }
    let subject = m
        .subject
        .unwrap_or_else(|| DEFAULT_MAIL_SUBJECT.to_string());
    check_subject(&subject, &mut bad);
    if problems.len() > start {
        return None;
    }
    Some(MailDestination {
        name,
        port: m.port.unwrap_or(m.tls.default_port()),
        host,
        tls: m.tls,
        from: from?,
        to,
        username,
        password,
        subject,
        line,
    })
}

/// `username` or `username_env`, not both.
fn mail_username(
    inline: Option<String>,
    env: Option<String>,
    bad: &mut impl FnMut(&str, String),
) -> Option<Username> {
    match (inline, env) {
        (Some(_), Some(_)) => {
            bad(
                "",
                "set either `username` or `username_env`, not both".into(),
            );
            None
        }
        (Some(u), None) => Some(Username::Inline(u)),
        (None, Some(var)) => Some(Username::Env(var)),
        (None, None) => None,
    }
}

/// The mail server's host, TLS mode and port.
fn check_server(m: &RawMail, host: &str, bad: &mut impl FnMut(&str, String)) {
    if host.is_empty() || host.contains(|c: char| c == '/' || c.is_whitespace()) {
        bad(
            "host",
            format!("{:?} must be a host name or address", m.host),
        );
    }
    if m.tls == MailTls::None && !is_loopback_host(host) {
        bad(
            "tls",
            format!(
                "\"none\" sends the report and any password in clear text; it is only allowed \
                 for a loopback host (localhost, 127.0.0.1, ::1), not {host:?}: use \"starttls\" or \"tls\""
            ),
        );
    }
    if m.port == Some(0) {
        bad("port", "must be between 1 and 65535".into());
    }
}

/// The subject: one non-empty line with only known placeholders.
fn check_subject(subject: &str, bad: &mut impl FnMut(&str, String)) {
    if subject.trim().is_empty() || subject.contains(['\r', '\n']) {
        bad("subject", "must be one non-empty line".into());
    } else if let Some(p) = unknown_placeholder(subject) {
        bad(
            "subject",
            format!("unknown placeholder {p}: only {PERIOD_PLACEHOLDER} is replaced"),
        );
    }
}

/// `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/etc/horizon/test.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn destinations_get_defaults_and_resolved_paths() {
        let c = parse(
            r#"
[report.deliver]
report_url = "https://horizon.example/reports/{period}.html"

[[report.deliver.webhooks]]
name = "team-chat"
kind = "slack"
url_env = "HORIZON_SLACK_WEBHOOK"

[[report.deliver.webhooks]]
name = "infra"
kind = "teams"
url_file = "secrets/teams-webhook"
limit = 20000

[report.deliver.mail]
host = "smtp.example.org"
from = "horizon <horizon@example.org>"
to = ["infra@example.org"]
username = "horizon"
password_env = "HORIZON_SMTP_PASSWORD"
"#,
        )
        .unwrap();
        let d = &c.deliver;
        assert_eq!(d.webhooks.len(), 2);
        assert_eq!(d.webhooks[0].kind, WebhookKind::Slack);
        assert_eq!(d.webhooks[0].line, 5);
        assert_eq!(
            d.webhooks[1].url,
            Secret::File(PathBuf::from("/etc/horizon/secrets/teams-webhook"))
        );
        let mail = d.mail.as_ref().unwrap();
        assert_eq!(mail.name, "mail");
        assert_eq!(mail.port, 587);
        assert_eq!(mail.tls, MailTls::Starttls);
        assert_eq!(mail.subject, DEFAULT_MAIL_SUBJECT);
        assert_eq!(mail.to[0].email.to_string(), "infra@example.org");
        assert!(c.report.items_per_section > 0);
    }

    /// The commented-out block in `sources.toml` and the README's example
    /// are real configs.
    #[test]
    fn shipped_examples_parse() {
        let block = crate::config::shipped::commented_block("# [report.deliver]");
        let c = parse(&block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        assert_eq!(c.deliver.webhooks.len(), 1);
        assert!(c.deliver.mail.is_some());
        let section = crate::config::shipped::readme_toml("## Delivering the report");
        let c = parse(&section).unwrap_or_else(|e| panic!("{e}\n{section}"));
        assert_eq!(c.deliver.webhooks.len(), 3);
        assert_eq!(c.deliver.mail.unwrap().name, "oncall");
    }

    #[test]
    fn no_deliver_section_means_no_destinations() {
        assert!(parse("").unwrap().deliver.is_empty());
    }

    #[test]
    fn inline_webhook_url_is_refused_on_its_own_line() {
        let err = parse(
            "[[report.deliver.webhooks]]\nname = \"chat\"\nkind = \"mattermost\"\nurl = \"https://chat.example/hooks/abc\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains(
                "test.toml:4: [[report.deliver.webhooks]] \"chat\": url: a webhook URL is a secret"
            ),
            "{err}"
        );
        assert!(err.contains("url_env"), "{err}");
        assert!(!err.contains("needs `url_env`"), "{err}");
    }

    #[test]
    fn inline_password_is_refused_on_its_own_line() {
        let err = parse(
            "[report.deliver.mail]\nhost = \"smtp.example.org\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\nusername = \"a\"\npassword = \"hunter2\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("test.toml:6: [report.deliver.mail] password: a password is a secret"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn every_webhook_problem_is_named_with_its_line() {
        let err = parse(
            r#"
[[report.deliver.webhooks]]
name = "chat"
kind = "slack"

[[report.deliver.webhooks]]
name = "chat"
kind = "teams"
url_env = "A"
url_file = "b"
limit = 10
"#,
        )
        .unwrap_err();
        assert!(
            err.contains("test.toml:2: [[report.deliver.webhooks]] \"chat\": needs `url_env`"),
            "{err}"
        );
        assert!(
            err.contains(
                "test.toml:6: [[report.deliver.webhooks]] \"chat\": duplicate destination name"
            ),
            "{err}"
        );
        assert!(err.contains("not both"), "{err}");
        assert!(err.contains("limit 10 is too small"), "{err}");
        assert!(err.contains("4 problems"), "{err}");
    }

    #[test]
    fn unknown_kind_and_keys_are_refused_with_line_and_column() {
        let err =
            parse("[[report.deliver.webhooks]]\nname = \"a\"\nkind = \"discord\"\n").unwrap_err();
        assert!(err.starts_with("/etc/horizon/test.toml:3:"), "{err}");
        assert!(
            err.contains("discord") && err.contains("mattermost"),
            "{err}"
        );
        let err = parse(
            "[[report.deliver.webhooks]]\nname = \"a\"\nkind = \"slack\"\nurl_envv = \"X\"\n",
        )
        .unwrap_err();
        assert!(err.contains("test.toml:4:"), "{err}");
        assert!(err.contains("did you mean `url_env`?"), "{err}");
        let err = parse("[report.deliver]\nwebhook = []\n").unwrap_err();
        assert!(
            err.contains("test.toml:2:") && err.contains("webhook"),
            "{err}"
        );
    }

    #[test]
    fn mail_problems_are_named_by_key() {
        let err = parse(
            r#"
[report.deliver.mail]
host = "smtp.example.org"
tls = "none"
from = "not an address"
to = []
username = "horizon"
subject = "report {week}"
"#,
        )
        .unwrap_err();
        for want in [
            "test.toml:2: [report.deliver.mail] tls: \"none\" sends the report",
            "test.toml:2: [report.deliver.mail] from: \"not an address\" is not a mail address",
            "test.toml:2: [report.deliver.mail] to: needs at least one recipient",
            "test.toml:2: [report.deliver.mail]: SMTP login needs both",
            "test.toml:2: [report.deliver.mail] subject: unknown placeholder {week}",
        ] {
            assert!(err.contains(want), "missing {want:?} in\n{err}");
        }
    }

    #[test]
    fn clear_text_smtp_is_allowed_on_loopback_only() {
        let ok = parse(
            "[report.deliver.mail]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n",
        )
        .unwrap();
        assert_eq!(ok.deliver.mail.unwrap().port, 2525);
        for host in ["localhost", "127.0.0.1", "[::1]", "::1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["smtp.example.org", "10.0.0.1", "localhost.example.org"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn report_url_must_be_http_with_known_placeholders() {
        let err = parse("[report.deliver]\nreport_url = \"file:///srv/{period}\"\n").unwrap_err();
        assert!(
            err.contains("test.toml:2: [report.deliver] report_url: \"file:///srv/{period}\" must be an http"),
            "{err}"
        );
        let err =
            parse("[report.deliver]\nreport_url = \"https://x.example/{when}\"\n").unwrap_err();
        assert!(err.contains("unknown placeholder {when}"), "{err}");
    }
}
