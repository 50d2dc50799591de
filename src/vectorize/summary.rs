//! A corpus summary: documents, characters, tokens, terms, types, sources and dates (what
//! `parallax stats` prints).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Vectorizer;
use crate::analysis::{AnalysisConfig, Analyzer};
use crate::corpus::{Corpus, Document};
use crate::error::Result;

/// What a corpus holds, counted with one analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CorpusSummary {
    /// Documents read.
    pub documents: usize,
    /// Documents with no text (kept as empty rows).
    pub empty_documents: usize,
    /// Records skipped while reading (`--on-error skip`).
    pub skipped_records: usize,
    /// Characters of text.
    pub characters: usize,
    /// Tokens as the tokenizer cuts them.
    pub tokens: u64,
    /// Term occurrences kept by the filters (after stop words).
    pub terms: u64,
    /// Distinct terms.
    pub types: usize,
    /// Documents per source, by name.
    pub sources: BTreeMap<String, usize>,
    /// Documents without a source.
    pub without_source: usize,
    /// The earliest date (`YYYY-MM-DD`), if any document has one.
    pub first_date: Option<String>,
    /// The latest date.
    pub last_date: Option<String>,
    /// Documents without a date.
    pub without_date: usize,
}

impl CorpusSummary {
    /// Summarizes `corpus`, its tokens and terms counted with `analysis`.
    ///
    /// # Errors
    ///
    /// [`Error::Param`](crate::Error::Param) if the analysis settings are invalid.
    pub fn new(corpus: &Corpus, analysis: &AnalysisConfig) -> Result<CorpusSummary> {
        let docs = &corpus.docs;
        let vectorizer = Vectorizer {
            analysis: analysis.clone(),
            ..Default::default()
        };
        let statistics = vectorizer.statistics(docs)?;
        let tokens = count_tokens(analysis, docs)?;
        let mut sources = BTreeMap::new();
        for d in docs {
            if let Some(s) = &d.source {
                *sources.entry(s.clone()).or_insert(0) += 1;
            }
        }
        let dates: Vec<&str> = docs.iter().filter_map(|d| d.date.as_deref()).collect();
        Ok(CorpusSummary {
            documents: docs.len(),
            empty_documents: corpus.report.empty_docs,
            skipped_records: corpus.report.skipped_count,
            characters: docs.iter().map(|d| d.text.chars().count()).sum(),
            tokens,
            terms: statistics.terms.iter().map(|t| t.cf).sum(),
            types: statistics.terms.len(),
            without_source: docs.len() - sources.values().sum::<usize>(),
            sources,
            first_date: dates.iter().min().map(|d| d[..10].to_string()),
            last_date: dates.iter().max().map(|d| d[..10].to_string()),
            without_date: docs.len() - dates.len(),
        })
    }
}

/// Tokens as the tokenizer cuts them, before any filter.
fn count_tokens(analysis: &AnalysisConfig, docs: &[Document]) -> Result<u64> {
    let analyzer = Analyzer::new(analysis)?;
    let mut spans = Vec::new();
    Ok(docs
        .iter()
        .map(|d| {
            analyzer.spans_into(&d.text, &mut spans);
            spans.len() as u64
        })
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_sources_dates_and_terms() {
        let mut docs = vec![
            Document::new("a", "The bases stay."),
            Document::new("b", "A base."),
        ];
        docs[0].source = Some("klaxon".into());
        docs[1].date = Some("2014-03-05".into());
        let corpus = Corpus {
            docs,
            ..Default::default()
        };
        let s = CorpusSummary::new(&corpus, &AnalysisConfig::default()).unwrap();
        assert_eq!((s.documents, s.tokens, s.terms, s.types), (2, 5, 3, 2));
        assert_eq!(
            (s.sources.len(), s.without_source, s.without_date),
            (1, 1, 1)
        );
        assert_eq!(s.first_date.as_deref(), Some("2014-03-05"));
    }
}
