//! The write journal `.cfg/pending`: the intent of a write in progress.
//!
//! It names the branch before the write, the new commit, the objects the write
//! staged and each file with its temp file. It is made durable in the write's
//! first barrier, with the staged objects, temp files and the branch's lock
//! file, before anything is renamed into place, and removed after the second
//! barrier. Finding it means a writer died mid-way. When every object it names
//! can be read whole (from its temp file or its place), recovery rolls the
//! write forward: publishes the objects, gives files still holding their old
//! content the new content, and moves the branch, with the author and message
//! of the interrupted write, syncing all of it first. When it cannot (the
//! writer died, or power was lost, before the first barrier completed), nothing
//! was renamed yet, and the journal is dropped.

use std::path::{Path, PathBuf};

use super::{ObjectName, Rev};
use crate::fsio::{self, IoError, NewFile, RelPath, Step};

const FILE_NAME: &str = "pending";
const HEADER: &str = "cfg-journal 2";

/// One interrupted (or in-progress) write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The branch before the write.
    pub parent: Option<Rev>,
    /// The commit being written.
    pub commit: Rev,
    /// The objects the write staged (the commit, new trees and blobs).
    pub objects: Vec<ObjectName>,
    /// Each replaced file and the name of its temp file, in the file's folder.
    pub files: Vec<(RelPath, String)>,
}

/// The journal file of one store.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    pub fn new(git_dir: &Path) -> Journal {
        Journal { path: git_dir.join(FILE_NAME) }
    }

    /// Writes the entry, not yet durable: the caller syncs it and the store
    /// folder naming it, before replacing any file.
    pub fn write(&self, entry: &JournalEntry) -> Result<NewFile, IoError> {
        let mut text = format!("{HEADER}\n");
        match entry.parent {
            Some(parent) => text.push_str(&format!("parent {parent}\n")),
            None => text.push_str("parent none\n"),
        }
        text.push_str(&format!("commit {}\n", entry.commit));
        for object in &entry.objects {
            text.push_str(&format!("object {object}\n"));
        }
        for (path, temp) in &entry.files {
            text.push_str(&format!("file {path}\t{temp}\n"));
        }
        text.push_str("end\n");
        fsio::create(&self.path, text.as_bytes())
    }

    /// Reads the entry, if any. A journal that cannot be parsed was cut short
    /// before it was synced, so no file was replaced under it: it reads as `None`.
    pub fn read(&self) -> Result<Option<JournalEntry>, IoError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(None),
            Err(e) => return Err(IoError::new(Step::Read, &self.path, e)),
        };
        Ok(parse(&text))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a journal file exists at all (parsable or not).
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    pub fn remove(&self) -> Result<(), IoError> {
        fsio::remove_file(&self.path).map(drop)
    }
}

fn parse(text: &str) -> Option<JournalEntry> {
    let mut lines = text.lines();
    // Version 1, from before objects were staged, lists no objects.
    if !matches!(lines.next()?, HEADER | "cfg-journal 1") {
        return None;
    }
    let parent = match lines.next()?.strip_prefix("parent ")? {
        "none" => None,
        hex => Some(hex.parse().ok()?),
    };
    let commit = lines.next()?.strip_prefix("commit ")?.parse().ok()?;
    let mut objects = Vec::new();
    let mut files = Vec::new();
    for line in lines {
        if line == "end" {
            // Only a complete journal has its end line; a torn one does not parse.
            return text.ends_with("\nend\n").then_some(JournalEntry { parent, commit, objects, files });
        }
        if let Some(hex) = line.strip_prefix("object ") {
            objects.push(hex.parse().ok()?);
            continue;
        }
        let (path, temp) = line.strip_prefix("file ")?.split_once('\t')?;
        files.push((RelPath::new(path).ok()?, temp.to_owned()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_torn_writes() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        assert_eq!(journal.read().unwrap(), None);
        let entry = JournalEntry {
            parent: None,
            commit: "0123456789abcdef0123456789abcdef01234567".parse().unwrap(),
            objects: vec!["89abcdef0123456789abcdef0123456789abcdef".parse().unwrap()],
            files: vec![(RelPath::new("a/b.yml").unwrap(), ".b.yml.cfg-0123456789ab.tmp".into())],
        };
        journal.write(&entry).unwrap().sync().unwrap();
        assert_eq!(journal.read().unwrap(), Some(entry));
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        for cut in 0..text.len() {
            std::fs::write(dir.path().join(FILE_NAME), &text[..cut]).unwrap();
            assert_eq!(journal.read().unwrap(), None, "torn at {cut}");
        }
        journal.remove().unwrap();
        journal.remove().unwrap();
        assert!(!journal.exists());
    }
}
