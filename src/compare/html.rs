//! The coverage report as one self-contained HTML page: inline CSS and inline SVG, no network,
//! no external fonts or scripts, readable offline, in print and without JavaScript.
//!
//! ```
//! # fn demo(report: &parallax::compare::Report) -> std::io::Result<()> {
//! let page = parallax::compare::html::render(report);
//! std::fs::write("report.html", page)?;
//! # Ok(())
//! # }
//! ```
//!
//! The page has six sections, each a `<section id="...">`: `summary`, `similarity`, `coverage`,
//! `keyness`, `stories` and `timeline`. Each section names, in `data-expect`, the CSS selector of
//! the figure it must show (an `<svg>`, a `<table>`, ...; empty when the report has nothing to
//! draw there). One small inline script, which the page does not need in order to be read,
//! checks on load which sections have a non-empty box holding their figure and lists their ids
//! in `<body data-rendered="...">`: the end-to-end test reads it from a headless browser.
//!
//! Every string from the data is HTML-escaped; the same report gives the same bytes.

use std::borrow::Cow;
use std::fmt::{self, Display, Write};

use super::report::{AlignedStory, KeyTerm, Report, SourceKeyness, Timeline};

/// Rows of the coverage matrix shown; the rest are in the JSON.
const MAX_COVERAGE_ROWS: usize = 150;
/// Aligned stories shown; the rest are in the JSON.
const MAX_STORIES: usize = 100;
/// Bars per source in the keyness charts (and rows in their tables).
const MAX_KEY_TERMS: usize = 15;
/// Rows of the shared-terms table.
const MAX_SHARED_TERMS: usize = 30;
/// Distinctive terms listed per source in a story.
const MAX_STORY_TERMS: usize = 10;
/// Article pairs listed per story.
const MAX_STORY_PAIRS: usize = 5;
/// Characters of a label drawn in a chart before it is cut (the full label is in its tooltip).
const MAX_LABEL_CHARS: usize = 24;

/// Writes formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        write!($out, $($arg)*).expect("writing to a String cannot fail")
    };
}

/// Renders `report` as a complete HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, report);
    summary(&mut out, report);
    similarity(&mut out, report);
    coverage(&mut out, report);
    keyness(&mut out, report);
    stories(&mut out, report);
    timeline(&mut out, report);
    w!(
        out,
        "</main>\n<footer>Made by parallax {}. The same data, and more, is in \
         <code>parallax compare --format json</code>.</footer>\n<script>{}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        RENDER_CHECK
    );
    out
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
table.matrix td.cell { text-align: center; min-width: 46px; }
table.matrix td.on { background: #2171b5; color: #fff; font-weight: 600; }
table.matrix td.off { background: #fff; color: #b8bec7; }
table.matrix th.story { font-weight: normal; background: #fff; max-width: 30rem; }
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
footer { color: var(--muted); font-size: .82rem; padding: 26px 24px 36px; }
code { font-size: .9em; background: var(--soft); padding: 0 3px; border-radius: 3px; }
@media print {
  body { font-size: 10.5pt; }
  nav, details { display: none; }
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

fn head(out: &mut String, report: &Report) {
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"parallax {}\">\n\
         <title>Coverage report: {} by {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        plural(report.documents, "document", "documents"),
        esc(&report.by),
    );
    w!(
        out,
        "<header>\n<h1>Coverage report</h1>\n<p class=\"sub\">{} grouped by <code>{}</code>: {}, {}.</p>\n\
         <nav><a href=\"#summary\">Summary</a><a href=\"#similarity\">Similarity</a>\
         <a href=\"#coverage\">Coverage</a><a href=\"#keyness\">Distinctive terms</a>\
         <a href=\"#stories\">Stories side by side</a><a href=\"#timeline\">Timeline</a></nav>\n\
         </header>\n<main>\n",
        plural(report.documents, "document", "documents"),
        esc(&report.by),
        plural(report.sources.len(), "source", "sources"),
        plural(report.stories.len(), "story", "stories"),
    );
}

// Summary --------------------------------------------------------------------------------------

fn summary(out: &mut String, report: &Report) {
    let expect = if report.sources.is_empty() {
        ""
    } else {
        "table"
    };
    let single = report
        .stories
        .iter()
        .filter(|s| s.sources.len() < 2)
        .count();
    open_section(
        out,
        "summary",
        "Summary",
        expect,
        "What was read, and what could not be computed.",
    );
    out.push_str("<dl class=\"stats\">\n");
    let mut stat = |label: &str, value: String| {
        w!(out, "<div><dt>{label}</dt><dd>{value}</dd></div>\n");
    };
    stat("Documents", report.documents.to_string());
    stat("Sources", report.sources.len().to_string());
    stat("Stories", report.stories.len().to_string());
    stat("Shared stories", report.aligned.len().to_string());
    stat("Single-source stories", single.to_string());
    if report.ungrouped > 0 {
        stat("Without a source", report.ungrouped.to_string());
    }
    out.push_str("</dl>\n");

    if report.notes.is_empty() {
        out.push_str("<p class=\"ok\">Every part of the report was computed.</p>\n");
    } else {
        out.push_str(
            "<div class=\"notes\" role=\"note\">\n<h3>What could not be computed</h3>\n<ul>\n",
        );
        for note in &report.notes {
            w!(out, "<li>{}</li>\n", esc(note));
        }
        out.push_str("</ul>\n</div>\n");
    }
    if report.ungrouped > 0 {
        w!(
            out,
            "<p>{} had no <code>{}</code>: they are part of the stories, not of the per-source \
             parts.</p>\n",
            plural(report.ungrouped, "document", "documents"),
            esc(&report.by)
        );
    }

    if !report.sources.is_empty() {
        out.push_str(
            "<div class=\"scroll\"><table>\n<thead><tr><th>Source</th><th class=\"n\">Documents</th>\
             <th class=\"n\">Tokens</th><th class=\"n\">Stories</th>\
             <th class=\"n\" title=\"Stories other sources carried too\">Shared</th>\
             <th class=\"n\" title=\"Stories two or more other sources carried and this one did not\">Skipped</th>\
             <th class=\"n\" title=\"Stories only this source carried\">Exclusive</th></tr></thead>\n<tbody>\n",
        );
        for s in &report.sources {
            w!(
                out,
                "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&s.name),
                s.documents,
                count(s.tokens),
                s.stories,
                s.shared_stories,
                s.skipped,
                s.exclusive
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    } else {
        out.push_str("<p>No document had a source.</p>\n");
    }
    out.push_str("</section>\n");
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

fn similarity(out: &mut String, report: &Report) {
    let sim = &report.similarity;
    let n = sim.sources.len();
    let drawable = n >= 2 && sim.story_mean.len() == n && sim.centroid.len() == n;
    open_section(
        out,
        "similarity",
        "Source similarity",
        if drawable { "svg" } else { "" },
        "How close the sources are: the mean cosine similarity of their articles on the stories \
         both carried (each story counts once), and the cosine of their centroids (all their \
         articles at once). 0 is nothing in common, 1 the same words in the same proportions.",
    );
    if !drawable {
        w!(
            out,
            "<p>{} there is no pair of sources to compare.</p>\n</section>\n",
            if n < 2 {
                "With fewer than two sources"
            } else {
                "The similarity matrices are incomplete, so"
            }
        );
        return;
    }
    out.push_str("<div class=\"figures\">\n");
    heatmap(
        out,
        "story",
        "Articles on shared stories (mean cosine)",
        &sim.sources,
        |i, j| match sim.story_mean[i].get(j).copied().flatten() {
            Some(v) => Cell::Value(v),
            None if i == j => Cell::Same,
            None => Cell::NoSharedStory,
        },
        |i, j| {
            let shared = sim.shared_stories.get(i).and_then(|r| r.get(j)).copied();
            shared.map(|k| plural(k, "shared story", "shared stories"))
        },
    );
    heatmap(
        out,
        "centroid",
        "Centroids (cosine)",
        &sim.sources,
        |i, j| match sim.centroid[i].get(j) {
            Some(&v) => Cell::Value(v),
            None => Cell::Same,
        },
        |_, _| None,
    );
    out.push_str("</div>\n");
    legend(out);
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

// Coverage -------------------------------------------------------------------------------------

fn coverage(out: &mut String, report: &Report) {
    let cov = &report.coverage;
    let expect = if cov.rows.is_empty() { "" } else { "table" };
    open_section(
        out,
        "coverage",
        "Coverage",
        expect,
        "Which source carried which story, for the stories two or more sources carried. A filled \
         cell gives the number of the source's articles in the story; an empty cell is a story \
         the source skipped.",
    );
    if cov.rows.is_empty() {
        out.push_str("<p>No story was carried by two or more sources.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"matrix\">\n<thead><tr><th>Story</th>");
    for s in &cov.sources {
        w!(out, "<th class=\"n\">{}</th>", esc(s));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in cov.rows.iter().take(MAX_COVERAGE_ROWS) {
        w!(
            out,
            "<tr><th class=\"story\"><a href=\"#story-{}\">{}</a></th>",
            row.story,
            esc(&row.label)
        );
        for (j, s) in cov.sources.iter().enumerate() {
            match row.documents.get(j).copied().unwrap_or(0) {
                0 => w!(
                    out,
                    "<td class=\"cell off\" title=\"{} skipped it\">·</td>",
                    esc(s)
                ),
                k => w!(
                    out,
                    "<td class=\"cell on\" title=\"{}: {}\">{k}</td>",
                    esc(s),
                    plural(k, "article", "articles")
                ),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot><tr><td>Skipped</td>");
    for j in 0..cov.sources.len() {
        let skipped = cov.skipped.get(j).map_or(0, Vec::len);
        w!(out, "<td class=\"n\">{skipped}</td>");
    }
    out.push_str("</tr></tfoot>\n</table></div>\n");
    if cov.rows.len() > MAX_COVERAGE_ROWS {
        w!(
            out,
            "<p>{} more shared {} are in the JSON output (<code>coverage.rows</code>).</p>\n",
            cov.rows.len() - MAX_COVERAGE_ROWS,
            if cov.rows.len() - MAX_COVERAGE_ROWS == 1 {
                "story"
            } else {
                "stories"
            }
        );
    }
    out.push_str("</section>\n");
}

// Keyness --------------------------------------------------------------------------------------

fn keyness(out: &mut String, report: &Report) {
    let drawn = report.keyness.iter().any(|k| !k.terms.is_empty());
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
            report
                .keyness
                .iter()
                .flat_map(|k| k.terms.iter().take(MAX_KEY_TERMS))
        };
        let lo = shown().map(|t| t.log_ratio).fold(0.0_f64, f64::min);
        let hi = shown().map(|t| t.log_ratio).fold(0.0_f64, f64::max);
        out.push_str("<div class=\"cards\">\n");
        for k in &report.keyness {
            key_card(out, k, lo, hi);
        }
        out.push_str("</div>\n");
    }
    shared_terms(out, report);
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

fn shared_terms(out: &mut String, report: &Report) {
    out.push_str("<h3>Terms every source uses</h3>\n");
    if report.shared_terms.is_empty() {
        out.push_str("<p>No term is used by every source.</p>\n");
        return;
    }
    out.push_str(
        "<p class=\"meta\">Most evenly used first, with each source's count.</p>\n\
         <div class=\"scroll\"><table>\n<thead><tr><th>Term</th>",
    );
    for s in &report.sources {
        w!(out, "<th class=\"n\">{}</th>", esc(&s.name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for t in report.shared_terms.iter().take(MAX_SHARED_TERMS) {
        w!(
            out,
            "<tr><td title=\"{}\">{}</td>",
            esc(&t.term),
            esc(&t.surface)
        );
        for c in &t.counts {
            w!(out, "<td class=\"n\">{}</td>", count(*c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    if report.shared_terms.len() > MAX_SHARED_TERMS {
        w!(
            out,
            "<p>{} more are in the JSON output (<code>shared_terms</code>).</p>\n",
            report.shared_terms.len() - MAX_SHARED_TERMS
        );
    }
}

// Stories --------------------------------------------------------------------------------------

fn stories(out: &mut String, report: &Report) {
    let expect = if report.aligned.is_empty() {
        ""
    } else {
        ".story"
    };
    open_section(
        out,
        "stories",
        "Stories side by side",
        expect,
        "Each story two or more sources carried: every source's articles, the terms its \
         articles use more than the other sources' articles on the same story, and how similar \
         the versions are.",
    );
    if report.aligned.is_empty() {
        out.push_str("<p>No story was carried by two or more sources.</p>\n</section>\n");
        return;
    }
    for story in report.aligned.iter().take(MAX_STORIES) {
        aligned_story(out, story);
    }
    if report.aligned.len() > MAX_STORIES {
        let more = report.aligned.len() - MAX_STORIES;
        w!(
            out,
            "<p>{} more shared {} are in the JSON output (<code>aligned</code>).</p>\n",
            more,
            if more == 1 { "story" } else { "stories" }
        );
    }
    out.push_str("</section>\n");
}

fn aligned_story(out: &mut String, story: &AlignedStory) {
    // Sources in article order (the articles are grouped by source).
    let mut sources: Vec<&str> = Vec::new();
    for a in &story.articles {
        if sources.last() != Some(&a.source.as_str()) && !sources.contains(&a.source.as_str()) {
            sources.push(&a.source);
        }
    }
    w!(
        out,
        "<article class=\"story\" id=\"story-{}\">\n<h3>{} <span class=\"meta\">story {} · {} · {}</span></h3>\n",
        story.story,
        esc(&story.label),
        story.story,
        plural(story.articles.len(), "article", "articles"),
        plural(sources.len(), "source", "sources")
    );
    if !story.notes.is_empty() {
        out.push_str("<div class=\"notes\" role=\"note\"><ul>\n");
        for note in &story.notes {
            w!(out, "<li>{}</li>\n", esc(note));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("<div class=\"cols\">\n");
    for source in &sources {
        w!(out, "<div class=\"col\">\n<h4>{}</h4>\n<ul>\n", esc(source));
        for a in story.articles.iter().filter(|a| a.source == *source) {
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
            .find(|d| d.source == *source)
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
    out.push_str("</div>\n<div class=\"pairs\">\n");
    if !story.source_pairs.is_empty() {
        out.push_str("<div><h5>Mean similarity of sources</h5><ul>\n");
        for p in &story.source_pairs {
            w!(
                out,
                "<li>{} ↔ {}: <b>{}</b></li>\n",
                esc(&p.a),
                esc(&p.b),
                num(p.mean, 2)
            );
        }
        out.push_str("</ul></div>\n");
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
                "<li class=\"muted\">{} more (in the JSON output)</li>\n",
                plural(more, "pair", "pairs")
            );
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</div>\n</article>\n");
}

// Timeline -------------------------------------------------------------------------------------

fn timeline(out: &mut String, report: &Report) {
    let drawable = report
        .timeline
        .as_ref()
        .is_some_and(|t| !t.periods.is_empty() && !t.counts.is_empty());
    open_section(
        out,
        "timeline",
        "Timeline",
        if drawable { "svg" } else { "" },
        "Articles per source over time.",
    );
    match &report.timeline {
        Some(t) if drawable => timeline_chart(out, report, t),
        _ => out.push_str(
            "<p>No document has a usable date, so there is no timeline of coverage.</p>\n",
        ),
    }
    out.push_str("</section>\n");
}

fn timeline_chart(out: &mut String, report: &Report, t: &Timeline) {
    let periods = t.periods.len();
    let (left, plot, strip, gap) = (170.0, 860.0, 44.0, 14.0);
    let step = plot / periods as f64;
    let max = t.counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let height = (strip + gap) * t.counts.len() as f64 + 30.0;
    let width = left + plot + 20.0;
    let by_what = if t.period == "week" {
        "week (weeks start on Monday)"
    } else {
        t.period
    };
    w!(
        out,
        "<p class=\"meta\">Articles per {}; every strip shares one scale (highest bar: {}).</p>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Articles per source per {}\">\n",
        esc(by_what),
        max,
        esc(t.period)
    );
    for (i, counts) in t.counts.iter().enumerate() {
        let name = report
            .sources
            .get(i)
            .map_or_else(|| format!("source {}", i + 1), |s| s.name.clone());
        let top = (strip + gap) * i as f64;
        let base = top + strip;
        w!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\"><title>{}</title>{}</text>\n\
             <line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#d5dae1\"/>\n",
            left - 10.0,
            top + strip / 2.0,
            esc(&name),
            esc(&cut(&name, 22)),
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
                esc(&name),
                esc(t.periods.get(p).map_or("", String::as_str)),
                plural(c, "article", "articles")
            );
        }
    }
    // Period labels: the first, the last and a few between.
    let axis = (strip + gap) * t.counts.len() as f64 + 6.0;
    let ticks = periods.min(6);
    let mut last = usize::MAX;
    for k in 0..ticks {
        let p = if ticks == 1 {
            0
        } else {
            k * (periods - 1) / (ticks - 1)
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
            esc(&t.periods[p])
        );
    }
    out.push_str("</svg>\n");
    let undated: Vec<String> = t
        .undated
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, &n)| {
            let name = report.sources.get(i).map_or("?", |s| s.name.as_str());
            format!("{} ({n})", esc(name))
        })
        .collect();
    if !undated.is_empty() {
        w!(
            out,
            "<p class=\"meta\">Articles without a usable date, not drawn: {}.</p>\n",
            undated.join(", ")
        );
    }
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
            first_date: None,
            last_date: None,
            near_duplicates: vec![],
        }
    }

    /// Three sources, two stories (one shared by all), dates over three days.
    fn sample() -> Report {
        let names = ["ledger", "weekly", "klaxon"];
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Report {
            by: "source".to_string(),
            documents: 4,
            ungrouped: 0,
            sources: vec![
                source("klaxon", 2),
                source("ledger", 1),
                source("weekly", 1),
            ],
            stories: vec![
                story(0, "harbour levy", &["k/1", "l/1", "w/1"], &names),
                story(1, "llamas", &["k/2"], &["klaxon"]),
            ],
            coverage: Coverage {
                sources: s(&["klaxon", "ledger", "weekly"]),
                rows: vec![CoverageRow {
                    story: 0,
                    label: "harbour levy".to_string(),
                    documents: vec![1, 1, 1],
                }],
                skipped: vec![vec![], vec![], vec![]],
            },
            aligned: vec![AlignedStory {
                story: 0,
                label: "harbour levy".to_string(),
                articles: vec![
                    article("klaxon", "k/1", Some("Tax grab!")),
                    article("ledger", "l/1", Some("Levy backed")),
                    article("weekly", "w/1", None),
                ],
                source_pairs: vec![SourcePair {
                    a: "klaxon".to_string(),
                    b: "ledger".to_string(),
                    mean: 0.41,
                }],
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
                SourceKeyness {
                    source: "klaxon".to_string(),
                    measure: "g2",
                    documents: 2,
                    terms: vec![term("fury", 3.2), term("grab", 1.1), term("bosses", -0.5)],
                },
                SourceKeyness {
                    source: "ledger".to_string(),
                    measure: "g2",
                    documents: 1,
                    terms: vec![term("capex", 2.0)],
                },
                SourceKeyness {
                    source: "weekly".to_string(),
                    measure: "g2",
                    documents: 1,
                    terms: vec![],
                },
            ],
            shared_terms: vec![SharedTerm {
                term: "levi".to_string(),
                surface: "levy".to_string(),
                counts: vec![3.0, 4.0, 2.0],
            }],
            similarity: SourceSimilarity {
                sources: s(&["klaxon", "ledger", "weekly"]),
                shared_stories: vec![vec![0, 1, 1], vec![1, 0, 1], vec![1, 1, 0]],
                story_mean: vec![
                    vec![None, Some(0.41), Some(0.3)],
                    vec![Some(0.41), None, None],
                    vec![Some(0.3), None, None],
                ],
                centroid: vec![
                    vec![1.0, 0.5, 0.25],
                    vec![0.5, 1.0, 0.75],
                    vec![0.25, 0.75, 1.0],
                ],
            },
            timeline: Some(Timeline {
                period: "day",
                periods: s(&["2026-03-04", "2026-03-05", "2026-03-06"]),
                counts: vec![vec![1, 0, 1], vec![1, 0, 0], vec![0, 0, 1]],
                undated: vec![0, 0, 1],
            }),
            notes: vec![],
        }
    }

    /// One source, no dates, nothing shared: what `compare` gives for a degenerate corpus.
    fn degenerate() -> Report {
        Report {
            by: "source".to_string(),
            documents: 1,
            ungrouped: 0,
            sources: vec![source("only", 1)],
            stories: vec![story(0, "", &["only/a"], &["only"])],
            coverage: Coverage {
                sources: vec!["only".to_string()],
                rows: vec![],
                skipped: vec![vec![]],
            },
            aligned: vec![],
            keyness: vec![],
            shared_terms: vec![],
            similarity: SourceSimilarity {
                sources: vec!["only".to_string()],
                shared_stories: vec![vec![0]],
                story_mean: vec![vec![None]],
                centroid: vec![vec![1.0]],
            },
            timeline: None,
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

    const SECTIONS: [&str; 6] = [
        "summary",
        "similarity",
        "coverage",
        "keyness",
        "stories",
        "timeline",
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
        r.coverage.sources[0] = evil.to_string();
        r.coverage.rows[0].label = evil.to_string();
        r.similarity.sources[0] = evil.to_string();
        r.aligned[0].label = evil.to_string();
        r.aligned[0].notes.push(evil.to_string());
        r.aligned[0].articles[0].source = evil.to_string();
        r.aligned[0].articles[0].id = evil.to_string();
        r.aligned[0].articles[0].title = Some(evil.to_string());
        r.aligned[0].articles[1].date = Some(evil.to_string());
        r.aligned[0].source_pairs[0].a = evil.to_string();
        r.aligned[0].pairs[0].b = evil.to_string();
        r.aligned[0].distinctive[0].source = evil.to_string();
        r.aligned[0].distinctive[0].terms[0].surface = evil.to_string();
        r.keyness[0].source = evil.to_string();
        r.keyness[0].terms[0].surface = evil.to_string();
        r.keyness[0].terms[0].term = evil.to_string();
        r.shared_terms[0].surface = evil.to_string();
        r.timeline.as_mut().unwrap().periods[0] = evil.to_string();
        let page = render(&r);
        assert!(
            !page.contains("<script>alert"),
            "unescaped markup in the page"
        );
        assert!(!page.contains("x&y"), "unescaped ampersand in the page");
        assert!(page.contains("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"));
        // The only script is the render check.
        assert_eq!(page.matches("<script").count(), 1);
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
        assert_eq!(expect_of(&page, "summary"), "table");
        assert_eq!(expect_of(&page, "similarity"), "svg");
        assert_eq!(expect_of(&page, "coverage"), "table");
        assert_eq!(expect_of(&page, "keyness"), "svg");
        assert_eq!(expect_of(&page, "stories"), ".story");
        assert_eq!(expect_of(&page, "timeline"), "svg");
        // Values in the heatmap cells, the hatched 'no shared story' cells, the aligned story.
        assert!(page.contains(">0.41</text>"));
        assert!(page.contains("no shared story"));
        assert!(page.contains("fill=\"url(#hatch-story)\""));
        assert!(page.contains("id=\"story-0\""));
        assert!(page.contains("Tax grab!"));
        assert!(page.contains(">fury</text>"));
        assert!(page.contains("adjusted p 4.0e-4"));
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
        empty.stories.clear();
        empty.coverage.sources.clear();
        empty.coverage.skipped.clear();
        empty.similarity = SourceSimilarity {
            sources: vec![],
            shared_stories: vec![],
            story_mean: vec![],
            centroid: vec![],
        };
        let page = render(&empty);
        assert_eq!(page.matches("</section>").count(), SECTIONS.len());

        // Keyness with no terms, a timeline with no periods, empty labels and titles.
        let mut r = sample();
        for k in &mut r.keyness {
            k.terms.clear();
        }
        r.timeline.as_mut().unwrap().periods.clear();
        r.aligned[0].label.clear();
        r.aligned[0].distinctive.clear();
        r.aligned[0].source_pairs.clear();
        r.aligned[0].pairs.clear();
        r.aligned[0].notes.push("an empty article".to_string());
        let page = render(&r);
        assert_eq!(expect_of(&page, "keyness"), "");
        assert_eq!(expect_of(&page, "timeline"), "");
        assert!(page.contains("No term stands out."));
        assert!(page.contains("<li>an empty article</li>"));
    }

    #[test]
    fn large_reports_are_capped_with_a_sentence() {
        let mut r = sample();
        let row = r.coverage.rows[0].clone();
        let story = r.aligned[0].clone();
        r.coverage.rows = (0..MAX_COVERAGE_ROWS + 7)
            .map(|i| CoverageRow {
                story: i,
                ..row.clone()
            })
            .collect();
        r.aligned = (0..MAX_STORIES + 3)
            .map(|i| AlignedStory {
                story: i,
                ..story.clone()
            })
            .collect();
        let page = render(&r);
        assert!(page.contains("7 more shared stories are in the JSON output"));
        assert!(page.contains("3 more shared stories are in the JSON output (<code>aligned"));
        assert_eq!(
            page.matches("<article class=\"story\"").count(),
            MAX_STORIES
        );
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
    }
}
