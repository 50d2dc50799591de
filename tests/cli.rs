//! End-to-end runs of the real binary: output files, determinism across thread counts, fit and
//! transform, stats, the 20 Newsgroups corpus, stop words and languages, gzip and CSV input.

use std::path::Path;

use crate::util::{
    self, Tsv, arg, assert_same_bytes, assert_same_outputs, read_mtx, read_tsv, run_in, write,
};

const MTX_HEADER: &str = "%%MatrixMarket matrix coordinate real general";

/// Checks the three files of an output directory against each other; returns them.
fn check_output(dir: &Path) -> (util::Mtx, Tsv, Tsv) {
    let mtx = read_mtx(&dir.join("matrix.mtx"));
    assert_eq!(mtx.header, MTX_HEADER);
    let vocab = read_tsv(&dir.join("vocabulary.tsv"));
    assert_eq!(vocab.header.join("\t"), "column\tterm\tsurface\tdf\tidf");
    let docs = read_tsv(&dir.join("documents.tsv"));
    assert_eq!(docs.header.join("\t"), "row\tid\tsource\ttitle");
    assert_eq!(mtx.n_rows, docs.rows.len(), "matrix rows vs documents.tsv");
    assert_eq!(
        mtx.n_cols,
        vocab.rows.len(),
        "matrix columns vs vocabulary.tsv"
    );
    for (i, row) in docs.rows.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
    }
    for (i, row) in vocab.rows.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
    }
    // Entries in row-major order with strictly increasing columns.
    for w in mtx.entries.windows(2) {
        assert!(
            (w[0].0, w[0].1) < (w[1].0, w[1].1),
            "entries out of order: {w:?}"
        );
    }
    (mtx, vocab, docs)
}

fn corpus() -> String {
    arg(&util::corpus()).to_string()
}

// (a) -----------------------------------------------------------------------------------------

#[test]
fn vectorize_corpus_writes_consistent_files() {
    let (dir, run) = util::run(&["vectorize", &corpus(), "--out", "out"]);
    run.ok();
    let out = dir.path().join("out");
    let (mtx, vocab, docs) = check_output(&out);
    assert_eq!(mtx.n_rows, 28);

    // Terms are sorted and unique; df within 1..=N; idf decreasing in df (smooth idf).
    let terms = vocab.column("term");
    assert!(
        terms.windows(2).all(|w| w[0] < w[1]),
        "terms not sorted and unique"
    );
    let df: Vec<usize> = vocab
        .column("df")
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    let idf: Vec<f64> = vocab
        .column("idf")
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    assert!(df.iter().all(|&d| (1..=28).contains(&d)));
    for c in 0..df.len() {
        let expected = (29.0 / (1.0 + df[c] as f64)).ln() + 1.0;
        assert!(
            (idf[c] - expected).abs() < 1e-12,
            "idf of {}: {} vs {expected}",
            terms[c],
            idf[c]
        );
    }
    // df equals the number of rows with a value in that column.
    let mut seen = vec![0usize; df.len()];
    for &(_, c, v) in &mtx.entries {
        assert!(v > 0.0 && v <= 1.0 && v.is_finite(), "weight {v}");
        seen[c] += 1;
    }
    assert_eq!(seen, df, "df vs matrix columns");
    // Rows are L2-normalized.
    for (r, row) in mtx.rows().iter().enumerate() {
        let norm: f64 = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "row {r} norm {norm}");
    }

    // Surface forms are readable words: the most frequent original form of each stem.
    let surface = |term: &str| {
        vocab.rows[vocab
            .column("term")
            .iter()
            .position(|t| *t == term)
            .unwrap()][2]
            .clone()
    };
    for (stem, word) in [
        ("militari", "military"),
        ("compani", "company"),
        ("citi", "city"),
        ("communiti", "community"),
        ("busi", "business"),
    ] {
        assert_eq!(surface(stem), word, "surface of {stem}");
    }
    for row in &vocab.rows {
        let (term, surface) = (&row[1], &row[2]);
        let stem_prefix: String = term.chars().take(term.chars().count() - 1).collect();
        assert!(
            surface.to_lowercase().starts_with(&stem_prefix),
            "surface `{surface}` does not read as term `{term}`"
        );
    }

    // The seed article, with its title and no source; the outlets as sources.
    let article = docs
        .rows
        .iter()
        .find(|r| r[1] == "article")
        .expect("article row");
    assert_eq!(
        article[3],
        "Syria’s new leader says Russia’s military bases may remain"
    );
    assert_eq!(article[2], "");
    let sources: std::collections::BTreeSet<&str> = docs.column("source").into_iter().collect();
    assert_eq!(
        sources.into_iter().collect::<Vec<_>>(),
        [
            "",
            "amsel-ledger",
            "commoner-weekly",
            "daily-klaxon",
            "radio-tarrowmere"
        ]
    );
    // The article row holds `militari`.
    let row: usize = article[0].parse().unwrap();
    let col = terms.iter().position(|t| *t == "militari").unwrap();
    assert!(mtx.entries.iter().any(|&(r, c, _)| r == row && c == col));
}

// (b) -----------------------------------------------------------------------------------------

fn same_for_thread_counts(input: &str) {
    let dir = util::tempdir();
    let d = dir.path();
    for n in ["1", "2"] {
        run_in(
            d,
            &[
                "--threads",
                n,
                "vectorize",
                input,
                "--out",
                &format!("v{n}"),
            ],
        )
        .ok();
        run_in(
            d,
            &[
                "--threads",
                n,
                "fit",
                input,
                "--model",
                &format!("m{n}.json"),
            ],
        )
        .ok();
    }
    assert_same_outputs(&d.join("v1"), &d.join("v2"));
    assert_same_bytes(&d.join("m1.json"), &d.join("m2.json"));
    check_output(&d.join("v1"));
}

#[test]
fn threads_give_identical_bytes_on_corpus() {
    same_for_thread_counts(&corpus());
}

#[test]
fn threads_give_identical_bytes_on_20news() {
    let Some(path) = util::shared_data("20news/20news-bydate.jsonl") else {
        return;
    };
    same_for_thread_counts(arg(&path));
}

// (c) -----------------------------------------------------------------------------------------

#[test]
fn fit_then_transform_equals_vectorize() {
    let dir = util::tempdir();
    let d = dir.path();
    run_in(d, &["vectorize", &corpus(), "--out", "d1"]).ok();
    run_in(d, &["fit", &corpus(), "--model", "m.json"]).ok();
    run_in(
        d,
        &["transform", &corpus(), "--model", "m.json", "--out", "d2"],
    )
    .ok();
    assert_same_outputs(&d.join("d1"), &d.join("d2"));
    // `vectorize --model` saves the same model as `fit`.
    run_in(
        d,
        &["vectorize", &corpus(), "--out", "d3", "--model", "m3.json"],
    )
    .ok();
    assert_same_bytes(&d.join("m.json"), &d.join("m3.json"));
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("m.json")).unwrap()).unwrap();
    assert_eq!(model["format"], "parallax-model");
    assert_eq!(model["n_docs"], 28);
}

#[test]
fn transform_new_document_leaves_model_untouched() {
    let dir = util::tempdir();
    let d = dir.path();
    run_in(d, &["fit", &corpus(), "--model", "m.json"]).ok();
    let before = std::fs::read(d.join("m.json")).unwrap();
    write(
        d,
        "new.jsonl",
        "{\"id\": \"new\", \"title\": \"Fresh\", \"text\": \"Zorblaxian quintessentially flibbertigibbets the military.\"}\n",
    );
    let run = run_in(
        d,
        &["transform", "new.jsonl", "--model", "m.json", "--out", "o"],
    )
    .ok();
    assert_eq!(
        std::fs::read(d.join("m.json")).unwrap(),
        before,
        "transform changed the model"
    );
    // Three unknown words; `the` is a stop word; `military` is known.
    assert!(
        run.stderr.contains("3 token(s) outside the vocabulary"),
        "stderr:\n{}",
        run.stderr
    );
    let (mtx, vocab, docs) = check_output(&d.join("o"));
    assert_eq!(docs.column("id"), ["new"]);
    assert_eq!(docs.column("title"), ["Fresh"]);
    let col = vocab
        .column("term")
        .iter()
        .position(|t| *t == "militari")
        .unwrap();
    assert_eq!(mtx.entries, [(0, col, 1.0)]);
    // The vocabulary written is the model's, unchanged.
    run_in(d, &["vectorize", &corpus(), "--out", "full"]).ok();
    assert_same_bytes(&d.join("o/vocabulary.tsv"), &d.join("full/vocabulary.tsv"));
}

// (d) -----------------------------------------------------------------------------------------

#[test]
fn stats_corpus_json() {
    let (_dir, run) = util::run(&["stats", &corpus(), "--format", "json"]);
    let stats: serde_json::Value = serde_json::from_str(&run.ok().stdout).unwrap();
    assert_eq!(stats["documents"], 28);
    assert_eq!(stats["empty_documents"], 0);
    assert_eq!(stats["skipped_records"], 0);
    let sources = stats["sources"].as_object().unwrap();
    assert_eq!(sources.len(), 4);
    assert_eq!(
        sources.values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
        27
    );
    assert_eq!(stats["without_source"], 1);
    assert_eq!(stats["first_date"], "2026-03-03");
    assert_eq!(stats["last_date"], "2026-04-17");
    assert_eq!(stats["without_date"], 1);
    let (tokens, terms) = (
        stats["tokens"].as_u64().unwrap(),
        stats["terms"].as_u64().unwrap(),
    );
    assert!(
        terms > 0 && terms < tokens,
        "kept terms {terms} vs tokens {tokens}"
    );
    // Types is the vocabulary size of a default vectorize run.
    let (dir, run) = util::run(&["vectorize", &corpus(), "--out", "o"]);
    run.ok();
    let vocab = read_tsv(&dir.path().join("o/vocabulary.tsv"));
    assert_eq!(stats["types"], vocab.rows.len());
    let chars: u64 = parallax::corpus::read_inputs(&[util::corpus()], &Default::default())
        .unwrap()
        .docs
        .iter()
        .map(|d| d.text.chars().count() as u64)
        .sum();
    assert_eq!(stats["characters"], chars);
}

#[test]
fn stats_reads_jsonl_from_stdin() {
    let input = "{\"id\": \"a\", \"text\": \"Ferries stopped.\", \"source\": \"x\", \"date\": \"2024-05-02\"}\n\
                 \n\
                 {\"id\": \"b\", \"text\": \"Ferries resumed on Monday.\", \"source\": \"x\", \"date\": \"2023-12-31T08:00:00Z\"}\n\
                 {\"id\": \"c\", \"text\": \"\", \"source\": \"y\"}\n";
    let dir = util::tempdir();
    let run = util::run_in_with_stdin(
        dir.path(),
        &["stats", "-", "--format", "json"],
        input.as_bytes(),
    )
    .ok();
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(stats["documents"], 3);
    assert_eq!(stats["empty_documents"], 1);
    assert_eq!(stats["sources"], serde_json::json!({"x": 2, "y": 1}));
    assert_eq!(stats["first_date"], "2023-12-31");
    assert_eq!(stats["last_date"], "2024-05-02");
    assert_eq!(stats["without_date"], 1);
    // ferri, stop, ferri, resum, monday: 5 kept terms of 4 types ("on" is a stop word).
    assert_eq!(stats["terms"], 5);
    assert_eq!(stats["types"], 4);
    // The TSV format carries the same numbers.
    let run = util::run_in_with_stdin(
        dir.path(),
        &["stats", "-", "--format", "tsv"],
        input.as_bytes(),
    )
    .ok();
    assert!(
        run.stdout.starts_with("field\tvalue\ndocuments\t3\n"),
        "{}",
        run.stdout
    );
}

// (e) -----------------------------------------------------------------------------------------

#[test]
fn vectorize_20news() {
    let Some(path) = util::shared_data("20news/20news-bydate.jsonl") else {
        return;
    };
    let dir = util::tempdir();
    let d = dir.path();
    run_in(d, &["vectorize", arg(&path), "--out", "default"]).ok();
    let (mtx, _, docs) = check_output(&d.join("default"));
    assert_eq!(docs.rows.len(), 18846);
    assert_eq!(mtx.n_rows, 18846);
    let sources: std::collections::BTreeSet<&str> = docs.column("source").into_iter().collect();
    assert_eq!(sources.len(), 20, "newsgroups as sources");
    // scikit-learn's TfidfVectorizer() vocabulary on this corpus has 173,753 terms.
    run_in(
        d,
        &[
            "vectorize",
            arg(&path),
            "--out",
            "sklearn",
            "--compat",
            "sklearn",
        ],
    )
    .ok();
    let (mtx, vocab, docs) = check_output(&d.join("sklearn"));
    assert_eq!(mtx.n_cols, 173_753);
    assert_eq!(vocab.rows.len(), 173_753);
    assert_eq!(docs.rows.len(), 18846);
}

// (f) -----------------------------------------------------------------------------------------

#[test]
fn stopwords_lists() {
    let (_d, run) = util::run(&["stopwords", "english"]);
    let words: Vec<String> = run.ok().stdout.lines().map(String::from).collect();
    assert!(words.iter().any(|w| w == "the"), "no `the` in {words:?}");
    assert!(words.iter().any(|w| w == "and"));
    assert!(!words.iter().any(|w| w == "military"));
    let (_d, run) = util::run(&["stopwords", "sklearn"]);
    assert!(run.ok().stdout.lines().any(|w| w == "the"));
    let (_d, run) = util::run(&["stopwords", "french"]);
    let french: Vec<String> = run.ok().stdout.lines().map(String::from).collect();
    assert!(french.iter().any(|w| w == "les") && !french.iter().any(|w| w == "the"));
}

#[test]
fn french_text_is_stemmed() {
    let dir = util::tempdir();
    let d = dir.path();
    std::fs::create_dir(d.join("fr")).unwrap();
    write(
        &d.join("fr"),
        "a.txt",
        "La croissance économique de la France ralentit, selon les économistes.\n",
    );
    write(
        &d.join("fr"),
        "b.txt",
        "Les politiques économiques du gouvernement sont critiquées.\n",
    );
    run_in(
        d,
        &["vectorize", "fr", "--out", "o", "--language", "french"],
    )
    .ok();
    let (_, vocab, _) = check_output(&d.join("o"));
    let terms = vocab.column("term");
    let econ: Vec<usize> = (0..terms.len())
        .filter(|&i| terms[i].starts_with("économ"))
        .collect();
    assert!(!econ.is_empty(), "no économ… term in {terms:?}");
    // économique and économiques share one stemmed column, in both documents.
    let i = econ
        .iter()
        .copied()
        .find(|&i| terms[i] == "économ")
        .expect("the stem `économ`");
    assert_eq!(vocab.rows[i][3], "2");
    assert!(vocab.rows[i][2].starts_with("économique"));
    for stop in ["la", "les", "de", "du"] {
        assert!(!terms.contains(&stop), "French stop word `{stop}` kept");
    }
    // The same text in English mode keeps the French words unstemmed by French rules.
    run_in(d, &["vectorize", "fr", "--out", "en"]).ok();
    let (_, en, _) = check_output(&d.join("en"));
    assert!(!en.column("term").contains(&"économ"));
}

#[test]
fn french_wikinews_is_stemmed() {
    let Some(path) = util::shared_data("wikinews-fr/docsutf8") else {
        return;
    };
    let (dir, run) = util::run(&[
        "vectorize",
        arg(&path),
        "--out",
        "o",
        "--language",
        "french",
    ]);
    run.ok();
    let (mtx, vocab, _) = check_output(&dir.path().join("o"));
    assert_eq!(mtx.n_rows, 100);
    let terms = vocab.column("term");
    let surfaces = vocab.column("surface");
    let i = terms
        .iter()
        .position(|t| *t == "gouvern")
        .expect("stem of gouvernement");
    assert_eq!(surfaces[i], "gouvernement");
    assert!(terms.iter().any(|t| t.starts_with("économ")));
    assert!(!terms.contains(&"les") && !terms.contains(&"la"));
}

// (g), (h) and other input formats ------------------------------------------------------------

/// corpus/ as JSONL records with the same ids, sources and titles.
fn corpus_jsonl() -> String {
    let corpus = parallax::corpus::read_inputs(&[util::corpus()], &Default::default()).unwrap();
    let mut out = String::new();
    for d in &corpus.docs {
        let mut record = serde_json::json!({"id": d.id, "text": d.text});
        if let Some(t) = &d.title {
            record["title"] = t.as_str().into();
        }
        if let Some(s) = &d.source {
            record["source"] = s.as_str().into();
        }
        out.push_str(&record.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn gzip_jsonl_and_stdin_equal_plain_input() {
    let dir = util::tempdir();
    let d = dir.path();
    let jsonl = corpus_jsonl();
    write(d, "c.jsonl", &jsonl);
    write(d, "c.jsonl.gz", util::gzip(jsonl.as_bytes()));
    run_in(d, &["vectorize", "c.jsonl", "--out", "plain"]).ok();
    run_in(d, &["vectorize", "c.jsonl.gz", "--out", "gz"]).ok();
    util::run_in_with_stdin(d, &["vectorize", "-", "--out", "stdin"], jsonl.as_bytes()).ok();
    run_in(d, &["vectorize", &corpus(), "--out", "dir"]).ok();
    assert_same_outputs(&d.join("plain"), &d.join("gz"));
    assert_same_outputs(&d.join("plain"), &d.join("stdin"));
    // The same documents read from the directory give the same files.
    assert_same_outputs(&d.join("plain"), &d.join("dir"));
}

#[test]
fn gzip_text_files_in_a_directory() {
    let dir = util::tempdir();
    let d = dir.path();
    for sub in ["plain", "gz"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    let texts = [
        ("one", "Ferry crews walked out on Monday."),
        ("two", "The ferry strike ended."),
    ];
    for (name, text) in texts {
        write(&d.join("plain"), &format!("{name}.txt"), text);
        write(
            &d.join("gz"),
            &format!("{name}.txt.gz"),
            util::gzip(text.as_bytes()),
        );
    }
    run_in(d, &["vectorize", "plain", "--out", "a"]).ok();
    run_in(d, &["vectorize", "gz", "--out", "b"]).ok();
    assert_same_outputs(&d.join("a"), &d.join("b"));
    assert_eq!(
        read_tsv(&d.join("b/documents.tsv")).column("id"),
        ["one", "two"]
    );
}

const CSV: &str = "id,title,source,text\n\
1,\"Harbour levy, explained\",amsel,\"Councillors approved the harbour levy.\n\nShipping firms said the \"\"levy\"\" would raise fares.\"\n\
2,Floods,klaxon,The river Sallow flooded again.\n\
3,,,\"Ferry, strike;\n and levy\"\n";

const CSV_AS_JSONL: &str = r#"{"id": "1", "title": "Harbour levy, explained", "source": "amsel", "text": "Councillors approved the harbour levy.\n\nShipping firms said the \"levy\" would raise fares."}
{"id": "2", "title": "Floods", "source": "klaxon", "text": "The river Sallow flooded again."}
{"id": "3", "text": "Ferry, strike;\n and levy"}
"#;

#[test]
fn csv_with_quoted_multiline_text() {
    let dir = util::tempdir();
    let d = dir.path();
    write(d, "in.csv", CSV);
    write(d, "in.jsonl", CSV_AS_JSONL);
    run_in(d, &["vectorize", "in.csv", "--out", "csv"]).ok();
    run_in(d, &["vectorize", "in.jsonl", "--out", "jsonl"]).ok();
    let (mtx, vocab, docs) = check_output(&d.join("csv"));
    assert_eq!(docs.column("id"), ["1", "2", "3"]);
    assert_eq!(
        docs.column("title"),
        ["Harbour levy, explained", "Floods", ""]
    );
    assert_eq!(docs.column("source"), ["amsel", "klaxon", ""]);
    // The multi-line field is one document: `levi` in rows 0 and 2, `fare` only in row 0.
    let col = |t: &str| vocab.column("term").iter().position(|x| *x == t).unwrap();
    let rows_of = |c: usize| {
        mtx.entries
            .iter()
            .filter(|e| e.1 == c)
            .map(|e| e.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(rows_of(col("levi")), [0, 2]);
    assert_eq!(rows_of(col("fare")), [0]);
    assert_same_outputs(&d.join("csv"), &d.join("jsonl"));
}

#[test]
fn tsv_input_and_escaped_fields() {
    let dir = util::tempdir();
    let d = dir.path();
    write(
        d,
        "in.tsv",
        "id\ttext\ttitle\na\tFerries stopped at noon.\tFirst\\tone\nb\t\"Quoted \"\"text\"\"\"\tSecond\n",
    );
    run_in(d, &["vectorize", "in.tsv", "--out", "tsv"]).ok();
    let (_, _, docs) = check_output(&d.join("tsv"));
    assert_eq!(docs.column("id"), ["a", "b"]);
    assert_eq!(docs.column("title"), ["First\\tone", "Second"]);
    // A title with a tab and a newline stays on one escaped line in documents.tsv.
    write(
        d,
        "t.jsonl",
        "{\"id\": \"x\\ty\", \"title\": \"Line one\\nline\\ttwo \\\\ end\", \"text\": \"Ferries\"}\n",
    );
    run_in(d, &["vectorize", "t.jsonl", "--out", "esc"]).ok();
    let raw = std::fs::read_to_string(d.join("esc/documents.tsv")).unwrap();
    assert_eq!(raw.lines().count(), 2, "{raw:?}");
    let (_, _, docs) = check_output(&d.join("esc"));
    assert_eq!(docs.column("id"), ["x\ty"]);
    assert_eq!(docs.column("title"), ["Line one\nline\ttwo \\ end"]);
}

/// Numeric ids keep their text: integers beyond 64 bits are not rounded through an f64 (two of
/// them differing in the last digit stay two documents), and ordinary numbers read as before.
#[test]
fn numeric_ids_keep_their_digits() {
    let dir = util::tempdir();
    let d = dir.path();
    write(
        d,
        "ids.jsonl",
        concat!(
            "{\"id\": 123456789012345678901234567890, \"text\": \"harbour levy vote\"}\n",
            "{\"id\": 123456789012345678901234567891, \"text\": \"harbour levy again\"}\n",
            "{\"id\": -98765432109876543210, \"text\": \"levy vote council\"}\n",
            "{\"id\": 42, \"text\": \"council vote harbour\"}\n",
            "{\"id\": -7, \"text\": \"council levy\"}\n",
            "{\"id\": 3.50, \"text\": \"vote again\"}\n",
            "{\"id\": 1e2, \"text\": \"levy harbour\"}\n",
            "{\"id\": true, \"text\": \"council again\"}\n",
        ),
    );
    run_in(d, &["vectorize", "ids.jsonl", "--out", "o", "-q"]).ok();
    let docs = util::read_tsv(&d.join("o/documents.tsv"));
    assert_eq!(
        docs.column("id"),
        [
            "123456789012345678901234567890",
            "123456789012345678901234567891",
            "-98765432109876543210",
            "42",
            "-7",
            "3.5",
            "100.0",
            "true",
        ]
    );
}

/// A directory input reads every text document, whatever bytes its name has, and names what it
/// leaves out (files of other formats, named pipes) instead of dropping them without a word; a
/// file with a name that is not UTF-8 given directly is read too.
#[test]
fn directory_inputs_read_or_report_every_entry() {
    use std::os::unix::ffi::OsStrExt;
    let dir = util::tempdir();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    write(d, "in/plain.txt", "harbour levy vote");
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(d.join("in").join(odd), "council vote again").unwrap();
    write(d, "in/rows.jsonl", "{\"id\": \"x\", \"text\": \"levy\"}\n");
    write(d, "in/table.csv", "id,text\ny,levy\n");
    let fifo = std::ffi::CString::new(d.join("in/pipe.txt").as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let run = run_in(d, &["vectorize", "in", "--out", "o"]).ok();
    let ids = util::read_tsv(&d.join("o/documents.tsv"));
    assert_eq!(ids.column("id"), ["caf\u{fffd}", "plain"]);
    assert!(
        run.stderr
            .contains("ignored 3 entries of input directories"),
        "{}",
        run.stderr
    );
    for name in ["rows.jsonl", "table.csv", "pipe.txt"] {
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
    }
    // Named directly.
    let direct = d.join("in").join(odd);
    let path = direct.to_string_lossy().into_owned();
    let run = util::command_os(d, &[std::ffi::OsStr::new("stats"), direct.as_os_str()]);
    assert_eq!(run.code, 0, "{path}: {}", run.stderr);
}
