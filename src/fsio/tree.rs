//! Handles on the managed root and its folders, opened component by component
//! with `O_NOFOLLOW`, and the staged temp files of an atomic replace.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use super::{Error, IoError, IoResultExt, NewFile, PathError, RelPath, Step};

/// The managed root, opened once; every managed path is reached from it.
#[derive(Debug)]
pub struct Root {
    path: PathBuf,
    fd: OwnedFd,
}

/// Permission bits and owner of an existing file, carried over to its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    /// Last modification, in seconds since the Unix epoch.
    pub modified: i64,
    pub key: StatKey,
}

impl FileMeta {
    /// The metadata a new file of this process with permission bits `mode` gets.
    pub fn for_new_file(mode: u32) -> FileMeta {
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        FileMeta { mode, uid, gid, nlink: 1, modified: 0, key: StatKey::default() }
    }
}

/// What changes whenever a file's content may have changed: a new inode (an
/// editor's atomic save), a new size, a new modification or status-change
/// time (a write in place; the status-change time cannot be set back by a
/// program). Equal keys are taken as equal content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatKey {
    dev: u64,
    ino: u64,
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

/// An open folder below the root.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

impl Root {
    pub fn open(path: &Path) -> Result<Root, IoError> {
        let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
            .at(Step::Open, path)?;
        Ok(Root { path: path.to_owned(), fd })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The root itself as a folder.
    pub fn dir(&self) -> Result<Dir, IoError> {
        let fd = rustix::io::dup(&self.fd).at(Step::Open, &self.path)?;
        Ok(Dir { fd, path: self.path.clone() })
    }

    /// Opens the folder holding `file`, refusing symlinks on the way. With
    /// `create`, missing folders are made; without, a missing folder is `None`.
    pub fn parent_of(&self, file: &RelPath, create: bool) -> Result<Option<Dir>, Error> {
        let (dir, _) = file.split();
        let mut fd = rustix::io::dup(&self.fd).at(Step::Open, &self.path)?;
        let mut path = self.path.clone();
        let mut walked = String::new();
        for component in dir.split('/').filter(|c| !c.is_empty()) {
            path.push(component);
            if !walked.is_empty() {
                walked.push('/');
            }
            walked.push_str(component);
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            fd = match rustix::fs::openat(&fd, component, flags, Mode::empty()) {
                Ok(next) => next,
                Err(Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(&fd, component, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(IoError::new(Step::CreateDir, &path, e).into()),
                    }
                    // The new folder's entry must survive a crash with the file in it.
                    rustix::fs::fsync(&fd).at(Step::Sync, path.parent().unwrap_or(&path))?;
                    rustix::fs::openat(&fd, component, flags, Mode::empty())
                        .map_err(|e| not_a_folder(&fd, component, e, file, &walked, &path))?
                }
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => return Err(not_a_folder(&fd, component, e, file, &walked, &path)),
            };
        }
        Ok(Some(Dir { fd, path }))
    }
}

fn not_a_folder(parent: &OwnedFd, name: &str, errno: Errno, file: &RelPath, walked: &str, path: &Path) -> Error {
    match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) if rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Symlink => {
            PathError::Symlink { path: file.to_string(), link: walked.to_owned() }.into()
        }
        Ok(_) if errno == Errno::NOTDIR => PathError::NotAFile { path: walked.to_owned() }.into(),
        _ => IoError::new(Step::Open, path, errno).into(),
    }
}

impl Dir {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads a regular file in this folder; `None` when it does not exist.
    /// Refuses symlinks and anything that is not a regular file (a FIFO would
    /// block a plain `open`, hence `O_NONBLOCK`).
    pub fn read(&self, name: &str, shown_as: &RelPath) -> Result<Option<(Vec<u8>, FileMeta)>, Error> {
        let path = self.path.join(name);
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => {
                return Err(PathError::Symlink { path: shown_as.to_string(), link: shown_as.to_string() }.into());
            }
            Err(e) => return Err(IoError::new(Step::Open, path, e).into()),
        };
        let stat = rustix::fs::fstat(&fd).at(Step::Read, &path)?;
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(PathError::NotAFile { path: shown_as.to_string() }.into());
        }
        let meta = file_meta(&stat);
        let mut content = Vec::with_capacity(stat.st_size as usize);
        File::from(fd).read_to_end(&mut content).at(Step::Read, &path)?;
        Ok(Some((content, meta)))
    }

    /// Metadata of a file in this folder, without following a symlink;
    /// `None` when it does not exist.
    pub fn meta(&self, name: &str) -> Result<Option<FileMeta>, IoError> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(file_meta(&stat))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(IoError::new(Step::Read, self.path.join(name), e)),
        }
    }

    /// Writes `content` to a new temp file `tmp_name` in this folder, with the
    /// permission bits (and, when running as root, the owner) of the file it will
    /// replace, or 0666 minus the umask for a new file. Not synced yet.
    pub fn stage(&self, tmp_name: &str, content: &[u8], like: Option<&FileMeta>) -> Result<NewFile, IoError> {
        let path = self.path.join(tmp_name);
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mode = Mode::from_raw_mode(0o666);
        let fd = match rustix::fs::openat(&self.fd, tmp_name, flags, mode) {
            // Left by a writer killed before it could clean up; it is ours to remove.
            Err(Errno::EXIST) => {
                self.remove(tmp_name)?;
                rustix::fs::openat(&self.fd, tmp_name, flags, mode)
            }
            other => other,
        }
        .at(Step::Open, &path)?;
        if let Some(meta) = like {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(meta.mode)).at(Step::SetPermissions, &path)?;
            if rustix::process::geteuid().is_root() {
                let uid = rustix::fs::Uid::from_raw(meta.uid);
                let gid = rustix::fs::Gid::from_raw(meta.gid);
                rustix::fs::fchown(&fd, Some(uid), Some(gid)).at(Step::SetPermissions, &path)?;
                // chown clears set-id bits; put them back.
                rustix::fs::fchmod(&fd, Mode::from_raw_mode(meta.mode)).at(Step::SetPermissions, &path)?;
            }
        }
        let mut file = File::from(fd);
        file.write_all(content).at(Step::Write, &path)?;
        Ok(NewFile::new(file, path))
    }

    /// Atomically replaces `name` with the staged temp file `tmp_name`.
    pub fn rename(&self, tmp_name: &str, name: &str) -> Result<(), IoError> {
        rustix::fs::renameat(&self.fd, tmp_name, &self.fd, name).at(Step::Rename, self.path.join(name))
    }

    /// Makes renames and new entries in this folder durable.
    pub fn sync(&self) -> Result<(), IoError> {
        rustix::fs::fsync(&self.fd).at(Step::Sync, &self.path)
    }

    /// The names in this folder, each with whether it is a folder (a
    /// symlink to one is not).
    pub fn entries(&self) -> Result<Vec<(String, bool)>, IoError> {
        let mut entries = Vec::new();
        for entry in rustix::fs::Dir::read_from(&self.fd).at(Step::Read, &self.path)? {
            let entry = entry.at(Step::Read, &self.path)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "." || name == ".." {
                continue;
            }
            let is_dir = match entry.file_type() {
                rustix::fs::FileType::Directory => true,
                rustix::fs::FileType::Unknown => self.is_dir(&name)?,
                _ => false,
            };
            entries.push((name, is_dir));
        }
        Ok(entries)
    }

    fn is_dir(&self, name: &str) -> Result<bool, IoError> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Directory),
            Err(Errno::NOENT) => Ok(false),
            Err(e) => Err(IoError::new(Step::Read, self.path.join(name), e)),
        }
    }

    /// Opens the folder `name` in this one, not following a symlink; `None`
    /// when it is gone or not a folder.
    pub fn child(&self, name: &str) -> Result<Option<Dir>, IoError> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(Dir { fd, path: self.path.join(name) })),
            Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP) => Ok(None),
            Err(e) => Err(IoError::new(Step::Open, self.path.join(name), e)),
        }
    }

    /// Removes a file if it exists.
    pub fn remove(&self, name: &str) -> Result<(), IoError> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(IoError::new(Step::Remove, self.path.join(name), e)),
        }
    }
}

fn file_meta(stat: &rustix::fs::Stat) -> FileMeta {
    FileMeta {
        mode: stat.st_mode & 0o7777,
        uid: stat.st_uid,
        gid: stat.st_gid,
        nlink: stat.st_nlink,
        modified: stat.st_mtime,
        key: StatKey {
            dev: stat.st_dev,
            ino: stat.st_ino,
            size: stat.st_size,
            mtime: (stat.st_mtime, stat.st_mtime_nsec as i64),
            ctime: (stat.st_ctime, stat.st_ctime_nsec as i64),
        },
    }
}
