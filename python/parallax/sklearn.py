"""Drop-in replacements for scikit-learn's ``TfidfVectorizer`` and ``CountVectorizer``.

Same parameter names, defaults and results (within 1e-6) as scikit-learn for what parallax
supports; any other value raises ``ValueError`` at ``fit`` rather than giving different numbers.
The work runs in Rust with the GIL released, on ``n_jobs`` threads, with the same result for
any thread count::

    from parallax.sklearn import TfidfVectorizer
    X = TfidfVectorizer().fit_transform(texts)   # scipy.sparse.csr_matrix

scikit-learn is optional: without it the classes still work, with a minimal
``get_params``/``set_params``.
"""

from __future__ import annotations

import inspect
import numbers
import os

import numpy as np
import scipy.sparse

from parallax import _parallax
from parallax._api import _n_threads

__all__ = ["CountVectorizer", "TfidfVectorizer"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.exceptions import NotFittedError
except ImportError:  # scikit-learn is optional

    class NotFittedError(ValueError, AttributeError):
        """Raised when a vectorizer is used before ``fit`` (scikit-learn's, when installed)."""

    class BaseEstimator:
        """Minimal stand-in for scikit-learn's: parameters are the ``__init__`` arguments."""

        @classmethod
        def _get_param_names(cls):
            sig = inspect.signature(cls.__init__)
            return sorted(p.name for p in sig.parameters.values() if p.name != "self")

        def get_params(self, deep=True):
            """The estimator's parameters, by name."""
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params):
            """Sets parameters by name; returns the estimator."""
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}")
                setattr(self, name, value)
            return self

    class TransformerMixin:
        """Stand-in for scikit-learn's mixin (nothing needed beyond our own methods)."""


def _unsupported(name, value, hint):
    return ValueError(
        f"parallax does not support {name}={value!r}: {hint} "
        "(use scikit-learn's vectorizer for this, or leave the parameter at its default)"
    )


def _df_limit(name, value):
    # scikit-learn reads an integer as a number of documents and a float as a proportion.
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{name} must be >= 0 when an integer, got {value}")
        return ("count", float(value))
    if isinstance(value, numbers.Real):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be within [0.0, 1.0] when a float, got {value}")
        return ("proportion", float(value))
    raise ValueError(f"{name} must be an int or a float, got {value!r}")


class CountVectorizer(TransformerMixin, BaseEstimator):
    """Converts texts to a matrix of token counts, as scikit-learn's ``CountVectorizer``.

    Supported: ``lowercase``, ``stop_words`` (None, "english" = scikit-learn's list, or a
    list), ``ngram_range``, ``min_df``, ``max_df``, ``max_features``, ``vocabulary``,
    ``binary``, ``dtype``, ``encoding``/``decode_error`` (for bytes input). The other
    scikit-learn parameters must stay at their defaults. parallax's own:

    - ``language``: the stemmer's (and, with ``compat="parallax"``, the stop words') language;
    - ``stem``: Snowball stemming after stop-word removal (None: as ``compat`` says);
    - ``compat``: "sklearn" (scikit-learn's analysis, the default) or "parallax" (parallax's
      own: NFKC, Unicode words, the language's stop words, stemming, no n-gram across a gap);
    - ``n_jobs``: threads (None or -1: all cores); the result is the same for any value.
    """

    _default_dtype = np.int64

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        analyzer="word",
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.int64,
        language="english",
        stem=None,
        compat="sklearn",
        n_jobs=None,
    ):
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
        self.language = language
        self.stem = stem
        self.compat = compat
        self.n_jobs = n_jobs

    # --- parameters -----------------------------------------------------------------------

    def _check_unsupported(self):
        if self.input != "content":
            raise _unsupported("input", self.input, "pass the texts themselves")
        if self.analyzer != "word":
            raise _unsupported("analyzer", self.analyzer, "only the word analyzer is built in")
        if self.tokenizer is not None:
            raise _unsupported("tokenizer", self.tokenizer, "the tokenizer is parallax's")
        if self.preprocessor is not None:
            raise _unsupported("preprocessor", self.preprocessor, "no Python preprocessing")
        if self.token_pattern != DEFAULT_TOKEN_PATTERN:
            raise _unsupported(
                "token_pattern", self.token_pattern, f"only the default {DEFAULT_TOKEN_PATTERN!r}"
            )
        if self.strip_accents is not None:
            raise _unsupported(
                "strip_accents", self.strip_accents, "accent folding is not scikit-learn's exactly"
            )

    def _weighting(self):
        return {"tf": "binary" if self.binary else "raw", "idf": "none", "norm": "none"}

    def _out_dtype(self):
        return np.dtype(self.dtype)

    def _settings(self):
        self._check_unsupported()
        stop = self.stop_words
        if stop is not None and not isinstance(stop, str):
            stop = [str(w) for w in stop]
        lo, hi = self.ngram_range
        if lo > hi:
            raise ValueError(f"invalid ngram_range {self.ngram_range!r}: lower bound above upper")
        mf = self.max_features
        if mf is not None and (not isinstance(mf, numbers.Integral) or mf < 1):
            raise ValueError(f"max_features must be None or a positive integer, got {mf!r}")
        settings = {
            "compat": self.compat,
            "language": self.language,
            "stem": self.stem,
            "lowercase": bool(self.lowercase),
            "stop_words": stop,
            "ngram_range": (int(lo), int(hi)),
            "min_df": _df_limit("min_df", self.min_df),
            "max_df": _df_limit("max_df", self.max_df),
            "max_features": None if mf is None else int(mf),
            "vocabulary": None,
        }
        settings.update(self._weighting())
        self._perm = None
        self._fixed = None
        if self.vocabulary is not None:
            mapping = self._fixed_vocabulary()
            terms = sorted(mapping)
            settings["vocabulary"] = terms
            perm = np.fromiter((mapping[t] for t in terms), dtype=np.int64, count=len(terms))
            # parallax's columns are the sorted terms; keep the user's order if it differs.
            if not np.array_equal(perm, np.arange(len(terms))):
                self._perm = perm
            self._fixed = mapping
        return settings

    def _fixed_vocabulary(self):
        vocab = self.vocabulary
        if isinstance(vocab, str):
            raise ValueError("vocabulary must be a mapping or an iterable of terms, not a string")
        if hasattr(vocab, "items"):
            mapping = dict(vocab)
            indices = sorted(mapping.values())
            if indices != list(range(len(indices))):
                raise ValueError("vocabulary's indices must be 0 .. len(vocabulary) - 1, each once")
        else:
            if isinstance(vocab, (set, frozenset)):
                vocab = sorted(vocab)  # as scikit-learn: a set has no order of its own
            mapping = {}
            for term in vocab:
                if term in mapping:
                    raise ValueError(f"duplicate term in vocabulary: {term!r}")
                mapping[term] = len(mapping)
        if not mapping:
            raise ValueError("empty vocabulary passed to fit")
        return mapping

    def _dtype_name(self):
        dtype = self._out_dtype()
        if dtype == np.float32:
            return "float32"
        if dtype == np.float64 or np.issubdtype(dtype, np.integer):
            return "float64"
        raise ValueError(f"dtype {dtype} is not supported: use float64 or float32")

    # --- documents ------------------------------------------------------------------------

    def _texts(self, raw_documents):
        if isinstance(raw_documents, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        texts = list(raw_documents)
        for i, doc in enumerate(texts):
            if type(doc) is not str:
                texts[i] = self._decode(doc)
        return texts

    def _decode(self, doc):
        if isinstance(doc, bytes):
            return doc.decode(self.encoding, self.decode_error)
        if isinstance(doc, str):
            return str(doc)
        if doc is np.nan or (isinstance(doc, float) and doc != doc):
            raise ValueError("np.nan is an invalid document, expected byte or unicode string.")
        raise ValueError(f"documents must be str or bytes, got {type(doc).__name__}")

    # --- fit / transform ------------------------------------------------------------------

    def _matrix(self, parts):
        data, indices, indptr, shape = parts
        # The three arrays came from Rust without a copy; scipy keeps them as they are.
        X = scipy.sparse.csr_matrix((data, indices, indptr), shape=shape, copy=False)
        if self._perm is not None:
            X.indices = self._perm[X.indices].astype(X.indices.dtype, copy=False)
            X.has_sorted_indices = False
            X.sort_indices()
        dtype = self._out_dtype()
        if X.dtype != dtype:
            X = X.astype(dtype)
        return X

    def _fit(self, raw_documents, transform):
        settings = self._settings()
        dtype = self._dtype_name()
        texts = self._texts(raw_documents)
        self._model, parts = _parallax.fit(
            texts, settings, dtype, _n_threads(self.n_jobs), transform
        )
        self._dtype_fitted = dtype
        self._vocabulary = None
        return None if parts is None else self._matrix(parts)

    def fit(self, raw_documents, y=None):
        """Learns the vocabulary (and document frequencies) of ``raw_documents``; returns self."""
        self._fit(raw_documents, transform=False)
        return self

    def fit_transform(self, raw_documents, y=None):
        """Fits and returns the document-term matrix of the same texts (analyzed once)."""
        return self._fit(raw_documents, transform=True)

    def transform(self, raw_documents):
        """The document-term matrix of ``raw_documents`` with the fitted vocabulary."""
        self._check_fitted()
        texts = self._texts(raw_documents)
        parts = self._model.transform(texts, self._dtype_fitted, _n_threads(self.n_jobs))
        return self._matrix(parts)

    def _check_fitted(self):
        if getattr(self, "_model", None) is None:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. "
                "Call 'fit' with appropriate arguments before using this estimator."
            )

    def __sklearn_is_fitted__(self):
        """True once fitted (what ``sklearn.utils.validation.check_is_fitted`` asks)."""
        return getattr(self, "_model", None) is not None

    # --- fitted attributes ----------------------------------------------------------------

    @property
    def vocabulary_(self):
        """A mapping of terms to column indices."""
        self._check_fitted()
        if self._vocabulary is None:
            if self._fixed is not None:
                self._vocabulary = dict(self._fixed)
            else:
                self._vocabulary = {t: i for i, t in enumerate(self._model.terms())}
        return self._vocabulary

    @property
    def fixed_vocabulary_(self):
        """True if the vocabulary was given by the user."""
        self._check_fitted()
        return self._fixed is not None

    def get_feature_names_out(self, input_features=None):
        """The terms in column order, as an object array of str."""
        self._check_fitted()
        terms = self._model.terms()
        if self._perm is not None:
            ordered = [None] * len(terms)
            for term, col in zip(terms, self._perm):
                ordered[col] = term
            terms = ordered
        return np.asarray(terms, dtype=object)

    # --- pickling -------------------------------------------------------------------------

    def __getstate__(self):
        """The parameters, with the fitted model as parallax's model JSON."""
        state = dict(self.__dict__)
        model = state.pop("_model", None)
        state.pop("_vocabulary", None)
        if model is not None:
            state["_model_json"] = model.to_json()
        return state

    def __setstate__(self, state):
        """Restores parameters and the fitted model (checked on load, as the CLI does)."""
        state = dict(state)
        model_json = state.pop("_model_json", None)
        self.__dict__.update(state)
        self._vocabulary = None
        if model_json is not None:
            self._model = _parallax.Model.from_json(model_json)


class TfidfVectorizer(CountVectorizer):
    """Converts texts to a TF-IDF matrix, as scikit-learn's ``TfidfVectorizer``.

    Everything :class:`CountVectorizer` supports, plus scikit-learn's weighting:
    ``norm`` ('l2', 'l1' or None), ``use_idf``, ``smooth_idf``, ``sublinear_tf``; ``dtype``
    is float64 (default) or float32. Same numbers as scikit-learn within 1e-6.
    """

    _default_dtype = np.float64

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        analyzer="word",
        stop_words=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.float64,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=False,
        language="english",
        stem=None,
        compat="sklearn",
        n_jobs=None,
    ):
        super().__init__(
            input=input,
            encoding=encoding,
            decode_error=decode_error,
            strip_accents=strip_accents,
            lowercase=lowercase,
            preprocessor=preprocessor,
            tokenizer=tokenizer,
            analyzer=analyzer,
            stop_words=stop_words,
            token_pattern=token_pattern,
            ngram_range=ngram_range,
            max_df=max_df,
            min_df=min_df,
            max_features=max_features,
            vocabulary=vocabulary,
            binary=binary,
            dtype=dtype,
            language=language,
            stem=stem,
            compat=compat,
            n_jobs=n_jobs,
        )
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _weighting(self):
        # scikit-learn's TfidfTransformer: binary counts, else 1 + ln(tf) if sublinear.
        if self.binary:
            tf = "binary"
        elif self.sublinear_tf:
            tf = "log"
        else:
            tf = "raw"
        if not self.use_idf:
            idf = "none"
        else:
            idf = "smooth" if self.smooth_idf else "plain"
        norms = {"l2": "l2", "l1": "l1", None: "none"}
        if self.norm not in norms:
            raise ValueError(f"norm must be 'l2', 'l1' or None, got {self.norm!r}")
        return {"tf": tf, "idf": idf, "norm": norms[self.norm]}

    def _out_dtype(self):
        dtype = np.dtype(self.dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype {dtype} is not supported: use float64 or float32")
        return dtype

    @property
    def idf_(self):
        """The inverse document frequency of each column (only with ``use_idf=True``)."""
        self._check_fitted()
        if not self.use_idf:
            raise AttributeError("idf_ is defined only when use_idf=True")
        # scikit-learn keeps idf_ in the matrix's dtype.
        idf = self._model.idf().astype(self._out_dtype(), copy=False)
        if self._perm is not None:
            ordered = np.empty_like(idf)
            ordered[self._perm] = idf
            idf = ordered
        return idf
