"""The package imports and works without scikit-learn (its own get_params/set_params) and
without pandas (tables as lists of dicts)."""

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["sklearn"] = None  # as if scikit-learn were not installed
import pickle
from parallax.sklearn import TfidfVectorizer
v = TfidfVectorizer(min_df=1)
X = v.fit_transform(["a cat sat", "the dog sat"])
assert X.shape == (2, 4), X.shape
assert list(v.get_feature_names_out()) == ["cat", "dog", "sat", "the"]
assert v.set_params(min_df=2).get_params()["min_df"] == 2
w = pickle.loads(pickle.dumps(v))
assert (w.transform(["cat dog"]) != v.transform(["cat dog"])).nnz == 0
try:
    TfidfVectorizer(bogus=1)
except TypeError:
    pass
print("ok")
"""


def test_works_without_sklearn():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


WITHOUT_PANDAS = """
import sys
sys.modules["pandas"] = None  # as if pandas were not installed
import parallax
docs = parallax.documents(["Ferry strike ends at dawn.", "Ferry strike ends.", "Council votes levy."],
                          sources=["a", "b", "a"])
table = parallax.keywords(docs, n=2)
assert isinstance(table, list) and set(table[0]) == {"doc", "rank", "phrase", "stem", "score", "count"}
stories = parallax.stories(docs)
assert [s["ids"] for s in stories][0] == ["0", "1"], stories
assert isinstance(parallax.read_corpus(sys.argv[1]), list)
try:
    parallax.keywords(docs, as_frame=True)
except ImportError:
    print("ok")
"""


def test_tables_are_records_without_pandas():
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    out = subprocess.run([sys.executable, "-c", WITHOUT_PANDAS, str(corpus)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
