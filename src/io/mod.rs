//! File formats and the way files are written: every byte parallax puts on disk goes through
//! here.
//!
//! - [`model`]: saved models and shards (versioned JSON);
//! - [`mtx`]: Matrix Market, the text form of a sparse matrix;
//! - [`npz`]: NumPy `.npy` arrays and the `.npz` archive of a sparse matrix;
//! - [`rows`]: the rows, vocabulary and documents tables of an output directory (JSONL, TSV);
//! - [`counts`]: keyness counts files (`keyness --counts-out`, summed by `keyness --counts`);
//! - [`streamed`]: an output directory written chunk by chunk as its rows come (`transform`, a
//!   streamed `vectorize`);
//! - [`tables`]: the result tables of `similar`, `stories`, `keywords`, `keyness` and `stats`
//!   (aligned text, JSON, TSV);
//! - [`terminal`]: text for people made safe to print (no escapes from the data);
//! - [`ordered`]: blocks formatted in parallel, written in order (for every text format);
//! - [`atomic`]: outputs replaced whole (locks, exclusive temporaries, staged directories);
//! - [`direct`]: long output files written past the page cache (direct I/O);
//! - `spill`: a streamed vectorize's per-document counts, spilled to a temporary file and read
//!   back in blocks (crate-internal).

pub mod atomic;
pub mod counts;
pub mod direct;
pub mod model;
pub mod mtx;
pub mod npz;
pub mod ordered;
pub mod rows;
pub(crate) mod spill;
pub mod streamed;
pub mod tables;
pub mod terminal;
