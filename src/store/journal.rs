//! The write journal `.cfg/pending`: the intent of a write in progress.
//!
//! It is written after the new commit's objects, made durable with them and
//! the temp files before any managed file is replaced, and removed after the
//! branch has moved. Finding it means a writer died mid-way. When the commit it
//! names can be read whole, recovery rolls the write forward: files still
//! holding their old content get the new content, and the branch moves, with
//! the author and message of the interrupted write. When it cannot (power was
//! lost before the objects were durable), no file was replaced yet, and the
//! journal is dropped.

use std::path::{Path, PathBuf};

use super::Rev;
use crate::fsio::{IoError, IoResultExt, RelPath, Step};

const FILE_NAME: &str = "pending";
const HEADER: &str = "cfg-journal 1";

/// One interrupted (or in-progress) write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The branch before the write.
    pub parent: Option<Rev>,
    /// The commit being written.
    pub commit: Rev,
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
    pub fn write(&self, entry: &JournalEntry) -> Result<(), IoError> {
        let mut text = format!("{HEADER}\n");
        match entry.parent {
            Some(parent) => text.push_str(&format!("parent {parent}\n")),
            None => text.push_str("parent none\n"),
        }
        text.push_str(&format!("commit {}\n", entry.commit));
        for (path, temp) in &entry.files {
            text.push_str(&format!("file {path}\t{temp}\n"));
        }
        text.push_str("end\n");
        std::fs::write(&self.path, text).at(Step::Write, &self.path)
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
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(IoError::new(Step::Remove, &self.path, e)),
            _ => Ok(()),
        }
    }
}

fn parse(text: &str) -> Option<JournalEntry> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let parent = match lines.next()?.strip_prefix("parent ")? {
        "none" => None,
        hex => Some(hex.parse().ok()?),
    };
    let commit = lines.next()?.strip_prefix("commit ")?.parse().ok()?;
    let mut files = Vec::new();
    for line in lines {
        if line == "end" {
            // Only a complete journal has its end line; a torn one does not parse.
            return text.ends_with("\nend\n").then_some(JournalEntry { parent, commit, files });
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
            files: vec![(RelPath::new("a/b.yml").unwrap(), ".b.yml.cfg-0123456789ab.tmp".into())],
        };
        journal.write(&entry).unwrap();
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
