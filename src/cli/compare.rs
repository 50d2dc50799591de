//! `parallax compare`: the coverage report (stories × sources, aligned articles, keyness,
//! source similarity, coverage over time) as a terminal summary, JSON and an HTML page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::output::report_reading;
use super::similar::SpaceFlags;
use super::stories::Window;
use super::{InputArgs, SpaceArgs};
use parallax::compare::{self, CompareParams, Period, ReportParams};
use parallax::keywords::GroupBy;
use parallax::keywords::keyness::{KeynessMeasure, KeynessParams};
use parallax::similarity::StoryParams;

/// `parallax compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Group documents by `source` or any metadata field.
    #[arg(long, value_name = "FIELD", default_value = "source")]
    pub by: String,
    /// Output format: a summary for people, or JSON holding the whole report.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CompareFormat,
    /// Write the summary or JSON to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page (inline CSS and SVG, works offline).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Plain TF-IDF cosine of the text alone for stories, instead of the story cosine (title
    /// beside the text, sublinear tf; see docs/similarity.md).
    #[arg(long)]
    pub plain: bool,
    /// Stories: join two groups only while the average cosine of their cross pairs is at least
    /// T (besides being closer than their documents' usual neighbours; see docs/similarity.md).
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Stories: never put documents more than D days apart in one story; `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = super::stories::parse_window)]
    pub window_days: Window,
    /// Stories: nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Keyness statistic of each source against the rest: g2, chi2, logodds, pmi, logratio.
    #[arg(long, default_value = "g2", value_parser = |s: &str| s.parse::<KeynessMeasure>())]
    pub measure: KeynessMeasure,
    /// Keyness: test only terms used at least N times in the whole corpus.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: u64,
    /// Keyness: keep only terms whose Benjamini–Hochberg adjusted p-value is at most Q.
    #[arg(long, value_name = "Q")]
    pub fdr: Option<f64>,
    /// Distinctive terms per source.
    #[arg(short = 'n', long = "top", value_name = "N", default_value_t = 15)]
    pub n: usize,
    /// Timeline period: day, week, month, or auto (days up to a 90-day span, weeks up to two
    /// years, months beyond).
    #[arg(long, default_value = "auto", value_parser = |s: &str| Period::choice(s).map(PeriodChoice))]
    pub period: PeriodChoice,
    /// Sources drawn in full in the summary, the page's charts and matrices, and the dense
    /// centroid matrix of the JSON: the N largest; the others are grouped as "other".
    #[arg(long, value_name = "N", default_value_t = ReportParams::default().top_sources)]
    pub top_sources: usize,
    /// Stories shown side by side in the summary and the page: the N most sources carried.
    #[arg(long, value_name = "N", default_value_t = ReportParams::default().top_stories)]
    pub top_stories: usize,
    /// Indent the JSON for reading (it is compact by default).
    #[arg(long)]
    pub pretty: bool,
    /// Work in the space of a saved model (from `fit`).
    #[arg(long, short, value_name = "M.json")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// Output format of `compare`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareFormat {
    /// A readable summary.
    Table,
    /// The whole report as one JSON object.
    Json,
}

/// `--period`: a period, or `None` for auto.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodChoice(pub Option<Period>);

pub fn compare(args: &CompareArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be in (0, 1] (got {})", args.threshold);
    }
    if args.k == 0 || args.n == 0 || args.top_sources == 0 || args.top_stories == 0 {
        bail!("-k, -n, --top-sources and --top-stories must be at least 1");
    }
    super::keyness::check_fdr(args.fdr, args.measure)?;
    // Checked here too, for a message that names the flag.
    args.by
        .parse::<GroupBy>()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--by {}", args.by))?;
    let keyness = KeynessParams {
        measure: args.measure,
        min_count: args.min_count as f64,
        ..Default::default()
    };
    keyness.validate()?;
    let report_params = ReportParams {
        stories: StoryParams {
            threshold: args.threshold,
            k: args.k,
            window_days: args.window_days.0,
            ..Default::default()
        },
        keyness,
        fdr: args.fdr,
        top_terms: args.n,
        period: args.period.0,
        top_sources: args.top_sources,
        top_stories: args.top_stories,
        ..Default::default()
    };

    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        space: &args.space,
        plain: args.plain,
    };
    let params = CompareParams {
        space: flags.document_space()?,
        by: args.by.clone(),
        report: report_params,
    };
    let report =
        compare::compare(corpus.docs, &corpus.report.set_aside, &params).context("fitting")?;

    let trace = parallax::trace::Trace::start();
    // The page first, so that a closed stdout pipe does not cost it.
    if let Some(path) = &args.html {
        let page = compare::html::render(&report);
        parallax::io::atomic::write_atomic(path, |w| w.write_all(page.as_bytes()))?;
        trace.mark("compare: page written");
    }
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            CompareFormat::Json => {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
                match args.pretty {
                    true => serde_json::to_writer_pretty(&mut w, &report),
                    false => serde_json::to_writer(&mut w, &report),
                }
                .map_err(std::io::Error::other)?;
                w.write_all(b"\n")?;
                w.flush()
            }
            CompareFormat::Table => compare::summary::write_summary(w, &report),
        }
    };
    match &args.out {
        Some(path) => parallax::io::atomic::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    trace.mark("compare: report written");
    if !quiet {
        eprintln!(
            "parallax compare: {} documents, {} {}s, {} stories ({} across sources); {:.2} s",
            report.documents,
            report.sources.len(),
            report.by,
            report.stories.len(),
            report.coverage.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
