//! Index errors in plain words (#28 item 10).
//!
//! tantivy's own messages are written for its developers ("Failed to
//! acquire Lockfile: IoError(Os { code: 13, kind: PermissionDenied, … }).
//! None"). [`describe`] says what happened and what to do; [`render`]
//! prints an error chain with every tantivy error in it described so, and
//! nothing of tantivy's below it.

use std::io;
use std::path::Path;

use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::TantivyError;

/// What to do about a damaged index: `reindex` reads the stored items from
/// the index itself, so it cannot repair one.
const REPAIR: &str =
    "restore the folder from a backup, or move it away and run `horizon crawl` to start a new index";

/// What an I/O error means to the user, with the file or folder it is about.
fn io_words(e: &io::Error, at: Option<&Path>) -> String {
    let what = match e.kind() {
        io::ErrorKind::PermissionDenied => "no permission".to_string(),
        io::ErrorKind::StorageFull => "the disk is full".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        io::ErrorKind::NotFound => "it does not exist".to_string(),
        io::ErrorKind::QuotaExceeded => "the disk quota is exceeded".to_string(),
        _ => e.to_string(),
    };
    match at {
        Some(p) => format!("{}: {what}", p.display()),
        None => what,
    }
}

/// One tantivy error in plain words.
pub fn describe(e: &TantivyError) -> String {
    match e {
        TantivyError::LockFailure(LockError::LockBusy, _) => {
            "another horizon process is writing the index (its lock is held); try again when it has finished".into()
        }
        TantivyError::LockFailure(LockError::IoError(io), _) => {
            format!("cannot take the index's lock: {}", io_words(io, None))
        }
        TantivyError::IoError(io) => io_words(io, None),
        TantivyError::OpenDirectoryError(d) => match d {
            OpenDirectoryError::DoesNotExist(p) => {
                format!("the index folder {} does not exist", p.display())
            }
            OpenDirectoryError::NotADirectory(p) => {
                format!("{} is not a folder", p.display())
            }
            OpenDirectoryError::FailedToCreateTempDir(io) => {
                format!("cannot create a temporary folder: {}", io_words(io, None))
            }
            OpenDirectoryError::IoError {
                io_error,
                directory_path,
            } => io_words(io_error, Some(directory_path)),
        },
        TantivyError::OpenReadError(r) => match r {
            OpenReadError::FileDoesNotExist(p) => format!(
                "the index file {} is missing: the index is damaged: {REPAIR}",
                p.display()
            ),
            OpenReadError::IoError { io_error, filepath }
                if matches!(
                    io_error.kind(),
                    io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                ) =>
            {
                format!(
                    "the index file {} is damaged: {REPAIR}",
                    filepath.display()
                )
            }
            OpenReadError::IoError { io_error, filepath } => {
                format!("cannot read {}", io_words(io_error, Some(filepath)))
            }
            OpenReadError::IncompatibleIndex(_) => {
                format!("the index was written by a version of horizon this one cannot read: {REPAIR}")
            }
        },
        TantivyError::OpenWriteError(w) => match w {
            OpenWriteError::FileAlreadyExists(p) => {
                format!("cannot write {}: it already exists", p.display())
            }
            OpenWriteError::IoError { io_error, filepath } => {
                format!("cannot write {}", io_words(io_error, Some(filepath)))
            }
        },
        TantivyError::DataCorruption(d) => format!("{d:?} The index is damaged: {REPAIR}"),
        TantivyError::IncompatibleIndex(_) | TantivyError::SchemaError(_) => {
            format!("the index was written by a version of horizon this one cannot read: {REPAIR}")
        }
        other => other.to_string(),
    }
}

/// An error chain as `a: b: c` (like anyhow's `{:#}`), each tantivy error
/// in it described by [`describe`] and the chain cut there.
pub fn render(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        if let Some(t) = cause.downcast_ref::<TantivyError>() {
            parts.push(describe(t));
            break;
        }
        parts.push(cause.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;

    #[test]
    fn lock_and_permission_errors_are_plain() {
        let denied = || Arc::new(io::Error::from(io::ErrorKind::PermissionDenied));
        let lock = TantivyError::LockFailure(LockError::IoError(denied()), None);
        assert_eq!(
            describe(&lock),
            "cannot take the index's lock: no permission"
        );
        let busy = TantivyError::LockFailure(LockError::LockBusy, None);
        assert!(describe(&busy).starts_with("another horizon process is writing"));
        let read = TantivyError::OpenReadError(OpenReadError::IoError {
            io_error: denied(),
            filepath: PathBuf::from("/srv/index/meta.json"),
        });
        assert_eq!(
            describe(&read),
            "cannot read /srv/index/meta.json: no permission"
        );
        let full = TantivyError::IoError(Arc::new(io::Error::from(io::ErrorKind::StorageFull)));
        assert_eq!(describe(&full), "the disk is full");
    }

    #[test]
    fn damage_says_to_reindex_and_the_chain_stops_at_tantivy() {
        let missing =
            TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(PathBuf::from("abc.idx")));
        assert!(describe(&missing).contains("restore the folder from a backup"));
        let e = anyhow::Error::new(missing).context("search failed");
        let text = render(&e);
        assert!(
            text.starts_with("search failed: the index file abc.idx is missing"),
            "{text}"
        );
        assert!(!text.contains("FileDoesNotExist"), "{text}");
        for e in [
            TantivyError::LockFailure(
                LockError::IoError(Arc::new(io::Error::from_raw_os_error(13))),
                None,
            ),
            TantivyError::OpenDirectoryError(OpenDirectoryError::IoError {
                io_error: Arc::new(io::Error::from_raw_os_error(28)),
                directory_path: PathBuf::from("/srv/index"),
            }),
        ] {
            let text = describe(&e);
            assert!(!text.contains("Os {") && !text.contains("kind:"), "{text}");
        }
    }
}
