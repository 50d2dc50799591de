//! JSON Lines: streamed, memory-mapped in parallel units, or in blocks.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use serde::de::{DeserializeSeed, Error as _, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::Document;
use super::collect::{Collector, FieldNames, OnError, Prepare, ReadOptions, check_size, push};
use crate::error::{Error, Location, Result};

/// Bytes of JSONL parsed at a time (a block's lines in parallel).
const JSONL_BLOCK: usize = 4 << 20;

/// Maps a regular file of `len` bytes into memory, so it is parsed where the page cache holds
/// it instead of being copied into blocks first. `None` (the caller then reads it) for an empty
/// file, or if mapping fails.
pub(super) fn map_file(file: &std::fs::File, len: u64) -> Option<memmap2::Mmap> {
    if len == 0 {
        return None;
    }
    // SAFETY: the map is only read. Like any reader, parallax assumes that the file does not
    // change while it reads it; a file cut short meanwhile would stop the process.
    let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// Bytes of a mapped JSONL file whose lines one task parses (and prepares).
const JSONL_UNIT: usize = 1 << 20;

/// The most bytes of a mapped JSONL file read in one parallel pass: what it holds at once
/// beside a chunk.
const JSONL_WINDOW: usize = 8 * JSONL_UNIT;

/// What one line of JSONL came to.
enum LineRead {
    Blank,
    /// The next of the unit's documents.
    Read,
    Failed(Error),
}

/// The lines of one unit of a mapped JSONL file, read (and prepared) by one task.
struct UnitRead<T> {
    lines: Vec<LineRead>,
    docs: Vec<Document>,
    prepared: Option<T>,
}

/// Reads JSONL from a mapped file in windows of about a chunk. A window's lines are split into
/// units of about [`JSONL_UNIT`] bytes at line starts, and each unit is parsed and prepared by
/// one task, all in one parallel pass; the documents are then collected in order. Units and
/// windows lie at fixed offsets, so the result does not depend on the thread count. Read
/// windows leave the process (not the page cache), so a large file does not grow resident
/// memory.
pub(super) fn read_mapped_jsonl<T: Send>(
    path: &Path,
    map: &memmap2::Mmap,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
) -> Result<()> {
    let window = match corpus.limit {
        0 => JSONL_WINDOW,
        limit => limit
            .clamp(JSONL_UNIT, JSONL_WINDOW)
            .next_multiple_of(JSONL_UNIT),
    };
    read_jsonl_units(path, map, JSONL_UNIT, window, options, corpus, |read| {
        // SAFETY: the map is read-only and private: dropping its pages only means they are
        // read from the file again if touched.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, read.start, read.len())
        };
    })
}

/// Reads JSONL held whole in `bytes`, a window (a multiple of `unit` bytes) at a time, units in
/// parallel, as [`read_mapped_jsonl`] describes; `done` gets each window's range once its lines
/// are read.
fn read_jsonl_units<T: Send>(
    path: &Path,
    bytes: &[u8],
    unit: usize,
    window: usize,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
    mut done: impl FnMut(Range<usize>),
) -> Result<()> {
    if corpus.prepare.is_some() {
        // Prepared groups make up whole chunks, so the chunk before this file goes first.
        corpus.flush(true)?;
    }
    let mut lines_before = 0u64;
    // Where the next window's first line starts: known from the window before, whose pages
    // are not touched again once dropped.
    let mut next_line = 0;
    for start in (0..bytes.len()).step_by(window) {
        let end = (start + window).min(bytes.len());
        // Each unit runs from the first line start at or after its offset to the next unit's.
        let cuts: Vec<usize> = (start..end).step_by(unit).skip(1).chain([end]).collect();
        let mut bounds = vec![next_line];
        bounds.par_extend(
            cuts.par_iter()
                .map(|&cut| line_start(bytes, cut).max(next_line)),
        );
        next_line = *bounds.last().expect("a window has an end");
        let units: Vec<(usize, usize, u64)> = bounds
            .par_windows(2)
            .map(|w| (w[0], w[1], count_lines(bytes, w[0], w[1])))
            .collect();
        let firsts: Vec<u64> = units
            .iter()
            .scan(lines_before, |before, &(_, _, n)| {
                let first = *before;
                *before += n;
                Some(first)
            })
            .collect();
        lines_before += units.iter().map(|u| u.2).sum::<u64>();
        let prepare = corpus.prepare;
        let read: Vec<UnitRead<T>> = units
            .par_iter()
            .zip(&firsts)
            .map(|(&(s, e, _), &first)| read_unit(path, bytes, s..e, first, options, prepare))
            .collect();
        for (unit, first) in read.into_iter().zip(firsts) {
            let mut docs = unit.docs.into_iter();
            for (i, line) in unit.lines.into_iter().enumerate() {
                match line {
                    LineRead::Blank => corpus.report.blank_lines += 1,
                    LineRead::Read => {
                        let at = Location {
                            path: path.to_path_buf(),
                            line: Some(first + i as u64 + 1),
                        };
                        let doc = docs.next().expect("a document per line read");
                        push(corpus, doc, at);
                    }
                    LineRead::Failed(e) if options.on_error == OnError::Skip => {
                        corpus.report.skip(&e)
                    }
                    LineRead::Failed(e) => return Err(e),
                }
            }
            corpus.prepared.extend(unit.prepared);
        }
        done(start..end);
        corpus.flush(corpus.prepare.is_some())?;
    }
    Ok(())
}

/// The first line start at or after `at` (a line starts at 0 and after each newline), or the
/// end of `bytes`.
fn line_start(bytes: &[u8], at: usize) -> usize {
    if at == 0 || at >= bytes.len() {
        return at.min(bytes.len());
    }
    memchr::memchr(b'\n', &bytes[at - 1..]).map_or(bytes.len(), |i| at + i)
}

/// Lines in `bytes[s..e]`, which runs from a line start to a line start or the end: a last line
/// without a newline counts unless it is empty (or only the byte order mark).
fn count_lines(bytes: &[u8], s: usize, e: usize) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', &bytes[s..e]).count() as u64;
    let tail = match memchr::memrchr(b'\n', &bytes[s..e]) {
        Some(i) => &bytes[s + i + 1..e],
        None => &bytes[s..e],
    };
    let tail = if s == 0 && newlines == 0 {
        tail.strip_prefix(b"\xef\xbb\xbf").unwrap_or(tail)
    } else {
        tail
    };
    newlines + u64::from(!tail.is_empty())
}

/// Parses the lines of `bytes[range]` (numbered from `first_line + 1`) and prepares the
/// documents read. Under `OnError::Fail` it stops at the first failed line, which ends the read.
fn read_unit<T: Send>(
    path: &Path,
    bytes: &[u8],
    range: Range<usize>,
    first_line: u64,
    options: &ReadOptions,
    prepare: Option<&Prepare<'_, T>>,
) -> UnitRead<T> {
    let mut unit = UnitRead {
        lines: Vec::new(),
        docs: Vec::new(),
        prepared: None,
    };
    let text = &bytes[range.clone()];
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end =
            memchr::memchr(b'\n', &text[line_start..]).map_or(text.len(), |i| line_start + i);
        let mut line = &text[line_start..line_end];
        line_start = line_end + 1;
        if range.start == 0 && unit.lines.is_empty() {
            line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            if line.is_empty() && line_start > text.len() {
                break; // a byte order mark alone is no line
            }
        }
        let number = first_line + unit.lines.len() as u64 + 1;
        match parse_jsonl_line(path, line, number, options) {
            None => unit.lines.push(LineRead::Blank),
            Some(Ok(doc)) => {
                unit.docs.push(doc);
                unit.lines.push(LineRead::Read);
            }
            Some(Err(e)) => {
                let stop = options.on_error == OnError::Fail;
                unit.lines.push(LineRead::Failed(e));
                if stop {
                    return unit;
                }
            }
        }
    }
    if let (Some(prepare), false) = (prepare, unit.docs.is_empty()) {
        unit.prepared = Some(prepare(&unit.docs));
    }
    unit
}

/// Reads JSONL in blocks, so the raw bytes held at once stay small. A thread of its own reads
/// (and decompresses) the next block while the lines of the last one are parsed; at most one
/// block waits between them.
pub(super) fn read_jsonl<T: Send>(
    path: &Path,
    mut reader: impl Read + Send,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
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
fn parse_jsonl_blocks<T: Send, B: AsRef<[u8]>>(
    path: &Path,
    blocks: impl Iterator<Item = std::io::Result<B>>,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
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
fn parse_jsonl<T: Send>(
    path: &Path,
    bytes: &[u8],
    options: &ReadOptions,
    corpus: &mut Collector<T>,
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
fn parse_jsonl_block<T: Send>(
    path: &Path,
    bytes: &[u8],
    first_line: u64,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
) -> Result<u64> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        lines.push((start, end));
        start = end + 1;
    }
    let parsed: Vec<Option<Result<Document>>> = lines
        .par_iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            parse_jsonl_line(path, &bytes[s..e], first_line + i as u64 + 1, options)
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

/// One JSONL line (numbered `number`, without its newline) as a document; `None` if it is
/// blank.
fn parse_jsonl_line(
    path: &Path,
    line: &[u8],
    number: u64,
    options: &ReadOptions,
) -> Option<Result<Document>> {
    let fields = &options.fields;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let at = || Location {
        path: path.to_path_buf(),
        line: Some(number),
    };
    if let Err(e) = check_size(line.len(), options.max_doc_bytes, at) {
        return Some(Err(e));
    }
    Some(parse_json_record(line, fields, at))
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
pub(super) struct RawRecord {
    pub(super) id: Option<String>,
    pub(super) text: Option<Option<String>>,
    pub(super) title: Option<String>,
    pub(super) source: Option<String>,
    pub(super) date: Option<String>,
    pub(super) meta: BTreeMap<String, String>,
    pub(super) text_not_string: bool,
}

impl RawRecord {
    pub(super) fn into_document(
        self,
        fields: &FieldNames,
        at: &dyn Fn() -> Location,
    ) -> Result<Document> {
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

/// A scalar JSON value read as text: strings as they are, numbers and booleans printed. An
/// integer beyond 64 bits keeps its digits as written: through an f64 it would lose them, and
/// two ids that differ in the 17th digit would collide.
struct Scalar(Option<String>);

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?.get();
        if raw.starts_with('"') {
            return decode_json_string(raw)
                .map(|s| Scalar(Some(s)))
                .ok_or_else(|| D::Error::custom("unpaired surrogate in a \\u escape"));
        }
        let value: serde_json::Value = serde_json::from_str(raw).map_err(D::Error::custom)?;
        Ok(Scalar(match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) if n.is_f64() && !raw.contains(['.', 'e', 'E']) => {
                Some(raw.to_string())
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Corpus;
    use crate::corpus::read::check_unique_ids;

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
    fn units_read_like_blocks() {
        // A byte order mark, blank lines, CRLF, a bad record and no final newline.
        let text = "\u{feff}{\"id\":\"a\",\"text\":\"x y\"}\n\n \n{\"id\":\"b\",\"text\":\"caf\u{e9}\"}\r\n\
                    {\"id\": \"c\", \"text\": }\n\n{\"id\":\"d\",\"text\":\"z\"}\n{\"id\":\"e\",\"text\":\"w\"}";
        type Read = (
            Vec<(String, String, Option<u64>)>,
            usize,
            usize,
            Vec<String>,
        );
        let summary = |corpus: &Collector| -> Read {
            let docs = corpus.docs.iter().zip(&corpus.origins);
            let r = &corpus.report;
            (
                docs.map(|(d, at)| (d.id.clone(), d.text.clone(), at.line))
                    .collect(),
                r.blank_lines,
                r.skipped_count,
                r.skipped.clone(),
            )
        };
        for on_error in [OnError::Skip, OnError::Fail] {
            let options = ReadOptions {
                on_error,
                ..Default::default()
            };
            for text in [text.to_string(), format!("{text}\n"), "\u{feff}".into()] {
                let mut blocks = Collector::default();
                let blocks_read = parse_jsonl(
                    Path::new("in.jsonl"),
                    text.as_bytes(),
                    &options,
                    &mut blocks,
                );
                let whole = summary(&blocks);
                for unit in 1..=text.len() {
                    for window in [unit, 3 * unit] {
                        let mut units = Collector::default();
                        let mut windows = Vec::new();
                        let read = read_jsonl_units(
                            Path::new("in.jsonl"),
                            text.as_bytes(),
                            unit,
                            window,
                            &options,
                            &mut units,
                            |r| windows.push(r),
                        );
                        let at = format!("{on_error:?}, units of {unit}, windows of {window}");
                        match (&blocks_read, read) {
                            (Ok(()), Ok(())) => assert_eq!(summary(&units), whole, "{at}"),
                            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{at}"),
                            (a, b) => panic!("{at}: {a:?} against {b:?}"),
                        }
                        let ends: Vec<usize> = windows.iter().map(|r| r.end).collect();
                        if blocks_read.is_ok() {
                            assert_eq!(ends.last(), Some(&text.len()), "{at}");
                        }
                    }
                }
            }
        }
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
    }

    #[test]
    fn dates_are_read_or_set_aside_never_fatal() {
        let lines = [
            r#"{"id":"a","text":"x","date":"May 4"}"#,
            r#"{"id":"b","text":"x","date":""}"#,
            r#"{"id":"c","text":"x","date":null}"#,
            r#"{"id":"d","text":"x"}"#,
            r#"{"id":"e","text":"x","date":"1/21/2019","title":"","source":" "}"#,
            r#"{"id":"f","text":"x","date":"9/5/18"}"#,
            r#"{"id":"g","text":"x","date":"0001-01-01"}"#,
            r#"{"id":"h","text":"x","date":"2026-02-30"}"#,
            r#"{"id":"i","text":"x","date":"Mon, 21 Jan 2019 10:00:00 GMT","topic":""}"#,
            r#"{"id":"j","text":"x","date":"2050-01-01"}"#,
            r#"{"id":"k","text":"x","date":"0001-01-02"}"#,
        ];
        let corpus = jsonl(&lines.join("\n"), OnError::Fail).unwrap();
        assert_eq!(
            corpus.docs.len(),
            lines.len(),
            "no document is lost to its date"
        );
        let date = |id: &str| {
            let doc = corpus.docs.iter().find(|d| d.id == id).unwrap();
            doc.date.as_deref()
        };
        assert_eq!(date("e"), Some("2019-01-21"));
        assert_eq!(date("i"), Some("2019-01-21"));
        for id in ["a", "b", "c", "d", "f", "g", "h", "j", "k"] {
            assert_eq!(date(id), None, "{id}");
        }
        let e = corpus.docs.iter().find(|d| d.id == "e").unwrap();
        assert_eq!((e.title.as_deref(), e.source.as_deref()), (None, None));
        let r = &corpus.report;
        assert_eq!(r.undated, 9);
        assert_eq!(r.empty_fields, 4); // b's date, e's title and source, i's topic
        let kinds: Vec<(&str, usize)> = r.set_aside.iter().map(|s| (s.kind, s.count)).collect();
        assert_eq!(
            kinds,
            [
                ("ambiguous date", 1),
                ("unreadable date", 1),
                ("impossible date", 1),
                ("implausible date", 3)
            ]
        );
        assert_eq!(r.set_aside[0].examples, ["in.jsonl:6: `9/5/18`"]);
        assert!(r.set_aside[0].hint.contains("--dates mdy"));
        assert_eq!(
            r.set_aside[3].examples,
            [
                "in.jsonl:7: `0001-01-01`",
                "in.jsonl:10: `2050-01-01`",
                "in.jsonl:11: `0001-01-02`"
            ]
        );
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
