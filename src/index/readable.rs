//! The index folder as a teammate without write permission opens it
//! (#28 item 15).
//!
//! Reading needs no write: tantivy takes its meta lock (`.tantivy-meta.lock`)
//! only so that a writer's garbage collection does not delete segment files
//! while a reader opens them, and it takes it by opening the lock file for
//! writing, which a read-only folder or mount refuses. [`ReadableDir`] is
//! tantivy's memory-mapped directory with one change: when that lock cannot
//! be taken for want of write permission, it takes a *shared* lock on the
//! existing lock file instead (a writer's collection takes it exclusively, so
//! it still waits for the reader), or none when no writer ever made the file.
//! Every other operation, writing included, is the memory-mapped
//! directory's, so a writer on a read-only folder fails as before.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr, META_LOCK,
};

/// [`MmapDirectory`] that a reader without write permission can open.
#[derive(Clone, Debug)]
pub struct ReadableDir {
    inner: MmapDirectory,
    root: PathBuf,
}

impl ReadableDir {
    /// The tantivy folder at `root`.
    pub fn open(root: &Path) -> Result<ReadableDir, OpenDirectoryError> {
        Ok(ReadableDir {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }

    /// The meta lock, shared, for a reader that cannot create or write the
    /// lock file.
    fn shared_meta_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match File::open(self.root.join(&lock.filepath)) {
            Ok(file) => {
                file.lock_shared().map_err(LockError::wrap_io_error)?;
                // Dropping the file releases the lock.
                Ok(DirectoryLock::from(Box::new(file)))
            }
            // No writer ever locked this index: nothing to wait for.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DirectoryLock::from(Box::new(()))),
            Err(e) => Err(LockError::wrap_io_error(e)),
        }
    }
}

/// Whether `e` says the caller may not write here.
pub fn is_write_refused(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

impl Directory for ReadableDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && is_write_refused(&e) =>
            {
                self.shared_meta_lock(lock)
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
