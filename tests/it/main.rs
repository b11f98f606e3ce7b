//! Integration tests: one binary (one link step), each module a feature.
//! Every test runs the real `cfg` binary on real files in a temp folder and
//! checks the side repository with the real `git` CLI.

// Fixtures are made with std::fs; the durable-write rule is for src/.
#![allow(clippy::disallowed_methods)]

mod audit;
mod check;
mod checks;
mod common;
mod contention;
mod crash;
mod dry_run;
mod durability;
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
mod output;
mod paths;
mod power_loss;
mod remote;
mod run;
mod schemas;
mod set;
mod shell;
