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

use std::collections::BTreeMap;
use std::fmt::{self, Display, Write};

use sha2::{Digest, Sha256};

use super::cut;
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

mod charts;
mod overview;
mod terms;

use charts::{similarity, timeline};
use overview::{coverage, glance, sources, stories};
use terms::keyness;

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

/// Rows listed in a folded table of the long tail; the JSON has the rest.
const MAX_LISTED: usize = 1000;

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

const STYLE: &str = include_str!("page.css");

/// The render check (see the module docs). It only reads the layout and sets one attribute.
const RENDER_CHECK: &str = include_str!("render_check.js");

/// The story search: filters the story index (a JSON data block) by the words typed, and
/// writes the matches as text (never as markup).
const SEARCH: &str = include_str!("search.js");

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
mod tests;
