//! The `similar` task from documents to neighbours: build the rows of a [`DocumentSpace`],
//! then search them with the filters asked for (other sources only, a window of days).
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::similarity::{self, SimilarParams};
//!
//! let docs = [
//!     Document::new("a", "The ferry strike ended at dawn after 48 hours."),
//!     Document::new("b", "Ferry crews end their 48-hour strike."),
//!     Document::new("c", "The council voted a harbour levy."),
//! ];
//! let found = similarity::similar(&docs, None, &SimilarParams { k: 2, ..Default::default() })?;
//! assert_eq!(found.neighbors.of(0)[0].index, 1);
//! # Ok::<(), parallax::Error>(())
//! ```

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ndarray::Array2;

use super::{
    DocumentSpace, MAX_DENSE, Measure, Neighbors, Search, SpaceRows, dense_scores, top_k_with,
    top_k_within_days,
};
use crate::corpus::Document;
use crate::dates::day_number;
use crate::error::{Error, Result};

/// Everything `similar` can be asked: the space, the measure, how many neighbours, and which.
#[derive(Debug, Clone)]
pub struct SimilarParams {
    /// The space documents are compared in (the story space by default).
    pub space: DocumentSpace,
    /// The measure (cosine by default).
    pub measure: Measure,
    /// Neighbours per document (at least 1).
    pub k: usize,
    /// Keep only neighbours scoring at least this (≥ 0).
    pub min_score: f32,
    /// Only neighbours from another source; documents without a source count as sources of
    /// their own.
    pub across_sources: bool,
    /// Only neighbours dated at most this many days before or after the document (undated
    /// documents are not restricted).
    pub window_days: Option<u32>,
    /// Also compute every pair's score as a dense matrix (at most [`MAX_DENSE`] documents a
    /// side); it ignores `k`, `min_score` and `across_sources`.
    pub dense: bool,
}

impl Default for SimilarParams {
    /// Ten cosine neighbours in the story space, no filter, no dense matrix.
    fn default() -> Self {
        SimilarParams {
            space: DocumentSpace::default(),
            measure: Measure::Cosine,
            k: 10,
            min_score: 0.0,
            across_sources: false,
            window_days: None,
            dense: false,
        }
    }
}

/// What [`similar`] found.
#[derive(Debug, Clone)]
pub struct Similar {
    /// The space's model and rows (the model's surface forms name the columns).
    pub rows: SpaceRows,
    /// Each query document's neighbours, best first; an index is a position in the reference
    /// documents (in the queries for a self-join).
    pub neighbors: Neighbors,
    /// Every pair's score, queries × reference, when [`SimilarParams::dense`] asked for it.
    pub dense: Option<Array2<f32>>,
    /// Time spent building the rows.
    pub vectorize_time: Duration,
    /// Time spent searching.
    pub search_time: Duration,
}

/// The `k` nearest documents of every query document: among the reference documents when
/// `reference` is given, else among the other queries.
///
/// # Errors
///
/// [`Error::Param`] for `k` = 0, a negative or non-finite `min_score`, or a dense matrix over
/// [`MAX_DENSE`] documents a side (all checked before any work); fitting's errors (see
/// [`DocumentSpace::rows`]).
pub fn similar(
    queries: &[Document],
    reference: Option<&[Document]>,
    params: &SimilarParams,
) -> Result<Similar> {
    let started = Instant::now();
    let search = Search {
        k: params.k,
        min_score: params.min_score,
        score: params.measure.score(),
    };
    search.validate()?;
    let n_ref = reference.map_or(queries.len(), <[_]>::len);
    if params.dense && (queries.len() > MAX_DENSE || n_ref > MAX_DENSE) {
        return Err(Error::param(
            "matrix",
            format!("{} × {n_ref}", queries.len()),
            format!("a dense matrix is for small corpora (at most {MAX_DENSE} documents a side)"),
        ));
    }
    let rows = params.space.rows(params.measure, queries, reference)?;
    let vectorize_time = started.elapsed();
    let neighbors = search_rows(&rows, queries, reference, &search, params)?;
    let search_time = started.elapsed() - vectorize_time;
    let dense = match params.dense {
        true => Some(dense_scores(
            &rows.queries,
            rows.reference.as_ref(),
            search.score,
        )?),
        false => None,
    };
    Ok(Similar {
        rows,
        neighbors,
        dense,
        vectorize_time,
        search_time,
    })
}

/// Searches the rows with the source and date filters of `params`.
fn search_rows(
    rows: &SpaceRows,
    queries: &[Document],
    reference: Option<&[Document]>,
    search: &Search,
    params: &SimilarParams,
) -> Result<Neighbors> {
    // Both lists hold the queries, then the reference documents (for a self-join, the queries
    // are the reference).
    let all = || queries.iter().chain(reference.into_iter().flatten());
    let groups = params.across_sources.then(|| source_groups(all()));
    let days: Option<Vec<Option<i64>>> = params.window_days.map(|_| {
        all()
            .map(|d| d.date.as_deref().and_then(day_number))
            .collect()
    });
    let r_offset = if reference.is_some() {
        queries.len()
    } else {
        0
    };
    let window = params.window_days.map(i64::from);
    let across = |q: usize, d: usize| groups.as_ref().is_none_or(|g| g[q] != g[d + r_offset]);
    match (&days, window, &rows.reference) {
        // A self-join within a window: searched a block of days at a time.
        (Some(days), Some(w), None) => top_k_within_days(&rows.queries, days, w, search, across),
        _ => top_k_with(&rows.queries, rows.reference.as_ref(), search, |q, d| {
            let near = match (&days, window) {
                (Some(days), Some(w)) => match (days[q], days[d + r_offset]) {
                    (Some(x), Some(y)) => (x - y).abs() <= w,
                    _ => true,
                },
                _ => true,
            };
            across(q, d) && near
        }),
    }
}

/// Source group of every document: equal sources share a group; a document without a source
/// gets a group of its own.
fn source_groups<'a>(docs: impl Iterator<Item = &'a Document>) -> Vec<u32> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut next = 0u32;
    docs.map(|d| {
        let g = match d.source.as_deref() {
            Some(s) => *ids.entry(s).or_insert_with(|| {
                next += 1;
                next - 1
            }),
            None => u32::MAX - next,
        };
        if d.source.is_none() {
            next += 1;
        }
        g
    })
    .collect()
}
