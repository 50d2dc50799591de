//! # parallax
//!
//! Compare news texts statistically at corpus scale: read documents, analyze them (normalize,
//! tokenize, stop words, Snowball stemming, n-grams), fit a vocabulary, build sparse TF-IDF
//! matrices, and on them find similar documents, stories across sources, keywords, keyness and
//! the coverage report, with readable surface forms for every term and byte-identical output
//! for any thread count. The command-line tool is a thin layer over this crate: every command
//! is one call below.
//!
//! ## From reader to report
//!
//! | step | module | what it takes and gives |
//! |---|---|---|
//! | read | [`corpus`] | files or stdin → [`corpus::Corpus`] of [`corpus::Document`]s ([`corpus::read_inputs`], chunked: [`corpus::read_inputs_chunked`]) |
//! | analyze | [`analysis`] | [`analysis::AnalysisSettings`] → [`analysis::AnalysisConfig`] → [`analysis::Analyzer`]: text → tokens → terms |
//! | tokenize | `tokens` (internal) | documents → the tokenized corpus, each distinct spelling analyzed once |
//! | fit and weigh | [`vectorize`] | [`vectorize::Vectorizer`] (or a [`vectorize::Preset`]) → [`vectorize::FittedVectorizer`] and a [`matrix::CsrMatrix`]; streamed: [`vectorize::StreamedVectorize`] |
//! | save, write | [`io`] | models and shards ([`io::model`]), Matrix Market, npz, rows (chunk by chunk: [`io::streamed`]), result tables ([`io::tables`]), atomic outputs |
//! | compare documents | [`similarity`] | [`similarity::similar`] (exact top-k), [`similarity::find_stories`] |
//! | key terms | [`keywords`] | [`keywords::keywords`], [`keywords::keyness::keyness`] |
//! | the report | [`compare`] | [`compare::compare`] → [`compare::Report`], [`compare::html`], [`compare::summary`] |
//!
//! [`dates`] holds calendar arithmetic on day numbers, [`blocks`] the block a cluster puts each
//! document in, [`threads`] the pinned worker pool the CLI runs in, [`trace`] phase timings for
//! developers.
//!
//! ## Glossary
//!
//! One noun per idea, used in every module:
//!
//! - **document**: one text with its id and optional title, source, date and other fields;
//!   a **corpus** is the documents read, with what was set aside and why.
//! - **spelling**: a token as written in the text; its **surface form** is the spelling after
//!   normalization, what every output shows; its **term** is what the filters make of it
//!   (lowercased, stop words removed, stemmed): the unit that is counted. An n-gram term joins
//!   the terms of adjacent words.
//! - **analysis**: normalizers, tokenizer, filters and n-gram range, as data
//!   ([`analysis::AnalysisConfig`]), saved inside every model.
//! - **tokenized corpus**: documents cut into tokens with every distinct spelling analyzed
//!   once; a **tokenized batch** is documents tokenized but not yet added to one. In the API:
//!   [`vectorize::CorpusTokenizer`] (a corpus being tokenized batch by batch) and
//!   [`vectorize::TokenizedDocuments`] (documents with their tokenized corpus, for keywords).
//! - **statistics**: per term its document frequency, corpus frequency and surface-form counts,
//!   plus document count and length: sums, so chunks, shards and nights merge exactly;
//!   [`vectorize::StreamedStatistics`] sums them chunk by chunk through sorted runs, merged
//!   into [`vectorize::MergedStatistics`].
//! - **vocabulary**: the terms kept as columns; **weighting**: tf × idf and a row norm; a
//!   **preset**: another tool's analysis and weighting (`--compat`).
//! - **model**: analysis, statistics, vocabulary and weighting together
//!   ([`vectorize::FittedVectorizer`]), saved as one JSON file.
//! - **counts** and **matrix**: documents × columns, raw or weighted ([`vectorize::Counts`]
//!   before weighting, [`matrix::CsrMatrix`]).
//! - **space**: the rows documents are compared in ([`similarity::DocumentSpace`]: the story
//!   space of title and body, or the plain TF-IDF rows); **neighbours**: each document's k most
//!   similar; a **story**: documents of several sources reporting one event.
//! - **keywords**: a document's or group's key terms and phrases; **keyness**: which terms one
//!   group uses more than another, with effect sizes and p-values; the **report**: stories ×
//!   sources, aligned versions and distinctive terms ([`compare::Report`]).
//! - **block**: the documents that share a key (a field's value, or a window of days), named
//!   by a stable hash of the key, so that a cluster groups them alike in any language
//!   ([`blocks`]).
//!
//! ## In ten lines
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::{keywords, similarity, vectorize::Vectorizer};
//! let mut docs = vec![
//!     Document::new("a", "Russia's military bases in Syria will stay, officials said."),
//!     Document::new("b", "The military base at Tartus remains under Russian control."),
//!     Document::new("c", "Heavy rain closed schools across the region on Monday."),
//! ];
//! docs[0].source = Some("klaxon".into());
//! docs[1].source = Some("ledger".into());
//! let (model, matrix) = Vectorizer::default().fit_transform::<f32>(&docs)?;
//! assert_eq!(model.surface(model.column("militari").unwrap()), "military");
//! assert_eq!(matrix.n_rows(), 3);
//! let params = similarity::SimilarParams { k: 1, ..Default::default() };
//! let found = similarity::similar(&docs, None, &params)?;
//! assert_eq!(found.neighbors.of(0)[0].index, 1); // a's nearest is b
//! let ranked = keywords::keywords(&docs, &Default::default())?;
//! assert_eq!(ranked.rankings.len(), 3); // one ranking per document
//! # Ok::<(), parallax::Error>(())
//! ```

#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod analysis;
pub mod blocks;
pub mod compare;
pub mod corpus;
pub mod dates;
mod error;
pub mod io;
pub mod keywords;
pub mod matrix;
pub mod similarity;
pub mod threads;
mod tokens;
pub mod trace;
pub mod vectorize;

pub use error::{Error, Location, Result};
