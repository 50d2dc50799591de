//! `parallax compare`: the coverage report (stories × sources, aligned articles, keyness,
//! source similarity, coverage over time) as a terminal summary, JSON and an HTML page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::output::report_reading;
use super::similar::SpaceFlags;
use super::stories::Window;
use super::{InputArgs, SpaceArgs};
use parallax::compare::{self, CompareParams, Inputs, Period, Report};
use parallax::keywords::GroupBy;
use parallax::keywords::keyness::{KeynessParams, Measure};
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
    /// Stories: join two groups while the average cosine of their cross pairs is at least T.
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Stories: never put documents more than D days apart in one story; `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = super::stories::parse_window)]
    pub window_days: Window,
    /// Stories: nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Keyness statistic of each source against the rest: g2, chi2, logodds, pmi, logratio.
    #[arg(long, default_value = "g2", value_parser = |s: &str| s.parse::<Measure>())]
    pub measure: Measure,
    /// Keyness: test only terms used at least N times in the whole corpus.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: u64,
    /// Keyness: keep only terms whose Benjamini–Hochberg adjusted p-value is at most Q.
    #[arg(long, value_name = "Q")]
    pub fdr: Option<f64>,
    /// Distinctive terms per source.
    #[arg(short = 'n', long = "top", value_name = "N", default_value_t = 15)]
    pub n: usize,
    /// Timeline period: day, week, or auto (days up to a 90-day span, else weeks).
    #[arg(long, value_enum, default_value = "auto")]
    pub period: PeriodArg,
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
    /// Days for spans up to 90 days, else weeks.
    Auto,
    /// One bar per day.
    Day,
    /// One bar per week, Monday to Sunday.
    Week,
}

pub fn compare(args: &CompareArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be in (0, 1] (got {})", args.threshold);
    }
    if args.k == 0 || args.n == 0 {
        bail!("-k and -n must be at least 1");
    }
    super::keyness::check_fdr(args.fdr, args.measure)?;
    let by: GroupBy = args
        .by
        .parse()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--by {}", args.by))?;
    let keyness = KeynessParams {
        measure: args.measure,
        min_count: args.min_count as f64,
        ..Default::default()
    };
    keyness.validate()?;
    let params = CompareParams {
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
        },
        ..Default::default()
    };

    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let docs = &corpus.docs;
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        space: &args.space,
    };
    let (model, weighted, counts) = match &args.model {
        Some(path) => {
            let model = flags.saved_model(path)?;
            let (weighted, counts) = model.transform_counts::<f32>(docs);
            (model, weighted, counts)
        }
        None => args
            .space
            .vectorizer()?
            .fit_transform_counts::<f32>(docs)
            .context("fitting")?,
    };
    let groups: Vec<Option<String>> = docs
        .iter()
        .map(|d| by.key(d).map(|k| k.into_owned()))
        .collect();
    let report = compare::compare(
        &Inputs {
            docs,
            by: &args.by,
            groups: &groups,
            model: &model,
            weighted: &weighted,
            counts: &counts,
        },
        &params,
    )?;

    // The page first, so that a closed stdout pipe does not cost it.
    if let Some(path) = &args.html {
        let page = compare::html::render(&report);
        parallax::model::write_atomic(path, |w| w.write_all(page.as_bytes()))?;
    }
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            CompareFormat::Json => {
                let text = serde_json::to_string_pretty(&report).expect("the report serializes");
                w.write_all(text.as_bytes())?;
                w.write_all(b"\n")
            }
            CompareFormat::Table => write_summary(w, &report),
        }
    };
    match &args.out {
        Some(path) => parallax::model::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    if !quiet {
        eprintln!(
            "parallax compare: {} documents, {} {}s, {} stories ({} across sources); {:.2} s",
            report.documents,
            report.sources.len(),
            report.by,
            report.stories.len(),
            report.coverage.rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Rows of the coverage and story sections shown in the terminal (the JSON has them all).
const SHOWN_STORIES: usize = 15;

/// The terminal summary.
fn write_summary(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let names: Vec<&str> = r.sources.iter().map(|s| s.name.as_str()).collect();
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    writeln!(
        out,
        "{} documents, {} {}s, {} stories; {} carried by two or more {}s",
        r.documents,
        r.sources.len(),
        r.by,
        r.stories.len(),
        r.coverage.rows.len(),
        r.by
    )?;

    heading(out, &format!("{}s", capitalized(&r.by)))?;
    for s in &r.sources {
        writeln!(
            out,
            "  {:<name_w$}  {:>5} documents  {:>4} stories: {} shared, {} skipped, {} only here",
            s.name, s.documents, s.stories, s.shared_stories, s.skipped, s.exclusive
        )?;
    }

    if !r.coverage.rows.is_empty() {
        heading(
            out,
            "Coverage: stories carried by two or more sources (documents per source)",
        )?;
        let short: Vec<String> = names.iter().map(|n| cut(n, 10)).collect();
        let col_w = short
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(1)
            .max(3);
        write!(out, "  {:<44}", "story")?;
        for n in &short {
            write!(out, "  {n:>col_w$}")?;
        }
        writeln!(out)?;
        for row in r.coverage.rows.iter().take(SHOWN_STORIES) {
            write!(
                out,
                "  {:<44}",
                cut(&format!("{:>3} {}", row.story, row.label), 44)
            )?;
            for &d in &row.documents {
                let cell = if d == 0 {
                    "·".to_string()
                } else {
                    d.to_string()
                };
                write!(out, "  {cell:>col_w$}")?;
            }
            writeln!(out)?;
        }
        more(out, r.coverage.rows.len(), SHOWN_STORIES)?;
    }

    if r.sources.len() >= 2 {
        heading(
            out,
            "Source similarity: mean cosine on shared stories (upper right), centroid cosine (lower left)",
        )?;
        write!(out, "  {:<name_w$}", "")?;
        for n in &names {
            write!(out, "  {:>10}", cut(n, 10))?;
        }
        writeln!(out)?;
        let sim = &r.similarity;
        for i in 0..names.len() {
            write!(out, "  {:<name_w$}", names[i])?;
            for j in 0..names.len() {
                let cell = match i.cmp(&j) {
                    std::cmp::Ordering::Equal => "—".to_string(),
                    std::cmp::Ordering::Less => {
                        sim.story_mean[i][j].map_or("·".to_string(), |x| format!("{x:.3}"))
                    }
                    std::cmp::Ordering::Greater => format!("{:.3}", sim.centroid[i][j]),
                };
                write!(out, "  {cell:>10}")?;
            }
            writeln!(out)?;
        }
    }

    if !r.keyness.is_empty() {
        let measure = r.keyness[0].measure;
        heading(
            out,
            &format!(
                "Distinctive terms of each {} against the rest ({measure}; log ratio)",
                r.by
            ),
        )?;
        for k in &r.keyness {
            let terms: Vec<String> = k
                .terms
                .iter()
                .take(10)
                .map(|t| format!("{} ({:+.1})", t.surface, t.log_ratio))
                .collect();
            let terms = if terms.is_empty() {
                "(none)".to_string()
            } else {
                terms.join(", ")
            };
            writeln!(out, "  {:<name_w$}  {terms}", k.source)?;
        }
    }
    if !r.shared_terms.is_empty() {
        heading(out, &format!("Terms every {} uses", r.by))?;
        let terms: Vec<&str> = r.shared_terms.iter().map(|t| t.surface.as_str()).collect();
        writeln!(out, "  {}", terms.join(", "))?;
    }

    if !r.aligned.is_empty() {
        heading(
            out,
            "Stories side by side (distinctive terms of each source's version)",
        )?;
        for (k, story) in r.aligned.iter().take(SHOWN_STORIES).enumerate() {
            if k > 0 {
                writeln!(out)?;
            }
            writeln!(out, "  story {}: {}", story.story, story.label)?;
            for terms in &story.distinctive {
                let ids: Vec<&str> = story
                    .articles
                    .iter()
                    .filter(|a| a.source == terms.source)
                    .map(|a| a.id.as_str())
                    .collect();
                let words: Vec<&str> = terms.terms.iter().map(|t| t.surface.as_str()).collect();
                writeln!(
                    out,
                    "    {:<name_w$}  {}: {}",
                    terms.source,
                    ids.join(" "),
                    if words.is_empty() {
                        "(none)".to_string()
                    } else {
                        words.join(", ")
                    }
                )?;
            }
            let pairs: Vec<String> = story
                .source_pairs
                .iter()
                .map(|p| format!("{} ~ {} {:.2}", p.a, p.b, p.mean))
                .collect();
            writeln!(out, "    similarity: {}", pairs.join("; "))?;
            for note in &story.notes {
                writeln!(out, "    note: {note}")?;
            }
        }
        more(out, r.aligned.len(), SHOWN_STORIES)?;
    }

    if let Some(t) = &r.timeline {
        heading(
            out,
            &format!(
                "Coverage over time: documents per {} ({} .. {})",
                t.period,
                t.periods[0],
                t.periods[t.periods.len() - 1]
            ),
        )?;
        let peak = t.counts.iter().flatten().copied().max().unwrap_or(0).max(1);
        for (name, counts) in names.iter().zip(&t.counts) {
            let total: usize = counts.iter().sum();
            writeln!(
                out,
                "  {:<name_w$}  {}  {total}",
                name,
                sparkline(counts, peak, 60)
            )?;
        }
    }

    if !r.notes.is_empty() {
        heading(out, "Notes")?;
        for note in &r.notes {
            writeln!(out, "  - {note}")?;
        }
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

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
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
