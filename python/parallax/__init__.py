"""parallax: compare news texts statistically, from Python.

The compiled library does the work. :func:`documents` converts a corpus once (paths, texts,
dicts or a pandas DataFrame); :func:`similar`, :func:`stories`, :func:`keywords`,
:func:`keyness` and :func:`compare` are the CLI's commands as calls returning tables;
:func:`fit`, :class:`Model` and :func:`merge` handle models; :mod:`parallax.sklearn` holds
drop-in replacements for scikit-learn's ``TfidfVectorizer`` and ``CountVectorizer``.
"""

from parallax._api import (
    Documents,
    Model,
    ReadWarning,
    compare,
    documents,
    fit,
    keyness,
    keywords,
    merge,
    read_corpus,
    similar,
    similarity_matrix,
    stories,
)
from parallax._parallax import stop_words  # parallax's built-in lists, by language

__all__ = [
    "Documents",
    "Model",
    "ReadWarning",
    "compare",
    "documents",
    "fit",
    "keyness",
    "keywords",
    "merge",
    "read_corpus",
    "similar",
    "similarity_matrix",
    "stop_words",
    "stories",
]
__version__ = "0.1.0"
