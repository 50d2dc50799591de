//! The `keyness` task: which terms each group uses more than another, from documents (or from
//! counts already summed per group), for the comparisons asked.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::keywords::keyness::{self, GroupKeyness, KeynessParams};
//! use parallax::vectorize::{Vectorizer, Weighting};
//!
//! let mut docs = vec![
//!     Document::new("a", "Strike strike strike at the harbour."),
//!     Document::new("b", "The council and the levy."),
//! ];
//! docs[0].source = Some("Herald".into());
//! docs[1].source = Some("Courier".into());
//! let settings = Vectorizer { weighting: Weighting::COUNTS, ..Default::default() };
//! let params = GroupKeyness {
//!     keyness: KeynessParams { min_count: 1.0, ..Default::default() },
//!     ..Default::default()
//! };
//! let found = keyness::keyness(&docs, &settings, "source", &params)?;
//! let herald = &found.comparisons[1];
//! assert_eq!(herald.target, "Herald");
//! assert_eq!(found.model.surface(herald.rows[0].term), "strike");
//! # Ok::<(), parallax::Error>(())
//! ```

use rayon::prelude::*;

use super::GroupBy;
use super::keyness::{GroupCounts, KeynessParams, KeynessRow, compare};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::vectorize::{FittedVectorizer, Vectorizer};

/// Which comparisons to make between groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Comparisons {
    /// Every group against all the others together (the rest).
    #[default]
    EachAgainstRest,
    /// One group against another, or against the rest when `reference` is `None`.
    One {
        /// The target group's name.
        target: String,
        /// The reference group's name, or `None` for the rest.
        reference: Option<String>,
    },
    /// Every ordered pair of distinct groups.
    AllPairs,
}

/// Everything `keyness` can be asked besides the counts: the statistic, the comparisons, the
/// FDR filter and the rows kept.
#[derive(Debug, Clone)]
pub struct GroupKeyness {
    /// The measure, Yates' correction, the minimum count and the log-odds prior.
    pub keyness: KeynessParams,
    /// Which comparisons.
    pub comparisons: Comparisons,
    /// Keep only rows whose Benjamini–Hochberg adjusted p-value is at most this.
    pub fdr: Option<f64>,
    /// Rows per comparison.
    pub top: usize,
}

impl Default for GroupKeyness {
    /// Every group against the rest, G², 20 rows, no FDR filter.
    fn default() -> Self {
        GroupKeyness {
            keyness: KeynessParams::default(),
            comparisons: Comparisons::default(),
            fdr: None,
            top: 20,
        }
    }
}

/// One comparison's result: the two sides and their distinctive terms, best first.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The target group.
    pub target: String,
    /// The reference group, or `rest`.
    pub reference: String,
    /// Documents of the target.
    pub target_docs: usize,
    /// Documents of the reference.
    pub reference_docs: usize,
    /// Tokens (or documents, for binary counts) of the target.
    pub target_total: f64,
    /// Tokens of the reference.
    pub reference_total: f64,
    /// The terms, by statistic, highest first (`term` is a column of the model).
    pub rows: Vec<KeynessRow>,
}

/// What [`keyness`] found.
#[derive(Debug, Clone)]
pub struct Keyness {
    /// The model the counts were made with: its surface forms name the rows' terms.
    pub model: FittedVectorizer,
    /// The counts per group.
    pub counts: GroupCounts,
    /// Documents in some group (the others are left out).
    pub grouped_docs: usize,
    /// The comparisons, in the order asked (each against the rest and all pairs: by target,
    /// then reference, in group-name order).
    pub comparisons: Vec<Comparison>,
}

/// Counts `docs` with `settings` (whose weighting should be counts: raw tf for tokens,
/// binary for documents), sums them per group of `by` (documents without one are left out),
/// and makes the comparisons asked.
///
/// # Errors
///
/// [`Error::Param`] for an unreadable `by`, no document with it, or the errors of
/// [`compare_groups`]; fitting's errors.
pub fn keyness(
    docs: &[Document],
    settings: &Vectorizer,
    by: &str,
    params: &GroupKeyness,
) -> Result<Keyness> {
    let group_by: GroupBy = by.parse().map_err(|e: String| Error::param("by", by, e))?;
    params.keyness.validate()?;
    let groups = group_by.keys(docs);
    let grouped_docs = groups.iter().filter(|g| g.is_some()).count();
    if grouped_docs == 0 {
        return Err(Error::param("by", by, "no document has this field"));
    }
    let (model, counts) = count_groups(docs, settings, &groups)?;
    let comparisons = compare_groups(&counts, params)?;
    Ok(Keyness {
        model,
        counts,
        grouped_docs,
        comparisons,
    })
}

/// Counts `docs` with `settings` (whose weighting should be counts, as for [`keyness`]) and
/// sums their rows per group: `groups[i]` is document `i`'s group (`None` leaves it out).
/// Returns the model, whose surface forms name the terms, and the counts.
///
/// # Errors
///
/// Fitting's errors.
pub fn count_groups(
    docs: &[Document],
    settings: &Vectorizer,
    groups: &[Option<String>],
) -> Result<(FittedVectorizer, GroupCounts)> {
    let (model, matrix) = settings.fit_transform::<f64>(docs)?;
    let counts = GroupCounts::from_rows(&matrix, groups);
    Ok((model, counts))
}

/// Makes the comparisons asked between groups already counted.
///
/// # Errors
///
/// [`Error::Param`] for fewer than two groups, a target or reference that is no group, a
/// target that is its own reference, an FDR level outside (0, 1] or with a measure without
/// p-values, or invalid keyness settings.
pub fn compare_groups(counts: &GroupCounts, params: &GroupKeyness) -> Result<Vec<Comparison>> {
    params.keyness.validate()?;
    params.keyness.check_fdr(params.fdr)?;
    let n = counts.names.len();
    if n < 2 {
        return Err(Error::param("groups", n, "need at least two groups"));
    }
    let find = |name: &str, what: &'static str| {
        counts
            .group(name)
            .ok_or_else(|| Error::param(what, name, "no such group"))
    };
    // (target, reference or None for the rest)
    let pairs: Vec<(usize, Option<usize>)> = match &params.comparisons {
        Comparisons::EachAgainstRest => (0..n).map(|g| (g, None)).collect(),
        Comparisons::AllPairs => (0..n)
            .flat_map(|a| (0..n).filter(move |&b| b != a).map(move |b| (a, Some(b))))
            .collect(),
        Comparisons::One { target, reference } => {
            let t = find(target, "target")?;
            let r = match reference {
                Some(name) => Some(find(name, "reference")?),
                None => None,
            };
            if r == Some(t) {
                return Err(Error::param("reference", target, "is the target"));
            }
            vec![(t, r)]
        }
    };
    Ok(pairs
        .par_iter()
        .map(|&(t, r)| one_comparison(counts, t, r, params))
        .collect())
}

/// Group `t` against group `r`, or against the rest.
fn one_comparison(
    counts: &GroupCounts,
    t: usize,
    r: Option<usize>,
    params: &GroupKeyness,
) -> Comparison {
    let target = counts.dense(t);
    let (reference, reference_name, reference_docs) = match r {
        Some(r) => (counts.dense(r), counts.names[r].clone(), counts.docs[r]),
        None => (
            counts.rest(t),
            "rest".to_string(),
            counts.docs.iter().sum::<usize>() - counts.docs[t],
        ),
    };
    let mut rows = compare(&target, &reference, &counts.total, &params.keyness);
    if let Some(q) = params.fdr {
        rows.retain(|row| row.p_adjusted.is_some_and(|p| p <= q));
    }
    rows.truncate(params.top);
    Comparison {
        target: counts.names[t].clone(),
        reference: reference_name,
        target_docs: counts.docs[t],
        reference_docs,
        target_total: target.iter().sum(),
        reference_total: reference.iter().sum(),
        rows,
    }
}
