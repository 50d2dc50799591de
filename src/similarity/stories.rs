//! Stories: documents that report the same event, grouped by average-linkage clustering over
//! the sparse graph of each document's nearest neighbours.
//!
//! 1. Each document's `k` nearest neighbours by cosine (within the date window, if any) give the
//!    candidate pairs, and its *density* `r`: the mean cosine of those k neighbours (a missing
//!    neighbour counts 0). A document in a crowded topic has a high `r`, a lone one a low `r`.
//! 2. Clusters start as single documents. The pair of neighbouring clusters with the highest
//!    *relative* average similarity is merged, while it is at least 0 and the plain average
//!    cosine is at least the threshold:
//!
//!    ```text
//!    rel(A, B) = mean over cross pairs (a, b) of [ cos(a, b) − (r_a + r_b) / 2 ]
//!    ```
//!
//!    A pair must be closer than its two documents are, on average, to their own k nearest
//!    neighbours: the hubness correction of Conneau et al. 2018 (CSLS) used as a threshold, so
//!    that it adapts to the corpus, short leads and long articles alike. Cross pairs from one
//!    source count as cosine 0: an outlet rarely runs two versions of one event (a story spans
//!    at most the window), so such a pair is evidence against, not a rule. With
//!    unit vectors the averages are exact and cheap: `S_A·S_B / (|A|·|B|)`, `S` the sum of a
//!    cluster's vectors. A merge that would make a story span more than the date window is
//!    not made.
//! 3. A story's label is the surface forms of the largest terms of `S`; pairs of its documents
//!    with a cosine of at least 0.9 are flagged as near-duplicates.
//!
//! Average linkage rather than connected components: one strong link between two stories (a
//! shared quote, a follow-up article) does not chain them together, because every cross pair
//! counts.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap};

use super::topk::{Neighbors, Search, top_k_with};
use super::window::top_k_within_days;
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};

/// Settings for [`stories`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoryParams {
    /// Merge clusters only while the average cosine of their cross pairs is at least this (on
    /// top of the relative criterion of the module docs).
    pub threshold: f32,
    /// Nearest neighbours per document in the candidate graph.
    pub k: usize,
    /// Documents more than this many days apart are never in the same story (undated
    /// documents are not constrained), unless they are exact copies (identical rows), which
    /// are always in one story.
    pub window_days: Option<u32>,
    /// Pairs in a story at or above this cosine are flagged as near-duplicates.
    pub near_duplicate: f32,
    /// Terms in a story's label.
    pub label_terms: usize,
    /// When rows hold several blocks of one vocabulary (the story space: body, then title),
    /// its size: columns `c` and `c + n` are one term in labels.
    pub label_fold: Option<usize>,
}

impl Default for StoryParams {
    /// Threshold 0.1, k = 10, a 14-day window, near-duplicates at 0.9, four label terms (see
    /// docs/similarity.md for each).
    fn default() -> Self {
        StoryParams {
            threshold: 0.1,
            k: 10,
            window_days: Some(14),
            near_duplicate: 0.9,
            label_terms: 4,
            label_fold: None,
        }
    }
}

/// One story.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Its documents (rows), ascending.
    pub docs: Vec<usize>,
    /// Label terms (columns), most weighty first.
    pub terms: Vec<u32>,
    /// Pairs of its documents with a cosine of at least [`StoryParams::near_duplicate`]
    /// (among each document's k nearest neighbours), as (row, row, cosine), rows ascending.
    pub near_duplicates: Vec<(usize, usize, f32)>,
}

/// Groups the rows of `matrix` into stories; every row is in exactly one story (a story may have
/// one document). `days[i]` is row i's date as a day number (see
/// [`day_number`](crate::dates::day_number)), used by the window. Stories come largest first, then by first document; deterministic.
///
/// # Errors
///
/// [`Error::Param`] for a `threshold` outside (0, 1], `days` that are not one per row, `k` 0,
/// a value of `matrix` that is not finite, or 2^32 rows or more.
pub fn stories<V: Value>(
    matrix: &CsrMatrix<V>,
    days: Option<&[Option<i64>]>,
    params: &StoryParams,
) -> Result<Vec<Story>> {
    stories_of_sources(matrix, days, None, params)
}

/// Like [`stories`], knowing each row's source (`sources[i]`, `None` if unknown): cross pairs
/// from one source count as cosine 0 when two clusters are weighed for a merge, since an outlet
/// rarely runs two versions of one event (within the window, or in an undated corpus).
///
/// # Errors
///
/// As [`stories`]; also [`Error::Param`] for `sources` that are not one per row.
pub fn stories_of_sources<V: Value>(
    matrix: &CsrMatrix<V>,
    days: Option<&[Option<i64>]>,
    sources: Option<&[Option<u32>]>,
    params: &StoryParams,
) -> Result<Vec<Story>> {
    check_story_inputs(matrix, days, sources, params)?;
    let day = |i: usize| days.and_then(|d| d[i]);
    let window = params.window_days.map(i64::from);
    // Every neighbour is kept: the density of a document is the mean of all k.
    let search = Search::new(params.k);
    let trace = crate::trace::Trace::start();
    let nn = match (window, days) {
        (Some(w), Some(days)) => top_k_within_days(matrix, days, w, &search, |_, _| true)?,
        _ => top_k_with(matrix, None, &search, |_, _| true)?,
    };
    trace.mark("stories: neighbours");

    let mut clusters = singletons(matrix, &nn, sources, &day, params.k);
    let floor = f64::from(params.threshold);
    let heap = first_candidates(&mut clusters, &nn, params.threshold, floor, matrix);
    merge_all(&mut clusters, heap, window, floor, matrix);
    trace.mark("stories: clustered");
    gather_copies(&mut clusters, matrix, &day);

    let (mut out, story_of) = numbered_stories(&mut clusters, matrix.n_rows(), params);
    mark_near_duplicates(&mut out, &nn, &story_of, params.near_duplicate);
    Ok(out)
}

fn check_story_inputs<V: Value>(
    matrix: &CsrMatrix<V>,
    days: Option<&[Option<i64>]>,
    sources: Option<&[Option<u32>]>,
    params: &StoryParams,
) -> Result<()> {
    if let Some(sources) = sources
        && sources.len() != matrix.n_rows()
    {
        return Err(Error::param(
            "sources",
            sources.len(),
            "one source (or none) per row",
        ));
    }
    if !(params.threshold > 0.0 && params.threshold <= 1.0) {
        return Err(Error::param(
            "threshold",
            params.threshold,
            "must be in (0, 1]",
        ));
    }
    if let Some(days) = days
        && days.len() != matrix.n_rows()
    {
        return Err(Error::param(
            "days",
            days.len(),
            "one date (or none) per row",
        ));
    }
    Ok(())
}

/// One cluster per document, with its density: the mean cosine of its k nearest neighbours
/// (a missing one is 0).
fn singletons<V: Value>(
    matrix: &CsrMatrix<V>,
    nn: &Neighbors,
    sources: Option<&[Option<u32>]>,
    day: &dyn Fn(usize) -> Option<i64>,
    k: usize,
) -> Vec<Cluster> {
    let k = k as f64;
    let density: Vec<f64> = nn
        .iter()
        .map(|list| list.iter().map(|nb| f64::from(nb.score)).sum::<f64>() / k)
        .collect();
    (0..matrix.n_rows())
        .map(|i| Cluster {
            members: vec![i],
            sum: unit_row(matrix, i),
            density: density[i],
            keyed: sources
                .and_then(|s| s[i])
                .map(|s| vec![(s, i)])
                .unwrap_or_default(),
            span: day(i).map(|d| (d, d)),
            version: 0,
            alive: true,
            neighbours: BTreeSet::new(),
        })
        .collect()
}

/// Links every document to its neighbours at or above the threshold, and the candidate merges
/// of those pairs that may merge.
fn first_candidates<V: Value>(
    clusters: &mut [Cluster],
    nn: &Neighbors,
    threshold: f32,
    floor: f64,
    matrix: &CsrMatrix<V>,
) -> BinaryHeap<Candidate> {
    let mut heap = BinaryHeap::new();
    for (i, list) in nn.iter().enumerate() {
        for nb in list {
            let j = nb.index as usize;
            if nb.score >= threshold && clusters[i].neighbours.insert(j) {
                clusters[j].neighbours.insert(i);
                let (a, b) = (i.min(j), i.max(j));
                let cross = sparse_dot(&clusters[a].sum, &clusters[b].sum);
                let pair = Pair { a, b, cross };
                if let Some(rel) = relative(clusters, &pair, floor, matrix) {
                    heap.push(Candidate {
                        rel,
                        a,
                        b,
                        versions: (0, 0),
                    });
                }
            }
        }
    }
    heap
}

/// Merges the best candidate first until none is left; a candidate is stale once either
/// cluster has changed, and skipped when the merge would span more than the window.
fn merge_all<V: Value>(
    clusters: &mut [Cluster],
    mut heap: BinaryHeap<Candidate>,
    window: Option<i64>,
    floor: f64,
    matrix: &CsrMatrix<V>,
) {
    let mut dense = vec![0.0f64; matrix.n_cols()];
    while let Some(c) = heap.pop() {
        let (a, b) = (c.a, c.b);
        if !clusters[a].alive
            || !clusters[b].alive
            || (clusters[a].version, clusters[b].version) != c.versions
        {
            continue;
        }
        let span = merge_span(clusters[a].span, clusters[b].span);
        if let (Some(w), Some((first, last))) = (window, span)
            && last - first > w
        {
            continue;
        }
        merge_into(clusters, a, b, span);
        reweigh_neighbours(clusters, a, b, &mut dense, &mut heap, floor, matrix);
    }
}

/// Merges cluster `b` into `a`.
fn merge_into(clusters: &mut [Cluster], a: usize, b: usize, span: Option<(i64, i64)>) {
    let cb = std::mem::take(&mut clusters[b]);
    let ca = &mut clusters[a];
    ca.members.extend(cb.members);
    ca.sum = sparse_add(&ca.sum, &cb.sum);
    ca.density += cb.density;
    ca.keyed.extend(cb.keyed);
    ca.keyed.sort_unstable();
    ca.span = span;
    ca.version += 1;
    ca.neighbours.extend(cb.neighbours);
    ca.neighbours.remove(&a);
    ca.neighbours.remove(&b);
}

/// After `b` merged into `a`: points `a`'s neighbours at `a` instead of `b`, and pushes their
/// new candidate merges with `a`. `dense` is all zeros before and after (`a`'s sum scattered
/// meanwhile).
fn reweigh_neighbours<V: Value>(
    clusters: &mut [Cluster],
    a: usize,
    b: usize,
    dense: &mut [f64],
    heap: &mut BinaryHeap<Candidate>,
    floor: f64,
    matrix: &CsrMatrix<V>,
) {
    for &(col, v) in &clusters[a].sum {
        dense[col as usize] = v;
    }
    let neighbours: Vec<usize> = clusters[a].neighbours.iter().copied().collect();
    for &o in &neighbours {
        clusters[o].neighbours.remove(&b);
        clusters[o].neighbours.insert(a);
        let cross: f64 = clusters[o]
            .sum
            .iter()
            .map(|&(col, v)| dense[col as usize] * v)
            .sum();
        let (x, y) = (a.min(o), a.max(o));
        let pair = Pair { a: x, b: y, cross };
        if let Some(rel) = relative(clusters, &pair, floor, matrix) {
            heap.push(Candidate {
                rel,
                a: x,
                b: y,
                versions: (clusters[x].version, clusters[y].version),
            });
        }
    }
    for &(col, _) in &clusters[a].sum {
        dense[col as usize] = 0.0;
    }
}

/// The living clusters as stories, largest first (ties by first member), and each row's story.
fn numbered_stories(
    clusters: &mut [Cluster],
    n: usize,
    params: &StoryParams,
) -> (Vec<Story>, Vec<usize>) {
    let mut story_of = vec![0usize; n];
    let mut out: Vec<Story> = Vec::new();
    let mut alive: Vec<&mut Cluster> = clusters.iter_mut().filter(|c| c.alive).collect();
    for c in &mut alive {
        c.members.sort_unstable();
    }
    alive.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(x.members[0].cmp(&y.members[0]))
    });
    for (s, c) in alive.into_iter().enumerate() {
        for &m in &c.members {
            story_of[m] = s;
        }
        out.push(Story {
            terms: label_terms(&c.sum, params),
            docs: std::mem::take(&mut c.members),
            near_duplicates: Vec::new(),
        });
    }
    (out, story_of)
}

/// A story's label: its heaviest columns (folded onto the model's when the rows have its
/// columns twice), ties by column.
fn label_terms(sum: &[(u32, f64)], params: &StoryParams) -> Vec<u32> {
    let mut terms: Vec<(u32, f64)> = match params.label_fold {
        Some(v) if v > 0 => {
            let mut folded: Vec<(u32, f64)> =
                sum.iter().map(|&(col, x)| (col % v as u32, x)).collect();
            folded.sort_unstable_by_key(|t| t.0);
            folded.dedup_by(|later, first| {
                let same = later.0 == first.0;
                if same {
                    first.1 += later.1;
                }
                same
            });
            folded
        }
        _ => sum.to_vec(),
    };
    terms.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    terms.iter().take(params.label_terms).map(|t| t.0).collect()
}

/// Lists in each story its pairs of neighbours at or above `near`, each pair once.
fn mark_near_duplicates(out: &mut [Story], nn: &Neighbors, story_of: &[usize], near: f32) {
    for (i, list) in nn.iter().enumerate() {
        for nb in list {
            let j = nb.index as usize;
            let pair_once = i < j || !nn.of(j).iter().any(|x| x.index as usize == i);
            if nb.score >= near && story_of[i] == story_of[j] && pair_once {
                out[story_of[i]]
                    .near_duplicates
                    .push((i.min(j), i.max(j), nb.score));
            }
        }
    }
    for s in out.iter_mut() {
        s.near_duplicates.sort_by_key(|d| (d.0, d.1));
    }
}

/// Puts every set of identical rows (exact copies: the same columns and values, not empty) into
/// one story: the one that holds most of them (the first such). Clustering alone can split
/// them: among thousands of copies each row's k neighbours are the same few copies, and the
/// window stops a story short of copies weeks apart, leaving copies alone or in other stories.
/// The window yields here: a text republished later is still the same story. Without copies,
/// nothing moves.
fn gather_copies<V: Value>(
    clusters: &mut [Cluster],
    matrix: &CsrMatrix<V>,
    day: &dyn Fn(usize) -> Option<i64>,
) {
    let mut copies: rustc_hash::FxHashMap<(&[u32], Vec<u64>), Vec<usize>> = Default::default();
    for i in 0..matrix.n_rows() {
        let (cols, vals) = matrix.row(i);
        if !cols.is_empty() {
            let bits = vals.iter().map(|v| v.to_f64().to_bits()).collect();
            copies.entry((cols, bits)).or_default().push(i);
        }
    }
    let mut sets: Vec<Vec<usize>> = copies.into_values().filter(|s| s.len() > 1).collect();
    if sets.is_empty() {
        return;
    }
    sets.sort_unstable();
    let mut owner: Vec<usize> = vec![0; clusters.len()];
    for (c, cluster) in clusters.iter().enumerate() {
        if cluster.alive {
            for &m in &cluster.members {
                owner[m] = c;
            }
        }
    }
    let mut changed = BTreeSet::new();
    for set in sets {
        let mut held: Vec<(usize, usize)> = Vec::new(); // (cluster, copies in it)
        for &r in &set {
            match held.iter_mut().find(|(c, _)| *c == owner[r]) {
                Some(h) => h.1 += 1,
                None => held.push((owner[r], 1)),
            }
        }
        if held.len() == 1 {
            continue;
        }
        let target = held
            .iter()
            .max_by_key(|&&(c, n)| (n, Reverse(c)))
            .expect("copies")
            .0;
        for &r in &set {
            if owner[r] == target {
                continue;
            }
            let from = &mut clusters[owner[r]];
            from.members.retain(|&m| m != r);
            from.alive = !from.members.is_empty();
            changed.insert(owner[r]);
            let to = &mut clusters[target];
            to.members.push(r);
            to.span = merge_span(to.span, day(r).map(|d| (d, d)));
            owner[r] = target;
        }
        changed.insert(target);
    }
    // The sums (and so the labels) of the stories that changed, again from their members.
    for c in changed {
        let cluster = &mut clusters[c];
        let mut sum = Vec::new();
        for &m in &cluster.members {
            sum = sparse_add(&sum, &unit_row(matrix, m));
        }
        cluster.sum = sum;
    }
}

/// Two clusters and the sum of their cross cosines.
struct Pair {
    a: usize,
    b: usize,
    cross: f64,
}

/// The relative similarity of two clusters (module docs, step 2), if they may merge: it is at
/// least 0 and their average cosine at least `floor`.
fn relative<V: Value>(
    clusters: &[Cluster],
    pair: &Pair,
    floor: f64,
    matrix: &CsrMatrix<V>,
) -> Option<f64> {
    let (a, b) = (&clusters[pair.a], &clusters[pair.b]);
    let pairs = (a.members.len() * b.members.len()) as f64;
    if pair.cross / pairs < floor {
        return None;
    }
    let same = same_source(&a.keyed, &b.keyed, matrix);
    let density = 0.5 * (a.density / a.members.len() as f64 + b.density / b.members.len() as f64);
    let rel = (pair.cross - same) / pairs - density;
    (rel >= 0.0).then_some(rel)
}

/// The sum of the cosines of the cross pairs from one source, given the members of two
/// clusters as (source, row) sorted.
fn same_source<V: Value>(a: &[(u32, usize)], b: &[(u32, usize)], matrix: &CsrMatrix<V>) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                let source = a[i].0;
                let a_end = i + a[i..].iter().take_while(|x| x.0 == source).count();
                let b_end = j + b[j..].iter().take_while(|x| x.0 == source).count();
                for x in &a[i..a_end] {
                    let row = unit_row(matrix, x.1);
                    for y in &b[j..b_end] {
                        sum += sparse_dot(&row, &unit_row(matrix, y.1));
                    }
                }
                (i, j) = (a_end, b_end);
            }
        }
    }
    sum
}

#[derive(Debug, Default)]
struct Cluster {
    members: Vec<usize>,
    /// Sum of the members' unit vectors, by column.
    sum: Vec<(u32, f64)>,
    /// Sum of the members' densities.
    density: f64,
    /// The members that have a source, as (source, row), sorted.
    keyed: Vec<(u32, usize)>,
    /// First and last day, if any member is dated.
    span: Option<(i64, i64)>,
    version: u32,
    alive: bool,
    neighbours: BTreeSet<usize>,
}

/// A pair of clusters and their relative similarity when it was computed.
struct Candidate {
    rel: f64,
    a: usize,
    b: usize,
    versions: (u32, u32),
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    /// Highest relative similarity first, then the lowest pair.
    fn cmp(&self, other: &Self) -> Ordering {
        self.rel
            .total_cmp(&other.rel)
            .then((Reverse(self.a), Reverse(self.b)).cmp(&(Reverse(other.a), Reverse(other.b))))
    }
}

fn merge_span(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some(x), Some(y)) => Some((x.0.min(y.0), x.1.max(y.1))),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Row `i` of a matrix scaled to unit length, in f64 (an all-zero row stays empty).
fn unit_row<V: Value>(matrix: &CsrMatrix<V>, i: usize) -> Vec<(u32, f64)> {
    let (cols, vals) = matrix.row(i);
    let norm = vals
        .iter()
        .map(|v| v.to_f64() * v.to_f64())
        .sum::<f64>()
        .sqrt();
    if norm == 0.0 {
        return Vec::new();
    }
    let scale = 1.0 / norm;
    cols.iter()
        .zip(vals)
        .map(|(&c, v)| (c, v.to_f64() * scale))
        .collect()
}

/// Dot product of two sparse vectors sorted by column.
pub(crate) fn sparse_dot(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

fn sparse_add(a: &[(u32, f64)], b: &[(u32, f64)]) -> Vec<(u32, f64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                i += 1;
                j += 1;
                (x.0, x.1 + y.1)
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                i += 1;
                *x
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (_, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => unreachable!(),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[(u32, f32)]]) -> CsrMatrix<f32> {
        CsrMatrix::from_rows(6, &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>())
    }

    fn params(threshold: f32) -> StoryParams {
        StoryParams {
            threshold,
            ..Default::default()
        }
    }

    #[test]
    fn identical_rows_always_share_a_story() {
        // 2,000 copies of one row, dated over 28 days (twice the window), beside two other
        // stories: every copy lands in one story, and the others do not change.
        let copy: &[(u32, f32)] = &[(0, 1.0), (1, 0.5)];
        let others: [&[(u32, f32)]; 4] = [
            &[(2, 1.0), (3, 1.0)],
            &[(2, 1.0), (3, 0.9)],
            &[(4, 1.0), (5, 1.0)],
            &[(4, 0.9), (5, 1.0)],
        ];
        let mut rows: Vec<&[(u32, f32)]> = others.to_vec();
        rows.extend(std::iter::repeat_n(copy, 2000));
        let x = m(&rows);
        let days: Vec<Option<i64>> = (0..rows.len()).map(|i| Some((i % 28) as i64)).collect();
        let p = params(0.24);
        let got = stories(&x, Some(&days), &p).unwrap();
        assert_eq!(
            got.len(),
            3,
            "{:?}",
            got.iter().map(|s| s.docs.len()).collect::<Vec<_>>()
        );
        assert_eq!(got[0].docs, (4..2004).collect::<Vec<_>>());
        assert_eq!(got[1].docs, [0, 1]);
        assert_eq!(got[2].docs, [2, 3]);
        // The same without copies: unchanged by the gathering.
        let alone = stories(&m(&others), Some(&days[..4]), &p).unwrap();
        assert_eq!(alone, got[1..]);
    }

    #[test]
    fn a_pair_must_stand_out_from_its_neighbourhood() {
        // Rows 0 and 1: cosine 0.5. Alone in the corpus, they are a story.
        let pair: [&[(u32, f32)]; 2] = [&[(0, 1.0), (1, 1.0)], &[(0, 1.0), (2, 1.0)]];
        let s = stories(&m(&pair), None, &params(0.1)).unwrap();
        assert_eq!(s[0].docs, [0, 1]);
        // Among a crowd of rows as close to each as they are to each other (cosine 0.5 with both,
        // 0 among themselves), they no longer stand out. k = 2: each density is the mean of two.
        let mut rows = pair.to_vec();
        let crowd: [&[(u32, f32)]; 2] = [&[(0, 1.0), (3, 1.0)], &[(0, 1.0), (4, 1.0)]];
        rows.extend(crowd);
        let p = StoryParams {
            k: 2,
            ..params(0.1)
        };
        let s = stories(&m(&rows), None, &p).unwrap();
        assert!(s.iter().all(|s| s.docs.len() == 1), "{s:?}");
        // Below the threshold, no story however lone the pair.
        assert_eq!(stories(&m(&pair), None, &params(0.6)).unwrap().len(), 2);
    }

    #[test]
    fn one_source_twice_is_evidence_against() {
        // Rows 0 and 1 (cosine 0.5) merge, unless they come from one source.
        let x = m(&[&[(0, 1.0), (1, 1.0)], &[(0, 1.0), (2, 1.0)]]);
        let p = params(0.1);
        let two = stories_of_sources(&x, None, Some(&[Some(0), Some(1)]), &p).unwrap();
        assert_eq!(two[0].docs, [0, 1]);
        let one = stories_of_sources(&x, None, Some(&[Some(0), Some(0)]), &p).unwrap();
        assert_eq!(one.len(), 2);
        // Evidence, not a rule: with a third source close to both, the group's other pairs
        // outweigh the one same-source pair.
        let x = m(&[
            &[(0, 1.0), (1, 0.3)],
            &[(0, 1.0), (2, 0.3)],
            &[(0, 1.0), (1, 0.1), (2, 0.1)],
        ]);
        let s = stories_of_sources(&x, None, Some(&[Some(0), Some(0), Some(1)]), &p).unwrap();
        assert_eq!(s[0].docs, [0, 1, 2], "{s:?}");
    }

    #[test]
    fn groups_by_average_linkage() {
        // 0,1,2 share terms 0–1; 3,4 share 3–4; 5 is alone.
        let x = m(&[
            &[(0, 1.0), (1, 1.0)],
            &[(0, 1.0), (1, 0.9)],
            &[(0, 0.8), (1, 1.0), (2, 0.2)],
            &[(3, 1.0), (4, 1.0)],
            &[(3, 1.0), (4, 1.0)],
            &[(5, 1.0)],
        ]);
        let s = stories(&x, None, &params(0.5)).unwrap();
        let docs: Vec<&[usize]> = s.iter().map(|s| &s.docs[..]).collect();
        assert_eq!(docs, [&[0, 1, 2][..], &[3, 4], &[5]]);
        assert_eq!(s[1].near_duplicates, [(3, 4, 1.0)]);
        assert_eq!(s[2].terms, [5]);
    }

    #[test]
    fn one_strong_link_does_not_chain_stories() {
        // 0–1 and 2–3 are tight pairs; 1–2 are similar, but the clusters on average are not.
        let x = m(&[
            &[(0, 1.0)],
            &[(0, 1.0), (1, 0.6)],
            &[(1, 0.6), (2, 1.0)],
            &[(2, 1.0)],
        ]);
        let s = stories(&x, None, &params(0.3)).unwrap();
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].docs, [0, 1]);
    }

    #[test]
    fn window_keeps_distant_dates_apart() {
        // Nearly the same rows (exact copies are always gathered, window or not).
        let x = m(&[&[(0, 1.0)], &[(0, 1.0), (1, 0.1)], &[(0, 1.0), (2, 0.1)]]);
        let days = [Some(0), Some(3), Some(30)];
        let s = stories(
            &x,
            Some(&days),
            &StoryParams {
                window_days: Some(7),
                ..params(0.5)
            },
        )
        .unwrap();
        assert_eq!(
            s.iter().map(|s| s.docs.clone()).collect::<Vec<_>>(),
            [vec![0, 1], vec![2]]
        );
        let s = stories(
            &x,
            Some(&days),
            &StoryParams {
                window_days: None,
                ..params(0.5)
            },
        )
        .unwrap();
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn empty_and_single_documents() {
        let s = stories(&m(&[&[]]), None, &params(0.5)).unwrap();
        assert_eq!(s.len(), 1);
        assert!(s[0].terms.is_empty());
        let s = stories(&m(&[&[], &[], &[(1, 1.0)]]), None, &params(0.5)).unwrap();
        assert_eq!(s.len(), 3);
        assert!(stories(&m(&[&[]]), None, &params(0.0)).is_err());
    }
}
