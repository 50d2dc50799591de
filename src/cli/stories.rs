//! `parallax stories`: group documents that report the same event, across sources.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::output::{Format, report_reading, tsv_field};
use super::similar::SpaceFlags;
use super::{AnalysisArgs, InputArgs, VocabArgs, WeightArgs};
use parallax::corpus::Document;
use parallax::similarity::{self, Measure, Story, StoryParams};

/// `parallax stories`.
#[derive(Args, Debug)]
pub struct StoriesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Join two groups while the average cosine of their cross pairs is at least T.
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Never put documents more than D days apart in one story (undated documents are free);
    /// `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = parse_window)]
    pub window_days: Window,
    /// Nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the stories to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Work in the space of a saved model (from `fit`).
    #[arg(long, short, value_name = "M.json")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

/// `--window-days`: a number of days, or no window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window(pub Option<u32>);

pub(super) fn parse_window(s: &str) -> Result<Window, String> {
    match s {
        "none" | "off" => Ok(Window(None)),
        _ => s
            .parse()
            .map(|d| Window(Some(d)))
            .map_err(|_| format!("`{s}` is not a number of days or `none`")),
    }
}

/// A story ready to print.
struct Shown<'a> {
    label: String,
    docs: Vec<&'a Document>,
    sources: Vec<&'a str>,
    dates: Option<(&'a str, &'a str)>,
    near: Vec<(&'a str, &'a str, f32)>,
}

pub fn stories(args: &StoriesArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be in (0, 1] (got {})", args.threshold);
    }
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let docs = &corpus.docs;
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        analysis: &args.analysis,
        vocab: &args.vocab,
        weight: &args.weight,
    };
    let space = flags.build(Measure::Cosine, docs, None)?;
    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.date.as_deref().and_then(similarity::day_number))
        .collect();
    let params = StoryParams {
        threshold: args.threshold,
        k: args.k,
        window_days: args.window_days.0,
        ..Default::default()
    };
    let stories = similarity::stories(&space.queries, Some(&days), &params)?;
    let shown: Vec<Shown> = stories
        .iter()
        .map(|s| show(s, docs, &space.model))
        .collect();

    let write = |w: &mut dyn Write| write_stories(w, args.format, &shown);
    match &args.out {
        Some(path) => parallax::model::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    if !quiet {
        let multi = shown.iter().filter(|s| s.docs.len() > 1).count();
        let across = shown.iter().filter(|s| s.sources.len() > 1).count();
        eprintln!(
            "parallax stories: {} documents → {} stories ({multi} with several documents, {across} across sources); {:.2} s",
            docs.len(),
            shown.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn show<'a>(
    s: &Story,
    docs: &'a [Document],
    model: &parallax::vectorize::FittedVectorizer,
) -> Shown<'a> {
    let members: Vec<&Document> = s.docs.iter().map(|&i| &docs[i]).collect();
    let mut sources: Vec<&str> = members.iter().filter_map(|d| d.source.as_deref()).collect();
    sources.sort_unstable();
    sources.dedup();
    let day = |d: &&'a Document| {
        d.date
            .as_deref()
            .filter(|x| similarity::day_number(x).is_some())
            .map(|x| &x[..10])
    };
    let first = members.iter().filter_map(day).min();
    let last = members.iter().filter_map(day).max();
    Shown {
        label: s
            .terms
            .iter()
            .map(|&c| model.surface(c as usize))
            .collect::<Vec<_>>()
            .join(", "),
        docs: members,
        sources,
        dates: first.zip(last),
        near: s
            .near_duplicates
            .iter()
            .map(|&(a, b, score)| (&docs[a].id[..], &docs[b].id[..], score))
            .collect(),
    }
}

fn write_stories(out: &mut dyn Write, format: Format, stories: &[Shown]) -> std::io::Result<()> {
    let json = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let list =
        |items: &mut dyn Iterator<Item = &str>| items.map(json).collect::<Vec<_>>().join(", ");
    let score = |x: f32| ryu::Buffer::new().format(x).to_string();
    match format {
        Format::Json => {
            out.write_all(b"{\"stories\": [")?;
            for (id, s) in stories.iter().enumerate() {
                let dates = match s.dates {
                    Some((a, b)) => (json(a), json(b)),
                    None => ("null".into(), "null".into()),
                };
                let near: Vec<String> = s
                    .near
                    .iter()
                    .map(|(a, b, x)| {
                        format!(
                            "{{\"docs\": [{}, {}], \"score\": {}}}",
                            json(a),
                            json(b),
                            score(*x)
                        )
                    })
                    .collect();
                write!(
                    out,
                    "{}\n  {{\"id\": {id}, \"label\": {}, \"docs\": [{}], \"sources\": [{}], \"first_date\": {}, \
                     \"last_date\": {}, \"near_duplicates\": [{}]}}",
                    if id == 0 { "" } else { "," },
                    json(&s.label),
                    list(&mut s.docs.iter().map(|d| &d.id[..])),
                    list(&mut s.sources.iter().copied()),
                    dates.0,
                    dates.1,
                    near.join(", ")
                )?;
            }
            out.write_all(if stories.is_empty() {
                b"]}\n"
            } else {
                b"\n]}\n"
            })?;
        }
        Format::Tsv => {
            writeln!(out, "story\tid\tsource\tdate\tlabel")?;
            for (id, s) in stories.iter().enumerate() {
                for d in &s.docs {
                    writeln!(
                        out,
                        "{id}\t{}\t{}\t{}\t{}",
                        tsv_field(&d.id),
                        tsv_field(d.source.as_deref().unwrap_or("")),
                        tsv_field(d.date.as_deref().unwrap_or("")),
                        tsv_field(&s.label)
                    )?;
                }
            }
        }
        Format::Table => {
            let width = |f: &dyn Fn(&Document) -> usize| {
                stories
                    .iter()
                    .flat_map(|s| s.docs.iter())
                    .map(|d| f(d))
                    .max()
                    .unwrap_or(0)
            };
            let id_w = width(&|d| d.id.chars().count());
            let src_w = width(&|d| d.source.as_deref().map_or(0, |s| s.chars().count()));
            for (id, s) in stories.iter().enumerate() {
                if id > 0 {
                    writeln!(out)?;
                }
                let n = s.docs.len();
                let mut about = format!("{n} document{}", if n == 1 { "" } else { "s" });
                if !s.sources.is_empty() {
                    about += &format!(", {}", s.sources.join(" "));
                }
                if let Some((a, b)) = s.dates {
                    about += &if a == b {
                        format!(", {a}")
                    } else {
                        format!(", {a} .. {b}")
                    };
                }
                writeln!(
                    out,
                    "story {id}: {}  ({about})",
                    if s.label.is_empty() {
                        "(no terms)"
                    } else {
                        &s.label
                    }
                )?;
                for d in &s.docs {
                    let line = format!(
                        "  {:<id_w$}  {:<src_w$}  {:<10}  {}",
                        d.id,
                        d.source.as_deref().unwrap_or(""),
                        d.date.as_deref().map_or("", |x| &x[..x.len().min(10)]),
                        d.title.as_deref().unwrap_or("")
                    );
                    writeln!(out, "{}", line.trim_end())?;
                }
                for (a, b, x) in &s.near {
                    writeln!(out, "  near-duplicates: {a} ≈ {b} ({x:.3})")?;
                }
            }
        }
    }
    Ok(())
}
