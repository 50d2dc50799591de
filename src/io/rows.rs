//! The row formats of `vectorize`'s output directory: the matrix as JSON lines (`rows.jsonl`,
//! by surface form or by column), `vocabulary.tsv` and `documents.tsv`, and
//! [`write_vectorized`], which writes a whole directory as the CLI does (the matrix in any
//! [`MatrixFormat`]).

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use super::atomic::write_new;
use super::mtx::write_matrix_market_header;
use super::npz::NpzWriter;
use super::ordered::{row_blocks, write_in_order};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};
use crate::vectorize::{Counts, FittedVectorizer};

/// How the matrix of an output directory is written.
/// (The `help` texts are the CLI's `--format` help.)
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    /// `matrix.mtx`: Matrix Market coordinate (see [`super::mtx`]).
    #[value(help = "matrix.mtx: Matrix Market coordinate (scipy.io.mmread, R Matrix, MATLAB)")]
    Mtx,
    /// `matrix.npz`: the `scipy.sparse.save_npz` layout (see [`super::npz`]).
    #[value(help = "matrix.npz: scipy.sparse.save_npz layout (scipy.sparse.load_npz)")]
    Npz,
    /// `rows.jsonl`: `{"id": ..., "terms": {"surface": weight, ...}}`.
    #[value(
        help = "rows.jsonl (or stdout without --out): {\"id\": ..., \"terms\": {\"surface\": weight, ...}}"
    )]
    Jsonl,
    /// `rows.jsonl`: `{"id": ..., "indices": [column, ...], "values": [weight, ...]}`, columns
    /// ascending.
    #[value(
        help = "rows.jsonl (or stdout without --out): {\"id\": ..., \"indices\": [column, ...], \"values\": \
                [weight, ...]}, columns ascending: a sparse row for Spark MLlib, pandas or scipy"
    )]
    JsonlIndices,
}

impl MatrixFormat {
    /// True for the formats written as `rows.jsonl` (which may also go to stdout).
    pub fn is_jsonl(self) -> bool {
        matches!(self, MatrixFormat::Jsonl | MatrixFormat::JsonlIndices)
    }
}

/// The files of an output directory: all replaced together, whichever of them a run writes.
pub const OUTPUT_SET: &[&str] = &[
    "matrix.mtx",
    "matrix.npz",
    "rows.jsonl",
    "documents.tsv",
    "vocabulary.tsv",
];

/// Escapes a TSV field: backslash, tab, newline and carriage return become `\\`, `\t`, `\n`, `\r`,
/// so every record stays on one line and nothing is lost.
/// Everything else is kept verbatim, a leading `=`, `+`, `-` or `@` too: the files read back
/// exactly, and the README tells spreadsheet users to import them as text.
pub fn tsv_field(s: &str) -> std::borrow::Cow<'_, str> {
    // The four are ASCII, so no byte of another character can be one of them.
    if !s
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.into()
}

/// Writes vectorize's files into `dir`: the matrix (in `format`) of `counts` weighed with
/// `model` (the counts [`Vectorizer::fit_tokens`](crate::vectorize::Vectorizer::fit_tokens)
/// gives with it), vocabulary.tsv and documents.tsv (a row per document of `docs`, as
/// counted). Rows are weighed block by block as they are written, so the whole matrix is never
/// held (`.npz` arrays go to temporary files in `dir` first). `dir` is a directory nobody
/// else writes (a [`StagedDir`](super::atomic::StagedDir)): the files are created new.
/// Returns the matrix's stored values and empty rows.
///
/// # Errors
///
/// [`Error::Io`] if a file cannot be created or written.
pub fn write_vectorized<V: Value>(
    dir: &Path,
    format: MatrixFormat,
    model: &FittedVectorizer,
    counts: &Counts,
    docs: &[Document],
) -> Result<(usize, usize)> {
    // The Matrix Market header's count of stored values comes first, counted without
    // weighing.
    const BLOCK_ROWS: usize = 256;
    let blocks = &row_blocks(counts.n_rows(), BLOCK_ROWS);
    let (nnz, empty_rows) = model.stored_values(counts);
    let block: &(dyn Fn(Range<usize>) -> CsrMatrix<V> + Sync) =
        &|r| model.weigh_counts::<V>(counts, r);
    let cols = model.n_terms();
    // The matrix on one side, the two small tables on the other: the files are independent.
    let (matrix_written, tables_written) = rayon::join(
        || match format {
            MatrixFormat::Mtx => write_new(&dir.join("matrix.mtx"), |w| {
                write_matrix_market_header(w, docs.len(), cols, nnz)?;
                // Blocks are weighed as they are formatted, a few per thread at once.
                write_in_order(w, blocks, |r| {
                    block(r.clone()).format_matrix_market_entries(0..r.len(), r.start)
                })?;
                Ok(())
            }),
            MatrixFormat::Npz => {
                let mut npz = NpzWriter::create(dir, cols).map_err(|e| Error::io(dir, e))?;
                for r in blocks {
                    npz.append(&block(r.clone()))
                        .map_err(|e| Error::io(dir, e))?;
                }
                write_new(&dir.join("matrix.npz"), |w| npz.finish(w))
            }
            MatrixFormat::Jsonl => write_new(&dir.join("rows.jsonl"), |w| {
                for r in blocks {
                    write_jsonl_rows(w, model.surfaces(), &docs[r.clone()], &block(r.clone()))?;
                }
                Ok(())
            }),
            MatrixFormat::JsonlIndices => write_new(&dir.join("rows.jsonl"), |w| {
                for r in blocks {
                    write_jsonl_sparse_rows(w, &docs[r.clone()], &block(r.clone()))?;
                }
                Ok(())
            }),
        },
        || -> Result<()> {
            write_vocabulary(dir, model)?;
            write_new(&dir.join("documents.tsv"), |w| {
                writeln!(w, "{DOCUMENTS_HEADER}")?;
                write_document_rows(w, docs, 0)
            })?;
            Ok(())
        },
    );
    matrix_written?;
    tables_written?;
    Ok((nnz, empty_rows))
}

/// Header of documents.tsv.
pub const DOCUMENTS_HEADER: &str = "row\tid\tsource\ttitle";

/// Writes `dir/vocabulary.tsv` (in a staging directory): column, term, surface form, df, idf.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be created or written.
pub fn write_vocabulary(dir: &Path, model: &FittedVectorizer) -> Result<()> {
    write_new(&dir.join("vocabulary.tsv"), |w| {
        writeln!(w, "{VOCABULARY_HEADER}")?;
        let mut line = VocabularyLine::default();
        for col in 0..model.n_terms() {
            let (term, surface) = (&model.terms()[col], model.surface(col));
            w.write_all(line.make(col, term, surface, model.df(col), model.idf(col)))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The header of vocabulary.tsv.
pub const VOCABULARY_HEADER: &str = "column\tterm\tsurface\tdf\tidf";

/// Makes vocabulary.tsv lines. They are put together by hand: `write!` formatting dominated
/// writing them.
#[derive(Default)]
pub struct VocabularyLine {
    int: itoa::Buffer,
    float: ryu::Buffer,
    line: Vec<u8>,
    /// Per df below [`IDF_TEXTS`], the last idf formatted for it: its bits and its text. A df
    /// fixes the idf, and most terms have a small one, so most lines reuse a text.
    idf_texts: Vec<Option<(u64, String)>>,
}

/// How many small dfs [`VocabularyLine`] keeps an idf text for.
const IDF_TEXTS: usize = 256;

impl VocabularyLine {
    /// The line of one column, newline included.
    pub fn make(&mut self, col: usize, term: &str, surface: &str, df: u64, idf: f64) -> &[u8] {
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(self.int.format(col).as_bytes());
        line.push(b'\t');
        line.extend_from_slice(tsv_field(term).as_bytes());
        line.push(b'\t');
        line.extend_from_slice(tsv_field(surface).as_bytes());
        line.push(b'\t');
        line.extend_from_slice(self.int.format(df).as_bytes());
        line.push(b'\t');
        let bits = idf.to_bits();
        match self.idf_texts.get(df as usize) {
            // The bits are compared, so the text is the idf's whatever made it.
            Some(Some((cached, text))) if *cached == bits => {
                line.extend_from_slice(text.as_bytes())
            }
            _ => {
                let text = self.float.format(idf);
                line.extend_from_slice(text.as_bytes());
                if (df as usize) < IDF_TEXTS {
                    self.idf_texts.resize(IDF_TEXTS, None);
                    self.idf_texts[df as usize] = Some((bits, text.to_string()));
                }
            }
        }
        line.push(b'\n');
        line
    }
}

/// documents.tsv lines, numbering rows from `first_row`.
///
/// # Errors
///
/// Any error of writing to `w`.
pub fn write_document_rows(
    w: &mut impl Write,
    docs: &[Document],
    first_row: usize,
) -> std::io::Result<()> {
    for (i, d) in docs.iter().enumerate() {
        writeln!(
            w,
            "{}\t{}\t{}\t{}",
            first_row + i,
            tsv_field(&d.id),
            tsv_field(d.source.as_deref().unwrap_or("")),
            tsv_field(d.title.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// One JSON object per document: its id and its weights keyed by surface form (a surface form
/// belongs to one term only, so keys never collide), in column order.
///
/// # Errors
///
/// Any error of writing to `w`.
pub fn write_jsonl_rows<V: Value>(
    w: &mut impl Write,
    surfaces: &[String],
    docs: &[Document],
    matrix: &CsrMatrix<V>,
) -> std::io::Result<()> {
    write_jsonl_lines(w, docs, matrix, |line, cols, vals| {
        line.extend_from_slice(b",\"terms\":{");
        for (i, (&c, &v)) in cols.iter().zip(vals).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            serde_json::to_writer(&mut *line, &surfaces[c as usize])?;
            line.push(b':');
            v.write_to(line);
        }
        line.push(b'}');
        Ok(())
    })
}

/// One JSON object per document: its id, its column ids (ascending) and their weights.
///
/// # Errors
///
/// Any error of writing to `w`.
pub fn write_jsonl_sparse_rows<V: Value>(
    w: &mut impl Write,
    docs: &[Document],
    matrix: &CsrMatrix<V>,
) -> std::io::Result<()> {
    write_jsonl_lines(w, docs, matrix, |line, cols, vals| {
        line.extend_from_slice(b",\"indices\":[");
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(itoa::Buffer::new().format(*c).as_bytes());
        }
        line.extend_from_slice(b"],\"values\":[");
        for (i, &v) in vals.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            v.write_to(line);
        }
        line.push(b']');
        Ok(())
    })
}

/// One JSON line per row: `{"id": ...` then what `fields` adds for the row's columns and
/// values, then `}`.
fn write_jsonl_lines<V: Value>(
    w: &mut impl Write,
    docs: &[Document],
    matrix: &CsrMatrix<V>,
    mut fields: impl FnMut(&mut Vec<u8>, &[u32], &[V]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    for (row, doc) in docs.iter().enumerate().take(matrix.n_rows()) {
        line.clear();
        line.extend_from_slice(b"{\"id\":");
        serde_json::to_writer(&mut line, &doc.id)?;
        let (cols, vals) = matrix.row(row);
        fields(&mut line, cols, vals)?;
        line.extend_from_slice(b"}\n");
        w.write_all(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_fields_escape_only_what_breaks_a_line() {
        assert_eq!(tsv_field("Moscow’s al-Sharaa"), "Moscow’s al-Sharaa");
        assert_eq!(tsv_field("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        // What a spreadsheet would take for a formula is kept as written (see the README).
        for field in ["=SUM(A1)", "+1", "-2", "@user"] {
            assert_eq!(tsv_field(field), field);
        }
    }

    #[test]
    fn vocabulary_lines_reuse_idf_texts_only_for_the_same_value() {
        let mut line = VocabularyLine::default();
        let plain = |col: usize, df: u64, idf: f64| {
            format!("{col}\tt\ts\t{df}\t{}\n", ryu::Buffer::new().format(idf))
        };
        // The same df with another idf (another model, or another idf formula) is formatted
        // afresh; a df past the kept ones is always formatted.
        for (col, (df, idf)) in [
            (1, 2.5),
            (1, 2.5),
            (1, 1.25),
            (7, 0.1),
            (7, 0.1),
            (900, 3.0),
        ]
        .into_iter()
        .enumerate()
        {
            let made = String::from_utf8(line.make(col, "t", "s", df, idf).to_vec()).unwrap();
            assert_eq!(made, plain(col, df, idf));
        }
    }
}
