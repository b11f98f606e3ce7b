//! Integration tests: one binary (one link step), each module a feature.
//! Every test runs the real `cfg` binary on real files in a temp folder and
//! checks the side repository with the real `git` CLI.

mod check;
mod common;
mod contention;
mod crash;
mod edit;
mod expect;
mod follow;
mod foundation;
mod gc;
mod get;
mod hook;
mod hostile;
mod io_errors;
mod kill_random;
mod on_write;
mod paths;
mod run;
mod set;
mod shell;
