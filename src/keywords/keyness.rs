//! Keyness: which terms a target group uses more than a reference, with real statistics.
//!
//! Every term gets a 2×2 table — its count in the target `a` and in the reference `b`, and the
//! other tokens of each side `c = T − a`, `d = R − b` (`T`, `R` the totals, `N = T + R`) — and
//! one [`KeynessMeasure`] is computed on it, along with the Log Ratio effect size and, where the
//! measure has one, a p-value and its Benjamini–Hochberg adjustment across the terms tested.
//!
//! | measure | value | p-value |
//! |---|---|---|
//! | `g2` | Dunning's log-likelihood `G² = 2 Σ O ln(O/E)` over the four cells | χ², 1 df |
//! | `chi2` | Pearson's `N (ad − bc)² / ((a+b)(c+d)(a+c)(b+d))`, optionally with Yates' correction `N (max(0, \|ad − bc\| − N/2))² / …` | χ², 1 df |
//! | `logodds` | Monroe, Colaresi & Quinn (2008) log-odds ratio with an informative Dirichlet prior, as a z-score | normal, two-sided |
//! | `pmi` | pointwise mutual information of term and target, `log2(a N / ((a+b) T))` | — |
//! | `logratio` | Hardie's Log Ratio, `log2((a/T) / (b/R))` | — |
//!
//! G², χ² and the log-odds z are *signed*: negative when the target uses the term less than the
//! reference, so sorting by the statistic puts the target's distinctive terms first.
//!
//! **Zero counts.** Log Ratio and PMI replace a zero count by 0.5 (Hardie 2014's adjustment,
//! so a term the reference never uses gets a large but finite ratio); G² uses `0 · ln 0 = 0`; χ²
//! and G² are 0 for a degenerate table (an empty side). No output is ever NaN or infinite.
//!
//! **Log-odds prior and variance.** With `y` a term's count and `n` a side's total, and a prior
//! count `α_w = s · f_w` for each term, where `f_w` is the term's count in the whole corpus (every
//! group, not only the two compared) and `s` the prior scale (default 1), `α_0 = Σ α_w`:
//! `δ = ln((y_t + α_w) / (n_t + α_0 − y_t − α_w)) − ln((y_r + α_w) / (n_r + α_0 − y_r − α_w))`,
//! `Var(δ) ≈ 1/(y_t + α_w) + 1/(y_r + α_w)` (MCQ eqs. 16, 18–20), and `z = δ / √Var(δ)`.
//!
//! ```
//! use parallax::keywords::keyness::Table;
//! let t = Table { target: 10.0, reference: 1.0, target_total: 1000.0, reference_total: 1000.0 };
//! assert!(t.g2() > 8.0 && t.log_ratio() > 3.3);
//! ```

pub use super::group_keyness::{
    Comparison, Comparisons, GroupKeyness, Keyness, compare_groups, count_groups, keyness,
};

use std::collections::BTreeMap;

use super::significance::{benjamini_hochberg, chi2_sf, normal_two_sided};
use crate::error::{Error, Result};
use crate::matrix::CsrMatrix;

/// The keyness statistic used to rank terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeynessMeasure {
    /// Dunning's log-likelihood G² (4-cell), signed.
    G2,
    /// Pearson's χ², signed; Yates' correction if [`KeynessParams::yates`].
    Chi2,
    /// Monroe–Colaresi–Quinn log-odds with an informative Dirichlet prior, as a z-score.
    LogOdds,
    /// Pointwise mutual information (bits) of term and target.
    Pmi,
    /// Hardie's Log Ratio (binary log of the ratio of relative frequencies).
    LogRatio,
}

impl std::str::FromStr for KeynessMeasure {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "g2" | "ll" | "lr" => Ok(KeynessMeasure::G2),
            "chi2" => Ok(KeynessMeasure::Chi2),
            "logodds" => Ok(KeynessMeasure::LogOdds),
            "pmi" => Ok(KeynessMeasure::Pmi),
            "logratio" => Ok(KeynessMeasure::LogRatio),
            _ => Err(format!(
                "unknown measure `{s}`; known: g2, chi2, logodds, pmi, logratio"
            )),
        }
    }
}

impl KeynessMeasure {
    /// The name used on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            KeynessMeasure::G2 => "g2",
            KeynessMeasure::Chi2 => "chi2",
            KeynessMeasure::LogOdds => "logodds",
            KeynessMeasure::Pmi => "pmi",
            KeynessMeasure::LogRatio => "logratio",
        }
    }

    /// Whether the measure comes with a p-value.
    pub fn has_p_value(self) -> bool {
        matches!(
            self,
            KeynessMeasure::G2 | KeynessMeasure::Chi2 | KeynessMeasure::LogOdds
        )
    }
}

/// Keyness settings.
#[derive(Debug, Clone, PartialEq)]
pub struct KeynessParams {
    /// The statistic.
    pub measure: KeynessMeasure,
    /// Yates' continuity correction for χ².
    pub yates: bool,
    /// Test only terms with at least this count in target and reference together (at least 1).
    pub min_count: f64,
    /// Scale `s` of the log-odds prior `α_w = s · (count of w in the whole corpus)`.
    pub prior_scale: f64,
}

impl Default for KeynessParams {
    fn default() -> Self {
        KeynessParams {
            measure: KeynessMeasure::G2,
            yates: false,
            min_count: 3.0,
            prior_scale: 1.0,
        }
    }
}

impl KeynessParams {
    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] for a `min_count` below 1 (or NaN) or a `prior_scale` that is not a
    /// positive number.
    pub fn validate(&self) -> Result<()> {
        if self.min_count.is_nan() || self.min_count < 1.0 {
            return Err(Error::param(
                "--min-count",
                self.min_count,
                "must be at least 1",
            ));
        }
        if !(self.prior_scale > 0.0 && self.prior_scale.is_finite()) {
            return Err(Error::param(
                "--prior-scale",
                self.prior_scale,
                "must be a positive number",
            ));
        }
        Ok(())
    }

    /// Checks a false-discovery-rate level for these settings: within (0, 1], with a measure
    /// that has p-values.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] named `fdr` for a level outside (0, 1] or a measure without p-values.
    pub fn check_fdr(&self, fdr: Option<f64>) -> Result<()> {
        let Some(q) = fdr else { return Ok(()) };
        if !(q > 0.0 && q <= 1.0) {
            return Err(Error::param("fdr", q, "must be within (0, 1]"));
        }
        if !self.measure.has_p_value() {
            let reason = format!(
                "needs a measure with p-values (g2, chi2, logodds); {} has none",
                self.measure.name()
            );
            return Err(Error::param("fdr", q, reason));
        }
        Ok(())
    }
}

/// One term's counts on each side and the side totals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    /// Count in the target (`a`).
    pub target: f64,
    /// Count in the reference (`b`).
    pub reference: f64,
    /// All tokens of the target (`T = a + c`).
    pub target_total: f64,
    /// All tokens of the reference (`R = b + d`).
    pub reference_total: f64,
}

/// The adjustment for zero counts in Log Ratio and PMI.
const ZERO: f64 = 0.5;

fn xlogx_over(o: f64, e: f64) -> f64 {
    if o > 0.0 && e > 0.0 {
        o * (o / e).ln()
    } else {
        0.0
    }
}

impl Table {
    fn cells(&self) -> (f64, f64, f64, f64) {
        let (a, b) = (self.target, self.reference);
        (
            a,
            b,
            (self.target_total - a).max(0.0),
            (self.reference_total - b).max(0.0),
        )
    }

    /// +1 if the target's relative frequency is higher, −1 if lower, 0 if equal or undefined.
    pub fn direction(&self) -> f64 {
        if self.target_total <= 0.0 || self.reference_total <= 0.0 {
            return 0.0;
        }
        let diff = self.target * self.reference_total - self.reference * self.target_total;
        if diff > 0.0 {
            1.0
        } else if diff < 0.0 {
            -1.0
        } else {
            0.0
        }
    }

    /// Dunning's G² over the four cells, signed by [`Table::direction`].
    pub fn g2(&self) -> f64 {
        let (a, b, c, d) = self.cells();
        let n = a + b + c + d;
        if n <= 0.0 {
            return 0.0;
        }
        let (row1, row2) = (a + b, c + d);
        let (col1, col2) = (a + c, b + d);
        let g = 2.0
            * (xlogx_over(a, row1 * col1 / n)
                + xlogx_over(b, row1 * col2 / n)
                + xlogx_over(c, row2 * col1 / n)
                + xlogx_over(d, row2 * col2 / n));
        g.max(0.0) * self.direction()
    }

    /// Pearson's χ² (with Yates' continuity correction if `yates`), signed.
    pub fn chi2(&self, yates: bool) -> f64 {
        let (a, b, c, d) = self.cells();
        let n = a + b + c + d;
        let denominator = (a + b) * (c + d) * (a + c) * (b + d);
        if denominator <= 0.0 {
            return 0.0;
        }
        let mut diff = (a * d - b * c).abs();
        if yates {
            diff = (diff - n / 2.0).max(0.0);
        }
        n * diff * diff / denominator * self.direction()
    }

    /// Hardie's Log Ratio, `log2((a/T) / (b/R))`, a zero count replaced by 0.5.
    pub fn log_ratio(&self) -> f64 {
        if self.target_total <= 0.0 || self.reference_total <= 0.0 {
            return 0.0;
        }
        let a = if self.target > 0.0 { self.target } else { ZERO };
        let b = if self.reference > 0.0 {
            self.reference
        } else {
            ZERO
        };
        ((a / self.target_total) / (b / self.reference_total)).log2()
    }

    /// Pointwise mutual information of the term and the target, `log2(a N / ((a+b) T))`, a zero
    /// target count replaced by 0.5.
    pub fn pmi(&self) -> f64 {
        let n = self.target_total + self.reference_total;
        if self.target_total <= 0.0 || n <= 0.0 {
            return 0.0;
        }
        let a = if self.target > 0.0 { self.target } else { ZERO };
        (a * n / ((a + self.reference) * self.target_total)).log2()
    }

    /// Monroe–Colaresi–Quinn log-odds z-score with prior count `alpha` for this term and
    /// `alpha_total` over the vocabulary (see the module docs).
    pub fn log_odds_z(&self, alpha: f64, alpha_total: f64) -> f64 {
        let (yt, yr) = (self.target, self.reference);
        let (at, ar) = (yt + alpha, yr + alpha);
        let (bt, br) = (
            self.target_total + alpha_total - yt - alpha,
            self.reference_total + alpha_total - yr - alpha,
        );
        if at <= 0.0 || ar <= 0.0 || bt <= 0.0 || br <= 0.0 {
            return 0.0;
        }
        let delta = (at / bt).ln() - (ar / br).ln();
        let variance = 1.0 / at + 1.0 / ar;
        delta / variance.sqrt()
    }
}

/// One tested term of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct KeynessRow {
    /// The term's column in the counts.
    pub term: usize,
    /// Count in the target.
    pub target: f64,
    /// Count in the reference.
    pub reference: f64,
    /// The measure's value.
    pub statistic: f64,
    /// Log Ratio effect size.
    pub log_ratio: f64,
    /// p-value, if the measure has one.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted p-value over the terms tested in this comparison.
    pub p_adjusted: Option<f64>,
}

/// One term's row: its statistic, p-value (if the measure has one) and log ratio; the adjusted
/// p-value is left for the caller, who knows every term tested.
fn score(
    term: usize,
    table: &Table,
    background: f64,
    alpha_total: f64,
    params: &KeynessParams,
) -> KeynessRow {
    let (statistic, p_value) = match params.measure {
        KeynessMeasure::G2 => {
            let g = table.g2();
            (g, Some(chi2_sf(g.abs(), 1.0)))
        }
        KeynessMeasure::Chi2 => {
            let x = table.chi2(params.yates);
            (x, Some(chi2_sf(x.abs(), 1.0)))
        }
        KeynessMeasure::LogOdds => {
            // A term is in the background whenever it is in target or reference; the max()
            // keeps a caller's partial background from giving a zero prior.
            let alpha = params.prior_scale * background.max(table.target + table.reference);
            let z = table.log_odds_z(alpha, alpha_total.max(alpha));
            (z, Some(normal_two_sided(z)))
        }
        KeynessMeasure::Pmi => (table.pmi(), None),
        KeynessMeasure::LogRatio => (table.log_ratio(), None),
    };
    KeynessRow {
        term,
        target: table.target,
        reference: table.reference,
        statistic,
        log_ratio: table.log_ratio(),
        p_value,
        p_adjusted: None,
    }
}

/// Compares a target with a reference, term by term. `target`, `reference` and `background`
/// are counts indexed by term (the background is the whole corpus, used by the log-odds prior).
/// Returns every tested term (count in target and reference together at least
/// `params.min_count`), sorted by statistic, highest first, ties by term index.
pub fn compare(
    target: &[f64],
    reference: &[f64],
    background: &[f64],
    params: &KeynessParams,
) -> Vec<KeynessRow> {
    assert!(
        target.len() == reference.len() && target.len() == background.len(),
        "count vectors differ in length"
    );
    let target_total: f64 = target.iter().sum();
    let reference_total: f64 = reference.iter().sum();
    let alpha_total = params.prior_scale * background.iter().sum::<f64>();
    let min_count = params.min_count.max(f64::MIN_POSITIVE);
    let mut rows: Vec<KeynessRow> = (0..target.len())
        .filter(|&t| target[t] + reference[t] >= min_count)
        .map(|t| {
            let table = Table {
                target: target[t],
                reference: reference[t],
                target_total,
                reference_total,
            };
            score(t, &table, background[t], alpha_total, params)
        })
        .collect();
    if params.measure.has_p_value() {
        let p: Vec<f64> = rows.iter().map(|r| r.p_value.unwrap_or(1.0)).collect();
        for (row, q) in rows.iter_mut().zip(benjamini_hochberg(&p)) {
            row.p_adjusted = Some(q);
        }
    }
    rows.sort_by(|x, y| {
        y.statistic
            .total_cmp(&x.statistic)
            .then(x.term.cmp(&y.term))
    });
    rows
}

/// Term counts summed per group, stored sparsely (a group holds only the terms it uses).
#[derive(Debug, Clone, Default)]
pub struct GroupCounts {
    /// Group names, sorted.
    pub names: Vec<String>,
    /// Per group: (term, count), sorted by term.
    pub counts: Vec<Vec<(u32, f64)>>,
    /// Documents per group.
    pub docs: Vec<usize>,
    /// Counts over every grouped document.
    pub total: Vec<f64>,
}

impl GroupCounts {
    /// Sums the rows of a document × term count matrix per group. `groups[row]` names the
    /// row's group, or `None` to leave the row out.
    pub fn from_rows(matrix: &CsrMatrix<f64>, groups: &[Option<String>]) -> Self {
        assert_eq!(matrix.n_rows(), groups.len(), "one group per row");
        let mut names: Vec<String> = groups.iter().flatten().cloned().collect();
        names.sort();
        names.dedup();
        let index = |name: &str| {
            names
                .binary_search_by(|n| n.as_str().cmp(name))
                .expect("name listed")
        };
        let mut docs = vec![0; names.len()];
        let mut total = vec![0.0; matrix.n_cols()];
        // Per-group maps of the columns each group touches: memory follows the data, not
        // groups × vocabulary.
        let mut maps: Vec<rustc_hash::FxHashMap<u32, f64>> = vec![Default::default(); names.len()];
        for (row, group) in groups.iter().enumerate() {
            let Some(name) = group else { continue };
            let g = index(name);
            docs[g] += 1;
            let (cols, vals) = matrix.row(row);
            for (&c, &v) in cols.iter().zip(vals) {
                *maps[g].entry(c).or_insert(0.0) += v;
                total[c as usize] += v;
            }
        }
        let counts = maps
            .into_iter()
            .map(|m| {
                let mut v: Vec<(u32, f64)> = m.into_iter().collect();
                v.sort_unstable_by_key(|&(c, _)| c);
                v
            })
            .collect();
        GroupCounts {
            names,
            counts,
            docs,
            total,
        }
    }

    /// The position of a group by name.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).ok()
    }

    /// A group's counts as a dense vector.
    pub fn dense(&self, g: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.total.len()];
        for &(c, v) in &self.counts[g] {
            out[c as usize] = v;
        }
        out
    }

    /// The rows [`compare`] gives for group `g` against every other group, with the total
    /// counts as background (`compare(&self.dense(g), &self.rest(g), &self.total, params)`),
    /// but only those of the terms `g` uses: the same statistics, adjusted p-values and order.
    ///
    /// A term `g` does not use has all its count in the reference, so its p-value, which still
    /// counts in the Benjamini–Hochberg adjustment, depends on that count alone: such terms are
    /// scored once per distinct count. A small group in a large vocabulary costs its own terms,
    /// not the vocabulary.
    pub fn against_rest(&self, g: usize, params: &KeynessParams) -> Vec<KeynessRow> {
        let used = &self.counts[g];
        // Totals summed in column order, as `compare` sums its dense vectors.
        let target_total: f64 = used.iter().map(|&(_, v)| v).sum();
        let min_count = params.min_count.max(f64::MIN_POSITIVE);
        // One walk over the vocabulary: the reference's total, and the unused terms tested,
        // counted once per distinct count (their p-value depends on that count alone).
        let mut reference_total = 0.0;
        let mut unused: BTreeMap<u64, usize> = BTreeMap::new();
        let mut next = used.iter().peekable();
        for (c, &total) in self.total.iter().enumerate() {
            match next.next_if(|&&(u, _)| u as usize == c) {
                Some(&(_, v)) => reference_total += (total - v).max(0.0),
                None => {
                    reference_total += total;
                    if total >= min_count {
                        *unused.entry(total.to_bits()).or_insert(0) += 1;
                    }
                }
            }
        }
        let alpha_total = params.prior_scale * self.total.iter().sum::<f64>();
        let table = |target: f64, reference: f64| Table {
            target,
            reference,
            target_total,
            reference_total,
        };
        let mut rows: Vec<KeynessRow> = used
            .iter()
            .map(|&(c, v)| (c as usize, v, (self.total[c as usize] - v).max(0.0)))
            .filter(|&(_, v, r)| v + r >= min_count)
            .map(|(c, v, r)| score(c, &table(v, r), self.total[c], alpha_total, params))
            .collect();
        if params.measure.has_p_value() {
            let clean = |v: f64| if v.is_nan() { 1.0 } else { v.clamp(0.0, 1.0) };
            // (p, how many terms have it, the row it belongs to if one of g's terms).
            let mut ps: Vec<(f64, usize, Option<usize>)> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| (clean(r.p_value.unwrap_or(1.0)), 1, Some(i)))
                .collect();
            for (bits, k) in unused {
                let total = f64::from_bits(bits);
                let row = score(0, &table(0.0, total), total, alpha_total, params);
                ps.push((clean(row.p_value.unwrap_or(1.0)), k, None));
            }
            ps.sort_by(|a, b| a.0.total_cmp(&b.0));
            // Benjamini-Hochberg step-up from the largest p-value: terms that tie share the
            // value of the tie's highest rank, as in `benjamini_hochberg`.
            let m: usize = ps.iter().map(|p| p.1).sum();
            let (mut rank, mut running) = (m, 1.0f64);
            for &(p, k, row) in ps.iter().rev() {
                running = running.min(p * m as f64 / rank as f64).min(1.0);
                if let Some(i) = row {
                    rows[i].p_adjusted = Some(running);
                }
                rank -= k;
            }
        }
        rows.sort_by(|x, y| {
            y.statistic
                .total_cmp(&x.statistic)
                .then(x.term.cmp(&y.term))
        });
        rows
    }

    /// Everything but group `g`.
    pub fn rest(&self, g: usize) -> Vec<f64> {
        let mut out = self.total.clone();
        for &(c, v) in &self.counts[g] {
            out[c as usize] = (out[c as usize] - v).max(0.0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn against_rest_is_compare_on_the_terms_used() {
        // Four groups over 60 terms with many repeated counts (ties in p), some terms unused
        // by the small group, and a few below the minimum count.
        let mut rows = Vec::new();
        let mut groups = Vec::new();
        for d in 0..40u32 {
            let g = ["big", "mid", "small", "tiny"][(d % 7).min(3) as usize];
            let row: Vec<(u32, f64)> = (0..60u32)
                .filter(|t| (t * 7 + d * 3) % 5 != 0 && (g != "tiny" || t % 9 == 0))
                .map(|t| (t, f64::from((t * d) % 4 + 1)))
                .collect();
            rows.push(row);
            groups.push(Some(g.to_string()));
        }
        let matrix = CsrMatrix::from_rows(60, &rows);
        let grouped = GroupCounts::from_rows(&matrix, &groups);
        for measure in [
            KeynessMeasure::G2,
            KeynessMeasure::Chi2,
            KeynessMeasure::LogOdds,
            KeynessMeasure::Pmi,
        ] {
            let params = KeynessParams {
                measure,
                min_count: 3.0,
                ..Default::default()
            };
            for g in 0..grouped.names.len() {
                let all = compare(&grouped.dense(g), &grouped.rest(g), &grouped.total, &params);
                let want: Vec<&KeynessRow> = all.iter().filter(|r| r.target > 0.0).collect();
                let got = grouped.against_rest(g, &params);
                assert_eq!(got.len(), want.len(), "{measure:?} {g}");
                for (a, b) in got.iter().zip(want) {
                    assert_eq!(a, b, "{measure:?} group {g}");
                }
            }
        }
    }

    #[track_caller]
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }

    fn table(a: f64, b: f64, t: f64, r: f64) -> Table {
        Table {
            target: a,
            reference: b,
            target_total: t,
            reference_total: r,
        }
    }

    #[test]
    fn g2_by_hand() {
        // a=10, b=2, c=90, d=198; N=300. Expected: E = 4, 8, 96, 192.
        let t = table(10.0, 2.0, 100.0, 200.0);
        let by_hand = 2.0
            * (10.0 * (10.0f64 / 4.0).ln()
                + 2.0 * (2.0f64 / 8.0).ln()
                + 90.0 * (90.0f64 / 96.0).ln()
                + 198.0 * (198.0f64 / 192.0).ln());
        close(t.g2(), by_hand);
        close(by_hand, 13.349_280_220_275_187); // scipy chi2_contingency(lambda_="log-likelihood", correction=False)
        // Reversed roles: same size, negative sign.
        close(table(2.0, 10.0, 200.0, 100.0).g2(), -by_hand);
    }

    #[test]
    fn chi2_with_and_without_yates() {
        // a=10, b=2, c=90, d=198: ad − bc = 1980 − 180 = 1800; margins 12, 288, 100, 200.
        let t = table(10.0, 2.0, 100.0, 200.0);
        let denominator = 12.0 * 288.0 * 100.0 * 200.0;
        close(t.chi2(false), 300.0 * 1800.0f64.powi(2) / denominator); // 14.0625
        close(t.chi2(false), 14.0625);
        close(t.chi2(true), 300.0 * 1650.0f64.powi(2) / denominator); // 11.81640625
        close(t.chi2(true), 11.816_406_25);
        // scipy.stats.chi2_contingency([[10, 2], [90, 198]]) gives 11.81640625 (Yates).
        assert_eq!(table(1.0, 2.0, 100.0, 200.0).chi2(true), 0.0);
    }

    #[test]
    fn log_ratio_and_pmi_by_hand() {
        let t = table(10.0, 2.0, 100.0, 200.0);
        close(t.log_ratio(), (0.1f64 / 0.01).log2()); // log2(10)
        close(t.pmi(), (10.0f64 * 300.0 / (12.0 * 100.0)).log2()); // log2(2.5)
        // Zero counts become 0.5.
        close(table(4.0, 0.0, 100.0, 100.0).log_ratio(), 3.0);
        close(table(0.0, 4.0, 100.0, 100.0).log_ratio(), -3.0);
        close(
            table(0.0, 4.0, 100.0, 100.0).pmi(),
            (0.5f64 * 200.0 / (4.5 * 100.0)).log2(),
        );
    }

    #[test]
    fn log_odds_by_hand() {
        // y_t=10, y_r=2, n_t=100, n_r=200, prior α_w=12 (the term's corpus count), α_0=300.
        let t = table(10.0, 2.0, 100.0, 200.0);
        let delta = (22.0f64 / (100.0 + 300.0 - 10.0 - 12.0)).ln()
            - (14.0f64 / (200.0 + 300.0 - 2.0 - 12.0)).ln();
        let z = delta / (1.0 / 22.0 + 1.0 / 14.0f64).sqrt();
        close(t.log_odds_z(12.0, 300.0), z);
        close(z, 2.057_142_840_893_037);
    }

    #[test]
    fn zero_counts_and_empty_sides_stay_finite() {
        let cases = [
            table(0.0, 5.0, 100.0, 100.0),
            table(5.0, 0.0, 100.0, 100.0),
            table(0.0, 0.0, 100.0, 100.0),
            table(5.0, 0.0, 5.0, 0.0),
            table(0.0, 5.0, 0.0, 5.0),
            table(3.0, 3.0, 3.0, 3.0),
            table(0.0, 0.0, 0.0, 0.0),
        ];
        for t in cases {
            for v in [
                t.g2(),
                t.chi2(false),
                t.chi2(true),
                t.log_ratio(),
                t.pmi(),
                t.log_odds_z(t.target + t.reference, 10.0),
            ] {
                assert!(v.is_finite(), "{t:?} gives {v}");
            }
        }
        let p = compare(
            &[5.0, 0.0, 1.0],
            &[0.0, 5.0, 1.0],
            &[5.0, 5.0, 2.0],
            &KeynessParams {
                min_count: 1.0,
                ..Default::default()
            },
        );
        for measure in [
            KeynessMeasure::G2,
            KeynessMeasure::Chi2,
            KeynessMeasure::LogOdds,
            KeynessMeasure::Pmi,
            KeynessMeasure::LogRatio,
        ] {
            let params = KeynessParams {
                measure,
                min_count: 1.0,
                ..Default::default()
            };
            for row in compare(
                &[5.0, 0.0, 1.0],
                &[0.0, 5.0, 1.0],
                &[5.0, 5.0, 2.0],
                &params,
            ) {
                assert!(
                    row.statistic.is_finite() && row.log_ratio.is_finite(),
                    "{measure:?}: {row:?}"
                );
                assert!(row.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)));
            }
        }
        assert_eq!(p[0].term, 0);
        assert!(p[0].statistic > 0.0 && p[2].statistic < 0.0);
    }

    #[test]
    fn one_group_overuses_a_word() {
        // Three groups of documents; group "b" says "levy" far more often.
        let rows = vec![
            vec![(0u32, 5.0), (1, 1.0), (2, 3.0)],
            vec![(0, 4.0), (2, 4.0)],
            vec![(0, 5.0), (1, 12.0), (2, 3.0)],
            vec![(0, 6.0), (1, 9.0), (2, 2.0)],
            vec![(0, 5.0), (2, 5.0)],
        ];
        let matrix = CsrMatrix::<f64>::from_rows(3, &rows);
        let groups: Vec<Option<String>> = ["a", "a", "b", "b", "c"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        let counts = GroupCounts::from_rows(&matrix, &groups);
        assert_eq!(counts.names, ["a", "b", "c"]);
        assert_eq!(counts.docs, [2, 2, 1]);
        let b = counts.group("b").unwrap();
        for measure in [
            KeynessMeasure::G2,
            KeynessMeasure::Chi2,
            KeynessMeasure::LogOdds,
            KeynessMeasure::Pmi,
            KeynessMeasure::LogRatio,
        ] {
            let params = KeynessParams {
                measure,
                ..Default::default()
            };
            let result = compare(&counts.dense(b), &counts.rest(b), &counts.total, &params);
            assert_eq!(result[0].term, 1, "{measure:?}: {result:?}");
            assert_eq!((result[0].target, result[0].reference), (21.0, 1.0));
            if measure.has_p_value() {
                // 21 of 37 tokens against 1 of 27. The log-odds prior (the corpus counts, as
                // strong as the data) shrinks more: z ≈ 3.04, p ≈ 0.0024.
                let (p, q) = (result[0].p_value.unwrap(), result[0].p_adjusted.unwrap());
                assert!(p < 0.005 && q < 0.01, "{measure:?}: p {p}, adjusted {q}");
            }
        }
    }
}
