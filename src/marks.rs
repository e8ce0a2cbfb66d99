//! Marks: what the team said about an item — useful or noise, for one topic
//! or for all — kept beside the index in `marks.redb`, an embedded redb
//! database.
//!
//! redb commits are durable and atomic (copy-on-write pages, a checksummed
//! commit slot, `fsync` before a commit returns): a process killed during a
//! write leaves the store as it was before the write or after it, never in
//! between. The file sits in the index folder but outside `tantivy/`, which is
//! the only thing `reindex` replaces, and a crawl never touches it, so marks
//! outlive both. When `reindex` gives documents new ids, it moves their
//! marks after them ([`MarkStore::rekey`]).
//!
//! The database is opened for each operation and closed after it: redb lets
//! one process at a time hold the file, and `horizon mark`, `serve --marks`
//! and `report` may run side by side. An open that finds the file held waits
//! a little and tries again ([`OPEN_PATIENCE`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

/// The file of the store, inside the index folder.
pub const MARKS_FILE: &str = "marks.redb";
/// How long an open waits for another process to let go of the file.
pub const OPEN_PATIENCE: Duration = Duration::from_secs(5);
/// Longest note kept with a mark, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Who made a mark from the command line.
pub const WHO_CLI: &str = "cli";

/// item id, `\u{1f}`, topic (empty: every topic) → the mark as JSON.
const MARKS: TableDefinition<&str, &str> = TableDefinition::new("marks");

/// What the team said about an item.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::Display,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Verdict {
    /// Worth reading for this topic.
    Useful,
    /// Not worth reading for this topic.
    Noise,
}

/// One mark: an item, a topic or all, a verdict, who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The item's id.
    pub item: String,
    /// The topic the verdict is about; `None`: every topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Useful or noise.
    pub verdict: Verdict,
    /// Who marked it: `cli`, or the name `serve` gives its caller.
    pub who: String,
    /// When.
    pub at: Timestamp,
    /// Why, in the marker's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Mark {
    /// Whether this mark speaks about `topic` (a mark for every topic does).
    pub fn applies_to(&self, topic: &str) -> bool {
        self.topic.as_deref().is_none_or(|t| t == topic)
    }
}

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum MarksError {
    /// The database could not be opened, read or written.
    #[error("marks store {path}: {message}")]
    Store {
        /// The file.
        path: PathBuf,
        /// redb's words.
        message: String,
    },
    /// A stored mark does not parse.
    #[error("marks store {path}: the mark under {key:?} does not parse: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Its key.
        key: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A mark that cannot be stored as given.
    #[error("{0}")]
    Invalid(String),
    /// The store cannot be written by this user (reading it still works).
    #[error("no permission to write the marks store {}: marking needs write access to the index folder; ask whoever runs the crawl, or mark from `horizon serve --marks` started by them", .0.display())]
    ReadOnly(PathBuf),
}

/// Whether redb failed because the file or folder may not be written.
fn write_refused(e: &redb::DatabaseError) -> bool {
    matches!(e, redb::DatabaseError::Storage(redb::StorageError::Io(io)) if crate::index::readable::is_write_refused(io))
}

/// The marks of one index folder.
#[derive(Debug, Clone)]
pub struct MarkStore {
    path: PathBuf,
}

fn key(item: &str, topic: Option<&str>) -> String {
    format!("{item}\u{1f}{}", topic.unwrap_or(""))
}

impl MarkStore {
    /// The store of the index folder `index_dir` (nothing is opened yet).
    pub fn at(index_dir: &Path) -> MarkStore {
        MarkStore {
            path: index_dir.join(MARKS_FILE),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn store_err(&self, e: impl std::fmt::Display) -> MarksError {
        MarksError::Store {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Make the database file whole or not at all: redb writes a new file's
    /// header in several steps, and a process killed between them left a
    /// file no later open accepted ("magic number mismatch"). The new
    /// database is made under a temporary name beside it and renamed into
    /// place, unless another process made one first.
    fn create_whole(&self) -> Result<(), MarksError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // What a process killed here before left (not one making it now).
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let stale = e.file_name().to_string_lossy().starts_with(".marks-new-")
                    && e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60));
                if stale {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let tmp = match tempfile::Builder::new()
            .prefix(".marks-new-")
            .tempfile_in(dir)
        {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(MarksError::ReadOnly(
                    std::path::absolute(&self.path).unwrap_or_else(|_| self.path.clone()),
                ))
            }
            Err(e) => return Err(self.store_err(e)),
        };
        drop(Database::create(tmp.path()).map_err(|e| self.store_err(e))?);
        tmp.as_file().sync_all().map_err(|e| self.store_err(e))?;
        match tmp.persist_noclobber(&self.path) {
            Ok(_) => Ok(()),
            // Another process made it meanwhile: use theirs.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(self.store_err(e.error)),
        }
    }

    /// Open (creating the file if needed), waiting for another process that holds it.
    fn open(&self) -> Result<Database, MarksError> {
        if !self.path.exists() {
            self.create_whole()?;
        }
        let started = Instant::now();
        loop {
            match Database::create(&self.path) {
                Ok(db) => return Ok(db),
                Err(redb::DatabaseError::DatabaseAlreadyOpen)
                    if started.elapsed() < OPEN_PATIENCE =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) if write_refused(&e) => {
                    return Err(MarksError::ReadOnly(
                        std::path::absolute(&self.path).unwrap_or_else(|_| self.path.clone()),
                    ))
                }
                Err(e) => return Err(self.store_err(e)),
            }
        }
    }

    /// Record `mark`, replacing the one for the same item and topic.
    pub fn put(&self, mark: &Mark) -> Result<(), MarksError> {
        validate(mark)?;
        let json = serde_json::to_string(mark).map_err(|e| self.store_err(e))?;
        let db = self.open()?;
        let tx = db.begin_write().map_err(|e| self.store_err(e))?;
        {
            let mut table = tx.open_table(MARKS).map_err(|e| self.store_err(e))?;
            table
                .insert(
                    key(&mark.item, mark.topic.as_deref()).as_str(),
                    json.as_str(),
                )
                .map_err(|e| self.store_err(e))?;
        }
        tx.commit().map_err(|e| self.store_err(e))
    }

    /// Remove the mark of `item` for `topic` (`None`: the one for every topic);
    /// whether there was one.
    pub fn remove(&self, item: &str, topic: Option<&str>) -> Result<bool, MarksError> {
        let db = self.open()?;
        let tx = db.begin_write().map_err(|e| self.store_err(e))?;
        let removed = {
            let mut table = tx.open_table(MARKS).map_err(|e| self.store_err(e))?;
            let old = table
                .remove(key(item, topic).as_str())
                .map_err(|e| self.store_err(e))?;
            old.is_some()
        };
        tx.commit().map_err(|e| self.store_err(e))?;
        Ok(removed)
    }

    /// Every mark, ordered by item then topic. No file: no marks (and no file made).
    pub fn list(&self) -> Result<Vec<Mark>, MarksError> {
        if !self.path.exists() {
            return Ok(Vec::new());
        }
        // A teammate who may not write the folder still reads the marks. The
        // database must outlive the transaction.
        let writable;
        let read_only;
        let db: &dyn ReadableDatabase = match self.open() {
            Ok(db) => {
                writable = db;
                &writable
            }
            Err(MarksError::ReadOnly(_)) => {
                read_only =
                    redb::ReadOnlyDatabase::open(&self.path).map_err(|e| self.store_err(e))?;
                &read_only
            }
            Err(e) => return Err(e),
        };
        let tx = db.begin_read().map_err(|e| self.store_err(e))?;
        let table = match tx.open_table(MARKS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(self.store_err(e)),
        };
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.store_err(e))? {
            let (k, v) = entry.map_err(|e| self.store_err(e))?;
            let mark = serde_json::from_str(v.value()).map_err(|source| MarksError::Corrupt {
                path: self.path.clone(),
                key: k.value().to_string(),
                source,
            })?;
            out.push(mark);
        }
        Ok(out)
    }

    /// Move the marks of each document in `moved` (old id → new id) to its
    /// new id, in one transaction: after `horizon reindex` gave documents
    /// new ids ([`crate::ids`]). Where the new id already has a mark for the
    /// same topic, the later mark stays. Returns the marks moved; no file:
    /// nothing to move (and no file made).
    pub fn rekey(
        &self,
        moved: &std::collections::BTreeMap<String, String>,
    ) -> Result<usize, MarksError> {
        if moved.is_empty() || !self.path.exists() {
            return Ok(0);
        }
        let marks: Vec<Mark> = self
            .list()?
            .into_iter()
            .filter(|m| moved.contains_key(&m.item))
            .collect();
        let db = self.open()?;
        let tx = db.begin_write().map_err(|e| self.store_err(e))?;
        {
            let mut table = tx.open_table(MARKS).map_err(|e| self.store_err(e))?;
            for mut mark in marks.iter().cloned() {
                let Some(new) = moved.get(&mark.item) else {
                    continue;
                };
                table
                    .remove(key(&mark.item, mark.topic.as_deref()).as_str())
                    .map_err(|e| self.store_err(e))?;
                mark.item = new.clone();
                let new_key = key(&mark.item, mark.topic.as_deref());
                let newer_there =
                    match table.get(new_key.as_str()).map_err(|e| self.store_err(e))? {
                        Some(v) => serde_json::from_str::<Mark>(v.value())
                            .is_ok_and(|there| there.at > mark.at),
                        None => false,
                    };
                if !newer_there {
                    let json = serde_json::to_string(&mark).map_err(|e| self.store_err(e))?;
                    table
                        .insert(new_key.as_str(), json.as_str())
                        .map_err(|e| self.store_err(e))?;
                }
            }
        }
        tx.commit().map_err(|e| self.store_err(e))?;
        Ok(marks.len())
    }

    /// The marks that speak about `topic` (its own and those for every topic).
    pub fn for_topic(&self, topic: &str) -> Result<Vec<Mark>, MarksError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|m| m.applies_to(topic))
            .collect())
    }
}

fn validate(mark: &Mark) -> Result<(), MarksError> {
    if mark.item.trim().is_empty() || mark.item.contains('\u{1f}') {
        return Err(MarksError::Invalid(format!(
            "not an item id: {:?}",
            mark.item
        )));
    }
    if mark.topic.as_deref().is_some_and(str::is_empty) {
        return Err(MarksError::Invalid("an empty topic name".into()));
    }
    if mark
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(MarksError::Invalid(format!(
            "the note is longer than {MAX_NOTE_CHARS} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(item: &str, topic: Option<&str>, verdict: Verdict) -> Mark {
        Mark {
            item: item.into(),
            topic: topic.map(str::to_string),
            verdict,
            who: WHO_CLI.into(),
            at: Timestamp::UNIX_EPOCH,
            note: None,
        }
    }

    #[test]
    fn put_replace_list_remove() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = MarkStore::at(tmp.path());
        assert!(store.list().unwrap_or_else(|e| panic!("{e}")).is_empty());
        assert!(!store.path().exists(), "reading makes no file");
        let ok = |r: Result<(), MarksError>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(store.put(&mark("a", Some("streaming"), Verdict::Useful)));
        ok(store.put(&mark("a", Some("streaming"), Verdict::Noise)));
        ok(store.put(&mark("a", None, Verdict::Useful)));
        ok(store.put(&mark("b", Some("storage"), Verdict::Useful)));
        let all = store.list().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 3, "one mark per item and topic: {all:?}");
        let streaming = store
            .for_topic("streaming")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(streaming.len(), 2);
        assert!(streaming
            .iter()
            .any(|m| m.verdict == Verdict::Noise && m.topic.is_some()));
        assert!(store.remove("a", Some("streaming")).unwrap_or(false));
        assert!(!store.remove("a", Some("streaming")).unwrap_or(true));
        assert_eq!(store.list().map(|l| l.len()).unwrap_or(0), 2);
    }

    #[test]
    fn bad_marks_are_refused() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = MarkStore::at(tmp.path());
        assert!(store.put(&mark("", None, Verdict::Useful)).is_err());
        assert!(store.put(&mark("a", Some(""), Verdict::Useful)).is_err());
        let mut long = mark("a", None, Verdict::Useful);
        long.note = Some("x".repeat(MAX_NOTE_CHARS + 1));
        assert!(store.put(&long).is_err());
    }
}
