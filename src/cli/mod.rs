//! Command-line flags: raw clap structs, and the functions that turn them into library settings.

pub mod blocks;
pub mod compare;
pub mod eval;
pub mod keyness;
pub mod keywords;
pub mod output;
pub mod similar;
pub mod stats;
pub mod stories;
pub mod vectorize;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use parallax::analysis::{
    AnalysisConfig, AnalysisOptions, Language, StopWordList, parse_ngram_range,
};
use parallax::corpus::{
    Corpus, DateOrder, DatePattern, DateRules, FieldNames, OnError, Prepare, ReadOptions,
    ReadReport, input_size, read_inputs, read_inputs_chunked, read_inputs_prepared,
};
use parallax::dates::day_number;
use parallax::vectorize::{
    DfLimit, Idf, Norm, Preset, Tf, Vectorizer, VocabularyParams, Weighting, WeightingOptions,
    read_vocabulary,
};

/// parallax: compare texts statistically at corpus scale.
#[derive(Parser, Debug)]
#[command(name = "parallax", version, about, max_term_width = 100)]
pub struct Cli {
    /// Worker threads (default: all cores). Output is identical for any value.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress or summary on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fit and transform in one pass: write matrix.mtx, vocabulary.tsv, documents.tsv to --out.
    Vectorize(vectorize::VectorizeArgs),
    /// Learn the analysis, vocabulary and idf from a corpus and save them as a model.
    Fit(vectorize::FitArgs),
    /// Apply a saved model to documents (never changes the model); writes like `vectorize`.
    Transform(vectorize::TransformArgs),
    /// Merge shards from `fit --shard` into one model (equal to fitting all their documents).
    Merge(vectorize::MergeArgs),
    /// Summarize a corpus: documents, tokens, types, sources, dates.
    Stats(stats::StatsArgs),
    /// The k most similar documents of every document (or against a reference set), exactly.
    Similar(similar::SimilarArgs),
    /// Group documents that report the same event, across sources.
    Stories(stories::StoriesArgs),
    /// Score results against gold data.
    Eval(eval::EvalArgs),
    /// Rank the key terms or phrases of each document, source, story or the whole corpus.
    Keywords(keywords::KeywordsArgs),
    /// Which terms each group (source, field, date bucket) uses more than the rest or another.
    Keyness(keyness::KeynessArgs),
    /// The coverage report: stories across sources, who covered what, how close their versions
    /// are, each source's distinctive terms; as a summary, JSON and an HTML page.
    Compare(compare::CompareArgs),
    /// The block of every document (a field's value or a window of days) as a stable FNV-1a 64
    /// hash, as JSONL: for grouping documents on a cluster.
    Blocks(blocks::BlocksArgs),
    /// Print a built-in stop-word list (a language name, or `sklearn`).
    Stopwords {
        /// Language name or code, or `sklearn` for scikit-learn's English list.
        list: String,
    },
}

/// Where documents come from and how records are read.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Directories, .jsonl/.ndjson, .csv/.tsv, .txt/.md files (optionally .gz), or - for JSONL on stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Record field holding the id.
    #[arg(long, default_value = "id", help_heading = "Input")]
    pub id_field: String,
    /// Record field holding the text.
    #[arg(long, default_value = "text", help_heading = "Input")]
    pub text_field: String,
    /// Record field holding the title.
    #[arg(long, default_value = "title", help_heading = "Input")]
    pub title_field: String,
    /// Record field holding the source (outlet).
    #[arg(long, default_value = "source", help_heading = "Input")]
    pub source_field: String,
    /// Record field holding the date.
    #[arg(long, default_value = "date", help_heading = "Input")]
    pub date_field: String,
    /// Order of numeric dates such as 9/5/18: auto (only where a value shows it, e.g. 7/23/17;
    /// the rest are set aside and counted), mdy (month first) or dmy (day first).
    #[arg(long, default_value = "auto", value_name = "ORDER", help_heading = "Input",
          value_parser = |s: &str| s.parse::<DateOrder>())]
    pub dates: DateOrder,
    /// Read dates with this strftime-like pattern only (%Y %y %m %d %b %a %H %M %S %z, e.g.
    /// "%d.%m.%Y"); values that do not match are set aside and counted.
    #[arg(long, value_name = "PATTERN", help_heading = "Input",
          value_parser = |s: &str| s.parse::<DatePattern>())]
    pub date_format: Option<DatePattern>,
    /// Earliest plausible date (YYYY-MM-DD); earlier ones are kept as undated and counted.
    #[arg(long, value_name = "DATE", default_value = "1900-01-01", help_heading = "Input",
          value_parser = parse_day)]
    pub date_min: i64,
    /// Latest plausible date (YYYY-MM-DD); later ones are kept as undated and counted
    /// [default: a year from today].
    #[arg(long, value_name = "DATE", help_heading = "Input", value_parser = parse_day)]
    pub date_max: Option<i64>,
    /// What to do with a bad record: stop (fail) or skip it and report the count (skip).
    #[arg(long, value_enum, default_value = "fail", help_heading = "Input")]
    pub on_error: OnErrorArg,
    /// Text per chunk when streaming, in MB: memory grows with it, and the work repeated per
    /// chunk shrinks (fit, transform and large vectorize runs read their input chunk by chunk).
    #[arg(long, default_value_t = 128, value_name = "MB", help_heading = "Input")]
    pub chunk_mb: usize,
    /// The largest document read, in MB (a JSONL line, a CSV record, a text file); a larger one
    /// is a bad record. Analyzing one document takes about five times its size in memory.
    #[arg(long, default_value_t = 256, value_name = "MB", help_heading = "Input")]
    pub max_doc_mb: usize,
}

/// `--on-error` values.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OnErrorArg {
    /// Stop at the first bad record.
    Fail,
    /// Skip bad records, count and report them.
    Skip,
}

impl InputArgs {
    /// Reads every input, with a clear error naming the place that failed.
    pub fn read(&self) -> Result<Corpus> {
        let corpus = read_inputs(&self.inputs, &self.options()?).context("reading input")?;
        if corpus.docs.is_empty() {
            bail!("no documents in {}", display_paths(&self.inputs));
        }
        Ok(corpus)
    }

    /// Reads every input chunk by chunk (about `--chunk-mb` of text each), in input order,
    /// with a progress bar on stderr when it is a terminal (and `quiet` is off).
    pub fn read_chunked(
        &self,
        quiet: bool,
        on_chunk: &mut dyn FnMut(Corpus) -> Result<()>,
    ) -> Result<ReadReport> {
        self.read_chunks_of(self.chunk_mb.max(1) << 20, quiet, on_chunk)
    }

    /// Like [`InputArgs::read_chunked`], with chunks of about `chunk_bytes` of text.
    pub fn read_chunks_of(
        &self,
        chunk_bytes: usize,
        quiet: bool,
        on_chunk: &mut dyn FnMut(Corpus) -> Result<()>,
    ) -> Result<ReadReport> {
        let mut forward = |chunk, _: Vec<()>| on_chunk(chunk);
        self.read_prepared(chunk_bytes, quiet, None, &mut forward)
    }

    /// Like [`InputArgs::read_chunks_of`], with the documents put through `prepare` as they
    /// are read (see [`read_inputs_prepared`]): each chunk comes with the results for groups
    /// of its documents that together are the whole chunk.
    pub fn read_prepared<T: Send>(
        &self,
        chunk_bytes: usize,
        quiet: bool,
        prepare: Option<&Prepare<'_, T>>,
        on_chunk: &mut dyn FnMut(Corpus, Vec<T>) -> Result<()>,
    ) -> Result<ReadReport> {
        let progress = progress_bar(|| self.size(), quiet);
        let mut failure = None;
        let mut documents = 0;
        let mut forward = |chunk: Corpus, prepared| -> parallax::Result<()> {
            documents += chunk.docs.len();
            progress.inc(chunk.docs.iter().map(|d| d.text.len() as u64).sum());
            // Keep the caller's error whole; stop reading with a marker the reader passes up.
            on_chunk(chunk, prepared).map_err(|e| {
                failure = Some(e);
                parallax::Error::param("chunk", "", "stopped")
            })
        };
        let options = self.options()?;
        let result = match prepare {
            Some(prepare) => {
                read_inputs_prepared(&self.inputs, &options, chunk_bytes, prepare, &mut forward)
            }
            None => {
                let mut unprepared = |chunk| forward(chunk, Vec::new());
                read_inputs_chunked(&self.inputs, &options, chunk_bytes, &mut unprepared)
            }
        };
        if let Some(e) = failure {
            return Err(e);
        }
        progress.finish_and_clear();
        let report = result.context("reading input")?;
        if documents == 0 {
            bail!("no documents in {}", display_paths(&self.inputs));
        }
        Ok(report)
    }

    /// True if any input is stdin (which can be read only once).
    pub fn has_stdin(&self) -> bool {
        self.inputs.iter().any(|p| p.as_os_str() == "-")
    }

    /// Total size of the input files in bytes ([`input_size`]).
    pub fn size(&self) -> u64 {
        input_size(&self.inputs)
    }

    fn options(&self) -> Result<ReadOptions> {
        let latest = self.date_max.unwrap_or(DateRules::default().latest);
        if self.date_min > latest {
            bail!("--date-min is later than --date-max: no date could be plausible");
        }
        Ok(ReadOptions {
            fields: FieldNames {
                id: self.id_field.clone(),
                text: self.text_field.clone(),
                title: self.title_field.clone(),
                source: self.source_field.clone(),
                date: self.date_field.clone(),
            },
            on_error: match self.on_error {
                OnErrorArg::Fail => OnError::Fail,
                OnErrorArg::Skip => OnError::Skip,
            },
            dates: DateRules {
                order: self.dates,
                pattern: self.date_format.clone(),
                earliest: self.date_min,
                latest,
            },
            max_doc_bytes: Some(self.max_doc_mb.saturating_mul(1 << 20)),
        })
    }
}

/// A `YYYY-MM-DD` flag value as a day number.
fn parse_day(s: &str) -> std::result::Result<i64, String> {
    day_number(s)
        .filter(|_| s.len() == 10)
        .ok_or_else(|| format!("`{s}` is not a date of the form YYYY-MM-DD"))
}

/// Progress on stderr (text read, throughput, elapsed); hidden unless stderr is a terminal.
/// The input size is shown as context: text is smaller than the files it comes in.
/// The input size is computed only when the bar is shown (it walks directories).
fn progress_bar(input_bytes: impl FnOnce() -> u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bytes} of text read from {msg} of input ({bytes_per_sec}, {elapsed})",
        )
        .expect("the template is valid"),
    );
    bar.set_message(indicatif::HumanBytes(input_bytes()).to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Analysis flags.
#[derive(Args, Debug, Clone, Default)]
pub struct AnalysisArgs {
    /// Language: picks the stemmer and the stop-word list together.
    #[arg(long, help_heading = "Analysis")]
    pub language: Option<Language>,
    /// Stem with Snowball (default, except in --compat modes).
    #[arg(long, overrides_with = "no_stem", help_heading = "Analysis")]
    pub stem: bool,
    /// Do not stem.
    #[arg(long, help_heading = "Analysis")]
    pub no_stem: bool,
    /// Stop words: `default` (the language's list), `none`, `sklearn`, or a file (one per line).
    #[arg(long, value_name = "LIST", help_heading = "Analysis")]
    pub stopwords: Option<String>,
    /// Strip accents from terms (surface forms keep them).
    #[arg(long, help_heading = "Analysis")]
    pub fold_accents: bool,
    /// Word n-grams: N or MIN..MAX (e.g. 1..2). N-grams never cross punctuation or a removed word.
    #[arg(long, value_name = "RANGE", help_heading = "Analysis")]
    pub ngram: Option<String>,
}

/// Vocabulary flags.
#[derive(Args, Debug, Clone, Default)]
pub struct VocabArgs {
    /// Drop terms in fewer documents: a count (5) or a proportion (0.01).
    #[arg(long, value_name = "DF", help_heading = "Vocabulary")]
    pub min_df: Option<DfLimit>,
    /// Drop terms in more documents: a count or a proportion (default 1.0).
    #[arg(long, value_name = "DF", help_heading = "Vocabulary")]
    pub max_df: Option<DfLimit>,
    /// Keep only the N most frequent terms.
    #[arg(long, value_name = "N", help_heading = "Vocabulary")]
    pub max_features: Option<usize>,
    /// Use exactly these terms: a file with one word or phrase per line (analyzed like the text).
    #[arg(long, value_name = "FILE", help_heading = "Vocabulary")]
    pub vocabulary: Option<PathBuf>,
}

/// `--tf` values.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum TfArg {
    /// The count.
    Raw,
    /// 1 if present.
    Binary,
    /// 1 + ln(count).
    Log,
    /// 0.5 + 0.5 · count / max count.
    Augmented,
    /// BM25 saturation (see --bm25-k1, --bm25-b).
    Bm25,
}

/// Weighting flags.
#[derive(Args, Debug, Clone, Default)]
pub struct WeightArgs {
    /// Reproduce another tool's defaults exactly (analysis and weighting); other flags override.
    #[arg(long, value_enum, help_heading = "Weighting")]
    pub compat: Option<Preset>,
    /// Term frequency.
    #[arg(long, value_enum, help_heading = "Weighting")]
    pub tf: Option<TfArg>,
    /// Inverse document frequency: smooth, plain, none, prob, bm25, log2, log10, spark.
    #[arg(long, help_heading = "Weighting")]
    pub idf: Option<Idf>,
    /// Row normalization: l2, l1, none.
    #[arg(long, help_heading = "Weighting")]
    pub norm: Option<Norm>,
    /// BM25 k1.
    #[arg(long, default_value_t = 1.2, help_heading = "Weighting")]
    pub bm25_k1: f64,
    /// BM25 b.
    #[arg(long, default_value_t = 0.75, help_heading = "Weighting")]
    pub bm25_b: f64,
}

impl AnalysisArgs {
    /// The analysis flags given, by name.
    pub fn given(&self) -> Vec<&'static str> {
        given(&[
            (self.language.is_some(), "--language"),
            (self.stem || self.no_stem, "--stem/--no-stem"),
            (self.stopwords.is_some(), "--stopwords"),
            (self.fold_accents, "--fold-accents"),
            (self.ngram.is_some(), "--ngram"),
        ])
    }

    /// True if any analysis flag was given.
    pub fn is_set(&self) -> bool {
        !self.given().is_empty()
    }
}

impl VocabArgs {
    /// The vocabulary flags given, by name.
    pub fn given(&self) -> Vec<&'static str> {
        given(&[
            (self.min_df.is_some(), "--min-df"),
            (self.max_df.is_some(), "--max-df"),
            (self.max_features.is_some(), "--max-features"),
            (self.vocabulary.is_some(), "--vocabulary"),
        ])
    }

    /// True if any vocabulary flag was given.
    pub fn is_set(&self) -> bool {
        !self.given().is_empty()
    }
}

impl WeightArgs {
    /// The weighting flags given, by name (the BM25 parameters count only with `--tf bm25`).
    pub fn given(&self) -> Vec<&'static str> {
        given(&[
            (self.compat.is_some(), "--compat"),
            (self.tf.is_some(), "--tf"),
            (self.idf.is_some(), "--idf"),
            (self.norm.is_some(), "--norm"),
        ])
    }

    /// True if any weighting flag was given.
    pub fn is_set(&self) -> bool {
        !self.given().is_empty()
    }
}

/// The names whose flag is set.
fn given(flags: &[(bool, &'static str)]) -> Vec<&'static str> {
    flags.iter().filter(|f| f.0).map(|f| f.1).collect()
}

/// Builds the analysis config from compat mode and flags.
pub fn analysis_config(a: &AnalysisArgs, compat: Option<Preset>) -> Result<AnalysisConfig> {
    let stem = if a.no_stem {
        Some(false)
    } else if a.stem {
        Some(true)
    } else {
        None
    };
    let ngram = match &a.ngram {
        Some(range) => Some(
            parse_ngram_range(range)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("--ngram {range}"))?,
        ),
        None => None,
    };
    let options = AnalysisOptions {
        language: a.language,
        stem,
        stop_words: a.stopwords.as_deref().map(StopWordList::parse),
        fold_accents: a.fold_accents,
        ngram,
    };
    let preset = compat.unwrap_or_default();
    preset
        .analysis_config(&options)
        .map_err(|e| match (&e, &a.stopwords) {
            // Reading a stop-word file is the one I/O here.
            (parallax::Error::Io { .. }, Some(spec)) => {
                anyhow::Error::new(e).context(format!("--stopwords {spec}"))
            }
            _ => e.into(),
        })
}

/// Builds the weighting from compat mode and flags.
pub fn weighting(w: &WeightArgs) -> Weighting {
    weighting_options(w).apply(w.compat.unwrap_or_default().weighting())
}

/// The parts of a weighting the flags give (`--compat` aside).
pub fn weighting_options(w: &WeightArgs) -> WeightingOptions {
    let tf = w.tf.map(|tf| match tf {
        TfArg::Raw => Tf::Raw,
        TfArg::Binary => Tf::Binary,
        TfArg::Log => Tf::Log,
        TfArg::Augmented => Tf::Augmented,
        TfArg::Bm25 => Tf::Bm25 {
            k1: w.bm25_k1,
            b: w.bm25_b,
        },
    });
    WeightingOptions {
        tf,
        idf: w.idf,
        norm: w.norm,
    }
}

/// The analysis, vocabulary and weighting flags together: everything that defines a TF-IDF
/// space, shared by every command that builds one.
#[derive(Args, Debug)]
pub struct SpaceArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

impl SpaceArgs {
    /// The vectorizer settings these flags describe.
    pub fn vectorizer(&self) -> Result<Vectorizer> {
        let analysis = analysis_config(&self.analysis, self.weight.compat)?;
        let vocabulary = vocabulary_params(&self.vocab, &analysis)?;
        Ok(Vectorizer {
            analysis,
            vocabulary,
            weighting: weighting(&self.weight),
        })
    }
}

/// Vocabulary settings; a `--vocabulary` file is analyzed with `analysis`.
pub fn vocabulary_params(v: &VocabArgs, analysis: &AnalysisConfig) -> Result<VocabularyParams> {
    let mut vocabulary = VocabularyParams::default();
    if let Some(min_df) = v.min_df {
        vocabulary.min_df = min_df;
    }
    if let Some(max_df) = v.max_df {
        vocabulary.max_df = max_df;
    }
    vocabulary.max_features = v.max_features;
    if let Some(path) = &v.vocabulary {
        vocabulary.fixed = Some(match read_vocabulary(path, analysis) {
            Ok(terms) => terms,
            Err(parallax::Error::Io { error, .. }) => {
                return Err(anyhow::Error::new(error))
                    .with_context(|| format!("--vocabulary {}", path.display()));
            }
            Err(e) => return Err(e.into()),
        });
    }
    vocabulary.validate()?;
    Ok(vocabulary)
}
