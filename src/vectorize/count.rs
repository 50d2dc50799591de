//! Counting: documents to sparse per-document term counts, chunk by chunk.
//!
//! Each chunk interns its own terms (ids local to the chunk), so chunks run in parallel without
//! sharing; [`super`] merges them. A chunk's boundaries depend only on the input, never on the
//! thread count, and merges are sums, so results are identical for any `--threads`.

use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, Span, for_each_ngram};
use crate::corpus::Document;

pub(crate) const NONE: u32 = u32::MAX;

/// Counts of one chunk of documents.
#[derive(Default)]
pub(crate) struct ChunkCounts {
    /// Local term id → term.
    pub terms: Vec<String>,
    /// Local term id → documents containing it.
    pub df: Vec<u32>,
    /// Local term id → total occurrences.
    pub cf: Vec<u64>,
    /// (local term id, surface form, occurrences).
    pub surfaces: Vec<(u32, String, u32)>,
    /// Per document: (local term id, count), sorted by local id.
    pub rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept unigram tokens (the length BM25 uses).
    pub doc_lens: Vec<u32>,
    /// Tokens seen, before filters removed any.
    pub tokens: u64,
}

/// Splits documents into chunks of about `target_bytes` of text (at most `max_docs` documents).
pub(crate) fn chunk_bounds(docs: &[Document], target_bytes: usize, max_docs: usize) -> Vec<std::ops::Range<usize>> {
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

/// Analyzes and counts a chunk. `surfaces` asks for surface-form counts (fit needs them,
/// transform does not).
pub(crate) fn count_chunk(analyzer: &Analyzer, docs: &[Document], surfaces: bool) -> ChunkCounts {
    let config = analyzer.config();
    let (ngram_min, ngram_max) = (config.ngram_min, config.ngram_max);
    let mut out = ChunkCounts::default();
    // Raw token text → (surface id, term id): each distinct spelling is analyzed once.
    let mut cache: FxHashMap<&str, (u32, u32)> = FxHashMap::default();
    let mut surface_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut surface_term: Vec<u32> = Vec::new();
    let mut surface_count: Vec<u32> = Vec::new();
    let mut surface_strs: Vec<String> = Vec::new();
    let mut term_ids: FxHashMap<String, u32> = FxHashMap::default();
    // N-gram surface → (term id, occurrences).
    let mut ngram_surfaces: FxHashMap<String, (u32, u32)> = FxHashMap::default();

    let (mut sbuf, mut tbuf, mut gram, mut gram_surface) = (String::new(), String::new(), String::new(), String::new());
    let mut spans: Vec<Span> = Vec::new();
    let mut doc_terms: Vec<u32> = Vec::new();

    let intern_term = |term: &str, term_ids: &mut FxHashMap<String, u32>, out: &mut ChunkCounts| -> u32 {
        if let Some(&id) = term_ids.get(term) {
            return id;
        }
        let id = out.terms.len() as u32;
        out.terms.push(term.to_string());
        out.df.push(0);
        out.cf.push(0);
        term_ids.insert(term.to_string(), id);
        id
    };

    for doc in docs {
        let text = doc.text.as_str();
        analyzer.spans_into(text, &mut spans);
        out.tokens += spans.len() as u64;
        let tokens = spans.iter().map(|span| {
            let raw = &text[span.start..span.end];
            let (sid, tid) = match cache.get(raw) {
                Some(&ids) => ids,
                None => {
                    analyzer.surface_into(raw, &mut sbuf);
                    let sid = match surface_ids.get(sbuf.as_str()) {
                        Some(&sid) => sid,
                        None => {
                            let tid = if analyzer.term_into(&sbuf, &mut tbuf) {
                                intern_term(&tbuf, &mut term_ids, &mut out)
                            } else {
                                NONE
                            };
                            let sid = surface_term.len() as u32;
                            surface_term.push(tid);
                            surface_count.push(0);
                            surface_strs.push(sbuf.clone());
                            surface_ids.insert(sbuf.clone(), sid);
                            sid
                        }
                    };
                    let ids = (sid, surface_term[sid as usize]);
                    cache.insert(raw, ids);
                    ids
                }
            };
            ((tid != NONE).then_some((tid, sid)), span.boundary)
        });
        let items = analyzer.ngram_items(tokens);
        doc_terms.clear();
        for_each_ngram(&items, ngram_min, ngram_max, |range| {
            if range.len() == 1 {
                let (tid, sid) = items[range.start].0;
                surface_count[sid as usize] += 1;
                doc_terms.push(tid);
                return;
            }
            gram.clear();
            gram_surface.clear();
            for (k, &((tid, sid), _)) in items[range].iter().enumerate() {
                if k > 0 {
                    gram.push(' ');
                    gram_surface.push(' ');
                }
                gram.push_str(&out.terms[tid as usize]);
                gram_surface.push_str(&surface_strs[sid as usize]);
            }
            let tid = intern_term(&gram, &mut term_ids, &mut out);
            if surfaces {
                match ngram_surfaces.get_mut(gram_surface.as_str()) {
                    Some(entry) => entry.1 += 1,
                    None => {
                        ngram_surfaces.insert(gram_surface.clone(), (tid, 1));
                    }
                }
            }
            doc_terms.push(tid);
        });
        out.doc_lens.push(items.len() as u32);
        doc_terms.sort_unstable();
        let mut row: Vec<(u32, u32)> = Vec::new();
        for &t in &doc_terms {
            match row.last_mut() {
                Some((last, count)) if *last == t => *count += 1,
                _ => row.push((t, 1)),
            }
        }
        for &(t, c) in &row {
            out.df[t as usize] += 1;
            out.cf[t as usize] += c as u64;
        }
        out.rows.push(row);
    }
    if surfaces {
        for (sid, surface) in surface_strs.into_iter().enumerate() {
            let (tid, count) = (surface_term[sid], surface_count[sid]);
            if tid != NONE && count > 0 {
                out.surfaces.push((tid, surface, count));
            }
        }
        for (surface, (tid, count)) in ngram_surfaces {
            out.surfaces.push((tid, surface, count));
        }
    }
    out
}
