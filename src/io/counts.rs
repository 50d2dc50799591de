//! The keyness counts file, and keyness from pre-summed counts: `keyness --counts-out` writes, for a part of a corpus, the
//! count of every term in every group plus the fit statistics (a shard); `keyness --counts`
//! reads such files, sums them (exactly: integer counts and shard statistics), fits the
//! vocabulary on the sum and scores. Scoring the sum of the parts equals scoring the whole, so
//! the parts can be counted anywhere (a Spark task each) and summed in any order.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::AnalysisConfig;
use crate::corpus::Document;
use crate::io::atomic::write_atomic;
use crate::io::model;
use crate::keywords::keyness::GroupCounts;
use crate::vectorize::{FittedVectorizer, Statistics, Tf, Vectorizer, VocabularyParams};
use crate::{Error, Result};

/// Format tag of counts files.
pub const COUNTS_FORMAT: &str = "parallax-keyness-counts";
const COUNTS_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CountsFile {
    format: String,
    version: u32,
    /// The `--by` grouping the counts were made with.
    by: String,
    /// `raw` (tokens) or `binary` (documents).
    tf: String,
    /// Group name → documents and term counts (by term, not column: columns are fixed only
    /// after the sum).
    groups: BTreeMap<String, GroupFile>,
    /// The fit statistics of every document read, grouped or not (a `fit --shard` file).
    shard: serde_json::Value,
}

#[derive(Serialize, Deserialize, Default)]
struct GroupFile {
    documents: u64,
    counts: BTreeMap<String, u64>,
}

/// Summed counts: the analysis, the fit statistics and the per-group term counts.
pub struct Counts {
    analysis: AnalysisConfig,
    statistics: Statistics,
    groups: BTreeMap<String, GroupFile>,
}

fn tf_name(tf: Tf) -> &'static str {
    if tf == Tf::Binary { "binary" } else { "raw" }
}

/// Counts `docs` (grouped by `groups`, `None` = left out of the groups) with `settings`' analysis
/// and count weighting, keeping every term (no pruning: that comes after the sum).
///
/// # Errors
///
/// [`Error::Input`] ("counting terms", the analysis error as its source).
pub fn count(
    settings: &Vectorizer,
    docs: &[Document],
    groups: &[Option<String>],
) -> Result<Counts> {
    let all = Vectorizer {
        analysis: settings.analysis.clone(),
        vocabulary: VocabularyParams::default(),
        weighting: settings.weighting,
    };
    let (model, matrix) = all
        .fit_transform::<f64>(docs)
        .map_err(|e| Error::input_caused("counting terms", e))?;
    let grouped = GroupCounts::from_rows(&matrix, groups);
    let mut out = BTreeMap::new();
    for (g, name) in grouped.names.iter().enumerate() {
        let counts = grouped.counts[g]
            .iter()
            .map(|&(t, c)| (model.terms()[t as usize].clone(), c as u64))
            .collect();
        out.insert(
            name.clone(),
            GroupFile {
                documents: grouped.docs[g] as u64,
                counts,
            },
        );
    }
    Ok(Counts {
        analysis: all.analysis,
        statistics: model.statistics().clone(),
        groups: out,
    })
}

/// Writes counts atomically.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be written.
pub fn write(path: &Path, counts: Counts, by: &str, tf: Tf) -> Result<()> {
    let shard = model::shard_to_json(&counts.analysis, &counts.statistics);
    let file = CountsFile {
        format: COUNTS_FORMAT.into(),
        version: COUNTS_VERSION,
        by: by.into(),
        tf: tf_name(tf).into(),
        groups: counts.groups,
        shard: serde_json::from_slice(&shard).expect("a shard is JSON"),
    };
    let bytes = serde_json::to_vec(&file).expect("counts serialize to JSON");
    write_atomic(path, |w| {
        w.write_all(&bytes)?;
        w.write_all(b"\n")
    })
}

/// Reads and sums counts files; they must share the grouping, the count weighting and the
/// analysis.
///
/// # Errors
///
/// [`Error::Input`] when a file cannot be read, is not a counts file of this version, was
/// counted differently, or the sum overflows; [`Error::Model`] when its statistics are invalid.
pub fn load_sum(paths: &[PathBuf], by: &str, tf: Tf) -> Result<Counts> {
    let mut sum: Option<(Counts, &Path)> = None;
    for path in paths {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::input_caused(format!("reading {}", path.display()), e))?;
        let file: CountsFile = serde_json::from_slice(&bytes).map_err(|e| {
            Error::input_caused(format!("{}: not a keyness counts file", path.display()), e)
        })?;
        if file.format != COUNTS_FORMAT || file.version != COUNTS_VERSION {
            return Err(Error::input(format!(
                "{}: not a keyness counts file (format {} version {}; expected {COUNTS_FORMAT} version {COUNTS_VERSION})",
                path.display(),
                file.format,
                file.version
            )));
        }
        if file.by != by {
            return Err(Error::input(format!(
                "{}: counted --by {}, not --by {by}",
                path.display(),
                file.by
            )));
        }
        if file.tf != tf_name(tf) {
            return Err(Error::input(format!(
                "{}: counted with --tf {}, not --tf {}",
                path.display(),
                file.tf,
                tf_name(tf)
            )));
        }
        let (analysis, statistics) = model::statistics_from_value(file.shard, b"", path)?;
        match &mut sum {
            None => {
                sum = Some((
                    Counts {
                        analysis,
                        statistics,
                        groups: file.groups,
                    },
                    path,
                ))
            }
            Some((s, first)) => {
                if s.analysis != analysis {
                    return Err(Error::input(format!(
                        "{}: its analysis settings differ from {}'s; count every part with the same analysis flags",
                        path.display(),
                        first.display()
                    )));
                }
                let overflow = || {
                    Error::input(format!(
                        "{}: its counts added to the files before it pass 2^64; the sum cannot be stored",
                        path.display()
                    ))
                };
                s.statistics = s.statistics.try_merge(&statistics).ok_or_else(overflow)?;
                for (name, g) in file.groups {
                    let into = s.groups.entry(name).or_default();
                    into.documents = into
                        .documents
                        .checked_add(g.documents)
                        .ok_or_else(overflow)?;
                    for (term, c) in g.counts {
                        let sum = into.counts.entry(term).or_default();
                        *sum = sum.checked_add(c).ok_or_else(overflow)?;
                    }
                }
            }
        }
    }
    Ok(sum.ok_or_else(|| Error::input("no counts files"))?.0)
}

impl Counts {
    /// The analysis the counts were made with.
    pub fn analysis(&self) -> &AnalysisConfig {
        &self.analysis
    }

    /// Fits the vocabulary on the summed statistics and lays the counts out in its columns
    /// (terms the vocabulary left out are dropped), as `GroupCounts::from_rows` would have.
    /// Returns the model, the counts and the number of grouped documents.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] ("fitting the summed statistics", the fit error as its source).
    pub fn fit(self, settings: &Vectorizer) -> Result<(FittedVectorizer, GroupCounts, usize)> {
        let model = settings
            .fit_statistics(self.statistics)
            .map_err(|e| Error::input_caused("fitting the summed statistics", e))?;
        let mut total = vec![0.0; model.n_terms()];
        let (mut names, mut counts, mut docs) = (Vec::new(), Vec::new(), Vec::new());
        for (name, g) in self.groups {
            let mut row: Vec<(u32, f64)> = g
                .counts
                .iter()
                .filter_map(|(term, &c)| Some((model.column(term)? as u32, c as f64)))
                .collect();
            row.sort_unstable_by_key(|&(t, _)| t);
            for &(t, c) in &row {
                total[t as usize] += c;
            }
            names.push(name);
            counts.push(row);
            docs.push(g.documents as usize);
        }
        let grouped_docs = docs.iter().sum();
        let counts = GroupCounts {
            names,
            counts,
            docs,
            total,
        };
        Ok((model, counts, grouped_docs))
    }
}
