//! The coverage report as data: what `parallax compare` computes, serialized as its JSON and
//! rendered as the terminal summary and the HTML page. Field order is the JSON's key order.

use serde::Serialize;

/// Everything `compare` found, in one value.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The field documents were grouped by (`source`, or a metadata field).
    pub by: String,
    /// Documents read.
    pub documents: usize,
    /// Documents without a value of `by`: they take part in stories, not in per-source parts.
    pub ungrouped: usize,
    /// Per source, sorted by name.
    pub sources: Vec<SourceSummary>,
    /// Every story (every document is in exactly one), largest first; the same shape as
    /// `parallax stories --format json`.
    pub stories: Vec<StoryRecord>,
    /// Stories × sources, for the stories carried by two or more sources.
    pub coverage: Coverage,
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
    /// What could not be computed, and why.
    pub notes: Vec<String>,
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

/// One story, as `parallax stories --format json` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct StoryRecord {
    /// Story id (its position in `Report::stories`).
    pub id: usize,
    /// Surface forms of its heaviest terms.
    pub label: String,
    /// Document ids.
    pub docs: Vec<String>,
    /// Distinct sources (values of `by`), sorted.
    pub sources: Vec<String>,
    /// Earliest date of its documents (`YYYY-MM-DD`), if any is dated.
    pub first_date: Option<String>,
    /// Latest date.
    pub last_date: Option<String>,
    /// Near-duplicate pairs.
    pub near_duplicates: Vec<NearDuplicate>,
}

/// Two documents of a story with a cosine of at least 0.9.
#[derive(Debug, Clone, Serialize)]
pub struct NearDuplicate {
    /// The two document ids.
    pub docs: [String; 2],
    /// Their cosine.
    pub score: f32,
}

/// Which source carried which story.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Column order of `rows[].documents`.
    pub sources: Vec<String>,
    /// One row per story carried by two or more sources, in story order.
    pub rows: Vec<CoverageRow>,
    /// Per source (same order): ids of the stories in `rows` it did not carry.
    pub skipped: Vec<Vec<usize>>,
}

/// A story's documents per source.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    /// Story id.
    pub story: usize,
    /// Its label.
    pub label: String,
    /// Documents per source, in `Coverage::sources` order (0: skipped).
    pub documents: Vec<usize>,
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
    /// A source.
    pub a: String,
    /// Another source.
    pub b: String,
    /// Mean cosine over their cross pairs of articles.
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
    pub statistic: f64,
    /// Log Ratio effect size (log2 of the ratio of relative frequencies).
    pub log_ratio: f64,
    /// Benjamini–Hochberg adjusted p-value, when the measure has p-values.
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

/// Source × source similarity, rows and columns in `sources` order.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSimilarity {
    /// Source names.
    pub sources: Vec<String>,
    /// Stories both sources carried.
    pub shared_stories: Vec<Vec<usize>>,
    /// Mean cosine of their articles on shared stories (each story counts once); `None` when
    /// they share no story, and on the diagonal.
    pub story_mean: Vec<Vec<Option<f64>>>,
    /// Cosine of the two sources' centroids (the mean of their documents' unit vectors).
    pub centroid: Vec<Vec<f64>>,
}

/// Documents per source over time.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// `day` or `week` (weeks start on Monday and are labelled by that day).
    pub period: &'static str,
    /// Every period from the first dated document to the last, gaps included.
    pub periods: Vec<String>,
    /// Per source (in `Report::sources` order): documents per period.
    pub counts: Vec<Vec<usize>>,
    /// Per source: documents without a usable date.
    pub undated: Vec<usize>,
}
