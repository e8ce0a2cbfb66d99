//! Helpers shared by the end-to-end tests: where the recorded payloads live,
//! a clean `horizon` command, loopback servers serving those payloads, and
//! temporary `sources.toml` files pointing at them.
//!
//! Every test talks only to 127.0.0.1 (wiremock binds there) and passes
//! `--config` and `--index` explicitly, with the environment cleared.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub mod absorb_eval;
pub mod fault_server;
pub mod fixture_items;
pub mod fixtures;
pub mod rank_eval;
pub mod topic_eval;

pub use fixtures::fixtures;

/// The files of the given fixture subfolders, sorted by path.
pub fn fixture_files(root: &Path, subdirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in subdirs {
        let dir = root.join(sub);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list fixtures in {}: {e}", dir.display()));
        for entry in entries {
            let p = entry.expect("readable directory entry").path();
            if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no fixture files in {subdirs:?} under {}",
        root.display()
    );
    files
}

/// Read a fixture file.
pub fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", file.display()))
}

/// A source name derived from a fixture file name:
/// `aws-blog_typepad-atom_2009-01-16.xml` → `aws-blog-typepad-atom-2009-01-16`.
pub fn source_name(file: &Path) -> String {
    file.file_stem()
        .expect("fixture file has a name")
        .to_string_lossy()
        .to_ascii_lowercase()
        .replace(['_', '.'], "-")
}

/// `horizon` with an empty environment (no HORIZON_*, NO_COLOR, proxies),
/// run from `cwd`, with `--config` and `--index` given explicitly.
pub fn horizon(config: &Path, index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("horizon").expect("the horizon binary is built");
    cmd.env_clear()
        .current_dir(config.parent().expect("config is in a folder"))
        .arg("--config")
        .arg(config)
        .arg("--index")
        .arg(index);
    cmd
}

/// The same as [`horizon`] as a `std::process::Command`, for a process that
/// must run in the background (`spawn`).
pub fn horizon_std(config: &Path, index: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("horizon"));
    cmd.env_clear()
        .current_dir(config.parent().expect("config is in a folder"))
        .arg("--config")
        .arg(config)
        .arg("--index")
        .arg(index);
    cmd
}

/// The `[settings]` every test config starts with: no politeness delays (tested
/// elsewhere) and short timeouts, no retries so failures are quick.
pub const FAST_SETTINGS: &str = r#"[settings]
per_host_interval = "0ms"
per_host_concurrency = 8
concurrency = 16
connect_timeout = "2s"
timeout = "10s"
retries = 0
"#;

/// One `[[sources]]` table of `kind = "feed"`.
pub fn feed_source(name: &str, url: &str) -> String {
    format!("\n[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n")
}

/// Write `text` as `sources.toml` in `dir`; returns its path.
pub fn write_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("sources.toml");
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
    p
}

/// Serve `body` with status 200 at `route` on `server`.
pub async fn serve(server: &MockServer, route: &str, body: Vec<u8>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(server)
        .await;
}

/// Serve each fixture file as a feed at `/feeds/<file name>`; returns
/// `(source name, url, file)` for each.
pub async fn serve_fixtures(
    server: &MockServer,
    files: &[PathBuf],
) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for f in files {
        let file_name = f
            .file_name()
            .expect("named file")
            .to_string_lossy()
            .to_string();
        let route = format!("/feeds/{file_name}");
        serve(server, &route, read(f), "application/xml").await;
        out.push((
            source_name(f),
            format!("{}{route}", server.uri()),
            f.clone(),
        ));
    }
    out
}

/// stdout of a finished command as UTF-8.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// stderr of a finished command as UTF-8 (lossy: it is only searched).
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Run and return the output, failing with both streams if the exit status is not `code`.
pub fn run_expect(cmd: &mut Command, code: i32) -> std::process::Output {
    let out = cmd.output().expect("horizon runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Parse one JSON object per line.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Parse stdout that must be exactly one JSON value.
pub fn json_one(text: &str) -> serde_json::Value {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one JSON line on stdout, got:\n{text}"
    );
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// An index in a temporary folder holding `items`, classified with the
/// config's offering catalog as the crawl would, in one commit.
pub fn index_of(
    cfg: &horizon::config::Config,
    items: &[horizon::model::Item],
) -> (tempfile::TempDir, horizon::index::HorizonIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = horizon::index::HorizonIndex::open_or_create(dir.path()).expect("index");
    let catalog = horizon::absorb::Catalog::for_config(cfg).expect("catalog");
    let mut items = items.to_vec();
    horizon::absorb::Classifier::new(catalog).classify_all(&mut items);
    let mut w = idx.writer(20_000_000).expect("writer");
    for i in &items {
        w.add_document(idx.doc_of(i)).expect("add");
    }
    w.commit().expect("commit");
    drop(w);
    (dir, idx)
}
