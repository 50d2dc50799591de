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

mod align;
mod documents;
pub mod html;
pub mod report;
pub mod summary;
mod timeline;

use align::{Ctx, align};
pub use documents::{CompareParams, compare};
pub use report::Report;
pub use timeline::{period_of, periods_between};

use timeline::timeline;

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::corpus::{Document, SetAside};
use crate::error::{Error, Result};
use crate::keywords::keyness::{GroupCounts, KeynessMeasure, KeynessParams, KeynessRow, Table};
use crate::matrix::CsrMatrix;
use crate::similarity::{self, StoryParams, sparse_dot};
use crate::vectorize::FittedVectorizer;
use report::*;

/// Periods of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One bar per day.
    Day,
    /// One bar per week (Monday to Sunday).
    Week,
    /// One bar per calendar month.
    Month,
}

impl Period {
    /// The period named `day`, `week` or `month`, or `None` for `auto` (the report chooses by
    /// the span of the dates: see [`ReportParams::period`]).
    ///
    /// # Errors
    ///
    /// A message listing the names for any other text.
    pub fn choice(name: &str) -> std::result::Result<Option<Period>, String> {
        match name {
            "auto" => Ok(None),
            "day" => Ok(Some(Period::Day)),
            "week" => Ok(Some(Period::Week)),
            "month" => Ok(Some(Period::Month)),
            _ => Err("the period is one of auto, day, week, month".to_string()),
        }
    }
}

/// Settings of the report itself, given the rows (see [`report_from_rows`]).
#[derive(Debug, Clone)]
pub struct ReportParams {
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
    /// Timeline period; `None` picks days for spans up to 90 days, weeks up to two years,
    /// months beyond.
    pub period: Option<Period>,
    /// Sources shown first (the largest) in the summary and the page, and in the dense
    /// centroid matrix; the rest are grouped as "other" there, and all are in the JSON.
    pub top_sources: usize,
    /// Stories shown first (those most sources carried, then the largest).
    pub top_stories: usize,
    /// Nearest sources by centroid listed per source.
    pub nearest_sources: usize,
}

impl Default for ReportParams {
    fn default() -> Self {
        ReportParams {
            stories: StoryParams::default(),
            keyness: KeynessParams::default(),
            fdr: None,
            top_terms: 15,
            story_terms: 8,
            shared_terms: 20,
            max_pairs: 10,
            period: None,
            top_sources: 25,
            top_stories: 30,
            nearest_sources: 10,
        }
    }
}

/// Stories whose cross-source pairs exceed this are summarized by their means only.
const MAX_PAIR_WORK: usize = 20_000;

/// What [`report_from_rows`] works on: the documents, their groups, and one analysis of them.
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
    /// The rows stories are found with, if not `weighted` (the story space of
    /// [`similarity::story_rows`], whose columns are the model's twice).
    pub story_rows: Option<&'a CsrMatrix<f32>>,
    /// Raw term counts, same rows and columns, for keyness.
    pub counts: &'a CsrMatrix<f64>,
    /// Values set aside while the documents were read (see [`crate::corpus::ReadReport`]).
    pub set_aside: &'a [SetAside],
}

/// Builds the coverage report from documents already counted (see [`compare`] for the whole
/// task from documents).
///
/// # Errors
///
/// [`Error::EmptyVocabulary`] without documents; [`Error::Param`] when the rows or groups do
/// not match the documents, for a log-odds prior scale ≤ 0, or invalid story settings.
pub fn report_from_rows(input: &Inputs, params: &ReportParams) -> Result<Report> {
    check_inputs(input, params)?;
    let Inputs {
        docs,
        by,
        groups,
        model,
        weighted,
        counts,
        set_aside,
        ..
    } = *input;
    let n = docs.len();
    let mut notes = Vec::new();
    let trace = crate::trace::Trace::start();

    let src = SourceRows::new(groups, counts);
    src.note(by, docs, weighted, &mut notes);
    let n_src = src.names.len();

    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.date.as_deref().and_then(crate::dates::day_number))
        .collect();
    let found = stories_found(input, params, &src.group_of, &days)?;
    trace.mark("compare: stories");
    let stories: Vec<StoryRecord> = found
        .par_iter()
        .enumerate()
        .map(|(id, s)| StoryRecord::new(id, s, docs, |i| groups[i].as_deref(), model))
        .collect();

    let per_story = sources_per_story(&found, &src.group_of, docs);
    let multi: Vec<usize> = (0..found.len())
        .filter(|&s| per_story[s].len() >= 2)
        .collect();
    let coverage = coverage_rows(&multi, &stories, &per_story);
    if n_src >= 2 && multi.is_empty() {
        notes.push("no story was carried by two or more sources".into());
    }

    // Unit vectors are made where they are used, a story or a source at a time: held for
    // every document at once they would be the largest thing in memory.
    let units = UnitRows::new(weighted);
    let background = column_totals(counts);
    let ctx = Ctx {
        docs,
        names: &src.names,
        units: &units,
        counts,
        row_tokens: &src.row_tokens,
        background: &background,
        model,
        params,
    };
    let aligned: Vec<AlignedStory> = multi
        .par_iter()
        .map(|&s| align(s, &stories[s].label, &per_story[s], &ctx))
        .collect();

    trace.mark("compare: aligned");
    let sources = source_summaries(&src, &per_story, &multi);
    let (keyness, shared_terms) = keyness_and_shared(input, params, &src.names, &sources);

    trace.mark("compare: keyness");
    let shown = Shown {
        sources: largest_sources(&src.source_docs, &src.names, params.top_sources),
        stories: widest_stories(&stories, &per_story, params.top_stories),
    };
    let similarity = source_similarity(&units, &src.rows_of, &aligned, &shown, params);
    let timeline = timeline(&src.group_of, &days, n_src, params.period, &mut notes);
    let undated = days.iter().filter(|d| d.is_none()).count();

    trace.mark("compare: similarity, timeline");
    Ok(Report {
        by: by.to_string(),
        documents: n,
        ungrouped: src.ungrouped,
        undated,
        sources,
        shown,
        stories,
        coverage,
        aligned,
        keyness,
        shared_terms,
        similarity,
        timeline,
        set_aside: set_aside_values(set_aside),
        notes,
    })
}

/// The errors [`report_from_rows`] returns before any work: no documents, rows or groups that
/// do not match them, a log-odds prior scale ≤ 0.
fn check_inputs(input: &Inputs, params: &ReportParams) -> Result<()> {
    let n = input.docs.len();
    if n == 0 {
        return Err(Error::EmptyVocabulary("no documents to compare".into()));
    }
    if input.weighted.n_rows() != n || input.counts.n_rows() != n || input.groups.len() != n {
        return Err(Error::param(
            "documents",
            n,
            "one row and one group per document",
        ));
    }
    if params.keyness.measure == KeynessMeasure::LogOdds && params.keyness.prior_scale <= 0.0 {
        return Err(Error::param(
            "prior-scale",
            params.keyness.prior_scale,
            "must be positive",
        ));
    }
    Ok(())
}

/// The sources (groups) by name, each document's source, and each source's documents and
/// tokens.
struct SourceRows {
    /// Source names, sorted; a source is its index here.
    names: Vec<String>,
    /// Each document's source.
    group_of: Vec<Option<usize>>,
    /// Documents without a source.
    ungrouped: usize,
    /// Tokens per document.
    row_tokens: Vec<f64>,
    /// Documents per source.
    source_docs: Vec<usize>,
    /// Tokens per source.
    source_tokens: Vec<f64>,
    /// Each source's document rows, in order.
    rows_of: Vec<Vec<usize>>,
}

impl SourceRows {
    fn new(groups: &[Option<String>], counts: &CsrMatrix<f64>) -> SourceRows {
        let mut names: Vec<String> = groups.iter().flatten().cloned().collect();
        names.sort();
        names.dedup();
        let group_of: Vec<Option<usize>> = groups
            .iter()
            .map(|g| g.as_ref().map(|g| names.binary_search(g).expect("listed")))
            .collect();
        let n_src = names.len();
        let ungrouped = group_of.iter().filter(|g| g.is_none()).count();
        let row_tokens: Vec<f64> = (0..groups.len())
            .map(|i| counts.row(i).1.iter().sum())
            .collect();
        let (mut source_docs, mut source_tokens) = (vec![0usize; n_src], vec![0.0f64; n_src]);
        let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); n_src];
        for (i, (g, tokens)) in group_of.iter().zip(&row_tokens).enumerate() {
            if let Some(g) = *g {
                source_docs[g] += 1;
                source_tokens[g] += tokens;
                rows_of[g].push(i);
            }
        }
        SourceRows {
            names,
            group_of,
            ungrouped,
            row_tokens,
            source_docs,
            source_tokens,
            rows_of,
        }
    }

    /// Notes on what the sources allow: none or one, documents without a source or without
    /// terms, sources without terms or with one document.
    fn note(
        &self,
        by: &str,
        docs: &[Document],
        weighted: &CsrMatrix<f32>,
        notes: &mut Vec<String>,
    ) {
        let (names, n_src, ungrouped) = (&self.names, self.names.len(), self.ungrouped);
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
        let empty: Vec<&str> = (0..docs.len())
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
        // One line per kind, whatever the number of sources it concerns.
        let termless: Vec<&str> = (0..n_src)
            .filter(|&s| self.source_tokens[s] == 0.0)
            .map(|s| names[s].as_str())
            .collect();
        if !termless.is_empty() {
            notes.push(format!(
                "{} {by}(s) have no terms in their documents, so no distinctive terms: {}",
                termless.len(),
                shorten(&termless, 10)
            ));
        }
        let single: Vec<&str> = (0..n_src)
            .filter(|&s| self.source_docs[s] == 1 && self.source_tokens[s] > 0.0)
            .map(|s| names[s].as_str())
            .collect();
        if n_src > 1 && !single.is_empty() {
            notes.push(format!(
                "{} {by}(s) have one document each, so their distinctive terms are that article's: {}",
                single.len(),
                shorten(&single, 10)
            ));
        }
    }
}

/// The stories of the documents, found on the story rows (or the weighted ones), with days and
/// sources.
fn stories_found(
    input: &Inputs,
    params: &ReportParams,
    group_of: &[Option<usize>],
    days: &[Option<i64>],
) -> Result<Vec<similarity::Story>> {
    let (n, weighted) = (input.docs.len(), input.weighted);
    let source_ids: Vec<Option<u32>> = group_of.iter().map(|g| g.map(|g| g as u32)).collect();
    let story_rows = input.story_rows.unwrap_or(weighted);
    if story_rows.n_rows() != n {
        return Err(Error::param(
            "story rows",
            story_rows.n_rows(),
            "one per document",
        ));
    }
    let story_params = StoryParams {
        label_fold: (story_rows.n_cols() != weighted.n_cols()).then(|| weighted.n_cols()),
        ..params.stories.clone()
    };
    similarity::stories_of_sources(story_rows, Some(days), Some(&source_ids), &story_params)
}

/// Each story's documents by source (sources in order, documents by id).
fn sources_per_story(
    found: &[similarity::Story],
    group_of: &[Option<usize>],
    docs: &[Document],
) -> Vec<BTreeMap<usize, Vec<usize>>> {
    found
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
        .collect()
}

/// One coverage row per story carried by two or more sources (`multi`).
fn coverage_rows(
    multi: &[usize],
    stories: &[StoryRecord],
    per_story: &[BTreeMap<usize, Vec<usize>>],
) -> Vec<CoverageRow> {
    multi
        .iter()
        .map(|&s| CoverageRow {
            story: s,
            label: stories[s].label.clone(),
            documents: per_story[s].iter().map(|(&g, r)| (g, r.len())).collect(),
        })
        .collect()
}

/// Each source's documents, tokens, and stories carried, shared and skipped.
fn source_summaries(
    src: &SourceRows,
    per_story: &[BTreeMap<usize, Vec<usize>>],
    multi: &[usize],
) -> Vec<SourceSummary> {
    (0..src.names.len())
        .map(|g| {
            let carried = per_story.iter().filter(|m| m.contains_key(&g)).count();
            let shared = multi
                .iter()
                .filter(|&&s| per_story[s].contains_key(&g))
                .count();
            SourceSummary {
                name: src.names[g].clone(),
                documents: src.source_docs[g],
                tokens: src.source_tokens[g],
                stories: carried,
                shared_stories: shared,
                skipped: multi.len() - shared,
                exclusive: carried - shared,
            }
        })
        .collect()
}

/// Keyness per source against the rest, and the terms all share; nothing under two sources.
fn keyness_and_shared(
    input: &Inputs,
    params: &ReportParams,
    names: &[String],
    sources: &[SourceSummary],
) -> (Vec<SourceKeyness>, Vec<SharedTerm>) {
    if names.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let grouped = GroupCounts::from_rows(input.counts, input.groups);
    debug_assert_eq!(grouped.names, names);
    let keyness = (0..names.len())
        .into_par_iter()
        .map(|g| {
            let rows = grouped.against_rest(g, &params.keyness);
            SourceKeyness {
                source: names[g].clone(),
                measure: params.keyness.measure.name(),
                documents: grouped.docs[g],
                terms: distinctive(rows, params.fdr, params.top_terms, input.model),
            }
        })
        .collect();
    (keyness, shared(&grouped, sources, params, input.model))
}

/// The values set aside while reading, as the report shows them.
fn set_aside_values(set_aside: &[SetAside]) -> Vec<SetAsideValues> {
    set_aside
        .iter()
        .map(|s| SetAsideValues {
            kind: s.kind.to_string(),
            count: s.count,
            examples: s.examples.clone(),
            hint: s.hint.to_string(),
        })
        .collect()
}

/// The `top` sources with most documents, most first (ties by name).
fn largest_sources(docs: &[usize], names: &[String], top: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&a, &b| docs[b].cmp(&docs[a]).then_with(|| names[a].cmp(&names[b])));
    order.truncate(top);
    order
}

/// The `top` stories carried by two or more sources, those most sources carried first, then
/// the largest, then by id.
fn widest_stories(
    stories: &[StoryRecord],
    per_story: &[BTreeMap<usize, Vec<usize>>],
    top: usize,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..stories.len())
        .filter(|&s| per_story[s].len() >= 2)
        .collect();
    order.sort_by(|&a, &b| {
        (per_story[b].len(), stories[b].docs.len())
            .cmp(&(per_story[a].len(), stories[a].docs.len()))
            .then(a.cmp(&b))
    });
    order.truncate(top);
    order
}

/// The rows of a weighted matrix as unit vectors, one at a time.
struct UnitRows<'a> {
    matrix: &'a CsrMatrix<f32>,
    /// 1 / the row's norm (0 for an empty row).
    scale: Vec<f64>,
}

impl<'a> UnitRows<'a> {
    fn new(matrix: &'a CsrMatrix<f32>) -> Self {
        let scale = (0..matrix.n_rows())
            .into_par_iter()
            .map(|i| {
                let norm = matrix
                    .row(i)
                    .1
                    .iter()
                    .map(|&v| f64::from(v).powi(2))
                    .sum::<f64>();
                if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 }
            })
            .collect();
        UnitRows { matrix, scale }
    }

    /// Row `i` as a unit vector (empty if the row is).
    fn row(&self, i: usize) -> Vec<(u32, f64)> {
        let (cols, vals) = self.matrix.row(i);
        let scale = self.scale[i];
        if scale == 0.0 {
            return Vec::new();
        }
        cols.iter()
            .zip(vals)
            .map(|(&c, &v)| (c, f64::from(v) * scale))
            .collect()
    }
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
fn sum_rows<R: AsRef<[(u32, f64)]>>(rows: impl IntoIterator<Item = R>) -> Vec<(u32, f64)> {
    let mut acc: FxHashMap<u32, f64> = FxHashMap::default();
    for row in rows {
        for &(c, v) in row.as_ref() {
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
    params: &ReportParams,
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

/// Source × source: stories shared and the mean article similarity on them (every pair that
/// shares one), each source's nearest sources by centroid, and the centroid cosines among the
/// shown sources.
fn source_similarity(
    units: &UnitRows,
    rows_of: &[Vec<usize>],
    aligned: &[AlignedStory],
    shown: &Shown,
    params: &ReportParams,
) -> SourceSimilarity {
    let n_src = rows_of.len();
    // Pairs that share a story: (shared stories, sum of the stories' means).
    let mut pairs: BTreeMap<(usize, usize), (usize, f64)> = BTreeMap::new();
    for story in aligned {
        for p in &story.source_pairs {
            let entry = pairs.entry((p.a, p.b)).or_default();
            entry.0 += 1;
            entry.1 += p.mean;
        }
    }
    let story_pairs = pairs
        .into_iter()
        .map(|((a, b), (k, sum))| StoryPair {
            a,
            b,
            shared_stories: k,
            mean: sum / k as f64,
        })
        .collect();

    // Centroids as unit vectors; their dot products are the centroid cosines.
    let centroids: Vec<Vec<(u32, f64)>> = rows_of
        .par_iter()
        .map(|rows| {
            let sum = sum_rows(rows.iter().map(|&i| units.row(i)));
            let norm = sparse_dot(&sum, &sum).sqrt();
            match norm > 0.0 {
                true => sum.into_iter().map(|(c, v)| (c, v / norm)).collect(),
                false => Vec::new(),
            }
        })
        .collect();
    let cosines = centroid_cosines(&centroids, units.matrix.n_cols());
    let cosine = |i: usize, j: usize| match i.cmp(&j) {
        std::cmp::Ordering::Equal => f64::from(u8::from(!centroids[i].is_empty())),
        std::cmp::Ordering::Less => cosines[i][j - i - 1],
        std::cmp::Ordering::Greater => cosines[j][i - j - 1],
    };
    let nearest = (0..n_src)
        .map(|i| {
            let mut others: Vec<(usize, f64)> = (0..n_src)
                .filter(|&j| j != i)
                .map(|j| (j, cosine(i, j)))
                .filter(|&(_, c)| c > 0.0)
                .collect();
            others.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            others.truncate(params.nearest_sources);
            others
        })
        .collect();
    let centroid = shown
        .sources
        .iter()
        .map(|&i| shown.sources.iter().map(|&j| cosine(i, j)).collect())
        .collect();
    SourceSimilarity {
        story_pairs,
        nearest,
        centroid,
    }
}

/// Dot products of every pair of sparse vectors: row `i` holds `i · j` for each `j > i`. Each
/// vector in turn is spread into a dense array and the later ones are read against it, so the
/// work is the later vectors' lengths, not a merge of two sorted lists per pair.
fn centroid_cosines(vectors: &[Vec<(u32, f64)>], n_cols: usize) -> Vec<Vec<f64>> {
    (0..vectors.len())
        .into_par_iter()
        .map_init(
            || vec![0.0f64; n_cols],
            |dense, i| {
                for &(c, v) in &vectors[i] {
                    dense[c as usize] = v;
                }
                let row = vectors[i + 1..]
                    .iter()
                    .map(|w| w.iter().map(|&(c, v)| dense[c as usize] * v).sum())
                    .collect();
                for &(c, _) in &vectors[i] {
                    dense[c as usize] = 0.0;
                }
                row
            },
        )
        .collect()
}

/// `s` cut to `max` characters (at least 1), with an ellipsis when cut: for labels in the page
/// and the summary.
pub(crate) fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some(_) => {
            let end = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..end]).into()
        }
    }
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
            crate::dates::day_number("2026-11-26"),
            crate::dates::day_number("2026-12-01"),
        ];
        let t = timeline(&groups, &days, 1, Some(Period::Week), &mut Vec::new()).unwrap();
        assert_eq!(
            (t.first.as_str(), t.last.as_str()),
            ("2026-11-23", "2026-11-30")
        );
        let counts: Vec<(&str, usize)> =
            t.counts[0].iter().map(|(p, &c)| (p.as_str(), c)).collect();
        assert_eq!(counts, [("2026-11-23", 1), ("2026-11-30", 1)]);
        assert_eq!(
            periods_between("week", &t.first, &t.last),
            ["2026-11-23", "2026-11-30"]
        );
    }

    #[test]
    fn long_spans_go_by_month_and_stay_sparse() {
        let groups = [Some(0), Some(0), Some(1)];
        let days = [
            crate::dates::day_number("2001-10-22"),
            crate::dates::day_number("2020-07-20"),
            crate::dates::day_number("2020-07-02"),
        ];
        let t = timeline(&groups, &days, 2, None, &mut Vec::new()).unwrap();
        assert_eq!(t.period, "month");
        assert_eq!((t.first.as_str(), t.last.as_str()), ("2001-10", "2020-07"));
        assert_eq!(t.counts[0].len(), 2);
        assert_eq!(t.counts[1].get("2020-07"), Some(&1));
        let all = periods_between("month", &t.first, &t.last);
        assert_eq!(all.len(), 12 * 19 - 2);
        assert_eq!(all[2], "2001-12");
        assert_eq!(all[3], "2002-01");
    }

    #[test]
    fn centroid_cosines_match_sparse_dots() {
        let v = vec![
            vec![(0, 0.6), (2, 0.8)],
            vec![(1, 1.0)],
            vec![(0, 0.8), (2, 0.6)],
        ];
        let c = centroid_cosines(&v, 3);
        assert_eq!(
            c[0],
            vec![sparse_dot(&v[0], &v[1]), sparse_dot(&v[0], &v[2])]
        );
        assert_eq!(c[1], vec![0.0]);
        assert!(c[2].is_empty());
    }

    #[test]
    fn no_dates_gives_a_note() {
        let mut notes = Vec::new();
        assert!(timeline(&[Some(0)], &[None], 1, None, &mut notes).is_none());
        assert_eq!(notes.len(), 1);
    }
}
