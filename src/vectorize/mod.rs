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
pub(crate) use count::Trace;
mod params;
mod stats;
mod weighting;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use params::{DfLimit, VocabularyParams};
pub use stats::{Statistics, TermStats};
pub use weighting::{Idf, Norm, Tf, Weighting};

use crate::analysis::{AnalysisConfig, Analyzer};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};
use count::{Counted, Lexed, NONE, count, count_lexed, lex};

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

/// Documents as one analysis pipeline cut and analyzed them (every distinct spelling analyzed
/// once), kept for stages that read the tokens again, such as keywords. Made by
/// [`Vectorizer::fit_analyzed`] or [`FittedVectorizer::analyze`].
pub struct Analyzed<'a> {
    pub(crate) docs: &'a [Document],
    pub(crate) config: AnalysisConfig,
    pub(crate) lexed: Lexed<'a>,
}

impl Analyzed<'_> {
    /// The documents.
    pub fn docs(&self) -> &[Document] {
        self.docs
    }

    /// The analysis they went through.
    pub fn config(&self) -> &AnalysisConfig {
        &self.config
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
    pub fn fit(&self, docs: &[Document]) -> Result<FittedVectorizer> {
        Ok(self.fit_counts(docs, false)?.0)
    }

    /// Fits like [`Vectorizer::fit`] and keeps the corpus as analyzed, so later stages
    /// (keywords) reuse it instead of analyzing the documents again.
    pub fn fit_analyzed<'a>(
        &self,
        docs: &'a [Document],
    ) -> Result<(FittedVectorizer, Analyzed<'a>)> {
        let (model, _, _, _, lexed) = self.fit_counts(docs, true)?;
        let lexed = lexed.expect("fit_counts keeps the analysis when asked");
        Ok((
            model,
            Analyzed {
                docs,
                config: self.analysis.clone(),
                lexed,
            },
        ))
    }

    /// Fits and returns the weighted matrix of the same documents, analyzing them once.
    pub fn fit_transform<V: Value>(
        &self,
        docs: &[Document],
    ) -> Result<(FittedVectorizer, CsrMatrix<V>)> {
        let (model, counted, term_to_col, _, _) = self.fit_counts(docs, false)?;
        let matrix = model.weigh(&counted, &term_to_col);
        Ok((model, matrix))
    }

    /// Like [`Vectorizer::fit_transform`], with the counting report.
    pub fn fit_transform_report<V: Value>(
        &self,
        docs: &[Document],
    ) -> Result<(FittedVectorizer, CsrMatrix<V>, CountReport)> {
        let (model, counted, term_to_col, mut report, _) = self.fit_counts(docs, false)?;
        let matrix: CsrMatrix<V> = model.weigh(&counted, &term_to_col);
        report.empty_rows = (0..matrix.n_rows())
            .filter(|&r| matrix.row(r).0.is_empty())
            .count();
        Ok((model, matrix, report))
    }

    /// Fits, and returns both the weighted matrix and the raw term counts of the same documents
    /// (columns as in the model), analyzing them once: for stages that need similarity and
    /// counts together (`compare`).
    pub fn fit_transform_counts<V: Value>(
        &self,
        docs: &[Document],
    ) -> Result<(FittedVectorizer, CsrMatrix<V>, CsrMatrix<f64>)> {
        let (model, counted, term_to_col, _, _) = self.fit_counts(docs, false)?;
        let weighted = model.weigh(&counted, &term_to_col);
        let counts = model
            .with_weighting(Weighting::COUNTS)
            .weigh(&counted, &term_to_col);
        Ok((model, weighted, counts))
    }

    /// Counts the corpus and learns the model; returns the counts, each term's column and, if
    /// `keep_lexed`, the analyzed corpus.
    #[allow(clippy::type_complexity)]
    fn fit_counts<'a>(
        &self,
        docs: &'a [Document],
        keep_lexed: bool,
    ) -> Result<(
        FittedVectorizer,
        Counted<'a>,
        Vec<u32>,
        CountReport,
        Option<Lexed<'a>>,
    )> {
        self.validate()?;
        let analyzer = Analyzer::new(&self.analysis)?;
        if docs.is_empty() {
            return Err(Error::EmptyVocabulary("no documents to fit".into()));
        }
        let trace = count::Trace::start();
        let lexed = lex(&analyzer, docs);
        let counted = count_lexed(&analyzer, &lexed, docs.len(), true);
        let lexed = keep_lexed.then_some(lexed);
        trace.mark("fit: counted");
        let (stats, index) = Statistics::from_counted(&counted, docs.len() as u64);
        trace.mark("fit: statistics");
        let model = self.fit_statistics(stats)?;
        trace.mark("fit: model");
        let stat_to_col = model.stat_columns();
        let term_to_col: Vec<u32> = index.iter().map(|&i| stat_to_col[i as usize]).collect();
        let out_of_vocabulary = model
            .statistics
            .terms
            .iter()
            .zip(&stat_to_col)
            .filter(|(_, c)| **c == NONE)
            .map(|(t, _)| t.cf)
            .sum();
        let report = CountReport {
            documents: docs.len(),
            tokens: counted.tokens,
            out_of_vocabulary,
            empty_rows: 0,
        };
        Ok((model, counted, term_to_col, report, lexed))
    }

    /// Counts documents into statistics only (for `fit --shard` and `fit --update`): no
    /// vocabulary is chosen, nothing is weighted.
    pub fn statistics(&self, docs: &[Document]) -> Result<Statistics> {
        let analyzer = Analyzer::new(&self.analysis)?;
        let counted = count(&analyzer, docs, true);
        Ok(Statistics::from_counted(&counted, docs.len() as u64).0)
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
    pub fn validate(&self) -> Result<()> {
        self.analysis.validate()?;
        self.vocabulary.validate()?;
        self.weighting.validate()
    }

    /// Learns a model from statistics (a fit, or merged shards): chooses the columns, their
    /// surface forms and idf.
    pub fn fit_statistics(&self, statistics: Statistics) -> Result<FittedVectorizer> {
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
                .iter()
                .map(|&t| terms[t as usize].to_string())
                .collect(),
        };
        let surfaces: Vec<String> = columns
            .iter()
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
        FittedVectorizer::from_parts(
            self.analysis.clone(),
            self.weighting,
            self.vocabulary.clone(),
            statistics,
            model_terms,
            surfaces,
            model_df,
        )
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
        if let Some(w) = terms.windows(2).find(|w| w[0] >= w[1]) {
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

    /// The most frequent surface form of a column's term.
    pub fn surface(&self, col: usize) -> &str {
        &self.surfaces[col]
    }

    /// Document frequency of a column's term at fit.
    pub fn df(&self, col: usize) -> u64 {
        self.df[col]
    }

    /// Learned idf of a column.
    pub fn idf(&self, col: usize) -> f64 {
        self.idf[col]
    }

    /// The column of a term, if in the vocabulary.
    pub fn column(&self, term: &str) -> Option<usize> {
        self.index().get(term).map(|&c| c as usize)
    }

    /// For every term of the statistics, its column (or `NONE` if pruned).
    fn stat_columns(&self) -> Vec<u32> {
        self.statistics
            .terms
            .iter()
            .map(|t| self.column(&t.term).map_or(NONE, |c| c as u32))
            .collect()
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

    /// Analyzes documents with the model's analysis, once, for stages that reuse it (keywords).
    pub fn analyze<'a>(&self, docs: &'a [Document]) -> Analyzed<'a> {
        Analyzed {
            docs,
            config: self.analysis.clone(),
            lexed: lex(&self.analyzer, docs),
        }
    }

    /// Weighs documents with what was learned; unknown terms are counted, never added.
    pub fn transform<V: Value>(&self, docs: &[Document]) -> CsrMatrix<V> {
        self.transform_report(docs).0
    }

    /// Like [`FittedVectorizer::transform`], with the counting report.
    pub fn transform_report<V: Value>(&self, docs: &[Document]) -> (CsrMatrix<V>, CountReport) {
        let (counted, term_to_col) = self.count_columns(docs);
        let oov = counted
            .rows
            .iter()
            .flatten()
            .filter(|(t, _)| term_to_col[*t as usize] == NONE)
            .map(|&(_, c)| c as u64)
            .sum();
        let matrix: CsrMatrix<V> = self.weigh(&counted, &term_to_col);
        let report = CountReport {
            documents: docs.len(),
            tokens: counted.tokens,
            out_of_vocabulary: oov,
            empty_rows: (0..matrix.n_rows())
                .filter(|&r| matrix.row(r).0.is_empty())
                .count(),
        };
        (matrix, report)
    }

    /// Like [`Vectorizer::fit_transform_counts`] with what was learned: the weighted matrix and
    /// the raw counts of known terms.
    pub fn transform_counts<V: Value>(&self, docs: &[Document]) -> (CsrMatrix<V>, CsrMatrix<f64>) {
        let (counted, term_to_col) = self.count_columns(docs);
        let weighted = self.weigh(&counted, &term_to_col);
        let counts = self
            .with_weighting(Weighting::COUNTS)
            .weigh(&counted, &term_to_col);
        (weighted, counts)
    }

    /// Counts documents with the model's analysis; returns the counts and each counted term's
    /// column (`NONE` for terms outside the vocabulary).
    fn count_columns<'a>(&self, docs: &'a [Document]) -> (Counted<'a>, Vec<u32>) {
        let counted = count(&self.analyzer, docs, false);
        let term_to_col = counted
            .terms
            .iter()
            .map(|t| self.index().get(t.as_str()).copied().unwrap_or(NONE))
            .collect();
        (counted, term_to_col)
    }

    /// Turns counts into weighted rows (in parallel blocks of rows) and concatenates them.
    fn weigh<V: Value>(&self, counted: &Counted, term_to_col: &[u32]) -> CsrMatrix<V> {
        const BLOCK: usize = 1024;
        let parts: Vec<CsrMatrix<V>> = counted
            .rows
            .par_chunks(BLOCK)
            .zip(counted.doc_lens.par_chunks(BLOCK))
            .map(|(rows, lens)| {
                let mut part = CsrMatrix::new(self.terms.len());
                let (mut counts, mut weights) = (Vec::new(), Vec::new());
                for (row, &len) in rows.iter().zip(lens) {
                    counts.clear();
                    counts.extend(row.iter().filter_map(|&(t, c)| {
                        let col = term_to_col[t as usize];
                        (col != NONE).then_some((col, c))
                    }));
                    counts.sort_unstable_by_key(|&(col, _)| col);
                    self.weighting.weigh_row(
                        &counts,
                        &self.idf,
                        len as f64,
                        self.avg_doc_len,
                        &mut weights,
                    );
                    part.push_row(weights.iter().map(|&(c, w)| (c, V::from_f64(w))));
                }
                part
            })
            .collect();
        let mut matrix = CsrMatrix::new(self.terms.len());
        for part in &parts {
            matrix.append(part);
        }
        matrix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(format!("d{i}"), *t))
            .collect()
    }

    #[test]
    fn sklearn_toy_values() {
        // scikit-learn: TfidfVectorizer().fit_transform(["a b b", "b c"]) with 2-letter tokens.
        let v = Vectorizer {
            analysis: AnalysisConfig::sklearn(),
            ..Default::default()
        };
        let (model, m) = v
            .fit_transform::<f64>(&docs(&["aa bb bb", "bb cc"]))
            .unwrap();
        assert_eq!(model.terms(), ["aa", "bb", "cc"]);
        let idf_a = (3.0f64 / 2.0).ln() + 1.0;
        let (w_a, w_b) = (idf_a, 2.0);
        let n = (w_a * w_a + w_b * w_b).sqrt();
        let (cols, vals) = m.row(0);
        assert_eq!(cols, [0, 1]);
        assert!((vals[0] - w_a / n).abs() < 1e-12 && (vals[1] - w_b / n).abs() < 1e-12);
    }

    #[test]
    fn transform_never_changes_the_model() {
        let v = Vectorizer::default();
        let model = v.fit(&docs(&["Troops at the base", "The base"])).unwrap();
        let before = (model.terms().to_vec(), model.df.clone());
        let (m, report) = model.transform_report::<f32>(&docs(&["Unknown words only", "troops"]));
        assert_eq!((model.terms().to_vec(), model.df.clone()), before);
        assert_eq!(m.row(0).0.len(), 0);
        assert_eq!(report.out_of_vocabulary, 2); // "only" is a stop word
        assert_eq!(report.empty_rows, 1);
    }

    #[test]
    fn empty_documents_are_empty_rows() {
        let (_, m) = Vectorizer::default()
            .fit_transform::<f32>(&docs(&["", "Base camp", "   "]))
            .unwrap();
        assert_eq!(m.n_rows(), 3);
        assert!(m.row(0).0.is_empty() && m.row(2).0.is_empty());
    }

    #[test]
    fn pruning_everything_is_an_error() {
        let v = Vectorizer {
            vocabulary: VocabularyParams {
                min_df: DfLimit::Count(2),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = v.fit(&docs(&["one two", "three"])).unwrap_err();
        assert!(err.to_string().starts_with("empty vocabulary"), "{err}");
    }

    #[test]
    fn surface_form_is_most_frequent() {
        let model = Vectorizer::default()
            .fit(&docs(&["Bases bases base", "bases"]))
            .unwrap();
        assert_eq!(model.surface(model.column("base").unwrap()), "bases");
    }

    #[test]
    fn fitted_model_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<FittedVectorizer>();
    }
}
