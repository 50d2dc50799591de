//! The tokenized corpus: documents cut into tokens, with every distinct spelling analyzed once.
//!
//! Counting (`vectorize`) and keyword extraction (`keywords`) both start from it. Two steps,
//! each parallel where it can be:
//! 1. tokenize chunks of documents, interning each chunk's distinct spellings
//!    ([`TokenizedBatch`], built batch by batch by a [`Tokenizer`]);
//! 2. unite the chunks' spellings into one lexicon and analyze every distinct spelling once
//!    (normalize, filter, stem), in parallel ([`TokenizedCorpus`]).
//!
//! Chunk boundaries depend only on the input, never on the thread count, and ids are assigned
//! in chunk order, so results are identical for any `--threads`.

use hashbrown::HashTable;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, Span};
use crate::corpus::Document;
use crate::trace::Trace;

/// No id: a spelling that a filter removed has no term.
pub(crate) const NONE: u32 = u32::MAX;
/// Set on a token id when a phrase may not continue into the token.
pub(crate) const BOUNDARY: u32 = 1 << 31;
const CHUNK_BYTES: usize = 1 << 20;
const CHUNK_DOCS: usize = 4096;

/// A surface form: the surface of a spelling of the [`TokenizedCorpus`] corpus, or an n-gram's form.
#[derive(Clone, Copy)]
pub(crate) enum Form {
    Spelling(u32),
    Gram(u32),
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

/// A chunk after tokenizing: its distinct spellings, copied out of the texts so these can be
/// dropped, and every token as a local id.
pub(crate) struct TokenizedChunk {
    /// Distinct spellings, concatenated (then 16 bytes of padding); the i-th is
    /// `arena[bounds[i]..bounds[i + 1]]`.
    arena: String,
    bounds: Vec<u32>,
    /// Hash of each distinct spelling (`spelling_hash`), kept so uniting need not hash again.
    hashes: Vec<u64>,
    /// Local raw id, with `BOUNDARY` set when a phrase may not continue into the token.
    pub(crate) tokens: Vec<u32>,
    /// End offset in `tokens` of each document.
    pub(crate) doc_ends: Vec<usize>,
}

impl TokenizedChunk {
    pub(crate) fn n_raws(&self) -> usize {
        self.bounds.len() - 1
    }

    /// A spelling's bytes: no check that its ends are char boundaries (which reads the byte
    /// past its end, in another cache line as often as not).
    #[inline]
    fn raw_bytes(&self, local: usize) -> &[u8] {
        let (start, end) = (self.bounds[local], self.bounds[local + 1]);
        &self.arena.as_bytes()[start as usize..end as usize]
    }

    fn raw(&self, local: usize) -> &str {
        let (start, end) = (self.bounds[local], self.bounds[local + 1]);
        // Bounds were taken at char boundaries of the arena as it was built.
        &self.arena[start as usize..end as usize]
    }
}

/// The hash of a spelling, as the chunk tables and the unite shards use it. Spellings are
/// short: one of up to 16 bytes is hashed as its two words (see [`short_words`]) by one
/// folded multiply, a longer one a word at a time. Meant to spread text well, not to resist
/// chosen inputs.
pub(crate) fn spelling_hash(b: &[u8]) -> u64 {
    if b.len() <= 16 {
        let (w0, w1) = padded_words(b);
        return short_hash(w0, w1, b.len());
    }
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    let mut h = HASH_KEYS[2];
    let mut at = 0;
    while at + 8 < b.len() {
        h = folded_multiply(h ^ word(at), HASH_KEYS[1]);
        at += 8;
    }
    short_hash(h, word(b.len() - 8), b.len())
}

const HASH_KEYS: [u64; 3] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
];

/// The high and low halves of the full product, folded: every input bit reaches both.
#[inline]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

#[inline]
fn short_hash(w0: u64, w1: u64, n: usize) -> u64 {
    folded_multiply(
        w0 ^ HASH_KEYS[0],
        w1 ^ HASH_KEYS[1] ^ (n as u64).rotate_left(32),
    ) ^ n as u64
}

/// The first `n` (at most 16) of 16 bytes as two little-endian words, the bytes past `n`
/// masked to zero. No branch depends on `n`: spellings' lengths vary too much from one token
/// to the next for branches on them to be predicted.
#[inline]
fn short_words(bytes: &[u8; 16], n: usize) -> (u64, u64) {
    let mask = |k: usize| u64::MAX.checked_shr(64 - 8 * k as u32).unwrap_or(0);
    let w0 = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    let w1 = u64::from_le_bytes(bytes[8..].try_into().unwrap());
    (w0 & mask(n.min(8)), w1 & mask(n.saturating_sub(8)))
}

/// [`short_words`] of a spelling of up to 16 bytes with nothing readable past it.
fn padded_words(raw: &[u8]) -> (u64, u64) {
    let mut padded = [0u8; 16];
    padded[..raw.len()].copy_from_slice(raw);
    short_words(&padded, raw.len())
}

/// The 16 bytes at `at`, if `bytes` has them.
#[inline]
fn sixteen_at(bytes: &[u8], at: usize) -> Option<&[u8; 16]> {
    bytes.get(at..at + 16).map(|b| b.try_into().unwrap())
}

/// Byte equality for the short strings that spellings are, without the call `==` makes to
/// `memcmp`: up to 16 bytes are compared as two overlapping words.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap());
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// What follows a chunk's spellings in its arena.
const PAD: &str = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

thread_local! {
    /// Each thread's table of a chunk's spellings (local ids), kept from chunk to chunk so it is
    /// not grown afresh every time.
    static CHUNK_IDS: std::cell::RefCell<HashTable<u32>> =
        const { std::cell::RefCell::new(HashTable::new()) };
}

fn tokenize_chunk(analyzer: &Analyzer, docs: &[Document]) -> TokenizedChunk {
    CHUNK_IDS.with_borrow_mut(|ids| {
        ids.clear();
        let text_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        // The spellings, followed by 16 bytes of padding, so the 16 bytes at any spelling's
        // start can be read whole.
        let mut arena = String::from(PAD);
        let mut bounds = vec![0u32];
        let mut hashes: Vec<u64> = Vec::new();
        // About one token per six bytes of English text.
        let mut tokens = Vec::with_capacity(text_bytes / 6);
        let mut doc_ends = Vec::with_capacity(docs.len());
        let mut spans: Vec<Span> = Vec::new();
        for doc in docs {
            let text = doc.text.as_str();
            analyzer.spans_into(text, &mut spans);
            for span in &spans {
                // Bytes: a token's ends are char boundaries, and checking them costs.
                let raw = &text.as_bytes()[span.start..span.end];
                let n = raw.len();
                // Spellings of up to 16 bytes (nearly all) are hashed and compared as two
                // words, without branching on their length.
                let short = (n <= 16).then(|| match sixteen_at(text.as_bytes(), span.start) {
                    Some(sixteen) => short_words(sixteen, n),
                    None => padded_words(raw),
                });
                let (hash, seen) = match short {
                    Some((w0, w1)) => {
                        let hash = short_hash(w0, w1, n);
                        let seen = ids.find(hash, |&id| {
                            let (start, end) = (bounds[id as usize], bounds[id as usize + 1]);
                            let there = sixteen_at(arena.as_bytes(), start as usize).unwrap();
                            let (a0, a1) = short_words(there, n);
                            ((end - start) as usize == n) & (a0 == w0) & (a1 == w1)
                        });
                        (hash, seen)
                    }
                    None => {
                        let hash = spelling_hash(raw);
                        let seen = ids.find(hash, |&id| {
                            let (start, end) = (bounds[id as usize], bounds[id as usize + 1]);
                            same_bytes(&arena.as_bytes()[start as usize..end as usize], raw)
                        });
                        (hash, seen)
                    }
                };
                let id = match seen {
                    Some(&id) => id,
                    None => {
                        let id = hashes.len() as u32;
                        arena.truncate(arena.len() - PAD.len());
                        arena.push_str(&text[span.start..span.end]);
                        bounds.push(arena.len() as u32);
                        arena.push_str(PAD);
                        hashes.push(hash);
                        ids.insert_unique(hash, id, |&id| hashes[id as usize]);
                        id
                    }
                };
                tokens.push(if span.boundary { id | BOUNDARY } else { id });
            }
            doc_ends.push(tokens.len());
        }
        arena.shrink_to_fit();
        tokens.shrink_to_fit();
        TokenizedChunk {
            arena,
            bounds,
            hashes,
            tokens,
            doc_ends,
        }
    })
}

/// A corpus cut into tokens, with every distinct spelling analyzed once: what counting and
/// keyword extraction share. Counting (`vectorize::count`) reads the chunks' arrays directly:
/// it is the hot loop, and an iterator per document there costs measurably.
pub(crate) struct TokenizedCorpus {
    pub(crate) chunks: Vec<TokenizedChunk>,
    /// Index of each chunk's first document.
    pub(crate) chunk_starts: Vec<usize>,
    pub(crate) n_docs: usize,
    /// Per chunk: local raw id → spelling id.
    pub(crate) local_to_raw: Vec<Vec<u32>>,
    /// Distinct spellings, by id: the chunk and local id where each was first seen.
    pub(crate) raws: Vec<(u32, u32)>,
    /// Per spelling: its term id (`NONE` if a filter removed it).
    pub(crate) raw_terms: Vec<u32>,
    /// Surface forms of the spellings that normalizing changed.
    pub(crate) changed: FxHashMap<u32, String>,
    /// Term id → term (single terms); taken by [`count_lexed`].
    pub(crate) terms: Vec<String>,
}

impl TokenizedCorpus {
    /// Tokenizes a corpus in chunks and analyzes each distinct spelling once.
    pub fn new(analyzer: &Analyzer, docs: &[Document]) -> TokenizedCorpus {
        let mut builder = TokenizedCorpusBuilder::default();
        builder.add(analyzer, docs);
        builder.finish(analyzer)
    }

    /// Number of documents.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Number of distinct spellings.
    pub fn n_raws(&self) -> usize {
        self.raws.len()
    }

    /// A spelling as written.
    pub fn raw(&self, raw: u32) -> &str {
        let (chunk, local) = self.raws[raw as usize];
        self.chunks[chunk as usize].raw(local as usize)
    }

    /// The text of a surface form (`grams`: the n-gram forms of [`Surfaces`]).
    pub fn form<'s>(&'s self, grams: &'s [String], form: Form) -> &'s str {
        match form {
            Form::Spelling(raw) => self.surface(raw),
            Form::Gram(g) => &grams[g as usize],
        }
    }

    /// Frees the token ids (keeping spellings and their analysis): once counted, a fit needs
    /// only the spellings, for their surface forms.
    pub fn release_tokens(&mut self) {
        for chunk in &mut self.chunks {
            chunk.tokens = Vec::new();
            chunk.doc_ends = Vec::new();
        }
        self.local_to_raw = Vec::new();
    }

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
        match self.changed.get(&raw) {
            Some(surface) => surface,
            None => self.raw(raw),
        }
    }
}

/// Documents tokenized in parallel chunks, waiting to be added to a tokenized corpus.
pub struct TokenizedBatch {
    chunks: Vec<TokenizedChunk>,
    /// The first document of each chunk.
    starts: Vec<usize>,
    n_docs: usize,
}

/// Tokenizes documents batch by batch as they arrive (their texts may go afterwards), then
/// analyzes the distinct spellings of all of them once.
#[derive(Default)]
pub(crate) struct TokenizedCorpusBuilder {
    chunks: Vec<TokenizedChunk>,
    chunk_starts: Vec<usize>,
    n_docs: usize,
}

impl TokenizedCorpusBuilder {
    /// Tokenizes a batch of documents, in parallel chunks fixed by the input.
    pub fn add(&mut self, analyzer: &Analyzer, docs: &[Document]) {
        self.push(Self::tokenize(analyzer, docs));
    }

    /// Tokenizes documents, in parallel chunks fixed by the input, for [`TokenizedCorpusBuilder::push`].
    pub fn tokenize(analyzer: &Analyzer, docs: &[Document]) -> TokenizedBatch {
        let bounds = chunk_bounds(docs, CHUNK_BYTES, CHUNK_DOCS);
        let starts = bounds.iter().map(|r| r.start).collect();
        let chunks = bounds
            .into_par_iter()
            .map(|r| tokenize_chunk(analyzer, &docs[r]))
            .collect();
        TokenizedBatch {
            chunks,
            starts,
            n_docs: docs.len(),
        }
    }

    /// Adds tokenized documents after those added before.
    pub fn push(&mut self, docs: TokenizedBatch) {
        let n_docs = self.n_docs;
        self.chunk_starts
            .extend(docs.starts.iter().map(|&start| n_docs + start));
        self.chunks.extend(docs.chunks);
        self.n_docs += docs.n_docs;
    }

    /// Documents added so far.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Unites the chunks' spellings and analyzes each once.
    pub fn finish(self, analyzer: &Analyzer) -> TokenizedCorpus {
        let trace = Trace::start();
        let TokenizedCorpusBuilder {
            mut chunks,
            chunk_starts,
            n_docs,
        } = self;
        let (raws, local_to_raw) = unite(&chunks);
        for c in &mut chunks {
            c.hashes = Vec::new();
        }
        trace.mark("united");
        let blocks = analyze_spellings(analyzer, &chunks, &raws);
        let (raw_terms, terms) = term_ids(&blocks, raws.len());
        let changed = blocks
            .into_iter()
            .flat_map(|b| b.changed)
            .collect::<FxHashMap<u32, String>>();
        trace.mark("analyzed");
        TokenizedCorpus {
            chunks,
            chunk_starts,
            n_docs,
            local_to_raw,
            raws,
            raw_terms,
            changed,
            terms,
        }
    }
}

/// Unites the chunks' spellings: every distinct spelling as (chunk, local id) where it was
/// first seen, and per chunk its local id → spelling id.
fn unite(chunks: &[TokenizedChunk]) -> (Vec<(u32, u32)>, Vec<Vec<u32>>) {
    // Spellings are split into shards by hash so shards unite in parallel; ids run shard by shard, first-seen order within a shard: fixed by the input.
    const SHARDS: usize = 64;
    // Bits 32..38 pick the shard: the table inside a shard places entries by the low bits
    // and tags them with the top seven, which must not be all alike within a shard.
    let shard_of = |hash: u64| (hash >> 32) as usize % SHARDS;
    let by_shard: Vec<Vec<Vec<u32>>> = chunks
        .par_iter()
        .map(|c| {
            let mut lists = vec![Vec::new(); SHARDS];
            for (local, &hash) in c.hashes.iter().enumerate() {
                lists[shard_of(hash)].push(local as u32);
            }
            lists
        })
        .collect();
    // Per shard: its spellings as (chunk, local id), and per chunk the shard ids of the
    // chunk's spellings in that shard. The chunks' hashes are used again, not recomputed.
    type Shard = (Vec<(u32, u32)>, Vec<Vec<u32>>);
    let shards: Vec<Shard> = (0..SHARDS)
        .into_par_iter()
        .map(|shard| {
            // Each entry holds its spelling and hash, so a lookup reads the spelling it
            // compares directly, not through the id, the chunk and the chunk's bounds.
            let mut ids: HashTable<(&[u8], u64, u32)> = HashTable::new();
            let mut raws: Vec<(u32, u32)> = Vec::new();
            let per_chunk = chunks
                .iter()
                .zip(&by_shard)
                .enumerate()
                .map(|(ci, (c, lists))| {
                    lists[shard]
                        .iter()
                        .map(|&local| {
                            let hash = c.hashes[local as usize];
                            let raw = c.raw_bytes(local as usize);
                            let same = |&(seen, h, _): &(&[u8], u64, u32)| {
                                h == hash && same_bytes(seen, raw)
                            };
                            match ids.find(hash, same) {
                                Some(&(_, _, id)) => id,
                                None => {
                                    let id = raws.len() as u32;
                                    raws.push((ci as u32, local));
                                    ids.insert_unique(hash, (raw, hash, id), |&(_, h, _)| h);
                                    id
                                }
                            }
                        })
                        .collect()
                })
                .collect();
            (raws, per_chunk)
        })
        .collect();
    let mut offsets = Vec::with_capacity(SHARDS);
    let mut raws: Vec<(u32, u32)> = Vec::new();
    for (shard_raws, _) in &shards {
        offsets.push(raws.len() as u32);
        raws.extend_from_slice(shard_raws);
    }
    let local_to_raw: Vec<Vec<u32>> = chunks
        .par_iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut map = vec![0u32; c.n_raws()];
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
    (raws, local_to_raw)
}

/// The analysis of a block of [`ANALYZE_BLOCK`] spellings: their terms share one string.
struct AnalyzedBlock {
    terms: String,
    /// End of each spelling's term in `terms`, or `NONE` if a filter removed it.
    ends: Vec<u32>,
    /// The surface forms that normalizing changed, by spelling id (rare).
    changed: Vec<(u32, String)>,
}

/// Spellings per block of analysis.
const ANALYZE_BLOCK: usize = 4096;

/// Analyzes each spelling once, in parallel blocks.
fn analyze_spellings(
    analyzer: &Analyzer,
    chunks: &[TokenizedChunk],
    raws: &[(u32, u32)],
) -> Vec<AnalyzedBlock> {
    // Analyze each spelling once, in parallel blocks whose terms share one string each. The
    // surface form is kept only where normalizing changed it (rare).
    raws.par_chunks(ANALYZE_BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let (mut surface, mut term) = (String::new(), String::new());
            let mut out = AnalyzedBlock {
                terms: String::new(),
                ends: Vec::with_capacity(block.len()),
                changed: Vec::new(),
            };
            for (i, &(chunk, local)) in block.iter().enumerate() {
                let raw = chunks[chunk as usize].raw(local as usize);
                analyzer.surface_into(raw, &mut surface);
                if surface != raw {
                    out.changed
                        .push(((b * ANALYZE_BLOCK + i) as u32, surface.clone()));
                }
                if analyzer.term_into(&surface, &mut term) {
                    out.terms.push_str(&term);
                    out.ends.push(out.terms.len() as u32);
                } else {
                    out.ends.push(NONE);
                }
            }
            out
        })
        .collect()
}

/// Term ids for the analyzed spellings, in the order of the terms' text: per spelling its term
/// id (`NONE` if removed), and the terms by id.
fn term_ids(blocks: &[AnalyzedBlock], n_raws: usize) -> (Vec<u32>, Vec<String>) {
    // Term ids in the order of the terms' text, as statistics list them (columns mostly
    // follow that order too, so rows counted by term id come out in column order). The
    // kept spellings are sorted by their term's text, in parallel, and equal neighbours
    // share an id: no table of terms is built one insert at a time.
    let text = |&(_, raw, start, end): &(u64, u32, u32, u32)| {
        &blocks[raw as usize / ANALYZE_BLOCK].terms[start as usize..end as usize]
    };
    let mut sorted: Vec<(u64, u32, u32, u32)> = blocks
        .par_iter()
        .enumerate()
        .flat_map_iter(|(b, block)| {
            let mut start = 0;
            block.ends.iter().enumerate().filter_map(move |(i, &end)| {
                if end == NONE {
                    return None;
                }
                let t = &block.terms[start..end as usize];
                let span = (
                    text_prefix(t),
                    (b * ANALYZE_BLOCK + i) as u32,
                    start as u32,
                    end,
                );
                start = end as usize;
                Some(span)
            })
        })
        .collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a).cmp(text(b))));
    let mut raw_terms = vec![NONE; n_raws];
    // Index in `sorted` of each term's first spelling.
    let mut firsts: Vec<u32> = Vec::new();
    for (i, span) in sorted.iter().enumerate() {
        let new = match firsts.last() {
            Some(&f) => {
                let first = &sorted[f as usize];
                first.0 != span.0 || text(first) != text(span)
            }
            None => true,
        };
        if new {
            firsts.push(i as u32);
        }
        raw_terms[span.1 as usize] = (firsts.len() - 1) as u32;
    }
    let terms: Vec<String> = firsts
        .par_iter()
        .map(|&i| text(&sorted[i as usize]).to_string())
        .collect();
    (raw_terms, terms)
}

/// The first eight bytes of a text as one number (zeros after its end): numbers order like
/// the texts, except that equal numbers need the texts compared in full.
pub(crate) fn text_prefix(text: &str) -> u64 {
    let mut prefix = [0u8; 8];
    let len = text.len().min(8);
    prefix[..len].copy_from_slice(&text.as_bytes()[..len]);
    u64::from_be_bytes(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_spelling_hashes_alike_wherever_it_lies(
            word in "[a-zé’0-9-]{0,24}",
            before in "[ a]{0,3}",
            after in "[ a]{0,20}",
        ) {
            let text = format!("{before}{word}{after}");
            let at = before.len();
            let n = word.len();
            if let (Some(sixteen), true) = (sixteen_at(text.as_bytes(), at), n <= 16) {
                let (w0, w1) = short_words(sixteen, n);
                prop_assert_eq!(short_hash(w0, w1, n), spelling_hash(word.as_bytes()));
            }
            let mut other = [0u8; 16];
            if n <= 16 {
                other[..n].copy_from_slice(word.as_bytes());
                other[n..].fill(b'x');
                let (w0, w1) = short_words(&other, n);
                prop_assert_eq!(short_hash(w0, w1, n), spelling_hash(word.as_bytes()));
            }
        }

        #[test]
        fn same_bytes_is_byte_equality(a in proptest::collection::vec(0u8..4, 0..24), b in proptest::collection::vec(0u8..4, 0..24)) {
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            prop_assert!(same_bytes(&a, &a.clone()));
        }
    }

    #[test]
    fn a_spelling_gets_one_id_near_a_text_end_or_not() {
        // "dog" and "extraordinarily" appear with 16 bytes of text after them (hashed as
        // words) and at a text's end (hashed from a padded copy): one id each all the same.
        let docs = [
            Document::new("a", "dog extraordinarily dog and a long tail"),
            Document::new("b", "cat dog"),
            Document::new("c", "cat extraordinarily"),
        ];
        let analyzer = Analyzer::new(&Default::default()).unwrap();
        let chunk = tokenize_chunk(&analyzer, &docs);
        let spellings: Vec<&str> = (0..chunk.n_raws()).map(|i| chunk.raw(i)).collect();
        assert_eq!(
            spellings,
            ["dog", "extraordinarily", "and", "a", "long", "tail", "cat"]
        );
        let ids: Vec<u32> = chunk.tokens.iter().map(|t| t & !BOUNDARY).collect();
        assert_eq!(ids, [0, 1, 0, 2, 3, 4, 5, 6, 0, 6, 1]);
    }

    #[test]
    fn same_bytes_sees_a_difference_at_every_place() {
        for n in 0..40 {
            let a: Vec<u8> = (0..n as u8).collect();
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!same_bytes(&a, &b), "length {n}, byte {i}");
            }
            assert!(same_bytes(&a, &a.clone()));
        }
    }
}
