//! The library's one error type.
//!
//! Every variant carries where the problem is (file, line, field) and the value that was wrong,
//! so the command line can print it as is.

use std::path::PathBuf;

/// A convenient alias for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a record came from: a file (or `-` for stdin) and, for line-based formats, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Input path as the user gave it (`-` for stdin).
    pub path: PathBuf,
    /// 1-based line number for JSONL and CSV/TSV records.
    pub line: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path.display(), line),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Everything that can go wrong in parallax.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input or output file could not be read or written. The message names the file; the
    /// operating system's reason is the [`source`](std::error::Error::source) (printed after
    /// it by `{:#}` in anyhow, or by [`Error::message`]).
    #[error("{path}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        error: std::io::Error,
    },
    /// A record could not be parsed (malformed JSON or CSV line).
    #[error("{at}: malformed record: {message}")]
    Malformed {
        /// Where the record is.
        at: Location,
        /// What the parser said.
        message: String,
    },
    /// A record lacks a required field, or the field has the wrong type.
    #[error("{at}: field `{field}`: {message}")]
    Field {
        /// Where the record is.
        at: Location,
        /// The field name.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Input bytes are not valid UTF-8.
    #[error("{at}: invalid UTF-8 at byte {byte}")]
    Utf8 {
        /// Where the text is.
        at: Location,
        /// Byte offset of the first invalid byte within the record or file.
        byte: usize,
    },
    /// Two documents share an id.
    #[error("duplicate document id `{id}`: first at {first}, again at {second}")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// The first place it was seen.
        first: Location,
        /// The second place.
        second: Location,
    },
    /// A parameter has a value that cannot be used.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    Param {
        /// Parameter name as on the command line.
        name: &'static str,
        /// The offending value.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// Vocabulary pruning removed every term.
    #[error("empty vocabulary: {0}")]
    EmptyVocabulary(String),
    /// A saved model is unreadable or inconsistent.
    #[error("{path}: invalid model: {reason}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A document is larger than the limit set for one document.
    #[error(
        "{at}: a document of {bytes} bytes, more than the limit of {limit} (--max-doc-mb): \
         analyzing one document takes about five times its size in memory"
    )]
    TooLarge {
        /// Where the document is.
        at: Location,
        /// Its size in bytes (the record's or the file's).
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A line of a vocabulary file cannot be used (it gives no term, or a term given before).
    #[error("{at}: {reason}")]
    VocabularyLine {
        /// The file and line.
        at: Location,
        /// What is wrong with it.
        reason: String,
    },
    /// An input file cannot be used: gold data or predictions for an evaluation
    /// ([`similarity::eval_data`](crate::similarity::eval_data)), keyness counts
    /// ([`io::counts`](crate::io::counts)). The message says what and where; an underlying
    /// I/O, JSON or library error is the source.
    #[error("{reason}")]
    Input {
        /// What is wrong.
        reason: String,
        /// The error that caused it, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// An input path has a format parallax cannot read.
    #[error("{path}: unsupported input ({reason})")]
    Unsupported {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// An input that cannot be used, for the reason given.
    pub fn input(reason: impl Into<String>) -> Self {
        Error::Input {
            reason: reason.into(),
            source: None,
        }
    }

    /// An input that cannot be used, for the reason given, because of `source`.
    pub fn input_caused(
        reason: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Input {
            reason: reason.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message with its sources, `: `-separated (what a user should read).
    pub fn message(&self) -> String {
        let mut out = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(e) = source {
            out.push_str(": ");
            out.push_str(&e.to_string());
            source = e.source();
        }
        out
    }

    /// A parameter error.
    pub fn param(name: &'static str, value: impl ToString, reason: impl Into<String>) -> Self {
        Error::Param {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_keeps_its_cause_as_the_source() {
        let e = Error::io("in.jsonl", std::io::Error::other("disk on fire"));
        let source = std::error::Error::source(&e).expect("the io::Error is the source");
        assert_eq!(source.to_string(), "disk on fire");
        assert_eq!(e.to_string(), "in.jsonl");
        assert_eq!(e.message(), "in.jsonl: disk on fire");
    }
}
