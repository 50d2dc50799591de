//! `parallax._parallax`: the glue between Python and the parallax library.
//!
//! Every call into the Rust library lives in this crate, so a change of the library's names
//! is adapted here and nowhere else: this file holds the scikit-learn vectorizers' calls, the
//! model and the runner; `tasks.rs` the documents and the tasks (similar, stories, keywords,
//! keyness, compare). The Python side (`parallax/sklearn.py`, `parallax/_api.py`) validates
//! parameters and hands over plain values; the glue turns them into parallax settings, runs
//! the work without the GIL (in a rayon pool of `n_jobs` threads, Ctrl-C honoured), and hands
//! results back: CSR arrays to numpy without copying them, tables as columns.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

mod tasks;

use numpy::{Element, IntoPyArray, PyArray1};
use parallax::analysis::{AnalysisConfig, Language, StopWords as StopWordSet, stopwords};
use parallax::corpus::Document;
use parallax::matrix::{CsrMatrix, Value};
use parallax::vectorize::{
    DfLimit, FittedVectorizer, Idf, Norm, Preset, Tf, Vectorizer, VocabularyParams, Weighting,
};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// A parallax error as a Python exception: files → OSError, everything else → ValueError,
/// with parallax's whole message (file, line, field, reason).
fn to_py(e: parallax::Error) -> PyErr {
    match e {
        parallax::Error::Io { .. } => PyOSError::new_err(e.message()),
        _ => PyValueError::new_err(e.message()),
    }
}

fn bad(name: &str, value: impl std::fmt::Debug, reason: &str) -> PyErr {
    PyValueError::new_err(format!("invalid parameter `{name}` = {value:?}: {reason}"))
}

/// Stop words as Python gives them: a list's name or the words.
#[derive(FromPyObject)]
enum StopWords {
    Name(String),
    Words(Vec<String>),
}

/// The settings `parallax/sklearn.py` sends, one dict item each (all present, `None` allowed).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Settings {
    compat: String,
    language: String,
    stem: Option<bool>,
    lowercase: bool,
    stop_words: Option<StopWords>,
    ngram_range: (usize, usize),
    min_df: (String, f64),
    max_df: (String, f64),
    max_features: Option<usize>,
    vocabulary: Option<Vec<String>>,
    tf: String,
    idf: String,
    norm: String,
}

/// Stop words given as a list of words.
fn word_list(words: &[String]) -> StopWordSet {
    StopWordSet {
        name: "list".to_string(),
        words: words.iter().cloned().collect(),
    }
}

/// A document-frequency limit as Python sends it: (`count` or `proportion`, value).
fn df_limit(name: &str, (kind, value): &(String, f64)) -> PyResult<DfLimit> {
    match kind.as_str() {
        "count" => Ok(DfLimit::Count(*value as u64)),
        "proportion" => Ok(DfLimit::Proportion(*value)),
        _ => Err(bad(name, kind, "kind must be `count` or `proportion`")),
    }
}

/// The analysis: the compat mode's settings, with lowercase, stop words, stemming and n-grams
/// laid over them; `AnalysisSettings` puts each filter in its place.
fn analysis(s: &Settings) -> PyResult<AnalysisConfig> {
    let language: Language = s
        .language
        .parse()
        .map_err(|e: String| bad("language", &s.language, &e))?;
    let preset = match s.compat.as_str() {
        "sklearn" => Preset::Sklearn,
        "parallax" => Preset::Parallax,
        other => return Err(bad("compat", other, "supported: 'sklearn', 'parallax'")),
    };
    let mut settings = preset.analysis(language);
    settings.lowercase = s.lowercase;
    if let Some(stop) = &s.stop_words {
        settings.stop_words = Some(match stop {
            StopWords::Name(n) if n == "english" => StopWordSet {
                name: "sklearn".to_string(),
                words: stopwords::sklearn_english(),
            },
            StopWords::Name(n) => {
                return Err(bad("stop_words", n, "supported: 'english' or a list"));
            }
            StopWords::Words(w) => word_list(w),
        });
    }
    // None keeps what the compat mode does (sklearn: no stemming; parallax: stemming).
    if let Some(stem) = s.stem {
        settings.stem = stem.then_some(language);
    }
    (settings.ngram_min, settings.ngram_max) = s.ngram_range;
    settings.config().map_err(to_py)
}

/// A term-frequency name: raw, binary or log.
fn tf(name: &str) -> PyResult<Tf> {
    match name {
        "raw" => Ok(Tf::Raw),
        "binary" => Ok(Tf::Binary),
        "log" => Ok(Tf::Log),
        other => Err(bad("tf", other, "supported: raw, binary, log")),
    }
}

fn vectorizer(s: &Settings) -> PyResult<Vectorizer> {
    let tf = tf(&s.tf)?;
    let idf: Idf = s.idf.parse().map_err(|e: String| bad("idf", &s.idf, &e))?;
    let norm: Norm = s
        .norm
        .parse()
        .map_err(|e: String| bad("norm", &s.norm, &e))?;
    let vocabulary = VocabularyParams {
        min_df: df_limit("min_df", &s.min_df)?,
        max_df: df_limit("max_df", &s.max_df)?,
        max_features: s.max_features,
        fixed: s.vocabulary.clone(),
    };
    vocabulary.validate().map_err(to_py)?;
    Ok(Vectorizer {
        analysis: analysis(s)?,
        vocabulary,
        weighting: Weighting { tf, idf, norm },
    })
}

fn documents(texts: Vec<String>) -> Vec<Document> {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| Document::new(i.to_string(), t))
        .collect()
}

/// The rayon pool of `n_jobs` threads (`None`: rayon's global pool, one thread a core),
/// capped as the CLI caps `--threads` (more only share the cores and cost memory).
fn pool(n_jobs: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    n_jobs
        .map(|n| {
            let n = parallax::threads::capped(n, parallax::threads::available_cores());
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| bad("n_jobs", n, &e.to_string()))
        })
        .transpose()
}

/// Runs `work` (in a pool of `n_jobs` threads) on a thread of its own while the calling thread
/// waits without the GIL, looking at Python's signal handlers every 50 ms, so that Ctrl-C
/// raises `KeyboardInterrupt` at once. Interrupted work cannot be stopped inside the library:
/// it finishes in the background and its result is dropped.
fn run<T: Send + 'static>(
    py: Python<'_>,
    n_jobs: Option<usize>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let pool = pool(n_jobs)?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("parallax".into())
        .spawn(move || {
            let out = std::panic::catch_unwind(AssertUnwindSafe(move || match pool {
                Some(pool) => pool.install(work),
                None => work(),
            }));
            let _ = tx.send(out);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let mut rx = rx;
    loop {
        // The receiver moves in and out: it may be sent to another thread, not shared.
        let (back, got) = py.detach(move || {
            let got = rx.recv_timeout(Duration::from_millis(50));
            (rx, got)
        });
        rx = back;
        match got {
            Ok(Ok(out)) => return Ok(out),
            Ok(Err(panic)) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                return Err(PyRuntimeError::new_err(format!(
                    "parallax stopped on an internal error (please report it): {what}"
                )));
            }
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "parallax's worker thread ended early",
                ));
            }
        }
    }
}

/// Column indices and row pointers as scipy keeps them: int32 when everything fits, as
/// scikit-learn does (scipy would otherwise cast, that is copy, them itself).
enum Index {
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl Index {
    fn into_py(self, py: Python<'_>) -> Bound<'_, PyAny> {
        match self {
            Index::I32(v) => PyArray1::from_vec(py, v).into_any(),
            Index::I64(v) => PyArray1::from_vec(py, v).into_any(),
        }
    }
}

/// A matrix taken apart for scipy: (data, indices, indptr, (rows, cols)).
struct Csr<V> {
    data: Vec<V>,
    indices: Index,
    indptr: Index,
    shape: (usize, usize),
}

impl<V: Value + Element> Csr<V> {
    /// Runs without the GIL; the index conversions reuse the vectors where sizes match.
    fn new(m: CsrMatrix<V>) -> Csr<V> {
        let shape = (m.n_rows(), m.n_cols());
        let (indptr, indices, data) = m.into_parts();
        let small = indices.len() <= i32::MAX as usize && shape.1 <= i32::MAX as usize;
        let (indices, indptr) = if small {
            (
                Index::I32(indices.into_iter().map(|c| c as i32).collect()),
                Index::I32(indptr.into_iter().map(|p| p as i32).collect()),
            )
        } else {
            (
                Index::I64(indices.into_iter().map(i64::from).collect()),
                Index::I64(indptr.into_iter().map(|p| p as i64).collect()),
            )
        };
        Csr {
            data,
            indices,
            indptr,
            shape,
        }
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        (
            self.data.into_pyarray(py),
            self.indices.into_py(py),
            self.indptr.into_py(py),
            self.shape,
        )
            .into_pyobject(py)
    }
}

/// A fitted parallax model (`FittedVectorizer`).
#[pyclass(frozen, module = "parallax._parallax")]
struct Model {
    inner: Arc<FittedVectorizer>,
}

impl Model {
    fn new(inner: FittedVectorizer) -> Model {
        Model {
            inner: Arc::new(inner),
        }
    }
}

fn transform_as<'py, V: Value + Element>(
    py: Python<'py>,
    model: &Arc<FittedVectorizer>,
    docs: Vec<Document>,
    n_jobs: Option<usize>,
) -> PyResult<Bound<'py, PyTuple>> {
    let model = Arc::clone(model);
    let csr = run(py, n_jobs, move || Csr::new(model.transform::<V>(&docs)))?;
    csr.into_py(py)
}

fn fit_as<'py, V: Value + Element>(
    py: Python<'py>,
    vectorizer: Vectorizer,
    docs: Vec<Document>,
    n_jobs: Option<usize>,
) -> PyResult<(Model, Bound<'py, PyTuple>)> {
    let (model, csr) = run(py, n_jobs, move || {
        let (model, m) = vectorizer.fit_transform::<V>(&docs)?;
        Ok::<_, parallax::Error>((model, Csr::new(m)))
    })?
    .map_err(to_py)?;
    Ok((Model::new(model), csr.into_py(py)?))
}

/// Fits on `texts`; with `transform`, also returns the matrix of the same texts as
/// (data, indices, indptr, shape) in `dtype` ('float32' or 'float64').
#[pyfunction]
#[pyo3(signature = (texts, settings, dtype, n_jobs, transform))]
fn fit<'py>(
    py: Python<'py>,
    texts: Vec<String>,
    settings: Settings,
    dtype: &str,
    n_jobs: Option<usize>,
    transform: bool,
) -> PyResult<(Model, Option<Bound<'py, PyTuple>>)> {
    let vectorizer = vectorizer(&settings)?;
    let docs = documents(texts);
    if !transform {
        let model = run(py, n_jobs, move || vectorizer.fit(&docs))?.map_err(to_py)?;
        return Ok((Model::new(model), None));
    }
    let (model, csr) = match dtype {
        "float32" => fit_as::<f32>(py, vectorizer, docs, n_jobs)?,
        "float64" => fit_as::<f64>(py, vectorizer, docs, n_jobs)?,
        other => return Err(bad("dtype", other, "supported: float32, float64")),
    };
    Ok((model, Some(csr)))
}

#[pymethods]
impl Model {
    /// The matrix of `texts` as (data, indices, indptr, shape).
    #[pyo3(signature = (texts, dtype, n_jobs))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        dtype: &str,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let docs = documents(texts);
        match dtype {
            "float32" => transform_as::<f32>(py, &self.inner, docs, n_jobs),
            "float64" => transform_as::<f64>(py, &self.inner, docs, n_jobs),
            other => Err(bad("dtype", other, "supported: float32, float64")),
        }
    }

    /// The terms, one a column, sorted.
    fn terms(&self) -> Vec<String> {
        self.inner.terms().to_vec()
    }

    /// The most frequent surface form of each column's term.
    fn surfaces(&self) -> Vec<String> {
        self.inner.surfaces().to_vec()
    }

    /// The idf of each column.
    fn idf<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let idf: Vec<f64> = (0..self.inner.n_terms())
            .map(|c| self.inner.idf(c))
            .collect();
        PyArray1::from_vec(py, idf)
    }

    /// Documents seen at fit.
    fn n_docs(&self) -> u64 {
        self.inner.n_docs()
    }

    /// The model as parallax's model JSON (what `parallax vectorize --save-model` writes).
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &parallax::io::model::to_json(&self.inner))
    }

    /// The matrix of documents (their ids, titles and dates do not matter) as (data, indices,
    /// indptr, shape).
    #[pyo3(signature = (docs, dtype, n_jobs))]
    fn transform_documents<'py>(
        &self,
        py: Python<'py>,
        docs: &tasks::Documents,
        dtype: &str,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let docs = docs.docs.to_vec();
        match dtype {
            "float32" => transform_as::<f32>(py, &self.inner, docs, n_jobs),
            "float64" => transform_as::<f64>(py, &self.inner, docs, n_jobs),
            other => Err(bad("dtype", other, "supported: float32, float64")),
        }
    }

    /// This model refitted with `docs` added (its own settings): what `fit --update` does.
    #[pyo3(signature = (docs, n_jobs))]
    fn update(
        &self,
        py: Python<'_>,
        docs: &tasks::Documents,
        n_jobs: Option<usize>,
    ) -> PyResult<Model> {
        let (model, docs) = (Arc::clone(&self.inner), Arc::clone(&docs.docs));
        let updated = run(py, n_jobs, move || model.update(&docs))?.map_err(to_py)?;
        Ok(Model::new(updated))
    }

    /// Saves the model as parallax's model JSON, atomically (what the CLI reads with --model).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let model = Arc::clone(&self.inner);
        py.detach(|| parallax::io::model::save(&model, &path))
            .map_err(to_py)
    }

    /// Reads a model saved by `save` or by the CLI (`fit`, `vectorize --save-model`).
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Model> {
        let model = py
            .detach(|| parallax::io::model::load(&path))
            .map_err(to_py)?;
        Ok(Model::new(model))
    }

    /// One model of the documents of several (same analysis), with the first one's vocabulary
    /// and weighting settings.
    #[staticmethod]
    fn merge(models: Vec<PyRef<'_, Model>>) -> PyResult<Model> {
        let Some(first) = models.first() else {
            return Err(bad("models", "[]", "give at least one model"));
        };
        let settings = Vectorizer::of(&first.inner);
        let models: Vec<FittedVectorizer> = models.iter().map(|m| (*m.inner).clone()).collect();
        let merged = parallax::vectorize::merge_models(&models, &settings).map_err(to_py)?;
        Ok(Model::new(merged))
    }

    /// Reads a model from parallax's model JSON, checking it as the CLI does.
    #[staticmethod]
    fn from_json(bytes: &[u8]) -> PyResult<Model> {
        let inner = parallax::io::model::from_json(bytes, Path::new("<pickle>")).map_err(to_py)?;
        Ok(Model::new(inner))
    }
}

/// parallax's built-in stop words for a language name, sorted ('sklearn' gives scikit-learn's).
#[pyfunction]
fn stop_words(language: &str) -> PyResult<Vec<String>> {
    if language == "sklearn" {
        return Ok(stopwords::sklearn_english().into_iter().collect());
    }
    let language: Language = language
        .parse()
        .map_err(|e: String| bad("language", language, &e))?;
    Ok(stopwords::builtin(language).into_iter().collect())
}

/// The compiled part of the `parallax` Python package.
#[pymodule]
fn _parallax(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(stop_words, m)?)?;
    tasks::register(m)?;
    m.add_class::<Model>()?;
    Ok(())
}
