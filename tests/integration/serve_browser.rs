//! `horizon serve` in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `.ci/run`) loads the pages of a server started
//! over an index of the recorded fixtures, re-dated so that their week
//! (2025-W44) is last week, and goes where a person would: search → open a
//! result → its source's link → the landscape and a cell's evidence → the
//! landscape's form submitted (one topic, by level) → last week's report →
//! a section's "… and N more" → the list of weeks → the week before. Each step reads the DOM Chromium built (`--dump-dom`) and
//! checks what is on screen; Chromium's console must report no
//! Content-Security-Policy violation, and the server's access log must show
//! the browser fetching the stylesheet. Screenshots of each page are left in
//! `target/tmp/serve-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use horizon::absorb::{Catalog, Classifier};
use horizon::config::Config;
use horizon::index::{merge, HorizonIndex};
use horizon::model::Item;
use horizon::topics::Tagger;
use jiff::{SignedDuration, Timestamp};
use scraper::{Html, Selector};

use crate::support::fixture_items::{self, REPORT_FIXTURES};
use crate::support::{fixtures, horizon, repo_file};

/// The week of the fixtures' golden report, moved onto last week.
const FIXTURE_WEEK: &str = "2025-W44";

fn chromium_binary() -> PathBuf {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for c in candidates {
            let p = dir.join(c);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("needs chromium on PATH: install Debian's `chromium` package (apt-get install -y chromium; .ci/run does)");
}

/// Move every date of `item` by `by`.
fn shift(item: &mut Item, by: SignedDuration) {
    for t in [
        &mut item.published,
        &mut item.updated,
        &mut item.first_seen,
        &mut item.last_seen,
    ] {
        *t = t.map(|t| t + by);
    }
}

/// The fixtures parsed, tagged and classified as a crawl would, re-dated by
/// whole weeks so that [`FIXTURE_WEEK`] is the last complete week; what
/// would then lie in the future is left out.
fn fixture_index(dir: &Path, cfg: &Config, now: Timestamp) {
    let from = horizon::report::iso_week(FIXTURE_WEEK).unwrap().since;
    let to = horizon::report::last_complete_week(now).since;
    let by = to.duration_since(from);
    let catalog = Catalog::for_config(cfg).unwrap();
    let tagger = Tagger::with_catalog(&cfg.topics, &catalog).unwrap();
    let classifier = Classifier::new(catalog);
    let fixtures = fixtures();
    let mut docs: BTreeMap<String, Item> = BTreeMap::new();
    for f in REPORT_FIXTURES {
        let mut items = fixture_items::parse(&fixtures, f);
        classifier.classify_all(&mut items);
        tagger.tag(&mut items).unwrap();
        let at = fixture_items::captured(f) + by;
        for mut item in items {
            shift(&mut item, by);
            if item.date().is_some_and(|d| d > now) {
                continue;
            }
            let (merged, _) = merge(item.clone(), docs.get(&item.id), at);
            docs.insert(merged.id.clone(), merged);
        }
    }
    let idx = HorizonIndex::open_or_create(dir).unwrap();
    let mut w = idx.writer(50_000_000).unwrap();
    for item in docs.values() {
        w.add_document(idx.doc_of(item)).unwrap();
    }
    w.commit().unwrap();
}

/// Headless Chromium with the flags that work in a container, each run in
/// a new profile.
struct Browser {
    bin: PathBuf,
    tmp: tempfile::TempDir,
    shots: PathBuf,
    runs: usize,
}

impl Browser {
    fn new() -> Browser {
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            bin: chromium_binary(),
            tmp: tempfile::tempdir().unwrap(),
            shots,
            runs: 0,
        }
    }

    /// Run Chromium on `url` with `extra` flags; (stdout, stderr).
    fn run(&mut self, extra: &[String], url: &str) -> (String, String) {
        self.runs += 1;
        let profile = self.tmp.path().join(format!("profile-{}", self.runs));
        let child = Command::new(&self.bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1280,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        // Read both pipes to the end (a big DOM fills a pipe) while a
        // watchdog kills a Chromium that hangs.
        let pid = child.id().to_string();
        let done = Arc::new(Mutex::new(false));
        let watch = Arc::clone(&done);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(90);
            while Instant::now() < deadline {
                if *watch.lock().unwrap() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        });
        let out = child.wait_with_output().unwrap();
        *done.lock().unwrap() = true;
        assert!(
            out.status.success(),
            "chromium failed on {url} ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The DOM Chromium built for `url`, after checking its console for
    /// CSP violations; a screenshot of the page is saved as `name`.png.
    fn page(&mut self, url: &str, name: &str) -> Html {
        let (dom, log) = self.run(&["--dump-dom".to_string()], url);
        assert!(
            !log.contains("Content Security Policy"),
            "{url}: a Content-Security-Policy violation:\n{log}"
        );
        assert!(dom.contains("<html"), "{url}: no page:\n{dom}\n{log}");
        let shot = self.shots.join(format!("{name}.png"));
        self.run(&[format!("--screenshot={}", shot.display())], url);
        assert!(
            std::fs::metadata(&shot)
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "no screenshot of {url}"
        );
        Html::parse_document(&dom)
    }
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).collect()
}

fn text(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

fn first_text(doc: &Html, css: &str) -> String {
    select(doc, css)
        .first()
        .map(text)
        .unwrap_or_else(|| panic!("nothing matches {css}"))
}

fn href(e: &scraper::ElementRef<'_>) -> String {
    e.value().attr("href").unwrap_or_default().to_string()
}

/// The URL a browser goes to when the GET form matching `css` is submitted
/// with `changes` applied: the action, then every named field in document
/// order (an input's value, a select's selected option, else its first).
fn submit(doc: &Html, css: &str, changes: &[(&str, &str)]) -> String {
    let form = select(doc, css)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no form {css}"));
    assert_eq!(form.value().attr("method"), Some("get"));
    let fields = Selector::parse("input[name], select[name]").unwrap();
    let option = Selector::parse("option").unwrap();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for field in form.select(&fields) {
        let name = field.value().attr("name").unwrap();
        let value = match field.value().name() {
            "select" => {
                let options: Vec<_> = field.select(&option).collect();
                options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first())
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_string()
            }
            _ => field.value().attr("value").unwrap_or_default().to_string(),
        };
        let value = changes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value, |(_, v)| (*v).to_string());
        query.append_pair(name, &value);
    }
    format!(
        "{}?{}",
        form.value().attr("action").unwrap_or_default(),
        query.finish()
    )
}

/// `horizon serve` on a free port, its stderr collected; (child, base URL, log).
fn serve(config: &Path, index: &Path) -> (std::process::Child, String, Arc<Mutex<String>>) {
    serve_with(config, index, &[])
}

/// [`serve`] with more arguments.
fn serve_with(
    config: &Path,
    index: &Path,
    extra: &[&str],
) -> (std::process::Child, String, Arc<Mutex<String>>) {
    let mut child = horizon(config, index)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut l = sink.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    (child, base, log)
}

#[test]
#[ignore = "needs chromium (Debian package; .ci/run installs it) and ../shared/fixtures"]
fn a_browser_searches_opens_a_result_reads_the_landscape_and_last_weeks_report() {
    let mut browser = Browser::new();
    // The CSP check sees a violation when there is one.
    let bad = browser.tmp.path().join("csp.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"style-src 'self'\"><style>p{}</style></head><body><p>x</p></body></html>",
    )
    .unwrap();
    let (_, log) = browser.run(&["--dump-dom".into()], &format!("file://{}", bad.display()));
    assert!(
        log.contains("Content Security Policy"),
        "the console check is blind:\n{log}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let config = repo_file("sources.toml");
    let cfg = Config::load(&config).unwrap();
    let index = tmp.path().join("index");
    let now = Timestamp::now();
    fixture_index(&index, &cfg, now);
    let last_week = horizon::report::last_complete_week(now).label;
    let (mut child, base, log) = serve(&config, &index);

    // Search.
    let doc = browser.page(&format!("{base}/search?q=iceberg"), "search");
    let count = first_text(&doc, "p.count");
    assert!(count.contains("shown"), "a result count: {count}");
    let hits = select(&doc, "li.hit h2 a");
    assert!(!hits.is_empty(), "hits for iceberg");
    let title = text(&hits[0]);
    assert!(title.contains("Iceberg"), "{title}");
    assert!(
        !select(&doc, "li.hit .snippet mark").is_empty(),
        "highlighted words"
    );
    assert_eq!(
        select(&doc, "nav.site a[aria-current=page]")
            .first()
            .map(text)
            .as_deref(),
        Some("Search")
    );

    // Open the first result.
    let doc = browser.page(&format!("{base}{}", href(&hits[0])), "item");
    assert_eq!(first_text(&doc, "h1"), title);
    let facts = first_text(&doc, "table.facts");
    assert!(
        facts.contains("gcp-release-notes") && facts.contains("cloud"),
        "{facts}"
    );
    let original = select(&doc, "a.original");
    assert!(
        href(&original[0]).starts_with("https://"),
        "a link to the original"
    );
    // #31 item 6: the item's facts are links; its source leads to a search
    // of that source with the filter set.
    let source = select(&doc, "table.facts a")
        .into_iter()
        .find(|a| text(a) == "gcp-release-notes")
        .map(|a| href(&a))
        .expect("the source is a link");
    assert_eq!(source, "/search?source=gcp-release-notes&sort=date");
    let by_source = browser.page(&format!("{base}{source}"), "item-source");
    assert_eq!(
        select(&by_source, "select[name=source] option[selected]")
            .first()
            .and_then(|o| o.value().attr("value")),
        Some("gcp-release-notes")
    );
    let metas = select(&by_source, "li.hit .meta");
    assert!(
        !metas.is_empty() && metas.iter().all(|m| text(m).contains("gcp-release-notes")),
        "only that source's documents"
    );
    let week_link = select(&doc, "table.facts a")
        .into_iter()
        .map(|a| href(&a))
        .find(|h| h.starts_with("/report?week="))
        .expect("the date links to its week's report");
    assert_eq!(week_link, format!("/report?week={last_week}"));

    // The landscape: the matrix, and a cell's link to its evidence.
    let landscape_href = href(
        &select(&doc, "nav.site a")
            .into_iter()
            .find(|a| text(a) == "Landscape")
            .unwrap(),
    );
    let doc = browser.page(&format!("{base}{landscape_href}"), "landscape");
    assert_eq!(first_text(&doc, "h1"), "Cloud absorption landscape");
    let rows = select(&doc, "table.matrix tbody tr");
    let kafka = rows
        .iter()
        .find(|r| r.text().any(|t| t == "Kafka"))
        .expect("a Kafka row");
    let cells = Selector::parse("td a[href^='#row-']").unwrap();
    let cell = kafka
        .select(&cells)
        .find(|a| text(a).contains("MSK"))
        .map(|a| href(&a))
        .expect("the AWS cell links to its evidence");
    let target = select(&doc, &format!("[id='{}']", cell.trim_start_matches('#')));
    assert_eq!(target.len(), 1, "the cell's anchor {cell} is on the page");
    assert!(text(&target[0]).contains("AWS"));
    // Kafka's timeline (#29): an inline SVG the CSP let through, a mark per
    // dated milestone (the catalog dates Amazon MSK's preview and GA).
    let kafka_row = href(
        &kafka
            .select(&Selector::parse("a[href^='#row-']").unwrap())
            .next()
            .unwrap(),
    );
    let detail = select(
        &doc,
        &format!("section[id='{}']", kafka_row.trim_start_matches('#')),
    );
    let marks = detail[0]
        .select(&Selector::parse("svg.timeline circle.mark").unwrap())
        .count();
    assert!(marks >= 2, "Kafka's timeline marks: {marks}");
    assert!(
        detail[0]
            .select(&Selector::parse("ol.timeline li").unwrap())
            .any(|li| text(&li).contains("Amazon MSK: GA")),
        "the milestones in words"
    );
    // The landscape's form, submitted as a browser submits a GET form (its
    // fields in order, the user's changes applied): one topic, by level.
    let url = submit(
        &doc,
        "form.landscape",
        &[("topic", "stream-processing"), ("sort", "level")],
    );
    assert!(url.starts_with("/landscape?"), "{url}");
    let narrowed = browser.page(&format!("{base}{url}"), "landscape-controls");
    assert_eq!(
        select(&narrowed, "select[name=topic] option[selected]")
            .first()
            .map(text)
            .as_deref(),
        Some("stream-processing")
    );
    let rows = select(&narrowed, "table.matrix tbody tr");
    let levels: Vec<usize> = rows
        .iter()
        .map(|r| {
            let level = r.text().next().unwrap_or_default().to_string();
            ["watch", "absorbing", "absorbed"]
                .iter()
                .position(|l| *l == level)
                .unwrap_or_else(|| panic!("a level: {level:?}"))
        })
        .collect();
    assert!(!levels.is_empty(), "stream-processing has flagged systems");
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "highest level first: {levels:?}"
    );
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.text().nth(1).map(str::to_string))
        .collect();
    assert!(names.iter().any(|n| n == "Kafka"), "{names:?}");
    assert!(
        !names.iter().any(|n| n == "PostgreSQL"),
        "another topic's system: {names:?}"
    );
    // The whole landscape in one picture (a fragment URL gives headless
    // Chromium a blank screenshot), for the timelines further down.
    let full = browser.shots.join("landscape-full.png");
    browser.run(
        &[
            "--window-size=1280,8000".to_string(),
            format!("--screenshot={}", full.display()),
        ],
        &format!("{base}{landscape_href}"),
    );
    assert!(std::fs::metadata(&full).is_ok_and(|m| m.len() > 1000));

    // Last week's report, then the week before through the pager.
    let reports = href(
        &select(&doc, "nav.site a")
            .into_iter()
            .find(|a| text(a) == "Reports")
            .unwrap(),
    );
    let doc = browser.page(&format!("{base}{reports}"), "report");
    assert_eq!(
        first_text(&doc, "h1"),
        format!("horizon report — {last_week}")
    );
    let body = first_text(&doc, "body");
    assert!(body.contains("BigQuery"), "the fixtures' week is on screen");
    assert!(body.contains("documents filed in the period"), "{body}");
    // "… and N more": a search of the section's documents.
    let more = select(&doc, "a.more");
    assert!(
        !more.is_empty(),
        "a section lists more documents than it shows"
    );
    let more_text = text(&more[0]);
    let n: usize = more_text
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{more_text}"));
    let listed = browser.page(&format!("{base}{}", href(&more[0])), "report-more");
    let count = first_text(&listed, "p.count");
    let total: usize = count
        .split_whitespace()
        .next()
        .and_then(|w| w.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("{count}"));
    assert!(total > n, "{more_text}: {count}");
    // The list of weeks, from the report's pager; last week's row leads back.
    let all_weeks = select(&doc, "nav.pager a")
        .into_iter()
        .find(|a| text(a) == "all weeks")
        .map(|a| href(&a))
        .expect("the pager lists every week");
    let weeks = browser.page(&format!("{base}{all_weeks}"), "reports");
    assert_eq!(first_text(&weeks, "h1"), "Weekly reports");
    let row = select(&weeks, "table.weeks tbody tr")
        .into_iter()
        .find(|r| r.text().any(|t| t == last_week))
        .expect("last week is listed");
    let cells: Vec<String> = row
        .select(&Selector::parse("td").unwrap())
        .map(|c| text(&c))
        .collect();
    assert!(
        cells[2].replace(',', "").parse::<u64>().unwrap() > 0,
        "its count: {cells:?}"
    );
    let week_href = row
        .select(&Selector::parse("td a").unwrap())
        .next()
        .map(|a| href(&a))
        .unwrap();
    assert_eq!(week_href, format!("/report?week={last_week}"));

    let prev = select(&doc, "nav.pager a[rel=prev]");
    let doc = browser.page(&format!("{base}{}", href(&prev[0])), "report-previous");
    assert!(
        first_text(&doc, "h1").starts_with("horizon report — "),
        "the week before"
    );
    assert_ne!(
        first_text(&doc, "h1"),
        format!("horizon report — {last_week}")
    );

    // Sources.
    let doc = browser.page(&format!("{base}/sources"), "sources");
    assert!(
        select(&doc, "table.sources tbody tr").len() >= 10,
        "every source"
    );

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let log = log.lock().unwrap().clone();
    assert!(
        log.contains("\"GET /static/horizon.css\" 200"),
        "the browser fetched the stylesheet:\n{log}"
    );
    assert!(log.contains("\"GET /search?q=iceberg\" 200"), "{log}");
    eprintln!("screenshots in {}", browser.shots.display());
}

#[test]
#[ignore = "needs chromium (Debian package; .ci/run installs it) and ../shared/fixtures"]
fn mark_forms_show_on_the_search_item_and_report_pages_without_csp_violations() {
    let mut browser = Browser::new();
    let tmp = tempfile::tempdir().unwrap();
    let config = repo_file("sources.toml");
    let cfg = Config::load(&config).unwrap();
    let index = tmp.path().join("index");
    fixture_index(&index, &cfg, Timestamp::now());
    let (mut child, base, _log) = serve_with(&config, &index, &["--marks"]);
    let doc = browser.page(&format!("{base}/search?q=iceberg"), "marks-search");
    let hits = select(&doc, "li.hit");
    assert!(!hits.is_empty(), "hits for iceberg");
    assert_eq!(
        select(&doc, "li.hit form.mark[method=post][action='/mark']").len(),
        hits.len(),
        "a mark form beside every hit"
    );
    assert!(!select(&doc, "form.mark input[name=csrf]").is_empty());
    assert!(!select(&doc, "form.mark button[value=noise]").is_empty());
    let first = select(&doc, "li.hit h2 a");
    let doc = browser.page(&format!("{base}{}", href(&first[0])), "marks-item");
    assert_eq!(select(&doc, "article form.mark").len(), 1);
    let doc = browser.page(&format!("{base}/report"), "marks-report");
    assert!(
        !select(&doc, "li form.mark button[value=useful]").is_empty(),
        "mark forms in the report"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
