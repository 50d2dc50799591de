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
    let rows = r["coverage"].as_array().unwrap();
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
    assert_eq!(
        levy["documents"],
        serde_json::json!([[0, 1], [1, 1], [2, 1], [3, 1]])
    );
    // A source skipped every shared story the coverage rows do not list it in.
    for (s, summary) in r["sources"].as_array().unwrap().iter().enumerate() {
        let skipped = rows
            .iter()
            .filter(|row| {
                !row["documents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d[0] == s)
            })
            .count();
        assert_eq!(summary["skipped"], skipped);
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

    // Similarity: the shown sources' centroid matrix is symmetric with diagonal 1, and every
    // pair that shares a story is listed once, in order, with a cosine.
    let sim = &r["similarity"];
    assert_eq!(r["shown"]["sources"].as_array().unwrap().len(), 4);
    for i in 0..4 {
        assert_eq!(sim["centroid"][i][i], 1.0);
        for j in 0..4 {
            assert_eq!(sim["centroid"][i][j], sim["centroid"][j][i]);
        }
    }
    let pairs = sim["story_pairs"].as_array().unwrap();
    assert_eq!(
        pairs.len(),
        6,
        "four outlets that all shared the levy story"
    );
    for p in pairs {
        assert!(p["a"].as_u64() < p["b"].as_u64(), "{p}");
        assert!(p["shared_stories"].as_u64().unwrap() >= 1);
        assert!((0.0..=1.0).contains(&p["mean"].as_f64().unwrap()));
    }
    for (i, near) in sim["nearest"].as_array().unwrap().iter().enumerate() {
        let near = near.as_array().unwrap();
        assert_eq!(near.len(), 3, "every other outlet");
        assert!(near.iter().all(|n| n[0] != i));
    }
    // Dated corpus over about six weeks: a daily timeline whose counts add up, sparse.
    let t = &r["timeline"];
    assert_eq!(t["period"], "day");
    let total: u64 = t["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c.as_object().unwrap().values())
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
        "The 4 largest sources",
        "Stories most sources carried",
        "Closest and furthest versions of shared stories",
        "Distinctive terms of each source",
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
    assert!(
        notes.contains(
            "1 source(s) have no terms in their documents, so no distinctive terms: gamma"
        ),
        "{notes}"
    );
    assert!(
        notes.contains("1 source(s) have one document each, so their distinctive terms are that article's: beta"),
        "{notes}"
    );
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

/// Hundreds of one-article outlets beside a few large ones, and one date far from the rest: the
/// report summarizes the tail in one note and stays proportional to the corpus, and the far date
/// is set aside instead of stretching the timeline.
#[test]
fn a_long_tail_of_outlets_and_a_far_off_date() {
    let dir = tempdir();
    let events = [
        "harbour levy vote dredging council channel",
        "ferry strike crews pay islanders stranded",
        "llamas escaped bypass farmer caught",
        "school roof collapse storm pupils safe",
    ];
    let mut text = String::new();
    let mut line = |id: String, source: String, date: &str, body: String| {
        text += &serde_json::json!({"id": id, "source": source, "date": date, "text": body})
            .to_string();
        text.push('\n');
    };
    for (e, words) in events.iter().enumerate() {
        for big in 0..3 {
            line(
                format!("big{big}-{e}"),
                format!("big outlet {big}"),
                &format!("2024-03-0{}", e + 1),
                format!("{words} reported by the big outlet {big} with its own angle {big}"),
            );
        }
    }
    for k in 0..300 {
        let e = k % events.len();
        line(
            format!("tail{k}"),
            format!("tail outlet {k:03}"),
            &format!("2024-03-0{}", e + 1),
            format!("{} said a small outlet number {k}", events[e]),
        );
    }
    line(
        "far".into(),
        "big outlet 0".into(),
        "0001-01-01",
        "a stray article dated at the start of the era".into(),
    );
    write(dir.path(), "tail.jsonl", text);
    let run = run_in(
        dir.path(),
        &[
            "compare",
            "tail.jsonl",
            "--format",
            "json",
            "--top-sources",
            "5",
        ],
    )
    .ok();
    assert!(
        run.stderr.contains("1 implausible date(s) kept as undated"),
        "{}",
        run.stderr
    );
    let r = json(&run.stdout);
    assert_eq!(r["documents"], 313);
    assert_eq!(r["sources"].as_array().unwrap().len(), 303);
    // One line for the 300 one-article outlets, not 300.
    let notes: Vec<&str> = r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(notes.len() <= 4, "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("300 source(s) have one document each"))
    );
    // Dense matrices cover the shown sources only; the timeline spans the real dates.
    assert_eq!(r["shown"]["sources"].as_array().unwrap().len(), 5);
    assert_eq!(r["similarity"]["centroid"].as_array().unwrap().len(), 5);
    let t = &r["timeline"];
    assert_eq!(
        (
            t["period"].as_str(),
            t["first"].as_str(),
            t["last"].as_str()
        ),
        (Some("day"), Some("2024-03-01"), Some("2024-03-04"))
    );
    assert_eq!(r["undated"], 1);
    assert_eq!(r["set_aside"][0]["kind"], "implausible date");
    assert_eq!(
        r["set_aside"][0]["examples"][0],
        "tail.jsonl:313: `0001-01-01`"
    );
    // Every neighbour list is bounded, whatever the number of sources.
    for near in r["similarity"]["nearest"].as_array().unwrap() {
        assert!(near.as_array().unwrap().len() <= 10);
    }
    // A compact JSON: no indentation unless asked.
    assert!(!run.stdout.contains("\n  "));
}
