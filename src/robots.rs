//! robots.txt: read once per host per crawl through the polite fetcher, kept in
//! the crawl state with its validators, and obeyed.
//!
//! The rules are matched by the `texting_robots` crate: `*` and `$` patterns,
//! the longest match wins, an `Allow` wins a tie, and blank lines do not end
//! a group (github.com writes a blank line after `User-agent: *`; the
//! `robotstxt` crate was tried and rejected: its 0.3 matcher lets
//! `/trending/rust?since=weekly` pass `Disallow: /*since=*`). The agent
//! matched is the product token of the User-Agent sent to the host
//! (`horizon` for the default).
//!
//! What a robots.txt answer means (RFC 9309 §2.3.1):
//! - 2xx: its rules apply; 304: the kept copy's rules apply;
//! - 4xx other than 429 ("unavailable"): everything is allowed;
//! - 429, 5xx or no answer at all ("unreachable"): the last kept copy applies
//!   whatever its age; with none, everything on the host is disallowed for
//!   this crawl (§2.3.1.4), and the next crawl asks again.
//!
//! A kept copy is used without asking for 24 hours (§2.4), then asked for
//! again with its `ETag`/`Last-Modified`.
//!
//! Exceptions: `[settings.hosts."host"] robots = "ignore"` (the user's
//! explicit opt-out); arXiv's API host, whose robots.txt disallows everything
//! while its API terms (<https://info.arxiv.org/help/api/tou.html>) invite
//! programmatic use at one request every 3 s, which the fetcher enforces; and
//! loopback addresses (127.0.0.0/8, `::1`, `localhost`): a server on this
//! machine is the user's own, unless `robots = "obey"` is set for it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use url::Url;

use crate::config::{RobotsPolicy, Settings};
use crate::fetch::{FetchError, Fetcher, Validators};

/// Largest robots.txt kept and parsed (RFC 9309 §2.5 asks for at least 500 KiB).
const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// One host's robots.txt as kept in the crawl state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotsRecord {
    /// When it was last fetched (or confirmed by a 304).
    pub fetched: Timestamp,
    /// The HTTP status of that answer (200, or the 4xx that allows all).
    pub status: u16,
    /// Validators for the next conditional request.
    #[serde(default, skip_serializing_if = "Validators::is_empty")]
    pub validators: Validators,
    /// The file's text (empty for a 4xx).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
}

/// What robots.txt says about one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The host's robots.txt allows it.
    Allowed {
        /// The robots.txt consulted.
        robots_url: String,
    },
    /// The host has no robots.txt (a 4xx): everything is allowed.
    NoRobots {
        /// The robots.txt asked for.
        robots_url: String,
        /// Its status.
        status: u16,
    },
    /// `robots = "ignore"` for the host.
    Ignored {
        /// The host.
        host: String,
    },
    /// A built-in exception (arXiv's API) or a loopback address.
    Exempt {
        /// Why.
        reason: String,
    },
    /// Disallowed by a rule.
    Blocked {
        /// The robots.txt.
        robots_url: String,
        /// The deciding line, e.g. `Disallow: /*since=*`.
        rule: String,
    },
    /// The host could not be reached at all (its name does not resolve, it
    /// refuses connections, its network is unreachable): no request reached
    /// a server, so fetching the URL asks nothing of anyone and fails with
    /// the same network error, which is what the source then reports.
    HostDown {
        /// The robots.txt asked for.
        robots_url: String,
        /// Why it could not be reached.
        cause: String,
    },
    /// robots.txt could not be read and no copy is kept: complete disallow.
    Unreachable {
        /// The robots.txt.
        robots_url: String,
        /// Why it could not be read.
        cause: String,
    },
}

impl Verdict {
    /// Whether the URL may be fetched.
    pub fn allows(&self) -> bool {
        !matches!(self, Verdict::Blocked { .. } | Verdict::Unreachable { .. })
    }

    /// The message a blocked source fails with, or a short description.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Allowed { robots_url } => format!("allowed by {robots_url}"),
            Verdict::NoRobots { robots_url, status } => {
                format!("no robots.txt ({robots_url} answered {status}): all allowed")
            }
            Verdict::Ignored { host } => {
                format!("robots.txt ignored for {host} ([settings.hosts.\"{host}\"] robots = \"ignore\")")
            }
            Verdict::Exempt { reason } => reason.clone(),
            Verdict::Blocked { robots_url, rule } => {
                format!("blocked by robots.txt (rule \"{rule}\" of {robots_url})")
            }
            Verdict::HostDown { robots_url, cause } => {
                format!("{robots_url} not reached: {cause}")
            }
            Verdict::Unreachable { robots_url, cause } => format!(
                "blocked: robots.txt could not be read ({robots_url}: {cause}), which RFC 9309 treats as disallowing the whole host until it can be"
            ),
        }
    }
}

/// The rules of one origin for this crawl.
#[derive(Clone)]
enum Rules {
    AllowAll {
        status: u16,
    },
    Text {
        text: Arc<str>,
        robot: Option<Arc<texting_robots::Robot>>,
    },
    Unreachable(String),
    HostDown(String),
}

/// The crawl's robots.txt checker: one fetch per origin, shared by all sources.
pub struct Robots {
    fetcher: Arc<Fetcher>,
    ignored: HashSet<String>,
    obeyed: HashSet<String>,
    kept: BTreeMap<String, RobotsRecord>,
    now: Timestamp,
    cells: Mutex<HashMap<String, Arc<OnceCell<Rules>>>>,
    fresh: Mutex<BTreeMap<String, RobotsRecord>>,
}

impl std::fmt::Debug for Robots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Robots")
            .field("ignored", &self.ignored)
            .finish_non_exhaustive()
    }
}

/// The hosts `[settings.hosts]` opts out of robots.txt, lower case.
pub fn ignored_hosts(settings: &Settings) -> HashSet<String> {
    policy_hosts(settings, RobotsPolicy::Ignore)
}

fn policy_hosts(settings: &Settings, policy: RobotsPolicy) -> HashSet<String> {
    settings
        .hosts
        .iter()
        .filter(|(_, h)| h.robots == Some(policy))
        .map(|(host, _)| host.to_ascii_lowercase())
        .collect()
}

/// The host of GitHub's trending pages.
const GITHUB_HOST: &str = "github.com";

/// Warnings about sources whose default URLs robots.txt disallows: a
/// `github_trending` source with `since = "weekly"` or `"monthly"` asks for
/// `?since=…`, which github.com/robots.txt disallows (`Disallow: /*since=*`),
/// unless the user opted out for github.com. A warning, not an error: the
/// crawl goes on, and that source fails with the rule named.
pub fn config_warnings(cfg: &crate::config::Config) -> Vec<crate::absorb::catalog::ConfigWarning> {
    if ignored_hosts(&cfg.settings).contains(GITHUB_HOST) {
        return Vec::new();
    }
    cfg.sources
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| match &s.spec {
            crate::config::SourceSpec::GithubTrending { since, .. }
                if *since != crate::config::TrendingPeriod::Daily
                    && s.url
                        .as_ref()
                        .is_none_or(|u| u.host_str() == Some(GITHUB_HOST)) =>
            {
                Some(crate::absorb::catalog::ConfigWarning {
                    line: s.line,
                    message: format!(
                        "source {:?}: since = \"{}\" asks for GitHub's trending page with ?since={}, which github.com/robots.txt disallows (rule \"Disallow: /*since=*\"), so the crawl will not fetch it; use since = \"daily\" (the /trending pages without ?since are the daily lists), or opt out of robots.txt for the host: [settings.hosts.\"github.com\"] robots = \"ignore\"",
                        s.name,
                        since.as_str(),
                        since.as_str()
                    ),
                })
            }
            _ => None,
        })
        .collect()
}

/// Why a host needs no robots.txt, if it needs none by itself.
fn exemption(host: &str) -> Option<String> {
    if host == crate::ARXIV_API_HOST {
        return Some(format!(
            "built-in exception: {host} is arXiv's API, whose terms (https://info.arxiv.org/help/api/tou.html) invite programmatic use at one request every 3 s"
        ));
    }
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback.then(|| {
        format!("{host} is a loopback address (set robots = \"obey\" to read its robots.txt)")
    })
}

impl Robots {
    /// A checker for one crawl, starting from the state's kept copies.
    pub fn new(
        fetcher: Arc<Fetcher>,
        settings: &Settings,
        kept: BTreeMap<String, RobotsRecord>,
        now: Timestamp,
    ) -> Robots {
        Robots {
            fetcher,
            ignored: ignored_hosts(settings),
            obeyed: policy_hosts(settings, RobotsPolicy::Obey),
            kept,
            now,
            cells: Mutex::new(HashMap::new()),
            fresh: Mutex::new(BTreeMap::new()),
        }
    }

    /// The copies fetched or confirmed in this crawl, to keep in the state.
    pub fn fresh_records(&self) -> BTreeMap<String, RobotsRecord> {
        match self.fresh.lock() {
            Ok(f) => f.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// What robots.txt says about `url` (fetching it on the origin's first use).
    pub async fn check(&self, url: &Url) -> Verdict {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if self.ignored.contains(&host) {
            return Verdict::Ignored { host };
        }
        if !self.obeyed.contains(&host) {
            if let Some(reason) = exemption(&host) {
                return Verdict::Exempt { reason };
            }
        }
        let origin = url.origin().ascii_serialization();
        let robots_url = format!("{origin}/robots.txt");
        let cell = {
            let mut cells = match self.cells.lock() {
                Ok(c) => c,
                Err(poisoned) => poisoned.into_inner(),
            };
            cells.entry(origin.clone()).or_default().clone()
        };
        let rules = cell
            .get_or_init(|| self.load(&origin, &robots_url, &host))
            .await
            .clone();
        match rules {
            Rules::AllowAll { status } => Verdict::NoRobots { robots_url, status },
            Rules::Unreachable(cause) => Verdict::Unreachable { robots_url, cause },
            Rules::HostDown(cause) => Verdict::HostDown { robots_url, cause },
            Rules::Text { text, robot } => {
                let Some(robot) = robot else {
                    return Verdict::Blocked {
                        robots_url,
                        rule: NOT_UNDERSTOOD.to_string(),
                    };
                };
                if robot.allowed(url.as_str()) {
                    return Verdict::Allowed { robots_url };
                }
                let agent = self.fetcher.settings().user_agent_for(&host).to_string();
                let rule = deciding_rule(&text, &agent, url.as_str());
                Verdict::Blocked { robots_url, rule }
            }
        }
    }

    /// The origin's rules: the kept copy while it is fresh, else a
    /// (conditional) fetch, interpreted as RFC 9309 says.
    async fn load(&self, origin: &str, robots_url: &str, host: &str) -> Rules {
        let agent = self.fetcher.settings().user_agent_for(host).to_string();
        let rules_of = |record: &RobotsRecord| rules_of(record, &agent);
        let kept = self.kept.get(origin);
        if let Some(k) = kept {
            let age = self.now.as_second() - k.fetched.as_second();
            if (0..crate::ROBOTS_MAX_AGE_SECS).contains(&age) {
                return rules_of(k);
            }
        }
        let Ok(url) = Url::parse(robots_url) else {
            return Rules::AllowAll { status: 404 };
        };
        match self.fetcher.get(&url, kept.map(|k| &k.validators)).await {
            Ok(f) if f.not_modified => match kept {
                Some(k) => {
                    let record = RobotsRecord {
                        fetched: self.now,
                        validators: f.validators,
                        ..k.clone()
                    };
                    self.keep(origin, record.clone());
                    rules_of(&record)
                }
                None => Rules::AllowAll { status: 304 },
            },
            Ok(f) => {
                let record = RobotsRecord {
                    fetched: self.now,
                    status: f.status,
                    validators: f.validators,
                    body: text_of(&f.body),
                };
                self.keep(origin, record.clone());
                rules_of(&record)
            }
            Err(fail) => match &fail.error {
                FetchError::Status { status, .. } | FetchError::Rejected { status, .. }
                    if (400..500).contains(status) && *status != 429 =>
                {
                    let record = RobotsRecord {
                        fetched: self.now,
                        status: *status,
                        validators: Validators::default(),
                        body: String::new(),
                    };
                    self.keep(origin, record);
                    Rules::AllowAll { status: *status }
                }
                _ => match kept {
                    Some(k) => rules_of(k),
                    None if no_server_reached(&fail.error) => Rules::HostDown(fail.to_string()),
                    None => Rules::Unreachable(fail.to_string()),
                },
            },
        }
    }

    fn keep(&self, origin: &str, record: RobotsRecord) {
        let mut fresh = match self.fresh.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        fresh.insert(origin.to_string(), record);
    }
}

fn rules_of(record: &RobotsRecord, agent: &str) -> Rules {
    if (200..300).contains(&record.status) {
        Rules::Text {
            text: Arc::from(record.body.as_str()),
            robot: robot(&record.body, agent).map(Arc::new),
        }
    } else {
        Rules::AllowAll {
            status: record.status,
        }
    }
}

/// The body as text, cut to [`MAX_ROBOTS_BYTES`] at a character boundary.
fn text_of(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut end = text.len().min(MAX_ROBOTS_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_string()
}

/// Rules ending in `$` (the only ones the parser compiles into a regular
/// expression) kept as written; past this, a `Disallow` ending in `$` loses
/// its anchor and an `Allow` ending in `$` is dropped. Real files have a few.
const MAX_ANCHORED_RULES: usize = 200;
/// `*` in one rule ending in `$` past which it is treated the same way (the
/// parser refuses a rule whose expression grows past 42 KiB, and a refused
/// rule used to make the whole file count as allowing everything).
const MAX_ANCHORED_WILDCARDS: usize = 16;
/// Characters of one rule ending in `$` past which it is treated the same way
/// (a long literal grows the expression past the parser's limit too).
const MAX_ANCHORED_CHARS: usize = 2_000;
/// `Disallow` lines past which the deciding rule is looked for line by line
/// (see [`deciding_rule`]).
const MAX_DECIDING_WHOLE: usize = 64;

/// `text` with the rules that would cost the parser memory or make it give
/// up rewritten so that they never allow more than they said: a `Disallow`
/// ending in `$` becomes the same pattern ending in `*` (it matches every URL
/// it matched and more; same length, so it keeps its precedence), an `Allow`
/// ending in `$` is dropped (it allows nothing any more). Only rules past
/// [`MAX_ANCHORED_RULES`], with more than [`MAX_ANCHORED_WILDCARDS`] `*` or
/// longer than [`MAX_ANCHORED_CHARS`] are touched.
fn tame(text: &str) -> std::borrow::Cow<'_, str> {
    let mut anchored = 0;
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let rewritten = directive(line).and_then(|(key, value)| {
            if !(key == "allow" || key == "disallow") || !value.contains('$') {
                return None;
            }
            anchored += 1;
            let wildcards = value.split('*').count() - 1;
            if anchored <= MAX_ANCHORED_RULES
                && wildcards <= MAX_ANCHORED_WILDCARDS
                && value.len() <= MAX_ANCHORED_CHARS
            {
                return None;
            }
            Some(if key == "allow" {
                String::new()
            } else {
                format!("Disallow: {}", value.replace('$', "*"))
            })
        });
        match rewritten {
            Some(r) => {
                changed = true;
                out.push_str(&r);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The rules of `text` for `agent`'s product token; `None` when the parser
/// gives up, which [`Robots::check`] and [`blocking_rule`] treat as
/// disallowing the whole host: a rule horizon cannot read never widens what
/// is allowed.
fn robot(text: &str, agent: &str) -> Option<texting_robots::Robot> {
    let agent = product_token(agent);
    let text = tame(text);
    let parsed = std::panic::catch_unwind(|| texting_robots::Robot::new(agent, text.as_bytes()));
    match parsed {
        Ok(Ok(robot)) => Some(robot),
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "robots.txt not understood; nothing on its host is fetched");
            None
        }
        Err(_) => {
            tracing::warn!("the robots.txt parser failed; nothing on its host is fetched");
            None
        }
    }
}

/// The rule named when robots.txt could not be parsed.
const NOT_UNDERSTOOD: &str = "(robots.txt not understood: the whole host is treated as disallowed)";

/// The rule that disallows `url`, or `None` when it is allowed.
///
/// The parser answers yes or no; the deciding line is found by asking it
/// again with each `Disallow` line as the only one left: among the lines that
/// disallow the URL on their own, the longest pattern is the one the
/// longest-match rule chose.
pub fn blocking_rule(text: &str, agent: &str, url: &str) -> Option<String> {
    match robot(text, agent) {
        None => Some(NOT_UNDERSTOOD.to_string()),
        Some(r) if r.allowed(url) => None,
        Some(_) => Some(deciding_rule(text, agent, url)),
    }
}

/// The `Disallow` line that blocks `url` (see [`blocking_rule`]).
fn deciding_rule(text: &str, agent: &str, url: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let disallows: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| directive(l).is_some_and(|(k, _)| k == "disallow"))
        .map(|(i, _)| i)
        .collect();
    // Each candidate is asked with the file's other lines (so groups and
    // Allow lines count); in a file of many rules, alone under `User-agent:
    // *` instead, which keeps the search linear in the file's size.
    let whole = disallows.len() <= MAX_DECIDING_WHOLE;
    let mut best: Option<(usize, &str)> = None;
    for &keep in &disallows {
        let only: String = if whole {
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i == keep || !disallows.contains(i))
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!("User-agent: *\n{}\n", lines[keep])
        };
        if robot(&only, agent).is_some_and(|r| !r.allowed(url)) {
            let Some(line) = lines.get(keep) else {
                continue;
            };
            let len = directive(line).map(|(_, v)| v.len()).unwrap_or(0);
            if best.is_none_or(|(l, _)| len > l) {
                best = Some((len, line));
            }
        }
    }
    match best {
        Some((_, line)) => clean_rule(line),
        None => "Disallow".to_string(),
    }
}

/// A line's directive, lower case, and its value, comments removed.
fn directive(line: &str) -> Option<(String, &str)> {
    let line = line.split('#').next().unwrap_or("");
    let (key, value) = line.split_once(':')?;
    Some((key.trim().to_ascii_lowercase(), value.trim()))
}

/// The rule as shown: `Disallow: <pattern>`, without comments.
fn clean_rule(line: &str) -> String {
    match directive(line) {
        Some((_, value)) => format!("Disallow: {value}"),
        None => line.trim().to_string(),
    }
}

/// The product token of a User-Agent (`horizon/0.1 (+…)` → `horizon`).
fn product_token(agent: &str) -> &str {
    let end = agent
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '_'))
        .unwrap_or(agent.len());
    agent.get(..end).unwrap_or(agent)
}

/// Whether no server saw the request: the name did not resolve, the
/// connection was refused, or the network was unreachable (not a timeout,
/// which a slow server may have caused).
fn no_server_reached(e: &FetchError) -> bool {
    matches!(
        e,
        FetchError::Dns { .. }
            | FetchError::Refused { .. }
            | FetchError::Unreachable { .. }
            | FetchError::Address(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of github.com/robots.txt in 2023–2026: a blank line after
    /// `User-agent: *`, then the rules (Google's parser keeps the group going).
    // Guards #28 item 12: one rule the parser cannot compile made the whole
    // file allow everything; it must never widen what is allowed.
    #[test]
    fn an_over_complex_rule_never_allows_more() {
        let text = format!(
            "User-agent: *\nDisallow: /private/\nDisallow: /{}$\nDisallow: /{}$\n",
            "x*".repeat(3000),
            "y".repeat(50_000)
        );
        let ua = "horizon/0.1";
        assert!(blocking_rule(&text, ua, "https://example.org/private/x").is_some());
        assert!(blocking_rule(&text, ua, "https://example.org/public").is_none());
        // The anchored rule lost its anchor: still disallowed, and more.
        let xs = "x".repeat(3000);
        assert!(blocking_rule(&text, ua, "https://example.org/xxxx").is_none());
        assert!(blocking_rule(&text, ua, &format!("https://example.org/{xs}")).is_some());
        assert!(blocking_rule(&text, ua, &format!("https://example.org/{xs}-more")).is_some());
        assert!(blocking_rule(
            &text,
            ua,
            &format!("https://example.org/{}", "y".repeat(50_000))
        )
        .is_some());
    }

    // Guards #28 item 12: past MAX_ANCHORED_RULES, Disallow rules still
    // disallow what they did, Allow rules no longer allow; rules without `$`
    // are untouched.
    #[test]
    fn many_anchored_rules_are_kept_conservative() {
        let mut text = String::from("User-agent: *\nDisallow: /keep/\nAllow: /keep/open\n");
        for i in 0..(MAX_ANCHORED_RULES + 50) {
            text.push_str(&format!(
                "Disallow: /d{i}/*.pdf$\nAllow: /a{i}/*.html$\nDisallow: /a{i}/\n"
            ));
        }
        let ua = "horizon/0.1";
        let url = |p: &str| format!("https://example.org{p}");
        // Early rules: as written.
        assert!(blocking_rule(&text, ua, &url("/d1/x.pdf")).is_some());
        assert!(blocking_rule(&text, ua, &url("/d1/x.pdf.html")).is_none());
        assert!(blocking_rule(&text, ua, &url("/a1/x.html")).is_none());
        // Late rules: the Disallow widened, the Allow gone.
        let late = MAX_ANCHORED_RULES + 20;
        assert!(blocking_rule(&text, ua, &url(&format!("/d{late}/x.pdf"))).is_some());
        assert!(blocking_rule(&text, ua, &url(&format!("/d{late}/x.pdf.html"))).is_some());
        assert!(blocking_rule(&text, ua, &url(&format!("/a{late}/x.html"))).is_some());
        // Plain rules keep their meaning.
        assert!(blocking_rule(&text, ua, &url("/keep/open")).is_none());
        assert!(blocking_rule(&text, ua, &url("/keep/closed")).is_some());
        assert!(blocking_rule(&text, ua, &url("/elsewhere")).is_none());
        // The deciding rule is still named in a file of many rules.
        assert_eq!(
            blocking_rule(&text, ua, &url("/d1/x.pdf")).as_deref(),
            Some("Disallow: /d1/*.pdf$")
        );
    }

    const GITHUB: &str = "# If you would like to crawl GitHub contact us\n\
User-agent: baidu\ncrawl-delay: 1\n\n\
User-agent: *\n\n\
Disallow: */pulse\nDisallow: /*since=*\nDisallow: /*.atom$\nDisallow: /*q=\nAllow: /*?tab=achievements&achievement=*\n";

    const UA: &str = "horizon/0.1.0 (+https://github.com/horizon-infra/horizon)";

    #[test]
    fn github_layout_allows_daily_trending_and_names_the_since_rule() {
        assert_eq!(
            blocking_rule(GITHUB, UA, "https://github.com/trending"),
            None
        );
        assert_eq!(
            blocking_rule(GITHUB, UA, "https://github.com/trending/rust"),
            None
        );
        assert_eq!(
            blocking_rule(GITHUB, UA, "https://github.com/trending/rust?since=weekly").as_deref(),
            Some("Disallow: /*since=*")
        );
        assert_eq!(
            blocking_rule(GITHUB, UA, "https://github.com/Azure/AKS/releases.atom").as_deref(),
            Some("Disallow: /*.atom$")
        );
    }

    #[test]
    fn longest_match_decides_and_allow_wins() {
        let text = "User-agent: *\nDisallow: /a\nDisallow: /a/b\nAllow: /a/b/c\n";
        assert_eq!(
            blocking_rule(text, UA, "https://x/a/b/d").as_deref(),
            Some("Disallow: /a/b")
        );
        assert_eq!(blocking_rule(text, UA, "https://x/a/b/c"), None);
        let ours = "User-agent: *\nDisallow: /\n\nUser-agent: horizon\nAllow: /\n";
        assert_eq!(blocking_rule(ours, UA, "https://x/feed"), None);
    }

    #[test]
    fn exemptions() {
        assert!(exemption("export.arxiv.org").is_some());
        assert!(exemption("127.0.0.1").is_some());
        assert!(exemption("[::1]").is_some());
        assert!(exemption("github.com").is_none());
        assert_eq!(text_of(b"\xef\xbb\xbfUser-agent: *"), "User-agent: *");
    }
}
