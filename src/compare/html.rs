//! The coverage report as one self-contained HTML page: inline CSS, inline SVG and one inline
//! script, no network, no external fonts; readable offline, in print and without JavaScript.
//!
//! ```
//! # fn demo(report: &parallax::compare::Report) -> std::io::Result<()> {
//! let page = parallax::compare::html::render(report);
//! std::fs::write("report.html", page)?;
//! # Ok(())
//! # }
//! ```
//!
//! The page leads with what a media researcher came for and keeps its size bounded however
//! large the corpus: findings first (`glance`), then the largest sources (`sources`), the
//! stories most sources carried (`stories`), who skipped them (`coverage`), each source's
//! distinctive terms (`keyness`), how close the sources are (`similarity`), coverage over time
//! (`timeline`), a search over every story (`search`) and what was set aside or could not be
//! computed (`notes`). Only the sources and stories of `Report::shown` are drawn in full; the
//! long tail is summarized in a line each, and the JSON has everything.
//!
//! Each section names, in `data-expect`, the CSS selector of the figure it must show (empty
//! when the report has nothing to draw there). The page's one script, which the page does not
//! need in order to be read, fills the story search and lists in `<body data-rendered="...">`
//! the sections that have a non-empty box holding their figure: the end-to-end test reads it
//! from a headless browser. The Content-Security-Policy allows that script by its SHA-256
//! hash and nothing else, so markup that slipped into the data could not run.
//!
//! Every string from the data is HTML-escaped; the same report gives the same bytes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Display, Write};

use sha2::{Digest, Sha256};

use super::report::{AlignedStory, KeyTerm, Report, SourceKeyness, Timeline};

/// Bars per source in the keyness charts (and rows in their tables).
const MAX_KEY_TERMS: usize = 15;
/// Rows of the shared-terms table.
const MAX_SHARED_TERMS: usize = 30;
/// Distinctive terms listed per source in a story.
const MAX_STORY_TERMS: usize = 10;
/// Article pairs listed per story.
const MAX_STORY_PAIRS: usize = 5;
/// Sources whose articles are listed in full in a story; the rest are named in a line.
const MAX_STORY_SOURCES: usize = 12;
/// Characters of a label drawn in a chart before it is cut (the full label is in its tooltip).
const MAX_LABEL_CHARS: usize = 24;
/// Stories shown open at first.
const OPEN_STORIES: usize = 1;
/// A source with fewer documents than this is in the long tail.
const TAIL_DOCUMENTS: usize = 5;

/// Writes formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        write!($out, $($arg)*).expect("writing to a String cannot fail")
    };
}

/// Renders `report` as a complete HTML page.
pub fn render(report: &Report) -> String {
    let view = View::new(report);
    let mut out = String::with_capacity(256 * 1024);
    let script = format!("{RENDER_CHECK}{SEARCH}");
    head(&mut out, report, &script);
    glance(&mut out, report, &view);
    sources(&mut out, report, &view);
    stories(&mut out, report, &view);
    coverage(&mut out, report, &view);
    keyness(&mut out, report, &view);
    similarity(&mut out, report, &view);
    timeline(&mut out, report, &view);
    search(&mut out, report, &view);
    notes(&mut out, report, &view);
    w!(
        out,
        "</main>\n<footer>Made by parallax {}. Everything on this page, and what it leaves out, \
         is in <code>parallax compare --format json</code>.</footer>\n<script>{script}</script>\n\
         </body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
    );
    out
}

/// What the page works from, beside the report: the shown sources and stories, and lookups.
struct View<'a> {
    /// Indexes into `report.sources` of the sources drawn in full, largest first.
    shown: &'a [usize],
    /// Per source: its position in `shown`, if shown.
    slot: Vec<Option<usize>>,
    /// Sources not shown, and their documents.
    others: usize,
    other_docs: usize,
    /// Per story id: the sources that carried it, as `(source, documents)`.
    carried: BTreeMap<usize, &'a [(usize, usize)]>,
    /// Per story id: its aligned view, if several sources carried it.
    aligned: BTreeMap<usize, &'a AlignedStory>,
}

impl<'a> View<'a> {
    fn new(report: &'a Report) -> Self {
        let shown = &report.shown.sources[..];
        let mut slot = vec![None; report.sources.len()];
        for (k, &s) in shown.iter().enumerate() {
            if let Some(x) = slot.get_mut(s) {
                *x = Some(k);
            }
        }
        let other_docs = report
            .sources
            .iter()
            .zip(&slot)
            .filter(|(_, k)| k.is_none())
            .map(|(s, _)| s.documents)
            .sum();
        View {
            shown,
            others: report.sources.len().saturating_sub(shown.len()),
            other_docs,
            slot,
            carried: report
                .coverage
                .iter()
                .map(|r| (r.story, &r.documents[..]))
                .collect(),
            aligned: report.aligned.iter().map(|a| (a.story, a)).collect(),
        }
    }

    fn name<'r>(&self, report: &'r Report, s: usize) -> &'r str {
        report.sources.get(s).map_or("?", |s| s.name.as_str())
    }

    /// Sources that carried story `id`.
    fn breadth(&self, id: usize) -> usize {
        self.carried.get(&id).map_or(0, |c| c.len())
    }
}

// Text helpers ---------------------------------------------------------------------------------

/// HTML-escapes a string for text and for quoted attribute values.
struct Esc<'a>(&'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

fn esc(s: &str) -> Esc<'_> {
    Esc(s)
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn cut(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let end = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..end]))
        }
    }
}

/// A number with `digits` decimals, never `-0.00`.
fn num(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A count stored as a float (token counts): no decimals when whole.
fn count(v: f64) -> String {
    if v.fract() == 0.0 {
        num(v, 0)
    } else {
        num(v, 1)
    }
}

/// A p-value: three decimals, or scientific notation below 0.001.
fn p_value(p: Option<f64>) -> String {
    match p {
        None => "–".to_string(),
        Some(p) if p != 0.0 && p.abs() < 1e-3 => format!("{p:.1e}"),
        Some(p) => num(p, 3),
    }
}

/// The readable name of a keyness measure.
fn measure_name(measure: &str) -> &str {
    match measure {
        "g2" => "G²",
        "chi2" => "χ²",
        "logodds" => "log-odds",
        "pmi" => "PMI",
        "logratio" => "log ratio",
        other => other,
    }
}

/// "1 story", "2 stories".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Approximate width in pixels of `chars` characters of 12px system-font text.
fn text_width(chars: usize) -> f64 {
    chars as f64 * 7.0
}

/// Opens a section with its heading and a one-line explanation.
fn open_section(out: &mut String, id: &str, title: &str, expect: &str, intro: &str) {
    w!(
        out,
        "<section id=\"{id}\" data-expect=\"{}\">\n<h2>{title}</h2>\n<p class=\"intro\">{intro}</p>\n",
        esc(expect)
    );
}

// Colour ---------------------------------------------------------------------------------------

/// Sequential blues for a value in [0, 1] (clamped).
fn blues(v: f64) -> String {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [247.0, 251.0, 255.0]),
        (0.25, [198.0, 219.0, 239.0]),
        (0.5, [107.0, 174.0, 214.0]),
        (0.75, [33.0, 113.0, 181.0]),
        (1.0, [8.0, 48.0, 107.0]),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let i = STOPS
        .windows(2)
        .position(|s| v <= s[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((a, ca), (b, cb)) = (STOPS[i], STOPS[i + 1]);
    let t = (v - a) / (b - a);
    let c = |k: usize| (ca[k] + (cb[k] - ca[k]) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(0), c(1), c(2))
}

/// Text colour readable on `blues(v)`.
fn ink_on(v: f64) -> &'static str {
    if v > 0.55 { "#ffffff" } else { "#1b1f24" }
}

// Page head ------------------------------------------------------------------------------------

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d5dae1; --soft: #f3f5f8; --accent: #2171b5;
  --warn-bg: #fff6e0; --warn-line: #e0a800; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 0 0 6px; padding-top: 8px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
h4 { font-size: 0.95rem; margin: 0 0 6px; }
h5 { font-size: 0.8rem; margin: 10px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 6px 0; }
.sub, .intro, .muted, .meta { color: var(--muted); }
.intro { margin-bottom: 12px; max-width: 60rem; }
nav { margin: 14px 0 4px; display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: .92rem; }
nav a { color: var(--accent); text-decoration: none; }
section { border-top: 1px solid var(--line); margin-top: 26px; padding-top: 10px; }
table { border-collapse: collapse; font-size: .88rem; margin: 6px 0 10px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 14px; padding: 0; }
.stats div { background: var(--soft); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.stats dt { font-size: .78rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.stats dd { margin: 0; font-size: 1.35rem; font-weight: 600; }
.notes { background: var(--warn-bg); border-left: 4px solid var(--warn-line); padding: 8px 14px;
  margin: 10px 0; border-radius: 0 6px 6px 0; }
.notes h3 { margin: 2px 0 4px; font-size: .98rem; }
.notes ul { margin: 4px 0; padding-left: 20px; }
.ok { color: var(--muted); font-style: italic; }
.figures { display: flex; flex-wrap: wrap; gap: 18px 36px; align-items: flex-start; }
figure { margin: 0; }
figcaption { font-weight: 600; font-size: .92rem; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; font-family: inherit; }
svg text { font-size: 12px; fill: var(--ink); }
svg .small { font-size: 10px; fill: var(--muted); }
.scroll { overflow-x: auto; }
table.matrix td.cell { text-align: center; min-width: 32px; }
table.matrix td.on { background: #2171b5; color: #fff; font-weight: 600; }
table.matrix td.off { background: #fff; color: #b8bec7; }
table.matrix th.story { font-weight: normal; background: #fff; min-width: 16rem; max-width: 30rem; }
table.matrix thead th { font-size: .78rem; vertical-align: bottom; }
table.matrix tfoot td { background: var(--soft); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 18px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; break-inside: avoid; }
details summary { cursor: pointer; color: var(--accent); font-size: .88rem; }
.story { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 12px; margin: 14px 0;
  break-inside: avoid; }
.story h3 .meta { font-weight: normal; font-size: .85rem; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 12px; }
.col { background: var(--soft); border-radius: 6px; padding: 8px 10px; }
.col ul, .col ol { margin: 0; padding-left: 18px; font-size: .9rem; }
.col li { margin: 2px 0; }
.col .meta { display: block; font-size: .78rem; overflow-wrap: anywhere; }
.col ol { columns: 2; column-gap: 18px; }
.pairs { display: flex; flex-wrap: wrap; gap: 4px 32px; margin-top: 8px; font-size: .88rem; }
.pairs ul { margin: 0; padding-left: 18px; }
.legend { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; font-size: .85rem; }
ul.findings { margin: 8px 0 4px; padding-left: 20px; max-width: 62rem; }
ul.findings li { margin: 5px 0; }
details.story { border: 1px solid var(--line); border-radius: 8px; padding: 6px 14px; margin: 10px 0; }
details.story > summary { color: var(--ink); font-size: 1rem; }
details.story > summary .meta { font-size: .85rem; }
details.story[open] { padding-bottom: 12px; }
input[type=search] { font: inherit; padding: 4px 8px; width: 24rem; max-width: 100%;
  border: 1px solid var(--line); border-radius: 6px; }
table.index td { max-width: 36rem; }
footer { color: var(--muted); font-size: .82rem; padding: 26px 24px 36px; }
code { font-size: .9em; background: var(--soft); padding: 0 3px; border-radius: 3px; }
@media print {
  body { font-size: 10.5pt; }
  nav { display: none; }
  section { break-before: auto; }
  .cards { grid-template-columns: 1fr 1fr; }
  a { color: inherit; }
}
"#;

/// The render check (see the module docs). It only reads the layout and sets one attribute.
const RENDER_CHECK: &str = r#"
(function () {
  var rendered = [];
  var sections = document.querySelectorAll("section[id]");
  for (var i = 0; i < sections.length; i++) {
    var s = sections[i], box = s.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) continue;
    var want = s.getAttribute("data-expect");
    if (want) {
      var found = false, figs = s.querySelectorAll(want);
      for (var j = 0; j < figs.length && !found; j++) {
        var b = figs[j].getBoundingClientRect();
        found = b.width > 0 && b.height > 0;
      }
      if (!found) continue;
    }
    rendered.push(s.id);
  }
  document.body.setAttribute("data-rendered", rendered.join(" "));
})();
"#;

/// The story search: filters the story index (a JSON data block) by the words typed, and
/// writes the matches as text (never as markup).
const SEARCH: &str = r#"
(function () {
  var data = document.getElementById("story-index");
  var box = document.getElementById("story-query");
  var body = document.getElementById("story-results");
  var count = document.getElementById("story-count");
  if (!data || !box || !body || !count) return;
  var rows = JSON.parse(data.textContent), limit = 100;
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  function show() {
    var words = box.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var hits = 0;
    while (body.firstChild) body.removeChild(body.firstChild);
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], hay = (r[1] + " " + r[6]).toLowerCase(), ok = true;
      for (var k = 0; k < words.length && ok; k++) ok = hay.indexOf(words[k]) >= 0;
      if (!ok) continue;
      hits++;
      if (hits > limit) continue;
      var tr = document.createElement("tr");
      cell(tr, String(r[0]), "n");
      cell(tr, r[1]);
      cell(tr, String(r[2]), "n");
      cell(tr, String(r[3]), "n");
      cell(tr, r[4] === r[5] ? r[4] : r[4] + " – " + r[5]);
      cell(tr, r[6]);
      body.appendChild(tr);
    }
    count.textContent = hits + (hits === 1 ? " story" : " stories") +
      (hits > limit ? "; the first " + limit + " are listed" : "");
  }
  box.addEventListener("input", show);
  box.disabled = false;
  show();
})();
"#;

/// Standard base64 (with padding), for the script's hash in the Content-Security-Policy.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// JSON safe inside a `<script>` data block: `<`, `>` and `&` written as `\u` escapes, so no
/// value can close the block or open a comment.
fn script_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).expect("the story index serializes");
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn head(out: &mut String, report: &Report, script: &str) {
    let hash = base64(&Sha256::digest(script.as_bytes()));
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'sha256-{hash}'; img-src data:\">\n\
         <meta name=\"generator\" content=\"parallax {}\">\n\
         <title>Coverage report: {} by {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        plural(report.documents, "document", "documents"),
        esc(&report.by),
    );
    let span = report
        .timeline
        .as_ref()
        .map(|t| format!(", {} to {}", esc(&t.first), esc(&t.last)))
        .unwrap_or_default();
    w!(
        out,
        "<header>\n<h1>Coverage report</h1>\n<p class=\"sub\">{} documents from {} (grouped by <code>{}</code>){span}: \
         {} stories, {} carried by two or more.</p>\n\
         <nav><a href=\"#glance\">At a glance</a><a href=\"#sources\">Sources</a>\
         <a href=\"#stories\">Stories most carried</a><a href=\"#coverage\">Who skipped what</a>\
         <a href=\"#keyness\">Distinctive terms</a><a href=\"#similarity\">Similarity</a>\
         <a href=\"#timeline\">Timeline</a><a href=\"#search\">All stories</a>\
         <a href=\"#notes\">Notes</a></nav>\n</header>\n<main>\n",
        thousands(report.documents),
        plural(report.sources.len(), "source", "sources"),
        esc(&report.by),
        thousands(report.stories.len()),
        thousands(report.coverage.len()),
    );
}

// At a glance ----------------------------------------------------------------------------------

fn glance(out: &mut String, report: &Report, view: &View) {
    open_section(
        out,
        "glance",
        "At a glance",
        "dl",
        "What the corpus holds, and what stands out in it.",
    );
    out.push_str("<dl class=\"stats\">\n");
    let mut stat = |label: &str, value: usize| {
        w!(
            out,
            "<div><dt>{label}</dt><dd>{}</dd></div>\n",
            thousands(value)
        );
    };
    stat("Documents", report.documents);
    stat("Sources", report.sources.len());
    stat("Stories", report.stories.len());
    stat("Carried by 2+ sources", report.coverage.len());
    if report.undated > 0 {
        stat("Without a usable date", report.undated);
    }
    if report.ungrouped > 0 {
        stat("Without a source", report.ungrouped);
    }
    out.push_str("</dl>\n<ul class=\"findings\">\n");

    let grouped: usize = report.sources.iter().map(|s| s.documents).sum();
    if let Some(&first) = view.shown.first() {
        let shown_docs: usize = view
            .shown
            .iter()
            .map(|&s| report.sources[s].documents)
            .sum();
        let tail = report
            .sources
            .iter()
            .zip(&view.slot)
            .filter(|(s, slot)| slot.is_none() && s.documents < TAIL_DOCUMENTS)
            .count();
        if view.others > 0 {
            w!(
                out,
                "<li>The {} largest sources carry {} of the {} articles that have a source ({}); \
                 {} more carry the rest, {} of them with fewer than {TAIL_DOCUMENTS} articles.</li>\n",
                view.shown.len(),
                thousands(shown_docs),
                thousands(grouped),
                percent(shown_docs, grouped),
                thousands(view.others),
                thousands(tail)
            );
        } else {
            w!(
                out,
                "<li>The largest source, <b>{}</b>, carries {} of the {} articles ({}).</li>\n",
                esc(view.name(report, first)),
                thousands(report.sources[first].documents),
                thousands(grouped),
                percent(report.sources[first].documents, grouped)
            );
        }
    }
    if let Some(&top) = report.shown.stories.first()
        && let Some(story) = report.stories.get(top)
    {
        w!(
            out,
            "<li>The story most sources carried: <a href=\"#story-{top}\">{}</a>, by {} in {}{}.</li>\n",
            esc(&story.label),
            plural(view.breadth(top), "source", "sources"),
            plural(story.docs.len(), "article", "articles"),
            date_span(story.first_date.as_deref(), story.last_date.as_deref())
        );
    }
    let voices: Vec<String> = view
        .shown
        .iter()
        .filter_map(|&s| report.keyness.get(s))
        .filter(|k| !k.terms.is_empty())
        .take(3)
        .map(|k| {
            let terms: Vec<String> = k
                .terms
                .iter()
                .take(4)
                .map(|t| format!("“{}”", esc(&t.surface)))
                .collect();
            format!("<b>{}</b>: {}", esc(&k.source), terms.join(", "))
        })
        .collect();
    if !voices.is_empty() {
        w!(
            out,
            "<li>Words the largest sources use more than all the others: {}.</li>\n",
            voices.join("; ")
        );
    }
    // Closest and furthest versions among the shown sources, over enough shared stories.
    let mut pairs: Vec<(f64, usize, usize, usize)> = report
        .similarity
        .story_pairs
        .iter()
        .filter(|p| view.slot[p.a].is_some() && view.slot[p.b].is_some() && p.shared_stories >= 3)
        .map(|p| (p.mean, p.a, p.b, p.shared_stories))
        .collect();
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    if let (Some(hi), Some(lo)) = (pairs.first(), pairs.last())
        && pairs.len() >= 2
    {
        w!(
            out,
            "<li>Closest versions of the same stories: <b>{}</b> and <b>{}</b> (mean cosine {} over \
             {}); furthest: <b>{}</b> and <b>{}</b> ({} over {}).</li>\n",
            esc(view.name(report, hi.1)),
            esc(view.name(report, hi.2)),
            num(hi.0, 2),
            plural(hi.3, "shared story", "shared stories"),
            esc(view.name(report, lo.1)),
            esc(view.name(report, lo.2)),
            num(lo.0, 2),
            plural(lo.3, "shared story", "shared stories"),
        );
    }
    let top = &report.shown.stories;
    if !top.is_empty() {
        let skipped = |s: usize| {
            top.iter()
                .filter(|id| {
                    !view
                        .carried
                        .get(id)
                        .is_some_and(|c| c.iter().any(|x| x.0 == s))
                })
                .count()
        };
        let mut counts: Vec<(usize, usize)> = view.shown.iter().map(|&s| (s, skipped(s))).collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // Said only of a single source that skipped something.
        if let [(s, k), rest @ ..] = &counts[..]
            && *k > 0
            && rest.first().is_none_or(|r| r.1 < *k)
        {
            let (s, k) = (*s, *k);
            w!(
                out,
                "<li>Of the {} stories most sources carried, <b>{}</b> skipped {}, more than any \
                 other of the largest sources (<a href=\"#coverage\">who skipped what</a>).</li>\n",
                top.len(),
                esc(view.name(report, s)),
                k
            );
        }
    }
    let set_aside: usize = report.set_aside.iter().map(|s| s.count).sum();
    if report.undated > 0 {
        w!(
            out,
            "<li>{} have no usable date{}: they are in the stories, not in the timeline \
             (<a href=\"#notes\">notes</a>).</li>\n",
            plural(report.undated, "article", "articles"),
            if set_aside > 0 {
                format!(
                    ", {} of them because their date was set aside",
                    thousands(set_aside)
                )
            } else {
                String::new()
            }
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a whole percentage (`<1%` for a small non-zero share).
fn percent(part: usize, whole: usize) -> String {
    match (part, whole) {
        (_, 0) => "–".into(),
        (0, _) => "0%".into(),
        _ if part * 100 < whole => "<1%".into(),
        _ => format!("{}%", (part as f64 * 100.0 / whole as f64).round()),
    }
}

/// `, 2019-01-21` or `, 2019-01-21 to 2019-01-24`, or nothing without dates.
fn date_span(first: Option<&str>, last: Option<&str>) -> String {
    match (first, last) {
        (Some(a), Some(b)) if a != b => format!(", {} to {}", esc(a), esc(b)),
        (Some(a), _) => format!(", {}", esc(a)),
        _ => String::new(),
    }
}

// Sources --------------------------------------------------------------------------------------

fn sources(out: &mut String, report: &Report, view: &View) {
    let drawn = !view.shown.is_empty();
    open_section(
        out,
        "sources",
        "Sources",
        if drawn { "svg" } else { "" },
        "How many articles each source has, largest first; the smaller ones are counted \
         together as “other”.",
    );
    if !drawn {
        out.push_str("<p>No document had a source.</p>\n</section>\n");
        return;
    }
    let mut bars: Vec<(String, usize)> = view
        .shown
        .iter()
        .map(|&s| (report.sources[s].name.clone(), report.sources[s].documents))
        .collect();
    if view.others > 0 {
        bars.push((
            format!("other ({})", plural(view.others, "source", "sources")),
            view.other_docs,
        ));
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (left, plot, right, row) = (200.0, 560.0, 70.0, 20.0);
    let width = left + plot + right;
    let height = row * bars.len() as f64 + 4.0;
    w!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Articles per source\">\n"
    );
    for (i, (name, docs)) in bars.iter().enumerate() {
        let y = row * i as f64;
        let w = plot * *docs as f64 / max as f64;
        let other = view.others > 0 && i == bars.len() - 1;
        w!(
            out,
            "<g><title>{}: {}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\
             <rect x=\"{left}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"/>\
             <text class=\"small\" x=\"{:.1}\" y=\"{}\" dominant-baseline=\"middle\">{}</text></g>\n",
            esc(name),
            plural(*docs, "article", "articles"),
            left - 8.0,
            y + row / 2.0,
            esc(&cut(name, 28)),
            y + 3.0,
            w.max(1.0),
            row - 6.0,
            if other { "#9aa3ad" } else { "#2171b5" },
            left + w.max(1.0) + 6.0,
            y + row / 2.0,
            thousands(*docs)
        );
    }
    out.push_str("</svg>\n");
    let tail: Vec<usize> = (0..report.sources.len())
        .filter(|&s| report.sources[s].documents < TAIL_DOCUMENTS)
        .collect();
    if !tail.is_empty() && report.sources.len() > view.shown.len() {
        let docs: usize = tail.iter().map(|&s| report.sources[s].documents).sum();
        w!(
            out,
            "<p class=\"meta\">The long tail: {} have fewer than {TAIL_DOCUMENTS} articles each \
             ({} in all).</p>\n",
            plural(tail.len(), "source", "sources"),
            plural(docs, "article", "articles")
        );
    }
    let mut order: Vec<usize> = (0..report.sources.len()).collect();
    order.sort_by(|&a, &b| {
        report.sources[b]
            .documents
            .cmp(&report.sources[a].documents)
            .then(a.cmp(&b))
    });
    let table = |out: &mut String, rows: &[usize]| {
        out.push_str(
            "<div class=\"scroll\"><table>\n<thead><tr><th>Source</th><th class=\"n\">Articles</th>\
             <th class=\"n\">Stories</th>\
             <th class=\"n\" title=\"Stories other sources carried too\">Shared</th>\
             <th class=\"n\" title=\"Stories two or more other sources carried and this one did not\">Skipped</th>\
             <th class=\"n\" title=\"Stories only this source carried\">Only here</th></tr></thead>\n<tbody>\n",
        );
        for &s in rows {
            let s = &report.sources[s];
            w!(
                out,
                "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&s.name),
                s.documents,
                s.stories,
                s.shared_stories,
                s.skipped,
                s.exclusive
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    };
    table(out, view.shown);
    if view.others > 0 {
        let rest = &order[view.shown.len()..];
        let listed = &rest[..rest.len().min(MAX_LISTED)];
        w!(
            out,
            "<details><summary>The other {}</summary>\n",
            plural(rest.len(), "source", "sources")
        );
        table(out, listed);
        if rest.len() > listed.len() {
            w!(
                out,
                "<p>{} more are in the JSON (<code>sources</code>).</p>\n",
                thousands(rest.len() - listed.len())
            );
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

/// Rows listed in a folded table of the long tail; the JSON has the rest.
const MAX_LISTED: usize = 1000;

// Stories --------------------------------------------------------------------------------------

fn stories(out: &mut String, report: &Report, view: &View) {
    let shown = &report.shown.stories;
    open_section(
        out,
        "stories",
        "Stories most sources carried",
        if shown.is_empty() { "" } else { ".story" },
        "The stories carried by the most sources, then the largest. Open one to see every \
         source's articles, the words each source's version uses more than the others', and how \
         similar the versions are.",
    );
    if shown.is_empty() {
        out.push_str("<p>No story was carried by two or more sources.</p>\n</section>\n");
        return;
    }
    for (k, &id) in shown.iter().enumerate() {
        let Some(story) = view.aligned.get(&id) else {
            continue;
        };
        let record = report.stories.get(id);
        w!(
            out,
            "<details class=\"story\" id=\"story-{id}\"{}>\n<summary><b>{}</b> \
             <span class=\"meta\">{} · {}{}</span></summary>\n",
            if k < OPEN_STORIES { " open" } else { "" },
            esc(&story.label),
            plural(view.breadth(id), "source", "sources"),
            plural(story.articles.len(), "article", "articles"),
            date_span(
                record.and_then(|r| r.first_date.as_deref()),
                record.and_then(|r| r.last_date.as_deref())
            )
        );
        aligned_story(out, report, story);
        out.push_str("</details>\n");
    }
    let single = report
        .stories
        .iter()
        .filter(|s| s.sources.len() == 1)
        .count();
    let more = report.coverage.len().saturating_sub(shown.len());
    w!(
        out,
        "<p class=\"meta\">{} more {} carried by two or more sources, and {} carried by one source, \
         are in <a href=\"#search\">the story search</a> and the JSON (<code>aligned</code>, \
         <code>stories</code>).</p>\n</section>\n",
        thousands(more),
        if more == 1 { "story" } else { "stories" },
        thousands(single)
    );
}

fn aligned_story(out: &mut String, report: &Report, story: &AlignedStory) {
    // Sources in article order (the articles are grouped by source), most articles first.
    let mut sources: Vec<(&str, usize)> = Vec::new();
    for a in &story.articles {
        match sources.last_mut() {
            Some((s, n)) if *s == a.source => *n += 1,
            _ => sources.push((&a.source, 1)),
        }
    }
    sources.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if !story.notes.is_empty() {
        out.push_str("<div class=\"notes\" role=\"note\"><ul>\n");
        for note in &story.notes {
            w!(out, "<li>{}</li>\n", esc(note));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("<div class=\"cols\">\n");
    for &(source, _) in sources.iter().take(MAX_STORY_SOURCES) {
        w!(out, "<div class=\"col\">\n<h4>{}</h4>\n<ul>\n", esc(source));
        for a in story.articles.iter().filter(|a| a.source == source) {
            let title = a.title.as_deref().unwrap_or(&a.id);
            w!(out, "<li>{}<span class=\"meta\">", esc(title));
            if let Some(date) = &a.date {
                w!(out, "{} · ", esc(date));
            }
            w!(out, "{}</span></li>\n", esc(&a.id));
        }
        out.push_str("</ul>\n<h5>Distinctive terms</h5>\n");
        let terms = story
            .distinctive
            .iter()
            .find(|d| d.source == source)
            .map_or(&[][..], |d| &d.terms[..]);
        if terms.is_empty() {
            out.push_str("<p class=\"muted\">none</p>\n");
        } else {
            out.push_str("<ol>\n");
            for t in terms.iter().take(MAX_STORY_TERMS) {
                w!(
                    out,
                    "<li title=\"{}\">{}</li>\n",
                    esc(&format!(
                        "{}: {} here, {} in the others; log ratio {}",
                        t.term,
                        count(t.count),
                        count(t.count_reference),
                        num(t.log_ratio, 2)
                    )),
                    esc(&t.surface)
                );
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    if sources.len() > MAX_STORY_SOURCES {
        let rest: Vec<String> = sources[MAX_STORY_SOURCES..]
            .iter()
            .map(|(s, n)| format!("{} ({n})", esc(s)))
            .collect();
        w!(
            out,
            "<p class=\"meta\">Also carried by {}: {}.</p>\n",
            plural(rest.len(), "more source", "more sources"),
            rest.join(", ")
        );
    }
    out.push_str("<div class=\"pairs\">\n");
    if !story.source_pairs.is_empty() {
        let mut pairs: Vec<_> = story.source_pairs.iter().collect();
        pairs.sort_by(|x, y| y.mean.total_cmp(&x.mean).then((x.a, x.b).cmp(&(y.a, y.b))));
        let name = |s: usize| report.sources.get(s).map_or("?", |s| s.name.as_str());
        let list = |out: &mut String, title: &str, pairs: &[&super::report::SourcePair]| {
            w!(out, "<div><h5>{title}</h5><ul>\n");
            for p in pairs {
                w!(
                    out,
                    "<li>{} ↔ {}: <b>{}</b></li>\n",
                    esc(name(p.a)),
                    esc(name(p.b)),
                    num(p.mean, 2)
                );
            }
            out.push_str("</ul></div>\n");
        };
        if pairs.len() <= 2 * MAX_STORY_PAIRS {
            list(out, "Mean similarity of sources", &pairs);
        } else {
            list(out, "Closest versions", &pairs[..MAX_STORY_PAIRS]);
            list(
                out,
                "Furthest versions",
                &pairs[pairs.len() - MAX_STORY_PAIRS..],
            );
        }
    }
    if !story.pairs.is_empty() {
        let title_of = |id: &str| {
            story
                .articles
                .iter()
                .find(|a| a.id == id)
                .and_then(|a| a.title.clone())
                .unwrap_or_else(|| id.to_string())
        };
        out.push_str("<div><h5>Closest articles</h5><ul>\n");
        for p in story.pairs.iter().take(MAX_STORY_PAIRS) {
            w!(
                out,
                "<li title=\"{} ↔ {}\">{} ↔ {}: <b>{}</b></li>\n",
                esc(&p.a),
                esc(&p.b),
                esc(&cut(&title_of(&p.a), 50)),
                esc(&cut(&title_of(&p.b), 50)),
                num(p.score, 2)
            );
        }
        let more = story.pairs.len().saturating_sub(MAX_STORY_PAIRS) + story.pairs_omitted;
        if more > 0 {
            w!(
                out,
                "<li class=\"muted\">{} more (in the JSON)</li>\n",
                plural(more, "pair", "pairs")
            );
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</div>\n");
}

// Coverage -------------------------------------------------------------------------------------

fn coverage(out: &mut String, report: &Report, view: &View) {
    let rows = &report.shown.stories;
    let drawn = !rows.is_empty() && !view.shown.is_empty();
    open_section(
        out,
        "coverage",
        "Who skipped what",
        if drawn { "table" } else { "" },
        "The stories most sources carried against the largest sources. A filled cell gives the \
         source's articles in the story; a dot is a story the source skipped. The last column \
         counts the smaller sources that carried it.",
    );
    if !drawn {
        out.push_str("<p>No story was carried by two or more sources.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"matrix\">\n<thead><tr><th>Story</th>");
    for &s in view.shown {
        let name = view.name(report, s);
        w!(
            out,
            "<th class=\"n\" title=\"{}\">{}</th>",
            esc(name),
            esc(&cut(name, 12))
        );
    }
    if view.others > 0 {
        out.push_str("<th class=\"n\">Other sources</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut skipped = vec![0usize; view.shown.len()];
    for &id in rows {
        let carried = view.carried.get(&id).copied().unwrap_or(&[]);
        let label = report.stories.get(id).map_or("", |s| s.label.as_str());
        w!(
            out,
            "<tr><th class=\"story\"><a href=\"#story-{id}\">{}</a></th>",
            esc(label)
        );
        let mut cells = vec![0usize; view.shown.len()];
        let mut others = 0;
        for &(s, d) in carried {
            match view.slot.get(s).copied().flatten() {
                Some(k) => cells[k] = d,
                None => others += 1,
            }
        }
        for (k, &d) in cells.iter().enumerate() {
            let name = view.name(report, view.shown[k]);
            if d == 0 {
                skipped[k] += 1;
                w!(
                    out,
                    "<td class=\"cell off\" title=\"{} skipped it\">·</td>",
                    esc(name)
                );
            } else {
                w!(
                    out,
                    "<td class=\"cell on\" title=\"{}: {}\">{d}</td>",
                    esc(name),
                    plural(d, "article", "articles")
                );
            }
        }
        if view.others > 0 {
            w!(out, "<td class=\"n\">{others}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot><tr><td>Skipped</td>");
    for k in skipped {
        w!(out, "<td class=\"n\">{k}</td>");
    }
    if view.others > 0 {
        out.push_str("<td></td>");
    }
    out.push_str("</tr></tfoot>\n</table></div>\n");
    w!(
        out,
        "<p class=\"meta\">Every source's count of skipped stories, over all {} stories carried by \
         two or more sources, is in <a href=\"#sources\">Sources</a>; the full coverage is in the \
         JSON (<code>coverage</code>).</p>\n</section>\n",
        thousands(report.coverage.len())
    );
}

// Keyness --------------------------------------------------------------------------------------

fn keyness(out: &mut String, report: &Report, view: &View) {
    let cards: Vec<&SourceKeyness> = view
        .shown
        .iter()
        .filter_map(|&s| report.keyness.get(s))
        .collect();
    let drawn = cards.iter().any(|k| !k.terms.is_empty());
    open_section(
        out,
        "keyness",
        "Distinctive terms",
        if drawn { "svg" } else { "" },
        "The terms each source uses more than all other sources together. Bars give the effect \
         size, the log ratio (log₂ of the ratio of relative frequencies: 1 is twice as often, 2 \
         four times); hover a bar for the counts and the adjusted p-value.",
    );
    if report.keyness.is_empty() {
        out.push_str("<p>No per-source keyness was computed.</p>\n");
    } else {
        // One scale for every chart, so bars compare across sources.
        let shown = || {
            cards
                .iter()
                .flat_map(|k| k.terms.iter().take(MAX_KEY_TERMS))
        };
        let lo = shown().map(|t| t.log_ratio).fold(0.0_f64, f64::min);
        let hi = shown().map(|t| t.log_ratio).fold(0.0_f64, f64::max);
        out.push_str("<div class=\"cards\">\n");
        for k in &cards {
            key_card(out, k, lo, hi);
        }
        out.push_str("</div>\n");
        let rest: Vec<&SourceKeyness> = (0..report.keyness.len())
            .filter(|&s| view.slot.get(s).copied().flatten().is_none())
            .map(|s| &report.keyness[s])
            .collect();
        if !rest.is_empty() {
            w!(
                out,
                "<details><summary>Distinctive terms of the other {}</summary>\n<div class=\"scroll\">\
                 <table>\n<thead><tr><th>Source</th><th class=\"n\">Articles</th><th>Terms</th></tr></thead>\n<tbody>\n",
                plural(rest.len(), "source", "sources")
            );
            for k in rest.iter().take(MAX_LISTED) {
                let terms: Vec<String> = k
                    .terms
                    .iter()
                    .take(6)
                    .map(|t| esc(&t.surface).to_string())
                    .collect();
                w!(
                    out,
                    "<tr><th>{}</th><td class=\"n\">{}</td><td>{}</td></tr>\n",
                    esc(&k.source),
                    k.documents,
                    if terms.is_empty() {
                        "–".to_string()
                    } else {
                        terms.join(", ")
                    }
                );
            }
            out.push_str("</tbody>\n</table></div>\n</details>\n");
        }
    }
    shared_terms(out, report, view);
    out.push_str("</section>\n");
}

fn key_card(out: &mut String, k: &SourceKeyness, lo: f64, hi: f64) {
    w!(
        out,
        "<div class=\"card\">\n<h3>{}</h3>\n<p class=\"meta\">{} against the rest; measure {}</p>\n",
        esc(&k.source),
        plural(k.documents, "document", "documents"),
        measure_name(k.measure)
    );
    if k.terms.is_empty() {
        out.push_str("<p>No term stands out.</p>\n</div>\n");
        return;
    }
    let terms = &k.terms[..k.terms.len().min(MAX_KEY_TERMS)];
    let (left, bars, right, row) = (150.0, 260.0, 56.0, 20.0);
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let x_of = |v: f64| left + (v - lo) / span * bars;
    let zero = x_of(0.0);
    let width = left + bars + right;
    let height = row * terms.len() as f64 + 22.0;
    w!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Distinctive terms of {}\">\n",
        esc(&k.source)
    );
    for (i, t) in terms.iter().enumerate() {
        let y = row * i as f64;
        let x = x_of(t.log_ratio);
        let (x0, x1) = if x >= zero { (zero, x) } else { (x, zero) };
        w!(
            out,
            "<g><title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\
             <rect x=\"{x0:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"/>\
             <text class=\"small\" x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text></g>\n",
            esc(&term_tip(t, measure_name(k.measure))),
            left - 8.0,
            y + row / 2.0,
            esc(&cut(&t.surface, 20)),
            y + 3.0,
            (x1 - x0).max(1.0),
            row - 6.0,
            if t.log_ratio >= 0.0 {
                "#2171b5"
            } else {
                "#c4663a"
            },
            left + bars + 8.0,
            y + row / 2.0,
            num(t.log_ratio, 2)
        );
    }
    let axis_y = row * terms.len() as f64;
    w!(
        out,
        "<line x1=\"{zero:.1}\" y1=\"0\" x2=\"{zero:.1}\" y2=\"{axis_y}\" stroke=\"#5b6470\"/>\
         <text class=\"small\" x=\"{zero:.1}\" y=\"{}\" text-anchor=\"middle\">0</text>\
         <text class=\"small\" x=\"{}\" y=\"{}\" text-anchor=\"end\">log ratio {}</text>\n</svg>\n",
        axis_y + 14.0,
        left + bars,
        axis_y + 14.0,
        num(hi, 1)
    );
    w!(
        out,
        "<details><summary>Table</summary>\n<table>\n<thead><tr><th>Term</th><th class=\"n\">Here</th>\
         <th class=\"n\">Elsewhere</th><th class=\"n\">{}</th><th class=\"n\">Log ratio</th>\
         <th class=\"n\">p (adj.)</th></tr></thead>\n<tbody>\n",
        measure_name(k.measure)
    );
    for t in terms {
        w!(
            out,
            "<tr><td title=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(&t.term),
            esc(&t.surface),
            count(t.count),
            count(t.count_reference),
            num(t.statistic, 2),
            num(t.log_ratio, 2),
            p_value(t.p_adjusted)
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n</div>\n");
}

/// The tooltip of one key term.
fn term_tip(t: &KeyTerm, measure: &str) -> String {
    let mut tip = format!(
        "{} ({}): {} here, {} elsewhere; log ratio {}; {measure} {}",
        t.surface,
        t.term,
        count(t.count),
        count(t.count_reference),
        num(t.log_ratio, 2),
        num(t.statistic, 2)
    );
    if t.p_adjusted.is_some() {
        tip.push_str("; adjusted p ");
        tip.push_str(&p_value(t.p_adjusted));
    }
    tip
}

fn shared_terms(out: &mut String, report: &Report, view: &View) {
    out.push_str("<h3>Terms every source uses</h3>\n");
    if report.shared_terms.is_empty() {
        out.push_str("<p>No term is used by every source.</p>\n");
        return;
    }
    w!(
        out,
        "<p class=\"meta\">Most evenly used first, with the counts of the {} largest sources.</p>\n\
         <div class=\"scroll\"><table>\n<thead><tr><th>Term</th>",
        view.shown.len()
    );
    for &s in view.shown {
        w!(out, "<th class=\"n\">{}</th>", esc(view.name(report, s)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for t in report.shared_terms.iter().take(MAX_SHARED_TERMS) {
        w!(
            out,
            "<tr><td title=\"{}\">{}</td>",
            esc(&t.term),
            esc(&t.surface)
        );
        for &s in view.shown {
            w!(
                out,
                "<td class=\"n\">{}</td>",
                t.counts.get(s).map_or("–".to_string(), |c| count(*c))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    if report.shared_terms.len() > MAX_SHARED_TERMS {
        w!(
            out,
            "<p>{} more are in the JSON (<code>shared_terms</code>).</p>\n",
            report.shared_terms.len() - MAX_SHARED_TERMS
        );
    }
}

// Similarity -----------------------------------------------------------------------------------

/// One cell of a heatmap.
#[derive(Clone, Copy)]
enum Cell {
    Value(f64),
    /// The two sources share no story.
    NoSharedStory,
    /// A source against itself, with no value.
    Same,
}

fn similarity(out: &mut String, report: &Report, view: &View) {
    let sim = &report.similarity;
    let n = view.shown.len();
    let drawable = n >= 2 && sim.centroid.len() == n;
    open_section(
        out,
        "similarity",
        "Source similarity",
        if drawable { "svg" } else { "" },
        "How close the largest sources are: the mean cosine similarity of their articles on the \
         stories both carried (each story counts once), and the cosine of their centroids (all \
         their articles at once). 0 is nothing in common, 1 the same words in the same \
         proportions.",
    );
    if !drawable {
        out.push_str("<p>With fewer than two sources there is no pair of sources to compare.</p>\n</section>\n");
        return;
    }
    let pairs: BTreeMap<(usize, usize), (usize, f64)> = sim
        .story_pairs
        .iter()
        .map(|p| ((p.a, p.b), (p.shared_stories, p.mean)))
        .collect();
    let pair = |i: usize, j: usize| {
        let (a, b) = (view.shown[i], view.shown[j]);
        pairs.get(&(a.min(b), a.max(b))).copied()
    };
    let names: Vec<String> = view
        .shown
        .iter()
        .map(|&s| view.name(report, s).to_string())
        .collect();
    out.push_str("<div class=\"figures\">\n");
    heatmap(
        out,
        "story",
        "Articles on shared stories (mean cosine)",
        &names,
        |i, j| match pair(i, j) {
            _ if i == j => Cell::Same,
            Some((_, mean)) => Cell::Value(mean),
            None => Cell::NoSharedStory,
        },
        |i, j| pair(i, j).map(|(k, _)| plural(k, "shared story", "shared stories")),
    );
    heatmap(
        out,
        "centroid",
        "Centroids (cosine)",
        &names,
        |i, j| match sim.centroid[i].get(j) {
            Some(&v) if i != j => Cell::Value(v),
            _ => Cell::Same,
        },
        |_, _| None,
    );
    out.push_str("</div>\n");
    legend(out);
    if view.others > 0 {
        out.push_str(
            "<p class=\"meta\">Every source's nearest sources by centroid, and every pair that \
             shares a story, are in the JSON (<code>similarity.nearest</code>, \
             <code>similarity.story_pairs</code>).</p>\n",
        );
    }
    out.push_str("</section>\n");
}

/// An n × n heatmap with the values printed in the cells.
fn heatmap(
    out: &mut String,
    key: &str,
    caption: &str,
    sources: &[String],
    cell: impl Fn(usize, usize) -> Cell,
    extra: impl Fn(usize, usize) -> Option<String>,
) {
    let n = sources.len();
    let size: f64 = match n {
        0..=6 => 64.0,
        7..=12 => 46.0,
        _ => (560.0 / n as f64).max(22.0),
    };
    let longest = sources
        .iter()
        .map(|s| s.chars().count().min(MAX_LABEL_CHARS))
        .max()
        .unwrap_or(0);
    let left = text_width(longest) + 12.0;
    // Column labels are turned by 40°: they need height, and room on the right for the last one.
    let top = (text_width(longest) * 0.65 + 16.0).ceil();
    let right = (text_width(longest) * 0.77).ceil();
    let width = left + size * n as f64 + right;
    let height = top + size * n as f64 + 4.0;
    let font = if size >= 40.0 { 12.0 } else { 9.0 };
    let hatch = format!("hatch-{key}");
    w!(
        out,
        "<figure><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n\
         <defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eceff3\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b3bac4\" stroke-width=\"2\"/></pattern></defs>\n",
        esc(caption),
        esc(caption)
    );
    for (i, name) in sources.iter().enumerate() {
        let y = top + size * (i as f64 + 0.5);
        w!(
            out,
            "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\"><title>{}</title>{}</text>\n",
            left - 8.0,
            esc(name),
            esc(&cut(name, MAX_LABEL_CHARS))
        );
        let x = left + size * (i as f64 + 0.5);
        w!(
            out,
            "<text transform=\"translate({x} {}) rotate(-40)\"><title>{}</title>{}</text>\n",
            top - 6.0,
            esc(name),
            esc(&cut(name, MAX_LABEL_CHARS))
        );
    }
    for i in 0..n {
        for j in 0..n {
            let (x, y) = (left + size * j as f64, top + size * i as f64);
            let pair = format!("{} × {}", sources[i], sources[j]);
            let more = extra(i, j).map(|e| format!("; {e}")).unwrap_or_default();
            let (fill, text, ink, tip) = match cell(i, j) {
                Cell::Value(v) => (
                    blues(v),
                    num(v, 2),
                    ink_on(v),
                    format!("{pair}: {}{more}", num(v, 3)),
                ),
                Cell::NoSharedStory => (
                    format!("url(#{hatch})"),
                    String::new(),
                    "#1b1f24",
                    format!("{pair}: no shared story"),
                ),
                Cell::Same => (
                    "#d9dde3".to_string(),
                    "—".to_string(),
                    "#5b6470",
                    format!("{pair}: same source"),
                ),
            };
            w!(
                out,
                "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\" \
                 fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                esc(&tip)
            );
            if !text.is_empty() && size >= 26.0 {
                w!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" \
                     style=\"fill:{ink};font-size:{font}px\">{text}</text>",
                    x + size / 2.0,
                    y + size / 2.0
                );
            }
            out.push_str("</g>\n");
        }
    }
    out.push_str("</svg>\n</figure>\n");
}

/// The colour scale of the heatmaps, and the two kinds of empty cell.
fn legend(out: &mut String) {
    out.push_str(
        "<div class=\"legend\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"250\" height=\"34\" \
         viewBox=\"0 0 250 34\" role=\"img\" aria-label=\"Colour scale from 0 to 1\">\n\
         <defs><linearGradient id=\"scale\">",
    );
    for k in 0..=4 {
        let v = k as f64 / 4.0;
        w!(
            out,
            "<stop offset=\"{}%\" stop-color=\"{}\"/>",
            k * 25,
            blues(v)
        );
    }
    out.push_str(
        "</linearGradient>\
         <pattern id=\"hatch-legend\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eceff3\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b3bac4\" stroke-width=\"2\"/></pattern></defs>\n\
         <rect x=\"10\" y=\"2\" width=\"230\" height=\"14\" fill=\"url(#scale)\" stroke=\"#d5dae1\"/>\n\
         <text class=\"small\" x=\"10\" y=\"30\" text-anchor=\"start\">0</text>\
         <text class=\"small\" x=\"125\" y=\"30\" text-anchor=\"middle\">0.5</text>\
         <text class=\"small\" x=\"240\" y=\"30\" text-anchor=\"end\">1</text>\n</svg>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"18\" height=\"18\" viewBox=\"0 0 18 18\" \
         aria-hidden=\"true\"><rect width=\"18\" height=\"18\" fill=\"url(#hatch-legend)\"/></svg>\
         <span>no shared story</span>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"18\" height=\"18\" viewBox=\"0 0 18 18\" \
         aria-hidden=\"true\"><rect width=\"18\" height=\"18\" fill=\"#d9dde3\"/></svg>\
         <span>same source</span></div>\n",
    );
}

// Timeline -------------------------------------------------------------------------------------

fn timeline(out: &mut String, report: &Report, view: &View) {
    let drawable = report
        .timeline
        .as_ref()
        .is_some_and(|t| !t.counts.is_empty() && !view.shown.is_empty());
    open_section(
        out,
        "timeline",
        "Timeline",
        if drawable { "svg" } else { "" },
        "Articles per source over time, for the largest sources and the others together.",
    );
    match &report.timeline {
        Some(t) if drawable => timeline_chart(out, report, view, t),
        _ => out.push_str(
            "<p>No document has a usable date, so there is no timeline of coverage.</p>\n",
        ),
    }
    out.push_str("</section>\n");
}

fn timeline_chart(out: &mut String, report: &Report, view: &View, t: &Timeline) {
    let periods = t.periods();
    // One strip per shown source, and one for all the others.
    let mut strips: Vec<(String, Vec<usize>)> = view
        .shown
        .iter()
        .map(|&s| (view.name(report, s).to_string(), vec![0; periods.len()]))
        .collect();
    if view.others > 0 {
        strips.push((
            format!("other ({})", plural(view.others, "source", "sources")),
            vec![0; periods.len()],
        ));
    }
    for s in 0..t.counts.len() {
        let strip = match view.slot.get(s).copied().flatten() {
            Some(k) => k,
            None => strips.len() - 1,
        };
        t.add_counts(s, &periods, &mut strips[strip].1);
    }
    let n = periods.len();
    let (left, plot, strip, gap) = (200.0, 840.0, 36.0, 10.0);
    let step = plot / n as f64;
    let max = strips
        .iter()
        .flat_map(|s| s.1.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let height = (strip + gap) * strips.len() as f64 + 30.0;
    let width = left + plot + 20.0;
    let by_what = match t.period {
        "week" => "week (weeks start on Monday)",
        other => other,
    };
    w!(
        out,
        "<p class=\"meta\">Articles per {}, {} to {}; every strip shares one scale (highest bar: {}).</p>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Articles per source per {}\">\n",
        esc(by_what),
        esc(&t.first),
        esc(&t.last),
        max,
        esc(t.period)
    );
    for (i, (name, counts)) in strips.iter().enumerate() {
        let top = (strip + gap) * i as f64;
        let base = top + strip;
        w!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\"><title>{}</title>{}</text>\n\
             <line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#d5dae1\"/>\n",
            left - 10.0,
            top + strip / 2.0,
            esc(name),
            esc(&cut(name, 26)),
            left + plot
        );
        for (p, &c) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let h = strip * c as f64 / max as f64;
            let x = left + step * p as f64;
            w!(
                out,
                "<rect x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{h:.2}\" fill=\"#2171b5\">\
                 <title>{}, {}: {}</title></rect>\n",
                base - h,
                (step * 0.85).max(0.5),
                esc(name),
                esc(&periods[p]),
                plural(c, "article", "articles")
            );
        }
    }
    // Period labels: the first, the last and a few between.
    let axis = (strip + gap) * strips.len() as f64 + 6.0;
    let ticks = n.min(6);
    let mut last = usize::MAX;
    for k in 0..ticks {
        let p = if ticks == 1 {
            0
        } else {
            k * (n - 1) / (ticks - 1)
        };
        if p == last {
            continue;
        }
        last = p;
        let anchor = match k {
            0 => "start",
            _ if k == ticks - 1 => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => left + step * p as f64,
            "end" => left + step * (p as f64 + 0.85),
            _ => left + step * (p as f64 + 0.425),
        };
        w!(
            out,
            "<text class=\"small\" x=\"{x:.2}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>\n",
            axis + 10.0,
            esc(&periods[p])
        );
    }
    out.push_str("</svg>\n");
    let undated: usize = t.undated.iter().sum();
    if undated > 0 {
        w!(
            out,
            "<p class=\"meta\">{} without a usable date are not drawn (per source in the JSON, \
             <code>timeline.undated</code>).</p>\n",
            plural(undated, "article", "articles")
        );
    }
}

// Search ---------------------------------------------------------------------------------------

/// Sources named per story in the search index before "and N more".
const INDEX_SOURCES: usize = 8;

fn search(out: &mut String, report: &Report, view: &View) {
    open_section(
        out,
        "search",
        "All stories",
        "input",
        "Every story, those most sources carried first: type words of a label or a source to \
         find one.",
    );
    let mut order: Vec<usize> = (0..report.stories.len()).collect();
    order.sort_by(|&a, &b| {
        (view.breadth(b), report.stories[b].docs.len())
            .cmp(&(view.breadth(a), report.stories[a].docs.len()))
            .then(a.cmp(&b))
    });
    let index: Vec<(usize, &str, usize, usize, &str, &str, String)> = order
        .iter()
        .map(|&id| {
            let s = &report.stories[id];
            let mut names: Vec<&str> = s
                .sources
                .iter()
                .take(INDEX_SOURCES)
                .map(String::as_str)
                .collect();
            let more = s.sources.len().saturating_sub(INDEX_SOURCES);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            names.dedup();
            (
                id,
                s.label.as_str(),
                s.sources.len(),
                s.docs.len(),
                s.first_date.as_deref().unwrap_or(""),
                s.last_date.as_deref().unwrap_or(""),
                format!("{}{more}", names.join(", ")),
            )
        })
        .collect();
    w!(
        out,
        "<p><label for=\"story-query\">Find stories:</label> <input id=\"story-query\" \
         type=\"search\" placeholder=\"words of a label or a source\" disabled> \
         <span id=\"story-count\" class=\"meta\"></span></p>\n\
         <noscript><p>The search needs JavaScript; every story is in the JSON \
         (<code>stories</code>).</p></noscript>\n\
         <div class=\"scroll\"><table class=\"index\">\n<thead><tr><th class=\"n\">Story</th><th>Label</th>\
         <th class=\"n\">Sources</th><th class=\"n\">Articles</th><th>Dates</th><th>Sources</th></tr></thead>\n\
         <tbody id=\"story-results\"></tbody>\n</table></div>\n\
         <script type=\"application/json\" id=\"story-index\">{}</script>\n</section>\n",
        script_json(&index)
    );
}

// Notes ----------------------------------------------------------------------------------------

fn notes(out: &mut String, report: &Report, view: &View) {
    open_section(
        out,
        "notes",
        "Notes on the data",
        "ul",
        "What was set aside while reading, what could not be computed, and what this page \
         leaves out.",
    );
    if !report.set_aside.is_empty() {
        out.push_str("<h3>Values set aside</h3>\n<ul>\n");
        for s in &report.set_aside {
            w!(
                out,
                "<li><b>{}</b> {} kept as undated: {}. For example: {}.</li>\n",
                thousands(s.count),
                esc(&if s.count == 1 {
                    s.kind.clone()
                } else {
                    format!("{}s", s.kind)
                }),
                esc(&s.hint),
                s.examples
                    .iter()
                    .map(|e| format!("<code>{}</code>", esc(e)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push_str("</ul>\n");
    }
    if !report.notes.is_empty() {
        out.push_str("<h3>What could not be computed</h3>\n<ul>\n");
        for note in &report.notes {
            w!(out, "<li>{}</li>\n", esc(note));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h3>What this page leaves out</h3>\n<ul>\n");
    w!(
        out,
        "<li>Sources drawn in full: the {} largest of {} (<code>--top-sources N</code> changes \
         it); the others are counted together as “other”.</li>\n",
        view.shown.len(),
        report.sources.len()
    );
    w!(
        out,
        "<li>Stories shown side by side: the {} most sources carried, of {} carried by two or more \
         (<code>--top-stories N</code>); every story is in the search above.</li>\n",
        report.shown.stories.len(),
        thousands(report.coverage.len())
    );
    out.push_str(
        "<li>Everything else (every source's keyness, every story's articles and distinctive \
         terms, all pairs of sources that share a story) is in the JSON: \
         <code>parallax compare … --format json</code>.</li>\n</ul>\n</section>\n",
    );
}

#[cfg(test)]
mod tests {
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
    /// over three days.
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
        assert!(
            !csp.contains("unsafe-inline'; img") && !csp.contains("script-src 'unsafe-inline'")
        );
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
        assert!(
            page.contains("The story most sources carried: <a href=\"#story-0\">harbour levy</a>")
        );
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
}
