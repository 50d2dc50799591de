//! Which space documents are compared in, and the rows that build it: the choice `similar`,
//! `stories` and `compare` share.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::similarity::{DocumentSpace, Measure};
//!
//! let mut docs = [
//!     Document::new("a", "The ferry strike ended at dawn."),
//!     Document::new("b", "Ferry crews end their strike."),
//! ];
//! docs[0].title = Some("Ferry strike over".into());
//! // The story space: titles beside the text, sublinear tf (see docs/similarity.md).
//! let rows = DocumentSpace::default().rows(Measure::Cosine, &docs, None)?;
//! assert_eq!(rows.queries.n_cols(), 2 * rows.model.n_terms());
//! // The plain TF-IDF space of the text alone (`--plain`, and every `--compat` preset).
//! let plain = DocumentSpace::plain(Default::default()).rows(Measure::Cosine, &docs, None)?;
//! assert_eq!(plain.queries.n_cols(), plain.model.n_terms());
//! # Ok::<(), parallax::Error>(())
//! ```

use super::{Measure, TITLE_SHARE, binarize, story_rows};
use crate::corpus::Document;
use crate::error::Result;
use crate::matrix::CsrMatrix;
use crate::vectorize::{FittedVectorizer, Tf, TransformOptions, Vectorizer, Weighting};

/// Where a space's analysis, vocabulary, idf and weighting come from.
#[derive(Debug, Clone)]
pub enum SpaceModel {
    /// Fit these settings on the documents compared.
    Fit(Vectorizer),
    /// A fitted model (from [`Vectorizer::fit`] or a saved one): its analysis, vocabulary, idf
    /// and weighting, whatever the documents compared.
    Fitted(FittedVectorizer),
}

/// How a document becomes a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The story rows of [`story_rows`]: the title beside the text, each weighted like the body.
    /// Applies to [`Measure::Cosine`]; the other measures use [`Layout::Plain`].
    Story {
        /// Replace the weighting's tf by sublinear tf (`1 + ln c`), the story default; `false`
        /// keeps the weighting's own tf.
        sublinear_tf: bool,
    },
    /// The text alone, weighted as the model says: the plain TF-IDF cosine, and what the
    /// compatibility presets (which reproduce another tool's TF-IDF) compare in.
    Plain,
}

impl Layout {
    /// The layout the CLI's and Python's settings ask for: plain when asked (`plain`) or when
    /// a compatibility preset was chosen (its numbers are another tool's), else the story
    /// layout, with sublinear tf unless a tf was chosen.
    pub fn chosen(plain: bool, preset_chosen: bool, tf_chosen: bool) -> Layout {
        match plain || preset_chosen {
            true => Layout::Plain,
            false => Layout::Story {
                sublinear_tf: !tf_chosen,
            },
        }
    }
}

/// Which space to compare documents in: a model (fitted here or given) and a layout.
/// The default is the story space of the default settings.
#[derive(Debug, Clone)]
pub struct DocumentSpace {
    /// Where the vocabulary and weighting come from.
    pub model: SpaceModel,
    /// How a document becomes a row.
    pub layout: Layout,
}

impl Default for DocumentSpace {
    fn default() -> Self {
        DocumentSpace::story(Vectorizer::default())
    }
}

/// The rows of a space: the model they were made with, the query documents' rows and, when
/// queries are compared against a reference set, the reference documents' rows.
#[derive(Debug, Clone)]
pub struct SpaceRows {
    /// The fitted (or given) model, with the weighting the rows were made with.
    pub model: FittedVectorizer,
    /// One row per query document.
    pub queries: CsrMatrix<f32>,
    /// One row per reference document; `None` when the queries are compared with each other.
    pub reference: Option<CsrMatrix<f32>>,
}

impl SpaceRows {
    /// The number of columns of the model's vocabulary that the rows are folded onto for
    /// labels: `Some(n_terms)` for story rows (whose columns are the vocabulary twice), `None`
    /// for plain rows (see [`crate::similarity::StoryParams::label_fold`]).
    pub fn label_fold(&self) -> Option<usize> {
        (self.queries.n_cols() != self.model.n_terms()).then(|| self.model.n_terms())
    }
}

/// A space counted once for several uses (the coverage report): weighted rows, raw counts, and
/// the story rows when the layout asks for them.
#[derive(Debug, Clone)]
pub struct CountedSpace {
    /// The fitted (or given) model.
    pub model: FittedVectorizer,
    /// The text's rows under the model's weighting.
    pub weighted: CsrMatrix<f32>,
    /// Raw term counts, same rows and columns.
    pub counts: CsrMatrix<f64>,
    /// The story rows (`2 · n_terms` columns), or `None` for [`Layout::Plain`].
    pub story_rows: Option<CsrMatrix<f32>>,
}

impl DocumentSpace {
    /// The story space of `settings` fitted on the documents, with sublinear tf.
    pub fn story(settings: Vectorizer) -> Self {
        DocumentSpace {
            model: SpaceModel::Fit(settings),
            layout: Layout::Story { sublinear_tf: true },
        }
    }

    /// The plain space of `settings` fitted on the documents: the text's TF-IDF alone.
    pub fn plain(settings: Vectorizer) -> Self {
        DocumentSpace {
            model: SpaceModel::Fit(settings),
            layout: Layout::Plain,
        }
    }

    /// Whether `measure` is compared in story rows: cosine in the story layout.
    fn is_story(&self, measure: Measure) -> bool {
        measure == Measure::Cosine && matches!(self.layout, Layout::Story { .. })
    }

    /// The weighting of the story rows, given the chosen one.
    fn story_weighting(&self, chosen: Weighting) -> Weighting {
        match self.layout {
            Layout::Story { sublinear_tf: true } => Weighting {
                tf: Tf::Log,
                ..chosen
            },
            _ => chosen,
        }
    }

    /// Builds the rows of `queries` (and of `reference`, if given) for `measure`. A space to
    /// fit is fitted on the documents (queries and reference together, except BM25 against a
    /// reference, whose statistics come from the reference alone, as in retrieval); a fitted
    /// model only transforms them.
    ///
    /// # Errors
    ///
    /// Fitting's errors ([`crate::Error::EmptyVocabulary`] when pruning leaves no term,
    /// [`crate::Error::Param`] for invalid settings); a fitted model does not fail.
    pub fn rows(
        &self,
        measure: Measure,
        queries: &[Document],
        reference: Option<&[Document]>,
    ) -> Result<SpaceRows> {
        let reference_only = reference.is_some() && matches!(measure, Measure::Bm25 { .. });
        let story = self.is_story(measure);
        let (model, fitted) = match &self.model {
            SpaceModel::Fitted(model) => match story {
                true => (
                    model.with_weighting(self.story_weighting(*model.weighting())),
                    None,
                ),
                false => (model.clone(), None),
            },
            SpaceModel::Fit(settings) => {
                let mut settings = settings.clone();
                if story {
                    settings.weighting = self.story_weighting(settings.weighting);
                }
                let (model, matrix) = fit_for(&settings, measure, queries, reference)?;
                (model, Some(matrix))
            }
        };
        let chosen = *model.weighting();
        let doc_w = measure.document_weighting(chosen);
        let query_w = measure.query_weighting(chosen);
        let n_q = queries.len();
        let transform =
            |w: Weighting, docs: &[Document]| model.with_weighting(w).transform::<f32>(docs);
        let (queries_m, reference_m) = match fitted {
            // Fitted on the reference alone (BM25).
            Some(m) if reference_only => (transform(query_w, queries), Some(m)),
            // Fitted on the queries (then the reference), weighted for documents; a BM25
            // query keeps the same terms with weight 1.
            Some(m) if reference.is_none() && query_w == doc_w => (m, None),
            Some(m) => {
                let q = m.select_rows(0..n_q);
                let q = if query_w == doc_w { q } else { binarize(&q) };
                (q, reference.map(|_| m.select_rows(n_q..m.n_rows())))
            }
            None => (
                transform(query_w, queries),
                reference.map(|r| transform(doc_w, r)),
            ),
        };
        // The story space: each side's titles weighted like its bodies, beside them.
        let (queries_m, reference_m) = if story {
            let titled = model.with_weighting(chosen);
            (
                titled_rows(&titled, &queries_m, queries),
                reference
                    .zip(reference_m)
                    .map(|(r, m)| titled_rows(&titled, &m, r)),
            )
        } else {
            (queries_m, reference_m)
        };
        Ok(SpaceRows {
            model,
            queries: queries_m,
            reference: reference_m,
        })
    }

    /// Counts `docs` once and weighs the counts every way the coverage report needs: the
    /// model's weighting, raw counts, and (in the story layout) the story rows.
    ///
    /// # Errors
    ///
    /// Fitting's errors, as for [`DocumentSpace::rows`].
    pub fn counted(&self, docs: &[Document]) -> Result<CountedSpace> {
        let with_counts = TransformOptions { counts: true };
        let (model, weighted, counts) = match &self.model {
            SpaceModel::Fitted(model) => {
                let t = model.transform_with::<f32>(docs, &with_counts);
                (model.clone(), t.matrix, t.counts)
            }
            SpaceModel::Fit(settings) => {
                let f = settings.fit_transform_with::<f32>(docs, &with_counts)?;
                (f.model, f.matrix, f.counts)
            }
        };
        let counts = counts.expect("the counts were asked for");
        let story_rows = self.is_story(Measure::Cosine).then(|| {
            let titled = model.with_weighting(self.story_weighting(*model.weighting()));
            let body = titled.weigh_count_matrix::<f32>(&counts);
            titled_rows(&titled, &body, docs)
        });
        Ok(CountedSpace {
            model,
            weighted,
            counts,
            story_rows,
        })
    }
}

/// Fits `settings` for `measure` on the documents the statistics come from, and returns the
/// model with the chosen (cosine) weighting and the fitted rows with the measure's document
/// weighting.
fn fit_for(
    settings: &Vectorizer,
    measure: Measure,
    queries: &[Document],
    reference: Option<&[Document]>,
) -> Result<(FittedVectorizer, CsrMatrix<f32>)> {
    let reference_only = reference.is_some() && matches!(measure, Measure::Bm25 { .. });
    let mut fit_on: Vec<Document> = Vec::new();
    let docs: &[Document] = match reference {
        Some(r) if reference_only => r,
        Some(r) => {
            fit_on.reserve(queries.len() + r.len());
            fit_on.extend_from_slice(queries);
            fit_on.extend_from_slice(r);
            &fit_on
        }
        None => queries,
    };
    let chosen = settings.weighting;
    let settings = Vectorizer {
        weighting: measure.document_weighting(chosen),
        ..settings.clone()
    };
    let (model, matrix) = settings.fit_transform::<f32>(docs)?;
    // The weighting chosen for cosine, with the vocabulary just learned.
    Ok((model.with_weighting(chosen), matrix))
}

/// The story rows of documents whose bodies `model` weighed into `body`: their titles are
/// weighed the same way and put beside them (see [`story_rows`]).
fn titled_rows(
    model: &FittedVectorizer,
    body: &CsrMatrix<f32>,
    docs: &[Document],
) -> CsrMatrix<f32> {
    let titles: Vec<Document> = docs
        .iter()
        .map(|d| Document::new(d.id.clone(), d.title.clone().unwrap_or_default()))
        .collect();
    let titles = model.transform::<f32>(&titles);
    story_rows(body, &titles, TITLE_SHARE)
}
