//! parallax integration tests: one test binary, four modules.

mod cli;
mod errors;
mod parity;
mod util;
