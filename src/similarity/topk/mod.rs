//! Exact top-k over sparse rows.
//!
//! The reference rows are indexed by term: posting lists (a column-major copy), terms ranked
//! from the rarest to the most common. For each query row:
//!
//! 1. **Scan.** The query's terms are visited rarest first; each adds `q_t·d_t` for the rows of
//!    its posting list into an `f32` accumulator with one slot per reference row. A sum of
//!    non-negative `f32` products has a proven relative error bound γ (Higham, *Accuracy and
//!    Stability of Numerical Algorithms*, §3.1), so partial scores can choose candidates safely.
//! 2. **Stop.** Common terms have long lists and small weights. The scan stops once what the
//!    remaining terms could add to a row not reached yet (Cauchy–Schwarz with the largest
//!    remaining norm among rows, the few largest set aside and checked one by one) is below θ,
//!    a lower bound on the k-th best score: the best partial scores so far plus the exact
//!    contribution of the remaining common terms, read from a row-major block of the most common
//!    columns.
//! 3. **Candidates.** Rows whose partial score, widened by γ and by what their own remaining
//!    terms can add (the block for the common columns, a table of each row's remaining norm at
//!    power-of-two rank boundaries for the others), may still reach θ.
//! 4. **Exact.** Candidates, most promising first, are scored exactly in `f64` with the
//!    arithmetic of [`score_pair`](super::score_pair) (products in column order), until an upper
//!    bound falls below the k-th exact score kept by the bounded heap.
//!
//! The result is the one brute force gives, bit for bit: the same neighbours and the same scores,
//! ties broken by the lower row. Values outside [`FAST_RANGE`] (negative, tiny or huge) take an
//! exact path that scans every posting list in `f64`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};

/// What a neighbour is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Score {
    /// `q·d / (‖q‖·‖d‖)`, on whatever weighting the rows carry.
    #[default]
    Cosine,
    /// `q·d`: with BM25-weighted documents and binary queries, this is the BM25 score.
    Dot,
    /// `|Q ∩ D| / |Q ∪ D|` on the sets of columns a row stores (its terms).
    Jaccard,
}

/// How many neighbours to keep, how good they must be, and what "good" means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    /// Neighbours per query row (at most).
    pub k: usize,
    /// Keep only neighbours scoring at least this (scores are always positive: rows that share
    /// no term are never neighbours).
    pub min_score: f32,
    /// The measure.
    pub score: Score,
}

impl Default for Search {
    /// Ten cosine neighbours, no threshold.
    fn default() -> Self {
        Search {
            k: 10,
            min_score: 0.0,
            score: Score::Cosine,
        }
    }
}

impl Search {
    /// `k` cosine neighbours, no threshold.
    pub fn new(k: usize) -> Self {
        Search {
            k,
            ..Default::default()
        }
    }

    /// Sets the minimum score.
    pub fn min_score(mut self, min_score: f32) -> Self {
        self.min_score = min_score;
        self
    }

    /// Sets the measure.
    pub fn score(mut self, score: Score) -> Self {
        self.score = score;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.k == 0 {
            return Err(Error::param("k", 0, "must be at least 1"));
        }
        if !self.min_score.is_finite() || self.min_score < 0.0 {
            return Err(Error::param(
                "threshold",
                self.min_score,
                "must be a finite number ≥ 0",
            ));
        }
        Ok(())
    }
}

/// One neighbour: a row of the reference matrix and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    /// Row in the reference matrix (the same matrix for a self-join).
    pub index: u32,
    /// The score, rounded to `f32` from the exact `f64` value.
    pub score: f32,
}

impl Neighbor {
    /// Best first: higher score, then lower row (the order of [`Neighbors::of`]).
    pub(crate) fn rank_cmp(&self, other: &Neighbor) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.index.cmp(&other.index))
    }
}

/// Heap entry whose maximum is the worst neighbour kept so far.
#[derive(Clone, Copy, PartialEq)]
struct Worst(Neighbor);

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank_cmp(&other.0)
    }
}

/// The k best neighbours seen so far, in O(k) memory.
#[derive(Debug)]
pub(crate) struct TopHeap {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl std::fmt::Debug for Worst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl TopHeap {
    pub(crate) fn new(k: usize) -> Self {
        TopHeap {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Offers a candidate; keeps it if it is among the k best.
    #[inline]
    pub(crate) fn push(&mut self, n: Neighbor) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(n));
        } else if let Some(mut top) = self.heap.peek_mut()
            && n.rank_cmp(&top.0) == Ordering::Less
        {
            *top = Worst(n);
        }
    }

    /// The k-th best score once k candidates are kept.
    #[inline]
    fn kth(&self) -> Option<f32> {
        (self.heap.len() == self.k)
            .then(|| self.heap.peek().map_or(f32::NEG_INFINITY, |w| w.0.score))
    }

    /// Appends the kept neighbours, best first, and empties the heap.
    pub(crate) fn drain_sorted_into(&mut self, out: &mut Vec<Neighbor>) {
        let start = out.len();
        out.extend(self.heap.drain().map(|w| w.0));
        out[start..].sort_unstable_by(Neighbor::rank_cmp);
    }
}

/// The neighbours of every query row, best first; O(rows · k) memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Neighbors {
    offsets: Vec<usize>,
    items: Vec<Neighbor>,
}

impl Neighbors {
    /// From one list per query row, each already best first.
    pub(crate) fn from_lists(lists: Vec<Vec<Neighbor>>) -> Self {
        let mut out = Neighbors {
            offsets: Vec::with_capacity(lists.len() + 1),
            items: Vec::with_capacity(lists.iter().map(Vec::len).sum()),
        };
        out.offsets.push(0);
        for list in lists {
            out.items.extend(list);
            out.offsets.push(out.items.len());
        }
        out
    }

    /// Number of query rows.
    pub fn n_rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The neighbours of query row `row`, best first (fewer than k, or none, when fewer rows
    /// share a term with it or pass the threshold).
    pub fn of(&self, row: usize) -> &[Neighbor] {
        &self.items[self.offsets[row]..self.offsets[row + 1]]
    }

    /// Neighbour lists in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Neighbor]> + '_ {
        (0..self.n_rows()).map(|r| self.of(r))
    }

    /// Total number of (row, neighbour) pairs.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// No pairs at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The k most similar rows of `matrix` for each of its rows (never the row itself).
///
/// ```
/// use parallax::matrix::CsrMatrix;
/// use parallax::similarity::{Search, top_k};
/// let m = CsrMatrix::<f32>::from_rows(3, &[vec![(0, 1.0)], vec![(0, 1.0), (1, 1.0)], vec![(2, 1.0)]]);
/// let nn = top_k(&m, &Search::new(5))?;
/// assert_eq!(nn.of(0)[0].index, 1);
/// assert!((nn.of(0)[0].score - 0.70710677).abs() < 1e-6);
/// assert!(nn.of(2).is_empty()); // shares no term with any other row
/// # Ok::<(), parallax::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Param`] for a `k` of 0, a `min_score` that is negative or not finite, a value of
/// `matrix` that is not finite, or 2^32 rows or more.
pub fn top_k<V: Value>(matrix: &CsrMatrix<V>, search: &Search) -> Result<Neighbors> {
    top_k_with(matrix, None, search, |_, _| true)
}

/// The k most similar rows of `reference` for each row of `queries` (same columns).
///
/// # Errors
///
/// As [`top_k`], for the values of both matrices and the rows of `reference`; also
/// [`Error::Param`] if `queries` and `reference` differ in their number of columns.
pub fn top_k_against<V: Value>(
    queries: &CsrMatrix<V>,
    reference: &CsrMatrix<V>,
    search: &Search,
) -> Result<Neighbors> {
    top_k_with(queries, Some(reference), search, |_, _| true)
}

/// The general form: `reference = None` is a self-join of `queries` (a row is never its own
/// neighbour); `allow(query_row, reference_row)` says whether a pair may be neighbours (for
/// example only across sources, or within a date window). It is called often: keep it cheap.
///
/// Query rows are processed in parallel; the result does not depend on the thread count.
///
/// # Errors
///
/// As [`top_k_against`] (with `reference = None`, as [`top_k`]).
pub fn top_k_with<V, F>(
    queries: &CsrMatrix<V>,
    reference: Option<&CsrMatrix<V>>,
    search: &Search,
    allow: F,
) -> Result<Neighbors>
where
    V: Value,
    F: Fn(usize, usize) -> bool + Sync,
{
    search.validate()?;
    let self_join = reference.is_none();
    let reference = reference.unwrap_or(queries);
    // A row has at most as many neighbours as there are reference rows: a larger k (10^12
    // from a flag) is clamped to that, never allocated.
    let clamped = Search {
        k: search.k.min(reference.n_rows().max(1)),
        ..*search
    };
    let search = &clamped;
    let index = Index::build(reference, search.score, queries)?;
    const BLOCK: usize = 32;
    let n = queries.n_rows();
    let blocks: Vec<(Vec<u32>, Vec<Neighbor>)> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map_init(
            || Scratch::new(search.k),
            |scratch, b| {
                let rows = b * BLOCK..((b + 1) * BLOCK).min(n);
                let mut counts = Vec::with_capacity(rows.len());
                let mut items = Vec::new();
                for q in rows {
                    let before = items.len();
                    let eligible = |d: usize| !(self_join && d == q) && allow(q, d);
                    index.query(queries.row(q), search, scratch, eligible);
                    scratch.heap.drain_sorted_into(&mut items);
                    counts.push((items.len() - before) as u32);
                }
                (counts, items)
            },
        )
        .collect();
    let mut out = Neighbors {
        offsets: Vec::with_capacity(n + 1),
        items: Vec::with_capacity(blocks.iter().map(|b| b.1.len()).sum()),
    };
    out.offsets.push(0);
    for (counts, items) in blocks {
        for c in counts {
            out.offsets.push(out.offsets.last().unwrap() + c as usize);
        }
        out.items.extend(items);
    }
    Ok(out)
}

/// Every query row's scores against every reference row, as dense rows: `out(q, d)`.
/// Used for small dense matrices; `reference = None` is a self-join (the diagonal is each row's
/// score with itself).
pub(crate) fn all_scores<V: Value>(
    queries: &CsrMatrix<V>,
    reference: Option<&CsrMatrix<V>>,
    score: Score,
    out: &mut [f32],
) -> Result<()> {
    let reference = reference.unwrap_or(queries);
    let index = Index::build(reference, score, queries)?;
    let n_docs = index.n_docs;
    assert_eq!(
        out.len(),
        queries.n_rows() * n_docs,
        "output has n_queries × n_reference cells"
    );
    if n_docs == 0 {
        return Ok(());
    }
    out.par_chunks_mut(n_docs).enumerate().for_each_init(
        || Scratch::new(1),
        |scratch, (q, row)| index.dense_row(queries.row(q), scratch, row),
    );
    Ok(())
}

/// The inverted index of the reference rows, with the per-row and per-column maxima the bounds
/// need.
struct Index<'a, V: Value> {
    reference: &'a CsrMatrix<V>,
    n_docs: usize,
    score: Score,
    /// Column → rank: columns ordered by document frequency, then column.
    rank_of: Vec<u32>,
    /// Rank → range in `postings`.
    ptr: Vec<usize>,
    /// (reference row, value as stored), rows ascending within a column.
    postings: Vec<(u32, V)>,
    /// ‖d‖ (as [`score_pair`](super::score_pair) computes it).
    norm: Vec<f64>,
    /// 1/‖d‖ for cosine (0 for an empty row), 1 otherwise.
    inv_norm: Vec<f64>,
    /// Stored values per row (Jaccard).
    set_size: Vec<u32>,
    /// Every stored value is 0 or in [`FAST_RANGE`] (zeros are left out of the posting lists,
    /// except for Jaccard): `f32` partial sums neither underflow nor overflow and only grow, so
    /// the fast path, its error bound and its pruning bounds hold.
    fast: bool,
    /// `inv_norm` as `f32`, for the vectorized candidate filter.
    inv_norm32: Vec<f32>,
    /// Rank → max over rows of the normalized suffix norm from that rank on.
    max_suffix: Vec<f32>,
    /// Rank → max over rows of the normalized value in that column.
    max_value: Vec<f32>,
    /// Boundary `j` (ranks from `n_cols − 2^j` on) × row → the row's normalized suffix norm from
    /// that boundary, rounded up: a one-load bound on what a row's common terms can add.
    boundary_suffix: Vec<f32>,
    n_boundaries: usize,
    /// Boundary → the rows with the largest suffix norms there (at most [`OUTLIERS`]), and the
    /// largest suffix norm of every other row: the bound for rows not reached is taken without
    /// the outliers, which are checked one by one instead.
    outliers: Vec<Vec<u32>>,
    outlier_cap: Vec<f32>,
    /// The most common columns (ranks `block_start..`), row-major, normalized values: what
    /// the terms a scan stops before add to a candidate, in a few loads.
    block: Vec<f32>,
    block_start: usize,
    block_width: usize,
}

/// At most this many `f32` values in the block of common columns (64 MiB).
const BLOCK_CELLS: usize = 1 << 24;

/// Rows per boundary taken out of the bound for unreached rows (short rows made of common words
/// would otherwise set it).
const OUTLIERS: usize = 64;

/// Values the fast path accepts: products of two such values (the query's normalized) stay in
/// the normal `f32` range, and sums of up to 2^20 of them stay finite.
const FAST_RANGE: std::ops::RangeInclusive<f64> = 1e-18..=1e15;

/// Slack on every bound comparison: far above the `f64` rounding of the bounds, and above half an
/// `f32` step of the scores, so a row left out never ties with a kept one once rounded.
fn slack(theta: f64) -> f64 {
    1e-6 * theta.abs().max(0.1)
}

/// Rounds a non-negative bound up so that storing it as `f32` keeps it a bound.
fn up(x: f64) -> f32 {
    let y = x as f32;
    if (y as f64) < x {
        y * (1.0 + f32::EPSILON) + f32::MIN_POSITIVE
    } else {
        y
    }
}

/// Unit roundoff of `f32`.
const U32: f64 = 1.0 / (1u64 << 24) as f64;

/// Relative error bound of an `f32` sum of `m` non-negative products of `f32`-rounded factors,
/// scaled in `f64`: each product carries at most three roundings, the sum `m − 1` more
/// (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1); with margin.
fn gamma(m: usize) -> f64 {
    let n = (m + 4) as f64 * U32;
    1.01 * n / (1.0 - n)
}

/// A lower bound on f64 scores, kept as the bits of non-negative `f64`s (which order like the
/// numbers): the k largest values offered.
struct KBest {
    k: usize,
    heap: BinaryHeap<std::cmp::Reverse<u64>>,
}

impl KBest {
    fn clear(&mut self, k: usize) {
        self.k = k;
        self.heap.clear();
    }

    #[inline]
    fn offer(&mut self, x: f64) {
        let bits = x.to_bits();
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(bits));
        } else if let Some(mut min) = self.heap.peek_mut()
            && bits > min.0
        {
            *min = std::cmp::Reverse(bits);
        }
    }

    /// The k-th largest value offered, once k were.
    #[inline]
    fn kth(&self) -> Option<f64> {
        (self.heap.len() == self.k).then(|| f64::from_bits(self.heap.peek().map_or(0, |m| m.0)))
    }
}

mod blocked;
mod index;

use index::{Scratch, row_norm};

#[cfg(test)]
mod tests;
