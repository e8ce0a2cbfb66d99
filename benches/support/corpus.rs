//! A seeded, deterministic synthetic corpus in the shapes of the recorded
//! fixtures: arXiv API Atom pages, WordPress-style RSS blog feeds, GitHub
//! trending HTML pages, and AWS / Azure / Google Cloud changelogs.
//!
//! Text is drawn from the fixtures' own words with a Zipf law; topic keywords
//! and system names from sources.toml are sprinkled in so the Tagger and the
//! absorption flags have something to find. A corpus of `n` documents is cut
//! into batches (one batch = one crawl = one commit); batch `b` covers its
//! slice of 60 weeks of dates, so the whole corpus spans 60 weeks.

use std::fmt::Write as _;

use horizon::config::TrendingPeriod;
use horizon::model::Vendor;
use jiff::Timestamp;

use super::{Rng, TopicWords, Zipf};

/// The newest date in the corpus.
pub const END: &str = "2026-11-23T00:00:00Z";
/// Weeks of dates the corpus spans.
pub const WEEKS: i64 = 60;

/// Which adapter parses a payload: the library's own dispatch.
pub use horizon::sources::Adapter;

/// One response body as a source would serve it.
#[derive(Debug, Clone)]
pub struct Payload {
    /// Adapter to use.
    pub adapter: Adapter<'static>,
    /// Source name (from sources.toml).
    pub source: String,
    /// URL it came from.
    pub url: String,
    /// Crawl time of this payload.
    pub now: Timestamp,
    /// The body.
    pub bytes: Vec<u8>,
    /// Documents the payload should parse into.
    pub docs: usize,
}

/// The generator.
#[derive(Debug, Clone)]
pub struct Corpus {
    seed: u64,
    vocab: Zipf,
    words: TopicWords,
    names: Vec<String>,
}

/// Share of each kind in a batch (papers, articles, repos, aws, azure, gcp), per mille.
const MIX: [usize; 6] = [400, 300, 50, 100, 50, 100];

const PRODUCTS: &[&str] = &[
    "Amazon MSK",
    "Amazon EKS",
    "Amazon RDS for PostgreSQL",
    "Amazon OpenSearch Service",
    "Amazon Managed Service for Prometheus",
    "Amazon Managed Grafana",
    "AWS Lambda",
    "Amazon S3",
    "Amazon ElastiCache",
    "Amazon Keyspaces",
    "Azure Kubernetes Service",
    "Azure Database for PostgreSQL",
    "Azure Monitor",
    "Azure Event Hubs",
    "Azure Cache for Redis",
    "BigQuery",
    "Cloud SQL for PostgreSQL",
    "Google Kubernetes Engine",
    "Cloud Service Mesh",
    "Memorystore",
    "AlloyDB for PostgreSQL",
    "Managed Service for Apache Kafka",
    "Cloud Monitoring",
    "Dataflow",
    "Pub/Sub",
];

const LANGUAGES: &[&str] = &[
    "Rust",
    "Go",
    "Python",
    "TypeScript",
    "C++",
    "Java",
    "Swift",
    "Zig",
];

const STAR_SVG: &str = r#"<svg aria-hidden="true" data-component="Octicon" height="16" viewBox="0 0 16 16" version="1.1" width="16" data-view-component="true" class="octicon octicon-star v-align-text-bottom d-none d-md-inline-block mr-2 tmp-mr-2">
    <path d="M8 .25a.75.75 0 0 1 .673.418l1.882 3.815 4.21.612a.75.75 0 0 1 .416 1.279l-3.046 2.97.719 4.192a.751.751 0 0 1-1.088.791L8 12.347l-3.766 1.98a.75.75 0 0 1-1.088-.79l.72-4.194L.818 6.374a.75.75 0 0 1 .416-1.28l4.21-.611L7.327.668A.75.75 0 0 1 8 .25Zm0 2.445L6.615 5.5a.75.75 0 0 1-.564.41l-3.097.45 2.24 2.184a.75.75 0 0 1 .216.664l-.528 3.084 2.769-1.456a.75.75 0 0 1 .698 0l2.77 1.456-.53-3.084a.75.75 0 0 1 .216-.664l2.24-2.183-3.096-.45a.75.75 0 0 1-.564-.41L8 2.694Z"></path>
</svg>"#;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn ascii_slug(s: &str) -> String {
    let slug: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "x".into()
    } else {
        slug
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn rfc2822(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Corpus {
    /// A generator over the fixtures' vocabulary and the repository's topics.
    pub fn new(seed: u64, vocabulary: Vec<String>, words: TopicWords) -> Self {
        let names: Vec<String> = vocabulary
            .iter()
            .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .take(2_000)
            .map(|w| capitalize(&w.to_lowercase()))
            .collect();
        Corpus {
            seed,
            vocab: Zipf::new(vocabulary, 1.0),
            words,
            names,
        }
    }

    /// Distinct words in the vocabulary.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.words.len()
    }

    fn words_n(&self, rng: &mut Rng, n: usize, keyword_p: f64) -> String {
        let mut out = String::new();
        let inject = if rng.chance(keyword_p) {
            Some(rng.below(n.max(1)))
        } else {
            None
        };
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            if Some(i) == inject {
                out.push_str(rng.pick(self.words.keywords.as_slice()).as_str());
                continue;
            }
            out.push_str(self.vocab.sample(rng));
        }
        out
    }

    fn sentence(&self, rng: &mut Rng, lo: usize, hi: usize, keyword_p: f64) -> String {
        let n = rng.range(lo, hi);
        capitalize(&self.words_n(rng, n, keyword_p))
    }

    /// Prose of `lo..=hi` words in sentences of 8 to 25 words.
    fn prose(&self, rng: &mut Rng, lo: usize, hi: usize, keyword_p: f64) -> String {
        let mut left = rng.range(lo, hi);
        let mut out = String::new();
        while left > 0 {
            let n = rng.range(8, 25).min(left);
            left -= n;
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&capitalize(&self.words_n(rng, n, keyword_p)));
            out.push('.');
        }
        out
    }

    fn person(&self, rng: &mut Rng) -> String {
        format!("{} {}", rng.pick(&self.names), rng.pick(&self.names))
    }

    fn source(&self, key: &str, rng: &mut Rng) -> String {
        self.words
            .sources
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|v| rng.pick(v).clone())
            .unwrap_or_else(|| key.to_string())
    }

    /// The payloads of batch `b` of `batches`, holding `docs` documents in total.
    pub fn batch(&self, b: usize, batches: usize, docs: usize) -> Vec<Payload> {
        let mut rng = Rng::new(self.seed ^ (b as u64 + 1).wrapping_mul(0x517C_C1B7_2722_0A95));
        let end: Timestamp = END.parse().expect("constant date");
        let span = WEEKS * 7 * 86_400;
        let slice = span / batches.max(1) as i64;
        let now_s = end.as_second() - span + slice * (b as i64 + 1);
        let now = Timestamp::from_second(now_s).expect("date in range");
        let from = now_s - slice;
        let date = |rng: &mut Rng| {
            Timestamp::from_second(from + (rng.f64() * slice as f64) as i64).expect("date")
        };
        let mut counts = [0usize; 6];
        let mut assigned = 0;
        for (i, m) in MIX.iter().enumerate() {
            counts[i] = docs * m / 1000;
            assigned += counts[i];
        }
        counts[0] += docs - assigned;
        let serial0 = b * docs;
        let mut out = Vec::new();

        // arXiv API pages of 100 entries.
        let mut serial = serial0;
        let mut left = counts[0];
        while left > 0 {
            let n = left.min(100);
            left -= n;
            out.push(self.arxiv_page(&mut rng, n, serial, now, &date));
            serial += n;
        }
        // Blog feeds of 20 items.
        let mut left = counts[1];
        while left > 0 {
            let n = left.min(20);
            left -= n;
            out.push(self.blog_feed(&mut rng, n, serial, now, &date));
            serial += n;
        }
        // Trending pages of 25 rows.
        let mut left = counts[2];
        while left > 0 {
            let n = left.min(25);
            left -= n;
            out.push(self.trending_page(&mut rng, n, serial, now));
            serial += n;
        }
        let mut left = counts[3];
        while left > 0 {
            let n = left.min(25);
            left -= n;
            out.push(self.aws_feed(&mut rng, n, serial, now, &date));
            serial += n;
        }
        let mut left = counts[4];
        while left > 0 {
            let n = left.min(25);
            left -= n;
            out.push(self.azure_feed(&mut rng, n, serial, now, &date));
            serial += n;
        }
        let mut left = counts[5];
        while left > 0 {
            let n = left.min(60);
            left -= n;
            out.push(self.gcp_feed(&mut rng, n, serial, b, now, &date));
            serial += n;
        }
        out
    }

    fn arxiv_page(
        &self,
        rng: &mut Rng,
        n: usize,
        serial: usize,
        now: Timestamp,
        date: &dyn Fn(&mut Rng) -> Timestamp,
    ) -> Payload {
        let mut s = String::with_capacity(n * 2_000);
        let _ = write!(
            s,
            "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>https://arxiv.org/api/bench{serial}</id>\n  <title>arXiv Query: search_query=all:bench&amp;id_list=&amp;start=0&amp;max_results=100</title>\n  <updated>{}</updated>\n  <opensearch:itemsPerPage>100</opensearch:itemsPerPage>\n  <opensearch:totalResults>214881</opensearch:totalResults>\n  <opensearch:startIndex>0</opensearch:startIndex>\n",
            rfc3339(now)
        );
        let cats = [
            "cs.DC", "cs.DB", "cs.SE", "cs.PF", "cs.NI", "cs.LG", "cs.CR", "cs.OS",
        ];
        for j in 0..n {
            let k = serial + j;
            let m = k / 90_000;
            let id = format!(
                "{:02}{:02}.{:05}",
                20 + m / 12,
                1 + m % 12,
                10_000 + k % 90_000
            );
            let v = 1 + rng.below(3);
            let published = date(rng);
            let primary = *rng.pick(&cats);
            let _ = write!(
                s,
                "  <entry>\n    <id>http://arxiv.org/abs/{id}v{v}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <link href=\"https://arxiv.org/abs/{id}v{v}\" rel=\"alternate\" type=\"text/html\"/>\n    <link href=\"https://arxiv.org/pdf/{id}v{v}\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>\n    <summary>{}</summary>\n    <category term=\"{primary}\" scheme=\"http://arxiv.org/schemas/atom\"/>\n    <category term=\"{}\" scheme=\"http://arxiv.org/schemas/atom\"/>\n    <published>{}</published>\n    <arxiv:primary_category term=\"{primary}\"/>\n",
                esc(&self.sentence(rng, 6, 16, 0.25)),
                rfc3339(published),
                esc(&self.prose(rng, 120, 250, 0.3)),
                rng.pick(&cats),
                rfc3339(published),
            );
            for _ in 0..rng.range(1, 8) {
                let _ = write!(
                    s,
                    "    <author>\n      <name>{}</name>\n    </author>\n",
                    esc(&self.person(rng))
                );
            }
            s.push_str("  </entry>\n");
        }
        s.push_str("</feed>\n");
        Payload {
            adapter: Adapter::ArxivApi,
            source: self.source("arxiv", rng),
            url: format!(
                "https://export.arxiv.org/api/query?search_query=all:bench&start={serial}"
            ),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }

    fn blog_feed(
        &self,
        rng: &mut Rng,
        n: usize,
        serial: usize,
        now: Timestamp,
        date: &dyn Fn(&mut Rng) -> Timestamp,
    ) -> Payload {
        let source = self.source("feed", rng);
        let host = format!("{}.example.com", ascii_slug(&source));
        let mut s = String::with_capacity(n * 2_500);
        let _ = write!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><rss xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"2.0\">\n<channel>\n\t<title>{}</title>\n\t<atom:link href=\"https://{host}/feed/\" rel=\"self\" type=\"application/rss+xml\"/>\n\t<link>https://{host}/</link>\n\t<description>{}</description>\n\t<lastBuildDate>{}</lastBuildDate>\n\t<language>en-US</language>\n",
            esc(&source),
            esc(&self.sentence(rng, 5, 10, 0.0)),
            rfc2822(now)
        );
        for j in 0..n {
            let title = self.sentence(rng, 5, 12, 0.2);
            let link = format!("https://{host}/blog/{}-{}/", ascii_slug(&title), serial + j);
            let mut html = String::new();
            for _ in 0..rng.range(2, 5) {
                let _ = writeln!(html, "<p>{}</p>", self.prose(rng, 25, 50, 0.25));
            }
            let _ = write!(
                s,
                "\t<item>\n\t\t<title>{}</title>\n\t\t<link>{link}</link>\n\t\t<dc:creator><![CDATA[{}]]></dc:creator>\n\t\t<pubDate>{}</pubDate>\n\t\t<category><![CDATA[{}]]></category>\n\t\t<category><![CDATA[{}]]></category>\n\t\t<guid isPermaLink=\"false\">{link}</guid>\n\t\t<description>{}</description>\n\t</item>\n",
                esc(&title),
                self.person(rng),
                rfc2822(date(rng)),
                capitalize(self.vocab.sample(rng)),
                capitalize(self.vocab.sample(rng)),
                esc(&html),
            );
        }
        s.push_str("</channel>\n</rss>\n");
        Payload {
            adapter: Adapter::Feed,
            source,
            url: format!("https://{host}/feed/"),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }

    fn trending_page(&self, rng: &mut Rng, n: usize, serial: usize, now: Timestamp) -> Payload {
        let mut s = String::with_capacity(n * 4_000);
        s.push_str("<!DOCTYPE html>\n<html lang=\"en\" data-color-mode=\"auto\">\n<head><meta charset=\"utf-8\"><title>Trending repositories on GitHub today · GitHub</title></head>\n<body class=\"logged-out env-production page-responsive\">\n<div class=\"application-main\"><main><div class=\"position-relative container-lg p-responsive pt-6\"><div class=\"Box\">\n<div class=\"Box-header d-md-flex flex-items-center flex-justify-between\"></div>\n<div data-hpc>\n");
        for j in 0..n {
            let owner = format!("{}-{}", ascii_slug(self.vocab.sample(rng)), serial + j);
            let name = ascii_slug(self.vocab.sample(rng));
            let full = format!("{owner}/{name}");
            let lang = rng.pick(LANGUAGES);
            let stars = rng.range(50, 90_000);
            let forks = stars / rng.range(5, 20);
            let gained = rng.range(10, 3_000);
            let _ = write!(
                s,
                "<article class=\"Box-row\">\n  <div class=\"float-right d-flex\">\n      <div data-view-component=\"true\" class=\"BtnGroup d-flex\">\n        <a href=\"/login?return_to=%2F{owner}%2F{name}\" rel=\"nofollow\" aria-label=\"You must be signed in to star a repository\" data-view-component=\"true\" class=\"tooltipped tooltipped-sw btn-sm btn\">    {STAR_SVG}\n        <span data-view-component=\"true\" class=\"d-none d-md-inline\">\n          Star\n</span>\n</a></div>\n  </div>\n\n  <h2 class=\"h3 lh-condensed\">\n    <a href=\"/{full}\" data-view-component=\"true\" class=\"Link\">\n      <span data-view-component=\"true\" class=\"text-normal\">\n        {owner} /\n</span>\n      {name}</a>  </h2>\n\n    <p class=\"col-9 color-fg-muted my-1 pr-4\">\n      {}\n    </p>\n\n  <div class=\"f6 color-fg-muted mt-2\">\n      <span class=\"d-inline-block ml-0 mr-3\">\n  <span class=\"repo-language-color\" style=\"background-color: #dea584\"></span>\n  <span itemprop=\"programmingLanguage\">{}</span>\n</span>\n\n      <a href=\"/{full}/stargazers\" data-view-component=\"true\" class=\"Link Link--muted d-inline-block mr-3\">{STAR_SVG}\n        {}</a>\n      <a href=\"/{full}/forks\" data-view-component=\"true\" class=\"Link Link--muted d-inline-block mr-3\">\n        {}</a>\n      <span data-view-component=\"true\" class=\"d-inline-block float-sm-right\">\n        {STAR_SVG}\n        {} stars today\n</span>  </div>\n</article>\n",
                esc(&self.sentence(rng, 5, 20, 0.3)),
                esc(lang),
                group(stars),
                group(forks),
                group(gained),
            );
        }
        s.push_str("</div></div></div></main></div>\n</body>\n</html>\n");
        Payload {
            adapter: Adapter::Trending(TrendingPeriod::Daily),
            source: self.source("github_trending", rng),
            url: "https://github.com/trending".into(),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }

    fn launch_title(&self, rng: &mut Rng, product: &str) -> (String, &'static str) {
        let system = rng.pick(&self.words.systems).clone();
        let what = self.sentence(rng, 3, 8, 0.0).to_lowercase();
        match rng.below(6) {
            0 => (
                format!("{product} now generally available for {system} {what}"),
                "ga",
            ),
            1 => (
                format!("{product} announces preview of managed {system} {what}"),
                "preview",
            ),
            2 => (
                format!("{product} is now available in the Asia Pacific (Taipei) Region"),
                "region",
            ),
            3 => (format!("Introducing {product} for {system}: {what}"), "new"),
            _ => (format!("{product} adds support for {what}"), "update"),
        }
    }

    fn aws_feed(
        &self,
        rng: &mut Rng,
        n: usize,
        serial: usize,
        now: Timestamp,
        date: &dyn Fn(&mut Rng) -> Timestamp,
    ) -> Payload {
        let mut s = String::with_capacity(n * 1_500);
        let _ = write!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><rss version=\"2.0\"><channel><link>https://aws.amazon.com/new.rss</link><title>What's New</title><description>The AWS Cloud platform expands daily.</description><managingEditor>aws@amazon.com</managingEditor><lastBuildDate>{}</lastBuildDate>",
            rfc2822(now)
        );
        for j in 0..n {
            let product = *rng.pick(&PRODUCTS[..10]);
            let (title, _) = self.launch_title(rng, product);
            let k = serial + j;
            let link = format!(
                "https://aws.amazon.com/about-aws/whats-new/2026/{}/{}-{k}/",
                1 + k % 12,
                ascii_slug(&title)
            );
            let guid = format!(
                "{:016x}{:016x}{:08x}",
                k as u64 * 2_654_435_761,
                !(k as u64),
                k as u32
            );
            let body = format!(
                "<p>{}</p> \n<p>{}</p>",
                self.prose(rng, 30, 80, 0.3),
                self.prose(rng, 10, 30, 0.0)
            );
            let _ = write!(
                s,
                "<item><link>{link}</link><guid>{guid}</guid><title>{}</title><description>{}</description><pubDate>{}</pubDate><category>general:products/{},marketing:marchitecture/databases</category><author>aws@amazon.com</author></item>",
                esc(&title),
                esc(&body),
                rfc2822(date(rng)),
                ascii_slug(product)
            );
        }
        s.push_str("</channel></rss>");
        Payload {
            adapter: Adapter::Cloud(Vendor::Aws),
            source: self.source("aws", rng),
            url: "https://aws.amazon.com/about-aws/whats-new/recent/feed/".into(),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }

    fn azure_feed(
        &self,
        rng: &mut Rng,
        n: usize,
        serial: usize,
        now: Timestamp,
        date: &dyn Fn(&mut Rng) -> Timestamp,
    ) -> Payload {
        let mut s = String::with_capacity(n * 800);
        s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss xmlns:a10=\"http://www.w3.org/2005/Atom\" version=\"2.0\"><channel><title>Azure service updates</title>\n");
        for j in 0..n {
            let product = *rng.pick(&PRODUCTS[10..15]);
            let system = rng.pick(&self.words.systems).clone();
            let what = self.sentence(rng, 3, 8, 0.0).to_lowercase();
            let (title, status) = match rng.below(3) {
                0 => (
                    format!("[Launched] Generally Available: {product} for {system} {what}"),
                    "Launched",
                ),
                1 => (
                    format!("[In preview] Public Preview: {product} managed {system} {what}"),
                    "In preview",
                ),
                _ => (
                    format!("Retirement: {product} {what} will be retired"),
                    "Retirements",
                ),
            };
            let desc: String = self.prose(rng, 30, 45, 0.3).chars().take(255).collect();
            let when = date(rng);
            let _ = writeln!(
                s,
                "<item><guid isPermaLink=\"false\">{}</guid><link>https://azure.microsoft.com/updates?id={}</link><category>{status}</category><category>Compute</category><title>{}</title><description>{}</description><pubDate>{}</pubDate><a10:updated>{}</a10:updated></item>",
                500_000 + serial + j,
                500_000 + serial + j,
                esc(&title),
                esc(&desc),
                when.strftime("%a, %d %b %Y %H:%M:%S Z"),
                rfc3339(when),
            );
        }
        s.push_str("</channel></rss>");
        Payload {
            adapter: Adapter::Cloud(Vendor::Azure),
            source: self.source("azure", rng),
            url: "https://www.microsoft.com/releasecommunications/api/v2/azure/rss".into(),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn gcp_feed(
        &self,
        rng: &mut Rng,
        n: usize,
        serial: usize,
        batch: usize,
        now: Timestamp,
        date: &dyn Fn(&mut Rng) -> Timestamp,
    ) -> Payload {
        let mut s = String::with_capacity(n * 1_000);
        let _ = write!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- AUTOGENERATED FILE. DO NOT EDIT. -->\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:google.com,2016:gcp-release-notes</id>\n  <title>Google Cloud Platform (GCP) - Release notes</title>\n  <link rel=\"self\" href=\"https://docs.cloud.google.com/feeds/gcp-release-notes.xml\"/>\n  <author>\n    <name>Google Cloud Platform</name>\n  </author>\n  <updated>{}</updated>\n\n",
            rfc3339(now)
        );
        let mut left = n;
        let mut e = 0;
        while left > 0 {
            // One entry per day with 1 to 8 notes, each under its own product
            // (a product repeated within an entry would still be distinct notes).
            let notes = rng.range(1, 8).min(left);
            left -= notes;
            let when = date(rng);
            let day = when.strftime("%B_%d_%Y");
            let _ = write!(
                s,
                "  <entry>\n    <title>{}</title>\n    <id>tag:google.com,2016:gcp-release-notes#{day}_b{batch}_s{serial}_e{e}</id>\n    <updated>{}</updated>\n    <link rel=\"alternate\" href=\"https://docs.cloud.google.com/release-notes#{day}\"/>\n    <content type=\"html\"><![CDATA[",
                when.strftime("%B %d, %Y"),
                rfc3339(when),
            );
            for _ in 0..notes {
                let product = *rng.pick(&PRODUCTS[15..]);
                let system = rng.pick(&self.words.systems).clone();
                let (kind, tail) = match rng.below(5) {
                    0 => ("Feature", format!("Managed {system} support is <a href=\"https://cloud.google.com/products/#product-launch-stages\">generally available</a>\n(GA).")),
                    1 => ("Feature", format!("Managed {system} support is available in <a href=\"https://cloud.google.com/products/#product-launch-stages\">Preview</a>.")),
                    2 => ("Deprecated", "This feature is deprecated and will be removed.".to_string()),
                    3 => ("Changed", String::new()),
                    _ => ("Fixed", String::new()),
                };
                let _ = write!(
                    s,
                    "<h2 class=\"release-note-product-title\">{product}</h2>\n<h3>{kind}</h3>\n<p>{}\n{tail}</p>\n",
                    self.prose(rng, 20, 80, 0.3)
                );
            }
            s.push_str("]]></content>\n  </entry>\n");
            e += 1;
        }
        s.push_str("</feed>\n");
        Payload {
            adapter: Adapter::Cloud(Vendor::Gcp),
            source: self.source("gcp", rng),
            url: "https://docs.cloud.google.com/feeds/gcp-release-notes.xml".into(),
            now,
            bytes: s.into_bytes(),
            docs: n,
        }
    }
}

/// `12345` → `12,345`, as GitHub prints counts.
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parse one payload with horizon's adapter.
pub fn parse(p: &Payload) -> anyhow::Result<Vec<horizon::model::Item>> {
    use horizon::sources::ParseContext;
    let ctx = ParseContext {
        source: &p.source,
        url: &p.url,
        now: p.now,
    };
    Ok(p.adapter.parse(&p.bytes, &ctx)?)
}
