//! Keyness from pre-summed counts: `keyness --counts-out` writes, for a part of a corpus, the
//! count of every term in every group plus the fit statistics (a shard); `keyness --counts`
//! reads such files, sums them (exactly: integer counts and shard statistics), fits the
//! vocabulary on the sum and scores. Scoring the sum of the parts equals scoring the whole, so
//! the parts can be counted anywhere (a Spark task each) and summed in any order.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use parallax::analysis::AnalysisConfig;
use parallax::corpus::Document;
use parallax::io::atomic::write_atomic;
use parallax::io::model;
use parallax::keywords::keyness::GroupCounts;
use parallax::vectorize::{FittedVectorizer, Statistics, Tf, Vectorizer, VocabularyParams};

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
    let (model, matrix) = all.fit_transform::<f64>(docs).context("counting terms")?;
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
    let bytes = serde_json::to_vec(&file)?;
    write_atomic(path, |w| {
        w.write_all(&bytes)?;
        w.write_all(b"\n")
    })?;
    Ok(())
}

/// Reads and sums counts files; they must share the grouping, the count weighting and the
/// analysis.
pub fn load_sum(paths: &[PathBuf], by: &str, tf: Tf) -> Result<Counts> {
    let mut sum: Option<(Counts, &Path)> = None;
    for path in paths {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let file: CountsFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a keyness counts file", path.display()))?;
        if file.format != COUNTS_FORMAT || file.version != COUNTS_VERSION {
            bail!(
                "{}: not a keyness counts file (format {} version {}; expected {COUNTS_FORMAT} version {COUNTS_VERSION})",
                path.display(),
                file.format,
                file.version
            );
        }
        if file.by != by {
            bail!(
                "{}: counted --by {}, not --by {by}",
                path.display(),
                file.by
            );
        }
        if file.tf != tf_name(tf) {
            bail!(
                "{}: counted with --tf {}, not --tf {}",
                path.display(),
                file.tf,
                tf_name(tf)
            );
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
                    bail!(
                        "{}: its analysis settings differ from {}'s; count every part with the same analysis flags",
                        path.display(),
                        first.display()
                    );
                }
                let overflow = || {
                    format!(
                        "{}: its counts added to the files before it pass 2^64; the sum cannot be stored",
                        path.display()
                    )
                };
                s.statistics = s.statistics.try_merge(&statistics).with_context(overflow)?;
                for (name, g) in file.groups {
                    let into = s.groups.entry(name).or_default();
                    into.documents = into
                        .documents
                        .checked_add(g.documents)
                        .with_context(overflow)?;
                    for (term, c) in g.counts {
                        let sum = into.counts.entry(term).or_default();
                        *sum = sum.checked_add(c).with_context(overflow)?;
                    }
                }
            }
        }
    }
    Ok(sum.context("no counts files")?.0)
}

impl Counts {
    /// The analysis the counts were made with.
    pub fn analysis(&self) -> &AnalysisConfig {
        &self.analysis
    }

    /// Fits the vocabulary on the summed statistics and lays the counts out in its columns
    /// (terms the vocabulary left out are dropped), as `GroupCounts::from_rows` would have.
    pub fn fit(self, settings: &Vectorizer) -> Result<(FittedVectorizer, GroupCounts, usize)> {
        let model = settings
            .fit_statistics(self.statistics)
            .context("fitting the summed statistics")?;
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
