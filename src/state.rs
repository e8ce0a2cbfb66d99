//! Crawl state kept beside the index: HTTP validators, per-source health, the
//! last crawl, and the lock that allows one crawl at a time.
//!
//! `state.json` is written atomically (temporary file, fsync, rename) and only
//! after the index commit, so validators never claim content the index does
//! not hold: after a crash the next crawl re-fetches rather than skipping.

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

    /// One word for the source's condition: `ok`, `failing`, `changed?`, `silent`, `new`.
    pub fn status(&self, failing_after: u32) -> &'static str {
        if self.runs == 0 {
            "new"
        } else if self.consecutive_failures >= failing_after {
            "failing"
        } else if self.consecutive_failures > 0 {
            "error"
        } else if self.layout_changed() {
            "changed?"
        } else if self.consecutive_nothing_new >= 14 {
            "silent"
        } else {
            "ok"
        }
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
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
            .map_err(|source| StateError::Io {
                path: path.clone(),
                source,
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
        assert_eq!(h.status(3), "changed?");
        let h = SourceHealth {
            runs: 5,
            consecutive_failures: 3,
            ..Default::default()
        };
        assert_eq!(h.status(3), "failing");
    }
}
