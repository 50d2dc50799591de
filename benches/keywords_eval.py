#!/usr/bin/env python3
"""F1@10 of `parallax keywords` on the four keyphrase sets of ../shared/data, with the mean.

usage: python3 benches/keywords_eval.py [--bin target/release/parallax] [-- EXTRA FLAGS...]

Each set is run with its language (`--language french` for WikiNews-FR) and the extra flags, and
scored with ../shared/tools/kw_eval.py (Porter-stemmed exact match, every gold key counted).
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
SETS = [  # (folder, label, language flags)
    ("500n-kpcrowd", "500N-KPCrowd", []),
    ("inspec", "Inspec", []),
    ("semeval2017", "SemEval-2017", []),
    ("wikinews-fr", "WikiNews-FR", ["--language", "french"]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "parallax"))
    ap.add_argument("--k", default="10")
    ap.add_argument("extra", nargs="*", help="flags passed to `parallax keywords` (after --)")
    a = ap.parse_args()
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder, label, lang in SETS:
            data = os.path.join(SHARED, "data", folder)
            if not os.path.isdir(data):
                sys.exit(f"{data} is missing")
            pred = os.path.join(tmp, folder + ".json")
            cmd = [a.bin, "keywords", os.path.join(data, "docsutf8"), *lang, *a.extra,
                   "--format", "json", "-q"]
            t = time.perf_counter()
            with open(pred, "w") as out:
                subprocess.run(cmd, stdout=out, check=True)
            secs = time.perf_counter() - t
            res = subprocess.run([sys.executable, os.path.join(SHARED, "tools", "kw_eval.py"),
                                  pred, os.path.join(data, "keys"), "--k", a.k],
                                 capture_output=True, text=True, check=True)
            f1 = json.loads(res.stdout)[f"F1@{a.k}"]
            scores.append(f1)
            print(f"{label:14} F1@{a.k} {f1:6.2f}   ({secs:.1f} s)", flush=True)
    print(f"{'mean':14} F1@{a.k} {sum(scores) / len(scores):6.2f}")


if __name__ == "__main__":
    main()
