//! # parallax
//!
//! Compare news texts statistically at corpus scale: read documents, analyze them (normalize,
//! tokenize, stop words, Snowball stemming, n-grams), fit a vocabulary, and build sparse TF-IDF
//! matrices, with readable surface forms for every term and byte-identical output for any
//! thread count.
//!
//! The five types a user needs:
//! - [`corpus::Document`] and [`corpus::read_inputs`]: documents from directories, JSONL, CSV/TSV;
//! - [`analysis::AnalysisConfig`]: the analysis pipeline, as data;
//! - [`vectorize::Vectorizer`]: settings, which [`fit`](vectorize::Vectorizer::fit) turns into a
//! - [`vectorize::FittedVectorizer`]: the learned vocabulary, saved and loaded by [`io::model`];
//! - [`matrix::CsrMatrix`]: the weighted document × term matrix.
//!
//! On top of them, [`keywords`] ranks the key terms and phrases of documents and groups, and
//! measures keyness (which terms one group uses more than another).
//!
//! ```
//! use parallax::{corpus::Document, vectorize::Vectorizer};
//! let docs = [
//!     Document::new("a", "Russia's military bases in Syria will stay, officials said."),
//!     Document::new("b", "The military base at Tartus remains under Russian control."),
//! ];
//! let (model, matrix) = Vectorizer::default().fit_transform::<f32>(&docs)?;
//! let col = model.column("militari").unwrap();
//! assert_eq!(model.surface(col), "military");
//! assert_eq!(matrix.n_rows(), 2);
//! # Ok::<(), parallax::Error>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod compare;
pub mod corpus;
pub mod dates;
mod error;
pub mod io;
pub mod keywords;
pub mod matrix;
pub mod similarity;
mod tokens;
pub mod trace;
pub mod vectorize;

pub use error::{Error, Location, Result};
