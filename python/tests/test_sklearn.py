"""parallax.sklearn against scikit-learn: same vocabulary, columns, values (1e-6) and idf_."""

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.feature_extraction import text as sk  # noqa: E402

import parallax  # noqa: E402
from parallax import sklearn as px  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
BASIL = SHARED / "data" / "basil" / "basil-2010-2014.jsonl"
NEWS = SHARED / "data" / "20news" / "20news-bydate.jsonl"
needs_shared = pytest.mark.skipif(
    not BASIL.exists() or not NEWS.exists(),
    reason="../shared/data (BASIL, 20 Newsgroups) is not beside the repository",
)


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def basil():
    if not BASIL.exists():
        pytest.skip("../shared/data/basil is not beside the repository")
    return [r["text"] for r in jsonl(BASIL)]


@pytest.fixture(scope="module")
def corpus():
    files = sorted(p for p in (ROOT / "corpus").rglob("*.md") if p.name != "README.md")
    assert len(files) > 10
    return [p.read_text(encoding="utf-8") for p in files]


def assert_same(ours, theirs, texts, check_idf=True):
    """Fits both, then compares vocabulary, column order, values (1e-6) and idf_."""
    a = theirs.fit_transform(texts)
    b = ours.fit_transform(texts)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert ours.vocabulary_ == theirs.vocabulary_
    assert b.shape == a.shape and b.dtype == a.dtype
    assert isinstance(b, type(a))
    assert abs(a - b).max() <= 1e-6 if a.nnz else b.nnz == 0
    assert (a != 0).nnz == (b != 0).nnz
    if check_idf and getattr(theirs, "use_idf", False):
        assert ours.idf_.dtype == theirs.idf_.dtype
        np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=0, atol=1e-6)
    # transform of the same texts after fit gives the same matrix as fit_transform.
    assert abs(ours.transform(texts) - b).max() <= 1e-12 if b.nnz else True


TFIDF_CASES = [
    {},
    {"stop_words": "english"},
    {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5},
    {"ngram_range": (1, 3), "stop_words": "english", "min_df": 3},
    {"sublinear_tf": True, "norm": "l1", "smooth_idf": False},
    {"binary": True, "use_idf": False, "norm": None, "lowercase": False},
    {"use_idf": False},
    {"min_df": 0.02, "max_df": 30},
    {"max_features": 100},
    {"stop_words": ["the", "a", "said", "of"], "dtype": np.float32},
]

COUNT_CASES = [{}, {"binary": True}, {"ngram_range": (2, 2), "min_df": 2}, {"stop_words": "english"}]


@pytest.mark.parametrize("params", TFIDF_CASES, ids=str)
def test_tfidf_like_sklearn_on_basil(basil, params):
    assert_same(px.TfidfVectorizer(**params), sk.TfidfVectorizer(**params), basil)


@pytest.mark.parametrize("params", TFIDF_CASES, ids=str)
def test_tfidf_like_sklearn_on_corpus(corpus, params):
    if params.get("max_df") == 30 or params.get("max_features"):
        params = {k: v for k, v in params.items() if k not in ("max_df", "max_features")}
    assert_same(px.TfidfVectorizer(**params), sk.TfidfVectorizer(**params), corpus)


@pytest.mark.parametrize("params", COUNT_CASES, ids=str)
def test_counts_like_sklearn(basil, params):
    assert_same(px.CountVectorizer(**params), sk.CountVectorizer(**params), basil)


def test_max_features_ties(basil):
    # scikit-learn breaks ties at the cut-off with numpy's unstable argsort; parallax by term.
    ours = set(px.CountVectorizer(max_features=1000).fit(basil).get_feature_names_out())
    theirs = set(sk.CountVectorizer(max_features=1000).fit(basil).get_feature_names_out())
    full = sk.CountVectorizer().fit(basil)
    totals = np.asarray(full.transform(basil).sum(axis=0)).ravel()
    freq = {t: totals[i] for t, i in full.vocabulary_.items()}
    cut = min(freq[t] for t in theirs)
    assert len(ours) == len(theirs)
    assert all(freq[t] == cut for t in ours ^ theirs)


@pytest.mark.parametrize("kind", ["list", "dict", "set"])
def test_fixed_vocabulary_keeps_the_users_order(basil, kind):
    terms = ["senate", "obama", "tax", "zzzunseen", "health care", "the"]
    vocab = {
        "list": terms,
        "dict": {t: i for i, t in enumerate(reversed(terms))},
        "set": set(terms),
    }[kind]
    params = {"vocabulary": vocab, "ngram_range": (1, 2)}
    ours, theirs = px.TfidfVectorizer(**params), sk.TfidfVectorizer(**params)
    assert_same(ours, theirs, basil)
    assert ours.fixed_vocabulary_


def test_float32(basil):
    b = px.TfidfVectorizer(dtype=np.float32).fit_transform(basil)
    a = sk.TfidfVectorizer().fit_transform(basil)
    assert b.dtype == np.float32
    assert abs(a - b.astype(np.float64)).max() <= 1e-6


def test_arrays_are_not_copied(basil):
    X = px.TfidfVectorizer().fit_transform(basil)
    # The arrays scipy holds are the ones numpy received from Rust (owned by Rust's Vec).
    for arr in (X.data, X.indices, X.indptr):
        assert not arr.flags.owndata
    assert X.indices.dtype == np.int32 and X.indptr.dtype == np.int32


def test_thread_count_does_not_change_the_result(basil):
    one = px.TfidfVectorizer(n_jobs=1, ngram_range=(1, 2)).fit_transform(basil)
    two = px.TfidfVectorizer(n_jobs=2, ngram_range=(1, 2)).fit_transform(basil)
    every = px.TfidfVectorizer(n_jobs=None, ngram_range=(1, 2)).fit_transform(basil)
    for m in (two, every):
        assert np.array_equal(one.indptr, m.indptr)
        assert np.array_equal(one.indices, m.indices)
        assert np.array_equal(one.data, m.data)


def test_pickle_round_trip(basil):
    v = px.TfidfVectorizer(stop_words="english", ngram_range=(1, 2)).fit(basil[:100])
    w = pickle.loads(pickle.dumps(v))
    assert w.get_params() == v.get_params()
    assert w.vocabulary_ == v.vocabulary_
    np.testing.assert_array_equal(w.idf_, v.idf_)
    assert abs(w.transform(basil[100:]) - v.transform(basil[100:])).max() == 0
    unfitted = pickle.loads(pickle.dumps(px.TfidfVectorizer(min_df=3)))
    assert unfitted.min_df == 3
    with pytest.raises(NotFittedError):
        unfitted.transform(["text"])


def test_clone_and_params():
    v = px.TfidfVectorizer(min_df=2, language="german", stem=True, n_jobs=2)
    c = clone(v)
    assert c.get_params() == v.get_params()
    c.set_params(min_df=5)
    assert c.min_df == 5 and v.min_df == 2


def square(text):
    return text.split()


UNSUPPORTED = [
    {"analyzer": "char"},
    {"analyzer": square},
    {"tokenizer": square},
    {"preprocessor": str.upper},
    {"token_pattern": r"\w+"},
    {"strip_accents": "unicode"},
    {"input": "filename"},
    {"norm": "max"},
    {"dtype": np.int32},
    {"compat": "gensim"},
    {"min_df": -1},
    {"max_df": 1.5},
    {"ngram_range": (2, 1)},
    {"ngram_range": (1, 9)},
    {"max_features": 0},
    {"language": "klingon", "stem": True},
    {"stop_words": "german"},
    {"n_jobs": 0},
    {"vocabulary": []},
    {"vocabulary": ["a", "a"]},
    {"vocabulary": {"a": 0, "b": 2}},
]


@pytest.mark.parametrize("params", UNSUPPORTED, ids=str)
def test_unsupported_values_raise(params):
    name = next(iter(params))
    with pytest.raises(ValueError, match=name.split("_")[0]) as err:
        px.TfidfVectorizer(**params).fit(["some text here", "more text"])
    assert str(err.value)


def test_bad_documents_raise():
    with pytest.raises(ValueError, match="string object received"):
        px.TfidfVectorizer().fit("one text")
    with pytest.raises(ValueError, match="np.nan"):
        px.TfidfVectorizer().fit(["text", np.nan])
    with pytest.raises(ValueError, match="empty vocabulary"):
        px.TfidfVectorizer().fit(["a", "!"])
    with pytest.raises(NotFittedError):
        px.TfidfVectorizer().transform(["text"])


def test_bytes_are_decoded_as_sklearn_does():
    docs = ["café olé".encode("utf-8"), "plain text"]
    assert_same(px.TfidfVectorizer(), sk.TfidfVectorizer(), docs)
    with pytest.raises(UnicodeDecodeError):
        px.TfidfVectorizer(encoding="ascii").fit(docs)


def test_damaged_model_raises_with_the_reason():
    with pytest.raises(ValueError, match="invalid model"):
        parallax._parallax.Model.from_json(b'{"format": "nope"}')


@needs_shared
def test_pipeline_and_grid_search_like_sklearn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from threadpoolctl import threadpool_limits

    groups = {"sci.space", "rec.autos", "talk.politics.guns"}
    records = [r for r in jsonl(NEWS) if r["source"] in groups][:2000]
    texts = [r["text"] for r in records]
    labels = [r["source"] for r in records]
    grid = {"tfidf__min_df": [1, 3], "tfidf__sublinear_tf": [False, True]}
    results = []
    # One BLAS thread: on a small, busy machine more threads make the solver ten times slower.
    with threadpool_limits(1):
        for vectorizer in (px.TfidfVectorizer(), sk.TfidfVectorizer()):
            pipe = Pipeline([("tfidf", vectorizer), ("clf", LogisticRegression(max_iter=1000))])
            search = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(texts, labels)
            results.append(search)
    ours, theirs = results
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=1e-9
    )
    assert ours.best_score_ > 0.9
