//! Growing a model without refitting from the texts: add documents to a fitted model, or sum
//! models fitted on parts of a corpus. Both sum statistics (document and term counts) and
//! choose the columns again, so the result is the model a fit of all the documents gives.

use super::{FittedVectorizer, Statistics, Vectorizer};
use crate::corpus::Document;
use crate::error::{Error, Result};

impl FittedVectorizer {
    /// The model of its documents and `docs` together, with its own settings: what
    /// `parallax fit --update` does, in memory. Equal to fitting the same settings on both sets
    /// of documents at once.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] if a count would pass 2^64 (a model read from a file can hold any
    /// counts); [`Error::EmptyVocabulary`] if pruning leaves no term.
    pub fn update(&self, docs: &[Document]) -> Result<FittedVectorizer> {
        self.update_statistics(&Vectorizer::of(self).statistics(docs)?)
    }

    /// [`FittedVectorizer::update`] from the statistics of the added documents, which must be
    /// counted with this model's analysis (e.g. chunk by chunk with [`Vectorizer::runs`]):
    /// statistics carry no analysis, so counts of another one cannot be told apart.
    ///
    /// # Errors
    ///
    /// As [`FittedVectorizer::update`]; also [`Error::Param`] if `added` is not valid
    /// statistics (terms unsorted or repeated, a document frequency above the document count).
    pub fn update_statistics(&self, added: &Statistics) -> Result<FittedVectorizer> {
        let merged = self.statistics().try_merge(added).ok_or_else(|| {
            Error::input(
                "the model's counts plus the documents' pass 2^64; the model cannot be updated",
            )
        })?;
        Vectorizer::of(self).fit_statistics(merged)
    }
}

/// One model of the documents of several: their statistics summed, the columns chosen with
/// `settings`' vocabulary and weighting (`Vectorizer::of(&models[0])` keeps the first model's).
/// The models and `settings` must share one analysis, since a term means what the analysis
/// made of the text.
///
/// # Errors
///
/// [`Error::Param`] for no model; [`Error::Input`] for a model whose analysis differs from
/// `settings`' (naming its position) or counts summing past 2^64; fitting's errors.
pub fn merge_models(
    models: &[FittedVectorizer],
    settings: &Vectorizer,
) -> Result<FittedVectorizer> {
    if models.is_empty() {
        return Err(Error::param("models", 0, "give at least one model"));
    }
    let mut merged = Statistics::default();
    for (i, model) in models.iter().enumerate() {
        if Vectorizer::of(model).analysis != settings.analysis {
            return Err(Error::input(format!(
                "model {i}: its analysis settings differ from the merge's; models must be fitted with the same analysis"
            )));
        }
        merged = merged.try_merge(model.statistics()).ok_or_else(|| {
            Error::input(format!(
                "model {i}: its counts added to the models before it pass 2^64; the sum cannot be stored"
            ))
        })?;
    }
    settings.fit_statistics(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::model::to_json;

    fn docs(texts: &[&str]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(i.to_string(), *t))
            .collect()
    }

    #[test]
    fn update_and_merge_equal_one_fit_of_everything() {
        let a = docs(&["The ferry strike ended.", "Ferry crews went home at dawn."]);
        let b = docs(&[
            "The council voted a harbour levy.",
            "A strike at the harbour.",
        ]);
        let all: Vec<Document> = a.iter().chain(&b).cloned().collect();
        let settings = Vectorizer::default();
        let whole = to_json(&settings.fit(&all).unwrap());
        let first = settings.fit(&a).unwrap();
        assert_eq!(to_json(&first.update(&b).unwrap()), whole);
        let second = settings.fit(&b).unwrap();
        let merged = merge_models(&[first, second], &settings).unwrap();
        assert_eq!(to_json(&merged), whole);
    }

    #[test]
    fn merge_refuses_another_analysis() {
        let a = Vectorizer::default().fit(&docs(&["ferry strike"])).unwrap();
        let mut other = Vectorizer::default();
        other.analysis.ngram_max = 2;
        let b = other.fit(&docs(&["ferry strike"])).unwrap();
        let err = merge_models(&[a, b], &Vectorizer::default()).unwrap_err();
        assert!(err.to_string().contains("model 1"), "{err}");
        assert!(merge_models(&[], &Vectorizer::default()).is_err());
    }
}
