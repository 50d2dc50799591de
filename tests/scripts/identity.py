#!/usr/bin/env python3
"""Byte-identity check between two parallax builds.

Runs every command on corpus/, BASIL and 20 Newsgroups with an OLD and a NEW binary and compares
what each writes (stdout and every output file) byte by byte. Stderr is not compared: it carries
timings and progress. A redesign that must not change behaviour keeps this check at zero
differences; build the old commit in a worktree first:

    git worktree add --detach /tmp/old <commit> && (cd /tmp/old && cargo build --release)
    python3 tests/scripts/identity.py --old /tmp/old/target/release/parallax \
        --new target/release/parallax [--shared ../shared] [--quick]

--quick leaves out 20 Newsgroups (the slow third). Exit status 1 if anything differs.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LEE = None  # lee50 as JSONL, written into the work directory
BAD = None  # a JSONL file with a broken second line


def commands(shared, quick):
    """(name, argv template) pairs; {out} is the run's output directory, {model} a model in it."""
    corpus = os.path.join(REPO, "corpus")
    basil = os.path.join(shared, "data/basil/basil-2010-2014.jsonl")
    news = os.path.join(shared, "data/20news/20news-bydate.jsonl")
    lee = os.path.join(shared, "data/lee50")
    out = []
    sets = [("corpus", corpus), ("basil", basil)] + ([] if quick else [("20news", news)])
    for name, data in sets:
        big = name == "20news"
        out += [
            (f"{name}-stats", ["stats", data]),
            (f"{name}-stats-json", ["stats", data, "--format", "json"]),
            (f"{name}-vectorize", ["vectorize", data, "--out", "{out}/v"]),
            (f"{name}-vectorize-npz", ["vectorize", data, "--out", "{out}/v", "--format", "npz"]),
            (f"{name}-vectorize-jsonl", ["vectorize", data, "--out", "{out}/v", "--format", "jsonl"]),
            (f"{name}-vectorize-indices", ["vectorize", data, "--out", "{out}/v", "--format",
                                           "jsonl-indices"]),
            (f"{name}-vectorize-ngram", ["vectorize", data, "--out", "{out}/v", "--ngram", "1..2",
                                         "--tf", "log", "--idf", "plain", "--min-df", "2"]),
            (f"{name}-vectorize-streamed", ["vectorize", data, "--out", "{out}/v", "--stream", "--chunk-mb", "1",
                                            "--max-df", "0.5", "--max-features", "5000"]),
        ]
        for compat in ["sklearn", "gensim", "quanteda", "spark"]:
            out.append((f"{name}-compat-{compat}",
                        ["vectorize", data, "--out", "{out}/v", "--compat", compat]))
        out += [
            (f"{name}-fit-transform", ["fit", data, "--model", "{out}/m.json", "--then",
                                       "transform", data, "--model", "{out}/m.json",
                                       "--out", "{out}/t"]),
            (f"{name}-fit-update", ["fit", data, "--model", "{out}/m.json", "--then", "fit",
                                    "--update", "{out}/m.json", data, "--model", "{out}/u.json"]),
            (f"{name}-shards", ["shard-merge", data]),
            (f"{name}-similar", ["similar", data, "-k", "5"]),
            (f"{name}-similar-plain-json", ["similar", data, "-k", "5", "--plain", "--format", "json"]),
            (f"{name}-similar-bm25", ["similar", data, "-k", "3", "--measure", "bm25"]),
            (f"{name}-stories", ["stories", data, "--format", "json"]),
            (f"{name}-keywords", ["keywords", data, "-n", "10", "--format", "json"]),
            (f"{name}-keywords-words", ["keywords", data, "-n", "10", "--words"]),
            (f"{name}-keywords-source", ["keywords", data, "--per", "source", "--format", "json"]),
            (f"{name}-keyness", ["keyness", data, "--by", "source"]),
            (f"{name}-keyness-logodds", ["keyness", data, "--by", "source", "--measure", "logodds",
                                         "--format", "json"]),
        ]
        if not big:
            out += [
                (f"{name}-similar-across", ["similar", data, "-k", "5", "--across-sources",
                                            "--format", "json"]),
                (f"{name}-similar-window", ["similar", data, "-k", "5", "--window-days", "3"]),
                (f"{name}-similar-matrix", ["similar", data, "--matrix", "{out}/sim.csv"]),
                (f"{name}-stories-table", ["stories", data]),
                (f"{name}-blocks", ["blocks", data, "--window-days", "7"]),
                (f"{name}-keyness-weeks", ["keyness", data, "--by", "date:week", "--all-pairs",
                                           "--fdr", "0.05"]),
                (f"{name}-compare", ["compare", data, "--html", "{out}/r.html", "--format", "json"]),
                (f"{name}-compare-table", ["compare", data]),
                # Every table in its other formats.
                (f"{name}-stats-tsv", ["stats", data, "--format", "tsv"]),
                (f"{name}-similar-tsv", ["similar", data, "-k", "3", "--format", "tsv"]),
                (f"{name}-stories-tsv", ["stories", data, "--format", "tsv"]),
                (f"{name}-keywords-tsv", ["keywords", data, "-n", "5", "--format", "tsv"]),
                (f"{name}-keywords-group-tsv", ["keywords", data, "--per", "source", "--format", "tsv"]),
                (f"{name}-keywords-table", ["keywords", data, "-n", "5"]),
                (f"{name}-keywords-streamed", ["keywords", data, "-n", "5", "--stream", "--chunk-mb", "1"]),
                (f"{name}-keywords-streamed-json", ["keywords", data, "-n", "5", "--stream", "--chunk-mb",
                                                   "1", "--format", "json"]),
                (f"{name}-keywords-streamed-tsv", ["keywords", data, "-n", "5", "--stream", "--chunk-mb",
                                                  "1", "--format", "tsv"]),
                (f"{name}-keyness-tsv", ["keyness", data, "--by", "source", "--format", "tsv"]),
                (f"{name}-keyness-pmi", ["keyness", data, "--by", "source", "--measure", "pmi"]),
            ]
    out += [
        ("eval-stories", ["stories", basil, "--format", "json", "--then", "eval", "stories",
                          "--gold", basil, "--pred", "{prev}"]),
        ("lee-similarity", ["similar", "{lee}", "--matrix",
                            "{out}/sim.csv", "--then", "eval", "similarity", "--gold",
                            os.path.join(lee, "similarities0-1.txt"), "--pred", "{out}/sim.csv"]),
        ("stopwords", ["stopwords", "english"]),
        # Bad input: the message (stderr) is compared too.
        ("error-missing", ["stats", "{bad}.missing"]),
        ("error-bad-json", ["vectorize", "{bad}", "--out", "{out}/v"]),
        ("error-bad-flag", ["vectorize", basil, "--out", "{out}/v", "--min-df", "2", "--max-df", "1"]),
        ("error-bad-model", ["transform", basil, "--model", "{bad}", "--out", "{out}/t"]),
        ("error-eval-missing", ["eval", "stories", "--gold", basil, "--pred", "{bad}.missing"]),
        ("error-eval-bad-json", ["eval", "stories", "--gold", basil, "--pred", "{bad}"]),
        ("error-eval-scores", ["eval", "similarity", "--gold",
                               os.path.join(lee, "similarities0-1.txt"), "--pred", "{bad}"]),
        ("error-counts-missing", ["keyness", "--counts", "{bad}.missing", "--by", "source"]),
        ("error-counts-bad", ["keyness", "--counts", "{bad}", "--by", "source"]),
        ("stopwords-sklearn", ["stopwords", "sklearn"]),
    ]
    return out


def run_one(binary, argv, out):
    """Runs one entry (a command, or commands joined by --then); returns the outputs as bytes."""
    os.makedirs(out, exist_ok=True)
    results = {}
    if argv[0] == "shard-merge":
        data = argv[1]
        parts = []
        for i, half in enumerate(split_lines(data, out)):
            model = f"{out}/part-{i}.json"
            parts.append(model)
            call(binary, ["fit", "--shard", half, "--model", model], out, results, f"fit{i}")
        call(binary, ["merge", *parts, "--model", f"{out}/merged.json", "--min-df", "2"], out,
             results, "merge")
        return collect(out, results)
    steps, step = [], []
    for a in argv:
        if a == "--then":
            steps.append(step)
            step = []
        else:
            step.append(a)
    steps.append(step)
    prev = None
    for i, step in enumerate(steps):
        step = [a.replace("{out}", out).replace("{lee}", LEE).replace("{bad}", BAD)
                for a in step]
        if "{prev}" in step:
            step = [prev if a == "{prev}" else a for a in step]
        stdout = call(binary, step, out, results, f"step{i}")
        prev = f"{out}/step{i}.stdout"
        with open(prev, "wb") as f:
            f.write(stdout)
    return collect(out, results)


def split_lines(path, out):
    """Two halves of a JSONL file (or the directory itself twice for a directory corpus)."""
    if os.path.isdir(path):
        return [path, path]
    with open(path, "rb") as f:
        lines = f.readlines()
    half = len(lines) // 2
    paths = []
    for i, part in enumerate([lines[:half], lines[half:]]):
        p = f"{out}/half-{i}.jsonl"
        with open(p, "wb") as f:
            f.writelines(part)
        paths.append(p)
    return paths


def call(binary, argv, out, results, key):
    argv = [a.replace("{out}", out) for a in argv]
    proc = subprocess.run([binary, "--quiet", "--threads", "2", *argv], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=out)
    results[key + ".stdout"] = proc.stdout
    results[key + ".status"] = str(proc.returncode).encode()
    if proc.returncode != 0:
        results[key + ".stderr"] = proc.stderr
    return proc.stdout


def collect(out, results):
    for root, _, files in os.walk(out):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, out)
            if rel.endswith(".stdout") or rel.startswith("half-"):
                continue
            with open(path, "rb") as f:
                results["file:" + rel] = f.read()
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", help="run the entries whose name contains this")
    args = p.parse_args()
    old, new = os.path.abspath(args.old), os.path.abspath(args.new)
    work = tempfile.mkdtemp(prefix="parallax-identity-")
    global LEE, BAD
    BAD = os.path.join(work, "bad.jsonl")
    with open(BAD, "w", encoding="utf-8") as f:
        f.write('{"id": "a", "text": "one"}\n{"id": "b", "text": \n')
    LEE = os.path.join(work, "lee.jsonl")
    with open(os.path.join(args.shared, "data/lee50/lee.cor"), encoding="latin-1") as f, \
            open(LEE, "w", encoding="utf-8") as g:
        for i, line in enumerate(l for l in f if l.strip()):
            g.write(json.dumps({"id": f"lee{i:02}", "text": line.strip()}) + "\n")
    differ = 0
    entries = [e for e in commands(os.path.abspath(args.shared), args.quick)
               if not args.only or args.only in e[0]]
    for name, argv in entries:
        a = run_one(old, argv, os.path.join(work, "old", name))
        b = run_one(new, argv, os.path.join(work, "new", name))
        bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        statuses = [v.decode() for k, v in sorted(a.items()) if k.endswith(".status")]
        status = ",".join(statuses)
        if name.startswith("error-") != any(x != "0" for x in statuses):
            differ += 1
            print(f"UNEXPECTED exit {status} {name}: it measures nothing")
        elif bad:
            differ += 1
            print(f"DIFFER {name}: {', '.join(bad)}")
        else:
            print(f"same   {name} ({len(a)} outputs, exit {status})")
        sys.stdout.flush()
    if differ == 0:
        shutil.rmtree(work)
    else:
        print(f"outputs kept in {work}")
    print(f"{len(entries) - differ} of {len(entries)} identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
