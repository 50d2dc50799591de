"""The package imports and works without scikit-learn (its own get_params/set_params)."""

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
