//! The result tables of `similar`, `stories`, `keywords`, `keyness`, `stats` and `eval`, each
//! in three [`Format`]s: aligned text for people, one JSON document, and TSV with a header. The JSON and
//! TSV forms are what programs read (the Spark driver parses them); the text form goes through
//! [`Printable`], so no id, title or source can drive a terminal.
//!
//! Numbers are written as the shortest text that reads back to the same value (`ryu`), so a
//! program reading the JSON or TSV gets the computed `f32`/`f64` exactly.

use std::io::{self, Write};

use serde::Serialize;

use super::rows::tsv_field;
use super::terminal::Printable;
use crate::corpus::Document;
use crate::keywords::Keyword;
use crate::keywords::eval::EvalReport;
use crate::keywords::keyness::{Comparison, KeynessMeasure};
use crate::similarity::{FoundStories, Neighbors};
use crate::vectorize::{CorpusSummary, FittedVectorizer};

/// How a result table is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
    /// Tab-separated values with a header.
    Tsv,
}

/// A JSON string (with its quotes).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The shortest text that reads back to `v` exactly.
fn exact(v: impl ryu::Float) -> String {
    ryu::Buffer::new().format(v).to_string()
}

/// Refuses parts of a result that do not belong together (a table from one run's documents
/// and another's neighbours), which would otherwise index out of range or be cut short.
fn check(consistent: bool, what: &str) -> io::Result<()> {
    match consistent {
        true => Ok(()),
        false => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            what.to_string(),
        )),
    }
}

/// Serialized first, so that a closed pipe surfaces as an `io::Error` of the write.
fn json_bytes(value: &impl Serialize) -> io::Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(io::Error::other)
}

/// The neighbours of `similar`: for each query document, its list of `reference` documents
/// (the query documents themselves when they are compared with each other).
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_neighbours(
    out: &mut dyn Write,
    format: Format,
    queries: &[Document],
    reference: &[Document],
    nn: &Neighbors,
) -> io::Result<()> {
    check(
        queries.len() == nn.n_rows()
            && nn
                .iter()
                .flatten()
                .all(|n| (n.index as usize) < reference.len()),
        "neighbours of other documents than those given",
    )?;
    let score = |s: f32| exact(s);
    match format {
        Format::Json => {
            out.write_all(b"{")?;
            for (i, (doc, list)) in queries.iter().zip(nn.iter()).enumerate() {
                let comma = if i == 0 { "" } else { "," };
                write!(out, "{comma}\n  {}: [", json_string(&doc.id))?;
                for (j, n) in list.iter().enumerate() {
                    let r = &reference[n.index as usize];
                    let source = r
                        .source
                        .as_deref()
                        .map_or_else(|| "null".into(), json_string);
                    write!(
                        out,
                        "{}{{\"id\": {}, \"score\": {}, \"source\": {source}}}",
                        if j == 0 { "" } else { ", " },
                        json_string(&r.id),
                        score(n.score)
                    )?;
                }
                out.write_all(b"]")?;
            }
            out.write_all(if queries.is_empty() { b"}\n" } else { b"\n}\n" })?;
        }
        Format::Tsv => {
            writeln!(out, "id\trank\tneighbour\tscore\tsource")?;
            for (doc, list) in queries.iter().zip(nn.iter()) {
                for (rank, n) in list.iter().enumerate() {
                    let r = &reference[n.index as usize];
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        tsv_field(&doc.id),
                        rank + 1,
                        tsv_field(&r.id),
                        score(n.score),
                        tsv_field(r.source.as_deref().unwrap_or(""))
                    )?;
                }
            }
        }
        Format::Table => {
            let out = &mut Printable(out);
            let width = nn
                .iter()
                .flatten()
                .map(|n| reference[n.index as usize].id.chars().count())
                .max()
                .unwrap_or(0);
            for (i, (doc, list)) in queries.iter().zip(nn.iter()).enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                match &doc.source {
                    Some(s) => writeln!(out, "{}  ({s})", doc.id)?,
                    None => writeln!(out, "{}", doc.id)?,
                }
                if list.is_empty() {
                    writeln!(out, "     (no neighbours)")?;
                }
                for (rank, n) in list.iter().enumerate() {
                    let r = &reference[n.index as usize];
                    writeln!(
                        out,
                        "  {:>3}  {:.4}  {:<width$}  {}",
                        rank + 1,
                        n.score,
                        r.id,
                        r.source.as_deref().unwrap_or("")
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// The stories of `stories` over its documents `docs`. The JSON holds one story a line with
/// [`crate::similarity::StoryRecord`]'s fields (as `compare --format json` does); the TSV one
/// document a line.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_stories(
    out: &mut dyn Write,
    format: Format,
    docs: &[Document],
    found: &FoundStories,
) -> io::Result<()> {
    check(
        found.records.len() == found.stories.len()
            && found
                .stories
                .iter()
                .flat_map(|s| &s.docs)
                .all(|&i| i < docs.len()),
        "stories of other documents than those given",
    )?;
    let stories = found.records.iter().zip(&found.stories);
    match format {
        Format::Json => {
            out.write_all(b"{\"stories\": [")?;
            for (id, record) in found.records.iter().enumerate() {
                let line = serde_json::to_string(record).map_err(io::Error::other)?;
                write!(out, "{}\n  {line}", if id == 0 { "" } else { "," })?;
            }
            let end: &[u8] = if found.records.is_empty() {
                b"]}\n"
            } else {
                b"\n]}\n"
            };
            out.write_all(end)?;
        }
        Format::Tsv => {
            writeln!(out, "story\tid\tsource\tdate\tlabel")?;
            for (id, (record, story)) in stories.enumerate() {
                for d in story.docs.iter().map(|&i| &docs[i]) {
                    writeln!(
                        out,
                        "{id}\t{}\t{}\t{}\t{}",
                        tsv_field(&d.id),
                        tsv_field(d.source.as_deref().unwrap_or("")),
                        tsv_field(d.date.as_deref().unwrap_or("")),
                        tsv_field(&record.label)
                    )?;
                }
            }
        }
        Format::Table => {
            let out = &mut Printable(out);
            let width = |f: &dyn Fn(&Document) -> usize| {
                let in_stories = found.stories.iter().flat_map(|s| s.docs.iter());
                in_stories.map(|&i| f(&docs[i])).max().unwrap_or(0)
            };
            let id_w = width(&|d| d.id.chars().count());
            let src_w = width(&|d| d.source.as_deref().map_or(0, |s| s.chars().count()));
            for (id, (r, story)) in stories.enumerate() {
                if id > 0 {
                    writeln!(out)?;
                }
                let n = story.docs.len();
                let mut about = format!("{n} document{}", if n == 1 { "" } else { "s" });
                if !r.sources.is_empty() {
                    about += &format!(", {}", r.sources.join(" "));
                }
                if let (Some(a), Some(b)) = (&r.first_date, &r.last_date) {
                    about += &if a == b {
                        format!(", {a}")
                    } else {
                        format!(", {a} .. {b}")
                    };
                }
                let label = if r.label.is_empty() {
                    "(no terms)"
                } else {
                    &r.label
                };
                writeln!(out, "story {id}: {label}  ({about})")?;
                for d in story.docs.iter().map(|&i| &docs[i]) {
                    let line = format!(
                        "  {:<id_w$}  {:<src_w$}  {:<10}  {}",
                        d.id,
                        d.source.as_deref().unwrap_or(""),
                        d.date.as_deref().map_or("", day_of),
                        d.title.as_deref().unwrap_or("")
                    );
                    writeln!(out, "{}", line.trim_end())?;
                }
                for near in &r.near_duplicates {
                    let [a, b] = &near.docs;
                    writeln!(out, "  near-duplicates: {a} ≈ {b} ({:.3})", near.score)?;
                }
            }
        }
    }
    Ok(())
}

/// The rankings of `keywords`, written as they come: [`KeywordsWriter::write`] may be called
/// once with every ranking or once per chunk of a streamed run, with the same bytes.
pub struct KeywordsWriter {
    format: Format,
    written: usize,
}

impl KeywordsWriter {
    /// Starts the table (the JSON object's brace, the TSV header); `label` names the first
    /// column: `doc` for rankings per document, `group` for groups.
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn begin(out: &mut dyn Write, format: Format, label: &str) -> io::Result<KeywordsWriter> {
        match format {
            Format::Json => out.write_all(b"{")?,
            Format::Tsv => writeln!(out, "{label}\trank\tphrase\tstem\tscore\tcount")?,
            Format::Table => {}
        }
        Ok(KeywordsWriter { format, written: 0 })
    }

    /// Writes the next rankings: (document or group name, its keywords, best first).
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn write(
        &mut self,
        out: &mut dyn Write,
        results: &[(String, Vec<Keyword>)],
    ) -> io::Result<()> {
        match self.format {
            Format::Json => {
                for (i, (name, keywords)) in results.iter().enumerate() {
                    let first = self.written + i == 0;
                    out.write_all(if first { b"\n  " } else { b",\n  " })?;
                    out.write_all(&json_bytes(name)?)?;
                    out.write_all(b": ")?;
                    out.write_all(&json_bytes(keywords)?)?;
                }
            }
            Format::Tsv => {
                for (name, keywords) in results {
                    for (rank, k) in keywords.iter().enumerate() {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            tsv_field(name),
                            rank + 1,
                            tsv_field(&k.phrase),
                            tsv_field(&k.stem),
                            exact(k.score),
                            k.count
                        )?;
                    }
                }
            }
            Format::Table => {
                let out = &mut Printable(out);
                for (i, (name, keywords)) in results.iter().enumerate() {
                    if self.written + i > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "{name}")?;
                    if keywords.is_empty() {
                        writeln!(out, "  (no keywords)")?;
                        continue;
                    }
                    let longest = keywords.iter().map(|k| k.phrase.chars().count()).max();
                    let width = longest.unwrap_or(0).min(48);
                    for (rank, k) in keywords.iter().enumerate() {
                        let (phrase, score, count) = (&k.phrase, k.score, k.count);
                        writeln!(
                            out,
                            "  {:>2}  {phrase:<width$}  {score:>7.4}  {count:>4}",
                            rank + 1
                        )?;
                    }
                }
            }
        }
        self.written += results.len();
        Ok(())
    }

    /// Ends the table; returns the number of rankings written.
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<usize> {
        if self.format == Format::Json {
            out.write_all(if self.written == 0 { b"}\n" } else { b"\n}\n" })?;
        }
        Ok(self.written)
    }
}

/// A count as a whole number when it is one, else the shortest exact decimal.
fn count_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        exact(v)
    }
}

fn optional(v: Option<f64>) -> String {
    v.map_or_else(String::new, exact)
}

/// The day of a date: its first ten characters (`YYYY-MM-DD` of a timestamp).
fn day_of(date: &str) -> &str {
    date.char_indices()
        .nth(10)
        .map_or(date, |(i, _)| &date[..i])
}

#[derive(Serialize)]
struct KeynessJsonRow<'a> {
    term: &'a str,
    surface: &'a str,
    count_target: f64,
    count_reference: f64,
    statistic: f64,
    log_ratio: f64,
    p: Option<f64>,
    p_adjusted: Option<f64>,
}

#[derive(Serialize)]
struct KeynessJson<'a> {
    target: &'a str,
    reference: &'a str,
    measure: &'static str,
    target_documents: usize,
    reference_documents: usize,
    target_tokens: f64,
    reference_tokens: f64,
    rows: Vec<KeynessJsonRow<'a>>,
}

/// The comparisons of `keyness`, their terms named by `model` (stem and surface form).
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_keyness(
    out: &mut dyn Write,
    format: Format,
    model: &FittedVectorizer,
    comparisons: &[Comparison],
    measure: KeynessMeasure,
) -> io::Result<()> {
    match format {
        Format::Json => {
            let row = |r: &crate::keywords::keyness::KeynessRow| KeynessJsonRow {
                term: &model.terms()[r.term],
                surface: model.surface(r.term),
                count_target: r.target,
                count_reference: r.reference,
                statistic: r.statistic,
                log_ratio: r.log_ratio,
                p: r.p_value,
                p_adjusted: r.p_adjusted,
            };
            let list: Vec<KeynessJson> = comparisons
                .iter()
                .map(|c| KeynessJson {
                    target: &c.target,
                    reference: &c.reference,
                    measure: measure.name(),
                    target_documents: c.target_docs,
                    reference_documents: c.reference_docs,
                    target_tokens: c.target_total,
                    reference_tokens: c.reference_total,
                    rows: c.rows.iter().map(row).collect(),
                })
                .collect();
            out.write_all(&serde_json::to_vec_pretty(&list).map_err(io::Error::other)?)?;
            writeln!(out)
        }
        Format::Tsv => write_keyness_tsv(out, model, comparisons, measure),
        Format::Table => write_keyness_table(&mut Printable(out), model, comparisons, measure),
    }
}

fn write_keyness_tsv(
    out: &mut dyn Write,
    model: &FittedVectorizer,
    comparisons: &[Comparison],
    measure: KeynessMeasure,
) -> io::Result<()> {
    let name = measure.name();
    writeln!(
        out,
        "target\treference\tterm\tsurface\tcount_target\tcount_reference\t{name}\tlog_ratio\tp\tp_adjusted"
    )?;
    for c in comparisons {
        for r in &c.rows {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                tsv_field(&c.target),
                tsv_field(&c.reference),
                tsv_field(&model.terms()[r.term]),
                tsv_field(model.surface(r.term)),
                count_text(r.target),
                count_text(r.reference),
                exact(r.statistic),
                exact(r.log_ratio),
                optional(r.p_value),
                optional(r.p_adjusted)
            )?;
        }
    }
    Ok(())
}

fn write_keyness_table(
    out: &mut dyn Write,
    model: &FittedVectorizer,
    comparisons: &[Comparison],
    measure: KeynessMeasure,
) -> io::Result<()> {
    for (i, c) in comparisons.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} vs {}  ({} docs, {} tokens vs {} docs, {} tokens)",
            c.target,
            c.reference,
            c.target_docs,
            count_text(c.target_total),
            c.reference_docs,
            count_text(c.reference_total)
        )?;
        if c.rows.is_empty() {
            writeln!(out, "  (no term passes the filters)")?;
            continue;
        }
        let surfaces = c.rows.iter().map(|r| model.surface(r.term).chars().count());
        let width = surfaces.max().unwrap_or(4).clamp(4, 32);
        let p_header = match measure.has_p_value() {
            true => "       p    p_adj",
            false => "",
        };
        let name = measure.name();
        writeln!(
            out,
            "  {:<width$}  {:>7}  {:>7}  {name:>9}  {:>6}{p_header}",
            "term", "target", "ref", "log2r"
        )?;
        for r in &c.rows {
            write!(
                out,
                "  {:<width$}  {:>7}  {:>7}  {:>9.3}  {:>6.2}",
                model.surface(r.term),
                count_text(r.target),
                count_text(r.reference),
                r.statistic,
                r.log_ratio
            )?;
            if let (Some(p), Some(q)) = (r.p_value, r.p_adjusted) {
                write!(out, "  {p:>7.1e}  {q:>7.1e}")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The corpus summary of `stats`: the JSON object, or one field a line.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_corpus_summary(
    out: &mut dyn Write,
    format: Format,
    s: &CorpusSummary,
) -> io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, s).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let dates = match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => format!("{a} .. {b} ({} without date)", s.without_date),
        _ => "no dates".into(),
    };
    let sources = format!(
        "{} ({} documents without source)",
        s.sources.len(),
        s.without_source
    );
    let mut rows = vec![
        ("documents".to_string(), s.documents.to_string()),
        ("empty documents".into(), s.empty_documents.to_string()),
        ("skipped records".into(), s.skipped_records.to_string()),
        ("characters".into(), s.characters.to_string()),
        ("tokens".into(), s.tokens.to_string()),
        ("terms (kept)".into(), s.terms.to_string()),
        ("types".into(), s.types.to_string()),
        ("date range".into(), dates),
        ("sources".into(), sources),
    ];
    for (name, n) in &s.sources {
        rows.push((format!("  {name}"), n.to_string()));
    }
    match format {
        Format::Tsv => {
            writeln!(out, "field\tvalue")?;
            for (k, v) in rows {
                writeln!(out, "{}\t{}", tsv_field(&k), tsv_field(&v))?;
            }
        }
        _ => {
            let out = &mut Printable(out);
            for (k, v) in rows {
                writeln!(out, "{k:<18} {v}")?;
            }
        }
    }
    Ok(())
}

/// A flat object (an evaluation's scores) a field a line, in the order its fields are
/// declared: `name  value` for people (floats to four decimals, `-` for none), `field\tvalue`
/// in TSV, or indented JSON.
///
/// # Errors
///
/// Any error of writing to `out`; an error of kind
/// [`Other`](std::io::ErrorKind::Other) if `value` does not serialize to a JSON object.
pub fn write_fields(out: &mut dyn Write, format: Format, value: &impl Serialize) -> io::Result<()> {
    use serde_json::Value;
    // Serialized text keeps the struct's field order; a `Value` map would sort the keys.
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(&text);
    serde::Deserializer::deserialize_map(&mut de, OrderedFields(&mut fields))
        .map_err(io::Error::other)?;
    let plain = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match format {
        Format::Json => {
            writeln!(out, "{{")?;
            for (i, (k, v)) in fields.iter().enumerate() {
                let comma = if i + 1 < fields.len() { "," } else { "" };
                writeln!(out, "  {}: {v}{comma}", json_string(k))?;
            }
            writeln!(out, "}}")?;
        }
        Format::Tsv => {
            writeln!(out, "field\tvalue")?;
            for (k, v) in &fields {
                writeln!(out, "{}\t{}", tsv_field(k), tsv_field(&plain(v)))?;
            }
        }
        Format::Table => {
            let out = &mut Printable(out);
            for (k, v) in &fields {
                let v = match v {
                    Value::Number(n) if n.is_f64() => {
                        format!("{:.4}", n.as_f64().unwrap_or(f64::NAN))
                    }
                    Value::Null => "-".into(),
                    other => plain(other),
                };
                writeln!(out, "{:<30} {v}", k.replace('_', " "))?;
            }
        }
    }
    Ok(())
}

/// The scores of `eval keywords`: P, R and F1 at each cutoff (percent), then how many
/// documents were scored; as aligned lines, one JSON object, or TSV (a row per cutoff).
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_keyword_scores(out: &mut dyn Write, format: Format, r: &EvalReport) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, r).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Tsv => {
            writeln!(out, "k\tprecision\trecall\tf1")?;
            for s in &r.scores {
                let (p, r, f1) = (exact(s.precision), exact(s.recall), exact(s.f1));
                writeln!(out, "{}\t{p}\t{r}\t{f1}", s.k)?;
            }
            Ok(())
        }
        Format::Table => {
            writeln!(out, "{:>4}  {:>7}  {:>7}  {:>7}", "k", "P", "R", "F1")?;
            for s in &r.scores {
                let (k, p, r, f1) = (s.k, s.precision, s.recall, s.f1);
                writeln!(out, "{k:>4}  {p:>7.2}  {r:>7.2}  {f1:>7.2}")?;
            }
            writeln!(
                out,
                "{} documents with gold keys, {} without a prediction; {} predicted documents have no gold keys",
                r.documents, r.without_prediction, r.extra_predictions
            )
        }
    }
}

/// Collects a JSON object's fields in document order.
struct OrderedFields<'a>(&'a mut Vec<(String, serde_json::Value)>);

impl<'de> serde::de::Visitor<'de> for OrderedFields<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            self.0.push((k, v));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyword(phrase: &str, score: f64) -> Keyword {
        let stem = phrase.to_lowercase();
        Keyword {
            phrase: phrase.into(),
            stem,
            score,
            count: 2,
        }
    }

    fn rankings() -> Vec<(String, Vec<Keyword>)> {
        vec![
            (
                "a".into(),
                vec![keyword("Ferry strike", 0.5), keyword("harbour", 0.25)],
            ),
            ("b\tc".into(), vec![]),
            ("d".into(), vec![keyword("levy", 1.0)]),
        ]
    }

    #[test]
    fn keyword_tables_written_in_chunks_equal_one_write() {
        for format in [Format::Table, Format::Json, Format::Tsv] {
            let all = rankings();
            let mut once = Vec::new();
            let mut table = KeywordsWriter::begin(&mut once, format, "doc").unwrap();
            table.write(&mut once, &all).unwrap();
            assert_eq!(table.finish(&mut once).unwrap(), 3);
            let mut chunked = Vec::new();
            let mut table = KeywordsWriter::begin(&mut chunked, format, "doc").unwrap();
            for chunk in all.chunks(2) {
                table.write(&mut chunked, chunk).unwrap();
            }
            table.finish(&mut chunked).unwrap();
            assert_eq!(once, chunked, "{format:?}");
        }
    }

    #[test]
    fn keyword_json_and_tsv_read_back() {
        let mut json = Vec::new();
        let mut table = KeywordsWriter::begin(&mut json, Format::Json, "doc").unwrap();
        table.write(&mut json, &rankings()).unwrap();
        table.finish(&mut json).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["a"][1]["phrase"], "harbour");
        assert_eq!(value["b\tc"], serde_json::json!([]));
        let mut tsv = Vec::new();
        let mut table = KeywordsWriter::begin(&mut tsv, Format::Tsv, "group").unwrap();
        table.write(&mut tsv, &rankings()).unwrap();
        table.finish(&mut tsv).unwrap();
        let text = String::from_utf8(tsv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "group\trank\tphrase\tstem\tscore\tcount");
        assert_eq!(lines[1], "a\t1\tFerry strike\tferry strike\t0.5\t2");
        // The group without keywords has no row; every row has six fields.
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.split('\t').count() == 6));
        let mut empty = Vec::new();
        let table = KeywordsWriter::begin(&mut empty, Format::Json, "doc").unwrap();
        table.finish(&mut empty).unwrap();
        assert_eq!(empty, b"{}\n");
    }

    #[test]
    fn tables_for_people_cannot_drive_the_terminal() {
        let all = vec![(
            "\u{1b}]0;title\u{7}".to_string(),
            vec![keyword("x\u{202e}y", 1.0)],
        )];
        let mut out = Vec::new();
        let mut table = KeywordsWriter::begin(&mut out, Format::Table, "doc").unwrap();
        table.write(&mut out, &all).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}')
        );
        assert!(text.contains("\\u{1b}]0;title\\u{7}"), "{text}");
    }

    #[test]
    fn fields_keep_their_declared_order_in_every_format() {
        #[derive(Serialize)]
        struct Scores {
            zeta: f64,
            alpha: usize,
            missing: Option<f64>,
            kind: &'static str,
        }
        let scores = Scores {
            zeta: 0.123456,
            alpha: 3,
            missing: None,
            kind: "stories",
        };
        let written = |format| {
            let mut out = Vec::new();
            write_fields(&mut out, format, &scores).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            written(Format::Table),
            format!(
                "{:<30} 0.1235\n{:<30} 3\n{:<30} -\n{:<30} stories\n",
                "zeta", "alpha", "missing", "kind"
            )
        );
        assert_eq!(
            written(Format::Tsv),
            "field\tvalue\nzeta\t0.123456\nalpha\t3\nmissing\t\nkind\tstories\n"
        );
        let json = written(Format::Json);
        assert!(json.find("zeta").unwrap() < json.find("alpha").unwrap());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["missing"], serde_json::Value::Null);
    }

    #[test]
    fn parts_of_different_runs_are_refused_not_indexed() {
        let docs = vec![Document::new("a", "x"), Document::new("b", "y")];
        let search = crate::similarity::Search::new(1);
        let matrix =
            crate::matrix::CsrMatrix::<f32>::try_new(1, vec![0, 1, 2], vec![0, 0], vec![1.0, 1.0])
                .unwrap();
        let nn = crate::similarity::top_k(&matrix, &search).unwrap();
        let mut out = Vec::new();
        write_neighbours(&mut out, Format::Tsv, &docs, &docs, &nn).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id\trank\tneighbour\tscore\tsource\na\t1\tb\t1.0\t\nb\t1\ta\t1.0\t\n"
        );
        // Neighbours of two documents, written against one: an error, not a panic.
        let e = write_neighbours(&mut Vec::new(), Format::Tsv, &docs[..1], &docs[..1], &nn)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn a_day_is_cut_by_characters() {
        assert_eq!(day_of("2024-05-06T10:00:00Z"), "2024-05-06");
        assert_eq!(day_of("2024-01-0€ later"), "2024-01-0€");
        assert_eq!(day_of("short"), "short");
    }

    #[test]
    fn corpus_summary_tsv_keeps_one_field_a_column() {
        let summary = CorpusSummary {
            sources: [("The\tTimes".to_string(), 3)].into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        write_corpus_summary(&mut out, Format::Tsv, &summary).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.split('\t').count() == 2), "{text}");
        assert!(text.contains("  The\\tTimes\t3\n"));
    }
}
