//! parallax integration tests: one test binary, one module per area.

mod cli;
mod cluster;
mod compare;
mod errors;
mod faults;
mod fuzz;
mod interop;
mod keywords;
mod parity;
mod report;
mod shards;
mod similarity;
mod streaming;
mod util;
