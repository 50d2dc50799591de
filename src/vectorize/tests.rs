//! Tests of the vectorizer: fitting, transforming, batches and merged runs.

use super::*;

fn docs(texts: &[&str]) -> Vec<Document> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Document::new(format!("d{i}"), *t))
        .collect()
}

#[test]
fn sklearn_toy_values() {
    // scikit-learn: TfidfVectorizer().fit_transform(["a b b", "b c"]) with 2-letter tokens.
    let v = Vectorizer {
        analysis: AnalysisConfig::sklearn(),
        ..Default::default()
    };
    let (model, m) = v
        .fit_transform::<f64>(&docs(&["aa bb bb", "bb cc"]))
        .unwrap();
    assert_eq!(model.terms(), ["aa", "bb", "cc"]);
    let idf_a = (3.0f64 / 2.0).ln() + 1.0;
    let (w_a, w_b) = (idf_a, 2.0);
    let n = (w_a * w_a + w_b * w_b).sqrt();
    let (cols, vals) = m.row(0);
    assert_eq!(cols, [0, 1]);
    assert!((vals[0] - w_a / n).abs() < 1e-12 && (vals[1] - w_b / n).abs() < 1e-12);
}

#[test]
fn transform_never_changes_the_model() {
    let v = Vectorizer::default();
    let model = v.fit(&docs(&["Troops at the base", "The base"])).unwrap();
    let before = (model.terms().to_vec(), model.df.clone());
    let unknown = docs(&["Unknown words only", "troops"]);
    let Transformed {
        matrix: m, report, ..
    } = model.transform_with::<f32>(&unknown, &TransformOptions::default());
    assert_eq!((model.terms().to_vec(), model.df.clone()), before);
    assert_eq!(m.row(0).0.len(), 0);
    assert_eq!(report.out_of_vocabulary, 2); // "only" is a stop word
    assert_eq!(report.empty_rows, 1);
}

#[test]
fn empty_documents_are_empty_rows() {
    let (_, m) = Vectorizer::default()
        .fit_transform::<f32>(&docs(&["", "Base camp", "   "]))
        .unwrap();
    assert_eq!(m.n_rows(), 3);
    assert!(m.row(0).0.is_empty() && m.row(2).0.is_empty());
}

#[test]
fn pruning_everything_is_an_error() {
    let v = Vectorizer {
        vocabulary: VocabularyParams {
            min_df: DfLimit::Count(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = v.fit(&docs(&["one two", "three"])).unwrap_err();
    assert!(err.to_string().starts_with("empty vocabulary"), "{err}");
}

#[test]
fn surface_form_is_most_frequent() {
    let model = Vectorizer::default()
        .fit(&docs(&["Bases bases base", "bases"]))
        .unwrap();
    assert_eq!(model.surface(model.column("base").unwrap()), "bases");
}

#[test]
fn batches_and_tallies_equal_one_pass() {
    let texts = [
        "Troops remain at the bases.",
        "The base; a BASE, bases!",
        "",
        "Naval bases near the port",
        "Ports, troops and the naval fleet.",
    ];
    let all = docs(&texts);
    for v in [
        Vectorizer::default(),
        Vectorizer {
            analysis: AnalysisConfig {
                ngram_max: 2,
                ..Default::default()
            },
            ..Default::default()
        },
    ] {
        let (model, matrix) = v.fit_transform::<f64>(&all).unwrap();
        // TokenizedChunk in uneven batches, fitted once.
        let mut tokens = v.tokenizer().unwrap();
        tokens.add(&all[..1]);
        tokens.add(&all[1..4]);
        tokens.add(&all[4..]);
        assert_eq!(tokens.n_docs(), 5);
        let (batched, counts, _) = v.fit_tokens(tokens).unwrap();
        let batched_matrix: CsrMatrix<f64> = batched.weigh_counts(&counts, 0..all.len());
        assert_eq!(batched.statistics(), model.statistics());
        assert_eq!(batched_matrix, matrix);
        // Weighed in blocks of rows, appended: the same matrix.
        let mut tokens = v.tokenizer().unwrap();
        tokens.add(&all);
        let (fitted, counts, _) = v.fit_tokens(tokens).unwrap();
        let mut blocks: CsrMatrix<f64> = fitted.weigh_counts(&counts, 0..2);
        blocks.append(&fitted.weigh_counts(&counts, 2..5));
        assert_eq!(blocks, matrix);
        // Statistics summed chunk by chunk through sorted runs.
        let dir = tempfile::tempdir().unwrap();
        let mut runs = v.runs(dir.path()).unwrap();
        runs.add(&all[..2]).unwrap();
        runs.add(&all[2..]).unwrap();
        assert_eq!(runs.n_docs(), 5);
        assert_eq!(
            &runs.finish().unwrap().collect().unwrap(),
            model.statistics()
        );
    }
}

#[test]
fn columns_of_merged_runs_weigh_as_the_fitted_model() {
    let all = shared_stem_docs();
    let mut settings = vec![Vectorizer::default()];
    let mut v = Vectorizer::default();
    v.vocabulary.min_df = DfLimit::Count(2);
    settings.push(v.clone());
    v.vocabulary.max_features = Some(2);
    settings.push(v);
    let mut v = Vectorizer::default();
    v.vocabulary.fixed = Some(vec!["base".into(), "nowher".into(), "troop".into()]);
    settings.push(v);
    let mut v = Vectorizer::default();
    v.analysis.ngram_max = 2;
    v.vocabulary.max_features = Some(5);
    settings.push(v);
    for v in settings {
        let (model, stat_to_col) = v
            .fit_statistics_columns(v.statistics(&all).unwrap())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut runs = v.runs(dir.path()).unwrap();
        let mut released = all.clone();
        let rows: Vec<RunRows> = [0..2, 2..5, 5..all.len()]
            .into_iter()
            .map(|part| runs.add_rows(&mut released[part]).unwrap())
            .collect();
        // The texts went once tokenized; the rest of each document stays.
        assert!(released.iter().all(|d| d.text.is_empty()));
        assert!(released.iter().zip(&all).all(|(r, d)| r.id == d.id));
        let mut merged = runs.finish().unwrap();
        let mut listed = Vec::new();
        let columns = v
            .columns_of_merged(&mut merged, &mut |c, term, surface, df, idf| {
                listed.push((c, term.to_string(), surface.to_string(), df, idf));
                Ok(())
            })
            .unwrap();
        let expected: Vec<_> = (0..model.n_terms())
            .map(|c| {
                let (term, surface) = (model.terms()[c].clone(), model.surface(c).to_string());
                (c, term, surface, model.df(c), model.idf(c))
            })
            .collect();
        assert_eq!(listed, expected, "{v:?}");
        assert_eq!(columns.stored_values, model.fitted_stored_values());
        let pruned = model.statistics().pruned_occurrences(&stat_to_col);
        assert_eq!(columns.pruned_occurrences, pruned);
        let mut weighed: CsrMatrix<f64> = CsrMatrix::new(model.n_terms());
        for (run, chunk) in rows.into_iter().enumerate() {
            let to_col = columns.run_columns(run);
            let counts = Counts::from_terms(chunk.rows, chunk.doc_lens, &to_col);
            weighed.append(&columns.weigh_counts(&counts));
        }
        assert_eq!(weighed, model.transform::<f64>(&all), "{v:?}");
    }
}

#[test]
fn columns_of_merged_runs_follow_chunks_through_merged_groups() {
    // More chunks than a merge takes at once (so runs are merged in groups first), some
    // of them empty.
    let all: Vec<Document> = (0..140)
        .map(|i| match i % 9 {
            0 => Document::new(format!("d{i}"), ""),
            _ => Document::new(format!("d{i}"), format!("word{} shared w{i} Shared", i % 7)),
        })
        .collect();
    let v = Vectorizer::default();
    let model = v.fit(&all).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut runs = v.runs(dir.path()).unwrap();
    let mut released = all.clone();
    let rows: Vec<RunRows> = released
        .chunks_mut(1)
        .map(|d| runs.add_rows(d).unwrap())
        .collect();
    let mut merged = runs.finish().unwrap();
    assert!(merged.n_runs() < all.len());
    let columns = v
        .columns_of_merged(&mut merged, &mut |_, _, _, _, _| Ok(()))
        .unwrap();
    let mut weighed: CsrMatrix<f64> = CsrMatrix::new(model.n_terms());
    for (chunk, counts) in rows.into_iter().enumerate() {
        let to_col = columns.run_columns(chunk);
        let counts = Counts::from_terms(counts.rows, counts.doc_lens, &to_col);
        weighed.append(&columns.weigh_counts(&counts));
    }
    assert_eq!(weighed, model.transform::<f64>(&all));
}

#[test]
fn fitted_model_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<FittedVectorizer>();
}
