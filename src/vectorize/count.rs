//! Counting: documents to sparse per-document term counts.
//!
//! Three steps, each parallel where it can be:
//! 1. tokenize chunks of documents, interning each chunk's distinct raw tokens;
//! 2. unite the chunks' raw tokens into one lexicon and analyze every distinct spelling once
//!    (normalize, filter, stem), in parallel;
//! 3. count each chunk's documents through the lexicon (array lookups, no hashing of tokens).
//!
//! Chunk boundaries depend only on the input, never on the thread count, and ids are assigned
//! in chunk order, so results are identical for any `--threads`.

use std::borrow::Cow;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, Span, for_each_ngram};
use crate::corpus::Document;

pub(crate) const NONE: u32 = u32::MAX;
const BOUNDARY: u32 = 1 << 31;
const CHUNK_BYTES: usize = 1 << 20;
const CHUNK_DOCS: usize = 4096;

/// Counts of a corpus: global term ids, rows, lengths and surface forms.
pub(crate) struct Counted<'a> {
    /// Term id → term (single terms first, then n-grams).
    pub terms: Vec<String>,
    /// Per document: (term id, count), sorted by term id.
    pub rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept single-term tokens (the length BM25 uses).
    pub doc_lens: Vec<u32>,
    /// (term id, surface form, occurrences), one entry per distinct pair (fit only).
    pub surfaces: Vec<(u32, Cow<'a, str>, u64)>,
    /// Tokens before filters removed any.
    pub tokens: u64,
}

/// Splits documents into chunks of about `target_bytes` of text (at most `max_docs` documents).
fn chunk_bounds(
    docs: &[Document],
    target_bytes: usize,
    max_docs: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut bounds = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        bytes += doc.text.len() + 64;
        if bytes >= target_bytes || i + 1 - start >= max_docs {
            bounds.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < docs.len() {
        bounds.push(start..docs.len());
    }
    bounds
}

/// A chunk after tokenizing: distinct raw tokens, and every token as a local id.
struct Tokenized<'a> {
    raws: Vec<&'a str>,
    /// Local raw id, with `BOUNDARY` set when a phrase may not continue into the token.
    tokens: Vec<u32>,
    /// End offset in `tokens` of each document.
    doc_ends: Vec<usize>,
}

fn tokenize_chunk<'a>(analyzer: &Analyzer, docs: &'a [Document]) -> Tokenized<'a> {
    let mut ids: FxHashMap<&'a str, u32> = FxHashMap::default();
    let mut out = Tokenized {
        raws: Vec::new(),
        tokens: Vec::new(),
        doc_ends: Vec::with_capacity(docs.len()),
    };
    let mut spans: Vec<Span> = Vec::new();
    for doc in docs {
        let text = doc.text.as_str();
        analyzer.spans_into(text, &mut spans);
        for span in &spans {
            let raw = &text[span.start..span.end];
            let id = *ids.entry(raw).or_insert_with(|| {
                out.raws.push(raw);
                (out.raws.len() - 1) as u32
            });
            out.tokens
                .push(if span.boundary { id | BOUNDARY } else { id });
        }
        out.doc_ends.push(out.tokens.len());
    }
    out
}

/// Phase timings on stderr when `PARALLAX_TRACE` is set: a profiling aid for developers.
pub(crate) struct Trace(Option<std::time::Instant>);

impl Trace {
    pub(crate) fn start() -> Self {
        Trace(std::env::var_os("PARALLAX_TRACE").map(|_| std::time::Instant::now()))
    }

    pub(crate) fn mark(&self, what: &str) {
        if let Some(t0) = self.0 {
            eprintln!(
                "parallax trace: {what} at {:.3} s",
                t0.elapsed().as_secs_f64()
            );
        }
    }
}

/// A corpus cut into tokens, with every distinct spelling analyzed once: what counting and
/// keyword extraction share.
pub(crate) struct Lexed<'a> {
    chunks: Vec<Tokenized<'a>>,
    /// Index of each chunk's first document.
    chunk_starts: Vec<usize>,
    /// Per chunk: local raw id → spelling id.
    local_to_raw: Vec<Vec<u32>>,
    /// Distinct spellings, by id.
    pub raws: Vec<&'a str>,
    /// Per spelling: its surface form if normalizing changed it, and its term id (`NONE` if a
    /// filter removed it).
    pub analyzed: Vec<(Option<String>, u32)>,
    /// Term id → term (single terms).
    pub terms: Vec<String>,
}

impl<'a> Lexed<'a> {
    /// Number of chunks (fixed by the input, never by the thread count).
    pub fn n_chunks(&self) -> usize {
        self.chunks.len()
    }

    /// The documents of chunk `c`: the index of the first, and each one's tokens as
    /// (spelling id, whether a phrase may not continue into the token).
    pub fn chunk_docs(
        &self,
        c: usize,
    ) -> (
        usize,
        impl Iterator<Item = impl Iterator<Item = (u32, bool)> + '_> + '_,
    ) {
        let chunk = &self.chunks[c];
        let to_raw = &self.local_to_raw[c];
        let starts = std::iter::once(0).chain(chunk.doc_ends.iter().copied());
        let docs = starts.zip(&chunk.doc_ends).map(move |(start, &end)| {
            chunk.tokens[start..end]
                .iter()
                .map(move |&tok| (to_raw[(tok & !BOUNDARY) as usize], tok & BOUNDARY != 0))
        });
        (self.chunk_starts[c], docs)
    }

    /// The surface form of a spelling.
    pub fn surface(&self, raw: u32) -> &str {
        self.analyzed[raw as usize]
            .0
            .as_deref()
            .unwrap_or(self.raws[raw as usize])
    }
}

/// Tokenizes a corpus in chunks and analyzes each distinct spelling once.
pub(crate) fn lex<'a>(analyzer: &Analyzer, docs: &'a [Document]) -> Lexed<'a> {
    let trace = Trace::start();
    let bounds = chunk_bounds(docs, CHUNK_BYTES, CHUNK_DOCS);
    let chunk_starts = bounds.iter().map(|r| r.start).collect();
    let chunks: Vec<Tokenized> = bounds
        .into_par_iter()
        .map(|r| tokenize_chunk(analyzer, &docs[r]))
        .collect();

    trace.mark("tokenized");
    // Unite the chunks' spellings. Spellings are split into shards by hash so shards unite in
    // parallel; ids run shard by shard, first-seen order within a shard: fixed by the input.
    const SHARDS: usize = 64;
    let shard_of = |raw: &str| (rustc_hash::FxBuildHasher.hash_one(raw) >> 58) as usize % SHARDS;
    let by_shard: Vec<Vec<Vec<u32>>> = chunks
        .par_iter()
        .map(|c| {
            let mut lists = vec![Vec::new(); SHARDS];
            for (local, raw) in c.raws.iter().enumerate() {
                lists[shard_of(raw)].push(local as u32);
            }
            lists
        })
        .collect();
    let shards: Vec<(Vec<&str>, Vec<Vec<u32>>)> = (0..SHARDS)
        .into_par_iter()
        .map(|shard| {
            let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
            let mut raws: Vec<&str> = Vec::new();
            let per_chunk = chunks
                .iter()
                .zip(&by_shard)
                .map(|(c, lists)| {
                    lists[shard]
                        .iter()
                        .map(|&local| {
                            let raw = c.raws[local as usize];
                            *ids.entry(raw).or_insert_with(|| {
                                raws.push(raw);
                                (raws.len() - 1) as u32
                            })
                        })
                        .collect()
                })
                .collect();
            (raws, per_chunk)
        })
        .collect();
    let mut offsets = Vec::with_capacity(SHARDS);
    let mut raws: Vec<&str> = Vec::new();
    for (shard_raws, _) in &shards {
        offsets.push(raws.len() as u32);
        raws.extend_from_slice(shard_raws);
    }
    let local_to_raw: Vec<Vec<u32>> = chunks
        .par_iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut map = vec![0u32; c.raws.len()];
            for (shard, (_, per_chunk)) in shards.iter().enumerate() {
                for (&local, &id) in by_shard[ci][shard].iter().zip(&per_chunk[ci]) {
                    map[local as usize] = offsets[shard] + id;
                }
            }
            map
        })
        .collect();
    drop(by_shard);
    drop(shards);
    trace.mark("united");
    // Analyze each spelling once. The surface form is kept only where normalizing changed it.
    let analyzed: Vec<(Option<String>, Option<String>)> = raws
        .par_iter()
        .with_min_len(1024)
        .map_init(
            || (String::new(), String::new()),
            |(surface, term), raw| {
                analyzer.surface_into(raw, surface);
                let kept = analyzer.term_into(surface, term);
                (
                    (surface != raw).then(|| surface.clone()),
                    kept.then(|| term.clone()),
                )
            },
        )
        .collect();
    let mut term_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut terms: Vec<String> = Vec::new();
    let raw_term: Vec<u32> = analyzed
        .iter()
        .map(|(_, term)| match term {
            None => NONE,
            Some(t) => *term_ids.entry(t.as_str()).or_insert_with(|| {
                terms.push(t.clone());
                (terms.len() - 1) as u32
            }),
        })
        .collect();
    drop(term_ids);
    let analyzed = analyzed
        .into_iter()
        .zip(raw_term)
        .map(|((surface, _), t)| (surface, t))
        .collect();
    trace.mark("analyzed");
    Lexed {
        chunks,
        chunk_starts,
        local_to_raw,
        raws,
        analyzed,
        terms,
    }
}

/// Counts a corpus. `surfaces` asks for surface-form counts (fit needs them, transform not).
pub(crate) fn count<'a>(analyzer: &Analyzer, docs: &'a [Document], surfaces: bool) -> Counted<'a> {
    count_lexed(analyzer, &lex(analyzer, docs), docs.len(), surfaces)
}

/// Counts an analyzed corpus of `n_docs` documents.
pub(crate) fn count_lexed<'a>(
    analyzer: &Analyzer,
    lexed: &Lexed<'a>,
    n_docs: usize,
    surfaces: bool,
) -> Counted<'a> {
    let trace = Trace::start();
    let Lexed {
        chunks,
        local_to_raw,
        raws,
        analyzed,
        ..
    } = lexed;
    let raw_term: Vec<u32> = analyzed.iter().map(|&(_, t)| t).collect();
    let surface_of = |raw: usize| -> &str { lexed.surface(raw as u32) };
    let terms = lexed.terms.clone();
    let n_unigrams = terms.len() as u32;

    // Count every chunk through the lexicon.
    let config = analyzer.config();
    let (ngram_min, ngram_max) = (config.ngram_min, config.ngram_max);
    let counted: Vec<ChunkCounts> = chunks
        .par_iter()
        .zip(local_to_raw.par_iter())
        .map(|(chunk, to_raw)| {
            let term_of = |local: u32| raw_term[to_raw[(local & !BOUNDARY) as usize] as usize];
            let mut out = ChunkCounts {
                raw_counts: vec![0; chunk.raws.len()],
                ..Default::default()
            };
            let mut ngram_ids: FxHashMap<String, u32> = FxHashMap::default();
            let mut ngram_surfaces: FxHashMap<String, (u32, u64)> = FxHashMap::default();
            let (mut gram, mut gram_surface) = (String::new(), String::new());
            let mut doc_terms: Vec<u32> = Vec::new();
            let mut start = 0;
            if ngram_min == 1 && ngram_max == 1 {
                // Single terms only: count into a dense array, sort just the distinct terms.
                let mut dense = vec![0u32; terms.len()];
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
        surfaces: Vec::new(),
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
        let mut normalized: FxHashMap<(u32, &str), u64> = FxHashMap::default();
        for (raw, &c) in raw_counts.iter().enumerate() {
            let t = raw_term[raw];
            if c == 0 || t == NONE {
                continue;
            }
            match &analyzed[raw].0 {
                None => result.surfaces.push((t, Cow::Borrowed(raws[raw]), c)),
                Some(s) => *normalized.entry((t, s.as_str())).or_insert(0) += c,
            }
        }
        result.surfaces.extend(
            normalized
                .into_iter()
                .map(|((t, s), c)| (t, Cow::Owned(s.to_string()), c)),
        );
        result.surfaces.extend(
            ngram_surfaces
                .into_iter()
                .map(|((t, s), c)| (t, Cow::Owned(s), c)),
        );
    }
    result
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
