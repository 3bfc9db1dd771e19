//! The tool as a user meets it: installed and run without cargo, its progress display in a real
//! terminal, what its outputs hold after several runs, `run-many`'s report and exit codes, and
//! how it fails (a closed pipe, a closed port). Every test runs the real binary.

mod artifacts;
mod errors;
mod install;
mod outputs;
mod run_many;
mod support;
mod terminal;
