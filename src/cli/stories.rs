//! `parallax stories`: group documents that report the same event, across sources.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::output::report_reading;
use super::similar::SpaceFlags;
use super::{InputArgs, SpaceArgs};
use parallax::io::tables::{self, Format};
use parallax::similarity::{self, FindStories, StoryParams};

/// `parallax stories`.
#[derive(Args, Debug)]
pub struct StoriesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Join two groups only while the average cosine of their cross pairs is at least T
    /// (besides being closer than their documents' usual neighbours; see docs/similarity.md).
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Never put documents more than D days apart in one story (undated documents are free);
    /// `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = parse_window)]
    pub window_days: Window,
    /// Nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Plain TF-IDF cosine of the text alone, instead of the story cosine (title beside the
    /// text, sublinear tf; see docs/similarity.md).
    #[arg(long)]
    pub plain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the stories to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Work in the space of a saved model (from `fit`).
    #[arg(long, short, value_name = "M.json")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// `--window-days`: a number of days, or no window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window(pub Option<u32>);

pub(super) fn parse_window(s: &str) -> Result<Window, String> {
    match s {
        "none" | "off" => Ok(Window(None)),
        _ => s
            .parse()
            .map(|d| Window(Some(d)))
            .map_err(|_| format!("`{s}` is not a number of days or `none`")),
    }
}

pub fn stories(args: &StoriesArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be in (0, 1] (got {})", args.threshold);
    }
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let docs = &corpus.docs;
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        space: &args.space,
        plain: args.plain,
    };
    let params = FindStories {
        space: flags.document_space()?,
        stories: StoryParams {
            threshold: args.threshold,
            k: args.k,
            window_days: args.window_days.0,
            ..Default::default()
        },
    };
    let found = similarity::find_stories(docs, &params).context("fitting")?;
    let write = |w: &mut dyn Write| tables::write_stories(w, args.format, docs, &found);
    match &args.out {
        Some(path) => parallax::io::atomic::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    if !quiet {
        let multi = found.stories.iter().filter(|s| s.docs.len() > 1).count();
        let across = found.records.iter().filter(|r| r.sources.len() > 1).count();
        eprintln!(
            "parallax stories: {} documents → {} stories ({multi} with several documents, {across} across sources); {:.2} s",
            docs.len(),
            found.stories.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
