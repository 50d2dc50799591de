//! Output helpers: the matrix's value type as a flag, output locks and staged directories, what
//! reading skipped (on stderr), the run's one-line summary. The file formats and the result
//! tables are in [`parallax::io`].

use std::path::Path;

use anyhow::{Context, Result};
use parallax::corpus::{Corpus, ReadReport};
use parallax::io::atomic::{StagedDir, WriteLock};
use parallax::vectorize::CountReport;

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
    // Nothing to do if stderr is closed.
    let _ = r.write_notes(&mut std::io::stderr().lock(), !quiet);
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
