//! `vectorize`, `fit` and `transform`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::output::{Dtype, report_reading, summary, write_vectorized};
use super::{AnalysisArgs, InputArgs, VocabArgs, WeightArgs};
use parallax::corpus::Corpus;
use parallax::matrix::Value;
use parallax::model;
use parallax::vectorize::{FittedVectorizer, Vectorizer};

/// `parallax vectorize`.
#[derive(Args, Debug)]
pub struct VectorizeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (created if missing).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Value type of matrix.mtx.
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
    /// Where to save the model (JSON).
    #[arg(long, short)]
    pub model: PathBuf,
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
    /// Output directory (created if missing).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Value type of matrix.mtx.
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
    write_vectorized(&args.out, &model, &corpus.docs, &matrix)?;
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
    let settings = super::vectorizer(&args.analysis, &args.vocab, &args.weight)?;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let model = settings.fit(&corpus.docs).context("fitting")?;
    model::save(&model, &args.model)?;
    if !quiet {
        eprintln!(
            "parallax fit: {} documents, {} terms → {} ({:.2} s)",
            corpus.docs.len(),
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
    write_vectorized(&args.out, model, &corpus.docs, &matrix)?;
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
