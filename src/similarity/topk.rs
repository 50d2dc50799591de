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
pub fn top_k<V: Value>(matrix: &CsrMatrix<V>, search: &Search) -> Result<Neighbors> {
    top_k_with(matrix, None, search, |_, _| true)
}

/// The k most similar rows of `reference` for each row of `queries` (same columns).
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

impl<'a, V: Value> Index<'a, V> {
    fn build(reference: &'a CsrMatrix<V>, score: Score, queries: &CsrMatrix<V>) -> Result<Self> {
        if reference.n_cols() != queries.n_cols() {
            return Err(Error::param(
                "against",
                format!("{} vs {} columns", queries.n_cols(), reference.n_cols()),
                "queries and reference must be in the same term space",
            ));
        }
        let n_docs = reference.n_rows();
        if n_docs > u32::MAX as usize {
            return Err(Error::param("reference", n_docs, "at most 2^32 - 1 rows"));
        }
        let (indptr, indices, data) = reference.parts();
        let mut fast = true;
        for v in data.iter().chain(queries.parts().2) {
            let x = v.to_f64();
            if !x.is_finite() {
                return Err(Error::param("matrix", x, "values must be finite"));
            }
            fast &= x == 0.0 || FAST_RANGE.contains(&x);
        }
        // Zeros add nothing to a dot product; a term set counts every stored entry.
        let keep = |v: &V| score == Score::Jaccard || v.to_f64() != 0.0;
        let n_cols = reference.n_cols();
        let mut df = vec![0usize; n_cols];
        for (&c, v) in indices.iter().zip(data) {
            df[c as usize] += keep(v) as usize;
        }
        let mut by_rank: Vec<u32> = (0..n_cols as u32).collect();
        by_rank.sort_unstable_by_key(|&c| (df[c as usize], c));
        let mut rank_of = vec![0u32; n_cols];
        for (r, &c) in by_rank.iter().enumerate() {
            rank_of[c as usize] = r as u32;
        }
        let mut ptr = Vec::with_capacity(n_cols + 1);
        ptr.push(0);
        for &c in &by_rank {
            ptr.push(ptr.last().unwrap() + df[c as usize]);
        }
        let mut fill: Vec<usize> = ptr[..n_cols].to_vec();
        let mut postings = vec![(0u32, V::from_f64(0.0)); ptr[n_cols]];
        let (mut norm, mut inv_norm, mut set_size) = (
            Vec::with_capacity(n_docs),
            Vec::with_capacity(n_docs),
            Vec::with_capacity(n_docs),
        );
        for d in 0..n_docs {
            let (cols, vals) = reference.row(d);
            for (&c, &v) in cols.iter().zip(vals).filter(|(_, v)| keep(v)) {
                let slot = &mut fill[rank_of[c as usize] as usize];
                // Term sets count every stored entry once.
                let v = if score == Score::Jaccard {
                    V::from_f64(1.0)
                } else {
                    v
                };
                postings[*slot] = (d as u32, v);
                *slot += 1;
            }
            let n = row_norm(vals);
            norm.push(n);
            inv_norm.push(match score {
                Score::Cosine if n > 0.0 => 1.0 / n,
                Score::Cosine => 0.0,
                Score::Dot | Score::Jaccard => 1.0,
            });
            set_size.push(cols.len() as u32);
        }
        let mut index = Index {
            reference,
            n_docs,
            score,
            rank_of,
            ptr,
            postings,
            norm,
            inv_norm,
            set_size,
            fast: fast || score == Score::Jaccard,
            inv_norm32: Vec::new(),
            max_suffix: Vec::new(),
            max_value: Vec::new(),
            boundary_suffix: Vec::new(),
            n_boundaries: 0,
            outliers: Vec::new(),
            outlier_cap: Vec::new(),
            block: Vec::new(),
            block_start: usize::MAX,
            block_width: 0,
        };
        index.inv_norm32 = index.inv_norm.iter().map(|&x| x as f32).collect();
        if index.prunes() {
            index.build_bounds(indptr, indices, data);
        }
        Ok(index)
    }

    /// Whether bounds let the scan stop early (non-negative cosine or dot products).
    fn prunes(&self) -> bool {
        self.fast && self.score != Score::Jaccard
    }

    /// The per-rank maxima and the boundary table, from each row's suffix norms in rank order.
    fn build_bounds(&mut self, indptr: &[usize], indices: &[u32], data: &[V]) {
        let n_cols = self.rank_of.len();
        let n = self.n_docs;
        self.max_suffix = vec![0.0; n_cols + 1];
        self.max_value = vec![0.0; n_cols];
        // Boundaries at n_cols − 1, − 2, − 4, ... down to rank 0.
        self.n_boundaries = (n_cols.max(1).next_power_of_two().trailing_zeros() + 1) as usize;
        self.boundary_suffix = vec![0.0; self.n_boundaries * n];
        // The block: columns in at least 1/16 of the rows, as many as fit.
        let common = (0..n_cols)
            .rev()
            .take_while(|&r| (self.ptr[r + 1] - self.ptr[r]) * 16 >= n.max(16))
            .count();
        self.block_width = common.min(BLOCK_CELLS / n.max(1));
        self.block_start = n_cols - self.block_width;
        self.block = vec![0.0; n * self.block_width];
        // Per row, in parallel: its entries by rank with their normalized values (rounded up)
        // and the row's norm from each entry on (in `ranked`, at the row's CSR positions), its
        // boundary values, and its block row.
        let mut ranked: Vec<(u32, f32, f32)> = vec![(0, 0.0, 0.0); indices.len()];
        let mut segments: Vec<&mut [(u32, f32, f32)]> = Vec::with_capacity(n);
        let mut rest = &mut ranked[..];
        for d in 0..n {
            let (head, tail) = rest.split_at_mut(indptr[d + 1] - indptr[d]);
            segments.push(head);
            rest = tail;
        }
        let (h, start, nb) = (self.block_width, self.block_start, self.n_boundaries);
        let mut boundary_rows = vec![0.0f32; n * nb];
        // With no block, one unused column per row keeps the rows zipped below.
        let mut block = if h > 0 {
            std::mem::take(&mut self.block)
        } else {
            vec![0.0; n]
        };
        let rank_of = &self.rank_of;
        let inv_norm = &self.inv_norm;
        segments
            .into_par_iter()
            .zip(boundary_rows.par_chunks_mut(nb))
            .zip(block.par_chunks_mut(h.max(1)))
            .enumerate()
            .for_each_init(
                Vec::new,
                |sorted: &mut Vec<(u32, f64)>, (d, ((out, bounds), block_row))| {
                    let (s, e) = (indptr[d], indptr[d + 1]);
                    let scale = inv_norm[d];
                    sorted.clear();
                    sorted.extend(
                        indices[s..e]
                            .iter()
                            .zip(&data[s..e])
                            .map(|(&c, &v)| (rank_of[c as usize], v.to_f64() * scale)),
                    );
                    sorted.sort_unstable_by_key(|&(r, _)| r);
                    let mut tail = 0.0f64;
                    for (i, &(r, x)) in sorted.iter().enumerate().rev() {
                        tail += x * x;
                        out[i] = (r, up(x), up(tail.sqrt() * (1.0 + 1e-12)));
                        if h > 0 && r as usize >= start {
                            block_row[r as usize - start] = x as f32;
                        }
                    }
                    for (j, b) in bounds.iter_mut().enumerate() {
                        let from = n_cols.saturating_sub(1 << j) as u32;
                        let pos = out.partition_point(|e| e.0 < from);
                        *b = out.get(pos).map_or(0.0, |e| e.2);
                    }
                },
            );
        if h > 0 {
            self.block = block;
        }
        for &(r, x, suffix) in &ranked {
            let r = r as usize;
            self.max_suffix[r] = self.max_suffix[r].max(suffix);
            self.max_value[r] = self.max_value[r].max(x);
        }
        for d in 0..n {
            for j in 0..nb {
                self.boundary_suffix[j * n + d] = boundary_rows[d * nb + j];
            }
        }
        for r in (0..n_cols).rev() {
            self.max_suffix[r] = self.max_suffix[r].max(self.max_suffix[r + 1]);
        }
        for j in 0..self.n_boundaries {
            let column = &self.boundary_suffix[j * n..(j + 1) * n];
            let mut top: Vec<u32> = (0..n as u32).collect();
            let cut = OUTLIERS.min(n);
            if cut < n {
                top.select_nth_unstable_by(cut, |&a, &b| {
                    column[b as usize].total_cmp(&column[a as usize])
                });
            }
            let cap = top.get(cut).map_or(0.0, |&d| column[d as usize]);
            top.truncate(cut);
            top.sort_unstable();
            self.outliers.push(top);
            self.outlier_cap.push(cap);
        }
    }

    /// The exact score of a query with reference row `d`, the query's values spread over
    /// `dense` (indexed by column, zero elsewhere): products summed over `d`'s columns in column
    /// order, in `f64`. The query's zeros add exact zeros, so this is the same arithmetic, and
    /// the same bits, as [`score_pair`](super::score_pair)'s merge.
    fn exact(&self, dense: &[f64], bits: &[u64], q_norm: f64, d: usize) -> f64 {
        debug_assert!(
            self.score != Score::Jaccard,
            "Jaccard scores come from exact counts"
        );
        let (cols, vals) = self.reference.row(d);
        let mut dot = 0.0f64;
        for (&c, &v) in cols.iter().zip(vals) {
            // The bit set (small, cached) spares a load from `dense` for columns the query lacks.
            if bits[c as usize / 64] >> (c % 64) & 1 == 1 {
                dot += dense[c as usize] * v.to_f64();
            }
        }
        self.score_from_dot(dot, q_norm, 0, d)
    }

    /// The score from a full dot product (or, for Jaccard, the count of shared terms).
    #[inline]
    fn score_from_dot(&self, dot: f64, q_norm: f64, q_len: usize, d: usize) -> f64 {
        match self.score {
            Score::Cosine => {
                let n = q_norm * self.norm[d];
                if n > 0.0 { dot / n } else { 0.0 }
            }
            Score::Dot => dot,
            Score::Jaccard => {
                let common = dot as usize;
                dot / (q_len + self.set_size[d] as usize - common) as f64
            }
        }
    }

    /// Exact dot products of a query with every reference row it shares a term with, into
    /// `s.acc64` (rows listed in `s.touched`): posting lists visited in column order, so each
    /// row's products are added in the order a merge adds them (the same bits as
    /// [`score_pair`](super::score_pair)).
    fn scan_exact(&self, (cols, vals): (&[u32], &[V]), s: &mut Scratch) {
        if s.acc64.len() < self.n_docs {
            s.acc64 = vec![0.0; self.n_docs];
            s.seen = vec![false; self.n_docs];
        }
        for (&c, &v) in cols.iter().zip(vals) {
            let r = self.rank_of[c as usize] as usize;
            let q = if self.score == Score::Jaccard {
                1.0
            } else {
                v.to_f64()
            };
            for &(d, w) in &self.postings[self.ptr[r]..self.ptr[r + 1]] {
                let d = d as usize;
                if !s.seen[d] {
                    s.seen[d] = true;
                    s.touched.push(d as u32);
                }
                s.acc64[d] += if self.score == Score::Jaccard {
                    1.0
                } else {
                    q * w.to_f64()
                };
            }
        }
    }

    /// The top k of one query row into `s.heap`.
    fn query(
        &self,
        row: (&[u32], &[V]),
        search: &Search,
        s: &mut Scratch,
        eligible: impl Fn(usize) -> bool,
    ) {
        let q_norm = row_norm(row.1);
        if row.0.is_empty() || (self.score == Score::Cosine && q_norm == 0.0) {
            return;
        }
        let floor = search.min_score as f64;
        let q_min = row
            .1
            .iter()
            .map(|v| v.to_f64())
            .fold(f64::INFINITY, f64::min);
        let q_scale = if self.score == Score::Cosine {
            1.0 / q_norm
        } else {
            1.0
        };
        let fast = self.fast
            && (self.score == Score::Jaccard || q_min * q_scale >= *FAST_RANGE.start())
            && row.0.len() <= 1 << 20;
        if !fast {
            // Exact dot products of every row reached, then the heap.
            self.scan_exact(row, s);
            for &d in &s.touched {
                let d = d as usize;
                let score = self.score_from_dot(s.acc64[d], q_norm, row.0.len(), d);
                if score > 0.0 && score >= floor && eligible(d) {
                    s.heap.push(Neighbor {
                        index: d as u32,
                        score: score as f32,
                    });
                }
                s.acc64[d] = 0.0;
                s.seen[d] = false;
            }
            s.touched.clear();
            return;
        }
        self.query_fast(row, q_norm, search, s, eligible);
    }

    /// Non-negative values: `f32` partial scores with a proven error bound pick the candidates,
    /// bounds stop the scan early, exact `f64` scores rank the candidates.
    fn query_fast(
        &self,
        row: (&[u32], &[V]),
        q_norm: f64,
        search: &Search,
        s: &mut Scratch,
        eligible: impl Fn(usize) -> bool,
    ) {
        let n = self.n_docs;
        if s.acc32.len() < n {
            s.acc32 = vec![0.0; n];
            s.touched_buf = vec![0; n + 1];
        }
        // The query in rank order: (rank, f32 value for the scan, normalized f64 value).
        let jaccard = self.score == Score::Jaccard;
        let q_scale = if self.score == Score::Cosine {
            1.0 / q_norm
        } else {
            1.0
        };
        s.query.clear();
        for (&c, &v) in row.0.iter().zip(row.1) {
            let r = self.rank_of[c as usize];
            if self.ptr[r as usize + 1] > self.ptr[r as usize] {
                let x = if jaccard { 1.0 } else { v.to_f64() * q_scale };
                if x > 0.0 {
                    s.query.push((r, x as f32, x));
                }
            }
        }
        if s.query.is_empty() {
            return;
        }
        s.query.sort_unstable_by_key(|e| e.0);
        let m = s.query.len();
        let k = search.k;
        let floor = search.min_score as f64;
        // Partial sums are exact for Jaccard (counts), within a factor 1 ± γ otherwise.
        let g = if jaccard { 0.0 } else { gamma(m) };
        let (lo, hi) = (1.0 / (1.0 + g), 1.0 / (1.0 - g));
        let prunes = self.prunes();
        if prunes {
            s.suffix_norm.clear();
            s.suffix_norm.resize(m + 1, 0.0);
            s.suffix_max.clear();
            s.suffix_max.resize(m + 1, 0.0);
            for p in (0..m).rev() {
                let (r, _, x) = s.query[p];
                s.suffix_norm[p] = s.suffix_norm[p + 1] + x * x;
                s.suffix_max[p] = s.suffix_max[p + 1] + x * self.max_value[r as usize] as f64;
            }
            for x in &mut s.suffix_norm {
                *x = x.sqrt() * (1.0 + 1e-12);
            }
        }

        // Scan, rarest term first. Short posting lists record the rows they reach first
        // (without a branch); once a long list is scanned, rows are found by a pass over the
        // accumulator instead.
        let short = (n / 128).max(32);
        let mut theta = floor;
        let mut stop = m;
        let mut n_touched = 0usize;
        let mut tracked = true;
        let mut refreshed_at = f64::INFINITY;
        for p in 0..m {
            let (r, qv, _) = s.query[p];
            let (start, end) = (self.ptr[r as usize], self.ptr[r as usize + 1]);
            let long = end - start >= short;
            if prunes {
                // What the terms p.. can still add to a row not reached yet (outliers aside).
                let bound = self.unreached_bound(s, p);
                if n_touched >= k
                    && n_touched <= 4 * (end - start)
                    && bound >= theta - slack(theta)
                    && bound < 0.8 * refreshed_at
                {
                    refreshed_at = bound;
                    theta = theta.max(self.refresh(s, p, n_touched, k, lo, &eligible));
                }
                if bound < theta - slack(theta) {
                    stop = p;
                    #[cfg(test)]
                    tests::STOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
            }
            let postings = &self.postings[start..end];
            if tracked && !long {
                n_touched = scatter_tracked(
                    &mut s.acc32[..n],
                    postings,
                    qv,
                    &mut s.touched_buf[..n + 1],
                    n_touched,
                );
            } else {
                tracked = false;
                scatter(&mut s.acc32[..n], postings, qv);
            }
        }

        // Candidates, a superset first: rows whose score could still reach θ, by the error
        // bound and, if the scan stopped, by what the remaining terms could add to that row
        // (from the boundary table).
        let stopped = stop < m;
        let (q_rest_norm, q_rest_max, r_stop) = if stopped {
            (s.suffix_norm[stop], s.suffix_max[stop], s.query[stop].0)
        } else {
            (0.0, 0.0, 0)
        };
        let boundary = if stopped { self.boundary(r_stop) } else { 0 };
        let d_rest: &[f32] = if stopped {
            &self.boundary_suffix[boundary * n..(boundary + 1) * n]
        } else {
            &[]
        };
        let rest_of = |d: usize| {
            if stopped {
                (q_rest_norm * d_rest[d] as f64).min(q_rest_max)
            } else {
                0.0
            }
        };
        let threshold = if jaccard {
            f64::NEG_INFINITY
        } else {
            theta - slack(theta)
        };
        s.candidates.clear();
        if stopped {
            // Outliers not reached were left out of the bound that stopped the scan.
            for &d in &self.outliers[boundary] {
                let d = d as usize;
                if s.acc32[d] == 0.0 && rest_of(d) >= threshold {
                    s.candidates.push((0.0, d as u32));
                }
            }
        }
        if tracked {
            for &d in &s.touched_buf[..n_touched] {
                let d = d as usize;
                let partial = s.acc32[d] as f64 * self.inv_norm[d];
                if partial * hi + rest_of(d) >= threshold {
                    s.candidates.push((partial, d as u32));
                }
            }
        } else {
            filter_rows(
                &s.acc32[..n],
                &self.inv_norm32,
                d_rest,
                hi,
                q_rest_norm,
                q_rest_max,
                threshold,
                &mut s.candidates,
            );
            for c in &mut s.candidates {
                c.0 = s.acc32[c.1 as usize] as f64 * self.inv_norm[c.1 as usize];
            }
        }

        if jaccard {
            // Counts of shared terms are exact: every candidate's score, straight away.
            for &(count, d) in &s.candidates {
                let d = d as usize;
                let score = self.score_from_dot(count, q_norm, row.0.len(), d);
                if score > 0.0 && score >= floor && eligible(d) {
                    s.heap.push(Neighbor {
                        index: d as u32,
                        score: score as f32,
                    });
                }
            }
        } else {
            // Tight bounds per candidate: its partial score within the error bound, plus the
            // exact contribution of the remaining terms when they are in the block of common
            // columns (else the boundary bound).
            // The remaining terms: those in the block of common columns add an exactly known
            // amount; those before it (`stop..p_block`) at most Cauchy–Schwarz.
            let p_block = if stopped {
                stop + s.query[stop..].partition_point(|e| (e.0 as usize) < self.block_start)
            } else {
                m
            };
            let (mid_norm, mid_max) = if stopped {
                let (mut norm2, mut max) = (0.0, 0.0);
                for &(r, _, x) in &s.query[stop..p_block] {
                    norm2 += x * x;
                    max += x * self.max_value[r as usize] as f64;
                }
                (norm2.sqrt() * (1.0 + 1e-12), max)
            } else {
                (0.0, 0.0)
            };
            // First the cheap bounds (partial scores, boundary table), then, for the rows they
            // keep, the tight ones.
            s.best.clear(k);
            for &(partial, d) in &s.candidates {
                if eligible(d as usize) {
                    s.best.offer(partial * lo);
                }
            }
            let mut need = s.best.kth().map_or(theta, |x| theta.max(x));
            s.best.clear(k);
            s.bounds.clear();
            if p_block < m {
                self.prepare_block(s, p_block);
            }
            for &(partial, d) in &s.candidates {
                let du = d as usize;
                if partial * hi + rest_of(du) < need - slack(need) || !eligible(du) {
                    continue;
                }
                let (known_lo, known_hi) = if p_block < m {
                    self.block_bounds(s, p_block, du)
                } else {
                    (0.0, 0.0)
                };
                let mid = if p_block > stop && stopped {
                    (mid_norm * d_rest[du] as f64).min(mid_max)
                } else {
                    0.0
                };
                let lower = partial * lo + known_lo;
                let upper = partial * hi + known_hi + mid;
                s.best.offer(lower);
                s.bounds.push((upper, d));
            }
            if let Some(kth) = s.best.kth() {
                need = need.max(kth);
            }
            // Most promising first: the first upper bound below the k-th score ends the list.
            s.bounds
                .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let bounds = std::mem::take(&mut s.bounds);
            for &(upper, d) in &bounds {
                if let Some(kth) = s.heap.kth() {
                    need = need.max(kth as f64);
                }
                if upper < need - slack(need) {
                    break;
                }
                self.fill_dense(row, s);
                let score = self.exact(&s.dense, &s.bits, q_norm, d as usize);
                if score > 0.0 && score >= floor {
                    s.heap.push(Neighbor {
                        index: d,
                        score: score as f32,
                    });
                }
            }
            s.bounds = bounds;
        }

        if tracked {
            for &d in &s.touched_buf[..n_touched] {
                s.acc32[d as usize] = 0.0;
            }
        } else {
            s.acc32[..n].fill(0.0);
        }
        if s.dense_ready {
            for &c in row.0 {
                s.dense[c as usize] = 0.0;
                s.bits[c as usize / 64] = 0;
            }
            s.dense_ready = false;
        }
    }

    /// A lower bound on the k-th best final score before scanning query term `p`, from the rows
    /// reached so far (`s.touched_buf[..n_touched]`): the best rows' partial scores plus what the
    /// remaining terms in the block of common columns add to them exactly (the others add at
    /// least 0).
    fn refresh(
        &self,
        s: &mut Scratch,
        p: usize,
        n_touched: usize,
        k: usize,
        lo: f64,
        eligible: &impl Fn(usize) -> bool,
    ) -> f64 {
        s.best.clear(k);
        let p_block = p + s.query[p..].partition_point(|e| (e.0 as usize) < self.block_start);
        if p_block == s.query.len() {
            for &d in &s.touched_buf[..n_touched] {
                let d = d as usize;
                if eligible(d) {
                    s.best.offer(s.acc32[d] as f64 * self.inv_norm[d]);
                }
            }
            return s.best.kth().map_or(f64::NEG_INFINITY, |x| x * lo);
        }
        // The 2k rows with the best partial scores, in a bounded heap (bits of non-negative
        // f64s order like the numbers).
        let take = 2 * k;
        s.partials.clear();
        for &d in &s.touched_buf[..n_touched] {
            let du = d as usize;
            let partial = s.acc32[du] as f64 * self.inv_norm[du];
            let key = std::cmp::Reverse((partial.to_bits(), d));
            if s.partials.len() < take {
                if eligible(du) {
                    s.partials.push(key);
                }
            } else if let Some(mut min) = s.partials.peek_mut()
                && key < *min
                && eligible(du)
            {
                *min = key;
            }
        }
        let best = std::mem::take(&mut s.partials);
        self.prepare_block(s, p_block);
        for &std::cmp::Reverse((bits, d)) in best.iter() {
            let lower = f64::from_bits(bits) * lo + self.block_bounds(s, p_block, d as usize).0;
            s.best.offer(lower);
        }
        s.partials = best;
        s.best.kth().unwrap_or(f64::NEG_INFINITY)
    }

    /// Makes [`Index::block_bounds`] ready for query terms `p..` (all in the block of common
    /// columns): with many terms, a dense copy of them over the block's columns.
    fn prepare_block(&self, s: &mut Scratch, p: usize) {
        let h = self.block_width;
        s.block_dense = (s.query.len() - p) * 8 > h;
        if s.block_dense {
            s.block_query.clear();
            s.block_query.resize(h, 0.0);
            for &(r, _, x) in &s.query[p..] {
                s.block_query[r as usize - self.block_start] = x as f32;
            }
        }
    }

    /// Lower and upper bounds on what query terms `p..` (all in the block) add to row `d`'s
    /// score: Σ q·w over the block row. Few terms: gathered and summed in `f64` (only the
    /// block's `f32` rounding to allow for); many: a dense `f32` dot product in eight lanes,
    /// within its error bound γ(h). Call [`Index::prepare_block`] first.
    #[inline]
    fn block_bounds(&self, s: &Scratch, p: usize, d: usize) -> (f64, f64) {
        let h = self.block_width;
        let row = &self.block[d * h..(d + 1) * h];
        if s.block_dense {
            let v = dot8(&s.block_query, row) as f64;
            let g = gamma(h);
            (v / (1.0 + g), v / (1.0 - g))
        } else {
            let v: f64 = s.query[p..]
                .iter()
                .map(|&(r, _, x)| x * row[r as usize - self.block_start] as f64)
                .sum();
            (v * (1.0 - 1e-6), v * (1.0 + 1e-6))
        }
    }

    /// Spreads the query's values over `s.dense` (by column), once per query.
    fn fill_dense(&self, (cols, vals): (&[u32], &[V]), s: &mut Scratch) {
        if s.dense_ready {
            return;
        }
        if s.dense.len() < self.rank_of.len() {
            s.dense = vec![0.0; self.rank_of.len()];
            s.bits = vec![0; self.rank_of.len().div_ceil(64)];
        }
        for (&c, &v) in cols.iter().zip(vals) {
            s.dense[c as usize] = v.to_f64();
            s.bits[c as usize / 64] |= 1 << (c % 64);
        }
        s.dense_ready = true;
    }

    /// What query terms `p..` can add to a row that no earlier term reached, outliers of the
    /// boundary covering `p` aside.
    #[inline]
    fn unreached_bound(&self, s: &Scratch, p: usize) -> f64 {
        let r = s.query[p].0;
        let j = self.boundary(r);
        let cap = (self.max_suffix[r as usize]).min(self.outlier_cap[j]) as f64;
        (s.suffix_norm[p] * cap).min(s.suffix_max[p])
    }

    /// The boundary whose suffix covers every rank from `r` on: the smallest `j` with
    /// `n_cols − 2^j ≤ r`.
    fn boundary(&self, r: u32) -> usize {
        let from_end = self.rank_of.len() - r as usize;
        (from_end.next_power_of_two().trailing_zeros() as usize).min(self.n_boundaries - 1)
    }

    /// One dense row of exact scores (every reference row).
    fn dense_row(&self, row: (&[u32], &[V]), s: &mut Scratch, out: &mut [f32]) {
        let q_norm = row_norm(row.1);
        self.scan_exact(row, s);
        for &d in &s.touched {
            let d = d as usize;
            out[d] = self.score_from_dot(s.acc64[d], q_norm, row.0.len(), d) as f32;
            s.acc64[d] = 0.0;
            s.seen[d] = false;
        }
        s.touched.clear();
    }
}

/// ‖v‖ as [`score_pair`](super::score_pair) computes it.
fn row_norm<V: Value>(vals: &[V]) -> f64 {
    vals.iter()
        .map(|x| x.to_f64() * x.to_f64())
        .sum::<f64>()
        .sqrt()
}

/// Adds `q·v` into `acc[row]` for every posting `(row, v)`.
#[inline(never)]
fn scatter<V: Value>(acc: &mut [f32], postings: &[(u32, V)], q: f32) {
    for &(d, v) in postings {
        acc[d as usize] += q * v.to_f64() as f32;
    }
}

/// [`scatter`], also recording in `touched[count..]` each row whose sum leaves 0 (once: values
/// are positive on the fast path). Returns the new count; `touched` has one slot more than rows.
#[inline(never)]
fn scatter_tracked<V: Value>(
    acc: &mut [f32],
    postings: &[(u32, V)],
    q: f32,
    touched: &mut [u32],
    mut count: usize,
) -> usize {
    for &(d, v) in postings {
        let a = &mut acc[d as usize];
        let first = *a == 0.0;
        *a += q * v.to_f64() as f32;
        touched[count] = d;
        count += first as usize;
    }
    count
}

/// Pushes `(0, row)` for every row whose partial score `acc·inv_norm`, widened by the error bound
/// (`hi`) and by what its remaining terms can add (`min(q_rest_norm · rest, q_rest_max)`, if
/// `rest` is given), may reach `threshold`. Computed in `f32` with a margin far above its
/// rounding, in blocks that vectorize (hits are rare); a superset of the exact test.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn filter_rows(
    acc: &[f32],
    inv_norm: &[f32],
    rest: &[f32],
    hi: f64,
    q_rest_norm: f64,
    q_rest_max: f64,
    threshold: f64,
    out: &mut Vec<(f64, u32)>,
) {
    const B: usize = 16;
    let thr = if threshold > 1e-30 {
        (threshold * (1.0 - 1e-5)) as f32
    } else {
        0.0
    };
    let widen = 1.0 + 1e-6;
    let (hi, qn, qm) = (
        (hi * widen) as f32,
        (q_rest_norm * widen) as f32,
        (q_rest_max * widen) as f32,
    );
    // `min` without NaN handling (no NaN here), so the loop vectorizes.
    let pass = |a: f32, inv: f32, r: f32| {
        let extra = qn * r;
        (a > 0.0) & (a * inv * hi + if extra < qm { extra } else { qm } >= thr)
    };
    let zeros = [0.0f32; B];
    let n = acc.len();
    let full = n - n % B;
    let mut push_block = |base: usize, r: &[f32]| {
        for i in 0..B {
            if pass(acc[base + i], inv_norm[base + i], r[i]) {
                out.push((0.0, (base + i) as u32));
            }
        }
    };
    if rest.is_empty() {
        for (b, (a, inv)) in acc[..full]
            .chunks_exact(B)
            .zip(inv_norm[..full].chunks_exact(B))
            .enumerate()
        {
            let mut hit = false;
            for i in 0..B {
                hit |= pass(a[i], inv[i], 0.0);
            }
            if hit {
                push_block(b * B, &zeros);
            }
        }
    } else {
        let blocks = acc[..full]
            .chunks_exact(B)
            .zip(inv_norm[..full].chunks_exact(B))
            .zip(rest[..full].chunks_exact(B));
        for (b, ((a, inv), r)) in blocks.enumerate() {
            let mut hit = false;
            for i in 0..B {
                hit |= pass(a[i], inv[i], r[i]);
            }
            if hit {
                push_block(b * B, r);
            }
        }
    }
    for d in full..n {
        if pass(acc[d], inv_norm[d], rest.get(d).copied().unwrap_or(0.0)) {
            out.push((0.0, d as u32));
        }
    }
}

/// Σ a·b in `f32`, eight lanes at a time (so it vectorizes), then the lanes and the rest.
fn dot8(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// Per-thread working memory, reset after each query.
struct Scratch {
    /// `f32` partial scores of the fast path.
    acc32: Vec<f32>,
    /// `f64` dot products of the exact path, and which rows it reached.
    acc64: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    /// Rows first reached by the short lists of the fast path (n + 1 slots: written before
    /// counted).
    touched_buf: Vec<u32>,
    candidates: Vec<(f64, u32)>,
    /// The rows reached with the best partial scores (a min-heap on the bits of the score).
    partials: BinaryHeap<std::cmp::Reverse<(u64, u32)>>,
    /// (upper bound, row) of the candidates.
    bounds: Vec<(f64, u32)>,
    /// The current query by column (exact scores), and whether it is filled.
    dense: Vec<f64>,
    bits: Vec<u64>,
    dense_ready: bool,
    /// The query's remaining common terms over the block's columns, when that is in use.
    block_query: Vec<f32>,
    block_dense: bool,
    query: Vec<(u32, f32, f64)>,
    suffix_norm: Vec<f64>,
    suffix_max: Vec<f64>,
    best: KBest,
    heap: TopHeap,
}

impl Scratch {
    fn new(k: usize) -> Self {
        Scratch {
            acc32: Vec::new(),
            acc64: Vec::new(),
            seen: Vec::new(),
            touched: Vec::new(),
            touched_buf: Vec::new(),
            candidates: Vec::new(),
            partials: BinaryHeap::new(),
            bounds: Vec::new(),
            dense: Vec::new(),
            bits: Vec::new(),
            dense_ready: false,
            block_query: Vec::new(),
            block_dense: false,
            query: Vec::new(),
            suffix_norm: Vec::new(),
            suffix_max: Vec::new(),
            best: KBest {
                k,
                heap: BinaryHeap::new(),
            },
            heap: TopHeap::new(k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Queries whose scan stopped early (the pruned path), so tests can check it is exercised.
    pub(super) static STOPS: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);

    /// Brute force: every pair's score by merging rows, sorted, truncated.
    fn brute(
        queries: &CsrMatrix<f32>,
        reference: Option<&CsrMatrix<f32>>,
        search: &Search,
    ) -> Vec<Vec<Neighbor>> {
        let self_join = reference.is_none();
        let reference = reference.unwrap_or(queries);
        (0..queries.n_rows())
            .map(|q| {
                let mut all: Vec<Neighbor> = (0..reference.n_rows())
                    .filter(|&d| !(self_join && d == q))
                    .filter_map(|d| {
                        let s = super::super::score_pair(
                            queries.row(q),
                            reference.row(d),
                            search.score,
                        );
                        (s > 0.0 && s >= search.min_score as f64).then_some(Neighbor {
                            index: d as u32,
                            score: s as f32,
                        })
                    })
                    .collect();
                all.sort_by(Neighbor::rank_cmp);
                all.truncate(search.k);
                all
            })
            .collect()
    }

    fn check(queries: &CsrMatrix<f32>, reference: Option<&CsrMatrix<f32>>, search: &Search) {
        let fast = top_k_with(queries, reference, search, |_, _| true).unwrap();
        let slow = brute(queries, reference, search);
        assert_eq!(fast.n_rows(), slow.len());
        for (q, expected) in slow.iter().enumerate() {
            assert_eq!(fast.of(q), &expected[..], "row {q}, {search:?}");
        }
    }

    fn matrix(n_cols: usize, rows: Vec<Vec<(u32, f32)>>) -> CsrMatrix<f32> {
        let rows: Vec<Vec<(u32, f32)>> = rows
            .into_iter()
            .map(|mut r| {
                r.sort_by_key(|e| e.0);
                r.dedup_by_key(|e| e.0);
                r
            })
            .collect();
        CsrMatrix::from_rows(n_cols, &rows)
    }

    fn rows_strategy(
        n_cols: u32,
        max_rows: usize,
        values: impl Strategy<Value = f32> + Clone,
    ) -> impl Strategy<Value = Vec<Vec<(u32, f32)>>> {
        // Skewed columns (a few very common ones) exercise the pruning; small value sets make ties.
        let col = prop_oneof![0..4u32, 0..n_cols];
        proptest::collection::vec(proptest::collection::vec((col, values), 0..12), 1..max_rows)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn self_join_matches_sort_and_truncate(
            // Explicit zeros too: they stay out of the posting lists.
            rows in rows_strategy(30, 40, prop_oneof![4 => Just(1.0f32), 4 => Just(2.0), 8 => 0.01f32..5.0, 1 => Just(0.0)]),
            k in 1usize..8,
            min in prop_oneof![Just(0.0f32), 0.0f32..0.8],
        ) {
            let m = matrix(30, rows);
            for score in [Score::Cosine, Score::Dot, Score::Jaccard] {
                check(&m, None, &Search { k, min_score: min, score });
            }
        }

        #[test]
        fn against_matches_sort_and_truncate(
            q in rows_strategy(20, 15, prop_oneof![Just(1.0f32), 0.01f32..5.0]),
            r in rows_strategy(20, 40, prop_oneof![Just(1.0f32), 0.01f32..5.0]),
            k in 1usize..6,
        ) {
            let (q, r) = (matrix(20, q), matrix(20, r));
            for score in [Score::Cosine, Score::Dot, Score::Jaccard] {
                check(&q, Some(&r), &Search { k, min_score: 0.0, score });
            }
        }

        #[test]
        fn negative_or_tiny_values_take_the_exact_path(
            rows in rows_strategy(10, 20, prop_oneof![-2.0f32..2.0, Just(1e-30), Just(0.0)]),
            k in 1usize..5,
        ) {
            let m = matrix(10, rows);
            check(&m, None, &Search { k, min_score: 0.0, score: Score::Cosine });
        }
    }

    #[test]
    fn pruning_is_exercised_and_exact() {
        // 200 rows: one rare term each (pairs share it) plus common terms with small weights.
        let rows: Vec<Vec<(u32, f32)>> = (0..200u32)
            .map(|i| {
                vec![
                    (0, 0.1),
                    (1, 0.05 + (i % 7) as f32 * 0.01),
                    (2 + i / 2, 1.0 + (i % 3) as f32),
                ]
            })
            .collect();
        let m = matrix(102, rows);
        let before = STOPS.load(std::sync::atomic::Ordering::Relaxed);
        check(&m, None, &Search::new(1));
        assert!(STOPS.load(std::sync::atomic::Ordering::Relaxed) > before + 100);
    }

    #[test]
    fn heap_keeps_the_best_with_ties_to_the_lower_row() {
        let mut h = TopHeap::new(2);
        for (index, score) in [(5, 0.5), (3, 0.5), (9, 0.9), (1, 0.1), (4, 0.5)] {
            h.push(Neighbor { index, score });
        }
        let mut out = Vec::new();
        h.drain_sorted_into(&mut out);
        assert_eq!(
            out,
            [
                Neighbor {
                    index: 9,
                    score: 0.9
                },
                Neighbor {
                    index: 3,
                    score: 0.5
                }
            ]
        );
    }

    #[test]
    fn empty_rows_have_no_neighbours_and_no_nan() {
        let m = matrix(3, vec![vec![], vec![(0, 1.0)], vec![(0, 2.0)], vec![]]);
        for score in [Score::Cosine, Score::Dot, Score::Jaccard] {
            let nn = top_k(&m, &Search::new(3).score(score)).unwrap();
            assert!(nn.of(0).is_empty() && nn.of(3).is_empty());
            assert_eq!(nn.of(1).len(), 1);
            assert!(nn.iter().flatten().all(|n| n.score.is_finite()));
        }
        let mut dense = vec![f32::NAN; 16];
        all_scores(&m, None, Score::Cosine, &mut dense).ok();
        // all_scores expects a zeroed buffer; here check only that reached cells are finite.
        assert!((dense[5] - 1.0).abs() < 1e-6 && (dense[6] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn one_row_and_k_larger_than_n() {
        let one = matrix(2, vec![vec![(0, 1.0)]]);
        let nn = top_k(&one, &Search::new(10)).unwrap();
        assert_eq!(nn.n_rows(), 1);
        assert!(nn.of(0).is_empty());
        let m = matrix(
            2,
            vec![vec![(0, 1.0)], vec![(0, 1.0), (1, 1.0)], vec![(1, 1.0)]],
        );
        let nn = top_k(&m, &Search::new(100)).unwrap();
        assert_eq!(nn.of(1).len(), 2);
        assert_eq!(nn.of(1)[0].index, 0); // tie at 1/√2: the lower row first
    }

    #[test]
    fn filters_and_bad_parameters() {
        let m = matrix(2, vec![vec![(0, 1.0)], vec![(0, 1.0)], vec![(0, 1.0)]]);
        let nn = top_k_with(&m, None, &Search::new(5), |q, d| q % 2 != d % 2).unwrap();
        assert_eq!(nn.of(0).iter().map(|n| n.index).collect::<Vec<_>>(), [1]);
        assert!(top_k(&m, &Search::new(0)).is_err());
        assert!(top_k(&m, &Search::new(1).min_score(f32::NAN)).is_err());
        let other = matrix(3, vec![vec![(2, 1.0)]]);
        assert!(top_k_against(&m, &other, &Search::new(1)).is_err());
    }
}
