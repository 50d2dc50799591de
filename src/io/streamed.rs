//! An output directory written as its rows come, chunk by chunk, so memory is bounded by the
//! chunk and the vocabulary, not by the number of documents (`transform`, a streamed
//! `vectorize`).
//!
//! Matrix Market needs the totals in its header. Where they are known beforehand (a vectorize
//! writes exactly the documents it fitted) the header is written first and checked at the end;
//! otherwise entries go to a temporary body file and the header is put in front at the end.
//! `.npz` arrays go to temporary files, which are copied into the archive at the end. Every
//! file appears under its final name only when complete.
//!
//! A streamed vectorize ([`StreamedVectorize`](crate::vectorize::StreamedVectorize)) writes its
//! directory through [`StreamedColumns`]: vocabulary.tsv as the columns are chosen, then the
//! rows, formatted in parallel while the blocks before them are written.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::atomic::write_new;
use super::direct::OutFile;
use super::mtx::{FORMAT_BLOCK_ROWS, write_matrix_market_header};
use super::npz::NpzWriter;
use super::ordered::row_blocks;
use super::rows::{
    DOCUMENTS_HEADER, MatrixFormat, VOCABULARY_HEADER, VocabularyLine, write_document_rows,
    write_jsonl_rows, write_jsonl_sparse_rows,
};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};
use crate::vectorize::{CountReport, RowBlock, StreamedMerge, StreamedRows};

/// An output directory being written row by row: the matrix (in any [`MatrixFormat`]) and
/// documents.tsv, with vocabulary.tsv written at the end.
pub struct StreamedOutput<V: Value> {
    dir: PathBuf,
    format: MatrixFormat,
    /// Temporary files (removed if the run fails) and their writers.
    body: Option<(PathBuf, OutFile)>,
    documents: Option<(PathBuf, OutFile)>,
    npz: Option<NpzWriter<V>>,
    rows: usize,
    nnz: usize,
    cols: usize,
    /// The Matrix Market header already at the start of the body: (rows, stored values) it
    /// states, and its length in bytes.
    header: Option<(usize, usize, u64)>,
}

/// A temporary file for `name` in `dir` (a staging directory), created exclusively, and its
/// writer, which writes a long file past the page cache ([`OutFile`]).
fn temp_file(dir: &Path, name: &str) -> Result<(PathBuf, OutFile)> {
    let path = dir.join(format!(".{name}.part"));
    let file = super::atomic::new_file(&path).map_err(|e| Error::io(&path, e))?;
    Ok((path, OutFile::new(file, true)))
}

/// A block of rows turned into the bytes of an output directory's files, apart from writing
/// them, so the next block can be made while one is written.
struct FormattedRows {
    documents: Vec<u8>,
    /// The matrix file's bytes, in pieces formatted in parallel.
    body: Vec<Vec<u8>>,
    rows: usize,
    nnz: usize,
}

/// Formats a block of rows, numbered from `first_row`, for an output directory whose matrix
/// is in `format`; `surfaces` (per column) name the terms of JSONL rows. `None` for `.npz`,
/// whose arrays are appended with [`StreamedOutput::append`].
fn format_rows<V: Value>(
    format: MatrixFormat,
    surfaces: &[String],
    docs: &[Document],
    matrix: &CsrMatrix<V>,
    first_row: usize,
) -> std::io::Result<Option<FormattedRows>> {
    let body = match format {
        MatrixFormat::Npz => return Ok(None),
        MatrixFormat::Mtx => row_blocks(matrix.n_rows(), FORMAT_BLOCK_ROWS)
            .par_iter()
            .map(|rows| matrix.format_matrix_market_entries(rows.clone(), first_row))
            .collect(),
        MatrixFormat::Jsonl => {
            let mut buf = Vec::new();
            write_jsonl_rows(&mut buf, surfaces, docs, matrix)?;
            vec![buf]
        }
        MatrixFormat::JsonlIndices => {
            let mut buf = Vec::new();
            write_jsonl_sparse_rows(&mut buf, docs, matrix)?;
            vec![buf]
        }
    };
    let mut documents = Vec::new();
    write_document_rows(&mut documents, docs, first_row)?;
    Ok(Some(FormattedRows {
        documents,
        body,
        rows: matrix.n_rows(),
        nnz: matrix.nnz(),
    }))
}

impl<V: Value> StreamedOutput<V> {
    /// Starts writing into `dir`, which exists and nobody else writes (a staging directory),
    /// a matrix of `cols` columns. `expected` is (rows, stored values) if known before the
    /// rows are written: a Matrix Market header stating them goes first, and is rewritten at
    /// the end only if they differ.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a temporary file cannot be created or written.
    pub fn create(
        dir: &Path,
        format: MatrixFormat,
        cols: usize,
        expected: Option<(usize, usize)>,
    ) -> Result<Self> {
        let mut out = StreamedOutput {
            dir: dir.to_path_buf(),
            format,
            body: None,
            documents: None,
            npz: None,
            rows: 0,
            nnz: 0,
            cols,
            header: None,
        };
        // Never made here: a staging directory removed on a signal must stay removed.
        let (path, mut w) = temp_file(dir, "documents.tsv")?;
        writeln!(w, "{DOCUMENTS_HEADER}").map_err(|e| Error::io(&path, e))?;
        out.documents = Some((path, w));
        match format {
            MatrixFormat::Mtx => {
                let (path, mut w) = temp_file(dir, "matrix.mtx")?;
                if let Some((rows, nnz)) = expected {
                    let mut header = Vec::new();
                    write_matrix_market_header(&mut header, rows, cols, nnz)
                        .and_then(|()| w.write_all(&header))
                        .map_err(|e| Error::io(&path, e))?;
                    out.header = Some((rows, nnz, header.len() as u64));
                }
                out.body = Some((path, w));
            }
            MatrixFormat::Jsonl | MatrixFormat::JsonlIndices => {
                out.body = Some(temp_file(dir, "rows.jsonl")?)
            }
            MatrixFormat::Npz => {
                let npz = NpzWriter::create(dir, cols).map_err(|e| Error::io(dir, e))?;
                out.npz = Some(npz)
            }
        }
        Ok(out)
    }

    /// Appends the rows of one chunk; `surfaces` (per column) name the terms of JSONL rows.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a file cannot be written.
    pub fn append(
        &mut self,
        surfaces: &[String],
        docs: &[Document],
        matrix: &CsrMatrix<V>,
    ) -> Result<()> {
        if let Some((path, w)) = &mut self.documents {
            write_document_rows(w, docs, self.rows).map_err(|e| Error::io(&*path, e))?;
        }
        if let Some((path, w)) = &mut self.body {
            match self.format {
                MatrixFormat::Mtx => matrix.write_matrix_market_entries(w, self.rows),
                MatrixFormat::JsonlIndices => write_jsonl_sparse_rows(w, docs, matrix),
                _ => write_jsonl_rows(w, surfaces, docs, matrix),
            }
            .map_err(|e| Error::io(&*path, e))?;
        }
        if let Some(npz) = &mut self.npz {
            npz.append(matrix).map_err(|e| Error::io(&self.dir, e))?;
        }
        self.rows += matrix.n_rows();
        self.nnz += matrix.nnz();
        Ok(())
    }

    /// Writes rows that [`format_rows`] made for this output, numbered from the rows written
    /// so far.
    fn write_formatted(&mut self, rows: FormattedRows) -> Result<()> {
        if let Some((path, w)) = &mut self.documents {
            w.write_all(&rows.documents)
                .map_err(|e| Error::io(&*path, e))?;
        }
        if let Some((path, w)) = &mut self.body {
            for piece in &rows.body {
                w.write_all(piece).map_err(|e| Error::io(&*path, e))?;
            }
        }
        self.rows += rows.rows;
        self.nnz += rows.nnz;
        Ok(())
    }

    /// Rows and stored values written so far.
    pub fn totals(&self) -> (usize, usize) {
        (self.rows, self.nnz)
    }

    /// Completes every file and moves it to its final name; `vocabulary` writes vocabulary.tsv
    /// into the directory (after the matrix, before documents.tsv).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a file cannot be written or renamed; the errors `vocabulary` returns.
    pub fn finish(mut self, vocabulary: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let dir = self.dir.clone();
        if let Some(npz) = self.npz.take() {
            write_new(&dir.join("matrix.npz"), |w| npz.finish(w))?;
        }
        if let Some((path, w)) = self.body.take() {
            w.finish().map_err(|e| Error::io(&path, e))?;
            match self.format {
                MatrixFormat::Mtx => self.finish_matrix_market(&path)?,
                _ => rename(&path, &dir.join("rows.jsonl"))?,
            }
        }
        vocabulary(&dir)?;
        if let Some((path, w)) = self.documents.take() {
            w.finish().map_err(|e| Error::io(&path, e))?;
            rename(&path, &dir.join("documents.tsv"))?;
        }
        Ok(())
    }

    /// Moves the Matrix Market body at `path` to matrix.mtx, with the right header.
    fn finish_matrix_market(&self, path: &Path) -> Result<()> {
        let (rows, nnz, cols) = (self.rows, self.nnz, self.cols);
        let target = self.dir.join("matrix.mtx");
        match self.header {
            Some((r, n, _)) if (r, n) == (rows, nnz) => {
                let renamed = rename(path, &target);
                if renamed.is_err() {
                    let _ = std::fs::remove_file(path);
                }
                renamed
            }
            header => {
                // Put the right header in front of the entries (after the one written first,
                // if any, which was wrong).
                let skip = header.map_or(0, |(_, _, len)| len);
                let result = write_new(&target, |w| {
                    write_matrix_market_header(w, rows, cols, nnz)?;
                    let mut body = File::open(path)?;
                    std::io::Seek::seek(&mut body, std::io::SeekFrom::Start(skip))?;
                    std::io::copy(&mut body, w).map(|_| ())
                });
                let _ = std::fs::remove_file(path);
                result
            }
        }
    }
}

/// Renames `from` to `to`, an error naming `to`.
fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::io(to, e))
}

/// The columns of a streamed vectorize, chosen, with vocabulary.tsv written in the output
/// directory under a temporary name (removed if this is dropped before the rows are written).
pub struct StreamedColumns {
    rows: StreamedRows,
    dir: PathBuf,
    format: MatrixFormat,
    /// vocabulary.tsv under its temporary name.
    vocabulary: TempPath,
    /// Per column, its surface form (for JSONL rows by surface form only).
    surfaces: Vec<String>,
}

/// A file under a temporary name, removed when dropped unless renamed before.
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl StreamedColumns {
    /// Chooses the columns of `merged`, as a fit on all its documents would, writing each to
    /// vocabulary.tsv in `dir` (a staging directory) as it is chosen; the matrix will be
    /// written in `format`.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyVocabulary`] if no term is left; [`Error::Io`] if a run cannot be read or
    /// vocabulary.tsv cannot be written.
    pub fn choose(dir: &Path, format: MatrixFormat, merged: StreamedMerge) -> Result<Self> {
        let (path, mut w) = temp_file(dir, "vocabulary.tsv")?;
        let vocabulary = TempPath(path);
        let path = &vocabulary.0;
        writeln!(w, "{VOCABULARY_HEADER}").map_err(|e| Error::io(path, e))?;
        let (mut line, mut surfaces) = (VocabularyLine::default(), Vec::new());
        let jsonl = format == MatrixFormat::Jsonl;
        let rows = merged.columns(&mut |col, term, surface, df, idf| {
            if jsonl {
                surfaces.push(surface.to_string());
            }
            let bytes = line.make(col, term, surface, df, idf);
            w.write_all(bytes).map_err(|e| Error::io(path, e))
        })?;
        w.finish().map_err(|e| Error::io(path, e))?;
        Ok(StreamedColumns {
            rows,
            dir: dir.to_path_buf(),
            format,
            vocabulary,
            surfaces,
        })
    }

    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.rows.n_columns()
    }

    /// Weighs the spilled counts into rows and writes them, a block at a time, each block
    /// formatted on the thread pool while the blocks before it are written; then moves every
    /// file of the directory to its final name. Returns what counting saw and the values
    /// stored.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the spilled counts cannot be read back or a file cannot be written.
    pub fn write<V: Value>(self) -> Result<(CountReport, usize)> {
        let trace = crate::trace::Trace::start();
        let StreamedColumns {
            rows,
            dir,
            format,
            vocabulary,
            surfaces,
        } = self;
        // The documents written are the ones fitted, so their stored values are known already.
        let mut out =
            StreamedOutput::<V>::create(&dir, format, rows.n_columns(), Some(rows.expected()))?;
        let prepare = |block: &RowBlock<V>| -> Result<Option<FormattedRows>> {
            let (docs, matrix) = (&block.docs, &block.matrix);
            format_rows(format, &surfaces, docs, matrix, block.first_row)
                .map_err(|e| Error::io(&dir, e))
        };
        let report = rows.write(&prepare, &mut |block, formatted| match formatted {
            Some(rows) => out.write_formatted(rows),
            None => out.append(&surfaces, &block.docs, &block.matrix),
        })?;
        trace.mark("rows written");
        let (_, nnz) = out.totals();
        out.finish(|dir| rename(&vocabulary.0, &dir.join("vocabulary.tsv")))?;
        trace.mark("finished");
        Ok((report, nnz))
    }
}

impl<V: Value> Drop for StreamedOutput<V> {
    /// A run that failed leaves no temporary files behind.
    fn drop(&mut self) {
        for (path, _) in [self.body.take(), self.documents.take()]
            .into_iter()
            .flatten()
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::rows::write_vocabulary;
    use crate::vectorize::Vectorizer;

    /// Writes the corpus's matrix through `StreamedOutput` stating `expected`; returns
    /// matrix.mtx and the matrix written whole.
    fn streamed(expected: Option<(usize, usize)>) -> (String, String) {
        let docs: Vec<Document> = ["the red fox", "a red hen", "the hen and the fox ran"]
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(format!("d{i}"), *t))
            .collect();
        let model = Vectorizer::default().fit(&docs).unwrap();
        let matrix: CsrMatrix<f32> = model.transform(&docs);
        let dir = tempfile::tempdir().unwrap();
        let mut out =
            StreamedOutput::<f32>::create(dir.path(), MatrixFormat::Mtx, model.n_terms(), expected)
                .unwrap();
        for part in [&docs[..2], &docs[2..]] {
            out.append(model.surfaces(), part, &model.transform::<f32>(part))
                .unwrap();
        }
        out.finish(|dir| write_vocabulary(dir, &model)).unwrap();
        let mut whole = Vec::new();
        matrix.write_matrix_market(&mut whole).unwrap();
        let written = std::fs::read_to_string(dir.path().join("matrix.mtx")).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        (written, String::from_utf8(whole).unwrap())
    }

    #[test]
    fn the_header_is_right_whether_stated_first_or_not() {
        let (no_header, whole) = streamed(None);
        assert_eq!(no_header, whole);
        let sizes = whole.lines().find(|l| !l.starts_with('%')).unwrap();
        let nnz = sizes.split(' ').nth(2).unwrap();
        let nnz: usize = nnz.parse().unwrap();
        assert_eq!(streamed(Some((3, nnz))).0, whole);
        // A wrong statement is mended at the end, never left in the file.
        assert_eq!(streamed(Some((3, nnz + 5))).0, whole);
        assert_eq!(streamed(Some((30, nnz * 10))).0, whole);
    }
}
