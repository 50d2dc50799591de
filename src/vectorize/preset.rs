//! Presets: parallax's own defaults and other tools' TF-IDF defaults, each an analysis and a
//! weighting, with a user's choices laid over them.
//!
//! ```
//! use parallax::analysis::AnalysisOptions;
//! use parallax::vectorize::{Idf, Preset, VocabularyParams, WeightingOptions};
//! let settings = Preset::Gensim.vectorizer(
//!     &AnalysisOptions::default(),
//!     VocabularyParams::default(),
//!     WeightingOptions::default(),
//! )?;
//! assert_eq!(settings.weighting.idf, Idf::Log2);
//! # Ok::<(), parallax::Error>(())
//! ```

use super::{Idf, Norm, Tf, Vectorizer, VocabularyParams, Weighting};
use crate::analysis::Tokenizer;
use crate::analysis::{AnalysisConfig, AnalysisOptions, AnalysisSettings, Language, Normalizer};
use crate::error::Result;

/// A starting point for the analysis and the weighting. (The `help` texts are the CLI's
/// `--compat` help; parallax's own preset is what no `--compat` gives.)
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Preset {
    /// parallax: NFKC, quote folding, UAX #29 words, lowercase, the language's stop words,
    /// Snowball stemming; scikit-learn's weighting (smooth idf, L2).
    #[default]
    #[value(skip)]
    Parallax,
    /// scikit-learn `TfidfVectorizer()`: `(?u)\b\w\w+\b`, lowercase, smooth idf, L2.
    #[value(help = "scikit-learn TfidfVectorizer(): (?u)\\b\\w\\w+\\b, lowercase, smooth idf, L2")]
    Sklearn,
    /// gensim `simple_preprocess` + `TfidfModel`: alphabetic tokens of 2–15 characters,
    /// lowercase, log2(N/df), L2.
    #[value(help = "gensim simple_preprocess + TfidfModel: log2(N/df), L2, zero weights dropped")]
    Gensim,
    /// quanteda `dfm_tfidf`: NFKC, UAX #29 words, lowercase, count · log10(N/df), no
    /// normalization.
    #[value(help = "quanteda dfm_tfidf: count · log10(N/df), no normalization")]
    Quanteda,
    /// Spark MLlib `RegexTokenizer` + `IDF`: whitespace tokens, lowercase,
    /// count · ln((N+1)/(df+1)), no normalization.
    #[value(help = "Spark MLlib RegexTokenizer + IDF: count · ln((N+1)/(df+1)), no normalization")]
    Spark,
}

impl Preset {
    /// The preset's analysis; `language` matters to the presets that stem or read words by
    /// language (parallax's and quanteda's).
    pub fn analysis(self, language: Language) -> AnalysisSettings {
        match self {
            Preset::Parallax => AnalysisSettings::for_language(language),
            Preset::Sklearn => AnalysisSettings::lowercase_only(Tokenizer::Pattern),
            Preset::Gensim => AnalysisSettings::lowercase_only(Tokenizer::Alphabetic {
                min_len: 2,
                max_len: 15,
            }),
            Preset::Spark => AnalysisSettings::lowercase_only(Tokenizer::Whitespace),
            Preset::Quanteda => AnalysisSettings {
                normalizers: vec![Normalizer::Nfkc],
                stop_words: None,
                stem: None,
                ..AnalysisSettings::for_language(language)
            },
        }
    }

    /// The preset's weighting.
    pub fn weighting(self) -> Weighting {
        let raw = |idf, norm| Weighting {
            tf: Tf::Raw,
            idf,
            norm,
        };
        match self {
            Preset::Parallax | Preset::Sklearn => Weighting::default(),
            Preset::Gensim => raw(Idf::Log2, Norm::L2),
            Preset::Quanteda => raw(Idf::Log10, Norm::None),
            Preset::Spark => raw(Idf::Spark, Norm::None),
        }
    }

    /// The preset's analysis with `options` laid over it, as a pipeline.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if a stop-word file cannot be read;
    /// [`Error::Param`](crate::Error::Param) for an n-gram range outside 1 ≤ min ≤ max ≤ 8.
    pub fn analysis_config(self, options: &AnalysisOptions) -> Result<AnalysisConfig> {
        options.apply(self.analysis(options.language()))?.config()
    }

    /// Settings for fitting: the preset's analysis and weighting with the choices laid over
    /// them, and `vocabulary` (checked).
    ///
    /// # Errors
    ///
    /// Those of [`Preset::analysis_config`] and [`VocabularyParams::validate`].
    pub fn vectorizer(
        self,
        analysis: &AnalysisOptions,
        vocabulary: VocabularyParams,
        weighting: WeightingOptions,
    ) -> Result<Vectorizer> {
        let analysis = self.analysis_config(analysis)?;
        vocabulary.validate()?;
        Ok(Vectorizer {
            analysis,
            vocabulary,
            weighting: weighting.apply(self.weighting()),
        })
    }
}

impl std::str::FromStr for Preset {
    type Err = String;
    /// `parallax`, `sklearn`, `gensim`, `quanteda` or `spark`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "parallax" => Preset::Parallax,
            "sklearn" => Preset::Sklearn,
            "gensim" => Preset::Gensim,
            "quanteda" => Preset::Quanteda,
            "spark" => Preset::Spark,
            _ => return Err(format!("unknown preset `{s}`")),
        })
    }
}

/// A user's weighting choices, each `None` keeping the preset's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightingOptions {
    /// Term frequency.
    pub tf: Option<Tf>,
    /// Inverse document frequency.
    pub idf: Option<Idf>,
    /// Row normalization.
    pub norm: Option<Norm>,
}

impl WeightingOptions {
    /// `weighting` with these choices in place of its own.
    pub fn apply(self, weighting: Weighting) -> Weighting {
        Weighting {
            tf: self.tf.unwrap_or(weighting.tf),
            idf: self.idf.unwrap_or(weighting.idf),
            norm: self.norm.unwrap_or(weighting.norm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Filter, StopWordList, stopwords};

    /// The command line's flag merging before presets were a library value, kept as the
    /// oracle: the presets must build exactly these configs.
    fn config_before(
        compat: Option<Preset>,
        language_flag: Option<Language>,
        stem: Option<bool>,
        stop_spec: Option<&str>,
        fold_accents: bool,
        ngram: Option<(usize, usize)>,
    ) -> AnalysisConfig {
        let language = language_flag.unwrap_or(Language::English);
        let mut config = match compat {
            Some(Preset::Sklearn) => AnalysisConfig::sklearn(),
            Some(Preset::Gensim) => AnalysisConfig::gensim(),
            Some(Preset::Spark) => AnalysisConfig::spark(),
            Some(Preset::Quanteda) => AnalysisConfig {
                normalizers: vec![Normalizer::Nfkc],
                filters: vec![Filter::Lowercase],
                ..AnalysisConfig::for_language(language)
            },
            None | Some(Preset::Parallax) => AnalysisConfig::for_language(language),
        };
        if let Some(stem) = stem {
            config.filters.retain(|f| !matches!(f, Filter::Stem { .. }));
            if stem {
                config.filters.push(Filter::Stem { language });
            }
        } else if language_flag.is_some() {
            for f in &mut config.filters {
                if let Filter::Stem { language: l } = f {
                    *l = language;
                }
            }
        }
        let spec = match stop_spec {
            None if language_flag.is_some() && compat.is_none() => Some("default"),
            other => other,
        };
        if let Some(spec) = spec {
            let list = match spec {
                "none" => None,
                "default" => Some((language.name().to_string(), stopwords::builtin(language))),
                "sklearn" => Some(("sklearn".to_string(), stopwords::sklearn_english())),
                path => Some((
                    path.to_string(),
                    stopwords::from_file(path.as_ref()).unwrap(),
                )),
            };
            config
                .filters
                .retain(|f| !matches!(f, Filter::StopWords { .. }));
            if let Some((name, words)) = list {
                let at = config
                    .filters
                    .iter()
                    .position(|f| matches!(f, Filter::Stem { .. }))
                    .unwrap_or(config.filters.len());
                config.filters.insert(at, Filter::StopWords { name, words });
            }
        }
        if fold_accents && !config.filters.contains(&Filter::FoldAccents) {
            let at = config
                .filters
                .iter()
                .position(|f| matches!(f, Filter::Lowercase))
                .map_or(0, |i| i + 1);
            config.filters.insert(at, Filter::FoldAccents);
        }
        if let Some((min, max)) = ngram {
            config.ngram_min = min;
            config.ngram_max = max;
        }
        config
    }

    #[test]
    fn presets_with_options_build_what_the_flags_built_before() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("stop.txt");
        std::fs::write(&file, "the\nÉté # a comment\n\nbase\n").unwrap();
        let file = file.to_str().unwrap().to_string();
        let compats = [
            None,
            Some(Preset::Sklearn),
            Some(Preset::Gensim),
            Some(Preset::Quanteda),
            Some(Preset::Spark),
        ];
        let languages = [
            None,
            Some(Language::English),
            Some(Language::French),
            Some(Language::German),
        ];
        let stop_specs = [
            None,
            Some("default"),
            Some("none"),
            Some("sklearn"),
            Some(&file[..]),
        ];
        let mut checked = 0;
        for compat in compats {
            for language in languages {
                for stem in [None, Some(true), Some(false)] {
                    for stop_spec in stop_specs {
                        for fold_accents in [false, true] {
                            for ngram in [None, Some((1, 2)), Some((2, 3))] {
                                let options = AnalysisOptions {
                                    language,
                                    stem,
                                    stop_words: stop_spec.map(StopWordList::parse),
                                    fold_accents,
                                    ngram,
                                };
                                let preset = compat.unwrap_or_default();
                                let before = config_before(
                                    compat,
                                    language,
                                    stem,
                                    stop_spec,
                                    fold_accents,
                                    ngram,
                                );
                                assert_eq!(
                                    preset.analysis_config(&options).unwrap(),
                                    before,
                                    "{options:?} on {compat:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 5 * 4 * 3 * 5 * 2 * 3);
    }

    #[test]
    fn presets_give_the_tools_weightings() {
        assert_eq!(Preset::Sklearn.weighting(), Weighting::default());
        let gensim = Preset::Gensim.weighting();
        assert_eq!((gensim.idf, gensim.norm), (Idf::Log2, Norm::L2));
        let chosen = WeightingOptions {
            norm: Some(Norm::L1),
            ..Default::default()
        }
        .apply(Preset::Spark.weighting());
        assert_eq!((chosen.idf, chosen.norm), (Idf::Spark, Norm::L1));
        assert_eq!("quanteda".parse::<Preset>(), Ok(Preset::Quanteda));
    }
}
