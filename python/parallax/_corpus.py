"""Reading corpora: thin calls into parallax's readers (the API may still move with #29)."""

from __future__ import annotations

import os

from parallax import _parallax

_COLUMNS = ("id", "text", "title", "source", "date", "meta")


def read_corpus(paths, as_frame=None):
    """Reads documents as the CLI does: directories, JSONL, CSV/TSV, text files, ``.gz``.

    ``paths`` is one path or a list. Returns a pandas DataFrame (columns id, text, title,
    source, date, meta) when pandas is importable and ``as_frame`` is not False, else a list of
    dicts. A missing or unreadable file raises ``OSError``, a malformed record ``ValueError``,
    both with parallax's message (file, line, field).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    rows = _parallax.read_corpus([os.fspath(p) for p in paths])
    if as_frame is not False:
        try:
            import pandas as pd
        except ImportError:
            if as_frame:
                raise
        else:
            return pd.DataFrame.from_records(rows, columns=_COLUMNS)
    return [dict(zip(_COLUMNS, row)) for row in rows]
