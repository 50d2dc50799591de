"""parallax.read_corpus: the CLI's readers, errors as Python exceptions with file and line."""

from pathlib import Path

import pytest

import parallax

ROOT = Path(__file__).resolve().parents[2]


def test_reads_the_demo_corpus():
    files = sorted(p for p in (ROOT / "corpus").rglob("*.md") if p.name != "README.md")
    rows = parallax.read_corpus(ROOT / "corpus", as_frame=False)
    assert len(rows) == len(files)
    assert {"commoner-weekly", "daily-klaxon"} <= {r["source"] for r in rows}
    assert all(r["text"] for r in rows)


def test_data_frame_when_pandas_is_there():
    pd = pytest.importorskip("pandas")
    df = parallax.read_corpus([ROOT / "corpus"])
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["id", "text", "title", "source", "date", "meta"]


def test_missing_file_is_an_os_error(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(OSError, match="nope.jsonl"):
        parallax.read_corpus(missing)


def test_malformed_record_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        parallax.read_corpus(bad)
    no_text = tmp_path / "no_text.jsonl"
    no_text.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"no_text.jsonl:1: field `text`"):
        parallax.read_corpus(no_text)
