//! The coverage timeline: documents per source and period (day, week or month).

use std::collections::BTreeMap;

use super::Period;
use super::report::Timeline;

/// Documents per source and period, or `None` (with a note) when no grouped document is dated.
/// Only the periods a source has are kept, so one stray date far from the rest costs nothing.
pub(super) fn timeline(
    group_of: &[Option<usize>],
    days: &[Option<i64>],
    n_src: usize,
    period: Option<Period>,
    notes: &mut Vec<String>,
) -> Option<Timeline> {
    let dated: Vec<(usize, i64)> = group_of
        .iter()
        .zip(days)
        .filter_map(|(g, d)| Some(((*g)?, (*d)?)))
        .collect();
    let mut undated = vec![0usize; n_src];
    for (g, d) in group_of.iter().zip(days) {
        if let (Some(g), None) = (g, d) {
            undated[*g] += 1;
        }
    }
    if n_src == 0 {
        return None;
    }
    if dated.is_empty() {
        notes.push("no document has a date: no coverage over time".into());
        return None;
    }
    let undated_total: usize = undated.iter().sum();
    if undated_total > 0 {
        notes.push(format!(
            "{undated_total} document(s) have no usable date and are left out of the timeline"
        ));
    }
    let first = dated.iter().map(|&(_, d)| d).min().expect("non-empty");
    let last = dated.iter().map(|&(_, d)| d).max().expect("non-empty");
    let period = period.unwrap_or(match last - first {
        0..=90 => Period::Day,
        91..=730 => Period::Week,
        _ => Period::Month,
    });
    let mut counts = vec![BTreeMap::new(); n_src];
    for &(g, d) in &dated {
        *counts[g].entry(period_of(period, d)).or_insert(0) += 1;
    }
    Some(Timeline {
        period: match period {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        },
        first: period_of(period, first),
        last: period_of(period, last),
        counts,
        undated,
    })
}

/// The name of the period holding day `d`: the day itself, the Monday of its week, or its
/// month (`YYYY-MM`). Names sort in time order.
pub fn period_of(period: Period, d: i64) -> String {
    match period {
        Period::Day => crate::dates::civil_date(d),
        // Day 0 (1970-01-01) was a Thursday.
        Period::Week => crate::dates::civil_date(d - (d + 3).rem_euclid(7)),
        Period::Month => {
            let (y, m, _) = crate::dates::civil_from_days(d);
            format!("{y:04}-{m:02}")
        }
    }
}

/// Every period from `first` to `last` (names as [`period_of`] gives them), in order.
pub fn periods_between(period: &str, first: &str, last: &str) -> Vec<String> {
    let mut out = vec![first.to_string()];
    let next = |p: &str| -> Option<String> {
        match period {
            "month" => {
                let (y, m) = (
                    p.get(0..4)?.parse::<i64>().ok()?,
                    p.get(5..7)?.parse::<i64>().ok()?,
                );
                Some(if m == 12 {
                    format!("{:04}-01", y + 1)
                } else {
                    format!("{y:04}-{:02}", m + 1)
                })
            }
            "week" => Some(crate::dates::civil_date(crate::dates::day_number(p)? + 7)),
            _ => Some(crate::dates::civil_date(crate::dates::day_number(p)? + 1)),
        }
    };
    while out.last().is_some_and(|p| p.as_str() < last) {
        match next(out.last().expect("not empty")) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out
}
