//! The coverage report as data: what `parallax compare` computes, serialized as its JSON and
//! rendered as the terminal summary and the HTML page. Field order is the JSON's key order.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::similarity::{NearDuplicate, StoryRecord};

/// Everything `compare` found, in one value. Its JSON grows with the corpus, not with sources ×
/// stories: tables are sparse, documents are named by id once, and dense matrices cover only
/// the sources shown (`shown.sources`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The field documents were grouped by (`source`, or a metadata field).
    pub by: String,
    /// Documents read.
    pub documents: usize,
    /// Documents without a value of `by`: they take part in stories, not in per-source parts.
    pub ungrouped: usize,
    /// Documents without a usable date.
    pub undated: usize,
    /// Per source, sorted by name; every other per-source list indexes into it.
    pub sources: Vec<SourceSummary>,
    /// What the page and the summary show first, and what they group as "other".
    pub shown: Shown,
    /// Every story (every document is in exactly one), largest first; the same shape as
    /// `parallax stories --format json`.
    pub stories: Vec<StoryRecord>,
    /// Which source carried which story, for the stories two or more sources carried.
    pub coverage: Vec<CoverageRow>,
    /// The stories carried by two or more sources, article by article.
    pub aligned: Vec<AlignedStory>,
    /// Per source: its distinctive terms against all other sources.
    pub keyness: Vec<SourceKeyness>,
    /// Terms every source uses, most evenly used first.
    pub shared_terms: Vec<SharedTerm>,
    /// Source × source similarity.
    pub similarity: SourceSimilarity,
    /// Documents per source and period, when documents have dates.
    pub timeline: Option<Timeline>,
    /// Values set aside while reading (dates that could not be used), one entry per kind.
    pub set_aside: Vec<SetAsideValues>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

/// The sources and stories a reader sees first; the rest are summarized, and all are in the
/// JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// Indexes into `Report::sources`: the largest sources, most documents first.
    pub sources: Vec<usize>,
    /// Story ids of the stories carried by most sources (then the largest), in that order.
    pub stories: Vec<usize>,
}

/// Values of one kind set aside while reading.
#[derive(Debug, Clone, Serialize)]
pub struct SetAsideValues {
    /// What kind (`ambiguous date`, `implausible date`, ...).
    pub kind: String,
    /// How many.
    pub count: usize,
    /// The first few, with where they were read.
    pub examples: Vec<String>,
    /// What the user can do about them.
    pub hint: String,
}

/// One source at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// Source name (value of `by`).
    pub name: String,
    /// Its documents.
    pub documents: usize,
    /// Tokens counted in the vocabulary.
    pub tokens: f64,
    /// Stories with at least one of its documents.
    pub stories: usize,
    /// Of those, stories that other sources carried too.
    pub shared_stories: usize,
    /// Stories carried by two or more other sources and not by this one.
    pub skipped: usize,
    /// Stories only this source carried (one or more documents).
    pub exclusive: usize,
}

/// A story's documents per source.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    /// Story id.
    pub story: usize,
    /// Its label.
    pub label: String,
    /// `[source, documents]` for each source that carried it (index into `Report::sources`);
    /// a source not listed skipped it.
    pub documents: Vec<(usize, usize)>,
}

/// A story carried by several sources: its articles side by side.
#[derive(Debug, Clone, Serialize)]
pub struct AlignedStory {
    /// Story id.
    pub story: usize,
    /// Its label.
    pub label: String,
    /// The articles, grouped by source (sources sorted, documents by id).
    pub articles: Vec<Article>,
    /// Mean cosine between the articles of each pair of sources in the story.
    pub source_pairs: Vec<SourcePair>,
    /// Cosine of every pair of articles from different sources, highest first.
    pub pairs: Vec<DocPair>,
    /// Pairs left out of `pairs` because the story is large (their means are in `source_pairs`).
    pub pairs_omitted: usize,
    /// Per source: the terms its articles use more than the other sources' articles in the story.
    pub distinctive: Vec<SourceTerms>,
    /// What could not be computed for this story.
    pub notes: Vec<String>,
}

/// One article of an aligned story.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Source.
    pub source: String,
    /// Document id.
    pub id: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Date, if any.
    pub date: Option<String>,
    /// Tokens counted in the vocabulary.
    pub tokens: f64,
}

/// Mean similarity of two sources' articles.
#[derive(Debug, Clone, Serialize)]
pub struct SourcePair {
    /// A source (index into `Report::sources`).
    pub a: usize,
    /// Another source.
    pub b: usize,
    /// Mean cosine over their cross pairs of articles.
    #[serde(serialize_with = "rounded")]
    pub mean: f64,
}

/// Similarity of two documents.
#[derive(Debug, Clone, Serialize)]
pub struct DocPair {
    /// A document id.
    pub a: String,
    /// Another document id, from another source.
    pub b: String,
    /// Their cosine.
    #[serde(serialize_with = "rounded")]
    pub score: f64,
}

/// A source's distinctive terms in one story.
#[derive(Debug, Clone, Serialize)]
pub struct SourceTerms {
    /// The source.
    pub source: String,
    /// Its distinctive terms, most distinctive first.
    pub terms: Vec<KeyTerm>,
}

/// A term one side uses more than the other.
#[derive(Debug, Clone, Serialize)]
pub struct KeyTerm {
    /// The term as analyzed (a stem, or an n-gram of stems).
    pub term: String,
    /// Its most frequent surface form.
    pub surface: String,
    /// Count on this side.
    pub count: f64,
    /// Count on the other side.
    pub count_reference: f64,
    /// The keyness statistic (see `measure`).
    #[serde(serialize_with = "rounded")]
    pub statistic: f64,
    /// Log Ratio effect size (log2 of the ratio of relative frequencies).
    #[serde(serialize_with = "rounded")]
    pub log_ratio: f64,
    /// Benjamini–Hochberg adjusted p-value, when the measure has p-values (per source; a
    /// story's distinctive terms have log-odds z-scores only, their counts being small, and
    /// leave it out).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "rounded_some"
    )]
    pub p_adjusted: Option<f64>,
}

/// A source against every other source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceKeyness {
    /// The source.
    pub source: String,
    /// `g2`, `chi2`, `logodds`, `pmi` or `logratio`.
    pub measure: &'static str,
    /// Its documents.
    pub documents: usize,
    /// Its distinctive terms, most distinctive first.
    pub terms: Vec<KeyTerm>,
}

/// A term used by every source.
#[derive(Debug, Clone, Serialize)]
pub struct SharedTerm {
    /// The term as analyzed.
    pub term: String,
    /// Its most frequent surface form.
    pub surface: String,
    /// Count per source, in `Report::sources` order.
    pub counts: Vec<f64>,
}

/// Source × source similarity: sparse over all sources, dense over the shown ones.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSimilarity {
    /// Every pair of sources that carried a story in common: how many, and the mean cosine of
    /// their articles on them (each story counts once).
    pub story_pairs: Vec<StoryPair>,
    /// Per source (in `Report::sources` order), the sources whose centroids (the mean of
    /// their documents' unit vectors) are closest to its own: `[source, cosine]`, closest
    /// first.
    #[serde(serialize_with = "rounded_pairs")]
    pub nearest: Vec<Vec<(usize, f64)>>,
    /// Centroid cosines among the shown sources, rows and columns in `Shown::sources` order.
    #[serde(serialize_with = "rounded_rows")]
    pub centroid: Vec<Vec<f64>>,
}

/// Two sources and the stories they both carried.
#[derive(Debug, Clone, Serialize)]
pub struct StoryPair {
    /// A source (index into `Report::sources`).
    pub a: usize,
    /// Another, after it.
    pub b: usize,
    /// Stories both carried.
    pub shared_stories: usize,
    /// Mean cosine of their articles on those stories.
    #[serde(serialize_with = "rounded")]
    pub mean: f64,
}

/// Documents per source over time.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// `day`, `week` (Monday to Sunday, named by its Monday) or `month` (`YYYY-MM`): days for
    /// spans up to 90 days, weeks up to two years, months beyond.
    pub period: &'static str,
    /// The first period with a dated document.
    pub first: String,
    /// The last one.
    pub last: String,
    /// Per source (in `Report::sources` order): documents per period, only periods it has.
    pub counts: Vec<BTreeMap<String, usize>>,
    /// Per source: documents without a usable date.
    pub undated: Vec<usize>,
}

impl Timeline {
    /// Every period from the first to the last, in time order, gaps included.
    pub fn periods(&self) -> Vec<String> {
        super::periods_between(self.period, &self.first, &self.last)
    }

    /// Adds source `s`'s documents per period to `row`, one slot per period of `periods` (as
    /// [`Timeline::periods`] gives them).
    pub fn add_counts(&self, s: usize, periods: &[String], row: &mut [usize]) {
        for (p, &c) in &self.counts[s] {
            if let Ok(i) = periods.binary_search(p) {
                row[i] += c;
            }
        }
    }
}

/// A float with four significant digits: what a reader of similarities and statistics can
/// use, at a third of the bytes of a full `f64`.
pub fn round4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

fn rounded<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round4(*x))
}

fn rounded_some<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&round4(*x)),
        None => s.serialize_none(),
    }
}

fn rounded_pairs<S: serde::Serializer>(
    rows: &[Vec<(usize, f64)>],
    s: S,
) -> Result<S::Ok, S::Error> {
    let rows: Vec<Vec<(usize, f64)>> = rows
        .iter()
        .map(|r| r.iter().map(|&(i, x)| (i, round4(x))).collect())
        .collect();
    rows.serialize(s)
}

fn rounded_rows<S: serde::Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
    let rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().map(|&x| round4(x)).collect())
        .collect();
    rows.serialize(s)
}
