//! Readers: a directory of text files, JSONL, CSV/TSV, a single text file, stdin; `.gz` anywhere.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::de::{DeserializeSeed, Error as _, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{Corpus, Document, frontmatter, is_iso_date};
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
    /// ISO 8601 date.
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
    /// README files ignored inside directory inputs.
    pub ignored_files: Vec<PathBuf>,
    /// Documents whose text is empty or only whitespace (kept, as empty rows).
    pub empty_docs: usize,
}

impl ReadReport {
    fn skip(&mut self, err: &Error) {
        self.skipped_count += 1;
        if self.skipped.len() < 20 {
            self.skipped.push(err.to_string());
        }
    }
}

/// Reads every input in order into one corpus. Duplicate ids are an error naming both places.
///
/// A path may be a directory (every `*.txt`/`*.md` below it, sorted by path; id = relative path
/// without extension; source = first-level subdirectory), a `.jsonl`/`.ndjson`, `.csv` or `.tsv`
/// file, a single `.txt`/`.md` file, or `-` for JSONL on stdin. A `.gz` suffix is decompressed.
pub fn read_inputs(paths: &[PathBuf], options: &ReadOptions) -> Result<Corpus> {
    let mut corpus = Collector::default();
    for path in paths {
        read_one(path, options, &mut corpus)?;
    }
    let mut corpus = Corpus {
        docs: corpus.docs,
        origins: corpus.origins,
        report: corpus.report,
    };
    check_unique_ids(&corpus)?;
    corpus.report.empty_docs = count_empty(&corpus.docs);
    Ok(corpus)
}

/// Reads inputs like [`read_inputs`], handing documents to `on_chunk` in input order, in chunks
/// of about `chunk_bytes` of text, so memory stays bounded however large the input. Duplicate
/// ids are checked across chunks. Returns what reading skipped or noticed.
pub fn read_inputs_chunked(
    paths: &[PathBuf],
    options: &ReadOptions,
    chunk_bytes: usize,
    on_chunk: &mut dyn FnMut(Corpus) -> Result<()>,
) -> Result<ReadReport> {
    let mut collector = Collector {
        limit: chunk_bytes.max(1),
        on_chunk: Some(on_chunk),
        ..Default::default()
    };
    for path in paths {
        read_one(path, options, &mut collector)?;
        collector.flush(false)?;
    }
    collector.flush(true)?;
    Ok(collector.report)
}

fn count_empty(docs: &[Document]) -> usize {
    docs.iter().filter(|d| d.text.trim().is_empty()).count()
}

/// Where readers put documents: all in memory, or handed on chunk by chunk.
#[derive(Default)]
struct Collector<'f> {
    docs: Vec<Document>,
    origins: Vec<Location>,
    report: ReadReport,
    bytes: usize,
    /// Text bytes per chunk (0: keep everything).
    limit: usize,
    on_chunk: Option<&'f mut dyn FnMut(Corpus) -> Result<()>>,
    /// Ids of documents already handed on.
    seen: SeenIds,
    paths: Vec<PathBuf>,
}

/// The ids of the documents read so far, each kept as a 128-bit fingerprint with the place it
/// was read, not as text: a streamed read holds 28 bytes per document plus a table of 5 bytes
/// a slot, whatever the ids' length. Two different ids share a fingerprint with probability
/// 2^-128, far below any chance of a failing disk.
#[derive(Default)]
struct SeenIds {
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

    /// Adds an id read at (path index, line); if it was seen before, returns where instead.
    fn insert(&mut self, id: &str, path: u32, line: Option<u64>) -> Option<(u32, Option<u64>)> {
        let print = Self::fingerprint(id);
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

impl Collector<'_> {
    /// Hands the buffered documents on if a chunk is full (or `always`).
    fn flush(&mut self, always: bool) -> Result<()> {
        let Some(on_chunk) = self.on_chunk.as_mut() else {
            return Ok(());
        };
        if self.docs.is_empty() || (!always && self.bytes < self.limit) {
            return Ok(());
        }
        for (doc, at) in self.docs.iter().zip(&self.origins) {
            if self.paths.last() != Some(&at.path) {
                self.paths.push(at.path.clone());
            }
            let path = (self.paths.len() - 1) as u32;
            if let Some((p, line)) = self.seen.insert(&doc.id, path, at.line) {
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
        let chunk = Corpus {
            docs: std::mem::take(&mut self.docs),
            origins: std::mem::take(&mut self.origins),
            report: ReadReport::default(),
        };
        self.bytes = 0;
        on_chunk(chunk)
    }
}

fn check_unique_ids(corpus: &Corpus) -> Result<()> {
    let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
    seen.reserve(corpus.docs.len());
    for (i, doc) in corpus.docs.iter().enumerate() {
        if let Some(&first) = seen.get(doc.id.as_str()) {
            return Err(Error::DuplicateId {
                id: doc.id.clone(),
                first: corpus.origins[first].clone(),
                second: corpus.origins[i].clone(),
            });
        }
        seen.insert(&doc.id, i);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Jsonl,
    Csv,
    Tsv,
    Text,
}

fn format_of(path: &Path) -> Option<(Format, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
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

fn read_one(path: &Path, options: &ReadOptions, corpus: &mut Collector) -> Result<()> {
    if path.as_os_str() == "-" {
        return read_jsonl(path, std::io::stdin(), options, corpus);
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return read_dir(path, corpus);
    }
    let Some((format, gz)) = format_of(path) else {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            reason: "expected a directory, .jsonl, .ndjson, .csv, .tsv, .txt or .md (optionally .gz), or -".into(),
        });
    };
    if format == Format::Jsonl {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        return match gz {
            true => read_jsonl(
                path,
                flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file)),
                options,
                corpus,
            ),
            false => match map_file(&file, meta.len()) {
                Some(map) => read_mapped_jsonl(path, &map, options, corpus),
                None => read_jsonl(path, file, options, corpus),
            },
        };
    }
    let bytes = read_bytes(path, gz)?;
    match format {
        Format::Jsonl => unreachable!("JSONL is streamed above"),
        Format::Csv => parse_csv(path, &bytes, b',', options, corpus),
        Format::Tsv => parse_csv(path, &bytes, b'\t', options, corpus),
        Format::Text => {
            let id = text_id(path);
            let at = Location {
                path: path.to_path_buf(),
                line: None,
            };
            match text_document(&bytes, id, None, &at) {
                Ok(doc) => push(corpus, doc, at),
                Err(e) if options.on_error == OnError::Skip => corpus.report.skip(&e),
                Err(e) => return Err(e),
            }
            Ok(())
        }
    }
}

fn push(corpus: &mut Collector, doc: Document, at: Location) {
    corpus.bytes += doc.text.len();
    corpus.docs.push(doc);
    corpus.origins.push(at);
}

fn read_bytes(path: &Path, gz: bool) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !gz {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() * 4);
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    Ok(out)
}

/// File name without `.gz` and without its extension.
fn text_id(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("document");
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

fn is_readme(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
}

fn read_dir(root: &Path, corpus: &mut Collector) -> Result<()> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            Error::io(path, e.into())
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        if !matches!(format_of(path), Some((Format::Text, _))) {
            continue;
        }
        if is_readme(path) {
            corpus.report.ignored_files.push(path.to_path_buf());
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push((rel.join("/"), rel.len(), path.to_path_buf()));
    }
    // Byte order of the relative path: stable across platforms and thread counts.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let docs: Vec<Result<(Document, Location)>> = files
        .par_iter()
        .map(|(rel, depth, path)| {
            let gz = rel.ends_with(".gz");
            let bytes = read_bytes(path, gz)?;
            let rel = rel.strip_suffix(".gz").unwrap_or(rel);
            let id = rel
                .rsplit_once('.')
                .map_or(rel, |(stem, _)| stem)
                .to_string();
            let source =
                (*depth > 1).then(|| rel.split('/').next().unwrap_or_default().to_string());
            let at = Location {
                path: path.clone(),
                line: None,
            };
            Ok((text_document(&bytes, id, source, &at)?, at))
        })
        .collect();
    for doc in docs {
        let (doc, at) = doc?;
        push(corpus, doc, at);
    }
    Ok(())
}

/// A text file as one document; front matter (`title`, `date`, `source`, others) becomes metadata.
fn text_document(
    bytes: &[u8],
    id: String,
    source: Option<String>,
    at: &Location,
) -> Result<Document> {
    let content = std::str::from_utf8(bytes).map_err(|e| Error::Utf8 {
        at: at.clone(),
        byte: e.valid_up_to(),
    })?;
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let (pairs, body) = frontmatter::split(content);
    let mut doc = Document {
        id,
        text: body.to_string(),
        source,
        ..Default::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "title" => doc.title = Some(value),
            "source" => doc.source = Some(value),
            "date" => {
                if !is_iso_date(&value) {
                    return Err(date_error(at, "date", &value));
                }
                doc.date = Some(value)
            }
            "id" | "text" => {}
            _ => {
                doc.meta.insert(key, value);
            }
        }
    }
    Ok(doc)
}

fn date_error(at: &Location, field: &str, value: &str) -> Error {
    Error::Field {
        at: at.clone(),
        field: field.to_string(),
        message: format!("`{value}` is not an ISO 8601 date (YYYY-MM-DD)"),
    }
}

/// Bytes of JSONL parsed at a time (a block's lines in parallel).
const JSONL_BLOCK: usize = 4 << 20;

/// Maps a regular file of `len` bytes into memory, so it is parsed where the page cache holds
/// it instead of being copied into blocks first. `None` (the caller then reads it) for an empty
/// file, or if mapping fails.
fn map_file(file: &std::fs::File, len: u64) -> Option<memmap2::Mmap> {
    if len == 0 {
        return None;
    }
    // SAFETY: the map is only read. Like any reader, parallax assumes that the file does not
    // change while it reads it; a file cut short meanwhile would stop the process.
    let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// Reads JSONL from a mapped file, a block at a time. Parsed blocks leave the process (not the
/// page cache), so a large file does not grow resident memory as it is read.
fn read_mapped_jsonl(
    path: &Path,
    map: &memmap2::Mmap,
    options: &ReadOptions,
    corpus: &mut Collector,
) -> Result<()> {
    let blocks = map.chunks(JSONL_BLOCK).map(Ok);
    parse_jsonl_blocks(path, blocks, options, corpus, |block: &[u8]| {
        let offset = block.as_ptr() as usize - map.as_ptr() as usize;
        // SAFETY: the map is read-only and private: dropping its pages only means they are
        // read from the file again if touched.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, block.len())
        };
    })
}

/// Reads JSONL in blocks, so the raw bytes held at once stay small. A thread of its own reads
/// (and decompresses) the next block while the lines of the last one are parsed; at most one
/// block waits between them.
fn read_jsonl(
    path: &Path,
    mut reader: impl Read + Send,
    options: &ReadOptions,
    corpus: &mut Collector,
) -> Result<()> {
    const BLOCK: u64 = JSONL_BLOCK as u64;
    std::thread::scope(|scope| {
        let (send, blocks) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(1);
        // Parsed blocks come back to be filled again: fresh memory for every block would cost
        // a page fault per 4 KiB read.
        let (give_back, returned) = std::sync::mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            loop {
                let mut block = returned
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BLOCK as usize));
                block.clear();
                match (&mut reader).take(BLOCK).read_to_end(&mut block) {
                    Ok(0) => return,
                    // A closed channel means the parser stopped, on an error it reports.
                    Ok(_) => {
                        if send.send(Ok(block)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = send.send(Err(e));
                        return;
                    }
                }
            }
        });
        parse_jsonl_blocks(path, blocks.into_iter(), options, corpus, |block| {
            // The reader may have stopped; the block is then simply freed.
            let _ = give_back.send(block);
        })
    })
}

/// Parses JSONL arriving in blocks cut anywhere: each block's complete lines are parsed where
/// they lie; only the line a cut splits is copied, joined with its end from the next block.
fn parse_jsonl_blocks<B: AsRef<[u8]>>(
    path: &Path,
    blocks: impl Iterator<Item = std::io::Result<B>>,
    options: &ReadOptions,
    corpus: &mut Collector,
    mut parsed: impl FnMut(B),
) -> Result<()> {
    // The start of a line that the last block cut.
    let mut carried: Vec<u8> = Vec::new();
    let mut lines = 0u64;
    // A UTF-8 byte order mark is not part of the first record.
    fn unmarked(line: &[u8], lines: u64) -> &[u8] {
        match lines {
            0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line),
            _ => line,
        }
    }
    for block in blocks {
        let block = block.map_err(|e| Error::io(path, e))?;
        let bytes = block.as_ref();
        let Some(first_newline) = memchr::memchr(b'\n', bytes) else {
            carried.extend_from_slice(bytes);
            continue;
        };
        carried.extend_from_slice(&bytes[..first_newline]);
        lines += parse_jsonl_block(path, unmarked(&carried, lines), lines, options, corpus)?;
        carried.clear();
        let rest = &bytes[first_newline + 1..];
        let last_newline = memchr::memrchr(b'\n', rest);
        if let Some(end) = last_newline {
            lines += parse_jsonl_block(path, &rest[..end], lines, options, corpus)?;
        }
        carried.extend_from_slice(&rest[last_newline.map_or(0, |end| end + 1)..]);
        parsed(block);
        corpus.flush(false)?;
    }
    // The last line, if the input does not end with a newline (a mark alone is no line).
    let last = unmarked(&carried, lines);
    if !last.is_empty() {
        parse_jsonl_block(path, last, lines, options, corpus)?;
    }
    Ok(())
}

#[cfg(test)]
fn parse_jsonl(
    path: &Path,
    bytes: &[u8],
    options: &ReadOptions,
    corpus: &mut Collector,
) -> Result<()> {
    parse_jsonl_blocks(
        path,
        std::iter::once(Ok(bytes.to_vec())),
        options,
        corpus,
        drop,
    )
}

/// Parses the lines of a block in parallel (line numbers start after `first_line`); returns the
/// number of lines. The block holds lines joined by newlines, without a final one: `""` is one
/// blank line, and `"a\n"` is `a` and a blank line.
fn parse_jsonl_block(
    path: &Path,
    bytes: &[u8],
    first_line: u64,
    options: &ReadOptions,
    corpus: &mut Collector,
) -> Result<u64> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        lines.push((start, end));
        start = end + 1;
    }
    let fields = &options.fields;
    let parsed: Vec<Option<Result<Document>>> = lines
        .par_iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            let line = &bytes[s..e];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            let at = || Location {
                path: path.to_path_buf(),
                line: Some(first_line + i as u64 + 1),
            };
            Some(parse_json_record(line, fields, at))
        })
        .collect();
    let n_lines = parsed.len() as u64;
    for (i, record) in parsed.into_iter().enumerate() {
        let at = Location {
            path: path.to_path_buf(),
            line: Some(first_line + i as u64 + 1),
        };
        match record {
            None => corpus.report.blank_lines += 1,
            Some(Ok(doc)) => push(corpus, doc, at),
            Some(Err(e)) if options.on_error == OnError::Skip => corpus.report.skip(&e),
            Some(Err(e)) => return Err(e),
        }
    }
    Ok(n_lines)
}

fn parse_json_record(
    line: &[u8],
    fields: &FieldNames,
    at: impl Fn() -> Location,
) -> Result<Document> {
    let text = std::str::from_utf8(line).map_err(|e| Error::Utf8 {
        at: at(),
        byte: e.valid_up_to(),
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = RecordSeed { fields }
        .deserialize(&mut de)
        .and_then(|raw| de.end().map(|()| raw))
        .map_err(|e| Error::Malformed {
            at: at(),
            message: e.to_string(),
        })?;
    raw.into_document(fields, &at)
}

/// A record's parts before required fields are checked.
#[derive(Default)]
struct RawRecord {
    id: Option<String>,
    text: Option<Option<String>>,
    title: Option<String>,
    source: Option<String>,
    date: Option<String>,
    meta: BTreeMap<String, String>,
    text_not_string: bool,
}

impl RawRecord {
    fn into_document(self, fields: &FieldNames, at: &dyn Fn() -> Location) -> Result<Document> {
        let missing = |field: &str, message: &str| Error::Field {
            at: at(),
            field: field.to_string(),
            message: message.to_string(),
        };
        let id = self.id.ok_or_else(|| missing(&fields.id, "missing"))?;
        if id.is_empty() {
            return Err(missing(&fields.id, "empty id"));
        }
        if self.text_not_string {
            return Err(missing(&fields.text, "must be a string"));
        }
        let text = match self.text {
            None => return Err(missing(&fields.text, "missing")),
            Some(None) => return Err(missing(&fields.text, "is null")),
            Some(Some(t)) => t,
        };
        if let Some(date) = &self.date
            && !is_iso_date(date)
        {
            return Err(date_error(&at(), &fields.date, date));
        }
        Ok(Document {
            id,
            text,
            title: self.title,
            source: self.source,
            date: self.date,
            meta: self.meta,
        })
    }
}

/// A scalar JSON value read as text: strings as they are, numbers and booleans printed.
struct Scalar(Option<String>);

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(Scalar(match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }))
    }
}

struct RecordSeed<'a> {
    fields: &'a FieldNames,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RawRecord;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<RawRecord, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = RawRecord;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<RawRecord, A::Error> {
        let f = self.fields;
        let mut raw = RawRecord::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = key.as_ref();
            if key == f.text {
                // The hot field: taken as it is written and decoded in one allocation.
                let value: &'de RawValue = map.next_value()?;
                match value.get().as_bytes()[0] {
                    b'"' => {
                        let text = decode_json_string(value.get()).ok_or_else(|| {
                            A::Error::custom("unpaired surrogate in a \\u escape of the text")
                        })?;
                        raw.text = Some(Some(text));
                    }
                    b'n' => raw.text = Some(None),
                    _ => raw.text_not_string = true,
                }
            } else {
                let value = map.next_value::<Scalar>()?.0;
                if key == f.id {
                    raw.id = value;
                } else if key == f.title {
                    raw.title = value;
                } else if key == f.source {
                    raw.source = value;
                } else if key == f.date {
                    raw.date = value;
                } else if let Some(v) = value {
                    raw.meta.insert(key.to_string(), v);
                }
            }
        }
        Ok(raw)
    }
}

/// Decodes a JSON string literal (quotes included) that the parser has already checked for
/// syntax. The text field is decoded here, not by serde_json, so its string is allocated once
/// at its final size: serde_json would grow a fresh scratch buffer for every line. Returns
/// `None` for an unpaired UTF-16 surrogate, which the parser's check does not cover.
fn decode_json_string(literal: &str) -> Option<String> {
    let body = &literal[1..literal.len() - 1];
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut start = 0;
    let hex = |at: usize| u16::from_str_radix(body.get(at..at + 4)?, 16).ok();
    while let Some(offset) = memchr::memchr(b'\\', &bytes[start..]) {
        let at = start + offset;
        out.push_str(&body[start..at]);
        start = at + 2;
        match bytes[at + 1] {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let unit = hex(at + 2)?;
                start = at + 6;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by an escaped low one.
                        if body.get(start..start + 2) != Some("\\u") {
                            return None;
                        }
                        let low = hex(start + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        start += 6;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(unit),
                };
                out.push(char::from_u32(c)?);
            }
            // `"`, `\\` and `/` stand for themselves.
            other => out.push(other as char),
        }
    }
    out.push_str(&body[start..]);
    Some(out)
}

fn parse_csv(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    options: &ReadOptions,
    corpus: &mut Collector,
) -> Result<()> {
    let fields = &options.fields;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let at_line = |line: Option<u64>| Location {
        path: path.to_path_buf(),
        line,
    };
    let headers = reader
        .byte_headers()
        .map_err(|e| Error::Malformed {
            at: at_line(Some(1)),
            message: e.to_string(),
        })?
        .clone();
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let column = |name: &str| header_names.iter().position(|h| h == name);
    let (id_col, text_col) = (column(&fields.id), column(&fields.text));
    for (name, col) in [(&fields.id, id_col), (&fields.text, text_col)] {
        if col.is_none() {
            return Err(Error::Field {
                at: at_line(Some(1)),
                field: name.clone(),
                message: format!("missing from the header ({})", header_names.join(", ")),
            });
        }
    }
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        let result = reader.read_byte_record(&mut record);
        let at = at_line(Some(record.position().map_or(line, |p| p.line())));
        let doc = match result {
            Ok(false) => break,
            Ok(true) => csv_document(&record, &header_names, fields, &at),
            Err(e) => Err(Error::Malformed {
                at: at.clone(),
                message: e.to_string(),
            }),
        };
        match doc {
            Ok(doc) => push(corpus, doc, at),
            Err(e) if options.on_error == OnError::Skip => corpus.report.skip(&e),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn csv_document(
    record: &csv::ByteRecord,
    headers: &[String],
    fields: &FieldNames,
    at: &Location,
) -> Result<Document> {
    let mut raw = RawRecord::default();
    for (name, value) in headers.iter().zip(record.iter()) {
        let value = std::str::from_utf8(value)
            .map_err(|e| Error::Field {
                at: at.clone(),
                field: name.clone(),
                message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            })?
            .to_string();
        if *name == fields.text {
            raw.text = Some(Some(value));
        } else if value.is_empty() && *name != fields.id {
            continue;
        } else if *name == fields.id {
            raw.id = Some(value);
        } else if *name == fields.title {
            raw.title = Some(value);
        } else if *name == fields.source {
            raw.source = Some(value);
        } else if *name == fields.date {
            raw.date = Some(value);
        } else {
            raw.meta.insert(name.clone(), value);
        }
    }
    raw.into_document(fields, &|| at.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(text: &str, on_error: OnError) -> Result<Corpus> {
        let mut corpus = Collector::default();
        let options = ReadOptions {
            on_error,
            ..Default::default()
        };
        parse_jsonl(
            Path::new("in.jsonl"),
            text.as_bytes(),
            &options,
            &mut corpus,
        )?;
        Ok(Corpus {
            docs: corpus.docs,
            origins: corpus.origins,
            report: corpus.report,
        })
    }

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
            assert_eq!(seen.insert(id, (i % 3) as u32, line), None, "{id}");
        }
        assert_eq!(seen.insert("doc/0", 7, Some(9)), Some((0, Some(1))));
        assert_eq!(seen.insert("doc/49999", 7, Some(9)), Some((1, None)));
        assert_eq!(
            seen.insert(&"x".repeat(10_000), 7, None),
            Some((2, Some(50_001)))
        );
        assert_eq!(seen.insert("doc/50000", 7, None), None);
        assert_eq!(seen.insert("doc/50000", 8, Some(3)), Some((7, None)));
    }

    #[test]
    fn blocks_cut_anywhere_read_like_one() {
        // A byte order mark, blank lines (also at the end), a bad record and no final newline.
        let text = "\u{feff}{\"id\":\"a\",\"text\":\"x y\"}\n\n\n{\"id\":\"b\",\"text\":\"caf\u{e9}\"}\n\
                    {\"id\": \"c\", \"text\": }\n\n{\"id\":\"d\",\"text\":\"z\"}";
        let options = ReadOptions {
            on_error: OnError::Skip,
            ..Default::default()
        };
        let read = |blocks: Vec<Vec<u8>>| {
            let mut corpus = Collector::default();
            let blocks = blocks.into_iter().map(Ok);
            parse_jsonl_blocks(Path::new("in.jsonl"), blocks, &options, &mut corpus, drop).unwrap();
            let docs: Vec<(String, String, Option<u64>)> = corpus
                .docs
                .iter()
                .zip(&corpus.origins)
                .map(|(d, at)| (d.id.clone(), d.text.clone(), at.line))
                .collect();
            let r = &corpus.report;
            (docs, r.blank_lines, r.skipped_count, r.skipped.clone())
        };
        let whole = read(vec![text.as_bytes().to_vec()]);
        assert_eq!(
            whole.0.iter().map(|d| d.2).collect::<Vec<_>>(),
            [Some(1), Some(4), Some(7)]
        );
        assert_eq!((whole.1, whole.2), (3, 1));
        assert!(whole.3[0].starts_with("in.jsonl:5:"), "{:?}", whole.3);
        for size in 1..text.len() {
            let blocks = text.as_bytes().chunks(size).map(<[u8]>::to_vec).collect();
            assert_eq!(read(blocks), whole, "blocks of {size} bytes");
        }
        // With a final newline, there is no blank line after the last record.
        let ended = read(vec![format!("{text}\n").into_bytes()]);
        assert_eq!((ended.0.len(), ended.1), (3, 3));
    }

    #[test]
    fn jsonl_fields_and_metadata() {
        let c = jsonl(
            "{\"id\": 7, \"text\": \"Hello\", \"source\": \"a\", \"date\": \"2024-01-02\", \"split\": \"train\", \"n\": 3}\n",
            OnError::Fail,
        )
        .unwrap();
        let d = &c.docs[0];
        assert_eq!((d.id.as_str(), d.text.as_str()), ("7", "Hello"));
        assert_eq!(d.source.as_deref(), Some("a"));
        assert_eq!(d.meta["split"], "train");
        assert_eq!(d.meta["n"], "3");
    }

    #[test]
    fn malformed_line_is_named() {
        let err = jsonl(
            "{\"id\":\"a\",\"text\":\"x\"}\n\n{\"id\": \"b\", \"text\": }\n",
            OnError::Fail,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("in.jsonl:3: malformed record"),
            "{err}"
        );
        let c = jsonl(
            "{\"id\":\"a\",\"text\":\"x\"}\n\n{\"id\": \"b\", \"text\": }\n",
            OnError::Skip,
        )
        .unwrap();
        assert_eq!(
            (c.docs.len(), c.report.skipped_count, c.report.blank_lines),
            (1, 1, 1)
        );
    }

    #[test]
    fn text_is_decoded_like_serde_json() {
        for literal in [
            r#""""#,
            r#""plain""#,
            r#""a\nb\tc\r\"q\" \\ \/ \b\f end""#,
            r#""caf\u00e9 \u2019s \ud83d\ude00 x""#,
            r#""\u0041\u00e9\uFFFD""#,
            "\"d\u{e9}j\u{e0} \u{2014} vu\"",
        ] {
            let expected: String = serde_json::from_str(literal).unwrap();
            assert_eq!(decode_json_string(literal), Some(expected), "{literal}");
        }
        for lone in [
            r#""\ud83d""#,
            r#""\ud83d x""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
        ] {
            assert!(serde_json::from_str::<String>(lone).is_err());
            assert_eq!(decode_json_string(lone), None, "{lone}");
        }
        // Through the reader, an unpaired surrogate is a malformed record on its line.
        let err = jsonl("{\"id\":\"a\",\"text\":\"\\ud83d\"}\n", OnError::Fail).unwrap_err();
        assert!(
            err.to_string().starts_with("in.jsonl:1: malformed record"),
            "{err}"
        );
    }

    #[test]
    fn missing_and_wrong_text_field() {
        let err = jsonl("{\"id\":\"a\",\"body\":\"x\"}", OnError::Fail).unwrap_err();
        assert_eq!(err.to_string(), "in.jsonl:1: field `text`: missing");
        for not_text in ["[1]", "3", "true", "{\"a\":1}"] {
            let line = format!("{{\"id\":\"a\",\"text\":{not_text}}}");
            let err = jsonl(&line, OnError::Fail).unwrap_err();
            assert_eq!(
                err.to_string(),
                "in.jsonl:1: field `text`: must be a string"
            );
        }
        let err = jsonl("{\"id\":\"a\",\"text\":null}", OnError::Fail).unwrap_err();
        assert_eq!(err.to_string(), "in.jsonl:1: field `text`: is null");
        let err = jsonl(
            "{\"id\":\"a\",\"text\":\"x\",\"date\":\"May 4\"}",
            OnError::Fail,
        )
        .unwrap_err();
        assert!(err.to_string().contains("field `date`"), "{err}");
    }

    #[test]
    fn invalid_utf8_names_line() {
        let mut corpus = Collector::default();
        let bytes = b"{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"\xff\"}\n";
        let err = parse_jsonl(
            Path::new("u.jsonl"),
            bytes,
            &ReadOptions::default(),
            &mut corpus,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "u.jsonl:2: invalid UTF-8 at byte 18");
    }

    #[test]
    fn csv_records() {
        let mut corpus = Collector::default();
        let data = "id,text,source,extra\n1,\"Hello, world\",a,x\n2,Bye,b,\n";
        parse_csv(
            Path::new("t.csv"),
            data.as_bytes(),
            b',',
            &ReadOptions::default(),
            &mut corpus,
        )
        .unwrap();
        assert_eq!(corpus.docs.len(), 2);
        assert_eq!(corpus.docs[0].text, "Hello, world");
        assert_eq!(corpus.docs[0].meta["extra"], "x");
        assert!(corpus.docs[1].meta.is_empty());
        assert_eq!(corpus.origins[1].line, Some(3));
    }

    #[test]
    fn csv_missing_text_column() {
        let mut corpus = Collector::default();
        let err = parse_csv(
            Path::new("t.csv"),
            b"id,body\n1,x\n",
            b',',
            &ReadOptions::default(),
            &mut corpus,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv:1: field `text`: missing from the header"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_ids_name_both_places() {
        let c = jsonl(
            "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"y\"}\n",
            OnError::Fail,
        )
        .unwrap();
        let err = check_unique_ids(&c).unwrap_err();
        assert_eq!(
            err.to_string(),
            "duplicate document id `a`: first at in.jsonl:1, again at in.jsonl:2"
        );
    }
}
