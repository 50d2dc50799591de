//! Files read whole: a text file or a directory of them is one document a file; also gzip.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::collect::{Collector, Format, OnError, ReadOptions, check_size, format_of, push};
use super::{Document, frontmatter};
use crate::error::{Error, Location, Result};

pub(super) fn read_bytes(path: &Path, gz: bool) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !gz {
        return Ok(raw);
    }
    // A guess at the text's size, capped: the vector grows past it if need be, and a large
    // file's guess never asks for more memory at once than the text may take.
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(256 << 20));
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    Ok(out)
}

/// File name without `.gz` and without its extension.
pub(super) fn text_id(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or("document".into(), |n| n.to_string_lossy());
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

fn is_readme(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
}

pub(super) fn read_dir<T: Send>(
    root: &Path,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
) -> Result<()> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            Error::io(path, e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        // A named pipe could block the read forever; like a file of another format, it is
        // counted and named in the report, never dropped without a word.
        if !entry.file_type().is_file() || !matches!(format_of(path), Some((Format::Text, _))) {
            corpus.report.ignored_files.push(path.to_path_buf());
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
    // A file that cannot be read stops the read (as an input that cannot be read does); a
    // file read but unusable as a document (not UTF-8, too large) is a bad record, skipped
    // under `--on-error skip` as a text file given alone is.
    let docs: Vec<Result<(Result<Document>, Location)>> = files
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
            Ok((
                text_document(&bytes, id, source, &at, options.max_doc_bytes),
                at,
            ))
        })
        .collect();
    for doc in docs {
        match doc? {
            (Ok(doc), at) => push(corpus, doc, at),
            (Err(e), _) if options.on_error == OnError::Skip => corpus.report.skip(&e),
            (Err(e), _) => return Err(e),
        }
    }
    Ok(())
}

/// A text file as one document; front matter (`title`, `date`, `source`, others) becomes metadata.
pub(super) fn text_document(
    bytes: &[u8],
    id: String,
    source: Option<String>,
    at: &Location,
    max: Option<usize>,
) -> Result<Document> {
    check_size(bytes.len(), max, || at.clone())?;
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
            "date" => doc.date = Some(value),
            "id" | "text" => {}
            _ => {
                doc.meta.insert(key, value);
            }
        }
    }
    Ok(doc)
}
