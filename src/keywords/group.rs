//! Grouping documents: by a field (`source`, `title`, any metadata key) or by date bucket.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::keywords::GroupBy;
//! let mut doc = Document::new("a", "text");
//! doc.date = Some("2026-03-04".into());
//! assert_eq!("date:week".parse::<GroupBy>().unwrap().key(&doc).as_deref(), Some("2026-W10"));
//! assert_eq!("date:month".parse::<GroupBy>().unwrap().key(&doc).as_deref(), Some("2026-03"));
//! ```

use std::borrow::Cow;

use crate::corpus::Document;
use crate::dates::{self, iso_week};

/// How documents are put into groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// The value of a field: `source`, `title`, `date`, `id`, or a metadata key.
    Field(String),
    /// The document's date (the `date` field, ISO 8601), cut to a bucket.
    Date(DateBucket),
}

/// A date bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBucket {
    /// `2026`.
    Year,
    /// `2026-03`.
    Month,
    /// ISO 8601 week, `2026-W10` (weeks start on Monday; week 1 holds the year's first Thursday).
    Week,
    /// `2026-03-04`.
    Day,
}

impl std::str::FromStr for GroupBy {
    type Err = String;
    /// `date:year`, `date:month`, `date:week`, `date:day`, or any field name.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(bucket) = s.strip_prefix("date:") {
            let bucket = match bucket {
                "year" => DateBucket::Year,
                "month" => DateBucket::Month,
                "week" => DateBucket::Week,
                "day" => DateBucket::Day,
                other => {
                    return Err(format!(
                        "unknown date bucket `{other}`; known: year, month, week, day"
                    ));
                }
            };
            return Ok(GroupBy::Date(bucket));
        }
        if s.is_empty() {
            return Err("empty field name".into());
        }
        Ok(GroupBy::Field(s.to_string()))
    }
}

impl std::fmt::Display for GroupBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupBy::Field(name) => f.write_str(name),
            GroupBy::Date(b) => {
                let b = match b {
                    DateBucket::Year => "year",
                    DateBucket::Month => "month",
                    DateBucket::Week => "week",
                    DateBucket::Day => "day",
                };
                write!(f, "date:{b}")
            }
        }
    }
}

impl GroupBy {
    /// The group of a document, or `None` if it lacks the field (or has no valid date). Empty
    /// values count as missing.
    pub fn key<'d>(&self, doc: &'d Document) -> Option<Cow<'d, str>> {
        match self {
            GroupBy::Field(name) => doc
                .field(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(Cow::Borrowed),
            GroupBy::Date(bucket) => {
                let (y, m, d) = dates::ymd(doc.date.as_deref()?.trim())?;
                Some(Cow::Owned(match bucket {
                    DateBucket::Year => format!("{y:04}"),
                    DateBucket::Month => format!("{y:04}-{m:02}"),
                    DateBucket::Day => format!("{y:04}-{m:02}-{d:02}"),
                    DateBucket::Week => {
                        let (wy, w) = iso_week(y, m, d);
                        format!("{wy:04}-W{w:02}")
                    }
                }))
            }
        }
    }
}

impl GroupBy {
    /// The group of every document, in order ([`GroupBy::key`], owned).
    pub fn keys(&self, docs: &[Document]) -> Vec<Option<String>> {
        docs.iter()
            .map(|d| self.key(d).map(|k| k.into_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_field_and_bucket() {
        let mut doc = Document::new("a", "x");
        doc.source = Some("klaxon".into());
        doc.date = Some("2026-04-02T09:00:00Z".into());
        doc.meta.insert("event".into(), "llamas".into());
        let key = |doc: &Document, s: &str| {
            s.parse::<GroupBy>()
                .unwrap()
                .key(doc)
                .map(|k| k.into_owned())
        };
        assert_eq!(key(&doc, "source").as_deref(), Some("klaxon"));
        assert_eq!(key(&doc, "event").as_deref(), Some("llamas"));
        assert_eq!(key(&doc, "date:year").as_deref(), Some("2026"));
        assert_eq!(key(&doc, "date:day").as_deref(), Some("2026-04-02"));
        assert_eq!(key(&doc, "missing"), None);
        doc.date = Some("April 2".into());
        assert_eq!(key(&doc, "date:month"), None);
        assert!("date:fortnight".parse::<GroupBy>().is_err());
        assert_eq!(
            "date:week".parse::<GroupBy>().unwrap().to_string(),
            "date:week"
        );
    }
}
