//! Corpus statistics: what a fit learns from, as sums that merge exactly.
//!
//! Document counts, lengths, and per term its document frequency, corpus frequency and surface
//! form counts. Merging adds them (terms kept sorted), so it is associative and commutative:
//! shards fitted apart and merged equal one fit over their union, byte for byte.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::count::{Counted, Surfaces};
use crate::error::{Error, Result};
use crate::tokens::{Form, TokenizedCorpus, text_prefix};

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
        lexed: &TokenizedCorpus,
        n_docs: u64,
    ) -> (Statistics, Vec<u32>) {
        let total_len = counted.doc_lens.iter().map(|&l| l as u64).sum();
        // Forms are looked up where they are, not copied into a list of their own.
        let Surfaces { entries, grams } = surfaces;
        let mut grouped = Self::group_counted(counted, entries, lexed, &grams);
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
        let stats = Statistics {
            n_docs,
            total_len,
            terms,
        };
        (stats, grouped.index)
    }

    /// Groups counts and their surface forms by term, in term order, taking the counts' terms
    /// (rows stay): what [`Statistics::from_counted`] builds on, and a run encodes directly.
    pub(crate) fn group_counted<'s>(
        counted: &mut Counted,
        entries: Vec<(u32, Form, u64)>,
        lexed: &'s TokenizedCorpus,
        grams: &'s [String],
    ) -> Grouped<'s> {
        let (df, cf) = term_sums(&counted.rows, counted.terms.len());
        let names = std::mem::take(&mut counted.terms);
        Grouped::new(names, df, cf, entries, |&form| lexed.form(grams, form))
    }

    /// Occurrences of the terms without a column (`stat_to_col`, per term, as
    /// `Vectorizer::fit_statistics_columns` gives it): what a fit leaves out of the vocabulary.
    pub fn pruned_occurrences(&self, stat_to_col: &[Option<u32>]) -> u64 {
        self.terms
            .iter()
            .zip(stat_to_col)
            .filter(|(_, c)| c.is_none())
            .map(|(t, _)| t.cf)
            .sum()
    }

    /// The sum of two statistics. Panics if a count passes `u64::MAX`, which counting text
    /// never reaches; sum statistics read from files with [`Statistics::try_merge`].
    pub fn merge(&self, other: &Statistics) -> Statistics {
        self.try_merge(other)
            .expect("statistics of counted text sum within u64")
    }

    /// The sum of two statistics, or `None` if a count (documents, tokens, a term's df or cf,
    /// a surface form's count) would pass `u64::MAX`: never a sum wrapped around.
    pub fn try_merge(&self, other: &Statistics) -> Option<Statistics> {
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
                    terms.push(TermStats {
                        term: a[i].term.clone(),
                        df: a[i].df.checked_add(b[j].df)?,
                        cf: a[i].cf.checked_add(b[j].cf)?,
                        surfaces: merge_sorted(a[i].surfaces.clone(), b[j].surfaces.clone())?,
                    });
                    i += 1;
                    j += 1;
                }
            }
        }
        Some(Statistics {
            n_docs: self.n_docs.checked_add(other.n_docs)?,
            total_len: self.total_len.checked_add(other.total_len)?,
            terms,
        })
    }

    /// Checks what a file could have broken: order, uniqueness, counts.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] (`statistics`) naming the first fault in term order: terms not sorted
    /// and unique, a df above the document count or the term's cf, or surface forms not sorted and
    /// unique.
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

/// True if `names` are in text order and unique.
fn is_sorted_by_text(names: &[String]) -> bool {
    names.par_windows(2).with_min_len(4096).all(|w| w[0] < w[1])
}

/// Terms sorted, with their df, cf and surface forms grouped by term: what
/// [`Statistics::from_counted`] makes statistics of, and a streamed fit encodes as a run.
pub(crate) struct Grouped<'s> {
    /// The terms in term order.
    pub names: Vec<String>,
    /// Per place in `names`, the term's old id.
    order: Vec<u32>,
    /// Per old id, its place in `names`.
    pub index: Vec<u32>,
    /// True if every old id is its place (the terms came sorted).
    pub same_order: bool,
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
        // Single terms come from the analysis in text order already: then nothing moves.
        let same_order = is_sorted_by_text(&names);
        let (order, index) = if same_order {
            let same: Vec<u32> = (0..n as u32).collect();
            (same.clone(), same)
        } else {
            sort_by_text(&mut names)
        };
        Grouped {
            names,
            order,
            index,
            same_order,
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

/// Two lists of (form, count), each sorted by form with no form twice, as one: a form in
/// both has its counts added. The forms move; nothing is sorted again.
pub(super) fn merge_sorted(
    a: Vec<(String, u64)>,
    b: Vec<(String, u64)>,
) -> Option<Vec<(String, u64)>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => return Some(out),
        };
        match order {
            std::cmp::Ordering::Less => out.extend(a.next()),
            std::cmp::Ordering::Greater => out.extend(b.next()),
            std::cmp::Ordering::Equal => {
                let ((form, x), (_, y)) = (a.next().unwrap(), b.next().unwrap());
                out.push((form, x.checked_add(y)?));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surface_lists_merge_in_order_with_shared_forms_added() {
        let list = |pairs: &[(&str, u64)]| -> Vec<(String, u64)> {
            pairs.iter().map(|&(f, c)| (f.to_string(), c)).collect()
        };
        // Byte order: capitals first, `based` before `bases`.
        let a = list(&[("Base", 1), ("based", 4), ("bases", 2)]);
        let b = list(&[("BASES", 3), ("bases", 5), ("basing", 1)]);
        assert_eq!(
            merge_sorted(a.clone(), b.clone()).unwrap(),
            list(&[
                ("BASES", 3),
                ("Base", 1),
                ("based", 4),
                ("bases", 7),
                ("basing", 1)
            ])
        );
        assert_eq!(
            merge_sorted(b.clone(), a.clone()).unwrap(),
            merge_sorted(a.clone(), b).unwrap()
        );
        assert_eq!(merge_sorted(a.clone(), Vec::new()).unwrap(), a);
    }

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
        // A sum past u64::MAX is refused, never wrapped.
        let mut full = a.clone();
        full.n_docs = u64::MAX - 1;
        assert_eq!(full.try_merge(&b), None);
        let mut full = a.clone();
        full.terms[0].df = u64::MAX;
        let mut again = a.clone();
        again.terms[0].df = 1;
        assert_eq!(full.try_merge(&again), None);
    }

    #[test]
    fn validate_catches_disorder() {
        let mut s = stats(1, &[("a", 1, &[("a", 1)]), ("b", 1, &[("b", 1)])]);
        assert!(s.validate().is_ok());
        s.terms.swap(0, 1);
        assert!(s.validate().is_err());
    }

    /// Grouping keeps ids when the terms come sorted, and moves them (forms with them) when
    /// they do not, as when n-grams follow the single terms.
    #[test]
    fn grouping_moves_terms_only_when_unsorted() {
        let group = |names: &[&'static str]| {
            let n = names.len();
            let forms: Vec<(u32, &'static str, u64)> = names
                .iter()
                .enumerate()
                .map(|(t, &name)| (t as u32, name, t as u64 + 1))
                .collect();
            let names = names.iter().map(|s| s.to_string()).collect();
            let df = (0..n as u64).collect();
            Grouped::new(
                names,
                df,
                vec![0; n],
                forms,
                |f: &&'static str| -> &'static str { f },
            )
        };
        let sorted = group(&["apple", "pear", "plum"]);
        assert!(sorted.same_order);
        assert_eq!(sorted.index, [0, 1, 2]);

        let unsorted = group(&["apple", "plum", "apple pear", "pear"]);
        assert!(!unsorted.same_order);
        assert_eq!(unsorted.names, ["apple", "apple pear", "pear", "plum"]);
        assert_eq!(unsorted.index, [0, 3, 1, 2]);
        // The term now second (old id 2) keeps its df and its form.
        let mut forms = Vec::new();
        assert_eq!(unsorted.term(1, |f, c| forms.push((f, c))), (2, 0));
        assert_eq!(forms, [("apple pear", 3)]);
    }
}
