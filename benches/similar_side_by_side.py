#!/usr/bin/env python3
"""Time `parallax similar` against sparse_dot_topn, side by side, in one run.

Build first; this script builds nothing:

    cargo build --release
    python3 benches/similar_side_by_side.py --python /path/to/venv/bin/python
        [--data ../shared/data/20news/20news-bydate.jsonl] [--runs 3] [-k 10] [--threads 2]
        [--scenarios compat-sklearn,default] [--anchor-dtype float64]

--python is an interpreter with scipy, numpy and sparse_dot_topn (benches/requirements.txt plus
`pip install sparse_dot_topn`); it defaults to $PARALLAX_BENCH_PYTHON, else `python3`. This
script itself needs only the standard library. Default paths are relative to the repository root.

Per scenario (the TF-IDF settings, the same for both tools):
  compat-sklearn  --compat sklearn: scikit-learn's TfidfVectorizer() matrix (the anchor's own
                  setting, and the one of the reference figure)
  default         parallax's defaults (English stop words, Snowball stemming)

1. `parallax vectorize DATA [flags] --out DIR` writes matrix.mtx once (untimed). Both tools then
   work on that very matrix: parallax rebuilds it from the text in the same process (it is
   byte-for-byte the matrix written), the anchor reads matrix.mtx.
2. Timed, alternating run by run, first place swapping:
   - parallax: `parallax similar DATA [flags] -k K --format json --out FILE --threads T`, timed as
     a whole process: reading JSONL, analysis, TF-IDF, top-k, writing JSON. Its own summary line
     also gives the top-k part alone ("neighbours ... s"), reported separately.
   - anchor: `anchor_topn.py matrix.mtx ...`, which times only
     `sp_matmul_topn(A, A.T, top_n=K+1, n_threads=T, sort=True)` inside the process (loading the
     matrix, Python start-up and writing are not counted).
3. Check: every document's neighbours from both tools, compared: same scores within 1e-6, and the
   same ids except where scores tie within 1e-6 (sparse_dot_topn orders ties its own way).
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ANCHOR = os.path.join(HERE, "anchor_topn.py")
DEFAULT_DATA = os.path.join("..", "shared", "data", "20news", "20news-bydate.jsonl")
DEFAULT_PARALLAX = os.path.join("target", "release", "parallax")
SCENARIOS = {"compat-sklearn": ["--compat", "sklearn"], "default": []}
TIE = 1e-6

VERSIONS_CODE = r"""
import importlib.metadata as m, platform
print(f"Python {platform.python_version()}, sparse_dot_topn {m.version('sparse_dot_topn')}, "
      f"scipy {m.version('scipy')}, numpy {m.version('numpy')}")
"""


def fail(msg):
    print(f"similar_side_by_side: {msg}", file=sys.stderr)
    sys.exit(1)


def from_root(path, given):
    return path if given or os.path.isabs(path) else os.path.normpath(os.path.join(ROOT, path))


def run(cmd, log_dir):
    """Run cmd; return (wall seconds, the child's peak RSS in MiB, stdout, stderr). Exit on failure."""
    out_path, err_path = os.path.join(log_dir, "stdout"), os.path.join(log_dir, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
    with open(out_path, encoding="utf-8", errors="replace") as f:
        stdout = f.read()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    if proc.returncode != 0:
        fail(f"command failed (exit {proc.returncode}): {shlex.join(cmd)}\n{stderr[-4000:]}")
    return wall, usage.ru_maxrss / 1024, stdout, stderr


def same_up_to_ties(mine, theirs, k):
    """Lists of (row, score), best first: same length, scores equal within TIE rank by rank, and
    the same rows within every group of tied scores (the last group may differ in membership
    when the list is cut at k)."""
    if len(mine) != len(theirs) or any(abs(x[1] - y[1]) > TIE for x, y in zip(mine, theirs)):
        return False
    i = 0
    while i < len(mine):
        j = i + 1
        while j < len(mine) and abs(mine[j][1] - mine[i][1]) <= TIE:
            j += 1
        last_and_cut = j == len(mine) and len(mine) == k
        if not last_and_cut and {r for r, _ in mine[i:j]} != {r for r, _ in theirs[i:j]}:
            return False
        i = j
    return True


def compare(p_json, a_json, k):
    """Parallax's neighbours (by id, documents in input order) against the anchor's (by row)."""
    with open(p_json) as f:
        p = json.load(f)  # keys in document order
    with open(a_json) as f:
        a = json.load(f)
    row = {d: i for i, d in enumerate(p)}
    same = ties = bad = 0
    examples = []
    for i, d in enumerate(p):
        mine = [(row[n["id"]], n["score"]) for n in p[d]]
        theirs = [(j, s) for j, s in a.get(str(i), [])]
        if [r for r, _ in mine] == [r for r, _ in theirs] and same_up_to_ties(mine, theirs, k):
            same += 1
        elif same_up_to_ties(mine, theirs, k):
            ties += 1
        else:
            bad += 1
            if len(examples) < 3:
                examples.append((d, mine, theirs))
    return same, ties, bad, examples


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help=f"JSONL corpus with a `text` field (default: {DEFAULT_DATA})")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool and scenario (default 3)")
    ap.add_argument("-k", type=int, default=10, help="neighbours per document (default 10)")
    ap.add_argument("--threads", type=int, default=2, help="threads for both tools (default 2)")
    ap.add_argument(
        "--python",
        default=os.environ.get("PARALLAX_BENCH_PYTHON", "python3"),
        help="interpreter with scipy, numpy, sparse_dot_topn (default: $PARALLAX_BENCH_PYTHON or python3)",
    )
    ap.add_argument("--parallax", help=f"parallax binary (default: {DEFAULT_PARALLAX})")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of "
                    f"{','.join(SCENARIOS)} (default: both)")
    ap.add_argument("--anchor-dtype", choices=("float32", "float64"), default="float64",
                    help="value type sparse_dot_topn computes in (default float64, what scipy.io.mmread and "
                    "TfidfVectorizer give; float32 is faster but its sums drift beyond 1e-6)")
    args = ap.parse_args()

    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for s in scenarios:
        if s not in SCENARIOS:
            fail(f"unknown scenario {s!r} (known: {', '.join(SCENARIOS)})")
    parallax = os.path.abspath(from_root(args.parallax or DEFAULT_PARALLAX, args.parallax))
    if not os.access(parallax, os.X_OK):
        fail(f"no parallax binary at {parallax}: run `cargo build --release` first (or pass --parallax)")
    data = from_root(args.data or DEFAULT_DATA, args.data)
    if not os.path.isfile(data):
        fail(f"no data file at {data} (pass --data FILE.jsonl)")
    versions = subprocess.run([args.python, "-c", VERSIONS_CODE], capture_output=True, text=True)
    if versions.returncode != 0:
        fail(f"--python {args.python}: needs scipy, numpy and sparse_dot_topn\n{versions.stderr}")
    pver = subprocess.run([parallax, "--version"], capture_output=True, text=True).stdout.strip()
    threads = str(args.threads)

    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}")
    with open(data, "rb") as f:
        ndocs = sum(1 for line in f if line.strip())
    print(f"data: {data} ({ndocs} documents, {os.path.getsize(data) / 1e6:.1f} MB)")
    print(f"parallax: {pver}; anchor: {versions.stdout.strip()} ({args.anchor_dtype})")
    print(f"k = {args.k}, {threads} threads each, {args.runs} timed runs per tool after one warm-up")
    print()

    rows = []
    with tempfile.TemporaryDirectory(prefix="parallax-similar-bench-") as tmp:
        logs = tmp
        for s in scenarios:
            flags = SCENARIOS[s]
            vec_dir = os.path.join(tmp, s)
            run([parallax, "vectorize", data, *flags, "--out", vec_dir, "--quiet"], logs)
            p_out = os.path.join(tmp, f"{s}-parallax.json")
            a_out = os.path.join(tmp, f"{s}-anchor.json")
            p_cmd = [parallax, "similar", data, *flags, "-k", str(args.k), "--format", "json", "--out", p_out,
                     "--threads", threads]
            a_cmd = [args.python, ANCHOR, os.path.join(vec_dir, "matrix.mtx"), a_out, "-k", str(args.k),
                     "--threads", threads, "--dtype", args.anchor_dtype]
            print(f"[{s}] parallax: {shlex.join(p_cmd)}")
            print(f"[{s}] anchor:   {shlex.join(a_cmd)}")
            p_whole, p_topk, a_topk, p_rss, a_rss = [], [], [], [], []
            run(p_cmd, logs)
            run(a_cmd, logs)  # warm-up
            for i in range(args.runs):
                for tool in (("parallax", "anchor") if i % 2 == 0 else ("anchor", "parallax")):
                    if tool == "parallax":
                        wall, rss, _, err = run(p_cmd, logs)
                        m = re.search(r"neighbours ([0-9.]+) s", err)
                        p_whole.append(wall)
                        p_topk.append(float(m.group(1)) if m else float("nan"))
                        p_rss.append(rss)
                        print(f"  run {i + 1}: parallax whole command {wall:6.2f} s (top-k part "
                              f"{p_topk[-1]:.2f} s), peak RSS {rss:.0f} MiB", flush=True)
                    else:
                        _, rss, out, _ = run(a_cmd, logs)
                        a_topk.append(json.loads(out)["topk_seconds"])
                        a_rss.append(rss)
                        print(f"  run {i + 1}: sparse_dot_topn top-k only {a_topk[-1]:6.2f} s "
                              f"(process peak RSS {rss:.0f} MiB)", flush=True)
            same, ties, bad, examples = compare(p_out, a_out, args.k)
            print(f"  neighbours: {same} documents identical, {ties} differ only in the order or choice "
                  f"of tied scores (within {TIE:g}), {bad} differ")
            for d, mine, theirs in examples:
                print(f"    {d}: parallax {mine[:4]}... anchor {theirs[:4]}...")
            rows.append((s, statistics.median(p_whole), statistics.median(p_topk), statistics.median(a_topk), bad,
                         statistics.median(p_rss), statistics.median(a_rss)))
            print()

    print(f"{'scenario':<15} {'parallax whole':>15} {'parallax top-k':>15} {'sparse_dot_topn':>16} "
          f"{'ratio (whole)':>14} {'ratio (top-k)':>14} {'RSS parallax/anchor':>20}")
    for s, pw, pt, at, _, pr, ar in rows:
        print(f"{s:<15} {pw:14.2f}s {pt:14.2f}s {at:15.2f}s {at / pw:13.2f}x {at / pt:13.2f}x "
              f"{pr:9.0f}/{ar:.0f} MiB")
    print("(medians; ratio = sparse_dot_topn top-k time / parallax time; 'whole' counts parallax's reading,")
    print(" analysis and TF-IDF as well, the anchor's top-k call only; RSS is each process's peak, the")
    print(" anchor's including Python, scipy and the loaded matrix)")
    if any(r[4] for r in rows):
        fail("neighbours differ beyond ties")


if __name__ == "__main__":
    main()
