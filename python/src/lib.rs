//! `parallax._parallax`: the glue between Python and the parallax library.
//!
//! Every call into the Rust library lives in this one file, so a change of the library's names
//! is adapted here and nowhere else. The Python side (`parallax/sklearn.py`) validates
//! scikit-learn's parameters and hands over plain values; this file turns them into parallax
//! settings, runs the work with the GIL released (in a rayon pool of `n_jobs` threads), and
//! hands the CSR arrays to numpy without copying them.

use std::path::Path;

use numpy::{Element, IntoPyArray, PyArray1};
use parallax::analysis::{AnalysisConfig, Language, StopWords as StopWordSet, stopwords};
use parallax::corpus::Document;
use parallax::matrix::{CsrMatrix, Value};
use parallax::vectorize::{
    DfLimit, FittedVectorizer, Idf, Norm, Preset, Tf, Vectorizer, VocabularyParams, Weighting,
};
use pyo3::exceptions::{PyOSError, PyValueError};
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

/// Stop words as Python gives them: a built-in list's name or the words.
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
            StopWords::Words(w) => StopWordSet {
                name: "list".to_string(),
                words: w.iter().cloned().collect(),
            },
        });
    }
    // None keeps what the compat mode does (sklearn: no stemming; parallax: stemming).
    if let Some(stem) = s.stem {
        settings.stem = stem.then_some(language);
    }
    (settings.ngram_min, settings.ngram_max) = s.ngram_range;
    settings.config().map_err(to_py)
}

fn vectorizer(s: &Settings) -> PyResult<Vectorizer> {
    let tf = match s.tf.as_str() {
        "raw" => Tf::Raw,
        "binary" => Tf::Binary,
        "log" => Tf::Log,
        other => return Err(bad("tf", other, "supported: raw, binary, log")),
    };
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

/// Runs `f` in a pool of `n_jobs` threads (`None`: rayon's global pool, one thread a core).
fn in_pool<T: Send>(n_jobs: Option<usize>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    match n_jobs {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| bad("n_jobs", n, &e.to_string()))?;
            Ok(pool.install(f))
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
    inner: FittedVectorizer,
}

fn transform_as<'py, V: Value + Element>(
    py: Python<'py>,
    model: &FittedVectorizer,
    docs: Vec<Document>,
    n_jobs: Option<usize>,
) -> PyResult<Bound<'py, PyTuple>> {
    let csr = py.detach(|| in_pool(n_jobs, || Csr::new(model.transform::<V>(&docs))))?;
    csr.into_py(py)
}

fn fit_as<'py, V: Value + Element>(
    py: Python<'py>,
    vectorizer: Vectorizer,
    docs: Vec<Document>,
    n_jobs: Option<usize>,
) -> PyResult<(Model, Bound<'py, PyTuple>)> {
    let (model, csr) = py
        .detach(|| {
            in_pool(n_jobs, || {
                let (model, m) = vectorizer.fit_transform::<V>(&docs)?;
                Ok::<_, parallax::Error>((model, Csr::new(m)))
            })
        })?
        .map_err(to_py)?;
    Ok((Model { inner: model }, csr.into_py(py)?))
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
        let model = py
            .detach(|| in_pool(n_jobs, || vectorizer.fit(&docs)))?
            .map_err(to_py)?;
        return Ok((Model { inner: model }, None));
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

    /// Reads a model from parallax's model JSON, checking it as the CLI does.
    #[staticmethod]
    fn from_json(bytes: &[u8]) -> PyResult<Model> {
        let inner = parallax::io::model::from_json(bytes, Path::new("<pickle>")).map_err(to_py)?;
        Ok(Model { inner })
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

/// Reads documents from paths (directories, JSONL, CSV/TSV, text files, `.gz`) with the CLI's
/// defaults; returns (id, text, title, source, date, meta) per document, in input order.
#[pyfunction]
fn read_corpus(py: Python<'_>, paths: Vec<std::path::PathBuf>) -> PyResult<Vec<DocumentRow>> {
    let options = parallax::corpus::ReadOptions::default();
    let corpus = py
        .detach(|| parallax::corpus::read_inputs(&paths, &options))
        .map_err(to_py)?;
    Ok(corpus
        .docs
        .into_iter()
        .map(|d| (d.id, d.text, d.title, d.source, d.date, d.meta))
        .collect())
}

type DocumentRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    std::collections::BTreeMap<String, String>,
);

/// The compiled part of the `parallax` Python package.
#[pymodule]
fn _parallax(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(stop_words, m)?)?;
    m.add_function(wrap_pyfunction!(read_corpus, m)?)?;
    m.add_class::<Model>()?;
    Ok(())
}
