//! Vectorizing: count terms, fit a vocabulary with document frequencies, weigh, build CSR.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::vectorize::Vectorizer;
//! let docs = vec![Document::new("a", "Troops remain at the bases."), Document::new("b", "The bases stay; a base.")];
//! let (model, matrix) = Vectorizer::default().fit_transform::<f32>(&docs).unwrap();
//! assert_eq!(matrix.n_rows(), 2);
//! assert_eq!(model.surface(model.column("base").unwrap()), "bases");
//! ```

mod count;
mod options;
pub use crate::tokens::TokenizedBatch;
mod params;
mod preset;
mod runs;
mod stats;
mod stream;
mod summary;
mod update;
mod weighting;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use options::{Fitted, TransformOptions, Transformed};
use params::ColumnPicker;
pub use params::{DfLimit, VocabularyParams, read_vocabulary};
pub use preset::{Preset, WeightingOptions};
#[cfg(test)]
use runs::RunRows;
pub use runs::{MergedBatch, MergedStatistics, StreamedStatistics};
pub use stats::{Statistics, TermStats};
pub use stream::{RowBlock, StreamedMerge, StreamedRows, StreamedVectorize};
pub use summary::CorpusSummary;
pub use update::merge_models;
pub use weighting::{Idf, Norm, Tf, Weighting};

use crate::analysis::{AnalysisConfig, Analyzer};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};
use crate::tokens::{NONE, TokenizedCorpus, TokenizedCorpusBuilder};
use count::{Counted, count, count_lexed};

/// Settings for fitting: analysis, vocabulary and weighting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vectorizer {
    /// The analysis pipeline.
    pub analysis: AnalysisConfig,
    /// Vocabulary limits.
    pub vocabulary: VocabularyParams,
    /// Weighting scheme.
    pub weighting: Weighting,
}

/// What counting saw: tokens, empty rows, out-of-vocabulary tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountReport {
    /// Documents processed.
    pub documents: usize,
    /// Tokens before filtering.
    pub tokens: u64,
    /// Term occurrences not in the vocabulary (pruned at fit, or unseen at transform).
    pub out_of_vocabulary: u64,
    /// Rows with no stored value.
    pub empty_rows: usize,
}

impl std::ops::AddAssign<&CountReport> for CountReport {
    /// Adds the report of another chunk of documents.
    fn add_assign(&mut self, other: &CountReport) {
        self.documents += other.documents;
        self.tokens += other.tokens;
        self.out_of_vocabulary += other.out_of_vocabulary;
        self.empty_rows += other.empty_rows;
    }
}

/// Documents as one analysis pipeline cut and analyzed them (every distinct spelling analyzed
/// once), kept for stages that read the tokens again, such as keywords. Made by
/// [`Vectorizer::fit_tokenized`] or [`FittedVectorizer::tokenize`].
pub struct TokenizedDocuments<'a> {
    pub(crate) docs: &'a [Document],
    pub(crate) config: AnalysisConfig,
    pub(crate) lexed: TokenizedCorpus,
}

impl TokenizedDocuments<'_> {
    /// The documents.
    pub fn docs(&self) -> &[Document] {
        self.docs
    }

    /// The analysis they went through.
    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }
}

/// What a fit from counts returns: the model, the counts, each counted term's column (`None`
/// if pruned), the counting report and, if asked for, the analyzed corpus.
type FittedCounts = (
    FittedVectorizer,
    Counted,
    Vec<Option<u32>>,
    CountReport,
    Option<TokenizedCorpus>,
);

/// A corpus being tokenized batch by batch (made by [`Vectorizer::tokenizer`]): it keeps each
/// batch's distinct spellings and token ids, not the texts.
pub struct CorpusTokenizer {
    analyzer: Analyzer,
    lexer: TokenizedCorpusBuilder,
}

impl CorpusTokenizer {
    /// Tokenizes a batch of documents (in parallel); they follow the batches added before.
    pub fn add(&mut self, docs: &[Document]) {
        self.lexer.add(&self.analyzer, docs);
    }

    /// Tokenizes documents without adding them, so batches can be tokenized on many threads at
    /// once (by a reader, say); [`CorpusTokenizer::push`] then adds them in order.
    pub fn tokenize(&self, docs: &[Document]) -> TokenizedBatch {
        TokenizedCorpusBuilder::tokenize(&self.analyzer, docs)
    }

    /// Adds documents tokenized by [`CorpusTokenizer::tokenize`] after those added before.
    pub fn push(&mut self, docs: TokenizedBatch) {
        self.lexer.push(docs);
    }

    /// Documents added so far.
    pub fn n_docs(&self) -> usize {
        self.lexer.n_docs()
    }
}

/// Documents' term counts by column of a fitted model (made by [`Vectorizer::fit_tokens`],
/// weighed and written by [`io::rows::write_vectorized`](crate::io::rows::write_vectorized)).
pub struct Counts {
    /// Per document: (column, count), sorted by column.
    rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept single-term tokens (the length BM25 uses).
    doc_lens: Vec<u32>,
}

impl Counts {
    /// Counts by column from rows of (term id, count), each term id at most once a row, and
    /// each document's length (kept single-term tokens, what BM25 uses). `column[t]` is term
    /// `t`'s column, `None` if it has none (its counts are dropped); a term id beyond
    /// `column` panics.
    pub(crate) fn from_terms(
        mut rows: Vec<Vec<(u32, u32)>>,
        doc_lens: Vec<u32>,
        column: &[Option<u32>],
    ) -> Counts {
        assert_eq!(rows.len(), doc_lens.len(), "one length per row");
        rows.par_iter_mut()
            .with_min_len(256)
            .for_each(|row| to_columns(row, column));
        Counts { rows, doc_lens }
    }

    /// Number of documents.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }
}

/// A fitted vectorizer: the analysis, weighting and vocabulary it learned. Only this type can
/// transform, and transforming never changes it.
#[derive(Debug, Clone)]
pub struct FittedVectorizer {
    pub(crate) analysis: AnalysisConfig,
    pub(crate) weighting: Weighting,
    pub(crate) vocabulary: VocabularyParams,
    pub(crate) n_docs: u64,
    pub(crate) avg_doc_len: f64,
    pub(crate) terms: Vec<String>,
    pub(crate) surfaces: Vec<String>,
    pub(crate) df: Vec<u64>,
    idf: Vec<f64>,
    /// Everything counted at fit, unpruned: what `merge` and `fit --update` add to.
    pub(crate) statistics: Statistics,
    /// Term → column, built on first use (fit_transform never needs it).
    index: std::sync::OnceLock<FxHashMap<String, u32>>,
    analyzer: std::sync::Arc<Analyzer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", self.config())
            .finish()
    }
}

impl Vectorizer {
    /// Learns the vocabulary, document frequencies and surface forms from `docs`.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a setting [`Vectorizer::validate`] rejects; [`Error::EmptyVocabulary`]
    /// for no documents, or if `min_df` and `max_df` keep no term.
    pub fn fit(&self, docs: &[Document]) -> Result<FittedVectorizer> {
        Ok(self.fit_counts(docs, false)?.0)
    }

    /// Fits like [`Vectorizer::fit`] and keeps the corpus as analyzed, so later stages
    /// (keywords) reuse it instead of analyzing the documents again.
    ///
    /// # Errors
    ///
    /// As [`Vectorizer::fit`].
    pub fn fit_tokenized<'a>(
        &self,
        docs: &'a [Document],
    ) -> Result<(FittedVectorizer, TokenizedDocuments<'a>)> {
        let (model, _, _, _, lexed) = self.fit_counts(docs, true)?;
        let lexed = lexed.expect("fit_counts keeps the analysis when asked");
        Ok((
            model,
            TokenizedDocuments {
                docs,
                config: self.analysis.clone(),
                lexed,
            },
        ))
    }

    /// Counts the corpus and learns the model; returns the counts, each term's column and, if
    /// `keep_lexed`, the analyzed corpus.
    fn fit_counts(&self, docs: &[Document], keep_lexed: bool) -> Result<FittedCounts> {
        self.validate()?;
        let analyzer = Analyzer::new(&self.analysis)?;
        self.fit_lexed(&analyzer, TokenizedCorpus::new(&analyzer, docs), keep_lexed)
    }

    /// Like `fit_counts`, from a corpus already tokenized.
    fn fit_lexed(
        &self,
        analyzer: &Analyzer,
        lexed: TokenizedCorpus,
        keep_lexed: bool,
    ) -> Result<FittedCounts> {
        let n_docs = lexed.n_docs();
        if n_docs == 0 {
            return Err(Error::EmptyVocabulary("no documents to fit".into()));
        }
        let trace = crate::trace::Trace::start();
        let mut lexed = lexed;
        // Counting takes the terms; a kept analysis (keywords read it again) keeps a copy.
        let kept_terms = keep_lexed.then(|| lexed.terms.clone());
        let (mut counted, surfaces) = count_lexed(analyzer, &mut lexed, n_docs, true);
        if let Some(terms) = kept_terms {
            lexed.terms = terms;
        }
        // Freed memory stays with the allocator for the phases ahead: giving it back to the
        // system (malloc_trim) did not lower the peak and cost a page fault per 4 KiB reused.
        if !keep_lexed {
            lexed.release_tokens();
        }
        trace.mark("fit: counted");
        let (stats, index) =
            Statistics::from_counted(&mut counted, surfaces, &lexed, n_docs as u64);
        let lexed = keep_lexed.then_some(lexed);
        trace.mark("fit: statistics");
        let (model, stat_to_col) = self.fit_statistics_columns(stats)?;
        trace.mark("fit: model");
        let term_to_col: Vec<Option<u32>> =
            index.iter().map(|&i| stat_to_col[i as usize]).collect();
        let out_of_vocabulary = model.statistics.pruned_occurrences(&stat_to_col);
        let report = CountReport {
            documents: n_docs,
            tokens: counted.tokens,
            out_of_vocabulary,
            empty_rows: 0,
        };
        Ok((model, counted, term_to_col, report, lexed))
    }

    /// Starts tokenizing a corpus batch by batch, for [`Vectorizer::fit_tokens`]:
    /// once a batch is added its texts are no longer needed, so a reader can drop them.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a setting [`Vectorizer::validate`] rejects.
    pub fn tokenizer(&self) -> Result<CorpusTokenizer> {
        self.validate()?;
        Ok(CorpusTokenizer {
            analyzer: Analyzer::new(&self.analysis)?,
            lexer: TokenizedCorpusBuilder::default(),
        })
    }

    /// Fits from documents tokenized batch by batch; returns the model and the documents'
    /// counts by column, which [`io::rows::write_vectorized`](crate::io::rows::write_vectorized)
    /// weighs block by block as it writes them (so the whole matrix is never held).
    /// `empty_rows` is left at 0.
    ///
    /// # Errors
    ///
    /// As [`Vectorizer::fit`].
    pub fn fit_tokens(
        &self,
        tokens: CorpusTokenizer,
    ) -> Result<(FittedVectorizer, Counts, CountReport)> {
        let lexed = tokens.lexer.finish(&tokens.analyzer);
        let (model, counted, term_to_col, report, _) =
            self.fit_lexed(&tokens.analyzer, lexed, false)?;
        let counts = Counts::from_terms(counted.rows, counted.doc_lens, &term_to_col);
        Ok((model, counts, report))
    }

    /// Counts documents into statistics only (for `fit --shard` and `fit --update`): no
    /// vocabulary is chosen, nothing is weighted.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for an n-gram range [`AnalysisConfig::validate`] rejects (the other
    /// settings are not used, nor checked).
    pub fn statistics(&self, docs: &[Document]) -> Result<Statistics> {
        let analyzer = Analyzer::new(&self.analysis)?;
        let mut lexed = TokenizedCorpus::new(&analyzer, docs);
        let (mut counted, surfaces) = count_lexed(&analyzer, &mut lexed, docs.len(), true);
        Ok(Statistics::from_counted(&mut counted, surfaces, &lexed, docs.len() as u64).0)
    }

    /// Starts summing statistics chunk by chunk through sorted runs (a streamed `fit`, `fit
    /// --shard` or `fit --update`): memory stays bounded however large the vocabulary grows.
    /// Runs beyond an in-memory budget go to a temporary directory in `spill_dir`.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a setting [`Vectorizer::validate`] rejects (the directory is made
    /// only when a run first goes to a file).
    pub fn runs(&self, spill_dir: &std::path::Path) -> Result<StreamedStatistics> {
        self.validate()?;
        Ok(StreamedStatistics::new(
            Analyzer::new(&self.analysis)?,
            spill_dir,
        ))
    }

    /// The settings a fitted model was made with.
    pub fn of(model: &FittedVectorizer) -> Vectorizer {
        Vectorizer {
            analysis: model.analysis.clone(),
            vocabulary: model.vocabulary.clone(),
            weighting: model.weighting,
        }
    }

    /// Checks every setting.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] naming the setting: as [`AnalysisConfig::validate`],
    /// [`VocabularyParams::validate`] and [`Weighting::validate`].
    pub fn validate(&self) -> Result<()> {
        self.analysis.validate()?;
        self.vocabulary.validate()?;
        self.weighting.validate()
    }

    /// Learns a model from statistics (a fit, or merged shards): chooses the columns, their
    /// surface forms and idf.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a setting [`Vectorizer::validate`] rejects, or for statistics
    /// [`Statistics::validate`] rejects; [`Error::EmptyVocabulary`] for statistics of no documents,
    /// or if `min_df` and `max_df` keep no term.
    pub fn fit_statistics(&self, statistics: Statistics) -> Result<FittedVectorizer> {
        Ok(self.fit_columns(statistics)?.0)
    }

    /// Like [`Vectorizer::fit_statistics`]; also returns, for every term of the statistics, its
    /// column (`None` if pruned).
    fn fit_statistics_columns(
        &self,
        statistics: Statistics,
    ) -> Result<(FittedVectorizer, Vec<Option<u32>>)> {
        let (model, columns) = self.fit_columns(statistics)?;
        let mut stat_to_col = vec![None; model.statistics.terms.len()];
        for (col, &stat) in columns.iter().enumerate() {
            if stat != NONE {
                stat_to_col[stat as usize] = Some(col as u32);
            }
        }
        Ok((model, stat_to_col))
    }

    /// Like [`Vectorizer::fit_statistics`]; also returns, per column, the index of its term in
    /// the statistics (`NONE` for a fixed term never seen).
    fn fit_columns(&self, statistics: Statistics) -> Result<(FittedVectorizer, Vec<u32>)> {
        self.validate()?;
        statistics.validate()?;
        if statistics.n_docs == 0 {
            return Err(Error::EmptyVocabulary("no documents to fit".into()));
        }
        let stats = &statistics.terms;
        let terms: Vec<&str> = stats.iter().map(|t| t.term.as_str()).collect();
        let df: Vec<u64> = stats.iter().map(|t| t.df).collect();
        let cf: Vec<u64> = stats.iter().map(|t| t.cf).collect();
        let columns = self
            .vocabulary
            .select(&terms, &df, &cf, statistics.n_docs)?;
        let model_terms: Vec<String> = match &self.vocabulary.fixed {
            Some(fixed) => fixed.clone(),
            None => columns
                .par_iter()
                .with_min_len(4096)
                .map(|&t| terms[t as usize].to_string())
                .collect(),
        };
        let surfaces: Vec<String> = columns
            .par_iter()
            .with_min_len(4096)
            .zip(&model_terms)
            .map(|(&t, term)| match t {
                NONE => term.clone(),
                t => stats[t as usize].best_surface().unwrap_or(term).to_string(),
            })
            .collect();
        let model_df: Vec<u64> = columns
            .iter()
            .map(|&t| if t == NONE { 0 } else { df[t as usize] })
            .collect();
        let model = FittedVectorizer::from_parts(
            self.analysis.clone(),
            self.weighting,
            self.vocabulary.clone(),
            statistics,
            model_terms,
            surfaces,
            model_df,
        )?;
        Ok((model, columns))
    }
}

impl FittedVectorizer {
    /// Assembles a fitted vectorizer from its learned parts, checking them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        analysis: AnalysisConfig,
        weighting: Weighting,
        vocabulary: VocabularyParams,
        statistics: Statistics,
        terms: Vec<String>,
        surfaces: Vec<String>,
        df: Vec<u64>,
    ) -> Result<Self> {
        let n_docs = statistics.n_docs;
        let avg_doc_len = statistics.total_len as f64 / n_docs.max(1) as f64;
        if terms.len() != surfaces.len() || terms.len() != df.len() {
            return Err(Error::param(
                "model",
                "parts",
                "terms, surfaces and df differ in length",
            ));
        }
        if let Some(w) = terms.par_windows(2).find_first(|w| w[0] >= w[1]) {
            return Err(Error::param(
                "model",
                &w[1],
                "terms must be sorted and unique",
            ));
        }
        let analyzer = std::sync::Arc::new(Analyzer::new(&analysis)?);
        let idf = df
            .iter()
            .map(|&d| weighting.idf.weight(d, n_docs))
            .collect();
        let index = std::sync::OnceLock::new();
        Ok(FittedVectorizer {
            analysis,
            weighting,
            vocabulary,
            n_docs,
            avg_doc_len,
            terms,
            surfaces,
            df,
            idf,
            index,
            analyzer,
            statistics,
        })
    }

    /// Number of columns.
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }

    /// Terms in column order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Shown surface forms in column order.
    pub fn surfaces(&self) -> &[String] {
        &self.surfaces
    }

    /// The most frequent surface form of a column's term.
    pub fn surface(&self, col: usize) -> &str {
        &self.surfaces[col]
    }

    /// Document frequency of a column's term at fit.
    pub fn df(&self, col: usize) -> u64 {
        self.df[col]
    }

    /// The stored values of the matrix of the very documents this model was fitted on: one
    /// per document holding a column's term, except in columns whose idf is zero (every tf is
    /// positive for a positive count, so only the idf can make a weight zero). A streamed
    /// vectorize states it in the Matrix Market header before writing any row, and checks it.
    pub fn fitted_stored_values(&self) -> usize {
        self.df
            .iter()
            .zip(&self.idf)
            .filter(|&(_, &idf)| idf != 0.0)
            .map(|(&df, _)| df as usize)
            .sum()
    }

    /// Learned idf of a column.
    pub fn idf(&self, col: usize) -> f64 {
        self.idf[col]
    }

    /// The column of a term, if in the vocabulary.
    pub fn column(&self, term: &str) -> Option<usize> {
        self.index().get(term).map(|&c| c as usize)
    }

    /// The statistics the model was fitted from (all terms, before pruning).
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    fn index(&self) -> &FxHashMap<String, u32> {
        self.index.get_or_init(|| {
            self.terms
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), i as u32))
                .collect()
        })
    }

    /// Documents seen at fit.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// The analysis pipeline.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The weighting scheme.
    pub fn weighting(&self) -> &Weighting {
        &self.weighting
    }

    /// The same vocabulary and statistics under another weighting (for example BM25 for
    /// retrieval, or binary term sets); idf is recomputed from the learned document frequencies.
    pub fn with_weighting(&self, weighting: Weighting) -> FittedVectorizer {
        let mut model = self.clone();
        model.idf = self
            .df
            .iter()
            .map(|&d| weighting.idf.weight(d, self.n_docs))
            .collect();
        model.weighting = weighting;
        model
    }

    /// Tokenizes documents with the model's analysis (every distinct spelling analyzed once),
    /// for stages that read the tokens again (keywords).
    pub fn tokenize<'a>(&self, docs: &'a [Document]) -> TokenizedDocuments<'a> {
        TokenizedDocuments {
            docs,
            config: self.analysis.clone(),
            lexed: TokenizedCorpus::new(&self.analyzer, docs),
        }
    }

    /// Counts documents with the model's analysis; returns the counts and each counted term's
    /// column (`None` for terms outside the vocabulary).
    fn count_columns(&self, docs: &[Document]) -> (Counted, Vec<Option<u32>>) {
        let counted = count(&self.analyzer, docs);
        let term_to_col = counted
            .terms
            .iter()
            .map(|t| self.index().get(t.as_str()).copied())
            .collect();
        (counted, term_to_col)
    }

    /// Turns counts into weighted rows. The rows are mapped to columns, then weighed in
    /// parallel straight into one matrix allocated at its final size, so no copy of the matrix
    /// is ever made.
    fn weigh<V: Value>(&self, counted: &Counted, term_to_col: &[Option<u32>]) -> CsrMatrix<V> {
        let rows: Vec<Vec<(u32, u32)>> = counted
            .rows
            .par_iter()
            .with_min_len(256)
            .map(|row| {
                let mut row = row.clone();
                to_columns(&mut row, term_to_col);
                row
            })
            .collect();
        self.weigh_columns(&rows, &counted.doc_lens)
    }

    /// The stored values and the empty rows that weighing all of `counts` gives, counted
    /// without weighing (what a Matrix Market header needs before the rows).
    pub(crate) fn stored_values(&self, counts: &Counts) -> (usize, usize) {
        counts
            .rows
            .par_iter()
            .zip(counts.doc_lens.par_iter())
            .with_min_len(256)
            .map(|(row, &len)| {
                let n = self
                    .weighting
                    .stored(row, &self.idf, len as f64, self.avg_doc_len);
                (n, usize::from(n == 0))
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    /// Weighs rows `range` of counts made by [`Vectorizer::fit_tokens`] for this model (or by
    /// `Counts::from_terms` with this model's columns; a column beyond them panics).
    pub(crate) fn weigh_counts<V: Value>(
        &self,
        counts: &Counts,
        range: std::ops::Range<usize>,
    ) -> CsrMatrix<V> {
        self.weigh_columns(&counts.rows[range.clone()], &counts.doc_lens[range])
    }

    /// Weighs a matrix of raw counts of this model's terms (from
    /// [`FittedVectorizer::transform_with`] and [`TransformOptions::counts`]): the rows a transform with this weighting would
    /// give, without analyzing the documents again. A row's length (for BM25's tf) is the sum
    /// of its counts, so terms outside the vocabulary do not count in it.
    pub fn weigh_count_matrix<V: Value>(&self, counts: &CsrMatrix<f64>) -> CsrMatrix<V> {
        let (rows, lens): (Vec<Vec<(u32, u32)>>, Vec<u32>) = (0..counts.n_rows())
            .into_par_iter()
            .with_min_len(256)
            .map(|r| {
                let (cols, vals) = counts.row(r);
                let row: Vec<(u32, u32)> = cols
                    .iter()
                    .zip(vals)
                    .map(|(&c, &v)| (c, v.round().clamp(0.0, u32::MAX as f64) as u32))
                    .collect();
                let len = row.iter().map(|&(_, c)| u64::from(c)).sum::<u64>();
                (row, len.min(u64::from(u32::MAX)) as u32)
            })
            .unzip();
        self.weigh_columns(&rows, &lens)
    }

    fn weigh_columns<V: Value>(&self, rows: &[Vec<(u32, u32)>], lens: &[u32]) -> CsrMatrix<V> {
        weigh_rows(&self.weighting, &self.idf, self.avg_doc_len, rows, lens)
    }
}

/// Weighs rows of (column, count) into a matrix with a column per idf.
fn weigh_rows<V: Value>(
    weighting: &Weighting,
    idf: &[f64],
    avg_doc_len: f64,
    rows: &[Vec<(u32, u32)>],
    lens: &[u32],
) -> CsrMatrix<V> {
    // Each row gets a slot as long as its counts; weighing can only drop entries (a weight
    // of zero), and the rare gaps that leaves are closed afterwards.
    let mut slots = Vec::with_capacity(rows.len() + 1);
    slots.push(0usize);
    for row in rows {
        slots.push(slots.last().unwrap() + row.len());
    }
    let total = *slots.last().unwrap();
    let mut indices = vec![0u32; total];
    let mut data = vec![V::from_f64(0.0); total];
    let mut filled = vec![0usize; rows.len()];
    {
        // Disjoint slices of the output, one per row.
        let mut parts: Vec<(&mut [u32], &mut [V])> = Vec::with_capacity(rows.len());
        let (mut idx, mut val) = (&mut indices[..], &mut data[..]);
        for row in rows {
            let (a, rest_i) = idx.split_at_mut(row.len());
            let (b, rest_v) = val.split_at_mut(row.len());
            parts.push((a, b));
            idx = rest_i;
            val = rest_v;
        }
        parts
            .into_par_iter()
            .zip(rows.par_iter())
            .zip(lens.par_iter())
            .zip(filled.par_iter_mut())
            .with_min_len(256)
            .for_each_init(Vec::new, |weights, ((((idx, val), row), &len), filled)| {
                weighting.weigh_row(row, idf, len as f64, avg_doc_len, weights);
                for (k, &(c, w)) in weights.iter().enumerate() {
                    idx[k] = c;
                    val[k] = V::from_f64(w);
                }
                *filled = weights.len();
            });
    }
    let mut indptr = Vec::with_capacity(filled.len() + 1);
    indptr.push(0usize);
    let mut end = 0;
    for (r, &n) in filled.iter().enumerate() {
        if end != slots[r] {
            indices.copy_within(slots[r]..slots[r] + n, end);
            data.copy_within(slots[r]..slots[r] + n, end);
        }
        end += n;
        indptr.push(end);
    }
    indices.truncate(end);
    data.truncate(end);
    CsrMatrix::try_new(idf.len(), indptr, indices, data)
        .expect("weighed rows are sorted, in range and consistent")
}

/// The columns a streamed `vectorize` chose from merged statistics
/// (`Vectorizer::columns_of_merged`): how each run's terms map to columns, and each column's
/// weight. No term text is kept.
pub(crate) struct MergedColumns {
    /// Per chunk (in order), per term of its run: its column, or `NONE`.
    maps: Vec<Vec<u32>>,
    weighting: Weighting,
    idf: Vec<f64>,
    avg_doc_len: f64,
    /// Documents fitted.
    pub n_docs: u64,
    /// Values their rows will store (weights of zero are not stored).
    pub stored_values: usize,
    /// Occurrences of terms left out of the vocabulary.
    pub pruned_occurrences: u64,
}

impl MergedColumns {
    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.idf.len()
    }

    /// Per term of the run of chunk `chunk` (numbered from 0 in the order added), its column.
    pub(crate) fn run_columns(&self, chunk: usize) -> Vec<Option<u32>> {
        let column = |&c: &u32| (c != NONE).then_some(c);
        self.maps[chunk].iter().map(column).collect()
    }

    /// Weighs counts whose terms are columns already.
    pub(crate) fn weigh_counts<V: Value>(&self, counts: &Counts) -> CsrMatrix<V> {
        let (rows, lens) = (&counts.rows, &counts.doc_lens);
        weigh_rows(&self.weighting, &self.idf, self.avg_doc_len, rows, lens)
    }
}

/// A column's term, shown surface form, df and idf, as [`StreamedMerge::columns`] gives
/// them to its caller, in column order.
pub type ColumnSink<'a> = dyn FnMut(usize, &str, &str, u64, f64) -> Result<()> + 'a;

impl Vectorizer {
    /// Checks the settings and the merged statistics as a fit does, and starts choosing the
    /// columns.
    pub(crate) fn merged_picker(&self, merged: &MergedStatistics) -> Result<ColumnPicker<'_>> {
        self.validate()?;
        if merged.n_docs() == 0 {
            return Err(Error::EmptyVocabulary("no documents to fit".into()));
        }
        self.vocabulary.picker(merged.n_docs())
    }

    /// Chooses the columns from merged statistics (a streamed `vectorize`), as
    /// [`Vectorizer::fit_statistics_columns`] would from the same statistics, without holding
    /// the terms: each column goes to `column` as it is chosen, and each run's terms are mapped
    /// to their columns. One pass over the merge, or two with a fixed vocabulary or
    /// `--max-features` (whose columns are known only at the end of the first).
    pub(crate) fn columns_of_merged(
        &self,
        merged: &mut MergedStatistics,
        column: &mut ColumnSink<'_>,
    ) -> Result<MergedColumns> {
        let picker = self.merged_picker(merged)?;
        let n_docs = merged.n_docs();
        let (mut idf, mut stored_values) = (Vec::new(), 0usize);
        let mut add_column = |term: &str, surface: &str, df: u64| -> Result<u32> {
            let weight = self.weighting.idf.weight(df, n_docs);
            if weight != 0.0 {
                stored_values += df as usize;
            }
            column(idf.len(), term, surface, df, weight)?;
            idf.push(weight);
            Ok(idf.len() as u32 - 1)
        };
        // A choice that holds terms back is made in a first pass; then every term within the
        // df bounds is a column as it comes (`plain`).
        let (held, mut plain) = if picker.holds_back() {
            let mut picker = picker;
            loop {
                let batch = merged.next_batch()?;
                if batch.terms.is_empty() {
                    break;
                }
                batch.terms.iter().for_each(|t| picker.offer(t));
            }
            merged.restart();
            let held = picker.finish()?;
            for c in &held {
                add_column(&c.term, &c.surface, c.df)?;
            }
            (Some(held), None)
        } else {
            (None, Some(picker))
        };
        let mut maps: Vec<Vec<u32>> = vec![Vec::new(); merged.n_runs()];
        let mut pruned_occurrences = 0;
        loop {
            let batch = merged.next_batch()?;
            if batch.terms.is_empty() {
                break;
            }
            let mut kept = 0;
            for (i, t) in batch.terms.iter().enumerate() {
                let col = match (&held, &plain) {
                    (Some(held), _) => held
                        .binary_search_by(|c| c.term.as_str().cmp(&t.term))
                        .ok()
                        .map(|c| c as u32),
                    (None, Some(picker)) if picker.keeps(t.df) => {
                        kept += 1;
                        let shown = t.best_surface().unwrap_or(&t.term);
                        Some(add_column(&t.term, shown, t.df)?)
                    }
                    _ => None,
                };
                if col.is_none() {
                    pruned_occurrences += t.cf;
                }
                for &run in batch.runs_of(i) {
                    maps[run as usize].push(col.unwrap_or(NONE));
                }
            }
            if let Some(picker) = &mut plain {
                picker.count(batch.terms.len(), kept);
            }
        }
        if let Some(picker) = plain {
            // Nothing within the df bounds is refused here, as a fit refuses it.
            picker.finish()?;
        }
        // Per chunk: the columns of its terms, through the merged run they ended up in. A
        // chunk's own run serves that chunk alone, so its columns are moved, not copied.
        let maps = merged
            .chunk_places()
            .into_iter()
            .map(|(run, places)| match places {
                None => std::mem::take(&mut maps[run]),
                Some(places) => places.iter().map(|&p| maps[run][p as usize]).collect(),
            })
            .collect();
        Ok(MergedColumns {
            maps,
            weighting: self.weighting,
            idf,
            avg_doc_len: merged.total_len() as f64 / n_docs as f64,
            n_docs,
            stored_values,
            pruned_occurrences,
        })
    }
}

/// Turns a row of (term id, count) into (column, count) sorted by column, in place, without
/// terms outside the vocabulary.
fn to_columns(row: &mut Vec<(u32, u32)>, term_to_col: &[Option<u32>]) {
    row.retain_mut(|entry| match term_to_col[entry.0 as usize] {
        Some(col) => {
            entry.0 = col;
            true
        }
        None => false,
    });
    row.sort_unstable_by_key(|&(col, _)| col);
}

/// Short documents whose words share stems in several spellings, one empty: for tests of what
/// a fit chooses.
#[cfg(test)]
pub(crate) fn shared_stem_docs() -> Vec<Document> {
    [
        "Troops left the bases; the troops stayed.",
        "Bases, a base and BASES again",
        "Troop movements near the base",
        "Nothing in common at all",
        "",
        "Stayed, staying, stays: the troop's base",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| Document::new(format!("d{i}"), *t))
    .collect()
}

#[cfg(test)]
mod tests;
