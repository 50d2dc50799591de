//! Saved models: one versioned JSON file holding everything `fit` learned.
//!
//! Terms are written in column order; nothing comes from hash-map order, so the same fit gives
//! the same bytes. Loading validates the version, the lengths and the term order.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::AnalysisConfig;
use crate::error::{Error, Result};
use crate::vectorize::{FittedVectorizer, VocabularyParams, Weighting};

/// Format tag written in every model.
pub const FORMAT: &str = "parallax-model";
/// Current model version.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u32,
    parallax: String,
    analysis: AnalysisConfig,
    weighting: Weighting,
    vocabulary: VocabularyParams,
    n_docs: u64,
    avg_doc_len: f64,
    /// `[term, surface, df]` in column order.
    terms: Vec<(String, String, u64)>,
}

/// Serializes a model to JSON bytes.
pub fn to_json(model: &FittedVectorizer) -> Vec<u8> {
    let file = ModelFile {
        format: FORMAT.into(),
        version: VERSION,
        parallax: env!("CARGO_PKG_VERSION").into(),
        analysis: model.analysis.clone(),
        weighting: model.weighting,
        vocabulary: model.vocabulary.clone(),
        n_docs: model.n_docs,
        avg_doc_len: model.avg_doc_len,
        terms: (0..model.n_terms())
            .map(|c| (model.terms[c].clone(), model.surfaces[c].clone(), model.df[c]))
            .collect(),
    };
    // Pretty at the top, one term per line: readable and diffable.
    let mut out = Vec::new();
    let mut head = serde_json::to_value(&file).expect("model serializes");
    let terms = head.as_object_mut().and_then(|o| o.remove("terms")).unwrap_or_default();
    let head = serde_json::to_string_pretty(&head).expect("model serializes");
    out.extend_from_slice(head.trim_end_matches('}').trim_end().as_bytes());
    out.extend_from_slice(b",\n  \"terms\": [");
    for (i, t) in terms.as_array().into_iter().flatten().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        out.extend_from_slice(serde_json::to_string(t).expect("term serializes").as_bytes());
    }
    out.extend_from_slice(b"\n  ]\n}\n");
    out
}

/// Reads and validates a model from JSON bytes; `path` names it in errors.
pub fn from_json(bytes: &[u8], path: &Path) -> Result<FittedVectorizer> {
    let bad = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(bad(format!("not a parallax model (missing \"format\": \"{FORMAT}\")")));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => {}
        other => return Err(bad(format!("unsupported version {other:?}; this parallax reads version {VERSION}"))),
    }
    let file: ModelFile = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    if file.n_docs == 0 {
        return Err(bad("n_docs is 0".into()));
    }
    if !file.avg_doc_len.is_finite() || file.avg_doc_len < 0.0 {
        return Err(bad(format!("avg_doc_len {} is not a length", file.avg_doc_len)));
    }
    if let Some((term, _, df)) = file.terms.iter().find(|t| t.2 > file.n_docs) {
        return Err(bad(format!("term `{term}` has df {df} > n_docs {}", file.n_docs)));
    }
    let (mut terms, mut surfaces, mut df) = (Vec::new(), Vec::new(), Vec::new());
    for (t, s, d) in file.terms {
        terms.push(t);
        surfaces.push(s);
        df.push(d);
    }
    FittedVectorizer::from_parts(
        file.analysis,
        file.weighting,
        file.vocabulary,
        file.n_docs,
        file.avg_doc_len,
        terms,
        surfaces,
        df,
    )
    .map_err(|e| bad(e.to_string()))
}

/// Loads a model file.
pub fn load(path: &Path) -> Result<FittedVectorizer> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_json(&bytes, path)
}

/// Saves a model atomically (temporary file, then rename).
pub fn save(model: &FittedVectorizer, path: &Path) -> Result<()> {
    write_atomic(path, |w| w.write_all(&to_json(model)))
}

/// Writes a file through a temporary sibling and renames it into place, so a failed or killed
/// run never leaves a half-written file where a complete one is expected.
///
/// A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming over it
/// would replace it with a regular file.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let result = (|| {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            let mut w = std::io::BufWriter::new(file);
            write(&mut w)?;
            w.into_inner().map_err(|e| e.into_error())?;
            Ok(())
        })();
        return result.map_err(|e| Error::io(path, e));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        // No fsync: the rename alone guarantees a killed run never leaves a partial file.
        w.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::vectorize::Vectorizer;

    fn model() -> FittedVectorizer {
        let docs = [Document::new("a", "Military bases remain."), Document::new("b", "Two bases, one base.")];
        Vectorizer::default().fit(&docs).unwrap()
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let json = to_json(&model());
        let back = from_json(&json, Path::new("m.json")).unwrap();
        assert_eq!(to_json(&back), json);
        assert_eq!(back.surface(back.column("base").unwrap()), "bases");
    }

    #[test]
    #[cfg(unix)]
    fn pipes_are_written_in_place() {
        let dir = std::env::temp_dir().join(format!("parallax-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipping: mkfifo unavailable");
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, |w| w.write_all(b"through the pipe")).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_models_are_refused() {
        let json = String::from_utf8(to_json(&model())).unwrap();
        let p = Path::new("m.json");
        let err = from_json(b"{\"format\": \"x\"}", p).unwrap_err();
        assert!(err.to_string().contains("not a parallax model"), "{err}");
        let err = from_json(json.replace("\"version\": 1", "\"version\": 9").as_bytes(), p).unwrap_err();
        assert!(err.to_string().contains("unsupported version"), "{err}");
        let err = from_json(&json.as_bytes()[..json.len() / 2], p).unwrap_err();
        assert!(err.to_string().starts_with("m.json: invalid model: not JSON"), "{err}");
        let swapped = json.replace("[\n    [\"base\"", "[\n    [\"zzz\"");
        let err = from_json(swapped.as_bytes(), p).unwrap_err();
        assert!(err.to_string().contains("sorted and unique"), "{err}");
    }
}
