//! The terms sections: each source's distinctive terms, and the terms the sources share.

use super::*;

// Keyness --------------------------------------------------------------------------------------

pub(super) fn keyness(out: &mut String, report: &Report, view: &View) {
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
