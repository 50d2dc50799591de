//! Bad input: exit code 1 and a message naming the file, line and field; never a panic; never a
//! damaged output directory.

use std::path::Path;

use crate::util::{self, Run, arg, run_in, write};

fn corpus() -> String {
    arg(&util::corpus()).to_string()
}

fn vectorize(dir: &Path, inputs: &[&str], extra: &[&str]) -> Run {
    let mut args = vec!["vectorize"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", "out"]);
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// Writes `content` to `dir/name` and vectorizes it; asserts a clean failure; returns stderr.
fn fails_on(name: &str, content: &[u8]) -> String {
    let dir = util::tempdir();
    write(dir.path(), name, content);
    let run = vectorize(dir.path(), &[name], &[]);
    let stderr = run.fails().to_string();
    assert!(
        !dir.path().join("out").exists(),
        "a failed read created the output directory"
    );
    stderr
}

#[test]
fn malformed_jsonl_line_names_file_and_line() {
    let err = fails_on(
        "bad.jsonl",
        b"{\"id\": \"a\", \"text\": \"fine\"}\n\n{\"id\": \"b\", \"text\": }\n{\"id\": \"c\", \"text\": \"fine\"}\n",
    );
    assert!(err.contains("bad.jsonl:3: malformed record"), "{err}");
    // Trailing garbage after the object is malformed too.
    let err = fails_on("t.jsonl", b"{\"id\": \"a\", \"text\": \"x\"} extra\n");
    assert!(err.contains("t.jsonl:1: malformed record"), "{err}");
    // A record that is not an object.
    let err = fails_on("arr.jsonl", b"{\"id\": \"a\", \"text\": \"x\"}\n[1, 2]\n");
    assert!(err.contains("arr.jsonl:2: malformed record"), "{err}");
}

#[test]
fn missing_or_wrong_text_field_is_named() {
    let err = fails_on(
        "m.jsonl",
        b"{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"body\": \"x\"}\n",
    );
    assert!(err.contains("m.jsonl:2: field `text`: missing"), "{err}");
    let err = fails_on("w.jsonl", b"{\"id\": \"a\", \"text\": 42}\n");
    assert!(
        err.contains("w.jsonl:1: field `text`: must be a string"),
        "{err}"
    );
    let err = fails_on("n.jsonl", b"{\"id\": \"a\", \"text\": null}\n");
    assert!(err.contains("n.jsonl:1: field `text`"), "{err}");
    let err = fails_on("i.jsonl", b"{\"text\": \"no id\"}\n");
    assert!(err.contains("i.jsonl:1: field `id`: missing"), "{err}");
    let err = fails_on("e.jsonl", b"{\"id\": \"\", \"text\": \"x\"}\n");
    assert!(err.contains("e.jsonl:1: field `id`: empty id"), "{err}");
    let err = fails_on("c.csv", b"id,body\n1,x\n");
    assert!(
        err.contains("c.csv:1: field `text`: missing from the header"),
        "{err}"
    );
    // A renamed text field is named by its name.
    let dir = util::tempdir();
    write(dir.path(), "r.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n");
    let run = vectorize(dir.path(), &["r.jsonl"], &["--text-field", "body"]);
    assert!(
        run.fails().contains("r.jsonl:1: field `body`: missing"),
        "{}",
        run.stderr
    );
}

#[test]
fn csv_errors_name_the_record_line() {
    // Record 1 spans lines 2-4; the record with an empty id starts on line 5.
    let err = fails_on("c.csv", b"id,text\n1,\"a\nb\nc\"\n,empty id\n3,ok\n");
    assert!(err.contains("c.csv:5: field `id`"), "{err}");
    let err = fails_on("f.csv", b"id,text\n1,ok\n2,too,many\n");
    assert!(err.contains("f.csv:3: malformed record"), "{err}");
}

#[test]
fn invalid_utf8_in_jsonl_line() {
    let err = fails_on(
        "u.jsonl",
        b"{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"caf\xe9\"}\n",
    );
    assert!(err.contains("u.jsonl:2: invalid UTF-8 at byte 24"), "{err}");
}

#[test]
fn invalid_utf8_in_text_file() {
    let err = fails_on("latin1.txt", b"caf\xe9 au lait");
    assert!(err.contains("latin1.txt: invalid UTF-8 at byte 3"), "{err}");
    // Inside a directory, the file is named.
    let dir = util::tempdir();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    write(&dir.path().join("docs"), "good.txt", "Fine text.");
    write(
        &dir.path().join("docs"),
        "bad.md",
        b"---\ntitle: x\n---\nna\xefve",
    );
    let run = vectorize(dir.path(), &["docs"], &[]);
    let err = run.fails();
    assert!(
        err.contains(&format!(
            "docs{}bad.md: invalid UTF-8",
            std::path::MAIN_SEPARATOR
        )),
        "{err}"
    );
    // Under --on-error skip it is skipped and counted, as a text file given alone is.
    let run = run_in(
        dir.path(),
        &["stats", "docs", "--on-error", "skip", "--format", "json"],
    )
    .ok();
    assert!(
        run.stderr.contains("skipped 1 bad record"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("bad.md: invalid UTF-8"),
        "{}",
        run.stderr
    );
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(stats["documents"], 1);
    assert_eq!(stats["skipped_records"], 1);
}

#[test]
fn duplicate_ids_across_files_name_both_places() {
    let dir = util::tempdir();
    let d = dir.path();
    write(d, "a.jsonl", "{\"id\": \"x\", \"text\": \"one\"}\n");
    write(
        d,
        "b.jsonl",
        "{\"id\": \"y\", \"text\": \"two\"}\n{\"id\": \"x\", \"text\": \"three\"}\n",
    );
    let run = vectorize(d, &["a.jsonl", "b.jsonl"], &[]);
    let err = run.fails();
    assert!(
        err.contains("duplicate document id `x`: first at a.jsonl:1, again at b.jsonl:2"),
        "{err}"
    );
    // Streamed, where the ids read are kept as fingerprints.
    let run = vectorize(d, &["a.jsonl", "b.jsonl"], &["--stream", "--chunk-mb", "1"]);
    let err = run.fails();
    assert!(
        err.contains("duplicate document id `x`: first at a.jsonl:1, again at b.jsonl:2"),
        "{err}"
    );
    // The same file given twice.
    let run = vectorize(d, &["a.jsonl", "a.jsonl"], &[]);
    assert!(
        run.fails()
            .contains("first at a.jsonl:1, again at a.jsonl:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn on_error_skip_reports_the_count() {
    let dir = util::tempdir();
    let d = dir.path();
    write(
        d,
        "s.jsonl",
        "{\"id\": \"x\", \"text\": \"Ferries\"}\n{\"id\": \"y\"}\n{\"id\": \"z\", \"text\": \"Ferry strike\"}\n{bad\n",
    );
    // Without --on-error skip: a failure at the first bad record.
    assert!(
        vectorize(d, &["s.jsonl"], &[])
            .fails()
            .contains("s.jsonl:2: field `text`: missing")
    );
    // With it: exit 0, good records kept, the count and reasons on stderr, even with --quiet.
    for quiet in [false, true] {
        let extra: &[&str] = if quiet {
            &["--on-error", "skip", "-q"]
        } else {
            &["--on-error", "skip"]
        };
        let run = vectorize(d, &["s.jsonl"], extra).ok();
        assert!(
            run.stderr.contains("skipped 2 bad record(s)"),
            "stderr:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("s.jsonl:2: field `text`: missing"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("s.jsonl:4: malformed record"),
            "{}",
            run.stderr
        );
        let docs = util::read_tsv(&d.join("out/documents.tsv"));
        assert_eq!(docs.column("id"), ["x", "z"]);
    }
    // Skipping applies to text files and CSV too.
    write(d, "bad.txt", b"\xff\xfe");
    write(d, "c.csv", "id,text\n1,ok\n,no id\n3,fine\n");
    let run = vectorize(d, &["bad.txt", "c.csv"], &["--on-error", "skip"]).ok();
    assert!(
        run.stderr.contains("skipped 2 bad record(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        util::read_tsv(&d.join("out/documents.tsv")).column("id"),
        ["1", "3"]
    );
}

#[test]
fn empty_document_is_an_empty_row() {
    let dir = util::tempdir();
    let d = dir.path();
    write(
        d,
        "e.jsonl",
        "{\"id\": \"a\", \"text\": \"Ferries stopped.\"}\n{\"id\": \"b\", \"text\": \"\"}\n{\"id\": \"c\", \"text\": \"Ferry strike\"}\n",
    );
    let run = vectorize(d, &["e.jsonl"], &[]).ok();
    assert!(
        run.stderr.contains("1 document(s) have no text"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 empty rows"), "{}", run.stderr);
    let mtx = util::read_mtx(&d.join("out/matrix.mtx"));
    let docs = util::read_tsv(&d.join("out/documents.tsv"));
    assert_eq!(docs.column("id"), ["a", "b", "c"]);
    assert_eq!(mtx.n_rows, 3);
    let rows = mtx.rows();
    assert!(
        rows[1].is_empty(),
        "row of the empty document: {:?}",
        rows[1]
    );
    assert!(!rows[0].is_empty() && !rows[2].is_empty());
    // A document of stop words only is an empty row too (reported in the summary).
    write(
        d,
        "s.jsonl",
        "{\"id\": \"a\", \"text\": \"Ferries\"}\n{\"id\": \"b\", \"text\": \"the and of\"}\n",
    );
    let run = vectorize(d, &["s.jsonl"], &[]).ok();
    assert!(run.stderr.contains("1 empty rows"), "{}", run.stderr);
    assert!(util::read_mtx(&d.join("out/matrix.mtx")).rows()[1].is_empty());
}

#[test]
fn empty_vocabulary_after_pruning() {
    // corpus/: `said` is in all 28 documents, `year` in 24; nothing in 25..=27.
    let (dir, run) = util::run(&[
        "vectorize",
        &corpus(),
        "--out",
        "out",
        "--min-df",
        "25",
        "--max-df",
        "27",
    ]);
    let err = run.fails();
    assert!(err.contains("empty vocabulary"), "{err}");
    assert!(!dir.path().join("out/matrix.mtx").exists());
    // A document set with no terms at all.
    let dir = util::tempdir();
    write(
        dir.path(),
        "s.jsonl",
        "{\"id\": \"a\", \"text\": \"the and of\"}\n",
    );
    let run = vectorize(dir.path(), &["s.jsonl"], &[]);
    assert!(run.fails().contains("empty vocabulary"), "{}", run.stderr);
}

/// `--min-df 1000` on 28 documents empties the vocabulary, but the error blames `--max-df` (which
/// the user did not set) and prints `Proportion(1.0)`:
/// "invalid parameter `--max-df` = Proportion(1.0): allows fewer documents (28) than --min-df (1000)".
/// Cause: `VocabularyParams::select` in src/vectorize/params.rs checks `hi < lo` before
/// pruning, and the default max-df (all documents) is below any min-df count above N.
#[test]
fn min_df_above_document_count_is_an_empty_vocabulary() {
    let (_dir, run) = util::run(&["vectorize", &corpus(), "--out", "out", "--min-df", "1000"]);
    let err = run.fails();
    assert!(err.contains("empty vocabulary"), "{err}");
    assert!(
        !err.contains("--max-df"),
        "blames an option the user did not give: {err}"
    );
}

#[test]
fn corrupt_models_are_refused() {
    let dir = util::tempdir();
    let d = dir.path();
    run_in(d, &["fit", &corpus(), "--model", "m.json", "-q"]).ok();
    let good = std::fs::read_to_string(d.join("m.json")).unwrap();
    write(d, "truncated.json", &good[..good.len() / 2]);
    write(
        d,
        "version.json",
        good.replacen("\"version\": 1,", "\"version\": 99,", 1),
    );
    // Swap the first two term lines: terms no longer sorted.
    let start = good.find("\"terms\": [\n").unwrap() + "\"terms\": [\n".len();
    let mut lines: Vec<&str> = good[start..].split('\n').collect();
    let (first, second) = (
        lines[0].trim_end_matches(','),
        lines[1].trim_end_matches(','),
    );
    let (first, second) = (format!("{second},"), format!("{first},"));
    lines[0] = &first;
    lines[1] = &second;
    write(
        d,
        "unsorted.json",
        format!("{}{}", &good[..start], lines.join("\n")),
    );
    write(d, "other.json", "{\"terms\": []}");
    write(
        d,
        "df.json",
        good.replacen("\"n_docs\": 28", "\"n_docs\": 2", 1),
    );
    for (name, reason) in [
        ("truncated.json", "not JSON"),
        ("version.json", "unsupported version"),
        ("unsorted.json", "sorted and unique"),
        ("other.json", "not a parallax model"),
        ("df.json", "n_docs 2 differs from the statistics"),
        ("missing.json", "No such file"),
    ] {
        let run = run_in(
            d,
            &["transform", &corpus(), "--model", name, "--out", "out"],
        );
        let err = run.fails();
        assert!(
            err.contains(&format!("error: {name}: ")),
            "{name}: the model path is not named: {err}"
        );
        assert!(err.contains(reason), "{name}: expected `{reason}` in {err}");
        assert!(
            !d.join("out").exists(),
            "{name}: output written from a bad model"
        );
    }
    assert_eq!(std::fs::read_to_string(d.join("m.json")).unwrap(), good);
}

#[test]
fn unknown_language_is_named() {
    let (_dir, run) = util::run(&[
        "vectorize",
        &corpus(),
        "--out",
        "out",
        "--language",
        "klingon",
    ]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("unknown language `klingon`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("french"),
        "the known languages are listed: {}",
        run.stderr
    );
    let (_dir, run) = util::run(&["stopwords", "klingon"]);
    assert!(
        run.fails().contains("unknown language `klingon`"),
        "{}",
        run.stderr
    );
}

/// main.rs documents "0 ok, 1 bad input or usage, 2 internal error", but `Cli::parse()` exits
/// with clap's code 2 on any usage error (unknown flag, bad --language value, missing argument),
/// the code reserved for internal errors. Fix: `Cli::try_parse()` and map `e.use_stderr()` to 1.
#[test]
fn usage_errors_exit_with_code_1() {
    let (_dir, run) = util::run(&[
        "vectorize",
        &corpus(),
        "--out",
        "out",
        "--language",
        "klingon",
    ]);
    run.fails();
    let (_dir, run) = util::run(&["vectorize", &corpus(), "--out", "out", "--no-such-flag"]);
    run.fails();
}

#[test]
fn nonexistent_input_path_is_named() {
    let (dir, run) = util::run(&["vectorize", "no-such-file.jsonl", "--out", "out"]);
    let err = run.fails();
    assert!(
        err.contains("no-such-file.jsonl: No such file or directory"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
    let (_dir, run) = util::run(&["vectorize", "no-such-dir", "--out", "out"]);
    assert!(run.fails().contains("no-such-dir"), "{}", run.stderr);
    let dir = util::tempdir();
    write(dir.path(), "notes.docx", "x");
    let run = vectorize(dir.path(), &["notes.docx"], &[]);
    assert!(
        run.fails().contains("notes.docx: unsupported input"),
        "{}",
        run.stderr
    );
}

/// `Error::Io` prints `{path}: {source}` and also exposes `source` as the error source, so the
/// CLI's `{:#}` chain prints the OS message twice:
/// "error: reading input: x.jsonl: No such file or directory (os error 2): No such file or directory (os error 2)".
#[test]
fn io_error_message_is_not_repeated() {
    let (_dir, run) = util::run(&["vectorize", "no-such-file.jsonl", "--out", "out"]);
    let err = run.fails();
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn bad_parameters_are_refused() {
    for (flags, expected) in [
        (&["--ngram", "3..2"][..], "--ngram"),
        (&["--ngram", "0"][..], "--ngram"),
        (&["--ngram", "x..2"][..], "--ngram x..2"),
        (&["--max-features", "0"][..], "--max-features"),
        (&["--stopwords", "no-such-list.txt"][..], "no-such-list.txt"),
        (
            &["--vocabulary", "no-such-vocab.txt"][..],
            "no-such-vocab.txt",
        ),
    ] {
        let (dir, run) =
            util::run(&[&["vectorize", &corpus(), "--out", "out"][..], flags].concat());
        let err = run.fails();
        assert!(err.contains(expected), "{flags:?}: {err}");
        assert!(!dir.path().join("out").exists(), "{flags:?}");
    }
    let (_dir, run) = util::run(&["vectorize", &corpus(), "--out", "out", "--ngram", "3..2"]);
    assert!(run.fails().contains("3..2"), "{}", run.stderr);
    let (_dir, run) = util::run(&["--threads", "0", "vectorize", &corpus(), "--out", "out"]);
    assert!(run.fails().contains("--threads"), "{}", run.stderr);
}

/// A failing run leaves the previous good output as it was, and no temporary files.
#[test]
fn failed_run_keeps_previous_output() {
    let dir = util::tempdir();
    let d = dir.path();
    vectorize(d, &[&corpus()], &[]).ok();
    let before: Vec<Vec<u8>> = util::OUTPUTS
        .iter()
        .map(|f| std::fs::read(d.join("out").join(f)).unwrap())
        .collect();
    write(
        d,
        "bad.jsonl",
        "{\"id\": \"a\", \"text\": \"Ferries\"}\n{\"id\": \"b\", \"text\": \n",
    );
    write(
        d,
        "stop.jsonl",
        "{\"id\": \"a\", \"text\": \"the and of\"}\n",
    );
    let failures: [&[&str]; 3] = [&["bad.jsonl"], &["stop.jsonl"], &["no-such.jsonl"]];
    for inputs in failures {
        vectorize(d, inputs, &[]).fails();
        vectorize(d, &[&corpus()], &["--min-df", "25", "--max-df", "27"]).fails();
        let after: Vec<Vec<u8>> = util::OUTPUTS
            .iter()
            .map(|f| std::fs::read(d.join("out").join(f)).unwrap())
            .collect();
        assert!(after == before, "{inputs:?}: the previous output changed");
        let names: Vec<String> = std::fs::read_dir(d.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "stray files: {names:?}");
    }
}

/// `vectorize --model PATH` writes the three output files first and saves the model last
/// (src/cli/vectorize.rs `fit_write`), so when saving the model fails (here: its directory does
/// not exist) the run exits 1 but the output directory already holds the new run's files.
#[test]
fn failed_model_save_keeps_previous_output() {
    let dir = util::tempdir();
    let d = dir.path();
    vectorize(d, &[&corpus()], &[]).ok();
    let before = std::fs::read(d.join("out/documents.tsv")).unwrap();
    write(d, "one.jsonl", "{\"id\": \"a\", \"text\": \"Ferries\"}\n");
    vectorize(d, &["one.jsonl"], &["--model", "no-such-dir/m.json"]).fails();
    assert!(
        std::fs::read(d.join("out/documents.tsv")).unwrap() == before,
        "a failed run replaced documents.tsv"
    );
}

/// `--bm25-k1` and `--bm25-b` are not checked (src/cli/mod.rs `weighting`, or `Weighting`
/// validation in src/vectorize/weighting.rs): `nan` or `inf` write `NaN` values into matrix.mtx,
/// and `--bm25-k1=-1` silently gives a matrix with no values, all with exit code 0.
#[test]
fn bm25_parameters_are_validated() {
    let dir = util::tempdir();
    write(
        dir.path(),
        "x.jsonl",
        "{\"id\": \"a\", \"text\": \"Ferries sail\"}\n{\"id\": \"b\", \"text\": \"Ferries\"}\n",
    );
    for bad in [
        "--bm25-k1=nan",
        "--bm25-b=inf",
        "--bm25-k1=-1",
        "--bm25-b=2",
    ] {
        let run = vectorize(dir.path(), &["x.jsonl"], &["--tf", "bm25", bad]);
        assert!(
            run.stderr.contains("bm25"),
            "{bad}: exit {}, stderr: {}",
            run.code,
            run.stderr
        );
        run.fails();
    }
}

/// Text files and CSV headers have a UTF-8 byte order mark stripped (src/corpus/read.rs
/// `text_document`, `parse_csv`), but JSONL does not (`parse_jsonl`): a BOM-prefixed JSONL file,
/// as some Windows tools write, fails with "bom.jsonl:1: malformed record: expected value".
#[test]
fn jsonl_byte_order_mark_is_ignored() {
    let dir = util::tempdir();
    write(
        dir.path(),
        "bom.jsonl",
        b"\xef\xbb\xbf{\"id\": \"a\", \"text\": \"Ferries\"}\n",
    );
    vectorize(dir.path(), &["bom.jsonl"], &[]).ok();
}

/// Terminal escapes in the data (an OSC sequence that sets the window title, a CSI that clears
/// the screen, a bell) are written as `\u{..}` by every table meant for a terminal, and by the
/// error that quotes a CSV header.
#[test]
fn terminal_escapes_in_the_data_are_neutralized() {
    let dir = util::tempdir();
    let evil_source = "klaxon\u{1b}]0;pwned\u{7}";
    let evil_title = "\u{1b}[2JHarbour levy";
    let mut text = String::new();
    for (i, (source, body)) in [
        (
            evil_source,
            "The council voted for a harbour levy to pay for dredging.",
        ),
        (
            "ledger",
            "Councillors backed the harbour levy to pay for dredging the channel.",
        ),
        (
            evil_source,
            "Three llamas escaped onto the bypass near the harbour.",
        ),
        (
            "ledger",
            "Llamas on the bypass: a farmer caught three escaped llamas.",
        ),
    ]
    .iter()
    .enumerate()
    {
        text += &serde_json::json!({
            "id": format!("d{i}\u{9b}31m"), "source": source, "title": evil_title,
            "date": "2026-03-04", "text": body
        })
        .to_string();
        text.push('\n');
    }
    write(dir.path(), "e.jsonl", text);
    for args in [
        &["stories", "e.jsonl"][..],
        &["similar", "e.jsonl", "-k", "2"],
        &["stats", "e.jsonl"],
        &["keyness", "e.jsonl", "--by", "source", "--min-count", "1"],
        &["keywords", "e.jsonl", "--per", "source"],
        &["compare", "e.jsonl", "--min-count", "1"],
    ] {
        let run = run_in(dir.path(), args).ok();
        for (stream, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}', '\u{9b}']),
                "{args:?} wrote a control character to {stream}:\n{out:?}"
            );
        }
        assert!(
            run.stdout.contains("\\u{1b}") || run.stdout.contains("\\u{9b}"),
            "{args:?}: the escaped form is shown:\n{}",
            run.stdout
        );
    }
    write(dir.path(), "h.csv", "i\u{1b}]0;x\u{7}d,body\n1,text\n");
    let run = run_in(dir.path(), &["stats", "h.csv"]);
    let err = run.fails();
    assert!(!err.contains(['\u{1b}', '\u{7}']), "{err:?}");
    assert!(err.contains("i\\u{1b}]0;x\\u{7}d"), "{err}");
    // Records skipped under --on-error skip are listed with their reasons, escaped too.
    write(
        dir.path(),
        "s.csv",
        b"id,ti\x1b]0;x\x07t,text\n1,\xff,x\n2,ok,y\n".as_slice(),
    );
    let run = run_in(dir.path(), &["stats", "s.csv", "--on-error", "skip"]).ok();
    assert!(run.stderr.contains("skipped 1"), "{}", run.stderr);
    assert!(
        !run.stderr.contains(['\u{1b}', '\u{7}']),
        "{:?}",
        run.stderr
    );
    // An empty window of plausible dates is refused.
    let run = run_in(
        dir.path(),
        &[
            "stats",
            "e.jsonl",
            "--date-min",
            "2020-01-01",
            "--date-max",
            "2019-01-01",
        ],
    );
    assert!(run.fails().contains("--date-min is later than --date-max"));
}

/// `-k` and `-n` of 10^12 (or u64::MAX) are clamped to what the corpus can give, never
/// allocated: the output is that of a k as large as the corpus.
#[test]
fn huge_k_and_n_are_clamped() {
    let corpus = corpus();
    for (command, flag) in [
        ("similar", "-k"),
        ("stories", "-k"),
        ("compare", "-k"),
        ("keywords", "-n"),
    ] {
        let (_dir, whole) = util::run(&[command, &corpus, flag, "1000", "-q"]);
        let whole = whole.ok();
        for huge in ["1000000000000", "18446744073709551615"] {
            let (_dir, run) = util::run(&[command, &corpus, flag, huge, "-q"]);
            let run = run.ok();
            assert_eq!(run.stdout, whole.stdout, "{command} {flag} {huge}");
        }
    }
}

/// `--threads 100000` starts a sane number of workers and says so.
#[test]
fn absurd_thread_counts_are_capped_with_a_message() {
    let (_dir, run) = util::run(&["--threads", "100000", "stats", &corpus(), "-q"]);
    let run = run.ok();
    assert!(
        run.stderr.contains("--threads 100000 capped at"),
        "{}",
        run.stderr
    );
}

/// A document larger than --max-doc-mb (default 256) is a bad record named by file and line,
/// refused before it is analyzed (one document takes about five times its size in memory).
#[test]
fn documents_past_the_size_limit_are_refused() {
    let dir = util::tempdir();
    let d = dir.path();
    let big = "harbour ".repeat(200_000); // 1.6 MB
    write(
        d,
        "big.jsonl",
        format!("{{\"id\": \"a\", \"text\": \"small\"}}\n{{\"id\": \"b\", \"text\": \"{big}\"}}\n"),
    );
    write(d, "big.csv", format!("id,text\na,small\nb,{big}\n"));
    std::fs::create_dir(d.join("texts")).unwrap();
    write(d, "texts/big.txt", &big);
    for (input, place) in [
        ("big.jsonl", "big.jsonl:2"),
        ("big.csv", "big.csv:3"),
        ("texts", "big.txt"),
    ] {
        let run = run_in(d, &["stats", input, "--max-doc-mb", "1"]);
        let err = run.fails();
        assert!(
            err.contains(place) && err.contains("more than the limit of 1048576"),
            "{err}"
        );
        // Raised, it is read.
        run_in(d, &["stats", input, "-q"]).ok();
    }
    // Skipped and counted under --on-error skip.
    let run = run_in(
        d,
        &[
            "stats",
            "big.jsonl",
            "--max-doc-mb",
            "1",
            "--on-error",
            "skip",
        ],
    )
    .ok();
    assert!(run.stderr.contains("skipped 1"), "{}", run.stderr);
}
