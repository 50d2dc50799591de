//! Aligning a story: each source's articles on it, side by side, with how close their
//! versions are and the terms each uses more than the others.

use super::*;

/// What aligning a story needs.
pub(super) struct Ctx<'a> {
    pub(super) docs: &'a [Document],
    pub(super) names: &'a [String],
    pub(super) units: &'a UnitRows<'a>,
    pub(super) counts: &'a CsrMatrix<f64>,
    pub(super) row_tokens: &'a [f64],
    pub(super) background: &'a [f64],
    pub(super) model: &'a FittedVectorizer,
    pub(super) params: &'a ReportParams,
}

/// One story carried by several sources, article by article.
pub(super) fn align(
    story: usize,
    label: &str,
    by_source: &BTreeMap<usize, Vec<usize>>,
    cx: &Ctx,
) -> AlignedStory {
    let mut notes = Vec::new();
    let articles = by_source
        .iter()
        .flat_map(|(&g, rows)| {
            rows.iter().map(move |&i| Article {
                source: cx.names[g].clone(),
                id: cx.docs[i].id.clone(),
                title: cx.docs[i].title.clone(),
                date: cx.docs[i].date.clone(),
                tokens: cx.row_tokens[i],
            })
        })
        .collect();
    let sources: Vec<(usize, &Vec<usize>)> = by_source.iter().map(|(&g, r)| (g, r)).collect();
    let unit: FxHashMap<usize, Vec<(u32, f64)>> = by_source
        .values()
        .flatten()
        .map(|&i| (i, cx.units.row(i)))
        .collect();
    let (source_pairs, cross) = source_means(&sources, &unit);
    let mut pairs = Vec::new();
    if cross <= MAX_PAIR_WORK {
        pairs = best_pairs(&sources, &unit, cx);
    } else {
        notes.push(format!(
            "{cross} article pairs across sources: only their means per pair of sources are given"
        ));
    }
    let pairs_omitted = cross - pairs.len().min(cx.params.max_pairs);
    pairs.truncate(cx.params.max_pairs);
    let distinctive = distinctive_by_source(by_source, &sources, cx, &mut notes);
    AlignedStory {
        story,
        label: label.to_string(),
        articles,
        source_pairs,
        pairs,
        pairs_omitted,
        distinctive,
        notes,
    }
}

/// Mean cosine of each pair of sources, from sums of unit vectors; and the number of article
/// pairs across sources.
fn source_means(
    sources: &[(usize, &Vec<usize>)],
    unit: &FxHashMap<usize, Vec<(u32, f64)>>,
) -> (Vec<SourcePair>, usize) {
    let sums: Vec<Vec<(u32, f64)>> = sources
        .iter()
        .map(|(_, rows)| sum_rows(rows.iter().map(|i| &unit[i])))
        .collect();
    let mut source_pairs = Vec::new();
    let mut cross = 0usize;
    for x in 0..sources.len() {
        for y in x + 1..sources.len() {
            let (nx, ny) = (sources[x].1.len(), sources[y].1.len());
            cross += nx * ny;
            source_pairs.push(SourcePair {
                a: sources[x].0,
                b: sources[y].0,
                mean: sparse_dot(&sums[x], &sums[y]) / (nx * ny) as f64,
            });
        }
    }
    (source_pairs, cross)
}

/// Every pair of articles across sources, best first (ties by the ids).
fn best_pairs(
    sources: &[(usize, &Vec<usize>)],
    unit: &FxHashMap<usize, Vec<(u32, f64)>>,
    cx: &Ctx,
) -> Vec<DocPair> {
    let mut pairs = Vec::new();
    for x in 0..sources.len() {
        for y in x + 1..sources.len() {
            for &a in sources[x].1 {
                for &b in sources[y].1 {
                    pairs.push(DocPair {
                        a: cx.docs[a].id.clone(),
                        b: cx.docs[b].id.clone(),
                        score: sparse_dot(&unit[&a], &unit[&b]),
                    });
                }
            }
        }
    }
    pairs.sort_by(|p, q| {
        q.score
            .total_cmp(&p.score)
            .then_with(|| p.a.cmp(&q.a))
            .then_with(|| p.b.cmp(&q.b))
    });
    pairs
}

/// Each source's articles against the other sources' articles in the story, on the columns
/// the story uses: log-odds z-scores (no p-values: they are not shown per story). A source
/// without terms here gets a note.
fn distinctive_by_source(
    by_source: &BTreeMap<usize, Vec<usize>>,
    sources: &[(usize, &Vec<usize>)],
    cx: &Ctx,
    notes: &mut Vec<String>,
) -> Vec<SourceTerms> {
    let all: Vec<usize> = by_source.values().flatten().copied().collect();
    let mut columns: Vec<u32> = all
        .iter()
        .flat_map(|&i| cx.counts.row(i).0.iter().copied())
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let side = |rows: &[usize]| {
        let mut v = vec![0.0; columns.len()];
        for &i in rows {
            let (cols, vals) = cx.counts.row(i);
            for (&c, &x) in cols.iter().zip(vals) {
                v[columns.binary_search(&c).expect("a story column")] += x;
            }
        }
        v
    };
    let story_counts = side(&all);
    let story_tokens: f64 = story_counts.iter().sum();
    let background: Vec<f64> = columns.iter().map(|&c| cx.background[c as usize]).collect();
    let background_total: f64 = background.iter().sum();
    // The prior weighs as much as the story's own tokens.
    let prior_scale = if background_total > 0.0 {
        story_tokens / background_total
    } else {
        1.0
    };
    sources
        .iter()
        .map(|&(g, rows)| {
            let target = side(rows);
            let target_total: f64 = target.iter().sum();
            let terms = if target_total == 0.0 {
                notes.push(format!(
                    "{}: no terms in its article(s) here, so no distinctive terms",
                    cx.names[g]
                ));
                Vec::new()
            } else {
                let reference_total = story_tokens - target_total;
                let mut scored: Vec<KeynessRow> = (0..columns.len())
                    .filter(|&t| target[t] > 0.0)
                    .map(|t| {
                        let table = Table {
                            target: target[t],
                            reference: (story_counts[t] - target[t]).max(0.0),
                            target_total,
                            reference_total,
                        };
                        let alpha = prior_scale * background[t].max(story_counts[t]);
                        KeynessRow {
                            term: columns[t] as usize,
                            target: table.target,
                            reference: table.reference,
                            statistic: table.log_odds_z(alpha, prior_scale * background_total),
                            log_ratio: table.log_ratio(),
                            p_value: None,
                            p_adjusted: None,
                        }
                    })
                    .collect();
                scored.sort_by(|x, y| {
                    y.statistic
                        .total_cmp(&x.statistic)
                        .then(x.term.cmp(&y.term))
                });
                distinctive(scored, None, cx.params.story_terms, cx.model)
            };
            SourceTerms {
                source: cx.names[g].clone(),
                terms,
            }
        })
        .collect()
}
