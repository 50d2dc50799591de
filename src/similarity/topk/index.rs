//! Building the index (posting lists, bounds) and the exact query; the helpers both queries
//! share.

use super::*;

impl<'a, V: Value> Index<'a, V> {
    pub(super) fn build(
        reference: &'a CsrMatrix<V>,
        score: Score,
        queries: &CsrMatrix<V>,
    ) -> Result<Self> {
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
    pub(super) fn prunes(&self) -> bool {
        self.fast && self.score != Score::Jaccard
    }

    /// The per-rank maxima and the boundary table, from each row's suffix norms in rank order.
    pub(super) fn build_bounds(&mut self, indptr: &[usize], indices: &[u32], data: &[V]) {
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
    pub(super) fn exact(&self, dense: &[f64], bits: &[u64], q_norm: f64, d: usize) -> f64 {
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
    pub(super) fn score_from_dot(&self, dot: f64, q_norm: f64, q_len: usize, d: usize) -> f64 {
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
    pub(super) fn scan_exact(&self, (cols, vals): (&[u32], &[V]), s: &mut Scratch) {
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
    pub(super) fn query(
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
}

/// ‖v‖ as [`score_pair`](super::score_pair) computes it.
pub(super) fn row_norm<V: Value>(vals: &[V]) -> f64 {
    vals.iter()
        .map(|x| x.to_f64() * x.to_f64())
        .sum::<f64>()
        .sqrt()
}

/// Adds `q·v` into `acc[row]` for every posting `(row, v)`.
#[inline(never)]
pub(super) fn scatter<V: Value>(acc: &mut [f32], postings: &[(u32, V)], q: f32) {
    for &(d, v) in postings {
        acc[d as usize] += q * v.to_f64() as f32;
    }
}

/// [`scatter`], also recording in `touched[count..]` each row whose sum leaves 0 (once: values
/// are positive on the fast path). Returns the new count; `touched` has one slot more than rows.
#[inline(never)]
pub(super) fn scatter_tracked<V: Value>(
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
pub(super) fn filter_rows(
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
pub(super) fn dot8(a: &[f32], b: &[f32]) -> f32 {
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
pub(super) struct Scratch {
    /// `f32` partial scores of the fast path.
    pub(super) acc32: Vec<f32>,
    /// `f64` dot products of the exact path, and which rows it reached.
    pub(super) acc64: Vec<f64>,
    pub(super) seen: Vec<bool>,
    pub(super) touched: Vec<u32>,
    /// Rows first reached by the short lists of the fast path (n + 1 slots: written before
    /// counted).
    pub(super) touched_buf: Vec<u32>,
    pub(super) candidates: Vec<(f64, u32)>,
    /// The rows reached with the best partial scores (a min-heap on the bits of the score).
    pub(super) partials: BinaryHeap<std::cmp::Reverse<(u64, u32)>>,
    /// (upper bound, row) of the candidates.
    pub(super) bounds: Vec<(f64, u32)>,
    /// The current query by column (exact scores), and whether it is filled.
    pub(super) dense: Vec<f64>,
    pub(super) bits: Vec<u64>,
    pub(super) dense_ready: bool,
    /// The query's remaining common terms over the block's columns, when that is in use.
    pub(super) block_query: Vec<f32>,
    pub(super) block_dense: bool,
    pub(super) query: Vec<(u32, f32, f64)>,
    pub(super) suffix_norm: Vec<f64>,
    pub(super) suffix_max: Vec<f64>,
    pub(super) best: KBest,
    pub(super) heap: TopHeap,
}

impl Scratch {
    pub(super) fn new(k: usize) -> Self {
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
