//! Counting: a tokenized corpus (`crate::tokens`) to sparse per-document term counts, each
//! chunk's documents counted through the lexicon (array lookups, no hashing of tokens), in
//! parallel. Chunks are fixed by the input, so results are identical for any `--threads`.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, for_each_ngram};
use crate::corpus::Document;
use crate::tokens::{BOUNDARY, Form, NONE, TokenizedCorpus};
use crate::trace::Trace;

/// Counts of a corpus: global term ids, rows and lengths.
pub(crate) struct Counted {
    /// Term id → term (single terms first, then n-grams).
    pub terms: Vec<String>,
    /// Per document: (term id, count), sorted by term id.
    pub rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept single-term tokens (the length BM25 uses).
    pub doc_lens: Vec<u32>,
    /// Tokens before filters removed any.
    pub tokens: u64,
}

/// What a fit counts besides the rows: (term id, surface form, occurrences), one entry per
/// distinct pair.
#[derive(Default)]
pub(crate) struct Surfaces {
    pub entries: Vec<(u32, Form, u64)>,
    /// The forms of n-grams, which no spelling has.
    pub grams: Vec<String>,
}

/// Counts a corpus without surface forms (what transform needs).
pub(crate) fn count(analyzer: &Analyzer, docs: &[Document]) -> Counted {
    count_lexed(
        analyzer,
        &mut TokenizedCorpus::new(analyzer, docs),
        docs.len(),
        false,
    )
    .0
}

/// Counts an analyzed corpus of `n_docs` documents; `surfaces` asks for surface-form counts
/// too (fit needs them, transform not). The terms move from `lexed` into the result.
///
/// Long (about 210 lines): it is the counting loop of every fit and transform, one pass over
/// the tokens with its tables hot in cache. Splitting it is left until a split can be timed
/// against this one (`benches/old_vs_new.py`, alternating builds).
pub(crate) fn count_lexed(
    analyzer: &Analyzer,
    lexed: &mut TokenizedCorpus,
    n_docs: usize,
    surfaces: bool,
) -> (Counted, Surfaces) {
    let trace = Trace::start();
    let terms = std::mem::take(&mut lexed.terms);
    let lexed = &*lexed;
    let TokenizedCorpus {
        chunks,
        local_to_raw,
        raws,
        raw_terms: raw_term,
        changed,
        ..
    } = lexed;
    let mut result_surfaces = Surfaces::default();
    let surface_of = |raw: usize| -> &str { lexed.surface(raw as u32) };
    let n_unigrams = terms.len() as u32;

    // Count every chunk through the lexicon.
    let config = analyzer.config();
    let (ngram_min, ngram_max) = (config.ngram_min, config.ngram_max);
    let counted: Vec<ChunkCounts> = chunks
        .par_iter()
        .zip(local_to_raw.par_iter())
        // A count per term, all zero between documents: one per worker, not one per chunk
        // (each would be as long as the vocabulary, zeroed afresh).
        .map_init(Vec::new, |dense: &mut Vec<u32>, (chunk, to_raw)| {
            // Each local spelling's term, looked up once per chunk rather than once per token.
            let local_terms: Vec<u32> = to_raw.iter().map(|&r| raw_term[r as usize]).collect();
            let term_of = |local: u32| local_terms[(local & !BOUNDARY) as usize];
            let mut out = ChunkCounts {
                raw_counts: vec![0; chunk.n_raws()],
                ..Default::default()
            };
            let mut ngram_ids: FxHashMap<String, u32> = FxHashMap::default();
            let mut ngram_surfaces: FxHashMap<String, (u32, u64)> = FxHashMap::default();
            let (mut gram, mut gram_surface) = (String::new(), String::new());
            let mut doc_terms: Vec<u32> = Vec::new();
            let mut start = 0;
            if ngram_min == 1 && ngram_max == 1 {
                // Single terms only: count into a dense array, sort just the distinct terms.
                dense.resize(terms.len(), 0);
                for &end in &chunk.doc_ends {
                    doc_terms.clear();
                    let mut len = 0;
                    for &tok in &chunk.tokens[start..end] {
                        let local = tok & !BOUNDARY;
                        let t = term_of(local);
                        if t == NONE {
                            continue;
                        }
                        out.raw_counts[local as usize] += 1;
                        len += 1;
                        if dense[t as usize] == 0 {
                            doc_terms.push(t);
                        }
                        dense[t as usize] += 1;
                    }
                    out.tokens += (end - start) as u64;
                    start = end;
                    doc_terms.sort_unstable();
                    out.rows.push(
                        doc_terms
                            .iter()
                            .map(|&t| (t, std::mem::take(&mut dense[t as usize])))
                            .collect(),
                    );
                    out.doc_lens.push(len);
                }
                return out;
            }
            for &end in &chunk.doc_ends {
                let tokens = chunk.tokens[start..end].iter().map(|&tok| {
                    let t = term_of(tok);
                    (
                        (t != NONE).then_some((t, tok & !BOUNDARY)),
                        tok & BOUNDARY != 0,
                    )
                });
                let items = analyzer.ngram_items(tokens);
                out.tokens += (end - start) as u64;
                start = end;
                doc_terms.clear();
                for_each_ngram(&items, ngram_min, ngram_max, |range| {
                    if range.len() == 1 {
                        let (t, local) = items[range.start].0;
                        out.raw_counts[local as usize] += 1;
                        doc_terms.push(t);
                        return;
                    }
                    gram.clear();
                    gram_surface.clear();
                    for (k, &((t, local), _)) in items[range].iter().enumerate() {
                        if k > 0 {
                            gram.push(' ');
                            gram_surface.push(' ');
                        }
                        gram.push_str(&terms[t as usize]);
                        gram_surface.push_str(surface_of(to_raw[local as usize] as usize));
                    }
                    let id = match ngram_ids.get(gram.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = out.ngrams.len() as u32;
                            out.ngrams.push(gram.clone());
                            ngram_ids.insert(gram.clone(), id);
                            id
                        }
                    };
                    if surfaces {
                        ngram_surfaces
                            .entry(gram_surface.clone())
                            .or_insert((id, 0))
                            .1 += 1;
                    }
                    doc_terms.push(id | BOUNDARY);
                });
                out.doc_lens.push(items.len() as u32);
                out.rows.push(run_lengths(&mut doc_terms));
            }
            out.ngram_surfaces = ngram_surfaces
                .into_iter()
                .map(|(s, (id, c))| (id, s, c))
                .collect();
            out
        })
        .collect();

    trace.mark("counted");
    // Merge: n-gram ids become global (after the single terms), surfaces are summed.
    let mut raw_counts = vec![0u64; raws.len()];
    let mut ngram_global: FxHashMap<String, u32> = FxHashMap::default();
    let mut result = Counted {
        terms,
        rows: Vec::with_capacity(n_docs),
        doc_lens: Vec::new(),
        tokens: 0,
    };
    let mut ngram_surfaces: FxHashMap<(u32, String), u64> = FxHashMap::default();
    for (chunk, to_raw) in counted.into_iter().zip(local_to_raw.iter()) {
        for (local, &c) in chunk.raw_counts.iter().enumerate() {
            raw_counts[to_raw[local] as usize] += c as u64;
        }
        let ngram_map: Vec<u32> = chunk
            .ngrams
            .into_iter()
            .map(|g| {
                let next = result.terms.len() as u32;
                *ngram_global.entry(g).or_insert_with_key(|g| {
                    result.terms.push(g.clone());
                    next
                })
            })
            .collect();
        for (id, s, c) in chunk.ngram_surfaces {
            *ngram_surfaces
                .entry((ngram_map[id as usize], s))
                .or_insert(0) += c;
        }
        for mut row in chunk.rows {
            if !ngram_map.is_empty() {
                for (t, _) in row.iter_mut() {
                    if *t & BOUNDARY != 0 {
                        *t = ngram_map[(*t & !BOUNDARY) as usize];
                    }
                }
                row.sort_unstable_by_key(|&(t, _)| t);
            }
            result.rows.push(row);
        }
        result.doc_lens.extend(chunk.doc_lens);
        result.tokens += chunk.tokens;
    }
    trace.mark("merged");
    debug_assert!(result.terms.len() as u64 >= n_unigrams as u64);
    if surfaces {
        // Distinct spellings are distinct surfaces unless normalizing merged them: only those
        // go through a map.
        // (term, normalized form) → (first spelling with that form, occurrences).
        let mut normalized: FxHashMap<(u32, &str), (u32, u64)> = FxHashMap::default();
        for (raw, &c) in raw_counts.iter().enumerate() {
            let t = raw_term[raw];
            if c == 0 || t == NONE {
                continue;
            }
            match changed.get(&(raw as u32)) {
                None => result_surfaces
                    .entries
                    .push((t, Form::Spelling(raw as u32), c)),
                Some(s) => {
                    normalized
                        .entry((t, s.as_str()))
                        .or_insert((raw as u32, 0))
                        .1 += c
                }
            }
        }
        result_surfaces.entries.extend(
            normalized
                .into_iter()
                .map(|((t, _), (raw, c))| (t, Form::Spelling(raw), c)),
        );
        for ((t, s), c) in ngram_surfaces {
            let g = result_surfaces.grams.len() as u32;
            result_surfaces.grams.push(s);
            result_surfaces.entries.push((t, Form::Gram(g), c));
        }
    }
    (result, result_surfaces)
}

#[derive(Default)]
struct ChunkCounts {
    rows: Vec<Vec<(u32, u32)>>,
    doc_lens: Vec<u32>,
    /// Occurrences counted per local raw id (single terms only).
    raw_counts: Vec<u32>,
    ngrams: Vec<String>,
    ngram_surfaces: Vec<(u32, String, u64)>,
    tokens: u64,
}

/// Sorts term ids and turns them into (id, count) pairs.
fn run_lengths(ids: &mut [u32]) -> Vec<(u32, u32)> {
    ids.sort_unstable();
    let mut row: Vec<(u32, u32)> = Vec::new();
    for &t in ids.iter() {
        match row.last_mut() {
            Some((last, count)) if *last == t => *count += 1,
            _ => row.push((t, 1)),
        }
    }
    row
}
