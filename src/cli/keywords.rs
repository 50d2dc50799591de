//! `parallax keywords` and `eval keywords`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::output::report_reading;
use super::{InputArgs, SpaceArgs};
use parallax::io::model;
use parallax::io::tables::{self, Format, KeywordsWriter};
use parallax::keywords::eval as kw_eval;
use parallax::keywords::{self, KeywordExtractor, KeywordParams, Per, RankKeywords};
use parallax::similarity::SpaceModel;

/// `parallax keywords`.
#[derive(Args, Debug)]
pub struct KeywordsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Keywords per document or group.
    #[arg(short = 'n', long = "top", value_name = "N", default_value_t = 10)]
    pub n: usize,
    /// What to rank: `doc` (each document), `corpus` (all together), or groups: `source`,
    /// `story` (the `story` field, else `event`), any metadata field, `date:month`, `date:week`.
    #[arg(long, value_name = "WHAT", default_value = "doc")]
    pub per: String,
    /// Keyphrases compete with single terms: runs of up to --max-words terms bounded by stop
    /// words and punctuation. The default; the flag is kept for older scripts.
    #[arg(long, conflicts_with = "words")]
    pub phrases: bool,
    /// Single terms only (keyphrases only fill the list of a document with fewer terms than -n).
    #[arg(long)]
    pub words: bool,
    /// Read the input chunk by chunk (`--chunk-mb`) and write each document's keywords as soon
    /// as its chunk is ranked: memory stays bounded by the chunk and the vocabulary. Automatic
    /// from 256 MiB of input with `--per doc`; without `--model`, idf is fitted in a first pass.
    #[arg(long)]
    pub stream: bool,
    /// Longest keyphrase, in words.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_words: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Take analysis, weighting and idf from this saved model instead of fitting the input.
    #[arg(long, value_name = "M.json")]
    pub model: Option<PathBuf>,
    /// Strength of the first-position boost (0 turns it off).
    #[arg(long, value_name = "P", help_heading = "Scoring")]
    pub position: Option<f64>,
    /// Power of the idf in the score (1 = plain TF-IDF; default 0.5 for documents, 1 for groups).
    #[arg(long, value_name = "A", help_heading = "Scoring")]
    pub idf_power: Option<f64>,
    /// Exponent of the word-length factor: words shorter than 8 characters weigh less (0 turns
    /// it off).
    #[arg(long, value_name = "B", help_heading = "Scoring")]
    pub word_length: Option<f64>,
    /// Extra weight of a candidate that occurs in the title (0 turns it off).
    #[arg(long, value_name = "T", help_heading = "Scoring")]
    pub title_weight: Option<f64>,
    /// Keep candidates that only occur inside a better-ranked phrase, and terms that occur
    /// mostly inside one phrase.
    #[arg(long, help_heading = "Scoring")]
    pub keep_redundant: bool,
    #[command(flatten)]
    pub space: SpaceArgs,
}

pub fn keywords(args: &KeywordsArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    let mut params = KeywordParams {
        n: args.n,
        phrases: !args.words,
        max_words: args.max_words,
        redundancy: !args.keep_redundant,
        ..KeywordParams::default()
    };
    if let Some(p) = args.position {
        params.position = p;
    }
    if let Some(t) = args.title_weight {
        params.title = t;
    }
    if let Some(b) = args.word_length {
        params.word_length = b;
    }
    if let Some(a) = args.idf_power {
        params.idf_power = a;
        params.group_idf_power = a;
    }
    params.validate()?;
    let per_doc = args.per == "doc";
    let stream =
        args.stream || (per_doc && args.input.size() >= super::vectorize::STREAM_FROM_BYTES);
    if stream && !per_doc {
        bail!("--stream ranks documents (--per doc); groups need the whole input in memory");
    }
    if stream && args.model.is_none() && args.input.has_stdin() && args.stream {
        bail!(
            "--stream without --model reads the input twice (fit, then rank), which stdin cannot be; give a file or a --model"
        );
    }
    let fitted = match &args.model {
        Some(path) => {
            let space = &args.space;
            let given = [
                space.analysis.given(),
                space.vocab.given(),
                space.weight.given(),
            ]
            .concat();
            if !given.is_empty() {
                bail!(
                    "{} cannot be combined with --model: the model's analysis, vocabulary and weighting apply",
                    given.join(", ")
                );
            }
            Some(model::load(path)?)
        }
        None => None,
    };
    let settings = match &fitted {
        Some(_) => None,
        None => Some(args.space.vectorizer()?),
    };
    let trace = |what: &str| {
        if std::env::var_os("PARALLAX_TRACE").is_some() {
            eprintln!("keywords: {what}: {:?}", started.elapsed())
        }
    };
    if stream && (fitted.is_some() || !args.input.has_stdin()) {
        return keywords_streamed(args, fitted, settings, params, quiet, out, started);
    }
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    trace("read");
    let docs = &corpus.docs;
    let per = Per::from_spec(&args.per, docs)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--per {}", args.per))?;
    let fitting = fitted.is_none();
    let task = RankKeywords {
        model: match (fitted, settings) {
            (Some(m), _) => SpaceModel::Fitted(m),
            (None, Some(s)) => SpaceModel::Fit(s),
            (None, None) => unreachable!("either a model or settings"),
        },
        per: per.clone(),
        params,
    };
    let ranked = keywords::keywords(docs, &task).map_err(|e| match e {
        parallax::Error::Param { name: "per", .. } => {
            anyhow::anyhow!("--per {}: no document has this field", args.per)
        }
        e if fitting => anyhow::Error::new(e).context("fitting idf on the input"),
        e => e.into(),
    })?;
    if ranked.left_out > 0 {
        if let Per::Group(by) = &per {
            eprintln!(
                "parallax keywords: {} document(s) without `{by}` are left out",
                ranked.left_out
            );
        }
    }
    let results = ranked.rankings;
    let label = if matches!(per, Per::Document) {
        "doc"
    } else {
        "group"
    };
    trace("ranked");
    let mut table = KeywordsWriter::begin(out, args.format, label)?;
    table.write(out, &results)?;
    table.finish(out)?;
    if !quiet {
        eprintln!(
            "parallax keywords: {} documents, {} {}; {:.2} s",
            docs.len(),
            results.len(),
            if matches!(per, Per::Document) {
                "rankings"
            } else {
                "groups"
            },
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `--per doc` in two streamed passes (one with `--model`): idf from the input's statistics,
/// then each chunk analyzed, ranked and written before the next is read. The output is the same
/// bytes as in memory.
fn keywords_streamed(
    args: &KeywordsArgs,
    fitted: Option<parallax::vectorize::FittedVectorizer>,
    settings: Option<parallax::vectorize::Vectorizer>,
    params: KeywordParams,
    quiet: bool,
    out: &mut dyn Write,
    started: std::time::Instant,
) -> Result<()> {
    let model = match (fitted, settings) {
        (Some(m), _) => m,
        (None, Some(s)) => {
            let merged =
                super::vectorize::fit_streamed(&s, &args.input, &std::env::temp_dir(), true)?;
            let stats = merged.collect()?;
            s.fit_statistics(stats)
                .context("fitting idf on the input")?
        }
        (None, None) => unreachable!("either a model or settings"),
    };
    let extractor = KeywordExtractor::new(&model, params)?;
    let mut table = KeywordsWriter::begin(out, args.format, "doc")?;
    let report = args.input.read_chunked(quiet, &mut |chunk| {
        Ok(table.write(out, &extractor.rankings(&chunk.docs))?)
    })?;
    let written = table.finish(out)?;
    super::output::report_read(&report, quiet);
    if !quiet {
        eprintln!(
            "parallax keywords: {written} documents, {written} rankings (streamed); {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `eval keywords`: P/R/F1@k of predicted keyphrases against gold keys.
#[derive(clap::Args, Debug)]
pub struct EvalKeywordsArgs {
    /// Gold keys: a directory of `<doc-id>.key` files, one phrase a line.
    #[arg(long, value_name = "KEYS_DIR")]
    pub gold: PathBuf,
    /// Predictions: JSON `{"doc-id": ["phrase", ...]}` (or objects with a `phrase` field, as
    /// `keywords --per doc --format json` writes), best first.
    #[arg(long, value_name = "PRED.json")]
    pub pred: PathBuf,
    /// Cutoffs, comma-separated.
    #[arg(
        short = 'k',
        value_name = "K,...",
        value_delimiter = ',',
        default_value = "5,10"
    )]
    pub k: Vec<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Scores predictions against gold keys and prints a table: P, R and F1 at each cutoff
/// (percent, averaged per document; every gold key counts, absent or not).
pub fn eval_keywords(args: &EvalKeywordsArgs, out: &mut dyn Write) -> Result<()> {
    if args.k.is_empty() || args.k.contains(&0) {
        bail!("-k: cutoffs must be positive whole numbers");
    }
    let dir = &args.gold;
    let gold = kw_eval::read_gold(dir).map_err(|e| match e {
        parallax::Error::Io { path, error } if path == *dir => {
            anyhow::Error::new(error).context(format!("--gold {}", dir.display()))
        }
        e => e.into(),
    })?;
    if gold.is_empty() {
        bail!("--gold {}: no .key files", dir.display());
    }
    let predictions = kw_eval::read_predictions(&args.pred).map_err(|e| {
        let e = match e {
            parallax::Error::Io { error, .. } => anyhow::Error::new(error),
            e => e.into(),
        };
        e.context(format!("--pred {}", args.pred.display()))
    })?;
    let report = kw_eval::evaluate(&gold, &predictions, &args.k);
    Ok(tables::write_keyword_scores(out, args.format, &report)?)
}
