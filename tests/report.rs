//! The HTML coverage report end to end: `parallax compare --html` runs as the real binary and the
//! page opens in headless Chromium, which must lay out every main section with its figure (the
//! page's render check lists them in `<body data-rendered>`). The screenshot goes under
//! `target/` for a person to look at.
//!
//! Chromium comes from Debian's packages (`tests/scripts/install-chromium.sh`). Without it these
//! tests skip with a message, unless `PARALLAX_REQUIRE_CHROMIUM` is set (as CI does): then they
//! fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{self, arg};

/// The sections the report must render, in page order.
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

/// How long one Chromium run may take before the test gives up on it.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);

// Helpers -------------------------------------------------------------------------------------

/// The Chromium binary, or `None` (with a message) when the test should skip. Panics when it is
/// missing and `PARALLAX_REQUIRE_CHROMIUM` is set.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PARALLAX_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file());
    if found.is_none() {
        let required = std::env::var_os("PARALLAX_REQUIRE_CHROMIUM").is_some_and(|v| v != "0");
        assert!(
            !required,
            "PARALLAX_REQUIRE_CHROMIUM is set but Chromium is missing: run \
             tests/scripts/install-chromium.sh (as root), or set PARALLAX_CHROMIUM to its path"
        );
        eprintln!(
            "skipping: Chromium is absent (tests/scripts/install-chromium.sh installs it; set \
             PARALLAX_REQUIRE_CHROMIUM=1 to fail instead)"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `args` (plus a throwaway profile under `work`) and
/// returns its stdout. Panics when it fails or takes longer than [`CHROMIUM_TIMEOUT`].
fn headless(chromium: &Path, work: &Path, page: &Path, args: &[String]) -> String {
    let profile = work.join("chromium-profile");
    let url = format!("file://{}", arg(&page.canonicalize().unwrap()));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", arg(&profile)))
        .args(args)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    // Read the pipes on threads so a chatty Chromium cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).map(|_| s)
    });
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium took more than {CHROMIUM_TIMEOUT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap().expect("Chromium's stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err.join().unwrap().unwrap()).into_owned();
    assert!(
        status.success(),
        "Chromium failed ({status}) on {url}:\n{stderr}"
    );
    stdout
}

/// What the browser made of a report page.
struct Rendered {
    /// Section ids the page's render check found laid out with their figure.
    sections: Vec<String>,
    /// The DOM after load, as Chromium serialized it.
    dom: String,
}

/// Opens `page` in headless Chromium: takes a 1280 × 4000 screenshot to `screenshot` and reads
/// the DOM after load.
fn open_in_chromium(chromium: &Path, work: &Path, page: &Path, screenshot: &Path) -> Rendered {
    let _ = std::fs::remove_file(screenshot);
    std::fs::create_dir_all(screenshot.parent().unwrap()).unwrap();
    headless(
        chromium,
        work,
        page,
        &[
            format!("--screenshot={}", arg(screenshot)),
            "--window-size=1280,4000".to_string(),
        ],
    );
    let dom = headless(chromium, work, page, &["--dump-dom".to_string()]);
    let body = dom
        .find("<body")
        .map(|at| &dom[at..at + dom[at..].find('>').unwrap()])
        .unwrap_or_else(|| panic!("no <body> in the DOM:\n{dom}"));
    let marker = "data-rendered=\"";
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("the render check did not run: {body}"))
        + marker.len();
    let sections = body[at..at + body[at..].find('"').unwrap()]
        .split_whitespace()
        .map(String::from)
        .collect();
    Rendered { sections, dom }
}

/// Asserts `path` is a PNG of 1280 × 4000 pixels with more than `min_bytes` bytes (a blank page
/// compresses to far less).
#[track_caller]
fn assert_screenshot(path: &Path, min_bytes: u64) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24,
        "{} is not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!((be(16), be(20)), (1280, 4000), "screenshot size");
    assert!(
        bytes.len() as u64 > min_bytes,
        "screenshot {} has only {} bytes: is the page blank?",
        path.display(),
        bytes.len()
    );
}

/// The `data-expect` attribute of section `id` in a rendered page.
fn expect_of<'a>(page: &'a str, id: &str) -> &'a str {
    let open = format!("<section id=\"{id}\" data-expect=\"");
    let at = page
        .find(&open)
        .unwrap_or_else(|| panic!("no section {id} in the page"))
        + open.len();
    &page[at..at + page[at..].find('"').unwrap()]
}

/// `s` HTML-escaped as the report escapes text.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Runs `parallax compare INPUT --by source --html DIR/report.html --format json -q` in `dir`;
/// returns the page's path, its text and the JSON report.
fn compare(dir: &Path, input: &Path) -> (PathBuf, String, Value) {
    let html = dir.join("report.html");
    let run = util::run_in(
        dir,
        &[
            "compare",
            arg(input),
            "--by",
            "source",
            "--html",
            arg(&html),
            "--format",
            "json",
            "-q",
        ],
    )
    .ok();
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
    let page = std::fs::read_to_string(&html).expect("compare wrote the HTML report");
    (html, page, json)
}

// Tests ---------------------------------------------------------------------------------------

/// The report on the project's corpus: every section lays out with its figure in a real browser.
#[test]
fn corpus_report_renders_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = util::tempdir();
    let (html, page, json) = compare(dir.path(), &util::corpus());

    // The corpus has several sources, shared stories and dates: every section has a figure, so
    // the render check below is not satisfied by empty sections.
    for (id, want) in [
        ("glance", "dl"),
        ("sources", "svg"),
        ("stories", ".story"),
        ("coverage", "table"),
        ("keyness", "svg"),
        ("similarity", "svg"),
        ("timeline", "svg"),
        ("search", "input"),
        ("notes", "ul"),
    ] {
        assert_eq!(expect_of(&page, id), want, "figure of section {id}");
    }
    // What the JSON holds shows up in the page.
    for source in json["sources"].as_array().unwrap() {
        let name = source["name"].as_str().unwrap();
        assert!(
            page.contains(&escaped(name)),
            "source {name} not in the page"
        );
    }
    let aligned = json["aligned"].as_array().unwrap();
    assert!(!aligned.is_empty(), "no shared story on corpus/");
    assert_eq!(
        page.matches("<details class=\"story\"").count(),
        json["shown"]["stories"].as_array().unwrap().len()
    );

    let screenshot = util::root().join("target/report-screenshot.png");
    let rendered = open_in_chromium(&chromium, dir.path(), &html, &screenshot);
    assert_eq!(
        rendered.sections, SECTIONS,
        "sections laid out with their figure"
    );
    // The shared stories are in the DOM after load, and the search listed every story.
    assert!(
        rendered
            .dom
            .contains("<details class=\"story\" id=\"story-")
    );
    let stories = json["stories"].as_array().unwrap().len();
    assert!(
        rendered.dom.contains(&format!(
            "id=\"story-count\" class=\"meta\">{stories} stories<"
        )),
        "the search script did not run"
    );
    assert_screenshot(&screenshot, 100_000);
    eprintln!("report screenshot: {}", screenshot.display());
}

/// One source and no dates: the report still renders, says what it could not compute, and the
/// sections without data say so instead of drawing.
#[test]
fn degenerate_report_renders_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = util::tempdir();
    let input = util::write(
        dir.path(),
        "wire.jsonl",
        concat!(
            r#"{"id": "w1", "source": "wire & <co>", "title": "Harbour levy passes", "text": "The council voted for a harbour levy to pay for dredging the channel and a new sea wall."}"#,
            "\n",
            r#"{"id": "w2", "source": "wire & <co>", "title": "Levy vote", "text": "Councillors backed the harbour levy; shipping firms said the dredging levy would raise costs."}"#,
            "\n",
            r#"{"id": "w3", "source": "wire & <co>", "text": "Three llamas escaped onto the bypass and were caught by a farmer near Kelderby."}"#,
            "\n",
        ),
    );
    let (html, page, json) = compare(dir.path(), &input);

    assert!(json["timeline"].is_null(), "no dates, yet a timeline");
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(!notes.is_empty(), "one source and no dates, yet no notes");
    assert!(page.contains("What could not be computed"));
    for note in &notes {
        assert!(
            page.contains(&format!("<li>{}</li>", escaped(note))),
            "note {note:?} not shown"
        );
    }
    assert!(page.contains("wire &amp; &lt;co&gt;"));
    assert!(!page.contains("<co>"));
    assert!(page.contains("no timeline of coverage"));

    let screenshot = util::root().join("target/report-screenshot-degenerate.png");
    let rendered = open_in_chromium(&chromium, dir.path(), &html, &screenshot);
    assert_eq!(rendered.sections, SECTIONS, "sections laid out");
    assert_screenshot(&screenshot, 20_000);
}

/// The real crawl (`../shared/data/allsides-articles`, 18,749 articles from about 290 outlets,
/// dates as crawled): no flag but `--html`, every article kept, a page of a few megabytes that
/// leads with findings and lays out in Chromium, and JSON proportional to the input.
#[test]
fn real_crawl_report_renders_in_chromium() {
    let Some(input) = util::shared_data("allsides-articles/articles-a.jsonl.gz") else {
        return;
    };
    let Some(chromium) = chromium() else { return };
    let dir = util::tempdir();
    let html = dir.path().join("r.html");
    let json_path = dir.path().join("r.json");
    let run = util::run_in(
        dir.path(),
        &[
            "compare",
            arg(&input),
            "--by",
            "source",
            "--html",
            arg(&html),
            "--format",
            "json",
            "-o",
            arg(&json_path),
        ],
    )
    .ok();
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(json["documents"], 18_749, "every article is kept");
    let set_aside: u64 = json["set_aside"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert!(set_aside > 0 && json["undated"].as_u64().unwrap() > set_aside);
    // What was set aside is said on stderr with examples, and in the page's notes.
    assert!(
        run.stderr.contains("ambiguous date(s) kept as undated"),
        "{}",
        run.stderr
    );
    let input_bytes = std::fs::metadata(&input).unwrap().len();
    let json_bytes = std::fs::metadata(&json_path).unwrap().len();
    let page_bytes = std::fs::metadata(&html).unwrap().len();
    // The gzip input is 44 MB for 118 MB of JSONL: the JSON must stay under a fifth of that.
    assert!(
        json_bytes < 118_000_000 / 5,
        "{json_bytes} bytes of JSON for {input_bytes}"
    );
    assert!(page_bytes < 5_000_000, "{page_bytes} bytes of HTML");
    let page = std::fs::read_to_string(&html).unwrap();
    // Findings come before the long tail.
    let glance = page.find("<section id=\"glance\"").unwrap();
    let tail = page
        .find("<summary>The other ")
        .expect("the long tail is folded");
    assert!(glance < tail);
    assert!(page.contains("The story most sources carried"));

    let screenshot = util::root().join("target/report-screenshot-allsides.png");
    let rendered = open_in_chromium(&chromium, dir.path(), &html, &screenshot);
    assert_eq!(
        rendered.sections, SECTIONS,
        "sections laid out with their figure"
    );
    assert_screenshot(&screenshot, 100_000);
    eprintln!("report screenshot: {}", screenshot.display());
}
