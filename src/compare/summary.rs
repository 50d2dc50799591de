//! The terminal summary of a report (what `parallax compare` prints): totals, the largest
//! sources, the stories most sources carried, the closest and furthest versions, each source's
//! distinctive terms, a sparkline of coverage over time, and the notes. The JSON and the page
//! hold everything; the summary shows the shown sources and stories in full, the rest in a line.

use std::io::Write;

use super::cut;
use super::report::{Report, Timeline};
use crate::io::terminal::{Printable, printable};

/// Stories listed in the terminal summary (the JSON and the page have them all).
const SHOWN_STORIES: usize = 15;

/// The terminal summary: the shown sources and stories in full, the rest in a line each.
/// Every string from the data goes through [`printable`], so it cannot drive the terminal.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_summary(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let out = &mut Printable(out);
    let names = Names::new(r);
    write_totals(out, r)?;
    write_largest_sources(out, r, &names)?;
    write_top_stories(out, r)?;
    write_closest_versions(out, r, &names)?;
    write_distinctive_terms(out, r, &names)?;
    if let Some(t) = &r.timeline {
        write_timeline(out, t, &r.shown.sources, &names)?;
    }
    write_notes(out, r)
}

/// Source names as the summary prints them, and the width of their column (the shown
/// sources' longest name, 6 to 30 characters).
struct Names<'a> {
    r: &'a Report,
    width: usize,
}

impl<'a> Names<'a> {
    fn new(r: &'a Report) -> Names<'a> {
        let mut names = Names { r, width: 0 };
        names.width = r
            .shown
            .sources
            .iter()
            .map(|&s| names.get(s).chars().count().min(30))
            .max()
            .unwrap_or(0)
            .max(6);
        names
    }

    fn get(&self, s: usize) -> String {
        printable(self.r.sources.get(s).map_or("?", |s| s.name.as_str())).into_owned()
    }
}

fn write_totals(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} documents, {} {}s, {} stories; {} carried by two or more {}s",
        r.documents,
        r.sources.len(),
        printable(&r.by),
        r.stories.len(),
        r.coverage.len(),
        printable(&r.by)
    )
}

fn write_largest_sources(out: &mut dyn Write, r: &Report, names: &Names) -> std::io::Result<()> {
    let (shown, name_w) = (&r.shown.sources, names.width);
    heading(
        out,
        &format!("The {} largest {}s", shown.len(), printable(&r.by)),
    )?;
    for &s in shown {
        let x = &r.sources[s];
        writeln!(
            out,
            "  {:<name_w$}  {:>6} documents  {:>5} stories: {} shared, {} skipped, {} only here",
            cut(&names.get(s), 30),
            x.documents,
            x.stories,
            x.shared_stories,
            x.skipped,
            x.exclusive
        )?;
    }
    let others = r.sources.len().saturating_sub(shown.len());
    if others > 0 {
        let docs: usize = (0..r.sources.len())
            .filter(|s| !shown.contains(s))
            .map(|s| r.sources[s].documents)
            .sum();
        writeln!(
            out,
            "  ... and {others} more with {docs} documents (--top-sources N shows more; all in --format json)"
        )?;
    }
    Ok(())
}

fn write_top_stories(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let top = &r.shown.stories;
    if top.is_empty() {
        return Ok(());
    }
    heading(
        out,
        "Stories most sources carried (sources, documents; label)",
    )?;
    let carried: std::collections::BTreeMap<usize, usize> = r
        .coverage
        .iter()
        .map(|c| (c.story, c.documents.len()))
        .collect();
    for &id in top.iter().take(SHOWN_STORIES) {
        let story = &r.stories[id];
        writeln!(
            out,
            "  {:>5}  {:>3} {:>4}  {}",
            id,
            carried.get(&id).copied().unwrap_or(0),
            story.docs.len(),
            cut(&printable(&story.label), 90)
        )?;
    }
    more(out, r.coverage.len(), top.len().min(SHOWN_STORIES))
}

/// The five closest and five furthest pairs of shown sources by their versions of the stories
/// both carried (three or more), when there are two such pairs.
fn write_closest_versions(out: &mut dyn Write, r: &Report, names: &Names) -> std::io::Result<()> {
    let shown = &r.shown.sources;
    let mut pairs: Vec<_> = r
        .similarity
        .story_pairs
        .iter()
        .filter(|p| shown.contains(&p.a) && shown.contains(&p.b) && p.shared_stories >= 3)
        .collect();
    if pairs.len() < 2 {
        return Ok(());
    }
    pairs.sort_by(|x, y| y.mean.total_cmp(&x.mean).then((x.a, x.b).cmp(&(y.a, y.b))));
    heading(
        out,
        "Closest and furthest versions of shared stories (mean cosine; shared stories)",
    )?;
    let k = pairs.len().min(5);
    let mut listed: Vec<&_> = pairs[..k].to_vec();
    listed.extend(pairs[pairs.len().saturating_sub(k).max(k)..].iter());
    for p in listed {
        writeln!(
            out,
            "  {:.3}  {:>4}  {} ~ {}",
            p.mean,
            p.shared_stories,
            names.get(p.a),
            names.get(p.b)
        )?;
    }
    Ok(())
}

fn write_distinctive_terms(out: &mut dyn Write, r: &Report, names: &Names) -> std::io::Result<()> {
    if r.keyness.is_empty() {
        return Ok(());
    }
    let name_w = names.width;
    let measure = r.keyness[0].measure;
    heading(
        out,
        &format!(
            "Distinctive terms of each {} against the rest ({measure}; log ratio)",
            printable(&r.by)
        ),
    )?;
    for &s in &r.shown.sources {
        let Some(k) = r.keyness.get(s) else { continue };
        let terms: Vec<String> = k
            .terms
            .iter()
            .take(8)
            .map(|t| format!("{} ({:+.1})", printable(&t.surface), t.log_ratio))
            .collect();
        let terms = if terms.is_empty() {
            "(none)".to_string()
        } else {
            terms.join(", ")
        };
        writeln!(out, "  {:<name_w$}  {terms}", cut(&names.get(s), 30))?;
    }
    Ok(())
}

/// One sparkline of documents per period for each shown source, on a common scale.
fn write_timeline(
    out: &mut dyn Write,
    t: &Timeline,
    shown: &[usize],
    names: &Names,
) -> std::io::Result<()> {
    let name_w = names.width;
    heading(
        out,
        &format!(
            "Coverage over time: documents per {} ({} .. {})",
            t.period, t.first, t.last
        ),
    )?;
    let periods = t.periods();
    let dense = |s: usize| {
        let mut v = vec![0usize; periods.len()];
        t.add_counts(s, &periods, &mut v);
        v
    };
    let rows: Vec<(String, Vec<usize>)> = shown.iter().map(|&s| (names.get(s), dense(s))).collect();
    let peak = rows
        .iter()
        .flat_map(|r| r.1.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for (n, counts) in rows {
        let total: usize = counts.iter().sum();
        writeln!(
            out,
            "  {:<name_w$}  {}  {total}",
            cut(&n, 30),
            sparkline(&counts, peak, 60)
        )?;
    }
    Ok(())
}

fn write_notes(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    if r.set_aside.is_empty() && r.notes.is_empty() {
        return Ok(());
    }
    heading(out, "Notes")?;
    for s in &r.set_aside {
        writeln!(
            out,
            "  - {} {}(s) kept as undated ({}), e.g. {}",
            s.count,
            s.kind,
            s.hint,
            printable(&s.examples.join("; "))
        )?;
    }
    for note in &r.notes {
        writeln!(out, "  - {}", printable(note))?;
    }
    Ok(())
}

fn heading(out: &mut dyn Write, title: &str) -> std::io::Result<()> {
    writeln!(out, "\n{title}")
}

fn more(out: &mut dyn Write, total: usize, shown: usize) -> std::io::Result<()> {
    if total > shown {
        writeln!(
            out,
            "  ... and {} more (all in --format json and --html)",
            total - shown
        )?;
    }
    Ok(())
}

/// Counts as block characters, at most `width` wide (periods are summed into buckets).
fn sparkline(counts: &[usize], peak: usize, width: usize) -> String {
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let per = counts.len().div_ceil(width).max(1);
    let buckets: Vec<usize> = counts.chunks(per).map(|c| c.iter().sum()).collect();
    let peak = (peak * per).max(1);
    buckets
        .iter()
        .map(|&c| {
            if c == 0 {
                '·'
            } else {
                BARS[(1 + c * 7 / peak).min(8)]
            }
        })
        .collect()
}
