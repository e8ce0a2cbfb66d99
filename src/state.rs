//! Crawl state kept beside the index: HTTP validators, per-source health, the
//! last crawl, the alerts each destination accepted, and the lock that allows
//! one crawl at a time.
//!
//! `state.json` is written atomically (temporary file, fsync, rename) and only
//! after the index commit, so validators never claim content the index does
//! not hold: after a crash the next crawl re-fetches rather than skipping.

use crate::model::vocabulary;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::fetch::Validators;

/// Version of the state file format.
pub const STATE_VERSION: u32 = 1;
/// Name of the state file inside the index folder.
pub const STATE_FILE: &str = "state.json";
/// Name of the lock file inside the index folder.
pub const LOCK_FILE: &str = "crawl.lock";

/// Everything remembered between crawls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlState {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// Validators per URL.
    #[serde(default)]
    pub validators: BTreeMap<String, Validators>,
    /// Health per source name.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceHealth>,
    /// The last crawl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_crawl: Option<CrawlRecord>,
    /// robots.txt per origin (`https://host[:port]`), with its validators.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub robots: BTreeMap<String, crate::robots::RobotsRecord>,
    /// The alerts each `[[alerts.webhooks]]` destination accepted.
    #[serde(default, skip_serializing_if = "crate::alerts::AlertMemory::is_empty")]
    pub alerts: crate::alerts::AlertMemory,
}

/// A summary of one finished crawl.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlRecord {
    /// When it started.
    pub started: Timestamp,
    /// When it finished.
    pub finished: Timestamp,
    /// `ok`, `partial` or `interrupted`.
    pub status: String,
    /// Sources crawled.
    pub sources: usize,
    /// Sources that failed.
    pub failed: usize,
}

/// Health of one source across runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceHealth {
    /// Last run that succeeded (200 or 304).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<Timestamp>,
    /// Last run, successful or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<Timestamp>,
    /// Last error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the last error happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_at: Option<Timestamp>,
    /// Failed runs in a row.
    #[serde(default)]
    pub consecutive_failures: u32,
    /// Successful runs in a row that returned no items at all.
    #[serde(default)]
    pub consecutive_empty: u32,
    /// Successful runs in a row that brought nothing new (304s included).
    #[serde(default)]
    pub consecutive_nothing_new: u32,
    /// Items in the last run that returned a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_item_count: Option<usize>,
    /// Largest item count seen in a run, to notice a sudden drop to zero.
    #[serde(default)]
    pub max_item_count: usize,
    /// Total runs.
    #[serde(default)]
    pub runs: u64,
}

impl SourceHealth {
    /// A source that used to yield items and now yields none.
    pub fn layout_changed(&self) -> bool {
        self.last_item_count == Some(0) && self.max_item_count >= 3
    }

    /// The source's condition after its runs so far.
    pub fn status(&self, failing_after: u32) -> HealthStatus {
        if self.runs == 0 {
            HealthStatus::New
        } else if self.consecutive_failures >= failing_after {
            HealthStatus::Failing
        } else if self.consecutive_failures > 0 {
            HealthStatus::Error
        } else if self.layout_changed() {
            HealthStatus::LayoutChanged
        } else if self.consecutive_nothing_new >= SILENT_AFTER_RUNS {
            HealthStatus::Silent
        } else {
            HealthStatus::Ok
        }
    }

    /// One line on what `status` means for this source, the same in
    /// `horizon sources` and the report's health section.
    pub fn describe(&self, status: HealthStatus) -> String {
        let last_success = self
            .last_success
            .map(|t| format!("last success {}", t.strftime("%Y-%m-%d")))
            .unwrap_or_else(|| "never succeeded".into());
        match status {
            HealthStatus::New => "no crawl has run this source yet".to_string(),
            HealthStatus::Failing | HealthStatus::Error => format!(
                "{} failed run{} in a row ({last_success}){}",
                self.consecutive_failures,
                if self.consecutive_failures == 1 { "" } else { "s" },
                self.last_error
                    .as_deref()
                    .map(|e| {
                        let short = crate::text::short_error(&crate::text::clean_line(e));
                        format!(": {}", crate::text::truncate_words(&short, 200))
                    })
                    .unwrap_or_default()
            ),
            HealthStatus::LayoutChanged => format!(
                "the last run returned no items (up to {} before): the page layout may have changed",
                self.max_item_count
            ),
            HealthStatus::Silent => format!(
                "nothing new in {} runs ({last_success})",
                self.consecutive_nothing_new
            ),
            HealthStatus::Ok => self
                .last_item_count
                .map(|n| format!("{n} items last run"))
                .unwrap_or_default(),
            HealthStatus::Disabled => "disabled in the config".to_string(),
        }
    }
}

/// Runs in a row without a new item after which a source is `silent`.
pub const SILENT_AFTER_RUNS: u32 = 14;

vocabulary! {
    "health status",
    /// A source's condition, as `horizon sources` and the report show it; the
    /// serde spellings are the words of `horizon sources --json`.
    pub enum HealthStatus {
        /// No run yet.
        New,
        /// The last run succeeded and nothing looks wrong.
        Ok,
        /// The last run failed, fewer than `failing_after` times in a row.
        Error,
        /// `failing_after` or more failed runs in a row.
        Failing,
        /// The last run returned no items where earlier ones had several.
        #[serde(rename = "changed?")]
        #[strum(serialize = "changed?")]
        LayoutChanged,
        /// Nothing new for [`SILENT_AFTER_RUNS`] runs.
        Silent,
        /// `enabled = false` in the config.
        Disabled,
    }
}

impl HealthStatus {
    /// Whether the report lists the source under "needs attention".
    pub fn needs_attention(self) -> bool {
        !matches!(self, HealthStatus::Ok | HealthStatus::Disabled)
    }
}

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// File system error.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{path}: damaged crawl state ({message}); move it away to start afresh (validators and health are rebuilt on the next crawl)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The index folder cannot be written by this user.
    #[error("no permission to write the index folder {}: crawl and reindex need write access; search, stats, report, flags, similar and serve only read it", .0.display())]
    ReadOnly(PathBuf),
    /// Another crawl holds the lock.
    #[error("another crawl is running on this index ({holder}); wait for it to finish. The lock ({path}) is released automatically when that process ends")]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as written in the lock file.
        holder: String,
    },
}

impl CrawlState {
    /// Load the state in `index_dir`, or an empty state if there is none.
    pub fn load(index_dir: &Path) -> Result<CrawlState, StateError> {
        let path = index_dir.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
                path,
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CrawlState {
                version: STATE_VERSION,
                ..Default::default()
            }),
            Err(source) => Err(StateError::Io { path, source }),
        }
    }

    /// Save atomically.
    pub fn save(&self, index_dir: &Path) -> Result<(), StateError> {
        let path = index_dir.join(STATE_FILE);
        let mut copy = self.clone();
        copy.version = STATE_VERSION;
        let text = serde_json::to_string_pretty(&copy).map_err(|e| StateError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&path, text.as_bytes()).map_err(|source| StateError::Io { path, source })
    }
}

/// Write a file so that readers see either the old or the new content, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write a file through `fill` so that readers see either the old content or
/// the whole new one: `fill` writes a temporary file beside it (a unique name,
/// so two writers in one process cannot collide), which is synced and then
/// renamed over `path`. When `fill` fails the temporary file is removed and
/// `path` is untouched. A file that already exists keeps its permissions; a
/// new one gets what `File::create` gives (0666 less the umask; tempfile's own
/// 0600 would hide a report from the web server that publishes it).
pub fn write_atomic_with<T, E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<std::io::Error>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.");
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(p) = new_file_permissions() {
        builder.permissions(p);
    }
    let mut tmp = builder.tempfile_in(dir)?;
    if let Ok(m) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(m.permissions())?;
    }
    let value = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        let value = fill(&mut w)?;
        w.flush()?;
        value
    };
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(value)
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// The crawl lock: an OS file lock on `crawl.lock`, released when the process
/// ends however it ends, so a lock left by a killed crawl never blocks the next.
#[derive(Debug)]
pub struct CrawlLock {
    _file: File,
}

impl CrawlLock {
    /// Take the lock or say who holds it.
    pub fn acquire(index_dir: &Path) -> Result<CrawlLock, StateError> {
        let path = index_dir.join(LOCK_FILE);
        std::fs::create_dir_all(index_dir).map_err(|source| StateError::Io {
            path: index_dir.to_path_buf(),
            source,
        })?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| {
                if crate::index::readable::is_write_refused(&source) {
                    StateError::ReadOnly(
                        std::path::absolute(index_dir).unwrap_or_else(|_| index_dir.to_path_buf()),
                    )
                } else {
                    StateError::Io {
                        path: path.clone(),
                        source,
                    }
                }
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "holder unknown".into());
                return Err(StateError::Locked { path, holder });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(StateError::Io { path, source });
            }
        }
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let holder = format!(
            "pid {}{}, started {}",
            std::process::id(),
            if host.is_empty() {
                String::new()
            } else {
                format!(" on {host}")
            },
            Timestamp::now().strftime("%Y-%m-%d %H:%M:%S UTC")
        );
        let _ = file.set_len(0);
        let _ = file.write_all(holder.as_bytes());
        let _ = file.sync_all();
        Ok(CrawlLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the words of `horizon sources --json` against `as_str` and `Display`.
    #[test]
    fn health_words_are_the_serde_spellings() {
        crate::model::spelling::serializes_as_named::<HealthStatus>();
        assert_eq!(HealthStatus::LayoutChanged.as_str(), "changed?");
    }

    #[test]
    fn a_failed_atomic_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        write_atomic(&path, b"old").unwrap();
        let failed: std::io::Result<()> = write_atomic_with(&path, |w| {
            w.write_all(b"half of the new")?;
            Err(std::io::Error::other("the source broke off"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.md")]);
        let n = write_atomic_with(&path, |w| w.write_all(b"new").map(|_| 3)).unwrap();
        assert_eq!((n, std::fs::read(&path).unwrap()), (3, b"new".to_vec()));
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_permissions_and_create_like_file_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.html");
        write_atomic(&fresh, b"x").unwrap();
        let plain = dir.path().join("plain.html");
        File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), mode(&plain));
        let kept = dir.path().join("sources.toml");
        std::fs::write(&kept, b"a").unwrap();
        for wanted in [0o600, 0o664] {
            std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(wanted)).unwrap();
            write_atomic(&kept, b"b").unwrap();
            assert_eq!(mode(&kept), wanted);
        }
    }

    #[test]
    fn state_round_trips_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = CrawlState::load(dir.path()).unwrap();
        s.validators.insert(
            "http://x/feed".into(),
            Validators {
                etag: Some("\"abc\"".into()),
                last_modified: None,
            },
        );
        s.save(dir.path()).unwrap();
        let again = CrawlState::load(dir.path()).unwrap();
        assert_eq!(again.validators, s.validators);
        std::fs::write(dir.path().join(STATE_FILE), "{not json").unwrap();
        let err = CrawlState::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("damaged crawl state"), "{err}");
    }

    #[test]
    fn second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = CrawlLock::acquire(dir.path()).unwrap();
        let err = CrawlLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        CrawlLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn health_flags() {
        let h = SourceHealth {
            runs: 5,
            last_item_count: Some(0),
            max_item_count: 25,
            ..Default::default()
        };
        assert_eq!(h.status(3), HealthStatus::LayoutChanged);
        let h = SourceHealth {
            runs: 5,
            consecutive_failures: 3,
            ..Default::default()
        };
        assert_eq!(h.status(3), HealthStatus::Failing);
    }
}
