#!/usr/bin/env python3
"""Time parallax against its scikit-learn anchor, side by side, in one run.

Build first; this script builds nothing:

    cargo build --release
    python3 benches/side_by_side.py [--data ../shared/data/20news/20news-bydate.jsonl]
        [--runs 5] [--python python3] [--parallax target/release/parallax] [--check]

Default paths are relative to the repository root. --python is the interpreter that has
scikit-learn, scipy, numpy and PyStemmer (benches/requirements.txt); it defaults to
$PARALLAX_BENCH_PYTHON, else `python3`. This script itself needs only the standard library.

Scenarios (each tool is one process per run; they alternate run by run):
  stem            parallax vectorize DATA --out DIR --quiet
                  vs anchor_sklearn.py --mode stem --stopwords <parallax stopwords english>
  compat-sklearn  parallax vectorize DATA --compat sklearn --out DIR --quiet
                  vs anchor_sklearn.py --mode default

Measured per run: wall time (perf_counter around the child) and the child's own peak RSS
(ru_maxrss from os.wait4 on its pid). One untimed warm-up of each tool comes first.
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ANCHOR = os.path.join(HERE, "anchor_sklearn.py")
DEFAULT_DATA = os.path.join("..", "shared", "data", "20news", "20news-bydate.jsonl")
DEFAULT_PARALLAX = os.path.join("target", "release", "parallax")
SCENARIOS = ("stem", "compat-sklearn")

# Run by the --python interpreter (which has scipy): compare two Matrix Market files.
CHECK_CODE = r"""
import sys
import numpy as np
import scipy.io
a = scipy.io.mmread(sys.argv[1]).tocsr()
b = scipy.io.mmread(sys.argv[2]).tocsr()
print(f"shape: parallax {a.shape[0]}x{a.shape[1]}, anchor {b.shape[0]}x{b.shape[1]}")
print(f"nnz:   parallax {a.nnz}, anchor {b.nnz}")
if a.shape != b.shape:
    print("shapes differ")
    sys.exit(3)
d = abs(a.astype(np.float64) - b.astype(np.float64))
diff = float(d.max()) if d.nnz else 0.0
print(f"max |parallax - anchor| = {diff:.3e}")
if diff > float(sys.argv[3]):
    # Tell a column-order problem from a value problem: compare each row's sorted values.
    def row_sorted(m):
        m = m.astype(np.float64)
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        order = np.lexsort((m.data, rows))
        return rows[order], m.data[order]
    (ra, va), (rb, vb) = row_sorted(a), row_sorted(b)
    if a.nnz == b.nnz and np.array_equal(ra, rb):
        print(f"  ignoring column order: max diff {float(np.abs(va - vb).max()):.3e}")
    sys.exit(4)
"""

VERSIONS_CODE = r"""
import importlib.metadata, platform
import numpy, scipy, sklearn, Stemmer
v = importlib.metadata.version
print(f"Python {platform.python_version()}, scikit-learn {v('scikit-learn')}, scipy {v('scipy')}, "
      f"numpy {v('numpy')}, PyStemmer {v('PyStemmer')}")
"""

INFO_CODE = r"""
import sys
import scipy.io
for tool, path in zip(("parallax", "anchor"), sys.argv[1:]):
    rows, cols, nnz = scipy.io.mminfo(path)[:3]
    print(f"  {tool:<8} {rows} documents x {cols} terms, {nnz} non-zeros")
"""


def fail(msg):
    print(f"side_by_side: {msg}", file=sys.stderr)
    sys.exit(1)


def from_root(path, given):
    """Defaults are relative to the repository root; paths given on the command line to the cwd."""
    return path if given or os.path.isabs(path) else os.path.normpath(os.path.join(ROOT, path))


def clear(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


def run(cmd, log_dir, label):
    """Run cmd as a child; return (wall seconds, peak RSS in KiB). Exit on failure."""
    out_path = os.path.join(log_dir, label + ".stdout")
    err_path = os.path.join(log_dir, label + ".stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4; keep Popen from waiting again
    if code != 0:
        with open(err_path, "rb") as f:
            tail = f.read()[-4000:].decode("utf-8", "replace")
        fail(f"command failed (exit {code}): {shlex.join(cmd)}\n{tail}")
    rss_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes on macOS
    return wall, rss_kib


def capture(cmd, what):
    shown = shlex.join(cmd) if "-c" not in cmd else shlex.join(cmd[: cmd.index("-c") + 1]) + " ..."
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except OSError as e:
        fail(f"{what}: cannot run {shown}: {e}")
    if res.returncode != 0:
        fail(f"{what} failed (exit {res.returncode}): {shown}\n{res.stderr.strip()}")
    return res.stdout


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Build first: cargo build --release (this script builds nothing).",
    )
    ap.add_argument("--data", help=f"JSONL corpus with a `text` field (default: {DEFAULT_DATA})")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool and scenario (default 5)")
    ap.add_argument(
        "--python",
        default=os.environ.get("PARALLAX_BENCH_PYTHON", "python3"),
        help="interpreter with the anchor's packages (default: $PARALLAX_BENCH_PYTHON or python3)",
    )
    ap.add_argument("--parallax", help=f"parallax binary (default: {DEFAULT_PARALLAX})")
    ap.add_argument("--threads", type=int, help="pass --threads N to parallax (default: its own)")
    ap.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)} (default: both)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="after the runs, compare the compat-sklearn matrices of both tools (needs scipy in --python)",
    )
    ap.add_argument("--tol", type=float, default=1e-5, help="--check: largest allowed |difference| (default 1e-5)")
    args = ap.parse_args()

    if args.runs < 1:
        fail("--runs must be at least 1")
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for s in scenarios:
        if s not in SCENARIOS:
            fail(f"unknown scenario {s!r} (known: {', '.join(SCENARIOS)})")
    if args.check and "compat-sklearn" not in scenarios:
        fail("--check needs the compat-sklearn scenario")

    parallax = from_root(args.parallax or DEFAULT_PARALLAX, args.parallax)
    if not (os.path.isfile(parallax) and os.access(parallax, os.X_OK)):
        fail(f"no parallax binary at {parallax}: run `cargo build --release` first (or pass --parallax)")
    parallax = os.path.abspath(parallax)
    data = from_root(args.data or DEFAULT_DATA, args.data)
    if not os.path.isfile(data):
        fail(f"no data file at {data} (pass --data FILE.jsonl)")
    python = shutil.which(args.python) or fail(f"--python {args.python!r}: not found")

    threads = ["--threads", str(args.threads)] if args.threads else []

    with tempfile.TemporaryDirectory(prefix="parallax-bench-") as tmp:
        logs = os.path.join(tmp, "logs")
        os.mkdir(logs)

        stopwords = os.path.join(tmp, "stopwords-english.txt")
        words = capture([parallax, "stopwords", "english"], "parallax stopwords english")
        if not words.split():
            fail("`parallax stopwords english` printed no words")
        with open(stopwords, "w", encoding="utf-8") as f:
            f.write(words)

        versions = capture(
            [python, "-c", VERSIONS_CODE],
            f"anchor environment check ({args.python}; see benches/requirements.txt)",
        ).strip()
        pver = subprocess.run([parallax, "--version"], capture_output=True, text=True).stdout.strip()

        # scenario -> [(tool, output path, command)]; parallax writes DIR/matrix.mtx.
        jobs = {}
        for s in scenarios:
            p_out = os.path.join(tmp, s, "parallax")
            a_out = os.path.join(tmp, s, "anchor.mtx")
            os.mkdir(os.path.join(tmp, s))
            if s == "stem":
                p_cmd = [parallax, "vectorize", data, "--out", p_out, "--quiet", *threads]
                a_cmd = [python, ANCHOR, data, a_out, "--mode", "stem", "--stopwords", stopwords]
            else:
                p_cmd = [parallax, "vectorize", data, "--compat", "sklearn", "--out", p_out, "--quiet", *threads]
                a_cmd = [python, ANCHOR, data, a_out, "--mode", "default"]
            jobs[s] = [("parallax", p_out, p_cmd), ("scikit-learn", a_out, a_cmd)]

        ncpu = os.cpu_count()
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else ncpu
        size_mb = os.path.getsize(data) / 1e6
        with open(data, "rb") as f:
            ndocs = sum(1 for line in f if line.strip())
        print(f"cores: {ncpu} ({usable} usable by this process)")
        print(f"data: {data} ({ndocs} documents, {size_mb:.1f} MB)")
        print(f"parallax: {pver or parallax}")
        print(f"anchor: {versions}")
        print(f"runs: {args.runs} per tool and scenario, after one untimed warm-up each; "
              "the two tools alternate, first place swapping every run")
        print("commands:")
        for s in scenarios:
            for tool, _, cmd in jobs[s]:
                print(f"  [{s}] {tool}: {shlex.join(cmd)}")
        print(flush=True)

        results = {}  # (scenario, tool) -> [(wall, rss_kib)]
        for s in scenarios:
            for tool, out, cmd in jobs[s]:
                clear(out)
                run(cmd, logs, f"{s}-{tool}-warmup")
            for i in range(args.runs):
                order = jobs[s] if i % 2 == 0 else jobs[s][::-1]
                for tool, out, cmd in order:
                    clear(out)
                    wall, rss = run(cmd, logs, f"{s}-{tool}-{i}")
                    results.setdefault((s, tool), []).append((wall, rss))
                    print(f"  {s:<15} {tool:<13} run {i + 1}/{args.runs}: {wall:7.3f} s {rss / 1024:8.1f} MiB",
                          flush=True)
        print()

        header = f"{'scenario':<15} {'tool':<13} {'median s':>9} {'min s':>8} {'max s':>8} {'peak RSS MiB':>13}"
        print(header)
        print("-" * len(header))
        med = {}
        for s in scenarios:
            for tool, _, _ in jobs[s]:
                walls = [w for w, _ in results[(s, tool)]]
                rss = statistics.median(r for _, r in results[(s, tool)]) / 1024
                med[(s, tool)] = (statistics.median(walls), rss)
                print(f"{s:<15} {tool:<13} {med[(s, tool)][0]:9.3f} {min(walls):8.3f} {max(walls):8.3f} {rss:13.1f}")
        print()
        print(f"{'scenario':<15} {'speedup (anchor/parallax wall)':>31} {'memory (parallax/anchor RSS)':>30}")
        for s in scenarios:
            (pw, pr), (aw, ar) = med[(s, "parallax")], med[(s, "scikit-learn")]
            print(f"{s:<15} {aw / pw:30.2f}x {pr / ar:29.2f}x")

        if args.check:
            print()
            print("check (compat-sklearn: parallax matrix.mtx vs scikit-learn):")
            (_, p_out, _), (_, a_out, _) = jobs["compat-sklearn"]
            p_mtx = os.path.join(p_out, "matrix.mtx")
            if not os.path.isfile(p_mtx):
                fail(f"parallax wrote no {p_mtx}")
            res = subprocess.run([python, "-c", CHECK_CODE, p_mtx, a_out, repr(args.tol)])
            if res.returncode != 0:
                fail(f"check failed: the matrices differ by more than {args.tol:g} or do not match")
            print(f"ok (tolerance {args.tol:g})")
            if "stem" in scenarios:
                # Not the same analysis (parallax: NFKC + UAX #29 words; anchor: regex), so shapes only.
                (_, p_out, _), (_, a_out, _) = jobs["stem"]
                print()
                print("stem scenario, for information (analyses differ, so no comparison of values):")
                subprocess.run([python, "-c", INFO_CODE, os.path.join(p_out, "matrix.mtx"), a_out])


if __name__ == "__main__":
    main()
