//! One indexing run per index: the run lock.
//!
//! `trawl index` takes an exclusive advisory lock (`flock`) on `trawl.lock` in the index
//! directory before it writes anything there, and holds it to the end of the run. The kernel
//! releases it when the process ends, however it ends (`kill -9` included), so a lock is never
//! left stale. The file holds the holder's process id and start time, for the message a second
//! run or a search prints. Searches never take the lock; they ask whether it is held
//! ([`holder`]) to say that indexing is in progress.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const LOCK_FILE: &str = "trawl.lock";

/// Who holds the lock, as written in the lock file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// RFC 3339.
    pub since: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process {}, since {}", self.pid, self.since)
    }
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Takes the run lock of the index in `dir` (which must exist), or fails at once with
/// [`Error::Locked`] naming the process that holds it. A probe by a search holds the lock
/// shared for an instant; a few retries over a fifth of a second absorb that.
pub fn acquire(dir: &Path) -> Result<RunLock> {
    let path = dir.join(LOCK_FILE);
    let io = |e| Error::io(format!("locking {}", path.display()), e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let mut tries = 0;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if tries < 10 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path: dir.to_owned(),
                    holder: read_holder(&mut file).map(|h| h.to_string()),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    let holder = Holder {
        pid: std::process::id(),
        since: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let text = serde_json::to_string(&holder)?;
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    Ok(RunLock { _file: file })
}

/// Who is indexing into `dir` now, if anyone. Never creates or changes anything.
pub fn holder(dir: &Path) -> Option<Holder> {
    let mut file = File::open(dir.join(LOCK_FILE)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(std::fs::TryLockError::WouldBlock) => Some(read_holder(&mut file).unwrap_or(Holder {
            pid: 0,
            since: "an unknown time".into(),
        })),
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_naming_the_holder_and_a_drop_releases_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(holder(dir.path()), None);
        let lock = acquire(dir.path()).unwrap();
        let h = holder(dir.path()).expect("held");
        assert_eq!(h.pid, std::process::id());
        // flock locks belong to the open file, so a second open in this process conflicts
        // as another process would.
        let e = acquire(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(lock);
        assert_eq!(holder(dir.path()), None);
        drop(acquire(dir.path()).unwrap());
    }
}
