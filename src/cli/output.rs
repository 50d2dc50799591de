//! Output helpers: TSV fields, output directories, the run summary.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use parallax::corpus::{Corpus, Document};
use parallax::matrix::{CsrMatrix, Value};
use parallax::model::write_atomic;
use parallax::vectorize::{CountReport, FittedVectorizer};

/// Output table formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
    /// Tab-separated values with a header.
    Tsv,
}

/// Value type of the written matrix.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit floats (default; about 7 significant digits).
    F32,
    /// 64-bit floats.
    F64,
}

/// Escapes a TSV field: backslash, tab, newline and carriage return become `\\`, `\t`, `\n`, `\r`,
/// so every record stays on one line and nothing is lost.
pub fn tsv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.into()
}

/// Writes matrix.mtx, vocabulary.tsv and documents.tsv into `dir`, each atomically.
pub fn write_vectorized<V: Value>(
    dir: &Path,
    model: &FittedVectorizer,
    docs: &[Document],
    matrix: &CsrMatrix<V>,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_atomic(&dir.join("matrix.mtx"), |w| matrix.write_matrix_market(w))?;
    write_atomic(&dir.join("vocabulary.tsv"), |w| {
        writeln!(w, "column\tterm\tsurface\tdf\tidf")?;
        for col in 0..model.n_terms() {
            writeln!(
                w,
                "{col}\t{}\t{}\t{}\t{}",
                tsv_field(&model.terms()[col]),
                tsv_field(model.surface(col)),
                model.df(col),
                ryu::Buffer::new().format(model.idf(col))
            )?;
        }
        Ok(())
    })?;
    write_atomic(&dir.join("documents.tsv"), |w| {
        writeln!(w, "row\tid\tsource\ttitle")?;
        for (row, d) in docs.iter().enumerate() {
            writeln!(
                w,
                "{row}\t{}\t{}\t{}",
                tsv_field(&d.id),
                tsv_field(d.source.as_deref().unwrap_or("")),
                tsv_field(d.title.as_deref().unwrap_or(""))
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Prints what reading skipped or noticed, so nothing is dropped silently.
pub fn report_reading(corpus: &Corpus, quiet: bool) {
    let r = &corpus.report;
    if r.skipped_count > 0 {
        // Skipped records are reported even with --quiet: data was left out.
        eprintln!(
            "parallax: skipped {} bad record(s) (--on-error skip):",
            r.skipped_count
        );
        for message in &r.skipped {
            eprintln!("  {message}");
        }
        if r.skipped_count > r.skipped.len() {
            eprintln!("  ... and {} more", r.skipped_count - r.skipped.len());
        }
    }
    if quiet {
        return;
    }
    if r.empty_docs > 0 {
        eprintln!(
            "parallax: {} document(s) have no text; they are kept as empty rows",
            r.empty_docs
        );
    }
    if !r.ignored_files.is_empty() {
        eprintln!(
            "parallax: ignored {} README file(s) in input directories",
            r.ignored_files.len()
        );
    }
}

/// One line at the end of a run: documents, tokens, terms, time and throughput.
pub fn summary(
    what: &str,
    corpus: &Corpus,
    report: &CountReport,
    terms: usize,
    nnz: usize,
    started: std::time::Instant,
) {
    let secs = started.elapsed().as_secs_f64();
    let bytes: usize = corpus.docs.iter().map(|d| d.text.len()).sum();
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
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
}
