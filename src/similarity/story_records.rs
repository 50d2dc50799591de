//! The `stories` task from documents: the rows of a [`DocumentSpace`] grouped into stories, and
//! each story as a record that names its documents, sources, dates and label terms.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::similarity::{self, FindStories, StoryParams};
//!
//! let docs = [
//!     Document::new("a", "The ferry strike ended at dawn after 48 hours."),
//!     Document::new("b", "Ferry crews end their 48-hour strike."),
//!     Document::new("c", "The council voted a harbour levy."),
//! ];
//! let params = FindStories {
//!     stories: StoryParams { threshold: 0.2, ..Default::default() },
//!     ..Default::default()
//! };
//! let found = similarity::find_stories(&docs, &params)?;
//! assert_eq!(found.records[0].docs, ["a", "b"]);
//! assert!(found.records[0].label.contains("strike"));
//! # Ok::<(), parallax::Error>(())
//! ```

use serde::Serialize;

use super::{DocumentSpace, Measure, SpaceRows, Story, StoryParams, stories_of_sources};
use crate::corpus::Document;
use crate::dates::day_number;
use crate::error::{Error, Result};
use crate::vectorize::FittedVectorizer;

/// Everything `stories` can be asked: the space documents are compared in, and how stories
/// are formed.
#[derive(Debug, Clone, Default)]
pub struct FindStories {
    /// The space (the story space by default).
    pub space: DocumentSpace,
    /// How stories are formed; `label_fold` is set from the space.
    pub stories: StoryParams,
}

/// What [`find_stories`] found.
#[derive(Debug, Clone)]
pub struct FoundStories {
    /// The space's model and rows.
    pub rows: SpaceRows,
    /// The stories as rows and columns, largest first.
    pub stories: Vec<Story>,
    /// The same stories with ids, surface forms, sources and dates, in the same order.
    pub records: Vec<StoryRecord>,
}

/// Groups documents that report the same event into stories (every document is in exactly
/// one); a document's `source` keeps two versions from one outlet apart, and its date applies
/// the window.
///
/// # Errors
///
/// [`Error::Param`] for a threshold outside (0, 1] or `k` = 0 (checked before any work);
/// fitting's errors (see [`DocumentSpace::rows`]).
pub fn find_stories(docs: &[Document], params: &FindStories) -> Result<FoundStories> {
    let threshold = params.stories.threshold;
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(Error::param("threshold", threshold, "must be in (0, 1]"));
    }
    if params.stories.k == 0 {
        return Err(Error::param("k", 0, "must be at least 1"));
    }
    let rows = params.space.rows(Measure::Cosine, docs, None)?;
    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.date.as_deref().and_then(day_number))
        .collect();
    let story_params = StoryParams {
        label_fold: rows.label_fold(),
        ..params.stories.clone()
    };
    let mut names: Vec<&str> = docs.iter().filter_map(|d| d.source.as_deref()).collect();
    names.sort_unstable();
    names.dedup();
    let sources: Vec<Option<u32>> = docs
        .iter()
        .map(|d| {
            d.source
                .as_deref()
                .map(|s| names.binary_search(&s).expect("listed") as u32)
        })
        .collect();
    let stories = stories_of_sources(&rows.queries, Some(&days), Some(&sources), &story_params)?;
    let records = stories
        .iter()
        .enumerate()
        .map(|(id, s)| StoryRecord::new(id, s, docs, |i| docs[i].source.as_deref(), &rows.model))
        .collect();
    Ok(FoundStories {
        rows,
        stories,
        records,
    })
}

/// One story, as `parallax stories --format json` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct StoryRecord {
    /// Story id (its position in the list of stories).
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

impl StoryRecord {
    /// The record of story `id`; `source_of(row)` is a document's source (or group), if any.
    pub fn new<'a>(
        id: usize,
        story: &Story,
        docs: &'a [Document],
        source_of: impl Fn(usize) -> Option<&'a str>,
        model: &FittedVectorizer,
    ) -> Self {
        let mut sources: Vec<String> = story
            .docs
            .iter()
            .filter_map(|&i| source_of(i).map(str::to_string))
            .collect();
        sources.sort();
        sources.dedup();
        let dated = || {
            story.docs.iter().filter_map(|&i| {
                docs[i]
                    .date
                    .as_deref()
                    .filter(|d| day_number(d).is_some())
                    .map(|d| &d[..10])
            })
        };
        StoryRecord {
            id,
            label: story
                .terms
                .iter()
                .map(|&c| model.surface(c as usize))
                .collect::<Vec<_>>()
                .join(", "),
            docs: story.docs.iter().map(|&i| docs[i].id.clone()).collect(),
            sources,
            first_date: dated().min().map(str::to_string),
            last_date: dated().max().map(str::to_string),
            near_duplicates: story
                .near_duplicates
                .iter()
                .map(|&(a, b, score)| NearDuplicate {
                    docs: [docs[a].id.clone(), docs[b].id.clone()],
                    score,
                })
                .collect(),
        }
    }
}

/// Two documents of a story with a cosine of at least 0.9.
#[derive(Debug, Clone, Serialize)]
pub struct NearDuplicate {
    /// The two document ids.
    pub docs: [String; 2],
    /// Their cosine.
    pub score: f32,
}
