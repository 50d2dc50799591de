//! `parallax stats`: a corpus summary.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::output::{Format, Printable, report_reading};
use super::{AnalysisArgs, InputArgs};
use parallax::vectorize::CorpusSummary;

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

pub fn stats(args: &StatsArgs, quiet: bool, out: &mut impl Write) -> Result<()> {
    let analysis = super::analysis_config(&args.analysis, None)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let stats = CorpusSummary::new(&corpus, &analysis)?;
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

fn rows(s: &CorpusSummary) -> Vec<(String, String)> {
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
