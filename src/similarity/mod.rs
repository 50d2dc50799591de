//! Similarity: the k nearest documents of every document (exact, parallel, O(n·k) memory), the
//! same against a reference set, stories (documents reporting the same event, across sources),
//! and the measures used to check them against gold data.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::similarity::{self, Search, StoryParams};
//! use parallax::vectorize::Vectorizer;
//!
//! let docs = [
//!     Document::new("a", "The ferry strike ended at dawn after 48 hours."),
//!     Document::new("b", "Ferry crews end their 48-hour strike."),
//!     Document::new("c", "The council voted a harbour levy."),
//! ];
//! let (model, matrix) = Vectorizer::default().fit_transform::<f32>(&docs)?;
//!
//! // Each document's nearest other documents, best first.
//! let nn = similarity::top_k(&matrix, &Search::new(2))?;
//! assert_eq!(nn.of(0)[0].index, 1);
//! assert!(nn.of(2).is_empty()); // "c" shares no term with the others
//!
//! // Stories: a and b report the same event.
//! let stories = similarity::stories(&matrix, None, &StoryParams { threshold: 0.2, ..Default::default() })?;
//! assert_eq!(stories[0].docs, [0, 1]);
//! let label: Vec<&str> = stories[0].terms.iter().map(|&c| model.surface(c as usize)).collect();
//! assert!(label.contains(&"strike"));
//! # Ok::<(), parallax::Error>(())
//! ```
//!
//! Measures ([`Measure`]): cosine on any weighting (the default), Jaccard on term sets, and BM25
//! for query → document scoring. [`top_k`] and its variants rank by a [`Score`] on matrices the
//! caller builds; [`Measure`] says which weighting each side needs.

mod dense;
mod document_space;
pub mod eval;
pub mod eval_data;
mod similar;
mod space;
mod stories;
mod story_records;
mod topk;
mod window;

pub use dense::{MAX_DENSE, dense_scores, write_csv};
pub use document_space::{CountedSpace, DocumentSpace, Layout, SpaceModel, SpaceRows};
pub use similar::{Similar, SimilarParams, similar};
pub use space::{TITLE_SHARE, story_rows};
pub(crate) use stories::sparse_dot;
pub use stories::{Story, StoryParams, stories, stories_of_sources};
pub use story_records::{FindStories, FoundStories, NearDuplicate, StoryRecord, find_stories};
pub use topk::{Neighbor, Neighbors, Score, Search, top_k, top_k_against, top_k_with};
pub use window::top_k_within_days;

use crate::matrix::{CsrMatrix, Value};
use crate::vectorize::{Idf, Norm, Tf, Weighting};

/// A similarity measure, with the weighting each side needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Measure {
    /// Cosine of the rows, on the weighting the user chose (TF-IDF by default).
    #[default]
    Cosine,
    /// Jaccard index of the two documents' term sets (weighting ignored).
    Jaccard,
    /// Okapi BM25 of the query's distinct terms against each document:
    /// `Σ idf(t) · c·(k1+1) / (c + k1·(1 − b + b·len/avg_len))`, idf in Lucene's non-negative
    /// form `ln(1 + (N − df + 0.5)/(df + 0.5))`. Not symmetric: the query side is the one whose
    /// neighbours are listed.
    Bm25 {
        /// Term-frequency saturation (1.2 is usual).
        k1: f64,
        /// Length normalization (0.75 is usual).
        b: f64,
    },
}

impl Measure {
    /// What [`top_k`] ranks by for this measure.
    pub fn score(&self) -> Score {
        match self {
            Measure::Cosine => Score::Cosine,
            Measure::Jaccard => Score::Jaccard,
            Measure::Bm25 { .. } => Score::Dot,
        }
    }

    /// The weighting of the documents searched, given the one chosen for cosine.
    pub fn document_weighting(&self, chosen: Weighting) -> Weighting {
        match *self {
            Measure::Cosine => chosen,
            Measure::Jaccard => BINARY,
            Measure::Bm25 { k1, b } => Weighting {
                tf: Tf::Bm25 { k1, b },
                idf: Idf::Bm25,
                norm: Norm::None,
            },
        }
    }

    /// The weighting of the queries, given the one chosen for cosine.
    pub fn query_weighting(&self, chosen: Weighting) -> Weighting {
        match self {
            Measure::Cosine => chosen,
            Measure::Jaccard | Measure::Bm25 { .. } => BINARY,
        }
    }
}

/// 1 for every term present: term sets, and BM25 queries.
const BINARY: Weighting = Weighting {
    tf: Tf::Binary,
    idf: Idf::None,
    norm: Norm::None,
};

/// The score of one pair of rows (columns sorted), computed in `f64` by merging the rows in
/// column order; 0 when either row is empty. This is the brute-force reference of [`top_k`].
pub fn score_pair<V: Value>(a: (&[u32], &[V]), b: (&[u32], &[V]), score: Score) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
    while i < a.0.len() && j < b.0.len() {
        match a.0[i].cmp(&b.0[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a.1[i].to_f64() * b.1[j].to_f64();
                i += 1;
                j += 1;
            }
        }
    }
    match score {
        Score::Dot => dot,
        Score::Cosine => {
            let norm = |v: &[V]| {
                v.iter()
                    .map(|x| x.to_f64() * x.to_f64())
                    .sum::<f64>()
                    .sqrt()
            };
            let n = norm(a.1) * norm(b.1);
            if n > 0.0 { dot / n } else { 0.0 }
        }
        Score::Jaccard => jaccard(a.0, b.0),
    }
}

/// Jaccard index of two sorted sets of term ids: `|A ∩ B| / |A ∪ B|`, 0 when both are empty.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// The same rows with every stored value set to 1 (term sets, binary BM25 queries).
pub fn binarize<V: Value>(m: &CsrMatrix<V>) -> CsrMatrix<V> {
    let mut out = CsrMatrix::new(m.n_cols());
    for r in 0..m.n_rows() {
        out.push_row(m.row(r).0.iter().map(|&c| (c, V::from_f64(1.0))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_scores() {
        let a: (&[u32], &[f32]) = (&[0, 2, 5], &[1.0, 2.0, 2.0]);
        let b: (&[u32], &[f32]) = (&[2, 3], &[3.0, 4.0]);
        assert_eq!(score_pair(a, b, Score::Dot), 6.0);
        assert!((score_pair(a, b, Score::Cosine) - 6.0 / (3.0 * 5.0)).abs() < 1e-12);
        assert_eq!(score_pair(a, b, Score::Jaccard), 0.25);
        assert_eq!(jaccard(&[], &[]), 0.0);
        let empty: (&[u32], &[f32]) = (&[], &[]);
        assert_eq!(score_pair(a, empty, Score::Cosine), 0.0);
    }

    #[test]
    fn measures_pick_their_weighting() {
        let chosen = Weighting::default();
        assert_eq!(Measure::Cosine.document_weighting(chosen), chosen);
        let bm25 = Measure::Bm25 { k1: 1.2, b: 0.75 };
        assert_eq!(bm25.document_weighting(chosen).idf, Idf::Bm25);
        assert_eq!(bm25.query_weighting(chosen).tf, Tf::Binary);
        assert_eq!(bm25.score(), Score::Dot);
    }
}
