//! Numeric parity with scikit-learn, gensim and Spark (fixtures made by the real libraries, see
//! tests/fixtures/parity/README.md), the quanteda formula, and the CLI against the library.

use std::io::Read;
use std::path::{Path, PathBuf};

use parallax::analysis::AnalysisConfig;
use parallax::corpus::{Document, ReadOptions, read_inputs};
use parallax::matrix::CsrMatrix;
use parallax::vectorize::{FittedVectorizer, Idf, Norm, Tf, Vectorizer, Weighting};

use crate::util::{self, arg};

const TOLERANCE: f64 = 1e-6;

#[derive(serde::Deserialize)]
struct Fixture {
    mode: String,
    ids: Vec<String>,
    terms: Vec<String>,
    df: Vec<u64>,
    rows: Vec<Vec<(usize, f64)>>,
}

fn fixture(name: &str) -> Fixture {
    let path = util::root()
        .join("tests/fixtures/parity")
        .join(format!("{name}.json.gz"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_end(&mut json)
        .unwrap();
    serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn settings(mode: &str) -> Vectorizer {
    let (analysis, tf, idf, norm) = match mode {
        "sklearn" => (AnalysisConfig::sklearn(), Tf::Raw, Idf::Smooth, Norm::L2),
        "gensim" => (AnalysisConfig::gensim(), Tf::Raw, Idf::Log2, Norm::L2),
        "spark" => (AnalysisConfig::spark(), Tf::Raw, Idf::Spark, Norm::None),
        other => panic!("unknown mode {other}"),
    };
    Vectorizer {
        analysis,
        weighting: Weighting { tf, idf, norm },
        ..Default::default()
    }
}

fn read(path: &Path) -> Vec<Document> {
    read_inputs(&[path.to_path_buf()], &ReadOptions::default())
        .unwrap()
        .docs
}

fn basil() -> Option<PathBuf> {
    util::shared_data("basil/basil-2010-2014.jsonl")
}

/// Fits parallax in the fixture's mode and compares ids, terms, df and every value.
fn check_parity(name: &str, docs: &[Document]) {
    let want = fixture(name);
    let (model, m) = settings(&want.mode).fit_transform::<f64>(docs).unwrap();
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, want.ids, "{name}: document ids or order");
    if model.terms() != want.terms {
        let only_ours: Vec<_> = model
            .terms()
            .iter()
            .filter(|t| !want.terms.contains(t))
            .take(10)
            .collect();
        let only_theirs: Vec<_> = want
            .terms
            .iter()
            .filter(|t| !model.terms().contains(t))
            .take(10)
            .collect();
        panic!(
            "{name}: terms differ ({} vs {}); only in parallax: {only_ours:?}; only in the fixture: {only_theirs:?}",
            model.n_terms(),
            want.terms.len()
        );
    }
    let df: Vec<u64> = (0..model.n_terms()).map(|c| model.df(c)).collect();
    assert_eq!(df, want.df, "{name}: document frequencies");
    assert_eq!(m.n_rows(), want.rows.len(), "{name}: rows");
    assert_eq!(m.n_cols(), want.terms.len(), "{name}: columns");
    let mut max_diff = 0f64;
    for (r, expected) in want.rows.iter().enumerate() {
        let (cols, vals) = m.row(r);
        let got_cols: Vec<usize> = cols.iter().map(|&c| c as usize).collect();
        let want_cols: Vec<usize> = expected.iter().map(|&(c, _)| c).collect();
        assert_eq!(
            got_cols, want_cols,
            "{name}: stored columns of row {r} ({})",
            want.ids[r]
        );
        for (&(c, w), &v) in expected.iter().zip(vals) {
            let diff = (v - w).abs();
            max_diff = max_diff.max(diff);
            assert!(
                diff <= TOLERANCE,
                "{name}: row {r} ({}) term `{}`: parallax {v} vs {w}",
                want.ids[r],
                want.terms[c]
            );
        }
    }
    eprintln!(
        "{name}: {} rows, {} terms, max |diff| {max_diff:e}",
        m.n_rows(),
        m.n_cols()
    );
}

#[test]
fn corpus_sklearn() {
    check_parity("corpus_sklearn", &read(&util::corpus()));
}

#[test]
fn corpus_gensim() {
    check_parity("corpus_gensim", &read(&util::corpus()));
}

#[test]
fn corpus_spark() {
    check_parity("corpus_spark", &read(&util::corpus()));
}

#[test]
fn basil_sklearn() {
    let Some(path) = basil() else { return };
    check_parity("basil_sklearn", &read(&path));
}

#[test]
fn basil_gensim() {
    let Some(path) = basil() else { return };
    check_parity("basil_gensim", &read(&path));
}

#[test]
fn basil_spark() {
    let Some(path) = basil() else { return };
    check_parity("basil_spark", &read(&path));
}

/// The directory reader orders by relative path and strips front matter as the fixture script
/// does: the body starts right after the closing `---` line.
#[test]
fn corpus_reader_matches_the_fixture_conventions() {
    let docs = read(&util::corpus());
    let article = docs
        .iter()
        .find(|d| d.id == "article")
        .expect("seed article");
    assert!(
        article.text.starts_with("Ahmed al-Sharaa"),
        "{:?}",
        &article.text[..40]
    );
    let llamas = docs
        .iter()
        .find(|d| d.id == "daily-klaxon/escaped-llamas")
        .unwrap();
    assert!(
        llamas.text.starts_with("\nTHREE runaway llamas"),
        "{:?}",
        &llamas.text[..40]
    );
    assert!(!docs.iter().any(|d| d.text.contains("\ntitle: ")));
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(docs.len(), 28, "README.md is not a document");
}

/// quanteda `dfm_tfidf()`: count · log10(N / df), no normalization, zeros dropped.
#[test]
fn quanteda_formula() {
    let docs = read(&util::corpus());
    let with = |tf, idf, norm| Vectorizer {
        weighting: Weighting { tf, idf, norm },
        ..Default::default()
    };
    let (counts_model, counts) = with(Tf::Raw, Idf::None, Norm::None)
        .fit_transform::<f64>(&docs)
        .unwrap();
    let (model, m) = with(Tf::Raw, Idf::Log10, Norm::None)
        .fit_transform::<f64>(&docs)
        .unwrap();
    assert_eq!(model.terms(), counts_model.terms());
    let n = docs.len() as f64;
    let mut zero_idf_terms = 0;
    for c in 0..model.n_terms() {
        assert_eq!(model.df(c), counts_model.df(c));
        if model.df(c) == docs.len() as u64 {
            zero_idf_terms += 1;
        }
    }
    assert!(
        zero_idf_terms > 0,
        "corpus/ should have a term in every document (its weight is 0)"
    );
    for r in 0..m.n_rows() {
        let (cc, cv) = counts.row(r);
        let expected: Vec<(u32, f64)> = cc
            .iter()
            .zip(cv)
            .map(|(&c, &count)| {
                assert!(
                    count >= 1.0 && count.fract() == 0.0,
                    "raw counts are whole numbers: {count}"
                );
                (c, count * (n / model.df(c as usize) as f64).log10())
            })
            .filter(|&(_, w)| w != 0.0)
            .collect();
        let (gc, gv) = m.row(r);
        assert_eq!(
            gc,
            expected.iter().map(|e| e.0).collect::<Vec<_>>(),
            "row {r} columns"
        );
        for (&(c, w), &v) in expected.iter().zip(gv) {
            assert!((v - w).abs() <= 1e-12, "row {r} col {c}: {v} vs {w}");
        }
    }
}

/// The library weights of a model, checked against `vocabulary.tsv` and `documents.tsv`.
fn check_tables(dir: &Path, model: &FittedVectorizer, docs: &[Document]) {
    let vocab = util::read_tsv(&dir.join("vocabulary.tsv"));
    assert_eq!(vocab.rows.len(), model.n_terms());
    for (c, row) in vocab.rows.iter().enumerate() {
        assert_eq!(row[0], c.to_string());
        assert_eq!(row[1], model.terms()[c]);
        assert_eq!(row[2], model.surface(c));
        assert_eq!(row[3], model.df(c).to_string());
        assert_eq!(
            row[4].parse::<f64>().unwrap(),
            model.idf(c),
            "idf of {}",
            row[1]
        );
    }
    let documents = util::read_tsv(&dir.join("documents.tsv"));
    assert_eq!(
        documents.column("id"),
        docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>()
    );
}

fn matrix_rows<V: parallax::matrix::Value>(m: &CsrMatrix<V>) -> Vec<Vec<(usize, f64)>> {
    (0..m.n_rows())
        .map(|r| {
            let (c, v) = m.row(r);
            c.iter()
                .zip(v)
                .map(|(&c, &v)| (c as usize, v.to_f64()))
                .collect()
        })
        .collect()
}

/// `vectorize --compat sklearn` writes exactly what the library computes, in f64 and in f32.
#[test]
fn cli_sklearn_equals_library() {
    let corpus = util::corpus();
    let docs = read(&corpus);
    let settings = settings("sklearn");
    let (model, m64) = settings.fit_transform::<f64>(&docs).unwrap();
    let (_, m32) = settings.fit_transform::<f32>(&docs).unwrap();
    let dir = util::tempdir();
    for (out, dtype) in [("f64", "f64"), ("f32", "f32")] {
        util::run_in(
            dir.path(),
            &[
                "vectorize",
                arg(&corpus),
                "--out",
                out,
                "--compat",
                "sklearn",
                "--dtype",
                dtype,
            ],
        )
        .ok();
        let path = dir.path().join(out).join("matrix.mtx");
        let mtx = util::read_mtx(&path);
        assert_eq!(mtx.header, "%%MatrixMarket matrix coordinate real general");
        assert_eq!((mtx.n_rows, mtx.n_cols), (m64.n_rows(), m64.n_cols()));
        // Shortest round-trip decimals: the values read back are the stored values exactly.
        if dtype == "f64" {
            assert_eq!(mtx.rows(), matrix_rows(&m64));
        } else {
            let positions: Vec<Vec<usize>> = mtx
                .rows()
                .iter()
                .map(|r| r.iter().map(|e| e.0).collect())
                .collect();
            let expected: Vec<Vec<usize>> = matrix_rows(&m32)
                .iter()
                .map(|r| r.iter().map(|e| e.0).collect())
                .collect();
            assert_eq!(positions, expected);
            assert_eq!(util::read_mtx_f32(&path), m32.parts().2);
        }
        check_tables(&dir.path().join(out), &model, &docs);
    }
}

/// parallax stems English ASCII words with its own Porter2; every word of 20 Newsgroups and
/// BASIL must get the stem rust-stemmers gives.
#[test]
fn english_stems_match_rust_stemmers_on_real_text() {
    use parallax::analysis::{Analyzer, Filter, Language};
    let (Some(news), Some(basil)) = (util::shared_data("20news/20news-bydate.jsonl"), basil())
    else {
        return;
    };
    let mut config = AnalysisConfig::for_language(Language::English);
    config
        .filters
        .retain(|f| !matches!(f, Filter::StopWords { .. }));
    let analyzer = Analyzer::new(&config).unwrap();
    let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut seen = std::collections::HashSet::new();
    for doc in read(&news).iter().chain(&read(&basil)) {
        for token in analyzer.analyze(&doc.text) {
            let lower = token.surface.to_lowercase();
            if seen.insert(lower.clone()) {
                let expected = reference.stem(&lower);
                assert_eq!(token.term.as_deref(), Some(&*expected), "{lower}");
            }
        }
    }
    // Enough distinct words that the test means something.
    assert!(seen.len() > 150_000, "{} distinct words", seen.len());
}
