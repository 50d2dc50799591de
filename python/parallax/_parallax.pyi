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
    def transform_documents(self, docs: Documents, dtype: str, n_jobs: Optional[int]) -> _Csr:
        """The matrix of documents as (data, indices, indptr, shape)."""
    def update(self, docs: Documents, n_jobs: Optional[int]) -> Model:
        """This model refitted with ``docs`` added."""
    def save(self, path: str) -> None:
        """Writes the model JSON atomically."""
    @staticmethod
    def load(path: str) -> Model:
        """Reads a model saved here or by the CLI."""
    @staticmethod
    def merge(models: Sequence[Model]) -> Model:
        """One model of the documents of several (same analysis)."""

_Row = Tuple[str, str, Optional[str], Optional[str], Optional[str], dict[str, str]]

class Documents:
    """Documents held on the Rust side (converted once), with what reading set aside."""

    def __init__(self, rows: Sequence[_Row], reading: dict[str, Any], name: str = "<documents>") -> None: ...
    @staticmethod
    def read(paths: Sequence[str], reading: dict[str, Any]) -> Documents: ...
    def __len__(self) -> int: ...
    def rows(self) -> list[_Row]:
        """(id, text, title, source, date, meta) per document, in order."""
    def report(self) -> dict[str, Any]:
        """What reading skipped or set aside: skipped, skipped_examples, blank_lines, ignored_files, empty_documents, undated, empty_fields, set_aside."""

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

# The tasks (python/src/tasks.rs): settings as dicts of plain values, tables as columns.
def fit_documents(docs: Documents, space: dict[str, Any], n_jobs: Optional[int]) -> Model: ...
def similar(docs: Documents, reference: Optional[Documents], space: dict[str, Any], measure: str, k: int, min_score: float, across_sources: bool, window_days: Optional[int], bm25: Tuple[float, float], dense: bool, n_jobs: Optional[int]) -> Tuple[dict[str, list], Optional[npt.NDArray[np.float32]]]: ...
def stories(docs: Documents, space: dict[str, Any], threshold: float, k: int, window_days: Optional[int], near_duplicate: float, label_terms: int, n_jobs: Optional[int]) -> dict[str, list]: ...
def keywords(docs: Documents, space: dict[str, Any], per: str, settings: dict[str, Any], n_jobs: Optional[int]) -> Tuple[dict[str, list], int]: ...
def keyness(docs: Documents, space: dict[str, Any], by: str, settings: dict[str, Any], n_jobs: Optional[int]) -> Tuple[dict[str, list], int]: ...
def compare(docs: Documents, space: dict[str, Any], by: str, settings: dict[str, Any], html: Optional[str], n_jobs: Optional[int]) -> str: ...
