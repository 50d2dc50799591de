"""Type hints of the parallax package (the calls are in parallax/_api.py)."""

import os
from typing import Any, Iterable, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
import scipy.sparse

from parallax._parallax import Documents as Documents

__version__: str

DocumentsLike = Union[Documents, str, os.PathLike, Any, Iterable[Union[str, dict]]]
"""A path, a pandas DataFrame (a ``text`` column), dicts, texts, or Documents."""
Table = Any
"""A pandas DataFrame when pandas is installed (and ``as_frame`` is not False), else a list of dicts."""

class ReadWarning(UserWarning):
    """Something in the documents was skipped or set aside (counted, never dropped silently)."""

def documents(
    data: DocumentsLike,
    *,
    ids: Optional[Sequence[Any]] = None,
    titles: Optional[Sequence[Optional[str]]] = None,
    sources: Optional[Sequence[Optional[str]]] = None,
    dates: Optional[Sequence[Any]] = None,
    fields: Optional[dict[str, str]] = None,
    on_error: Literal["fail", "skip"] = "fail",
    date_order: Literal["auto", "mdy", "dmy"] = "auto",
    date_format: Optional[str] = None,
    date_min: Optional[str] = None,
    date_max: Optional[str] = None,
    max_doc_mb: Optional[int] = 256,
) -> Documents:
    """Documents every call takes, converted once (see the docstring for the inputs)."""

def read_corpus(
    paths: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
    as_frame: Optional[bool] = None,
    *,
    fields: Optional[dict[str, str]] = None,
    on_error: Literal["fail", "skip"] = "fail",
    date_order: Literal["auto", "mdy", "dmy"] = "auto",
    date_format: Optional[str] = None,
    date_min: Optional[str] = None,
    date_max: Optional[str] = None,
    max_doc_mb: Optional[int] = 256,
) -> Table:
    """Reads documents as the CLI does: columns id, text, title, source, date, meta."""

def stop_words(language: str) -> list[str]:
    """parallax's built-in stop words for a language ('sklearn': scikit-learn's English list)."""

class Model:
    """A fitted parallax model; the same model JSON as the CLI's ``fit`` and ``--model``."""

    def transform(self, docs: DocumentsLike, dtype: str = "float64", n_jobs: Optional[int] = None) -> scipy.sparse.csr_matrix: ...
    def update(self, docs: DocumentsLike, n_jobs: Optional[int] = None) -> Model: ...
    def save(self, path: Union[str, os.PathLike]) -> None: ...
    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> Model: ...
    @property
    def terms(self) -> list[str]: ...
    @property
    def surfaces(self) -> list[str]: ...
    @property
    def idf(self) -> npt.NDArray[np.float64]: ...
    @property
    def n_docs(self) -> int: ...
    def __len__(self) -> int: ...

# The space settings every task takes (see fit's docstring): model, compat, language, stem,
# stop_words, fold_accents, ngram_range, min_df, max_df, max_features, tf, idf, norm, plain.

def fit(docs: DocumentsLike, *, n_jobs: Optional[int] = None, **space: Any) -> Model:
    """Fits a Model on documents."""

def merge(models: Iterable[Model]) -> Model:
    """One model of the documents of several fitted with the same analysis."""

def similar(
    docs: DocumentsLike,
    reference: Optional[DocumentsLike] = None,
    *,
    k: int = 10,
    measure: Literal["cosine", "jaccard", "bm25"] = "cosine",
    min_score: float = 0.0,
    across_sources: bool = False,
    window_days: Optional[int] = None,
    bm25_k1: float = 1.2,
    bm25_b: float = 0.75,
    n_jobs: Optional[int] = None,
    as_frame: Optional[bool] = None,
    **space: Any,
) -> Table:
    """The k nearest documents of each: id, rank, neighbour, score, source."""

def similarity_matrix(
    docs: DocumentsLike,
    reference: Optional[DocumentsLike] = None,
    *,
    measure: Literal["cosine", "jaccard", "bm25"] = "cosine",
    n_jobs: Optional[int] = None,
    **space: Any,
) -> npt.NDArray[np.float32]:
    """Every pair's score as a dense array (up to 20,000 documents a side)."""

def stories(
    docs: DocumentsLike,
    *,
    threshold: float = 0.1,
    k: int = 10,
    window_days: Optional[int] = 14,
    near_duplicate: float = 0.9,
    label_terms: int = 4,
    n_jobs: Optional[int] = None,
    as_frame: Optional[bool] = None,
    **space: Any,
) -> Table:
    """One row per story: story, label, size, ids, sources, first_date, last_date, near_duplicates."""

def keywords(
    docs: DocumentsLike,
    *,
    n: int = 10,
    per: str = "document",
    phrases: bool = True,
    max_words: int = 3,
    position: Optional[float] = None,
    idf_power: Optional[float] = None,
    word_length: Optional[float] = None,
    title_weight: Optional[float] = None,
    keep_redundant: bool = False,
    n_jobs: Optional[int] = None,
    as_frame: Optional[bool] = None,
    **space: Any,
) -> Table:
    """Key terms and phrases: doc (or group), rank, phrase, stem, score, count."""

def keyness(
    docs: DocumentsLike,
    *,
    by: str = "source",
    target: Optional[str] = None,
    reference: Optional[str] = None,
    all_pairs: bool = False,
    measure: Literal["g2", "chi2", "logodds", "logratio", "pmi"] = "g2",
    yates: bool = False,
    min_count: float = 3,
    fdr: Optional[float] = None,
    top: int = 20,
    prior_scale: float = 1.0,
    binary: bool = False,
    n_jobs: Optional[int] = None,
    as_frame: Optional[bool] = None,
    **space: Any,
) -> Table:
    """Distinctive terms per group: target, reference, term, surface, counts, statistic, log_ratio, p, p_adjusted."""

def compare(
    docs: DocumentsLike,
    *,
    by: str = "source",
    html: Optional[Union[str, os.PathLike]] = None,
    threshold: float = 0.1,
    k: int = 10,
    window_days: Optional[int] = 14,
    measure: Literal["g2", "chi2", "logodds", "logratio", "pmi"] = "g2",
    min_count: float = 3,
    fdr: Optional[float] = None,
    top: int = 15,
    period: str = "auto",
    top_sources: int = 25,
    top_stories: int = 30,
    n_jobs: Optional[int] = None,
    **space: Any,
) -> dict[str, Any]:
    """The coverage report as a dict (the CLI's --format json); html also writes the page."""
