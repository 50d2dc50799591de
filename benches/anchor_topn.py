#!/usr/bin/env python3
"""The sparse_dot_topn anchor job of similar_side_by_side.py.

usage: anchor_topn.py MATRIX.mtx NEIGHBOURS.json [-k 10] [--threads 2] [--dtype float64|float32]

Loads MATRIX.mtx (rows are documents, as `parallax vectorize` writes it), then times only

    sp_matmul_topn(A, A.T, top_n=k + 1, n_threads=threads, sort=True)

(k + 1 because each row's best match is itself). Writes each row's k best other rows as
{"row": [[other_row, score], ...]} (best first; ties in the order sparse_dot_topn returns them)
and prints {"load_seconds": ..., "topk_seconds": ...} on stdout.
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy.io
from sparse_dot_topn import sp_matmul_topn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("matrix")
    ap.add_argument("out")
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    a = ap.parse_args()

    t0 = time.perf_counter()
    m = scipy.io.mmread(a.matrix).tocsr().astype(np.dtype(a.dtype))
    load = time.perf_counter() - t0

    t0 = time.perf_counter()
    c = sp_matmul_topn(m, m.T, top_n=a.k + 1, n_threads=a.threads, sort=True)
    topk = time.perf_counter() - t0

    out = {}
    for i in range(c.shape[0]):
        s, e = c.indptr[i], c.indptr[i + 1]
        pairs = [(int(j), float(v)) for j, v in zip(c.indices[s:e], c.data[s:e]) if j != i]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        out[i] = pairs[: a.k]
    with open(a.out, "w") as f:
        json.dump(out, f)
    json.dump({"load_seconds": load, "topk_seconds": topk}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
