//! Saved models: one versioned JSON file holding everything `fit` learned.
//!
//! Terms are written in column order; nothing comes from hash-map order, so the same fit gives
//! the same bytes. A model also holds the full statistics it was fitted from (all terms before
//! pruning), so shards merge and nightly updates equal a refit. Loading validates the version,
//! the term order and that the columns follow from the statistics.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use crate::analysis::AnalysisConfig;
use crate::error::{Error, Result};
use crate::vectorize::{
    FittedVectorizer, MergedStatistics, Statistics, TermStats, Vectorizer, VocabularyParams,
    Weighting,
};

/// Format tag written in every model.
pub const FORMAT: &str = "parallax-model";
/// Current model version.
pub const VERSION: u32 = 1;

/// Format tag of shard files (partial statistics from `fit --shard`).
pub const SHARD_FORMAT: &str = "parallax-shard";

/// One term's statistics on disk: `[term, df, cf, [[surface, count], ...]]`.
type TermRow = (String, u64, u64, Vec<(String, u64)>);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatisticsFile {
    n_docs: u64,
    total_len: u64,
    terms: Vec<TermRow>,
}

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
    /// Everything counted, before pruning: what `merge` and `fit --update` add to.
    statistics: StatisticsFile,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFile {
    format: String,
    version: u32,
    parallax: String,
    analysis: AnalysisConfig,
    statistics: StatisticsFile,
}

fn statistics_of(file: StatisticsFile) -> Statistics {
    Statistics {
        n_docs: file.n_docs,
        total_len: file.total_len,
        terms: file
            .terms
            .into_iter()
            .map(|(term, df, cf, surfaces)| TermStats {
                term,
                df,
                cf,
                surfaces,
            })
            .collect(),
    }
}

/// Pretty JSON with the long arrays (`terms`, `statistics.terms`) one element per line:
/// readable, diffable, and the same bytes for the same content (keys are sorted).
fn write_json(value: &serde_json::Value) -> Vec<u8> {
    fn write(value: &serde_json::Value, indent: usize, out: &mut Vec<u8>) {
        let pad = "  ".repeat(indent);
        match value {
            serde_json::Value::Object(map) => {
                out.extend_from_slice(b"{");
                for (i, (key, v)) in map.iter().enumerate() {
                    out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    out.extend_from_slice(
                        format!("{pad}  {}: ", serde_json::Value::from(key.as_str())).as_bytes(),
                    );
                    if key == "terms" {
                        let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
                        out.extend_from_slice(b"[");
                        for (j, item) in items.iter().enumerate() {
                            out.extend_from_slice(if j == 0 { b"\n" } else { b",\n" });
                            out.extend_from_slice(format!("{pad}    {item}").as_bytes());
                        }
                        out.extend_from_slice(format!("\n{pad}  ]").as_bytes());
                    } else {
                        write(v, indent + 1, out);
                    }
                }
                out.extend_from_slice(format!("\n{pad}}}").as_bytes());
            }
            other => {
                let text = serde_json::to_string_pretty(other).expect("JSON values serialize");
                out.extend_from_slice(text.replace('\n', &format!("\n{pad}")).as_bytes());
            }
        }
    }
    let mut out = Vec::new();
    write(value, 0, &mut out);
    out.push(b'\n');
    out
}

/// Appends the compact JSON of the i-th row of a long array.
type RowItem<'a> = dyn Fn(usize, &mut Vec<u8>) + Sync + 'a;

/// Writes the rows of a long array as they come (see [`Field::Stream`]).
type RowStream<'a> = dyn FnOnce(&mut RowSink<'_>) -> std::io::Result<()> + 'a;

/// A field of a JSON object written by [`write_object`].
enum Field<'a> {
    /// A small value, laid out by [`write_json`].
    Value(serde_json::Value),
    /// An object, its fields in key order.
    Object(Vec<(&'static str, Field<'a>)>),
    /// A long array of this many rows, one compact row per line, written straight from the
    /// model (no copy).
    Rows(usize, Box<RowItem<'a>>),
    /// A long array whose rows are given to the sink as they are made (a streamed fit).
    Stream(Box<RowStream<'a>>),
}

/// Appends `row` as compact JSON. The rows of models and shards are strings, numbers and
/// arrays of them, which always serialize.
fn push_json(out: &mut Vec<u8>, row: &impl serde::Serialize) {
    serde_json::to_writer(out, row).expect("rows of strings and numbers serialize");
}

/// Where the rows of a long array go: one per line, indented, separated by commas.
struct RowSink<'o> {
    out: &'o mut (dyn std::io::Write + Send),
    indent: String,
    written: usize,
}

impl RowSink<'_> {
    /// Writes `n` more rows, the i-th made by `row(i, ...)`: blocks of rows are formatted in
    /// parallel and written in order.
    fn rows(&mut self, n: usize, row: &RowItem<'_>) -> std::io::Result<()> {
        let (base, indent) = (self.written, &self.indent);
        let blocks = crate::io::ordered::row_blocks(n, 4096);
        crate::io::ordered::write_in_order(self.out, &blocks, |rows| {
            let mut text = Vec::new();
            for i in rows {
                text.extend_from_slice(if base + i == 0 { b"\n" } else { b",\n" });
                text.extend_from_slice(indent.as_bytes());
                row(i, &mut text);
            }
            text
        })?;
        self.written += n;
        Ok(())
    }
}

/// Writes an object with the layout of [`write_json`] (fields given in key order), streaming
/// its long arrays: a model with millions of terms is never held as a JSON tree or text.
fn write_object(
    fields: Vec<(&'static str, Field<'_>)>,
    indent: usize,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<()> {
    let pad = "  ".repeat(indent);
    out.write_all(b"{")?;
    for (i, (key, field)) in fields.into_iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write!(out, "{pad}  {}: ", serde_json::Value::from(key))?;
        match field {
            Field::Value(v) => {
                let mut text = write_json(&v);
                text.pop(); // the final newline
                let text = String::from_utf8(text).expect("JSON is UTF-8");
                out.write_all(text.replace('\n', &format!("\n{pad}  ")).as_bytes())?;
            }
            Field::Object(inner) => write_object(inner, indent + 1, out)?,
            Field::Rows(..) | Field::Stream(_) => {
                out.write_all(b"[")?;
                let mut sink = RowSink {
                    out: &mut *out,
                    indent: format!("{pad}    "),
                    written: 0,
                };
                match field {
                    Field::Rows(len, row) => sink.rows(len, &*row)?,
                    Field::Stream(stream) => stream(&mut sink)?,
                    _ => unreachable!("matched above"),
                }
                write!(out, "\n{pad}  ]")?;
            }
        }
    }
    write!(out, "\n{pad}}}")
}

/// The `statistics` object of a model or shard file.
fn statistics_fields(stats: &Statistics) -> Field<'_> {
    Field::Object(vec![
        ("n_docs", Field::Value(stats.n_docs.into())),
        (
            "terms",
            Field::Rows(
                stats.terms.len(),
                Box::new(|i, out| {
                    let t = &stats.terms[i];
                    push_json(out, &(&t.term, t.df, t.cf, &t.surfaces))
                }),
            ),
        ),
        ("total_len", Field::Value(stats.total_len.into())),
    ])
}

fn json_value(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("settings serialize")
}

/// Writes a model as JSON (what [`to_json`] returns), streaming its term lists.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_model(
    model: &FittedVectorizer,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<()> {
    let fields = [
        ("analysis", Field::Value(json_value(&model.analysis))),
        ("avg_doc_len", Field::Value(json_value(model.avg_doc_len))),
        ("format", Field::Value(FORMAT.into())),
        ("n_docs", Field::Value(model.n_docs.into())),
        ("parallax", Field::Value(env!("CARGO_PKG_VERSION").into())),
        ("statistics", statistics_fields(model.statistics())),
        (
            "terms",
            Field::Rows(
                model.n_terms(),
                Box::new(|c, out| {
                    push_json(out, &(&model.terms[c], &model.surfaces[c], model.df[c]))
                }),
            ),
        ),
        ("version", Field::Value(VERSION.into())),
        ("vocabulary", Field::Value(json_value(&model.vocabulary))),
        ("weighting", Field::Value(json_value(model.weighting))),
    ];
    write_object(fields.into(), 0, out)?;
    out.write_all(b"\n")
}

/// Serializes a model to JSON bytes.
pub fn to_json(model: &FittedVectorizer) -> Vec<u8> {
    let mut out = Vec::new();
    write_model(model, &mut out).expect("writing to memory");
    out
}

/// Writes shard statistics (from `fit --shard`) as JSON, streaming the term list.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_shard(
    analysis: &AnalysisConfig,
    stats: &Statistics,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<()> {
    let fields = [
        ("analysis", Field::Value(json_value(analysis))),
        ("format", Field::Value(SHARD_FORMAT.into())),
        ("parallax", Field::Value(env!("CARGO_PKG_VERSION").into())),
        ("statistics", statistics_fields(stats)),
        ("version", Field::Value(VERSION.into())),
    ];
    write_object(fields.into(), 0, out)?;
    out.write_all(b"\n")
}

/// Columns read back from the scratch file and written per batch.
const SCRATCH_BATCH: usize = 1 << 16;

/// A library error carried through an `io::Result` (a streamed writer's callback); unwrapped
/// again by [`write_atomic`].
fn carry(error: Error) -> std::io::Error {
    std::io::Error::other(error)
}

/// Gives the merged terms batch by batch to `each`, in order: a thread of its own merges the
/// next batch meanwhile.
fn merged_batches(
    merged: &mut MergedStatistics,
    mut each: impl FnMut(&[TermStats]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Vec<TermStats>>>(1);
        scope.spawn(move || {
            loop {
                let batch = merged.next_batch().map(|b| b.terms);
                let done = batch.as_ref().map_or(true, Vec::is_empty);
                if send.send(batch).is_err() || done {
                    break;
                }
            }
        });
        for batch in receive {
            let batch = batch.map_err(carry)?;
            if batch.is_empty() {
                break;
            }
            each(&batch)?;
            // Freed on another thread while the next batch is formatted.
            rayon::spawn(move || drop(batch));
        }
        Ok(())
    })
}

fn statistics_row(t: &TermStats, out: &mut Vec<u8>) {
    push_json(out, &(&t.term, t.df, t.cf, &t.surfaces))
}

fn column_row(term: &str, surface: &str, df: u64, out: &mut Vec<u8>) {
    push_json(out, &(term, surface, df))
}

/// The `statistics` object of merged statistics, its terms streamed; `each` sees every batch.
fn merged_statistics_fields<'a>(
    merged: &'a mut MergedStatistics,
    mut each: impl FnMut(&[TermStats]) -> std::io::Result<()> + 'a,
) -> Field<'a> {
    let (n_docs, total_len) = (merged.n_docs(), merged.total_len());
    Field::Object(vec![
        ("n_docs", Field::Value(n_docs.into())),
        (
            "terms",
            Field::Stream(Box::new(move |sink| {
                merged_batches(merged, |batch| {
                    sink.rows(batch.len(), &|i, out| statistics_row(&batch[i], out))?;
                    each(batch)
                })
            })),
        ),
        ("total_len", Field::Value(total_len.into())),
    ])
}

/// Writes the statistics a streamed `fit --shard` merged, term by term as they are merged:
/// the bytes of [`write_shard`] of the same statistics. Returns the number of terms.
///
/// # Errors
///
/// Any error of writing to `out`; an [`Error::Io`] of reading a run file comes carried in the
/// `io::Error` (as [`write_atomic`] unwraps it).
pub fn write_shard_merged(
    analysis: &AnalysisConfig,
    merged: &mut MergedStatistics,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<usize> {
    let terms = std::cell::Cell::new(0);
    let count = |batch: &[TermStats]| {
        terms.set(terms.get() + batch.len());
        Ok(())
    };
    let fields = vec![
        ("analysis", Field::Value(json_value(analysis))),
        ("format", Field::Value(SHARD_FORMAT.into())),
        ("parallax", Field::Value(env!("CARGO_PKG_VERSION").into())),
        ("statistics", merged_statistics_fields(merged, count)),
        ("version", Field::Value(VERSION.into())),
    ];
    write_object(fields, 0, out)?;
    out.write_all(b"\n")?;
    Ok(terms.get())
}

/// Writes the model a fit learns from merged statistics, streaming: the statistics are written
/// term by term as they are merged, and the columns meanwhile go to a scratch file among the
/// runs (or, with a fixed vocabulary or `--max-features`, are held back: at most that many).
/// Neither list is ever whole in memory. The bytes are those of [`write_model`] of the model
/// [`Vectorizer::fit_statistics`] learns from the same statistics. Returns the number of
/// columns. Library errors come back carried in the `io::Error` (see [`write_atomic`]).
///
/// # Errors
///
/// Any error of writing to `out`; carried in it, [`Error::Param`] for a setting
/// [`Vectorizer::validate`] rejects, [`Error::EmptyVocabulary`] for no documents or no term kept,
/// and [`Error::Io`] for a run or scratch file that cannot be read or written.
pub fn write_model_merged(
    settings: &Vectorizer,
    merged: &mut MergedStatistics,
    out: &mut (dyn std::io::Write + Send),
) -> std::io::Result<usize> {
    let picker = RefCell::new(Some(settings.merged_picker(merged).map_err(carry)?));
    let n_docs = merged.n_docs();
    let (scratch_path, scratch) = merged.scratch_file().map_err(carry)?;
    let scratch_error = |e| carry(Error::io(&scratch_path, e));
    // The scratch file and the columns in it.
    let scratch = RefCell::new((Some(scratch), 0usize));
    let avg_doc_len = merged.total_len() as f64 / n_docs as f64;
    let statistics = merged_statistics_fields(merged, |batch| {
        let mut picker = picker.borrow_mut();
        let picker = picker
            .as_mut()
            .expect("columns are chosen before they are written");
        if picker.holds_back() {
            batch.iter().for_each(|t| picker.offer(t));
            return Ok(());
        }
        // Every term within the df bounds is a column: formatted in parallel, one per line.
        let keeps = |t: &&TermStats| picker.keeps(t.df);
        let blocks: Vec<(Vec<u8>, usize)> = batch
            .par_chunks(4096)
            .map(|block| {
                let (mut text, mut kept) = (Vec::new(), 0);
                for t in block.iter().filter(keeps) {
                    column_row(
                        &t.term,
                        t.best_surface().unwrap_or(&t.term),
                        t.df,
                        &mut text,
                    );
                    text.push(b'\n');
                    kept += 1;
                }
                (text, kept)
            })
            .collect();
        let mut scratch = scratch.borrow_mut();
        let mut kept_here = 0;
        for (text, kept) in blocks {
            let writer = scratch
                .0
                .as_mut()
                .expect("open while statistics are written");
            writer.write_all(&text).map_err(scratch_error)?;
            kept_here += kept;
        }
        scratch.1 += kept_here;
        picker.count(batch.len(), kept_here);
        Ok(())
    });
    let columns = std::cell::Cell::new(0);
    let terms = Field::Stream(Box::new(|sink| {
        let picker = picker
            .borrow_mut()
            .take()
            .expect("columns are written once");
        let holds_back = picker.holds_back();
        let held = picker.finish().map_err(carry)?;
        if holds_back {
            columns.set(held.len());
            return sink.rows(held.len(), &|i, out| {
                column_row(&held[i].term, &held[i].surface, held[i].df, out)
            });
        }
        let (writer, n) = std::mem::take(&mut *scratch.borrow_mut());
        let writer = writer.expect("the scratch file is read once");
        // Flushed and closed, then read back.
        writer
            .into_inner()
            .map_err(|e| scratch_error(e.into_error()))?;
        let file = std::fs::File::open(&scratch_path).map_err(scratch_error)?;
        let mut lines = std::io::BufReader::with_capacity(1 << 20, file);
        let mut left = n;
        while left > 0 {
            let mut rows: Vec<Vec<u8>> = Vec::with_capacity(SCRATCH_BATCH.min(left));
            while rows.len() < SCRATCH_BATCH.min(left) {
                let mut row = Vec::new();
                std::io::BufRead::read_until(&mut lines, b'\n', &mut row).map_err(scratch_error)?;
                if row.pop() != Some(b'\n') {
                    let cut = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "cut short");
                    return Err(scratch_error(cut));
                }
                rows.push(row);
            }
            sink.rows(rows.len(), &|i, out| out.extend_from_slice(&rows[i]))?;
            left -= rows.len();
        }
        columns.set(n);
        Ok(())
    }));
    let fields = vec![
        ("analysis", Field::Value(json_value(&settings.analysis))),
        ("avg_doc_len", Field::Value(json_value(avg_doc_len))),
        ("format", Field::Value(FORMAT.into())),
        ("n_docs", Field::Value(n_docs.into())),
        ("parallax", Field::Value(env!("CARGO_PKG_VERSION").into())),
        ("statistics", statistics),
        ("terms", terms),
        ("version", Field::Value(VERSION.into())),
        ("vocabulary", Field::Value(json_value(&settings.vocabulary))),
        ("weighting", Field::Value(json_value(settings.weighting))),
    ];
    write_object(fields, 0, out)?;
    out.write_all(b"\n")?;
    Ok(columns.get())
}

/// Serializes shard statistics (from `fit --shard`) to JSON bytes.
pub fn shard_to_json(analysis: &AnalysisConfig, stats: &Statistics) -> Vec<u8> {
    let mut out = Vec::new();
    write_shard(analysis, stats, &mut out).expect("writing to memory");
    out
}

/// Checks the format tag and version of a model or shard file.
fn check_header(value: &serde_json::Value, formats: &[&str], path: &Path) -> Result<String> {
    let bad = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or_default()
        .to_string();
    if !formats.contains(&format.as_str()) {
        let kind = if formats.len() == 1 {
            "model"
        } else {
            "model or shard"
        };
        return Err(bad(format!(
            "not a parallax {kind} (missing \"format\": \"{}\")",
            formats[0]
        )));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => Ok(format),
        other => {
            let found = other.map_or_else(|| "missing".to_string(), |v| v.to_string());
            Err(bad(format!(
                "unsupported version {found}; this parallax reads version {VERSION}"
            )))
        }
    }
}

/// Reads and validates a model from JSON bytes; `path` names it in errors.
///
/// The columns are recomputed from the statistics and must equal the stored ones, so a model
/// edited by hand or damaged on disk is refused rather than used.
///
/// # Errors
///
/// [`Error::Model`] if the bytes are not a parallax model of this version, or its terms,
/// settings or columns are inconsistent.
pub fn from_json(bytes: &[u8], path: &Path) -> Result<FittedVectorizer> {
    let bad = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    check_header(&value, &[FORMAT], path)?;
    let file: ModelFile = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let statistics = statistics_of(file.statistics);
    if statistics.n_docs != file.n_docs {
        return Err(bad(format!(
            "n_docs {} differs from the statistics' {}",
            file.n_docs, statistics.n_docs
        )));
    }
    if let Some((term, _, df)) = file.terms.iter().find(|t| t.2 > file.n_docs) {
        return Err(bad(format!(
            "term `{term}` has df {df} > n_docs {}",
            file.n_docs
        )));
    }
    if let Some(w) = file.terms.windows(2).find(|w| w[0].0 >= w[1].0) {
        return Err(bad(format!(
            "terms must be sorted and unique (at `{}`)",
            w[1].0
        )));
    }
    let settings = Vectorizer {
        analysis: file.analysis,
        vocabulary: file.vocabulary,
        weighting: file.weighting,
    };
    let model = settings
        .fit_statistics(statistics)
        .map_err(|e| bad(e.to_string()))?;
    let same = model.n_terms() == file.terms.len()
        && file.terms.iter().enumerate().all(|(c, (t, s, df))| {
            model.terms()[c] == *t && model.surface(c) == s && model.df(c) == *df
        });
    if !same {
        return Err(bad("its columns do not match its statistics".into()));
    }
    Ok(model)
}

/// Reads the statistics and analysis of a shard or a model file (for `merge`).
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read, [`Error::Model`] if it is not a valid shard or
/// model.
pub fn load_statistics(path: &Path) -> Result<(AnalysisConfig, Statistics)> {
    let bad = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    statistics_from_value(value, &bytes, path)
}

/// Sums the statistics of shards (or models) fitted with one analysis, as `parallax merge`
/// does: the result is what fitting all their documents at once would count.
///
/// # Errors
///
/// Those of [`load_statistics`]; [`Error::Input`] if no path is given, if a shard's analysis
/// differs from the first's, or if a count passes 2^64.
pub fn sum_statistics(paths: &[std::path::PathBuf]) -> Result<(AnalysisConfig, Statistics)> {
    let Some(first_path) = paths.first() else {
        return Err(Error::input("no shards to merge"));
    };
    let (analysis, mut sum) = load_statistics(first_path)?;
    for path in &paths[1..] {
        let (a, stats) = load_statistics(path)?;
        if a != analysis {
            return Err(Error::input(format!(
                "{}: its analysis settings differ from {}'s; shards must be fitted with the same analysis flags",
                path.display(),
                first_path.display()
            )));
        }
        sum = sum.try_merge(&stats).ok_or_else(|| {
            Error::input(format!(
                "{}: its counts added to the shards before it pass 2^64; the sum cannot be stored",
                path.display()
            ))
        })?;
    }
    Ok((analysis, sum))
}

/// Reads the statistics and analysis of a shard or model already parsed as JSON (`bytes` is its
/// text, needed for a model); `path` names it in errors.
///
/// # Errors
///
/// [`Error::Model`] if it is not a valid shard or model of this version.
pub fn statistics_from_value(
    value: serde_json::Value,
    bytes: &[u8],
    path: &Path,
) -> Result<(AnalysisConfig, Statistics)> {
    let bad = |reason: String| Error::Model {
        path: path.to_path_buf(),
        reason,
    };
    let (analysis, stats) = if check_header(&value, &[SHARD_FORMAT, FORMAT], path)? == SHARD_FORMAT
    {
        let file: ShardFile = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        (file.analysis, statistics_of(file.statistics))
    } else {
        let model = from_json(bytes, path)?;
        (model.analysis.clone(), model.statistics().clone())
    };
    stats.validate().map_err(|e| bad(e.to_string()))?;
    Ok((analysis, stats))
}

/// Loads a model file.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read, [`Error::Model`] if it is not a valid model.
pub fn load(path: &Path) -> Result<FittedVectorizer> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_json(&bytes, path)
}

/// Saves a model atomically (temporary file, then rename).
///
/// # Errors
///
/// [`Error::Io`] if the file (or its lock or temporary) cannot be written.
pub fn save(model: &FittedVectorizer, path: &Path) -> Result<()> {
    write_atomic(path, |w| write_model(model, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::io::atomic::uncarry;
    use crate::vectorize::Vectorizer;
    use std::io::Write;

    fn model() -> FittedVectorizer {
        let docs = [
            Document::new("a", "Military bases remain."),
            Document::new("b", "Two bases, one base."),
        ];
        Vectorizer::default().fit(&docs).unwrap()
    }

    #[test]
    fn streamed_json_has_the_layout_of_the_json_tree() {
        // The model as one serde tree, laid out by `write_json`: what `to_json` streams.
        let docs = vec![
            Document::new("a", "Troops remain at the bases; the base is old."),
            Document::new("b", "Bases, ports and \"quoted\" words."),
        ];
        let model = crate::vectorize::Vectorizer::default().fit(&docs).unwrap();
        let stats = model.statistics();
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
                .map(|c| {
                    (
                        model.terms[c].clone(),
                        model.surfaces[c].clone(),
                        model.df[c],
                    )
                })
                .collect(),
            statistics: StatisticsFile {
                n_docs: stats.n_docs,
                total_len: stats.total_len,
                terms: stats
                    .terms
                    .iter()
                    .map(|t| (t.term.clone(), t.df, t.cf, t.surfaces.clone()))
                    .collect(),
            },
        };
        let tree = write_json(&serde_json::to_value(&file).unwrap());
        assert_eq!(
            String::from_utf8(to_json(&model)).unwrap(),
            String::from_utf8(tree).unwrap()
        );
    }

    #[test]
    fn an_empty_shard_has_the_layout_of_the_json_tree() {
        // Documents whose every word is a stop word: statistics without terms.
        let settings = Vectorizer::default();
        let stats = settings
            .statistics(&[Document::new("a", "the of and")])
            .unwrap();
        assert!(stats.terms.is_empty());
        let file = ShardFile {
            format: SHARD_FORMAT.into(),
            version: VERSION,
            parallax: env!("CARGO_PKG_VERSION").into(),
            analysis: settings.analysis.clone(),
            statistics: StatisticsFile {
                n_docs: stats.n_docs,
                total_len: stats.total_len,
                terms: Vec::new(),
            },
        };
        let tree = write_json(&serde_json::to_value(&file).unwrap());
        assert_eq!(
            String::from_utf8(shard_to_json(&settings.analysis, &stats)).unwrap(),
            String::from_utf8(tree).unwrap()
        );
    }

    #[test]
    #[cfg(unix)]
    fn devices_are_written_in_place_not_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        write_atomic(null, |w| w.write_all(b"discarded")).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let json = to_json(&model());
        let back = from_json(&json, Path::new("m.json")).unwrap();
        assert_eq!(to_json(&back), json);
        assert_eq!(back.surface(back.column("base").unwrap()), "bases");
    }

    /// Settings that choose columns every way a fit can: by df, by count, from a list.
    fn fit_settings() -> Vec<Vectorizer> {
        let mut all = vec![Vectorizer::default()];
        let mut v = Vectorizer::default();
        v.vocabulary.min_df = crate::vectorize::DfLimit::Count(2);
        v.vocabulary.max_df = crate::vectorize::DfLimit::Proportion(0.5);
        all.push(v.clone());
        v.vocabulary.max_features = Some(7);
        all.push(v);
        let mut v = Vectorizer::default();
        v.vocabulary.max_features = Some(3);
        v.analysis.ngram_max = 2;
        all.push(v);
        let mut v = Vectorizer::default();
        v.vocabulary.fixed = Some(vec!["base".into(), "nowher".into(), "troop".into()]);
        all.push(v);
        all
    }

    /// The bytes (or error) of a model written from merged runs, the docs read `chunk` at a time.
    fn merged_model(settings: &Vectorizer, docs: &[Document], chunk: usize) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = settings.runs(dir.path()).unwrap();
        for part in docs.chunks(chunk) {
            runs.add(part).unwrap();
        }
        let mut out = Vec::new();
        write_model_merged(settings, &mut runs.finish().unwrap(), &mut out)
            .map_err(|e| uncarry(Path::new("model.json"), e))?;
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        Ok(out)
    }

    #[test]
    fn models_written_from_merged_runs_equal_models_fitted_in_memory() {
        let docs = crate::vectorize::shared_stem_docs();
        for settings in fit_settings() {
            let model = settings.fit_statistics(settings.statistics(&docs).unwrap());
            let expected = to_json(&model.unwrap());
            for chunk in [1, 2, docs.len()] {
                let written = merged_model(&settings, &docs, chunk).unwrap();
                assert!(
                    written == expected,
                    "{settings:?}, chunks of {chunk}:\n{}",
                    String::from_utf8_lossy(&written)
                );
            }
            let shard = {
                let dir = tempfile::tempdir().unwrap();
                let mut runs = settings.runs(dir.path()).unwrap();
                runs.add(&docs[..3]).unwrap();
                runs.add(&docs[3..]).unwrap();
                let mut out = Vec::new();
                let mut merged = runs.finish().unwrap();
                let terms = write_shard_merged(&settings.analysis, &mut merged, &mut out);
                assert_eq!(
                    terms.unwrap(),
                    settings.statistics(&docs).unwrap().terms.len()
                );
                out
            };
            let stats = settings.statistics(&docs).unwrap();
            assert_eq!(shard, shard_to_json(&settings.analysis, &stats));
        }
    }

    #[test]
    fn models_from_merged_runs_refuse_what_a_fit_refuses() {
        let docs = crate::vectorize::shared_stem_docs();
        let mut settings = Vectorizer::default();
        for (min_df, max_df) in [(5, 100), (3, 2)] {
            settings.vocabulary.min_df = crate::vectorize::DfLimit::Count(min_df);
            settings.vocabulary.max_df = crate::vectorize::DfLimit::Count(max_df);
            let expected = settings
                .fit_statistics(settings.statistics(&docs).unwrap())
                .unwrap_err();
            let err = merged_model(&settings, &docs, 2).unwrap_err();
            assert_eq!(err.to_string(), expected.to_string());
            assert!(matches!(err, Error::EmptyVocabulary(_)), "{err}");
        }
    }

    #[test]
    fn corrupt_models_are_refused() {
        let json = String::from_utf8(to_json(&model())).unwrap();
        let p = Path::new("m.json");
        let err = from_json(b"{\"format\": \"x\"}", p).unwrap_err();
        assert!(err.to_string().contains("not a parallax model"), "{err}");
        let err = from_json(
            json.replace("\"version\": 1", "\"version\": 9").as_bytes(),
            p,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unsupported version"), "{err}");
        let err = from_json(&json.as_bytes()[..json.len() / 2], p).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.json: invalid model: not JSON"),
            "{err}"
        );
        let swapped = json.replacen("\n    [\"base\"", "\n    [\"zzz\"", 1);
        let err = from_json(swapped.as_bytes(), p).unwrap_err();
        assert!(err.to_string().contains("sorted and unique"), "{err}");
        // A column edited by hand no longer follows from the statistics.
        let edited = json.replacen("[\"base\",\"bases\",2]", "[\"base\",\"BASES\",2]", 1);
        assert_ne!(edited, json);
        let err = from_json(edited.as_bytes(), p).unwrap_err();
        assert!(
            err.to_string().contains("do not match its statistics"),
            "{err}"
        );
    }
}
