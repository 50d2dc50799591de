#!/usr/bin/env python3
"""Scale benchmark: parallax on growing JSONL corpora built from 20 Newsgroups.

Builds corpora of about 0.5, 1 and 2 GB by repeating ../shared/data/20news/20news-bydate.jsonl
with fresh ids (variant "repeat"), and a variant whose tokens are perturbed per copy so the
vocabulary keeps growing ("growing": every word of 5+ letters gets a copy-specific suffix in one
document out of three). Then runs `parallax vectorize` (streamed from 256 MiB: one read, with
the counts spilled to a temporary file) and `parallax fit` on each, and prints wall time,
throughput (input MB/s) and peak RSS, so the curve shows whether memory stays flat as the input
grows. Each command runs --runs times (default 3) on the same corpus; the median wall time
gives MB/s, and the peak is the largest of the runs, since this machine's speed moves from
minute to minute. Before each timed run the previous output is removed and os.sync() flushes
what was written, so a run is not charged for writing back the corpus just built.

Usage (from the repository root, after `cargo build --release`):
    python3 benches/scale.py [--sizes 0.5,1,2] [--variants repeat,growing] [--runs 3] [--tmp DIR] [--keep]
Needs only the Python standard library. The corpora are written to --tmp (default: the system
temporary directory) and deleted afterwards unless --keep.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORD = re.compile(r"\b([A-Za-z]{5,})\b")


def build(source, path, target_bytes, variant):
    """Writes copies of `source` with fresh ids until the file reaches `target_bytes`."""
    with open(source, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    written, copy = 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target_bytes:
            for i, r in enumerate(records):
                text = r["text"]
                if variant == "growing" and i % 3 == 0:
                    text = WORD.sub(lambda m: f"{m.group(1)}x{copy}", text)
                line = json.dumps({"id": f"{copy}/{r['id']}", "source": r["source"], "text": text}) + "\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                if written >= target_bytes:
                    break
            copy += 1
    return written


def run(cmd):
    """Runs a command; returns (wall seconds, peak RSS in MiB of that child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.path.join(ROOT, "../shared/data/20news/20news-bydate.jsonl"))
    p.add_argument("--parallax", default=os.path.join(ROOT, "target/release/parallax"))
    p.add_argument("--sizes", default="0.5,1,2", help="corpus sizes in GB")
    p.add_argument("--variants", default="repeat,growing")
    p.add_argument("--tmp", default=tempfile.gettempdir())
    p.add_argument("--keep", action="store_true")
    p.add_argument("--runs", type=int, default=3, help="timed runs per command and corpus")
    args = p.parse_args()
    if not os.path.exists(args.parallax):
        sys.exit(f"{args.parallax} is missing: run `cargo build --release` first")
    work = tempfile.mkdtemp(prefix="parallax-scale-", dir=args.tmp)
    print(f"cores: {os.cpu_count()}; corpora in {work}")
    print(f"{'variant':<8} {'GB':>5} {'command':<10} {'wall s':>8} {'min s':>6} {'max s':>6} {'MB/s':>7} {'peak RSS MiB':>13}")
    try:
        for variant in args.variants.split(","):
            for size in [float(s) for s in args.sizes.split(",")]:
                path = os.path.join(work, f"{variant}-{size}.jsonl")
                nbytes = build(args.data, path, int(size * 1e9), variant)
                out = os.path.join(work, "out")
                for name, cmd in [
                    ("vectorize", [args.parallax, "vectorize", path, "--out", out, "--quiet"]),
                    ("fit", [args.parallax, "fit", path, "--model", os.path.join(work, "model.json"), "--quiet"]),
                ]:
                    # Setup, not timed: the last run's output is removed and everything
                    # written so far (the corpus just built, that output) reaches the disk, so
                    # a run pays only for its own reading and writing.
                    walls, peaks = [], []
                    for _ in range(args.runs):
                        shutil.rmtree(out, ignore_errors=True)
                        os.sync()
                        wall, rss = run(cmd)
                        walls.append(wall)
                        peaks.append(rss)
                    wall = statistics.median(walls)
                    print(f"{variant:<8} {nbytes / 1e9:>5.2f} {name:<10} {wall:>8.2f} {min(walls):>6.2f} {max(walls):>6.2f} "
                          f"{nbytes / 1e6 / wall:>7.1f} {max(peaks):>13.0f}", flush=True)
                os.remove(path)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
