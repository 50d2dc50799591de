//! Reading inputs: each path to its reader (a directory of text files, JSONL, CSV/TSV, a single
//! text file, stdin; `.gz` anywhere), into one corpus or chunk by chunk; documents a program
//! made, checked as read ones are.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::collect::{
    Collector, Format, OnError, Prepare, ReadOptions, ReadReport, SeenIds, count_empty, format_of,
    push,
};
use super::csv::parse_csv;
use super::date::DateRules;
use super::files::{read_bytes, read_dir, text_document, text_id};
use super::jsonl::{map_file, read_jsonl, read_mapped_jsonl};
use super::{Corpus, Document};
use crate::error::{Error, Location, Result};

/// Reads every input in order into one corpus. Duplicate ids are an error naming both places.
///
/// A path may be a directory (every `*.txt`/`*.md` below it, sorted by path; id = relative path
/// without extension; source = first-level subdirectory), a `.jsonl`/`.ndjson`, `.csv` or `.tsv`
/// file, a single `.txt`/`.md` file, or `-` for JSONL on stdin. A `.gz` suffix is decompressed.
///
/// # Errors
///
/// [`Error::Io`] if an input cannot be read (or decompressed); [`Error::Unsupported`] for a
/// file of another format; [`Error::DuplicateId`] naming both places. For a record that cannot
/// be read, [`Error::Malformed`], [`Error::Field`], [`Error::Utf8`] or [`Error::TooLarge`]
/// naming it, unless `on_error` is [`OnError::Skip`], which skips and counts it instead (a
/// file of an input directory too, when it is read but is no usable document; a bad CSV
/// header, or a file that cannot be read, stops the read either way).
pub fn read_inputs(paths: &[PathBuf], options: &ReadOptions) -> Result<Corpus> {
    let mut corpus = Collector {
        dates: options.dates.clone(),
        ..Collector::default()
    };
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

/// Documents a program made (not read from files), checked and tidied as read ones are: an
/// empty id is an error, empty optional fields become missing, a date becomes `YYYY-MM-DD` or
/// is set aside and counted (by `dates`), and duplicate ids are an error. In messages `name`
/// stands for the file and a document's position (from 1) for its line.
///
/// # Errors
///
/// [`Error::Field`] for an empty id, [`Error::DuplicateId`] naming both positions.
pub fn from_documents(docs: Vec<Document>, name: &str, dates: &DateRules) -> Result<Corpus> {
    let mut report = ReadReport::default();
    let mut docs = docs;
    let origins: Vec<Location> = (1..=docs.len() as u64)
        .map(|line| Location {
            path: PathBuf::from(name),
            line: Some(line),
        })
        .collect();
    if let Some(i) = docs.iter().position(|d| d.id.is_empty()) {
        return Err(Error::Field {
            at: origins[i].clone(),
            field: "id".to_string(),
            message: "empty id".to_string(),
        });
    }
    for (doc, at) in docs.iter_mut().zip(&origins) {
        report.tidy(doc, at, dates);
    }
    report.empty_docs = count_empty(&docs);
    let corpus = Corpus {
        docs,
        origins,
        report,
    };
    check_unique_ids(&corpus)?;
    Ok(corpus)
}

/// Reads inputs like [`read_inputs`], handing documents to `on_chunk` in input order, in chunks
/// of about `chunk_bytes` of text, so memory stays bounded however large the input. Duplicate
/// ids are checked across chunks. Returns what reading skipped or noticed.
///
/// # Errors
///
/// Those of [`read_inputs`], and any error `on_chunk` returns (which stops the read).
pub fn read_inputs_chunked(
    paths: &[PathBuf],
    options: &ReadOptions,
    chunk_bytes: usize,
    on_chunk: &mut dyn FnMut(Corpus) -> Result<()>,
) -> Result<ReadReport> {
    let mut forward = |chunk, _: Vec<()>| on_chunk(chunk);
    read_chunks(paths, options, chunk_bytes, None, &mut forward)
}

/// Reads inputs like [`read_inputs_chunked`], and runs `prepare` on the documents as they are
/// read: each chunk comes with the results, in order, for groups of its documents that together
/// are the whole chunk. A memory-mapped JSONL file is parsed and prepared in one parallel pass,
/// group by group, while its lines are fresh in cache; other inputs are prepared chunk by chunk.
///
/// # Errors
///
/// As [`read_inputs_chunked`].
pub fn read_inputs_prepared<T: Send>(
    paths: &[PathBuf],
    options: &ReadOptions,
    chunk_bytes: usize,
    prepare: &Prepare<'_, T>,
    on_chunk: &mut dyn FnMut(Corpus, Vec<T>) -> Result<()>,
) -> Result<ReadReport> {
    read_chunks(paths, options, chunk_bytes, Some(prepare), on_chunk)
}

/// The total size of the input files in bytes (a directory counts every file below it; `-`
/// and paths that cannot be read count 0): what a reader decides to stream by before reading.
pub fn input_size(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .map(|p| match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walkdir::WalkDir::new(p)
                .into_iter()
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum(),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn read_chunks<T: Send>(
    paths: &[PathBuf],
    options: &ReadOptions,
    chunk_bytes: usize,
    prepare: Option<&Prepare<'_, T>>,
    on_chunk: &mut dyn FnMut(Corpus, Vec<T>) -> Result<()>,
) -> Result<ReadReport> {
    let mut collector = Collector {
        docs: Vec::new(),
        origins: Vec::new(),
        report: ReadReport::default(),
        bytes: 0,
        limit: chunk_bytes.max(1),
        on_chunk: Some(on_chunk),
        prepare,
        prepared: Vec::new(),
        seen: SeenIds::default(),
        paths: Vec::new(),
        dates: options.dates.clone(),
    };
    for path in paths {
        read_one(path, options, &mut collector)?;
        collector.flush(false)?;
    }
    collector.flush(true)?;
    Ok(collector.report)
}

pub(super) fn check_unique_ids(corpus: &Corpus) -> Result<()> {
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

fn read_one<T: Send>(path: &Path, options: &ReadOptions, corpus: &mut Collector<T>) -> Result<()> {
    if path.as_os_str() == "-" {
        return read_jsonl(path, std::io::stdin(), options, corpus);
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return read_dir(path, options, corpus);
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
            match text_document(&bytes, id, None, &at, options.max_doc_bytes) {
                Ok(doc) => push(corpus, doc, at),
                Err(e) if options.on_error == OnError::Skip => corpus.report.skip(&e),
                Err(e) => return Err(e),
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_made_by_a_program_are_tidied_as_read_ones() {
        let mut a = Document::new("a", "Ferry strike.");
        a.date = Some("March 3, 2021".into());
        a.source = Some(" ".into());
        let mut b = Document::new("b", "  ");
        b.date = Some("03/04/2021".into());
        let corpus = from_documents(vec![a, b], "<documents>", &DateRules::default()).unwrap();
        assert_eq!(corpus.docs[0].date.as_deref(), Some("2021-03-03"));
        assert_eq!(corpus.docs[0].source, None);
        assert_eq!(corpus.docs[1].date, None);
        let report = &corpus.report;
        assert_eq!(
            (report.empty_fields, report.empty_docs, report.undated),
            (1, 1, 1)
        );
        assert_eq!(
            report.set_aside[0].examples,
            ["<documents>:2: `03/04/2021`"]
        );
        let twice = vec![Document::new("a", "x"), Document::new("a", "y")];
        let err = from_documents(twice, "<documents>", &DateRules::default()).unwrap_err();
        assert!(err.to_string().contains("<documents>:2"), "{err}");
        let blank = vec![Document::new("a", "x"), Document::new("", "y")];
        let err = from_documents(blank, "<documents>", &DateRules::default()).unwrap_err();
        assert_eq!(err.to_string(), "<documents>:2: field `id`: empty id");
    }

    #[test]
    fn prepared_groups_make_up_each_chunk() {
        let lines: Vec<String> = (0..400)
            .map(|i| format!("{{\"id\":\"d{i}\",\"text\":\"{}\"}}", "w ".repeat(i % 37)))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (jsonl, csv) = (dir.path().join("a.jsonl"), dir.path().join("b.csv"));
        std::fs::write(&jsonl, lines.join("\n")).unwrap();
        std::fs::write(&csv, "id,text\nc1,one\nc2,two\n").unwrap();
        let ids = |docs: &[Document]| docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        let prepare = |docs: &[Document]| ids(docs);
        for chunk_bytes in [1, 100, 1000, 1 << 20] {
            let mut seen = Vec::new();
            let mut on_chunk = |chunk: Corpus, groups: Vec<Vec<String>>| {
                assert_eq!(
                    groups.concat(),
                    ids(&chunk.docs),
                    "chunks of {chunk_bytes} bytes"
                );
                seen.extend(ids(&chunk.docs));
                Ok(())
            };
            let paths = [csv.clone(), jsonl.clone(), csv.clone()];
            let options = ReadOptions::default();
            let read =
                read_inputs_prepared(&paths[..2], &options, chunk_bytes, &prepare, &mut on_chunk);
            read.unwrap();
            let mut expected = vec!["c1".to_string(), "c2".to_string()];
            expected.extend((0..400).map(|i| format!("d{i}")));
            assert_eq!(seen, expected);
            // The CSV read again repeats its ids, named at both places.
            let again =
                read_inputs_prepared(&paths, &options, chunk_bytes, &prepare, &mut |_, _| Ok(()));
            let message = again.unwrap_err().to_string();
            assert!(
                message.contains("b.csv:2") && message.contains("c1"),
                "{message}"
            );
        }
    }
}
