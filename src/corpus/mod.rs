//! Documents and the readers that produce them.
//!
//! ```no_run
//! use parallax::corpus::{read_inputs, ReadOptions};
//! let corpus = read_inputs(&["corpus".into()], &ReadOptions::default())?;
//! println!("{} documents", corpus.docs.len());
//! # Ok::<(), parallax::Error>(())
//! ```

mod frontmatter;
mod read;

use std::collections::BTreeMap;

pub use read::{
    FieldNames, OnError, Prepare, ReadOptions, ReadReport, read_inputs, read_inputs_chunked,
    read_inputs_prepared,
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
    /// ISO 8601 date (`YYYY-MM-DD`, optionally with a time).
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

/// Checks an ISO 8601 date: `YYYY-MM-DD`, optionally followed by `T` or a space and a time.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2024-12-08"));
        assert!(is_iso_date("2024-12-08T10:00:00Z"));
        assert!(!is_iso_date("2024-13-08"));
        assert!(!is_iso_date("08/12/2024"));
        assert!(!is_iso_date("2024-1-8"));
    }
}
