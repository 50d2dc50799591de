#!/usr/bin/env python3
"""Time a parallax command (`keywords` or `compare`) against `parallax vectorize` on the same input.

Build first; this script builds nothing and needs only the Python standard library:

    cargo build --release
    python3 benches/vs_vectorize.py keywords [--data ../shared/data/20news/20news-bydate.jsonl]
        [--runs 5] [--parallax target/release/parallax] [--threads N] [--words]
    python3 benches/vs_vectorize.py compare [--by source] [...]

Default paths are relative to the repository root. Every command reads the same JSONL file and
fits idf on it with the default analysis (English stop words, Snowball stemming):

  vectorize  parallax vectorize DATA --out DIR --quiet
  keywords   parallax keywords DATA --format json --quiet > FILE   (top 10 of every document)
  compare    parallax compare DATA --by FIELD --format json --quiet > FILE   (the whole report)

One untimed warm-up of each comes first; then they alternate run by run, and which one goes
first swaps every run, so machine noise hits both alike. Reported: median, min and max wall
time (perf_counter around the child process) and median peak RSS (ru_maxrss of the child),
then the ratio of the medians, command / vectorize. The targets: keywords at most 1.5,
compare at most 3.
"""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join("..", "shared", "data", "20news", "20news-bydate.jsonl")
DEFAULT_PARALLAX = os.path.join("target", "release", "parallax")
# Largest acceptable ratio of medians, command / vectorize.
TARGETS = {"keywords": 1.5, "compare": 3.0}


def timed(cmd, stdout_path):
    """Runs cmd with stdout to a file; returns (seconds, peak RSS in MiB)."""
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {shlex.join(cmd)}\n{stderr}")
    return seconds, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=sorted(TARGETS), help="the command to time against vectorize")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--parallax", default=DEFAULT_PARALLAX)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--words", action="store_true", help="rank single terms only (keywords --words)")
    ap.add_argument("--by", default="source", help="grouping field for compare (default: source)")
    a = ap.parse_args()
    data = os.path.join(ROOT, a.data) if not os.path.isabs(a.data) else a.data
    binary = os.path.join(ROOT, a.parallax) if not os.path.isabs(a.parallax) else a.parallax
    for path, what in ((data, "--data"), (binary, "--parallax")):
        if not os.path.exists(path):
            sys.exit(f"{what} {path}: not found (build with `cargo build --release`; data in ../shared/data)")
    base = [binary] + (["--threads", str(a.threads)] if a.threads else [])
    with tempfile.TemporaryDirectory(prefix="parallax-kwbench") as tmp:
        tools = {
            "vectorize": base + ["vectorize", data, "--out", os.path.join(tmp, "vec"), "--quiet"],
            "keywords": base + ["keywords", data, "--format", "json", "--quiet"] + (["--words"] if a.words else []),
            "compare": base + ["compare", data, "--by", a.by, "--format", "json", "--quiet"],
        }
        tools = {name: tools[name] for name in ("vectorize", a.command)}
        sink = os.path.join(tmp, "stdout")
        results = {name: [] for name in tools}
        for name, cmd in tools.items():  # warm-up
            timed(cmd, sink)
        names = list(tools)
        for run in range(a.runs):
            order = names if run % 2 == 0 else names[::-1]
            for name in order:
                results[name].append(timed(tools[name], sink))
        size = os.path.getsize(data) / 1e6
        print(f"data: {a.data} ({size:.1f} MB), {os.cpu_count()} cores, {a.runs} runs each")
        for name, cmd in tools.items():
            print(f"  {name:<9} {shlex.join(cmd).replace(tmp, '$TMP')}")
        print(f"{'':<10}{'median s':>9}{'min s':>8}{'max s':>8}{'RSS MiB':>9}")
        medians = {}
        for name in names:
            secs = [s for s, _ in results[name]]
            rss = [m for _, m in results[name]]
            medians[name] = statistics.median(secs)
            print(f"{name:<10}{medians[name]:>9.2f}{min(secs):>8.2f}{max(secs):>8.2f}{statistics.median(rss):>9.0f}")
        ratio = medians[a.command] / medians["vectorize"]
        print(f"ratio {a.command} / vectorize (medians): {ratio:.2f} (target <= {TARGETS[a.command]})")


if __name__ == "__main__":
    main()
