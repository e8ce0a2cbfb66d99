//! Every configured source with its health, as `horizon sources` lists it
//! and `horizon serve` shows it: one [`SourceRow`] per `[[sources]]` entry,
//! in config order, its status computed from the crawl state.

use serde::Serialize;

use crate::config::Config;
use crate::state::{CrawlState, HealthStatus, SourceHealth};

/// One source: one line of `horizon sources`, one object of its `--json`
/// array (serialized through a `serde_json::Value`, whose objects keep their
/// keys in name order).
#[derive(Clone, Debug, Serialize)]
pub struct SourceRow<'a> {
    /// The `[[sources]]` name.
    pub name: &'a str,
    /// Its kind (`feed`, `arxiv_api`…).
    pub kind: &'static str,
    /// `enabled` in the config.
    pub enabled: bool,
    /// The URLs it fetches, credentials and secret parameters masked.
    pub urls: Vec<String>,
    /// Its condition.
    pub status: HealthStatus,
    /// What the crawls remember of it.
    pub health: SourceHealth,
    /// Hosts of this source whose robots.txt the config ignores.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub robots_ignored: Vec<String>,
}

/// Every source of `cfg` with its health in `state`, config order.
pub fn rows<'a>(cfg: &'a Config, state: &CrawlState) -> Vec<SourceRow<'a>> {
    let fail_after = cfg.settings.failing_after;
    let ignored = crate::robots::ignored_hosts(&cfg.settings);
    cfg.sources
        .iter()
        .map(|s| {
            let mut health = state.sources.get(&s.name).cloned().unwrap_or_default();
            // Shown and served: no credentials (older states kept them).
            health
                .last_error
                .iter_mut()
                .for_each(crate::redact::redact_in_place);
            let urls = super::request_urls(s);
            let mut robots_ignored: Vec<String> = urls
                .iter()
                .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
                .filter(|h| ignored.contains(h))
                .collect();
            robots_ignored.dedup();
            SourceRow {
                name: &s.name,
                kind: s.kind().as_str(),
                enabled: s.enabled,
                urls: urls
                    .iter()
                    .map(|u| crate::redact::redact_url(u.as_str()).into_owned())
                    .collect(),
                robots_ignored,
                status: if s.enabled {
                    health.status(fail_after)
                } else {
                    HealthStatus::Disabled
                },
                health,
            }
        })
        .collect()
}

/// The rows as `horizon sources --json` prints them: one JSON array, keys in
/// name order, then a line break.
pub fn to_json(rows: &[SourceRow<'_>]) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(rows)?;
    Ok(format!("{value}\n"))
}
