//! Throughput of each pipeline stage, in the style of tantivy's `benches/analyzer.rs`.
//!
//! Input is loaded once, outside the timed loops; every timed closure checks its output, so a
//! stage that silently produced nothing would fail the bench instead of looking fast.
//! Throughput is the documents' text bytes (so every stage reads as MB/s of text), except
//! `write_mtx`, which counts the bytes it writes.
//!
//! Data: `../shared/data/20news/20news-bydate.jsonl` next to the repository; if it is absent,
//! the repository's own `corpus/` directory (far smaller, so the figures are not comparable;
//! the group name says which one was measured).
//!
//! `cargo bench --bench pipeline -- --test` runs each benchmark once.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use parallax::analysis::{AnalysisConfig, Analyzer};
use parallax::corpus::{Document, ReadOptions, read_inputs};
use parallax::vectorize::Vectorizer;

/// Documents in the `analyze_terms` subset (`Analyzer::terms` allocates per term, so the whole
/// corpus would make that bench the slowest for no extra information).
const TERMS_SUBSET: usize = 2_000;

/// The benchmark input: the 20news JSONL file, or the repository's `corpus/` directory.
fn input() -> (&'static str, PathBuf) {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let jsonl = manifest.join("../shared/data/20news/20news-bydate.jsonl");
    if jsonl.is_file() {
        ("20news", jsonl)
    } else {
        let fallback = manifest.join("corpus");
        eprintln!(
            "pipeline bench: {} not found; falling back to {} (figures not comparable with 20news)",
            jsonl.display(),
            fallback.display()
        );
        ("corpus-dir", fallback)
    }
}

fn text_bytes<'a>(docs: impl IntoIterator<Item = &'a Document>) -> u64 {
    docs.into_iter().map(|d| d.text.len() as u64).sum()
}

fn pipeline(c: &mut Criterion) {
    let (label, path) = input();
    let paths = [path];
    let options = ReadOptions::default();
    let docs = read_inputs(&paths, &options)
        .expect("read benchmark input")
        .docs;
    assert!(!docs.is_empty(), "no documents in {}", paths[0].display());
    let n_docs = docs.len();
    let bytes = text_bytes(&docs);

    // Evenly spaced over the corpus (20news is sorted by newsgroup), not just the first groups.
    let step = (n_docs / TERMS_SUBSET).max(1);
    let subset: Vec<&Document> = docs.iter().step_by(step).take(TERMS_SUBSET).collect();
    let subset_bytes = text_bytes(subset.iter().copied());

    let analyzer = Analyzer::new(&AnalysisConfig::default()).expect("default analysis config");
    let sklearn = Vectorizer {
        analysis: AnalysisConfig::sklearn(),
        ..Default::default()
    };
    // One fit outside the loops, for `transform` and `write_mtx`.
    let (model, matrix) = Vectorizer::default()
        .fit_transform::<f32>(&docs)
        .expect("fit benchmark corpus");
    assert!(matrix.nnz() > 0);
    let mut mtx = Vec::new();
    matrix
        .write_matrix_market(&mut mtx)
        .expect("write to memory");
    let mtx_len = mtx.len();
    eprintln!(
        "pipeline bench: {label}: {n_docs} documents, {bytes} text bytes, {} terms, {} stored values, {mtx_len} bytes of Matrix Market",
        model.n_terms(),
        matrix.nnz()
    );

    let mut group = c.benchmark_group(label);
    // Two cores and whole-corpus iterations of up to a second or two: few samples, one
    // iteration count for all of them.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .sampling_mode(SamplingMode::Flat);

    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("read_jsonl", |b| {
        b.iter(|| {
            let corpus = read_inputs(black_box(&paths), &options).unwrap();
            assert_eq!(corpus.docs.len(), n_docs);
        })
    });

    group.bench_function("tokenize", |b| {
        let mut spans = Vec::new();
        b.iter(|| {
            let mut n_spans = 0;
            for doc in &docs {
                analyzer.spans_into(black_box(&doc.text), &mut spans);
                n_spans += spans.len();
            }
            assert!(n_spans > 0);
        })
    });

    group.throughput(Throughput::Bytes(subset_bytes));
    group.bench_function("analyze_terms", |b| {
        b.iter(|| {
            let mut n_terms = 0;
            for doc in &subset {
                n_terms += analyzer.terms(black_box(&doc.text)).len();
            }
            assert!(n_terms > 0);
        })
    });

    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("fit_transform_stem", |b| {
        b.iter(|| {
            let (model, matrix) = Vectorizer::default()
                .fit_transform::<f32>(black_box(&docs))
                .unwrap();
            assert!(model.n_terms() > 0);
            assert_eq!(matrix.n_rows(), n_docs);
            assert!(matrix.nnz() > 0);
        })
    });

    group.bench_function("fit_transform_sklearn", |b| {
        b.iter(|| {
            let (model, matrix) = sklearn.fit_transform::<f32>(black_box(&docs)).unwrap();
            assert!(model.n_terms() > 0);
            assert_eq!(matrix.n_rows(), n_docs);
            assert!(matrix.nnz() > 0);
        })
    });

    group.bench_function("transform", |b| {
        b.iter(|| {
            let out = model.transform::<f32>(black_box(&docs));
            assert_eq!(out.n_rows(), n_docs);
            assert!(out.nnz() > 0);
        })
    });

    group.throughput(Throughput::Bytes(mtx_len as u64));
    group.bench_function("write_mtx", |b| {
        b.iter(|| {
            mtx.clear();
            black_box(&matrix).write_matrix_market(&mut mtx).unwrap();
            assert_eq!(mtx.len(), mtx_len);
        })
    });

    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
