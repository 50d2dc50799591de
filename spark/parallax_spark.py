#!/usr/bin/env python3
"""parallax on Apache Spark: every partition streamed through the parallax binary.

The driver uses the DataFrame API only (`mapInArrow`, `repartition`, window functions), so it runs
on a classic SparkSession and over Spark Connect alike. Each task starts parallax as a child
process with an explicit environment, writes its rows to the child's stdin as JSONL (JSON-escaped,
so a newline inside a text never splits a record), batch by batch, reads the child's stdout while
it writes, and fails the task with the child's stderr when the child exits non-zero. (`RDD.pipe`
does none of that: it gives the child an empty environment, splits records at newlines and drops
the output of a failed child silently.)

    fit        partition -> `parallax fit --shard -` -> statistics, summed on the cluster
               (`merge --shard`), then `parallax merge` on the driver: pruning and column ids are
               decided only after the global sum, so the model equals one fit over everything.
    transform  the model shipped to executors; partition -> `parallax transform - --format
               jsonl-indices` -> Parquet rows (id, size, indices, values, source, date, title).
    similar    queries shipped to every executor; partition (sorted by id) -> `parallax similar
               QUERIES --against -` -> local top-k; merged by score descending, then id ascending.
    pairs      block ids from `parallax blocks` (FNV-1a 64 of a field or a date window);
               documents grouped by block; top-k among the documents of each block.
    windows    top-k among the documents dated within D days: each window of D days is
               compared with itself and its two neighbours (`similar --window-days D`).
    keyness    partition -> `parallax keyness --counts-out` (counts per group and term), summed
               on the cluster, scored by `parallax keyness --counts` on the driver.

Command line (see spark/README.md):

    python spark/parallax_spark.py --master local-cluster[2,1,1024] --binary target/release/parallax \\
        fit corpus.jsonl --model model.json -- --min-df 2
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

#: Text fields parallax reads from a record; other string columns go along as metadata.
FIELDS = ("id", "text", "title", "source", "date")
#: Rows per Arrow batch handed back to Spark.
OUT_BATCH = 2048


class ParallaxError(RuntimeError):
    """parallax exited with an error inside a Spark task (the message holds its stderr)."""


# --- The pipe: runs in the Spark tasks ------------------------------------------------------------


def child_env(work: str) -> dict:
    """The child's whole environment: nothing is inherited from the executor."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LC_ALL": "C.UTF-8",
        "HOME": work,
        "TMPDIR": work,
    }


_EXECUTABLES: dict = {}


def executable(binary: str) -> str:
    """The path of a runnable copy of the binary on this executor.

    `binary` is a file name shipped with `addFile` / `addArtifacts` (found with SparkFiles) or an
    absolute path present on every worker. Shipped copies may lose their execute bit, so a copy
    with mode 0755 is made once per Python worker.
    """
    if binary in _EXECUTABLES:
        return _EXECUTABLES[binary]
    path = binary
    if not os.path.isabs(binary):
        from pyspark import SparkFiles

        path = SparkFiles.get(binary)
    if not os.access(path, os.X_OK):
        copy = os.path.join(tempfile.mkdtemp(prefix="parallax-bin-"), os.path.basename(path))
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o755)
        path = copy
    _EXECUTABLES[binary] = path
    return path


def shipped(name: str) -> str:
    """The local path of a file shipped with `addFile`, or `name` itself if it is absolute."""
    if os.path.isabs(name):
        return name
    from pyspark import SparkFiles

    return SparkFiles.get(name)


def jsonl(rows) -> str:
    """JSONL for rows (dicts): JSON-escaped, one line each, null fields left out."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return "".join(dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in rows)


def run_parallax(binary: str, args: list, chunks, threads: int = 1):
    """Runs `binary args`, writing the strings of `chunks` to its stdin from a thread while the
    caller reads its stdout; yields stdout lines (bytes). Raises ParallaxError with the child's
    stderr if it exits non-zero, and re-raises any error met while producing the input."""
    work = tempfile.mkdtemp(prefix="parallax-task-")
    argv = [executable(binary), "--threads", str(threads), "--quiet", *args]
    failure = []
    try:
        with open(os.path.join(work, "stderr"), "w+b") as err:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=child_env(work),
                cwd=work,
            )

            def feed():
                try:
                    for chunk in chunks:
                        proc.stdin.write(chunk.encode("utf-8"))
                    proc.stdin.close()
                except BrokenPipeError:
                    pass  # the child stopped reading: its exit code and stderr say why
                except BaseException as e:  # noqa: BLE001 - handed to the reading thread
                    failure.append(e)
                    proc.kill()

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            try:
                for line in proc.stdout:
                    yield line
                code = proc.wait()
                feeder.join()
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
                # The feeder ends once the child is gone (its writes fail); do not wait on an
                # input iterator that a cancelled task no longer feeds.
                feeder.join(timeout=10)
                if not proc.stdin.closed and not feeder.is_alive():
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass
            if failure:
                raise failure[0]
            if code != 0:
                err.seek(0)
                message = err.read().decode("utf-8", "replace").strip()
                raise ParallaxError(f"`parallax {' '.join(args)}` exited with {code}: {message}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def records(batches, fields=FIELDS, queue=None):
    """JSONL chunks (one per Arrow batch) of the parallax fields of each row. With `queue`, the
    batch itself is put on it before its text is handed on, so the reader can pair output rows
    with input rows."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        names = [f for f in fields if f in batch.schema.names]
        if queue is not None:
            queue.append(batch)
        yield jsonl(batch.select(names).to_pylist())


def first_nonempty(batches):
    """(first non-empty batch, the rest) or (None, None) for an empty partition, which never
    starts a child (parallax refuses an empty input)."""
    it = iter(batches)
    for b in it:
        if b.num_rows > 0:
            return b, it
    return None, None


def chain(first, rest):
    yield first
    yield from rest


# --- fit --------------------------------------------------------------------------------------


def fit_partitions(binary, analysis_flags, threads):
    def run(batches):
        import pyarrow as pa

        first, rest = first_nonempty(batches)
        if first is None:
            return
        out = b"".join(
            run_parallax(
                binary,
                ["fit", "--shard", "-", "--model", "/dev/stdout", *analysis_flags],
                records(chain(first, rest)),
                threads,
            )
        )
        yield pa.RecordBatch.from_pydict({"shard": [out.decode("utf-8")]})

    return run


def sum_partitions(binary, threads):
    """Adds the shards of a partition into one (`merge --shard`)."""

    def run(batches):
        import pyarrow as pa

        shards = [s for b in batches for s in b.column("shard").to_pylist()]
        if len(shards) <= 1:
            if shards:
                yield pa.RecordBatch.from_pydict({"shard": shards})
            return
        work = tempfile.mkdtemp(prefix="parallax-sum-")
        paths = write_parts(work, shards)
        out = b"".join(
            run_parallax(
                binary, ["merge", "--shard", *paths, "--model", "/dev/stdout"], iter(()), threads
            )
        )
        shutil.rmtree(work, ignore_errors=True)
        yield pa.RecordBatch.from_pydict({"shard": [out.decode("utf-8")]})

    return run


def fit(df, binary, model, merge_flags=(), analysis_flags=(), partitions=None, fanout=8,
        threads=1, local_binary=None):
    """Fits a model on the documents of `df` (columns id, text, and optionally title, source,
    date) and writes it to the local path `model`. Returns the number of shards merged."""
    shards = df.mapInArrow(fit_partitions(binary, list(analysis_flags), threads), "shard string")
    n = partitions or num_partitions(df)
    groups = max(1, -(-n // fanout))
    if n > fanout:
        shards = shards.repartition(groups).mapInArrow(sum_partitions(binary, threads), "shard string")
    collected = [r["shard"] for r in shards.collect()]
    work = tempfile.mkdtemp(prefix="parallax-merge-")
    paths = write_parts(work, collected)
    run_local(local_binary or binary, ["merge", *paths, "--model", model, *merge_flags])
    shutil.rmtree(work, ignore_errors=True)
    return len(collected)


def num_partitions(df) -> int:
    try:
        return df.rdd.getNumPartitions()
    except Exception:  # noqa: BLE001 - Spark Connect has no RDDs
        return 200


def run_local(binary, args):
    """Runs parallax on the driver; raises ParallaxError with its stderr on failure."""
    proc = subprocess.run([binary, "--quiet", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ParallaxError(f"`parallax {' '.join(args)}` exited with {proc.returncode}: "
                            f"{proc.stderr.strip()}")
    return proc.stdout


# --- transform --------------------------------------------------------------------------------


def transform_partitions(binary, model, meta, threads):
    def run(batches):
        import pyarrow as pa

        first, rest = first_nonempty(batches)
        if first is None:
            return
        inputs = collections.deque()
        lines = run_parallax(
            binary,
            ["transform", "-", "--model", shipped(model), "--format", "jsonl-indices",
             "--chunk-mb", "8"],
            records(chain(first, rest), queue=inputs),
            threads,
        )
        out = {k: [] for k in ("id", "indices", "values", *meta)}
        pending, at = None, 0
        for line in lines:
            row = json.loads(line)
            if pending is None or at == pending.num_rows:
                pending, at = inputs.popleft(), 0
                columns = {m: pending.column(m).to_pylist() for m in meta}
                ids = pending.column("id").to_pylist()
            if row["id"] != ids[at]:
                raise ParallaxError(f"transform returned row {row['id']!r} for {ids[at]!r}")
            out["id"].append(row["id"])
            out["indices"].append(row["indices"])
            out["values"].append(row["values"])
            for m in meta:
                out[m].append(columns[m][at])
            at += 1
            if len(out["id"]) >= OUT_BATCH:
                yield batch_of(out, pa)
                out = {k: [] for k in out}
        if out["id"]:
            yield batch_of(out, pa)

    return run


def batch_of(columns, pa):
    arrays = {
        k: pa.array(v, type=pa.list_(pa.int32()) if k == "indices"
                    else pa.list_(pa.float32()) if k == "values" else pa.string())
        for k, v in columns.items()
    }
    return pa.RecordBatch.from_pydict(arrays)


_SHIPPED: dict = {}


def ship(spark, path: str) -> str:
    """Ships a local file to every executor under a name that changes with its content (Spark
    refuses the same name twice from different paths); returns that name."""
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()[:16]
    base, ext = os.path.splitext(os.path.basename(path))
    name = f"{base}-{digest}{ext}"
    if _SHIPPED.get(name) is spark:
        return name
    _SHIPPED[name] = spark
    staged = os.path.join(tempfile.mkdtemp(prefix="parallax-ship-"), name)
    shutil.copyfile(path, staged)
    try:
        spark.sparkContext.addFile(staged)
    except Exception:  # noqa: BLE001 - Spark Connect: artifacts instead of SparkContext
        spark.addArtifacts(staged, file=True)
    return name


def transform(spark, df, binary, model, threads=1):
    """Rows of `df` under a saved model: a DataFrame (id, size, indices, values, and the
    source, date and title columns of `df`). `size` is the number of columns of the model."""
    from pyspark.sql import functions as F

    meta = [c for c in ("source", "date", "title") if c in df.columns]
    n_terms = len(json.load(open(model, encoding="utf-8"))["terms"])
    name = ship(spark, model)
    schema = "id string, indices array<int>, values array<float>" + "".join(
        f", {m} string" for m in meta)
    out = df.mapInArrow(transform_partitions(binary, name, meta, threads), schema)
    return out.select("id", F.lit(n_terms).alias("size"), "indices", "values", *meta)


# --- similar ----------------------------------------------------------------------------------


def tsv_unescape(s: str) -> str:
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def neighbour_rows(lines, extra=None):
    """`similar --format tsv` lines -> columns query, neighbour, score."""
    cols = {"query": [], "neighbour": [], "score": []}
    for line in lines:
        f = line.decode("utf-8").rstrip("\n").split("\t")
        if f[0] == "id" and f[1] == "rank":
            continue
        cols["query"].append(tsv_unescape(f[0]))
        cols["neighbour"].append(tsv_unescape(f[2]))
        cols["score"].append(float(f[3]))
    if extra:
        for k, v in extra.items():
            cols[k] = [v] * len(cols["query"])
    return cols


def similar_partitions(binary, queries, model, k, flags, threads):
    def run(batches):
        import pyarrow as pa

        first, rest = first_nonempty(batches)
        if first is None:
            return
        lines = run_parallax(
            binary,
            ["similar", shipped(queries), "--against", "-", "--model", shipped(model), "-k", str(k),
             "--format", "tsv", *flags],
            records(chain(first, rest)),
            threads,
        )
        cols = neighbour_rows(lines)
        yield pa.RecordBatch.from_pydict({
            "query": pa.array(cols["query"], pa.string()),
            "neighbour": pa.array(cols["neighbour"], pa.string()),
            "score": pa.array(cols["score"], pa.float32()),
        })

    return run


def best_k(df, k, by=("query",)):
    """The k best rows per `by`: score descending, then neighbour id ascending, ranked from 1."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.partitionBy(*by).orderBy(F.desc("score"), F.asc("neighbour"))
    return df.withColumn("rank", F.row_number().over(w)).filter(F.col("rank") <= k)


def similar(spark, df, binary, queries, model, k=10, flags=(), threads=1):
    """Top-k documents of `df` for every query (a local JSONL file), exactly: each partition,
    sorted by id, keeps its local top-k (ties to the lower id, as the merge); the lists are
    merged by score descending, then id ascending."""
    q, m = ship(spark, queries), ship(spark, model)
    local = df.sortWithinPartitions("id").mapInArrow(
        similar_partitions(binary, q, m, k, list(flags), threads),
        "query string, neighbour string, score float")
    return best_k(local, k)


# --- blocks and all pairs within blocks ------------------------------------------------------


def block_partitions(binary, flags, threads):
    def run(batches):
        import pyarrow as pa

        first, rest = first_nonempty(batches)
        if first is None:
            return
        inputs = collections.deque()
        lines = run_parallax(binary, ["blocks", "-", *flags],
                             records(chain(first, rest), queue=inputs), threads)
        pending, at, keys, blocks = None, 0, [], []
        for line in lines:
            row = json.loads(line)
            if pending is None:
                pending, at = inputs.popleft(), 0
            keys.append(row["key"])
            blocks.append(row["block"])
            at += 1
            if at == pending.num_rows:
                yield pending.append_column("block_key", pa.array(keys, pa.string())) \
                    .append_column("block", pa.array(blocks, pa.string()))
                pending, keys, blocks = None, [], []

    return run


def with_blocks(df, binary, key=None, window_days=None, threads=1):
    """`df` with columns block_key and block (16 hex digits of FNV-1a 64), from parallax."""
    flags = ["--key", key] if key else ["--window-days", str(window_days)]
    schema = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in df.schema.fields)
    return df.mapInArrow(block_partitions(binary, flags, threads),
                         schema + ", block_key string, block string")


def pair_partitions(binary, model, k, flags, threads):
    """Rows sorted by (block, id): one `parallax similar -` per block."""

    def run(batches):
        import pyarrow as pa

        def flush(block, rows):
            if not rows:
                return None
            lines = run_parallax(
                binary,
                ["similar", "-", "--model", shipped(model), "-k", str(k), "--format", "tsv",
                 *flags],
                iter([jsonl(rows)]),
                threads,
            )
            cols = neighbour_rows(lines, {"block": block})
            return pa.RecordBatch.from_pydict({
                "block": pa.array(cols["block"], pa.string()),
                "query": pa.array(cols["query"], pa.string()),
                "neighbour": pa.array(cols["neighbour"], pa.string()),
                "score": pa.array(cols["score"], pa.float32()),
            })

        block, rows = None, []
        for batch in batches:
            names = [f for f in FIELDS if f in batch.schema.names]
            blocks = batch.column("block").to_pylist()
            for b, r in zip(blocks, batch.select(names).to_pylist()):
                if b != block:
                    out = flush(block, rows)
                    if out is not None:
                        yield out
                    block, rows = b, []
                rows.append(r)
        out = flush(block, rows)
        if out is not None:
            yield out

    return run


def block_pairs(spark, df, binary, model, k=10, key=None, window_days=None, partitions=8,
                flags=(), threads=1):
    """Top-k neighbours of every document among the documents of its block (each block is
    handled by one task, so a block must fit in one task's memory)."""
    m = ship(spark, model)
    blocked = with_blocks(df, binary, key, window_days, threads)
    grouped = blocked.repartition(partitions, "block").sortWithinPartitions("block", "id")
    return grouped.mapInArrow(pair_partitions(binary, m, k, list(flags), threads),
                              "block string, query string, neighbour string, score float")


def window_rows(days):
    """Each dated row three times: in its own window (role "own") and, as a reference only, in
    the windows before and after it; undated rows are dropped."""

    def run(batches):
        import datetime

        import pyarrow as pa

        step = datetime.timedelta(days=days)
        for batch in batches:
            keys = batch.column("block_key").to_pylist()
            rows = batch.select([f for f in FIELDS if f in batch.schema.names]).to_pylist()
            out = {"window": [], "own": [], "row": []}
            for key, row in zip(keys, rows):
                if not key:
                    continue
                first = datetime.date.fromisoformat(key.split("..")[0])
                for shift, own in ((-step, False), (step * 0, True), (step, False)):
                    start = first + shift
                    out["window"].append(f"{start}..{start + step - datetime.timedelta(days=1)}")
                    out["own"].append(own)
                    out["row"].append(json.dumps(row, ensure_ascii=False))
            if out["window"]:
                yield pa.RecordBatch.from_pydict({
                    "window": pa.array(out["window"], pa.string()),
                    "own": pa.array(out["own"], pa.bool_()),
                    "row": pa.array(out["row"], pa.string()),
                    "id": pa.array([json.loads(r)["id"] for r in out["row"]], pa.string()),
                })

    return run


def window_partitions(binary, model, k, days, flags, threads):
    """Rows sorted by (window, id): for each window, its own documents against its own and its
    neighbours' (`similar Q --against R --window-days D`), k + 1 kept so the self match can go."""

    def run(batches):
        import pyarrow as pa

        def flush(window, queries, refs):
            if not queries:
                return None
            work = tempfile.mkdtemp(prefix="parallax-window-")
            try:
                q = os.path.join(work, "queries.jsonl")
                with open(q, "w", encoding="utf-8") as f:
                    f.write("".join(r + "\n" for r in queries))
                lines = run_parallax(
                    binary,
                    ["similar", q, "--against", "-", "--model", shipped(model), "-k", str(k + 1),
                     "--window-days", str(days), "--format", "tsv", *flags],
                    iter(["".join(r + "\n" for r in refs)]),
                    threads,
                )
                cols = neighbour_rows(lines)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            keep = [i for i, (a, b) in enumerate(zip(cols["query"], cols["neighbour"])) if a != b]
            return pa.RecordBatch.from_pydict({
                "query": pa.array([cols["query"][i] for i in keep], pa.string()),
                "neighbour": pa.array([cols["neighbour"][i] for i in keep], pa.string()),
                "score": pa.array([cols["score"][i] for i in keep], pa.float32()),
            })

        window, queries, refs = None, [], []
        for batch in batches:
            for w, own, row in zip(batch.column("window").to_pylist(),
                                   batch.column("own").to_pylist(),
                                   batch.column("row").to_pylist()):
                if w != window:
                    out = flush(window, queries, refs)
                    if out is not None:
                        yield out
                    window, queries, refs = w, [], []
                refs.append(row)
                if own:
                    queries.append(row)
        out = flush(window, queries, refs)
        if out is not None:
            yield out

    return run


def window_pairs(spark, df, binary, model, k=10, days=7, partitions=8, flags=(), threads=1):
    """Top-k neighbours of every dated document among the documents dated at most `days` days
    from it, exactly (ties to the lower id): equal to `parallax similar --window-days D` on the
    dated documents. Windows of `days` days come from `parallax blocks`; each window's task
    gets its documents as queries and those of the windows on either side as references too.
    Undated documents are left out."""
    m = ship(spark, model)
    blocked = with_blocks(df, binary, window_days=days, threads=threads)
    rows = blocked.mapInArrow(window_rows(days),
                              "window string, own boolean, row string, id string")
    grouped = rows.repartition(partitions, "window").sortWithinPartitions("window", "id")
    local = grouped.mapInArrow(window_partitions(binary, m, k, days, list(flags), threads),
                               "query string, neighbour string, score float")
    return best_k(local, k)


# --- keyness ----------------------------------------------------------------------------------


def count_partitions(binary, by, flags, fields, threads):
    def run(batches):
        import pyarrow as pa

        first, rest = first_nonempty(batches)
        if first is None:
            return
        out = b"".join(run_parallax(
            binary,
            ["keyness", "-", "--by", by, "--counts-out", "/dev/stdout", *flags],
            records(chain(first, rest), fields),
            threads,
        ))
        yield pa.RecordBatch.from_pydict({"counts": [out.decode("utf-8")]})

    return run


def sum_counts(binary, by, flags, threads):
    """Adds the counts files of a partition into one (`keyness --counts --counts-out`)."""

    def run(batches):
        import pyarrow as pa

        parts = [c for b in batches for c in b.column("counts").to_pylist()]
        if len(parts) <= 1:
            if parts:
                yield pa.RecordBatch.from_pydict({"counts": parts})
            return
        work = tempfile.mkdtemp(prefix="parallax-sum-")
        paths = write_parts(work, parts)
        out = b"".join(run_parallax(
            binary,
            ["keyness", "--counts", *paths, "--by", by, "--counts-out", "/dev/stdout", *flags],
            iter(()), threads))
        shutil.rmtree(work, ignore_errors=True)
        yield pa.RecordBatch.from_pydict({"counts": [out.decode("utf-8")]})

    return run


def write_parts(work, parts):
    """Writes strings to numbered files in `work`; returns their paths."""
    paths = []
    for i, text in enumerate(parts):
        paths.append(os.path.join(work, f"part-{i}.json"))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(text)
    return paths


def keyness(df, binary, by, score_flags=(), count_flags=(), partitions=None, fanout=8,
            threads=1, local_binary=None):
    """Keyness of the groups of `df` (`by`: a column, or date:month and the like): every
    partition counts terms per group (`--counts-out`), the counts are summed on the cluster,
    and parallax scores the sum on the driver (`--counts`). `count_flags` (analysis, --tf) apply
    to the counting, `score_flags` (measure, target, vocabulary, format) to the scoring; --tf
    must be in both if given. Returns parallax's output (text)."""
    count_flags = list(count_flags)
    field = None if by.startswith("date:") else by
    fields = FIELDS + ((field,) if field and field not in FIELDS else ())
    tf = [f for i, f in enumerate(count_flags) if count_flags[i - 1:i] == ["--tf"]]
    tf_flags = ["--tf", tf[0]] if tf else []
    counts = df.mapInArrow(count_partitions(binary, by, list(count_flags), fields, threads),
                           "counts string")
    n = partitions or num_partitions(df)
    if n > fanout:
        counts = counts.repartition(max(1, -(-n // fanout))).mapInArrow(
            sum_counts(binary, by, tf_flags, threads), "counts string")
    parts = [r["counts"] for r in counts.collect()]
    work = tempfile.mkdtemp(prefix="parallax-keyness-")
    paths = write_parts(work, parts)
    out = run_local(local_binary or binary,
                    ["keyness", "--counts", *paths, "--by", by, *tf_flags, *score_flags])
    shutil.rmtree(work, ignore_errors=True)
    return out


# --- Spark session and command line ------------------------------------------------------------


def session(master: str, app: str = "parallax", conf=()):
    from pyspark.sql import SparkSession

    # Executors run this Python unless told otherwise (it has pyarrow).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        builder = builder.master(master)
    defaults = {
        "spark.executor.memory": "512m",
        "spark.driver.memory": "512m",
        "spark.sql.shuffle.partitions": "8",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
    }
    if master.startswith("sc://"):
        defaults = {}  # the server's settings hold
    for k, v in defaults.items():
        builder = builder.config(k, v)
    for item in conf:
        k, _, v = item.partition("=")
        builder = builder.config(k, v)
    return builder.getOrCreate()


def read_documents(spark, path, partitions=None):
    """JSONL documents (id, text, title, source, date, read as strings), or a Parquet directory
    with such columns (and any others, e.g. a grouping column for keyness)."""
    if path.endswith(".parquet") or os.path.isdir(path):
        df = spark.read.parquet(path)
    else:
        df = spark.read.schema(
            "id string, text string, title string, source string, date string"
        ).json(path)
    if partitions:
        df = df.repartition(partitions)
    return df


def ship_binary(spark, binary: str) -> str:
    """Ships the binary to the executors and returns the name tasks find it under."""
    return ship(spark, binary)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"),
                   help="Spark master URL, or sc://host:port for Spark Connect")
    p.add_argument("--binary", default="target/release/parallax",
                   help="the parallax binary (shipped to the executors)")
    p.add_argument("--no-ship", action="store_true",
                   help="do not ship the binary: --binary is an absolute path on every worker")
    p.add_argument("--partitions", type=int, help="repartition the input into this many")
    p.add_argument("--threads", type=int, default=1, help="parallax threads per task")
    p.add_argument("--conf", action="append", default=[], help="KEY=VALUE Spark settings")
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit a model; flags after -- go to `parallax merge`")
    f.add_argument("input")
    f.add_argument("--model", required=True)
    f.add_argument("--analysis", default="", help="analysis flags for `fit --shard`, quoted")
    t = sub.add_parser("transform", help="sparse rows of a saved model, as Parquet")
    t.add_argument("input")
    t.add_argument("--model", required=True)
    t.add_argument("--out", required=True)
    s = sub.add_parser("similar", help="top-k documents of the input for each query")
    s.add_argument("input")
    s.add_argument("--queries", required=True)
    s.add_argument("--model", required=True)
    s.add_argument("-k", type=int, default=10)
    s.add_argument("--out", required=True, help="TSV: query, rank, neighbour, score")
    b = sub.add_parser("pairs", help="top-k neighbours within blocks")
    b.add_argument("input")
    b.add_argument("--model", required=True)
    b.add_argument("-k", type=int, default=10)
    g = b.add_mutually_exclusive_group(required=True)
    g.add_argument("--key", help="block by this field")
    g.add_argument("--window-days", type=int, help="block by windows of days")
    b.add_argument("--out", required=True, help="TSV: block, query, rank, neighbour, score")
    wd = sub.add_parser("windows", help="top-k neighbours dated within D days, exactly")
    wd.add_argument("input")
    wd.add_argument("--model", required=True)
    wd.add_argument("--days", type=int, required=True)
    wd.add_argument("-k", type=int, default=10)
    wd.add_argument("--out", required=True, help="TSV: query, rank, neighbour, score")
    kn = sub.add_parser("keyness", help="keyness of groups; flags after -- go to the scoring")
    kn.add_argument("input")
    kn.add_argument("--by", required=True)
    kn.add_argument("--count-flags", default="", help="analysis flags and --tf, quoted")
    kn.add_argument("--out", required=True)
    args, rest = p.parse_known_args(argv)
    if rest and rest[0] == "--":
        rest = rest[1:]

    spark = session(args.master)
    binary = os.path.abspath(args.binary)
    name = binary if args.no_ship else ship_binary(spark, binary)
    started = time.time()
    df = read_documents(spark, args.input, args.partitions)
    if args.command == "fit":
        n = fit(df, name, args.model, rest, args.analysis.split(), args.partitions,
                threads=args.threads, local_binary=binary)
        print(f"fit: {n} summed shards merged into {args.model}", file=sys.stderr)
    elif args.command == "transform":
        transform(spark, df, name, args.model, args.threads).write.mode("overwrite") \
            .parquet(args.out)
    elif args.command == "similar":
        rows = similar(spark, df, name, args.queries, args.model, args.k, rest, args.threads)
        write_tsv(rows.orderBy("query", "rank").collect(),
                  ["query", "rank", "neighbour", "score"], args.out)
    elif args.command == "pairs":
        rows = best_k(block_pairs(spark, df, name, args.model, args.k, args.key,
                                  args.window_days, flags=rest, threads=args.threads),
                      args.k, by=("block", "query"))
        write_tsv(rows.orderBy("block", "query", "rank").collect(),
                  ["block", "query", "rank", "neighbour", "score"], args.out)
    elif args.command == "windows":
        rows = window_pairs(spark, df, name, args.model, args.k, args.days, flags=rest,
                            threads=args.threads)
        write_tsv(rows.orderBy("query", "rank").collect(),
                  ["query", "rank", "neighbour", "score"], args.out)
    elif args.command == "keyness":
        text = keyness(df, name, args.by, rest, args.count_flags.split(), args.partitions,
                       threads=args.threads, local_binary=binary)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"{args.command}: {time.time() - started:.2f} s", file=sys.stderr)
    spark.stop()


def write_tsv(rows, cols, path):
    """Rows as TSV; scores (f32) in their shortest form, as parallax writes them."""
    import numpy as np

    def text(c, v):
        return str(np.float32(v)) if c == "score" else str(v)

    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(text(c, r[c]) for c in cols) + "\n")


if __name__ == "__main__":
    main()
else:
    # Imported by another driver script: ship this module's functions to the executors by value
    # (they need not be importable there).
    try:
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    except ImportError:
        pass
