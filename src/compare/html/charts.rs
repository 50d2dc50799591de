//! The charts: how close the sources are (a heatmap) and coverage over time.

use super::*;

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

pub(super) fn similarity(out: &mut String, report: &Report, view: &View) {
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

pub(super) fn timeline(out: &mut String, report: &Report, view: &View) {
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
