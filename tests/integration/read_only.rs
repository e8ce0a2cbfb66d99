//! #28 item 15: a teammate who may read the index folder but not write it
//! (another user's crawl, a read-only mount) can search, list stats, build
//! reports, list marks and find similar documents; what must write (crawl,
//! reindex, mark) says so in one line naming the folder. Before, every read
//! command failed with tantivy's `Failed to acquire Lockfile:
//! IoError(Os { code: 13, kind: PermissionDenied, … })`.
//!
//! The folder is made read-only with file permissions. Root ignores those,
//! so when the tests run as root the reader is run as user 65534 (nobody)
//! with `setpriv` (util-linux) from a copy of the binary it can execute.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::*;

/// Whether this process runs as root (`id -u`).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `chmod -R` to `dirs` for folders and `files` for files.
fn chmod_tree(root: &Path, dirs: u32, files: u32) {
    for entry in walkdir(root) {
        let mode = if entry.is_dir() { dirs } else { files };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

fn walkdir(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        if out[i].is_dir() {
            for e in std::fs::read_dir(&out[i]).expect("read_dir") {
                out.push(e.expect("entry").path());
            }
        }
        i += 1;
    }
    out
}

/// The recorded healthy feed, served on loopback and crawled into a new
/// folder (the server is kept alive with the folder).
fn crawled_blog() -> (FaultServer, tempfile::TempDir, Paths) {
    let fx = fixtures();
    let server = FaultServer::start(vec![(
        "/feed.xml",
        Fault::feed(fixture(&fx, HEALTHY_FIXTURE)),
    )]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback().feed("blog", &server.url("/feed.xml"));
    let paths = Paths::new(dir.path(), &cfg);
    crawl(&paths, 0);
    (server, dir, paths)
}

/// A reader of `paths` who cannot write the index folder.
struct Reader {
    program: std::path::PathBuf,
    as_nobody: bool,
}

impl Reader {
    fn new(dir: &Path) -> Reader {
        let as_nobody = is_root();
        let program = if as_nobody {
            // The test binary's folder may be closed to other users.
            let copy = dir.join("horizon-bin");
            std::fs::copy(env!("CARGO_BIN_EXE_horizon"), &copy).expect("copy the binary");
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            copy
        } else {
            env!("CARGO_BIN_EXE_horizon").into()
        };
        Reader { program, as_nobody }
    }

    fn run(&self, paths: &Paths, args: &[&str]) -> Output {
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&self.program);
            c
        } else {
            Command::new(&self.program)
        };
        cmd.env_clear()
            .current_dir(paths.config.parent().expect("a folder"))
            .arg("--config")
            .arg(&paths.config)
            .arg("--index")
            .arg(&paths.index)
            .args(args);
        cmd.output()
            .expect("horizon runs (setpriv is in util-linux)")
    }
}

fn ok(out: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{what}: {stderr}");
    assert!(!stderr.contains("Lockfile"), "{what}: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn a_reader_without_write_permission_reads_and_is_told_what_needs_it() {
    let (_server, dir, paths) = crawled_blog();
    let hits = json_lines(&stdout(&run_expect(
        &mut paths.horizon(&["search", "aws", "--json"]),
        0,
    )));
    let id = hits[0]["id"].as_str().expect("an id").to_string();
    run_expect(&mut paths.horizon(&["mark", &id, "useful"]), 0);

    // The owner's folder, readable by everyone and writable by no one.
    let reader = Reader::new(dir.path());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(&paths.config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    chmod_tree(&paths.index, 0o555, 0o444);

    let found = ok(&reader.run(&paths, &["search", "aws", "--json"]), "search");
    assert_eq!(json_lines(&found).len(), hits.len(), "{found}");
    let stats = ok(&reader.run(&paths, &["stats", "--json"]), "stats");
    assert_eq!(
        json_one(&stats)["by_source"]["blog"].as_u64(),
        Some(HEALTHY_ITEMS as u64)
    );
    let marks = ok(&reader.run(&paths, &["marks", "--json"]), "marks");
    assert!(marks.contains(&id), "the owner's mark is listed: {marks}");
    ok(
        &reader.run(&paths, &["report", "--format", "json"]),
        "report",
    );
    ok(&reader.run(&paths, &["similar", &id]), "similar");

    let abs = std::path::absolute(&paths.index).expect("absolute");
    let crawl = reader.run(&paths, &["crawl"]);
    let stderr = String::from_utf8_lossy(&crawl.stderr);
    assert_ne!(crawl.status.code(), Some(0));
    assert!(
        stderr.contains(&format!(
            "no permission to write the index folder {}",
            abs.display()
        )),
        "{stderr}"
    );
    let mark = reader.run(&paths, &["mark", &id, "noise"]);
    let stderr = String::from_utf8_lossy(&mark.stderr);
    assert_ne!(mark.status.code(), Some(0));
    assert!(
        stderr.contains("no permission to write the marks store"),
        "{stderr}"
    );
    assert!(!reader.as_nobody || !stderr.contains("Lockfile"));

    // Give the folder back so the temporary directory can be removed.
    chmod_tree(&paths.index, 0o755, 0o644);
}

/// #28 item 10: a damaged index is said in plain words, with the file and
/// what to do, never as tantivy's `Debug` (`OpenReadError(FileDoesNotExist(…))`).
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn a_damaged_index_is_said_plainly() {
    let (_server, _dir, paths) = crawled_blog();
    let segment = walkdir(&paths.index)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a segment's term dictionary");
    std::fs::remove_file(&segment).expect("remove");
    let out = paths.horizon(&["search", "aws"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("the index file {} is missing", segment.display()))
            && stderr.contains("restore the folder from a backup"),
        "{stderr}"
    );
    for debug in ["FileDoesNotExist", "OpenReadError", "Os {"] {
        assert!(!stderr.contains(debug), "{stderr}");
    }
}
