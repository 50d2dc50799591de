//! File formats and the way files are written: every byte parallax puts on disk goes through
//! here.
//!
//! - [`atomic`]: outputs replaced whole (locks, exclusive temporaries, staged directories);
//! - [`direct`]: long output files written past the page cache (direct I/O).

pub mod atomic;
pub mod direct;
