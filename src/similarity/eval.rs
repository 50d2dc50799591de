//! Quality against gold data: clusterings (adjusted Rand index, pairwise precision / recall /
//! F1), neighbour lists (is the nearest document from another source about the same event?),
//! and scores (Pearson and Spearman correlation with human ratings).
//!
//! ```
//! use parallax::similarity::eval::{cluster_agreement, pearson, spearman};
//! let gold = ["a", "a", "b", "b"];
//! let pred = [0, 0, 1, 2];
//! let c = cluster_agreement(&gold, &pred);
//! assert_eq!((c.precision, c.recall), (1.0, 0.5));
//! assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap() - 0.99795).abs() < 1e-5);
//! assert_eq!(spearman(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]), Some(1.0));
//! ```

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// How well a predicted clustering agrees with a gold one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClusterAgreement {
    /// Items compared.
    pub items: usize,
    /// Distinct gold clusters.
    pub gold_clusters: usize,
    /// Distinct predicted clusters.
    pub pred_clusters: usize,
    /// Adjusted Rand index (Hubert & Arabie 1985): 1 for identical clusterings, about 0 for
    /// chance; 1 by convention when the index is undefined (both trivial).
    pub ari: f64,
    /// Of the pairs put together, the share that gold puts together (0 if none).
    pub precision: f64,
    /// Of the pairs gold puts together, the share put together (0 if none).
    pub recall: f64,
    /// Harmonic mean of pairwise precision and recall.
    pub f1: f64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Compares two labelings of the same items (`gold[i]` and `pred[i]` label item i).
///
/// Panics if the slices differ in length.
pub fn cluster_agreement<G: Eq + Hash, P: Eq + Hash>(gold: &[G], pred: &[P]) -> ClusterAgreement {
    assert_eq!(
        gold.len(),
        pred.len(),
        "one gold and one predicted label per item"
    );
    let mut g_count: HashMap<&G, u64> = HashMap::new();
    let mut p_count: HashMap<&P, u64> = HashMap::new();
    let mut both: HashMap<(&G, &P), u64> = HashMap::new();
    for (g, p) in gold.iter().zip(pred) {
        *g_count.entry(g).or_default() += 1;
        *p_count.entry(p).or_default() += 1;
        *both.entry((g, p)).or_default() += 1;
    }
    // Sums of pair counts are order-independent, so hash-map iteration order is harmless here.
    let same_both = both.values().map(|&c| pairs(c)).sum::<u64>() as f64;
    let same_gold = g_count.values().map(|&c| pairs(c)).sum::<u64>() as f64;
    let same_pred = p_count.values().map(|&c| pairs(c)).sum::<u64>() as f64;
    let total = pairs(gold.len() as u64) as f64;
    let expected = if total > 0.0 {
        same_gold * same_pred / total
    } else {
        0.0
    };
    let max = (same_gold + same_pred) / 2.0;
    let ari = if max == expected {
        1.0
    } else {
        (same_both - expected) / (max - expected)
    };
    let precision = if same_pred > 0.0 {
        same_both / same_pred
    } else {
        0.0
    };
    let recall = if same_gold > 0.0 {
        same_both / same_gold
    } else {
        0.0
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    ClusterAgreement {
        items: gold.len(),
        gold_clusters: g_count.len(),
        pred_clusters: p_count.len(),
        ari,
        precision,
        recall,
        f1,
    }
}

/// How often neighbour lists find the same event in another source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NeighbourAgreement {
    /// Items evaluated.
    pub items: usize,
    /// Share of items whose first neighbour from another source has the same gold event.
    pub top1_other_source: f64,
    /// Mean reciprocal rank of the first same-event neighbour from another source (0 if none).
    pub mrr_other_source: f64,
    /// Items with no neighbour from another source at all.
    pub without_other_source: usize,
}

/// Scores neighbour lists: `lists[i]` are item i's neighbours (item indices), best first;
/// `events` and `sources` are the gold event and the source of every item.
pub fn neighbour_agreement<E: Eq, S: Eq>(
    events: &[E],
    sources: &[S],
    lists: &[Vec<usize>],
) -> NeighbourAgreement {
    assert!(
        events.len() == sources.len() && events.len() == lists.len(),
        "one entry per item"
    );
    let (mut top1, mut rr, mut without) = (0usize, 0.0f64, 0usize);
    for (i, list) in lists.iter().enumerate() {
        let mut other = list
            .iter()
            .filter(|&&j| j != i && sources[j] != sources[i])
            .peekable();
        match other.peek() {
            None => without += 1,
            Some(&&j) if events[j] == events[i] => top1 += 1,
            Some(_) => {}
        }
        if let Some(rank) = other.position(|&j| events[j] == events[i]) {
            rr += 1.0 / (rank + 1) as f64;
        }
    }
    let n = lists.len().max(1) as f64;
    NeighbourAgreement {
        items: lists.len(),
        top1_other_source: top1 as f64 / n,
        mrr_other_source: rr / n,
        without_other_source: without,
    }
}

/// Pearson's correlation coefficient, or `None` with fewer than two pairs or a constant side.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "paired samples");
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation: Pearson's on ranks, tied values sharing their average rank.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// 1-based ranks, ties given the average of the ranks they span (`[10, 20, 20]` → `[1, 2.5, 2.5]`).
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            ranks[o] = rank;
        }
        i = j + 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ari_known_values() {
        // scikit-learn: adjusted_rand_score([0,0,1,1], [0,0,1,2]) = 0.5714285714285715
        let c = cluster_agreement(&[0, 0, 1, 1], &[0, 0, 1, 2]);
        assert!((c.ari - 0.5714285714285715).abs() < 1e-12, "{c:?}");
        // adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.24242424242424246
        let c = cluster_agreement(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((c.ari - 0.24242424242424246).abs() < 1e-12, "{c:?}");
        assert_eq!(cluster_agreement(&["x", "y"], &[7, 9]).ari, 1.0);
        let perfect = cluster_agreement(&[1, 1, 2], &["b", "b", "a"]);
        assert_eq!(
            (perfect.ari, perfect.f1, perfect.pred_clusters),
            (1.0, 1.0, 2)
        );
    }

    #[test]
    fn pairwise_precision_recall() {
        let c = cluster_agreement(&[0, 0, 0, 1], &[0, 0, 1, 1]);
        // predicted pairs: (0,1), (2,3); gold pairs: (0,1), (0,2), (1,2).
        assert_eq!((c.precision, c.recall), (0.5, 1.0 / 3.0));
        assert!((c.f1 - 0.4).abs() < 1e-12);
    }

    #[test]
    fn neighbours_across_sources() {
        let events = ["e1", "e1", "e2", "e2"];
        let sources = ["a", "b", "a", "b"];
        let lists = vec![vec![2, 1], vec![3, 0], vec![3], vec![]];
        let n = neighbour_agreement(&events, &sources, &lists);
        // 0: 2 is its own source, then 1 (same event). 1: 3 is its own source, then 0 (same
        // event). 2: 3 (same event). 3: no neighbour.
        assert_eq!(n.top1_other_source, 0.75);
        assert_eq!(n.without_other_source, 1);
        assert_eq!(n.mrr_other_source, 0.75);
    }

    #[test]
    fn correlations() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 20.0, 5.0]),
            [2.0, 3.5, 3.5, 1.0]
        );
        // scipy.stats.spearmanr([1,2,2,3], [1,3,2,4]).statistic = 0.9486832980505138
        let s = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!((s - 0.9486832980505138).abs() < 1e-12, "{s}");
        // scipy.stats.pearsonr([1,2,3,4], [2,1,4,3]).statistic = 0.6
        assert!(
            (pearson(&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0]).unwrap() - 0.6).abs() < 1e-12
        );
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[1.0], &[1.0]), None);
    }
}
