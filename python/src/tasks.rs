//! The tasks as Python calls: documents in, the library's call, tables out as columns (lists
//! keyed by column name) that `parallax/_api.py` turns into DataFrames or records.
//!
//! Each call takes its settings as plain values, builds the library's settings from them, runs
//! the library call through [`run`] (no GIL, `n_jobs` threads, Ctrl-C honoured) and converts
//! the result. Nothing is computed here that the library does not compute for the CLI.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray2};
use parallax::analysis::{AnalysisOptions, Language, StopWordList};
use parallax::compare::{CompareParams, Period};
use parallax::corpus::{self, DateRules, Document, FieldNames, OnError, ReadOptions, ReadReport};
use parallax::keywords::keyness::{Comparisons, GroupKeyness, KeynessMeasure, KeynessParams};
use parallax::keywords::{KeywordParams, Per, RankKeywords};
use parallax::similarity::{
    self, DocumentSpace, FindStories, Layout, Measure, SimilarParams, SpaceModel, StoryParams,
};
use parallax::vectorize::{
    DfLimit, Idf, Norm, Preset, Tf, Vectorizer, VocabularyParams, Weighting, WeightingOptions,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::{Model, StopWords, bad, run, to_py};

/// A document as Python hands it over and gets it back: (id, text, title, source, date, meta).
type DocumentRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    BTreeMap<String, String>,
);

/// Documents held on the Rust side, so that several calls on one corpus convert it once;
/// with what reading them set aside or noticed.
#[pyclass(frozen, module = "parallax._parallax")]
pub struct Documents {
    pub docs: Arc<Vec<Document>>,
    report: ReadReport,
}

#[pymethods]
impl Documents {
    /// Documents from rows, tidied and checked as read ones are (dates to `YYYY-MM-DD` or set
    /// aside, empty fields missing, duplicate ids an error); `name` stands for the file in
    /// messages, a row's position (from 1) for its line.
    #[new]
    #[pyo3(signature = (rows, reading, name = "<documents>"))]
    fn new(
        py: Python<'_>,
        rows: Vec<DocumentRow>,
        reading: ReadSettings,
        name: &str,
    ) -> PyResult<Documents> {
        let dates = reading.options()?.dates;
        let docs = rows
            .into_iter()
            .map(|(id, text, title, source, date, meta)| Document {
                id,
                text,
                title,
                source,
                date,
                meta,
            })
            .collect();
        let corpus = py
            .detach(|| corpus::from_documents(docs, name, &dates))
            .map_err(to_py)?;
        Ok(Documents {
            docs: Arc::new(corpus.docs),
            report: corpus.report,
        })
    }

    /// Reads paths as the CLI does (directories, JSONL, CSV/TSV, text files, `.gz`), with the
    /// CLI's input options.
    #[staticmethod]
    fn read(py: Python<'_>, paths: Vec<PathBuf>, reading: ReadSettings) -> PyResult<Documents> {
        let options = reading.options()?;
        let corpus =
            run(py, None, move || corpus::read_inputs(&paths, &options))?.map_err(to_py)?;
        Ok(Documents {
            docs: Arc::new(corpus.docs),
            report: corpus.report,
        })
    }

    fn __len__(&self) -> usize {
        self.docs.len()
    }

    /// The documents as rows, in order.
    fn rows(&self) -> Vec<DocumentRow> {
        self.docs
            .iter()
            .map(|d| {
                let d = d.clone();
                (d.id, d.text, d.title, d.source, d.date, d.meta)
            })
            .collect()
    }

    /// What reading skipped or set aside (nothing is dropped without being counted here).
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.report;
        let out = PyDict::new(py);
        out.set_item("skipped", r.skipped_count)?;
        out.set_item("skipped_examples", r.skipped.clone())?;
        out.set_item("blank_lines", r.blank_lines)?;
        let ignored: Vec<String> = r
            .ignored_files
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        out.set_item("ignored_files", ignored)?;
        out.set_item("empty_documents", r.empty_docs)?;
        out.set_item("undated", r.undated)?;
        out.set_item("empty_fields", r.empty_fields)?;
        let mut set_aside = Vec::new();
        for s in &r.set_aside {
            let kind = PyDict::new(py);
            kind.set_item("kind", s.kind)?;
            kind.set_item("count", s.count)?;
            kind.set_item("examples", s.examples.clone())?;
            kind.set_item("hint", s.hint)?;
            set_aside.push(kind);
        }
        out.set_item("set_aside", set_aside)?;
        Ok(out)
    }
}

/// The CLI's input options, one dict item each: `fields` (id, text, title, source, date: the
/// names in JSONL and CSV records), `on_error` (`fail` or `skip`), `dates` (`auto`, `mdy`,
/// `dmy`), `date_format` (a pattern such as `%d.%m.%Y`), `date_min` and `date_max`
/// (`YYYY-MM-DD`, the plausible window), `max_doc_mb`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct ReadSettings {
    fields: (String, String, String, String, String),
    on_error: String,
    dates: String,
    date_format: Option<String>,
    date_min: Option<String>,
    date_max: Option<String>,
    max_doc_mb: Option<usize>,
}

impl ReadSettings {
    fn options(&self) -> PyResult<ReadOptions> {
        let defaults = DateRules::default();
        let day = |name: &str, v: &Option<String>, default: i64| -> PyResult<i64> {
            match v {
                None => Ok(default),
                Some(s) => parallax::dates::day_number(s)
                    .filter(|_| s.len() == 10)
                    .ok_or_else(|| bad(name, s, "not a date of the form YYYY-MM-DD")),
            }
        };
        let dates = DateRules {
            order: self
                .dates
                .parse()
                .map_err(|e: String| bad("dates", &self.dates, &e))?,
            pattern: self
                .date_format
                .as_deref()
                .map(|p| p.parse().map_err(|e: String| bad("date_format", p, &e)))
                .transpose()?,
            earliest: day("date_min", &self.date_min, defaults.earliest)?,
            latest: day("date_max", &self.date_max, defaults.latest)?,
        };
        if dates.earliest > dates.latest {
            let date_min = self.date_min.as_deref().unwrap_or_default();
            return Err(bad("date_min", date_min, "later than date_max"));
        }
        let (id, text, title, source, date) = self.fields.clone();
        Ok(ReadOptions {
            fields: FieldNames {
                id,
                text,
                title,
                source,
                date,
            },
            on_error: match self.on_error.as_str() {
                "fail" => OnError::Fail,
                "skip" => OnError::Skip,
                other => return Err(bad("on_error", other, "supported: 'fail', 'skip'")),
            },
            dates,
            max_doc_bytes: self.max_doc_mb.map(|mb| mb.saturating_mul(1 << 20)),
        })
    }
}

/// The settings of a document space, one dict item each (all present, `None` = the preset's).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Space {
    model: Option<Py<Model>>,
    compat: Option<String>,
    language: Option<String>,
    stem: Option<bool>,
    stop_words: Option<StopWords>,
    fold_accents: bool,
    ngram_range: Option<(usize, usize)>,
    min_df: Option<(String, f64)>,
    max_df: Option<(String, f64)>,
    max_features: Option<usize>,
    tf: Option<String>,
    idf: Option<String>,
    norm: Option<String>,
    plain: bool,
}

fn parsed<T: std::str::FromStr<Err = String>>(
    name: &str,
    v: &Option<String>,
) -> PyResult<Option<T>> {
    v.as_deref()
        .map(|s| s.parse().map_err(|e: String| bad(name, s, &e)))
        .transpose()
}

fn df_limit(name: &str, limit: &Option<(String, f64)>) -> PyResult<Option<DfLimit>> {
    limit.as_ref().map(|l| super::df_limit(name, l)).transpose()
}

impl Space {
    fn tf(&self) -> PyResult<Option<Tf>> {
        self.tf.as_deref().map(super::tf).transpose()
    }

    fn weighting(&self) -> PyResult<WeightingOptions> {
        Ok(WeightingOptions {
            tf: self.tf()?,
            idf: parsed::<Idf>("idf", &self.idf)?,
            norm: parsed::<Norm>("norm", &self.norm)?,
        })
    }

    /// The settings to fit: the preset's analysis and weighting with the choices given laid
    /// over them (the library's `AnalysisOptions` puts each filter in its place).
    fn vectorizer(&self) -> PyResult<Vectorizer> {
        let preset: Preset = parsed("compat", &self.compat)?.unwrap_or_default();
        let language: Option<Language> = parsed("language", &self.language)?;
        let named = match &self.stop_words {
            Some(StopWords::Name(n)) => Some(StopWordList::parse(n)),
            _ => None,
        };
        let options = AnalysisOptions {
            language,
            stem: self.stem,
            stop_words: named,
            fold_accents: self.fold_accents,
            ngram: self.ngram_range,
        };
        let mut settings = options
            .apply(preset.analysis(options.language()))
            .map_err(to_py)?;
        if let Some(StopWords::Words(words)) = &self.stop_words {
            settings.stop_words = Some(super::word_list(words));
        }
        let mut vocabulary = VocabularyParams {
            max_features: self.max_features,
            ..VocabularyParams::default()
        };
        if let Some(min_df) = df_limit("min_df", &self.min_df)? {
            vocabulary.min_df = min_df;
        }
        if let Some(max_df) = df_limit("max_df", &self.max_df)? {
            vocabulary.max_df = max_df;
        }
        vocabulary.validate().map_err(to_py)?;
        Ok(Vectorizer {
            analysis: settings.config().map_err(to_py)?,
            vocabulary,
            weighting: self.weighting()?.apply(preset.weighting()),
        })
    }

    /// The space to compare documents in, as the CLI's flags make it: a given model (its
    /// weighting still open to `tf`, `idf`, `norm`) or the settings to fit; the story layout
    /// unless `plain` or a compat preset asks for the text's plain TF-IDF.
    fn document_space(&self, py: Python<'_>) -> PyResult<DocumentSpace> {
        let model = match &self.model {
            Some(model) => {
                let model = &model.borrow(py).inner;
                let chosen = self.weighting()?.apply(*model.weighting());
                SpaceModel::Fitted(model.with_weighting(chosen))
            }
            None => SpaceModel::Fit(self.vectorizer()?),
        };
        let layout = Layout::chosen(self.plain, self.compat.is_some(), self.tf.is_some());
        Ok(DocumentSpace { model, layout })
    }
}

/// Columns of a table, in order: name → values.
type Columns<'py> = Bound<'py, PyDict>;

fn columns<'py>(py: Python<'py>, named: Vec<(&str, Bound<'py, PyAny>)>) -> PyResult<Columns<'py>> {
    let out = PyDict::new(py);
    for (name, values) in named {
        out.set_item(name, values)?;
    }
    Ok(out)
}

fn list<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: Vec<T>) -> PyResult<Bound<'py, PyAny>> {
    v.into_pyobject(py).map(Bound::into_any)
}

/// One column from each of `rows`.
fn each<'py, R, T: IntoPyObject<'py>>(
    py: Python<'py>,
    rows: &[R],
    value: impl Fn(&R) -> T,
) -> PyResult<Bound<'py, PyAny>> {
    list(py, rows.iter().map(value).collect())
}

/// Fits a model on documents.
#[pyfunction]
#[pyo3(signature = (docs, space, n_jobs))]
fn fit_documents(
    py: Python<'_>,
    docs: &Documents,
    space: Space,
    n_jobs: Option<usize>,
) -> PyResult<Model> {
    let settings = space.vectorizer()?;
    let docs = Arc::clone(&docs.docs);
    let model = run(py, n_jobs, move || settings.fit(&docs))?.map_err(to_py)?;
    Ok(Model::new(model))
}

/// The `k` nearest documents of each document: (table of id, rank, neighbour, score, source;
/// the dense matrix or None).
#[pyfunction]
#[pyo3(signature = (docs, reference, space, measure, k, min_score, across_sources, window_days, bm25, dense, n_jobs))]
#[allow(clippy::too_many_arguments)]
fn similar<'py>(
    py: Python<'py>,
    docs: &Documents,
    reference: Option<&Documents>,
    space: Space,
    measure: &str,
    k: usize,
    min_score: f32,
    across_sources: bool,
    window_days: Option<u32>,
    bm25: (f64, f64),
    dense: bool,
    n_jobs: Option<usize>,
) -> PyResult<(Columns<'py>, Option<Bound<'py, PyArray2<f32>>>)> {
    let measure = match measure {
        "cosine" => Measure::Cosine,
        "jaccard" => Measure::Jaccard,
        "bm25" => Measure::Bm25 {
            k1: bm25.0,
            b: bm25.1,
        },
        other => return Err(bad("measure", other, "supported: cosine, jaccard, bm25")),
    };
    if matches!(measure, Measure::Bm25 { .. })
        && (space.tf.is_some() || space.idf.is_some() || space.norm.is_some())
    {
        return Err(bad(
            "measure",
            "bm25",
            "BM25 has its own weighting; tf, idf and norm apply to cosine",
        ));
    }
    let params = SimilarParams {
        space: space.document_space(py)?,
        measure,
        k,
        min_score,
        across_sources,
        window_days,
        dense,
    };
    let queries = Arc::clone(&docs.docs);
    let against = reference.map(|r| Arc::clone(&r.docs));
    let (found, table) = run(py, n_jobs, move || {
        let found = similarity::similar(&queries, against.as_deref().map(|v| &v[..]), &params)?;
        let listed = against.as_deref().unwrap_or(&queries);
        let mut table = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (doc, list) in queries.iter().zip(found.neighbors.iter()) {
            for (rank, n) in list.iter().enumerate() {
                let r = &listed[n.index as usize];
                table.0.push(doc.id.clone());
                table.1.push(rank + 1);
                table.2.push(r.id.clone());
                table.3.push(n.score);
                table.4.push(r.source.clone());
            }
        }
        Ok::<_, parallax::Error>((found.dense, table))
    })?
    .map_err(to_py)?;
    let (ids, ranks, neighbours, scores, sources) = table;
    let table = columns(
        py,
        vec![
            ("id", list(py, ids)?),
            ("rank", list(py, ranks)?),
            ("neighbour", list(py, neighbours)?),
            ("score", list(py, scores)?),
            ("source", list(py, sources)?),
        ],
    )?;
    Ok((table, found.map(|m| m.into_pyarray(py))))
}

/// Stories: one row per story, largest first (story, label, size, ids, sources, first_date,
/// last_date, near_duplicates as (id, id, score)).
#[pyfunction]
#[pyo3(signature = (docs, space, threshold, k, window_days, near_duplicate, label_terms, n_jobs))]
#[allow(clippy::too_many_arguments)]
fn stories<'py>(
    py: Python<'py>,
    docs: &Documents,
    space: Space,
    threshold: f32,
    k: usize,
    window_days: Option<u32>,
    near_duplicate: f32,
    label_terms: usize,
    n_jobs: Option<usize>,
) -> PyResult<Columns<'py>> {
    let task = FindStories {
        space: space.document_space(py)?,
        stories: StoryParams {
            threshold,
            k,
            window_days,
            near_duplicate,
            label_terms,
            label_fold: None,
        },
    };
    let docs = Arc::clone(&docs.docs);
    let found = run(py, n_jobs, move || similarity::find_stories(&docs, &task))?.map_err(to_py)?;
    let records = found.records;
    let near: Vec<Vec<(String, String, f32)>> = records
        .iter()
        .map(|r| {
            r.near_duplicates
                .iter()
                .map(|n| (n.docs[0].clone(), n.docs[1].clone(), n.score))
                .collect()
        })
        .collect();
    columns(
        py,
        vec![
            ("story", each(py, &records, |r| r.id)?),
            ("label", each(py, &records, |r| r.label.clone())?),
            ("size", each(py, &records, |r| r.docs.len())?),
            ("ids", each(py, &records, |r| r.docs.clone())?),
            ("sources", each(py, &records, |r| r.sources.clone())?),
            ("first_date", each(py, &records, |r| r.first_date.clone())?),
            ("last_date", each(py, &records, |r| r.last_date.clone())?),
            ("near_duplicates", list(py, near)?),
        ],
    )
}

/// Keyword settings from Python, one dict item each (`None` = the default).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct KeywordSettings {
    n: usize,
    phrases: bool,
    max_words: usize,
    position: Option<f64>,
    idf_power: Option<f64>,
    word_length: Option<f64>,
    title_weight: Option<f64>,
    keep_redundant: bool,
}

impl KeywordSettings {
    /// The same mapping as the CLI's flags.
    fn params(&self) -> KeywordParams {
        let mut params = KeywordParams {
            n: self.n,
            phrases: self.phrases,
            max_words: self.max_words,
            redundancy: !self.keep_redundant,
            ..KeywordParams::default()
        };
        if let Some(p) = self.position {
            params.position = p;
        }
        if let Some(t) = self.title_weight {
            params.title = t;
        }
        if let Some(b) = self.word_length {
            params.word_length = b;
        }
        if let Some(a) = self.idf_power {
            params.idf_power = a;
            params.group_idf_power = a;
        }
        params
    }
}

/// Keywords of each document (`per` = `document`), of the whole corpus (`corpus`) or of each
/// group of a field (`source`, any metadata field, `date:month`, ...): (table of doc or group,
/// rank, phrase, stem, score, count; documents left out for want of the field).
#[pyfunction]
#[pyo3(signature = (docs, space, per, settings, n_jobs))]
fn keywords<'py>(
    py: Python<'py>,
    docs: &Documents,
    space: Space,
    per: &str,
    settings: KeywordSettings,
    n_jobs: Option<usize>,
) -> PyResult<(Columns<'py>, usize)> {
    let per_value = Per::from_spec(per, &docs.docs).map_err(|e| bad("per", per, &e))?;
    let label = if per_value == Per::Document {
        "doc"
    } else {
        "group"
    };
    let task = RankKeywords {
        model: match space.model {
            Some(_) => space.document_space(py)?.model,
            None => SpaceModel::Fit(space.vectorizer()?),
        },
        per: per_value,
        params: settings.params(),
    };
    let docs = Arc::clone(&docs.docs);
    let ranked = run(py, n_jobs, move || {
        parallax::keywords::keywords(&docs, &task)
    })?
    .map_err(to_py)?;
    let mut table = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for (name, list) in ranked.rankings {
        for (rank, k) in list.into_iter().enumerate() {
            table.0.push(name.clone());
            table.1.push(rank + 1);
            table.2.push(k.phrase);
            table.3.push(k.stem);
            table.4.push(k.score);
            table.5.push(k.count);
        }
    }
    let table = columns(
        py,
        vec![
            (label, list(py, table.0)?),
            ("rank", list(py, table.1)?),
            ("phrase", list(py, table.2)?),
            ("stem", list(py, table.3)?),
            ("score", list(py, table.4)?),
            ("count", list(py, table.5)?),
        ],
    )?;
    Ok((table, ranked.left_out))
}

/// Keyness settings from Python, one dict item each.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct KeynessSettings {
    target: Option<String>,
    reference: Option<String>,
    all_pairs: bool,
    measure: String,
    yates: bool,
    min_count: f64,
    prior_scale: f64,
    fdr: Option<f64>,
    top: usize,
    binary: bool,
}

/// Each group's distinctive terms against the rest (or one group against another, or all
/// pairs): (table of target, reference, term, surface, count_target, count_reference,
/// statistic (named after the measure), log_ratio, p, p_adjusted; documents in no group).
#[pyfunction]
#[pyo3(signature = (docs, space, by, settings, n_jobs))]
fn keyness<'py>(
    py: Python<'py>,
    docs: &Documents,
    space: Space,
    by: String,
    settings: KeynessSettings,
    n_jobs: Option<usize>,
) -> PyResult<(Columns<'py>, usize)> {
    let measure: KeynessMeasure = settings
        .measure
        .parse()
        .map_err(|e: String| bad("measure", &settings.measure, &e))?;
    if space.idf.is_some() || space.norm.is_some() || space.tf.is_some() {
        return Err(bad(
            "tf/idf/norm",
            "given",
            "keyness compares counts: use binary=True for document counts",
        ));
    }
    let mut counting = space.vectorizer()?;
    counting.weighting = Weighting {
        tf: if settings.binary { Tf::Binary } else { Tf::Raw },
        idf: Idf::None,
        norm: Norm::None,
    };
    let comparisons = match (settings.target, settings.all_pairs) {
        (Some(_), true) => {
            return Err(bad(
                "all_pairs",
                true,
                "give a target or all_pairs, not both",
            ));
        }
        (Some(target), false) => Comparisons::One {
            target,
            reference: settings.reference.filter(|r| r != "rest"),
        },
        (None, true) => Comparisons::AllPairs,
        (None, false) if settings.reference.is_some() => {
            let reference = settings.reference.unwrap_or_default();
            return Err(bad("reference", reference, "needs a target"));
        }
        (None, false) => Comparisons::EachAgainstRest,
    };
    let params = GroupKeyness {
        keyness: KeynessParams {
            measure,
            yates: settings.yates,
            min_count: settings.min_count,
            prior_scale: settings.prior_scale,
        },
        comparisons,
        fdr: settings.fdr,
        top: settings.top,
    };
    let docs = Arc::clone(&docs.docs);
    let found = run(py, n_jobs, move || {
        parallax::keywords::keyness::keyness(&docs, &counting, &by, &params)
    })?
    .map_err(to_py)?;
    let left_out = docs_left_out(&found);
    let model = &found.model;
    let mut t = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for c in &found.comparisons {
        for r in &c.rows {
            t.0.push(c.target.clone());
            t.1.push(c.reference.clone());
            t.2.push(model.terms()[r.term].clone());
            t.3.push(model.surface(r.term).to_string());
            t.4.push(r.target);
            t.5.push(r.reference);
            t.6.push(r.statistic);
            t.7.push(r.log_ratio);
            t.8.push(r.p_value);
            t.9.push(r.p_adjusted);
        }
    }
    let table = columns(
        py,
        vec![
            ("target", list(py, t.0)?),
            ("reference", list(py, t.1)?),
            ("term", list(py, t.2)?),
            ("surface", list(py, t.3)?),
            ("count_target", list(py, t.4)?),
            ("count_reference", list(py, t.5)?),
            (measure.name(), list(py, t.6)?),
            ("log_ratio", list(py, t.7)?),
            ("p", list(py, t.8)?),
            ("p_adjusted", list(py, t.9)?),
        ],
    )?;
    Ok((table, left_out))
}

fn docs_left_out(found: &parallax::keywords::keyness::Keyness) -> usize {
    found.model.n_docs() as usize - found.grouped_docs
}

/// Report settings from Python, one dict item each (`None` = the default).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct ReportSettings {
    threshold: f32,
    k: usize,
    window_days: Option<u32>,
    measure: String,
    min_count: f64,
    fdr: Option<f64>,
    top: usize,
    period: Option<String>,
    top_sources: usize,
    top_stories: usize,
}

/// The coverage report as its JSON text (what `parallax compare --format json` writes), and the
/// HTML page written atomically to `html` when given.
#[pyfunction]
#[pyo3(signature = (docs, space, by, settings, html, n_jobs))]
fn compare(
    py: Python<'_>,
    docs: &Documents,
    space: Space,
    by: String,
    settings: ReportSettings,
    html: Option<PathBuf>,
    n_jobs: Option<usize>,
) -> PyResult<String> {
    let mut params = CompareParams {
        space: space.document_space(py)?,
        by,
        ..CompareParams::default()
    };
    let report = &mut params.report;
    report.stories.threshold = settings.threshold;
    report.stories.k = settings.k;
    report.stories.window_days = settings.window_days;
    report.keyness.measure = settings
        .measure
        .parse()
        .map_err(|e: String| bad("measure", &settings.measure, &e))?;
    report.keyness.min_count = settings.min_count;
    report.fdr = settings.fdr;
    report.top_terms = settings.top;
    let period = settings.period.as_deref().unwrap_or("auto");
    report.period = Period::choice(period).map_err(|e| bad("period", period, &e))?;
    report.top_sources = settings.top_sources;
    report.top_stories = settings.top_stories;
    let set_aside = docs.report.set_aside.clone();
    let docs = docs.docs.to_vec();
    run(py, n_jobs, move || {
        let report = parallax::compare::compare(docs, &set_aside, &params)?;
        if let Some(path) = &html {
            let page = parallax::compare::html::render(&report);
            parallax::io::atomic::write_atomic(path, |w| {
                std::io::Write::write_all(w, page.as_bytes())
            })?;
        }
        serde_json::to_string(&report)
            .map_err(|e| parallax::Error::input(format!("the report as JSON: {e}")))
    })?
    .map_err(to_py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Documents>()?;
    m.add_function(wrap_pyfunction!(fit_documents, m)?)?;
    m.add_function(wrap_pyfunction!(similar, m)?)?;
    m.add_function(wrap_pyfunction!(stories, m)?)?;
    m.add_function(wrap_pyfunction!(keywords, m)?)?;
    m.add_function(wrap_pyfunction!(keyness, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    Ok(())
}
