"""parallax's tasks as Python calls: documents in, tables out.

Each call turns its arguments into the plain values the compiled glue takes, and the columns it
returns into a pandas DataFrame (when pandas is installed and ``as_frame`` is not False) or a
list of dicts. The work is the library's: the same numbers as the CLI's commands.
"""

from __future__ import annotations

import datetime
import json
import numbers
import os
import warnings

from parallax import _parallax

Documents = _parallax.Documents

_FIELDS = ("id", "text", "title", "source", "date")


class ReadWarning(UserWarning):
    """Something in the documents was skipped or set aside (counted, never dropped silently)."""


def _n_threads(n_jobs):
    """Threads for ``n_jobs``, joblib's convention: None or -1 every core, -2 all but one, ..."""
    if n_jobs is None or n_jobs == -1:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    return int(n_jobs)


def _check(ok, name, value, reason):
    """The error the glue gives for a bad value, raised before any work."""
    if not ok:
        raise ValueError(f"invalid parameter `{name}` = {value!r}: {reason}")


def _count(name, value, least=1, none=False):
    """An integer parameter of at least ``least`` (or None when ``none``)."""
    if none and value is None:
        return None
    _check(
        isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= least,
        name,
        value,
        f"must be an integer of at least {least}" + (" or None" if none else ""),
    )
    return int(value)


def _refuse(space, names, why):
    given = [n for n in names if space.get(n) not in (None, False)]
    if given:
        raise ValueError(f"{', '.join(given)}: {why}")


# ---------------------------------------------------------------------------------------------
# Documents


def _missing(value):
    # None, NaN and pandas' NaT/NA: the values a DataFrame uses for "no value".
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        # pandas.NA compares to NA, whose truth is an error.
        return type(value).__name__ == "NAType"


def _field(value, name, row):
    """An optional field as text: dates and timestamps as YYYY-MM-DD, numbers as written."""
    if _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a numpy scalar, as DataFrame columns give them
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes them, so groups match read files
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"document {row}: `{name}` is a {type(value).__name__}, not text")


def _text(value, row):
    if isinstance(value, str):
        return value
    if _missing(value):
        raise ValueError(f"document {row}: `text` is missing")
    raise ValueError(f"document {row}: `text` is a {type(value).__name__}, not str")


def _reading(fields, on_error, dates, date_format, date_min, date_max, max_doc_mb):
    """The CLI's input options as the glue takes them; ``fields`` maps id, text, title, source,
    date to the names the records use."""
    names = dict(zip(_FIELDS, _FIELDS))
    for key, name in (fields or {}).items():
        if key not in names:
            raise ValueError(f"fields: `{key}` is not one of {', '.join(_FIELDS)}")
        names[key] = str(name)
    return {
        "fields": tuple(names[f] for f in _FIELDS),
        "on_error": on_error,
        "dates": dates,
        "date_format": date_format,
        "date_min": date_min,
        "date_max": date_max,
        "max_doc_mb": max_doc_mb,
    }


def _records_of_frame(frame, text):
    if text not in frame.columns:
        raise ValueError(
            f"a DataFrame of documents needs a `{text}` column (it has {list(frame.columns)})"
        )
    names = [str(c) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        yield dict(zip(names, values))


def _rows(records, extra, names):
    """(id, text, title, source, date, meta) per record; ``names`` maps each field to the key
    it has in the records."""
    rows = []
    keys = set(names.values())
    # Ids are positions only when no document has one: a mix could collide without a trace.
    has_ids = "id" in extra or any(
        not isinstance(r, str) and hasattr(r, "get") and not _missing(r.get(names["id"]))
        for r in records
    )
    for i, record in enumerate(records, start=1):
        if isinstance(record, str):
            record = {names["text"]: record}
        elif not hasattr(record, "get"):
            raise ValueError(
                f"document {i}: a {type(record).__name__}; give texts (str), dicts or a DataFrame"
            )
        if names["text"] not in record:
            raise ValueError(f"document {i}: no `{names['text']}` (it has {sorted(record)})")
        values = {name: record.get(names[name]) for name in _FIELDS}
        for name, column in extra.items():
            values[name] = column[i - 1]
        ident = values["id"]
        if isinstance(ident, float) and ident.is_integer():
            ident = int(ident)  # an integer id column with gaps comes as floats
        ident = _field(ident, "id", i)
        if ident is None and has_ids:
            raise ValueError(f"document {i}: `{names['id']}` is missing (other documents have one)")
        meta = {}
        for key, value in record.items():
            if key == "meta" and isinstance(value, dict):
                # A table from read_corpus, given back: its metadata as it was read.
                meta.update((str(k), _field(v, k, i)) for k, v in value.items() if not _missing(v))
            elif key not in keys and not _missing(value):
                meta[str(key)] = _field(value, key, i)
        rows.append(
            (
                str(i - 1) if ident is None else ident,
                _text(values["text"], i),
                _field(values["title"], "title", i),
                _field(values["source"], "source", i),
                _field(values["date"], "date", i),
                meta,
            )
        )
    return rows


def documents(
    data,
    *,
    ids=None,
    titles=None,
    sources=None,
    dates=None,
    fields=None,
    on_error="fail",
    date_order="auto",
    date_format=None,
    date_min=None,
    date_max=None,
    max_doc_mb=256,
):
    """Documents every call takes, converted once.

    ``data`` is a path (a file or directory, read as the CLI reads it), a pandas DataFrame (a
    ``text`` column; ``id``, ``title``, ``source``, ``date`` when present; other columns
    become metadata, usable as ``by``/``per`` fields), a list of dicts with the same keys, a
    list (or iterable) of texts, or :class:`Documents` (returned as is). ``ids``, ``titles``,
    ``sources`` and ``dates`` give a field for every document (one value each, in order);
    ids are the positions (from 0) when no document has one; when some have one, all must.
    ``fields`` renames what the records call a field, e.g. ``{"text": "body", "source":
    "outlet"}`` (the CLI's ``--text-field`` and the like).

    Dates may be ``datetime``, ``date`` or text in any form the CLI reads: ``date_order``
    (``"auto"``, ``"mdy"``, ``"dmy"``: the CLI's ``--dates``), ``date_format`` (a pattern such
    as ``"%d.%m.%Y"``), ``date_min``/``date_max`` (``"YYYY-MM-DD"``, the plausible window)
    decide how. A date that cannot be used is set aside as missing; reading files,
    ``on_error="skip"`` skips bad records. Both are counted in ``Documents.report()`` and
    announced with a :class:`ReadWarning`: nothing is dropped silently. Duplicate ids and bad
    records (with ``on_error="fail"``) raise ``ValueError`` naming the file (or
    ``<documents>``), the line (or position) and the field; an unreadable file ``OSError``.
    """
    reading = _reading(fields, on_error, date_order, date_format, date_min, date_max, max_doc_mb)
    extra = {
        name: list(column)
        for name, column in (("id", ids), ("title", titles), ("source", sources), ("date", dates))
        if column is not None
    }
    if isinstance(data, Documents):
        if extra:
            raise ValueError("ids, titles, sources and dates apply to new documents, not to Documents")
        return data
    if isinstance(data, (str, os.PathLike)):
        if extra:
            raise ValueError("ids, titles, sources and dates apply to texts, not to a path")
        docs = Documents.read([os.fspath(data)], reading)
    else:
        names = dict(zip(_FIELDS, reading["fields"]))
        is_frame = hasattr(data, "columns") and hasattr(data, "itertuples")
        records = list(_records_of_frame(data, names["text"]) if is_frame else data)
        for name, column in extra.items():
            if len(column) != len(records):
                raise ValueError(f"{name}s: {len(column)} values for {len(records)} documents")
        docs = Documents(_rows(records, extra, names), reading)
    _announce(docs.report())
    return docs


# The CLI's flags named in the library's hints, as this package's arguments.
_FLAGS = (
    ("--dates mdy or --dates dmy", 'date_order="mdy" or "dmy"'),
    ("--date-format", "date_format"),
    ("--date-min and --date-max", "date_min and date_max"),
)


def _announce(report):
    # What the CLI reports even with --quiet: values left out. The rest is in report().
    notes = []
    if report["skipped"]:
        first = report["skipped_examples"][0]
        notes.append(f"{report['skipped']} bad record(s) skipped (first: {first})")
    for kind in report["set_aside"]:
        notes.append(
            f"{kind['count']} {kind['kind']}(s) set aside as missing "
            f"(e.g. {kind['examples'][0]}): {kind['hint']}"
        )
    if notes:
        text = "; ".join(notes)
        for flag, argument in _FLAGS:
            text = text.replace(flag, argument)
        warnings.warn("parallax: " + text, ReadWarning, stacklevel=3)


def read_corpus(
    paths,
    as_frame=None,
    *,
    fields=None,
    on_error="fail",
    date_order="auto",
    date_format=None,
    date_min=None,
    date_max=None,
    max_doc_mb=256,
):
    """Reads documents as the CLI does: directories, JSONL, CSV/TSV, text files, ``.gz``.

    ``paths`` is one path or a list; the input options are those of :func:`documents`.
    Returns a pandas DataFrame (columns id, text, title, source, date, meta) when pandas is
    importable and ``as_frame`` is not False, else a list of dicts. A missing or unreadable
    file raises ``OSError``, a malformed record ``ValueError``, both with parallax's message
    (file, line, field).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    reading = _reading(fields, on_error, date_order, date_format, date_min, date_max, max_doc_mb)
    docs = Documents.read([os.fspath(p) for p in paths], reading)
    _announce(docs.report())
    columns = ("id", "text", "title", "source", "date", "meta")
    rows = docs.rows()
    return _table({name: [row[i] for row in rows] for i, name in enumerate(columns)}, as_frame)


def _left_out(task, count, field):
    # What the CLI says on stderr when documents lack the grouping field.
    if count:
        warnings.warn(
            f"parallax {task}: {count} document(s) without `{field}` are left out",
            ReadWarning,
            stacklevel=3,
        )


def _table(columns, as_frame):
    if as_frame is not False:
        try:
            import pandas as pd
        except ImportError:
            if as_frame:
                raise
        else:
            return pd.DataFrame(columns)
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]


# ---------------------------------------------------------------------------------------------
# The space: a model, or the settings to fit


def _df_limit(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(
            f"{name} must be an int (documents) or a float (proportion) of at least 0, not {value!r}"
        )
    if isinstance(value, numbers.Integral):
        return ("count", float(value))
    return ("proportion", float(value))


def _space(
    model=None,
    compat=None,
    language=None,
    stem=None,
    stop_words=None,
    fold_accents=False,
    ngram_range=None,
    min_df=None,
    max_df=None,
    max_features=None,
    tf=None,
    idf=None,
    norm=None,
    plain=False,
):
    fixed = {
        "compat": compat,
        "language": language,
        "stem": stem,
        "stop_words": stop_words,
        "ngram_range": ngram_range,
        "min_df": min_df,
        "max_df": max_df,
        "max_features": max_features,
    }
    if model is not None:
        given = [name for name, value in fixed.items() if value is not None]
        if fold_accents:
            given.append("fold_accents")
        if given:
            raise ValueError(
                f"{', '.join(given)} cannot be combined with model: the model fixes the analysis "
                "and the vocabulary (tf, idf and norm may still change the weighting)"
            )
        if not isinstance(model, Model):
            raise ValueError(f"model must be a parallax.Model, not {type(model).__name__}")
    if isinstance(stop_words, (list, tuple, set, frozenset)):
        stop_words = sorted(str(w) for w in stop_words)
    elif stop_words is not None:
        _check(
            stop_words in ("default", "none", "sklearn") or os.path.isfile(stop_words),
            "stop_words",
            stop_words,
            "give 'default' (the language's list), 'none', 'sklearn', a file or a list of words",
        )
    max_features = _count("max_features", max_features, none=True)
    if ngram_range is not None:
        lo, hi = (_count("ngram_range", n) for n in ngram_range)
        _check(lo <= hi, "ngram_range", ngram_range, "must be (min, max) with min <= max")
    return {
        **fixed,
        "model": None if model is None else model._inner,
        "fold_accents": bool(fold_accents),
        "ngram_range": None if ngram_range is None else tuple(ngram_range),
        "min_df": _df_limit("min_df", min_df),
        "max_df": _df_limit("max_df", max_df),
        "tf": tf,
        "idf": idf,
        "norm": norm,
        "plain": bool(plain),
    }


_SPACE_DOC = """
    The space (what the CLI's analysis, vocabulary and weighting flags set): ``model`` (a
    fitted :class:`Model`; then only ``tf``, ``idf``, ``norm`` may change its weighting), or
    the settings to fit on the documents: ``compat`` (``"parallax"``, the default, or
    ``"sklearn"``, ``"gensim"``, ``"quanteda"``, ``"spark"``), ``language`` (English unless
    given; picks the stemmer and stop words), ``stem``, ``stop_words`` (``"default"``,
    ``"none"``, ``"sklearn"``, a file, or a list), ``fold_accents``, ``ngram_range``,
    ``min_df``/``max_df`` (int: documents, float: proportion), ``max_features``, ``tf``
    (raw, binary, log), ``idf`` (smooth, plain, log2, log10, spark, none, ...), ``norm`` (l2,
    l1, none); ``n_jobs`` threads (the result is the same for any count)."""


# ---------------------------------------------------------------------------------------------
# Models


def _matrix(parts):
    import scipy.sparse

    data, indices, indptr, shape = parts
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=shape, copy=False)


class Model:
    """A fitted parallax model: analysis, vocabulary (with surface forms), idf, weighting.

    Made by :func:`fit`, :meth:`load`, :meth:`update` or :func:`merge`; the same model JSON as
    the CLI's ``fit`` and ``--model`` (a model saved here is read there, and back).
    """

    def __init__(self, inner):
        self._inner = inner

    def transform(self, docs, dtype="float64", n_jobs=None):
        """The documents' rows (``scipy.sparse.csr_matrix``), one column a term."""
        return _matrix(self._inner.transform_documents(documents(docs), dtype, _n_threads(n_jobs)))

    def update(self, docs, n_jobs=None):
        """A new model: this one's documents plus ``docs``, with its own settings (equal to one
        fit of both); this model is unchanged."""
        return Model(self._inner.update(documents(docs), _n_threads(n_jobs)))

    def save(self, path):
        """Writes the model JSON atomically."""
        self._inner.save(os.fspath(path))

    @classmethod
    def load(cls, path):
        """Reads a model saved by :meth:`save` or by the CLI."""
        return cls(_parallax.Model.load(os.fspath(path)))

    @property
    def terms(self):
        """The column terms (stems when the analysis stems), sorted."""
        return self._inner.terms()

    @property
    def surfaces(self):
        """Each column's most frequent surface form: the readable word."""
        return self._inner.surfaces()

    @property
    def idf(self):
        """The idf of each column (numpy array)."""
        return self._inner.idf()

    @property
    def n_docs(self):
        """Documents the model was fitted on."""
        return self._inner.n_docs()

    def __len__(self):
        return len(self._inner.terms())

    def __repr__(self):
        return f"<parallax.Model: {len(self)} terms, {self.n_docs} documents>"

    def __reduce__(self):
        return (_model_from_json, (bytes(self._inner.to_json()),))


def _model_from_json(data):
    return Model(_parallax.Model.from_json(data))


def fit(docs, *, n_jobs=None, **space):
    """Fits a :class:`Model` on documents (anything :func:`documents` takes).
    """
    _refuse(space, ["model", "plain"], "fit makes a model from settings (no model, no space layout)")
    return Model(_parallax.fit_documents(documents(docs), _space(**space), _n_threads(n_jobs)))


fit.__doc__ += _SPACE_DOC


def merge(models):
    """One model of the documents of several, fitted with the same analysis (for example on
    parts of an archive, in parallel): their counts summed, the first model's vocabulary and
    weighting settings applied; equal to one fit of all the documents."""
    models = list(models)
    for m in models:
        if not isinstance(m, Model):
            raise ValueError(f"merge takes parallax.Model values, not {type(m).__name__}")
    return Model(_parallax.Model.merge([m._inner for m in models]))


# ---------------------------------------------------------------------------------------------
# Tasks


def similar(
    docs,
    reference=None,
    *,
    k=10,
    measure="cosine",
    min_score=0.0,
    across_sources=False,
    window_days=None,
    bm25_k1=1.2,
    bm25_b=0.75,
    n_jobs=None,
    as_frame=None,
    **space,
):
    """The ``k`` nearest documents of each document, as ``parallax similar``: among the others,
    or among ``reference`` when given. ``measure`` is ``"cosine"`` (in the story space: title
    and text; ``plain=True`` for the text's TF-IDF), ``"jaccard"`` or ``"bm25"``;
    ``across_sources`` keeps neighbours from other sources only, ``window_days`` those dated
    within that many days.

    Returns a table: id, rank, neighbour, score, source (the neighbour's).
    """
    k = _count("k", k)
    _check(min_score >= 0, "min_score", min_score, "must be at least 0")
    window_days = _count("window_days", window_days, least=0, none=True)
    table, _ = _parallax.similar(
        documents(docs),
        None if reference is None else documents(reference),
        _space(**space),
        measure,
        k,
        min_score,
        across_sources,
        window_days,
        (bm25_k1, bm25_b),
        False,
        _n_threads(n_jobs),
    )
    return _table(table, as_frame)


def similarity_matrix(docs, reference=None, *, measure="cosine", n_jobs=None, **space):
    """Every pair's score as a dense numpy array (documents × reference, or × themselves), in
    the same space as :func:`similar`; for up to 20,000 documents a side."""
    _check(measure in ("cosine", "jaccard", "bm25"), "measure", measure, "cosine, jaccard or bm25")
    _, matrix = _parallax.similar(
        documents(docs),
        None if reference is None else documents(reference),
        _space(**space),
        measure,
        1,
        0.0,
        False,
        None,
        (1.2, 0.75),
        True,
        _n_threads(n_jobs),
    )
    return matrix


def stories(
    docs,
    *,
    threshold=0.1,
    k=10,
    window_days=14,
    near_duplicate=0.9,
    label_terms=4,
    n_jobs=None,
    as_frame=None,
    **space,
):
    """Groups documents that report the same event, as ``parallax stories``: each document is
    in one story; two versions from one source are kept apart; ``window_days`` (None: no
    window) bounds the days between linked documents.

    Returns one row per story, largest first: story, label (readable words), size, ids,
    sources, first_date, last_date, near_duplicates ((id, id, cosine) pairs).
    """
    k = _count("k", k)
    window_days = _count("window_days", window_days, least=0, none=True)
    label_terms = _count("label_terms", label_terms)
    _check(0 < near_duplicate <= 1, "near_duplicate", near_duplicate, "must be in (0, 1]")
    table = _parallax.stories(
        documents(docs),
        _space(**space),
        threshold,
        k,
        window_days,
        near_duplicate,
        label_terms,
        _n_threads(n_jobs),
    )
    return _table(table, as_frame)


def keywords(
    docs,
    *,
    n=10,
    per="document",
    phrases=True,
    max_words=3,
    position=None,
    idf_power=None,
    word_length=None,
    title_weight=None,
    keep_redundant=False,
    n_jobs=None,
    as_frame=None,
    **space,
):
    """Key terms and phrases, as ``parallax keywords``: of each document (``per="document"``),
    of all together (``"corpus"``) or of each group of a field (``"source"``, ``"story"`` (the
    ``story`` field, else ``event``), any metadata field, ``"date:month"``, ``"date:week"``);
    ``phrases=False`` ranks single words.

    Returns a table: doc (or group), rank, phrase (as written), stem, score, count.
    """
    n = _count("n", n)
    max_words = _count("max_words", max_words)
    _refuse(space, ["plain"], "keywords rank terms; there is no space layout to choose")
    if space.get("model") is not None:
        _refuse(space, ["tf", "idf", "norm"], "the model's weighting applies with model")
    settings = {
        "n": n,
        "phrases": phrases,
        "max_words": max_words,
        "position": position,
        "idf_power": idf_power,
        "word_length": word_length,
        "title_weight": title_weight,
        "keep_redundant": keep_redundant,
    }
    table, left_out = _parallax.keywords(documents(docs), _space(**space), per, settings, _n_threads(n_jobs))
    _left_out("keywords", left_out, per)
    return _table(table, as_frame)


def keyness(
    docs,
    *,
    by="source",
    target=None,
    reference=None,
    all_pairs=False,
    measure="g2",
    yates=False,
    min_count=3,
    fdr=None,
    top=20,
    prior_scale=1.0,
    binary=False,
    n_jobs=None,
    as_frame=None,
    **space,
):
    """The words each group uses more than the others, with effect sizes, as
    ``parallax keyness``: each group of ``by`` against the rest, ``target`` against
    ``reference`` (a group, or the rest), or ``all_pairs``. ``measure``: g2, chi2, logodds,
    logratio, pmi; ``fdr`` keeps rows whose Benjamini-Hochberg adjusted p is at most it;
    ``binary=True`` counts documents instead of tokens. The analysis settings apply; keyness
    compares counts, so ``tf``, ``idf``, ``norm``, ``model`` and ``plain`` do not.

    Returns a table: target, reference, term, surface, count_target, count_reference, the
    statistic (named after the measure), log_ratio, p, p_adjusted.
    """
    top = _count("top", top)
    _check(min_count >= 0, "min_count", min_count, "must be at least 0")
    _check(not (all_pairs and (target or reference)), "all_pairs", all_pairs,
           "compares every pair: give it without target and reference")
    _refuse(space, ["model", "plain", "tf", "idf", "norm"],
            "keyness compares counts of a fit on the documents (binary=True counts documents)")
    settings = {
        "target": target,
        "reference": reference,
        "all_pairs": all_pairs,
        "measure": measure,
        "yates": yates,
        "min_count": float(min_count),
        "prior_scale": float(prior_scale),
        "fdr": fdr,
        "top": top,
        "binary": binary,
    }
    table, left_out = _parallax.keyness(documents(docs), _space(**space), by, settings, _n_threads(n_jobs))
    _left_out("keyness", left_out, by)
    return _table(table, as_frame)


def compare(
    docs,
    *,
    by="source",
    html=None,
    threshold=0.1,
    k=10,
    window_days=14,
    measure="g2",
    min_count=3,
    fdr=None,
    top=15,
    period="auto",
    top_sources=25,
    top_stories=30,
    n_jobs=None,
    **space,
):
    """The coverage report, as ``parallax compare``: stories across the sources of ``by``,
    who covered what and who skipped it, how close their versions are, each source's
    distinctive words. Returns the report as a dict (the CLI's ``--format json``); ``html``
    also writes the page to that path (atomically; an interrupted call still writes it when
    the work finishes in the background). ``measure`` is keyness's (g2, chi2, logodds,
    logratio, pmi).
    """
    k, top = _count("k", k), _count("top", top)
    top_sources, top_stories = _count("top_sources", top_sources), _count("top_stories", top_stories)
    window_days = _count("window_days", window_days, least=0, none=True)
    _check(0 < threshold <= 1, "threshold", threshold, "must be in (0, 1]")
    settings = {
        "threshold": threshold,
        "k": k,
        "window_days": window_days,
        "measure": measure,
        "min_count": float(min_count),
        "fdr": fdr,
        "top": top,
        "period": period,
        "top_sources": top_sources,
        "top_stories": top_stories,
    }
    text = _parallax.compare(
        documents(docs),
        _space(**space),
        by,
        settings,
        None if html is None else os.fspath(html),
        _n_threads(n_jobs),
    )
    return json.loads(text)


for _task in (similar, similarity_matrix, stories, keywords, keyness, compare):
    _task.__doc__ += _SPACE_DOC
del _task
