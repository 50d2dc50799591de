//! The `keywords` task from documents: fit (or take) a model, analyze the documents once, and
//! rank the key terms and phrases of each document, each group, or the whole corpus.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::keywords::{self, KeywordParams, Per, RankKeywords};
//!
//! let docs = [
//!     Document::new("a", "The ferry strike ended at dawn. Ferry crews went home."),
//!     Document::new("b", "The council voted a harbour levy."),
//! ];
//! let task = RankKeywords {
//!     per: Per::Corpus,
//!     params: KeywordParams { n: 3, ..Default::default() },
//!     ..Default::default()
//! };
//! let ranked = keywords::keywords(&docs, &task)?;
//! assert_eq!(ranked.rankings[0].0, "corpus");
//! assert!(!ranked.rankings[0].1.is_empty());
//! # Ok::<(), parallax::Error>(())
//! ```

use super::{GroupBy, Keyword, KeywordExtractor, KeywordParams};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::similarity::SpaceModel;
use crate::vectorize::{FittedVectorizer, Vectorizer};

/// What to rank keywords of.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Per {
    /// Each document.
    #[default]
    Document,
    /// All documents together, as one group named `corpus`.
    Corpus,
    /// Each group of documents (a source, a metadata field, a date bucket); documents without
    /// a group are left out.
    Group(GroupBy),
}

impl Per {
    /// What `spec` asks to rank: `doc` (or `document`), `corpus`, `story` (the `story` field
    /// if any of `docs` has it, else `event`), or a group as [`GroupBy`] parses it (a field
    /// name, `date:month`, ...).
    ///
    /// # Errors
    ///
    /// What [`GroupBy`]'s parser says of a spec it cannot read.
    pub fn from_spec(spec: &str, docs: &[Document]) -> std::result::Result<Per, String> {
        Ok(match spec {
            "doc" | "document" => Per::Document,
            "corpus" => Per::Corpus,
            "story" => {
                let field = if docs.iter().any(|d| d.meta.contains_key("story")) {
                    "story"
                } else {
                    "event"
                };
                Per::Group(GroupBy::Field(field.into()))
            }
            other => Per::Group(other.parse()?),
        })
    }
}

/// Everything `keywords` can be asked: where idf comes from, what to rank, and how.
#[derive(Debug, Clone)]
pub struct RankKeywords {
    /// Settings to fit on the documents (idf from them), or a fitted model.
    pub model: SpaceModel,
    /// What to rank.
    pub per: Per,
    /// How candidates are scored and how many are kept.
    pub params: KeywordParams,
}

impl Default for RankKeywords {
    /// Each document, default settings fitted on the documents, default scoring.
    fn default() -> Self {
        RankKeywords {
            model: SpaceModel::Fit(Vectorizer::default()),
            per: Per::default(),
            params: KeywordParams::default(),
        }
    }
}

/// What [`keywords`] found.
#[derive(Debug, Clone)]
pub struct RankedKeywords {
    /// The model idf came from.
    pub model: FittedVectorizer,
    /// (document id or group name, its keywords best first): documents in input order,
    /// groups in name order.
    pub rankings: Vec<(String, Vec<Keyword>)>,
    /// Documents without a group, left out (0 unless [`Per::Group`]).
    pub left_out: usize,
}

/// Ranks the keywords asked for; fitting and ranking share one analysis of the documents.
///
/// # Errors
///
/// [`Error::Param`] for invalid keyword settings (checked before any work) or, with
/// [`Per::Group`], when no document has a group; fitting's errors.
pub fn keywords(docs: &[Document], task: &RankKeywords) -> Result<RankedKeywords> {
    task.params.validate()?;
    let (model, analyzed) = match &task.model {
        SpaceModel::Fitted(model) => (model.clone(), model.tokenize(docs)),
        SpaceModel::Fit(settings) => settings.fit_tokenized(docs)?,
    };
    let extractor = KeywordExtractor::new(&model, task.params.clone())?;
    let mut left_out = 0;
    let rankings = match &task.per {
        Per::Document => extractor.rankings_tokenized(&analyzed)?,
        Per::Corpus => {
            let groups = vec![Some("corpus".to_string()); docs.len()];
            let ranked = extractor.groups_tokenized(&analyzed, &groups)?;
            ranked.into_iter().map(|(g, _, k)| (g, k)).collect()
        }
        Per::Group(by) => {
            let groups = by.keys(docs);
            left_out = groups.iter().filter(|g| g.is_none()).count();
            if left_out == docs.len() {
                return Err(Error::param("per", by, "no document has this field"));
            }
            let ranked = extractor.groups_tokenized(&analyzed, &groups)?;
            ranked.into_iter().map(|(g, _, k)| (g, k)).collect()
        }
    };
    Ok(RankedKeywords {
        model,
        rankings,
        left_out,
    })
}
