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

impl KeywordsArgs {
    /// The scoring settings: the library's defaults with the flags given laid over them.
    fn params(&self) -> Result<KeywordParams> {
        let defaults = KeywordParams::default();
        let params = KeywordParams {
            n: self.n,
            phrases: !self.words,
            max_words: self.max_words,
            redundancy: !self.keep_redundant,
            position: self.position.unwrap_or(defaults.position),
            title: self.title_weight.unwrap_or(defaults.title),
            word_length: self.word_length.unwrap_or(defaults.word_length),
            idf_power: self.idf_power.unwrap_or(defaults.idf_power),
            group_idf_power: self.idf_power.unwrap_or(defaults.group_idf_power),
            ..defaults
        };
        params.validate()?;
        Ok(params)
    }

    /// The saved model (no analysis, vocabulary or weighting flag may change it), or the
    /// settings to fit idf on the input.
    fn space_model(&self) -> Result<SpaceModel> {
        let Some(path) = &self.model else {
            return Ok(SpaceModel::Fit(self.space.vectorizer()?));
        };
        let space = &self.space;
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
        Ok(SpaceModel::Fitted(model::load(path)?))
    }
}

pub fn keywords(args: &KeywordsArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    let params = args.params()?;
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
    let model = args.space_model()?;
    let fitting = matches!(model, SpaceModel::Fit(_));
    // An automatic stream from stdin without a model is read in memory (one read).
    if stream && (!fitting || !args.input.has_stdin()) {
        return keywords_streamed(args, model, params, quiet, out, started);
    }
    let trace = parallax::trace::Trace::start();
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    trace.mark("keywords: read");
    let docs = &corpus.docs;
    let per = Per::from_spec(&args.per, docs)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--per {}", args.per))?;
    let task = RankKeywords {
        model,
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
    if let (true, Per::Group(by)) = (ranked.left_out > 0, &per) {
        let n = ranked.left_out;
        eprintln!("parallax keywords: {n} document(s) without `{by}` are left out");
    }
    trace.mark("keywords: ranked");
    let results = ranked.rankings;
    let (label, what) = match per {
        Per::Document => ("doc", "rankings"),
        _ => ("group", "groups"),
    };
    let mut table = KeywordsWriter::begin(out, args.format, label)?;
    table.write(out, &results)?;
    table.finish(out)?;
    if !quiet {
        eprintln!(
            "parallax keywords: {} documents, {} {what}; {:.2} s",
            docs.len(),
            results.len(),
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
    model: SpaceModel,
    params: KeywordParams,
    quiet: bool,
    out: &mut dyn Write,
    started: std::time::Instant,
) -> Result<()> {
    let model = match model {
        SpaceModel::Fitted(m) => m,
        SpaceModel::Fit(s) => {
            let merged =
                super::vectorize::fit_streamed(&s, &args.input, &std::env::temp_dir(), true)?;
            let stats = merged.collect()?;
            s.fit_statistics(stats)
                .context("fitting idf on the input")?
        }
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

/// Scores predictions against gold keys and prints P, R and F1 at each cutoff (percent,
/// averaged per document; every gold key counts, absent or not) as `--format` asks.
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
