//! The `compare` task from documents: count them once in a [`DocumentSpace`], then build the
//! coverage report from the counts.
//!
//! ```
//! use parallax::compare::{self, CompareParams};
//! use parallax::corpus::Document;
//!
//! let mut docs = vec![
//!     Document::new("a", "The ferry strike ended at dawn after 48 hours."),
//!     Document::new("b", "Ferry crews end their 48-hour strike at dawn."),
//!     Document::new("c", "The council voted a harbour levy."),
//! ];
//! docs[0].source = Some("Herald".into());
//! docs[1].source = Some("Courier".into());
//! docs[2].source = Some("Courier".into());
//! let report = compare::compare(docs, &[], &CompareParams::default())?;
//! assert_eq!(report.sources.len(), 2);
//! assert_eq!(report.documents, 3);
//! # Ok::<(), parallax::Error>(())
//! ```

use super::{Report, ReportParams, report_from_rows};
use crate::corpus::{Document, SetAside};
use crate::error::{Error, Result};
use crate::keywords::GroupBy;
use crate::similarity::DocumentSpace;

/// Everything `compare` can be asked: the space stories are found in, the field documents are
/// grouped by, and the report's settings.
#[derive(Debug, Clone)]
pub struct CompareParams {
    /// The space (the story space by default); its model also gives the counts for keyness.
    pub space: DocumentSpace,
    /// Group documents by `source` (the default) or any metadata field, as [`GroupBy`] reads it.
    pub by: String,
    /// Stories, keyness, and what the report lists.
    pub report: ReportParams,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            space: DocumentSpace::default(),
            by: "source".into(),
            report: ReportParams::default(),
        }
    }
}

/// The coverage report of `docs`: stories across sources, who covered what, how close their
/// versions are, each source's distinctive terms. Takes the documents, because their texts
/// are dropped as soon as they are counted (they would be most of the memory held while
/// stories are found). `set_aside` lists the values set aside while reading them (see
/// [`crate::corpus::ReadReport`]), for the report's notes.
///
/// # Errors
///
/// [`Error::Param`] for an unreadable `by`, a story threshold outside (0, 1], zero `k`, top
/// terms, top sources or top stories, an FDR level outside (0, 1] or with a measure without
/// p-values, or invalid keyness settings (all checked before any work);
/// [`Error::EmptyVocabulary`] without documents; fitting's errors (see
/// [`DocumentSpace::counted`]).
pub fn compare(
    mut docs: Vec<Document>,
    set_aside: &[SetAside],
    params: &CompareParams,
) -> Result<Report> {
    let by: GroupBy = params
        .by
        .parse()
        .map_err(|e: String| Error::param("by", &params.by, e))?;
    validate(&params.report)?;
    let counted = params.space.counted(&docs)?;
    let groups = by.keys(&docs);
    for doc in &mut docs {
        doc.text = String::new();
    }
    release_freed_memory();
    report_from_rows(
        &super::Inputs {
            docs: &docs,
            by: &params.by,
            groups: &groups,
            model: &counted.model,
            weighted: &counted.weighted,
            story_rows: counted.story_rows.as_ref(),
            counts: &counted.counts,
            set_aside,
        },
        &params.report,
    )
}

/// Checks the report's settings before the documents are counted.
fn validate(params: &ReportParams) -> Result<()> {
    let threshold = params.stories.threshold;
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(Error::param("threshold", threshold, "must be in (0, 1]"));
    }
    let counts = [
        ("k", params.stories.k),
        ("top", params.top_terms),
        ("top-sources", params.top_sources),
        ("top-stories", params.top_stories),
    ];
    for (name, n) in counts {
        if n == 0 {
            return Err(Error::param(name, 0, "must be at least 1"));
        }
    }
    params.keyness.check_fdr(params.fdr)?;
    params.keyness.validate()
}

/// Hands memory freed inside the heap back to the system. The texts are many small
/// allocations that the allocator would otherwise keep, while the similarity search that
/// follows takes large blocks of its own.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
