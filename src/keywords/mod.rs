//! Keywords, keyphrases and keyness.
//!
//! - [`KeywordExtractor`] ranks the key terms or phrases of each document, or of groups of
//!   documents (a source, a story, a month, the whole corpus), with idf from a
//!   [`FittedVectorizer`] fitted on the corpus or loaded from a saved model.
//! - [`keyness`] says which terms one group uses more than another (G², χ², log-odds, PMI,
//!   Log Ratio, p-values with Benjamini–Hochberg control).
//! - [`GroupBy`] puts documents into groups: by field or by date bucket.
//!
//! ```
//! use parallax::corpus::Document;
//! use parallax::keywords::{KeywordExtractor, KeywordParams};
//! use parallax::vectorize::Vectorizer;
//! let docs = [
//!     Document::new("a", "Russian military bases in Syria. The bases stay; new bases open."),
//!     Document::new("b", "Officials in Moscow said talks continue."),
//! ];
//! let model = Vectorizer::default().fit(&docs)?;
//! let params = KeywordParams { n: 3, ..Default::default() };
//! let keywords = KeywordExtractor::new(&model, params)?.document(&docs[0]);
//! // Surface forms as written, with the stems they stand for and their counts.
//! let bases = &keywords[0];
//! assert_eq!((bases.phrase.as_str(), bases.stem.as_str(), bases.count), ("bases", "base", 3));
//! assert_eq!(keywords[1].phrase, "Russian military bases");
//! // "Russian" and "military" occur only inside the phrase: redundant, so not listed.
//! assert!(keywords.iter().all(|k| k.phrase != "military"));
//! # Ok::<(), parallax::Error>(())
//! ```
//!
//! # How keywords are scored
//!
//! **Candidates** are the document's terms (single words after stop-word removal and stemming)
//! and, with [`KeywordParams::phrases`] (the default), every run of up to
//! [`KeywordParams::max_words`] consecutive terms that crosses no stop word and no punctuation;
//! terms and phrases compete in one ranking. A candidate must start with a
//! word that has a letter (a number may end a phrase: "Falcon 9"); single words need two
//! characters. Elided articles (`l'`, `d'`, `qu'`…) are cut from French and Italian words.
//!
//! **Score** = `tf(count) · idf^α · position · title · length · specificity`, then
//! normalized like a TF-IDF row:
//! - `tf`, the idf formula and the normalization are the model's weighting
//!   ([`crate::vectorize::Weighting`], TF-IDF with raw counts, smooth idf and L2 by default);
//!   `α` = [`KeywordParams::idf_power`] (default 0.5: in a corpus of a few hundred documents the
//!   rarest words are often incidental, so the idf is damped). A phrase's idf is the model's own
//!   if it has n-grams (`--ngram 1..3`), else the idf it would have if its words occurred
//!   independently ([`PhraseIdf::Sum`]: the `ln(n/df)` parts of its words' idfs added, the
//!   formula's constant part, the `+ 1` of the smooth idf, counted once), which lets a phrase
//!   outweigh its words without a length bonus;
//! - `position = 1 + p / (1 + i / s)`, with `i` the index of the first token of the first
//!   occurrence (stop words counted; the title comes first), `p` = [`KeywordParams::position`]
//!   (default 1) and `s` = [`KeywordParams::position_scale`] (default 20 tokens): news puts
//!   what matters first;
//! - `title = 1 + t` if the candidate occurs in the document's title (default `t` = 0: the
//!   position boost already covers the title, and an extra title boost lowered the scores we
//!   measured);
//! - `length = l^(words − 1)` (default `l` = 1);
//! - `specificity` = the mean over the candidate's words of `(min(chars, c) / c)^b`, with
//!   `c` = [`KeywordParams::word_chars`] (8) and `b` = [`KeywordParams::word_length`] (1.5):
//!   short words are common, general words (Zipf's law of abbreviation), and are less often
//!   what a reader calls key; words written as abbreviations ("IBS", "NASA") get 1.
//!
//! A term that a better-scored phrase contains is credited only with its occurrences apart
//! from that phrase: its tf becomes `tf(count − c)`, `c` the count of the most frequent such
//! phrase.
//!
//! Then **redundancy removal**: going down the ranking, a candidate is set aside if it only
//! ever occurs inside a phrase already chosen (or chosen later), and a term is set aside if
//! more than half its occurrences are inside one phrase candidate, chosen or not (the phrase
//! names the concept there); set-aside candidates only fill the end of the list when fewer
//! than `n` others remain. Terms are reported as their most frequent
//! surface form in the document (or group), with the stem, score and count.
//!
//! **Groups** (`--per source`, a story, the corpus) score a candidate by the mean of its
//! document scores over the group's documents (0 where absent), so terms used across the
//! group rise; counts and surface forms are summed over the group. Document scores for groups
//! use the plain idf ([`KeywordParams::group_idf_power`] = 1): averaged over many documents, a
//! damped idf lets frequent general words ("would", "said") rise.

pub mod eval;
mod extract;
mod group;
mod group_keyness;
pub mod keyness;
pub mod porter;
mod rank;
pub mod significance;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

pub use extract::MAX_WORDS;
pub use group::{DateBucket, GroupBy};
pub use rank::{Per, RankKeywords, RankedKeywords, keywords};

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::vectorize::{FittedVectorizer, TokenizedDocuments};
use extract::{AggKey, Candidate, Lexicon, Shared, select};

/// How the idf of a phrase is estimated when the model has no n-gram for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PhraseIdf {
    /// Its rarest word's idf (a lower bound of the phrase's own).
    Max,
    /// The mean of its words' idfs.
    Mean,
    /// The idf the phrase would have if its words occurred independently
    /// (`df(phrase)/n ≈ Π df(w)/n`), an upper bound for words that attract each other: the sum
    /// of its words' idfs, with the formula's constant part (the idf of a term in every
    /// document: the `+ 1` of the smooth and plain idf) counted once, `c + Σ (idf(w) − c)`.
    #[default]
    Sum,
}

/// Keyword settings. The defaults were chosen on four keyphrase sets together (English and
/// French news, English abstracts and science paragraphs; see `docs/keywords.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordParams {
    /// How many keywords per document or group.
    pub n: usize,
    /// Multi-word candidates (keyphrases) as well as single terms.
    pub phrases: bool,
    /// Longest phrase, in words (at most [`MAX_WORDS`]).
    pub max_words: usize,
    /// Exponent `α` applied to the idf (1 = plain TF-IDF; below 1 damps the idf).
    pub idf_power: f64,
    /// Exponent `α` when ranking groups: averaging over many documents lets frequent,
    /// general words ("would", "said") rise unless the idf keeps its full weight.
    pub group_idf_power: f64,
    /// Strength `p` of the first-position boost (0 turns it off).
    pub position: f64,
    /// Scale `s` of the first-position boost, in tokens.
    pub position_scale: f64,
    /// Boost `t` for candidates in the document's title (0 turns it off).
    pub title: f64,
    /// Exponent `b` of the word-length factor (0 turns it off).
    pub word_length: f64,
    /// Words of at least this many characters get the full word-length factor.
    pub word_chars: usize,
    /// Factor `l` per extra word of a phrase.
    pub length: f64,
    /// Phrases seen fewer times are dropped, unless they are in the title.
    pub min_phrase_count: u32,
    /// Idf of phrases the model does not have.
    pub phrase_idf: PhraseIdf,
    /// Skip candidates that only occur inside a chosen phrase, and terms most of whose
    /// occurrences are inside one phrase.
    pub redundancy: bool,
}

impl Default for KeywordParams {
    fn default() -> Self {
        KeywordParams {
            n: 10,
            phrases: true,
            max_words: 3,
            idf_power: 0.5,
            group_idf_power: 1.0,
            position: 1.0,
            position_scale: 20.0,
            title: 0.0,
            word_length: 1.5,
            word_chars: 8,
            length: 1.0,
            min_phrase_count: 1,
            phrase_idf: PhraseIdf::Sum,
            redundancy: true,
        }
    }
}

impl KeywordParams {
    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] naming the setting: `n` 0, `max_words` outside 1..=[`MAX_WORDS`], a
    /// negative or non-finite weight or power, a `position_scale` or `length` that is not a
    /// positive number, or `word_chars` 0.
    pub fn validate(&self) -> Result<()> {
        if self.n == 0 {
            return Err(Error::param("-n", 0, "must be at least 1"));
        }
        if self.max_words == 0 || self.max_words > MAX_WORDS {
            return Err(Error::param(
                "--max-words",
                self.max_words,
                format!("must be within 1..={MAX_WORDS}"),
            ));
        }
        for (name, v) in [
            ("--position", self.position),
            ("--title-weight", self.title),
            ("--idf-power", self.idf_power),
            ("--idf-power", self.group_idf_power),
            ("--word-length", self.word_length),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(Error::param(name, v, "must be a number ≥ 0"));
            }
        }
        if !(self.position_scale > 0.0 && self.position_scale.is_finite()) {
            return Err(Error::param(
                "position_scale",
                self.position_scale,
                "must be > 0",
            ));
        }
        if self.word_chars == 0 {
            return Err(Error::param("word_chars", 0, "must be at least 1"));
        }
        if !(self.length > 0.0 && self.length.is_finite()) {
            return Err(Error::param("length", self.length, "must be > 0"));
        }
        Ok(())
    }
}

/// One ranked keyword.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keyword {
    /// The most frequent surface form ("Russian military bases").
    pub phrase: String,
    /// The analyzed terms, joined by a space ("russian militari base").
    pub stem: String,
    /// The score (higher is more key).
    pub score: f64,
    /// Occurrences in the document or group.
    pub count: u64,
}

/// Ranks the keywords of documents and groups with a fitted model's analysis and idf.
#[derive(Debug, Clone)]
pub struct KeywordExtractor<'m> {
    model: &'m FittedVectorizer,
    params: KeywordParams,
}

impl<'m> KeywordExtractor<'m> {
    /// Checks the settings and binds them to a model.
    ///
    /// # Errors
    ///
    /// As [`KeywordParams::validate`].
    pub fn new(model: &'m FittedVectorizer, params: KeywordParams) -> Result<Self> {
        params.validate()?;
        Ok(KeywordExtractor { model, params })
    }

    /// The settings.
    pub fn params(&self) -> &KeywordParams {
        &self.params
    }

    /// The keywords of one document, best first.
    pub fn document(&self, doc: &Document) -> Vec<Keyword> {
        self.documents(std::slice::from_ref(doc))
            .pop()
            .unwrap_or_default()
    }

    /// The keywords of every document, in order, computed in parallel.
    pub fn documents(&self, docs: &[Document]) -> Vec<Vec<Keyword>> {
        let analyzed = self.model.tokenize(docs);
        self.documents_tokenized(&analyzed)
            .expect("analyzed with the model's own pipeline")
    }

    /// Like [`KeywordExtractor::documents`], for documents already analyzed (by
    /// [`Vectorizer::fit_tokenized`](crate::vectorize::Vectorizer::fit_tokenized) or
    /// [`FittedVectorizer::tokenize`]), so they are not analyzed twice. Fails if they went
    /// through another analysis than the model's.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] if they went through another analysis than the model's.
    pub fn documents_tokenized(&self, analyzed: &TokenizedDocuments) -> Result<Vec<Vec<Keyword>>> {
        let shared = self.shared(analyzed, &self.params)?;
        let parts: Vec<Vec<Vec<Keyword>>> = (0..shared.n_chunks())
            .into_par_iter()
            .map_init(
                || Lexicon::new(&shared),
                |lex, c| {
                    let mut out = Vec::new();
                    shared.for_each_doc(lex, c, |lex, _| out.push(self.top(lex)));
                    out
                },
            )
            .collect();
        Ok(parts.into_iter().flatten().collect())
    }

    /// Each document's id and keywords, in order: [`KeywordExtractor::documents`] with the
    /// ids (a chunk of a streamed `keywords --per doc`).
    pub fn rankings(&self, docs: &[Document]) -> Vec<(String, Vec<Keyword>)> {
        let analyzed = self.model.tokenize(docs);
        self.rankings_tokenized(&analyzed)
            .expect("analyzed with the model's own pipeline")
    }

    /// Like [`KeywordExtractor::rankings`], for documents already analyzed.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] if they went through another analysis than the model's.
    pub fn rankings_tokenized(
        &self,
        analyzed: &TokenizedDocuments,
    ) -> Result<Vec<(String, Vec<Keyword>)>> {
        let ranked = self.documents_tokenized(analyzed)?;
        let ids = analyzed.docs().iter().map(|d| d.id.clone());
        Ok(ids.zip(ranked).collect())
    }

    fn shared<'l>(
        &self,
        analyzed: &'l TokenizedDocuments<'l>,
        params: &KeywordParams,
    ) -> Result<Shared<'l>>
    where
        'm: 'l,
    {
        if analyzed.config() != self.model.analyzer().config() {
            return Err(Error::param(
                "analysis",
                "(documents)",
                "the documents were analyzed with another pipeline than the model's",
            ));
        }
        Ok(Shared::new(self.model, analyzed, params))
    }

    fn top(&self, lex: &mut Lexicon) -> Vec<Keyword> {
        lex.top(self.params.n)
            .into_iter()
            .map(|i| keyword(lex, &lex.cands[i]))
            .collect()
    }

    /// The keywords of groups of documents: `groups[i]` names document `i`'s group (`None`
    /// leaves it out). Returns (group, documents, keywords), groups sorted by name.
    pub fn groups(
        &self,
        docs: &[Document],
        groups: &[Option<String>],
    ) -> Vec<(String, usize, Vec<Keyword>)> {
        let analyzed = self.model.tokenize(docs);
        self.groups_tokenized(&analyzed, groups)
            .expect("analyzed with the model's own pipeline")
    }

    /// Like [`KeywordExtractor::groups`], for documents already analyzed.
    ///
    /// Sums run over fixed blocks of documents (set by the input), merged in order, so scores
    /// are the same for any thread count.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] if they went through another analysis than the model's, or if
    /// `groups` does not hold one entry per document.
    pub fn groups_tokenized(
        &self,
        analyzed: &TokenizedDocuments,
        groups: &[Option<String>],
    ) -> Result<Vec<(String, usize, Vec<Keyword>)>> {
        if analyzed.docs().len() != groups.len() {
            let reason = format!("one per document: {} documents", analyzed.docs().len());
            return Err(Error::param("groups", groups.len(), reason));
        }
        let params = KeywordParams {
            idf_power: self.params.group_idf_power,
            ..self.params.clone()
        };
        let shared = self.shared(analyzed, &params)?;
        // Chunks are scored in parallel a batch at a time and merged in order, so memory stays
        // near the running sums.
        let chunks: Vec<usize> = (0..shared.n_chunks()).collect();
        let mut merged: std::collections::BTreeMap<&str, GroupAgg> = Default::default();
        for batch in chunks.chunks(rayon::current_num_threads() * 2) {
            let partials: Vec<FxHashMap<&str, GroupAgg>> = batch
                .par_iter()
                .map_init(
                    || Lexicon::new(&shared),
                    |lex, &c| {
                        let mut aggs: FxHashMap<&str, GroupAgg> = FxHashMap::default();
                        shared.for_each_doc(lex, c, |lex, d| {
                            let Some(group) = &groups[d] else { return };
                            let agg = aggs.entry(group.as_str()).or_default();
                            agg.docs += 1;
                            for c in &lex.cands {
                                let entry = agg.terms.entry(lex.term_key(c)).or_default();
                                entry.score += c.score;
                                entry.count += c.count as u64;
                                for (surface, n) in lex.surface_keys(c) {
                                    entry.add_surface(surface, n as u64);
                                }
                            }
                        });
                        aggs
                    },
                )
                .collect();
            for partial in partials {
                let mut partial: Vec<(&str, GroupAgg)> = partial.into_iter().collect();
                partial.sort_by(|a, b| a.0.cmp(b.0));
                for (name, agg) in partial {
                    merged.entry(name).or_default().absorb(agg);
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|(name, agg)| {
                let docs = agg.docs;
                (
                    name.to_string(),
                    docs,
                    agg.rank(&shared, self.params.n, self.params.redundancy),
                )
            })
            .collect())
    }
}

fn keyword(lex: &Lexicon, c: &Candidate) -> Keyword {
    Keyword {
        phrase: c.phrase(lex),
        stem: c.stem(lex),
        score: c.score,
        count: c.count as u64,
    }
}

#[derive(Default)]
struct TermAgg {
    score: f64,
    count: u64,
    /// Surfaces and their counts (usually one or two).
    surfaces: Vec<(AggKey, u64)>,
}

impl TermAgg {
    fn add_surface(&mut self, surface: AggKey, n: u64) {
        match self.surfaces.iter_mut().find(|s| s.0 == surface) {
            Some(s) => s.1 += n,
            None => self.surfaces.push((surface, n)),
        }
    }
}

#[derive(Default)]
struct GroupAgg {
    docs: usize,
    terms: FxHashMap<AggKey, TermAgg>,
}

impl GroupAgg {
    /// Adds a later chunk's sums (chunks merge in document order, so sums are reproducible).
    fn absorb(&mut self, other: GroupAgg) {
        self.docs += other.docs;
        for (key, t) in other.terms {
            let mine = self.terms.entry(key).or_default();
            mine.score += t.score;
            mine.count += t.count;
            for (s, n) in t.surfaces {
                mine.add_surface(s, n);
            }
        }
    }

    fn rank(self, shared: &Shared, n: usize, redundancy: bool) -> Vec<Keyword> {
        let docs = self.docs.max(1) as f64;
        let mut terms: Vec<(String, TermAgg)> = self
            .terms
            .into_iter()
            .map(|(k, t)| (shared.stem_text(&k), t))
            .collect();
        terms.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.cmp(&b.0)));
        let words: Vec<Vec<&str>> = terms
            .iter()
            .map(|(stem, _)| stem.split(' ').collect())
            .collect();
        select(
            terms.len(),
            n,
            redundancy,
            true,
            |i| &words[i][..],
            |i| terms[i].1.count,
            |_| false,
        )
        .into_iter()
        .map(|i| {
            let (stem, t) = &terms[i];
            let surfaces: Vec<(String, u64)> = t
                .surfaces
                .iter()
                .map(|(k, n)| (shared.surface_text(k), *n))
                .collect();
            Keyword {
                phrase: best_surface(&surfaces),
                stem: stem.clone(),
                score: t.score / docs,
                count: t.count,
            }
        })
        .collect()
    }
}

/// The most frequent surface; ties to fewer capitals, then the smallest string.
fn best_surface(surfaces: &[(String, u64)]) -> String {
    let capitals = |s: &str| s.chars().filter(|c| c.is_uppercase()).count();
    surfaces
        .iter()
        .min_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| capitals(&a.0).cmp(&capitals(&b.0)))
                .then_with(|| a.0.cmp(&b.0))
        })
        .map(|(s, _)| s.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisConfig, Language};
    use crate::vectorize::Vectorizer;

    /// The default settings without row normalization, so scores can be compared by hand.
    fn unnormalized() -> Vectorizer {
        Vectorizer {
            weighting: crate::vectorize::Weighting {
                norm: crate::vectorize::Norm::None,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn docs(texts: &[&str]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(format!("d{i}"), *t))
            .collect()
    }

    fn phrases(keywords: &[Keyword]) -> Vec<&str> {
        keywords.iter().map(|k| k.phrase.as_str()).collect()
    }

    #[test]
    fn empty_documents_have_no_keywords() {
        let corpus = docs(&["", "Harbour levy vote", "   ", "the of and"]);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let params = KeywordParams {
            phrases: true,
            ..Default::default()
        };
        let extractor = KeywordExtractor::new(&model, params).unwrap();
        let all = extractor.documents(&corpus);
        assert_eq!(all.len(), 4);
        assert!(all[0].is_empty() && all[2].is_empty() && all[3].is_empty());
        // Three words and three phrases; the words only occur inside the phrase "Harbour levy
        // vote", so they come last, filling the list.
        assert_eq!(phrases(&all[1]).len(), 6);
        assert_eq!(phrases(&all[1])[0], "Harbour levy vote");
        assert!(extractor.document(&Document::new("x", "")).is_empty());
        let groups = vec![Some("g".to_string()); 4];
        let ranked = extractor.groups(&corpus, &groups);
        assert_eq!(ranked[0].1, 4);
    }

    #[test]
    fn stems_are_shown_as_their_most_frequent_surface() {
        let corpus = docs(&[
            "Military bases. The bases, the base, more bases near military airfields.",
            "A quiet village fair.",
        ]);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let k = KeywordExtractor::new(&model, KeywordParams::default())
            .unwrap()
            .document(&corpus[0]);
        let base = k.iter().find(|k| k.stem == "base").unwrap();
        assert_eq!((base.phrase.as_str(), base.count), ("bases", 4));
        // "Military" (sentence start) and "military" tie: fewer capitals wins.
        let military = k.iter().find(|k| k.stem == "militari").unwrap();
        assert_eq!((military.phrase.as_str(), military.count), ("military", 2));
        assert!(k.iter().all(|k| k.score > 0.0 && k.score.is_finite()));
    }

    #[test]
    fn phrases_stop_at_stop_words_and_punctuation_and_drop_redundant_words() {
        let corpus = docs(&[
            "Russian military bases in Syria. Russian military bases remain; officials of Syria said.",
            "Officials said the weather was fine.",
        ]);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let params = KeywordParams {
            phrases: true,
            n: 20,
            ..Default::default()
        };
        let k = KeywordExtractor::new(&model, params)
            .unwrap()
            .document(&corpus[0]);
        let p = phrases(&k);
        assert!(p.contains(&"Russian military bases"), "{p:?}");
        // Never across a stop word or punctuation.
        assert!(
            !p.iter().any(|x| x.contains("bases Syria")
                || x.contains("Syria Russian")
                || x.contains("remain officials")),
            "{p:?}"
        );
        // "military" only occurs inside the phrase, with the same count: set aside until the
        // list runs short (20 asked, fewer candidates), then it comes last.
        let military = p.iter().position(|x| *x == "military").unwrap();
        let phrase = p
            .iter()
            .position(|x| *x == "Russian military bases")
            .unwrap();
        assert!(military > phrase);
        // "Syria" also occurs outside any phrase: not redundant.
        assert!(p.iter().position(|x| *x == "Syria").unwrap() < military);
    }

    #[test]
    fn a_phrase_idf_counts_the_constant_part_once() {
        // Smooth idf, `ln((1 + n)/(1 + df)) + 1`: under independence the `ln` parts add up and
        // the `+ 1` is counted once: idf(harbour levy) = 2 · idf(harbour) − 1.
        let mut texts = vec!["Harbour levy."];
        texts.extend(["The weather was fine."; 9]);
        let corpus = docs(&texts);
        let model = unnormalized().fit(&corpus).unwrap();
        let params = KeywordParams {
            position: 0.0,
            word_length: 0.0,
            ..Default::default()
        };
        let k = KeywordExtractor::new(&model, params)
            .unwrap()
            .document(&corpus[0]);
        let score = |stem: &str| k.iter().find(|k| k.stem == stem).unwrap().score;
        // Scores are tf · idf^0.5, tf = 1.
        let (phrase, word) = (score("harbour levi"), score("harbour"));
        assert!((phrase * phrase - (2.0 * word * word - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn a_word_held_by_a_phrase_is_set_aside() {
        // "harbour": 3 times, 2 of them in "harbour levy" (more than half): the phrase names the
        // concept, so the word is set aside, behind "ferries" (never in a phrase) although it
        // scores higher; with --keep-redundant it is not.
        let mut texts = vec!["Harbour levy rises. The harbour levy falls. A harbour. Ferries."];
        texts.extend(["The weather was fine."; 9]);
        let corpus = docs(&texts);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let rank = |redundancy| {
            let params = KeywordParams {
                n: 20,
                redundancy,
                ..Default::default()
            };
            KeywordExtractor::new(&model, params)
                .unwrap()
                .document(&corpus[0])
        };
        for redundancy in [true, false] {
            let k = rank(redundancy);
            let at = |stem: &str| k.iter().position(|k| k.stem == stem).unwrap();
            assert!(k[at("harbour")].score > k[at("ferri")].score);
            assert_eq!(at("harbour") > at("ferri"), redundancy, "{:?}", phrases(&k));
        }
    }

    #[test]
    fn a_word_is_credited_with_its_occurrences_apart_from_a_better_phrase() {
        // A hundred documents: the phrase's idf counts the smooth idf's `+ 1` once, so in a
        // smaller corpus "controller" (4 times, from the second token) outscores it.
        let mut texts = vec![
            "PID controller tuning. The PID controller works; a PID controller and a controller.",
        ];
        texts.extend(["The weather was fine."; 99]);
        let corpus = docs(&texts);
        let model = unnormalized().fit(&corpus).unwrap();
        let rank = |phrases| {
            let params = KeywordParams {
                phrases,
                n: 20,
                ..Default::default()
            };
            KeywordExtractor::new(&model, params)
                .unwrap()
                .document(&corpus[0])
        };
        let (with_phrases, words) = (rank(true), rank(false));
        let score = |k: &[Keyword], stem: &str| k.iter().find(|k| k.stem == stem).unwrap().score;
        // "controller": 4 times, 3 of them in "PID controller", which scores higher; so it
        // scores as a word seen once (raw tf: a quarter).
        let p = phrases(&with_phrases);
        assert!(
            p.iter().position(|x| *x == "PID controller")
                < p.iter().position(|x| *x == "controller"),
            "{p:?}"
        );
        let ratio = score(&with_phrases, "control") / score(&words, "control");
        assert!((ratio - 0.25).abs() < 1e-12, "{ratio}");
        // "PID" never occurs apart: its score stays, and redundancy removal sets it aside.
        assert_eq!(score(&with_phrases, "pid"), score(&words, "pid"));
        // "controller" is held by the phrase (3 of its 4 occurrences are in it): set aside too.
        // Both only fill the list because fewer than 20 others remain, after every phrase, in
        // rank order ("PID" keeps its score, "controller" is credited).
        let at = |x: &str| p.iter().position(|y| *y == x).unwrap();
        for phrase in [
            "PID controller",
            "PID controller tuning",
            "PID controller works",
        ] {
            assert!(at(phrase) < at("PID"), "{p:?}");
        }
        assert!(at("PID") < at("controller"), "{p:?}");
    }

    #[test]
    fn document_and_documents_agree_for_any_thread_count() {
        let corpus: Vec<Document> = (0..300)
            .map(|i| {
                Document::new(
                    format!("d{i}"),
                    format!(
                        "Story {i} about harbour levy {} and ferries {}",
                        i % 7,
                        i % 13
                    ),
                )
            })
            .collect();
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let params = KeywordParams {
            phrases: true,
            ..Default::default()
        };
        let extractor = KeywordExtractor::new(&model, params).unwrap();
        let all = extractor.documents(&corpus);
        for i in [0, 17, 299] {
            assert_eq!(all[i], extractor.document(&corpus[i]));
        }
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(one.install(|| extractor.documents(&corpus)), all);
        let groups: Vec<Option<String>> = (0..300).map(|i| Some(format!("g{}", i % 3))).collect();
        let by_group = extractor.groups(&corpus, &groups);
        assert_eq!(one.install(|| extractor.groups(&corpus, &groups)), by_group);
    }

    #[test]
    fn groups_average_document_scores() {
        let corpus = docs(&[
            "Levy levy harbour",
            "Levy dredging",
            "Ferry strike",
            "Ferry ferry pay",
        ]);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        // Groups use the plain idf; so do the document scores they are compared with here.
        // Single terms only: the test is about averaging, not about phrases against words.
        let params = KeywordParams {
            idf_power: 1.0,
            phrases: false,
            ..Default::default()
        };
        let extractor = KeywordExtractor::new(&model, params).unwrap();
        let each = extractor.documents(&corpus);
        let groups: Vec<Option<String>> = ["port", "port", "sea", "sea"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        let ranked = extractor.groups(&corpus, &groups);
        assert_eq!(
            ranked
                .iter()
                .map(|g| (g.0.as_str(), g.1))
                .collect::<Vec<_>>(),
            [("port", 2), ("sea", 2)]
        );
        let levy = ranked[0].2.iter().find(|k| k.stem == "levi").unwrap();
        let expected = (each[0].iter().find(|k| k.stem == "levi").unwrap().score
            + each[1].iter().find(|k| k.stem == "levi").unwrap().score)
            / 2.0;
        assert!((levy.score - expected).abs() < 1e-12);
        assert_eq!((levy.phrase.as_str(), levy.count), ("Levy", 3));
        assert_eq!(ranked[1].2[0].stem, "ferri");
    }

    #[test]
    fn title_tokens_come_first_and_count() {
        let mut doc = Document::new("a", "The council met. Dredging starts in July.");
        doc.title = Some("Harbour dredging approved".into());
        let corpus = vec![doc, Document::new("b", "The council met again.")];
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let k = KeywordExtractor::new(&model, KeywordParams::default())
            .unwrap()
            .document(&corpus[0]);
        assert_eq!(k[0].stem, "dredg");
        assert_eq!(k[0].count, 2);
        // "Harbour" is only in the title (not in any text the model saw) and still ranks.
        assert!(k.iter().any(|k| k.phrase == "Harbour"), "{k:?}");
    }

    #[test]
    fn french_elisions_are_cut() {
        let config = AnalysisConfig::for_language(Language::French);
        let v = Vectorizer {
            analysis: config,
            ..Default::default()
        };
        let corpus = docs(&[
            "L'ISS et la station : l'ISS reçoit la capsule d'essai.",
            "La fusée décolle.",
        ]);
        let model = v.fit(&corpus).unwrap();
        let params = KeywordParams {
            phrases: true,
            ..Default::default()
        };
        let k = KeywordExtractor::new(&model, params)
            .unwrap()
            .document(&corpus[0]);
        let iss = k
            .iter()
            .find(|k| k.phrase == "ISS")
            .expect("ISS without its article");
        assert_eq!(iss.count, 2);
        assert!(!k.iter().any(|k| k.phrase.contains('\'')), "{k:?}");
    }

    #[test]
    fn another_analysis_is_refused() {
        let corpus = docs(&["Harbour levy", "Ferry strike"]);
        let model = Vectorizer::default().fit(&corpus).unwrap();
        let other = Vectorizer {
            analysis: AnalysisConfig::sklearn(),
            ..Default::default()
        };
        let (_, analyzed) = other.fit_tokenized(&corpus).unwrap();
        let extractor = KeywordExtractor::new(&model, KeywordParams::default()).unwrap();
        assert!(extractor.documents_tokenized(&analyzed).is_err());
        let bad = KeywordParams {
            n: 0,
            ..Default::default()
        };
        assert!(KeywordExtractor::new(&model, bad).is_err());
    }
}
