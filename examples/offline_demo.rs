//! Build a recording from the recorded real payloads in `shared/fixtures`, so
//! horizon can be tried end to end without a network:
//!
//! ```sh
//! cargo run --example offline_demo -- ../shared/fixtures demo
//! horizon --config demo/sources.toml --index demo/index crawl --replay demo/recording
//! horizon --config demo/sources.toml --index demo/index search 'kafka OR flink'
//! ```
//!
//! It writes `demo/recording/` (one response per real source URL, as
//! `horizon crawl --record` would) and `demo/sources.toml` (the checked-in
//! topics with sources at their real URLs). The test `tests/integration/offline_replay.rs`
//! runs crawl → search → report over the same recording.

use std::path::{Path, PathBuf};

use horizon::replay::{write_entry, RecordedResponse};

/// The arXiv topic the demo's API source queries, and its page size.
const ARXIV_TOPIC: &str = "load-generation";
const ARXIV_PAGE: usize = 10;

/// One recorded response: URL, fixture file, content type.
type Response = (String, &'static str, &'static str);

/// `(source table, responses)` for every demo source.
fn demo_sources(topics: &[horizon::config::Topic]) -> Vec<(String, Vec<Response>)> {
    let rss = "application/rss+xml; charset=utf-8";
    let atom = "application/atom+xml; charset=utf-8";
    let html = "text/html; charset=utf-8";
    let feed = |name: &str, url: &str, fixture: &'static str, ct: &'static str| {
        (
            format!("[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n"),
            vec![(url.to_string(), fixture, ct)],
        )
    };
    let mut out = vec![
        (
            "[[sources]]\nname = \"aws-whats-new\"\nkind = \"cloud\"\nvendor = \"aws\"\n".to_string(),
            vec![(
                "https://aws.amazon.com/about-aws/whats-new/recent/feed/".to_string(),
                "cloud-aws/aws-whats-new_rss2_2016-07-21.xml",
                rss,
            )],
        ),
        (
            "[[sources]]\nname = \"azure-updates\"\nkind = \"cloud\"\nvendor = \"azure\"\n".to_string(),
            vec![(
                "https://www.microsoft.com/releasecommunications/api/v2/azure/rss".to_string(),
                "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
                rss,
            )],
        ),
        (
            "[[sources]]\nname = \"gcp-release-notes\"\nkind = \"cloud\"\nvendor = \"gcp\"\n".to_string(),
            vec![(
                "https://docs.cloud.google.com/feeds/gcp-release-notes.xml".to_string(),
                "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
                atom,
            )],
        ),
        (
            "[[sources]]\nname = \"trending-all-daily\"\nkind = \"github_trending\"\nsince = \"daily\"\n".to_string(),
            vec![(
                "https://github.com/trending".to_string(),
                "github-trending/trending_all-languages_daily_2023-05-18.html",
                html,
            )],
        ),
        (
            "[[sources]]\nname = \"trending-rust-weekly\"\nkind = \"github_trending\"\nlanguage = \"rust\"\nsince = \"weekly\"\n".to_string(),
            vec![(
                "https://github.com/trending/rust?since=weekly".to_string(),
                "github-trending/trending_rust_weekly_2026-05-07.html",
                html,
            )],
        ),
        (
            "[[sources]]\nname = \"arxiv-listings\"\nkind = \"arxiv\"\nmode = \"listing\"\ncategories = [\"cs.LG\", \"cs.AI\"]\n".to_string(),
            vec![
                (
                    "https://rss.arxiv.org/rss/cs.LG".to_string(),
                    "arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml",
                    rss,
                ),
                (
                    "https://rss.arxiv.org/rss/cs.AI".to_string(),
                    "arxiv-rss/arxiv-rss_cs.AI_2026-04-27_trimmed.xml",
                    rss,
                ),
            ],
        ),
        feed("aws-news-blog", "https://aws.amazon.com/blogs/aws/feed/", "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml", rss),
        feed("google-cloud-blog", "https://cloudblog.withgoogle.com/rss/", "blog-feeds/google-cloud-blog_rss2_2019-09-03.xml", rss),
        feed("google-deepmind", "https://deepmind.google/blog/rss.xml", "blog-feeds/google-deepmind-blog_rss2_2026-04-27_trimmed.xml", rss),
        feed(
            "meta-ai-research",
            "https://engineering.fb.com/category/ai-research/feed/",
            "blog-feeds/meta-ai-blog_wordpress-rss2_2026-02-25_trimmed.xml",
            rss,
        ),
        feed("huggingface-blog", "https://huggingface.co/blog/feed.xml", "blog-feeds/huggingface-blog_rss2_2026-04-27_trimmed.xml", rss),
    ];
    // The arXiv API source: the first page of the query horizon builds for one
    // topic (one page, so max_results = page size).
    if let Some(t) = topics.iter().find(|t| t.name == ARXIV_TOPIC) {
        let q = horizon::sources::arxiv::build_query(&t.keywords, &t.arxiv_categories);
        let url = horizon::sources::arxiv::api_url(None, &q, 0, ARXIV_PAGE);
        out.push((
            format!(
                "[[sources]]\nname = \"arxiv-load-generation\"\nkind = \"arxiv\"\nmode = \"api\"\ntopics = [\"{ARXIV_TOPIC}\"]\nmax_results = {ARXIV_PAGE}\npage_size = {ARXIV_PAGE}\n"
            ),
            vec![(url.to_string(), "arxiv-api/api2026_search-all-testing_start0_max10.xml", atom)],
        ));
    }
    out
}

/// Write `out/recording/` and `out/sources.toml` from the fixtures folder.
/// `repo_config` is the repository's `sources.toml`, whose topics the demo uses.
///
/// Every fixture is checked before anything is written, and the recording is
/// built in `out/recording.partial` and renamed into place, so a missing
/// folder or file never leaves a half-written recording behind.
pub fn build(fixtures: &Path, repo_config: &Path, out: &Path) -> Result<PathBuf, String> {
    if !fixtures.is_dir() {
        return Err(format!(
            "the recorded fixtures folder {} does not exist (it is ../shared/fixtures beside \
             the repository, or set HORIZON_FIXTURES); without it, `horizon demo` shows \
             horizon offline from generated payloads",
            fixtures.display()
        ));
    }
    let repo_text = std::fs::read_to_string(repo_config)
        .map_err(|e| format!("{}: {e}", repo_config.display()))?;
    let cfg = horizon::config::Config::parse(repo_config, &repo_text).map_err(|e| e.to_string())?;
    let sources = demo_sources(&cfg.topics);
    let missing: Vec<String> = sources
        .iter()
        .flat_map(|(_, responses)| responses.iter())
        .map(|(_, fixture, _)| fixtures.join(fixture))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} fixture file(s) missing from {}: {}",
            missing.len(),
            fixtures.display(),
            missing.join(", ")
        ));
    }
    // Keep the checked-in [settings], [absorption] and [[topics]]: everything before the sources.
    let head = match repo_text.find("[[sources]]") {
        Some(pos) => &repo_text[..pos],
        None => repo_text.as_str(),
    };
    let recording = out.join("recording");
    let partial = out.join("recording.partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let mut config = String::from(head);
    config.push_str("# Sources of the offline demo: real URLs, answered from demo/recording.\n\n");
    for (table, responses) in sources {
        config.push_str(&table);
        config.push('\n');
        for (url, fixture, content_type) in responses {
            let path = fixtures.join(fixture);
            let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let etag = format!(
                "\"{}\"",
                horizon::text::stable_hash(&[&String::from_utf8_lossy(&body)])
            );
            let entry = RecordedResponse {
                url,
                status: 200,
                headers: vec![
                    ("content-type".into(), content_type.into()),
                    ("etag".into(), etag),
                ],
            };
            write_entry(&partial, &entry, &body).map_err(|e| e.to_string())?;
        }
    }
    let _ = std::fs::remove_dir_all(&recording);
    std::fs::rename(&partial, &recording).map_err(|e| format!("{}: {e}", recording.display()))?;
    let config_path = out.join("sources.toml");
    std::fs::write(&config_path, config).map_err(|e| format!("{}: {e}", config_path.display()))?;
    Ok(config_path)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(fixtures), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: cargo run --example offline_demo -- FIXTURES_DIR OUT_DIR");
        return std::process::ExitCode::from(2);
    };
    let repo_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    match build(Path::new(&fixtures), &repo_config, Path::new(&out)) {
        Ok(config) => {
            let out = Path::new(&out);
            println!(
                "wrote {} and {}",
                config.display(),
                out.join("recording").display()
            );
            println!("next:");
            println!(
                "  horizon --config {c} --index {i} crawl --replay {r}",
                c = config.display(),
                i = out.join("index").display(),
                r = out.join("recording").display()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("offline_demo: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
