//! Exact top-k over sparse rows: an inverted index of the reference rows, a dense accumulator per
//! query, a bounded heap, and bounds that skip work which cannot change the answer.
//!
//! For each query row, the kernel visits the query's terms from the rarest to the most common and
//! adds `q_t · d_t` into one accumulator per reference document (the posting lists of an inverted
//! index, i.e. a column-major copy of the reference matrix). Common terms have long posting lists
//! and, under any idf, small weights. Once the best score that a document *not yet reached* could
//! still get from the remaining terms is below the k-th best partial score (partial scores only
//! grow: weights are non-negative), the remaining posting lists are not scanned; the documents
//! already reached are finished one by one, each skipped when its own upper bound (its partial
//! score plus a Cauchy–Schwarz bound on its remaining terms) cannot reach the current k-th score.
//!
//! Every score that is reported is computed in full, in `f64`, so the result is the one brute
//! force gives: the same neighbours and the same scores, ties broken by the lower row. Matrices
//! with a negative value fall back to scanning every posting list.

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

    fn validate(&self) -> Result<()> {
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
    /// Best first: higher score, then lower row.
    fn rank_cmp(&self, other: &Neighbor) -> Ordering {
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
    let index = Index::build(reference, search.score, queries)?;
    const BLOCK: usize = 32;
    let n = queries.n_rows();
    let blocks: Vec<(Vec<u32>, Vec<Neighbor>)> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map_init(
            || Scratch::new(index.n_docs, search.k),
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
        || Scratch::new(n_docs, 1),
        |scratch, (q, row)| index.dense_row(queries.row(q), scratch, row),
    );
    Ok(())
}

/// The inverted index of the reference rows, with the per-row and per-column maxima the bounds
/// need.
struct Index<V: Value> {
    n_docs: usize,
    score: Score,
    /// Column → rank: columns ordered by document frequency, then column.
    rank_of: Vec<u32>,
    /// Rank → range in `postings`.
    ptr: Vec<usize>,
    /// (reference row, value), rows ascending within a column.
    postings: Vec<(u32, V)>,
    /// 1/‖d‖ for cosine (0 for an empty row), 1 for dot products.
    inv_norm: Vec<f64>,
    /// Stored values per row (Jaccard).
    set_size: Vec<u32>,
    /// Whether the bounds are valid (no negative value, cosine or dot).
    prune: bool,
    /// Reference rows with columns replaced by ranks, sorted by rank.
    row_ptr: Vec<usize>,
    row_rank: Vec<u32>,
    row_value: Vec<V>,
    /// ‖d from this entry on‖ · inv_norm, rounded up: the normalized suffix norm.
    row_suffix: Vec<f32>,
    /// Rank → max over rows of the normalized suffix norm from that rank on.
    max_suffix: Vec<f32>,
    /// Rank → max over rows of the normalized value in that column.
    max_value: Vec<f32>,
}

/// Slack on every bound comparison: far above the `f64` rounding of the sums, and above half an
/// `f32` step of the scores, so a pruned row never ties with a kept one once rounded.
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

impl<V: Value> Index<V> {
    fn build(reference: &CsrMatrix<V>, score: Score, queries: &CsrMatrix<V>) -> Result<Self> {
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
        let mut negative = false;
        for v in data.iter().chain(queries.parts().2) {
            let x = v.to_f64();
            if !x.is_finite() {
                return Err(Error::param("matrix", x, "values must be finite"));
            }
            negative |= x < 0.0;
        }
        let n_cols = reference.n_cols();
        let mut df = vec![0usize; n_cols];
        for &c in indices {
            df[c as usize] += 1;
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
        let mut postings = vec![(0u32, V::from_f64(0.0)); indices.len()];
        let mut inv_norm = Vec::with_capacity(n_docs);
        let mut set_size = Vec::with_capacity(n_docs);
        for d in 0..n_docs {
            let (cols, vals) = reference.row(d);
            for (&c, &v) in cols.iter().zip(vals) {
                let slot = &mut fill[rank_of[c as usize] as usize];
                postings[*slot] = (d as u32, v);
                *slot += 1;
            }
            let norm = vals
                .iter()
                .map(|v| v.to_f64() * v.to_f64())
                .sum::<f64>()
                .sqrt();
            inv_norm.push(match score {
                Score::Cosine if norm > 0.0 => 1.0 / norm,
                Score::Cosine => 0.0,
                Score::Dot | Score::Jaccard => 1.0,
            });
            set_size.push(cols.len() as u32);
        }
        let prune = !negative && score != Score::Jaccard;
        let mut index = Index {
            n_docs,
            score,
            rank_of,
            ptr,
            postings,
            inv_norm,
            set_size,
            prune,
            row_ptr: Vec::new(),
            row_rank: Vec::new(),
            row_value: Vec::new(),
            row_suffix: Vec::new(),
            max_suffix: Vec::new(),
            max_value: Vec::new(),
        };
        if prune {
            index.build_bounds(indptr, indices, data);
        }
        Ok(index)
    }

    /// Rank-ordered copies of the rows with their suffix norms, and the per-rank maxima.
    fn build_bounds(&mut self, indptr: &[usize], indices: &[u32], data: &[V]) {
        let n_cols = self.rank_of.len();
        self.row_ptr = indptr.to_vec();
        self.row_rank = vec![0; indices.len()];
        self.row_value = vec![V::from_f64(0.0); indices.len()];
        self.row_suffix = vec![0.0; indices.len()];
        self.max_suffix = vec![0.0; n_cols + 1];
        self.max_value = vec![0.0; n_cols];
        let mut entries: Vec<(u32, V)> = Vec::new();
        for d in 0..self.n_docs {
            let (s, e) = (indptr[d], indptr[d + 1]);
            entries.clear();
            entries.extend(
                indices[s..e]
                    .iter()
                    .zip(&data[s..e])
                    .map(|(&c, &v)| (self.rank_of[c as usize], v)),
            );
            entries.sort_unstable_by_key(|&(r, _)| r);
            let scale = self.inv_norm[d];
            let mut tail = 0.0f64;
            for (i, &(r, v)) in entries.iter().enumerate().rev() {
                let x = v.to_f64() * scale;
                tail += x * x;
                let suffix = up(tail.sqrt() * (1.0 + 1e-12));
                self.row_rank[s + i] = r;
                self.row_value[s + i] = v;
                self.row_suffix[s + i] = suffix;
                let r = r as usize;
                self.max_suffix[r] = self.max_suffix[r].max(suffix);
                self.max_value[r] = self.max_value[r].max(up(x));
            }
        }
        for r in (0..n_cols).rev() {
            self.max_suffix[r] = self.max_suffix[r].max(self.max_suffix[r + 1]);
        }
    }

    /// Loads a query row into the scratch: (rank, value) sorted by rank, columns that no
    /// reference row has left out; returns the query's norm factor and term count.
    fn load_query(&self, (cols, vals): (&[u32], &[V]), s: &mut Scratch) -> (f64, usize) {
        s.query.clear();
        let mut norm2 = 0.0;
        for (&c, &v) in cols.iter().zip(vals) {
            let v = v.to_f64();
            norm2 += v * v;
            let r = self.rank_of[c as usize];
            if self.ptr[r as usize + 1] > self.ptr[r as usize] {
                s.query.push((r, v));
            }
        }
        s.query.sort_unstable_by_key(|&(r, _)| r);
        let inv = match self.score {
            Score::Cosine if norm2 > 0.0 => 1.0 / norm2.sqrt(),
            Score::Cosine => 0.0,
            Score::Dot | Score::Jaccard => 1.0,
        };
        (inv, cols.len())
    }

    /// Adds the postings of query term `p` into the accumulator, recording rows reached first.
    #[inline]
    fn scan(&self, s: &mut Scratch, p: usize) {
        let (r, qv) = s.query[p];
        let postings = &self.postings[self.ptr[r as usize]..self.ptr[r as usize + 1]];
        let acc = &mut s.acc[..self.n_docs];
        if self.score == Score::Jaccard {
            for &(d, _) in postings {
                let a = &mut acc[d as usize];
                if *a == 0.0 {
                    s.touched.push(d);
                }
                *a += 1.0;
            }
        } else {
            for &(d, v) in postings {
                let a = &mut acc[d as usize];
                if *a == 0.0 {
                    s.touched.push(d);
                }
                *a += qv * v.to_f64();
            }
        }
    }

    /// The final score of a reached row whose accumulator holds the full sum.
    #[inline]
    fn finish_score(&self, acc: f64, d: usize, inv_q: f64, q_len: usize) -> f64 {
        match self.score {
            Score::Cosine | Score::Dot => acc * self.inv_norm[d] * inv_q,
            Score::Jaccard => acc / (q_len as f64 + self.set_size[d] as f64 - acc),
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
        let (inv_q, q_len) = self.load_query(row, s);
        if inv_q == 0.0 || s.query.is_empty() {
            return;
        }
        let m = s.query.len();
        let floor = search.min_score as f64;
        let k = search.k;
        // Bounds on what the normalized query terms p.. can still add to any row.
        let mut stop = m;
        let mut theta = floor;
        if self.prune {
            s.suffix_norm.clear();
            s.suffix_norm.resize(m + 1, 0.0);
            s.suffix_max.clear();
            s.suffix_max.resize(m + 1, 0.0);
            for p in (0..m).rev() {
                let (r, v) = s.query[p];
                let x = v * inv_q;
                s.suffix_norm[p] = s.suffix_norm[p + 1] + x * x;
                s.suffix_max[p] = s.suffix_max[p + 1] + x * self.max_value[r as usize] as f64;
            }
            for x in &mut s.suffix_norm {
                *x = x.sqrt();
            }
            let mut refreshed_at = usize::MAX;
            for p in 0..m {
                let r = s.query[p].0 as usize;
                let bound = (s.suffix_norm[p] * self.max_suffix[r] as f64).min(s.suffix_max[p]);
                let len = self.ptr[r + 1] - self.ptr[r];
                // Re-estimate θ when this posting list costs about as much as a pass over the
                // rows reached, and enough has changed since the last estimate.
                if bound >= theta - slack(theta)
                    && s.touched.len() >= k
                    && 2 * len >= s.touched.len()
                    && (refreshed_at == usize::MAX
                        || s.touched.len() > refreshed_at + refreshed_at / 4)
                {
                    theta = theta.max(self.kth_partial(s, k, inv_q, &eligible));
                    refreshed_at = s.touched.len();
                }
                if bound < theta - slack(theta) {
                    stop = p;
                    #[cfg(test)]
                    tests::STOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
                self.scan(s, p);
            }
        } else {
            for p in 0..m {
                self.scan(s, p);
            }
        }
        let touched = std::mem::take(&mut s.touched);
        if stop == m {
            for &d in &touched {
                let d = d as usize;
                if eligible(d) {
                    let score = self.finish_score(s.acc[d], d, inv_q, q_len);
                    if score > 0.0 && score >= floor {
                        s.heap.push(Neighbor {
                            index: d as u32,
                            score: score as f32,
                        });
                    }
                }
            }
        } else {
            let r_stop = s.query[stop].0;
            let (q_norm, q_max) = (s.suffix_norm[stop], s.suffix_max[stop]);
            // What the remaining terms can add to any row (below θ, or the scan would go on).
            let rest = (q_norm * self.max_suffix[r_stop as usize] as f64).min(q_max);
            let mut kth = theta;
            for &d in &touched {
                let d = d as usize;
                let partial = s.acc[d] * self.inv_norm[d] * inv_q;
                if partial + rest < kth - slack(kth) || !eligible(d) {
                    continue;
                }
                // This row's own bound: Cauchy–Schwarz on its remaining terms.
                let (start, end) = (self.row_ptr[d], self.row_ptr[d + 1]);
                let pos = start + self.row_rank[start..end].partition_point(|&r| r < r_stop);
                let d_norm = if pos < end {
                    self.row_suffix[pos] as f64
                } else {
                    0.0
                };
                if partial + (q_norm * d_norm).min(q_max) < kth - slack(kth) {
                    continue;
                }
                // Finish in rank order, as the scan would have.
                let mut acc = s.acc[d];
                let (mut i, mut j) = (stop, pos);
                while i < m && j < end {
                    let (rq, rd) = (s.query[i].0, self.row_rank[j]);
                    match rq.cmp(&rd) {
                        Ordering::Less => i += 1,
                        Ordering::Greater => j += 1,
                        Ordering::Equal => {
                            acc += s.query[i].1 * self.row_value[j].to_f64();
                            i += 1;
                            j += 1;
                        }
                    }
                }
                let score = acc * self.inv_norm[d] * inv_q;
                if score > 0.0 && score >= floor {
                    s.heap.push(Neighbor {
                        index: d as u32,
                        score: score as f32,
                    });
                    if let Some(x) = s.heap.kth() {
                        kth = kth.max(x as f64);
                    }
                }
            }
        }
        for &d in &touched {
            s.acc[d as usize] = 0.0;
        }
        s.touched = touched;
        s.touched.clear();
    }

    /// The k-th best normalized partial score among eligible reached rows (a lower bound on the
    /// k-th best final score), or −∞ with fewer than k.
    fn kth_partial(
        &self,
        s: &mut Scratch,
        k: usize,
        inv_q: f64,
        eligible: &impl Fn(usize) -> bool,
    ) -> f64 {
        s.partials.clear();
        for &d in &s.touched {
            let d = d as usize;
            if eligible(d) {
                s.partials.push(s.acc[d] * self.inv_norm[d]);
            }
        }
        if s.partials.len() < k {
            return f64::NEG_INFINITY;
        }
        let (_, kth, _) = s
            .partials
            .select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        *kth * inv_q
    }

    /// One dense row of scores (every reference row).
    fn dense_row(&self, row: (&[u32], &[V]), s: &mut Scratch, out: &mut [f32]) {
        let (inv_q, q_len) = self.load_query(row, s);
        if inv_q == 0.0 {
            return;
        }
        for p in 0..s.query.len() {
            self.scan(s, p);
        }
        for &d in &s.touched {
            let d = d as usize;
            out[d] = self.finish_score(s.acc[d], d, inv_q, q_len) as f32;
            s.acc[d] = 0.0;
        }
        s.touched.clear();
    }
}

/// Per-thread working memory: one accumulator per reference row, reset after each query.
struct Scratch {
    acc: Vec<f64>,
    touched: Vec<u32>,
    query: Vec<(u32, f64)>,
    suffix_norm: Vec<f64>,
    suffix_max: Vec<f64>,
    partials: Vec<f64>,
    heap: TopHeap,
}

impl Scratch {
    fn new(n_docs: usize, k: usize) -> Self {
        Scratch {
            acc: vec![0.0; n_docs],
            touched: Vec::new(),
            query: Vec::new(),
            suffix_norm: Vec::new(),
            suffix_max: Vec::new(),
            partials: Vec::new(),
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
            rows in rows_strategy(30, 40, prop_oneof![Just(1.0f32), Just(2.0), 0.01f32..5.0]),
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
        fn negative_values_fall_back_to_the_full_scan(
            rows in rows_strategy(10, 20, -2.0f32..2.0),
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
