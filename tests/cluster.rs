//! The pieces a cluster driver (`spark/`) composes, checked with nothing but the CLI: top-k lists
//! computed per partition of the reference set merge (score descending, then id ascending) into
//! exactly the brute-force top-k; top-k within blocks equals brute force restricted to the block;
//! block ids are FNV-1a 64 hashes; `--format jsonl-indices` rows are the matrix; keyness of
//! summed counts equals keyness of the whole; the Spark driver's task-side pipe works.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{self, arg, run_in, write};
use parallax::corpus::{ReadOptions, read_inputs};
use parallax::matrix::CsrMatrix;
use parallax::similarity::{Score, score_pair};

/// A corpus as JSONL lines with ids, sources and dates, sorted by id.
fn lines_of(path: &Path) -> Vec<(String, String)> {
    let corpus = read_inputs(&[path.to_path_buf()], &ReadOptions::default()).unwrap();
    let mut out: Vec<(String, String)> = corpus
        .docs
        .iter()
        .map(|d| {
            let line = serde_json::json!({
                "id": d.id, "text": d.text, "source": d.source, "date": d.date
            });
            (d.id.clone(), line.to_string())
        })
        .collect();
    out.sort();
    out
}

fn write_jsonl(dir: &Path, name: &str, lines: &[&(String, String)]) -> String {
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    arg(&write(dir, name, text)).to_string()
}

/// Rows of `transform --format jsonl-indices`, by id.
fn sparse_rows(dir: &Path, input: &str, model: &str) -> (Vec<String>, CsrMatrix<f32>) {
    let out = run_in(
        dir,
        &[
            "transform",
            input,
            "--model",
            model,
            "--format",
            "jsonl-indices",
            "-q",
        ],
    )
    .ok();
    let n_cols = parallax::io::model::load(&dir.join(model))
        .unwrap()
        .n_terms();
    let (mut ids, mut rows) = (Vec::new(), Vec::new());
    for line in out.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
        let cols = v["indices"].as_array().unwrap().iter();
        let vals = v["values"].as_array().unwrap().iter();
        rows.push(
            cols.zip(vals)
                .map(|(c, x)| (c.as_u64().unwrap() as u32, x.as_f64().unwrap() as f32))
                .collect::<Vec<_>>(),
        );
    }
    (ids, CsrMatrix::from_rows(n_cols, &rows))
}

type TopK = BTreeMap<String, Vec<(String, f32)>>;

/// Best first: score descending, then id ascending; the first k.
fn best(list: &mut Vec<(String, f32)>, k: usize) {
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(k);
}

/// `similar --format tsv` output as lists by query id.
fn parse_tsv(tsv: &str, into: &mut TopK) {
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        into.entry(f[0].to_string())
            .or_default()
            .push((f[2].to_string(), f[3].parse().unwrap()));
    }
}

/// Brute force over every (query, reference) pair the filter allows, ties by id.
fn brute(
    ids: &[String],
    m: &CsrMatrix<f32>,
    queries: &[usize],
    reference: &[usize],
    k: usize,
) -> TopK {
    let mut out = TopK::new();
    for &q in queries {
        let mut list: Vec<(String, f32)> = reference
            .iter()
            .filter(|&&d| d != q)
            .map(|&d| {
                (
                    ids[d].clone(),
                    score_pair(m.row(q), m.row(d), Score::Cosine) as f32,
                )
            })
            .filter(|(_, s)| *s > 0.0)
            .collect();
        best(&mut list, k);
        if !list.is_empty() {
            out.insert(ids[q].clone(), list);
        }
    }
    out
}

#[track_caller]
fn assert_same_top_k(got: &TopK, expected: &TopK) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (q, list) in expected {
        let ids = |l: &[(String, f32)]| l.iter().map(|n| n.0.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got[q]), ids(list), "{q}");
        for (a, b) in got[q].iter().zip(list) {
            assert!((a.1 - b.1).abs() <= 1e-6, "{q}: {a:?} vs {b:?}");
        }
    }
}

fn check_partitioned_top_k(data: &Path, k: usize) {
    let dir = util::tempdir();
    let d = dir.path();
    let docs = lines_of(data);
    let all = write_jsonl(d, "all.jsonl", &docs.iter().collect::<Vec<_>>());
    run_in(d, &["fit", &all, "--model", "m.json", "-q"]).ok();
    let (ids, m) = sparse_rows(d, &all, "m.json");
    assert_eq!(ids, docs.iter().map(|x| x.0.clone()).collect::<Vec<_>>());

    // Queries: every third document; the reference set: everything, in 3 uneven partitions
    // taken out of order (as a cluster would hand them out).
    let queries: Vec<usize> = (0..docs.len()).step_by(3).collect();
    let q_path = write_jsonl(
        d,
        "queries.jsonl",
        &queries.iter().map(|&i| &docs[i]).collect::<Vec<_>>(),
    );
    let n = docs.len();
    let parts = [n / 7, n / 2, n];
    let mut merged = TopK::new();
    for (p, range) in [(1, parts[0]..parts[1]), (0, 0..parts[0]), (2, parts[1]..n)] {
        // Rows of one partition, interleaved so that the partition is not a contiguous id range.
        let mut rows: Vec<&(String, String)> = docs[range].iter().collect();
        rows.reverse();
        let part = write_jsonl(d, &format!("part{p}.jsonl"), &rows);
        let kk = k.to_string();
        let out = run_in(
            d,
            &[
                "similar",
                "--plain",
                &q_path,
                "--against",
                &part,
                "--model",
                "m.json",
                "-k",
                &kk,
                "--format",
                "tsv",
                "-q",
            ],
        )
        .ok();
        parse_tsv(&out.stdout, &mut merged);
    }
    // A query is in the reference set too: it is its own best match; drop it as a self-join does.
    for (q, list) in merged.iter_mut() {
        list.retain(|(id, _)| id != q);
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    // Each partition kept k + 0 neighbours, one of which may be the query itself: compare k - 1.
    for list in merged.values_mut() {
        best(list, k - 1);
    }
    merged.retain(|_, l| !l.is_empty());
    let everyone: Vec<usize> = (0..n).collect();
    assert_same_top_k(&merged, &brute(&ids, &m, &queries, &everyone, k - 1));
}

#[test]
fn per_partition_top_k_merges_to_brute_force() {
    check_partitioned_top_k(&util::corpus(), 4);
    if let Some(basil) = util::shared_data("basil/basil-2010-2014.jsonl") {
        check_partitioned_top_k(&basil, 6);
    }
}

/// FNV-1a 64, written out again from its definition.
fn fnv(key: &str) -> String {
    let mut h: u64 = 14_695_981_039_346_656_037;
    for b in key.bytes() {
        h = (h ^ b as u64).wrapping_mul(1_099_511_628_211);
    }
    format!("{h:016x}")
}

#[test]
fn blocks_are_fnv_hashes_and_top_k_within_blocks_equals_brute_force() {
    let dir = util::tempdir();
    let d = dir.path();
    let docs = lines_of(&util::corpus());
    let all = write_jsonl(d, "all.jsonl", &docs.iter().collect::<Vec<_>>());
    // Input order does not change a block id.
    let mut reversed: Vec<&(String, String)> = docs.iter().collect();
    reversed.reverse();
    let rev = write_jsonl(d, "rev.jsonl", &reversed);
    let blocks_of = |input: &str, flags: &[&str]| -> BTreeMap<String, (String, String)> {
        let mut args = vec!["blocks", input, "-q"];
        args.extend(flags);
        run_in(d, &args)
            .ok()
            .stdout
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let s = |f: &str| v[f].as_str().unwrap().to_string();
                (s("id"), (s("key"), s("block")))
            })
            .collect()
    };
    let by_source = blocks_of(&all, &["--key", "source"]);
    assert_eq!(by_source, blocks_of(&rev, &["--key", "source"]));
    assert_eq!(by_source.len(), docs.len());
    for (key, block) in by_source.values() {
        assert_eq!(*block, fnv(key));
    }
    assert_eq!(
        by_source["amsel-ledger/ferry-strike"],
        ("amsel-ledger".to_string(), "7d7bd0bf2046bfe5".to_string())
    );
    let windows = blocks_of(&all, &["--window-days", "7"]);
    let (key, block) = &windows["amsel-ledger/ferry-strike"];
    assert_eq!(key, "2026-03-19..2026-03-25");
    assert_eq!(*block, fnv(key));

    // Top-k within each block (the block's documents alone, run one block at a time) equals
    // brute force over the pairs of the same block.
    run_in(d, &["fit", &all, "--model", "m.json", "-q"]).ok();
    let (ids, m) = sparse_rows(d, &all, "m.json");
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        members.entry(&windows[id].1).or_default().push(i);
    }
    assert!(members.len() > 2, "the corpus spans several weeks");
    let (mut got, mut expected) = (TopK::new(), TopK::new());
    for (b, rows) in &members {
        let block = write_jsonl(
            d,
            &format!("block-{b}.jsonl"),
            &rows.iter().map(|&i| &docs[i]).collect::<Vec<_>>(),
        );
        let out = run_in(
            d,
            &[
                "similar", &block, "--plain", "--model", "m.json", "-k", "3", "--format", "tsv",
                "-q",
            ],
        )
        .ok();
        parse_tsv(&out.stdout, &mut got);
        expected.extend(brute(&ids, &m, rows, rows, 3));
    }
    assert_same_top_k(&got, &expected);
}

#[test]
fn jsonl_indices_rows_are_the_matrix() {
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = arg(&util::corpus()).to_string();
    run_in(d, &["fit", &corpus, "--model", "m.json", "-q"]).ok();
    run_in(
        d,
        &[
            "transform",
            &corpus,
            "--model",
            "m.json",
            "--out",
            "mtx",
            "-q",
        ],
    )
    .ok();
    run_in(
        d,
        &[
            "transform",
            &corpus,
            "--model",
            "m.json",
            "--out",
            "rows",
            "--format",
            "jsonl-indices",
            "-q",
        ],
    )
    .ok();
    let (_, m) = sparse_rows(d, &corpus, "m.json");
    let mtx = util::read_mtx(&d.join("mtx/matrix.mtx"));
    assert_eq!(mtx.n_rows, m.n_rows());
    for (r, row) in mtx.rows().iter().enumerate() {
        let (cols, vals) = m.row(r);
        let got: Vec<(usize, f32)> = cols
            .iter()
            .zip(vals)
            .map(|(&c, &v)| (c as usize, v))
            .collect();
        let want: Vec<(usize, f32)> = row.iter().map(|&(c, v)| (c, v as f32)).collect();
        assert_eq!(got, want, "row {r}");
    }
    // --out writes the same rows to rows.jsonl, beside vocabulary.tsv and documents.tsv.
    let stdout = run_in(
        d,
        &[
            "transform",
            &corpus,
            "--model",
            "m.json",
            "--format",
            "jsonl-indices",
            "-q",
        ],
    )
    .ok()
    .stdout;
    assert_eq!(
        std::fs::read_to_string(d.join("rows/rows.jsonl")).unwrap(),
        stdout
    );
    assert!(d.join("rows/vocabulary.tsv").exists());
}

#[test]
fn keyness_of_summed_counts_equals_keyness_of_the_whole() {
    let dir = util::tempdir();
    let d = dir.path();
    let docs = lines_of(&util::corpus());
    let all = write_jsonl(d, "all.jsonl", &docs.iter().collect::<Vec<_>>());
    let score = [
        "--measure",
        "g2",
        "-n",
        "8",
        "--min-df",
        "2",
        "--format",
        "tsv",
    ];
    let mut whole = vec!["keyness", all.as_str(), "--by", "source", "-q"];
    whole.extend(score);
    let expected = run_in(d, &whole).ok().stdout;
    assert!(expected.lines().count() > 8, "{expected}");
    // Three uneven parts, one of them without any source (the seed article alone).
    let seed = docs.iter().position(|(id, _)| id == "article").unwrap();
    let rest: Vec<&(String, String)> = docs.iter().filter(|(id, _)| id != "article").collect();
    let parts = [vec![&docs[seed]], rest[..9].to_vec(), rest[9..].to_vec()];
    let mut files = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let input = write_jsonl(d, &format!("part{i}.jsonl"), part);
        let out = format!("counts{i}.json");
        run_in(
            d,
            &[
                "keyness",
                &input,
                "--by",
                "source",
                "--counts-out",
                &out,
                "-q",
            ],
        )
        .ok();
        files.push(out);
    }
    // Summed in a tree (parts 2 and 0 first), then scored; and all at once.
    run_in(
        d,
        &[
            "keyness",
            "--counts",
            &files[2],
            &files[0],
            "--by",
            "source",
            "--counts-out",
            "c20.json",
            "-q",
        ],
    )
    .ok();
    let mut tree = vec![
        "keyness", "--counts", "c20.json", &files[1], "--by", "source", "-q",
    ];
    tree.extend(score);
    assert_eq!(run_in(d, &tree).ok().stdout, expected);
    let mut flat = vec!["keyness", "--counts", &files[1], &files[2], &files[0]];
    flat.extend(["--by", "source", "-q"]);
    flat.extend(score);
    assert_eq!(run_in(d, &flat).ok().stdout, expected);
    // Counts made differently are refused.
    let err = run_in(
        d,
        &[
            "keyness", "--counts", &files[0], "--by", "title", "--format", "tsv",
        ],
    )
    .fails()
    .to_string();
    assert!(err.contains("counted --by source, not --by title"), "{err}");
}

/// The Spark driver's task-side pipe (spark/test_pipe.py, standard library only, no Spark):
/// JSON-escaped records arrive intact, output streams while input is written, a failing child
/// raises with its stderr. Skips without Python.
#[test]
fn spark_pipe_wrapper() {
    let python = std::env::var("PARALLAX_PYTHON").unwrap_or_else(|_| "python3".into());
    if std::process::Command::new(&python)
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: no Python ({python}); set PARALLAX_PYTHON");
        return;
    }
    let out = std::process::Command::new(&python)
        .arg(util::root().join("spark/test_pipe.py"))
        .arg(env!("CARGO_BIN_EXE_parallax"))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn similar_within_a_window_of_days_equals_brute_force() {
    let dir = util::tempdir();
    let d = dir.path();
    let docs = lines_of(&util::corpus());
    let all = write_jsonl(d, "all.jsonl", &docs.iter().collect::<Vec<_>>());
    run_in(d, &["fit", &all, "--model", "m.json", "-q"]).ok();
    let (ids, m) = sparse_rows(d, &all, "m.json");
    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|(_, line)| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["date"].as_str().and_then(parallax::dates::day_number)
        })
        .collect();
    assert!(days.iter().any(Option::is_none) && days.iter().any(Option::is_some));
    for window in [0i64, 3, 10] {
        let w = window.to_string();
        let out = run_in(
            d,
            &[
                "similar",
                "--plain",
                &all,
                "--model",
                "m.json",
                "-k",
                "4",
                "--window-days",
                &w,
                "--format",
                "tsv",
                "-q",
            ],
        )
        .ok();
        let mut got = TopK::new();
        parse_tsv(&out.stdout, &mut got);
        let mut expected = TopK::new();
        for q in 0..ids.len() {
            let near: Vec<usize> = (0..ids.len())
                .filter(|&r| match (days[q], days[r]) {
                    (Some(x), Some(y)) => (x - y).abs() <= window,
                    _ => true,
                })
                .collect();
            expected.extend(brute(&ids, &m, &[q], &near, 4));
        }
        assert_same_top_k(&got, &expected);
    }
}
