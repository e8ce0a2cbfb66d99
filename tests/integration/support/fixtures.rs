//! Where the recorded payloads live: the one definition, included by
//! `tests/common`, `tests/fixture_items`, `tests/absorb_eval` and the
//! benchmarks' support module.

use std::path::{Path, PathBuf};

/// The shared fixtures folder: `$HORIZON_FIXTURES`, else
/// `<CARGO_MANIFEST_DIR>/../shared/fixtures`.
///
/// Panics with the reason when it is missing. Every test that calls it is
/// marked `#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]`, so
/// a plain `cargo test` on a fresh clone reports it as ignored, and
/// `cargo test -- --include-ignored` (CI) runs it — and fails loudly, never
/// passes, when the folder is missing.
pub fn fixtures() -> PathBuf {
    let dir = match std::env::var_os("HORIZON_FIXTURES") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
    };
    assert!(
        dir.is_dir(),
        "fixtures folder {} not found (set HORIZON_FIXTURES to the shared fixtures folder): \
         this needs the recorded payloads",
        dir.display()
    );
    dir
}
