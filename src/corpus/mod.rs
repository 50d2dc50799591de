//! Documents and the readers that produce them.
//!
//! ```no_run
//! use parallax::corpus::{read_inputs, ReadOptions};
//! let corpus = read_inputs(&["corpus".into()], &ReadOptions::default())?;
//! println!("{} documents", corpus.docs.len());
//! # Ok::<(), parallax::Error>(())
//! ```

mod collect;
mod csv;
pub mod date;
mod files;
mod frontmatter;
mod jsonl;
mod read;

use std::collections::BTreeMap;

pub use collect::{FieldNames, OnError, Prepare, ReadOptions, ReadReport, SetAside};
pub use date::{DateOrder, DatePattern, DateRules};
pub use read::{
    from_documents, input_size, read_inputs, read_inputs_chunked, read_inputs_prepared,
};

use crate::error::Location;

/// One document: an id, its text and optional metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Unique id within a corpus.
    pub id: String,
    /// The raw text.
    pub text: String,
    /// Headline, if known.
    pub title: Option<String>,
    /// Outlet, edition or any grouping the user gives.
    pub source: Option<String>,
    /// The date, `YYYY-MM-DD` once read (readers turn every form they read into it; see
    /// [`date`]).
    pub date: Option<String>,
    /// Every other field of the record, in name order.
    pub meta: BTreeMap<String, String>,
}

impl Document {
    /// A document with just an id and a text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    /// The value of a field by name: `id`, `title`, `source`, `date`, or a metadata key.
    pub fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "title" => self.title.as_deref(),
            "source" => self.source.as_deref(),
            "date" => self.date.as_deref(),
            _ => self.meta.get(name).map(String::as_str),
        }
    }
}

/// Documents in input order, where each came from, and what was skipped.
#[derive(Debug, Default)]
pub struct Corpus {
    /// The documents, in input order.
    pub docs: Vec<Document>,
    /// `origins[i]` is where `docs[i]` was read.
    pub origins: Vec<Location>,
    /// Counts of what was skipped or noteworthy while reading.
    pub report: ReadReport,
}
