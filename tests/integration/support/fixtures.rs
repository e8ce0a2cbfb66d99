//! Where the tests' input files are: the recorded payloads of the shared
//! fixtures folder, and the repository's own files (the checked-in
//! `sources.toml`, the labelled sets in `tests/data`, the goldens). The one
//! locator, also mounted by the benchmarks (`benches/*.rs`).

use std::path::{Path, PathBuf};

/// A file or folder of the repository: `<CARGO_MANIFEST_DIR>/<rel>`.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A TOML file of the repository (the labelled sets in `tests/data`), parsed.
pub fn repo_toml<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    let path = repo_file(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The checked-in `sources.toml`, loaded.
pub fn checked_in_config() -> horizon::config::Config {
    let path = repo_file("sources.toml");
    horizon::config::Config::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

/// Where the shared fixtures folder should be: `$HORIZON_FIXTURES`, else
/// `<CARGO_MANIFEST_DIR>/../shared/fixtures` (it may be missing).
pub fn fixtures_path() -> PathBuf {
    match std::env::var_os("HORIZON_FIXTURES") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_file("../shared/fixtures"),
    }
}

/// The shared fixtures folder ([`fixtures_path`]).
///
/// Panics with the reason when it is missing. Every test that calls it is
/// marked `#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]`, so
/// a plain `cargo test` on a fresh clone reports it as ignored, and
/// `cargo test -- --include-ignored` (CI) runs it — and fails loudly, never
/// passes, when the folder is missing.
pub fn fixtures() -> PathBuf {
    let dir = fixtures_path();
    assert!(
        dir.is_dir(),
        "fixtures folder {} not found (set HORIZON_FIXTURES to the shared fixtures folder): \
         this needs the recorded payloads",
        dir.display()
    );
    dir
}

/// One fixture's bytes: `rel` below the fixtures folder `root`.
pub fn fixture(root: &Path, rel: &str) -> Vec<u8> {
    read(&root.join(rel))
}

/// Read a fixture file.
pub fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", file.display()))
}

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

/// The one file of a fixture subfolder whose [`source_name`] starts with
/// `prefix` (`"huggingface-blog"`).
pub fn fixture_file(root: &Path, subdir: &str, prefix: &str) -> PathBuf {
    fixture_files(root, &[subdir])
        .into_iter()
        .find(|f| source_name(f).starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix}* fixture in {subdir}"))
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
