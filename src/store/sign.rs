//! SSH signatures on commits, in git's format: the commit object gets a
//! `gpgsig` header holding the armored signature (namespace `git`) of the
//! commit's bytes without that header, exactly what `git commit -S` with
//! `gpg.format=ssh` writes, so `git verify-commit` checks it.
//!
//! Signing and verifying run OpenSSH's `ssh-keygen -Y` (Debian's
//! `openssh-client`), as git does. The data goes through standard input and
//! output; a signature to verify is handed over through a pipe named
//! `/dev/fd/N`, so nothing is written to disk. A key with a passphrase asks
//! for it on the terminal, if there is one, as `git commit -S` does.
//!
//! Verification follows git's rules: the signer's principal is looked up in
//! an allowed-signers file by the signature's key (`find-principals`), then
//! the signature is verified for that principal at the commit's time
//! (`verify`); a signature whose key is in no allowed-signers entry is only
//! checked for integrity (`check-novalidate`) and reported as untrusted.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use gix::bstr::ByteSlice;

use super::{Error, Rev, Store, git};

/// The header that holds a commit's signature.
const HEADER: &str = "gpgsig";
const NAMESPACE: &str = "git";
const PROGRAM: &str = "ssh-keygen";
/// Far above any SSH signature (an RSA-16384 one is about 5 KiB), far below
/// a pipe's capacity (64 KiB): the signature is written whole into a pipe
/// before ssh-keygen starts, so a larger one, in a commit made elsewhere,
/// would block forever.
const MAX_SIGNATURE: usize = 16 * 1024;

/// What a commit's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    Unsigned,
    /// Verified for `principal` of the allowed-signers file.
    Good {
        principal: String,
        key: String,
    },
    /// A valid signature, by a key no allowed-signers entry names.
    Untrusted {
        key: String,
    },
    /// A signature that does not verify: the commit or the signature was
    /// changed, or it is not an SSH signature.
    Bad {
        reason: String,
    },
}

impl SignatureStatus {
    pub fn is_good(&self) -> bool {
        matches!(self, SignatureStatus::Good { .. })
    }
}

impl std::fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureStatus::Unsigned => write!(f, "unsigned"),
            SignatureStatus::Good { principal, key } => write!(f, "good signature by {principal} ({key})"),
            SignatureStatus::Untrusted { key } => {
                write!(f, "untrusted: valid signature by {key}, which the allowed signers do not name")
            }
            SignatureStatus::Bad { reason } => write!(f, "bad signature: {reason}"),
        }
    }
}

/// Signs `commit` with `key`: adds the `gpgsig` header over its bytes.
pub(super) fn sign_commit(commit: &mut gix::objs::Commit, key: &Path) -> Result<(), Error> {
    use gix::objs::WriteTo as _;
    let mut payload = Vec::new();
    commit.write_to(&mut payload).expect("writing to memory");
    let failed = |reason: String| Error::Sign { key: key.to_owned(), reason };
    let mut child = Command::new(PROGRAM)
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(not_started(&e)))?;
    // The payload is small and read whole before anything is written back.
    let written = child.stdin.take().expect("piped").write_all(&payload);
    let output = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
    let signature = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() || written.is_err() || !signature.starts_with("-----BEGIN SSH SIGNATURE-----") {
        return Err(failed(said(&output.stderr, output.status)));
    }
    commit.extra_headers.push((HEADER.into(), signature.into()));
    Ok(())
}

/// A signed commit's parts.
struct Signed {
    /// The commit without its signature: what was signed.
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl Store {
    /// What the signature of `rev` says, checked against git's
    /// allowed-signers file `allowed_signers`; without one, a signature can
    /// only be checked for integrity, and is at best untrusted.
    pub fn verify_signature(&self, rev: Rev, allowed_signers: Option<&Path>) -> Result<SignatureStatus, Error> {
        let Some(Signed { payload, signature }) = self.signed_parts(rev)? else {
            return Ok(SignatureStatus::Unsigned);
        };
        if !signature.starts_with(b"-----BEGIN SSH SIGNATURE-----") {
            return Ok(SignatureStatus::Bad { reason: "not an SSH signature".into() });
        }
        if signature.len() > MAX_SIGNATURE {
            return Ok(SignatureStatus::Bad {
                reason: format!("a signature of {} bytes is not one ssh-keygen made", signature.len()),
            });
        }
        let time = self.commit(rev)?.committer.seconds;
        let time = chrono::DateTime::from_timestamp(time, 0).unwrap_or_default().format("%Y%m%d%H%M%SZ");
        let principal = match allowed_signers {
            Some(file) => {
                let found = keygen(&["-Y", "find-principals", "-f"], Some(file), &signature, None)?;
                let first = String::from_utf8_lossy(&found.stdout).lines().next().map(str::to_owned);
                first.filter(|_| found.status.success())
            }
            None => None,
        };
        let checked = match (&principal, allowed_signers) {
            (Some(principal), Some(file)) => {
                let args = ["-Y", "verify", "-n", NAMESPACE, "-I", principal, &format!("-Overify-time={time}"), "-f"];
                keygen(&args, Some(file), &signature, Some(&payload))?
            }
            _ => keygen(&["-Y", "check-novalidate", "-n", NAMESPACE], None, &signature, Some(&payload))?,
        };
        if !checked.status.success() {
            return Ok(SignatureStatus::Bad { reason: said(&checked.stderr, checked.status) });
        }
        // `Good "git" signature [for PRINCIPAL] with ED25519 key SHA256:…`
        let said = String::from_utf8_lossy(&checked.stdout);
        let key = said.split_once(" with ").map_or("an unknown key", |(_, key)| key.trim()).to_owned();
        Ok(match principal {
            Some(principal) => SignatureStatus::Good { principal, key },
            None => SignatureStatus::Untrusted { key },
        })
    }

    /// The signature in the `gpgsig` header of `rev`, and the bytes it
    /// signs: the commit without that header, as git rebuilds them.
    fn signed_parts(&self, rev: Rev) -> Result<Option<Signed>, Error> {
        let object = self.repo.find_object(rev.0).map_err(git("read a commit", &self.git_dir))?;
        let raw = &object.data;
        let header_end = raw.find(b"\n\n").map_or(raw.len(), |i| i + 1);
        let (mut payload, mut signature) = (Vec::with_capacity(raw.len()), Vec::new());
        let mut in_signature = false;
        for line in raw[..header_end].lines_with_terminator() {
            if let Some(rest) = line.strip_prefix(format!("{HEADER} ").as_bytes()) {
                in_signature = true;
                signature.extend_from_slice(rest);
            } else if in_signature && line.starts_with(b" ") {
                signature.extend_from_slice(&line[1..]);
            } else {
                in_signature = false;
                payload.extend_from_slice(line);
            }
        }
        payload.extend_from_slice(&raw[header_end..]);
        Ok((!signature.is_empty()).then_some(Signed { payload, signature }))
    }
}

/// Runs `ssh-keygen ARGS [FILE] -s /dev/fd/N` with `signature` readable at
/// `/dev/fd/N` and `input` on standard input.
fn keygen(
    args: &[&str],
    file: Option<&Path>,
    signature: &[u8],
    input: Option<&[u8]>,
) -> Result<std::process::Output, Error> {
    let failed = |reason: String| Error::Verify { reason };
    let (reader, mut writer) = std::io::pipe().map_err(|e| failed(e.to_string()))?;
    // At most MAX_SIGNATURE bytes: the pipe holds it whole.
    writer.write_all(signature).map_err(|e| failed(e.to_string()))?;
    drop(writer);
    // Inherited by ssh-keygen only: pipes are made close-on-exec.
    rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::empty()).map_err(|e| failed(e.to_string()))?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&reader);
    let mut command = Command::new(PROGRAM);
    command.args(args).args(file).arg("-s").arg(format!("/dev/fd/{fd}"));
    command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child =
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| failed(not_started(&e)))?;
    drop(reader);
    let written = match (input, child.stdin.take()) {
        (Some(input), Some(mut stdin)) => stdin.write_all(input),
        _ => Ok(()),
    };
    let output = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
    match written {
        // ssh-keygen stops reading when it has refused the signature.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(failed(e.to_string())),
        _ => Ok(output),
    }
}

fn not_started(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("`{PROGRAM}` is not installed (Debian: apt-get install -y openssh-client)")
    } else {
        format!("`{PROGRAM}` could not be started: {e}")
    }
}

/// What ssh-keygen said on standard error, on one line.
fn said(stderr: &[u8], status: std::process::ExitStatus) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && *l != "Signing data on standard input").collect();
    if lines.is_empty() { format!("`{PROGRAM}` failed ({status})") } else { lines.join("; ") }
}
