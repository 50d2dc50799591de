#!/usr/bin/env python3
"""The scikit-learn anchor job for benches/side_by_side.py: one run per process.

Reads a JSONL corpus (one JSON object per line, field ``text``), builds a
scikit-learn ``TfidfVectorizer``, runs ``fit_transform`` and writes the matrix
with ``scipy.io.mmwrite``. Prints nothing but errors.

Modes:
  stem     TfidfVectorizer(analyzer=callable): lowercase, tokens matching
           (?u)\\b\\w\\w+\\b, stop words from --stopwords removed, PyStemmer
           English (Snowball) stems. The same job as `parallax vectorize`
           with its defaults.
  default  TfidfVectorizer() with every default. The same job as
           `parallax vectorize --compat sklearn`.

Usage:
  python benches/anchor_sklearn.py INPUT.jsonl OUTPUT.mtx --mode default
  python benches/anchor_sklearn.py INPUT.jsonl OUTPUT.mtx --mode stem --stopwords FILE
"""

import argparse
import json
import re
import sys

import scipy.io
import Stemmer
from sklearn.feature_extraction.text import TfidfVectorizer

TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")


def read_texts(path):
    texts = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                texts.append(json.loads(line)["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                sys.exit(f"anchor_sklearn: {path}:{lineno}: {type(e).__name__}: {e}")
    return texts


def read_stopwords(path):
    with open(path, encoding="utf-8") as f:
        return frozenset(w for w in (line.strip() for line in f) if w)


def stem_analyzer(stopwords):
    stem_words = Stemmer.Stemmer("english").stemWords
    findall = TOKEN_PATTERN.findall

    def analyze(doc):
        return stem_words([t for t in findall(doc.lower()) if t not in stopwords])

    return analyze


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="JSONL corpus with a `text` field on every line")
    ap.add_argument("output", help="Matrix Market file to write (.mtx)")
    ap.add_argument("--mode", choices=["stem", "default"], required=True)
    ap.add_argument("--stopwords", help="stop word file, one word a line (required for --mode stem)")
    args = ap.parse_args()

    if args.mode == "stem":
        if not args.stopwords:
            ap.error("--mode stem needs --stopwords FILE")
        vectorizer = TfidfVectorizer(analyzer=stem_analyzer(read_stopwords(args.stopwords)))
    else:
        vectorizer = TfidfVectorizer()

    matrix = vectorizer.fit_transform(read_texts(args.input))
    scipy.io.mmwrite(args.output, matrix)


if __name__ == "__main__":
    main()
