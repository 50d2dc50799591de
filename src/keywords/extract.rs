//! Candidates of one document and their scores.
//!
//! The corpus is tokenized and every distinct spelling analyzed once (shared with fitting, see
//! [`crate::vectorize::TokenizedDocuments`]); [`Shared`] turns those spellings into surface and term ids
//! with what scoring needs (idf, word-length factor), and a per-thread [`Lexicon`] scores one
//! document at a time in reused buffers. Candidate keys are arrays of term ids; strings are
//! only built for what is reported.

use std::borrow::Cow;
use std::cmp::Ordering;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{KeywordParams, PhraseIdf};
use crate::analysis::{Filter, Language, Span};
use crate::corpus::Document;
use crate::vectorize::{DfLimit, FittedVectorizer, Norm, TokenizedDocuments};

/// The longest phrase, in words.
pub const MAX_WORDS: usize = 6;
const NONE: u32 = u32::MAX;

/// Term ids of a candidate, padded with `NONE`.
pub(crate) type Key = [u32; MAX_WORDS];

struct TermInfo<'l> {
    text: Cow<'l, str>,
    /// Idf from the model, or `None` if the term cannot be scored (outside a restricted
    /// vocabulary).
    idf: Option<f64>,
    /// `idf^α`.
    weight: f64,
    /// May be a single-word candidate: has a letter (numbers alone are never keywords, but may
    /// end a phrase: "Falcon 9") and two characters or more.
    word: bool,
    /// May start a phrase: has a letter.
    letters: bool,
}

/// [`TermInfo::word`].
const WORD: u8 = 1;
/// [`TermInfo::letters`].
const LETTERS: u8 = 2;
/// The term has an idf (may be part of a phrase).
const SCORED: u8 = 4;

impl TermInfo<'_> {
    fn flags(&self) -> u8 {
        let bit = |set: bool, flag: u8| if set { flag } else { 0 };
        bit(self.word, WORD) | bit(self.letters, LETTERS) | bit(self.idf.is_some(), SCORED)
    }

    fn weights(&self) -> (f64, f64) {
        (self.idf.unwrap_or(0.0), self.weight)
    }
}

/// What a phrase extends: its first term, or the candidate of its first words.
#[derive(Clone, Copy)]
enum PrefixId {
    Term(u32),
    Phrase(u32),
}

/// The key of a phrase in the document's index: its prefix (a term or a shorter phrase's
/// candidate, told apart by the top bit) and its last term, in one `u64`, cheaper to hash than
/// the phrase's terms. Term ids and candidate indices stay below 2^31.
fn phrase_link(prefix: PrefixId, last: u32) -> u64 {
    debug_assert!(!matches!(prefix, PrefixId::Term(t) | PrefixId::Phrase(t) if t >= 1 << 31));
    let prefix = match prefix {
        PrefixId::Term(t) => t | 1 << 31,
        PrefixId::Phrase(c) => c,
    };
    u64::from(prefix) << 32 | u64::from(last)
}

/// An analyzed token: term id (`NONE` if removed), surface id, and whether a phrase may not
/// continue into it.
#[derive(Clone, Copy)]
struct Tok {
    term: u32,
    surface: u32,
    brk: bool,
}

/// A candidate of one document.
pub(crate) struct Candidate {
    pub key: Key,
    pub len: usize,
    pub count: u32,
    /// Index of the first token of its first occurrence (title tokens first).
    pub first: u32,
    pub in_title: bool,
    /// A single term most of whose occurrences (more than half) are inside one phrase
    /// candidate: the phrase names the concept, and redundancy removal sets the term aside.
    held: bool,
    /// The first surface seen (surface ids) and how often it was written.
    surface: (Key, u32),
    /// Other surfaces, if any.
    more: Vec<(Key, u32)>,
    pub score: f64,
}

/// A candidate or surface as a group sums it: ids into the shared tables, or the text when a
/// word is only known to one thread (a word seen only in titles).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum AggKey {
    Ids(Key),
    Text(Box<str>),
}

/// What every thread reads: the corpus's spellings as surface and term ids, with each term's
/// idf and each surface's word-length factor.
pub(crate) struct Shared<'l> {
    model: &'l FittedVectorizer,
    params: KeywordParams,
    analyzed: &'l TokenizedDocuments<'l>,
    oov_idf: Option<f64>,
    /// The idf of a term in every document (1 for the smooth and plain formulas, 0 for the
    /// logarithms alone): the part of every idf that is not `ln(n/df)`, counted once in a
    /// phrase's idf ([`Lexicon::phrase_idf`]).
    idf_floor: f64,
    elisions: &'static [&'static str],
    /// Spelling id → surface id.
    raw_surface: Vec<u32>,
    /// Spelling id → term id (`NONE` if removed).
    raw_term: Vec<u32>,
    surfaces: Vec<&'l str>,
    surface_factor: Vec<f64>,
    surface_ids: FxHashMap<&'l str, u32>,
    terms: Vec<TermInfo<'l>>,
    /// [`TermInfo::flags`] of every term, packed: the candidate loop reads them for every token,
    /// and a byte a term stays in cache where the whole table does not.
    term_flags: Vec<u8>,
    /// (idf or 0, `idf^α`) of every term, packed for the same reason.
    term_weights: Vec<(f64, f64)>,
    /// Term → id; built only when some document has a title to analyze.
    term_ids: FxHashMap<Cow<'l, str>, u32>,
}

/// The word-length factor of a surface: short words are common, general words (Zipf's law of
/// abbreviation), unless written as an abbreviation ("IBS", "NASA"), which is short because it
/// stands for a longer name.
fn word_factor(surface: &str, params: &KeywordParams) -> f64 {
    if is_abbreviation(surface) {
        return 1.0;
    }
    let cap = params.word_chars as f64;
    ((surface.chars().count() as f64).min(cap) / cap).powf(params.word_length)
}

/// `idf^α` (idf below 0 counts as 0); the square root and the identity, the defaults for
/// documents and groups, without the cost of `powf` on every phrase.
fn damp(idf: f64, alpha: f64) -> f64 {
    let idf = idf.max(0.0);
    if alpha == 0.5 {
        idf.sqrt()
    } else if alpha == 1.0 {
        idf
    } else {
        idf.powf(alpha)
    }
}

/// Two letters or more and no lower-case letter: "IBS", "SL(N,C)", "F-16", not "A" or "Fed".
fn is_abbreviation(surface: &str) -> bool {
    let mut letters = 0;
    for c in surface.chars() {
        if c.is_lowercase() {
            return false;
        }
        letters += usize::from(c.is_alphabetic());
    }
    letters >= 2
}

fn term_info<'t>(text: Cow<'t, str>, idf: Option<f64>, params: &KeywordParams) -> TermInfo<'t> {
    let letters = text.chars().any(char::is_alphabetic);
    TermInfo {
        idf,
        weight: idf.map_or(0.0, |i| damp(i, params.idf_power)),
        word: letters && idf.is_some() && text.chars().nth(1).is_some(),
        letters,
        text,
    }
}

impl<'l> Shared<'l> {
    pub(crate) fn new(
        model: &'l FittedVectorizer,
        analyzed: &'l TokenizedDocuments<'l>,
        params: &KeywordParams,
    ) -> Self {
        let v = &model.vocabulary;
        let unrestricted = v.fixed.is_none()
            && v.max_features.is_none()
            && v.min_df == DfLimit::Count(1)
            && v.max_df == DfLimit::Proportion(1.0);
        let oov_idf = unrestricted.then(|| model.weighting().idf.weight(0, model.n_docs()));
        let lexed = &analyzed.lexed;
        let elisions = elisions(model);
        let n_raws = lexed.n_raws();
        // Surfaces, without elided articles.
        let cut: Vec<&'l str> = (0..n_raws as u32)
            .into_par_iter()
            .with_min_len(4096)
            .map(|raw| {
                let s = lexed.surface(raw);
                &s[elision_len(s, elisions)..]
            })
            .collect();
        let mut surface_ids: FxHashMap<&'l str, u32> = FxHashMap::default();
        let mut surfaces = Vec::new();
        let raw_surface: Vec<u32> = cut
            .iter()
            .map(|&s| {
                *surface_ids.entry(s).or_insert_with(|| {
                    surfaces.push(s);
                    (surfaces.len() - 1) as u32
                })
            })
            .collect();
        let surface_factor = surfaces
            .par_iter()
            .with_min_len(4096)
            .map(|s| word_factor(s, params))
            .collect();
        let idf_of = |term: &str| match model.column(term) {
            Some(col) => Some(model.idf(col)),
            None => oov_idf,
        };
        let mut terms: Vec<TermInfo<'l>> = lexed
            .terms
            .par_iter()
            .with_min_len(4096)
            .map(|t| term_info(Cow::Borrowed(t.as_str()), idf_of(t), params))
            .collect();
        let need_ids = analyzed
            .docs
            .iter()
            .any(|d| d.title.as_deref().is_some_and(|t| !t.is_empty()));
        let elided =
            !elisions.is_empty() && (0..n_raws).any(|r| cut[r].len() != lexed.raw(r as u32).len());
        let mut term_ids: FxHashMap<Cow<'l, str>, u32> = FxHashMap::default();
        if need_ids || elided {
            term_ids = terms
                .iter()
                .enumerate()
                .map(|(i, t)| (t.text.clone(), i as u32))
                .collect();
        }
        let mut raw_term: Vec<u32> = lexed.raw_terms.clone();
        if elided {
            // Words that lost an elided article are analyzed again, without it.
            let analyzer = model.analyzer();
            let mut term = String::new();
            for raw in 0..n_raws {
                if cut[raw].len() == lexed.surface(raw as u32).len() {
                    continue;
                }
                raw_term[raw] = if analyzer.term_into(cut[raw], &mut term) {
                    match term_ids.get(term.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = terms.len() as u32;
                            terms.push(term_info(Cow::Owned(term.clone()), idf_of(&term), params));
                            term_ids.insert(Cow::Owned(term.clone()), id);
                            id
                        }
                    }
                } else {
                    NONE
                };
            }
        }
        Shared {
            model,
            params: params.clone(),
            analyzed,
            oov_idf,
            idf_floor: model.weighting().idf.weight(model.n_docs(), model.n_docs()),
            elisions,
            raw_surface,
            raw_term,
            surfaces,
            surface_factor,
            surface_ids,
            term_flags: terms.iter().map(TermInfo::flags).collect(),
            term_weights: terms.iter().map(TermInfo::weights).collect(),
            terms,
            term_ids,
        }
    }

    fn key_text<'a>(&'a self, key: &AggKey, table: impl Fn(u32) -> &'a str) -> String {
        match key {
            AggKey::Ids(ids) => join(ids.iter().take_while(|&&t| t != NONE).map(|&t| table(t))),
            AggKey::Text(text) => text.to_string(),
        }
    }

    /// The stem of a group's candidate.
    pub(crate) fn stem_text(&self, key: &AggKey) -> String {
        self.key_text(key, |t| &self.terms[t as usize].text)
    }

    /// A surface of a group's candidate.
    pub(crate) fn surface_text(&self, key: &AggKey) -> String {
        self.key_text(key, |s| self.surfaces[s as usize])
    }

    /// Number of chunks of documents (fixed by the input).
    pub(crate) fn n_chunks(&self) -> usize {
        self.analyzed.lexed.n_chunks()
    }

    /// Calls `f(lexicon, document index)` after finding and scoring the candidates of every
    /// document of chunk `c`, in order.
    pub(crate) fn for_each_doc(
        &self,
        lex: &mut Lexicon<'_, 'l>,
        c: usize,
        mut f: impl FnMut(&mut Lexicon<'_, 'l>, usize),
    ) {
        let (first, docs) = self.analyzed.lexed.chunk_docs(c);
        for (i, tokens) in docs.enumerate() {
            let d = first + i;
            lex.candidates(&self.analyzed.docs[d], tokens);
            f(lex, d);
        }
    }
}

/// Per-thread analysis of titles (rarely in the shared tables) and the scratch space of the
/// document being scored.
pub(crate) struct Lexicon<'s, 'l> {
    shared: &'s Shared<'l>,
    /// Title spellings → (surface id, term id); ids past the shared tables are local.
    titles: FxHashMap<String, (u32, u32)>,
    extra_surfaces: Vec<String>,
    extra_surface_factor: Vec<f64>,
    extra_surface_ids: FxHashMap<String, u32>,
    extra_terms: Vec<TermInfo<'static>>,
    extra_term_ids: FxHashMap<String, u32>,
    spans: Vec<Span>,
    surface_buf: String,
    term_buf: String,
    tokens: Vec<Tok>,
    /// The current document's candidates.
    pub cands: Vec<Candidate>,
    /// Phrase → candidate, keyed by (the phrase without its last word, its last term): see
    /// [`phrase_link`].
    index: FxHashMap<u64, u32>,
    /// Term id → (document generation, candidate) for single terms.
    slots: Vec<(u32, u32)>,
    generation: u32,
    order: Vec<u32>,
    /// Title tokens at the start of `tokens`.
    title_tokens: usize,
}

/// Article and pronoun elisions (`l'`, `d'`, `qu'`…) cut from the start of a word before it is
/// analyzed, for languages that write them joined to the next word.
fn elisions(model: &FittedVectorizer) -> &'static [&'static str] {
    const FRENCH: &[&str] = &[
        "jusqu'", "lorsqu'", "puisqu'", "quoiqu'", "qu'", "l'", "d'", "j'", "m'", "n'", "s'", "t'",
        "c'",
    ];
    const ITALIAN: &[&str] = &[
        "dell'", "dall'", "nell'", "sull'", "all'", "coll'", "quest'", "quell'", "un'", "l'", "d'",
        "c'", "s'", "m'", "t'", "v'", "n'",
    ];
    let language = model
        .analyzer()
        .config()
        .filters
        .iter()
        .find_map(|f| match f {
            Filter::Stem { language } => Some(*language),
            Filter::StopWords { name, .. } => name.parse::<Language>().ok(),
            _ => None,
        });
    match language {
        Some(Language::French) => FRENCH,
        Some(Language::Italian) => ITALIAN,
        _ => &[],
    }
}

/// The length in bytes of an elided prefix of `word` (`l'`, `qu’`…), if the rest is a word.
fn elision_len(word: &str, elisions: &[&str]) -> usize {
    for e in elisions {
        let n = e.len() - 1; // without the apostrophe
        if word.len() > n + 1 && word.is_char_boundary(n) && word[..n].eq_ignore_ascii_case(&e[..n])
        {
            let rest = &word[n..];
            for apostrophe in ['\'', '\u{2019}'] {
                if let Some(after) = rest.strip_prefix(apostrophe)
                    && after.chars().next().is_some_and(char::is_alphanumeric)
                {
                    return n + apostrophe.len_utf8();
                }
            }
        }
    }
    0
}

impl<'s, 'l> Lexicon<'s, 'l> {
    pub(crate) fn new(shared: &'s Shared<'l>) -> Self {
        Lexicon {
            shared,
            titles: FxHashMap::default(),
            extra_surfaces: Vec::new(),
            extra_surface_factor: Vec::new(),
            extra_surface_ids: FxHashMap::default(),
            extra_terms: Vec::new(),
            extra_term_ids: FxHashMap::default(),
            spans: Vec::new(),
            surface_buf: String::new(),
            term_buf: String::new(),
            tokens: Vec::new(),
            cands: Vec::new(),
            index: FxHashMap::default(),
            slots: vec![(0, 0); shared.terms.len()],
            generation: 0,
            order: Vec::new(),
            title_tokens: 0,
        }
    }

    fn flags(&self, term: u32) -> u8 {
        match self.shared.term_flags.get(term as usize) {
            Some(&flags) => flags,
            None => self.extra_terms[term as usize - self.shared.terms.len()].flags(),
        }
    }

    /// (idf or 0, `idf^α`) of a term.
    fn weights(&self, term: u32) -> (f64, f64) {
        match self.shared.term_weights.get(term as usize) {
            Some(&w) => w,
            None => self.extra_terms[term as usize - self.shared.terms.len()].weights(),
        }
    }

    fn info(&self, term: u32) -> &TermInfo<'_> {
        let n = self.shared.terms.len();
        match (term as usize).checked_sub(n) {
            None => &self.shared.terms[term as usize],
            Some(i) => &self.extra_terms[i],
        }
    }

    /// The term of an id.
    pub(crate) fn term(&self, id: u32) -> &str {
        &self.info(id).text
    }

    /// How a group sums a candidate.
    pub(crate) fn term_key(&self, c: &Candidate) -> AggKey {
        let shared = self.shared.terms.len();
        if c.words().iter().all(|&t| (t as usize) < shared) {
            AggKey::Ids(c.key)
        } else {
            AggKey::Text(c.stem(self).into())
        }
    }

    /// Every surface of a candidate, as a group sums it, with its count.
    pub(crate) fn surface_keys<'c>(
        &'c self,
        c: &'c Candidate,
    ) -> impl Iterator<Item = (AggKey, u32)> + 'c {
        let shared = self.shared.surfaces.len();
        c.surfaces().map(move |(key, n)| {
            if key[..c.len].iter().all(|&s| (s as usize) < shared) {
                (AggKey::Ids(*key), *n)
            } else {
                (AggKey::Text(c.surface_text(self, key).into()), *n)
            }
        })
    }

    /// The surface of an id.
    pub(crate) fn surface(&self, id: u32) -> &str {
        let n = self.shared.surfaces.len();
        match (id as usize).checked_sub(n) {
            None => self.shared.surfaces[id as usize],
            Some(i) => &self.extra_surfaces[i],
        }
    }

    fn surface_factor(&self, id: u32) -> f64 {
        let n = self.shared.surfaces.len();
        match (id as usize).checked_sub(n) {
            None => self.shared.surface_factor[id as usize],
            Some(i) => self.extra_surface_factor[i],
        }
    }

    /// (surface id, term id or `NONE`) of a title token.
    fn title_lookup(&mut self, raw: &str) -> (u32, u32) {
        if let Some(&v) = self.titles.get(raw) {
            return v;
        }
        let shared = self.shared;
        let analyzer = shared.model.analyzer();
        let mut surface = std::mem::take(&mut self.surface_buf);
        analyzer.surface_into(raw, &mut surface);
        let cut = elision_len(&surface, shared.elisions);
        surface.drain(..cut);
        let kept = analyzer.term_into(&surface, &mut self.term_buf);
        let s = match shared
            .surface_ids
            .get(surface.as_str())
            .or(self.extra_surface_ids.get(surface.as_str()))
        {
            Some(&id) => id,
            None => {
                let id = (shared.surfaces.len() + self.extra_surfaces.len()) as u32;
                self.extra_surface_factor
                    .push(word_factor(&surface, &shared.params));
                self.extra_surfaces.push(surface.clone());
                self.extra_surface_ids.insert(surface.clone(), id);
                id
            }
        };
        self.surface_buf = surface;
        let term = self.term_buf.as_str();
        let t = if !kept {
            NONE
        } else if let Some(&id) = shared.term_ids.get(term).or(self.extra_term_ids.get(term)) {
            id
        } else {
            let id = (shared.terms.len() + self.extra_terms.len()) as u32;
            let idf = match shared.model.column(term) {
                Some(col) => Some(shared.model.idf(col)),
                None => shared.oov_idf,
            };
            self.extra_terms
                .push(term_info(Cow::Owned(term.to_string()), idf, &shared.params));
            self.extra_term_ids.insert(term.to_string(), id);
            self.slots.push((0, 0));
            id
        };
        self.titles.insert(raw.to_string(), (s, t));
        (s, t)
    }

    /// Fills `self.tokens` with the title's tokens (if any), then the text's; returns the
    /// number of title tokens.
    fn tokens_of(&mut self, doc: &Document, text: impl Iterator<Item = (u32, bool)>) -> usize {
        self.tokens.clear();
        if let Some(title) = doc.title.as_deref().filter(|t| !t.is_empty()) {
            let mut spans = std::mem::take(&mut self.spans);
            self.shared.model.analyzer().spans_into(title, &mut spans);
            for (i, span) in spans.iter().enumerate() {
                let (surface, term) = self.title_lookup(&title[span.start..span.end]);
                self.tokens.push(Tok {
                    term,
                    surface,
                    brk: span.boundary || i == 0,
                });
            }
            self.spans = spans;
        }
        let title_tokens = self.tokens.len();
        let shared = self.shared;
        self.tokens
            .extend(text.enumerate().map(|(i, (raw, boundary))| Tok {
                term: shared.raw_term[raw as usize],
                surface: shared.raw_surface[raw as usize],
                brk: boundary || i == 0,
            }));
        title_tokens
    }

    /// Finds and scores the candidates of a document, given its text's tokens as (spelling
    /// id, boundary), into `self.cands` (in order of first occurrence).
    fn candidates(&mut self, doc: &Document, text: impl Iterator<Item = (u32, bool)>) {
        self.title_tokens = self.tokens_of(doc, text);
        let params = &self.shared.params;
        let max_words = if params.phrases {
            params.max_words.clamp(1, MAX_WORDS)
        } else {
            1
        };
        self.collect(max_words);
    }

    /// Finds the candidates of `self.tokens` up to `max_words` long and scores them.
    fn collect(&mut self, max_words: usize) {
        let title_tokens = self.title_tokens;
        self.cands.clear();
        self.index.clear();
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: forget every stamp.
            self.slots.iter_mut().for_each(|s| *s = (0, 0));
            self.generation = 1;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let mut kept = 0u32;
        for start in 0..tokens.len() {
            let term = tokens[start].term;
            if term == NONE {
                continue;
            }
            kept += 1;
            let flags = self.flags(term);
            let (word, letters) = (flags & WORD != 0, flags & LETTERS != 0);
            let in_title = start < title_tokens;
            if word {
                let slot = self.slots[term as usize];
                let c = if slot.0 == self.generation {
                    slot.1 as usize
                } else {
                    let mut key = [NONE; MAX_WORDS];
                    key[0] = term;
                    self.cands.push(Candidate::new(key, 1, start as u32));
                    self.slots[term as usize] = (self.generation, (self.cands.len() - 1) as u32);
                    self.cands.len() - 1
                };
                let mut surface = [NONE; MAX_WORDS];
                surface[0] = tokens[start].surface;
                self.cands[c].add(surface, in_title);
            }
            if max_words == 1 || !letters {
                continue;
            }
            let (mut key, mut surface) = ([NONE; MAX_WORDS], [NONE; MAX_WORDS]);
            key[0] = term;
            surface[0] = tokens[start].surface;
            let mut prefix = PrefixId::Term(term);
            for n in 1..max_words {
                let i = start + n;
                if i >= tokens.len() || tokens[i].term == NONE || tokens[i].brk {
                    break;
                }
                if self.flags(tokens[i].term) & SCORED == 0 {
                    break;
                }
                key[n] = tokens[i].term;
                surface[n] = tokens[i].surface;
                let cands = &mut self.cands;
                let link = phrase_link(prefix, tokens[i].term);
                let c = *self.index.entry(link).or_insert_with(|| {
                    cands.push(Candidate::new(key, n + 1, start as u32));
                    (cands.len() - 1) as u32
                });
                self.cands[c as usize].add(surface, in_title);
                prefix = PrefixId::Phrase(c);
            }
        }
        self.tokens = tokens;
        self.score(kept);
    }

    /// The idf of a phrase the model does not have. [`PhraseIdf::Sum`] is the idf under
    /// independence, `df(phrase)/n = Π df(w)/n`: the `ln(n/df)` parts of the words' idfs add
    /// up, and the formula's constant part (`idf_floor`, the `+ 1` of the smooth idf) is
    /// counted once, not once a word.
    fn phrase_idf(&self, words: &[u32], how: PhraseIdf) -> f64 {
        let idfs = words.iter().map(|&t| self.weights(t).0);
        match how {
            PhraseIdf::Max => idfs.fold(0.0, f64::max),
            PhraseIdf::Mean => idfs.sum::<f64>() / words.len() as f64,
            PhraseIdf::Sum => {
                let floor = self.shared.idf_floor;
                floor + idfs.map(|idf| idf - floor).sum::<f64>()
            }
        }
    }

    fn score(&mut self, doc_len: u32) {
        let params = &self.shared.params;
        let model = self.shared.model;
        let weighting = model.weighting();
        let mut cands = std::mem::take(&mut self.cands);
        let max_count = cands
            .iter()
            .filter(|c| c.len == 1)
            .map(|c| c.count)
            .max()
            .unwrap_or(1);
        let avg_len = model.avg_doc_len;
        let ngram_model = model.analyzer().config().ngram_max > 1;
        if params.phrases {
            cands.retain(|c| c.len == 1 || c.count >= params.min_phrase_count || c.in_title);
            // Retaining moved the single terms: point their slots at their new places.
            for (i, c) in cands.iter().enumerate().filter(|(_, c)| c.len == 1) {
                self.slots[c.key[0] as usize] = (self.generation, i as u32);
            }
        }
        for c in cands.iter_mut() {
            let weight = if c.len == 1 {
                self.weights(c.key[0]).1
            } else {
                let idf = match ngram_model.then(|| model.column(&c.stem(self))).flatten() {
                    Some(col) => model.idf(col),
                    None => self.phrase_idf(c.words(), params.phrase_idf),
                };
                damp(idf, params.idf_power)
            };
            let tf = weighting
                .tf
                .weight(c.count, max_count, doc_len as f64, avg_len);
            let position = 1.0 + params.position / (1.0 + c.first as f64 / params.position_scale);
            let title = if c.in_title { 1.0 + params.title } else { 1.0 };
            let length = if c.len == 1 {
                1.0
            } else {
                params.length.powi(c.len as i32 - 1)
            };
            // As first written; all surfaces of a stem have about the same length.
            let specificity = c.surface.0[..c.len]
                .iter()
                .map(|&s| self.surface_factor(s))
                .sum::<f64>()
                / c.len as f64;
            c.score = tf * weight * position * title * length * specificity;
        }
        if params.phrases {
            self.credit_words_apart(&mut cands, |count| {
                weighting
                    .tf
                    .weight(count, max_count, doc_len as f64, avg_len)
            });
        }
        let scale = match weighting.norm {
            Norm::None => 1.0,
            Norm::L2 => cands.iter().map(|c| c.score * c.score).sum::<f64>().sqrt(),
            Norm::L1 => cands.iter().map(|c| c.score.abs()).sum::<f64>(),
        };
        if scale > 0.0 && scale.is_finite() {
            cands.iter_mut().for_each(|c| c.score /= scale);
        }
        self.cands = cands;
    }

    /// A term that a better-scored phrase contains is credited only with its occurrences apart
    /// from that phrase: its tf becomes `tf(count − c)`, with `c` the count of the most frequent
    /// such phrase ("controller", 8 times, 5 of them in "PID controller", scores as a word seen
    /// 3 times). A term seen only inside the phrase keeps its score; redundancy removal sets it
    /// aside ([`select`]). A term most of whose occurrences are inside one phrase, better or
    /// not, is marked [`Candidate::held`].
    fn credit_words_apart(&self, cands: &mut [Candidate], tf: impl Fn(u32) -> f64) {
        // Per candidate: (count of the most frequent better phrase containing it, of any).
        let mut inside = vec![(0u32, 0u32); cands.len()];
        for phrase in cands.iter().filter(|c| c.len > 1) {
            for &t in phrase.words() {
                // Terms that are no single-word candidate (numbers) keep an old generation.
                let (generation, i) = self.slots[t as usize];
                if generation != self.generation {
                    continue;
                }
                let word = &cands[i as usize];
                let slot = &mut inside[i as usize];
                if phrase.score > word.score {
                    slot.0 = slot.0.max(phrase.count);
                }
                slot.1 = slot.1.max(phrase.count);
            }
        }
        for (c, &(inside, held)) in cands.iter_mut().zip(&inside) {
            c.held = 2 * u64::from(held) > u64::from(c.count);
            if inside > 0 && inside < c.count {
                let all = tf(c.count);
                if all > 0.0 {
                    c.score *= tf(c.count - inside) / all;
                }
            }
        }
    }

    /// Best first; ties by stem.
    fn compare(&self, a: &Candidate, b: &Candidate) -> Ordering {
        b.score.total_cmp(&a.score).then_with(|| {
            let (x, y) = (
                a.words().iter().map(|&t| self.term(t)),
                b.words().iter().map(|&t| self.term(t)),
            );
            x.cmp(y)
        })
    }

    /// The positions in `self.cands` of the top `n`, best first, after redundancy removal
    /// ([`select`]). Sorts only the head of the list unless redundancy needs more.
    pub(crate) fn top(&mut self, n: usize) -> Vec<usize> {
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(0..self.cands.len() as u32);
        let cmp =
            |a: &u32, b: &u32| self.compare(&self.cands[*a as usize], &self.cands[*b as usize]);
        // Saturating: `-n` may be 10^12 or more.
        let mut head = n
            .saturating_mul(4)
            .max(n.saturating_add(16))
            .min(order.len());
        loop {
            if head < order.len() {
                order.select_nth_unstable_by(head, cmp);
            }
            order[..head].sort_unstable_by(cmp);
            let cands = &self.cands;
            let all = head == order.len();
            let picked = select(
                head,
                n,
                self.shared.params.redundancy,
                all,
                |i| cands[order[i] as usize].words(),
                |i| cands[order[i] as usize].count as u64,
                |i| cands[order[i] as usize].held,
            );
            if picked.len() >= n || all {
                let out: Vec<usize> = picked.into_iter().map(|i| order[i] as usize).collect();
                self.order = order;
                let params = &self.shared.params;
                if out.len() < n && !params.phrases && params.max_words > 1 {
                    return self.fill_with_phrases(out, n);
                }
                return out;
            }
            head = order.len();
        }
    }

    /// A document with fewer than `n` terms (a headline, a short post): its best keyphrases
    /// follow the terms (`chosen`, positions in `self.cands`), up to `n` in all.
    fn fill_with_phrases(&mut self, chosen: Vec<usize>, n: usize) -> Vec<usize> {
        let words = std::mem::take(&mut self.cands);
        self.collect(self.shared.params.max_words.clamp(1, MAX_WORDS));
        let mut phrases: Vec<Candidate> = std::mem::take(&mut self.cands)
            .into_iter()
            .filter(|c| c.len > 1)
            .collect();
        phrases.sort_by(|a, b| self.compare(a, b));
        // Room for what there is, not for what was asked (`-n` may be 10^12).
        let room = n.min(words.len() + phrases.len());
        let mut out: Vec<Candidate> = Vec::with_capacity(room);
        let mut positions = Vec::with_capacity(room);
        let mut words: Vec<Option<Candidate>> = words.into_iter().map(Some).collect();
        for i in chosen {
            positions.push(out.len());
            out.push(words[i].take().expect("chosen once"));
        }
        for phrase in phrases.into_iter().take(n - out.len()) {
            positions.push(out.len());
            out.push(phrase);
        }
        self.cands = out;
        positions
    }
}

impl Candidate {
    fn new(key: Key, len: usize, first: u32) -> Self {
        Candidate {
            key,
            len,
            count: 0,
            first,
            in_title: false,
            held: false,
            surface: (key, 0),
            more: Vec::new(),
            score: 0.0,
        }
    }

    /// One more occurrence, written as `surface`.
    fn add(&mut self, surface: Key, in_title: bool) {
        self.in_title |= in_title;
        if self.count == 0 {
            self.surface = (surface, 1);
        } else if self.surface.0 == surface {
            self.surface.1 += 1;
        } else {
            match self.more.iter_mut().find(|s| s.0 == surface) {
                Some(s) => s.1 += 1,
                None => self.more.push((surface, 1)),
            }
        }
        self.count += 1;
    }

    pub(crate) fn words(&self) -> &[u32] {
        &self.key[..self.len]
    }

    pub(crate) fn surfaces(&self) -> impl Iterator<Item = &(Key, u32)> {
        std::iter::once(&self.surface).chain(&self.more)
    }

    /// The most frequent surface; ties go to the form with fewer capitals ("bases" over
    /// "Bases" at a sentence start), then to the first seen.
    fn best_surface(&self, lex: &Lexicon) -> Key {
        if self.more.is_empty() {
            return self.surface.0;
        }
        let capitals = |k: &Key| -> usize {
            k.iter()
                .take(self.len)
                .map(|&s| lex.surface(s).chars().filter(|c| c.is_uppercase()).count())
                .sum()
        };
        let mut best = &self.surface;
        for s in &self.more {
            if s.1 > best.1 || (s.1 == best.1 && capitals(&s.0) < capitals(&best.0)) {
                best = s;
            }
        }
        best.0
    }

    pub(crate) fn stem(&self, lex: &Lexicon) -> String {
        join(self.words().iter().map(|&t| lex.term(t)))
    }

    fn surface_text(&self, lex: &Lexicon, key: &Key) -> String {
        join(key[..self.len].iter().map(|&s| lex.surface(s)))
    }

    pub(crate) fn phrase(&self, lex: &Lexicon) -> String {
        self.surface_text(lex, &self.best_surface(lex))
    }
}

fn join<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, w) in words.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Whether `inner` occurs as a contiguous run inside `outer`.
pub(crate) fn contains<T: PartialEq>(outer: &[T], inner: &[T]) -> bool {
    inner.len() <= outer.len() && outer.windows(inner.len()).any(|w| w == inner)
}

/// Picks the top `n` of `len` candidates ranked best first, without redundancy: a candidate
/// that only ever occurs inside a longer chosen phrase (it is contained in the phrase and its
/// count is no larger) is passed over, or set aside when the phrase comes after it; so is a
/// term held by a phrase (`held(i)`: most of its occurrences are inside one phrase candidate,
/// chosen or not). Candidates set aside fill the end of the list (if `fill`), in rank order,
/// only if fewer than `n` others remain.
/// `words(i)`, `count(i)` and `held(i)` describe the `i`-th best candidate. Returns ranks, best
/// first.
pub(crate) fn select<'a, T: PartialEq + 'a>(
    len: usize,
    n: usize,
    redundancy: bool,
    fill: bool,
    words: impl Fn(usize) -> &'a [T],
    count: impl Fn(usize) -> u64,
    held: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let inside = |short: usize, long: usize| {
        let (s, l) = (words(short), words(long));
        l.len() > s.len() && count(short) <= count(long) && contains(l, s)
    };
    let mut chosen: Vec<usize> = Vec::with_capacity(n.min(len));
    let mut aside: Vec<usize> = Vec::new();
    for i in 0..len {
        if chosen.len() == n {
            break;
        }
        if redundancy {
            if held(i) || chosen.iter().any(|&j| inside(i, j)) {
                aside.push(i);
                continue;
            }
            chosen.retain(|&j| {
                let redundant = inside(j, i);
                if redundant {
                    aside.push(j);
                }
                !redundant
            });
        }
        chosen.push(i);
    }
    if fill && chosen.len() < n && !aside.is_empty() {
        aside.sort_unstable();
        chosen.extend(aside.into_iter().take(n - chosen.len()));
    }
    chosen
}

#[cfg(test)]
mod tests;
