//! `parallax compare` end to end: the report on the demo corpus and on BASIL, its JSON against
//! `stories`, determinism, and the degenerate inputs the report must survive.

use std::path::Path;

use serde_json::Value;

use crate::util::{arg, corpus, run, run_in, shared_data, tempdir, write};

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

fn compare_json(dir: &Path, input: &str, extra: &[&str]) -> Value {
    let mut args = vec!["compare", input, "--format", "json", "-q"];
    args.extend_from_slice(extra);
    json(&run_in(dir, &args).ok().stdout)
}

/// Surface forms of a source's distinctive terms.
fn distinctive(report: &Value, source: &str) -> Vec<String> {
    report["keyness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["source"] == source)
        .unwrap_or_else(|| panic!("no keyness for {source}"))["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["surface"].as_str().unwrap().to_lowercase())
        .collect()
}

#[test]
fn demo_corpus_report() {
    let dir = tempdir();
    let r = compare_json(dir.path(), arg(&corpus()), &[]);
    let sources: Vec<&str> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "amsel-ledger",
            "commoner-weekly",
            "daily-klaxon",
            "radio-tarrowmere"
        ]
    );
    // The seed article has no source: counted and said.
    assert_eq!(r["ungrouped"], 1);
    assert!(r["notes"].to_string().contains("have no source"));

    // Every story across outlets holds articles of one event (the slug after the outlet).
    let rows = r["coverage"]["rows"].as_array().unwrap();
    assert!(rows.len() >= 8, "{} stories across sources", rows.len());
    for story in r["aligned"].as_array().unwrap() {
        let slugs: std::collections::BTreeSet<&str> = story["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().split('/').nth(1).unwrap())
            .collect();
        assert_eq!(
            slugs.len(),
            1,
            "story {} mixes events: {slugs:?}",
            story["story"]
        );
        // Each source present has its distinctive terms, and the means are cosines.
        for d in story["distinctive"].as_array().unwrap() {
            assert!(!d["terms"].as_array().unwrap().is_empty(), "{d}");
        }
        for p in story["source_pairs"].as_array().unwrap() {
            let m = p["mean"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&m), "{p}");
        }
    }
    // The harbour levy was carried by all four outlets; skipped stories are listed per source.
    let levy = rows
        .iter()
        .find(|row| row["label"].as_str().unwrap().contains("levy"))
        .expect("the harbour levy story");
    assert_eq!(levy["documents"], serde_json::json!([1, 1, 1, 1]));
    let skipped = r["coverage"]["skipped"].as_array().unwrap();
    for (s, summary) in r["sources"].as_array().unwrap().iter().enumerate() {
        assert_eq!(summary["skipped"], skipped[s].as_array().unwrap().len());
    }

    // The outlets' voices: the business paper talks markets, the tabloid its own register.
    let ledger = distinctive(&r, "amsel-ledger");
    assert!(
        ledger
            .iter()
            .any(|t| ["investors", "market", "analysts", "growth"].contains(&t.as_str())),
        "{ledger:?}"
    );
    let klaxon = distinctive(&r, "daily-klaxon");
    assert!(
        klaxon.iter().any(|t| t == "boss" || t == "klaxon"),
        "{klaxon:?}"
    );
    let key = &r["keyness"][0]["terms"][0];
    assert!(key["log_ratio"].as_f64().unwrap() > 0.0);
    assert!(key["p_adjusted"].as_f64().unwrap() <= 1.0);
    assert!(!r["shared_terms"].as_array().unwrap().is_empty());

    // Similarity matrices: symmetric, centroid diagonal 1.
    let sim = &r["similarity"];
    for i in 0..4 {
        assert_eq!(sim["centroid"][i][i], 1.0);
        assert!(sim["story_mean"][i][i].is_null());
        for j in 0..4 {
            assert_eq!(sim["story_mean"][i][j], sim["story_mean"][j][i]);
            assert_eq!(sim["shared_stories"][i][j], sim["shared_stories"][j][i]);
        }
    }
    // Dated corpus over about six weeks: a daily timeline whose counts add up.
    let t = &r["timeline"];
    assert_eq!(t["period"], "day");
    let total: u64 = t["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c.as_array().unwrap())
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(total, 27);
}

#[test]
fn stories_field_is_what_stories_writes() {
    let dir = tempdir();
    let c = compare_json(dir.path(), arg(&corpus()), &[]);
    let s = json(
        &run_in(
            dir.path(),
            &["stories", arg(&corpus()), "--format", "json", "-q"],
        )
        .ok()
        .stdout,
    );
    assert_eq!(c["stories"], s["stories"]);
    // ... so `eval stories` reads the report as it reads `stories`.
    write(dir.path(), "report.json", c.to_string());
    let e = run_in(
        dir.path(),
        &[
            "eval",
            "stories",
            "--gold",
            arg(&corpus()),
            "--pred",
            "report.json",
            "--format",
            "json",
        ],
    )
    .ok();
    assert_eq!(json(&e.stdout)["ari"], 1.0);
}

#[test]
fn basil_stories_match_the_gold_events_and_align_every_event() {
    let Some(basil) = shared_data("basil/basil-2010-2014.jsonl") else {
        return;
    };
    let dir = tempdir();
    let out = run_in(
        dir.path(),
        &[
            "compare",
            arg(&basil),
            "--format",
            "json",
            "-o",
            "report.json",
            "-q",
        ],
    )
    .ok();
    assert!(out.stdout.is_empty(), "the report went to the file");
    let e = run_in(
        dir.path(),
        &[
            "eval",
            "stories",
            "--gold",
            arg(&basil),
            "--pred",
            "report.json",
            "--format",
            "json",
        ],
    )
    .ok();
    let ari = json(&e.stdout)["ari"].as_f64().unwrap();
    assert!(ari >= 0.95, "ARI {ari}");

    let report = json(&std::fs::read_to_string(dir.path().join("report.json")).unwrap());
    let gold: std::collections::HashMap<String, String> = std::fs::read_to_string(&basil)
        .unwrap()
        .lines()
        .map(|l| {
            let v = json(l);
            (
                v["id"].as_str().unwrap().into(),
                v["event"].as_str().unwrap().into(),
            )
        })
        .collect();
    // Every event's three articles (Fox, NYT, HuffPost) side by side in one aligned story.
    let mut aligned_events = 0;
    for story in report["aligned"].as_array().unwrap() {
        let articles = story["articles"].as_array().unwrap();
        let events: std::collections::BTreeSet<&str> = articles
            .iter()
            .map(|a| gold[a["id"].as_str().unwrap()].as_str())
            .collect();
        if events.len() == 1
            && articles.len() == 3
            && story["distinctive"].as_array().unwrap().len() == 3
        {
            aligned_events += 1;
        }
    }
    assert_eq!(aligned_events, 50);
}

#[test]
fn same_bytes_for_any_thread_count() {
    let dir = tempdir();
    let c = arg(&corpus()).to_string();
    for t in ["1", "2"] {
        run_in(
            dir.path(),
            &[
                "--threads",
                t,
                "compare",
                &c,
                "--format",
                "json",
                "-o",
                &format!("r{t}.json"),
                "-q",
            ],
        )
        .ok();
        let table = run_in(dir.path(), &["--threads", t, "compare", &c, "-q"]).ok();
        write(dir.path(), &format!("t{t}.txt"), table.stdout);
    }
    for name in ["r", "t"] {
        let ext = if name == "r" { "json" } else { "txt" };
        let a = std::fs::read(dir.path().join(format!("{name}1.{ext}"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("{name}2.{ext}"))).unwrap();
        assert!(a == b, "{name}: --threads 1 and 2 differ");
    }
}

#[test]
fn terminal_summary_has_every_section() {
    let (_dir, r) = run(&["compare", arg(&corpus()), "-q"]);
    let out = r.ok().stdout;
    for heading in [
        "Sources",
        "Coverage: stories carried by two or more sources",
        "Source similarity",
        "Distinctive terms of each source",
        "Terms every source uses",
        "Stories side by side",
        "Coverage over time",
        "Notes",
    ] {
        assert!(out.contains(heading), "no {heading:?} in:\n{out}");
    }
}

/// A source with one document, an undated corpus, and an article with no terms still give a
/// report that says what it could not compute.
#[test]
fn degenerate_inputs_still_report() {
    let dir = tempdir();
    let docs = [
        (
            "a1",
            "alpha",
            "The council approved the harbour levy after a long debate on dredging.",
        ),
        (
            "a2",
            "alpha",
            "Ferry crews walked out over pay; islanders were stranded for two days.",
        ),
        (
            "b1",
            "beta",
            "Harbour levy approved: the council backs dredging after a long debate.",
        ),
        ("c1", "gamma", "the and of"),
    ];
    let text: String = docs
        .iter()
        .map(|(id, source, text)| {
            serde_json::json!({"id": id, "source": source, "text": text}).to_string() + "\n"
        })
        .collect();
    write(dir.path(), "d.jsonl", text);
    let r = compare_json(dir.path(), "d.jsonl", &["--min-count", "1"]);
    let notes = r["notes"].to_string();
    assert!(notes.contains("no document has a date"), "{notes}");
    assert!(notes.contains("gamma: no terms"), "{notes}");
    assert!(notes.contains("beta has one document"), "{notes}");
    assert!(
        notes.contains("no terms in the vocabulary") && notes.contains("c1"),
        "{notes}"
    );
    assert!(r["timeline"].is_null());
    assert!(!r.to_string().contains("NaN"));
    let gamma = distinctive(&r, "gamma");
    assert!(gamma.is_empty());

    // One source only: no keyness, and a note that says so.
    write(
        dir.path(),
        "one.jsonl",
        serde_json::json!({"id": "x", "source": "solo", "text": "One lone article about the harbour."})
            .to_string()
            + "\n",
    );
    let one = compare_json(dir.path(), "one.jsonl", &[]);
    assert!(one["keyness"].as_array().unwrap().is_empty());
    assert!(one["notes"].to_string().contains("one source only"));
    let table = run_in(dir.path(), &["compare", "one.jsonl", "-q"]).ok();
    assert!(table.stdout.contains("one source only"));

    // Bad flags are clear errors.
    run_in(dir.path(), &["compare", "d.jsonl", "--threshold", "0"]).fails();
    run_in(
        dir.path(),
        &["compare", "d.jsonl", "--measure", "pmi", "--fdr", "0.05"],
    )
    .fails();
    run_in(
        dir.path(),
        &["compare", "d.jsonl", "--by", "nosuchfield", "-q"],
    )
    .ok();
}
