//! Gold data and predictions for [`eval`](super::eval): reading them (story predictions, score
//! matrices and rated pairs) and scoring one against the other.
//!
//! ```
//! use parallax::similarity::eval_data::{Scores, score_similarity};
//! let gold = Scores::Matrix { rows: 3, cols: 3, values: vec![1., 0.9, 0.1, 0.9, 1., 0.2, 0.1, 0.2, 1.] };
//! let pred = Scores::Matrix { rows: 3, cols: 3, values: vec![1., 0.8, 0.3, 0.8, 1., 0.4, 0.3, 0.4, 1.] };
//! let s = score_similarity(&gold, &pred).unwrap();
//! assert_eq!(s.pairs, 3);
//! assert_eq!(s.spearman, Some(1.0));
//! ```

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::eval::{
    ClusterAgreement, NeighbourAgreement, cluster_agreement, neighbour_agreement, pearson, spearman,
};
use crate::corpus::Document;
use crate::{Error, Result};

/// The gold documents that carry an event id, from a corpus read with the gold field names.
#[derive(Debug, Clone)]
pub struct GoldEvents<'a> {
    /// `(document index, event id)` of each document with a non-empty event field, in order.
    pub docs: Vec<(usize, &'a str)>,
    /// Documents without the event field (left out).
    pub without_event: usize,
}

/// Picks the documents whose `event_field` (in their metadata) is set and not empty.
///
/// # Errors
///
/// [`Error::Input`] when no document has the field.
pub fn gold_events<'a>(docs: &'a [Document], event_field: &str) -> Result<GoldEvents<'a>> {
    let events: Vec<Option<&str>> = docs
        .iter()
        .map(|d| {
            d.meta
                .get(event_field)
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
        return Err(Error::input(format!(
            "no document has an `{event_field}` field"
        )));
    }
    Ok(GoldEvents {
        docs,
        without_event,
    })
}

/// A parsed prediction file for story evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryPred {
    /// Document id → story label.
    Clusters(Vec<(String, String)>),
    /// Document id → neighbour ids, best first.
    Neighbours(Vec<(String, Vec<String>)>),
}

/// Story agreement, with what could not be matched.
#[derive(Debug, Clone, Serialize)]
pub struct StoriesReport {
    /// Always `"stories"`.
    pub kind: &'static str,
    /// The scores.
    #[serde(flatten)]
    pub agreement: ClusterAgreement,
    /// Gold documents missing from the prediction (each counted as a story of its own).
    pub gold_without_prediction: usize,
    /// Predicted documents not in the gold corpus (ignored).
    pub predicted_not_in_gold: usize,
    /// Gold documents without an event id (left out).
    pub gold_without_event: usize,
}

/// Neighbour agreement, with what could not be matched.
#[derive(Debug, Clone, Serialize)]
pub struct NeighboursReport {
    /// Always `"neighbours"`.
    pub kind: &'static str,
    /// The scores.
    #[serde(flatten)]
    pub agreement: NeighbourAgreement,
    /// Gold documents without a neighbour list in the prediction (counted as misses).
    pub gold_without_prediction: usize,
    /// Gold documents without an event id (left out).
    pub gold_without_event: usize,
}

/// The result of [`score_stories`]: which one depends on the kind of prediction.
#[derive(Debug, Clone)]
pub enum StoriesEval {
    /// The prediction was a clustering.
    Stories(StoriesReport),
    /// The prediction was neighbour lists.
    Neighbours(NeighboursReport),
}

/// Scores a story prediction against the gold events of `docs` (the corpus `gold` was taken
/// from).
pub fn score_stories(docs: &[Document], gold: &GoldEvents<'_>, pred: &StoryPred) -> StoriesEval {
    let row_of: HashMap<&str, usize> = gold
        .docs
        .iter()
        .enumerate()
        .map(|(k, &(i, _))| (&docs[i].id[..], k))
        .collect();
    let gold_events: Vec<&str> = gold.docs.iter().map(|d| d.1).collect();
    match pred {
        StoryPred::Clusters(pairs) => {
            let mut label: Vec<Option<&str>> = vec![None; gold.docs.len()];
            let mut unknown = 0;
            for (id, l) in pairs {
                match row_of.get(id.as_str()) {
                    Some(&k) => label[k] = Some(l),
                    None => unknown += 1,
                }
            }
            let missing = label.iter().filter(|l| l.is_none()).count();
            // A gold document without a prediction is a story of its own: its id is its label,
            // tagged so it cannot collide with a predicted label.
            let pred: Vec<(u8, &str)> = label
                .iter()
                .zip(&gold.docs)
                .map(|(l, &(i, _))| match l {
                    Some(l) => (0, *l),
                    None => (1, &docs[i].id[..]),
                })
                .collect();
            StoriesEval::Stories(StoriesReport {
                kind: "stories",
                agreement: cluster_agreement(&gold_events, &pred),
                gold_without_prediction: missing,
                predicted_not_in_gold: unknown,
                gold_without_event: gold.without_event,
            })
        }
        StoryPred::Neighbours(lists) => {
            let mut by_row: Vec<Option<Vec<usize>>> = vec![None; gold.docs.len()];
            for (id, list) in lists {
                if let Some(&k) = row_of.get(id.as_str()) {
                    by_row[k] = Some(
                        list.iter()
                            .filter_map(|n| row_of.get(n.as_str()).copied())
                            .collect(),
                    );
                }
            }
            let missing = by_row.iter().filter(|l| l.is_none()).count();
            let lists: Vec<Vec<usize>> =
                by_row.into_iter().map(Option::unwrap_or_default).collect();
            let sources: Vec<Option<&str>> = gold
                .docs
                .iter()
                .map(|&(i, _)| docs[i].source.as_deref())
                .collect();
            StoriesEval::Neighbours(NeighboursReport {
                kind: "neighbours",
                agreement: neighbour_agreement(&gold_events, &sources, &lists),
                gold_without_prediction: missing,
                gold_without_event: gold.without_event,
            })
        }
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::input_caused(format!("reading {}", path.display()), e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::input_caused(format!("{}: not JSON", path.display()), e))
}

/// Reads a story prediction: the JSON of `parallax stories` (`{"stories": [{"id", "docs"}]}`),
/// of `parallax similar` (`{"doc-id": [neighbours]}`), or `{"doc-id": "story"}`.
///
/// # Errors
///
/// [`Error::Input`] when the file cannot be read, is not JSON, or has none of these shapes.
pub fn read_story_pred(path: &Path) -> Result<StoryPred> {
    let value = read_json(path)?;
    let bad = |what: &str| Error::input(format!("{}: {what}", path.display()));
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

/// Similarity scores: a dense matrix, or pairs of ids.
#[derive(Debug, Clone, PartialEq)]
pub enum Scores {
    /// A row-major matrix.
    Matrix {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
        /// `rows × cols` values, row by row.
        values: Vec<f64>,
    },
    /// Scores of unordered id pairs (each pair with the smaller id first).
    Pairs(Vec<((String, String), f64)>),
}

/// Correlation of predicted scores with gold ratings.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarityReport {
    /// Pairs compared.
    pub pairs: usize,
    /// Pearson correlation (none if undefined).
    pub pearson: Option<f64>,
    /// Spearman rank correlation (none if undefined).
    pub spearman: Option<f64>,
    /// Gold pairs without a predicted score (left out).
    pub gold_pairs_without_prediction: usize,
}

/// Scores `pred` against `gold`: both matrices of one shape (a square one gives each pair once,
/// without the diagonal), or both pairs (gold pairs without a prediction are left out). Fewer
/// than 2 pairs give no correlation; callers decide whether that is an error.
///
/// # Errors
///
/// [`Error::Input`] when the shapes differ or a matrix meets pairs.
pub fn score_similarity(gold: &Scores, pred: &Scores) -> Result<SimilarityReport> {
    let (g, p, missing) = match (gold, pred) {
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
                return Err(Error::input(format!(
                    "the gold matrix is {rows} × {cols} but the predicted one is {pr} × {pc}"
                )));
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
        _ => {
            return Err(Error::input(
                "cannot match a matrix against id pairs: give both as matrices (rows in input order, as \
                 `similar --matrix` writes them) or both as pairs",
            ));
        }
    };
    Ok(SimilarityReport {
        pairs: g.len(),
        pearson: pearson(&g, &p),
        spearman: spearman(&g, &p),
        gold_pairs_without_prediction: missing,
    })
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

/// Reads scores: `.npy` (a matrix), `.json` (the JSON of `similar`: its pairs, a pair listed
/// from both sides keeping its first score), or text: a numeric matrix (whitespace-, tab- or
/// comma-separated) or `id_a, id_b, score` lines (an optional header). With `gold`, a pair rated
/// twice is an error. Messages do not name `path` except for JSON; callers add it.
///
/// # Errors
///
/// [`Error::Input`] when the file cannot be read or parsed, or holds no scores.
pub fn read_scores(path: &Path, gold: bool) -> Result<Scores> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() == Some("npy") {
        let bytes = std::fs::read(path).map_err(|e| Error::input_caused("reading", e))?;
        let m = crate::io::npz::read_npy(&bytes).map_err(Error::input)?;
        let (rows, cols) = m.dim();
        return Ok(Scores::Matrix {
            rows,
            cols,
            values: m.iter().copied().collect(),
        });
    }
    if ext.as_deref() == Some("json") {
        let value = read_json(path)?;
        let obj = value
            .as_object()
            .ok_or_else(|| Error::input("expected a JSON object of neighbour lists"))?;
        let mut pairs = Vec::new();
        for (id, list) in obj {
            for n in list.as_array().into_iter().flatten() {
                let other = n.get("id").and_then(Value::as_str);
                let score = n.get("score").and_then(Value::as_f64);
                let (Some(other), Some(score)) = (other, score) else {
                    return Err(Error::input(format!(
                        "neighbours of `{id}`: expected objects with \"id\" and \"score\""
                    )));
                };
                pairs.push((unordered(id, other), score));
            }
        }
        return Ok(Scores::Pairs(pairs));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::input_caused("reading", e))?;
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
    let mut seen = HashSet::new();
    for (k, (line, f)) in lines.iter().enumerate() {
        let score = f.get(2).and_then(|x| x.trim().parse::<f64>().ok());
        match (f.len(), score) {
            (3, Some(s)) => {
                let key = unordered(f[0].trim(), f[1].trim());
                if gold && !seen.insert(key.clone()) {
                    return Err(Error::input(format!(
                        "line {line}: the pair ({}, {}) is rated twice",
                        key.0, key.1
                    )));
                }
                pairs.push((key, s));
            }
            (3, None) if k == 0 => {} // a header
            _ => {
                return Err(Error::input(format!(
                    "line {line}: expected `id_a, id_b, score` (tab- or comma-separated) or the rows of a square matrix"
                )));
            }
        }
    }
    if pairs.is_empty() {
        return Err(Error::input("no scores found"));
    }
    Ok(Scores::Pairs(pairs))
}
