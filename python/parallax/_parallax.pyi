"""Type hints of the compiled module (python/src/lib.rs, the glue to the Rust library)."""

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

_Csr = Tuple[npt.NDArray[np.floating], npt.NDArray[np.integer], npt.NDArray[np.integer], Tuple[int, int]]

class Model:
    """A fitted parallax model (the Rust ``FittedVectorizer``)."""

    def transform(self, texts: Sequence[str], dtype: str, n_jobs: Optional[int]) -> _Csr:
        """The matrix of ``texts`` as (data, indices, indptr, shape); dtype 'float32' or 'float64'."""
    def terms(self) -> list[str]:
        """The terms, one a column, sorted."""
    def surfaces(self) -> list[str]:
        """The most frequent surface form of each column's term."""
    def idf(self) -> npt.NDArray[np.float64]:
        """The idf of each column."""
    def n_docs(self) -> int:
        """Documents seen at fit."""
    def to_json(self) -> bytes:
        """The model as parallax's model JSON (what ``parallax vectorize --save-model`` writes)."""
    @staticmethod
    def from_json(data: bytes) -> Model:
        """Reads and checks a model from parallax's model JSON; ValueError if damaged."""

def fit(
    texts: Sequence[str],
    settings: dict[str, Any],
    dtype: str,
    n_jobs: Optional[int],
    transform: bool,
) -> Tuple[Model, Optional[_Csr]]:
    """Fits on ``texts``; with ``transform``, also returns their matrix as (data, indices, indptr, shape)."""

def stop_words(language: str) -> list[str]:
    """parallax's built-in stop words for a language ('sklearn': scikit-learn's English list)."""

def read_corpus(
    paths: Sequence[str],
) -> list[Tuple[str, str, Optional[str], Optional[str], Optional[str], dict[str, str]]]:
    """Reads documents from paths; (id, text, title, source, date, meta) per document."""
