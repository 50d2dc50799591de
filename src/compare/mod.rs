//! The coverage report: which source carried which story, how close their versions are, and
//! which words each source uses that the others do not.
//!
//! One pass over the documents gives a TF-IDF matrix (for similarity and stories) and raw term
//! counts (for keyness); everything else is computed from those two:
//!
//! - stories come from [`crate::similarity::stories`] on the TF-IDF rows;
//! - the mean cosine between two sets of articles is exact and cheap from sums of unit vectors:
//!   `mean = (Σa · Σb) / (|A| · |B|)`;
//! - a source's distinctive terms are keyness of its counts against every other source's;
//! - within a story, a source's distinctive terms are Monroe et al.'s log-odds z-scores of its
//!   articles against the other sources' articles, with an informative Dirichlet prior from the
//!   whole corpus scaled to the story's size (counts in one story are small; the prior keeps a
//!   word used once from outranking the story's real differences).

pub mod html;
pub mod report;

pub use report::Report;

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::keywords::keyness::{self, GroupCounts, KeynessParams, KeynessRow, Measure, Table};
use crate::matrix::CsrMatrix;
use crate::similarity::{self, StoryParams, sparse_dot, unit_row};
use crate::vectorize::FittedVectorizer;
use report::*;

/// Periods of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One bar per day.
    Day,
    /// One bar per week (Monday to Sunday).
    Week,
}

/// Settings for [`compare`].
#[derive(Debug, Clone)]
pub struct CompareParams {
    /// How stories are formed.
    pub stories: StoryParams,
    /// Keyness of each source against the rest (measure, minimum count, prior).
    pub keyness: KeynessParams,
    /// Keep only distinctive terms whose adjusted p-value is at most this.
    pub fdr: Option<f64>,
    /// Distinctive terms per source.
    pub top_terms: usize,
    /// Distinctive terms per source within a story.
    pub story_terms: usize,
    /// Terms shared by all sources.
    pub shared_terms: usize,
    /// Document pairs listed per story (the best ones; means cover them all).
    pub max_pairs: usize,
    /// Timeline period; `None` picks days for spans up to 90 days, else weeks.
    pub period: Option<Period>,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            stories: StoryParams::default(),
            keyness: KeynessParams::default(),
            fdr: None,
            top_terms: 15,
            story_terms: 8,
            shared_terms: 20,
            max_pairs: 50,
            period: None,
        }
    }
}

/// Stories whose cross-source pairs exceed this are summarized by their means only.
const MAX_PAIR_WORK: usize = 20_000;

/// What [`compare`] works on: the documents, their groups, and one analysis of them.
pub struct Inputs<'a> {
    /// The documents.
    pub docs: &'a [Document],
    /// The field they are grouped by (for the report).
    pub by: &'a str,
    /// Each document's group (source), if it has one.
    pub groups: &'a [Option<String>],
    /// The model the matrices were made with (surface forms).
    pub model: &'a FittedVectorizer,
    /// Weighted rows (TF-IDF by default) for similarity.
    pub weighted: &'a CsrMatrix<f32>,
    /// Raw term counts, same rows and columns, for keyness.
    pub counts: &'a CsrMatrix<f64>,
}

/// Builds the coverage report.
pub fn compare(input: &Inputs, params: &CompareParams) -> Result<Report> {
    let Inputs {
        docs,
        by,
        groups,
        model,
        weighted,
        counts,
    } = *input;
    let n = docs.len();
    if n == 0 {
        return Err(Error::EmptyVocabulary("no documents to compare".into()));
    }
    if weighted.n_rows() != n || counts.n_rows() != n || groups.len() != n {
        return Err(Error::param(
            "documents",
            n,
            "one row and one group per document",
        ));
    }
    if params.keyness.measure == Measure::LogOdds && params.keyness.prior_scale <= 0.0 {
        return Err(Error::param(
            "prior-scale",
            params.keyness.prior_scale,
            "must be positive",
        ));
    }
    let mut notes = Vec::new();
    let trace = crate::vectorize::Trace::start();

    // Sources.
    let mut names: Vec<String> = groups.iter().flatten().cloned().collect();
    names.sort();
    names.dedup();
    let group_of: Vec<Option<usize>> = groups
        .iter()
        .map(|g| g.as_ref().map(|g| names.binary_search(g).expect("listed")))
        .collect();
    let n_src = names.len();
    let ungrouped = group_of.iter().filter(|g| g.is_none()).count();
    if n_src == 0 {
        notes.push(format!(
            "no document has a {by}: nothing to compare between sources; stories only"
        ));
    } else if n_src == 1 {
        notes.push(format!(
            "one {by} only ({}): no keyness, shared terms or similarity between sources",
            names[0]
        ));
    }
    if ungrouped > 0 && n_src > 0 {
        notes.push(format!(
            "{ungrouped} document(s) have no {by}: they are in stories, not in per-{by} results"
        ));
    }
    let row_tokens: Vec<f64> = (0..n).map(|i| counts.row(i).1.iter().sum()).collect();
    let empty: Vec<&str> = (0..n)
        .filter(|&i| weighted.row(i).0.is_empty())
        .map(|i| docs[i].id.as_str())
        .collect();
    if !empty.is_empty() {
        notes.push(format!(
            "{} document(s) have no terms in the vocabulary, so no similarity and a story of their own: {}",
            empty.len(),
            shorten(&empty, 10)
        ));
    }
    let (mut source_docs, mut source_tokens) = (vec![0usize; n_src], vec![0.0f64; n_src]);
    for (g, tokens) in group_of.iter().zip(&row_tokens) {
        if let Some(g) = *g {
            source_docs[g] += 1;
            source_tokens[g] += tokens;
        }
    }
    for (s, name) in names.iter().enumerate() {
        if source_tokens[s] == 0.0 {
            notes.push(format!(
                "{by} {name}: no terms in its documents, so no distinctive terms"
            ));
        } else if source_docs[s] == 1 && n_src > 1 {
            notes.push(format!(
                "{by} {name} has one document: its distinctive terms are that article's"
            ));
        }
    }

    // Stories.
    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.date.as_deref().and_then(similarity::day_number))
        .collect();
    let source_ids: Vec<Option<u32>> = group_of.iter().map(|g| g.map(|g| g as u32)).collect();
    let found =
        similarity::stories_of_sources(weighted, Some(&days), Some(&source_ids), &params.stories)?;
    trace.mark("compare: stories");
    let stories: Vec<StoryRecord> = found
        .iter()
        .enumerate()
        .map(|(id, s)| StoryRecord::new(id, s, docs, |i| groups[i].as_deref(), model))
        .collect();

    // Coverage.
    let per_story: Vec<BTreeMap<usize, Vec<usize>>> = found
        .iter()
        .map(|s| {
            let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &i in &s.docs {
                if let Some(g) = group_of[i] {
                    by_source.entry(g).or_default().push(i);
                }
            }
            for rows in by_source.values_mut() {
                rows.sort_by(|&a, &b| docs[a].id.cmp(&docs[b].id));
            }
            by_source
        })
        .collect();
    let multi: Vec<usize> = (0..found.len())
        .filter(|&s| per_story[s].len() >= 2)
        .collect();
    let coverage = Coverage {
        sources: names.clone(),
        rows: multi
            .iter()
            .map(|&s| CoverageRow {
                story: s,
                label: stories[s].label.clone(),
                documents: (0..n_src)
                    .map(|g| per_story[s].get(&g).map_or(0, Vec::len))
                    .collect(),
            })
            .collect(),
        skipped: (0..n_src)
            .map(|g| {
                multi
                    .iter()
                    .copied()
                    .filter(|&s| !per_story[s].contains_key(&g))
                    .collect()
            })
            .collect(),
    };
    if n_src >= 2 && multi.is_empty() {
        notes.push("no story was carried by two or more sources".into());
    }

    // Unit vectors, for exact mean cosines.
    let unit: Vec<Vec<(u32, f64)>> = (0..n)
        .into_par_iter()
        .map(|i| unit_row(weighted, i))
        .collect();

    // Aligned stories.
    let background = column_totals(counts);
    let aligned: Vec<AlignedStory> = multi
        .par_iter()
        .map(|&s| {
            align(
                s,
                &stories[s].label,
                &per_story[s],
                &Ctx {
                    docs,
                    names: &names,
                    unit: &unit,
                    counts,
                    row_tokens: &row_tokens,
                    background: &background,
                    model,
                    params,
                },
            )
        })
        .collect();

    trace.mark("compare: aligned");
    // Source summaries.
    let sources: Vec<SourceSummary> = (0..n_src)
        .map(|g| {
            let carried = per_story.iter().filter(|m| m.contains_key(&g)).count();
            let shared = multi
                .iter()
                .filter(|&&s| per_story[s].contains_key(&g))
                .count();
            SourceSummary {
                name: names[g].clone(),
                documents: source_docs[g],
                tokens: source_tokens[g],
                stories: carried,
                shared_stories: shared,
                skipped: multi.len() - shared,
                exclusive: carried - shared,
            }
        })
        .collect();

    // Keyness per source against the rest, and the terms all share.
    let (keyness, shared_terms) = if n_src >= 2 {
        let grouped = GroupCounts::from_rows(counts, groups);
        debug_assert_eq!(grouped.names, names);
        let keyness = (0..n_src)
            .into_par_iter()
            .map(|g| {
                let rows = keyness::compare(
                    &grouped.dense(g),
                    &grouped.rest(g),
                    &grouped.total,
                    &params.keyness,
                );
                SourceKeyness {
                    source: names[g].clone(),
                    measure: params.keyness.measure.name(),
                    documents: grouped.docs[g],
                    terms: distinctive(rows, params.fdr, params.top_terms, model),
                }
            })
            .collect();
        (keyness, shared(&grouped, &sources, params, model))
    } else {
        (Vec::new(), Vec::new())
    };

    trace.mark("compare: keyness");
    let similarity = source_similarity(&names, &group_of, &unit, &aligned, &multi, &per_story);
    let timeline = timeline(&group_of, &days, n_src, params.period, &mut notes);

    trace.mark("compare: similarity, timeline");
    Ok(Report {
        by: by.to_string(),
        documents: n,
        ungrouped,
        sources,
        stories,
        coverage,
        aligned,
        keyness,
        shared_terms,
        similarity,
        timeline,
        notes,
    })
}

/// A list of ids, cut after `max` with a count of the rest.
fn shorten(items: &[&str], max: usize) -> String {
    let mut s = items[..items.len().min(max)].join(", ");
    if items.len() > max {
        s += &format!(" and {} more", items.len() - max);
    }
    s
}

/// Sum of sparse vectors, sorted by column (summed in the given order: deterministic).
fn sum_rows<'a>(rows: impl IntoIterator<Item = &'a [(u32, f64)]>) -> Vec<(u32, f64)> {
    let mut acc: FxHashMap<u32, f64> = FxHashMap::default();
    for row in rows {
        for &(c, v) in row {
            *acc.entry(c).or_insert(0.0) += v;
        }
    }
    let mut out: Vec<(u32, f64)> = acc.into_iter().collect();
    out.sort_unstable_by_key(|&(c, _)| c);
    out
}

/// Counts per column over all rows.
fn column_totals(m: &CsrMatrix<f64>) -> Vec<f64> {
    let mut total = vec![0.0; m.n_cols()];
    let (_, cols, vals) = m.parts();
    for (&c, &v) in cols.iter().zip(vals) {
        total[c as usize] += v;
    }
    total
}

/// What aligning a story needs.
struct Ctx<'a> {
    docs: &'a [Document],
    names: &'a [String],
    unit: &'a [Vec<(u32, f64)>],
    counts: &'a CsrMatrix<f64>,
    row_tokens: &'a [f64],
    background: &'a [f64],
    model: &'a FittedVectorizer,
    params: &'a CompareParams,
}

/// One story carried by several sources, article by article.
fn align(
    story: usize,
    label: &str,
    by_source: &BTreeMap<usize, Vec<usize>>,
    cx: &Ctx,
) -> AlignedStory {
    let mut notes = Vec::new();
    let articles = by_source
        .iter()
        .flat_map(|(&g, rows)| {
            rows.iter().map(move |&i| Article {
                source: cx.names[g].clone(),
                id: cx.docs[i].id.clone(),
                title: cx.docs[i].title.clone(),
                date: cx.docs[i].date.clone(),
                tokens: cx.row_tokens[i],
            })
        })
        .collect();

    // Mean cosine of each pair of sources, from sums of unit vectors.
    let sources: Vec<(usize, &Vec<usize>)> = by_source.iter().map(|(&g, r)| (g, r)).collect();
    let sums: Vec<Vec<(u32, f64)>> = sources
        .iter()
        .map(|(_, rows)| sum_rows(rows.iter().map(|&i| cx.unit[i].as_slice())))
        .collect();
    let mut source_pairs = Vec::new();
    let mut cross = 0usize;
    for x in 0..sources.len() {
        for y in x + 1..sources.len() {
            let (nx, ny) = (sources[x].1.len(), sources[y].1.len());
            cross += nx * ny;
            source_pairs.push(SourcePair {
                a: cx.names[sources[x].0].clone(),
                b: cx.names[sources[y].0].clone(),
                mean: sparse_dot(&sums[x], &sums[y]) / (nx * ny) as f64,
            });
        }
    }

    // The best document pairs across sources.
    let mut pairs = Vec::new();
    if cross <= MAX_PAIR_WORK {
        for x in 0..sources.len() {
            for y in x + 1..sources.len() {
                for &a in sources[x].1 {
                    for &b in sources[y].1 {
                        pairs.push(DocPair {
                            a: cx.docs[a].id.clone(),
                            b: cx.docs[b].id.clone(),
                            score: sparse_dot(&cx.unit[a], &cx.unit[b]),
                        });
                    }
                }
            }
        }
        pairs.sort_by(|p, q| {
            q.score
                .total_cmp(&p.score)
                .then_with(|| p.a.cmp(&q.a))
                .then_with(|| p.b.cmp(&q.b))
        });
    } else {
        notes.push(format!(
            "{cross} article pairs across sources: only their means per pair of sources are given"
        ));
    }
    let pairs_omitted = cross - pairs.len().min(cx.params.max_pairs);
    pairs.truncate(cx.params.max_pairs);

    // Each source's articles against the other sources' articles in the story, on the columns
    // the story uses: log-odds z-scores (no p-values: they are not shown per story).
    let all: Vec<usize> = by_source.values().flatten().copied().collect();
    let mut columns: Vec<u32> = all
        .iter()
        .flat_map(|&i| cx.counts.row(i).0.iter().copied())
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let side = |rows: &[usize]| {
        let mut v = vec![0.0; columns.len()];
        for &i in rows {
            let (cols, vals) = cx.counts.row(i);
            for (&c, &x) in cols.iter().zip(vals) {
                v[columns.binary_search(&c).expect("a story column")] += x;
            }
        }
        v
    };
    let story_counts = side(&all);
    let story_tokens: f64 = story_counts.iter().sum();
    let background: Vec<f64> = columns.iter().map(|&c| cx.background[c as usize]).collect();
    let background_total: f64 = background.iter().sum();
    // The prior weighs as much as the story's own tokens.
    let prior_scale = if background_total > 0.0 {
        story_tokens / background_total
    } else {
        1.0
    };
    let distinctive_terms = sources
        .iter()
        .map(|&(g, rows)| {
            let target = side(rows);
            let target_total: f64 = target.iter().sum();
            let terms = if target_total == 0.0 {
                notes.push(format!(
                    "{}: no terms in its article(s) here, so no distinctive terms",
                    cx.names[g]
                ));
                Vec::new()
            } else {
                let reference_total = story_tokens - target_total;
                let mut scored: Vec<KeynessRow> = (0..columns.len())
                    .filter(|&t| target[t] > 0.0)
                    .map(|t| {
                        let table = Table {
                            target: target[t],
                            reference: (story_counts[t] - target[t]).max(0.0),
                            target_total,
                            reference_total,
                        };
                        let alpha = prior_scale * background[t].max(story_counts[t]);
                        KeynessRow {
                            term: columns[t] as usize,
                            target: table.target,
                            reference: table.reference,
                            statistic: table.log_odds_z(alpha, prior_scale * background_total),
                            log_ratio: table.log_ratio(),
                            p_value: None,
                            p_adjusted: None,
                        }
                    })
                    .collect();
                scored.sort_by(|x, y| {
                    y.statistic
                        .total_cmp(&x.statistic)
                        .then(x.term.cmp(&y.term))
                });
                distinctive(scored, None, cx.params.story_terms, cx.model)
            };
            SourceTerms {
                source: cx.names[g].clone(),
                terms,
            }
        })
        .collect();

    AlignedStory {
        story,
        label: label.to_string(),
        articles,
        source_pairs,
        pairs,
        pairs_omitted,
        distinctive: distinctive_terms,
        notes,
    }
}

/// The rows where the target uses a term more than the reference, best first, as report terms.
fn distinctive(
    rows: Vec<KeynessRow>,
    fdr: Option<f64>,
    n: usize,
    model: &FittedVectorizer,
) -> Vec<KeyTerm> {
    rows.into_iter()
        .filter(|r| r.statistic > 0.0 && r.log_ratio > 0.0 && r.target > 0.0)
        .filter(|r| fdr.is_none_or(|q| r.p_adjusted.is_some_and(|p| p <= q)))
        .take(n)
        .map(|r| KeyTerm {
            term: model.terms()[r.term].clone(),
            surface: model.surface(r.term).to_string(),
            count: r.target,
            count_reference: r.reference,
            statistic: finite(r.statistic),
            log_ratio: finite(r.log_ratio),
            p_adjusted: r.p_adjusted.map(finite),
        })
        .collect()
}

/// JSON has no infinities: clamp to the largest finite value (and NaN to zero).
fn finite(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(f64::MIN, f64::MAX)
    }
}

/// Terms every source uses, ranked by their smallest relative frequency across sources (a term
/// all use often ranks above one some use rarely).
fn shared(
    grouped: &GroupCounts,
    sources: &[SourceSummary],
    params: &CompareParams,
    model: &FittedVectorizer,
) -> Vec<SharedTerm> {
    let n_cols = grouped.total.len();
    let mut present = vec![0usize; n_cols];
    let mut lowest = vec![f64::INFINITY; n_cols];
    for (g, counts) in grouped.counts.iter().enumerate() {
        let tokens = sources[g].tokens.max(1.0);
        for &(c, v) in counts {
            if v > 0.0 {
                present[c as usize] += 1;
                lowest[c as usize] = lowest[c as usize].min(v / tokens);
            }
        }
    }
    let mut all: Vec<usize> = (0..n_cols)
        .filter(|&c| {
            present[c] == grouped.names.len() && grouped.total[c] >= params.keyness.min_count
        })
        .collect();
    all.sort_by(|&a, &b| lowest[b].total_cmp(&lowest[a]).then(a.cmp(&b)));
    all.truncate(params.shared_terms);
    all.into_iter()
        .map(|c| SharedTerm {
            term: model.terms()[c].clone(),
            surface: model.surface(c).to_string(),
            counts: grouped
                .counts
                .iter()
                .map(|g| {
                    g.binary_search_by_key(&(c as u32), |&(t, _)| t)
                        .map_or(0.0, |k| g[k].1)
                })
                .collect(),
        })
        .collect()
}

/// Source × source: stories shared, mean article similarity on them, centroid cosine.
fn source_similarity(
    names: &[String],
    group_of: &[Option<usize>],
    unit: &[Vec<(u32, f64)>],
    aligned: &[AlignedStory],
    multi: &[usize],
    per_story: &[BTreeMap<usize, Vec<usize>>],
) -> SourceSimilarity {
    let n_src = names.len();
    let mut shared_stories = vec![vec![0usize; n_src]; n_src];
    let mut sum = vec![vec![0.0f64; n_src]; n_src];
    for (story, &s) in aligned.iter().zip(multi) {
        let present: Vec<usize> = per_story[s].keys().copied().collect();
        let mut k = 0;
        for x in 0..present.len() {
            for y in x + 1..present.len() {
                let (a, b) = (present[x], present[y]);
                let mean = story.source_pairs[k].mean;
                k += 1;
                for (i, j) in [(a, b), (b, a)] {
                    shared_stories[i][j] += 1;
                    sum[i][j] += mean;
                }
            }
        }
        for &a in &present {
            shared_stories[a][a] += 1;
        }
    }
    let story_mean = (0..n_src)
        .map(|i| {
            (0..n_src)
                .map(|j| {
                    (i != j && shared_stories[i][j] > 0)
                        .then(|| sum[i][j] / shared_stories[i][j] as f64)
                })
                .collect()
        })
        .collect();
    let centroids: Vec<Vec<(u32, f64)>> = (0..n_src)
        .into_par_iter()
        .map(|g| {
            sum_rows(
                (0..unit.len())
                    .filter(|&i| group_of[i] == Some(g))
                    .map(|i| unit[i].as_slice()),
            )
        })
        .collect();
    let norms: Vec<f64> = centroids.iter().map(|c| sparse_dot(c, c).sqrt()).collect();
    let centroid = (0..n_src)
        .map(|i| {
            (0..n_src)
                .map(|j| {
                    if norms[i] == 0.0 || norms[j] == 0.0 {
                        0.0
                    } else if i == j {
                        1.0
                    } else {
                        sparse_dot(&centroids[i], &centroids[j]) / (norms[i] * norms[j])
                    }
                })
                .collect()
        })
        .collect();
    SourceSimilarity {
        sources: names.to_vec(),
        shared_stories,
        story_mean,
        centroid,
    }
}

/// Documents per source and period, or `None` (with a note) when no grouped document is dated.
fn timeline(
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
            "{undated_total} document(s) have no date and are left out of the timeline"
        ));
    }
    let first = dated.iter().map(|&(_, d)| d).min().expect("non-empty");
    let last = dated.iter().map(|&(_, d)| d).max().expect("non-empty");
    let period = period.unwrap_or(if last - first <= 90 {
        Period::Day
    } else {
        Period::Week
    });
    // Weeks start on Monday; day 0 (1970-01-01) was a Thursday.
    let start = match period {
        Period::Day => first,
        Period::Week => first - (first + 3).rem_euclid(7),
    };
    let step = match period {
        Period::Day => 1,
        Period::Week => 7,
    };
    let n_periods = ((last - start) / step + 1) as usize;
    let mut counts = vec![vec![0usize; n_periods]; n_src];
    for &(g, d) in &dated {
        counts[g][((d - start) / step) as usize] += 1;
    }
    Some(Timeline {
        period: match period {
            Period::Day => "day",
            Period::Week => "week",
        },
        periods: (0..n_periods as i64)
            .map(|p| similarity::civil_date(start + p * step))
            .collect(),
        counts,
        undated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_dot_and_sum() {
        let a = [(1, 1.0), (3, 2.0)];
        let b = [(0, 5.0), (3, 4.0)];
        assert_eq!(sparse_dot(&a, &b), 8.0);
        assert_eq!(
            sum_rows([&a[..], &b[..]]),
            vec![(0, 5.0), (1, 1.0), (3, 6.0)]
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        let groups = [Some(0), Some(0)];
        // 2026-11-26 is a Thursday, 2026-12-01 a Tuesday.
        let days = [
            similarity::day_number("2026-11-26"),
            similarity::day_number("2026-12-01"),
        ];
        let t = timeline(&groups, &days, 1, Some(Period::Week), &mut Vec::new()).unwrap();
        assert_eq!(t.periods, ["2026-11-23", "2026-11-30"]);
        assert_eq!(t.counts, [vec![1, 1]]);
    }

    #[test]
    fn no_dates_gives_a_note() {
        let mut notes = Vec::new();
        assert!(timeline(&[Some(0)], &[None], 1, None, &mut notes).is_none());
        assert_eq!(notes.len(), 1);
    }
}
