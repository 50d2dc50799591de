"""parallax: compare news texts statistically, from Python.

The compiled library does the work; :mod:`parallax.sklearn` holds drop-in replacements for
scikit-learn's ``TfidfVectorizer`` and ``CountVectorizer``.
"""

from parallax._corpus import read_corpus
from parallax._parallax import stop_words  # parallax's built-in lists, by language

__all__ = ["read_corpus", "stop_words"]
__version__ = "0.1.0"
