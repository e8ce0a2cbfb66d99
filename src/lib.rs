//! horizon: continuous problem discovery for infrastructure teams.
//!
//! The library owns everything testable and knows nothing of the command
//! line: the binary (`main.rs` and its `cli/` module tree) parses arguments,
//! calls the library and maps results to exit statuses. Modules follow the data flow:
//! `config` → `fetch` → `sources` → `topics` → `index` → `search` / `report` /
//! `absorb` → `deliver`, with `crawl` orchestrating the first half.
//!
//! Every default lives here, as a `DEFAULT_*` constant used by the config
//! loader, the command-line help and the README.

pub mod absorb;
pub mod address;
pub mod alerts;
pub mod article;
pub mod atom;
pub mod check;
pub mod config;
pub mod crawl;
pub mod deliver;
pub mod demo;
pub mod duration;
pub mod export;
pub mod feeds;
pub mod fetch;
pub mod ids;
pub mod index;
pub mod inventory;
pub mod learn;
pub mod logline;
pub mod marks;
pub mod model;
pub mod opml;
pub mod radar;
pub mod redact;
pub mod replay;
pub mod report;
pub mod robots;
pub mod rules;
pub mod search;
pub mod serve;
pub mod similar;
pub mod sources;
pub mod state;
pub mod stories;
pub mod text;
pub mod topics;
pub mod trend;

/// The project's home page, named in the User-Agent.
pub const PROJECT_URL: &str = "https://github.com/horizon-infra/horizon";
/// The User-Agent sent with every request unless `[settings] user_agent` says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "horizon/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/horizon-infra/horizon)"
);
/// The `Accept` header sent with every request: feeds first, then JSON, then
/// HTML (some servers answer 406 to a request without one).
pub const DEFAULT_ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5";
/// How long a host's robots.txt is used before it is asked for again (RFC 9309 §2.4: at most 24 hours).
pub const ROBOTS_MAX_AGE_SECS: i64 = 24 * 60 * 60;
/// Entries of a search or topic feed unless `limit` says otherwise (at most
/// `serve::params::MAX_PAGE_SIZE`).
pub const DEFAULT_FEED_ENTRIES: usize = 50;
/// Complete weeks the reports feed looks back over unless `weeks` says otherwise.
pub const DEFAULT_FEED_WEEKS: usize = 12;
/// Most weeks the reports feed looks back over.
pub const MAX_FEED_WEEKS: usize = 104;
/// Where the configuration is read from.
pub const DEFAULT_CONFIG_PATH: &str = "sources.toml";
/// Where the index lives, beside the config file, unless `--index` or `[settings] index` says otherwise.
pub const DEFAULT_INDEX_DIR: &str = "index";
/// Requests in flight across all hosts.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Requests in flight to one host.
pub const DEFAULT_PER_HOST_CONCURRENCY: usize = 2;
/// Minimum time between two requests to one host, in milliseconds.
pub const DEFAULT_PER_HOST_INTERVAL_MS: u64 = 1_000;
/// Time allowed to open a connection, in seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// Time allowed for a whole request including the body, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// Largest response body accepted, counted after decompression.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// Redirects followed before a request fails.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;
/// Retries after the first attempt for timeouts, resets, 408, 429 and 5xx.
pub const DEFAULT_RETRIES: u32 = 3;
/// Total time one request may spend waiting between retries, in seconds.
pub const DEFAULT_RETRY_BUDGET_SECS: u64 = 90;
/// Longest `Retry-After` honoured, in seconds (longer ones fail the request).
pub const DEFAULT_MAX_RETRY_AFTER_SECS: u64 = 120;
/// arXiv's API host, which its terms limit to one connection and one request every 3 s.
pub const ARXIV_API_HOST: &str = "export.arxiv.org";
/// arXiv's minimum interval between API requests, in milliseconds.
pub const ARXIV_MIN_INTERVAL_MS: u64 = 3_000;
/// Results asked for in one arXiv API page.
pub const DEFAULT_ARXIV_PAGE_SIZE: usize = 100;
/// Results fetched from the arXiv API per source per crawl.
pub const DEFAULT_ARXIV_MAX_RESULTS: usize = 300;
/// Hits shown by `horizon search`.
pub const DEFAULT_SEARCH_LIMIT: usize = 10;
/// Memory given to the index writer, in bytes.
pub const DEFAULT_WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;
/// Consecutive failed runs after which a source is flagged loudly and tried less often.
pub const DEFAULT_FAILING_AFTER: u32 = 3;
/// Days of cloud notes the absorption flags look at.
pub const DEFAULT_ABSORPTION_WINDOW_DAYS: i64 = 90;
/// Vendors with a GA offering for `absorbed`.
pub const DEFAULT_ABSORBED_MIN_GA_VENDORS: usize = 2;
/// Vendors with a preview for `absorbing` (one GA vendor is always enough).
pub const DEFAULT_ABSORBING_MIN_PREVIEW_VENDORS: usize = 1;
/// `[absorption] vendors`: the vendors whose offerings count for the
/// absorption levels (other vendors' notes are crawled and searchable).
pub const DEFAULT_ABSORPTION_VENDORS: &[model::Vendor] =
    &[model::Vendor::Aws, model::Vendor::Azure, model::Vendor::Gcp];
/// Items listed per topic and section in the weekly report.
pub const DEFAULT_REPORT_ITEMS_PER_SECTION: usize = 5;

/// Characters of message text Slack keeps: it truncates longer messages
/// (<https://api.slack.com/changelog/2018-04-truncating-really-long-messages>).
pub const DEFAULT_SLACK_MAX_CHARS: usize = 40_000;
/// Characters of a Mattermost post since Mattermost 5.0 (older servers, or ones
/// without the 5.0 database migration, keep 4000: set `limit = 4000`).
pub const DEFAULT_MATTERMOST_MAX_CHARS: usize = 16_383;
/// Bytes of JSON payload sent to a Microsoft Teams webhook: Teams refuses
/// messages over about 28 KB ("Request Entity too large",
/// <https://learn.microsoft.com/en-us/connectors/teams/>); this leaves a margin.
pub const DEFAULT_TEAMS_MAX_BYTES: usize = 27_000;
/// The chat digest's size: at most this many characters of message text
/// (Slack asks clients to keep messages under 4,000 characters,
/// <https://api.slack.com/rtm> "Limits"; the digest holds to it everywhere).
pub const DEFAULT_DIGEST_MAX_CHARS: usize = 4_000;
/// Subject of the report mail; `{period}` becomes the period's label.
pub const DEFAULT_MAIL_SUBJECT: &str = "horizon report {period}";
/// `[alerts] window`: how old an event or story may be and still be alerted
/// (older ones are history, left to the weekly report), in days.
pub const DEFAULT_ALERTS_WINDOW_DAYS: u64 = 7;
/// Hits of one `[[alerts.searches]]` query read per crawl, newest first.
pub const DEFAULT_ALERTS_SEARCH_HITS: usize = 50;
/// Alerts in one message; more are sent as further messages.
pub const ALERTS_PER_MESSAGE: usize = 20;
/// The header holding a JSON alert's signature: the hex HMAC-SHA256 of the
/// raw body under the destination's secret (as Miniflux's `X-Miniflux-Signature`).
pub const ALERTS_SIGNATURE_HEADER: &str = "X-Horizon-Signature";
/// The header naming what a JSON alert carries: `alerts` or `test`.
pub const ALERTS_EVENT_HEADER: &str = "X-Horizon-Event-Type";
/// Where `horizon serve` listens unless `--bind` says otherwise: loopback only.
pub const DEFAULT_SERVE_BIND: &str = "127.0.0.1:8080";
/// The environment variable `horizon serve` reads its token from (or `--token-file`).
pub const SERVE_TOKEN_ENV: &str = "HORIZON_SERVE_TOKEN";
/// Time one request to `horizon serve` may take, in seconds.
pub const DEFAULT_SERVE_TIMEOUT_SECS: u64 = 30;
/// Time one search of `horizon serve` may compute before it is stopped, in
/// seconds (`serve --search-deadline`); well under the request timeout.
pub const DEFAULT_SEARCH_DEADLINE_SECS: u64 = 5;
/// Time a request of `horizon serve` waits for one of the `--max-searches`
/// slots before it is answered 503 with `Retry-After`, in seconds.
pub const DEFAULT_SERVE_QUEUE_WAIT_SECS: u64 = 2;
/// Index work (searches, pages, reports) `horizon serve` runs at once, per
/// CPU core (`serve --max-searches` sets the total).
pub const DEFAULT_SEARCHES_PER_CORE: usize = 2;
/// Folder of the index where `report --deliver` saves the report without `--out`.
pub const DEFAULT_REPORTS_DIR: &str = "reports";

/// Exit statuses, documented in the README.
pub mod exit {
    /// Everything went well.
    pub const OK: u8 = 0;
    /// Some sources failed; the rest were indexed. Or some report
    /// destinations failed; the report was saved and sent to the rest.
    pub const PARTIAL: u8 = 1;
    /// Usage or configuration error, or an invalid query.
    pub const USAGE: u8 = 2;
    /// Fatal: the index is unusable, locked by another crawl, or similar.
    pub const FATAL: u8 = 3;
    /// Interrupted by SIGINT/SIGTERM; what was fetched so far was committed.
    pub const INTERRUPTED: u8 = 4;
}
