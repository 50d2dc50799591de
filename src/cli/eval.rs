//! `parallax eval`: score results against gold data. One subcommand per kind of result.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::Value;

use parallax::corpus::{FieldNames, ReadOptions, read_inputs};
use parallax::similarity::eval::{
    ClusterAgreement, NeighbourAgreement, cluster_agreement, neighbour_agreement, pearson, spearman,
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

#[derive(Serialize)]
struct StoriesReport {
    kind: &'static str,
    #[serde(flatten)]
    agreement: ClusterAgreement,
    gold_without_prediction: usize,
    predicted_not_in_gold: usize,
    gold_without_event: usize,
}

#[derive(Serialize)]
struct NeighboursReport {
    kind: &'static str,
    #[serde(flatten)]
    agreement: NeighbourAgreement,
    gold_without_prediction: usize,
    gold_without_event: usize,
}

/// A parsed prediction file for `eval stories`.
enum StoryPred {
    /// Document id → story label.
    Clusters(Vec<(String, String)>),
    /// Document id → neighbour ids, best first.
    Neighbours(Vec<(String, Vec<String>)>),
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
    let events: Vec<Option<&str>> = gold
        .docs
        .iter()
        .map(|d| {
            d.meta
                .get(&args.event_field)
                .map(String::as_str)
                .filter(|e| !e.is_empty())
        })
        .collect();
    let without_event = events.iter().filter(|e| e.is_none()).count();
    let docs: Vec<(usize, &str)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (i, e)))
        .collect();
    if docs.is_empty() {
        bail!(
            "--gold {}: no document has an `{}` field",
            args.gold.display(),
            args.event_field
        );
    }
    let row_of: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(k, &(i, _))| (&gold.docs[i].id[..], k))
        .collect();
    let pred = read_story_pred(&args.pred)?;
    let warn = |n: usize, what: &str| {
        if n > 0 && !quiet {
            eprintln!("parallax eval: {n} {what}");
        }
    };
    warn(
        without_event,
        &format!("gold document(s) without `{}` (left out)", args.event_field),
    );
    match pred {
        StoryPred::Clusters(pairs) => {
            let mut label: Vec<Option<&str>> = vec![None; docs.len()];
            let mut unknown = 0;
            for (id, l) in &pairs {
                match row_of.get(id.as_str()) {
                    Some(&k) => label[k] = Some(l),
                    None => unknown += 1,
                }
            }
            let missing = label.iter().filter(|l| l.is_none()).count();
            warn(
                missing,
                "gold document(s) missing from the prediction (each counted as a story of its own)",
            );
            warn(
                unknown,
                "predicted document(s) not in the gold corpus (ignored)",
            );
            let pred: Vec<(u8, &str)> = label
                .iter()
                .zip(&docs)
                .map(|(l, &(i, _))| match l {
                    Some(l) => (0, *l),
                    None => (1, &gold.docs[i].id[..]),
                })
                .collect();
            let gold_events: Vec<&str> = docs.iter().map(|d| d.1).collect();
            let r = StoriesReport {
                kind: "stories",
                agreement: cluster_agreement(&gold_events, &pred),
                gold_without_prediction: missing,
                predicted_not_in_gold: unknown,
                gold_without_event: without_event,
            };
            report(out, args.format, &r)
        }
        StoryPred::Neighbours(lists) => {
            let mut by_row: Vec<Option<Vec<usize>>> = vec![None; docs.len()];
            for (id, list) in &lists {
                if let Some(&k) = row_of.get(id.as_str()) {
                    by_row[k] = Some(
                        list.iter()
                            .filter_map(|n| row_of.get(n.as_str()).copied())
                            .collect(),
                    );
                }
            }
            let missing = by_row.iter().filter(|l| l.is_none()).count();
            warn(
                missing,
                "gold document(s) have no neighbour list in the prediction (counted as misses)",
            );
            let lists: Vec<Vec<usize>> =
                by_row.into_iter().map(Option::unwrap_or_default).collect();
            let sources: Vec<Option<&str>> = docs
                .iter()
                .map(|&(i, _)| gold.docs[i].source.as_deref())
                .collect();
            let gold_events: Vec<&str> = docs.iter().map(|d| d.1).collect();
            let r = NeighboursReport {
                kind: "neighbours",
                agreement: neighbour_agreement(&gold_events, &sources, &lists),
                gold_without_prediction: missing,
                gold_without_event: without_event,
            };
            report(out, args.format, &r)
        }
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", path.display()))
}

fn read_story_pred(path: &Path) -> Result<StoryPred> {
    let value = read_json(path)?;
    let bad = |what: &str| anyhow::anyhow!("{}: {what}", path.display());
    let label = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let obj = value
        .as_object()
        .ok_or_else(|| bad("expected a JSON object"))?;
    if let Some(stories) = obj.get("stories") {
        let mut out = Vec::new();
        for (i, s) in stories
            .as_array()
            .ok_or_else(|| bad("\"stories\" is not a list"))?
            .iter()
            .enumerate()
        {
            let id = s.get("id").and_then(label).unwrap_or_else(|| i.to_string());
            let docs = s
                .get("docs")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&format!("story {id} has no \"docs\" list")))?;
            for d in docs {
                let d = d
                    .as_str()
                    .ok_or_else(|| bad(&format!("story {id}: document ids must be strings")))?;
                out.push((d.to_string(), id.clone()));
            }
        }
        return Ok(StoryPred::Clusters(out));
    }
    if obj.values().all(Value::is_array) {
        let mut out = Vec::new();
        for (id, list) in obj {
            let ids = list
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| match n {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(o) => o.get("id").and_then(Value::as_str).map(String::from),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| {
                    bad(&format!(
                        "neighbours of `{id}`: expected ids or objects with an \"id\""
                    ))
                })?;
            out.push((id.clone(), ids));
        }
        return Ok(StoryPred::Neighbours(out));
    }
    let pairs = obj
        .iter()
        .map(|(id, v)| label(v).map(|l| (id.clone(), l)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("expected {\"stories\": [...]}, {\"doc-id\": [neighbours]} or {\"doc-id\": \"story\"}"))?;
    Ok(StoryPred::Clusters(pairs))
}

/// Scores for `eval similarity`: a dense matrix, or pairs of ids.
enum Scores {
    Matrix {
        rows: usize,
        cols: usize,
        values: Vec<f64>,
    },
    Pairs(Vec<((String, String), f64)>),
}

#[derive(Serialize)]
struct SimilarityReport {
    pairs: usize,
    pearson: Option<f64>,
    spearman: Option<f64>,
    gold_pairs_without_prediction: usize,
}

fn similarity(args: &EvalSimilarityArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let gold =
        read_scores(&args.gold, true).with_context(|| format!("--gold {}", args.gold.display()))?;
    let pred = read_scores(&args.pred, false)
        .with_context(|| format!("--pred {}", args.pred.display()))?;
    let (g, p, missing) = match (&gold, &pred) {
        (
            Scores::Matrix {
                rows,
                cols,
                values: gv,
            },
            Scores::Matrix {
                rows: pr,
                cols: pc,
                values: pv,
            },
        ) => {
            if (rows, cols) != (pr, pc) {
                bail!("the gold matrix is {rows} × {cols} but the predicted one is {pr} × {pc}");
            }
            let cells: Vec<usize> = if rows == cols {
                // A square matrix of a set against itself: each pair once, no diagonal.
                (0..*rows)
                    .flat_map(|i| (i + 1..*cols).map(move |j| i * cols + j))
                    .collect()
            } else {
                (0..rows * cols).collect()
            };
            (
                cells.iter().map(|&c| gv[c]).collect::<Vec<_>>(),
                cells.iter().map(|&c| pv[c]).collect(),
                0,
            )
        }
        (Scores::Pairs(gp), Scores::Pairs(pp)) => {
            let mut pred: HashMap<&(String, String), f64> = HashMap::new();
            for (key, v) in pp {
                pred.entry(key).or_insert(*v);
            }
            let (mut g, mut p, mut missing) = (Vec::new(), Vec::new(), 0);
            for (key, v) in gp {
                match pred.get(key) {
                    Some(&x) => {
                        g.push(*v);
                        p.push(x);
                    }
                    None => missing += 1,
                }
            }
            (g, p, missing)
        }
        _ => bail!(
            "cannot match a matrix against id pairs: give both as matrices (rows in input order, as \
             `similar --matrix` writes them) or both as pairs"
        ),
    };
    if missing > 0 && !quiet {
        eprintln!(
            "parallax eval: {missing} gold pair(s) have no predicted score and are left out (raise -k, or use \
             `similar --matrix`)"
        );
    }
    if g.len() < 2 {
        bail!("only {} pair(s) to compare; need at least 2", g.len());
    }
    let r = SimilarityReport {
        pairs: g.len(),
        pearson: pearson(&g, &p),
        spearman: spearman(&g, &p),
        gold_pairs_without_prediction: missing,
    };
    report(out, args.format, &r)
}

/// The fields of a line: tab-separated if it has a tab, else comma-separated if it has a comma,
/// else whitespace-separated.
fn fields(line: &str) -> Vec<&str> {
    if line.contains('\t') {
        line.split('\t').collect()
    } else if line.contains(',') {
        line.split(',').collect()
    } else {
        line.split_whitespace().collect()
    }
}

fn unordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn read_scores(path: &Path, gold: bool) -> Result<Scores> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() == Some("npy") {
        let bytes = std::fs::read(path).context("reading")?;
        let m = parallax::io::npz::read_npy(&bytes).map_err(anyhow::Error::msg)?;
        let (rows, cols) = m.dim();
        return Ok(Scores::Matrix {
            rows,
            cols,
            values: m.iter().copied().collect(),
        });
    }
    if ext.as_deref() == Some("json") {
        // The JSON of `similar`: {"doc": [{"id": ..., "score": ...}, ...]}; a pair listed from
        // both sides keeps its first score.
        let value = read_json(path)?;
        let obj = value
            .as_object()
            .context("expected a JSON object of neighbour lists")?;
        let mut pairs = Vec::new();
        for (id, list) in obj {
            for n in list.as_array().into_iter().flatten() {
                let other = n.get("id").and_then(Value::as_str);
                let score = n.get("score").and_then(Value::as_f64);
                let (Some(other), Some(score)) = (other, score) else {
                    bail!("neighbours of `{id}`: expected objects with \"id\" and \"score\"");
                };
                pairs.push((unordered(id, other), score));
            }
        }
        return Ok(Scores::Pairs(pairs));
    }
    let text = std::fs::read_to_string(path).context("reading")?;
    let lines: Vec<(usize, Vec<&str>)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, fields(l)))
        .collect();
    // A matrix: every line numbers, all as many; square, or any width but 3 (which reads as
    // pairs with numeric ids).
    let numeric = |f: &[&str]| f.iter().all(|x| x.trim().parse::<f64>().is_ok());
    let (n, width) = (lines.len(), lines.first().map_or(0, |l| l.1.len()));
    if n > 0
        && (width == n || width != 3)
        && lines.iter().all(|(_, f)| f.len() == width && numeric(f))
    {
        let values = lines
            .iter()
            .flat_map(|(_, f)| f.iter().map(|x| x.trim().parse::<f64>().unwrap_or(0.0)))
            .collect();
        return Ok(Scores::Matrix {
            rows: n,
            cols: width,
            values,
        });
    }
    let mut pairs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (k, (line, f)) in lines.iter().enumerate() {
        let score = f.get(2).and_then(|x| x.trim().parse::<f64>().ok());
        match (f.len(), score) {
            (3, Some(s)) => {
                let key = unordered(f[0].trim(), f[1].trim());
                if gold && !seen.insert(key.clone()) {
                    bail!(
                        "line {line}: the pair ({}, {}) is rated twice",
                        key.0,
                        key.1
                    );
                }
                pairs.push((key, s));
            }
            (3, None) if k == 0 => {} // a header
            _ => bail!(
                "line {line}: expected `id_a, id_b, score` (tab- or comma-separated) or the rows of a square matrix"
            ),
        }
    }
    if pairs.is_empty() {
        bail!("no scores found");
    }
    Ok(Scores::Pairs(pairs))
}
