"""Type hints of the parallax package."""

from typing import Any, Optional

__version__: str

def stop_words(language: str) -> list[str]:
    """parallax's built-in stop words for a language ('sklearn': scikit-learn's English list)."""

def read_corpus(paths: Any, as_frame: Optional[bool] = None) -> Any:
    """Reads documents as the CLI does; a pandas DataFrame when pandas is importable, else a list of dicts."""
