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

use hashbrown::HashTable;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::stats::text_prefix;
use crate::analysis::{Analyzer, Span, for_each_ngram};
use crate::corpus::Document;

pub(crate) const NONE: u32 = u32::MAX;
const BOUNDARY: u32 = 1 << 31;
const CHUNK_BYTES: usize = 1 << 20;
const CHUNK_DOCS: usize = 4096;

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

/// A surface form: the surface of a spelling of the [`Lexed`] corpus, or an n-gram's form.
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
struct Tokenized {
    /// Distinct spellings, concatenated (then 16 bytes of padding); the i-th is
    /// `arena[bounds[i]..bounds[i + 1]]`.
    arena: String,
    bounds: Vec<u32>,
    /// Hash of each distinct spelling (`spelling_hash`), kept so uniting need not hash again.
    hashes: Vec<u64>,
    /// Local raw id, with `BOUNDARY` set when a phrase may not continue into the token.
    tokens: Vec<u32>,
    /// End offset in `tokens` of each document.
    doc_ends: Vec<usize>,
}

impl Tokenized {
    fn n_raws(&self) -> usize {
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

fn tokenize_chunk(analyzer: &Analyzer, docs: &[Document]) -> Tokenized {
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
        Tokenized {
            arena,
            bounds,
            hashes,
            tokens,
            doc_ends,
        }
    })
}

/// When the first trace started: marks also show the time since then, so the phases of
/// traces started in different places line up.
static TRACE_ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Phase timings on stderr when `PARALLAX_TRACE` is set: a profiling aid for developers.
pub struct Trace(Option<std::time::Instant>);

impl Trace {
    /// Starts timing (only if `PARALLAX_TRACE` is set).
    pub fn start() -> Self {
        Trace(std::env::var_os("PARALLAX_TRACE").map(|_| {
            TRACE_ORIGIN.get_or_init(std::time::Instant::now);
            std::time::Instant::now()
        }))
    }

    /// Prints the time since start and since the first trace started (total), resident memory
    /// now and at its peak, and the process's CPU time so far.
    pub fn mark(&self, what: &str) {
        if let Some(t0) = self.0 {
            // Resident memory now and at its peak (Linux only; blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or(String::new(), |v| v.trim().to_string())
            };
            // CPU time of the whole process so far (user + system; Linux only).
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|stat| {
                    // Fields after the command name (which may hold spaces) start at `) `.
                    let rest = &stat[stat.rfind(')')? + 2..];
                    let fields: Vec<&str> = rest.split(' ').collect();
                    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
                    // utime and stime are fields 14 and 15, in ticks of 1/100 s.
                    Some((ticks(11)? + ticks(12)?) / 100.0)
                })
                .map_or(String::new(), |c| format!(", cpu {c:.2} s"));
            eprintln!(
                "parallax trace: {what} at {:.3} s (total {:.3} s, rss {}, peak {}{cpu})",
                t0.elapsed().as_secs_f64(),
                TRACE_ORIGIN
                    .get_or_init(std::time::Instant::now)
                    .elapsed()
                    .as_secs_f64(),
                field("VmRSS:"),
                field("VmHWM:")
            );
        }
    }
}

/// A corpus cut into tokens, with every distinct spelling analyzed once: what counting and
/// keyword extraction share.
pub(crate) struct Lexed {
    chunks: Vec<Tokenized>,
    /// Index of each chunk's first document.
    chunk_starts: Vec<usize>,
    n_docs: usize,
    /// Per chunk: local raw id → spelling id.
    local_to_raw: Vec<Vec<u32>>,
    /// Distinct spellings, by id: the chunk and local id where each was first seen.
    raws: Vec<(u32, u32)>,
    /// Per spelling: its term id (`NONE` if a filter removed it).
    pub raw_terms: Vec<u32>,
    /// Surface forms of the spellings that normalizing changed.
    changed: FxHashMap<u32, String>,
    /// Term id → term (single terms); taken by [`count_lexed`].
    pub terms: Vec<String>,
}

impl Lexed {
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

/// Tokenizes a corpus in chunks and analyzes each distinct spelling once.
pub(crate) fn lex(analyzer: &Analyzer, docs: &[Document]) -> Lexed {
    let mut lexer = Lexer::default();
    lexer.add(analyzer, docs);
    lexer.finish(analyzer)
}

/// Documents tokenized by [`Lexer::tokenize`], waiting to be added to a lexer.
pub struct TokenizedDocs {
    chunks: Vec<Tokenized>,
    /// The first document of each chunk.
    starts: Vec<usize>,
    n_docs: usize,
}

/// Tokenizes documents batch by batch as they arrive (their texts may go afterwards), then
/// analyzes the distinct spellings of all of them once.
#[derive(Default)]
pub(crate) struct Lexer {
    chunks: Vec<Tokenized>,
    chunk_starts: Vec<usize>,
    n_docs: usize,
}

impl Lexer {
    /// Tokenizes a batch of documents, in parallel chunks fixed by the input.
    pub fn add(&mut self, analyzer: &Analyzer, docs: &[Document]) {
        self.push(Self::tokenize(analyzer, docs));
    }

    /// Tokenizes documents, in parallel chunks fixed by the input, for [`Lexer::push`].
    pub fn tokenize(analyzer: &Analyzer, docs: &[Document]) -> TokenizedDocs {
        let bounds = chunk_bounds(docs, CHUNK_BYTES, CHUNK_DOCS);
        let starts = bounds.iter().map(|r| r.start).collect();
        let chunks = bounds
            .into_par_iter()
            .map(|r| tokenize_chunk(analyzer, &docs[r]))
            .collect();
        TokenizedDocs {
            chunks,
            starts,
            n_docs: docs.len(),
        }
    }

    /// Adds tokenized documents after those added before.
    pub fn push(&mut self, docs: TokenizedDocs) {
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
    pub fn finish(self, analyzer: &Analyzer) -> Lexed {
        let trace = Trace::start();
        let Lexer {
            chunks,
            chunk_starts,
            n_docs,
        } = self;
        // Unite the chunks' spellings. Spellings are split into shards by hash so shards unite in
        // parallel; ids run shard by shard, first-seen order within a shard: fixed by the input.
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
        let mut chunks = chunks;
        for c in &mut chunks {
            c.hashes = Vec::new();
        }
        trace.mark("united");
        // Analyze each spelling once, in parallel blocks whose terms share one string each. The
        // surface form is kept only where normalizing changed it (rare).
        struct Block {
            terms: String,
            /// End of each spelling's term in `terms`, or `NONE` if a filter removed it.
            ends: Vec<u32>,
            changed: Vec<(u32, String)>,
        }
        const BLOCK: usize = 4096;
        let blocks: Vec<Block> = raws
            .par_chunks(BLOCK)
            .enumerate()
            .map(|(b, block)| {
                let (mut surface, mut term) = (String::new(), String::new());
                let mut out = Block {
                    terms: String::new(),
                    ends: Vec::with_capacity(block.len()),
                    changed: Vec::new(),
                };
                for (i, &(chunk, local)) in block.iter().enumerate() {
                    let raw = chunks[chunk as usize].raw(local as usize);
                    analyzer.surface_into(raw, &mut surface);
                    if surface != raw {
                        out.changed.push(((b * BLOCK + i) as u32, surface.clone()));
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
            .collect();
        // Term ids in the order of the terms' text, as statistics list them (columns mostly
        // follow that order too, so rows counted by term id come out in column order). The
        // kept spellings are sorted by their term's text, in parallel, and equal neighbours
        // share an id: no table of terms is built one insert at a time.
        let text = |&(_, raw, start, end): &(u64, u32, u32, u32)| {
            &blocks[raw as usize / BLOCK].terms[start as usize..end as usize]
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
                    let span = (text_prefix(t), (b * BLOCK + i) as u32, start as u32, end);
                    start = end as usize;
                    Some(span)
                })
            })
            .collect();
        sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a).cmp(text(b))));
        let mut raw_terms = vec![NONE; raws.len()];
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
        drop(sorted);
        let changed = blocks
            .into_iter()
            .flat_map(|b| b.changed)
            .collect::<FxHashMap<u32, String>>();
        trace.mark("analyzed");
        Lexed {
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

/// Counts a corpus without surface forms (what transform needs).
pub(crate) fn count(analyzer: &Analyzer, docs: &[Document]) -> Counted {
    count_lexed(analyzer, &mut lex(analyzer, docs), docs.len(), false).0
}

/// Counts an analyzed corpus of `n_docs` documents; `surfaces` asks for surface-form counts
/// too (fit needs them, transform not). The terms move from `lexed` into the result.
pub(crate) fn count_lexed(
    analyzer: &Analyzer,
    lexed: &mut Lexed,
    n_docs: usize,
    surfaces: bool,
) -> (Counted, Surfaces) {
    let trace = Trace::start();
    let terms = std::mem::take(&mut lexed.terms);
    let lexed = &*lexed;
    let Lexed {
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
