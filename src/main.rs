//! The `cfg` binary: parse arguments, call the library, render the outcome.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
