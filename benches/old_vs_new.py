#!/usr/bin/env python3
"""Speed of two parallax builds on the same commands, runs alternating (old, new, old, new...).

The guard rail of a change that must not slow anything down: every main command on 20 Newsgroups
and BASIL, plus `vectorize` and `fit` on a 0.5 GB corpus built like benches/scale.py's "repeat"
variant. Alternating runs share the machine's drift, so the ratio of medians is fair on a noisy
machine. Build both binaries with the same profile (the old one in a worktree of the commit
before the change).

Usage (from the repository root):
    python3 benches/old_vs_new.py --old OLD_BIN --new NEW_BIN [--runs 5] [--no-large] [--tmp DIR]
Prints, per command, the median wall seconds of each build and new/old.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale import build, run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def commands(shared, large, out):
    news = os.path.join(shared, "data/20news/20news-bydate.jsonl")
    basil = os.path.join(shared, "data/basil/basil-2010-2014.jsonl")
    model = os.path.join(out, "model.json")
    cmds = [
        ("vectorize 20news", ["vectorize", news, "--out", f"{out}/v"]),
        ("vectorize --compat sklearn", ["vectorize", news, "--out", f"{out}/v", "--compat", "sklearn"]),
        ("fit 20news", ["fit", news, "--model", model]),
        ("transform 20news", ["transform", news, "--model", model, "--out", f"{out}/t"]),
        ("similar -k 10 20news", ["similar", news, "-k", "10", "--out", f"{out}/s.tsv"]),
        ("stories 20news", ["stories", news, "--format", "json", "--out", f"{out}/st.json"]),
        ("keywords 20news", ["keywords", news, "--format", "json"]),
        ("keyness 20news", ["keyness", news, "--by", "source"]),
        ("compare basil", ["compare", basil, "--html", f"{out}/r.html", "--format", "json",
                           "--out", f"{out}/r.json"]),
    ]
    if large:
        cmds += [
            ("vectorize 0.5 GB", ["vectorize", large, "--out", f"{out}/big"]),
            ("fit 0.5 GB", ["fit", large, "--model", f"{out}/big.json"]),
        ]
    return cmds


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-large", action="store_true", help="leave out the 0.5 GB corpus")
    p.add_argument("--tmp", default=tempfile.gettempdir())
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="parallax-old-new-", dir=args.tmp)
    try:
        large = None
        if not args.no_large:
            large = os.path.join(work, "large.jsonl")
            build(os.path.join(args.shared, "data/20news/20news-bydate.jsonl"), large,
                  int(0.5e9), "repeat")
        print(f"{'command':28} {'old s':>8} {'new s':>8} {'new/old':>8}")
        for name, argv in commands(args.shared, large, work):
            times = {"old": [], "new": []}
            for _ in range(args.runs):
                for which in ("old", "new"):
                    binary = os.path.abspath(getattr(args, which))
                    times[which].append(run([binary, "--quiet", *argv])[0])
            old, new = statistics.median(times["old"]), statistics.median(times["new"])
            print(f"{name:28} {old:8.2f} {new:8.2f} {new / old:8.3f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
