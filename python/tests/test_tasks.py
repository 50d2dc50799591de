"""The tasks as Python calls: the same tables as the CLI's commands, models that round-trip
with the CLI's, documents from every kind of input.

The CLI binary is target/release/parallax (python/ci.sh builds it) or $PARALLAX_BIN.
"""

import csv
import datetime
import io
import json
import os
import subprocess
import warnings
from pathlib import Path

import pytest

import parallax

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PARALLAX_SHARED", ROOT.parent / "shared"))
BASIL = SHARED / "data/basil/basil-2010-2014.jsonl"
BIN = Path(os.environ.get("PARALLAX_BIN", ROOT / "target/release/parallax"))

needs_basil = pytest.mark.skipif(not BASIL.exists(), reason="../shared/data/basil is not there")
needs_cli = pytest.mark.skipif(not BIN.exists(), reason=f"no CLI binary at {BIN}")


def cli(*args):
    out = subprocess.run([str(BIN), *map(str, args), "-q"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def tsv(text):
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def basil():
    return parallax.documents(BASIL)


def close(a, b):
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


# --- the same numbers as the CLI ---------------------------------------------------------------


@needs_basil
@needs_cli
@pytest.mark.parametrize("extra", [{}, {"plain": True}, {"measure": "bm25"}, {"across_sources": True}])
def test_similar_is_the_cli_table(basil, extra):
    flags = {"plain": ["--plain"], "measure": ["--measure", "bm25"], "across_sources": ["--across-sources"]}
    args = [a for key in extra for a in flags[key]]
    expected = tsv(cli("similar", BASIL, "-k", 4, "--format", "tsv", *args))
    got = parallax.similar(basil, k=4, as_frame=False, **extra)
    assert len(got) == len(expected) == 4 * 150
    for g, e in zip(got, expected):
        assert (g["id"], g["rank"], g["neighbour"]) == (e["id"], int(e["rank"]), e["neighbour"])
        assert close(g["score"], e["score"]) and (g["source"] or "") == e["source"]


@needs_basil
@needs_cli
def test_stories_are_the_cli_stories(basil):
    expected = tsv(cli("stories", BASIL, "--format", "tsv"))
    got = parallax.stories(basil, as_frame=False)
    rows = [(str(s["story"]), i, s["label"]) for s in got for i in s["ids"]]
    assert rows == [(e["story"], e["id"], e["label"]) for e in expected]
    # BASIL's 50 events, each told by its three outlets.
    assert len(got) == 50 and all(s["sources"] == ["fox", "hpo", "nyt"] for s in got)


@needs_basil
@needs_cli
@pytest.mark.parametrize("per", ["document", "source", "corpus", "story"])
def test_keywords_are_the_cli_keywords(basil, per):
    flag = "doc" if per == "document" else per
    expected = tsv(cli("keywords", BASIL, "-n", 5, "--per", flag, "--format", "tsv"))
    got = parallax.keywords(basil, n=5, per=per, as_frame=False)
    label = "doc" if per == "document" else "group"
    assert [(g[label], g["rank"], g["phrase"], g["stem"], g["count"]) for g in got] == [
        (e[label], int(e["rank"]), e["phrase"], e["stem"], int(e["count"])) for e in expected
    ]
    assert all(close(g["score"], e["score"]) for g, e in zip(got, expected))


@needs_basil
@needs_cli
def test_keyness_is_the_cli_keyness(basil):
    expected = tsv(cli("keyness", BASIL, "--by", "source", "-n", 10, "--format", "tsv"))
    got = parallax.keyness(basil, by="source", top=10, as_frame=False)
    assert [(g["target"], g["term"], g["surface"]) for g in got] == [
        (e["target"], e["term"], e["surface"]) for e in expected
    ]
    for g, e in zip(got, expected):
        assert close(g["g2"], e["g2"]) and close(g["p_adjusted"], e["p_adjusted"])
        assert g["count_target"] == float(e["count_target"])


@needs_basil
@needs_cli
def test_compare_is_the_cli_report(basil, tmp_path):
    expected = json.loads(cli("compare", BASIL, "--format", "json", "--html", tmp_path / "cli.html"))
    got = parallax.compare(basil, html=tmp_path / "py.html")
    assert got == expected
    assert (tmp_path / "py.html").read_bytes() == (tmp_path / "cli.html").read_bytes()


@needs_basil
@needs_cli
def test_models_round_trip_with_the_cli(basil, tmp_path):
    cli("fit", BASIL, "--model", tmp_path / "cli.json")
    whole = parallax.fit(basil)
    whole.save(tmp_path / "py.json")
    assert (tmp_path / "py.json").read_bytes() == (tmp_path / "cli.json").read_bytes()
    rows = basil.rows()
    first = parallax.documents([dict(zip(("id", "text", "title", "source", "date"), r)) for r in rows[:70]])
    rest = parallax.documents([dict(zip(("id", "text", "title", "source", "date"), r)) for r in rows[70:]])
    for grown in (parallax.fit(first).update(rest), parallax.merge([parallax.fit(first), parallax.fit(rest)])):
        grown.save(tmp_path / "grown.json")
        assert (tmp_path / "grown.json").read_bytes() == (tmp_path / "cli.json").read_bytes()
    loaded = parallax.Model.load(tmp_path / "cli.json")
    assert (loaded.transform(basil) != whole.transform(basil)).nnz == 0
    assert loaded.surfaces == whole.surfaces and loaded.n_docs == 150


# --- one answer for any thread count -----------------------------------------------------------


@needs_basil
def test_threads_do_not_change_results(basil):
    one = parallax.stories(basil, n_jobs=1, as_frame=False)
    two = parallax.stories(basil, n_jobs=2, as_frame=False)
    assert one == two
    assert parallax.keywords(basil, n_jobs=1, as_frame=False) == parallax.keywords(basil, n_jobs=2, as_frame=False)


# --- documents from Python values --------------------------------------------------------------


def test_texts_with_fields_and_a_data_frame_give_the_same_documents():
    pd = pytest.importorskip("pandas")
    texts = ["Ferry strike ends at dawn.", "Council votes harbour levy.", "Ferry crews return."]
    dates = [datetime.date(2024, 3, 1), "2024-03-02", pd.Timestamp("2024-03-03 17:00")]
    a = parallax.documents(texts, ids=["a", "b", "c"], sources=["x", "y", "x"], dates=dates)
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "text": texts, "source": ["x", "y", "x"], "date": dates, "desk": ["f", None, "f"],
         "page": pd.array([1, 2, None], dtype="Int64")}
    )
    b = parallax.documents(frame)
    assert [r[:5] for r in a.rows()] == [r[:5] for r in b.rows()]
    assert [r[4] for r in b.rows()] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert [r[5] for r in b.rows()] == [{"desk": "f", "page": "1"}, {"page": "2"}, {"desk": "f"}]
    # A metadata column groups like any field.
    with pytest.warns(parallax.ReadWarning, match="1 document\\(s\\) without `desk` are left out"):
        ranked = parallax.keywords(frame, per="desk", n=2, as_frame=False)
    assert {r["group"] for r in ranked} == {"f"}
    # read_corpus's table goes back in unchanged.
    again = parallax.documents(parallax.read_corpus(ROOT / "corpus"))
    assert again.rows() == parallax.documents(ROOT / "corpus").rows()


def test_records_without_pandas_shape():
    docs = parallax.documents([{"text": "One.", "topic": 3}, {"text": "Two."}])
    assert [r[0] for r in docs.rows()] == ["0", "1"]  # no document has an id: positions
    assert docs.rows()[0][5] == {"topic": "3"}


def test_a_set_aside_date_warns_and_is_counted():
    with pytest.warns(parallax.ReadWarning, match=r"unreadable date.*<documents>:2"):
        docs = parallax.documents(["One.", "Two."], dates=["2024-01-05", "the fifth"])
    report = docs.report()
    assert report["undated"] == 1 and report["set_aside"][0]["count"] == 1


def test_input_options_are_the_clis(tmp_path):
    path = write(
        tmp_path / "outlets.jsonl",
        '{"key": "a", "body": "Ferry strike.", "outlet": "x", "day": "3/4/2024"}\n'
        '{"key": "b", "body": "Harbour levy.", "outlet": "y", "day": "30.04.2024"}\n',
    )
    fields = {"id": "key", "text": "body", "source": "outlet", "date": "day"}
    with pytest.warns(parallax.ReadWarning, match='ambiguous date.*give date_order="mdy" or "dmy"'):
        docs = parallax.documents(path, fields=fields)
    assert [r[4] for r in docs.rows()] == [None, "2024-04-30"]
    dmy = parallax.documents(path, fields=fields, date_order="dmy")
    assert [(r[0], r[3], r[4]) for r in dmy.rows()] == [("a", "x", "2024-04-03"), ("b", "y", "2024-04-30")]
    records = [{"key": "a", "body": "Ferry strike.", "day": "2024-04-03", "desk": "city"}]
    made = parallax.documents(records, fields={"id": "key", "text": "body", "date": "day"})
    assert made.rows() == [("a", "Ferry strike.", None, None, "2024-04-03", {"desk": "city"})]
    with pytest.warns(parallax.ReadWarning, match="implausible date"):
        parallax.documents(["x"], dates=["1850-01-01"])
    assert parallax.documents(["x"], dates=["1850-01-01"], date_min="1800-01-01").rows()[0][4] == "1850-01-01"
    with pytest.raises(ValueError, match="fields: `body` is not one of"):
        parallax.documents(["x"], fields={"body": "text"})


@pytest.mark.parametrize(
    "data, kwargs, error, message",
    [
        (["a", "b"], {"ids": ["x", "x"]}, ValueError, r"duplicate document id `x`: first at <documents>:1, again at <documents>:2"),
        ([{"id": "a"}], {}, ValueError, r"document 1: no `text`"),
        ([{"text": 3.5}], {}, ValueError, r"document 1: `text` is a float"),
        (["a", "b"], {"sources": ["x"]}, ValueError, r"sources: 1 values for 2 documents"),
        ([b"bytes"], {}, ValueError, r"document 1: a bytes"),
    ],
)
def test_bad_documents_raise_clear_errors(data, kwargs, error, message):
    with pytest.raises(error, match=message):
        parallax.documents(data, **kwargs)


# --- every bad input class of the CLI ----------------------------------------------------------


def write(path, text):
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    "name, content, error, message",
    [
        ("missing.jsonl", None, OSError, r"missing.jsonl"),
        ("broken.jsonl", '{"id": "a", "text": "x"}\n{"id": "b", "text": \n', ValueError, r"broken.jsonl:2"),
        ("no_text.jsonl", '{"id": "a"}\n', ValueError, r"no_text.jsonl:1: field `text`"),
        ("typed.jsonl", '{"id": "a", "text": 7}\n', ValueError, r"typed.jsonl:1: field `text`"),
        ("twice.jsonl", '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', ValueError, r"twice.jsonl:1.*twice.jsonl:2"),
        ("latin1.jsonl", b'{"id": "a", "text": "caf\xe9"}\n', ValueError, r"latin1.jsonl:1"),
        ("header.csv", "id,body\na,x\n", ValueError, r"header.csv:1: field `text`: missing from the header"),
        ("ragged.csv", "id,text\na,x,y\n", ValueError, r"ragged.csv:2: malformed record"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path, name, content, error, message):
    path = tmp_path / name
    if content is not None:
        write(path, content)
    with pytest.raises(error, match=message):
        parallax.documents(path)


def test_skipping_bad_records_counts_and_warns(tmp_path):
    path = write(tmp_path / "mixed.jsonl", '{"id": "a", "text": "x"}\n{"id": "b", "text": \n{"id": "c", "text": "z"}\n')
    with pytest.warns(parallax.ReadWarning, match=r"1 bad record\(s\) skipped \(first: .*mixed.jsonl:2"):
        docs = parallax.documents(path, on_error="skip")
    assert len(docs) == 2 and docs.report()["skipped"] == 1


def test_bad_model_files_and_parameters(tmp_path):
    with pytest.raises(ValueError, match=r"bad.json"):
        parallax.Model.load(write(tmp_path / "bad.json", '{"format": "nonsense"}'))
    with pytest.raises(OSError, match=r"absent.json"):
        parallax.Model.load(tmp_path / "absent.json")
    docs = ["Ferry strike ends.", "Council votes levy."]
    with pytest.raises(ValueError, match=r"min.df 2"):
        parallax.fit(docs, min_df=2, max_df=1)
    with pytest.raises(ValueError, match=r"language"):
        parallax.fit(docs, language="klingon")
    with pytest.raises(ValueError, match=r"no document has this field"):
        parallax.keyness(docs, by="source")
    with pytest.raises(ValueError, match=r"cannot be combined with model"):
        parallax.similar(docs, model=parallax.fit(docs), stem=False)
    with pytest.raises(ValueError, match=r"measure"):
        parallax.similar(docs, measure="euclid")
    with pytest.raises(ValueError, match=r"no term|empty"):
        parallax.fit(["the of and", "a the"], stop_words="sklearn")


def test_models_pickle_and_transform_texts():
    import pickle

    docs = ["Ferry strike ends at dawn.", "Council votes harbour levy.", "Ferry crews return."]
    model = parallax.fit(docs)
    again = pickle.loads(pickle.dumps(model))
    assert again.terms == model.terms and (again.transform(docs) != model.transform(docs)).nnz == 0
    assert "ferri" in model.terms and "Ferry" in model.surfaces


NEWS = SHARED / "data/20news/20news-bydate.jsonl"


@pytest.mark.skipif(not NEWS.exists(), reason="../shared/data/20news is not there")
def test_ctrl_c_interrupts_a_long_call():
    import signal
    import threading
    import time

    docs = parallax.documents(NEWS)
    # A process started in the background without job control ignores SIGINT (Python then
    # installs no handler): the test gives it Python's own, as a terminal session has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        started = time.perf_counter()
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            parallax.similar(docs, k=50, plain=True)  # several seconds of work on 2 cores
        waited = time.perf_counter() - started
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert waited < 1.5, f"returned {waited:.2f} s after the call began (signal at 0.3 s)"


@needs_basil
def test_the_readme_session_runs(tmp_path, monkeypatch):
    readme = (ROOT / "python/README.md").read_text(encoding="utf-8")
    session = readme.split("## A session\n\n```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(session.replace("../shared/data/basil", str(BASIL.parent)), scope)
    assert (tmp_path / "coverage.html").exists() and (tmp_path / "model.json").exists()
    assert scope["X"].shape[0] == len(scope["tonight"]) and scope["model"].n_docs == 150
    assert scope["both"].terms == scope["model"].terms
    assert scope["stories"]["size"].sum() == 150


def test_python_values_follow_the_readers_rules():
    with pytest.raises(ValueError, match=r"<documents>:2: field `id`: empty id"):
        parallax.documents([{"id": "a", "text": "x"}, {"id": "", "text": "y"}])
    with pytest.raises(ValueError, match=r"document 2: `id` is missing \(other documents have one\)"):
        parallax.documents([{"id": "1", "text": "x"}, {"text": "y"}])
    rows = parallax.documents([{"id": 10.0, "text": "x", "flag": True}, {"id": 11, "text": "y", "flag": False}]).rows()
    assert [(r[0], r[5]) for r in rows] == [("10", {"flag": "true"}), ("11", {"flag": "false"})]


def test_parameters_the_cli_would_refuse_are_refused():
    docs = ["Ferry strike ends at dawn.", "Council votes harbour levy.", "Ferry crews return."]
    model = parallax.fit(docs)
    for call, message in [
        (lambda: parallax.fit(docs, model=model), "model"),
        (lambda: parallax.keyness(docs, model=model), "model"),
        (lambda: parallax.keywords(docs, plain=True), "plain"),
        (lambda: parallax.keywords(docs, model=model, norm="l1"), "norm"),
        (lambda: parallax.keyness(docs, top=0), "top"),
        (lambda: parallax.keyness(docs, all_pairs=True, reference="x"), "all_pairs"),
        (lambda: parallax.similar(docs, k=0), "`k` = 0"),
        (lambda: parallax.similar(docs, window_days=-1), "window_days"),
        (lambda: parallax.stories(docs, near_duplicate=2), "near_duplicate"),
        (lambda: parallax.fit(docs, min_df=-1), "min_df"),
        (lambda: parallax.fit(docs, max_features=0), "max_features"),
        (lambda: parallax.fit(docs, stop_words="english"), "stop_words"),
        (lambda: parallax.similar(docs, n_jobs=0), "n_jobs"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
    # joblib's convention, as parallax.sklearn: -1 is every core.
    assert parallax.similar(docs, n_jobs=-1, as_frame=False) == parallax.similar(docs, n_jobs=1, as_frame=False)
