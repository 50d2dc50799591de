//! The exact top-k of a self-join within a window of days, searched block by block.
//!
//! Filtering a whole-corpus search by date costs every query a pass over every document, so a
//! corpus twice as long (in time) costs four times as much. Here the dated documents are cut
//! into blocks of `window + 1` consecutive days; a block's queries are searched only against
//! the dated documents of their block and the two around it (every pair within the window is
//! there), and against the undated documents in one search of their own. Undated documents
//! carry no time evidence, so they are searched against everything. The lists are merged per
//! query. Scores are exact whatever the reference set (see [`super::top_k_with`]) and ties go
//! to the lower row in every part, so the result is the one a filtered whole-corpus search
//! gives, bit for bit.
//!
//! Cost: dated queries meet their ±window neighbourhood and the undated documents, so time is
//! linear in the dated documents at a fixed density of articles per day, plus undated ×
//! everything.

use super::topk::{Neighbor, Neighbors, Search, top_k_with};
use crate::error::Result;
use crate::matrix::{CsrMatrix, Value};

/// The k best neighbours of every row of `matrix` (never itself) among the rows whose dates
/// are at most `window` days from its own (rows without a date meet every row) and that
/// `allow(query, row)` accepts. The same as [`top_k_with`] with that filter, faster.
///
/// # Errors
///
/// As [`top_k_with`].
pub fn top_k_within_days<V, F>(
    matrix: &CsrMatrix<V>,
    days: &[Option<i64>],
    window: i64,
    search: &Search,
    allow: F,
) -> Result<Neighbors>
where
    V: Value,
    F: Fn(usize, usize) -> bool + Sync,
{
    assert_eq!(days.len(), matrix.n_rows(), "one date (or none) per row");
    let n = matrix.n_rows();
    let undated: Vec<usize> = (0..n).filter(|&i| days[i].is_none()).collect();
    let mut dated: Vec<(i64, usize)> = (0..n).filter_map(|i| days[i].map(|d| (d, i))).collect();
    dated.sort_unstable();
    let mut lists: Vec<Vec<Neighbor>> = vec![Vec::new(); n];
    let trace = crate::trace::Trace::start();

    // Undated queries against every row.
    if !undated.is_empty() {
        let queries = matrix.select_rows(undated.iter().copied());
        let nn = top_k_with(&queries, Some(matrix), search, |q, d| {
            undated[q] != d && allow(undated[q], d)
        })?;
        for (q, list) in nn.iter().enumerate() {
            lists[undated[q]] = list.to_vec();
        }
    }
    trace.mark("window: undated queries");
    // Dated queries against the undated rows.
    let dated_rows: Vec<usize> = dated.iter().map(|&(_, i)| i).collect();
    if !undated.is_empty() && !dated.is_empty() {
        let queries = matrix.select_rows(dated_rows.iter().copied());
        let reference = matrix.select_rows(undated.iter().copied());
        let nn = top_k_with(&queries, Some(&reference), search, |q, d| {
            allow(dated_rows[q], undated[d])
        })?;
        for (q, list) in nn.iter().enumerate() {
            lists[dated_rows[q]] = list
                .iter()
                .map(|nb| Neighbor {
                    index: undated[nb.index as usize] as u32,
                    score: nb.score,
                })
                .collect();
        }
    }
    trace.mark("window: dated against undated");
    // Dated queries against the dated rows around them, a block of days at a time.
    let span = window.max(0) + 1;
    let mut start = 0;
    while start < dated.len() {
        let first_day = dated[start].0;
        let end =
            start + dated[start..].partition_point(|&(d, _)| d < first_day.saturating_add(span));
        let lo = dated.partition_point(|&(d, _)| d < first_day.saturating_sub(span));
        let hi = dated.partition_point(|&(d, _)| d < first_day.saturating_add(2 * span));
        let queries: Vec<usize> = dated[start..end].iter().map(|&(_, i)| i).collect();
        let mut around: Vec<usize> = dated[lo..hi].iter().map(|&(_, i)| i).collect();
        // Reference rows in input order, so that ties go to the lower row as in one search.
        around.sort_unstable();
        let q_rows = matrix.select_rows(queries.iter().copied());
        let r_rows = matrix.select_rows(around.iter().copied());
        let nn = top_k_with(&q_rows, Some(&r_rows), search, |q, d| {
            let (q, d) = (queries[q], around[d]);
            q != d && (days[q].unwrap() - days[d].unwrap()).abs() <= window && allow(q, d)
        })?;
        for (q, list) in nn.iter().enumerate() {
            let merged = &mut lists[queries[q]];
            merged.extend(list.iter().map(|nb| Neighbor {
                index: around[nb.index as usize] as u32,
                score: nb.score,
            }));
            merged.sort_unstable_by(Neighbor::rank_cmp);
            merged.truncate(search.k);
        }
        start = end;
    }
    trace.mark("window: blocks");
    Ok(Neighbors::from_lists(lists))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn equals_the_filtered_whole_search(
            rows in prop::collection::vec(
                (prop::collection::btree_map(0u32..12, 1u8..4, 0..5), prop::option::of(0i64..60)),
                1..70,
            ),
            window in 0i64..20,
            k in 1usize..6,
            odd_only in any::<bool>(),
        ) {
            let mut m = CsrMatrix::<f32>::new(12);
            let mut days = Vec::new();
            for (row, day) in &rows {
                m.push_row(row.iter().map(|(&c, &v)| (c, f32::from(v))));
                days.push(*day);
            }
            let allow = |q: usize, d: usize| !odd_only || (q + d) % 2 == 1;
            let search = Search::new(k);
            let fast = top_k_within_days(&m, &days, window, &search, allow).unwrap();
            let slow = top_k_with(&m, None, &search, |q, d| {
                allow(q, d) && match (days[q], days[d]) {
                    (Some(x), Some(y)) => (x - y).abs() <= window,
                    _ => true,
                }
            }).unwrap();
            prop_assert_eq!(fast, slow);
        }
    }
}
