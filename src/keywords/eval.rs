//! Keyphrase evaluation: precision, recall and F1 at k against gold keys.
//!
//! The protocol of the keyphrase-extraction literature: phrases are lowercased, cut into words
//! (runs of letters, digits and `_`), each word is stemmed with the Porter stemmer, and whole
//! phrases must match exactly. Every gold key counts, whether or not it occurs in the text;
//! duplicate predictions (after normalizing) are skipped, and precision divides by `k` even
//! when fewer phrases were predicted. Scores are averaged per document, in percent.
//!
//! ```
//! use std::collections::BTreeMap;
//! use parallax::keywords::eval::{evaluate, normalize};
//! assert_eq!(normalize("Russian Military Bases"), "russian militari base");
//! let gold = BTreeMap::from([("d".to_string(), vec!["military bases".to_string(), "Syria".to_string()])]);
//! let pred = BTreeMap::from([("d".to_string(), vec!["Military base".to_string(), "Moscow".to_string()])]);
//! let report = evaluate(&gold, &pred, &[2]);
//! assert_eq!(report.scores[0].precision, 50.0);
//! assert_eq!(report.scores[0].recall, 50.0);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::porter;
use crate::Error;

/// Gold keys per document id.
pub type Gold = BTreeMap<String, Vec<String>>;
/// Ranked predicted phrases per document id.
pub type Predictions = BTreeMap<String, Vec<String>>;

/// Scores at one cutoff, in percent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scores {
    /// The cutoff.
    pub k: usize,
    /// Mean precision@k.
    pub precision: f64,
    /// Mean recall@k.
    pub recall: f64,
    /// Mean F1@k (per document, then averaged).
    pub f1: f64,
}

/// Scores at every cutoff, and coverage of the predictions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvalReport {
    /// One entry per cutoff, in the order asked.
    pub scores: Vec<Scores>,
    /// Documents with gold keys (the denominator).
    pub documents: usize,
    /// Gold documents with no prediction (they score 0).
    pub without_prediction: usize,
    /// Predicted documents that have no gold keys (ignored).
    pub extra_predictions: usize,
}

/// A phrase as the protocol compares it: lowercase words, Porter-stemmed, joined by a space.
pub fn normalize(phrase: &str) -> String {
    let lower = phrase.to_lowercase();
    let mut out = String::new();
    for word in lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&porter::stem(word));
    }
    out
}

/// Evaluates predictions against gold keys at each cutoff in `ks`.
pub fn evaluate(gold: &Gold, predictions: &Predictions, ks: &[usize]) -> EvalReport {
    let gold_sets: Vec<(&String, BTreeSet<String>)> = gold
        .iter()
        .map(|(id, keys)| {
            (
                id,
                keys.iter()
                    .map(|k| normalize(k))
                    .filter(|k| !k.is_empty())
                    .collect(),
            )
        })
        .collect();
    let predicted: BTreeMap<&String, Vec<String>> = predictions
        .iter()
        .map(|(id, phrases)| {
            let mut seen = BTreeSet::new();
            let ranked = phrases
                .iter()
                .map(|p| normalize(p))
                .filter(|p| !p.is_empty() && seen.insert(p.clone()))
                .collect();
            (id, ranked)
        })
        .collect();
    let n = gold_sets.len().max(1) as f64;
    let scores = ks
        .iter()
        .map(|&k| {
            let (mut p_sum, mut r_sum, mut f_sum) = (0.0, 0.0, 0.0);
            for (id, keys) in &gold_sets {
                let top = predicted.get(id).map_or(&[][..], |v| &v[..v.len().min(k)]);
                let tp = top.iter().filter(|p| keys.contains(*p)).count() as f64;
                let p = tp / k as f64;
                let r = if keys.is_empty() {
                    0.0
                } else {
                    tp / keys.len() as f64
                };
                p_sum += p;
                r_sum += r;
                if tp > 0.0 {
                    f_sum += 2.0 * p * r / (p + r);
                }
            }
            Scores {
                k,
                precision: 100.0 * p_sum / n,
                recall: 100.0 * r_sum / n,
                f1: 100.0 * f_sum / n,
            }
        })
        .collect();
    EvalReport {
        scores,
        documents: gold.len(),
        without_prediction: gold
            .keys()
            .filter(|id| !predictions.contains_key(*id))
            .count(),
        extra_predictions: predictions
            .keys()
            .filter(|id| !gold.contains_key(*id))
            .count(),
    }
}

/// Reads predictions from JSON: `{"doc-id": [entry, ...]}` where an entry is a string or an
/// object whose `phrase`, `surface` or `term` field holds the phrase.
///
/// # Errors
///
/// A message naming the place if `value` is not an object, a document's value is not a list,
/// or an entry is neither a string nor an object with a non-empty `phrase`, `surface` or
/// `term` field.
pub fn predictions_from_json(value: &serde_json::Value) -> Result<Predictions, String> {
    let object = value
        .as_object()
        .ok_or("expected a JSON object mapping document ids to lists")?;
    let mut out = Predictions::new();
    for (id, list) in object {
        let list = list
            .as_array()
            .ok_or_else(|| format!("`{id}`: expected a list of phrases"))?;
        let mut phrases = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            // An object without a usable phrase is a file of another shape (another field
            // name): an error, not an empty prediction that scoring would drop without a word.
            let phrase = match entry {
                serde_json::Value::String(s) => Some(s.as_str()),
                serde_json::Value::Object(o) => ["phrase", "surface", "term"]
                    .iter()
                    .find_map(|f| o.get(*f).and_then(|v| v.as_str()).filter(|s| !s.is_empty())),
                _ => None,
            };
            let Some(phrase) = phrase else {
                return Err(format!(
                    "`{id}`[{i}]: expected a string or an object with a non-empty `phrase` (or `surface`, `term`) field"
                ));
            };
            phrases.push(phrase.to_string());
        }
        out.insert(id.clone(), phrases);
    }
    Ok(out)
}

/// Reads predictions from a JSON file, as [`predictions_from_json`] takes them.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] if it is not JSON or not
/// predictions.
pub fn read_predictions(path: &Path) -> crate::Result<Predictions> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::input_caused("not JSON", e))?;
    predictions_from_json(&value).map_err(Error::input)
}

/// Reads gold keys from a directory of `<doc-id>.key` files, one phrase a line (blank lines
/// skipped, bytes that are not UTF-8 replaced); other files are ignored. An empty map if the
/// directory holds no `.key` file.
///
/// # Errors
///
/// [`Error::Io`] naming the directory if it cannot be listed, or the file
/// that cannot be read.
pub fn read_gold(dir: &Path) -> crate::Result<Gold> {
    let mut gold = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let (Some(stem), Some("key")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|e| e.to_str()),
        ) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        let keys: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        gold.insert(stem.to_string(), keys);
    }
    Ok(gold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(id, v)| (id.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn precision_recall_f1_by_hand() {
        let gold = map(&[
            ("a", &["iss", "capsule Dragon", "NASA", "orbit"]),
            ("b", &["x"]),
        ]);
        let pred = map(&[
            (
                "a",
                &[
                    "l ISS",
                    "Capsule dragon",
                    "capsule dragons",
                    "NASA",
                    "SpaceX",
                ],
            ),
            ("c", &["y"]),
        ]);
        let r = evaluate(&gold, &pred, &[2, 5]);
        // a@2: "l iss" misses, "capsul dragon" hits → P 1/2, R 1/4, F1 1/3. b: nothing.
        assert_eq!(r.scores[0].precision, 25.0);
        assert_eq!(r.scores[0].recall, 12.5);
        assert!((r.scores[0].f1 - 100.0 / 6.0).abs() < 1e-9);
        // a@5: the plural duplicate is skipped; 4 distinct, 2 hits → P 2/5, R 2/4, F1 4/9.
        assert!((r.scores[1].precision - 20.0).abs() < 1e-9);
        assert!((r.scores[1].f1 - 100.0 * 4.0 / 9.0 / 2.0).abs() < 1e-9);
        assert_eq!(
            (r.documents, r.without_prediction, r.extra_predictions),
            (2, 1, 1)
        );
    }

    #[test]
    fn reads_both_prediction_shapes() {
        let v = serde_json::json!({"a": ["x", {"phrase": "y", "score": 1.0}], "b": []});
        let p = predictions_from_json(&v).unwrap();
        assert_eq!(p["a"], ["x", "y"]);
        assert!(predictions_from_json(&serde_json::json!([1])).is_err());
        assert!(predictions_from_json(&serde_json::json!({"a": [1]})).is_err());
        // An object without a phrase is refused, not read as an empty prediction.
        let e = predictions_from_json(&serde_json::json!({"a": [{"score": 1}]})).unwrap_err();
        assert!(e.contains("`a`[0]"), "{e}");
    }
}
