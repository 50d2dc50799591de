//! `parallax stats`: a corpus summary.

use anyhow::Result;
use clap::Args;

use super::output::report_reading;
use super::{AnalysisArgs, InputArgs};
use parallax::io::tables::{self, Format};
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

pub fn stats(args: &StatsArgs, quiet: bool, out: &mut dyn std::io::Write) -> Result<()> {
    let analysis = super::analysis_config(&args.analysis, None)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let stats = CorpusSummary::new(&corpus, &analysis)?;
    Ok(tables::write_corpus_summary(out, args.format, &stats)?)
}
