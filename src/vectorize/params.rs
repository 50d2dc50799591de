//! Vocabulary settings: document-frequency bounds, a size limit, or a fixed term list.

use serde::{Deserialize, Serialize};

use std::collections::BinaryHeap;

use super::stats::TermStats;
use crate::analysis::{AnalysisConfig, Analyzer};
use crate::error::{Error, Location, Result};
use crate::tokens::NONE;

/// A document-frequency bound: an absolute count or a proportion of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DfLimit {
    /// At least / at most this many documents.
    Count(u64),
    /// At least / at most this share of documents (0.0–1.0).
    Proportion(f64),
}

impl DfLimit {
    /// The bound in documents, for `n` documents (proportions as scikit-learn: `p · n`).
    fn documents(self, n: u64) -> f64 {
        match self {
            DfLimit::Count(c) => c as f64,
            DfLimit::Proportion(p) => p * n as f64,
        }
    }
}

impl std::fmt::Display for DfLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DfLimit::Count(c) => write!(f, "{c}"),
            DfLimit::Proportion(p) => write!(f, "{p:?}"),
        }
    }
}

impl std::str::FromStr for DfLimit {
    type Err = String;
    /// `5` is a count; `0.5` or `1.0` (with a point) is a proportion.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('.') {
            let p: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("proportion `{s}` must be within 0.0..=1.0"));
            }
            Ok(DfLimit::Proportion(p))
        } else {
            s.parse()
                .map(DfLimit::Count)
                .map_err(|_| format!("`{s}` is not a count"))
        }
    }
}

/// Reads a fixed vocabulary: a file with one word or phrase per line (blank lines and lines
/// starting with `#` skipped), each line analyzed with `analysis` and its terms joined by a space
/// into one column's term. Returns the terms sorted, as [`VocabularyParams::fixed`] takes them.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; [`Error::VocabularyLine`] (file:line) for a line
/// that gives no term or the same term as an earlier line; the errors of [`Analyzer::new`].
pub fn read_vocabulary(path: &std::path::Path, analysis: &AnalysisConfig) -> Result<Vec<String>> {
    let analyzer = Analyzer::new(analysis)?;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let at = |i: usize| Location {
        path: path.to_path_buf(),
        line: Some(i as u64 + 1),
    };
    let mut seen = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let terms: Vec<String> = analyzer
            .analyze(line)
            .into_iter()
            .filter_map(|t| t.term)
            .collect();
        if terms.is_empty() {
            return Err(Error::VocabularyLine {
                at: at(i),
                reason: format!(
                    "`{}` has no term after analysis (a stop word?)",
                    line.trim()
                ),
            });
        }
        let term = terms.join(" ");
        if let Some(first) = seen.insert(term.clone(), i + 1) {
            return Err(Error::VocabularyLine {
                at: at(i),
                reason: format!(
                    "`{}` gives the same term `{term}` as line {first}",
                    line.trim()
                ),
            });
        }
    }
    Ok(seen.into_keys().collect())
}

/// Which terms become columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocabularyParams {
    /// Drop terms in fewer documents.
    pub min_df: DfLimit,
    /// Drop terms in more documents.
    pub max_df: DfLimit,
    /// Keep only the most frequent terms (by corpus frequency; ties by term).
    pub max_features: Option<usize>,
    /// A fixed, sorted list of terms (already analyzed); overrides the limits above.
    pub fixed: Option<Vec<String>>,
}

impl Default for VocabularyParams {
    fn default() -> Self {
        VocabularyParams {
            min_df: DfLimit::Count(1),
            max_df: DfLimit::Proportion(1.0),
            max_features: None,
            fixed: None,
        }
    }
}

impl VocabularyParams {
    /// Checks the settings that do not depend on the corpus.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a `--min-df` or `--max-df` proportion outside 0.0..=1.0,
    /// `--max-features` 0, or a fixed vocabulary that is empty or not sorted and unique.
    pub fn validate(&self) -> Result<()> {
        for (name, limit) in [("--min-df", self.min_df), ("--max-df", self.max_df)] {
            if let DfLimit::Proportion(p) = limit
                && !(0.0..=1.0).contains(&p)
            {
                return Err(Error::param(
                    name,
                    p,
                    "a proportion must be within 0.0..=1.0",
                ));
            }
        }
        if self.max_features == Some(0) {
            return Err(Error::param("--max-features", 0, "must be at least 1"));
        }
        if let Some(fixed) = &self.fixed {
            if fixed.is_empty() {
                return Err(Error::param(
                    "--vocabulary",
                    "(empty)",
                    "the vocabulary file has no terms",
                ));
            }
            if let Some(w) = fixed.windows(2).find(|w| w[0] >= w[1]) {
                return Err(Error::param(
                    "--vocabulary",
                    &w[1],
                    "terms must be sorted and unique",
                ));
            }
        }
        Ok(())
    }

    /// Chooses the columns: for each column, in term order, the global id of its term
    /// (`NONE` for a fixed-vocabulary term the corpus never used).
    pub(crate) fn select(
        &self,
        terms: &[&str],
        df: &[u64],
        cf: &[u64],
        n_docs: u64,
    ) -> Result<Vec<u32>> {
        if let Some(fixed) = &self.fixed {
            let index: rustc_hash::FxHashMap<&str, u32> = terms
                .iter()
                .enumerate()
                .map(|(i, t)| (*t, i as u32))
                .collect();
            return Ok(fixed
                .iter()
                .map(|t| index.get(t.as_str()).copied().unwrap_or(NONE))
                .collect());
        }
        let (lo, hi) = self.df_bounds(n_docs)?;
        let mut keep: Vec<u32> = (0..terms.len() as u32)
            .filter(|&g| {
                let d = df[g as usize] as f64;
                d >= lo && d <= hi
            })
            .collect();
        if let Some(limit) = self.max_features
            && keep.len() > limit
        {
            keep.sort_unstable_by(|&a, &b| {
                cf[b as usize]
                    .cmp(&cf[a as usize])
                    .then_with(|| terms[a as usize].cmp(terms[b as usize]))
            });
            keep.truncate(limit);
            // Back in term order (kept terms are in it already when none were cut).
            use rayon::slice::ParallelSliceMut;
            keep.par_sort_unstable_by(|&a, &b| terms[a as usize].cmp(terms[b as usize]));
        }
        if keep.is_empty() {
            return Err(self.nothing_kept(terms.len(), n_docs));
        }
        Ok(keep)
    }

    /// The document-frequency bounds in documents for `n_docs` documents, or why no term can
    /// be within them.
    fn df_bounds(&self, n_docs: u64) -> Result<(f64, f64)> {
        let (lo, hi) = (self.min_df.documents(n_docs), self.max_df.documents(n_docs));
        if hi < lo {
            let limit = if self.max_df == Self::default().max_df {
                format!("the corpus has {n_docs}")
            } else {
                format!(
                    "--max-df {} allows at most {hi} of the {n_docs}",
                    self.max_df
                )
            };
            return Err(Error::EmptyVocabulary(format!(
                "--min-df {} asks for terms in at least {lo} documents, but {limit}",
                self.min_df
            )));
        }
        Ok((lo, hi))
    }

    fn nothing_kept(&self, n_terms: usize, n_docs: u64) -> Error {
        Error::EmptyVocabulary(format!(
            "no term of {n_terms} is within --min-df {} and --max-df {} over {n_docs} documents",
            self.min_df, self.max_df
        ))
    }

    /// Starts choosing columns term by term (a streamed fit; see [`ColumnPicker`]).
    pub(crate) fn picker(&self, n_docs: u64) -> Result<ColumnPicker<'_>> {
        let bounds = match self.fixed {
            Some(_) => (f64::NEG_INFINITY, f64::INFINITY),
            None => self.df_bounds(n_docs)?,
        };
        Ok(ColumnPicker {
            params: self,
            bounds,
            n_docs,
            seen: 0,
            within: 0,
            fixed: vec![(0, None); self.fixed.as_ref().map_or(0, Vec::len)],
            next_fixed: 0,
            best: BinaryHeap::new(),
        })
    }
}

/// A column of a fitted vocabulary: its term, shown surface form and document frequency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub term: String,
    pub surface: String,
    pub df: u64,
}

/// A term in the running for `--max-features`: ordered best first (more occurrences, then the
/// smaller term), so the heap's top is the worst one kept.
struct Candidate {
    cf: u64,
    column: Column,
}

impl Candidate {
    fn key(&self) -> (std::cmp::Reverse<u64>, &str) {
        (std::cmp::Reverse(self.cf), &self.column.term)
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Candidate {}

/// Chooses columns from statistics given term by term in term order, as
/// [`VocabularyParams::select`] chooses from all terms at once. Without a fixed vocabulary or
/// `--max-features`, a term's fate depends on its df alone ([`ColumnPicker::keeps`]), and the
/// caller writes the kept ones as they pass; otherwise [`ColumnPicker::offer`] holds back at
/// most the fixed terms or the `--max-features` best, and [`ColumnPicker::finish`] gives them.
pub(crate) struct ColumnPicker<'a> {
    params: &'a VocabularyParams,
    bounds: (f64, f64),
    n_docs: u64,
    /// Terms offered or counted, and those within the df bounds.
    seen: usize,
    within: usize,
    /// Per fixed term: its df and shown form once the statistics reach it.
    fixed: Vec<(u64, Option<String>)>,
    next_fixed: usize,
    best: BinaryHeap<Candidate>,
}

impl ColumnPicker<'_> {
    /// Whether the choice needs [`ColumnPicker::offer`] (else every term within the df bounds
    /// is a column).
    pub fn holds_back(&self) -> bool {
        self.params.fixed.is_some() || self.params.max_features.is_some()
    }

    /// Whether a term of this df is within the df bounds.
    pub fn keeps(&self, df: u64) -> bool {
        let d = df as f64;
        d >= self.bounds.0 && d <= self.bounds.1
    }

    /// Counts terms that the caller made columns of (`within` of `seen` kept).
    pub fn count(&mut self, seen: usize, within: usize) {
        self.seen += seen;
        self.within += within;
    }

    /// Offers the next term (in term order) when the choice holds terms back.
    pub fn offer(&mut self, term: &TermStats) {
        self.seen += 1;
        if let Some(fixed) = &self.params.fixed {
            while self.next_fixed < fixed.len() && fixed[self.next_fixed] < term.term {
                self.next_fixed += 1;
            }
            if fixed.get(self.next_fixed) == Some(&term.term) {
                let shown = term.best_surface().unwrap_or(&term.term).to_string();
                self.fixed[self.next_fixed] = (term.df, Some(shown));
            }
            return;
        }
        if !self.keeps(term.df) {
            return;
        }
        self.within += 1;
        let limit = self.params.max_features.unwrap_or(usize::MAX);
        let better = |top: &Candidate| (std::cmp::Reverse(term.cf), term.term.as_str()) < top.key();
        if self.best.len() >= limit && !self.best.peek().is_some_and(better) {
            return;
        }
        self.best.push(Candidate {
            cf: term.cf,
            column: Column {
                term: term.term.clone(),
                surface: term.best_surface().unwrap_or(&term.term).to_string(),
                df: term.df,
            },
        });
        if self.best.len() > limit {
            self.best.pop();
        }
    }

    /// The columns held back, in term order (none if the caller wrote them), or the error of
    /// a choice that kept nothing.
    pub fn finish(self) -> Result<Vec<Column>> {
        if let Some(fixed) = &self.params.fixed {
            return Ok(fixed
                .iter()
                .zip(self.fixed)
                .map(|(term, (df, shown))| Column {
                    surface: shown.unwrap_or_else(|| term.clone()),
                    term: term.clone(),
                    df,
                })
                .collect());
        }
        let mut columns: Vec<Column> = self.best.into_iter().map(|c| c.column).collect();
        // (--max-features is at least 1, so a term within the bounds always makes a column.)
        if self.within == 0 {
            return Err(self.params.nothing_kept(self.seen, self.n_docs));
        }
        columns.sort_unstable_by(|a, b| a.term.cmp(&b.term));
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_limits() {
        assert_eq!("5".parse::<DfLimit>(), Ok(DfLimit::Count(5)));
        assert_eq!("0.5".parse::<DfLimit>(), Ok(DfLimit::Proportion(0.5)));
        assert!("1.5".parse::<DfLimit>().is_err());
        assert!("x".parse::<DfLimit>().is_err());
    }

    #[test]
    fn select_by_df_and_frequency() {
        let terms = ["a", "b", "c", "d"];
        let (df, cf) = ([1, 2, 3, 2], [1, 5, 9, 5]);
        let p = VocabularyParams {
            min_df: DfLimit::Count(2),
            max_df: DfLimit::Proportion(0.9),
            ..Default::default()
        };
        assert_eq!(p.select(&terms, &df, &cf, 3).unwrap(), [1, 3]);
        let p = VocabularyParams {
            max_features: Some(2),
            ..Default::default()
        };
        // c (9) first, then b and d tie at 5: b wins by term order.
        assert_eq!(p.select(&terms, &df, &cf, 3).unwrap(), [1, 2]);
    }
}
