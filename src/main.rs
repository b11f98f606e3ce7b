//! The `cfg` binary: parse arguments, call the library, render the outcome.
//!
//! Output never panics. std's `eprintln!` and `eprint!` panic when standard
//! error is closed (its reader went away: `cfg check … 2>&1 | head -1`),
//! ending cfg with status 101 and a panic message. The two macros below
//! shadow them in every module of the binary: a message that cannot be
//! written is dropped, and cfg goes on to its usual exit status. Standard
//! output goes through `cli::print`, which treats a closed pipe the same way.

/// std's `eprintln!`, minus the panic on a closed standard error.
macro_rules! eprintln {
    () => {
        $crate::to_stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::to_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// std's `eprint!`, minus the panic on a closed standard error.
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::to_stderr(format_args!($($arg)*))
    };
}

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

/// Writes to standard error; nothing to report a failure to, so none is.
fn to_stderr(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_fmt(args);
}
