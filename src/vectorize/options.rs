//! The two entry points that weigh documents in one call: [`Vectorizer::fit_transform_with`]
//! and [`FittedVectorizer::transform_with`], each taking [`TransformOptions`] and returning a
//! result struct.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::vectorize::{TransformOptions, Vectorizer};
//! let docs = [Document::new("a", "Troops remain at the bases."), Document::new("b", "Bases stay.")];
//! let options = TransformOptions { counts: true };
//! let fitted = Vectorizer::default().fit_transform_with::<f32>(&docs, &options)?;
//! let base = fitted.model.column("base").unwrap() as u32;
//! let counts = fitted.counts.unwrap();
//! let (cols, values) = counts.row(1);
//! assert_eq!(values[cols.iter().position(|&c| c == base).unwrap()], 1.0);
//! assert_eq!(fitted.report.documents, 2);
//! let again = fitted.model.transform_with::<f32>(&docs, &TransformOptions::default());
//! assert_eq!(again.matrix, fitted.matrix);
//! # Ok::<(), parallax::Error>(())
//! ```

use super::{CountReport, FittedVectorizer, Vectorizer, Weighting};
use crate::corpus::Document;
use crate::error::Result;
use crate::matrix::{CsrMatrix, Value};

/// What a fit or a transform gives besides the weighted matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransformOptions {
    /// Also the raw counts of the model's terms, columns as in the matrix, from the same one
    /// analysis (for stages that need similarity and counts together, such as `compare`).
    pub counts: bool,
}

/// A model fitted on documents, and those documents weighed with it.
pub struct Fitted<V: Value> {
    /// What was learned.
    pub model: FittedVectorizer,
    /// The documents' weighted rows.
    pub matrix: CsrMatrix<V>,
    /// Their raw counts, if [`TransformOptions::counts`] asked for them.
    pub counts: Option<CsrMatrix<f64>>,
    /// What counting saw.
    pub report: CountReport,
}

/// Documents weighed with a fitted model.
pub struct Transformed<V: Value> {
    /// The documents' weighted rows.
    pub matrix: CsrMatrix<V>,
    /// Their raw counts of the model's terms, if [`TransformOptions::counts`] asked for them.
    pub counts: Option<CsrMatrix<f64>>,
    /// What counting saw (unknown terms are counted as out of the vocabulary).
    pub report: CountReport,
}

impl Vectorizer {
    /// Fits and weighs the same documents, analyzing them once.
    ///
    /// # Errors
    ///
    /// [`Error::Param`](crate::Error::Param) for invalid settings;
    /// [`Error::EmptyVocabulary`](crate::Error::EmptyVocabulary) if there are no documents or
    /// no term is left after pruning.
    pub fn fit_transform_with<V: Value>(
        &self,
        docs: &[Document],
        options: &TransformOptions,
    ) -> Result<Fitted<V>> {
        let (model, counted, term_to_col, mut report, _) = self.fit_counts(docs, false)?;
        let matrix: CsrMatrix<V> = model.weigh(&counted, &term_to_col);
        report.empty_rows = matrix.empty_rows();
        let counts = options.counts.then(|| {
            model
                .with_weighting(Weighting::COUNTS)
                .weigh(&counted, &term_to_col)
        });
        Ok(Fitted {
            model,
            matrix,
            counts,
            report,
        })
    }

    /// Fits and returns the weighted matrix of the same documents, analyzing them once (the
    /// simple case of [`Vectorizer::fit_transform_with`]).
    ///
    /// # Errors
    ///
    /// Those of [`Vectorizer::fit_transform_with`].
    pub fn fit_transform<V: Value>(
        &self,
        docs: &[Document],
    ) -> Result<(FittedVectorizer, CsrMatrix<V>)> {
        let fitted = self.fit_transform_with(docs, &TransformOptions::default())?;
        Ok((fitted.model, fitted.matrix))
    }
}

impl FittedVectorizer {
    /// Weighs documents with what was learned; unknown terms are counted, never added.
    pub fn transform_with<V: Value>(
        &self,
        docs: &[Document],
        options: &TransformOptions,
    ) -> Transformed<V> {
        let (counted, term_to_col) = self.count_columns(docs);
        let out_of_vocabulary = counted
            .rows
            .iter()
            .flatten()
            .filter(|(t, _)| term_to_col[*t as usize].is_none())
            .map(|&(_, c)| c as u64)
            .sum();
        let matrix: CsrMatrix<V> = self.weigh(&counted, &term_to_col);
        let report = CountReport {
            documents: docs.len(),
            tokens: counted.tokens,
            out_of_vocabulary,
            empty_rows: matrix.empty_rows(),
        };
        let counts = options.counts.then(|| {
            self.with_weighting(Weighting::COUNTS)
                .weigh(&counted, &term_to_col)
        });
        Transformed {
            matrix,
            counts,
            report,
        }
    }

    /// The weighted rows of `docs` (the simple case of [`FittedVectorizer::transform_with`]).
    pub fn transform<V: Value>(&self, docs: &[Document]) -> CsrMatrix<V> {
        self.transform_with(docs, &TransformOptions::default())
            .matrix
    }
}
