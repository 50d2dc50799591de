//! Analysis: from text to terms, as a pipeline that is data.
//!
//! An [`AnalysisConfig`] lists the stages (normalizers, a tokenizer, token filters, n-gram
//! range); it is saved inside every model so a model replays exactly the analysis it was fitted
//! with. [`Analyzer`] is the compiled form.
//!
//! ```
//! use parallax::analysis::{AnalysisConfig, Analyzer, Language};
//! let analyzer = Analyzer::new(&AnalysisConfig::for_language(Language::English)).unwrap();
//! let terms: Vec<String> = analyzer.analyze("Moscow’s military bases").into_iter()
//!     .filter_map(|t| t.term).collect();
//! assert_eq!(terms, ["moscow", "militari", "base"]);
//! ```

mod english;
mod language;
mod settings;
pub mod stopwords;
mod tokenize;

use std::collections::BTreeSet;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark, is_nfkc_quick};

pub use language::Language;
pub use settings::{AnalysisOptions, AnalysisSettings, StopWordList, StopWords, parse_ngram_range};
pub use tokenize::{Span, Tokenizer};

use crate::error::{Error, Result};

/// A character-level normalizer, applied to each token's text (so offsets keep pointing into the
/// original). The result is the token's *surface form*, the form people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Normalizer {
    /// Unicode NFKC.
    Nfkc,
    /// Curly quotes and apostrophes to ASCII `'` and `"`.
    FoldQuotes,
}

/// A token filter: maps a surface form to a term, or removes the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Filter {
    /// Unicode lowercase.
    Lowercase,
    /// Strip accents (NFD, then drop combining marks).
    FoldAccents,
    /// Remove listed words (expects tokens as the earlier filters left them, usually lowercased).
    /// Removed tokens leave a gap that n-grams do not cross (unless the config says otherwise).
    StopWords {
        /// Where the list came from (`english`, `sklearn`, a file name).
        name: String,
        /// The words, sorted.
        words: BTreeSet<String>,
    },
    /// Snowball stemming (expects lowercased tokens).
    Stem {
        /// Stemmer language.
        language: Language,
    },
}

/// The whole analysis: normalizers, tokenizer, filters and n-gram range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    /// Applied to each token's text first; the result is the surface form.
    pub normalizers: Vec<Normalizer>,
    /// How text is cut into tokens.
    pub tokenizer: Tokenizer,
    /// Applied in order to the surface form to get the term.
    pub filters: Vec<Filter>,
    /// Smallest n-gram length (1 = single terms).
    pub ngram_min: usize,
    /// Largest n-gram length.
    pub ngram_max: usize,
    /// If true, n-grams never join tokens across punctuation or a removed word. False is
    /// scikit-learn's behaviour (n-grams over the token list after stop-word removal).
    pub phrase_breaks: bool,
}

impl AnalysisConfig {
    /// The default pipeline for a language: NFKC, quote folding, UAX #29 words, lowercase,
    /// the language's stop words, Snowball stemming, unigrams.
    pub fn for_language(language: Language) -> Self {
        AnalysisConfig {
            normalizers: vec![Normalizer::Nfkc, Normalizer::FoldQuotes],
            tokenizer: Tokenizer::Words,
            filters: vec![
                Filter::Lowercase,
                Filter::StopWords {
                    name: language.name().to_string(),
                    words: stopwords::builtin(language),
                },
                Filter::Stem { language },
            ],
            ngram_min: 1,
            ngram_max: 1,
            phrase_breaks: true,
        }
    }

    /// scikit-learn `TfidfVectorizer()` analysis: `(?u)\b\w\w+\b`, lowercase, nothing else.
    pub fn sklearn() -> Self {
        AnalysisConfig {
            normalizers: vec![],
            tokenizer: Tokenizer::Pattern,
            filters: vec![Filter::Lowercase],
            ngram_min: 1,
            ngram_max: 1,
            phrase_breaks: false,
        }
    }

    /// gensim `simple_preprocess` defaults: alphabetic tokens of 2–15 characters, lowercase.
    pub fn gensim() -> Self {
        AnalysisConfig {
            tokenizer: Tokenizer::Alphabetic {
                min_len: 2,
                max_len: 15,
            },
            ..Self::sklearn()
        }
    }

    /// Spark `RegexTokenizer` defaults: whitespace-separated, lowercase.
    pub fn spark() -> Self {
        AnalysisConfig {
            tokenizer: Tokenizer::Whitespace,
            ..Self::sklearn()
        }
    }

    /// Checks the n-gram range.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] (`--ngram`) unless 1 <= `ngram_min` <= `ngram_max` <= 8.
    pub fn validate(&self) -> Result<()> {
        if self.ngram_min == 0 || self.ngram_min > self.ngram_max || self.ngram_max > 8 {
            return Err(Error::param(
                "--ngram",
                format!("{}..{}", self.ngram_min, self.ngram_max),
                "need 1 <= MIN <= MAX <= 8",
            ));
        }
        Ok(())
    }
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        Self::for_language(Language::English)
    }
}

enum CompiledFilter {
    Lowercase,
    FoldAccents,
    Stop(FxHashSet<String>),
    Stem(rust_stemmers::Stemmer),
    /// English: ASCII words by parallax's own Porter2, the rest by rust-stemmers.
    StemEnglish(rust_stemmers::Stemmer),
}

/// Stems `term` in place with rust-stemmers.
fn snowball_stem(stemmer: &rust_stemmers::Stemmer, term: &mut String) {
    if let std::borrow::Cow::Owned(stemmed) = stemmer.stem(term) {
        *term = stemmed;
    }
}

/// A compiled analysis pipeline. Cheap to share across threads (`Send + Sync`).
pub struct Analyzer {
    config: AnalysisConfig,
    filters: Vec<CompiledFilter>,
}

/// One token after analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset in the original text.
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// The normalized form as written (case kept).
    pub surface: String,
    /// The term, or `None` if a filter removed the token.
    pub term: Option<String>,
    /// An n-gram may not join this token to the one before.
    pub boundary: bool,
}

impl Analyzer {
    /// Compiles a config.
    ///
    /// # Errors
    ///
    /// As [`AnalysisConfig::validate`]: [`Error::Param`] for an n-gram range it rejects.
    pub fn new(config: &AnalysisConfig) -> Result<Self> {
        config.validate()?;
        let filters = config
            .filters
            .iter()
            .map(|f| match f {
                Filter::Lowercase => CompiledFilter::Lowercase,
                Filter::FoldAccents => CompiledFilter::FoldAccents,
                Filter::StopWords { words, .. } => {
                    CompiledFilter::Stop(words.iter().cloned().collect())
                }
                Filter::Stem { language } => {
                    let stemmer = rust_stemmers::Stemmer::create(language.algorithm());
                    match language {
                        Language::English => CompiledFilter::StemEnglish(stemmer),
                        _ => CompiledFilter::Stem(stemmer),
                    }
                }
            })
            .collect();
        Ok(Analyzer {
            config: config.clone(),
            filters,
        })
    }

    /// The config this analyzer was built from.
    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }

    /// Token spans of a text (reusing `out`).
    pub fn spans_into(&self, text: &str, out: &mut Vec<Span>) {
        self.config.tokenizer.spans_into(text, out);
    }

    /// The surface form of a raw token: the normalizers applied.
    pub fn surface_into(&self, raw: &str, surface: &mut String) {
        surface.clear();
        surface.push_str(raw);
        for n in &self.config.normalizers {
            match n {
                Normalizer::Nfkc => {
                    if !surface.is_ascii()
                        && is_nfkc_quick(surface.chars())
                            != unicode_normalization::IsNormalized::Yes
                    {
                        *surface = surface.nfkc().collect();
                    }
                }
                Normalizer::FoldQuotes => {
                    if !surface.is_ascii() {
                        *surface = surface.chars().map(fold_quote).collect();
                    }
                }
            }
        }
    }

    /// The term of a surface form, or `false` if a filter removed it. `term` is overwritten.
    pub fn term_into(&self, surface: &str, term: &mut String) -> bool {
        term.clear();
        term.push_str(surface);
        for f in &self.filters {
            match f {
                CompiledFilter::Lowercase => {
                    if term.is_ascii() {
                        term.make_ascii_lowercase();
                    } else {
                        *term = term.to_lowercase();
                    }
                }
                CompiledFilter::FoldAccents => {
                    if !term.is_ascii() {
                        *term = term
                            .nfd()
                            .filter(|&c| !is_combining_mark(c))
                            .nfc()
                            .collect();
                    }
                }
                CompiledFilter::Stop(words) => {
                    if words.contains(term.as_str()) {
                        return false;
                    }
                }
                CompiledFilter::Stem(stemmer) => snowball_stem(stemmer, term),
                CompiledFilter::StemEnglish(stemmer) => {
                    if !english::stem_ascii(term) {
                        snowball_stem(stemmer, term);
                    }
                }
            }
        }
        !term.is_empty()
    }

    /// Every token of a text, with surface form and term (unigrams; see [`Analyzer::terms`]).
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        let spans = self.config.tokenizer.spans(text);
        let mut surface = String::new();
        let mut term = String::new();
        spans
            .into_iter()
            .map(|s| {
                self.surface_into(&text[s.start..s.end], &mut surface);
                let kept = self.term_into(&surface, &mut term);
                Token {
                    start: s.start,
                    end: s.end,
                    surface: surface.clone(),
                    term: kept.then(|| term.clone()),
                    boundary: s.boundary,
                }
            })
            .collect()
    }

    /// All terms of a text in order, n-grams included (joined by a space), as the vectorizer
    /// counts them.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let tokens = self.analyze(text);
        let items = self.ngram_items(tokens.iter().map(|t| (t.term.as_deref(), t.boundary)));
        let mut out = Vec::new();
        for_each_ngram(
            &items,
            self.config.ngram_min,
            self.config.ngram_max,
            |range| {
                let words: Vec<&str> = items[range].iter().map(|i| i.0).collect();
                out.push(words.join(" "));
            },
        );
        out
    }

    /// Kept tokens with the flag "an n-gram may not reach back across this token's start",
    /// applying the config's rule for removed tokens and punctuation.
    pub fn ngram_items<T: Copy>(
        &self,
        tokens: impl Iterator<Item = (Option<T>, bool)>,
    ) -> Vec<(T, bool)> {
        let mut items = Vec::new();
        let mut pending_break = false;
        for (term, boundary) in tokens {
            match term {
                Some(t) => {
                    items.push((t, self.config.phrase_breaks && (boundary || pending_break)));
                    pending_break = false;
                }
                None => pending_break = true,
            }
        }
        items
    }
}

/// Calls `f` with the index range of every n-gram (`min..=max` items long) that crosses no break.
/// N-grams are emitted by start position, shortest first, the order scikit-learn uses.
pub fn for_each_ngram<T>(
    items: &[(T, bool)],
    min: usize,
    max: usize,
    mut f: impl FnMut(std::ops::Range<usize>),
) {
    if min == 1 && max == 1 {
        (0..items.len()).for_each(|i| f(i..i + 1));
        return;
    }
    for start in 0..items.len() {
        for n in min..=max {
            let end = start + n;
            if end > items.len() || items[start + 1..end].iter().any(|i| i.1) {
                break;
            }
            f(start..end);
        }
    }
}

fn fold_quote(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Analyzer {
        Analyzer::new(&AnalysisConfig::for_language(Language::English)).unwrap()
    }

    #[test]
    fn surface_forms_keep_case_terms_are_stems() {
        let tokens = english().analyze("Russia’s military bases");
        let got: Vec<(&str, Option<&str>)> = tokens
            .iter()
            .map(|t| (t.surface.as_str(), t.term.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("Russia", Some("russia")),
                ("military", Some("militari")),
                ("bases", Some("base"))
            ]
        );
    }

    #[test]
    fn stop_words_leave_gaps_in_ngrams() {
        let mut config = AnalysisConfig::for_language(Language::English);
        config.ngram_max = 2;
        let a = Analyzer::new(&config).unwrap();
        let terms = a.terms("strategic interests of Russia. Military bases");
        assert_eq!(
            terms,
            [
                "strateg",
                "strateg interest",
                "interest",
                "russia",
                "militari",
                "militari base",
                "base"
            ]
        );
        // scikit-learn joins across removed words and punctuation.
        let mut config = AnalysisConfig::sklearn();
        config.ngram_max = 2;
        config.filters.push(Filter::StopWords {
            name: "x".into(),
            words: ["of".to_string()].into(),
        });
        let a = Analyzer::new(&config).unwrap();
        assert_eq!(
            a.terms("interests of Russia. Bases"),
            [
                "interests",
                "interests russia",
                "russia",
                "russia bases",
                "bases"
            ]
        );
    }

    #[test]
    fn nfkc_quotes_and_accents() {
        let mut config = AnalysisConfig::for_language(Language::French);
        config.filters.insert(1, Filter::FoldAccents);
        let a = Analyzer::new(&config).unwrap();
        let tokens = a.analyze("L’ﬁnance Économique");
        assert_eq!(tokens[0].surface, "L'finance");
        assert_eq!(tokens[1].term.as_deref(), Some("econom"));
    }

    #[test]
    fn invalid_ngram_range() {
        let config = AnalysisConfig {
            ngram_min: 3,
            ngram_max: 2,
            ..Default::default()
        };
        assert!(Analyzer::new(&config).is_err());
    }

    #[test]
    fn config_round_trips_through_json() {
        let config = AnalysisConfig::for_language(Language::German);
        let json = serde_json::to_string(&config).unwrap();
        assert!(json.contains("\"type\":\"stem\""));
        assert_eq!(
            serde_json::from_str::<AnalysisConfig>(&json).unwrap(),
            config
        );
    }

    #[test]
    fn analyzer_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Analyzer>();
    }
}
