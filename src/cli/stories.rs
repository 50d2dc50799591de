//! `parallax stories`: group documents that report the same event, across sources.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::output::{Format, Printable, report_reading};
use super::similar::SpaceFlags;
use super::{InputArgs, SpaceArgs};
use parallax::corpus::Document;
use parallax::io::rows::tsv_field;
use parallax::similarity::{self, FindStories, StoryParams, StoryRecord};

/// `parallax stories`.
#[derive(Args, Debug)]
pub struct StoriesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Join two groups only while the average cosine of their cross pairs is at least T
    /// (besides being closer than their documents' usual neighbours; see docs/similarity.md).
    #[arg(long, value_name = "T", default_value_t = StoryParams::default().threshold)]
    pub threshold: f32,
    /// Never put documents more than D days apart in one story (undated documents are free);
    /// `none` for no window.
    #[arg(long, value_name = "D", default_value = "14", value_parser = parse_window)]
    pub window_days: Window,
    /// Nearest neighbours per document considered for joining.
    #[arg(short, default_value_t = StoryParams::default().k)]
    pub k: usize,
    /// Plain TF-IDF cosine of the text alone, instead of the story cosine (title beside the
    /// text, sublinear tf; see docs/similarity.md).
    #[arg(long)]
    pub plain: bool,
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
    pub space: SpaceArgs,
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

/// A story ready to print: its record (what the JSON holds) and its documents.
struct Shown<'a> {
    record: StoryRecord,
    docs: Vec<&'a Document>,
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
        space: &args.space,
        plain: args.plain,
    };
    let params = FindStories {
        space: flags.document_space()?,
        stories: StoryParams {
            threshold: args.threshold,
            k: args.k,
            window_days: args.window_days.0,
            ..Default::default()
        },
    };
    let found = similarity::find_stories(docs, &params).context("fitting")?;
    let shown: Vec<Shown> = found
        .records
        .into_iter()
        .zip(&found.stories)
        .map(|(record, s)| Shown {
            record,
            docs: s.docs.iter().map(|&i| &docs[i]).collect(),
        })
        .collect();

    let write = |w: &mut dyn Write| write_stories(w, args.format, &shown);
    match &args.out {
        Some(path) => parallax::io::atomic::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    if !quiet {
        let multi = shown.iter().filter(|s| s.docs.len() > 1).count();
        let across = shown.iter().filter(|s| s.record.sources.len() > 1).count();
        eprintln!(
            "parallax stories: {} documents → {} stories ({multi} with several documents, {across} across sources); {:.2} s",
            docs.len(),
            shown.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn write_stories(out: &mut dyn Write, format: Format, stories: &[Shown]) -> std::io::Result<()> {
    match format {
        Format::Json => {
            // One story a line; the fields are `StoryRecord`'s, as in `compare --format json`.
            out.write_all(b"{\"stories\": [")?;
            for (id, s) in stories.iter().enumerate() {
                let line = serde_json::to_string(&s.record).expect("a story serializes");
                write!(out, "{}\n  {line}", if id == 0 { "" } else { "," })?;
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
                        tsv_field(&s.record.label)
                    )?;
                }
            }
        }
        Format::Table => {
            let out = &mut Printable(&mut *out);
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
                let r = &s.record;
                let mut about = format!("{n} document{}", if n == 1 { "" } else { "s" });
                if !r.sources.is_empty() {
                    about += &format!(", {}", r.sources.join(" "));
                }
                if let (Some(a), Some(b)) = (&r.first_date, &r.last_date) {
                    about += &if a == b {
                        format!(", {a}")
                    } else {
                        format!(", {a} .. {b}")
                    };
                }
                writeln!(
                    out,
                    "story {id}: {}  ({about})",
                    if r.label.is_empty() {
                        "(no terms)"
                    } else {
                        &r.label
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
                for near in &r.near_duplicates {
                    let [a, b] = &near.docs;
                    writeln!(out, "  near-duplicates: {a} ≈ {b} ({:.3})", near.score)?;
                }
            }
        }
    }
    Ok(())
}
