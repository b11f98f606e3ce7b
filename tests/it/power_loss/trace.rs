//! Recording and parsing: runs a command under `strace` and turns its log into
//! events the model replays.
//!
//! The log is read with `-f -y -X raw -s 0 -e write=all`: every thread, each fd
//! with the path it named when printed, flags as numbers, buffers not printed
//! inline but dumped whole in hex after the call (the bytes the model writes).
//! A call that several threads interleave is printed in two halves
//! (`<unfinished ...>`, `<... resumed>`); its effect is taken where it returned,
//! and the half where a sync or a `close` entered is kept too: a sync makes
//! durable only what was written before it began, and an fd being closed may
//! be handed to another thread's `open` before the `close` is seen to return.

use std::path::Path;
use std::process::Command;

use crate::common::{Out, hermetic, pipe};

/// The syscalls recorded: every call that takes a path or an fd, plus the ways
/// a process makes threads or children, and `sync`, which takes neither.
const TRACED: &str = "trace=%file,%desc,clone,clone3,fork,vfork,sync";

/// Calls whose entry matters (see the module docs).
const ENTERED: &[&str] = &["fsync", "fdatasync", "sync", "syncfs", "close"];

/// One argument as strace printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A number, printed in decimal or hex (`-X raw`).
    Int(i64),
    /// A number followed by the path of what it refers to (`-y`): an fd, or
    /// `AT_FDCWD` (-100) with the current folder.
    Fd(i64, String),
    /// A string; `truncated` when strace cut it (`-s 0` cuts every buffer).
    Str { text: String, truncated: bool },
    /// Anything else (structures, arrays, comments), kept as printed.
    Other(String),
}

/// One completed call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) tid: u32,
    pub(crate) name: String,
    pub(crate) args: Vec<Arg>,
    /// `None` when the call never returned (the process was killed in it).
    pub(crate) ret: Option<i64>,
    /// The path `-y` printed after a returned fd.
    pub(crate) ret_path: Option<String>,
    /// The bytes a write-like call wrote, from the hex dump.
    pub(crate) data: Vec<u8>,
    /// The call as logged (both halves joined), for reports.
    pub(crate) text: String,
    /// The line of the log where it returned (1-based).
    pub(crate) line: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// A sync or `close` began on this thread (it returns later).
    Enter { tid: u32, name: String, args: Vec<Arg> },
    /// A call returned (or was cut short by a kill: `ret` is `None`).
    Done(Call),
    /// A traced command started (index among the scenario's traced steps).
    Start { step: usize },
    /// It exited, with its exit code (-1: killed by a signal).
    Exit { step: usize, code: i32 },
}

impl Call {
    pub(crate) fn int(&self, index: usize) -> Result<i64, String> {
        match self.args.get(index) {
            Some(Arg::Int(n) | Arg::Fd(n, _)) => Ok(*n),
            other => Err(format!("argument {index} of `{}` is not a number: {other:?}", self.text)),
        }
    }

    pub(crate) fn str(&self, index: usize) -> Result<&str, String> {
        match self.args.get(index) {
            Some(Arg::Str { text, truncated: false }) => Ok(text),
            other => Err(format!("argument {index} of `{}` is not a whole string: {other:?}", self.text)),
        }
    }

    /// The flags of a `clone`/`clone3` call.
    pub(crate) fn clone_flags(&self) -> Result<i64, String> {
        let flags = self.args.iter().find_map(|arg| {
            let text = match arg {
                Arg::Other(text) => text.trim_start_matches('{'),
                _ => return None,
            };
            text.strip_prefix("flags=").map(|rest| rest.split([',', ' ', '}']).next().unwrap_or(rest))
        });
        flags.and_then(parse_int).ok_or_else(|| format!("no flags in `{}`", self.text))
    }
}

/// How a traced command is run: the hermetic environment of `common.rs`,
/// fixed dates so that every run writes the same commits.
pub(crate) fn cfg_command(root: &Path, home: &Path) -> Command {
    let mut command = Command::new(crate::common::cfg_bin());
    command.current_dir(root);
    hermetic(&mut command, home);
    command.env("CFG_AUTHOR", crate::common::AUTHOR).env("GIT_AUTHOR_DATE", DATE).env("GIT_COMMITTER_DATE", DATE);
    command
}

pub(crate) const DATE: &str = "@1714564800 +0000";

/// Fails the test, naming the command that installs strace, when it is missing.
pub(crate) fn require_strace() {
    let found = Command::new("strace").arg("-V").output().is_ok_and(|out| out.status.success());
    assert!(
        found,
        "the power-loss test records file-system calls with strace: `apt-get install strace` (.ci/run does)"
    );
}

/// Runs `cfg ARGS` under strace, feeding `stdin`; `inject` is an extra
/// `-e inject=…` (a kill at an exact call). Returns what the command did and the
/// text of the log.
pub(crate) fn record(root: &Path, home: &Path, args: &[String], stdin: &[u8], inject: Option<&str>) -> (Out, String) {
    let log = home.join("strace.log");
    let cfg = cfg_command(root, home);
    let mut command = Command::new("strace");
    command.current_dir(root);
    for (key, value) in cfg.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command.args(["-f", "-qq", "-y", "-X", "raw", "-s", "0", "-e", TRACED, "-e", "write=all", "-o"]).arg(&log);
    if let Some(inject) = inject {
        command.args(["-e", inject]);
    }
    command.arg(crate::common::cfg_bin()).args(args);
    let out = pipe(&mut command, stdin);
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("read the strace log {}: {e}", log.display()));
    std::fs::remove_file(&log).unwrap();
    (out, text)
}

/// Parses a log written with the flags of [`record`].
pub(crate) fn parse(log: &str) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    let mut halves: std::collections::HashMap<u32, String> = std::collections::HashMap::new();
    // The event a hex dump belongs to (strace prints it right after the call),
    // and how many bytes of the current buffer it has dumped.
    let mut dump_target: Option<usize> = None;
    let mut dumped = 0;
    for (number, line) in log.lines().enumerate() {
        let context = |e: String| format!("strace log line {}: {e}\n  {line}", number + 1);
        if let Some(dump) = line.strip_prefix(" | ") {
            let Some(Event::Done(call)) = dump_target.and_then(|i| events.get_mut(i)) else {
                return Err(context("a hex dump after no write".into()));
            };
            dumped = parse_dump(dump, dumped, &mut call.data).map_err(context)?;
            continue;
        }
        if line.starts_with(" * ") {
            // "N bytes in buffer K" of a vectored write: that buffer's dump follows.
            dumped = 0;
            continue;
        }
        dump_target = None;
        dumped = 0;
        let (tid, body) = line.split_once(' ').ok_or_else(|| context("no thread id".into()))?;
        let tid: u32 = tid.parse().map_err(|_| context("no thread id".into()))?;
        let body = body.trim_start();
        if body.starts_with("+++") || body.starts_with("---") {
            continue; // exits and signals
        }
        let whole = if let Some(first) = body.strip_suffix("<unfinished ...>") {
            let first = first.trim_end().to_owned();
            let name = first.split('(').next().unwrap_or("");
            if ENTERED.contains(&name) {
                let args = split_args(&first[name.len() + 1..]).map_err(context)?;
                events.push(Event::Enter { tid, name: name.to_owned(), args });
            }
            halves.insert(tid, first);
            continue;
        } else if let Some(rest) = body.strip_prefix("<... ") {
            let (_, rest) = rest.split_once(" resumed>").ok_or_else(|| context("bad resumed line".into()))?;
            let first = halves.remove(&tid).ok_or_else(|| context("resumed without its first half".into()))?;
            first + rest
        } else {
            body.to_owned()
        };
        let call = parse_call(tid, &whole, number + 1).map_err(context)?;
        events.push(Event::Done(call));
        dump_target = Some(events.len() - 1);
    }
    Ok(events)
}

fn parse_call(tid: u32, text: &str, line: usize) -> Result<Call, String> {
    let open = text.find('(').ok_or("no argument list")?;
    let name = text[..open].to_owned();
    let close = matching_paren(text, open)?;
    let args = split_args(&text[open + 1..close])?;
    let ret = text[close + 1..].trim_start().strip_prefix("= ").ok_or("no return value")?.trim();
    let (ret, ret_path) = if ret.starts_with('?') {
        (None, None)
    } else {
        let number = ret.split(['<', ' ']).next().unwrap_or(ret);
        let value = parse_int(number).ok_or_else(|| format!("bad return value {ret:?}"))?;
        let path = ret[number.len()..].strip_prefix('<').map(|rest| annotation(rest).0);
        (Some(value), path)
    };
    Ok(Call { tid, name, args, ret, ret_path, data: Vec::new(), text: text.to_owned(), line })
}

/// The characters of `text` outside strings and `-y` annotations, each with
/// the bracket depth before it.
fn structure(text: &str) -> Vec<(usize, char, i32)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut previous = ' ';
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            // `-y` annotations follow a number: `3</path>`, `4<pipe:[7]>`.
            '<' if previous.is_ascii_digit() => {
                let mut nested = 1;
                for (_, c) in chars.by_ref() {
                    nested += match c {
                        '<' => 1,
                        '>' => -1,
                        _ => 0,
                    };
                    if nested == 0 {
                        break;
                    }
                }
            }
            _ => {
                out.push((i, c, depth));
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    _ => {}
                }
            }
        }
        previous = c;
    }
    out
}

/// The index of the `)` closing the `(` at `open`.
fn matching_paren(text: &str, open: usize) -> Result<usize, String> {
    let structure = structure(text);
    let depth = structure.iter().find(|(i, _, _)| *i == open).map(|(_, _, d)| *d).ok_or("no argument list")?;
    structure
        .iter()
        .find(|(i, c, d)| *i > open && *c == ')' && *d == depth + 1)
        .map(|(i, _, _)| *i)
        .ok_or_else(|| "unbalanced argument list".into())
}

/// Splits an argument list at its top-level commas.
fn split_args(text: &str) -> Result<Vec<Arg>, String> {
    let mut args = Vec::new();
    let mut start = 0;
    for (i, _, _) in structure(text).into_iter().filter(|(_, c, d)| *c == ',' && *d == 0) {
        args.push(parse_arg(text[start..i].trim())?);
        start = i + 1;
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        args.push(parse_arg(last)?);
    }
    Ok(args)
}

fn parse_arg(text: &str) -> Result<Arg, String> {
    if let Some(rest) = text.strip_prefix('"') {
        let (value, after) = unescape(rest)?;
        return Ok(Arg::Str { text: value, truncated: after.starts_with("...") });
    }
    let number = text.split('<').next().unwrap_or(text);
    if let Some(value) = parse_int(number) {
        return Ok(match text[number.len()..].strip_prefix('<') {
            Some(rest) => Arg::Fd(value, annotation(rest).0),
            None => Arg::Int(value),
        });
    }
    Ok(Arg::Other(text.to_owned()))
}

/// The text of a `<…>` annotation (nested brackets kept), and what follows it.
fn annotation(text: &str) -> (String, &str) {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return (text[..i].to_owned(), &text[i + 1..]);
                }
            }
            _ => {}
        }
    }
    (text.to_owned(), "")
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let value = match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()? as i64,
        None => digits.parse::<i64>().ok()?,
    };
    Some(if negative { -value } else { value })
}

/// Reads a C-escaped string up to its closing quote; returns it and the rest.
fn unescape(text: &str) -> Result<(String, &str), String> {
    let mut bytes = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let value = String::from_utf8(bytes).map_err(|_| format!("a path that is not UTF-8: {text}"))?;
                return Ok((value, &text[i + 1..]));
            }
            '\\' => {
                let (_, escaped) = chars.next().ok_or("string ends in a backslash")?;
                match escaped {
                    'n' => bytes.push(b'\n'),
                    't' => bytes.push(b'\t'),
                    'r' => bytes.push(b'\r'),
                    'v' => bytes.push(0x0b),
                    'f' => bytes.push(0x0c),
                    'x' => {
                        let hex: String = (0..2).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                        bytes.push(u8::from_str_radix(&hex, 16).map_err(|_| format!("bad \\x escape in {text}"))?);
                    }
                    '0'..='7' => {
                        // Up to three octal digits; strace prints as few as it needs.
                        let mut value = escaped.to_digit(8).unwrap_or(0);
                        let rest = chars.as_str();
                        let more = rest.chars().take(2).take_while(|c| c.is_digit(8)).count();
                        for _ in 0..more {
                            let (_, digit) = chars.next().unwrap_or((0, '0'));
                            value = value * 8 + digit.to_digit(8).unwrap_or(0);
                        }
                        bytes.push(value as u8);
                    }
                    other => {
                        let mut buffer = [0; 4];
                        bytes.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
                    }
                }
            }
            other => {
                let mut buffer = [0; 4];
                bytes.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    Err(format!("unterminated string: {text}"))
}

/// One line of a hex dump: ` | 00000  61 62 …  ab… |` (the leading ` | ` already
/// stripped): an offset, two spaces, then 16 bytes in a 49-column field.
/// Returns how many bytes of the buffer have been dumped.
fn parse_dump(line: &str, dumped: usize, data: &mut Vec<u8>) -> Result<usize, String> {
    let (offset, rest) = line.split_once(' ').ok_or("bad dump line")?;
    let offset = usize::from_str_radix(offset, 16).map_err(|_| "bad dump offset")?;
    let field = rest.strip_prefix(' ').ok_or("bad dump line")?;
    let field = field.get(..49.min(field.len())).ok_or("bad dump line")?;
    if offset != dumped {
        return Err(format!("dump offset {offset:#x} after {dumped:#x} bytes"));
    }
    let before = data.len();
    for byte in field.split_whitespace() {
        data.push(u8::from_str_radix(byte, 16).map_err(|_| format!("bad dump byte {byte:?}"))?);
    }
    Ok(dumped + data.len() - before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_halves_annotations_and_dumps() {
        let log = concat!(
            "7 openat(-100</r>, \"/r/.cfg/a\\\"b\", 0x800c2, 0444) = 5</r/.cfg/a\"b>\n",
            "7 write(5</r/.cfg/a\"b>, \"\"..., 3) = 3\n",
            " | 00000  61 62 0a                                          ab.              |\n",
            "8 fsync(5</r/.cfg/a\"b> <unfinished ...>\n",
            "7 renameat(-100</r>, \"x\", 5</r>, \"y\") = -1 ENOENT (No such file or directory)\n",
            "8 <... fsync resumed>)              = 0\n",
            "7 clone3({flags=0x3d0f00, child_tid=0x1} => {parent_tid=[9]}, 88) = 9\n",
        );
        let events = parse(log).unwrap();
        assert_eq!(events.len(), 6);
        let Event::Done(open) = &events[0] else { panic!() };
        assert_eq!(open.args[0], Arg::Fd(-100, "/r".into()));
        assert_eq!(open.str(1).unwrap(), "/r/.cfg/a\"b");
        assert_eq!(open.int(2).unwrap(), 0x800c2);
        assert_eq!((open.ret, open.ret_path.as_deref()), (Some(5), Some("/r/.cfg/a\"b")));
        let Event::Done(write) = &events[1] else { panic!() };
        assert_eq!(write.data, b"ab\n");
        assert!(matches!(&events[2], Event::Enter { tid: 8, name, .. } if name == "fsync"));
        let Event::Done(rename) = &events[3] else { panic!() };
        assert_eq!(rename.ret, Some(-1));
        let Event::Done(fsync) = &events[4] else { panic!() };
        assert_eq!((fsync.tid, fsync.ret), (8, Some(0)));
        let Event::Done(clone) = &events[5] else { panic!() };
        assert_eq!(clone.clone_flags().unwrap(), 0x3d0f00);
    }
}
