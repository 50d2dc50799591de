//! `parallax stats`: a corpus summary.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::output::{Format, Printable, report_reading};
use super::{AnalysisArgs, InputArgs};
use parallax::vectorize::Vectorizer;

/// `parallax stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Serialize)]
struct Stats {
    documents: usize,
    empty_documents: usize,
    skipped_records: usize,
    characters: usize,
    tokens: u64,
    terms: u64,
    types: usize,
    sources: BTreeMap<String, usize>,
    without_source: usize,
    first_date: Option<String>,
    last_date: Option<String>,
    without_date: usize,
}

pub fn stats(args: &StatsArgs, quiet: bool, out: &mut impl Write) -> Result<()> {
    let analysis = super::analysis_config(&args.analysis, None)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let docs = &corpus.docs;
    let vectorizer = Vectorizer {
        analysis,
        ..Default::default()
    };
    let statistics = vectorizer.statistics(docs)?;
    // Tokens as cut by the tokenizer; terms: kept occurrences (after stop words); types: distinct terms.
    let tokens = count_tokens(&vectorizer, docs)?;
    let terms: u64 = statistics.terms.iter().map(|t| t.cf).sum();
    let types = statistics.terms.len();
    let mut sources = BTreeMap::new();
    for d in docs {
        if let Some(s) = &d.source {
            *sources.entry(s.clone()).or_insert(0) += 1;
        }
    }
    let dates: Vec<&str> = docs.iter().filter_map(|d| d.date.as_deref()).collect();
    let stats = Stats {
        documents: docs.len(),
        empty_documents: corpus.report.empty_docs,
        skipped_records: corpus.report.skipped_count,
        characters: docs.iter().map(|d| d.text.chars().count()).sum(),
        tokens,
        terms,
        types,
        without_source: docs.len() - sources.values().sum::<usize>(),
        sources,
        first_date: dates.iter().min().map(|d| d[..10].to_string()),
        last_date: dates.iter().max().map(|d| d[..10].to_string()),
        without_date: docs.len() - dates.len(),
    };
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &stats)?;
            writeln!(out)?;
        }
        Format::Tsv => {
            writeln!(out, "field\tvalue")?;
            for (k, v) in rows(&stats) {
                writeln!(out, "{k}\t{v}")?;
            }
        }
        Format::Table => {
            let out = &mut Printable(&mut *out);
            for (k, v) in rows(&stats) {
                writeln!(out, "{k:<18} {v}")?;
            }
        }
    }
    Ok(())
}

fn count_tokens(vectorizer: &Vectorizer, docs: &[parallax::corpus::Document]) -> Result<u64> {
    let analyzer = parallax::analysis::Analyzer::new(&vectorizer.analysis)?;
    let mut spans = Vec::new();
    Ok(docs
        .iter()
        .map(|d| {
            analyzer.spans_into(&d.text, &mut spans);
            spans.len() as u64
        })
        .sum())
}

fn rows(s: &Stats) -> Vec<(String, String)> {
    let mut rows = vec![
        ("documents".to_string(), s.documents.to_string()),
        ("empty documents".into(), s.empty_documents.to_string()),
        ("skipped records".into(), s.skipped_records.to_string()),
        ("characters".into(), s.characters.to_string()),
        ("tokens".into(), s.tokens.to_string()),
        ("terms (kept)".into(), s.terms.to_string()),
        ("types".into(), s.types.to_string()),
        (
            "date range".into(),
            match (&s.first_date, &s.last_date) {
                (Some(a), Some(b)) => format!("{a} .. {b} ({} without date)", s.without_date),
                _ => "no dates".into(),
            },
        ),
        (
            "sources".into(),
            format!(
                "{} ({} documents without source)",
                s.sources.len(),
                s.without_source
            ),
        ),
    ];
    for (name, n) in &s.sources {
        rows.push((format!("  {name}"), n.to_string()));
    }
    rows
}
