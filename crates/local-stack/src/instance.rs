//! One `make dev` per directory. The stack's state in `.dev/` (the outbox, the emulator's log,
//! `stack.json`) belongs to the process that holds an exclusive lock on `.dev/lock`. A second
//! `make dev` finds the lock held and stops before it touches anything, naming the running one.
//!
//! The lock is `flock(2)` (std's `File::try_lock`): the kernel releases it however the holder
//! ends, a crash or `kill -9` included, so there is never a stale lock to clean up. The file
//! itself stays; its text (the holder's pid and API address) is only for the message.

use std::{
    fmt,
    fs::{File, OpenOptions, TryLockError},
    os::unix::fs::FileExt,
    path::Path,
};

use serde::{Deserialize, Serialize};

/// The lock of a running stack; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
}

/// Who holds the lock, as far as its file says.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The running stack's process id.
    pub pid: Option<u32>,
    /// Its API's base URL, once it serves.
    pub api_url: Option<String>,
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it: a stack already runs in this directory.
    Held(Holder),
    /// The lock file could not be opened, locked or written.
    Io(std::io::Error),
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Held(Holder { pid: Some(pid), api_url: Some(url) }) => {
                write!(f, "another make dev is running (pid {pid}, API at {url}); stop it first")
            }
            Self::Held(Holder { pid: Some(pid), api_url: None }) => {
                write!(f, "another make dev is running (pid {pid}, still starting); stop it first")
            }
            Self::Held(Holder { pid: None, .. }) => {
                write!(f, "another make dev is running in this directory (it holds .dev/lock); stop it first")
            }
            Self::Io(err) => write!(f, "locking .dev/lock: {err}"),
        }
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Held(_) => None,
            Self::Io(err) => Some(err),
        }
    }
}

impl From<std::io::Error> for LockError {
    fn from(err: std::io::Error) -> Self {
        Self::Io(err)
    }
}

impl InstanceLock {
    /// Takes the lock at `path` (created when missing) and records this process in it; when
    /// another process holds it, says who without changing the file.
    pub fn acquire(path: &Path) -> Result<Self, LockError> {
        // Neither truncated nor written before the lock is ours: the holder's text stays as is.
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        match file.try_lock() {
            Ok(()) => {
                let lock = Self { file };
                lock.record(None)?;
                Ok(lock)
            }
            Err(TryLockError::WouldBlock) => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                Err(LockError::Held(serde_json::from_str(&text).unwrap_or_default()))
            }
            Err(TryLockError::Error(err)) => Err(LockError::Io(err)),
        }
    }

    /// Records this process, and the API's URL once it serves, for a second instance's message.
    pub fn record(&self, api_url: Option<&str>) -> std::io::Result<()> {
        let holder = Holder { pid: Some(std::process::id()), api_url: api_url.map(str::to_string) };
        let text = serde_json::to_string(&holder).map_err(std::io::Error::other)?;
        self.file.set_len(0)?;
        self.file.write_all_at(text.as_bytes(), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock_path() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("local-stack-lock-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("lock")
    }

    #[test]
    fn a_second_instance_is_refused_with_the_first_ones_address_and_changes_nothing() {
        // GIVEN a running stack that holds the lock and serves
        let path = lock_path();
        let first = InstanceLock::acquire(&path).unwrap();
        first.record(Some("http://127.0.0.1:3000")).unwrap();
        let before = std::fs::read(&path).unwrap();
        // WHEN a second one tries
        let second = InstanceLock::acquire(&path);
        // THEN it is refused, named, and the file is as it was
        let err = second.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "another make dev is running (pid {}, API at http://127.0.0.1:3000); stop it first",
                std::process::id()
            )
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // AND once the first one is gone, the lock is free again
        drop(first);
        assert!(InstanceLock::acquire(&path).is_ok());
    }

    #[test]
    fn a_holder_that_is_still_starting_or_unreadable_is_still_named() {
        let starting = LockError::Held(Holder { pid: Some(42), api_url: None });
        assert_eq!(starting.to_string(), "another make dev is running (pid 42, still starting); stop it first");
        let unknown = LockError::Held(Holder::default());
        assert!(unknown.to_string().starts_with("another make dev is running"), "{unknown}");
    }
}
