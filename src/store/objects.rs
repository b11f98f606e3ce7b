//! Loose objects, written so that a power loss can never leave one torn.
//!
//! gix writes an object to a temp file and renames it into place without
//! syncing it; after a power cut the rename may survive and the data not,
//! leaving a 0-byte object that `git fsck` rejects forever, and that gix
//! then skips rewriting because the name "already exists". So cfg writes its
//! own loose objects, in two halves that the caller places around its flush
//! barriers:
//!
//! 1. [`Store::put_object`] deflates the object into a temp file
//!    `objects/tmp_obj_<id>` (git's own prefix for its temp objects, so `git
//!    fsck` passes over it), creating the fan-out folder if needed. Nothing
//!    is synced; the caller syncs every [`StagedObjects::durables`] in its
//!    first barrier.
//! 2. [`Store::publish_objects`] renames each temp file into its fan-out folder,
//!    which the caller syncs in its second barrier.
//!
//! An object the store already holds is not written again, but only if it
//! reads back whole (a loose object is inflated and its id checked; a packed
//! one is trusted to git, which wrote the pack durably). A damaged loose copy
//! is replaced. Because names are derived from ids, recovery finds every temp
//! object by listing `objects/` alone, and publishes those its journal needs
//! (see [`Store::recover_objects`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::objs::WriteTo;
use gix::zlib::stream::deflate::{Compress, FlushCompress};
use gix::zlib::{Compression, Decompress, FlushDecompress, Status};

use super::{Error, ObjectName, Store, git};
use crate::fsio::{self, Durable, IoError, IoResultExt, NewFile, Step};

const TEMP_PREFIX: &str = "tmp_obj_";

/// Objects written to temp files and not yet renamed into place.
#[must_use = "staged objects are published or discarded"]
#[derive(Debug, Default)]
pub struct StagedObjects {
    objects: Vec<(ObjectId, NewFile)>,
    /// `objects/` gained a fan-out folder or a temp file: its entries must
    /// be durable with the temp files' data.
    objects_dir: Option<PathBuf>,
}

impl StagedObjects {
    pub fn names(&self) -> Vec<ObjectName> {
        self.objects.iter().map(|(id, _)| ObjectName(*id)).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// What the first barrier must make durable: each temp file and the
    /// `objects/` folder naming them.
    pub fn durables(&self) -> Vec<Durable<'_>> {
        let mut items: Vec<Durable<'_>> = self.objects.iter().map(|(_, file)| Durable::File(file)).collect();
        items.extend(self.objects_dir.clone().map(Durable::Path));
        items
    }

    fn contains(&self, id: &ObjectId) -> bool {
        self.objects.iter().any(|(staged, _)| staged == id)
    }
}

/// One deflate and one inflate state for the store's lifetime: zeroing a
/// fresh zlib state costs more than compressing a small config file.
pub(super) struct Codec {
    compress: Compress,
    decompress: Decompress,
}

impl Default for Codec {
    fn default() -> Codec {
        // Git's own default for loose objects (`core.looseCompression`).
        Codec { compress: Compress::new(Compression::BEST_SPEED), decompress: Decompress::new() }
    }
}

impl Codec {
    fn deflate(&mut self, header: &[u8], data: &[u8]) -> Vec<u8> {
        self.compress.reset();
        let mut out = vec![0; header.len() + data.len() + data.len() / 1000 + 64];
        let mut written = 0;
        for (input, flush) in [(header, FlushCompress::None), (data, FlushCompress::Finish)] {
            let mut consumed = 0;
            loop {
                if written == out.len() {
                    out.resize(out.len() * 2, 0);
                }
                let (in_before, out_before) = (self.compress.total_in(), self.compress.total_out());
                let status =
                    self.compress.compress(&input[consumed..], &mut out[written..], flush).expect("deflate in memory");
                consumed += (self.compress.total_in() - in_before) as usize;
                written += (self.compress.total_out() - out_before) as usize;
                let done = match flush {
                    FlushCompress::Finish => status == Status::StreamEnd,
                    _ => consumed == input.len(),
                };
                if done {
                    break;
                }
            }
        }
        out.truncate(written);
        out
    }

    /// Whether `compressed` is the whole loose object `id`.
    fn is_whole(&mut self, id: &ObjectId, compressed: &[u8]) -> bool {
        self.decompress.reset();
        let mut out = vec![0; 64.max(compressed.len() * 4)];
        let (mut read, mut written) = (0, 0);
        loop {
            if written == out.len() {
                out.resize(out.len() * 2, 0);
            }
            let (in_before, out_before) = (self.decompress.total_in(), self.decompress.total_out());
            let Ok(status) =
                self.decompress.decompress(&compressed[read..], &mut out[written..], FlushDecompress::None)
            else {
                return false;
            };
            read += (self.decompress.total_in() - in_before) as usize;
            written += (self.decompress.total_out() - out_before) as usize;
            if status == Status::StreamEnd {
                break;
            }
            // No progress with room to write: the input ended before the stream did.
            if self.decompress.total_in() == in_before && self.decompress.total_out() == out_before {
                return false;
            }
        }
        let Ok((kind, size, header_len)) = gix::objs::decode::loose_header(&out[..written]) else {
            return false;
        };
        let data = &out[header_len..written];
        data.len() as u64 == size && gix::objs::compute_hash(id.kind(), kind, data).is_ok_and(|found| found == *id)
    }
}

impl Store {
    /// Writes `object` to a temp file unless the store already holds it
    /// whole, and returns its id; see the module docs.
    pub(super) fn put_object(&self, object: &dyn WriteTo, staged: &mut StagedObjects) -> Result<ObjectId, Error> {
        let mut data = Vec::with_capacity(object.size() as usize);
        object.write_to(&mut data).expect("writing to memory");
        let kind = object.kind();
        let id = gix::objs::compute_hash(self.repo.object_hash(), kind, &data)
            .map_err(git("hash an object", &self.git_dir))?;
        if staged.contains(&id) || self.holds_whole(&id)? {
            return Ok(id);
        }
        let header = gix::objs::encode::loose_header(kind, data.len() as u64);
        let compressed = self.codec.borrow_mut().deflate(&header, &data);
        let objects = self.objects_dir();
        let (fan_out, _) = loose_path(&objects, &id);
        fsio::create_dir(&fan_out)?;
        let temp = objects.join(format!("{TEMP_PREFIX}{id}"));
        // A temp object left by a writer that died is ours to replace.
        fsio::remove_file(&temp)?;
        staged.objects.push((id, fsio::create_new(&temp, &compressed, 0o444)?));
        staged.objects_dir = Some(objects);
        Ok(id)
    }

    /// Whether the store holds `id` whole: a loose copy that inflates to
    /// exactly that object, or one in a pack.
    fn holds_whole(&self, id: &ObjectId) -> Result<bool, Error> {
        let (_, path) = loose_path(&self.objects_dir(), id);
        match read_file(&path)? {
            Some(compressed) => Ok(self.codec.borrow_mut().is_whole(id, &compressed)),
            None => Ok(self.repo.has_object(id)),
        }
    }

    /// Renames staged objects into place; returns the fan-out folders, which
    /// the caller syncs in its second barrier.
    pub fn publish_objects(&self, staged: StagedObjects) -> Result<Vec<PathBuf>, Error> {
        let objects = self.objects_dir();
        let mut folders = Vec::new();
        for (id, file) in staged.objects {
            let (fan_out, path) = loose_path(&objects, &id);
            fsio::rename(file.path(), &path)?;
            if !folders.contains(&fan_out) {
                folders.push(fan_out);
            }
        }
        Ok(folders)
    }

    /// Removes staged objects that will not be published.
    pub fn discard_objects(&self, staged: StagedObjects) -> Result<(), Error> {
        for (_, file) in staged.objects {
            fsio::remove_file(file.path())?;
        }
        Ok(())
    }

    /// After a crash: publishes every temp object that `wanted` names and
    /// that is whole (syncing it first: the writer may have died before its
    /// barrier), removes every other temp object, and makes the fan-out
    /// folders of all `wanted` objects durable. Returns whether every wanted
    /// object is now in the store, whole.
    pub fn recover_objects(&self, wanted: &[ObjectName]) -> Result<bool, Error> {
        let wanted: Vec<ObjectId> = wanted.iter().map(|name| name.0).collect();
        let objects = self.objects_dir();
        let mut keep = Vec::new();
        for (name, path) in list(&objects)? {
            let Some(hex) = name.strip_prefix(TEMP_PREFIX) else { continue };
            let id = ObjectId::from_hex(hex.as_bytes()).ok().filter(|id| wanted.contains(id));
            match id {
                Some(id) if read_file(&path)?.is_some_and(|bytes| self.codec.borrow_mut().is_whole(&id, &bytes)) => {
                    keep.push((id, path))
                }
                _ => {
                    fsio::remove_file(&path)?;
                }
            }
        }
        // gix's own temp files, from stores written before cfg wrote its objects itself.
        for (name, path) in list(&objects)? {
            if name.starts_with(".tmp") {
                fsio::remove_file(&path)?;
            }
        }
        if !keep.is_empty() {
            for (id, _) in &keep {
                fsio::create_dir(&loose_path(&objects, id).0)?;
            }
            let mut items: Vec<Durable<'_>> = keep.iter().map(|(_, path)| Durable::Path(path.clone())).collect();
            items.push(Durable::Path(objects.clone()));
            fsio::sync_all(&items)?;
            for (id, temp) in &keep {
                fsio::rename(temp, &loose_path(&objects, id).1)?;
            }
        }
        let mut folders: Vec<PathBuf> = Vec::new();
        let mut all_whole = true;
        for id in &wanted {
            let (fan_out, path) = loose_path(&objects, id);
            match read_file(&path)? {
                Some(bytes) if self.codec.borrow_mut().is_whole(id, &bytes) => {
                    if !folders.contains(&fan_out) {
                        folders.push(fan_out);
                    }
                }
                // Torn by a power loss under an older cfg, or never synced:
                // useless, and it would stop the object from being written again.
                Some(_) => {
                    fsio::remove_file(&path)?;
                    all_whole = false;
                }
                None => all_whole &= self.repo.has_object(id),
            }
        }
        fsio::sync_all(&folders.into_iter().map(Durable::Path).collect::<Vec<_>>())?;
        Ok(all_whole)
    }

    /// Whether a temp object exists (a writer died before publishing it).
    pub(super) fn has_temp_objects(&self) -> bool {
        list(&self.objects_dir()).is_ok_and(|entries| {
            entries.iter().any(|(name, _)| name.starts_with(TEMP_PREFIX) || name.starts_with(".tmp"))
        })
    }

    pub(super) fn objects_dir(&self) -> PathBuf {
        self.git_dir.join("objects")
    }
}

/// `objects/ab` and `objects/ab/cdef…` for an id.
fn loose_path(objects: &Path, id: &ObjectId) -> (PathBuf, PathBuf) {
    let hex = id.to_string();
    let fan_out = objects.join(&hex[..2]);
    let path = fan_out.join(&hex[2..]);
    (fan_out, path)
}

fn read_file(path: &Path) -> Result<Option<Vec<u8>>, IoError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::new(Step::Open, path, e)),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).at(Step::Read, path)?;
    Ok(Some(bytes))
}

fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>, IoError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(IoError::new(Step::Read, dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.at(Step::Read, dir)?;
        out.push((entry.file_name().to_string_lossy().into_owned(), entry.path()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_round_trips_and_damage_is_seen() {
        let mut codec = Codec::default();
        for size in [0usize, 1, 100, 70_000] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let id = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &data).unwrap();
            let header = gix::objs::encode::loose_header(gix::objs::Kind::Blob, size as u64);
            let compressed = codec.deflate(&header, &data);
            assert!(codec.is_whole(&id, &compressed), "size {size}");
            assert!(!codec.is_whole(&id, &compressed[..compressed.len() / 2]), "torn, size {size}");
            assert!(!codec.is_whole(&id, &[]), "empty");
            let mut flipped = compressed.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 1;
            assert!(!codec.is_whole(&id, &flipped), "checksum damaged, size {size}");
        }
    }
}
