#!/usr/bin/env python3
"""The task-side pipe of parallax_spark.py, without Spark (standard library only; run by
`cargo test` through tests/cluster.rs): records with newlines, tabs, quotes and non-ASCII text
reach parallax intact; output streams back while input is still being written; a failing child
raises ParallaxError with its stderr; the child sees only the environment the wrapper gives it.

Usage: python3 spark/test_pipe.py PARALLAX_BINARY
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parallax_spark as ps  # noqa: E402

BINARY = None
RECORDS = [
    {"id": "a\tb", "text": "Line one\nline two \"quoted\"\r\n\ttabbed, naïve café Ωmega", "source": "x"},
    {"id": "c", "text": "Harbour levy vote\n\nsecond paragraph with the harbour", "title": None},
    {"id": "d\\e", "text": "ferry strike harbour levy \u2028 separator", "source": "y"},
]


class Pipe(unittest.TestCase):
    def test_records_arrive_intact(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "docs.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for r in RECORDS:
                    f.write(json.dumps(r) + "\n")
            direct = subprocess.run(
                [BINARY, "-q", "fit", "--shard", path, "--model", "/dev/stdout"],
                check=True, capture_output=True).stdout
            piped = b"".join(ps.run_parallax(
                BINARY, ["fit", "--shard", "-", "--model", "/dev/stdout"],
                iter([ps.jsonl(RECORDS[:2]), ps.jsonl(RECORDS[2:])])))
            self.assertEqual(piped, direct)
            # The ids come back as sent (tabs and backslashes included).
            model = os.path.join(d, "m.json")
            subprocess.run([BINARY, "-q", "fit", path, "--model", model], check=True)
            rows = [json.loads(x) for x in ps.run_parallax(
                BINARY, ["transform", "-", "--model", model, "--format", "jsonl-indices"],
                iter([ps.jsonl(RECORDS)]))]
            self.assertEqual([r["id"] for r in rows], [r["id"] for r in RECORDS])

    def test_output_streams_while_input_is_written(self):
        # 20,000 rows through `blocks` (one output line per input line): far more than a pipe
        # buffer holds, so reading and writing must overlap.
        chunks = (ps.jsonl({"id": f"{b}-{i}", "text": "x " * 50, "source": f"s{i % 7}"}
                           for i in range(1000)) for b in range(20))
        n = sum(1 for _ in ps.run_parallax(BINARY, ["blocks", "-", "--key", "source"], chunks))
        self.assertEqual(n, 20_000)

    def test_a_failing_child_raises_with_its_stderr(self):
        bad = iter([ps.jsonl([{"id": "x", "title": "no text"}])])
        with self.assertRaises(ps.ParallaxError) as e:
            list(ps.run_parallax(BINARY, ["fit", "--shard", "-", "--model", "/dev/stdout"], bad))
        self.assertIn("exited with 1", str(e.exception))
        self.assertIn("field `text`: missing", str(e.exception))

    def test_an_error_in_the_input_stops_the_child(self):
        def broken():
            yield ps.jsonl(RECORDS)
            raise ValueError("the input failed")

        with self.assertRaises(ValueError):
            list(ps.run_parallax(BINARY, ["blocks", "-", "--key", "source"], broken()))

    def test_the_environment_is_explicit(self):
        env = ps.child_env("/tmp/w")
        self.assertEqual(sorted(env), ["HOME", "LC_ALL", "PATH", "TMPDIR"])
        os.environ["PARALLAX_TEST_SECRET"] = "1"
        self.assertNotIn("PARALLAX_TEST_SECRET", ps.child_env("/tmp/w"))


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
