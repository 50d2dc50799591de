//! Shards, merge and incremental fit: partial statistics merge into exactly the model a single
//! fit over all documents gives, pruning included.

use std::path::Path;

use crate::util::{self, arg, run_in, write};
use parallax::corpus::{ReadOptions, read_inputs};
use parallax::vectorize::{DfLimit, Vectorizer, VocabularyParams};

/// The corpus as JSONL lines, so it can be split into shards.
fn corpus_lines() -> Vec<String> {
    let corpus = read_inputs(&[util::corpus()], &ReadOptions::default()).unwrap();
    corpus
        .docs
        .iter()
        .map(|d| {
            serde_json::json!({"id": d.id, "text": d.text, "title": d.title, "source": d.source})
                .to_string()
        })
        .collect()
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> String {
    arg(&write(dir, name, lines.join("\n") + "\n")).to_string()
}

#[test]
fn merged_shards_equal_one_fit_byte_for_byte() {
    let dir = util::tempdir();
    let d = dir.path();
    let lines = corpus_lines();
    let all = write_lines(d, "all.jsonl", &lines);
    let pruning = ["--min-df", "2", "--max-df", "0.5", "--max-features", "300"];
    let mut fit = vec!["fit", all.as_str(), "--model", "one.json", "-q"];
    fit.extend(pruning);
    run_in(d, &fit).ok();
    // Four uneven shards, merged in a shuffled order.
    let cuts = [0, 3, 11, 12, lines.len()];
    let mut shards = Vec::new();
    for (i, w) in cuts.windows(2).enumerate() {
        let input = write_lines(d, &format!("part{i}.jsonl"), &lines[w[0]..w[1]]);
        let shard = format!("part{i}.shard.json");
        run_in(d, &["fit", "--shard", &input, "--model", &shard, "-q"]).ok();
        shards.push(shard);
    }
    let mut merge = vec![
        "merge",
        &shards[2],
        &shards[0],
        &shards[3],
        &shards[1],
        "--model",
        "merged.json",
        "-q",
    ];
    merge.extend(pruning);
    run_in(d, &merge).ok();
    util::assert_same_bytes(&d.join("one.json"), &d.join("merged.json"));

    // Summed in a tree, as a cluster does (`merge --shard` adds shards into a shard), in two
    // different groupings and orders: the same shard bytes, and the same model after pruning.
    let sum = |name: &str, parts: &[&str]| {
        let mut args = vec!["merge", "--shard", "--model", name, "-q"];
        args.extend(parts);
        run_in(d, &args).ok();
    };
    sum("s01.json", &[&shards[0], &shards[1]]);
    sum("s23.json", &[&shards[2], &shards[3]]);
    sum("left.json", &["s01.json", "s23.json"]);
    sum("s32.json", &[&shards[3], &shards[2]]);
    sum("s321.json", &["s32.json", &shards[1]]);
    sum("right.json", &[&shards[0], "s321.json"]);
    util::assert_same_bytes(&d.join("left.json"), &d.join("right.json"));
    let mut merge = vec!["merge", "left.json", "--model", "tree.json", "-q"];
    merge.extend(pruning);
    run_in(d, &merge).ok();
    util::assert_same_bytes(&d.join("one.json"), &d.join("tree.json"));
    let err = run_in(
        d,
        &[
            "merge",
            "--shard",
            "left.json",
            "--model",
            "x.json",
            "--min-df",
            "2",
        ],
    )
    .fails()
    .to_string();
    assert!(
        err.contains("give vocabulary and weighting flags to the final merge"),
        "{err}"
    );
}

#[test]
fn update_equals_refit() {
    let dir = util::tempdir();
    let d = dir.path();
    let lines = corpus_lines();
    let all = write_lines(d, "all.jsonl", &lines);
    let old = write_lines(d, "old.jsonl", &lines[..20]);
    let new = write_lines(d, "new.jsonl", &lines[20..]);
    run_in(
        d,
        &["fit", &all, "--model", "refit.json", "--min-df", "2", "-q"],
    )
    .ok();
    run_in(
        d,
        &[
            "fit",
            &old,
            "--model",
            "nightly.json",
            "--min-df",
            "2",
            "-q",
        ],
    )
    .ok();
    let before = std::fs::read(d.join("nightly.json")).unwrap();
    run_in(
        d,
        &[
            "fit",
            "--update",
            "nightly.json",
            &new,
            "--model",
            "updated.json",
            "-q",
        ],
    )
    .ok();
    util::assert_same_bytes(&d.join("refit.json"), &d.join("updated.json"));
    assert_eq!(
        std::fs::read(d.join("nightly.json")).unwrap(),
        before,
        "--model elsewhere leaves the base"
    );
    // Without --model the base is updated in place.
    run_in(d, &["fit", "--update", "nightly.json", &new, "-q"]).ok();
    util::assert_same_bytes(&d.join("refit.json"), &d.join("nightly.json"));
    let err = run_in(d, &["fit", "--update", "nightly.json", &new, "--no-stem"])
        .fails()
        .to_string();
    assert!(
        err.contains("--update refits with the model's own settings"),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_with_different_analysis() {
    let dir = util::tempdir();
    let d = dir.path();
    let lines = corpus_lines();
    let a = write_lines(d, "a.jsonl", &lines[..10]);
    let b = write_lines(d, "b.jsonl", &lines[10..]);
    run_in(d, &["fit", "--shard", &a, "--model", "a.json", "-q"]).ok();
    run_in(
        d,
        &["fit", "--shard", &b, "--model", "b.json", "--no-stem", "-q"],
    )
    .ok();
    let err = run_in(d, &["merge", "a.json", "b.json", "--model", "m.json"])
        .fails()
        .to_string();
    assert!(
        err.contains("b.json: its analysis settings differ from a.json's"),
        "{err}"
    );
    assert!(!d.join("m.json").exists());
    let err = run_in(
        d,
        &["fit", "--shard", &a, "--model", "x.json", "--min-df", "2"],
    )
    .fails()
    .to_string();
    assert!(
        err.contains("give vocabulary and weighting flags to `parallax merge`"),
        "{err}"
    );
}

#[test]
fn statistics_merge_in_the_library() {
    let corpus = read_inputs(&[util::corpus()], &ReadOptions::default()).unwrap();
    let settings = Vectorizer {
        vocabulary: VocabularyParams {
            min_df: DfLimit::Count(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let docs = &corpus.docs;
    let parts: Vec<_> = [&docs[..5], &docs[5..17], &docs[17..]]
        .iter()
        .map(|part| settings.statistics(part).unwrap())
        .collect();
    let left = parts[0].merge(&parts[1]).merge(&parts[2]);
    let right = parts[2].merge(&parts[0].merge(&parts[1]));
    assert_eq!(left, right, "merge is associative and commutative");
    assert_eq!(
        left,
        settings.statistics(docs).unwrap(),
        "merge equals counting everything"
    );
    let merged = settings.fit_statistics(left).unwrap();
    let direct = settings.fit(docs).unwrap();
    assert_eq!(
        parallax::io::model::to_json(&merged),
        parallax::io::model::to_json(&direct)
    );
}

#[test]
fn xargs_parallel_shards_equal_one_shot() {
    let Some(data) = util::shared_data("basil/basil-2010-2014.jsonl") else {
        return;
    };
    let dir = util::tempdir();
    let script = util::root().join("tests/scripts/shards_xargs.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .args([env!("CARGO_BIN_EXE_parallax"), arg(&data), arg(dir.path())])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Shards whose counts sum past u64::MAX are refused with a message naming the file, never
/// summed around to a small number and saved.
#[test]
fn sums_past_u64_are_refused() {
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = util::corpus();
    run_in(
        d,
        &["fit", "--shard", arg(&corpus), "--model", "s.json", "-q"],
    )
    .ok();
    let mut shard: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("s.json")).unwrap()).unwrap();
    shard["statistics"]["n_docs"] = serde_json::json!(u64::MAX - 1);
    std::fs::write(d.join("big.json"), serde_json::to_vec(&shard).unwrap()).unwrap();
    for extra in [&[][..], &["--shard"][..]] {
        let mut args = vec!["merge", "s.json", "big.json", "--model", "m.json", "-q"];
        args.extend_from_slice(extra);
        let run = run_in(d, &args);
        let err = run.fails();
        assert!(err.contains("big.json: its counts added"), "{err}");
        assert!(!d.join("m.json").exists());
    }
}
