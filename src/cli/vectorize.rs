//! `vectorize`, `fit` and `transform`.

use std::path::{Path, PathBuf};

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;

use super::output::{Dtype, lock_output, report_read, stage_output, summary};
use super::{InputArgs, SpaceArgs, VocabArgs, WeightArgs};
use parallax::corpus::Document;
use parallax::io::atomic::{WriteLock, directory_of, same_directory, scratch_directory_for};
use parallax::io::model;
use parallax::io::rows::{
    MatrixFormat, OUTPUT_SET, write_jsonl_rows, write_jsonl_sparse_rows, write_vectorized,
    write_vocabulary,
};
use parallax::io::streamed::{StreamedColumns, StreamedOutput};
use parallax::matrix::{CsrMatrix, Value};
use parallax::vectorize::{
    CountReport, FittedVectorizer, MergedStatistics, StreamedVectorize, TransformOptions,
    Vectorizer,
};

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
    /// Read the input chunk by chunk, keeping each document's counts in a temporary file rather
    /// than in memory (memory bounded by the chunk and the vocabulary); automatic for inputs of
    /// 256 MiB or more.
    #[arg(long)]
    pub stream: bool,
    /// Also save the fitted model here.
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
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
    pub space: SpaceArgs,
}

/// `parallax transform`.
#[derive(Args, Debug)]
pub struct TransformArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The model saved by `fit`.
    #[arg(long, short)]
    pub model: PathBuf,
    /// Output directory (created if missing); with `--format jsonl` (or `jsonl-indices`) and no
    /// --out, rows go to stdout.
    #[arg(long, short, required_unless_present = "format")]
    pub out: Option<PathBuf>,
    /// Matrix file format.
    #[arg(long, value_enum, default_value = "mtx")]
    pub format: MatrixFormat,
    /// Value type of the matrix.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: Dtype,
}

/// Inputs at least this large are vectorized (and ranked by `keywords`) streamed, chunk by
/// chunk, instead of in memory, so memory stays bounded.
pub(super) const STREAM_FROM_BYTES: u64 = 256 << 20;

pub fn vectorize(args: &VectorizeArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let settings = args.space.vectorizer()?;
    // Both outputs are locked before any work, the model first (as `fit` does); the new set
    // is written beside --out and swapped in whole at the end. A model saved into --out
    // belongs to the set: written with it, swapped in with it.
    let in_set = args
        .model
        .as_deref()
        .is_some_and(|m| same_directory(directory_of(m), &args.out));
    let model_lock = match &args.model {
        Some(m) if !in_set => Some(lock_output(m, quiet)?),
        _ => None,
    };
    let staged = stage_output(&args.out, quiet)?;
    let model = match (&args.model, &model_lock) {
        (_, Some(lock)) => Some(ModelOut::Locked(lock)),
        (Some(m), None) => {
            let name = m.file_name().context("--model names no file")?;
            Some(ModelOut::InSet(staged.path().join(name)))
        }
        (None, _) => None,
    };
    let out = Outputs {
        dir: staged.path(),
        model,
    };
    // Streamed or not, the input is read once, so stdin works either way.
    if args.stream || args.input.size() >= STREAM_FROM_BYTES {
        match args.dtype {
            Dtype::F32 => vectorize_streamed::<f32>(&settings, args, &out, quiet, started)?,
            Dtype::F64 => vectorize_streamed::<f64>(&settings, args, &out, quiet, started)?,
        }
    } else {
        match args.dtype {
            Dtype::F32 => fit_write::<f32>(&settings, args, &out, quiet, started)?,
            Dtype::F64 => fit_write::<f64>(&settings, args, &out, quiet, started)?,
        }
    }
    staged.commit(OUTPUT_SET)?;
    Ok(())
}

/// Where a `vectorize` writes: the staging directory of --out, and --model.
struct Outputs<'a> {
    dir: &'a Path,
    model: Option<ModelOut<'a>>,
}

/// Where --model goes: its own locked path, or the new set when it is saved into --out.
enum ModelOut<'a> {
    Locked(&'a WriteLock),
    InSet(PathBuf),
}

impl ModelOut<'_> {
    fn write(
        &self,
        write: impl FnOnce(&mut parallax::io::direct::OutFile) -> std::io::Result<()>,
    ) -> parallax::Result<()> {
        match self {
            ModelOut::Locked(lock) => lock.write_file(write),
            ModelOut::InSet(path) => parallax::io::atomic::write_new(path, write),
        }
    }
}

/// Text per batch when vectorizing in memory: each batch is tokenized as soon as it is read
/// and its texts dropped, so the texts of the whole corpus are never held at once.
const BATCH_BYTES: usize = 8 << 20;

fn fit_write<V: Value>(
    settings: &Vectorizer,
    args: &VectorizeArgs,
    out: &Outputs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let trace = parallax::trace::Trace::start();
    let mut tokens = settings.tokenizer().context("fitting")?;
    let mut tokenized = Vec::new();
    let mut docs: Vec<Document> = Vec::new();
    let mut bytes = 0;
    let batch = BATCH_BYTES.min(args.input.chunk_mb.max(1) << 20);
    // Documents are tokenized by the reader, group by group as they are parsed.
    let tokenize = |docs: &[Document]| tokens.tokenize(docs);
    let read = args
        .input
        .read_prepared(batch, quiet, Some(&tokenize), &mut |chunk, groups| {
            bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
            tokenized.extend(groups);
            // Only what documents.tsv and row ids need is kept; the rest is freed in parallel.
            let kept: Vec<Document> = chunk
                .docs
                .into_par_iter()
                .with_min_len(256)
                .map(|doc| Document {
                    id: doc.id,
                    title: doc.title,
                    source: doc.source,
                    ..Default::default()
                })
                .collect();
            docs.extend(kept);
            Ok(())
        })?;
    report_read(&read, quiet);
    for group in tokenized {
        tokens.push(group);
    }
    trace.mark("read and tokenized");
    let (model, counts, mut report) = settings.fit_tokens(tokens).context("fitting")?;
    // The model first: if it cannot be saved, the output directory is left as it was.
    if let Some(path) = &out.model {
        path.write(|w| model::write_model(&model, w))?;
    }
    trace.mark("fitted");
    // Rows are weighed and written block by block, so the whole matrix is never held.
    let (nnz, empty_rows) = write_vectorized::<V>(out.dir, args.format, &model, &counts, &docs)?;
    report.empty_rows = empty_rows;
    trace.mark("written");
    if !quiet {
        summary("vectorize", bytes, &report, model.n_terms(), nnz, started);
    }
    // The process ends here: freeing millions of small allocations one by one would only
    // delay the exit, and the system reclaims the memory at once.
    std::mem::forget((model, counts, docs));
    Ok(())
}

/// Fits from the input's statistics, chunk by chunk, through sorted runs (set aside in a
/// temporary directory in `spill_dir` beyond a memory budget); returns them merged.
pub(super) fn fit_streamed(
    settings: &Vectorizer,
    input: &InputArgs,
    spill_dir: &Path,
    quiet: bool,
) -> Result<MergedStatistics> {
    let trace = parallax::trace::Trace::start();
    let mut runs = settings.runs(spill_dir)?;
    let report = input.read_chunked(quiet, &mut |mut chunk| {
        trace.mark("fit: chunk read");
        runs.add_releasing(&mut chunk.docs)?;
        trace.mark("fit: chunk counted");
        Ok(())
    })?;
    report_read(&report, quiet);
    let merged = runs.finish()?;
    trace.mark("fit: runs ready to merge");
    Ok(merged)
}

/// What takes each chunk's documents and rows.
type RowSink<'a, V> = dyn FnMut(&[Document], &CsrMatrix<V>) -> Result<()> + 'a;

/// Transforms the input chunk by chunk, each chunk's rows given to `rows`; returns the
/// counting report and text bytes.
fn transform_streamed<V: Value>(
    model: &FittedVectorizer,
    input: &InputArgs,
    rows: &mut RowSink<'_, V>,
    quiet: bool,
) -> Result<(CountReport, usize)> {
    let mut total = CountReport::default();
    let mut bytes = 0;
    let report = input.read_chunked(quiet, &mut |chunk| {
        bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
        let weighed = model.transform_with::<V>(&chunk.docs, &TransformOptions::default());
        rows(&chunk.docs, &weighed.matrix)?;
        total += &weighed.report;
        Ok(())
    })?;
    report_read(&report, quiet);
    Ok((total, bytes))
}

/// Vectorizes in one streamed read ([`StreamedVectorize`]): the text is read and analyzed
/// once, the counts spilled beside the output, and the rows weighed and written block by block,
/// formatted in parallel while the blocks before them are written.
fn vectorize_streamed<V: Value>(
    settings: &Vectorizer,
    args: &VectorizeArgs,
    out: &Outputs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let trace = parallax::trace::Trace::start();
    let dir = out.dir;
    let mut stream = StreamedVectorize::new(settings, dir)?;
    let mut bytes = 0;
    let read = args.input.read_chunked(quiet, &mut |chunk| {
        bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
        stream.add(chunk.docs)?;
        Ok(())
    })?;
    report_read(&read, quiet);
    trace.mark("read, counted and spilled");
    let mut merged = stream.merge()?;
    if let Some(path) = &out.model {
        path.write(|w| merged.write_model(w)).context("fitting")?;
    }
    // vocabulary.tsv is written as the columns are chosen, under a temporary name.
    let columns = StreamedColumns::choose(dir, args.format, merged).context("fitting")?;
    trace.mark("fitted");
    let n_columns = columns.n_columns();
    let (report, nnz) = columns.write::<V>()?;
    if !quiet {
        summary(
            "vectorize (streamed)",
            bytes,
            &report,
            n_columns,
            nnz,
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
    let settings = args.space.vectorizer()?;
    if args.shard && (args.space.vocab.is_set() || args.space.weight.is_set()) {
        bail!(
            "--shard writes statistics only: give vocabulary and weighting flags to `parallax merge`"
        );
    }
    let lock = lock_output(out, quiet)?;
    let mut merged = fit_streamed(&settings, &args.input, &scratch_directory_for(out), quiet)?;
    let n_docs = merged.n_docs();
    let trace = parallax::trace::Trace::start();
    if args.shard {
        let mut terms = 0;
        lock.write_file(|w| {
            terms = model::write_shard_merged(&settings.analysis, &mut merged, w)?;
            Ok(())
        })?;
        trace.mark("fit: shard merged and saved");
        if !quiet {
            eprintln!(
                "parallax fit --shard: {} documents, {} terms → {} ({:.2} s)",
                n_docs,
                terms,
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let mut columns = 0;
    lock.write_file(|w| {
        columns = model::write_model_merged(&settings, &mut merged, w)?;
        Ok(())
    })
    .context("fitting")?;
    trace.mark("fit: model merged and saved");
    if !quiet {
        eprintln!(
            "parallax fit: {} documents, {} terms → {} ({:.2} s)",
            n_docs,
            columns,
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
    if args.space.analysis.is_set() || args.space.vocab.is_set() || args.space.weight.is_set() {
        bail!(
            "--update refits with the model's own settings: remove the analysis, vocabulary and weighting flags"
        );
    }
    let out = args.model.as_deref().unwrap_or(base);
    // Locked before the old model is read: two updates of one model run one after the other.
    let lock = lock_output(out, quiet)?;
    let old = model::load(base)?;
    let settings = Vectorizer::of(&old);
    let added =
        fit_streamed(&settings, &args.input, &scratch_directory_for(out), quiet)?.collect()?;
    let added_docs = added.n_docs;
    let model = old
        .update_statistics(&added)
        .with_context(|| format!("updating {}", base.display()))?;
    lock.write_file(|w| model::write_model(&model, w))?;
    if !quiet {
        eprintln!(
            "parallax fit --update: +{} documents ({} in all), {} terms → {} ({:.2} s)",
            added_docs,
            model.n_docs(),
            model.n_terms(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    std::mem::forget((old, model));
    Ok(())
}

/// `parallax merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shards from `fit --shard` (or models); their analysis settings must be identical.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Where to save the merged model (or, with --shard, the summed shard).
    #[arg(long, short)]
    pub model: PathBuf,
    /// Write the summed statistics as one shard instead of a model, so shards can be summed in
    /// a tree (on a cluster) before the final merge. Vocabulary and weighting flags go to the
    /// final merge.
    #[arg(long)]
    pub shard: bool,
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
    let lock = lock_output(&args.model, quiet)?;
    let (analysis, merged) = model::sum_statistics(&args.shards)?;
    if args.shard {
        if args.vocab.is_set() || args.weight.is_set() {
            bail!(
                "merge --shard writes statistics only: give vocabulary and weighting flags to the final merge"
            );
        }
        lock.write_file(|w| model::write_shard(&analysis, &merged, w))?;
        if !quiet {
            eprintln!(
                "parallax merge --shard: {} shards, {} documents, {} terms → {} ({:.2} s)",
                args.shards.len(),
                merged.n_docs,
                merged.terms.len(),
                args.model.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let settings = Vectorizer {
        vocabulary: super::vocabulary_params(&args.vocab, &analysis)?,
        weighting: super::weighting(&args.weight),
        analysis,
    };
    let model = settings
        .fit_statistics(merged)
        .context("fitting the merged statistics")?;
    lock.write_file(|w| model::write_model(&model, w))?;
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
    match args.dtype {
        Dtype::F32 => transform_write::<f32>(&model, args, quiet, started),
        Dtype::F64 => transform_write::<f64>(&model, args, quiet, started),
    }
}

fn transform_write<V: Value>(
    model: &FittedVectorizer,
    args: &TransformArgs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    if args.out.is_none() && !args.format.is_jsonl() {
        bail!(
            "--out DIR is required unless --format jsonl (or jsonl-indices) writes rows to stdout"
        );
    }
    let staged = args
        .out
        .as_deref()
        .map(|dir| stage_output(dir, quiet))
        .transpose()?;
    let surfaces = model.surfaces();
    let (report, bytes, nnz) = match &staged {
        Some(staged) => {
            let mut out =
                StreamedOutput::<V>::create(staged.path(), args.format, model.n_terms(), None)?;
            let mut rows = |docs: &[Document], matrix: &CsrMatrix<V>| -> Result<()> {
                Ok(out.append(surfaces, docs, matrix)?)
            };
            let (report, bytes) = transform_streamed(model, &args.input, &mut rows, quiet)?;
            let (_, nnz) = out.totals();
            out.finish(|dir| write_vocabulary(dir, model))?;
            (report, bytes, nnz)
        }
        // JSONL rows on stdout.
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout());
            let mut nnz = 0;
            let mut rows = |docs: &[Document], matrix: &CsrMatrix<V>| -> Result<()> {
                match args.format {
                    MatrixFormat::JsonlIndices => write_jsonl_sparse_rows(&mut w, docs, matrix)?,
                    _ => write_jsonl_rows(&mut w, surfaces, docs, matrix)?,
                }
                nnz += matrix.nnz();
                Ok(())
            };
            let (report, bytes) = transform_streamed(model, &args.input, &mut rows, quiet)?;
            w.flush()?;
            (report, bytes, nnz)
        }
    };
    if let Some(staged) = staged {
        staged.commit(OUTPUT_SET)?;
    }
    if !quiet {
        summary("transform", bytes, &report, model.n_terms(), nnz, started);
    }
    Ok(())
}
