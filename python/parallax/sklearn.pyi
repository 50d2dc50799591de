"""Type hints of parallax.sklearn: drop-ins for scikit-learn's vectorizers."""

from typing import Any, Callable, Iterable, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
import scipy.sparse

_Doc = Union[str, bytes]
_DfLimit = Union[int, float]

DEFAULT_TOKEN_PATTERN: str

class CountVectorizer:
    """Converts texts to a matrix of token counts, as scikit-learn's ``CountVectorizer``."""

    def __init__(
        self,
        *,
        input: Literal["content"] = "content",
        encoding: str = "utf-8",
        decode_error: str = "strict",
        strip_accents: None = None,
        lowercase: bool = True,
        preprocessor: None = None,
        tokenizer: None = None,
        stop_words: Union[None, Literal["english"], Sequence[str]] = None,
        token_pattern: str = ...,
        ngram_range: Tuple[int, int] = (1, 1),
        analyzer: Literal["word"] = "word",
        max_df: _DfLimit = 1.0,
        min_df: _DfLimit = 1,
        max_features: Optional[int] = None,
        vocabulary: Union[None, Mapping[str, int], Iterable[str]] = None,
        binary: bool = False,
        dtype: Any = np.int64,
        language: str = "english",
        stem: Optional[bool] = None,
        compat: Literal["sklearn", "parallax"] = "sklearn",
        n_jobs: Optional[int] = None,
    ) -> None:
        """Stores the parameters; they are checked at ``fit``."""
    def fit(self, raw_documents: Iterable[_Doc], y: Any = None) -> "CountVectorizer":
        """Learns the vocabulary of ``raw_documents``; returns self."""
    def fit_transform(self, raw_documents: Iterable[_Doc], y: Any = None) -> scipy.sparse.csr_matrix:
        """Fits and returns the document-term matrix of the same texts."""
    def transform(self, raw_documents: Iterable[_Doc]) -> scipy.sparse.csr_matrix:
        """The document-term matrix of ``raw_documents`` with the fitted vocabulary."""
    def get_feature_names_out(self, input_features: Any = None) -> npt.NDArray[np.object_]:
        """The terms in column order."""
    @property
    def vocabulary_(self) -> dict[str, int]:
        """A mapping of terms to column indices."""
    @property
    def fixed_vocabulary_(self) -> bool:
        """True if the vocabulary was given by the user."""
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters, by name."""
    def set_params(self, **params: Any) -> "CountVectorizer":
        """Sets parameters by name; returns self."""

class TfidfVectorizer(CountVectorizer):
    """Converts texts to a TF-IDF matrix, as scikit-learn's ``TfidfVectorizer``."""

    def __init__(
        self,
        *,
        input: Literal["content"] = "content",
        encoding: str = "utf-8",
        decode_error: str = "strict",
        strip_accents: None = None,
        lowercase: bool = True,
        preprocessor: None = None,
        tokenizer: None = None,
        analyzer: Literal["word"] = "word",
        stop_words: Union[None, Literal["english"], Sequence[str]] = None,
        token_pattern: str = ...,
        ngram_range: Tuple[int, int] = (1, 1),
        max_df: _DfLimit = 1.0,
        min_df: _DfLimit = 1,
        max_features: Optional[int] = None,
        vocabulary: Union[None, Mapping[str, int], Iterable[str]] = None,
        binary: bool = False,
        dtype: Any = np.float64,
        norm: Optional[Literal["l2", "l1"]] = "l2",
        use_idf: bool = True,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
        language: str = "english",
        stem: Optional[bool] = None,
        compat: Literal["sklearn", "parallax"] = "sklearn",
        n_jobs: Optional[int] = None,
    ) -> None:
        """Stores the parameters; they are checked at ``fit``."""
    @property
    def idf_(self) -> npt.NDArray[np.floating]:
        """The inverse document frequency of each column (``use_idf=True`` only)."""
