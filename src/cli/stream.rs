//! Streamed output: rows are written chunk by chunk as they are produced, so memory is bounded
//! by the chunk and the vocabulary, not by the number of documents.
//!
//! Matrix Market needs the totals in its header, so entries go to a temporary body file and the
//! header is put in front at the end; `.npz` is assembled in memory (it holds only the values).
//! Every file appears under its final name only when complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use parallax::corpus::Document;
use parallax::matrix::{CsrMatrix, Value, write_matrix_market_header};
use parallax::model::write_atomic;
use parallax::vectorize::FittedVectorizer;

use super::output::{
    DOCUMENTS_HEADER, MatrixFormat, write_document_rows, write_jsonl_rows, write_jsonl_sparse_rows,
    write_vocabulary,
};

/// Where streamed rows go: files in a directory, or JSONL on stdout.
pub struct StreamOut<V: Value> {
    dir: Option<PathBuf>,
    format: MatrixFormat,
    /// Temporary files (removed if the run fails) and their writers.
    body: Option<(PathBuf, BufWriter<File>)>,
    documents: Option<(PathBuf, BufWriter<File>)>,
    stdout: Option<BufWriter<std::io::Stdout>>,
    npz: Option<CsrMatrix<V>>,
    rows: usize,
    nnz: usize,
    cols: usize,
}

fn temp(dir: &Path, name: &str) -> Result<(PathBuf, BufWriter<File>)> {
    let path = dir.join(format!(".{name}.part-{}", std::process::id()));
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    Ok((path, BufWriter::with_capacity(1 << 20, file)))
}

impl<V: Value> StreamOut<V> {
    /// Starts writing into `dir` (created if missing), or JSONL rows to stdout without one.
    pub fn create(dir: Option<&Path>, format: MatrixFormat, cols: usize) -> Result<Self> {
        let mut out = StreamOut {
            dir: dir.map(Path::to_path_buf),
            format,
            body: None,
            documents: None,
            stdout: None,
            npz: None,
            rows: 0,
            nnz: 0,
            cols,
        };
        let Some(dir) = dir else {
            out.stdout = Some(BufWriter::new(std::io::stdout()));
            return Ok(out);
        };
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut documents = temp(dir, "documents.tsv")?;
        writeln!(documents.1, "{DOCUMENTS_HEADER}")?;
        out.documents = Some(documents);
        match format {
            MatrixFormat::Mtx => out.body = Some(temp(dir, "matrix.mtx")?),
            MatrixFormat::Jsonl | MatrixFormat::JsonlIndices => {
                out.body = Some(temp(dir, "rows.jsonl")?)
            }
            MatrixFormat::Npz => out.npz = Some(CsrMatrix::new(cols)),
        }
        Ok(out)
    }

    /// Appends the rows of one chunk.
    pub fn append(
        &mut self,
        model: &FittedVectorizer,
        docs: &[Document],
        matrix: &CsrMatrix<V>,
    ) -> Result<()> {
        if let Some(w) = &mut self.stdout {
            match self.format {
                MatrixFormat::JsonlIndices => write_jsonl_sparse_rows(w, docs, matrix)?,
                _ => write_jsonl_rows(w, model, docs, matrix)?,
            }
        }
        if let Some((_, w)) = &mut self.documents {
            write_document_rows(w, docs, self.rows)?;
        }
        if let Some((_, w)) = &mut self.body {
            match self.format {
                MatrixFormat::Mtx => matrix.write_matrix_market_entries(w, self.rows)?,
                MatrixFormat::JsonlIndices => write_jsonl_sparse_rows(w, docs, matrix)?,
                _ => write_jsonl_rows(w, model, docs, matrix)?,
            }
        }
        if let Some(all) = &mut self.npz {
            all.append(matrix);
        }
        self.rows += matrix.n_rows();
        self.nnz += matrix.nnz();
        Ok(())
    }

    /// Rows and stored values written so far.
    pub fn totals(&self) -> (usize, usize) {
        (self.rows, self.nnz)
    }

    /// Completes every file and moves it to its final name; writes vocabulary.tsv.
    pub fn finish(mut self, model: &FittedVectorizer) -> Result<()> {
        if let Some(mut w) = self.stdout.take() {
            w.flush()?;
        }
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        if let Some(all) = self.npz.take() {
            write_atomic(&dir.join("matrix.npz"), |w| all.write_npz(w))?;
        }
        if let Some((path, w)) = self.body.take() {
            w.into_inner().map_err(|e| e.into_error())?;
            match self.format {
                MatrixFormat::Mtx => {
                    let (rows, nnz, cols) = (self.rows, self.nnz, self.cols);
                    let result = write_atomic(&dir.join("matrix.mtx"), |w| {
                        write_matrix_market_header(w, rows, cols, nnz)?;
                        std::io::copy(&mut File::open(&path)?, w).map(|_| ())
                    });
                    let _ = std::fs::remove_file(&path);
                    result?;
                }
                _ => std::fs::rename(&path, dir.join("rows.jsonl"))?,
            }
        }
        write_vocabulary(&dir, model)?;
        if let Some((path, w)) = self.documents.take() {
            w.into_inner().map_err(|e| e.into_error())?;
            std::fs::rename(&path, dir.join("documents.tsv"))?;
        }
        Ok(())
    }
}

impl<V: Value> Drop for StreamOut<V> {
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
