use super::*;
use crate::compare::report::*;

fn term(surface: &str, log_ratio: f64) -> KeyTerm {
    KeyTerm {
        term: surface.to_lowercase(),
        surface: surface.to_string(),
        count: 12.0,
        count_reference: 3.0,
        statistic: 14.5,
        log_ratio,
        p_adjusted: Some(0.0004),
    }
}

fn article(source: &str, id: &str, title: Option<&str>) -> Article {
    Article {
        source: source.to_string(),
        id: id.to_string(),
        title: title.map(String::from),
        date: Some("2026-03-04".to_string()),
        tokens: 120.0,
    }
}

fn source(name: &str, documents: usize) -> SourceSummary {
    SourceSummary {
        name: name.to_string(),
        documents,
        tokens: 1000.0,
        stories: 2,
        shared_stories: 1,
        skipped: 0,
        exclusive: 1,
    }
}

fn story(id: usize, label: &str, docs: &[&str], sources: &[&str]) -> StoryRecord {
    StoryRecord {
        id,
        label: label.to_string(),
        docs: docs.iter().map(|s| s.to_string()).collect(),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        first_date: Some("2026-03-04".to_string()),
        last_date: Some("2026-03-06".to_string()),
        near_duplicates: vec![],
    }
}

/// Three sources (klaxon 0, ledger 1, weekly 2), two stories (one shared by all), dates
/// over three days. (Long because it is one whole report written out as data, every field of
/// which some test reads; split, the fixture could not be read as one.)
fn sample() -> Report {
    let keyness = |source: &str, documents, terms| SourceKeyness {
        source: source.to_string(),
        measure: "g2",
        documents,
        terms,
    };
    Report {
        by: "source".to_string(),
        documents: 4,
        ungrouped: 0,
        undated: 1,
        sources: vec![
            source("klaxon", 2),
            source("ledger", 1),
            source("weekly", 1),
        ],
        shown: Shown {
            sources: vec![0, 1, 2],
            stories: vec![0],
        },
        stories: vec![
            story(
                0,
                "harbour levy",
                &["k/1", "l/1", "w/1"],
                &["klaxon", "ledger", "weekly"],
            ),
            story(1, "llamas", &["k/2"], &["klaxon"]),
        ],
        coverage: vec![CoverageRow {
            story: 0,
            label: "harbour levy".to_string(),
            documents: vec![(0, 1), (1, 1), (2, 1)],
        }],
        aligned: vec![AlignedStory {
            story: 0,
            label: "harbour levy".to_string(),
            articles: vec![
                article("klaxon", "k/1", Some("Tax grab!")),
                article("ledger", "l/1", Some("Levy backed")),
                article("weekly", "w/1", None),
            ],
            source_pairs: vec![
                SourcePair {
                    a: 0,
                    b: 1,
                    mean: 0.41,
                },
                SourcePair {
                    a: 0,
                    b: 2,
                    mean: 0.3,
                },
                SourcePair {
                    a: 1,
                    b: 2,
                    mean: 0.2,
                },
            ],
            pairs: vec![DocPair {
                a: "k/1".to_string(),
                b: "l/1".to_string(),
                score: 0.41,
            }],
            pairs_omitted: 0,
            distinctive: vec![SourceTerms {
                source: "klaxon".to_string(),
                terms: vec![term("fury", 2.5)],
            }],
            notes: vec![],
        }],
        keyness: vec![
            keyness(
                "klaxon",
                2,
                vec![term("fury", 3.2), term("grab", 1.1), term("bosses", -0.5)],
            ),
            keyness("ledger", 1, vec![term("capex", 2.0)]),
            keyness("weekly", 1, vec![]),
        ],
        shared_terms: vec![SharedTerm {
            term: "levi".to_string(),
            surface: "levy".to_string(),
            counts: vec![3.0, 4.0, 2.0],
        }],
        similarity: SourceSimilarity {
            story_pairs: vec![
                StoryPair {
                    a: 0,
                    b: 1,
                    shared_stories: 1,
                    mean: 0.41,
                },
                StoryPair {
                    a: 0,
                    b: 2,
                    shared_stories: 1,
                    mean: 0.3,
                },
            ],
            nearest: vec![vec![(1, 0.5)], vec![(2, 0.75)], vec![(1, 0.75)]],
            centroid: vec![
                vec![1.0, 0.5, 0.25],
                vec![0.5, 1.0, 0.75],
                vec![0.25, 0.75, 1.0],
            ],
        },
        timeline: Some(Timeline {
            period: "day",
            first: "2026-03-04".to_string(),
            last: "2026-03-06".to_string(),
            counts: vec![
                [("2026-03-04".to_string(), 1), ("2026-03-06".to_string(), 1)].into(),
                [("2026-03-04".to_string(), 1)].into(),
                BTreeMap::new(),
            ],
            undated: vec![0, 0, 1],
        }),
        set_aside: vec![SetAsideValues {
            kind: "ambiguous date".to_string(),
            count: 1,
            examples: vec!["in.jsonl:3: `9/5/18`".to_string()],
            hint: "give --dates mdy or --dates dmy".to_string(),
        }],
        notes: vec![],
    }
}

/// One source, no dates, nothing shared: what `compare` gives for a degenerate corpus.
fn degenerate() -> Report {
    Report {
        by: "source".to_string(),
        documents: 1,
        ungrouped: 0,
        undated: 1,
        sources: vec![source("only", 1)],
        shown: Shown {
            sources: vec![0],
            stories: vec![],
        },
        stories: vec![story(0, "", &["only/a"], &["only"])],
        coverage: vec![],
        aligned: vec![],
        keyness: vec![],
        shared_terms: vec![],
        similarity: SourceSimilarity {
            story_pairs: vec![],
            nearest: vec![vec![]],
            centroid: vec![vec![1.0]],
        },
        timeline: None,
        set_aside: vec![],
        notes: vec![
            "one source: nothing to compare".to_string(),
            "no dates: no timeline".to_string(),
        ],
    }
}

/// The `data-expect` of section `id`.
fn expect_of<'a>(page: &'a str, id: &str) -> &'a str {
    let open = format!("<section id=\"{id}\" data-expect=\"");
    let at = page
        .find(&open)
        .unwrap_or_else(|| panic!("no section {id}"))
        + open.len();
    &page[at..at + page[at..].find('"').unwrap()]
}

const SECTIONS: [&str; 9] = [
    "glance",
    "sources",
    "stories",
    "coverage",
    "keyness",
    "similarity",
    "timeline",
    "search",
    "notes",
];

#[test]
fn escapes_html() {
    assert_eq!(
        esc(r#"<a href="x">Tom & 'Jerry'</a>"#).to_string(),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
    );
    assert_eq!(esc("plain ünïcode").to_string(), "plain ünïcode");
    assert_eq!(esc("").to_string(), "");
}

#[test]
fn escapes_every_string_from_the_data() {
    let evil = "<script>alert(\"x&y\")</script>'";
    let mut r = sample();
    r.by = evil.to_string();
    r.notes.push(evil.to_string());
    r.sources[0].name = evil.to_string();
    r.coverage[0].label = evil.to_string();
    r.stories[0].label = evil.to_string();
    r.stories[0].sources[0] = evil.to_string();
    r.stories[0].first_date = Some(evil.to_string());
    r.aligned[0].label = evil.to_string();
    r.aligned[0].notes.push(evil.to_string());
    r.aligned[0].articles[0].source = evil.to_string();
    r.aligned[0].articles[0].id = evil.to_string();
    r.aligned[0].articles[0].title = Some(evil.to_string());
    r.aligned[0].articles[1].date = Some(evil.to_string());
    r.aligned[0].pairs[0].b = evil.to_string();
    r.aligned[0].distinctive[0].source = evil.to_string();
    r.aligned[0].distinctive[0].terms[0].surface = evil.to_string();
    r.keyness[0].source = evil.to_string();
    r.keyness[0].terms[0].surface = evil.to_string();
    r.keyness[0].terms[0].term = evil.to_string();
    r.shared_terms[0].surface = evil.to_string();
    r.set_aside[0].examples[0] = evil.to_string();
    r.set_aside[0].kind = evil.to_string();
    let t = r.timeline.as_mut().unwrap();
    t.first = evil.to_string();
    let page = render(&r);
    assert!(
        !page.contains("<script>alert"),
        "unescaped markup in the page"
    );
    assert!(!page.contains("x&y"), "unescaped ampersand in the page");
    assert!(!page.contains("</script>'"), "the data block was closed");
    assert!(page.contains("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"));
    // The page's own script and the story index, which is data, not code.
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("<script type=\"application/json\"").count(), 1);
}

#[test]
fn only_its_own_script_may_run() {
    let page = render(&sample());
    let csp = page
        .split("Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(!csp.contains("unsafe-inline'; img") && !csp.contains("script-src 'unsafe-inline'"));
    let hash = csp
        .split("script-src 'sha256-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    // The one executable script is the one whose hash the policy names.
    let body = page
        .rsplit("<script>")
        .next()
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    assert_eq!(hash, base64(&Sha256::digest(body.as_bytes())));
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}

#[test]
fn every_section_is_present_with_its_figure() {
    let page = render(&sample());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.ends_with("</html>\n"));
    let mut at = 0;
    for id in SECTIONS {
        let found = page
            .find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"));
        assert!(found > at, "section {id} out of order");
        at = found;
    }
    assert_eq!(page.matches("<section ").count(), SECTIONS.len());
    assert_eq!(page.matches("</section>").count(), SECTIONS.len());
    assert_eq!(expect_of(&page, "glance"), "dl");
    assert_eq!(expect_of(&page, "sources"), "svg");
    assert_eq!(expect_of(&page, "stories"), ".story");
    assert_eq!(expect_of(&page, "coverage"), "table");
    assert_eq!(expect_of(&page, "keyness"), "svg");
    assert_eq!(expect_of(&page, "similarity"), "svg");
    assert_eq!(expect_of(&page, "timeline"), "svg");
    assert_eq!(expect_of(&page, "search"), "input");
    // Values in the heatmap cells, the hatched 'no shared story' cells, the story.
    assert!(page.contains(">0.41</text>"));
    assert!(page.contains("fill=\"url(#hatch-story)\""));
    assert!(page.contains("id=\"story-0\""));
    assert!(page.contains("Tax grab!"));
    assert!(page.contains(">fury</text>"));
    assert!(page.contains("adjusted p 4.0e-4"));
    // Findings lead, and what was set aside is told with an example.
    assert!(page.contains("The story most sources carried: <a href=\"#story-0\">harbour levy</a>"));
    assert!(page.contains("1 ambiguous date</b>") || page.contains("<b>1</b> ambiguous date"));
    assert!(page.contains("<code>in.jsonl:3: `9/5/18`</code>"));
    // The story index holds every story.
    assert!(page.contains("[[0,\"harbour levy\",3,3,\"2026-03-04\",\"2026-03-06\",\"klaxon, ledger, weekly\"],[1,\"llamas\""));
}

#[test]
fn the_long_tail_is_summarized_not_listed_first() {
    // 300 sources: 5 shown, 295 in the tail.
    let mut r = sample();
    r.sources = (0..300)
        .map(|i| source(&format!("outlet {i:03}"), if i < 5 { 100 - i } else { 1 }))
        .collect();
    r.shown.sources = (0..5).collect();
    r.keyness = (0..300)
        .map(|i| SourceKeyness {
            source: format!("outlet {i:03}"),
            measure: "g2",
            documents: 1,
            terms: vec![term("word", 1.0)],
        })
        .collect();
    r.similarity.centroid = vec![vec![0.5; 5]; 5];
    r.similarity.nearest = vec![vec![]; 300];
    r.timeline.as_mut().unwrap().counts = vec![BTreeMap::new(); 300];
    r.timeline.as_mut().unwrap().undated = vec![0; 300];
    let page = render(&r);
    assert!(page.contains("other (295 sources)"));
    assert!(
        page.contains("295 have fewer than 5 articles")
            || page.contains("295 sources have fewer than 5")
    );
    assert!(page.contains("<summary>The other 295 sources</summary>"));
    // The tail comes after the shown sources, folded.
    let glance = page.find("id=\"glance\"").unwrap();
    let tail = page.find("outlet 299").unwrap();
    assert!(page.find("outlet 000").unwrap() < tail && glance < tail);
    assert_eq!(page.matches("<div class=\"card\">").count(), 5);
}

#[test]
fn self_contained() {
    let page = render(&sample());
    for needle in [
        "http://", "https://", "src=", "@import", "url(http", "<link",
    ] {
        let hits: Vec<_> = page
            .match_indices(needle)
            .filter(|(i, _)| !page[*i..].starts_with("http://www.w3.org/2000/svg"))
            .collect();
        assert!(hits.is_empty(), "the page loads something: {needle}");
    }
}

#[test]
fn degenerate_report_renders_and_shows_its_notes() {
    let r = degenerate();
    let page = render(&r);
    for id in SECTIONS {
        assert!(page.contains(&format!("<section id=\"{id}\"")), "no {id}");
    }
    assert!(page.contains("What could not be computed"));
    for note in &r.notes {
        assert!(page.contains(&format!("<li>{}</li>", esc(note))));
    }
    assert_eq!(expect_of(&page, "similarity"), "");
    assert_eq!(expect_of(&page, "coverage"), "");
    assert_eq!(expect_of(&page, "keyness"), "");
    assert_eq!(expect_of(&page, "stories"), "");
    assert_eq!(expect_of(&page, "timeline"), "");
    assert!(page.contains("no timeline of coverage"));
    assert!(!page.contains("NaN") && !page.contains("inf"));

    // Nothing at all.
    let mut empty = r.clone();
    empty.documents = 0;
    empty.sources.clear();
    empty.shown.sources.clear();
    empty.stories.clear();
    empty.similarity = SourceSimilarity {
        story_pairs: vec![],
        nearest: vec![],
        centroid: vec![],
    };
    let page = render(&empty);
    assert_eq!(page.matches("</section>").count(), SECTIONS.len());
    assert_eq!(expect_of(&page, "sources"), "");

    // Keyness with no terms, empty labels and titles.
    let mut r = sample();
    for k in &mut r.keyness {
        k.terms.clear();
    }
    r.aligned[0].label.clear();
    r.aligned[0].distinctive.clear();
    r.aligned[0].source_pairs.clear();
    r.aligned[0].pairs.clear();
    r.aligned[0].notes.push("an empty article".to_string());
    let page = render(&r);
    assert_eq!(expect_of(&page, "keyness"), "");
    assert!(page.contains("No term stands out."));
    assert!(page.contains("<li>an empty article</li>"));
}

#[test]
fn deterministic() {
    assert_eq!(render(&sample()), render(&sample()));
    assert_eq!(render(&degenerate()), render(&degenerate()));
}

#[test]
fn helpers() {
    assert_eq!(num(-0.0001, 2), "0.00");
    assert_eq!(num(-0.5, 2), "-0.50");
    assert_eq!(count(12.0), "12");
    assert_eq!(count(2.5), "2.5");
    assert_eq!(p_value(None), "–");
    assert_eq!(p_value(Some(0.0)), "0.000");
    assert_eq!(p_value(Some(0.04)), "0.040");
    assert_eq!(cut("abcdef", 4), "abc…");
    assert_eq!(cut("abcd", 4), "abcd");
    assert_eq!(cut("äöüßé", 3), "äö…");
    assert_eq!(blues(0.0), "#f7fbff");
    assert_eq!(blues(1.0), "#08306b");
    assert_eq!(blues(2.0), "#08306b");
    assert_eq!(blues(-1.0), "#f7fbff");
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(18_749), "18,749");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(percent(1, 200), "<1%");
    assert_eq!(percent(15_099, 18_749), "81%");
    assert_eq!(percent(0, 5), "0%");
    assert_eq!(
        script_json(&"</script><!--&"),
        "\"\\u003c/script\\u003e\\u003c!--\\u0026\""
    );
}
