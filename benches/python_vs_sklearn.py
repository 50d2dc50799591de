#!/usr/bin/env python3
"""parallax.sklearn.TfidfVectorizer against scikit-learn's, in one Python process.

Runs `TfidfVectorizer().fit_transform(texts)` of scikit-learn and of parallax on the 20
Newsgroups texts (a list of str), alternating, RUNS times each; prints the medians and the
ratio, and checks the matrices are equal (same vocabulary and columns, max |difference| <= 1e-6).
Then the same with English stemming: parallax `TfidfVectorizer(stop_words=..., stem=True)`
against scikit-learn with the PyStemmer analyzer of benches/anchor_sklearn.py (same stop
words); the two Snowball English versions differ on a few words, so that scenario reports the
vocabulary difference instead of asserting equality.

Needs the package installed (pip install ./python) and python/requirements-test.txt:

    python benches/python_vs_sklearn.py [--data ../shared/data/20news/20news-bydate.jsonl] [--runs 5]
"""

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

import parallax
from parallax.sklearn import TfidfVectorizer as PxTfidf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from anchor_sklearn import stem_analyzer  # noqa: E402  (the stemming anchor, reused as is)

ROOT = Path(__file__).resolve().parents[1]


def timed(make, texts):
    gc.collect()
    start = time.perf_counter()
    vectorizer = make()
    matrix = vectorizer.fit_transform(texts)
    return time.perf_counter() - start, vectorizer, matrix


def compare(name, make_sklearn, make_parallax, texts, runs, must_equal):
    times = {"scikit-learn": [], "parallax": []}
    for _ in range(runs):
        t, sk_vec, sk_m = timed(make_sklearn, texts)
        times["scikit-learn"].append(t)
        t, px_vec, px_m = timed(make_parallax, texts)
        times["parallax"].append(t)
    sk_terms = list(sk_vec.get_feature_names_out())
    px_terms = list(px_vec.get_feature_names_out())
    sk_med = statistics.median(times["scikit-learn"])
    px_med = statistics.median(times["parallax"])
    print(f"{name}: {len(texts)} texts, {runs} runs each, alternating")
    print(f"  scikit-learn  median {sk_med:7.3f} s  ({', '.join(f'{t:.2f}' for t in times['scikit-learn'])})")
    print(f"  parallax      median {px_med:7.3f} s  ({', '.join(f'{t:.2f}' for t in times['parallax'])})")
    print(f"  scikit-learn / parallax = {sk_med / px_med:.1f}x")
    if sk_terms == px_terms:
        diff = abs(sk_m - px_m).max()
        print(f"  same vocabulary ({len(px_terms)} columns), max |difference| = {diff:.2e}")
        if must_equal:
            assert diff <= 1e-6, diff
    else:
        only_sk, only_px = set(sk_terms) - set(px_terms), set(px_terms) - set(sk_terms)
        print(
            f"  vocabularies differ: {len(sk_terms)} vs {len(px_terms)} columns, "
            f"{len(only_sk)} terms only in scikit-learn's, {len(only_px)} only in parallax's "
            f"(e.g. {sorted(only_sk)[:3]} vs {sorted(only_px)[:3]})"
        )
        assert not must_equal, "vocabularies differ"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/20news/20news-bydate.jsonl"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-stem", action="store_true")
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    import platform
    import importlib.metadata as md

    print(
        f"Python {platform.python_version()}, scikit-learn {md.version('scikit-learn')}, "
        f"numpy {md.version('numpy')}, parallax {parallax.__version__}"
    )
    compare("TfidfVectorizer() defaults", SkTfidf, PxTfidf, texts, args.runs, must_equal=True)
    if not args.skip_stem:
        words = parallax.stop_words("english")
        compare(
            "English stemming (parallax's English stop words, Snowball)",
            lambda: SkTfidf(analyzer=stem_analyzer(frozenset(words))),
            lambda: PxTfidf(stop_words=words, stem=True, language="english"),
            texts,
            args.runs,
            must_equal=False,
        )


if __name__ == "__main__":
    main()
