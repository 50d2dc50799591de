#!/usr/bin/env python3
"""The Spark driver beside the single process, on a corpus generated from 20 Newsgroups.

Builds a JSONL corpus of --size-gb (the "repeat" corpus of benches/scale.py), then times:

  single   `parallax fit` and `parallax transform --format jsonl-indices` on the file;
  spark    spark/parallax_spark.py fit (partitions -> shards -> summed -> merged) and transform
           to Parquet, on --master (default local-cluster[2,1,1024]);
  pipe     the task-side wrapper alone, without Spark: Arrow batches -> JSONL -> `parallax
           transform -` -> parsed rows, in one process (records/s), beside the same transform
           reading the file directly.

and checks that the cluster's model equals the single process's, byte for byte. Prints a table.

Usage (from the repository root, after `cargo build --release` and spark/check.sh, which
installs the pinned pyspark into target/spark-venv):
    target/spark-venv/bin/python benches/spark_side_by_side.py [--size-gb 2] [--master URL]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benches"))
sys.path.insert(0, os.path.join(ROOT, "spark"))
import parallax_spark as ps  # noqa: E402
import scale  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def sh(cmd, stdout=subprocess.DEVNULL):
    subprocess.run(cmd, check=True, stdout=stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size-gb", type=float, default=2.0)
    p.add_argument("--master", default="local-cluster[2,1,1024]")
    p.add_argument("--binary", default=os.path.join(ROOT, "target/release/parallax"))
    p.add_argument("--source", default=os.path.join(ROOT, "../shared/data/20news/20news-bydate.jsonl"))
    p.add_argument("--tmp", default=tempfile.gettempdir())
    p.add_argument("--split-mb", type=int, default=32, help="Spark input split (a partition)")
    a = p.parse_args()
    os.environ.setdefault("SPARK_HOME", os.path.dirname(__import__("pyspark").__file__))
    work = tempfile.mkdtemp(prefix="parallax-spark-bench-", dir=a.tmp)
    corpus = os.path.join(work, "corpus.jsonl")
    size = scale.build(a.source, corpus, int(a.size_gb * 1e9), "repeat")
    n_docs = sum(1 for _ in open(corpus, encoding="utf-8"))
    mb = size / 1e6
    rows = []
    flags = ["--min-df", "2"]

    model = os.path.join(work, "one.json")
    t, _ = timed(lambda: sh([a.binary, "-q", "fit", corpus, "--model", model, *flags]))
    rows.append(("single: fit", t))
    out = os.path.join(work, "rows.jsonl")
    t, _ = timed(lambda: sh([a.binary, "-q", "transform", corpus, "--model", model, "--format",
                             "jsonl-indices", "--out", os.path.join(work, "single")]))
    rows.append(("single: transform (jsonl-indices)", t))

    # The wrapper alone: the same transform fed through run_parallax from Arrow batches (read
    # into memory first, so only the wrapper and parallax are timed).
    import pyarrow.json as paj

    table = paj.read_json(corpus)

    def pipe():
        n = 0
        lines = ps.run_parallax(a.binary, ["transform", "-", "--model", model, "--format",
                                           "jsonl-indices"],
                                ps.records(table.to_batches(max_chunksize=1000)), 2)
        for line in lines:
            json.loads(line)
            n += 1
        return n

    t, n = timed(pipe)
    assert n == n_docs, (n, n_docs)
    del table
    rows.append(("pipe wrapper: Arrow -> transform - -> rows", t))

    spark = ps.session(a.master, "parallax-bench",
                       [f"spark.sql.files.maxPartitionBytes={a.split_mb << 20}"])
    name = ps.ship_binary(spark, a.binary)
    # Spark's own input splits, no shuffle of the text.
    df = ps.read_documents(spark, corpus)
    parts = ps.num_partitions(df)
    print(f"corpus: {mb:.0f} MB, {n_docs} documents; {parts} partitions; master {a.master}",
          flush=True)
    spark_model = os.path.join(work, "spark.json")
    t, _ = timed(lambda: ps.fit(df, name, spark_model, flags, partitions=parts,
                                local_binary=a.binary))
    rows.append(("spark: fit (shards, sum, merge)", t))
    same = open(model, "rb").read() == open(spark_model, "rb").read()
    t, _ = timed(lambda: ps.transform(spark, df, name, model).write.mode("overwrite")
                 .parquet(os.path.join(work, "rows.parquet")))
    rows.append(("spark: transform -> Parquet", t))
    spark.stop()

    print(f"\n| step | seconds | MB/s | records/s |\n|---|---|---|---|")
    for label, secs in rows:
        print(f"| {label} | {secs:.1f} | {mb / secs:.1f} | {n_docs / secs:,.0f} |")
    print(f"\ncluster model equals the single-process model: {same}")
    subprocess.run(["rm", "-rf", work])
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
