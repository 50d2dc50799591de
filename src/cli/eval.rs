//! `parallax eval`: score results against gold data. One subcommand per kind of result.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::Value;

use parallax::corpus::{FieldNames, ReadOptions, read_inputs};
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

/// Output format of `eval` (a table or one JSON object).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalFormat {
    /// Aligned lines for people.
    Table,
    /// One JSON object.
    Json,
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
    pub format: EvalFormat,
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
    pub format: EvalFormat,
}

pub fn eval(args: &EvalArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    match &args.command {
        EvalCommand::Stories(a) => stories(a, quiet, out),
        EvalCommand::Similarity(a) => similarity(a, quiet, out),
        EvalCommand::Keywords(a) => crate::cli::keywords::eval_keywords(a, out),
    }
}

/// Prints a flat JSON object as a table, or as JSON, keeping the fields in declaration order.
fn report(out: &mut dyn Write, format: EvalFormat, value: &impl Serialize) -> Result<()> {
    // Serialized text keeps the struct's field order; a `Value` map would sort the keys.
    let text = serde_json::to_string(value)?;
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(&text);
    serde::Deserializer::deserialize_map(&mut de, OrderedFields(&mut fields))?;
    match format {
        EvalFormat::Json => {
            writeln!(out, "{{")?;
            for (i, (k, v)) in fields.iter().enumerate() {
                let comma = if i + 1 < fields.len() { "," } else { "" };
                writeln!(out, "  {}: {v}{comma}", serde_json::to_string(k)?)?;
            }
            writeln!(out, "}}")?;
        }
        EvalFormat::Table => {
            for (k, v) in &fields {
                let v = match v {
                    Value::Number(n) if n.is_f64() => {
                        format!("{:.4}", n.as_f64().unwrap_or(f64::NAN))
                    }
                    Value::Null => "-".into(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                writeln!(out, "{:<30} {v}", k.replace('_', " "))?;
            }
        }
    }
    Ok(())
}

/// Collects a JSON object's fields in document order.
struct OrderedFields<'a>(&'a mut Vec<(String, Value)>);

impl<'de> serde::de::Visitor<'de> for OrderedFields<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            self.0.push((k, v));
        }
        Ok(())
    }
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
