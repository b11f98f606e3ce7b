//! In-process write speed, used by `bench/bench.py`: what a service that
//! embeds `cfg` pays per write, against the same floor done in-process.
//!
//! `lib_write ROOT FILE FLOOR_DIR ROUNDS SRC...` reads every SRC into memory,
//! loads ROOT's settings once (as a long-running service would), then in each
//! of ROUNDS rounds takes the next share of the SRCs and writes each of them
//! twice, timing every call:
//!
//! - `library`: `cfg::ops::write` of FILE under ROOT, the same operation
//!   `cfg write` performs (lock, validate against `.cfg.yaml`'s schema,
//!   commit, durable replace), with nothing else around it;
//! - `floor`: FILE in FLOOR_DIR replaced the way `examples/floor.rs` does it
//!   (temp file, write, fsync, rename, fsync the folder).
//!
//! Rounds alternate which of the two goes first, so that a slow spell of this
//! shared machine hits both. One untimed write of each comes first (caches,
//! lazily built state). Each timed call prints one line to standard output:
//! `KIND<TAB>NANOSECONDS<TAB>MINOR_FAULTS`, the faults counted over the whole
//! process (every thread) from `/proc/self/stat`. Any failed or unchanged
//! write stops the run with exit code 1.

// The floor is deliberately the bare system calls, not cfg's own layer.
#![allow(clippy::disallowed_methods)]

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cfg::ops::{self, WriteRequest};
use cfg::settings::Settings;

fn main() {
    if let Err(message) = run() {
        eprintln!("lib_write: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, file, floor_dir, rounds, srcs @ ..] = args.as_slice() else {
        return Err("usage: lib_write ROOT FILE FLOOR_DIR ROUNDS SRC...".into());
    };
    let rounds: usize = rounds.parse().map_err(|_| format!("ROUNDS `{rounds}` is not a count"))?;
    if rounds == 0 || srcs.len() < rounds {
        return Err(format!("{} SRC files cannot fill {rounds} rounds", srcs.len()));
    }
    let contents = srcs
        .iter()
        .map(|src| fs::read(src).map_err(|e| format!("cannot read `{src}`: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let settings =
        ops::settings_for(Path::new(root)).map_err(|e| format!("cannot load the settings of `{root}`: {e}"))?;
    let floor_target = Path::new(floor_dir).join(file);

    let mut warm = contents[0].clone();
    warm.extend_from_slice(b"\n# warm-up\n");
    library(&settings, file, warm.clone())?;
    floor(&floor_target, &warm).map_err(|e| format!("floor write of `{}`: {e}", floor_target.display()))?;

    let per_round = contents.len() / rounds;
    for (round, share) in contents.chunks_exact(per_round).take(rounds).enumerate() {
        let mut kinds = ["library", "floor"];
        if round % 2 == 1 {
            kinds.reverse();
        }
        for kind in kinds {
            for content in share {
                let faults = minor_faults()?;
                let start = Instant::now();
                match kind {
                    "library" => library(&settings, file, content.clone())?,
                    _ => floor(&floor_target, content)
                        .map_err(|e| format!("floor write of `{}`: {e}", floor_target.display()))?,
                }
                let nanos = start.elapsed().as_nanos();
                println!("{kind}\t{nanos}\t{}", minor_faults()? - faults);
            }
        }
    }
    Ok(())
}

fn library(settings: &Settings, file: &str, content: Vec<u8>) -> Result<(), String> {
    let outcome = ops::write(settings, WriteRequest::new(file, content))
        .map_err(|e| format!("cfg::ops::write of `{file}`: {e}"))?;
    if !outcome.changed {
        return Err(format!("cfg::ops::write of `{file}` made no commit: the SRC files must all differ"));
    }
    Ok(())
}

/// What `examples/floor.rs` does, without the process around it.
fn floor(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temp: PathBuf = folder.join(format!(".{name}.floor-{}.tmp", std::process::id()));
    let mut file = File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temp, target)?;
    File::open(folder)?.sync_all()
}

/// Minor page faults of the whole process so far (field 10 of
/// `/proc/self/stat`, which sums every thread, finished ones included).
fn minor_faults() -> Result<u64, String> {
    let stat = fs::read_to_string("/proc/self/stat").map_err(|e| format!("cannot read /proc/self/stat: {e}"))?;
    // The command name (field 2) may hold spaces; the fields after it do not.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    after_name
        .split_whitespace()
        .nth(7)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| format!("no minor fault count in /proc/self/stat: `{stat}`"))
}
