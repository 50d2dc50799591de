//! `parallax keyness`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;

use super::output::report_reading;
use super::{InputArgs, SpaceArgs, TfArg, WeightArgs};
use parallax::Error;
use parallax::io::counts as keyness_counts;
use parallax::io::tables::{self, Format};
use parallax::keywords::GroupBy;
use parallax::keywords::keyness::{
    self, Comparisons, GroupCounts, GroupKeyness, KeynessMeasure, KeynessParams,
};
use parallax::vectorize::{FittedVectorizer, Idf, Norm, Tf, Weighting};

/// `parallax keyness`.
#[derive(Args, Debug)]
pub struct KeynessArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Group documents by `source`, any metadata field, or `date:month` / `date:week`
    /// (also `date:year`, `date:day`).
    #[arg(long, value_name = "FIELD")]
    pub by: String,
    /// Compare only this group (default: every group in turn).
    #[arg(long, value_name = "A")]
    pub target: Option<String>,
    /// Compare against this group, or `rest` (every other group; the default).
    #[arg(long, value_name = "B|rest", requires = "target")]
    pub reference: Option<String>,
    /// Compare every ordered pair of groups.
    #[arg(long, conflicts_with_all = ["target", "reference"])]
    pub all_pairs: bool,
    /// Statistic to rank by: g2 (Dunning's log-likelihood), chi2, logodds (Monroe et al.,
    /// informative Dirichlet prior, z-score), pmi, logratio (Hardie).
    #[arg(long, default_value = "g2", value_parser = parse_measure)]
    pub measure: KeynessMeasure,
    /// Yates' continuity correction for chi2.
    #[arg(long)]
    pub yates: bool,
    /// Test only terms used at least N times in target and reference together.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: u64,
    /// Keep only rows whose Benjamini–Hochberg adjusted p-value is at most Q.
    #[arg(long, value_name = "Q")]
    pub fdr: Option<f64>,
    /// Rows per comparison.
    #[arg(short = 'n', long = "top", value_name = "N", default_value_t = 20)]
    pub n: usize,
    /// Scale s of the log-odds prior: α_w = s · (count of w in the whole corpus).
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub prior_scale: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// The inputs are counts files from `--counts-out` (made with the same --by, --tf and
    /// analysis flags), not documents: they are summed, then scored as one corpus.
    #[arg(long)]
    pub counts: bool,
    /// Write the counts per group and term (and the fit statistics) to this file instead of
    /// scoring: parts of a corpus counted anywhere, summed by `--counts`, score like the whole.
    #[arg(long, value_name = "FILE")]
    pub counts_out: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

fn parse_measure(s: &str) -> std::result::Result<KeynessMeasure, String> {
    s.parse()
}

/// Checks `--fdr Q` before any work, in the flag's words ([`KeynessParams::check_fdr`]).
pub(super) fn check_fdr(fdr: Option<f64>, measure: KeynessMeasure) -> Result<()> {
    let params = KeynessParams {
        measure,
        ..Default::default()
    };
    params.check_fdr(fdr).map_err(|e| match e {
        Error::Param { value, reason, .. } => anyhow!("--fdr {value}: {reason}"),
        e => e.into(),
    })
}

/// What keyness counts: tokens (`--tf raw`, the default) or documents (`--tf binary`).
fn count_weighting(w: &WeightArgs) -> Result<Weighting> {
    if w.idf.is_some() || w.norm.is_some() {
        bail!(
            "keyness compares counts: --idf and --norm do not apply (use --tf raw or --tf binary)"
        );
    }
    let tf = match w.tf {
        None | Some(TfArg::Raw) => Tf::Raw,
        Some(TfArg::Binary) => Tf::Binary,
        Some(other) => bail!(
            "keyness compares counts: --tf {other:?} is not a count; use --tf raw (tokens) or --tf binary (documents)"
        ),
    };
    Ok(Weighting {
        tf,
        idf: Idf::None,
        norm: Norm::None,
    })
}

pub fn keyness(args: &KeynessArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    let by: GroupBy = args
        .by
        .parse()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--by {}", args.by))?;
    check_fdr(args.fdr, args.measure)?;
    if args.n == 0 {
        bail!("-n must be at least 1");
    }
    let params = KeynessParams {
        measure: args.measure,
        yates: args.yates,
        min_count: args.min_count as f64,
        prior_scale: args.prior_scale,
    };
    params.validate()?;
    let weighting = count_weighting(&args.space.weight)?;
    if args.counts_out.is_some() && args.space.vocab.is_set() {
        bail!("--counts-out keeps every term: give vocabulary flags to `keyness --counts`");
    }
    if args.counts {
        if args.space.analysis.is_set() || args.space.weight.compat.is_some() {
            bail!(
                "--counts: the analysis was fixed when counting; drop the analysis and --compat flags"
            );
        }
        let summed = keyness_counts::load_sum(&args.input.inputs, &args.by, weighting.tf)?;
        if let Some(path) = &args.counts_out {
            return Ok(keyness_counts::write(path, summed, &args.by, weighting.tf)?);
        }
        let settings = parallax::vectorize::Vectorizer {
            vocabulary: super::vocabulary_params(&args.space.vocab, summed.analysis())?,
            analysis: summed.analysis().clone(),
            weighting,
        };
        let (model, counts, grouped) = summed.fit(&settings)?;
        return score(args, &params, &model, &counts, grouped, quiet, started, out);
    }
    let mut settings = args.space.vectorizer()?;
    settings.weighting = weighting;
    let corpus = args.input.read()?;
    report_reading(&corpus, quiet);
    let docs = &corpus.docs;
    let groups = by.keys(docs);
    if let Some(path) = &args.counts_out {
        // A part of a corpus may have no document of any group: its statistics still count.
        let counts = keyness_counts::count(&settings, docs, &groups)?;
        return Ok(keyness_counts::write(path, counts, &args.by, weighting.tf)?);
    }
    let missing = groups.iter().filter(|g| g.is_none()).count();
    if missing == docs.len() {
        bail!("--by {}: no document has this field", args.by);
    }
    if missing > 0 {
        eprintln!("parallax keyness: {missing} document(s) without `{by}` are left out");
    }
    let (model, counts) =
        keyness::count_groups(docs, &settings, &groups).context("counting terms")?;
    score(
        args,
        &params,
        &model,
        &counts,
        docs.len() - missing,
        quiet,
        started,
        out,
    )
}

/// Compares the groups' counts as asked and writes the result.
#[allow(clippy::too_many_arguments)]
fn score(
    args: &KeynessArgs,
    params: &KeynessParams,
    model: &FittedVectorizer,
    counts: &GroupCounts,
    grouped_docs: usize,
    quiet: bool,
    started: std::time::Instant,
    out: &mut dyn Write,
) -> Result<()> {
    let comparisons = match &args.target {
        _ if args.all_pairs => Comparisons::AllPairs,
        Some(target) => Comparisons::One {
            target: target.clone(),
            reference: match args.reference.as_deref() {
                None | Some("rest") => None,
                Some(name) => Some(name.to_string()),
            },
        },
        None => Comparisons::EachAgainstRest,
    };
    let task = GroupKeyness {
        keyness: params.clone(),
        comparisons,
        fdr: args.fdr,
        top: args.n,
    };
    // The library's refusals, said with the flags.
    let names = || counts.names.join(", ");
    let comparisons = keyness::compare_groups(counts, &task).map_err(|e| match e {
        Error::Param { name: "groups", .. } => anyhow!(
            "--by {}: need at least two groups, found {} ({})",
            args.by,
            counts.names.len(),
            names()
        ),
        Error::Param {
            name: name @ ("target" | "reference"),
            value,
            ..
        } if counts.group(&value).is_none() => anyhow!(
            "--{name} {value}: no such group; groups by {}: {}",
            args.by,
            names()
        ),
        Error::Param {
            name: "reference", ..
        } => anyhow!("--target and --reference are the same group"),
        e => e.into(),
    })?;
    tables::write_keyness(out, args.format, model, &comparisons, args.measure)?;
    if !quiet {
        eprintln!(
            "parallax keyness: {} documents in {} groups by {}, {} comparison(s), {} terms; {:.2} s",
            grouped_docs,
            counts.names.len(),
            args.by,
            comparisons.len(),
            model.n_terms(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
