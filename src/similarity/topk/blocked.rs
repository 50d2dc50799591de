//! The query of non-negative rows: `f32` partial scores with a proven error bound, bounds that
//! stop the scan early, exact `f64` scores for the candidates (steps 1-4 of the module docs).

use super::index::{Scratch, dot8, filter_rows, scatter, scatter_tracked};
use super::*;

impl<'a, V: Value> Index<'a, V> {
    /// Non-negative values: `f32` partial scores with a proven error bound pick the candidates,
    /// bounds stop the scan early, exact `f64` scores rank the candidates.
    ///
    /// Long (about 270 lines): the four steps share the accumulators, the touched list and the
    /// running bounds, and this is the loop where `similar` spends its time; the parts that
    /// need no shared state (`scatter`, `filter_rows`, `refresh`) are separate. Splitting the
    /// rest is left until a split can be timed against this one (`benches/old_vs_new.py`).
    pub(super) fn query_fast(
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
    pub(super) fn refresh(
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
    pub(super) fn prepare_block(&self, s: &mut Scratch, p: usize) {
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
    pub(super) fn block_bounds(&self, s: &Scratch, p: usize, d: usize) -> (f64, f64) {
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
    pub(super) fn fill_dense(&self, (cols, vals): (&[u32], &[V]), s: &mut Scratch) {
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
    pub(super) fn unreached_bound(&self, s: &Scratch, p: usize) -> f64 {
        let r = s.query[p].0;
        let j = self.boundary(r);
        let cap = (self.max_suffix[r as usize]).min(self.outlier_cap[j]) as f64;
        (s.suffix_norm[p] * cap).min(s.suffix_max[p])
    }

    /// The boundary whose suffix covers every rank from `r` on: the smallest `j` with
    /// `n_cols − 2^j ≤ r`.
    pub(super) fn boundary(&self, r: u32) -> usize {
        let from_end = self.rank_of.len() - r as usize;
        (from_end.next_power_of_two().trailing_zeros() as usize).min(self.n_boundaries - 1)
    }

    /// One dense row of exact scores (every reference row).
    pub(super) fn dense_row(&self, row: (&[u32], &[V]), s: &mut Scratch, out: &mut [f32]) {
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
