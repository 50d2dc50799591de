//! What every reader shares: the reading options, what reading reports (skipped records,
//! set-aside dates, ignored files), the file formats by name, and the collector documents go
//! into, all in memory or chunk by chunk. The readers (`csv.rs`, `files.rs`, `jsonl.rs`) put
//! documents here; `read.rs` picks a reader for each input and hands the collector over.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::date::{DateIssue, DateRules};
use super::{Corpus, Document};
use crate::dates::civil_date;
use crate::error::{Error, Location, Result};

/// Names of the record fields that carry the document parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    /// Document id (required).
    pub id: String,
    /// Document text (required).
    pub text: String,
    /// Headline.
    pub title: String,
    /// Outlet or group.
    pub source: String,
    /// Date (see [`super::date`] for the forms read).
    pub date: String,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            source: "source".into(),
            date: "date".into(),
        }
    }
}

/// What to do with a record that cannot be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Stop with an error naming the record (default).
    #[default]
    Fail,
    /// Skip the record, count it and report it.
    Skip,
}

/// How to read inputs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Field names in JSONL and CSV records.
    pub fields: FieldNames,
    /// Policy for bad records.
    pub on_error: OnError,
    /// How date values are read, and which are plausible.
    pub dates: DateRules,
    /// The largest document read, in bytes (a JSONL line, a CSV record, a text file); a larger
    /// one is a bad record. Analysis holds about five times a document's size at its peak (a
    /// 1 GB document peaked at 5.4 GB), so this bounds the memory one document can take.
    /// `None`: no limit.
    pub max_doc_bytes: Option<usize>,
}

/// The error for a document of `len` bytes when the limit is `max` (if it is larger).
pub(super) fn check_size(
    len: usize,
    max: Option<usize>,
    at: impl FnOnce() -> Location,
) -> Result<()> {
    match max {
        Some(max) if len > max => Err(Error::TooLarge {
            at: at(),
            bytes: len as u64,
            limit: max as u64,
        }),
        _ => Ok(()),
    }
}

/// What reading skipped or noticed. Nothing is dropped without being counted here.
#[derive(Debug, Default, Clone)]
pub struct ReadReport {
    /// Records skipped under `--on-error skip`, with the reason (first 20 kept, all counted).
    pub skipped: Vec<String>,
    /// Total number of skipped records.
    pub skipped_count: usize,
    /// Blank lines in line-based inputs (not records).
    pub blank_lines: usize,
    /// Files ignored inside directory inputs: README files, files that are not text documents
    /// (`.jsonl` and `.csv` files among them: give those as inputs of their own), and entries
    /// that are not regular files (named pipes, sockets, devices), never opened.
    pub ignored_files: Vec<PathBuf>,
    /// Documents whose text is empty or only whitespace (kept, as empty rows).
    pub empty_docs: usize,
    /// Documents read without a usable date: no date field, an empty one, or a date set aside
    /// (see `set_aside`).
    pub undated: usize,
    /// Values set aside as missing, per kind (dates that could not be used), in the order of
    /// [`DateIssue::ALL`]; kinds with no value are left out.
    pub set_aside: Vec<SetAside>,
    /// Optional fields (title, source, date, metadata) given as empty strings, which count as
    /// missing values.
    pub empty_fields: usize,
}

/// Values of one kind set aside while reading: how many, and the first few, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// What kind of value, and why (`ambiguous date`, `implausible date`, ...).
    pub kind: &'static str,
    /// How many.
    pub count: usize,
    /// The first few, as `file:line: `value``.
    pub examples: Vec<String>,
    /// What the user can do about them.
    pub hint: &'static str,
}

/// Examples kept per kind of set-aside value.
const SET_ASIDE_EXAMPLES: usize = 5;

impl ReadReport {
    /// Writes what reading skipped or noticed, a line each, as the CLI prints it on stderr.
    /// Skipped records and set-aside values are always written (data was left out); the rest
    /// (undated and empty documents, empty fields, ignored files) only with `all`.
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn write_notes(&self, out: &mut dyn std::io::Write, all: bool) -> std::io::Result<()> {
        use crate::io::terminal::printable;
        if self.skipped_count > 0 {
            let n = self.skipped_count;
            writeln!(
                out,
                "parallax: skipped {n} bad record(s) (--on-error skip):"
            )?;
            for message in &self.skipped {
                writeln!(out, "  {}", printable(message))?;
            }
            if n > self.skipped.len() {
                writeln!(out, "  ... and {} more", n - self.skipped.len())?;
            }
        }
        for kind in &self.set_aside {
            let (n, what, hint) = (kind.count, kind.kind, kind.hint);
            writeln!(
                out,
                "parallax: {n} {what}(s) kept as undated ({hint}), e.g.:"
            )?;
            for example in &kind.examples {
                writeln!(out, "  {}", printable(example))?;
            }
        }
        if !all {
            return Ok(());
        }
        if self.undated > 0 {
            writeln!(
                out,
                "parallax: {} document(s) have no usable date",
                self.undated
            )?;
        }
        if self.empty_fields > 0 {
            writeln!(
                out,
                "parallax: {} optional field value(s) were empty and count as missing",
                self.empty_fields
            )?;
        }
        if self.empty_docs > 0 {
            writeln!(
                out,
                "parallax: {} document(s) have no text; they are kept as empty rows",
                self.empty_docs
            )?;
        }
        let is_readme = |p: &&PathBuf| {
            p.file_stem()
                .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
        };
        let (readmes, others): (Vec<_>, Vec<_>) = self.ignored_files.iter().partition(is_readme);
        if !readmes.is_empty() {
            let n = readmes.len();
            writeln!(
                out,
                "parallax: ignored {n} README file(s) in input directories"
            )?;
        }
        if !others.is_empty() {
            let names: Vec<String> = others
                .iter()
                .take(3)
                .map(|p| printable(&p.display().to_string()).into_owned())
                .collect();
            let more = if others.len() > 3 { ", ..." } else { "" };
            writeln!(
                out,
                "parallax: ignored {} entr{} of input directories that are not .txt/.md documents \
                 (give .jsonl/.csv files as inputs of their own): {}{more}",
                others.len(),
                if others.len() == 1 { "y" } else { "ies" },
                names.join(", ")
            )?;
        }
        Ok(())
    }

    /// Turns the optional fields of a document just read into their final form: empty values
    /// become missing ones, and a date becomes `YYYY-MM-DD` or, when it cannot be used, a
    /// missing date counted under its kind.
    pub(super) fn tidy(&mut self, doc: &mut Document, at: &Location, rules: &DateRules) {
        for field in [&mut doc.title, &mut doc.source, &mut doc.date] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
                self.empty_fields += 1;
            }
        }
        let before = doc.meta.len();
        doc.meta.retain(|_, v| !v.trim().is_empty());
        self.empty_fields += before - doc.meta.len();
        let Some(value) = doc.date.take() else {
            self.undated += 1;
            return;
        };
        match rules.read(&value) {
            Ok(day) => doc.date = Some(civil_date(day)),
            Err(issue) => {
                self.undated += 1;
                // An example is cut to a line: a wrong --date-field may point at whole texts.
                let shown: String = value.trim().chars().take(60).collect();
                let cut = if shown.len() < value.trim().len() {
                    "…"
                } else {
                    ""
                };
                self.set_aside(issue, || format!("{at}: `{shown}{cut}`"));
            }
        }
    }

    fn set_aside(&mut self, issue: DateIssue, example: impl FnOnce() -> String) {
        let at = DateIssue::ALL
            .iter()
            .filter(|i| **i < issue)
            .filter(|i| self.set_aside.iter().any(|s| s.kind == i.name()))
            .count();
        if self
            .set_aside
            .get(at)
            .is_none_or(|s| s.kind != issue.name())
        {
            self.set_aside.insert(
                at,
                SetAside {
                    kind: issue.name(),
                    count: 0,
                    examples: Vec::new(),
                    hint: match issue {
                        DateIssue::Ambiguous => {
                            "day and month could be either way round: give --dates mdy or --dates dmy to read them"
                        }
                        DateIssue::Unreadable => {
                            "not a form parallax reads: give --date-format with a pattern such as %d.%m.%Y"
                        }
                        DateIssue::Impossible => "no such day in the calendar",
                        DateIssue::OutOfRange => {
                            "outside the plausible window: --date-min and --date-max widen it"
                        }
                    },
                },
            );
        }
        let kind = &mut self.set_aside[at];
        kind.count += 1;
        if kind.examples.len() < SET_ASIDE_EXAMPLES {
            kind.examples.push(example());
        }
    }

    pub(super) fn skip(&mut self, err: &Error) {
        self.skipped_count += 1;
        if self.skipped.len() < 20 {
            self.skipped.push(err.message());
        }
    }
}

/// What [`read_inputs_prepared`] puts each group of documents through.
pub type Prepare<'a, T> = dyn Fn(&[Document]) -> T + Sync + 'a;

/// Where readers put documents: all in memory, or handed on chunk by chunk.
pub(super) struct Collector<'f, T = ()> {
    pub(super) docs: Vec<Document>,
    pub(super) origins: Vec<Location>,
    pub(super) report: ReadReport,
    pub(super) bytes: usize,
    /// Text bytes per chunk (0: keep everything).
    pub(super) limit: usize,
    pub(super) on_chunk: Option<&'f mut dyn FnMut(Corpus, Vec<T>) -> Result<()>>,
    /// What a chunk's documents go through before it is handed on (see
    /// [`read_inputs_prepared`]).
    pub(super) prepare: Option<&'f Prepare<'f, T>>,
    /// Results of `prepare` for groups that together are all of `docs`, or none yet.
    pub(super) prepared: Vec<T>,
    /// Ids of documents already handed on.
    pub(super) seen: SeenIds,
    pub(super) paths: Vec<PathBuf>,
    /// How dates are read.
    pub(super) dates: DateRules,
}

/// The ids of the documents read so far, each kept as a 128-bit fingerprint with the place it
/// was read, not as text: a streamed read holds 28 bytes per document plus a table of 5 bytes
/// a slot, whatever the ids' length. Two different ids share a fingerprint with probability
/// 2^-128, far below any chance of a failing disk.
#[derive(Default)]
pub(super) struct SeenIds {
    /// Index into the lists below, hashed by the fingerprint's low half.
    table: hashbrown::HashTable<u32>,
    prints: Vec<u128>,
    /// Per id: the index of its input path, and its line (0: none).
    paths: Vec<u32>,
    lines: Vec<u64>,
}

impl SeenIds {
    fn fingerprint(id: &str) -> u128 {
        use std::hash::{Hash, Hasher};
        // Two SipHash values of the id, told apart by a leading byte.
        let half = |salt: u8| {
            let mut h = std::hash::DefaultHasher::new();
            salt.hash(&mut h);
            id.hash(&mut h);
            h.finish()
        };
        (u128::from(half(0)) << 64) | u128::from(half(1))
    }

    /// Adds an id (by its fingerprint) read at (path index, line); if it was seen before,
    /// returns where instead.
    fn insert(&mut self, print: u128, path: u32, line: Option<u64>) -> Option<(u32, Option<u64>)> {
        let prints = &self.prints;
        if let Some(&i) = self
            .table
            .find(print as u64, |&i| prints[i as usize] == print)
        {
            let line = self.lines[i as usize];
            return Some((self.paths[i as usize], (line > 0).then_some(line)));
        }
        let i = self.prints.len() as u32;
        self.prints.push(print);
        self.paths.push(path);
        self.lines.push(line.unwrap_or(0));
        let prints = &self.prints;
        self.table
            .insert_unique(print as u64, i, |&i| prints[i as usize] as u64);
        None
    }
}

impl Default for Collector<'_> {
    fn default() -> Self {
        Collector {
            docs: Vec::new(),
            origins: Vec::new(),
            report: ReadReport::default(),
            bytes: 0,
            limit: 0,
            on_chunk: None,
            prepare: None,
            prepared: Vec::new(),
            seen: SeenIds::default(),
            paths: Vec::new(),
            dates: DateRules::default(),
        }
    }
}

impl<T: Send> Collector<'_, T> {
    /// Hands the buffered documents on if a chunk is full (or `always`).
    pub(super) fn flush(&mut self, always: bool) -> Result<()> {
        let Some(on_chunk) = self.on_chunk.as_mut() else {
            return Ok(());
        };
        if self.docs.is_empty() || (!always && self.bytes < self.limit) {
            return Ok(());
        }
        // Fingerprints are hashed in parallel; only the table is filled in order.
        let prints: Vec<u128> = self
            .docs
            .par_iter()
            .with_min_len(256)
            .map(|doc| SeenIds::fingerprint(&doc.id))
            .collect();
        for ((doc, at), print) in self.docs.iter().zip(&self.origins).zip(prints) {
            if self.paths.last() != Some(&at.path) {
                self.paths.push(at.path.clone());
            }
            let path = (self.paths.len() - 1) as u32;
            if let Some((p, line)) = self.seen.insert(print, path, at.line) {
                return Err(Error::DuplicateId {
                    id: doc.id.clone(),
                    first: Location {
                        path: self.paths[p as usize].clone(),
                        line,
                    },
                    second: at.clone(),
                });
            }
        }
        self.report.empty_docs += count_empty(&self.docs);
        let mut prepared = std::mem::take(&mut self.prepared);
        if let (Some(prepare), true) = (self.prepare, prepared.is_empty()) {
            prepared.push(prepare(&self.docs));
        }
        let chunk = Corpus {
            docs: std::mem::take(&mut self.docs),
            origins: std::mem::take(&mut self.origins),
            report: ReadReport::default(),
        };
        self.bytes = 0;
        on_chunk(chunk, prepared)
    }
}

pub(super) fn count_empty(docs: &[Document]) -> usize {
    docs.iter().filter(|d| d.text.trim().is_empty()).count()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Format {
    Jsonl,
    Csv,
    Tsv,
    Text,
}

pub(super) fn format_of(path: &Path) -> Option<(Format, bool)> {
    // A name that is not UTF-8 still has an ASCII extension to go by.
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (name, false),
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    let format = match ext {
        "jsonl" | "ndjson" | "json" => Format::Jsonl,
        "csv" => Format::Csv,
        "tsv" | "tab" => Format::Tsv,
        "txt" | "md" | "text" => Format::Text,
        _ => return None,
    };
    Some((format, gz))
}

pub(super) fn push<T: Send>(corpus: &mut Collector<T>, mut doc: Document, at: Location) {
    corpus.report.tidy(&mut doc, &at, &corpus.dates);
    corpus.bytes += doc.text.len();
    corpus.docs.push(doc);
    corpus.origins.push(at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_find_each_repeat_and_only_repeats() {
        let mut seen = SeenIds::default();
        // Ids that differ by one character, and a long one.
        let ids: Vec<String> = (0..50_000)
            .map(|i| format!("doc/{i}"))
            .chain(["x".repeat(10_000)])
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let line = (i % 2 == 0).then_some(i as u64 + 1);
            assert_eq!(
                seen.insert(SeenIds::fingerprint(id), (i % 3) as u32, line),
                None,
                "{id}"
            );
        }
        assert_eq!(
            seen.insert(SeenIds::fingerprint("doc/0"), 7, Some(9)),
            Some((0, Some(1)))
        );
        assert_eq!(
            seen.insert(SeenIds::fingerprint("doc/49999"), 7, Some(9)),
            Some((1, None))
        );
        assert_eq!(
            seen.insert(SeenIds::fingerprint(&"x".repeat(10_000)), 7, None),
            Some((2, Some(50_001)))
        );
        assert_eq!(
            seen.insert(SeenIds::fingerprint("doc/50000"), 7, None),
            None
        );
        assert_eq!(
            seen.insert(SeenIds::fingerprint("doc/50000"), 8, Some(3)),
            Some((7, None))
        );
    }
}
