//! One crawl: plan → fetch → parse → tag → upsert → one commit → state → alerts.
//!
//! Sources run concurrently (the fetcher enforces global and per-host limits).
//! A failing source is recorded and the others go on ("keep going, remember,
//! decide at the end"). The index is committed once, and the crawl state
//! (validators, health) is written only after that commit, so a crash at any
//! point leaves the last commit intact and the next crawl re-fetches what was
//! lost. SIGINT/SIGTERM stop new work, commit what was fetched and report
//! `interrupted`. Then, still under the lock, the `[alerts]` are sent
//! ([`crate::alerts`]) and what each destination accepted is saved with the
//! state; their failures are reported, never counted in the exit status.

use crate::model::vocabulary;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use tantivy::Term;
use tracing::{debug, info, warn};
use url::Url;

use crate::absorb::{Catalog, Classifier};
use crate::alerts::{AlertMemory, AlertsReport};
use crate::config::{Config, Source, SourceSpec};
use crate::fetch::{FetchSettings, Fetched, Fetcher, ResponseHook, Validators};
use crate::index::{merge, HorizonIndex, IndexError, Upsert};
use crate::model::Item;
use crate::sources::{self, Adapter, ParseContext};
use crate::state::{CrawlLock, CrawlRecord, CrawlState, StateError};
use crate::topics::{TagError, Tagger};

/// Called with each source's report as it finishes.
pub type SourceCallback = Box<dyn Fn(&SourceReport) + Send + Sync>;

/// What to crawl and how.
#[derive(Default)]
pub struct CrawlOptions {
    /// Only these sources (by name); all enabled sources when empty.
    pub only: Vec<String>,
    /// A future that resolves when the crawl should stop early (SIGINT/SIGTERM).
    pub interrupt: Option<futures::future::BoxFuture<'static, ()>>,
    /// Sees every final response (used by `--record`).
    pub hook: Option<ResponseHook>,
    /// Called after each source finishes (for progress display).
    pub on_source_done: Option<SourceCallback>,
    /// Sends requests elsewhere (used by `--replay`).
    pub rewrite: Option<crate::fetch::UrlRewrite>,
    /// Do not send validators (used by `--record`, so every body is kept).
    pub ignore_validators: bool,
    /// Send `[alerts]` after the commit, reading the destinations' secrets
    /// through this lookup of environment variables; `None` sends none
    /// (`--no-alerts`), and the memory of what was sent is left as it is.
    pub alerts: Option<AlertEnv>,
}

/// How a crawl looks up the environment variables `[alerts]` names.
pub type AlertEnv = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What happened to one source.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceReport {
    /// Source name.
    pub name: String,
    /// Source kind.
    pub kind: String,
    /// Requests sent (retries included).
    pub requests: u32,
    /// Responses that were 304 Not Modified.
    pub not_modified: u32,
    /// Body bytes downloaded (decoded).
    pub bytes: u64,
    /// Items parsed.
    pub items: usize,
    /// Items not in the index before.
    pub new: usize,
    /// Items whose content changed.
    pub updated: usize,
    /// Items already indexed as they are.
    pub unchanged: usize,
    /// Why the source failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why the source was not tried this run, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// True when every failed request of the source failed on the network
    /// path (DNS, refused, unreachable, connect timeout) rather than at a server.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub network_failure: bool,
    /// Things worth a look that did not fail the source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The article pages of a `full_text = true` feed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub articles: Option<ArticleCounts>,
    /// Wall time, in milliseconds.
    pub elapsed_ms: u64,
}

/// What became of the article pages of a `full_text = true` feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ArticleCounts {
    /// Pages whose main text was extracted into the body.
    pub extracted: u32,
    /// Pages answered 304: the body already indexed stands.
    pub not_modified: u32,
    /// Pages not fetched or not read (robots.txt, network, HTTP, no article
    /// text); the item keeps the feed's text.
    pub failed: u32,
}

vocabulary! {
    "crawl status",
    /// How a crawl went, as a whole.
    pub enum CrawlStatus {
        /// Every source that was tried succeeded.
        Ok,
        /// Some sources failed; the rest were indexed.
        Partial,
        /// Every source that was tried failed.
        Failed,
        /// SIGINT/SIGTERM cut it short; what was fetched was committed.
        Interrupted,
    }
}

/// The outcome of a crawl.
#[derive(Debug, Clone, Serialize)]
pub struct CrawlReport {
    /// How it went.
    pub status: CrawlStatus,
    /// The likely cause when every source failed on the network path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// When it started.
    pub started: Timestamp,
    /// When it finished.
    pub finished: Timestamp,
    /// Per source, in config order.
    pub sources: Vec<SourceReport>,
    /// Documents in the index after the commit.
    pub documents: usize,
    /// Whether SIGINT/SIGTERM cut it short.
    pub interrupted: bool,
    /// What the `[alerts]` destinations got; absent when none is configured,
    /// with `--no-alerts`, or when the crawl was interrupted. Its failures
    /// never change the exit status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsReport>,
}

/// What the summary says when no source could be reached at all.
pub const OFFLINE_CAUSE: &str = "no source could be reached (DNS lookups or connections failed): \
the network is unreachable or this machine is offline; `horizon demo` shows horizon working without a network";

/// The crawl's status word: see [`CrawlReport::status`].
fn crawl_status(sources: &[SourceReport], interrupted: bool) -> CrawlStatus {
    let failed = sources.iter().filter(|r| r.error.is_some()).count();
    let tried = sources.iter().filter(|r| r.skipped.is_none()).count();
    if interrupted {
        CrawlStatus::Interrupted
    } else if failed > 0 && failed == tried {
        CrawlStatus::Failed
    } else if failed > 0 {
        CrawlStatus::Partial
    } else {
        CrawlStatus::Ok
    }
}

/// [`OFFLINE_CAUSE`] when every source failed and every failure was a network one.
fn likely_cause(sources: &[SourceReport], status: CrawlStatus) -> Option<String> {
    let all_network = sources
        .iter()
        .filter(|r| r.error.is_some())
        .all(|r| r.network_failure);
    (status == CrawlStatus::Failed && all_network).then(|| OFFLINE_CAUSE.to_string())
}

/// Failed requests of one source, grouped by message, so ten arXiv queries
/// (or five listing URLs) failing alike make one entry with a count.
#[derive(Debug, Default)]
struct Failures {
    groups: Vec<FailureGroup>,
}

#[derive(Debug)]
struct FailureGroup {
    /// Distinct URLs, without their query strings, first seen first.
    urls: Vec<String>,
    message: String,
    requests: usize,
    network: bool,
}

impl Failures {
    /// Remember one failed request (or unparsable body) of `url`.
    fn push(&mut self, url: &Url, message: String, network: bool) {
        // What is kept here is shown and saved: no credentials (`redact`).
        let url = crate::redact::redact_url(&crate::text::url_without_query(url)).into_owned();
        let message = crate::redact::redact_urls_in(&message).into_owned();
        match self.groups.iter_mut().find(|g| g.message == message) {
            Some(g) => {
                g.requests += 1;
                if !g.urls.contains(&url) {
                    g.urls.push(url);
                }
            }
            None => self.groups.push(FailureGroup {
                urls: vec![url],
                message,
                requests: 1,
                network,
            }),
        }
    }

    /// One line: `url [and N other URLs]: message [(N requests)]`, groups
    /// separated by `; `.
    fn summary(&self) -> Option<String> {
        if self.groups.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let first = g.urls.first().map(String::as_str).unwrap_or("");
                let urls = match g.urls.len() {
                    0 | 1 => first.to_string(),
                    2 => format!("{first} and 1 other URL"),
                    n => format!("{first} and {} other URLs", n - 1),
                };
                match g.requests {
                    1 => format!("{urls}: {}", g.message),
                    n => format!("{urls}: {} ({n} requests)", g.message),
                }
            })
            .collect();
        Some(parts.join("; "))
    }

    /// Whether every failure was on the network path.
    fn all_network(&self) -> bool {
        !self.groups.is_empty() && self.groups.iter().all(|g| g.network)
    }

    /// Write the summary into the source's report.
    fn finish(&self, report: &mut SourceReport) {
        report.error = self.summary();
        report.network_failure = self.all_network();
    }
}

impl CrawlReport {
    /// Sources that failed.
    pub fn failed(&self) -> usize {
        self.sources.iter().filter(|s| s.error.is_some()).count()
    }

    /// The exit status: 0 all fine, 1 partial, 4 interrupted.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            crate::exit::INTERRUPTED
        } else if self.failed() > 0 {
            crate::exit::PARTIAL
        } else {
            crate::exit::OK
        }
    }
}

/// Why a crawl could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// `--source` named something not in the config.
    #[error("no source named {name:?} in {config}; sources are: {known}")]
    UnknownSource {
        /// The name given.
        name: String,
        /// The config file.
        config: String,
        /// The names that exist.
        known: String,
    },
    /// A topic query is invalid.
    #[error(transparent)]
    Tag(#[from] TagError),
    /// Index trouble.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// State or lock trouble.
    #[error(transparent)]
    State(#[from] StateError),
    /// The offering catalog is broken.
    #[error(transparent)]
    Catalog(#[from] crate::absorb::CatalogError),
    /// The HTTP client could not be built.
    #[error("HTTP client")]
    Client(#[source] crate::fetch::FetchError),
    /// A phase run on the blocking pool stopped without an answer (a bug);
    /// the task's panic is the source.
    #[error("the crawl's {phase} step failed; please report it")]
    Aborted {
        /// The phase: "tagging" or "upsert".
        phase: &'static str,
        /// The task's panic.
        #[source]
        source: tokio::task::JoinError,
    },
    /// tantivy failed while writing.
    #[error("writing the index")]
    Write(#[from] tantivy::TantivyError),
    /// The disk filled up while writing.
    #[error("the disk holding {} is full: nothing of this crawl was committed (the index is as the last crawl left it); free some space and crawl again (the files this attempt wrote are removed when the next crawl starts)", .0.display())]
    DiskFull(PathBuf),
}

/// A write error, in plain words when the disk is full.
fn write_error(dir: &Path, e: tantivy::TantivyError) -> CrawlError {
    match &e {
        tantivy::TantivyError::IoError(io) if io.kind() == std::io::ErrorKind::StorageFull => {
            CrawlError::DiskFull(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()))
        }
        _ => CrawlError::Write(e),
    }
}

impl CrawlError {
    /// Exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CrawlError::UnknownSource { .. } | CrawlError::Tag(_) => crate::exit::USAGE,
            _ => crate::exit::FATAL,
        }
    }
}

/// Result of running one source.
struct SourceRun {
    report: SourceReport,
    items: Vec<Item>,
    validators: Vec<(String, Validators)>,
    /// True when every response was a 304 (nothing to count for health).
    all_not_modified: bool,
    /// Failed requests, grouped for the summary.
    failures: Failures,
    /// The validator keys of the article pages a `full_text` feed links to
    /// now (`None` when no feed was read): the others of the source are
    /// dropped from the state, so it does not grow with the feed's history.
    articles_seen: Option<BTreeSet<String>>,
}

impl SourceRun {
    /// Count a response; true when it was a 304 (validators kept, nothing to parse).
    fn record_response(&mut self, key: &str, f: &Fetched) -> bool {
        self.report.requests += f.attempts;
        self.report.bytes += f.body.len() as u64;
        if f.not_modified {
            self.validators
                .push((key.to_string(), f.validators.clone()));
            self.report.not_modified += 1;
            return true;
        }
        self.all_not_modified = false;
        false
    }

    /// Count a request that failed after its retries (full detail for `-v`),
    /// or that robots.txt disallowed (never sent).
    fn record_failure(&mut self, url: &Url, fail: &RequestFailure) {
        self.all_not_modified = false;
        let fail = match fail {
            RequestFailure::Fetch(f) => f,
            RequestFailure::Robots(message) => {
                debug!(source = %self.report.name, url = %crate::redact::redact_url(url.as_str()), reason = %message, "not fetched");
                self.failures.push(url, message.clone(), false);
                return;
            }
        };
        self.report.requests += fail.attempts;
        debug!(source = %self.report.name, url = %crate::redact::redact_url(url.as_str()), error = %crate::redact::redact_urls_in(&fail.to_string()), "request failed");
        self.failures
            .push(url, fail.to_string(), fail.error.is_network());
    }

    /// Remember a body that did not parse.
    fn record_parse_error(&mut self, url: &Url, error: &sources::ParseError) {
        debug!(source = %self.report.name, url = %crate::redact::redact_url(url.as_str()), error = %crate::redact::redact_urls_in(&error.to_string()), "parse failed");
        self.failures.push(url, error.to_string(), false);
    }

    /// Keep a body's validators only if it parsed: a broken body must be
    /// fetched and reported again next time, not answered with a 304 that
    /// hides the failure.
    fn record_parse(&mut self, key: String, f: &Fetched, parsed: bool) {
        let v = if parsed {
            f.validators.clone()
        } else {
            Validators::default()
        };
        self.validators.push((key, v));
    }
}

/// Crawl `cfg`'s sources into the index at `index_dir`, in phases: plan
/// (which sources run, which back off) → fetch (one task per source; parsing
/// on the blocking pool) → merge (one item per id) → enrich (classify and
/// tag, on the blocking pool) → upsert and commit → record health and save
/// the state (only after the commit).
pub async fn crawl(
    cfg: &Config,
    index_dir: &Path,
    opts: CrawlOptions,
) -> Result<CrawlReport, CrawlError> {
    let started = Timestamp::now();
    let chosen = choose_sources(cfg, &opts.only)?;
    let catalog = Catalog::for_config(cfg)?;
    let tagger = Tagger::with_catalog(&cfg.topics, &catalog)?;
    let classifier = Classifier::new(catalog);
    // Before the lock file: never write among a folder of the user's own files.
    HorizonIndex::check_folder(index_dir)?;
    let _lock = CrawlLock::acquire(index_dir)?;
    let idx = Arc::new(HorizonIndex::open_or_create(index_dir)?);
    let mut state = CrawlState::load(index_dir)?;
    let searcher = idx.searcher()?;

    let plan = plan(cfg, &state, &chosen, &opts.only, started);
    let fetcher = build_fetcher(cfg, opts.hook.clone(), opts.rewrite.clone())?;
    let robots = Arc::new(crate::robots::Robots::new(
        fetcher.clone(),
        &cfg.settings,
        state.robots.clone(),
        started,
    ));
    let validators = if opts.ignore_validators {
        BTreeMap::new()
    } else {
        state.validators.clone()
    };
    let known = {
        let searcher = searcher.clone();
        let id_field = idx.fields().id;
        Arc::new(move |id: &str| {
            let term = Term::from_field_text(id_field, id);
            searcher.doc_freq(&term).map(|n| n > 0).unwrap_or(false)
        })
    };
    let inputs = FetchInputs {
        fetcher,
        robots: robots.clone(),
        validators: Arc::new(validators),
        topics: Arc::new(cfg.topics.clone()),
        known,
        started,
    };
    let mut fetched = fetch_all(&plan.runnable, inputs, opts.interrupt, opts.on_source_done).await;
    let items = merge_runs(&mut fetched.runs, started);
    let items = enrich(items, classifier, tagger).await?;
    let upserts = {
        let (idx, heap) = (idx.clone(), cfg.settings.writer_heap_bytes);
        let configured: BTreeSet<String> = cfg.sources.iter().map(|s| s.name.clone()).collect();
        // The merge lookups and the commit are blocking I/O: off the async threads.
        tokio::task::spawn_blocking(move || {
            for r in probable_renames(&idx, &searcher, &configured, &items)? {
                warn!(
                    source = %r.to,
                    "{} of its entries are already indexed under {:?}, which is no longer in the configuration; \
                     they are indexed again under the new name. If {:?} is {:?} renamed, run \
                     `horizon reindex --rename {:?}` to move the earlier documents and their marks to it",
                    r.shared, r.from, r.to, r.from, format!("{}={}", r.from, r.to)
                );
            }
            upsert(&idx, &searcher, items, started, heap)
        })
            .await
            .map_err(|source| CrawlError::Aborted {
                phase: "upsert",
                source,
            })??
    };

    // State only after the commit.
    let finished = Timestamp::now();
    let sources = record_health(
        &mut state,
        plan,
        fetched.runs,
        &upserts,
        &chosen,
        started,
        cfg.settings.failing_after,
    );
    let failed = sources.iter().filter(|r| r.error.is_some()).count();
    let status = crawl_status(&sources, fetched.interrupted);
    let cause = likely_cause(&sources, status);
    state.last_crawl = Some(CrawlRecord {
        started,
        finished,
        status: status.to_string(),
        sources: sources.len(),
        failed,
    });
    state.robots.extend(robots.fresh_records());
    state.save(index_dir)?;
    // Alerts after the commit and the state, still under the lock (so two
    // crawls never post the same alert): what was sent is saved again.
    let alerts = match opts.alerts {
        Some(env) if !cfg.alerts.is_empty() && !fetched.interrupted => {
            let report = send_alerts(cfg, &idx, &mut state.alerts, &*env).await;
            state.save(index_dir)?;
            Some(report)
        }
        _ => None,
    };
    let documents = idx.count(&idx.searcher()?)?;
    info!(documents, failed, status = %status, "crawl finished");
    Ok(CrawlReport {
        status,
        cause,
        started,
        finished,
        sources,
        documents,
        interrupted: fetched.interrupted,
        alerts,
    })
}

/// Collect the alerts of the moment (off the async threads) and send them:
/// the alerts phase. A failure to collect is the report's one problem.
async fn send_alerts(
    cfg: &Config,
    idx: &Arc<HorizonIndex>,
    memory: &mut AlertMemory,
    env: crate::alerts::Env<'_>,
) -> AlertsReport {
    let now = Timestamp::now();
    let job = {
        let (idx, cfg) = (idx.clone(), cfg.clone());
        move || crate::alerts::collect(&idx, &cfg, now)
    };
    let collected = match tokio::task::spawn_blocking(job).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return alerts_not_sent(format!("{:#}", anyhow::Error::new(e))),
        Err(e) => return alerts_not_sent(format!("collecting the alerts stopped: {e}")),
    };
    for p in &collected.problems {
        warn!("alerts: {p}");
    }
    let options = crate::deliver::DeliverOptions {
        user_agent: cfg.settings.user_agent.clone(),
        connect_timeout: cfg.settings.connect_timeout.0,
        timeout: cfg.settings.timeout.0,
    };
    crate::alerts::send_all(&cfg.alerts, collected, memory, &options, env, now).await
}

/// An alerts report saying nothing was sent, and why.
fn alerts_not_sent(problem: String) -> AlertsReport {
    warn!("alerts not sent: {problem}");
    AlertsReport {
        problems: vec![format!("no alert was sent: {problem}")],
        ..Default::default()
    }
}

/// The plan phase's result: the sources to fetch, and the reports of those
/// backing off after repeated failures.
struct Plan {
    runnable: Vec<Source>,
    skipped: BTreeMap<String, SourceReport>,
}

/// Which of `chosen` run now: all of them when named with `--source`, else
/// those not backing off (see [`backoff_until`]).
fn plan(
    cfg: &Config,
    state: &CrawlState,
    chosen: &[&Source],
    only: &[String],
    started: Timestamp,
) -> Plan {
    let mut plan = Plan {
        runnable: Vec::new(),
        skipped: BTreeMap::new(),
    };
    for src in chosen {
        let health = state.sources.get(&src.name).cloned().unwrap_or_default();
        let backing_off = if only.is_empty() {
            backoff_until(&health, cfg.settings.failing_after).filter(|until| *until > started)
        } else {
            None
        };
        match backing_off {
            Some(until) => {
                let report = SourceReport {
                    name: src.name.clone(),
                    kind: src.kind().to_string(),
                    skipped: Some(format!(
                        "failing for {} runs in a row; next try after {} (name it with --source to try now)",
                        health.consecutive_failures,
                        until.strftime("%Y-%m-%d %H:%M UTC")
                    )),
                    ..Default::default()
                };
                plan.skipped.insert(src.name.clone(), report);
            }
            None => plan.runnable.push((*src).clone()),
        }
    }
    plan
}

/// The polite fetcher of a crawl or a check, with `--record`'s hook and
/// `--replay`'s rewrite.
pub(crate) fn build_fetcher(
    cfg: &Config,
    hook: Option<ResponseHook>,
    rewrite: Option<crate::fetch::UrlRewrite>,
) -> Result<Arc<Fetcher>, CrawlError> {
    let mut fetcher =
        Fetcher::new(FetchSettings::from_settings(&cfg.settings)).map_err(CrawlError::Client)?;
    if let Some(hook) = hook {
        fetcher = fetcher.with_hook(hook);
    }
    if let Some(rw) = rewrite {
        fetcher = fetcher.with_rewrite(rw);
    }
    Ok(Arc::new(fetcher))
}

/// What every source task shares.
struct FetchInputs {
    fetcher: Arc<Fetcher>,
    robots: Arc<crate::robots::Robots>,
    validators: Arc<BTreeMap<String, Validators>>,
    topics: Arc<Vec<crate::config::Topic>>,
    known: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    started: Timestamp,
}

/// The fetch phase's result.
struct FetchOutcome {
    /// One per source that finished, in the order they finished.
    runs: Vec<SourceRun>,
    /// Whether SIGINT/SIGTERM stopped the phase before every source finished.
    interrupted: bool,
}

/// Run every source at once (the fetcher's per-host and global limits pace
/// them) until all finish or `interrupt` resolves.
async fn fetch_all(
    runnable: &[Source],
    inputs: FetchInputs,
    interrupt: Option<futures::future::BoxFuture<'static, ()>>,
    on_done: Option<SourceCallback>,
) -> FetchOutcome {
    let inputs = Arc::new(inputs);
    let mut stream = futures::stream::iter(runnable.iter().cloned().map(|src| {
        let inputs = inputs.clone();
        async move {
            // The source's configured URL decides which non-public addresses
            // its requests, redirects and article pages may reach.
            let reach = crate::address::Reach::of_configured(src.url.as_ref());
            let work = run_source(
                &src,
                &inputs.topics,
                Net {
                    fetcher: &inputs.fetcher,
                    robots: &inputs.robots,
                },
                &inputs.validators,
                &*inputs.known,
                inputs.started,
            );
            crate::address::within_reach(reach, work).await
        }
    }))
    .buffer_unordered(runnable.len().max(1));
    let mut interrupt = interrupt.unwrap_or_else(|| Box::pin(futures::future::pending()));
    let mut outcome = FetchOutcome {
        runs: Vec::new(),
        interrupted: false,
    };
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(run) => {
                    if let Some(cb) = &on_done {
                        cb(&run.report);
                    }
                    outcome.runs.push(run);
                }
                None => break,
            },
            _ = &mut interrupt => {
                warn!("interrupted: committing what was fetched so far");
                outcome.interrupted = true;
                break;
            }
        }
    }
    outcome
}

/// Everything fetched as one item per id (the same paper from two listings
/// is one document).
fn merge_runs(runs: &mut [SourceRun], started: Timestamp) -> Vec<Item> {
    let mut pending: BTreeMap<String, Item> = BTreeMap::new();
    for run in runs {
        for item in run.items.drain(..) {
            let merged = match pending.remove(&item.id) {
                Some(prev) => merge(item, Some(&prev), started).0,
                None => item,
            };
            pending.insert(merged.id.clone(), merged);
        }
    }
    pending.into_values().collect()
}

/// Classify the cloud notes, then tag topics (the classifier's links are
/// evidence for the tagger), on the blocking pool.
async fn enrich(
    mut items: Vec<Item>,
    classifier: Classifier,
    tagger: Tagger,
) -> Result<Vec<Item>, CrawlError> {
    let job = move || -> Result<Vec<Item>, CrawlError> {
        classifier.classify_all(&mut items);
        tagger.tag(&mut items)?;
        Ok(items)
    };
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|source| CrawlError::Aborted {
            phase: "tagging",
            source,
        })?
}

/// A configured source whose new entries another source, no longer
/// configured, already has: most likely the same source renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProbableRename {
    from: String,
    to: String,
    shared: usize,
}

/// Feed ids carry their source's name ([`crate::ids`]), so a renamed source's
/// entries come back under new ids. Find the sources whose entries not yet
/// indexed are indexed under the name of a source the configuration no
/// longer has, so the crawl can say so rather than duplicate silently.
fn probable_renames(
    idx: &HorizonIndex,
    searcher: &tantivy::Searcher,
    configured: &BTreeSet<String>,
    items: &[Item],
) -> Result<Vec<ProbableRename>, CrawlError> {
    let gone: Vec<String> = idx
        .counts_by(searcher, &tantivy::query::AllQuery, "source")?
        .into_keys()
        .filter(|name| !configured.contains(name))
        .collect();
    if gone.is_empty() {
        return Ok(Vec::new());
    }
    let id_field = idx.fields().id;
    let indexed = |id: &str| {
        searcher
            .doc_freq(&Term::from_field_text(id_field, id))
            .is_ok_and(|n| n > 0)
    };
    let mut shared: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for item in items {
        let Some((_, entry)) = crate::ids::feed_parts(&item.id) else {
            continue;
        };
        if indexed(&item.id) {
            continue;
        }
        if let Some(from) = gone
            .iter()
            .find(|g| indexed(&crate::ids::feed_id(g, entry)))
        {
            *shared.entry((from, &item.source)).or_default() += 1;
        }
    }
    Ok(shared
        .into_iter()
        .map(|((from, to), shared)| ProbableRename {
            from: from.to_string(),
            to: to.to_string(),
            shared,
        })
        .collect())
}

/// What the upsert did for one source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Upserts {
    new: usize,
    updated: usize,
    unchanged: usize,
}

/// Write the items that are new or changed (and refresh `last_seen` once a
/// day for the others), then commit: per source, what happened.
fn upsert(
    idx: &HorizonIndex,
    searcher: &tantivy::Searcher,
    items: Vec<Item>,
    started: Timestamp,
    heap_bytes: usize,
) -> Result<HashMap<String, Upserts>, CrawlError> {
    let id_field = idx.fields().id;
    let mut counts: HashMap<String, Upserts> = HashMap::new();
    let mut merged_items = Vec::with_capacity(items.len());
    let mut writes_due = Vec::with_capacity(items.len());
    for item in items {
        let old = idx.get_exact(searcher, &item.id)?;
        let same_day = old
            .as_ref()
            .and_then(|o| o.last_seen)
            .is_some_and(|t| day(t) == day(started));
        let (merged, how) = merge(item, old.as_ref(), started);
        let c = counts.entry(merged.source.clone()).or_default();
        match how {
            Upsert::New => c.new += 1,
            Upsert::Updated => c.updated += 1,
            Upsert::Unchanged => c.unchanged += 1,
        }
        writes_due.push(how != Upsert::Unchanged || !same_day);
        merged_items.push(merged);
    }
    assign_stories(idx, searcher, &mut merged_items)?;
    let mut writer = idx.writer(heap_bytes)?;
    let mut writes = 0usize;
    for (merged, due) in merged_items.iter().zip(writes_due) {
        if due {
            writer.delete_term(Term::from_field_text(id_field, &merged.id));
            writer
                .add_document(idx.doc_of(merged))
                .map_err(|e| write_error(idx.dir(), e))?;
            writes += 1;
        }
    }
    if writes > 0 {
        writer.commit().map_err(|e| write_error(idx.dir(), e))?;
    }
    writer.wait_merging_threads()?;
    Ok(counts)
}

/// Give the items that have no story yet (new documents) theirs, against
/// the indexed documents within the story window of their dates.
fn assign_stories(
    idx: &HorizonIndex,
    searcher: &tantivy::Searcher,
    items: &mut [Item],
) -> Result<(), CrawlError> {
    let window = jiff::SignedDuration::from_hours(crate::stories::WINDOW_DAYS * 24);
    let mut dates: Vec<Timestamp> = items
        .iter()
        .filter(|i| i.story.is_none())
        .filter_map(Item::date)
        .collect();
    dates.sort();
    // The union of [date - window, date + window], as few ranges as it takes.
    let mut ranges: Vec<(Timestamp, Timestamp)> = Vec::new();
    for d in dates {
        let (from, to) = (
            d.checked_sub(window).unwrap_or(d),
            d.checked_add(window).unwrap_or(d),
        );
        match ranges.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => ranges.push((from, to)),
        }
    }
    let batch: std::collections::HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let mut known = Vec::new();
    for (from, to) in ranges {
        for doc in idx.dated_between(searcher, from, to)? {
            if !batch.contains(doc.id.as_str()) {
                known.push(crate::stories::Signature::of(&doc));
            }
        }
    }
    crate::stories::assign(items, known);
    Ok(())
}

/// Fold each run into its source's health and validators, and return every
/// chosen source's report in config order (skipped and unfinished ones too).
fn record_health(
    state: &mut CrawlState,
    plan: Plan,
    runs: Vec<SourceRun>,
    upserts: &HashMap<String, Upserts>,
    chosen: &[&Source],
    started: Timestamp,
    failing_after: u32,
) -> Vec<SourceReport> {
    let mut reports = plan.skipped;
    for run in runs {
        let mut report = run.report;
        if let Some(u) = upserts.get(&report.name) {
            report.new = u.new;
            report.updated = u.updated;
            report.unchanged = u.unchanged;
        }
        for (url, v) in run.validators {
            if v.is_empty() {
                state.validators.remove(&url);
            } else {
                state.validators.insert(url, v);
            }
        }
        if let Some(seen) = &run.articles_seen {
            let prefix = article_prefix(&report.name);
            state
                .validators
                .retain(|k, _| !k.starts_with(&prefix) || seen.contains(k));
        }
        let h = state.sources.entry(report.name.clone()).or_default();
        update_health(h, &report, run.all_not_modified, started);
        if h.layout_changed() && report.error.is_none() && !run.all_not_modified {
            report.warnings.push(format!(
                "returned no items after returning up to {} (feed or page layout changed?)",
                h.max_item_count
            ));
        }
        if h.consecutive_failures >= failing_after {
            report.warnings.push(format!(
                "has failed {} runs in a row; it will be tried less often until it recovers",
                h.consecutive_failures
            ));
        }
        reports.insert(report.name.clone(), report);
    }
    for src in &plan.runnable {
        reports
            .entry(src.name.clone())
            .or_insert_with(|| SourceReport {
                name: src.name.clone(),
                kind: src.kind().to_string(),
                skipped: Some("not finished: the crawl was interrupted".into()),
                ..Default::default()
            });
    }
    chosen
        .iter()
        .filter_map(|s| reports.remove(&s.name))
        .collect()
}

/// One run's effect on its source's health.
fn update_health(
    h: &mut crate::state::SourceHealth,
    report: &SourceReport,
    all_not_modified: bool,
    started: Timestamp,
) {
    h.runs += 1;
    h.last_attempt = Some(started);
    if let Some(err) = &report.error {
        h.consecutive_failures += 1;
        h.last_error = Some(err.clone());
        h.last_error_at = Some(started);
        return;
    }
    h.consecutive_failures = 0;
    h.last_success = Some(started);
    if !all_not_modified {
        h.last_item_count = Some(report.items);
        h.max_item_count = h.max_item_count.max(report.items);
        if report.items == 0 {
            h.consecutive_empty += 1;
        } else {
            h.consecutive_empty = 0;
        }
    }
    if report.new == 0 && report.updated == 0 {
        h.consecutive_nothing_new += 1;
    } else {
        h.consecutive_nothing_new = 0;
    }
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// When a failing source may be tried again: after `failing_after` failures in
/// a row, wait 1, 2, 4… days (at most 7) after the last attempt.
pub fn backoff_until(h: &crate::state::SourceHealth, failing_after: u32) -> Option<Timestamp> {
    if h.consecutive_failures < failing_after.max(1) {
        return None;
    }
    let exp = (h.consecutive_failures - failing_after).min(3);
    let days: i64 = (1i64 << exp).min(7);
    // An hour's slack so a nightly timer that fires a little early still tries.
    let wait = (days * 24 - 1).hours();
    h.last_attempt.and_then(|t| t.checked_add(wait).ok())
}

/// The sources named with `--source` (all enabled ones when none is named).
pub(crate) fn choose_sources<'a>(
    cfg: &'a Config,
    only: &[String],
) -> Result<Vec<&'a Source>, CrawlError> {
    if only.is_empty() {
        return Ok(cfg.sources.iter().filter(|s| s.enabled).collect());
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for name in only {
        match cfg.sources.iter().find(|s| &s.name == name) {
            Some(s) => {
                if seen.insert(name.clone()) {
                    out.push(s);
                }
            }
            None => {
                return Err(CrawlError::UnknownSource {
                    name: name.clone(),
                    config: cfg.path.display().to_string(),
                    known: cfg
                        .sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    Ok(out)
}

/// The fetcher and the robots.txt checker a source's requests go through.
#[derive(Clone, Copy)]
struct Net<'a> {
    fetcher: &'a Fetcher,
    robots: &'a crate::robots::Robots,
}

impl Net<'_> {
    /// Ask robots.txt, then GET; a disallowed URL is not fetched.
    async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Fetched, RequestFailure> {
        if let Err(error) = self.fetcher.check_address(url) {
            return Err(RequestFailure::Fetch(crate::fetch::FetchFailure {
                error,
                attempts: 0,
            }));
        }
        let verdict = self.robots.check(url).await;
        if !verdict.allows() {
            return Err(RequestFailure::Robots(verdict.describe()));
        }
        self.fetcher
            .get(url, validators)
            .await
            .map_err(RequestFailure::Fetch)
    }
}

/// Why one request of a source was not answered.
enum RequestFailure {
    /// robots.txt disallows it (the message names the rule).
    Robots(String),
    /// The fetch failed.
    Fetch(crate::fetch::FetchFailure),
}

async fn run_source(
    src: &Source,
    topics: &[crate::config::Topic],
    net: Net<'_>,
    validators: &BTreeMap<String, Validators>,
    known: &(dyn Fn(&str) -> bool + Send + Sync),
    now: Timestamp,
) -> SourceRun {
    let t0 = Instant::now();
    let mut run = SourceRun {
        report: SourceReport {
            name: src.name.clone(),
            kind: src.kind().to_string(),
            ..Default::default()
        },
        items: Vec::new(),
        validators: Vec::new(),
        all_not_modified: true,
        failures: Failures::default(),
        articles_seen: None,
    };
    if let SourceSpec::ArxivApi {
        categories,
        topics: chosen,
        max_results,
        page_size,
    } = &src.spec
    {
        let queries = sources::arxiv::api_queries(categories, chosen, topics);
        let pages = ApiPages {
            queries,
            max_results: *max_results,
            page_size: *page_size,
        };
        run_arxiv_api(src, pages, net, validators, known, now, &mut run).await;
    } else {
        for url in sources::request_urls(src) {
            let key = url.to_string();
            match net.get(&url, validators.get(&key)).await {
                Ok(f) => {
                    if run.record_response(&key, &f) {
                        continue;
                    }
                    let (name, body, url_text, spec) = (
                        src.name.clone(),
                        f.body.clone(),
                        f.url.to_string(),
                        src.spec.clone(),
                    );
                    let parsed = off_thread(&mut run.report.warnings, move || {
                        let ctx = ParseContext {
                            source: &name,
                            url: &url_text,
                            now,
                        };
                        Adapter::of(&spec).parse(&body, &ctx)
                    })
                    .await;
                    match parsed {
                        Ok(mut items) => {
                            run.record_parse(key, &f, true);
                            if let SourceSpec::Feed { full_text: true } = src.spec {
                                fetch_articles(&mut items, net, validators, known, &mut run).await;
                            }
                            run.items.extend(items);
                        }
                        Err(e) => {
                            run.record_parse(key, &f, false);
                            run.record_parse_error(&url, &e);
                        }
                    }
                }
                Err(fail) => run.record_failure(&url, &fail),
            }
        }
    }
    if run.items.len() > src.max_items {
        run.report.warnings.push(format!(
            "kept the first {} of {} items (max_items = {}); the rest were not indexed",
            src.max_items,
            run.items.len(),
            src.max_items
        ));
        run.items.truncate(src.max_items);
    }
    let failures = std::mem::take(&mut run.failures);
    failures.finish(&mut run.report);
    run.report
        .warnings
        .iter_mut()
        .for_each(crate::redact::redact_in_place);
    run.report.items = run.items.len();
    run.report.elapsed_ms = t0.elapsed().as_millis() as u64;
    match &run.report.error {
        Some(e) => info!(source = %src.name, error = %e, "source failed"),
        None => info!(source = %src.name, items = run.report.items, "source done"),
    }
    run
}

/// For a `full_text = true` feed: each item's page, through the same
/// fetcher and robots.txt check as the feed, with the validators of the last
/// crawl when the item is indexed; its main text becomes the body. A 304
/// leaves the body empty so the upsert keeps the one indexed
/// ([`crate::index::merge`]); a page that fails leaves the feed's text, and
/// the failures make one warning, never the source's error.
async fn fetch_articles(
    items: &mut [Item],
    net: Net<'_>,
    validators: &BTreeMap<String, Validators>,
    known: &(dyn Fn(&str) -> bool + Send + Sync),
    run: &mut SourceRun,
) {
    let mut counts = ArticleCounts::default();
    let mut first_failure: Option<String> = None;
    for item in items.iter_mut() {
        let url = match Url::parse(&item.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            _ => {
                counts.failed += 1;
                first_failure.get_or_insert_with(|| format!("{:?}: not an http(s) link", item.url));
                continue;
            }
        };
        let key = article_key(&run.report.name, &url);
        run.articles_seen
            .get_or_insert_with(BTreeSet::new)
            .insert(key.clone());
        let sent = validators.get(&key).filter(|_| known(&item.id));
        match article_text(&url, key, sent, net, run).await {
            Ok(ArticlePage::NotModified) => {
                counts.not_modified += 1;
                item.body.clear();
            }
            Ok(ArticlePage::Text(text)) => {
                counts.extracted += 1;
                item.body = text;
            }
            Err(reason) => {
                counts.failed += 1;
                debug!(source = %run.report.name, url = %crate::redact::redact_url(url.as_str()), %reason, "article not read");
                first_failure.get_or_insert_with(|| format!("{url}: {reason}"));
            }
        }
    }
    if let Some(first) = first_failure {
        run.report.warnings.push(format!(
            "{} of {} article pages could not be read and kept the feed's text (first: {})",
            counts.failed,
            items.len(),
            crate::text::short_error(&first)
        ));
    }
    run.report.articles = Some(counts);
}

/// The crawl state's key of an article page's validators: the source's
/// name and the URL, so a source's keys can be told from the others'.
fn article_key(source: &str, url: &Url) -> String {
    format!("{}{url}", article_prefix(source))
}

/// What every article key of `source` starts with.
fn article_prefix(source: &str) -> String {
    format!("article\u{1f}{source}\u{1f}")
}

/// An article page as [`article_text`] read it.
enum ArticlePage {
    /// 304: unchanged since the body indexed.
    NotModified,
    /// The main text.
    Text(String),
}

/// GET one article page (conditionally with `sent`) and extract its main
/// text on the blocking pool; counts the requests and bytes in `run` and
/// keeps the validators only of a page that gave text (or a 304).
async fn article_text(
    url: &Url,
    key: String,
    sent: Option<&Validators>,
    net: Net<'_>,
    run: &mut SourceRun,
) -> Result<ArticlePage, String> {
    let f = match net.get(url, sent).await {
        Ok(f) => f,
        Err(RequestFailure::Robots(message)) => return Err(message),
        Err(RequestFailure::Fetch(fail)) => {
            run.report.requests += fail.attempts;
            return Err(fail.to_string());
        }
    };
    run.report.requests += f.attempts;
    run.report.bytes += f.body.len() as u64;
    if f.not_modified {
        run.validators.push((key, f.validators.clone()));
        return Ok(ArticlePage::NotModified);
    }
    let (body, page_url) = (f.body.clone(), f.url.to_string());
    let extracted = tokio::task::spawn_blocking(move || crate::article::extract(&body, &page_url))
        .await
        .map_err(|e| format!("extraction aborted: {e}"))
        .and_then(|r| r.map_err(|e| e.to_string()));
    let kept = if extracted.is_ok() {
        f.validators.clone()
    } else {
        Validators::default()
    };
    run.validators.push((key, kept));
    extracted.map(ArticlePage::Text)
}

/// Run a parser on tokio's blocking pool, so that a large body (up to
/// `max_body_bytes`) parsed by scraper or feed-rs never stalls the async
/// threads that keep the other sources' requests and timeouts going. Markup
/// the parser had to read without a tree (nested past
/// [`crate::text::MAX_HTML_DEPTH`]) becomes a warning in `warnings`.
async fn off_thread<T: Send + 'static>(
    warnings: &mut Vec<String>,
    job: impl FnOnce() -> Result<T, sources::ParseError> + Send + 'static,
) -> Result<T, sources::ParseError> {
    let job = move || {
        crate::text::take_too_deep();
        let result = job();
        (result, crate::text::take_too_deep())
    };
    match tokio::task::spawn_blocking(job).await {
        Ok((result, too_deep)) => {
            if let Some((n, deepest)) = too_deep {
                warnings.push(format!(
                    "{n} item{s} had markup nested up to {deepest} elements deep (limit {limit}); {its} text was read without structure",
                    s = if n == 1 { "" } else { "s" },
                    its = if n == 1 { "its" } else { "their" },
                    limit = crate::text::MAX_HTML_DEPTH,
                ));
            }
            result
        }
        Err(e) => Err(sources::ParseError::Aborted(Arc::new(e))),
    }
}

/// The pages an arXiv API source asks for.
struct ApiPages {
    queries: Vec<String>,
    max_results: usize,
    page_size: usize,
}

/// The arXiv API: one paged query per topic (keywords × categories), stopping
/// at `max_results`, at the end of the results, or at a page with nothing new.
async fn run_arxiv_api(
    src: &Source,
    pages: ApiPages,
    net: Net<'_>,
    validators: &BTreeMap<String, Validators>,
    known: &(dyn Fn(&str) -> bool + Send + Sync),
    now: Timestamp,
    run: &mut SourceRun,
) {
    let ApiPages {
        queries,
        max_results,
        page_size,
    } = pages;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    'queries: for q in queries {
        let mut start = 0usize;
        while start < max_results {
            let page = page_size.min(max_results - start);
            let url = sources::arxiv::api_url(src.url.as_ref(), &q, start, page);
            let key = url.to_string();
            let f = match net.get(&url, validators.get(&key)).await {
                Ok(f) => f,
                Err(fail) => {
                    run.record_failure(&url, &fail);
                    continue 'queries;
                }
            };
            if run.record_response(&key, &f) {
                // The same page as last time: nothing new further on either.
                break;
            }
            let (name, body, final_url) = (src.name.clone(), f.body.clone(), f.url.to_string());
            let parsed = off_thread(&mut run.report.warnings, move || {
                let ctx = ParseContext {
                    source: &name,
                    url: &final_url,
                    now,
                };
                sources::arxiv::parse_api(&body, &ctx)
            })
            .await;
            let parsed = match parsed {
                Ok(p) => {
                    run.record_parse(key, &f, true);
                    p
                }
                Err(e) => {
                    run.record_parse(key, &f, false);
                    run.record_parse_error(&url, &e);
                    continue 'queries;
                }
            };
            let got = parsed.items.len();
            if got == 0 {
                break;
            }
            let mut fresh = 0;
            for item in parsed.items {
                if !known(&item.id) && seen.insert(item.id.clone()) {
                    fresh += 1;
                }
                run.items.push(item);
            }
            start += got;
            if fresh == 0 {
                break;
            }
            if parsed.total_results.is_some_and(|t| start as u64 >= t) {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards #28 item 10: a full disk is said in plain words, naming the folder.
    #[test]
    fn a_full_disk_is_said_plainly() {
        let full = tantivy::TantivyError::IoError(std::sync::Arc::new(std::io::Error::from(
            std::io::ErrorKind::StorageFull,
        )));
        let e = write_error(Path::new("/srv/horizon/index"), full);
        assert_eq!(e.exit_code(), crate::exit::FATAL);
        let text = e.to_string();
        assert!(
            text.starts_with(
                "the disk holding /srv/horizon/index is full: nothing of this crawl was committed"
            ),
            "{text}"
        );
        let other = tantivy::TantivyError::IoError(std::sync::Arc::new(std::io::Error::from(
            std::io::ErrorKind::Other,
        )));
        assert!(matches!(
            write_error(Path::new("i"), other),
            CrawlError::Write(_)
        ));
    }
    use crate::state::SourceHealth;

    /// Guards that a parser's panic is reported under its source with the
    /// panic's words, and kept as the error's source.
    #[tokio::test]
    async fn a_panicking_parser_is_a_parse_error_that_keeps_the_panic() {
        let err = off_thread(&mut Vec::new(), || -> Result<(), sources::ParseError> {
            panic!("boom")
        })
        .await
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("the parser failed on this body (task ")
                && text.contains("boom")
                && text.ends_with("); please report it with the source's URL"),
            "{text}"
        );
        let source = std::error::Error::source(&err).map(|e| e.to_string());
        assert!(
            source.as_deref().is_some_and(|s| s.contains("boom")),
            "{source:?}"
        );
    }

    /// Guards the crawl summary's status word against the JSON `status`.
    #[test]
    fn status_words_are_the_serde_spellings() {
        crate::model::spelling::serializes_as_named::<CrawlStatus>();
    }

    #[test]
    fn failing_sources_back_off_exponentially() {
        let t: Timestamp = "2026-11-01T02:00:00Z".parse().unwrap();
        let mut h = SourceHealth {
            consecutive_failures: 2,
            last_attempt: Some(t),
            ..Default::default()
        };
        assert_eq!(backoff_until(&h, 3), None);
        h.consecutive_failures = 3;
        assert_eq!(
            backoff_until(&h, 3),
            Some(t.checked_add(23.hours()).unwrap())
        );
        h.consecutive_failures = 5;
        assert_eq!(
            backoff_until(&h, 3),
            Some(t.checked_add((4 * 24 - 1).hours()).unwrap())
        );
        h.consecutive_failures = 50;
        assert_eq!(
            backoff_until(&h, 3),
            Some(t.checked_add((7 * 24 - 1).hours()).unwrap())
        );
    }
}
