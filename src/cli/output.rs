//! Output helpers: output formats as flags, output directories, terminal printing, the run
//! summary. The file formats themselves are in [`parallax::io`].

use std::path::Path;

use anyhow::{Context, Result};
use parallax::corpus::{Corpus, ReadReport};
use parallax::io::atomic::{StagedDir, WriteLock};
use parallax::io::terminal::printable;
use parallax::vectorize::CountReport;

/// How the matrix is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    /// matrix.mtx: Matrix Market coordinate (scipy.io.mmread, R Matrix, MATLAB).
    Mtx,
    /// matrix.npz: scipy.sparse.save_npz layout (scipy.sparse.load_npz).
    Npz,
    /// rows.jsonl (or stdout without --out): {"id": ..., "terms": {"surface": weight, ...}}.
    Jsonl,
    /// rows.jsonl (or stdout without --out): {"id": ..., "indices": [column, ...], "values":
    /// [weight, ...]}, columns ascending: a sparse row for Spark MLlib, pandas or scipy.
    JsonlIndices,
}

impl MatrixFormat {
    /// True for the formats written as rows.jsonl (and to stdout without --out).
    pub fn is_jsonl(self) -> bool {
        matches!(self, MatrixFormat::Jsonl | MatrixFormat::JsonlIndices)
    }
}

impl From<MatrixFormat> for parallax::io::rows::MatrixFormat {
    fn from(format: MatrixFormat) -> Self {
        match format {
            MatrixFormat::Mtx => Self::Mtx,
            MatrixFormat::Npz => Self::Npz,
            MatrixFormat::Jsonl => Self::Jsonl,
            MatrixFormat::JsonlIndices => Self::JsonlIndices,
        }
    }
}

/// Value type of the written matrix.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit floats (default; about 7 significant digits).
    F32,
    /// 64-bit floats.
    F64,
}

/// Locks writing `target` (a file or an output directory), saying so on stderr if another
/// run holds it, while this one waits.
pub fn lock_output(target: &Path, quiet: bool) -> Result<WriteLock> {
    let lock = WriteLock::acquire(target, |lock| {
        if !quiet {
            eprintln!(
                "parallax: another run is writing {}; waiting for it (lock {})",
                target.display(),
                lock.display()
            );
        }
    })?;
    Ok(lock)
}

/// Locks the output directory `dir` and starts its new set in a staging directory beside it
/// (see [`parallax::io::atomic`]); the parent directories are created if missing.
pub fn stage_output(dir: &Path, quiet: bool) -> Result<StagedDir> {
    let parent = parallax::io::atomic::directory_of(dir);
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    Ok(StagedDir::begin(lock_output(dir, quiet)?)?)
}

/// Prints what reading skipped or noticed, so nothing is dropped silently.
pub fn report_reading(corpus: &Corpus, quiet: bool) {
    report_read(&corpus.report, quiet)
}

/// Like [`report_reading`], from a reading report alone (streamed input).
pub fn report_read(r: &ReadReport, quiet: bool) {
    if r.skipped_count > 0 {
        // Skipped records are reported even with --quiet: data was left out.
        eprintln!(
            "parallax: skipped {} bad record(s) (--on-error skip):",
            r.skipped_count
        );
        for message in &r.skipped {
            eprintln!("  {}", printable(message));
        }
        if r.skipped_count > r.skipped.len() {
            eprintln!("  ... and {} more", r.skipped_count - r.skipped.len());
        }
    }
    // Dates set aside are reported even with --quiet: a value was left out.
    for kind in &r.set_aside {
        eprintln!(
            "parallax: {} {}(s) kept as undated ({}), e.g.:",
            kind.count, kind.kind, kind.hint
        );
        for example in &kind.examples {
            eprintln!("  {}", printable(example));
        }
    }
    if quiet {
        return;
    }
    if r.undated > 0 {
        eprintln!("parallax: {} document(s) have no usable date", r.undated);
    }
    if r.empty_fields > 0 {
        eprintln!(
            "parallax: {} optional field value(s) were empty and count as missing",
            r.empty_fields
        );
    }
    if r.empty_docs > 0 {
        eprintln!(
            "parallax: {} document(s) have no text; they are kept as empty rows",
            r.empty_docs
        );
    }
    let (readmes, others): (Vec<_>, Vec<_>) = r.ignored_files.iter().partition(|p| {
        p.file_stem()
            .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
    });
    if !readmes.is_empty() {
        eprintln!(
            "parallax: ignored {} README file(s) in input directories",
            readmes.len()
        );
    }
    if !others.is_empty() {
        let names: Vec<String> = others
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        let more = if others.len() > 3 { ", ..." } else { "" };
        eprintln!(
            "parallax: ignored {} entr{} of input directories that are not .txt/.md documents \
             (give .jsonl/.csv files as inputs of their own): {}{more}",
            others.len(),
            if others.len() == 1 { "y" } else { "ies" },
            names.join(", ")
        );
    }
}

/// One line at the end of a run: documents, tokens, terms, time and throughput (of text).
pub fn summary(
    what: &str,
    text_bytes: usize,
    report: &CountReport,
    terms: usize,
    nnz: usize,
    started: std::time::Instant,
) {
    let secs = started.elapsed().as_secs_f64();
    let oov = if report.out_of_vocabulary > 0 {
        format!(
            ", {} token(s) outside the vocabulary",
            report.out_of_vocabulary
        )
    } else {
        String::new()
    };
    eprintln!(
        "parallax {what}: {} documents, {} tokens, {terms} terms, {nnz} values{oov}, {} empty rows; {secs:.2} s, {:.1} MB/s",
        report.documents,
        report.tokens,
        report.empty_rows,
        text_bytes as f64 / 1e6 / secs.max(1e-9)
    );
}
