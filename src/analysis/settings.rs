//! Analysis settings whose token filters can only come out in their one valid order.
//!
//! An [`AnalysisConfig`] is a free list of filters, as saved in a model. Built by hand, it could
//! stem before removing stop words or fold accents before lowercasing. [`AnalysisSettings`] says
//! only *which* filters run; [`AnalysisSettings::config`] places them: lowercase → fold accents →
//! stop words → stem. [`AnalysisOptions`] are the user's choices (language, stemming, a stop-word
//! list, accents, n-grams) laid over a starting point such as a [`Preset`](crate::vectorize::Preset).
//!
//! ```
//! use parallax::analysis::{AnalysisOptions, AnalysisSettings, Filter, Language, StopWordList};
//! let options = AnalysisOptions {
//!     stop_words: Some(StopWordList::None),
//!     fold_accents: true,
//!     ..Default::default()
//! };
//! let config = options.apply(AnalysisSettings::for_language(Language::English))?.config()?;
//! assert_eq!(config.filters[..2], [Filter::Lowercase, Filter::FoldAccents]);
//! assert!(matches!(config.filters[2], Filter::Stem { .. }));
//! # Ok::<(), parallax::Error>(())
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{AnalysisConfig, Filter, Language, Normalizer, Tokenizer, stopwords};
use crate::error::Result;

/// A stop-word list with the name it is saved under in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopWords {
    /// Where the list came from (`english`, `sklearn`, a file name).
    pub name: String,
    /// The words, sorted.
    pub words: BTreeSet<String>,
}

/// Which stop words to remove, as a user names them (`--stopwords`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopWordList {
    /// The built-in list of the analysis language.
    Default,
    /// Remove no words.
    None,
    /// scikit-learn's English list.
    Sklearn,
    /// A file with one word per line (`#` starts a comment).
    File(PathBuf),
}

impl StopWordList {
    /// Reads a list name: `default`, `none`, `sklearn`, or else a file path.
    pub fn parse(spec: &str) -> Self {
        match spec {
            "default" => StopWordList::Default,
            "none" => StopWordList::None,
            "sklearn" => StopWordList::Sklearn,
            path => StopWordList::File(PathBuf::from(path)),
        }
    }

    /// The words of this list for `language` (the language matters for `Default` only), or
    /// `None` for no list.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if a list file cannot be read.
    pub fn load(&self, language: Language) -> Result<Option<StopWords>> {
        Ok(match self {
            StopWordList::None => None,
            StopWordList::Default => Some(StopWords {
                name: language.name().to_string(),
                words: stopwords::builtin(language),
            }),
            StopWordList::Sklearn => Some(StopWords {
                name: "sklearn".to_string(),
                words: stopwords::sklearn_english(),
            }),
            StopWordList::File(path) => Some(StopWords {
                name: path.display().to_string(),
                words: stopwords::from_file(path)?,
            }),
        })
    }
}

/// The analysis as a set of choices; [`config`](AnalysisSettings::config) turns it into an
/// [`AnalysisConfig`] with every filter in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisSettings {
    /// Applied to each token's text first; the result is the surface form.
    pub normalizers: Vec<Normalizer>,
    /// How text is cut into tokens.
    pub tokenizer: Tokenizer,
    /// Lowercase terms (first of the filters).
    pub lowercase: bool,
    /// Strip accents from terms (after lowercasing).
    pub fold_accents: bool,
    /// Words to remove, matched after lowercasing and folding, before stemming.
    pub stop_words: Option<StopWords>,
    /// Snowball stemming in this language (last of the filters).
    pub stem: Option<Language>,
    /// Smallest n-gram length (1 = single terms).
    pub ngram_min: usize,
    /// Largest n-gram length.
    pub ngram_max: usize,
    /// If true, n-grams never join tokens across punctuation or a removed word.
    pub phrase_breaks: bool,
}

impl AnalysisSettings {
    /// parallax's pipeline for a language: NFKC, quote folding, UAX #29 words, lowercase, the
    /// language's stop words, Snowball stemming, unigrams (as [`AnalysisConfig::for_language`]).
    pub fn for_language(language: Language) -> Self {
        AnalysisSettings {
            normalizers: vec![Normalizer::Nfkc, Normalizer::FoldQuotes],
            tokenizer: Tokenizer::Words,
            lowercase: true,
            fold_accents: false,
            stop_words: StopWordList::Default
                .load(language)
                .expect("a built-in list needs no file"),
            stem: Some(language),
            ngram_min: 1,
            ngram_max: 1,
            phrase_breaks: true,
        }
    }

    /// Lowercasing only, on `tokenizer`'s tokens without normalizers, n-grams over the kept
    /// tokens: the shape of scikit-learn's, gensim's and Spark's defaults.
    pub fn lowercase_only(tokenizer: Tokenizer) -> Self {
        AnalysisSettings {
            normalizers: vec![],
            tokenizer,
            lowercase: true,
            fold_accents: false,
            stop_words: None,
            stem: None,
            ngram_min: 1,
            ngram_max: 1,
            phrase_breaks: false,
        }
    }

    /// The pipeline, filters in order: lowercase, fold accents, stop words, stem.
    ///
    /// # Errors
    ///
    /// [`Error::Param`](crate::Error::Param) if the n-gram range is not 1 ≤ min ≤ max ≤ 8.
    pub fn config(&self) -> Result<AnalysisConfig> {
        let mut filters = Vec::with_capacity(4);
        if self.lowercase {
            filters.push(Filter::Lowercase);
        }
        if self.fold_accents {
            filters.push(Filter::FoldAccents);
        }
        if let Some(StopWords { name, words }) = &self.stop_words {
            filters.push(Filter::StopWords {
                name: name.clone(),
                words: words.clone(),
            });
        }
        if let Some(language) = self.stem {
            filters.push(Filter::Stem { language });
        }
        let config = AnalysisConfig {
            normalizers: self.normalizers.clone(),
            tokenizer: self.tokenizer.clone(),
            filters,
            ngram_min: self.ngram_min,
            ngram_max: self.ngram_max,
            phrase_breaks: self.phrase_breaks,
        };
        config.validate()?;
        Ok(config)
    }
}

/// A user's analysis choices, each `None` (or `false`) leaving the starting point as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// The language: picks the stemmer and the default stop-word list together.
    pub language: Option<Language>,
    /// Stem (in the language) or not.
    pub stem: Option<bool>,
    /// Which stop words to remove.
    pub stop_words: Option<StopWordList>,
    /// Strip accents from terms.
    pub fold_accents: bool,
    /// Word n-grams, (min, max).
    pub ngram: Option<(usize, usize)>,
}

impl AnalysisOptions {
    /// The language these options analyze in (English unless given).
    pub fn language(&self) -> Language {
        self.language.unwrap_or(Language::English)
    }

    /// `settings` with these choices laid over it. A language given without `stem` moves an
    /// existing stemmer to it; a stop-word list replaces the one there.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if a stop-word file cannot be read.
    pub fn apply(&self, mut settings: AnalysisSettings) -> Result<AnalysisSettings> {
        let language = self.language();
        match self.stem {
            Some(stem) => settings.stem = stem.then_some(language),
            None if self.language.is_some() && settings.stem.is_some() => {
                settings.stem = Some(language)
            }
            None => {}
        }
        if let Some(list) = &self.stop_words {
            settings.stop_words = list.load(language)?;
        }
        settings.fold_accents |= self.fold_accents;
        if let Some((min, max)) = self.ngram {
            settings.ngram_min = min;
            settings.ngram_max = max;
        }
        Ok(settings)
    }
}

/// Reads an n-gram range: `N`, `MIN..MAX` or `MIN..=MAX`.
///
/// # Errors
///
/// A message naming the part that is not a whole number.
pub fn parse_ngram_range(s: &str) -> std::result::Result<(usize, usize), String> {
    let parse = |x: &str| {
        x.trim()
            .parse::<usize>()
            .map_err(|e| format!("`{x}` is not a whole number: {e}"))
    };
    match s.split_once("..") {
        Some((a, b)) => Ok((parse(a)?, parse(b.trim_start_matches('='))?)),
        None => {
            let n = parse(s)?;
            Ok((n, n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_settings_are_the_default_config() {
        for language in Language::ALL {
            let settings = AnalysisSettings::for_language(language);
            assert_eq!(
                settings.config().unwrap(),
                AnalysisConfig::for_language(language)
            );
        }
    }

    #[test]
    fn ngram_ranges_read_like_the_flag() {
        assert_eq!(parse_ngram_range("2"), Ok((2, 2)));
        assert_eq!(parse_ngram_range("1..3"), Ok((1, 3)));
        assert_eq!(parse_ngram_range(" 1 ..= 2"), Ok((1, 2)));
        assert_eq!(
            parse_ngram_range("1..x"),
            Err("`x` is not a whole number: invalid digit found in string".to_string())
        );
    }
}
