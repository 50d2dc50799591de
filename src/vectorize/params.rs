//! Vocabulary settings: document-frequency bounds, a size limit, or a fixed term list.

use serde::{Deserialize, Serialize};

use super::count::NONE;
use crate::error::{Error, Result};

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
            return Err(Error::EmptyVocabulary(format!(
                "no term of {} is within --min-df {} and --max-df {} over {n_docs} documents",
                terms.len(),
                self.min_df,
                self.max_df
            )));
        }
        Ok(keep)
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
