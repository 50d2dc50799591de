//! `parallax compare`: the coverage report (stories × sources, aligned articles, keyness,
//! source similarity, coverage over time) as a terminal summary, JSON and an HTML page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::output::{Printable, printable, report_reading};
use super::similar::SpaceFlags;
use super::stories::Window;
use super::{InputArgs, SpaceArgs};
use parallax::compare::report::Timeline;
use parallax::compare::{self, CompareParams, Period, Report, ReportParams};
use parallax::keywords::GroupBy;
use parallax::keywords::keyness::{KeynessMeasure, KeynessParams};
use parallax::similarity::StoryParams;

/// `parallax compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Group documents by `source` or any metadata field.
    #[arg(long, value_name = "FIELD", default_value = "source")]
    pub by: String,
    /// Output format: a summary for people, or JSON holding the whole report.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CompareFormat,
    /// Write the summary or JSON to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page (inline CSS and SVG, works offline).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Plain TF-IDF cosine of the text alone for stories, instead of the story cosine (title
    /// beside the text, sublinear tf; see docs/similarity.md).
    #[arg(long)]
    pub plain: bool,
    /// Stories: join two groups only while the average cosine of their cross pairs is at least
    /// T (besides being closer than their documents' usual neighbours; see docs/similarity.md).
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Stories: never put documents more than D days apart in one story; `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = super::stories::parse_window)]
    pub window_days: Window,
    /// Stories: nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Keyness statistic of each source against the rest: g2, chi2, logodds, pmi, logratio.
    #[arg(long, default_value = "g2", value_parser = |s: &str| s.parse::<KeynessMeasure>())]
    pub measure: KeynessMeasure,
    /// Keyness: test only terms used at least N times in the whole corpus.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: u64,
    /// Keyness: keep only terms whose Benjamini–Hochberg adjusted p-value is at most Q.
    #[arg(long, value_name = "Q")]
    pub fdr: Option<f64>,
    /// Distinctive terms per source.
    #[arg(short = 'n', long = "top", value_name = "N", default_value_t = 15)]
    pub n: usize,
    /// Timeline period: day, week, month, or auto (days up to a 90-day span, weeks up to two
    /// years, months beyond).
    #[arg(long, value_enum, default_value = "auto")]
    pub period: PeriodArg,
    /// Sources drawn in full in the summary, the page's charts and matrices, and the dense
    /// centroid matrix of the JSON: the N largest; the others are grouped as "other".
    #[arg(long, value_name = "N", default_value_t = ReportParams::default().top_sources)]
    pub top_sources: usize,
    /// Stories shown side by side in the summary and the page: the N most sources carried.
    #[arg(long, value_name = "N", default_value_t = ReportParams::default().top_stories)]
    pub top_stories: usize,
    /// Indent the JSON for reading (it is compact by default).
    #[arg(long)]
    pub pretty: bool,
    /// Work in the space of a saved model (from `fit`).
    #[arg(long, short, value_name = "M.json")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// Output format of `compare`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareFormat {
    /// A readable summary.
    Table,
    /// The whole report as one JSON object.
    Json,
}

/// `--period`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodArg {
    /// Days for spans up to 90 days, weeks up to two years, months beyond.
    Auto,
    /// One bar per day.
    Day,
    /// One bar per week, Monday to Sunday.
    Week,
    /// One bar per calendar month.
    Month,
}

pub fn compare(args: &CompareArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be in (0, 1] (got {})", args.threshold);
    }
    if args.k == 0 || args.n == 0 || args.top_sources == 0 || args.top_stories == 0 {
        bail!("-k, -n, --top-sources and --top-stories must be at least 1");
    }
    super::keyness::check_fdr(args.fdr, args.measure)?;
    // Checked here too, for a message that names the flag.
    args.by
        .parse::<GroupBy>()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--by {}", args.by))?;
    let keyness = KeynessParams {
        measure: args.measure,
        min_count: args.min_count as f64,
        ..Default::default()
    };
    keyness.validate()?;
    let report_params = ReportParams {
        stories: StoryParams {
            threshold: args.threshold,
            k: args.k,
            window_days: args.window_days.0,
            ..Default::default()
        },
        keyness,
        fdr: args.fdr,
        top_terms: args.n,
        period: match args.period {
            PeriodArg::Auto => None,
            PeriodArg::Day => Some(Period::Day),
            PeriodArg::Week => Some(Period::Week),
            PeriodArg::Month => Some(Period::Month),
        },
        top_sources: args.top_sources,
        top_stories: args.top_stories,
        ..Default::default()
    };

    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        space: &args.space,
        plain: args.plain,
    };
    let params = CompareParams {
        space: flags.document_space()?,
        by: args.by.clone(),
        report: report_params,
    };
    let report =
        compare::compare(corpus.docs, &corpus.report.set_aside, &params).context("fitting")?;

    let trace = parallax::trace::Trace::start();
    // The page first, so that a closed stdout pipe does not cost it.
    if let Some(path) = &args.html {
        let page = compare::html::render(&report);
        parallax::io::atomic::write_atomic(path, |w| w.write_all(page.as_bytes()))?;
        trace.mark("compare: page written");
    }
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            CompareFormat::Json => {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
                match args.pretty {
                    true => serde_json::to_writer_pretty(&mut w, &report),
                    false => serde_json::to_writer(&mut w, &report),
                }
                .map_err(std::io::Error::other)?;
                w.write_all(b"\n")?;
                w.flush()
            }
            CompareFormat::Table => write_summary(&mut Printable(w), &report),
        }
    };
    match &args.out {
        Some(path) => parallax::io::atomic::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    trace.mark("compare: report written");
    if !quiet {
        eprintln!(
            "parallax compare: {} documents, {} {}s, {} stories ({} across sources); {:.2} s",
            report.documents,
            report.sources.len(),
            report.by,
            report.stories.len(),
            report.coverage.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Stories listed in the terminal summary (the JSON and the page have them all).
const SHOWN_STORIES: usize = 15;

/// The terminal summary: the shown sources and stories in full, the rest in a line each.
/// Every string from the data goes through [`printable`], so it cannot drive the terminal.
fn write_summary(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
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

/// At most `max` characters, with an ellipsis when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
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
