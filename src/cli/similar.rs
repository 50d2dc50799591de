//! `parallax similar`: the k nearest documents of every document, or of every document against a
//! reference set; optionally the dense score matrix of a small corpus.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::output::report_reading;
use super::{InputArgs, SpaceArgs, WeightArgs};
use parallax::corpus::{Corpus, Document};
use parallax::io::model;
use parallax::io::tables::{self, Format};
use parallax::similarity::{
    self, DocumentSpace, Layout, MAX_DENSE, Measure, SimilarParams, SpaceModel,
};
use parallax::vectorize::FittedVectorizer;

/// `parallax similar`.
#[derive(Args, Debug)]
pub struct SimilarArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Neighbours per document.
    #[arg(short, default_value_t = 10)]
    pub k: usize,
    /// Keep only neighbours scoring at least this.
    #[arg(long, default_value_t = 0.0, value_name = "T")]
    pub threshold: f32,
    /// Compare every input document against these reference documents instead of each other.
    #[arg(long, num_args = 1.., value_name = "INPUT")]
    pub against: Vec<PathBuf>,
    /// Only neighbours from another source (documents without a source count as other sources).
    #[arg(long)]
    pub across_sources: bool,
    /// Only neighbours dated at most D days before or after the document (documents without a
    /// date are not restricted, as in `stories`).
    #[arg(long, value_name = "D")]
    pub window_days: Option<u32>,
    /// Similarity measure.
    #[arg(long, value_enum, default_value = "cosine")]
    pub measure: MeasureArg,
    /// Plain TF-IDF cosine of the text alone, instead of the story cosine (title beside the
    /// text, sublinear tf; see docs/similarity.md).
    #[arg(long)]
    pub plain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the neighbours to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write every pair's score as a dense matrix (.csv or .npy; rows and columns in input
    /// order; at most 20,000 documents a side). Ignores -k, --threshold and --across-sources.
    #[arg(long, value_name = "FILE")]
    pub matrix: Option<PathBuf>,
    /// Work in the space of a saved model (from `fit`): its analysis, vocabulary and idf.
    /// --tf, --idf and --norm still apply on top of it.
    #[arg(long, short, value_name = "M.json")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// `--measure` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeasureArg {
    /// Cosine on the chosen weighting (TF-IDF by default).
    Cosine,
    /// Jaccard index of the term sets.
    Jaccard,
    /// BM25 of each input document (as a query) against the others or the --against set
    /// (--bm25-k1, --bm25-b; --tf, --idf and --norm do not apply).
    Bm25,
}

/// The flags that decide the document space of `similar`, `stories` and `compare`.
pub(super) struct SpaceFlags<'a> {
    pub model: Option<&'a Path>,
    pub space: &'a SpaceArgs,
    /// `--plain`: the text's TF-IDF cosine, rather than the story space.
    pub plain: bool,
}

impl SpaceFlags<'_> {
    /// Loads a saved model, refusing flags that would change its analysis or vocabulary; the
    /// weighting flags still apply.
    fn saved_model(&self, path: &Path) -> Result<FittedVectorizer> {
        let space = &self.space;
        if space.analysis.is_set() || space.vocab.is_set() || space.weight.compat.is_some() {
            bail!(
                "--model fixes the analysis and the vocabulary; drop the analysis, vocabulary and --compat \
                 flags (--tf, --idf and --norm may still change the weighting)"
            );
        }
        let model = model::load(path)?;
        // The weighting flags given replace the model's parts.
        let chosen = super::weighting_options(&self.space.weight).apply(*model.weighting());
        Ok(model.with_weighting(chosen))
    }

    /// The library's document space these flags describe: a saved model or the settings to
    /// fit; the story layout (sublinear tf unless `--tf` was given) unless `--plain` or a
    /// `--compat` preset asks for the plain space.
    pub(super) fn document_space(&self) -> Result<DocumentSpace> {
        let model = match self.model {
            Some(path) => SpaceModel::Fitted(self.saved_model(path)?),
            None => SpaceModel::Fit(self.space.vectorizer()?),
        };
        let weight = &self.space.weight;
        let layout = Layout::chosen(self.plain, weight.compat.is_some(), weight.tf.is_some());
        Ok(DocumentSpace { model, layout })
    }

    /// [`SpaceFlags::document_space`] for `measure`, refusing weighting flags with BM25.
    fn document_space_for(&self, measure: Measure) -> Result<DocumentSpace> {
        let given = |w: &WeightArgs| w.tf.is_some() || w.idf.is_some() || w.norm.is_some();
        if matches!(measure, Measure::Bm25 { .. }) && given(&self.space.weight) {
            bail!("--measure bm25 has its own weighting; --tf, --idf and --norm apply to cosine");
        }
        self.document_space()
    }
}

pub fn similar(args: &SimilarArgs, quiet: bool, stdout: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    let measure = match args.measure {
        MeasureArg::Cosine => Measure::Cosine,
        MeasureArg::Jaccard => Measure::Jaccard,
        MeasureArg::Bm25 => Measure::Bm25 {
            k1: args.space.weight.bm25_k1,
            b: args.space.weight.bm25_b,
        },
    };
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    if !args.threshold.is_finite() || args.threshold < 0.0 {
        bail!("--threshold must be a number ≥ 0 (got {})", args.threshold);
    }
    let matrix_ext = match &args.matrix {
        Some(path) => Some(dense_extension(path)?),
        None => None,
    };
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let reference: Option<Corpus> = if args.against.is_empty() {
        None
    } else {
        let input = InputArgs {
            inputs: args.against.clone(),
            ..args.input.clone()
        };
        let r = input.read().context("reading --against")?;
        report_reading(&r, quiet);
        Some(r)
    };
    let ref_docs = reference.as_ref().map(|r| &r.docs[..]);
    let n_ref = ref_docs.map_or(corpus.docs.len(), <[_]>::len);
    if args.matrix.is_some() && (corpus.docs.len() > MAX_DENSE || n_ref > MAX_DENSE) {
        bail!(
            "--matrix is for small corpora: at most {MAX_DENSE} documents a side, and this is {} × {n_ref}; \
             use the top-k neighbours (-k) instead",
            corpus.docs.len()
        );
    }
    let flags = SpaceFlags {
        model: args.model.as_deref(),
        space: &args.space,
        plain: args.plain,
    };
    let params = SimilarParams {
        space: flags.document_space_for(measure)?,
        measure,
        k: args.k,
        min_score: args.threshold,
        across_sources: args.across_sources,
        window_days: args.window_days,
        dense: args.matrix.is_some(),
    };
    let ref_all: &[Document] = ref_docs.unwrap_or(&corpus.docs);
    if args.across_sources
        && !corpus
            .docs
            .iter()
            .chain(ref_all)
            .any(|d| d.source.is_some())
        && !quiet
    {
        eprintln!(
            "parallax: --across-sources, but no document has a source; every pair counts as across"
        );
    }
    let read = started.elapsed();
    let found = similarity::similar(&corpus.docs, ref_docs, &params).context("fitting")?;
    if let (Some(path), Some(ext), Some(dense)) = (&args.matrix, matrix_ext, &found.dense) {
        parallax::io::atomic::write_atomic(path, |w| match ext {
            Dense::Csv => similarity::write_csv(dense, w),
            Dense::Npy => parallax::io::npz::write_npy(dense, w),
        })?;
    }
    let neighbours = &found.neighbors;
    let write = |w: &mut dyn Write| {
        tables::write_neighbours(w, args.format, &corpus.docs, ref_all, neighbours)
    };
    match &args.out {
        Some(path) => parallax::io::atomic::write_atomic(path, |w| write(w))?,
        None => write(stdout)?,
    }
    if !quiet {
        let against = match ref_docs {
            Some(r) => format!(" against {} reference documents", r.len()),
            None => String::new(),
        };
        eprintln!(
            "parallax similar: {} documents{against}, {} terms, {}, k = {}: {} neighbour pairs; {:.2} s \
             (read and vectorize {:.2} s, neighbours {:.2} s)",
            corpus.docs.len(),
            found.rows.model.n_terms(),
            format!("{:?}", args.measure).to_lowercase(),
            args.k,
            neighbours.len(),
            started.elapsed().as_secs_f64(),
            (read + found.vectorize_time).as_secs_f64(),
            found.search_time.as_secs_f64()
        );
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Dense {
    Csv,
    Npy,
}

fn dense_extension(path: &Path) -> Result<Dense> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Dense::Csv),
        Some("npy") => Ok(Dense::Npy),
        _ => bail!(
            "--matrix {}: the file name must end in .csv or .npy",
            path.display()
        ),
    }
}
