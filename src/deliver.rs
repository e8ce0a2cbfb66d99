//! Delivery of a built report: a digest to chat incoming webhooks (Slack,
//! Microsoft Teams, Mattermost), the full report as HTML with a plain-text
//! part by SMTP.
//!
//! Chat gets the digest (`report/render/digest.rs`: the headline, what moved
//! in the landscape, the top reads, a link to the full report), at most
//! [`DEFAULT_DIGEST_MAX_CHARS`] characters of text unless the destination's
//! `limit` says otherwise, and always within the service's own limit; whole
//! lines are left out of its lists until it fits. A destination with
//! `full = true` gets the full report's Markdown instead, cut at a line at
//! the service's limit.
//!
//! Each service gets its own payload, dialect and size limit:
//!
//! - **Slack** (<https://api.slack.com/messaging/webhooks>): `{"text": …}` in
//!   Slack's mrkdwn (<https://api.slack.com/reference/surfaces/formatting>):
//!   `*bold*`, `<url|text>` links, no headings or tables, and `&`, `<`, `>`
//!   escaped as HTML entities, which also keeps feed text from forming
//!   `<!channel>` mentions. Slack truncates text past 40,000 characters
//!   (<https://api.slack.com/changelog/2018-04-truncating-really-long-messages>).
//! - **Microsoft Teams** (Workflows "When a Teams webhook request is received",
//!   <https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook>,
//!   and the retiring Office 365 connector, which takes the same card,
//!   <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using>):
//!   a `message` with one Adaptive Card attachment whose `TextBlock`s carry
//!   the Markdown subset Teams renders (bold, italic, lists, links; no
//!   headings or tables, <https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format>).
//!   Messages over about 28 KB are refused ("The message size limit is
//!   28 KB", <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook>).
//! - **Mattermost** (<https://developers.mattermost.com/integrate/webhooks/incoming/>):
//!   `{"text": …}` in GitHub-flavoured Markdown, tables included; a post holds
//!   16,383 characters since Mattermost 5.0 (4,000 before, or without its
//!   optional database migration, <https://docs.mattermost.com/install/self-managed-changelog.html> 5.0). `@channel`, `@all` and `@here`
//!   from feed text are defused with a zero-width space.
//!
//! A report over a destination's limit is cut at a line boundary below it and
//! ends with a line saying so and where the full report is. Webhook URLs and
//! passwords are secrets ([`Secret`]): read from the environment or a file at
//! delivery time, never printed (a URL is shown as scheme and host only).
//! Every destination is tried; each gets an [`Outcome`].

use std::fmt;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::{json, Value};
use url::Url;

use crate::config::{
    is_loopback_host, DeliverSettings, MailDestination, Username, WebhookDestination,
    PERIOD_PLACEHOLDER,
};
pub use crate::config::{MailTls, Secret, WebhookKind};
pub use crate::report::FullReport;
use crate::report::Report;
use crate::text::terminal_safe;
use crate::DEFAULT_DIGEST_MAX_CHARS;

impl WebhookKind {
    /// The payload for these Markdown lines, with `note` as the last line.
    pub(crate) fn payload(self, lines: &[&str], note: Option<&str>) -> Value {
        let mut md = lines.join("\n");
        if let Some(note) = note {
            md.push_str("\n\n");
            md.push_str(note);
        }
        match self {
            WebhookKind::Slack => json!({
                "text": slack_mrkdwn(&md),
                "unfurl_links": false,
                "unfurl_media": false,
            }),
            WebhookKind::Mattermost => json!({ "text": defuse_mentions(&md) }),
            WebhookKind::Teams => teams_message(&md),
        }
    }

    /// Characters of message text in the payload (for Teams, of the card's
    /// text blocks, one more for each break between them).
    fn text_chars(self, payload: &Value) -> usize {
        match self {
            WebhookKind::Slack | WebhookKind::Mattermost => self.measure(payload),
            WebhookKind::Teams => payload
                .pointer("/attachments/0/content/body")
                .and_then(Value::as_array)
                .map_or(0, |blocks| {
                    blocks
                        .iter()
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .map(|t| t.chars().count() + 1)
                        .sum::<usize>()
                        .saturating_sub(1)
                }),
        }
    }

    /// The limits a digest is held to: the service's, in
    /// [`WebhookKind::limit_unit`], and the digest's characters of text.
    /// `limit` (the destination's `limit`) replaces the digest's characters
    /// for Slack and Mattermost, and the payload's bytes for Teams.
    fn digest_limits(self, limit: Option<usize>) -> (usize, usize) {
        match self {
            WebhookKind::Slack | WebhookKind::Mattermost => {
                let chars = limit.unwrap_or(DEFAULT_DIGEST_MAX_CHARS);
                (chars, chars)
            }
            WebhookKind::Teams => (
                limit.unwrap_or(self.default_limit()),
                DEFAULT_DIGEST_MAX_CHARS,
            ),
        }
    }

    /// The payload's size in [`WebhookKind::limit_unit`].
    fn measure(self, payload: &Value) -> usize {
        match self {
            WebhookKind::Slack | WebhookKind::Mattermost => payload
                .get("text")
                .and_then(Value::as_str)
                .map_or(0, |t| t.chars().count()),
            WebhookKind::Teams => payload.to_string().len(),
        }
    }
}

impl Secret {
    /// The secret's value; `env` looks up environment variables.
    pub fn resolve(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<String, DeliverError> {
        let value = match self {
            Secret::Env(var) => env(var).ok_or_else(|| {
                DeliverError::secret(format!("environment variable {var} is not set"))
            })?,
            Secret::File(path) => {
                std::fs::read_to_string(path).map_err(|e| DeliverError::Secret {
                    message: format!("cannot read {}: {e}", path.display()),
                    cause: Some(Box::new(e)),
                })?
            }
        };
        let value = value.trim().to_string();
        if value.is_empty() {
            return Err(DeliverError::secret(format!("{self} is empty")));
        }
        Ok(value)
    }
}

/// Why one destination did not get the report.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// The URL or password could not be read.
    #[error("{message}")]
    Secret {
        /// What could not be read, and why.
        message: String,
        /// The I/O error, when there was one.
        #[source]
        cause: Option<Cause>,
    },
    /// The webhook URL is not one horizon will post to.
    #[error("the webhook URL {0}")]
    Url(String),
    /// The webhook answered with an error status.
    #[error("HTTP {status}{}", first_line.as_deref().map(|l| format!(": {l}")).unwrap_or_default())]
    Status {
        /// Status code and reason.
        status: String,
        /// The first non-empty line of the body.
        first_line: Option<String>,
    },
    /// The webhook request did not complete.
    #[error("{message}")]
    Request {
        /// The error and its causes on one line (what the outcome shows).
        message: String,
        /// reqwest's error, when there was one.
        #[source]
        cause: Option<Cause>,
    },
    /// The mail could not be built or sent.
    #[error("{message}")]
    Mail {
        /// The error and its causes on one line (what the outcome shows).
        message: String,
        /// lettre's error, when there was one.
        #[source]
        cause: Option<Cause>,
    },
}

/// The error a delivery error wraps.
type Cause = Box<dyn std::error::Error + Send + Sync>;

impl DeliverError {
    fn secret(message: String) -> DeliverError {
        DeliverError::Secret {
            message,
            cause: None,
        }
    }

    /// A failed webhook request: its chain on one line, the error kept.
    fn request(e: reqwest::Error) -> DeliverError {
        let e = e.without_url();
        DeliverError::Request {
            message: error_chain(&e),
            cause: Some(Box::new(e)),
        }
    }

    /// A failed mail: its chain on one line, the error kept.
    fn mail<E: std::error::Error + Send + Sync + 'static>(e: E) -> DeliverError {
        DeliverError::Mail {
            message: error_chain(&e),
            cause: Some(Box::new(e)),
        }
    }
}

/// The report to deliver, rendered once.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The period's label (`2026-W48`), for the mail subject.
    pub period: String,
    /// The report, for the chat digest (composed per destination, to fit it).
    pub report: Report,
    /// The Markdown rendering (chat with `full = true`, and the mail's
    /// text/plain part).
    pub markdown: String,
    /// The self-contained HTML rendering (the mail's text/html part).
    pub html: String,
    /// Where the whole report is.
    pub full_report: FullReport,
}

/// Connection settings for all deliveries.
#[derive(Debug, Clone)]
pub struct DeliverOptions {
    /// User-Agent of the webhook requests.
    pub user_agent: String,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one webhook request or one SMTP session.
    pub timeout: Duration,
}

/// What a destination accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The service's answer: `HTTP 200`, `SMTP 250`.
    pub answer: String,
    /// `(lines sent, lines in the report)` when the message had to be cut.
    pub cut: Option<(usize, usize)>,
}

/// The result for one destination.
#[derive(Debug)]
pub struct Outcome {
    /// `slack`, `teams`, `mattermost` or `mail`.
    pub kind: &'static str,
    /// The destination's name from the config.
    pub name: String,
    /// Scheme and host of a webhook, host and port of a mail server, once known.
    pub endpoint: Option<String>,
    /// Accepted, or why not.
    pub result: Result<Delivered, DeliverError>,
}

impl Outcome {
    /// Whether the destination accepted the report.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self
            .endpoint
            .as_deref()
            .map(|e| format!(" at {e}"))
            .unwrap_or_default();
        match &self.result {
            Ok(d) => {
                write!(
                    f,
                    "delivered to {} {:?} ({}",
                    self.kind, self.name, d.answer
                )?;
                if let Some((sent, total)) = d.cut {
                    write!(f, "; cut to {sent} of {total} lines")?;
                }
                write!(f, ")")
            }
            Err(e) => write!(f, "failed: {} {:?}{at}: {e}", self.kind, self.name),
        }
    }
}

/// Send the report to every destination (concurrently); one outcome each,
/// webhooks first, in config order. `env` looks up environment variables.
pub async fn deliver_all(
    settings: &DeliverSettings,
    delivery: &Delivery,
    options: &DeliverOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Outcome> {
    let client = webhook_client(options);
    let hooks = settings.webhooks.iter().map(|w| {
        let client = client.as_ref();
        async move {
            match client {
                Ok(c) => post_webhook(c, w, delivery, env).await,
                Err(e) => Outcome {
                    kind: w.kind.as_str(),
                    name: w.name.clone(),
                    endpoint: None,
                    result: Err(DeliverError::Request {
                        message: format!("cannot build the HTTP client: {e}"),
                        cause: None,
                    }),
                },
            }
        }
    });
    let mail = settings
        .mail
        .iter()
        .map(|m| send_mail(m, delivery, options, env));
    let (mut outcomes, mails) = futures::join!(
        futures::future::join_all(hooks),
        futures::future::join_all(mail)
    );
    outcomes.extend(mails);
    outcomes
}

/// The HTTP client for webhooks: the options' User-Agent and timeouts, and no
/// redirects (a webhook that redirects is misconfigured; following it would
/// send the message to a host nobody configured).
pub(crate) fn webhook_client(options: &DeliverOptions) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(options.user_agent.clone())
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// The payload for a destination: the whole report if it fits the limit, else
/// the longest run of its first lines that fits with the note.
pub fn webhook_payload(
    kind: WebhookKind,
    limit: usize,
    markdown: &str,
    full: &FullReport,
) -> (Value, Option<(usize, usize)>) {
    let lines: Vec<&str> = markdown.lines().collect();
    let total = lines.len();
    let whole = kind.payload(&lines, None);
    if kind.measure(&whole) <= limit {
        return (whole, None);
    }
    let with_note = |n: usize| {
        let note = cut_note(kind, limit, n, total, full);
        kind.payload(lines.get(..n).unwrap_or(&lines), Some(&note))
    };
    // The size grows with the lines kept: bisect for the most that fit.
    let (mut lo, mut hi) = (0, total);
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if kind.measure(&with_note(mid)) <= limit {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (with_note(lo), Some((lo, total)))
}

/// The digest payload for a destination (`limit`: its configured limit):
/// the digest with as many moves and top reads as fit both the service's
/// limit and [`DEFAULT_DIGEST_MAX_CHARS`] characters of text; cut at a line
/// like a full report only if even the bare digest does not fit.
pub fn digest_payload(
    kind: WebhookKind,
    limit: Option<usize>,
    report: &Report,
    full: &FullReport,
) -> (Value, Option<(usize, usize)>) {
    let (service, chars) = kind.digest_limits(limit);
    let fits = |md: &str| {
        let lines: Vec<&str> = md.lines().collect();
        let payload = kind.payload(&lines, None);
        kind.measure(&payload) <= service && kind.text_chars(&payload) <= chars
    };
    let md = crate::report::digest(report, Some(full), &fits);
    webhook_payload(kind, service, &md, full)
}

/// The last line of a cut message, in Markdown (converted with the rest).
fn cut_note(
    kind: WebhookKind,
    limit: usize,
    shown: usize,
    total: usize,
    full: &FullReport,
) -> String {
    let place = full.markdown();
    format!(
        "_Cut to fit {}'s limit of {limit} {}: {shown} of {total} lines shown. Full report: {place}_",
        kind.title(),
        kind.limit_unit()
    )
}

async fn post_webhook(
    client: &reqwest::Client,
    dest: &WebhookDestination,
    delivery: &Delivery,
    env: &dyn Fn(&str) -> Option<String>,
) -> Outcome {
    let mut outcome = Outcome {
        kind: dest.kind.as_str(),
        name: dest.name.clone(),
        endpoint: None,
        result: Err(DeliverError::Request {
            message: String::new(),
            cause: None,
        }),
    };
    let url = match dest.url.resolve(env).and_then(|u| webhook_url(&u)) {
        Ok(url) => url,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    outcome.endpoint = Some(shown_url(&url));
    let (payload, cut) = if dest.full {
        let limit = dest.limit.unwrap_or(dest.kind.default_limit());
        webhook_payload(dest.kind, limit, &delivery.markdown, &delivery.full_report)
    } else {
        digest_payload(
            dest.kind,
            dest.limit,
            &delivery.report,
            &delivery.full_report,
        )
    };
    let body = payload.to_string();
    outcome.result = post_json(client, url, body, &[])
        .await
        .map(|answer| Delivered { answer, cut });
    outcome
}

/// The webhook URL, if horizon may post the report to it: https, or http to a
/// loopback host (a local relay, or a test).
pub(crate) fn webhook_url(raw: &str) -> Result<Url, DeliverError> {
    let url =
        Url::parse(raw).map_err(|e| DeliverError::Url(format!("is not a valid URL ({e})")))?;
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if is_loopback_host(host) => Ok(url),
        "http" => Err(DeliverError::Url(format!(
            "{} must be https (http only to a loopback host)",
            shown_url(&url)
        ))),
        other => Err(DeliverError::Url(format!(
            "has scheme {other:?}, not https"
        ))),
    }
}

/// Scheme, host and port only: the rest of a webhook URL is its secret.
pub fn shown_url(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// POST a JSON body with `headers` besides its content type; retried once
/// when the connection could not be opened.
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: Url,
    body: String,
    headers: &[(&'static str, String)],
) -> Result<String, DeliverError> {
    let send = || {
        let mut request = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        request.body(body.clone()).send()
    };
    let response = match send().await {
        Err(e) if e.is_connect() => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            send().await
        }
        other => other,
    }
    .map_err(DeliverError::request)?;
    let status = response.status();
    if status.is_success() {
        return Ok(format!("HTTP {}", status.as_u16()));
    }
    Err(DeliverError::Status {
        status: status.to_string(),
        first_line: first_line(response).await,
    })
}

/// The first non-empty line of a response body (at most 8 KiB read, 200
/// characters kept), made safe for a terminal.
async fn first_line(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= 8 * 1024 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = terminal_safe(line);
    Some(match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    })
}

/// An error and its causes, `outer: inner: innermost`.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(inner) = cur {
        let s = inner.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = inner.source();
    }
    parts.join(": ")
}

async fn send_mail(
    dest: &MailDestination,
    delivery: &Delivery,
    options: &DeliverOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Outcome {
    let result = mail_report(dest, delivery, options, env).await;
    Outcome {
        kind: "mail",
        name: dest.name.clone(),
        endpoint: Some(format!("{}:{}", dest.host, dest.port)),
        result,
    }
}

/// The report mail: multipart/alternative with the Markdown as text/plain and
/// the HTML report as text/html.
pub fn report_message(
    dest: &MailDestination,
    delivery: &Delivery,
) -> Result<Message, DeliverError> {
    let subject = dest.subject.replace(PERIOD_PLACEHOLDER, &delivery.period);
    let mut builder = Message::builder().from(dest.from.clone()).subject(subject);
    for to in &dest.to {
        builder = builder.to(Mailbox::clone(to));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            delivery.markdown.clone(),
            delivery.html.clone(),
        ))
        .map_err(|e| DeliverError::Mail {
            message: format!("cannot build the mail: {e}"),
            cause: Some(Box::new(e)),
        })
}

async fn mail_report(
    dest: &MailDestination,
    delivery: &Delivery,
    options: &DeliverOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Delivered, DeliverError> {
    let message = report_message(dest, delivery)?;
    let builder = match dest.tls {
        MailTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&dest.host),
        MailTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&dest.host),
        MailTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            &dest.host,
        )),
    }
    .map_err(DeliverError::mail)?;
    let mut builder = builder.port(dest.port).timeout(Some(options.timeout));
    if let Some(password) = &dest.password {
        let user = match &dest.username {
            Some(Username::Inline(u)) => u.clone(),
            Some(Username::Env(var)) => Secret::Env(var.clone()).resolve(env)?,
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(user, password.resolve(env)?));
    }
    let transport = builder.build();
    let response = tokio::time::timeout(options.timeout, transport.send(message))
        .await
        .map_err(|_| DeliverError::Mail {
            message: format!("no answer within {:?}", options.timeout),
            cause: None,
        })?
        .map_err(DeliverError::mail)?;
    Ok(Delivered {
        answer: format!("SMTP {}", response.code()),
        cut: None,
    })
}

/// `| a | b |` split into its cells, `\|` kept inside a cell.
fn table_cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let cell = cells.last_mut()?;
                cell.push('\\');
                if let Some(n) = chars.next() {
                    cell.push(n);
                }
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut()?.push(c),
        }
    }
    Some(cells.into_iter().map(|c| c.trim().to_string()).collect())
}

fn is_separator_row(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

/// A Markdown table as list lines (chats other than Mattermost have no
/// tables): the header row in bold, then one `- a · b · c` line per row.
fn table_as_list(line: &str) -> Option<String> {
    let cells = table_cells(line)?;
    if is_separator_row(&cells) {
        return Some(String::new());
    }
    Some(format!("- {}", cells.join(" · ")))
}

/// `## Title` as `(level, "Title")`.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let rest = line.get(level..)?.strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, rest.trim()))
}

/// The report's Markdown in Slack's mrkdwn.
pub fn slack_mrkdwn(md: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            out.push(line.to_string());
            continue;
        }
        if in_code {
            out.push(slack_escape(line));
            continue;
        }
        if let Some((_, title)) = heading(line) {
            out.push(format!("*{}*", slack_inline(&title.replace("**", ""))));
        } else if let Some(row) = table_as_list(line) {
            if !row.is_empty() {
                out.push(slack_inline(&row).replacen("- ", "• ", 1));
            }
        } else if let Some(item) = line.strip_prefix("- ") {
            out.push(format!("• {}", slack_inline(item)));
        } else {
            out.push(slack_inline(line));
        }
    }
    out.join("\n")
}

/// `&`, `<` and `>` as Slack wants them outside its own markup.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One line of Markdown in mrkdwn: `**b**` → `*b*`, `[t](u)` → `<u|t>`,
/// backslash escapes resolved, `&<>` escaped.
fn slack_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix('\\') {
            match after.chars().next() {
                Some(n) => {
                    out.push_str(&slack_escape(n.encode_utf8(&mut [0; 4])));
                    rest = &after[n.len_utf8()..];
                }
                None => {
                    out.push('\\');
                    rest = after;
                }
            }
        } else if let Some(after) = rest.strip_prefix("**") {
            out.push('*');
            rest = after;
        } else if let Some((label, url, after)) = md_link(rest) {
            let label = slack_inline(label).replace('|', "¦");
            let url = url
                .replace('&', "&amp;")
                .replace('|', "%7C")
                .replace('<', "%3C")
                .replace('>', "%3E");
            out.push_str(&format!("<{url}|{label}>"));
            rest = after;
        } else {
            out.push_str(&slack_escape(c.encode_utf8(&mut [0; 4])));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `[label](url)rest` at the start of `s`, honouring `\]` in the label.
fn md_link(s: &str) -> Option<(&str, &str, &str)> {
    let body = s.strip_prefix('[')?;
    let mut escaped = false;
    let mut close = None;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ']' => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close?;
    let label = &body[..close];
    let after = body[close + 1..].strip_prefix('(')?;
    let end = after.find(')')?;
    let url = &after[..end];
    (url.starts_with("http://") || url.starts_with("https://")).then_some((
        label,
        url,
        &after[end + 1..],
    ))
}

/// `@channel`, `@all` and `@here` with a zero-width space after the `@`, so
/// feed text never notifies a whole Mattermost channel.
pub fn defuse_mentions(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let word: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        out.push('@');
        if matches!(word.as_str(), "channel" | "all" | "here") {
            out.push('\u{200B}');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The Markdown as a Teams message: one Adaptive Card whose body is a
/// `TextBlock` per heading and per paragraph.
fn teams_message(md: &str) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": teams_blocks(md),
            }
        }]
    })
}

/// Card elements for the Markdown: headings become bold `TextBlock`s (Teams
/// renders no `#`), tables become lists, each paragraph one wrapped block.
pub fn teams_blocks(md: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let flush = |para: &mut Vec<String>, blocks: &mut Vec<Value>| {
        if para.is_empty() {
            return;
        }
        // Teams breaks list items on "\r" and other lines on a blank line.
        let list = para.iter().all(|l| l.starts_with("- "));
        let text = para.join(if list { "\r" } else { "\n\n" });
        blocks.push(json!({ "type": "TextBlock", "text": text, "wrap": true }));
        para.clear();
    };
    for line in md.lines() {
        if let Some((level, title)) = heading(line) {
            flush(&mut para, &mut blocks);
            let size = match level {
                1 => "Large",
                2 => "Medium",
                _ => "Default",
            };
            blocks.push(json!({
                "type": "TextBlock",
                "text": title,
                "weight": "Bolder",
                "size": size,
                "wrap": true,
            }));
        } else if line.trim().is_empty() {
            flush(&mut para, &mut blocks);
        } else if let Some(row) = table_as_list(line) {
            if !row.is_empty() {
                para.push(row);
            }
        } else {
            para.push(line.to_string());
        }
    }
    flush(&mut para, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{DEFAULT_MATTERMOST_MAX_CHARS, DEFAULT_TEAMS_MAX_BYTES};

    /// Guards the delivery lines' service names against `sources.toml`'s spellings.
    #[test]
    fn webhook_kinds_are_named_as_in_the_config() {
        crate::model::spelling::deserializes_from_name::<WebhookKind>();
        assert_eq!(WebhookKind::Mattermost.to_string(), "mattermost");
    }

    const REPORT: &str = "# horizon report — 2026-W48\n\n\
        3 documents filed in the period.\n\n\
        ## Cloud absorption\n\n\
        **What moved this week**\n\n\
        - 2026-11-24 · AWS · [Amazon MSK \\<Express\\> & more](https://aws.example/msk?a=1&b=2) → GA\n\n\
        | level | system | AWS |\n|---|---|---|\n| absorbed | Kafka | Amazon MSK GA |\n\n\
        ## streaming (1 document)\n\n\
        - [a\\_b \\*c\\* @channel](https://x.example/1) — blog, 2026-11-25\n";

    #[test]
    fn slack_gets_mrkdwn_links_bold_headings_and_entities() {
        let s = slack_mrkdwn(REPORT);
        assert!(s.starts_with("*horizon report — 2026-W48*\n"), "{s}");
        assert!(s.contains("\n*Cloud absorption*\n"), "{s}");
        assert!(s.contains("\n*What moved this week*\n"), "{s}");
        assert!(
            s.contains(
                "<https://aws.example/msk?a=1&amp;b=2|Amazon MSK &lt;Express&gt; &amp; more>"
            ),
            "{s}"
        );
        assert!(s.contains("• absorbed · Kafka · Amazon MSK GA"), "{s}");
        assert!(!s.contains("|---"), "{s}");
        assert!(s.contains("<https://x.example/1|a_b *c* @channel>"), "{s}");
        assert!(!s.contains('\\'), "{s}");
    }

    // Regression: feed text must not form Slack mentions or links.
    #[test]
    fn slack_escapes_angle_brackets_from_feed_text() {
        let s = slack_inline("\\<!channel\\> and <!here> [x](javascript:alert(1))");
        assert!(!s.contains("<!"), "{s}");
        assert!(s.contains("&lt;!channel&gt; and &lt;!here&gt;"), "{s}");
    }

    #[test]
    fn mattermost_keeps_markdown_and_defuses_mentions() {
        let (p, cut) = webhook_payload(
            WebhookKind::Mattermost,
            DEFAULT_MATTERMOST_MAX_CHARS,
            REPORT,
            &FullReport::File("/srv/r.md".into()),
        );
        assert_eq!(cut, None);
        let text = p["text"].as_str().unwrap();
        assert!(
            text.contains("| absorbed | Kafka | Amazon MSK GA |"),
            "{text}"
        );
        assert!(text.contains("@\u{200B}channel"), "{text}");
        assert_eq!(p.as_object().unwrap().len(), 1);
        assert_eq!(
            defuse_mentions("a@b.org @All @heres"),
            "a@b.org @\u{200B}All @heres"
        );
    }

    #[test]
    fn teams_gets_an_adaptive_card_with_heading_blocks_and_lists() {
        let (p, _) = webhook_payload(
            WebhookKind::Teams,
            DEFAULT_TEAMS_MAX_BYTES,
            REPORT,
            &FullReport::File("/srv/r.md".into()),
        );
        assert_eq!(p["type"], "message");
        let att = &p["attachments"][0];
        assert_eq!(
            att["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &att["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        let body = card["body"].as_array().unwrap();
        assert_eq!(body[0]["text"], "horizon report — 2026-W48");
        assert_eq!(body[0]["weight"], "Bolder");
        assert!(body
            .iter()
            .all(|b| b["type"] == "TextBlock" && b["wrap"] == true));
        assert!(body
            .iter()
            .any(|b| b["text"] == "- absorbed · Kafka · Amazon MSK GA"
                || b["text"].as_str().unwrap().contains("- absorbed · Kafka")));
        assert!(!p.to_string().contains("|---"));
    }

    #[test]
    fn over_the_limit_is_cut_at_a_line_with_a_note() {
        let mut md = String::from("# horizon report — 2026-W48\n");
        for i in 0..3000 {
            md.push_str(&format!("- item {i} with some text to make it longer\n"));
        }
        let full = FullReport::File("/srv/horizon/index/reports/2026-W48.html".into());
        for kind in [
            WebhookKind::Slack,
            WebhookKind::Mattermost,
            WebhookKind::Teams,
        ] {
            let limit = kind.default_limit();
            let (p, cut) = webhook_payload(kind, limit, &md, &full);
            let (sent, total) = cut.unwrap();
            assert_eq!(total, 3001);
            assert!(sent > 100 && sent < total, "{kind}: {sent}");
            assert!(kind.measure(&p) <= limit, "{kind}");
            // One more line would not have fitted.
            let lines: Vec<&str> = md.lines().collect();
            let note = cut_note(kind, limit, sent + 1, total, &full);
            assert!(kind.measure(&kind.payload(&lines[..sent + 1], Some(&note))) > limit);
            let s = p.to_string();
            assert!(s.contains("Cut to fit"), "{kind}");
            assert!(
                s.contains("/srv/horizon/index/reports/2026-W48.html"),
                "{kind}"
            );
            assert!(s.contains(&format!("{sent} of 3001 lines shown")), "{kind}");
            let last_item = format!("item {} with", sent - 2);
            assert!(s.contains(&last_item), "{kind}: {last_item}");
            assert!(!s.contains(&format!("item {} with", sent - 1)), "{kind}");
        }
    }

    #[test]
    fn a_configured_limit_wins_and_the_url_is_linked() {
        let md = "# r\n".to_string() + &"- line\n".repeat(1000);
        let full = FullReport::Url("https://horizon.example/r/2026-W48".into());
        let (p, cut) = webhook_payload(WebhookKind::Slack, 2000, &md, &full);
        assert!(cut.is_some());
        let text = p["text"].as_str().unwrap();
        assert!(text.chars().count() <= 2000);
        assert!(
            text.ends_with(
                "Full report: <https://horizon.example/r/2026-W48|https://horizon.example/r/2026-W48>_"
            ),
            "{text}"
        );
    }

    #[test]
    fn secrets_come_from_env_or_file_trimmed() {
        let env = |k: &str| (k == "HOOK").then(|| " https://hooks.example/T/B/x \n".to_string());
        assert_eq!(
            Secret::Env("HOOK".into()).resolve(&env).unwrap(),
            "https://hooks.example/T/B/x"
        );
        let e = Secret::Env("NOPE".into()).resolve(&env).unwrap_err();
        assert_eq!(e.to_string(), "environment variable NOPE is not set");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "s3cret\n").unwrap();
        assert_eq!(Secret::File(f.clone()).resolve(&env).unwrap(), "s3cret");
        std::fs::write(&f, "\n").unwrap();
        assert!(Secret::File(f)
            .resolve(&env)
            .unwrap_err()
            .to_string()
            .ends_with("is empty"));
    }

    #[test]
    fn webhook_urls_are_https_or_loopback_and_shown_without_their_secret() {
        let u = webhook_url("https://hooks.slack.com/services/T0/B0/secret").unwrap();
        assert_eq!(shown_url(&u), "https://hooks.slack.com");
        assert!(webhook_url("http://127.0.0.1:8080/hook").is_ok());
        let e = webhook_url("http://chat.example/hooks/secret")
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be https") && !e.contains("secret"), "{e}");
        assert!(webhook_url("ftp://x/y").is_err());
    }

    #[test]
    fn outcome_lines_name_the_destination() {
        let ok = Outcome {
            kind: "slack",
            name: "team-chat".into(),
            endpoint: Some("https://hooks.slack.com".into()),
            result: Ok(Delivered {
                answer: "HTTP 200".into(),
                cut: None,
            }),
        };
        assert_eq!(
            ok.to_string(),
            "delivered to slack \"team-chat\" (HTTP 200)"
        );
        let bad = Outcome {
            kind: "teams",
            name: "infra".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            result: Err(DeliverError::Status {
                status: "500 Internal Server Error".into(),
                first_line: Some("boom".into()),
            }),
        };
        assert_eq!(
            bad.to_string(),
            "failed: teams \"infra\" at http://127.0.0.1:9: HTTP 500 Internal Server Error: boom"
        );
    }
}
