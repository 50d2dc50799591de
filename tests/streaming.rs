//! Streaming: inputs read chunk by chunk give the same bytes as reading everything at once.

use crate::util::{self, arg, run_in};

#[test]
fn streamed_vectorize_equals_in_memory_on_20news() {
    let Some(data) = util::shared_data("20news/20news-bydate.jsonl") else {
        return;
    };
    let dir = util::tempdir();
    let d = dir.path();
    run_in(
        d,
        &[
            "vectorize",
            arg(&data),
            "--out",
            "memory",
            "--model",
            "memory.json",
            "--min-df",
            "2",
            "-q",
        ],
    )
    .ok();
    // `fit` in 1 MB chunks merges ~36 sorted runs of statistics into the same model.
    run_in(
        d,
        &[
            "fit",
            arg(&data),
            "--model",
            "streamed.json",
            "--min-df",
            "2",
            "--chunk-mb",
            "1",
            "-q",
        ],
    )
    .ok();
    util::assert_same_bytes(&d.join("memory.json"), &d.join("streamed.json"));
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // 1 MB chunks: the 36 MB corpus in ~36 pieces, fitted by merging their statistics.
    run_in(
        d,
        &[
            "vectorize",
            arg(&data),
            "--out",
            "streamed",
            "--min-df",
            "2",
            "--stream",
            "--chunk-mb",
            "1",
            "-q",
        ],
    )
    .ok();
    util::assert_same_outputs(&d.join("memory"), &d.join("streamed"));
}

#[test]
fn streamed_formats_and_fit_equal_in_memory() {
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = util::corpus();
    let c = arg(&corpus);
    for format in ["mtx", "npz", "jsonl"] {
        let (a, b) = (format!("memory-{format}"), format!("streamed-{format}"));
        run_in(d, &["vectorize", c, "--out", &a, "--format", format, "-q"]).ok();
        run_in(
            d,
            &[
                "vectorize",
                c,
                "--out",
                &b,
                "--format",
                format,
                "--stream",
                "--chunk-mb",
                "1",
                "-q",
            ],
        )
        .ok();
        let file = match format {
            "mtx" => "matrix.mtx",
            "npz" => "matrix.npz",
            _ => "rows.jsonl",
        };
        for name in [file, "vocabulary.tsv", "documents.tsv"] {
            util::assert_same_bytes(&d.join(&a).join(name), &d.join(&b).join(name));
        }
        let leftovers: Vec<_> = std::fs::read_dir(d.join(&b))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    // fit reads chunk by chunk too: tiny chunks give the same model.
    run_in(d, &["fit", c, "--model", "a.json", "-q"]).ok();
    run_in(d, &["fit", c, "--model", "b.json", "--chunk-mb", "1", "-q"]).ok();
    util::assert_same_bytes(&d.join("a.json"), &d.join("b.json"));
}

#[test]
fn stream_reads_stdin_once() {
    // The streamed vectorize reads its input once (counts go to a temporary file), so stdin
    // streams too, with the same bytes as a file read in memory, and no temporary file stays.
    let dir = util::tempdir();
    let d = dir.path();
    let lines = b"{\"id\":\"a\",\"text\":\"Troops remain at the bases.\"}\n\
{\"id\":\"b\",\"text\":\"The base; the port.\"}\n";
    std::fs::write(d.join("in.jsonl"), lines).unwrap();
    util::run_in_with_stdin(
        d,
        &["vectorize", "-", "--out", "s", "--stream", "-q"],
        lines,
    )
    .ok();
    run_in(d, &["vectorize", "in.jsonl", "--out", "m", "-q"]).ok();
    for f in ["matrix.mtx", "vocabulary.tsv", "documents.tsv"] {
        util::assert_same_bytes(&d.join("s").join(f), &d.join("m").join(f));
    }
    let mut left: Vec<String> = std::fs::read_dir(d.join("s"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["documents.tsv", "matrix.mtx", "vocabulary.tsv"]);
}
