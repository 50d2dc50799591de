//! `parallax eval`: score results against gold data. One subcommand per kind of result.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

use parallax::corpus::{FieldNames, ReadOptions, read_inputs};
use parallax::io::tables::{self, Format};
use parallax::similarity::eval_data::{
    StoriesEval, gold_events, read_scores, read_story_pred, score_similarity, score_stories,
};

/// `parallax eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Stories (from `stories`) or neighbour lists (from `similar`) against gold event ids:
    /// ARI and pairwise precision/recall/F1, or same-event nearest neighbours across sources.
    Stories(EvalStoriesArgs),
    /// Similarity scores against human ratings: Pearson and Spearman correlation.
    Similarity(EvalSimilarityArgs),
    /// Predicted keyphrases against gold keys: P/R/F1@k with stemmed exact match.
    Keywords(crate::cli::keywords::EvalKeywordsArgs),
}

/// `parallax eval stories`.
#[derive(Args, Debug)]
pub struct EvalStoriesArgs {
    /// Gold corpus (JSONL, CSV, a directory...) whose records carry an event id.
    #[arg(long, value_name = "CORPUS")]
    pub gold: PathBuf,
    /// Predictions: the JSON of `parallax stories`, of `parallax similar`, or {"doc-id": "story"}.
    #[arg(long, value_name = "FILE")]
    pub pred: PathBuf,
    /// Gold field holding the event id.
    #[arg(long, default_value = "event")]
    pub event_field: String,
    /// Gold field holding the document id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// Gold field holding the source.
    #[arg(long, default_value = "source")]
    pub source_field: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// `parallax eval similarity`.
#[derive(Args, Debug)]
pub struct EvalSimilarityArgs {
    /// Human ratings: a square matrix (whitespace-, tab- or comma-separated text, or .npy; its
    /// upper triangle is used) or pairs (`id_a<TAB>id_b<TAB>score` lines, or commas).
    #[arg(long, value_name = "FILE")]
    pub gold: PathBuf,
    /// Scores to test: a matrix from `similar --matrix` (same shape as a gold matrix), the JSON
    /// of `similar` (its pairs), or pairs like the gold.
    #[arg(long, value_name = "FILE")]
    pub pred: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn eval(args: &EvalArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    match &args.command {
        EvalCommand::Stories(a) => stories(a, quiet, out),
        EvalCommand::Similarity(a) => similarity(a, quiet, out),
        EvalCommand::Keywords(a) => crate::cli::keywords::eval_keywords(a, out),
    }
}

fn report(out: &mut dyn Write, format: Format, value: &impl Serialize) -> Result<()> {
    Ok(tables::write_fields(out, format, value)?)
}

fn stories(args: &EvalStoriesArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let options = ReadOptions {
        fields: FieldNames {
            id: args.id_field.clone(),
            source: args.source_field.clone(),
            ..FieldNames::default()
        },
        ..ReadOptions::default()
    };
    let gold = read_inputs(std::slice::from_ref(&args.gold), &options).context("reading --gold")?;
    let events = gold_events(&gold.docs, &args.event_field)
        .with_context(|| format!("--gold {}", args.gold.display()))?;
    let pred = read_story_pred(&args.pred)?;
    let warn = |n: usize, what: &str| {
        if n > 0 && !quiet {
            eprintln!("parallax eval: {n} {what}");
        }
    };
    warn(
        events.without_event,
        &format!("gold document(s) without `{}` (left out)", args.event_field),
    );
    match score_stories(&gold.docs, &events, &pred) {
        StoriesEval::Stories(r) => {
            warn(
                r.gold_without_prediction,
                "gold document(s) missing from the prediction (each counted as a story of its own)",
            );
            warn(
                r.predicted_not_in_gold,
                "predicted document(s) not in the gold corpus (ignored)",
            );
            report(out, args.format, &r)
        }
        StoriesEval::Neighbours(r) => {
            warn(
                r.gold_without_prediction,
                "gold document(s) have no neighbour list in the prediction (counted as misses)",
            );
            report(out, args.format, &r)
        }
    }
}

fn similarity(args: &EvalSimilarityArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let gold =
        read_scores(&args.gold, true).with_context(|| format!("--gold {}", args.gold.display()))?;
    let pred = read_scores(&args.pred, false)
        .with_context(|| format!("--pred {}", args.pred.display()))?;
    let r = score_similarity(&gold, &pred)?;
    let missing = r.gold_pairs_without_prediction;
    if missing > 0 && !quiet {
        eprintln!(
            "parallax eval: {missing} gold pair(s) have no predicted score and are left out (raise -k, or use \
             `similar --matrix`)"
        );
    }
    if r.pairs < 2 {
        bail!("only {} pair(s) to compare; need at least 2", r.pairs);
    }
    report(out, args.format, &r)
}
