//! `sources.toml`: settings, topics and sources, parsed and validated.
//!
//! The document is parsed once with its spans ([`toml::de::DeTable`]);
//! serde reads it strictly (`deny_unknown_fields`), the `[[sources]]` tables
//! through `config/source.rs`, where each kind is a type with exactly its keys,
//! and `config/shape.rs` sets aside each key or value serde refuses and reads
//! on, so that all of them are found. Then the checks serde cannot make
//! (duplicate names, URLs, values a kind needs or bounds). Every error names
//! the file, the line (and column where there is one), and the key or the
//! source/topic it concerns, with "did you mean" for a near miss, and all
//! problems are reported at once so a user fixes the file in one pass.
//!
//! A relative `[settings] index` is resolved against the config file's folder,
//! and without one the index is `index/` beside the file ([`Config::index_dir`]);
//! [`Config::load`] makes the file's path absolute, so every message names
//! absolute paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use toml::de::DeTable;
use toml::Spanned;

mod alerts;
mod deliver;
mod keys;
mod radar;
mod rules;
mod shape;
mod source;

use alerts::{build_alerts, RawAlerts};
pub use alerts::{AlertDestination, AlertSettings, AlertTarget, SavedSearch};
use deliver::{build_deliver, RawDeliver};
pub use deliver::{
    is_loopback_host, DeliverSettings, MailDestination, MailTls, Secret, Username,
    WebhookDestination, WebhookKind, PERIOD_PLACEHOLDER,
};
pub use radar::{RadarQuadrant, RadarSettings, MAX_RADAR_QUADRANTS};
pub use rules::{Rule, RuleAction, MAX_RULE_BOOST};
use source::{build_source, read_sources};
pub use source::{ArxivMode, Source, SourceKind, SourceSpec, TrendingPeriod};

use crate::duration::ConfigDuration;
use crate::model::{Offering, Origin, RawOffering, Vendor};
use crate::*;

/// Everything that can go wrong loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML (the first syntax error: what follows it
    /// cannot be read reliably).
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// The file is TOML, but keys or values are unknown, of the wrong type,
    /// missing or inconsistent: every one found, in file order.
    #[error("{}", format_problems(path, problems))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

/// One problem: a key or value serde refused, or a failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the table the problem is in, or of its key.
    pub line: usize,
    /// 1-based column of the key or value, when the problem points at one.
    pub column: Option<usize>,
    /// What it concerns: `source "aws"`, `topic "databases"`, `[settings] timeout`…
    /// (empty when the message says it, as serde's do).
    pub context: String,
    /// What is wrong.
    pub message: String,
}

fn format_problems(path: &Path, problems: &[Problem]) -> String {
    let mut lines = Vec::new();
    for p in problems {
        let mut place = format!("{}:{}", path.display(), p.line);
        if let Some(column) = p.column {
            place.push_str(&format!(":{column}"));
        }
        if p.context.is_empty() {
            lines.push(format!("{place}: {}", p.message));
        } else {
            lines.push(format!("{place}: {}: {}", p.context, p.message));
        }
    }
    if problems.len() > 1 {
        lines.push(format!("{} problems in {}", problems.len(), path.display()));
    }
    lines.join("\n")
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from.
    pub path: PathBuf,
    /// `[settings]`.
    pub settings: Settings,
    /// `[absorption]`.
    pub absorption: AbsorptionSettings,
    /// `[report]`.
    pub report: ReportSettings,
    /// `[[topics]]`, in file order.
    pub topics: Vec<Topic>,
    /// `[[sources]]`, in file order.
    pub sources: Vec<Source>,
    /// `[[offerings]]`: additions and corrections to the offering catalog.
    pub offerings: Vec<Offering>,
    /// `[report.deliver]`: where `horizon report --deliver` sends the report.
    pub deliver: DeliverSettings,
    /// `[[rules]]`: mute, pin and boost, applied at search and report time.
    pub rules: Vec<Rule>,
    /// `[radar]`: the quadrants `horizon radar` groups the topics into.
    pub radar: RadarSettings,
    /// `[alerts]`: where `horizon crawl` posts new landscape events and
    /// saved-search matches.
    pub alerts: AlertSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    settings: Option<Spanned<Settings>>,
    #[serde(default)]
    absorption: AbsorptionSettings,
    #[serde(default)]
    report: ReportSettings,
    #[serde(default)]
    topics: Vec<Spanned<RawTopic>>,
    /// Taken out of the document before this is deserialized and read by
    /// [`read_sources`]; declared so an unknown top-level key lists it.
    #[serde(default, rename = "sources")]
    _sources: IgnoredAny,
    #[serde(default)]
    offerings: Vec<Spanned<RawOffering>>,
    #[serde(default)]
    rules: Vec<Spanned<rules::RawRule>>,
    #[serde(default)]
    radar: radar::RawRadar,
    #[serde(default)]
    alerts: Option<Spanned<RawAlerts>>,
}

/// `[absorption]`: the thresholds are at least 1 and some vendor counts.
fn validate_absorption(a: &AbsorptionSettings, problems: &mut Vec<Problem>) {
    if a.absorbed_min_ga_vendors == 0 {
        problems.push(Problem {
            column: None,
            line: 1,
            context: "[absorption] absorbed_min_ga_vendors".into(),
            message: "must be at least 1".into(),
        });
    }
    if a.absorbing_min_preview_vendors == 0 {
        problems.push(Problem {
            column: None,
            line: 1,
            context: "[absorption] absorbing_min_preview_vendors".into(),
            message: "must be at least 1".into(),
        });
    }
    if a.vendors.is_empty() {
        problems.push(Problem {
            column: None,
            line: 1,
            context: "[absorption] vendors".into(),
            message: "must name at least one vendor (the default is [\"aws\", \"azure\", \"gcp\"])"
                .into(),
        });
    }
}

fn build_offering(o: RawOffering, line: usize, problems: &mut Vec<Problem>) -> Option<Offering> {
    let system = o.system.clone().unwrap_or_default();
    let ctx = format!("offering {:?} of {:?}", o.product, system);
    o.build(&system, Origin::Config, Some(line))
        .map_err(|wrong| {
            problems.extend(wrong.into_iter().map(|(key, message)| Problem {
                column: None,
                line,
                context: match key {
                    "system" | "product" => ctx.clone(),
                    _ => format!("{ctx}: {key}"),
                },
                message,
            }))
        })
        .ok()
}

/// `[settings]`: how to crawl and where to keep the index. Every key has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Index folder, relative to the config file's folder.
    pub index: Option<PathBuf>,
    /// User-Agent for every request.
    pub user_agent: String,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Requests in flight to one host.
    pub per_host_concurrency: usize,
    /// Minimum time between two requests to one host.
    pub per_host_interval: ConfigDuration,
    /// Time allowed to connect.
    pub connect_timeout: ConfigDuration,
    /// Time allowed for a whole request.
    pub timeout: ConfigDuration,
    /// Largest body accepted, after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed.
    pub max_redirects: usize,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Total time one request may wait between retries.
    pub retry_budget: ConfigDuration,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: ConfigDuration,
    /// Memory for the index writer, in bytes.
    pub writer_heap_bytes: usize,
    /// Consecutive failed runs after which a source is flagged and tried less often.
    pub failing_after: u32,
    /// Hosts (names or addresses) that may be on loopback, private,
    /// link-local, shared or metadata addresses (see `address`).
    pub allow_private_hosts: Vec<String>,
    /// Per-host overrides, keyed by host name.
    pub hosts: BTreeMap<String, HostSettings>,
    /// Names answered from a fixed table instead of DNS: never read from the
    /// file; the binary fills it from `HORIZON_RESOLVE` (a debugging aid).
    #[serde(skip)]
    pub resolve: crate::address::ResolveTable,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            index: None,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            concurrency: DEFAULT_CONCURRENCY,
            per_host_concurrency: DEFAULT_PER_HOST_CONCURRENCY,
            per_host_interval: ConfigDuration(Duration::from_millis(DEFAULT_PER_HOST_INTERVAL_MS)),
            connect_timeout: ConfigDuration(Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS)),
            timeout: ConfigDuration(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            retries: DEFAULT_RETRIES,
            retry_budget: ConfigDuration(Duration::from_secs(DEFAULT_RETRY_BUDGET_SECS)),
            max_retry_after: ConfigDuration(Duration::from_secs(DEFAULT_MAX_RETRY_AFTER_SECS)),
            writer_heap_bytes: DEFAULT_WRITER_HEAP_BYTES,
            failing_after: DEFAULT_FAILING_AFTER,
            hosts: BTreeMap::new(),
            allow_private_hosts: Vec::new(),
            resolve: crate::address::ResolveTable::new(),
        }
    }
}

/// `[settings.hosts."example.org"]`: politeness for one host.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HostSettings {
    /// Requests in flight to this host.
    pub concurrency: Option<usize>,
    /// Minimum time between two requests to this host.
    pub interval: Option<ConfigDuration>,
    /// `"ignore"`: do not read or obey this host's robots.txt (the explicit
    /// opt-out); `"obey"`: read it even for a loopback address.
    pub robots: Option<RobotsPolicy>,
    /// A User-Agent for this host only (for hosts that refuse non-browser clients).
    pub user_agent: Option<String>,
}

/// `[settings.hosts."…"] robots`: whether a host's robots.txt is obeyed.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotsPolicy {
    /// Read and obey it (the default, except for loopback addresses).
    Obey,
    /// The user's explicit opt-out: never read it for this host.
    Ignore,
}

/// `[absorption]`: thresholds of the cloud-absorption rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbsorptionSettings {
    /// How far back the flags look.
    pub window: ConfigDuration,
    /// Vendors with a GA offering needed for `absorbed`.
    pub absorbed_min_ga_vendors: usize,
    /// Vendors with a preview needed for `absorbing` (one GA vendor always suffices).
    pub absorbing_min_preview_vendors: usize,
    /// The vendors whose offerings count for the levels; the notes of the
    /// others are crawled, searched and reported, but never raise a level.
    pub vendors: Vec<Vendor>,
}

impl Default for AbsorptionSettings {
    fn default() -> Self {
        AbsorptionSettings {
            window: ConfigDuration(Duration::from_secs(
                DEFAULT_ABSORPTION_WINDOW_DAYS as u64 * 86_400,
            )),
            absorbed_min_ga_vendors: DEFAULT_ABSORBED_MIN_GA_VENDORS,
            absorbing_min_preview_vendors: DEFAULT_ABSORBING_MIN_PREVIEW_VENDORS,
            vendors: DEFAULT_ABSORPTION_VENDORS.to_vec(),
        }
    }
}

/// `[report]`: shape of the weekly report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// Items listed per topic and section before "and N more".
    pub items_per_section: usize,
    /// `[report.deliver]` as written; validated into [`Config::deliver`].
    deliver: Option<RawDeliver>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            items_per_section: DEFAULT_REPORT_ITEMS_PER_SECTION,
            deliver: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    arxiv_categories: Vec<String>,
    #[serde(default)]
    products: Vec<String>,
    #[serde(default)]
    systems: Vec<String>,
    #[serde(default)]
    aliases: BTreeMap<String, Vec<String>>,
}

/// `[[topics]]`: an area the team owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Short name, used in `topic:` queries and `--topic`.
    pub name: String,
    /// What belongs to the topic, in a sentence or two: shown under the
    /// topic's heading in the report and on `horizon serve`, and the
    /// definition tags and ranking are judged against.
    pub description: Option<String>,
    /// Phrases matched case-insensitively on word boundaries in title and summary.
    pub keywords: Vec<String>,
    /// Phrases that, in an item's title, keep the topic off it whatever else
    /// matched ("available in Model Garden": a model in a hosted API is not
    /// ML infrastructure).
    pub exclude: Vec<String>,
    /// A tantivy query for what keywords cannot say.
    pub query: Option<String>,
    /// Product names (cloud services, projects) whose items belong to the
    /// topic: matched in titles and cloud notes' product names only, and
    /// never sent to arXiv.
    pub products: Vec<String>,
    /// arXiv categories searched for this topic.
    pub arxiv_categories: Vec<String>,
    /// Systems the team runs itself in this area, watched by the absorption flags.
    pub systems: Vec<String>,
    /// Other names of each system (`Kafka = ["Apache Kafka", "MSK"]`).
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Line of the `[[topics]]` table.
    pub line: usize,
}

impl Config {
    /// Read, parse and validate a config file. The path is made absolute
    /// first ([`absolute`]): messages name it so, and a relative
    /// `[settings] index` is found beside it whatever the current folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let path = absolute(path);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &text)
    }

    /// Parse and validate config text; `path` is used in messages and to
    /// resolve a relative `[settings] index`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let doc = DeTable::parse(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: with_suggestion(e.message().trim()),
            }
        })?;
        let read = shape::read_all(text, doc, |mut doc| {
            let source_tables = doc.get_mut().remove("sources");
            let raw = RawConfig::deserialize(toml::de::Deserializer::from(doc))?;
            let sources = match source_tables {
                Some(value) => read_sources(value, text)?,
                None => Vec::new(),
            };
            Ok((raw, sources))
        });
        let refused: Vec<Problem> = read.errors.iter().map(|e| refused(text, e)).collect();
        let Some((raw, source_tables)) = read.value else {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                problems: refused,
            });
        };
        let mut problems = Vec::new();
        let (settings_line, settings) = match raw.settings {
            Some(s) => (line_col(text, s.span().start).0, s.into_inner()),
            None => (1, Settings::default()),
        };
        validate_settings(&settings, settings_line, &mut problems);

        let mut topics = Vec::new();
        let mut topic_names = BTreeSet::new();
        for spanned in raw.topics {
            let line = line_col(text, spanned.span().start).0;
            let t = spanned.into_inner();
            let topic = Topic {
                name: t.name.trim().to_string(),
                description: t.description.map(|d| d.trim().to_string()),
                keywords: t.keywords,
                exclude: t.exclude,
                query: t.query,
                products: t.products,
                arxiv_categories: t.arxiv_categories,
                systems: t.systems,
                aliases: t.aliases,
                line,
            };
            validate_topic(&topic, &mut topic_names, &mut problems);
            topics.push(topic);
        }

        let mut sources = Vec::new();
        let mut source_names = BTreeSet::new();
        for table in source_tables {
            if let Some(source) =
                build_source(table, &topic_names, &mut source_names, &mut problems)
            {
                sources.push(source);
            }
        }
        let mut offerings = Vec::new();
        for spanned in raw.offerings {
            let line = line_col(text, spanned.span().start).0;
            if let Some(o) = build_offering(spanned.into_inner(), line, &mut problems) {
                offerings.push(o);
            }
        }
        let rules = rules::build_rules(raw.rules, text, &topic_names, &mut problems);
        let radar = radar::build_radar(raw.radar, text, &topic_names, &mut problems);
        validate_absorption(&raw.absorption, &mut problems);
        let mut report = raw.report;
        let deliver = match report.deliver.take() {
            Some(d) => build_deliver(path, text, d, &mut problems),
            None => DeliverSettings::default(),
        };
        let alerts = match raw.alerts {
            Some(a) => build_alerts(path, text, a, &topic_names, &mut problems),
            None => AlertSettings::default(),
        };
        // A key set aside for its value is missing now; the checks that say
        // so would only repeat, less clearly, what serde said about it.
        problems.retain(|p| {
            !read
                .set_aside
                .iter()
                .any(|s| s.lines.contains(&p.line) && mentions(p, &s.key))
        });
        problems.extend(refused);
        if !problems.is_empty() {
            problems.sort_by_key(|p| (p.line, p.column));
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                problems,
            });
        }
        Ok(Config {
            path: path.to_path_buf(),
            settings,
            absorption: raw.absorption,
            report,
            topics,
            sources,
            offerings,
            deliver,
            rules,
            radar,
            alerts,
        })
    }

    /// The index folder, absolute: `[settings] index` resolved against the
    /// config file's folder (not the current one), else `index/` beside the
    /// file ([`default_index_dir`]).
    pub fn index_dir(&self) -> PathBuf {
        match &self.settings.index {
            Some(p) => config_folder(&self.path).join(p),
            None => default_index_dir(&self.path),
        }
    }

    /// A topic by name.
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.name == name)
    }
}

/// `path` made absolute against the current folder, for messages and for
/// resolving paths beside it; as given when the current folder cannot be
/// read. A `..` is resolved as the system resolves it when the path is
/// opened: from the real folder it leads out of (the existing folders above
/// the last component are canonicalized). Without `..`, nothing is resolved
/// ([`std::path::absolute`]): symlinks stay as written.
pub fn absolute(path: &Path) -> PathBuf {
    let Ok(abs) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    if !abs
        .components()
        .any(|c| c == std::path::Component::ParentDir)
    {
        return abs;
    }
    // The last component itself is kept as written (a symlinked file stays
    // a symlink); the deepest folder above it that exists is canonicalized.
    let mut rest = Vec::new();
    let mut folder = abs.as_path();
    loop {
        let (Some(parent), Some(name)) = (folder.parent(), folder.file_name()) else {
            return abs;
        };
        rest.push(name);
        folder = parent;
        if let Ok(real) = folder.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
    }
}

/// The index folder of a config that names none (or of a config file that
/// does not exist): `index/` beside the file, absolute.
pub fn default_index_dir(config_path: &Path) -> PathBuf {
    config_folder(config_path).join(DEFAULT_INDEX_DIR)
}

/// The absolute folder a config file is in.
fn config_folder(config_path: &Path) -> PathBuf {
    let path = absolute(config_path);
    match path.parent() {
        Some(folder) => folder.to_path_buf(),
        None => path,
    }
}

fn validate_settings(s: &Settings, line: usize, problems: &mut Vec<Problem>) {
    let mut bad = |key: &str, message: &str| {
        problems.push(Problem {
            column: None,
            line,
            context: format!("[settings] {key}"),
            message: message.to_string(),
        })
    };
    if s.concurrency == 0 {
        bad("concurrency", "must be at least 1");
    }
    if s.per_host_concurrency == 0 {
        bad("per_host_concurrency", "must be at least 1");
    }
    if s.timeout.0.is_zero() {
        bad("timeout", "must be longer than 0s");
    }
    if s.connect_timeout.0.is_zero() {
        bad("connect_timeout", "must be longer than 0s");
    }
    if s.max_body_bytes < 1024 {
        bad("max_body_bytes", "must be at least 1024");
    }
    if s.writer_heap_bytes < 15_000_000 {
        bad(
            "writer_heap_bytes",
            "must be at least 15000000 (tantivy's minimum)",
        );
    }
    if s.user_agent.trim().is_empty() {
        bad("user_agent", "must not be empty");
    }
    for entry in &s.allow_private_hosts {
        if let Some(problem) = crate::address::allow_entry_problem(entry) {
            bad(
                "allow_private_hosts",
                &format!("{problem} (each entry is a host name or an IP address, e.g. \"feeds.internal.example\" or \"10.0.0.5\")"),
            );
        }
    }
    for (host, h) in &s.hosts {
        if h.concurrency == Some(0) {
            bad(
                &format!("hosts.\"{host}\".concurrency"),
                "must be at least 1",
            );
        }
        if h.user_agent
            .as_deref()
            .is_some_and(|ua| ua.trim().is_empty())
        {
            bad(&format!("hosts.\"{host}\".user_agent"), "must not be empty");
        }
        if host.eq_ignore_ascii_case(ARXIV_API_HOST) {
            if let Some(ConfigDuration(d)) = h.interval {
                if d < Duration::from_millis(ARXIV_MIN_INTERVAL_MS) {
                    bad(
                        &format!("hosts.\"{host}\".interval"),
                        "arXiv's terms allow at most one request every 3s; the interval may only be longer",
                    );
                }
            }
            if h.concurrency.is_some_and(|c| c > 1) {
                bad(
                    &format!("hosts.\"{host}\".concurrency"),
                    "arXiv's terms allow one connection at a time",
                );
            }
        }
    }
}

/// The longest topic description accepted: a definition, not an essay.
pub const MAX_TOPIC_DESCRIPTION_CHARS: usize = 600;

fn validate_topic(t: &Topic, names: &mut BTreeSet<String>, problems: &mut Vec<Problem>) {
    let ctx = format!("topic {:?}", t.name);
    let mut bad = |message: String| {
        problems.push(Problem {
            column: None,
            line: t.line,
            context: ctx.clone(),
            message,
        })
    };
    if t.name.is_empty() {
        bad("name must not be empty".into());
    } else if t.name.contains(char::is_whitespace) {
        bad("name must be one word (use dashes, e.g. \"stream-processing\") so it can be used in `topic:` queries".into());
    } else if t.name.eq_ignore_ascii_case(crate::model::NO_TOPIC) {
        bad(format!(
            "{:?} is reserved: `--topic {}` lists the documents tagged with no topic",
            t.name,
            crate::model::NO_TOPIC
        ));
    } else if !names.insert(t.name.clone()) {
        bad("duplicate topic name".into());
    }
    if let Some(d) = &t.description {
        if d.is_empty() {
            bad("description is empty: leave the key out, or say what belongs to the topic".into());
        } else if d.chars().count() > MAX_TOPIC_DESCRIPTION_CHARS {
            bad(format!(
                "description is {} characters long; at most {MAX_TOPIC_DESCRIPTION_CHARS} (a sentence or two)",
                d.chars().count()
            ));
        } else if d.chars().any(char::is_control) {
            bad(
                "description holds a control character or a line break: write it on one line"
                    .into(),
            );
        }
    }
    if t.keywords.is_empty()
        && t.products.is_empty()
        && t.query.as_deref().is_none_or(|q| q.trim().is_empty())
    {
        bad("keywords is empty and there is no query: nothing would ever be tagged".into());
    }
    for k in &t.keywords {
        if k.trim().is_empty() {
            bad("keywords holds an empty phrase".into());
        }
    }
    if t.exclude.iter().any(|k| k.trim().is_empty()) {
        bad("exclude holds an empty phrase".into());
    }
    for s in &t.systems {
        if s.trim().is_empty() {
            bad("systems holds an empty name".into());
        }
    }
    for key in t.aliases.keys() {
        if !t.systems.iter().any(|s| s == key) {
            bad(format!(
                "aliases names {key:?}, which is not in systems ({}){}",
                t.systems.join(", "),
                did_you_mean(key, t.systems.iter().map(String::as_str))
            ));
        }
    }
}

/// A key or value serde refused, at its line and column.
fn refused(text: &str, e: &source::ReadError) -> Problem {
    let (line, column) = match &e.span {
        Some(span) => {
            let (line, column) = line_col(text, span.start);
            (line, Some(column))
        }
        None => (1, None),
    };
    Problem {
        line,
        column,
        context: String::new(),
        message: with_suggestion(e.message.trim()),
    }
}

/// Whether a problem's words name `key` (as a whole word).
fn mentions(p: &Problem, key: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    [&p.context, &p.message].iter().any(|text| {
        text.match_indices(key).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + key.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
    })
}

/// serde's "unknown field `per_host_intervl`, expected one of `index`, …"
/// (or "unknown variant `asw`, expected one of `aws`, …") plus "; did you
/// mean `per_host_interval`?" when one expected name is close.
fn with_suggestion(message: &str) -> String {
    match suggested(message) {
        Some(name) => format!("{message}; did you mean `{name}`?"),
        None => message.to_string(),
    }
}

/// The expected name serde's "unknown field/variant `x`, expected …" message
/// lists that is close to `x`.
fn suggested(message: &str) -> Option<&str> {
    let rest = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))?;
    let (typo, expected) = rest.split_once('`')?;
    closest(typo, expected.split('`').skip(1).step_by(2))
}

/// "; did you mean `name`?" when one of `names` is close to `typo`, else "".
pub(crate) fn did_you_mean<'a>(typo: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    closest(typo, names)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// The name among `names` closest to `typo` (Levenshtein distance, ignoring
/// case), when it is close enough to be what was meant: at most a third of
/// the typo's length, and 2 for short words.
pub(crate) fn closest<'a>(typo: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typo_lower = typo.to_lowercase();
    let limit = (typo.chars().count() / 3).max(2);
    names
        .into_iter()
        .filter(|name| *name != typo)
        .map(|name| (strsim::levenshtein(&typo_lower, &name.to_lowercase()), name))
        .min()
        .filter(|(distance, _)| *distance <= limit)
        .map(|(_, name)| name)
}

/// 1-based line and column of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    (line, column)
}

/// What the shipped examples say, for the tests that hold them to the parser.
#[cfg(test)]
pub(crate) mod shipped {
    use std::path::Path;

    fn read(file: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    /// The commented-out block of the shipped `sources.toml` that starts with
    /// the comment line `header` (e.g. `# [alerts]`), uncommented.
    pub(crate) fn commented_block(header: &str) -> String {
        read("sources.toml")
            .lines()
            .skip_while(|l| *l != header)
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{}\n", l.trim_start_matches('#').trim_start()))
            .collect()
    }

    /// The first TOML code block of the README after the heading `heading`.
    pub(crate) fn readme_toml(heading: &str) -> String {
        read("README.md")
            .split(heading)
            .nth(1)
            .and_then(|s| s.split("```toml\n").nth(1))
            .and_then(|s| s.split("```").next())
            .unwrap_or_else(|| panic!("no TOML block after {heading:?} in README.md"))
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    // Regression (issue 13): config key typos got no "did you mean".
    #[test]
    fn key_typos_get_a_suggestion() {
        let e = super::Config::parse(
            std::path::Path::new("sources.toml"),
            "[settings]\nper_host_intervl = \"1s\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean `per_host_interval`?"), "{e}");
        let e = super::Config::parse(
            std::path::Path::new("sources.toml"),
            "[settings]\nzzz = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("test.toml"), text)
    }

    // Guards #31 item 7: five typos and a bad value took six runs (serde
    // stopped at the first).
    #[test]
    fn every_typo_and_bad_value_is_reported_in_one_run() {
        let err = parse(
            r#"[setings]
concurrency = 2

[settings]
per_host_intervl = "1s"
timeout = "ten seconds"

[[topics]]
name = "streaming"
keywords = ["kafka"]
sytems = ["Kafka"]

[[sources]]
name = "aws"
kind = "cloud"
vendor = "asw"

[[sources]]
name = "blog"
kind = "fed"
url = "http://127.0.0.1:9/feed.xml"
"#,
        )
        .unwrap_err()
        .to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 7, "{err}");
        assert!(
            lines[0].starts_with("test.toml:1:2: unknown field `setings`"),
            "{err}"
        );
        assert!(lines[0].ends_with("did you mean `settings`?"), "{err}");
        assert!(
            lines[1].starts_with("test.toml:5:1: unknown field `per_host_intervl`"),
            "{err}"
        );
        assert!(
            lines[1].ends_with("did you mean `per_host_interval`?"),
            "{err}"
        );
        assert!(lines[2].starts_with("test.toml:6:11: "), "{err}");
        assert!(lines[2].contains("ten seconds"), "{err}");
        assert!(
            lines[3].starts_with("test.toml:11:1: unknown field `sytems`"),
            "{err}"
        );
        assert!(lines[3].ends_with("did you mean `systems`?"), "{err}");
        assert!(
            lines[4].starts_with("test.toml:16:10: unknown variant `asw`"),
            "{err}"
        );
        assert!(lines[4].ends_with("did you mean `aws`?"), "{err}");
        assert!(
            lines[5].starts_with("test.toml:20:8: unknown variant `fed`"),
            "{err}"
        );
        assert!(lines[5].ends_with("did you mean `feed`?"), "{err}");
        assert!(err.ends_with("6 problems in test.toml"), "{err}");
    }

    // Guards the checks after serde: a value serde refused is not reported a
    // second time as missing, while the other checks still run.
    #[test]
    fn a_refused_value_is_not_also_reported_missing() {
        let err = parse(
            "[[topics]]\nname = \"t\"\nkeywords = \"kafka\"\n\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"ftp://x/\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("test.toml:3:12: invalid type: string \"kafka\""),
            "{err}"
        );
        assert!(!err.contains("keywords is empty"), "{err}");
        assert!(err.contains("must be http or https"), "{err}");
        assert!(err.ends_with("2 problems in test.toml"), "{err}");
    }

    // Guards #31 item 7: a misspelt name in a value gets a suggestion too.
    #[test]
    fn misspelt_names_in_values_get_a_suggestion() {
        let err = parse(
            r#"[[topics]]
name = "streaming"
keywords = ["kafka"]
systems = ["Kafka"]
aliases = { Kafak = ["MSK"] }

[[sources]]
name = "papers"
kind = "arxiv"
topics = ["streming"]

[[rules]]
query = "webinar"
action = "mutte"
topic = "Streaming"
"#,
        )
        .unwrap_err()
        .to_string();
        for wanted in [
            "test.toml:1: topic \"streaming\": aliases names \"Kafak\", which is not in systems (Kafka); did you mean `Kafka`?",
            "test.toml:7: source \"papers\": topics names \"streming\", which is not a [[topics]] name; did you mean `streaming`?",
            "is not an action: use \"mute\", \"pin\" or \"boost\"; did you mean `mute`?",
            "no topic named \"Streaming\"; topics are: streaming; did you mean `streaming`?",
        ] {
            assert!(err.contains(wanted), "{wanted}\n{err}");
        }
    }

    #[test]
    fn near_misses_are_suggested_and_far_ones_are_not() {
        let names = ["settings", "sources", "topics"];
        assert_eq!(closest("setings", names), Some("settings"));
        assert_eq!(closest("Topics", names), Some("topics"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(closest("settings", names), None, "not itself");
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse(
            r#"
[[topics]]
name = "streaming"
keywords = ["stream processing"]
systems = ["Kafka"]
aliases = { Kafka = ["MSK"] }

[[sources]]
name = "blog"
kind = "feed"
url = "http://127.0.0.1:1/feed.xml"
"#,
        )
        .unwrap();
        assert_eq!(c.settings.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(c.topics[0].line, 2);
        assert_eq!(c.sources[0].line, 8);
        assert_eq!(c.sources[0].kind(), SourceKind::Feed);
    }

    #[test]
    fn malformed_toml_names_line_and_column() {
        let err = parse("[settings]\nconcurrency = \n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("test.toml:2:"), "{err}");
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = parse(
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x/\"\nurll = \"x\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("test.toml:5:"), "{err}");
        assert!(err.contains("urll"), "{err}");
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = parse("[[sources]]\nname = \"a\"\nkind = \"rss\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("test.toml:3:"), "{err}");
        assert!(
            err.contains("rss") && err.contains("github_trending"),
            "{err}"
        );
    }

    #[test]
    fn validation_reports_every_problem_with_context() {
        let err = parse(
            r#"
[[topics]]
name = "t"
keywords = []

[[sources]]
name = "a"
kind = "feed"
url = "ftp://example.org/feed"

[[sources]]
name = "a"
kind = "cloud"
"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("test.toml:2: topic \"t\": keywords is empty"),
            "{err}"
        );
        assert!(
            err.contains(
                "test.toml:6: source \"a\": url \"ftp://example.org/feed\" must be http or https"
            ),
            "{err}"
        );
        assert!(
            err.contains("test.toml:11: source \"a\": duplicate source name"),
            "{err}"
        );
        assert!(err.contains("needs `vendor"), "{err}");
        assert!(err.contains("4 problems"), "{err}");
    }

    #[test]
    fn arxiv_interval_may_only_be_slower() {
        let err = parse("[settings.hosts.\"export.arxiv.org\"]\ninterval = \"1s\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most one request every 3s"), "{err}");
        assert!(parse("[settings.hosts.\"export.arxiv.org\"]\ninterval = \"5s\"\n").is_ok());
    }

    #[test]
    fn key_of_another_kind_is_rejected() {
        let err = parse(
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x/\"\nvendor = \"aws\"\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "test.toml:5: source \"a\": key `vendor` does not apply to kind = \"feed\""
        );
    }

    #[test]
    fn topic_descriptions_are_kept_and_checked() {
        let topic =
            |d: &str| format!("[[topics]]\nname = \"t\"\nkeywords = [\"k\"]\ndescription = {d}\n");
        let c = parse(&topic("\"  Queues and brokers. \"")).unwrap();
        assert_eq!(
            c.topics[0].description.as_deref(),
            Some("Queues and brokers.")
        );
        let err = parse(&topic("\" \"")).unwrap_err().to_string();
        assert!(
            err.contains("test.toml:1: topic \"t\": description is empty"),
            "{err}"
        );
        let err = parse(&topic("\"a\\nb\"")).unwrap_err().to_string();
        assert!(
            err.contains("description holds a control character"),
            "{err}"
        );
        let long = format!("\"{}\"", "x".repeat(MAX_TOPIC_DESCRIPTION_CHARS + 1));
        let err = parse(&topic(&long)).unwrap_err().to_string();
        assert!(err.contains("description is 601 characters long"), "{err}");
        let err = parse(&topic("3")).unwrap_err().to_string();
        assert!(
            err.contains("test.toml:4:"),
            "a wrong type names its line: {err}"
        );
    }

    /// The checked-in sources.toml is a real, valid default.
    #[test]
    fn checked_in_sources_toml_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
        let c = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.topics.len() >= 8, "{} topics", c.topics.len());
        assert!(c
            .topics
            .iter()
            .all(|t| !t.keywords.is_empty() && !t.systems.is_empty()));
        for t in &c.topics {
            assert!(
                t.description.as_deref().is_some_and(|d| d.len() > 40),
                "topic {:?} has no description",
                t.name
            );
        }
        for kind in [
            SourceKind::Arxiv,
            SourceKind::Feed,
            SourceKind::GithubTrending,
            SourceKind::Cloud,
        ] {
            assert!(
                c.sources.iter().any(|s| s.kind() == kind),
                "no {kind} source"
            );
        }
        for &v in Vendor::ALL {
            assert!(
                c.sources.iter().any(|s| s.spec
                    == SourceSpec::Cloud {
                        vendor: v,
                        product: None
                    }),
                "no {v} changelog"
            );
        }
        assert!(c
            .sources
            .iter()
            .all(|s| s.url.as_ref().is_none_or(|u| u.scheme() == "https")));
    }

    // Guards the defaults of #16: at least 40 sources, each with the
    // provenance of its URL on a comment line just above its table.
    #[test]
    fn every_checked_in_source_says_where_its_url_was_seen() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.sources.len() >= 40, "{} sources", c.sources.len());
        let lines: Vec<&str> = text.lines().collect();
        for s in &c.sources {
            let above = lines[..s.line - 1]
                .iter()
                .rev()
                .take_while(|l| l.starts_with('#'))
                .any(|l| l.starts_with("# provenance: "));
            assert!(above, "source {:?} has no `# provenance:` comment", s.name);
        }
        let product = |name: &str| {
            c.sources
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.spec.clone())
        };
        assert_eq!(
            product("gcp-bigquery"),
            Some(SourceSpec::Cloud {
                vendor: Vendor::Gcp,
                product: Some("BigQuery".into())
            })
        );
        assert_eq!(c.absorption.vendors, crate::DEFAULT_ABSORPTION_VENDORS);
    }

    #[test]
    fn absolute_paths_resolve_dot_dot_like_the_system() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(tmp.path().join("a")).unwrap();
        std::fs::create_dir_all(tmp.path().join("b")).unwrap();
        let via = |rest: &str| absolute(&tmp.path().join("a/..").join(rest));
        assert_eq!(via("b/sources.toml"), real.join("b/sources.toml"));
        assert_eq!(via("b/new/index"), real.join("b/new/index"));
        let plain = tmp.path().join("b/index");
        assert_eq!(absolute(&plain), plain, "nothing to resolve");
        assert!(absolute(Path::new("index")).is_absolute());
    }

    // Guards #31 item 7: the index beside the config file, whatever the
    // current folder, named by its absolute path.
    #[test]
    fn the_index_is_found_beside_the_config_file() {
        let text = "[settings]\nindex = \"data/idx\"\n";
        let c = Config::parse(Path::new("/srv/horizon/sources.toml"), text).unwrap();
        assert_eq!(c.index_dir(), Path::new("/srv/horizon/data/idx"));
        let c = Config::parse(Path::new("/srv/horizon/sources.toml"), "").unwrap();
        assert_eq!(c.index_dir(), Path::new("/srv/horizon/index"));
        let c = Config::parse(
            Path::new("/srv/horizon/sources.toml"),
            "[settings]\nindex = \"/var/lib/horizon\"\n",
        )
        .unwrap();
        assert_eq!(c.index_dir(), Path::new("/var/lib/horizon"));
        let c = Config::parse(Path::new("sources.toml"), "").unwrap();
        assert!(c.index_dir().is_absolute(), "{}", c.index_dir().display());
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
