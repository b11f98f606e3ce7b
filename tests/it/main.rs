//! Integration tests: one binary (one link step), each module a feature.
//! Every test runs the real `cfg` binary on real files in a temp folder and
//! checks the side repository with the real `git` CLI.

mod check;
mod common;
mod contention;
mod crash;
mod expect;
mod foundation;
mod gc;
mod hook;
mod io_errors;
mod kill_random;
mod paths;
