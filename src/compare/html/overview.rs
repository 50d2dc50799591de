//! The page's first sections: findings at a glance, the sources, the stories most sources
//! carried (each aligned across its sources) and who covered or skipped them.

use super::*;

// At a glance ----------------------------------------------------------------------------------

pub(super) fn glance(out: &mut String, report: &Report, view: &View) {
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

    reach(out, report, view);
    top_story(out, report, view);
    voices(out, report, view);
    versions(out, report, view);
    most_skipped(out, report, view);
    undated(out, report);
    out.push_str("</ul>\n</section>\n");
}

/// How much of the corpus the shown sources carry, and how long the tail is.
fn reach(out: &mut String, report: &Report, view: &View) {
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
}

/// The story most sources carried.
fn top_story(out: &mut String, report: &Report, view: &View) {
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
}

/// The first words of the largest sources' distinctive terms.
fn voices(out: &mut String, report: &Report, view: &View) {
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
}

/// Closest and furthest versions of shared stories among the shown sources.
fn versions(out: &mut String, report: &Report, view: &View) {
    // Over at least three shared stories, so that one story does not decide.
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
}

/// The shown source that skipped the most of the top stories, if one stands out.
fn most_skipped(out: &mut String, report: &Report, view: &View) {
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
}

/// Articles without a usable date, and why.
fn undated(out: &mut String, report: &Report) {
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
}

// Sources --------------------------------------------------------------------------------------

pub(super) fn sources(out: &mut String, report: &Report, view: &View) {
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
    source_bars(out, report, view);
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
    source_table(out, report, view.shown);
    if view.others > 0 {
        let rest = &order[view.shown.len()..];
        let listed = &rest[..rest.len().min(MAX_LISTED)];
        w!(
            out,
            "<details><summary>The other {}</summary>\n",
            plural(rest.len(), "source", "sources")
        );
        source_table(out, report, listed);
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

/// The articles of the shown sources (and of the others together) as horizontal bars.
fn source_bars(out: &mut String, report: &Report, view: &View) {
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
}

/// The table of sources `rows`: articles, stories, shared, skipped and exclusive stories.
fn source_table(out: &mut String, report: &Report, rows: &[usize]) {
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
}

// Stories --------------------------------------------------------------------------------------

pub(super) fn stories(out: &mut String, report: &Report, view: &View) {
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
        source_column(out, story, source);
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
    story_pairs(out, report, story);
}

/// One source's column of an aligned story: its articles and its distinctive terms there.
fn source_column(out: &mut String, story: &AlignedStory, source: &str) {
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

/// How close the sources' versions of a story are, and its closest pairs of articles.
fn story_pairs(out: &mut String, report: &Report, story: &AlignedStory) {
    out.push_str("<div class=\"pairs\">\n");
    if !story.source_pairs.is_empty() {
        let mut pairs: Vec<_> = story.source_pairs.iter().collect();
        pairs.sort_by(|x, y| y.mean.total_cmp(&x.mean).then((x.a, x.b).cmp(&(y.a, y.b))));
        let name = |s: usize| report.sources.get(s).map_or("?", |s| s.name.as_str());
        let list =
            |out: &mut String, title: &str, pairs: &[&crate::compare::report::SourcePair]| {
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

pub(super) fn coverage(out: &mut String, report: &Report, view: &View) {
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
