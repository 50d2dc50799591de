//! Corpus statistics: what a fit learns from, as sums that merge exactly.
//!
//! Document counts, lengths, and per term its document frequency, corpus frequency and surface
//! form counts. Merging adds them (terms kept sorted), so it is associative and commutative:
//! shards fitted apart and merged equal one fit over their union, byte for byte.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

use super::count::{Counted, Form, Lexed, Surfaces, count_lexed, lex, text_hash};
use crate::analysis::Analyzer;
use crate::corpus::Document;
use crate::error::{Error, Result};

/// One term's statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermStats {
    /// The term (a stem, or stems joined by spaces for an n-gram).
    pub term: String,
    /// Documents containing it.
    pub df: u64,
    /// Occurrences in all documents.
    pub cf: u64,
    /// Forms it was written in, with counts, sorted by form.
    pub surfaces: Vec<(String, u64)>,
}

impl TermStats {
    /// The most frequent surface form (ties go to the smallest string).
    pub fn best_surface(&self) -> Option<&str> {
        self.surfaces
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(s, _)| s.as_str())
    }
}

/// Statistics of a set of documents. Terms are sorted and unique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// Documents counted.
    pub n_docs: u64,
    /// Sum of document lengths (kept single-term tokens), for BM25's average length.
    pub total_len: u64,
    /// Per term, in term order.
    pub terms: Vec<TermStats>,
}

impl Statistics {
    /// Builds statistics from counts and their surface forms, taking the counts' terms (rows
    /// stay). Also returns, for every counted term id, its index in `terms`.
    pub(crate) fn from_counted(
        counted: &mut Counted,
        surfaces: Surfaces,
        lexed: &Lexed,
        n_docs: u64,
    ) -> (Statistics, Vec<u32>) {
        let (df, cf) = term_sums(&counted.rows, counted.terms.len());
        let names = std::mem::take(&mut counted.terms);
        let total_len = counted.doc_lens.iter().map(|&l| l as u64).sum();
        // Forms are looked up where they are, not copied into a list of their own.
        let Surfaces { entries, grams } = surfaces;
        assemble(
            names,
            df,
            cf,
            entries,
            |&form| lexed.form(&grams, form),
            n_docs,
            total_len,
        )
    }

    /// Groups counts and their surface forms by term, in term order, taking the counts' terms
    /// (rows stay): what [`Statistics::from_counted`] builds on, for a run to encode directly.
    pub(crate) fn group_counted<'s>(
        counted: &mut Counted,
        entries: Vec<(u32, Form, u64)>,
        lexed: &'s Lexed,
        grams: &'s [String],
    ) -> Grouped<'s> {
        let (df, cf) = term_sums(&counted.rows, counted.terms.len());
        let names = std::mem::take(&mut counted.terms);
        Grouped::new(names, df, cf, entries, |&form| lexed.form(grams, form))
    }

    /// Occurrences of the terms without a column (`stat_to_col`, per term, as
    /// [`Vectorizer::fit_statistics_columns`](super::Vectorizer::fit_statistics_columns) gives
    /// it): what a fit leaves out of the vocabulary.
    pub fn pruned_occurrences(&self, stat_to_col: &[Option<u32>]) -> u64 {
        self.terms
            .iter()
            .zip(stat_to_col)
            .filter(|(_, c)| c.is_none())
            .map(|(t, _)| t.cf)
            .sum()
    }

    /// Adds `other` into `self`, moving its terms (no copies): for streamed fits.
    pub fn absorb(&mut self, other: Statistics) {
        if self.terms.is_empty() {
            let (n, len) = (self.n_docs, self.total_len);
            *self = other;
            self.n_docs += n;
            self.total_len += len;
            return;
        }
        let mine = std::mem::take(&mut self.terms);
        let mut terms = Vec::with_capacity(mine.len().max(other.terms.len()));
        let (mut a, mut b) = (
            mine.into_iter().peekable(),
            other.terms.into_iter().peekable(),
        );
        loop {
            let order = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.term.cmp(&y.term),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            match order {
                std::cmp::Ordering::Less => terms.extend(a.next()),
                std::cmp::Ordering::Greater => terms.extend(b.next()),
                std::cmp::Ordering::Equal => {
                    let (mut x, y) = (a.next().expect("peeked"), b.next().expect("peeked"));
                    x.df += y.df;
                    x.cf += y.cf;
                    let both = x
                        .surfaces
                        .into_iter()
                        .chain(y.surfaces)
                        .map(|(s, c)| (Cow::Owned(s), c));
                    x.surfaces = sum_sorted(both.collect());
                    terms.push(x);
                }
            }
        }
        self.terms = terms;
        self.n_docs += other.n_docs;
        self.total_len += other.total_len;
    }

    /// The sum of two statistics.
    pub fn merge(&self, other: &Statistics) -> Statistics {
        let (a, b) = (&self.terms, &other.terms);
        let mut terms = Vec::with_capacity(a.len().max(b.len()));
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.term.cmp(&y.term),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    terms.push(a[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    terms.push(b[j].clone());
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let both = a[i].surfaces.iter().chain(&b[j].surfaces);
                    terms.push(TermStats {
                        term: a[i].term.clone(),
                        df: a[i].df + b[j].df,
                        cf: a[i].cf + b[j].cf,
                        surfaces: sum_sorted(
                            both.map(|(s, c)| (Cow::Borrowed(s.as_str()), *c)).collect(),
                        ),
                    });
                    i += 1;
                    j += 1;
                }
            }
        }
        Statistics {
            n_docs: self.n_docs + other.n_docs,
            total_len: self.total_len + other.total_len,
            terms,
        }
    }

    /// Checks what a file could have broken: order, uniqueness, counts.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: String| Error::param("statistics", "terms", reason);
        // Checked in parallel; the first fault in term order is reported.
        if let Some(w) = self
            .terms
            .par_windows(2)
            .find_first(|w| w[0].term >= w[1].term)
        {
            return Err(bad(format!(
                "terms must be sorted and unique (at `{}`)",
                w[1].term
            )));
        }
        let fault = self.terms.par_iter().find_map_first(|t| {
            if t.df > self.n_docs || t.df > t.cf {
                return Some(format!(
                    "term `{}`: df {} vs cf {} and n_docs {}",
                    t.term, t.df, t.cf, self.n_docs
                ));
            }
            t.surfaces
                .windows(2)
                .any(|w| w[0].0 >= w[1].0)
                .then(|| format!("term `{}`: surfaces must be sorted and unique", t.term))
        });
        fault.map_or(Ok(()), |reason| Err(bad(reason)))
    }
}

/// Sorts `names` by their text, in place. Returns, per new place, the old index (`order`), and
/// per old index, the new place (`rank`). Each name is sorted together with its first eight
/// bytes as one number, which decides most comparisons without reaching the strings.
pub(crate) fn sort_by_text(names: &mut Vec<String>) -> (Vec<u32>, Vec<u32>) {
    let mut keyed: Vec<(u64, u32, String)> = std::mem::take(names)
        .into_par_iter()
        .enumerate()
        .map(|(t, name)| (text_prefix(&name), t as u32, name))
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
    let (order, sorted): (Vec<u32>, Vec<String>) =
        keyed.into_par_iter().map(|(_, t, name)| (t, name)).unzip();
    let mut rank = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old as usize] = new as u32;
    }
    *names = sorted;
    (order, rank)
}

/// Per term id below `n_terms`: the rows that hold it (df) and its summed counts (cf). Each
/// thread sums a share of the rows; the shares are added up (integers: the order is moot).
fn term_sums(rows: &[Vec<(u32, u32)>], n_terms: usize) -> (Vec<u64>, Vec<u64>) {
    let share = rows.len().div_ceil(rayon::current_num_threads()).max(1);
    let mut shares: Vec<(Vec<u64>, Vec<u64>)> = rows
        .par_chunks(share)
        .map(|rows| {
            let (mut df, mut cf) = (vec![0u64; n_terms], vec![0u64; n_terms]);
            for row in rows {
                for &(t, c) in row {
                    df[t as usize] += 1;
                    cf[t as usize] += c as u64;
                }
            }
            (df, cf)
        })
        .collect();
    let (mut df, mut cf) = shares
        .pop()
        .unwrap_or_else(|| (vec![0; n_terms], vec![0; n_terms]));
    for (df2, cf2) in shares {
        df.iter_mut().zip(df2).for_each(|(a, b)| *a += b);
        cf.iter_mut().zip(cf2).for_each(|(a, b)| *a += b);
    }
    (df, cf)
}

/// The first eight bytes of a text as one number (zeros after its end): numbers order like
/// the texts, except that equal numbers need the texts compared in full.
pub(crate) fn text_prefix(text: &str) -> u64 {
    let mut prefix = [0u8; 8];
    let len = text.len().min(8);
    prefix[..len].copy_from_slice(&text.as_bytes()[..len]);
    u64::from_be_bytes(prefix)
}

/// Terms sorted, with their df, cf and surface forms grouped by term: what [`assemble`] makes
/// statistics of, and a streamed fit encodes as a run.
pub(crate) struct Grouped<'s> {
    /// The terms in term order.
    pub names: Vec<String>,
    /// Per place in `names`, the term's old id.
    order: Vec<u32>,
    /// Per old id, its place in `names`.
    pub index: Vec<u32>,
    df: Vec<u64>,
    cf: Vec<u64>,
    /// The forms of old id `t` are `placed[bounds[t]..bounds[t + 1]]`, unsorted.
    placed: Vec<(&'s str, u64)>,
    bounds: Vec<usize>,
}

impl<'s> Grouped<'s> {
    /// Groups terms (by id) with their df, cf and (term id, surface form, count) entries;
    /// `form` gives the text of a form.
    fn new<F: Send + Sync>(
        mut names: Vec<String>,
        df: Vec<u64>,
        cf: Vec<u64>,
        surfaces: Vec<(u32, F, u64)>,
        form: impl Fn(&F) -> &'s str + Sync,
    ) -> Self {
        let n = names.len();
        // Surface forms grouped by term with a counting sort, each form's text resolved once.
        let mut bounds = vec![0usize; n + 1];
        for &(t, _, _) in &surfaces {
            bounds[t as usize + 1] += 1;
        }
        for t in 0..n {
            bounds[t + 1] += bounds[t];
        }
        // `placed[p]` is the text and count of `surfaces[from[p]]`.
        let mut from = vec![0u32; surfaces.len()];
        let mut next = bounds.clone();
        for (i, &(t, _, _)) in surfaces.iter().enumerate() {
            from[next[t as usize]] = i as u32;
            next[t as usize] += 1;
        }
        drop(next);
        let placed: Vec<(&str, u64)> = from
            .par_iter()
            .map(|&i| {
                let (_, f, c) = &surfaces[i as usize];
                (form(f), *c)
            })
            .collect();
        drop((from, surfaces));
        let (order, index) = sort_by_text(&mut names);
        Grouped {
            names,
            order,
            index,
            df,
            cf,
            placed,
            bounds,
        }
    }

    /// The df and cf of the term at `place`, and calls `each` with its forms, sorted, equal
    /// forms summed (most terms have one or two).
    pub fn term(&self, place: usize, mut each: impl FnMut(&'s str, u64)) -> (u64, u64) {
        let t = self.order[place] as usize;
        let mut forms = &self.placed[self.bounds[t]..self.bounds[t + 1]];
        let sorted;
        if forms.len() > 1 {
            let mut copy = forms.to_vec();
            copy.sort_unstable_by(|a, b| a.0.cmp(b.0));
            sorted = copy;
            forms = &sorted;
        }
        let mut last: Option<(&str, u64)> = None;
        for &(f, c) in forms {
            match &mut last {
                Some((text, count)) if *text == f => *count += c,
                _ => {
                    if let Some((text, count)) = last {
                        each(text, count);
                    }
                    last = Some((f, c));
                }
            }
        }
        if let Some((text, count)) = last {
            each(text, count);
        }
        (self.df[t], self.cf[t])
    }

    /// Forms per place, before summing: an upper bound to size buffers.
    pub fn n_forms(&self, place: usize) -> usize {
        let t = self.order[place] as usize;
        self.bounds[t + 1] - self.bounds[t]
    }
}

/// Statistics from terms (by id) with their df, cf and (term id, surface form, count) entries:
/// terms sorted, each term's forms sorted and summed. Also returns each term id's index.
/// `form` gives the text of a form.
fn assemble<'s, F: Send + Sync>(
    names: Vec<String>,
    df: Vec<u64>,
    cf: Vec<u64>,
    surfaces: Vec<(u32, F, u64)>,
    form: impl Fn(&F) -> &'s str + Sync,
    n_docs: u64,
    total_len: u64,
) -> (Statistics, Vec<u32>) {
    let mut grouped = Grouped::new(names, df, cf, surfaces, form);
    let names = std::mem::take(&mut grouped.names);
    let terms = names
        .into_par_iter()
        .enumerate()
        .map(|(place, term)| {
            let mut summed: Vec<(String, u64)> = Vec::with_capacity(grouped.n_forms(place));
            let (df, cf) = grouped.term(place, |f, c| summed.push((f.to_string(), c)));
            TermStats {
                term,
                df,
                cf,
                surfaces: summed,
            }
        })
        .collect();
    (
        Statistics {
            n_docs,
            total_len,
            terms,
        },
        grouped.index,
    )
}

/// One chunk's counts, from [`StatisticsTally::add_rows`].
pub struct TallyRows {
    /// Per document: (tally term id, count), sorted by id within the chunk's first-seen order.
    pub rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept single-term tokens (the length BM25 uses).
    pub doc_lens: Vec<u32>,
    /// Tokens before filters removed any.
    pub tokens: u64,
}

/// Statistics summed chunk by chunk in memory (a streamed `vectorize`, whose spilled counts
/// need one id per term across chunks): terms are kept by id in hash tables and sorted once at
/// the end. Terms and forms are split into shards by hash, so a chunk is added to the shards in
/// parallel. Memory grows with the vocabulary; a streamed fit uses
/// [`StatisticsRuns`](super::StatisticsRuns) instead.
pub struct StatisticsTally {
    analyzer: Analyzer,
    shards: Vec<TallyShard>,
    /// Per tally id: document and corpus frequency.
    df: Vec<u64>,
    cf: Vec<u64>,
    n_docs: u64,
    total_len: u64,
}

const TALLY_SHARDS: usize = 64;

/// The shard of a term or form hash: bits 32..38, which hashbrown uses neither for placing an
/// entry (low bits) nor for its tag (top seven).
fn tally_shard(hash: u64) -> usize {
    (hash >> 32) as usize % TALLY_SHARDS
}

/// The terms and forms whose hash falls in one shard.
#[derive(Default)]
struct TallyShard {
    /// Index in `terms` of each term, by the term's hash.
    table: HashTable<u32>,
    /// The shard's terms with their tally id.
    terms: Vec<(Box<str>, u32)>,
    /// Surface form → (tally id, occurrences): a form analyzes to one term, so this is the
    /// sum by (term, form)...
    surfaces: FxHashMap<Box<str>, (u32, u64)>,
    /// ...but for the odd form that two terms share (a normalized word that reads like an
    /// n-gram), kept here.
    shared: FxHashMap<(u32, Box<str>), u64>,
}

/// What a shard found for one of a chunk's terms: its tally id, or (with `NEW`) its place
/// among the shard's new terms. Tally ids stay below 2^31: that many terms would not fit in
/// memory anyway.
const NEW: u32 = 1 << 31;

impl TallyShard {
    /// Looks up a chunk's terms (chunk term id, text, hash), adding the new ones; returns per
    /// term its tally id, or its place among the new ones with `NEW`, ids being given after.
    fn find_or_add(&mut self, terms: &[(u32, &str, u64)]) -> Vec<u32> {
        let mut n_new = 0;
        terms
            .iter()
            .map(|&(_, term, hash)| {
                let known = &self.terms;
                let seen = self.table.find(hash, |&i| &*known[i as usize].0 == term);
                match seen {
                    Some(&i) => self.terms[i as usize].1,
                    None => {
                        let i = self.terms.len() as u32;
                        self.terms.push((term.into(), NEW | n_new));
                        let known = &self.terms;
                        // Growing the table hashes its terms again (rarely: it doubles).
                        self.table
                            .insert_unique(hash, i, |&i| text_hash(&known[i as usize].0));
                        n_new += 1;
                        NEW | (n_new - 1)
                    }
                }
            })
            .collect()
    }
}

impl StatisticsTally {
    pub(crate) fn new(analyzer: Analyzer) -> Self {
        StatisticsTally {
            analyzer,
            shards: (0..TALLY_SHARDS).map(|_| TallyShard::default()).collect(),
            df: Vec::new(),
            cf: Vec::new(),
            n_docs: 0,
            total_len: 0,
        }
    }

    /// Counts a chunk of documents into the sums.
    pub fn add(&mut self, docs: &[Document]) {
        self.add_rows(docs);
    }

    /// Like [`StatisticsTally::add`]; also returns the chunk's counts: per document its
    /// (tally term id, count) pairs and its length, and the chunk's tokens. A streamed
    /// `vectorize` keeps these instead of reading the text again; ids map to columns with
    /// [`StatisticsTally::finish_ids`].
    pub fn add_rows(&mut self, docs: &[Document]) -> TallyRows {
        let lexed = lex(&self.analyzer, docs);
        let (counted, surfaces) = count_lexed(&self.analyzer, &lexed, docs.len(), true);
        let trace = super::count::Trace::start();
        // The chunk's terms by shard, in chunk order within a shard.
        let hashes: Vec<u64> = counted.terms.par_iter().map(|t| text_hash(t)).collect();
        let mut by_shard: Vec<Vec<(u32, &str, u64)>> = vec![Vec::new(); TALLY_SHARDS];
        for (t, (term, &hash)) in counted.terms.iter().zip(&hashes).enumerate() {
            by_shard[tally_shard(hash)].push((t as u32, term, hash));
        }
        drop(hashes);
        let found: Vec<Vec<u32>> = self
            .shards
            .par_iter_mut()
            .zip(&by_shard)
            .map(|(shard, terms)| shard.find_or_add(terms))
            .collect();
        // New terms get ids shard by shard, in chunk order within a shard: fixed by the input.
        let mut global = vec![0u32; counted.terms.len()];
        let mut next = self.df.len() as u32;
        for (shard, (terms, found)) in self.shards.iter_mut().zip(by_shard.iter().zip(&found)) {
            let base = next;
            for (&(t, _, _), &f) in terms.iter().zip(found) {
                global[t as usize] = if f & NEW != 0 { base + (f & !NEW) } else { f };
            }
            let n_new = found.iter().filter(|&&f| f & NEW != 0).count() as u32;
            let fresh = shard.terms.len() - n_new as usize;
            for (k, entry) in shard.terms[fresh..].iter_mut().enumerate() {
                entry.1 = base + k as u32;
            }
            next += n_new;
        }
        drop((by_shard, found));
        self.df.resize(next as usize, 0);
        self.cf.resize(next as usize, 0);
        let (df, cf) = term_sums(&counted.rows, counted.terms.len());
        for ((&g, d), c) in global.iter().zip(df).zip(cf) {
            self.df[g as usize] += d;
            self.cf[g as usize] += c;
        }
        let mut rows = counted.rows;
        rows.par_iter_mut().for_each(|row| {
            for (t, _) in row.iter_mut() {
                *t = global[*t as usize];
            }
        });
        // Surface forms by the shard of the form's hash (a form always lands in one shard).
        let form = |f| lexed.form(&surfaces.grams, f);
        let form_shards: Vec<u8> = surfaces
            .entries
            .par_iter()
            .map(|&(_, f, _)| tally_shard(text_hash(form(f))) as u8)
            .collect();
        let mut forms_by_shard: Vec<Vec<(&str, u32, u64)>> = vec![Vec::new(); TALLY_SHARDS];
        for (&(t, f, c), &shard) in surfaces.entries.iter().zip(&form_shards) {
            forms_by_shard[shard as usize].push((form(f), global[t as usize], c));
        }
        drop(form_shards);
        self.shards
            .par_iter_mut()
            .zip(&forms_by_shard)
            .for_each(|(shard, forms)| {
                for &(form, t, c) in forms {
                    match shard.surfaces.get_mut(form) {
                        Some(entry) if entry.0 == t => entry.1 += c,
                        Some(_) => *shard.shared.entry((t, form.into())).or_insert(0) += c,
                        None => {
                            shard.surfaces.insert(form.into(), (t, c));
                        }
                    }
                }
            });
        self.n_docs += docs.len() as u64;
        self.total_len += counted.doc_lens.iter().map(|&l| l as u64).sum::<u64>();
        trace.mark("tally merge");
        TallyRows {
            rows,
            doc_lens: counted.doc_lens,
            tokens: counted.tokens,
        }
    }

    /// Documents counted so far.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// The statistics of everything added.
    pub fn finish(self) -> Statistics {
        self.finish_ids().0
    }

    /// Like [`StatisticsTally::finish`]; also returns, for every tally term id, the index of
    /// its term in the statistics.
    pub fn finish_ids(self) -> (Statistics, Vec<u32>) {
        let mut names = vec![String::new(); self.df.len()];
        let mut shards = self.shards;
        for shard in &mut shards {
            shard.table = HashTable::new();
            for (term, id) in std::mem::take(&mut shard.terms) {
                names[id as usize] = term.into_string();
            }
        }
        let mut surfaces: Vec<(u32, &str, u64)> = Vec::new();
        for shard in &shards {
            surfaces.extend(
                shard
                    .surfaces
                    .iter()
                    .map(|(form, &(t, c))| (t, form.as_ref(), c)),
            );
            surfaces.extend(
                shard
                    .shared
                    .iter()
                    .map(|((t, form), &c)| (*t, form.as_ref(), c)),
            );
        }
        assemble(
            names,
            self.df,
            self.cf,
            surfaces,
            |&form| form,
            self.n_docs,
            self.total_len,
        )
    }
}

/// Sorts (form, count) pairs by form and adds the counts of equal forms.
fn sum_sorted(mut pairs: Vec<(Cow<'_, str>, u64)>) -> Vec<(String, u64)> {
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, u64)> = Vec::with_capacity(pairs.len());
    for (s, c) in pairs {
        match out.last_mut() {
            Some((last, count)) if *last == s => *count += c,
            _ => out.push((s.into_owned(), c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (term, df, [(surface, count)]).
    type Row<'a> = (&'a str, u64, &'a [(&'a str, u64)]);

    fn stats(n_docs: u64, terms: &[Row]) -> Statistics {
        Statistics {
            n_docs,
            total_len: n_docs * 3,
            terms: terms
                .iter()
                .map(|(t, df, s)| TermStats {
                    term: t.to_string(),
                    df: *df,
                    cf: s.iter().map(|x| x.1).sum(),
                    surfaces: s.iter().map(|(a, c)| (a.to_string(), *c)).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn merge_adds_and_keeps_order() {
        let a = stats(
            2,
            &[("base", 1, &[("bases", 2)]), ("troop", 2, &[("troops", 2)])],
        );
        let b = stats(
            1,
            &[
                ("army", 1, &[("army", 1)]),
                ("base", 1, &[("base", 1), ("bases", 1)]),
            ],
        );
        let m = a.merge(&b);
        assert_eq!(m.n_docs, 3);
        let base = &m.terms[1];
        assert_eq!((base.term.as_str(), base.df, base.cf), ("base", 2, 4));
        assert_eq!(
            base.surfaces,
            [("base".to_string(), 1), ("bases".to_string(), 3)]
        );
        assert_eq!(base.best_surface(), Some("bases"));
        assert_eq!(
            m.terms.iter().map(|t| t.term.as_str()).collect::<Vec<_>>(),
            ["army", "base", "troop"]
        );
    }

    #[test]
    fn merge_is_associative_and_commutative() {
        let a = stats(1, &[("a", 1, &[("A", 1)]), ("c", 1, &[("c", 2)])]);
        let b = stats(2, &[("b", 2, &[("b", 2)]), ("c", 1, &[("C", 1)])]);
        let c = stats(1, &[("a", 1, &[("a", 1)])]);
        assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)));
        assert_eq!(a.merge(&b), b.merge(&a));
        assert_eq!(a.merge(&Statistics::default()), a);
        let mut absorbed = a.clone();
        absorbed.absorb(b.clone());
        absorbed.absorb(c.clone());
        assert_eq!(absorbed, a.merge(&b).merge(&c));
    }

    #[test]
    fn validate_catches_disorder() {
        let mut s = stats(1, &[("a", 1, &[("a", 1)]), ("b", 1, &[("b", 1)])]);
        assert!(s.validate().is_ok());
        s.terms.swap(0, 1);
        assert!(s.validate().is_err());
    }
}
