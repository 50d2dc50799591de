#!/usr/bin/env python3
"""Tier-2 check of the Spark driver against the single-machine CLI (run by spark/check.sh).

Builds a test corpus (the demo articles of corpus/ plus a slice of 20 Newsgroups, whose texts
hold newlines, quotes and tabs), sorted by id so that the single-machine tie-break (lower row)
is the cluster's (lower id); runs fit, transform, query top-k and top-k within blocks both ways
on one Spark master; optionally kills one executor in the middle of a job; checks that a failing
parallax fails the job with its message. Prints PASS/FAIL lines and `N passed, M failed`.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parallax_spark as ps  # noqa: E402

RESULTS = []


def check(name, fn):
    started = time.time()
    try:
        fn()
        RESULTS.append(True)
        print(f"PASS {name} ({time.time() - started:.1f} s)", flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
        RESULTS.append(False)
        print(f"FAIL {name}: {e}", flush=True)
        traceback.print_exc(limit=3)


def front_matter(text):
    meta = {}
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            for line in text[4:end].splitlines():
                k, sep, v = line.partition(":")
                if sep:
                    meta[k.strip()] = v.strip()
            text = text[end + 4:].lstrip("\n")
    return meta, text


def build_corpus(root, news, every, out):
    """corpus/ (front matter read the way parallax reads it) plus every `every`-th 20news line."""
    docs = []
    corpus = os.path.join(root, "corpus")
    for d, _, files in os.walk(corpus):
        for f in files:
            if not f.endswith((".md", ".txt")) or f == "README.md":
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, corpus)
            meta, text = front_matter(open(path, encoding="utf-8").read())
            doc = {"id": "demo/" + os.path.splitext(rel)[0], "text": text,
                   "title": meta.get("title"), "date": meta.get("date")}
            if os.sep in rel:
                doc["source"] = rel.split(os.sep)[0]
            docs.append(doc)
    with open(news, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % every == 0:
                r = json.loads(line)
                docs.append({"id": r["id"], "text": r["text"], "source": r.get("source")})
    docs.sort(key=lambda d: d["id"])
    with open(out, "w", encoding="utf-8") as f:
        f.write(ps.jsonl(docs))
    return docs


def run(binary, *args, stdin=None):
    p = subprocess.run([binary, "-q", *args], capture_output=True, text=True, input=stdin)
    if p.returncode != 0:
        raise RuntimeError(f"parallax {' '.join(args)}: {p.stderr}")
    return p.stdout


def tsv_lists(text, key_cols):
    """Lists of (neighbour, score as f32) keyed by the key columns, in file order."""
    import numpy as np

    lines = text.splitlines()
    head = lines[0].split("\t")
    out = {}
    for line in lines[1:]:
        r = dict(zip(head, line.split("\t")))
        key = tuple(r[c] for c in key_cols)
        out.setdefault(key, []).append((r["neighbour"], np.float32(r["score"])))
    return out


def executor_pids(app_id):
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"org.apache.spark.executor.CoarseGrainedExecutorBackend" in cmd and \
                app_id.encode() in cmd:
            pids.append(int(pid))
    return sorted(pids)


def kill_one_executor_mid_job(spark, killed, tasks):
    """Waits until a stage of `tasks` tasks (the parallax stage) has finished some tasks and
    still runs others, then kills one of this application's executors (SIGKILL)."""
    sc = spark.sparkContext
    tracker = sc.statusTracker()
    deadline = time.time() + 120
    while time.time() < deadline and not killed:
        for sid in tracker.getActiveStageIds():
            info = tracker.getStageInfo(sid)
            if info and info.numTasks == tasks and info.numCompletedTasks >= 1 \
                    and info.numActiveTasks >= 1:
                pids = executor_pids(sc.applicationId)
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append((sid, info.numCompletedTasks, info.numTasks, pids[0]))
                    return
        time.sleep(0.05)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--master", required=True)
    p.add_argument("--binary", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--news", required=True, help="20news-bydate.jsonl")
    p.add_argument("--every", type=int, default=8, help="take every N-th 20news document")
    p.add_argument("--partitions", type=int, default=12)
    p.add_argument("--kill", action="store_true", help="kill an executor during transform")
    a = p.parse_args()
    import numpy as np
    import pandas as pd

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731
    binary = os.path.abspath(a.binary)
    docs = build_corpus(root, a.news, a.every, w("corpus.jsonl"))
    queries = docs[::97]
    with open(w("queries.jsonl"), "w", encoding="utf-8") as f:
        f.write(ps.jsonl(queries))
    merge_flags = ["--min-df", "2", "--max-df", "0.9"]
    print(f"corpus: {len(docs)} documents, {len(queries)} queries; master {a.master}", flush=True)

    # The single-machine runs.
    run(binary, "fit", w("corpus.jsonl"), "--model", w("one.json"), *merge_flags)
    rows_one = [json.loads(x) for x in run(binary, "transform", w("corpus.jsonl"), "--model",
                                           w("one.json"), "--format", "jsonl-indices").splitlines()]
    k = 5
    sim_one = tsv_lists(run(binary, "similar", w("queries.jsonl"), "--against", w("corpus.jsonl"),
                            "--model", w("one.json"), "-k", str(k), "--format", "tsv"),
                        ["id"])
    blocks = [json.loads(x) for x in
              run(binary, "blocks", w("corpus.jsonl"), "--key", "source").splitlines()]
    members = {}
    for d, b in zip(docs, blocks):
        members.setdefault(b["block"], []).append(d)
    pairs_one = {}
    for block, ds in members.items():
        out = run(binary, "similar", "-", "--model", w("one.json"), "-k", "3", "--format", "tsv",
                  stdin=ps.jsonl(ds))
        for (q,), lst in tsv_lists(out, ["id"]).items():
            pairs_one[(block, q)] = lst

    dated = [d for d in docs if d.get("date")]
    with open(w("dated.jsonl"), "w", encoding="utf-8") as f:
        f.write(ps.jsonl(dated))
    window_one = tsv_lists(run(binary, "similar", w("dated.jsonl"), "--model", w("one.json"),
                               "--window-days", "3", "-k", "3", "--format", "tsv"), ["id"])
    key_flags = ["--measure", "logodds", "-n", "15", "--min-df", "2", "--format", "tsv"]
    keyness_one = run(binary, "keyness", w("corpus.jsonl"), "--by", "source", *key_flags)

    spark = ps.session(a.master, "parallax-check")
    name = ps.ship_binary(spark, binary)
    df = ps.read_documents(spark, w("corpus.jsonl"), a.partitions)

    def fit():
        n = ps.fit(df, name, w("spark.json"), merge_flags, partitions=a.partitions, fanout=4,
                   local_binary=binary)
        assert n == 3, f"{n} summed shards (12 partitions in groups of 4 give 3)"
        if open(w("one.json"), "rb").read() != open(w("spark.json"), "rb").read():
            raise AssertionError("the cluster's model differs from the single-machine model")

    def transform():
        killed = []
        killer = None
        if a.kill:
            killer = threading.Thread(target=kill_one_executor_mid_job, args=(spark, killed, a.partitions),
                                      daemon=True)
            killer.start()
        out = ps.transform(spark, df, name, w("one.json"))
        out.write.mode("overwrite").parquet(w("rows.parquet"))
        if killer:
            killer.join(timeout=1)
            assert killed, "no executor was killed (the job ended too soon?)"
            sid, done, total, pid = killed[0]
            print(f"  killed executor pid {pid} in stage {sid} after {done}/{total} tasks",
                  flush=True)
        got = pd.read_parquet(w("rows.parquet")).sort_values("id").reset_index(drop=True)
        assert list(got["id"]) == [r["id"] for r in rows_one], "ids differ"
        n_terms = len(json.load(open(w("one.json")))["terms"])
        assert (got["size"] == n_terms).all()
        for r, (ix, vals) in zip(rows_one, zip(got["indices"], got["values"])):
            assert list(ix) == r["indices"], r["id"]
            if not np.array_equal(np.asarray(vals, dtype=np.float32),
                                  np.asarray(r["values"], dtype=np.float32)):
                raise AssertionError(f"values differ for {r['id']}")
        # The metadata came along, and Spark MLlib reads the rows as sparse vectors.
        by_id = {d["id"]: d for d in docs}
        assert all(by_id[i].get("source") == s for i, s in zip(got["id"], got["source"]))
        from pyspark.ml.linalg import SparseVector

        first = spark.read.parquet(w("rows.parquet")).orderBy("id").first()
        v = SparseVector(first["size"], first["indices"], first["values"])
        assert abs(v.norm(2) - 1) < 1e-5 or not first["indices"], v.norm(2)

    def similar():
        top = ps.similar(spark, df, name, w("queries.jsonl"), w("one.json"), k)
        ps.write_tsv(top.orderBy("query", "rank").collect(), ["query", "rank", "neighbour",
                                                             "score"], w("similar.tsv"))
        got = tsv_lists(open(w("similar.tsv")).read(), ["query"])
        assert got == sim_one, "top-k differs from the single-machine run"

    def pairs():
        top = ps.best_k(ps.block_pairs(spark, df, name, w("one.json"), 3, key="source",
                                       partitions=4), 3, by=("block", "query"))
        ps.write_tsv(top.orderBy("block", "query", "rank").collect(),
                     ["block", "query", "rank", "neighbour", "score"], w("pairs.tsv"))
        got = tsv_lists(open(w("pairs.tsv")).read(), ["block", "query"])
        assert got == pairs_one, "top-k within blocks differs from the per-block runs"

    def windows():
        top = ps.window_pairs(spark, df, name, w("one.json"), 3, days=3, partitions=4)
        ps.write_tsv(top.orderBy("query", "rank").collect(),
                     ["query", "rank", "neighbour", "score"], w("windows.tsv"))
        got = tsv_lists(open(w("windows.tsv")).read(), ["query"])
        assert got == window_one, "top-k within 3 days differs from `similar --window-days 3`"
        assert len(got) >= 20, len(got)

    def keyness():
        got = ps.keyness(df, name, "source", key_flags, partitions=a.partitions, fanout=4,
                         local_binary=binary)
        assert got == keyness_one, "keyness differs from the single-machine run"
        assert len(got.splitlines()) > 100

    def failure():
        # An empty id is a bad record (an unreadable date no longer is: it is set aside).
        bad = spark.createDataFrame([("", "some text")], "id string, text string")
        try:
            ps.transform(spark, bad, name, w("one.json")).collect()
        except Exception as e:  # noqa: BLE001
            assert "exited with 1" in str(e) and "empty id" in str(e), str(e)[:2000]
            return
        raise AssertionError("a failing parallax did not fail the job")

    check("fit: model equals the single-machine fit, byte for byte", fit)
    check("transform: Parquet rows equal the single-machine rows"
          + (" (one executor killed mid-job)" if a.kill else ""), transform)
    check("similar: query top-k equals the single-machine run", similar)
    check("pairs: top-k within blocks equals per-block runs", pairs)
    check("windows: top-k within 3 days equals `similar --window-days 3`", windows)
    check("keyness: summed counts score like the single-machine run", keyness)
    check("a failing parallax fails the job with its stderr", failure)
    spark.stop()
    passed = sum(RESULTS)
    print(f"{passed} passed, {len(RESULTS) - passed} failed", flush=True)
    sys.exit(1 if passed < len(RESULTS) else 0)


if __name__ == "__main__":
    main()
