//! The physical floor for `cfg write`, used by `bench/bench.py`: an atomic,
//! durable replace of one file with no lock, no validation and no git.
//!
//! `floor TARGET SRC` reads SRC, writes its bytes to a temp file next to
//! TARGET, fsyncs it, renames it over TARGET and fsyncs the folder: the
//! same four steps (and one process spawn) that every `cfg write` must pay.
//! Anything `cfg write` costs above this is its own overhead.

// The floor is deliberately the bare system calls, not cfg's own layer.
#![allow(clippy::disallowed_methods)]

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, target, src] = args.as_slice() else {
        eprintln!("usage: floor TARGET SRC");
        std::process::exit(2);
    };
    let target = Path::new(target);
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let bytes = fs::read(src)?;
    let name = target.file_name().expect("a file name").to_string_lossy();
    let temp = folder.join(format!(".{name}.floor-{}.tmp", std::process::id()));
    let mut file = File::create(&temp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    fs::rename(&temp, target)?;
    File::open(folder)?.sync_all()?;
    Ok(())
}
