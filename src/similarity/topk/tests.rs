use super::*;
use proptest::prelude::*;

/// Queries whose scan stopped early (the pruned path), so tests can check it is exercised.
pub(super) static STOPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

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
                    let s =
                        super::super::score_pair(queries.row(q), reference.row(d), search.score);
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
