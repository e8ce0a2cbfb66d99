//! `horizon demo`: the offline first minute, self-contained.
//!
//! Writes, into one folder, a recording (the format of `crawl --record`, see
//! [`crate::replay`]) of every source kind in each vendor's real wire format —
//! a WordPress RSS 2.0 blog, the arXiv export API (Atom + OpenSearch) and a
//! 2024+ arXiv listing RSS, a GitHub trending page (`article.Box-row` markup),
//! AWS What's New RSS, Azure updates RSS (with its `a10:` elements) and the
//! Google Cloud release notes Atom (one entry per day, `h2` product / `h3`
//! note type) — plus a `sources.toml` holding the checked-in topics and
//! sources of those kinds at their real URLs. The payloads are generated here,
//! modelled on the shapes of the recorded fixtures in `../shared/fixtures`,
//! dated relative to `now` so the flags and the weekly report have something
//! to show. The binary then crawls the recording through the normal HTTP path
//! (`--replay`'s loopback server).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::{Timestamp, ToSpan};

use crate::config::TrendingPeriod;
use crate::replay::{write_entry, RecordedResponse, ReplayError};
use crate::sources;

/// The folder `horizon demo` writes to when none is given.
pub const DEFAULT_DEMO_DIR: &str = "horizon-demo";
/// The file that marks a folder as written by `horizon demo` (so it may be rewritten).
const MARKER: &str = ".horizon-demo";
/// The checked-in configuration, whose topics the demo uses.
const CHECKED_IN_CONFIG: &str = include_str!("../sources.toml");
/// The arXiv topic the demo's API source queries.
const ARXIV_TOPIC: &str = "stream-processing";
/// The arXiv categories of the demo's listing source.
const LISTING_CATEGORY: &str = "cs.DC";

/// What `horizon demo` wrote.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    /// The folder.
    pub dir: PathBuf,
    /// `DIR/sources.toml` (its `[settings] index` is `DIR/index`).
    pub config: PathBuf,
    /// `DIR/recording`.
    pub recording: PathBuf,
    /// `DIR/index`.
    pub index: PathBuf,
    /// Sources in the config.
    pub sources: usize,
    /// Responses in the recording.
    pub responses: usize,
}

/// Why the demo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The folder holds something else.
    #[error("{0} is not empty and was not written by `horizon demo`; name an empty or new folder (horizon demo DIR)")]
    NotEmpty(PathBuf),
    /// File system trouble.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing a recorded response failed.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The topic the arXiv source queries is missing from the checked-in config.
    #[error("the checked-in sources.toml has no topic {0:?}")]
    Topic(&'static str),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One generated response: the real URL, its content type and body.
struct Response {
    url: String,
    content_type: &'static str,
    body: String,
}

/// One demo source: its `[[sources]]` table and its responses.
struct DemoSource {
    table: String,
    responses: Vec<Response>,
}

/// Write the demo into `dir` (created if needed; refused when it holds
/// files not written by an earlier `horizon demo`). The recording is built in
/// a sibling folder and renamed into place, so it is never half-written.
pub fn write(dir: &Path, now: Timestamp) -> Result<DemoFiles, DemoError> {
    check_folder(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let sources = demo_sources(now)?;
    let recording = dir.join("recording");
    let partial = dir.join("recording.partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    let mut responses = 0;
    for source in &sources {
        for r in &source.responses {
            let entry = RecordedResponse {
                url: r.url.clone(),
                status: 200,
                headers: vec![
                    ("content-type".into(), r.content_type.into()),
                    (
                        "etag".into(),
                        format!("\"{}\"", crate::text::stable_hash(&[&r.body])),
                    ),
                ],
            };
            write_entry(&partial, &entry, r.body.as_bytes())?;
            responses += 1;
        }
    }
    if recording.exists() {
        std::fs::remove_dir_all(&recording).map_err(io(&recording))?;
    }
    std::fs::rename(&partial, &recording).map_err(io(&recording))?;
    let config = dir.join("sources.toml");
    crate::state::write_atomic(&config, config_text(&sources).as_bytes()).map_err(io(&config))?;
    let marker = dir.join(MARKER);
    std::fs::write(
        &marker,
        "written by `horizon demo`; safe to delete with the folder\n",
    )
    .map_err(io(&marker))?;
    Ok(DemoFiles {
        dir: dir.to_path_buf(),
        config,
        recording,
        index: dir.join("index"),
        sources: sources.len(),
        responses,
    })
}

/// A new or empty folder, or one an earlier demo wrote.
fn check_folder(dir: &Path) -> Result<(), DemoError> {
    if !dir.exists() || dir.join(MARKER).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
    match entries.next() {
        None => Ok(()),
        Some(_) => Err(DemoError::NotEmpty(dir.to_path_buf())),
    }
}

/// The checked-in `[settings]`, `[absorption]` and `[[topics]]`, the index
/// beside the config, then the demo's sources.
fn config_text(sources: &[DemoSource]) -> String {
    let head = match CHECKED_IN_CONFIG.find("[[sources]]") {
        Some(pos) => &CHECKED_IN_CONFIG[..pos],
        None => CHECKED_IN_CONFIG,
    };
    let head = head.replacen(
        "[settings]\n",
        "[settings]\nindex = \"index\"                   # horizon demo: the index beside this file\n",
        1,
    );
    let mut out = String::from("# Written by `horizon demo`: the checked-in topics, and one source of every\n# kind at its real URL, answered from ./recording (crawl --replay recording).\n\n");
    out.push_str(&head);
    out.push_str("# ───────────────────────────── sources ─────────────────────────────\n\n");
    for s in sources {
        out.push_str(&s.table);
        out.push('\n');
    }
    out
}

fn demo_sources(now: Timestamp) -> Result<Vec<DemoSource>, DemoError> {
    Ok(vec![
        arxiv_api_source(now)?,
        arxiv_listing_source(now),
        blog_source(now),
        trending_source(),
        aws_source(now),
        azure_source(now),
        gcp_source(now),
    ])
}

/// `now` minus `days` days (and a few hours, so items do not all share a time).
fn ago(now: Timestamp, days: i64) -> Timestamp {
    now.checked_sub((days * 24 + 3).hours()).unwrap_or(now)
}

fn rfc2822(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn xml(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// The arXiv export API: Atom with OpenSearch totals, as of 2025+.
fn arxiv_api_source(now: Timestamp) -> Result<DemoSource, DemoError> {
    let topics = crate::config::Config::parse(Path::new("sources.toml"), CHECKED_IN_CONFIG)
        .map(|c| c.topics)
        .unwrap_or_default();
    let topic = topics
        .iter()
        .find(|t| t.name == ARXIV_TOPIC)
        .ok_or(DemoError::Topic(ARXIV_TOPIC))?;
    let query = sources::arxiv::build_query(&topic.keywords, &topic.arxiv_categories);
    let url = sources::arxiv::api_url(None, &query, 0, 10);
    let papers = [
        ("2611.04211", "Exactly-Once Stream Processing Without Two-Phase Commit", "We present a change data capture pipeline for event streaming that gives exactly-once results on Apache Kafka and Apache Flink without distributed transactions, and measure it against tiered storage.", "cs.DC", 6),
        ("2611.03117", "Tiered Storage for Message Brokers: A Measurement Study", "Message broker clusters increasingly move old log segments to object storage. We measure tail latency and recovery time of Kafka tiered storage under stream processing workloads.", "cs.DB", 13),
        ("2610.29876", "Backpressure-Aware Autoscaling for Event-Driven Pipelines", "An autoscaler for stream processing jobs that reads backpressure signals from the message queue and scales Flink operators before consumer lag grows.", "cs.DC", 24),
    ];
    let mut entries = String::new();
    for (id, title, summary, cat, days) in papers {
        let t = rfc3339(ago(now, days));
        let _ = write!(
            entries,
            "\n<entry>\n    <id>http://arxiv.org/abs/{id}v1</id>\n    <title>{}</title>\n    <updated>{t}</updated>\n    <link href=\"https://arxiv.org/abs/{id}v1\" rel=\"alternate\" type=\"text/html\"/>\n    <link href=\"https://arxiv.org/pdf/{id}v1\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>\n    <summary>{}</summary>\n    <category term=\"{cat}\" scheme=\"http://arxiv.org/schemas/atom\"/>\n    <published>{t}</published>\n    <arxiv:primary_category term=\"{cat}\"/>\n    <author>\n      <name>Ada Streamer</name>\n    </author>\n    <author>\n      <name>Lin Broker</name>\n    </author>\n  </entry>",
            xml(title),
            xml(summary)
        );
    }
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>https://arxiv.org/api/horizon-demo</id>\n  <title>arXiv Query: {}</title>\n  <updated>{}</updated>\n  <opensearch:itemsPerPage>10</opensearch:itemsPerPage>\n  <opensearch:totalResults>{}</opensearch:totalResults>\n  <opensearch:startIndex>0</opensearch:startIndex>\n  {entries}\n</feed>\n",
        xml(&query),
        rfc3339(now),
        papers.len()
    );
    Ok(DemoSource {
        table: format!("[[sources]]\nname = \"arxiv-topics\"\nkind = \"arxiv\"\nmode = \"api\"\ntopics = [\"{ARXIV_TOPIC}\"]\nmax_results = 10\npage_size = 10\n"),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/atom+xml; charset=utf-8",
            body,
        }],
    })
}

/// An arXiv listing: the 2024+ RSS with `Announce Type` and `dc:creator`.
fn arxiv_listing_source(now: Timestamp) -> DemoSource {
    let url = sources::arxiv::listing_url(None, LISTING_CATEGORY);
    let date = rfc2822(ago(now, 1));
    let papers = [
        ("2611.05502", "Consistent Hashing for Service Mesh Load Balancing at Scale", "We study load balancing in a service mesh with sidecar proxies and show a consistent hashing scheme that cuts tail latency for Envoy clusters."),
        ("2611.05519", "Coordinated Checkpoints for Distributed Database Recovery", "A recovery protocol for a distributed database whose storage engine checkpoints in coordination with the query engine."),
    ];
    let mut items = String::new();
    for (id, title, abs) in papers {
        let _ = write!(
            items,
            "\n<item>\n      <title>{}</title>\n      <link>https://arxiv.org/abs/{id}</link>\n      <description>arXiv:{id}v1 Announce Type: new \nAbstract: {}</description>\n      <guid isPermaLink=\"false\">oai:arXiv.org:{id}v1</guid>\n      <category>{LISTING_CATEGORY}</category>\n      <pubDate>{date}</pubDate>\n      <arxiv:announce_type>new</arxiv:announce_type>\n      <dc:rights>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</dc:rights>\n      <dc:creator>Mira Mesh, Oskar Quorum</dc:creator>\n    </item>",
            xml(title),
            xml(abs)
        );
    }
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"2.0\">\n  <channel>\n    <title>{LISTING_CATEGORY} updates on arXiv.org</title>\n    <link>http://rss.arxiv.org/rss/{LISTING_CATEGORY}</link>\n    <description>{LISTING_CATEGORY} updates on the arXiv.org e-print archive.</description>\n    <atom:link href=\"http://rss.arxiv.org/rss/{LISTING_CATEGORY}\" rel=\"self\" type=\"application/rss+xml\"/>\n    <language>en-us</language>\n    <lastBuildDate>{date}</lastBuildDate>\n    <managingEditor>rss-help@arxiv.org</managingEditor>\n    {items}\n  </channel>\n</rss>\n"
    );
    DemoSource {
        table: format!("[[sources]]\nname = \"arxiv-listings\"\nkind = \"arxiv\"\nmode = \"listing\"\ncategories = [\"{LISTING_CATEGORY}\"]\n"),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/rss+xml; charset=utf-8",
            body,
        }],
    }
}

/// A WordPress RSS 2.0 blog feed (AWS News Blog), with `dc:creator`,
/// CDATA categories and an entity-escaped `content:encoded`.
fn blog_source(now: Timestamp) -> DemoSource {
    let url = "https://aws.amazon.com/blogs/aws/feed/";
    let posts = [
        ("Load testing a PostgreSQL fleet before the holidays", "How one team used load generation and traffic replay to plan capacity for Aurora PostgreSQL.", "Jane Loader", "Databases", 2),
        ("Distributed tracing for event-driven applications", "Follow a message through Amazon MSK and AWS Lambda with OpenTelemetry and distributed tracing.", "Omar Tracer", "Observability", 9),
        ("Canary releases with a GitOps deployment pipeline", "Progressive delivery on Amazon EKS with Argo CD and a canary release per region.", "Ines Delivery", "Developer Tools", 16),
        ("Vector database patterns for retrieval", "Choosing between a vector database and pgvector on PostgreSQL for retrieval workloads.", "Kim Vector", "Databases", 30),
    ];
    let mut items = String::new();
    for (i, (title, desc, who, cat, days)) in posts.iter().enumerate() {
        let slug: String = title
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let content = xml(&format!("<p>{desc}</p>\n<p>Read on for the details.</p>"));
        let _ = write!(
            items,
            "\n\t<item>\n\t\t<title>{}</title>\n\t\t<link>https://aws.amazon.com/blogs/aws/{slug}/</link>\n\t\t<dc:creator><![CDATA[{who}]]></dc:creator>\n\t\t<pubDate>{}</pubDate>\n\t\t<category><![CDATA[{cat}]]></category>\n\t\t<guid isPermaLink=\"false\">{}</guid>\n\t\t<description>{}</description>\n\t\t<content:encoded>{content}</content:encoded>\n\t</item>",
            xml(title),
            rfc2822(ago(now, *days)),
            crate::text::stable_hash(&["demo-blog", &i.to_string()]),
            xml(desc)
        );
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><rss xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"2.0\">\n<channel>\n\t<title>AWS News Blog</title>\n\t<atom:link href=\"{url}\" rel=\"self\" type=\"application/rss+xml\"/>\n\t<link>https://aws.amazon.com/blogs/aws/</link>\n\t<description>Announcements, Updates, and Launches</description>\n\t<lastBuildDate>{}</lastBuildDate>\n\t<language>en-US</language>{items}\n\t</channel>\n</rss>\n",
        rfc2822(ago(now, 2))
    );
    DemoSource {
        table: format!("[[sources]]\nname = \"aws-news-blog\"\nkind = \"feed\"\nurl = \"{url}\"\n"),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/rss+xml; charset=UTF-8",
            body,
        }],
    }
}

/// A GitHub trending page (2026 markup: `tmp-pr-4`, "N stars this week").
fn trending_source() -> DemoSource {
    let url = sources::trending::page_url(None, Some("rust"), TrendingPeriod::Daily);
    let repos = [
        (
            "tokio-rs",
            "turmoil",
            "Deterministic simulation testing for distributed systems.",
            2210,
            180,
            412,
        ),
        (
            "apache",
            "datafusion",
            "Apache DataFusion SQL query engine",
            7420,
            1510,
            377,
        ),
        (
            "grafana",
            "k6-rs",
            "A load generator for HTTP and gRPC services, scriptable in Rust.",
            1804,
            95,
            301,
        ),
    ];
    let mut rows = String::new();
    for (owner, name, desc, stars, forks, gained) in repos {
        let _ = write!(
            rows,
            "\n<article class=\"Box-row\">\n  <h2 class=\"h3 lh-condensed\">\n    <a href=\"/{owner}/{name}\" data-view-component=\"true\" class=\"Link\">\n      <span data-view-component=\"true\" class=\"text-normal\">\n        {owner} /\n</span>\n      {name}</a>  </h2>\n\n    <p class=\"col-9 color-fg-muted my-1 tmp-pr-4\">\n      {}\n    </p>\n\n  <div class=\"f6 color-fg-muted mt-2\">\n      <span class=\"tmp-mr-3 d-inline-block ml-0 tmp-ml-0\">\n  <span class=\"repo-language-color\" style=\"background-color: #dea584\"></span>\n  <span itemprop=\"programmingLanguage\">Rust</span>\n</span>\n      <a href=\"/{owner}/{name}/stargazers\" class=\"tmp-mr-3 Link Link--muted d-inline-block\">\n        {}</a>\n      <a href=\"/{owner}/{name}/forks\" class=\"tmp-mr-3 Link Link--muted d-inline-block\">\n        {}</a>\n      <span data-view-component=\"true\" class=\"d-inline-block float-sm-right\">\n        {gained} stars today\n</span>  </div>\n</article>",
            xml(desc),
            crate::text::thousands(stars),
            crate::text::thousands(forks)
        );
    }
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\" data-color-mode=\"auto\">\n<head><meta charset=\"utf-8\"><title>Trending Rust repositories on GitHub today · GitHub</title></head>\n<body>\n<div class=\"application-main\"><main>\n<div class=\"Box\">\n<div data-hpc>{rows}\n</div>\n</div>\n</main></div>\n</body>\n</html>\n"
    );
    DemoSource {
        table: "[[sources]]\nname = \"trending-rust-daily\"\nkind = \"github_trending\"\nlanguage = \"rust\"\nsince = \"daily\"\n".into(),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "text/html; charset=utf-8",
            body,
        }],
    }
}

/// AWS What's New: RSS 2.0 on one line, a hex guid, entity-escaped HTML and
/// comma-separated `general:products/…` categories.
fn aws_source(now: Timestamp) -> DemoSource {
    let url = sources::cloud::default_url(crate::model::Vendor::Aws);
    let notes = [
        ("Amazon MSK Express brokers are now generally available", "amazon-msk", "analytics", "Amazon Managed Streaming for Apache Kafka (Amazon MSK) Express brokers are now generally available, with faster scaling and tiered storage for Kafka clusters.", 5),
        ("Amazon Aurora PostgreSQL Limitless Database is now generally available", "amazon-aurora", "databases", "Amazon Aurora PostgreSQL Limitless Database is now generally available: horizontal scaling for PostgreSQL without application changes.", 12),
        ("Amazon Managed Service for Prometheus now available in two more regions", "amazon-managed-service-for-prometheus", "management-tools", "Amazon Managed Service for Prometheus is now available in the Asia Pacific (Taipei) and Mexico (Central) regions.", 20),
    ];
    let mut items = String::new();
    for (title, product, area, desc, days) in notes {
        let slug: String = title
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let published = ago(now, days);
        let _ = write!(
            items,
            "<item><link>https://aws.amazon.com/about-aws/whats-new/{}/{slug}/</link><guid>{}</guid><title>{}</title><description>{}</description><pubDate>{}</pubDate><category>general:products/{product},marketing:marchitecture/{area}</category><author>aws@amazon.com</author></item>",
            published.strftime("%Y/%m"),
            crate::text::stable_hash(&["demo-aws", title]),
            xml(title),
            xml(&format!("<p>{desc}</p>")),
            rfc2822(published)
        );
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><rss version=\"2.0\"><channel><link>https://aws.amazon.com/about-aws/whats-new/recent/</link><title>Recent Announcements</title><description>The AWS Cloud platform expands daily. Learn about announcements, launches, news, innovation and more from Amazon Web Services.</description><managingEditor>aws@amazon.com</managingEditor><lastBuildDate>{}</lastBuildDate>{items}</channel></rss>",
        rfc2822(ago(now, 5))
    );
    DemoSource {
        table: "[[sources]]\nname = \"aws-whats-new\"\nkind = \"cloud\"\nvendor = \"aws\"\n".into(),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/rss+xml",
            body,
        }],
    }
}

/// Azure updates: RSS 2.0 with a numeric guid, the status as first category,
/// `[Launched]`/`[In preview]`/`Retirement:` titles and `a10:updated`.
fn azure_source(now: Timestamp) -> DemoSource {
    let url = sources::cloud::default_url(crate::model::Vendor::Azure);
    let notes = [
        ("590112", "[Launched] Generally Available: Azure Event Hubs for Apache Kafka with tiered storage", &["Launched", "Analytics", "Event Hubs"][..], "Event Hubs now offers tiered storage for Kafka workloads, generally available in all regions.", 8),
        ("590087", "[In preview] Public Preview: Azure Managed Grafana with Prometheus alert import", &["In preview", "Management and governance", "Azure Managed Grafana"][..], "Import Prometheus alert rules into Azure Managed Grafana.", 15),
        ("589950", "Retirement: Azure Database for PostgreSQL single server is retired on March 28, 2027", &["Databases", "Azure Database for PostgreSQL", "Retirements"][..], "Migrate to Azure Database for PostgreSQL flexible server before March 28, 2027.", 27),
    ];
    let mut items = String::new();
    for (id, title, cats, desc, days) in notes {
        let t = ago(now, days);
        let categories: String = cats
            .iter()
            .map(|c| format!("<category>{}</category>", xml(c)))
            .collect();
        let _ = write!(
            items,
            "<item><guid isPermaLink=\"false\">{id}</guid><link>https://azure.microsoft.com/updates?id={id}</link>{categories}<title>{}</title><description>{}</description><pubDate>{}</pubDate><a10:updated>{}</a10:updated></item>",
            xml(title),
            xml(desc),
            t.strftime("%a, %d %b %Y %H:%M:%S Z"),
            rfc3339(t)
        );
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss xmlns:a10=\"http://www.w3.org/2005/Atom\" version=\"2.0\"><channel><title>Azure service updates</title><link>https://azure.microsoft.com/updates</link><description>Azure service updates</description>{items}</channel></rss>"
    );
    DemoSource {
        table: "[[sources]]\nname = \"azure-updates\"\nkind = \"cloud\"\nvendor = \"azure\"\n"
            .into(),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/rss+xml; charset=utf-8",
            body,
        }],
    }
}

/// One Google Cloud note: product, note type, HTML text.
type GcpNote = (&'static str, &'static str, &'static str);

/// Google Cloud release notes: Atom, one entry per day, whose HTML holds
/// `h2.release-note-product-title` products and `h3` note types.
fn gcp_source(now: Timestamp) -> DemoSource {
    let url = sources::cloud::default_url(crate::model::Vendor::Gcp);
    let days: [(i64, &[GcpNote]); 2] = [
        (4, &[
            ("Managed Service for Apache Kafka", "Feature", "Tiered storage for Managed Service for Apache Kafka clusters is <a href=\"https://cloud.google.com/products/#product-launch-stages\">generally available</a> (GA)."),
            ("AlloyDB for PostgreSQL", "Feature", "AlloyDB for PostgreSQL supports PostgreSQL 17. This feature is <a href=\"https://cloud.google.com/products/#product-launch-stages\">generally available</a> (GA)."),
        ]),
        (18, &[
            ("Cloud Service Mesh", "Feature", "Cloud Service Mesh supports gRPC proxyless services in <a href=\"https://cloud.google.com/products/#product-launch-stages\">Preview</a>."),
            ("Memorystore for Valkey", "Changed", "Memorystore for Valkey instances now default to Valkey 8.0."),
        ]),
    ];
    let mut entries = String::new();
    for (days_ago, notes) in days {
        let t = ago(now, days_ago);
        let title = t.strftime("%B %d, %Y").to_string();
        let anchor = title.replace([' ', ','], "_").replace("__", "_");
        let mut html = String::new();
        for (product, kind, text) in notes {
            let _ = write!(
                html,
                "<h2 class=\"release-note-product-title\">{product}</h2>\n<h3>{kind}</h3>\n<p>{text}</p>\n"
            );
        }
        let _ = write!(
            entries,
            "\n  <entry>\n    <title>{title}</title>\n    <id>tag:google.com,2016:gcp-release-notes#{anchor}</id>\n    <updated>{}</updated>\n    <link rel=\"alternate\" href=\"https://docs.cloud.google.com/release-notes#{anchor}\"/>\n    <content type=\"html\"><![CDATA[{html}]]>\n    </content>\n  </entry>\n",
            rfc3339(t)
        );
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- AUTOGENERATED FILE. DO NOT EDIT. -->\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:google.com,2016:gcp-release-notes</id>\n  <title>Google Cloud Platform (GCP) - Release notes</title>\n  <link rel=\"self\" href=\"{url}\"/>\n  <author>\n    <name>Google Cloud Platform</name>\n  </author>\n  <updated>{}</updated>\n{entries}\n</feed>\n",
        rfc3339(ago(now, 4))
    );
    DemoSource {
        table: "[[sources]]\nname = \"gcp-release-notes\"\nkind = \"cloud\"\nvendor = \"gcp\"\n"
            .into(),
        responses: vec![Response {
            url: url.to_string(),
            content_type: "application/atom+xml",
            body,
        }],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sources::ParseContext;

    /// Every generated payload parses with its real adapter into items.
    #[test]
    fn every_payload_parses_with_its_adapter() {
        let now: Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let files = write(&tmp.path().join("demo"), now).unwrap();
        let cfg = crate::config::Config::load(&files.config).unwrap();
        assert_eq!(cfg.sources.len(), files.sources);
        let recording = crate::replay::load(&files.recording).unwrap();
        assert_eq!(recording.len(), files.responses);
        for (url, (_, body)) in &recording {
            let ctx = ParseContext {
                source: "demo",
                url,
                now,
            };
            let items = if url.contains("/api/query") {
                sources::arxiv::parse_api(body, &ctx).map(|p| p.items)
            } else if url.contains("rss.arxiv.org") {
                sources::arxiv::parse_listing(body, &ctx)
            } else if url.contains("github.com/trending") {
                sources::trending::parse(body, &ctx, TrendingPeriod::Daily)
            } else if url.contains("whats-new") {
                sources::cloud::parse(crate::model::Vendor::Aws, body, &ctx)
            } else if url.contains("microsoft.com") {
                sources::cloud::parse(crate::model::Vendor::Azure, body, &ctx)
            } else if url.contains("gcp-release-notes") {
                sources::cloud::parse(crate::model::Vendor::Gcp, body, &ctx)
            } else {
                sources::feed::parse(body, &ctx)
            };
            let items = items.unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(items.len() >= 2, "{url}: {} items", items.len());
        }
    }

    // Regression (issue 13): the demo must not write into a folder of the user's files.
    #[test]
    fn refuses_a_folder_it_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            write(tmp.path(), Timestamp::now()),
            Err(DemoError::NotEmpty(_))
        ));
        let again = tmp.path().join("demo");
        write(&again, Timestamp::now()).unwrap();
        write(&again, Timestamp::now()).unwrap();
        assert!(!again.join("recording.partial").exists());
    }
}
