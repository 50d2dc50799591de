//! Weighting schemes: term frequency, inverse document frequency, row normalization.

use serde::{Deserialize, Serialize};

/// Term-frequency component, from a term's count in a document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Tf {
    /// The count.
    Raw,
    /// 1 if present.
    Binary,
    /// `1 + ln(count)`.
    Log,
    /// `0.5 + 0.5 · count / max count in the document`.
    Augmented,
    /// Okapi BM25 saturation: `count·(k1+1) / (count + k1·(1 − b + b·len/avg_len))`.
    Bm25 {
        /// Saturation (typically 1.2).
        k1: f64,
        /// Length normalization (typically 0.75).
        b: f64,
    },
}

/// Inverse-document-frequency component, from a term's document frequency `df` among `n` documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idf {
    /// `ln((1+n)/(1+df)) + 1` (scikit-learn default).
    Smooth,
    /// `ln(n/df) + 1` (scikit-learn `smooth_idf=False`).
    Plain,
    /// 1.
    None,
    /// Probabilistic: `max(0, ln((n−df)/df))`.
    Prob,
    /// BM25 (Lucene form, never negative): `ln(1 + (n−df+0.5)/(df+0.5))`.
    Bm25,
    /// `log2(n/df)` (gensim `TfidfModel` default).
    Log2,
    /// `log10(n/df)` (quanteda `dfm_tfidf` default).
    Log10,
    /// `ln((n+1)/(df+1))` (Spark MLlib `IDF`).
    Spark,
}

/// Row normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Unit Euclidean length.
    L2,
    /// Unit sum of absolute values.
    L1,
    /// Leave as is.
    None,
}

/// The three components together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weighting {
    /// Term frequency.
    pub tf: Tf,
    /// Inverse document frequency.
    pub idf: Idf,
    /// Row normalization.
    pub norm: Norm,
}

impl Default for Weighting {
    /// scikit-learn's TF-IDF: raw counts, smooth idf, L2.
    fn default() -> Self {
        Weighting {
            tf: Tf::Raw,
            idf: Idf::Smooth,
            norm: Norm::L2,
        }
    }
}

impl std::str::FromStr for Idf {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
            format!("unknown idf `{s}`; known: smooth, plain, none, prob, bm25, log2, log10, spark")
        })
    }
}

impl std::str::FromStr for Norm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown norm `{s}`; known: l2, l1, none"))
    }
}

impl Idf {
    /// The weight of a term seen in `df` of `n` documents. Unsmoothed formulas treat `df = 0`
    /// (a fixed-vocabulary term never seen at fit) as `df = 1`, so no weight is infinite.
    pub fn weight(self, df: u64, n: u64) -> f64 {
        let n = n as f64;
        let d = df as f64;
        let d1 = d.max(1.0);
        match self {
            Idf::Smooth => ((1.0 + n) / (1.0 + d)).ln() + 1.0,
            Idf::Plain => (n / d1).ln() + 1.0,
            Idf::None => 1.0,
            Idf::Prob => ((n - d1) / d1).ln().max(0.0),
            Idf::Bm25 => (1.0 + (n - d + 0.5) / (d + 0.5)).ln(),
            Idf::Log2 => (n / d1).log2(),
            Idf::Log10 => (n / d1).log10(),
            Idf::Spark => ((n + 1.0) / (d + 1.0)).ln(),
        }
    }
}

impl Tf {
    /// The tf weight of a count, given the document's largest count, its length and the
    /// average length learned at fit.
    #[inline]
    pub fn weight(self, count: u32, max_count: u32, doc_len: f64, avg_len: f64) -> f64 {
        let c = count as f64;
        match self {
            Tf::Raw => c,
            Tf::Binary => 1.0,
            Tf::Log => 1.0 + c.ln(),
            Tf::Augmented => 0.5 + 0.5 * c / max_count.max(1) as f64,
            Tf::Bm25 { k1, b } => {
                let ratio = if avg_len > 0.0 {
                    doc_len / avg_len
                } else {
                    1.0
                };
                c * (k1 + 1.0) / (c + k1 * (1.0 - b + b * ratio))
            }
        }
    }
}

/// The largest count of a row (what augmented tf divides by).
fn max_count(counts: &[(u32, u32)]) -> u32 {
    counts.iter().map(|&(_, c)| c).max().unwrap_or(0)
}

impl Weighting {
    /// Raw term counts: no idf, no normalization.
    pub const COUNTS: Weighting = Weighting {
        tf: Tf::Raw,
        idf: Idf::None,
        norm: Norm::None,
    };

    /// Checks the BM25 parameters (the other components have no free parameters).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Param`] for a BM25 `k1` that is not a positive number or a `b` outside
    /// 0.0..=1.0.
    pub fn validate(&self) -> crate::Result<()> {
        if let Tf::Bm25 { k1, b } = self.tf {
            if !(k1.is_finite() && k1 > 0.0) {
                return Err(crate::Error::param(
                    "--bm25-k1",
                    k1,
                    "must be a positive number",
                ));
            }
            if !(0.0..=1.0).contains(&b) {
                return Err(crate::Error::param(
                    "--bm25-b",
                    b,
                    "must be within 0.0..=1.0",
                ));
            }
        }
        Ok(())
    }

    /// How many of a row's counts [`Weighting::weigh_row`] stores (those of weight zero are
    /// dropped), without weighing the row.
    pub fn stored(&self, counts: &[(u32, u32)], idf: &[f64], doc_len: f64, avg_len: f64) -> usize {
        let max_count = max_count(counts);
        counts
            .iter()
            .filter(|&&(col, count)| {
                self.unnormalized(count, max_count, doc_len, avg_len, idf[col as usize]) != 0.0
            })
            .count()
    }

    /// A count's weight before normalization: tf times idf.
    #[inline]
    fn unnormalized(
        &self,
        count: u32,
        max_count: u32,
        doc_len: f64,
        avg_len: f64,
        idf: f64,
    ) -> f64 {
        self.tf.weight(count, max_count, doc_len, avg_len) * idf
    }

    /// Weights a row in place: `counts` are (column, count); `idf[column]` is the learned idf.
    /// Zero weights are dropped, so the row holds only stored values.
    pub fn weigh_row(
        &self,
        counts: &[(u32, u32)],
        idf: &[f64],
        doc_len: f64,
        avg_len: f64,
        out: &mut Vec<(u32, f64)>,
    ) {
        out.clear();
        let max_count = max_count(counts);
        for &(col, count) in counts {
            let w = self.unnormalized(count, max_count, doc_len, avg_len, idf[col as usize]);
            if w != 0.0 {
                out.push((col, w));
            }
        }
        let scale = match self.norm {
            Norm::None => return,
            Norm::L2 => out.iter().map(|&(_, w)| w * w).sum::<f64>().sqrt(),
            Norm::L1 => out.iter().map(|&(_, w)| w.abs()).sum::<f64>(),
        };
        if scale > 0.0 {
            out.iter_mut().for_each(|(_, w)| *w /= scale);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_formulas() {
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        close(Idf::Smooth.weight(1, 3), (4.0f64 / 2.0).ln() + 1.0);
        close(Idf::Plain.weight(1, 3), 3.0f64.ln() + 1.0);
        close(Idf::Log2.weight(1, 8), 3.0);
        close(Idf::Log10.weight(1, 100), 2.0);
        close(Idf::Spark.weight(3, 3), 0.0);
        close(Idf::Prob.weight(3, 4), 0.0);
        close(Idf::Bm25.weight(1, 3), (1.0f64 + 2.5 / 1.5).ln());
        assert!(Idf::Plain.weight(0, 3).is_finite());
    }

    #[test]
    fn stored_counts_what_weighing_keeps() {
        let (counts, idf) = ([(0, 3), (1, 1), (2, 4)], [1.0, 0.0, 0.5]);
        // Column 1's idf is zero: its weight is dropped whatever the tf.
        for tf in [Tf::Raw, Tf::Binary, Tf::Log, Tf::Augmented] {
            let w = Weighting {
                tf,
                ..Default::default()
            };
            let mut out = Vec::new();
            w.weigh_row(&counts, &idf, 8.0, 8.0, &mut out);
            assert_eq!(w.stored(&counts, &idf, 8.0, 8.0), out.len());
        }
    }

    #[test]
    fn l2_row_and_zero_drop() {
        let w = Weighting {
            tf: Tf::Raw,
            idf: Idf::Log2,
            norm: Norm::L2,
        };
        let mut out = Vec::new();
        // Column 1 has idf 0 (in every document): dropped, as gensim does.
        w.weigh_row(
            &[(0, 3), (1, 1), (2, 4)],
            &[1.0, 0.0, 1.0],
            8.0,
            8.0,
            &mut out,
        );
        assert_eq!(out, [(0, 0.6), (2, 0.8)]);
    }

    #[test]
    fn tf_variants() {
        assert_eq!(Tf::Augmented.weight(2, 4, 0.0, 0.0), 0.75);
        assert!((Tf::Log.weight(1, 1, 0.0, 0.0) - 1.0).abs() < 1e-12);
        let bm25 = Tf::Bm25 { k1: 1.2, b: 0.75 };
        assert!((bm25.weight(1, 1, 10.0, 10.0) - 1.0).abs() < 1e-12);
    }
}
