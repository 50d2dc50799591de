//! `vectorize`, `fit` and `transform`.

use std::path::PathBuf;

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::output::{
    Dtype, MatrixFormat, report_reading, summary, write_jsonl_rows, write_vectorized,
};
use super::{AnalysisArgs, InputArgs, VocabArgs, WeightArgs};
use parallax::corpus::Corpus;
use parallax::matrix::Value;
use parallax::model::{self, write_atomic};
use parallax::vectorize::{FittedVectorizer, Vectorizer};

/// `parallax vectorize`.
#[derive(Args, Debug)]
pub struct VectorizeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (created if missing).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Matrix file format.
    #[arg(long, value_enum, default_value = "mtx")]
    pub format: MatrixFormat,
    /// Value type of the matrix.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: Dtype,
    /// Also save the fitted model here.
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

/// `parallax fit`.
#[derive(Args, Debug)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to save the model (JSON); with --update, defaults to the updated model's path.
    #[arg(long, short, required_unless_present = "update")]
    pub model: Option<PathBuf>,
    /// Write partial statistics (a shard) for `parallax merge` instead of a model. Only the
    /// analysis flags apply here; vocabulary and weighting flags go to `merge`.
    #[arg(long, conflicts_with = "update")]
    pub shard: bool,
    /// Add the inputs' statistics to this model and refit it with its own settings (equal to
    /// refitting on all documents). Analysis, vocabulary and weighting flags are not allowed.
    #[arg(long, value_name = "MODEL")]
    pub update: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

/// `parallax transform`.
#[derive(Args, Debug)]
pub struct TransformArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The model saved by `fit`.
    #[arg(long, short)]
    pub model: PathBuf,
    /// Output directory (created if missing); with `--format jsonl` and no --out, rows go to stdout.
    #[arg(long, short, required_unless_present = "format")]
    pub out: Option<PathBuf>,
    /// Matrix file format.
    #[arg(long, value_enum, default_value = "mtx")]
    pub format: MatrixFormat,
    /// Value type of the matrix.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: Dtype,
}

pub fn vectorize(args: &VectorizeArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let settings = super::vectorizer(&args.analysis, &args.vocab, &args.weight)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    match args.dtype {
        Dtype::F32 => fit_write::<f32>(&settings, &corpus, args, quiet, started),
        Dtype::F64 => fit_write::<f64>(&settings, &corpus, args, quiet, started),
    }
}

fn fit_write<V: Value>(
    settings: &Vectorizer,
    corpus: &Corpus,
    args: &VectorizeArgs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let (model, matrix, report) = settings
        .fit_transform_report::<V>(&corpus.docs)
        .context("fitting")?;
    // The model first: if it cannot be saved, the output directory is left as it was.
    if let Some(path) = &args.model {
        model::save(&model, path)?;
    }
    write_vectorized(&args.out, args.format, &model, &corpus.docs, &matrix)?;
    if !quiet {
        summary(
            "vectorize",
            corpus,
            &report,
            model.n_terms(),
            matrix.nnz(),
            started,
        );
    }
    Ok(())
}

pub fn fit(args: &FitArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    if let Some(base) = &args.update {
        return update(args, base, quiet, started);
    }
    let out = args
        .model
        .as_ref()
        .expect("clap requires --model without --update");
    let settings = super::vectorizer(&args.analysis, &args.vocab, &args.weight)?;
    if args.shard && (args.vocab.is_set() || args.weight.is_set()) {
        bail!(
            "--shard writes statistics only: give vocabulary and weighting flags to `parallax merge`"
        );
    }
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    if args.shard {
        let stats = settings.statistics(&corpus.docs).context("counting")?;
        write_atomic(out, |w| {
            w.write_all(&model::shard_to_json(&settings.analysis, &stats))
        })?;
        if !quiet {
            eprintln!(
                "parallax fit --shard: {} documents, {} terms → {} ({:.2} s)",
                stats.n_docs,
                stats.terms.len(),
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let model = settings.fit(&corpus.docs).context("fitting")?;
    model::save(&model, out)?;
    if !quiet {
        eprintln!(
            "parallax fit: {} documents, {} terms → {} ({:.2} s)",
            corpus.docs.len(),
            model.n_terms(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `fit --update`: the model's statistics plus the inputs', refitted with the model's settings.
fn update(
    args: &FitArgs,
    base: &std::path::Path,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    if args.analysis.is_set() || args.vocab.is_set() || args.weight.is_set() {
        bail!(
            "--update refits with the model's own settings: remove the analysis, vocabulary and weighting flags"
        );
    }
    let old = model::load(base)?;
    let settings = Vectorizer::of(&old);
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let added = settings.statistics(&corpus.docs).context("counting")?;
    let merged = old.statistics().merge(&added);
    let model = settings.fit_statistics(merged).context("refitting")?;
    let out = args.model.as_deref().unwrap_or(base);
    model::save(&model, out)?;
    if !quiet {
        eprintln!(
            "parallax fit --update: +{} documents ({} in all), {} terms → {} ({:.2} s)",
            corpus.docs.len(),
            model.n_docs(),
            model.n_terms(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `parallax merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shards from `fit --shard` (or models); their analysis settings must be identical.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Where to save the merged model.
    #[arg(long, short)]
    pub model: PathBuf,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

pub fn merge(args: &MergeArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    if args.weight.compat.is_some() {
        bail!(
            "--compat sets the analysis too, which the shards already fixed: give --tf, --idf, --norm instead"
        );
    }
    let mut analysis = None;
    let mut merged = parallax::vectorize::Statistics::default();
    for path in &args.shards {
        let (a, stats) = model::load_statistics(path)?;
        match &analysis {
            None => analysis = Some((a, path)),
            Some((first, first_path)) if *first != a => bail!(
                "{}: its analysis settings differ from {}'s; shards must be fitted with the same analysis flags",
                path.display(),
                first_path.display()
            ),
            Some(_) => {}
        }
        merged = merged.merge(&stats);
    }
    let (analysis, _) = analysis.expect("clap requires at least one shard");
    let settings = Vectorizer {
        vocabulary: super::vocabulary_params(&args.vocab, &analysis)?,
        weighting: super::weighting(&args.weight),
        analysis,
    };
    let model = settings
        .fit_statistics(merged)
        .context("fitting the merged statistics")?;
    model::save(&model, &args.model)?;
    if !quiet {
        eprintln!(
            "parallax merge: {} shards, {} documents, {} terms → {} ({:.2} s)",
            args.shards.len(),
            model.n_docs(),
            model.n_terms(),
            args.model.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn transform(args: &TransformArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let model = model::load(&args.model)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    match args.dtype {
        Dtype::F32 => transform_write::<f32>(&model, &corpus, args, quiet, started),
        Dtype::F64 => transform_write::<f64>(&model, &corpus, args, quiet, started),
    }
}

fn transform_write<V: Value>(
    model: &FittedVectorizer,
    corpus: &Corpus,
    args: &TransformArgs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let (matrix, report) = model.transform_report::<V>(&corpus.docs);
    match &args.out {
        Some(dir) => write_vectorized(dir, args.format, model, &corpus.docs, &matrix)?,
        None if args.format == MatrixFormat::Jsonl => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_jsonl_rows(&mut out, model, &corpus.docs, &matrix)?;
            out.flush()?;
        }
        None => bail!("--out DIR is required unless --format jsonl writes rows to stdout"),
    }
    if !quiet {
        summary(
            "transform",
            corpus,
            &report,
            model.n_terms(),
            matrix.nnz(),
            started,
        );
    }
    Ok(())
}
