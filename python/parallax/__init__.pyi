"""Type hints of the parallax package."""

__version__: str

def stop_words(language: str) -> list[str]:
    """parallax's built-in stop words for a language ('sklearn': scikit-learn's English list)."""
