//! parallax integration tests: one test binary, one module per area.

mod cli;
mod cluster;
mod errors;
mod interop;
mod keywords;
mod parity;
mod shards;
mod similarity;
mod streaming;
mod util;
