//! Streamed vectorizing: a corpus read once, chunk by chunk, in bounded memory.
//!
//! Each chunk's statistics become a sorted run and its counts are spilled to a temporary file
//! ([`StreamedVectorize::add`]); the runs are merged ([`StreamedVectorize::merge`]), which can
//! save the model, and the columns chosen ([`StreamedMerge::columns`]); then the counts are
//! read back, mapped to columns and weighed block by block ([`StreamedRows::write`]). No term
//! list is held whole: memory is bounded by the chunk, plus a number per column (its idf) and
//! per term of each run (its column). The caller reads the chunks and writes the rows, so
//! progress and output formats stay its own.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::vectorize::{StreamedVectorize, Vectorizer};
//! let dir = tempfile::tempdir()?;
//! let settings = Vectorizer::default();
//! let mut stream = StreamedVectorize::new(&settings, dir.path())?;
//! for chunk in [["Troops remain at the bases."], ["The bases stay; a base."]] {
//!     stream.add(chunk.iter().map(|t| Document::new("x", *t)).collect())?;
//! }
//! let mut terms = Vec::new();
//! let rows = stream.merge()?.columns(&mut |_, term, _, _, _| Ok(terms.push(term.to_string())))?;
//! let mut n_rows = 0;
//! let report = rows.write::<f32, _, parallax::Error>(
//!     &|_| Ok(()),
//!     &mut |block, ()| Ok(n_rows += block.matrix.n_rows()),
//! )?;
//! assert_eq!((n_rows, report.documents), (2, 2));
//! assert!(terms.contains(&"base".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    ColumnSink, CountReport, Counts, MergedColumns, MergedStatistics, StreamedStatistics,
    Vectorizer,
};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::io::spill::{Spill, corrupt, decode_records};
use crate::matrix::{CsrMatrix, Value};

/// A vectorize in one streamed read, while the chunks come in.
pub struct StreamedVectorize<'s> {
    settings: &'s Vectorizer,
    runs: StreamedStatistics,
    spill: Spill,
    /// Documents per chunk, in order.
    chunk_docs: Vec<usize>,
    /// Tokens before filters removed any.
    tokens: u64,
}

impl<'s> StreamedVectorize<'s> {
    /// Starts a streamed vectorize with `settings`; the runs and the spilled counts go to
    /// temporary files in `dir` (removed at the end, or when dropped).
    ///
    /// # Errors
    ///
    /// Those of [`Vectorizer::validate`] and the analyzer's; [`Error::Io`] if the spill file
    /// cannot be created in `dir` (or is there already).
    pub fn new(settings: &'s Vectorizer, dir: &Path) -> Result<Self> {
        let runs = settings.runs(dir)?;
        Ok(StreamedVectorize {
            settings,
            runs,
            spill: Spill::create(dir)?,
            chunk_docs: Vec::new(),
            tokens: 0,
        })
    }

    /// Counts a chunk of documents and spills its counts. Only the documents' ids, titles and
    /// sources are kept (in the spill) for the rows; the texts are freed beside the next read.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a run or the spill cannot be written.
    pub fn add(&mut self, mut docs: Vec<Document>) -> Result<()> {
        let counts = self.runs.add_rows(&mut docs)?;
        self.tokens += counts.tokens;
        self.chunk_docs.push(docs.len());
        self.spill.write(&docs, &counts.rows, &counts.doc_lens)?;
        // Freeing a chunk's many small allocations takes a while: it is done beside the
        // reading of the next chunk, not before it.
        rayon::spawn(move || drop((docs, counts)));
        Ok(())
    }

    /// Merges the statistics of every chunk added.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a run set aside cannot be read.
    pub fn merge(self) -> Result<StreamedMerge<'s>> {
        Ok(StreamedMerge {
            merged: self.runs.finish()?,
            settings: self.settings,
            spill: self.spill,
            chunk_docs: self.chunk_docs,
            tokens: self.tokens,
        })
    }
}

/// A streamed vectorize's merged statistics, before the columns are chosen.
pub struct StreamedMerge<'s> {
    settings: &'s Vectorizer,
    merged: MergedStatistics,
    spill: Spill,
    chunk_docs: Vec<usize>,
    tokens: u64,
}

impl<'s> StreamedMerge<'s> {
    /// Documents added.
    pub fn n_docs(&self) -> u64 {
        self.merged.n_docs()
    }

    /// Writes the model these statistics fit (as [`model::write_model`](crate::io::model::write_model)
    /// would write the fitted model) to `out`.
    ///
    /// # Errors
    ///
    /// The writer's errors, and fitting's (an empty vocabulary, a run that cannot be read) as
    /// I/O errors carrying them.
    pub fn write_model(&mut self, out: &mut (dyn std::io::Write + Send)) -> std::io::Result<()> {
        crate::io::model::write_model_merged(self.settings, &mut self.merged, out)?;
        self.merged.restart();
        Ok(())
    }

    /// Chooses the columns, as a fit on all the documents would: each goes to `column` (its
    /// number, term, surface form, df and idf) as it is chosen, in column order.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyVocabulary`] if no term is left; [`Error::Io`] if a run cannot be read;
    /// the errors `column` returns.
    pub fn columns(mut self, column: &mut ColumnSink<'_>) -> Result<StreamedRows> {
        let columns = self.settings.columns_of_merged(&mut self.merged, column)?;
        Ok(StreamedRows {
            columns,
            spill: self.spill,
            chunk_docs: self.chunk_docs,
            tokens: self.tokens,
        })
    }
}

/// A streamed vectorize's columns, ready to weigh the spilled counts into rows.
pub struct StreamedRows {
    columns: MergedColumns,
    spill: Spill,
    chunk_docs: Vec<usize>,
    tokens: u64,
}

/// A block of rows of a streamed vectorize: the documents (id, title and source only), their
/// weighted rows, and the number of the first.
pub struct RowBlock<V: Value> {
    /// The block's documents, without their texts.
    pub docs: Vec<Document>,
    /// Their rows.
    pub matrix: CsrMatrix<V>,
    /// The row number of the first document (from 0).
    pub first_row: usize,
}

impl StreamedRows {
    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns.n_columns()
    }

    /// The rows and the stored values the matrix will have (known before it is weighed).
    pub fn expected(&self) -> (usize, usize) {
        (self.columns.n_docs as usize, self.columns.stored_values)
    }

    /// Weighs the rows in blocks, in order: each block is decoded, mapped to columns, weighed
    /// and given to `prepare` as one task, the tasks in parallel on the thread pool, while
    /// this thread gives the blocks before them to `write` with what `prepare` made of them
    /// (formatted bytes, say). Returns what counting saw.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the spilled counts cannot be read back or do not match the documents
    /// counted; the errors `prepare` and `write` return.
    pub fn write<V, T, E>(
        mut self,
        prepare: &(dyn Fn(&RowBlock<V>) -> Result<T, E> + Sync),
        write: &mut dyn FnMut(RowBlock<V>, T) -> Result<(), E>,
    ) -> Result<CountReport, E>
    where
        V: Value,
        T: Send,
        E: From<Error> + Send,
    {
        let mut report = CountReport {
            documents: 0,
            tokens: self.tokens,
            out_of_vocabulary: self.columns.pruned_occurrences,
            empty_rows: 0,
        };
        const BLOCK_ROWS: usize = 2048;
        let batch_len = 2 * rayon::current_num_threads();
        let mut back = self.spill.read_back()?;
        /// A block's spilled records, its first row and its chunk's column map.
        type Raw = (Vec<u8>, usize, Arc<Vec<Option<u32>>>);
        let (columns, spill_path) = (&self.columns, self.spill.path());
        // The next chunk, the documents left in the current one, and its terms' columns.
        let (mut chunk, mut left, mut to_col) = (0, 0, Arc::new(Vec::new()));
        let mut first_row = 0;
        let chunk_docs = &self.chunk_docs;
        // Cutting the spill into blocks is the only sequential part.
        let mut next_raws = || -> Result<Vec<Raw>> {
            let mut raws = Vec::with_capacity(batch_len);
            while raws.len() < batch_len {
                while left == 0 {
                    let Some(&n_docs) = chunk_docs.get(chunk) else {
                        return Ok(raws);
                    };
                    left = n_docs;
                    to_col = Arc::new(columns.run_columns(chunk));
                    chunk += 1;
                }
                let Some((bytes, n)) = back.next_records(left.min(BLOCK_ROWS))? else {
                    return Err(corrupt(spill_path, "the spilled counts end early"));
                };
                raws.push((bytes, first_row, Arc::clone(&to_col)));
                left -= n;
                first_row += n;
            }
            Ok(raws)
        };
        let make = |(bytes, first_row, to_col): &Raw| -> Result<(RowBlock<V>, T), E> {
            let (docs, rows, lens) = decode_records(bytes, spill_path)?;
            let counts = Counts::from_terms(rows, lens, to_col);
            let block = RowBlock {
                docs,
                matrix: columns.weigh_counts(&counts),
                first_row: *first_row,
            };
            let prepared = prepare(&block)?;
            Ok((block, prepared))
        };
        let mut next_batch =
            || -> Result<Vec<(RowBlock<V>, T)>, E> { next_raws()?.par_iter().map(&make).collect() };
        let mut batch = next_batch()?;
        while !batch.is_empty() {
            let (mut prepared, mut written) = (Ok(Vec::new()), Ok(()));
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| prepared = next_batch());
                written = batch.drain(..).try_for_each(|(block, made)| {
                    report.documents += block.matrix.n_rows();
                    report.empty_rows += block.matrix.empty_rows();
                    write(block, made)
                });
            });
            written?;
            batch = prepared?;
        }
        if back.next_records(1)?.is_some() {
            return Err(corrupt(spill_path, "the spilled counts run past the documents").into());
        }
        Ok(report)
    }
}
