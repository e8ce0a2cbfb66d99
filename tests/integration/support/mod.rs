//! What the integration tests share: where their input files are
//! (`fixtures`), the one config builder (`config`), the loopback servers
//! (`loopback` for wiremock routes, `fault_server` for misbehaving ones,
//! `feeds` for generated bodies), the one way to launch the `horizon` binary
//! with a clean environment ([`horizon_in`], [`horizon`]) and reading what it
//! printed. `use crate::support::*` brings all of it; the measuring modules
//! (`*_eval`, `fixture_items`, which the benchmarks mount too) and the
//! hostile `payloads` are named by path.
//!
//! Every test talks only to 127.0.0.1 and passes `--config` and `--index`
//! explicitly, with the environment cleared.

pub mod absorb_eval;
pub mod atom_check;
pub mod config;
pub mod fault_server;
pub mod feeds;
pub mod fixture_items;
pub mod fixtures;
pub mod launch_eval;
pub mod loopback;
pub mod payloads;
pub mod story_eval;
pub mod topic_eval;
pub mod topweek_eval;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub use config::{write_config, TestConfig};
pub use fault_server::{http_date_in, Fault, FaultServer, Request};
pub use feeds::{
    feed_like, gzip_bomb, latin1, numbered_items, small_rss, GenItem, HEALTHY_FIXTURE,
    HEALTHY_ITEMS,
};
pub use fixtures::{
    checked_in_config, fixture, fixture_file, fixture_files, fixtures, read, repo_file,
};
pub use loopback::{refused_base, serve, serve_fixtures};

// ---------------------------------------------------------------------------
// Launching horizon

/// The `horizon` binary with an empty environment (no `HORIZON_*`,
/// `NO_COLOR`, proxies or `HOME` of the machine running the tests), run in
/// `dir`. Every other launcher starts from this one.
pub fn horizon_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_horizon"));
    cmd.env_clear().current_dir(dir);
    cmd
}

/// `horizon --config <config> --index <index>`, run in the config's folder.
pub fn horizon(config: &Path, index: &Path) -> Command {
    let mut cmd = horizon_in(config.parent().expect("config is in a folder"));
    cmd.arg("--config").arg(config).arg("--index").arg(index);
    cmd
}

/// Run and return the output, failing with both streams if the exit status is not `code`.
pub fn run_expect(cmd: &mut Command, code: i32) -> Output {
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

/// stdout of a finished command as UTF-8.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// stderr of a finished command as UTF-8 (lossy: it is only searched).
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Parse one JSON object per line.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Parse stdout that must be exactly one JSON value.
pub fn json_one(text: &str) -> Value {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one JSON line on stdout, got:\n{text}"
    );
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

// ---------------------------------------------------------------------------
// One test's config and index, crawled and inspected

/// Paths of one test's config and index.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `sources.toml`.
    pub config: PathBuf,
    /// The index folder.
    pub index: PathBuf,
}

impl Paths {
    /// `sources.toml` from `cfg` and an `index` folder, both in `dir`.
    pub fn new(dir: &Path, cfg: &TestConfig) -> Paths {
        Paths {
            config: cfg.write(dir),
            index: dir.join("index"),
        }
    }

    /// [`horizon`] with these paths and `args`.
    pub fn horizon(&self, args: &[&str]) -> Command {
        let mut cmd = horizon(&self.config, &self.index);
        cmd.args(args);
        cmd
    }
}

/// Run horizon to the end, whatever its exit status.
pub fn run(p: &Paths, args: &[&str]) -> Output {
    p.horizon(args).output().expect("horizon runs")
}

/// `horizon crawl --json`, asserting the exit status; returns the report.
pub fn crawl(p: &Paths, code: i32) -> Value {
    json_one(&stdout(&run_expect(
        &mut p.horizon(&["crawl", "--json"]),
        code,
    )))
}

/// `horizon stats --json` (must succeed).
pub fn stats(p: &Paths) -> Value {
    json_one(&stdout(&run_expect(
        &mut p.horizon(&["stats", "--json"]),
        0,
    )))
}

/// Documents of one source according to `stats --json` (0 when absent).
pub fn by_source(stats: &Value, name: &str) -> u64 {
    stats["by_source"][name].as_u64().unwrap_or(0)
}

/// Total documents according to `stats --json`.
pub fn documents(stats: &Value) -> u64 {
    stats["documents"]
        .as_u64()
        .unwrap_or_else(|| panic!("no document count in {stats}"))
}

/// The id of every document (`search '*' --json`), asserting none repeats.
pub fn unique_ids(p: &Paths) -> Vec<String> {
    let out = run_expect(
        &mut p.horizon(&["search", "*", "--limit", "100000", "--json"]),
        0,
    );
    let mut ids: Vec<String> = json_lines(&stdout(&out))
        .iter()
        .map(|v| v["id"].as_str().expect("hit has an id").to_string())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in the index");
    ids
}

/// The report of the source called `name` in a `crawl --json` report.
pub fn source<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no source {name} in {report}"))
}

/// A source report's warnings, joined.
pub fn warnings_of(src: &Value) -> String {
    src["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// A number field of a source report.
pub fn num(src: &Value, key: &str) -> u64 {
    src[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a number in {src}"))
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

// ---------------------------------------------------------------------------
// Processes in the background

/// Send a signal with the `kill` utility (no libc dependency).
pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{sig} {pid} failed");
}

/// Read a child's whole stdout/stderr after it exited.
pub fn drain(child: &mut std::process::Child) -> (String, String) {
    let mut out = String::new();
    let mut err = String::new();
    if let Some(s) = child.stdout.as_mut() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(s) = child.stderr.as_mut() {
        let _ = s.read_to_string(&mut err);
    }
    (out, err)
}

/// Write a line to stderr of the test (shown with `--nocapture`).
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// An index as an earlier schema version left it: each item as JSON in a
/// stored `item` field, keyed by `id`, and `horizon.json` saying `version`.
pub fn legacy_index(dir: &Path, items: &[horizon::model::Item], version: u32) {
    use tantivy::schema::{Schema, STORED, STRING};
    let tdir = dir.join("tantivy");
    std::fs::create_dir_all(&tdir).expect("tantivy folder");
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING);
    let item = b.add_text_field("item", STORED);
    let index = tantivy::Index::create_in_dir(&tdir, b.build()).expect("old index");
    let mut w: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    for i in items {
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(id, &i.id);
        doc.add_text(item, serde_json::to_string(i).expect("item JSON"));
        w.add_document(doc).expect("add");
    }
    w.commit().expect("commit");
    std::fs::write(
        dir.join("horizon.json"),
        format!(r#"{{"schema_version": {version}, "created_by": "horizon 0.{version}.0"}}"#),
    )
    .expect("horizon.json");
}

/// An in-process `serve` started by a test; stops when dropped.
pub struct Running {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// Sends the stop.
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Running {
    /// The URL of `path` on it.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    /// Its origin, as a browser sends it.
    #[allow(dead_code)]
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}
