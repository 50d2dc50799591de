#!/usr/bin/env python3
"""The coverage report on a real crawl: `parallax compare` against `parallax stories` of the
same file, and the same on a corpus ten times as large.

On ../shared/data/allsides-articles/articles-a.jsonl.gz (18,749 articles, 362 outlet names,
dates as crawled) it runs, alternating, --runs times each:

    parallax stories FILE --format json -o OUT -q
    parallax compare FILE --by source --format json -o r.json --html r.html -q

and prints the median wall times, their ratio (compare costs what stories costs plus the
report: the target is at most 1.3x), each command's peak RSS (of the child process, from
wait4), the sizes of the JSON (against the uncompressed input) and of the page, and how long
headless Chromium takes to load the page (and, beside it, an empty page: the browser's own
start).

Then it writes a corpus --scale times as large (default 10): the file repeated, each copy with
new ids (`ID~k`), a word of its own added to its text (so copies are not exact copies, which
stories always gathers into one story whatever their dates) and its dates moved k spans of the
file's dates earlier, so the copies follow
one another in time and the articles per day stay what they were (as in an archive that grows
year by year), and runs both commands on it once (with --date-min 1000-01-01, the copies going
back centuries), so the growth of time and memory can be read against the 1x figures.

Usage (from the repository root, after `cargo build --release`):
    python3 benches/compare_scale.py [--runs 3] [--scale 10] [--tmp DIR] [--chromium PATH]
Needs only the Python standard library (and Chromium for the load time, skipped without it).
"""

import argparse
import datetime
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "allsides-articles", "articles-a.jsonl.gz")
BINARY = os.path.join(ROOT, "target", "release", "parallax")


def run(args):
    """Runs a command; returns (wall seconds, peak RSS in MiB, CPU seconds) of that child."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(args)}\n{stderr}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def chromium_load(chromium, page, work):
    """Seconds for headless Chromium to load `page` and dump its DOM."""
    profile = tempfile.mkdtemp(dir=work)
    start = time.perf_counter()
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", "file://" + page],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
    took = time.perf_counter() - start
    shutil.rmtree(profile, ignore_errors=True)
    return took


def commands(binary, corpus, out, extra=()):
    stories = [binary, "stories", corpus, "--format", "json", "-o", os.path.join(out, "s.json"), "-q",
               *extra]
    compare = [binary, "compare", corpus, "--by", "source", "--format", "json",
               "-o", os.path.join(out, "r.json"), "--html", os.path.join(out, "r.html"), "-q", *extra]
    return stories, compare


def shift(date, days):
    """An ISO date moved by `days`, or the value as it was when it is not one."""
    try:
        return (datetime.date.fromisoformat(date[:10]) + datetime.timedelta(days=days)).isoformat()
    except (TypeError, ValueError, OverflowError):
        return date


def build_scaled(source, path, scale):
    with gzip.open(source, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    # The span of the plausible dates (a crawl also has a few like 0001-11-30).
    days = [datetime.date.fromisoformat(r["date"]) for r in records
            if len(r.get("date") or "") == 10 and r["date"][4] == "-" and r["date"] >= "1900"]
    span = (max(days) - min(days)).days + 28
    with open(path, "w", encoding="utf-8") as out:
        for k in range(scale):
            for r in records:
                copy = dict(r)
                copy["id"] = f"{r['id']}~{k}"
                if k:
                    copy["text"] = f"{r.get('text') or ''} edition{k}"
                if k and copy.get("date"):
                    copy["date"] = shift(copy["date"], -span * k)
                out.write(json.dumps(copy, ensure_ascii=False))
                out.write("\n")
    return len(records) * scale


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=BINARY)
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, default=10, help="0 skips the scaled corpus")
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    if not os.path.exists(args.data):
        sys.exit(f"{args.data} is missing (../shared/data beside the repository)")
    work = tempfile.mkdtemp(prefix="parallax-compare-", dir=args.tmp)
    try:
        stories_cmd, compare_cmd = commands(args.bin, args.data, work)
        times = {"stories": [], "compare": []}
        cpus = {"stories": [], "compare": []}
        peaks = {"stories": 0.0, "compare": 0.0}
        for _ in range(args.runs):
            for name, cmd in (("stories", stories_cmd), ("compare", compare_cmd)):
                wall, peak, cpu = run(cmd)
                times[name].append(wall)
                cpus[name].append(cpu)
                peaks[name] = max(peaks[name], peak)
        med = {k: statistics.median(v) for k, v in times.items()}
        med_cpu = {k: statistics.median(v) for k, v in cpus.items()}
        with gzip.open(args.data, "rb") as f:
            raw = sum(len(chunk) for chunk in iter(lambda: f.read(1 << 20), b""))
        json_size = os.path.getsize(os.path.join(work, "r.json"))
        html = os.path.join(work, "r.html")
        print(f"input: {args.data} ({os.path.getsize(args.data) / 1e6:.1f} MB gzip, {raw / 1e6:.1f} MB JSONL)")
        for name in ("stories", "compare"):
            runs = ", ".join(f"{t:.2f}" for t in times[name])
            print(f"{name:8} median {med[name]:6.2f} s  (runs {runs})  CPU {med_cpu[name]:6.2f} s  "
                  f"peak RSS {peaks[name]:.0f} MiB")
        print(f"compare / stories: {med['compare'] / med['stories']:.2f}x wall, "
              f"{med_cpu['compare'] / med_cpu['stories']:.2f}x CPU (target <= 1.3x)")
        print(f"JSON {json_size / 1e6:.1f} MB = {100 * json_size / raw:.1f}% of the input (target <= 20%); "
              f"HTML {os.path.getsize(html) / 1e6:.2f} MB (target <= 5 MB)")
        if os.path.exists(args.chromium):
            empty = os.path.join(work, "empty.html")
            with open(empty, "w") as f:
                f.write("<!DOCTYPE html><title>empty</title>")
            loads = [chromium_load(args.chromium, html, work) for _ in range(3)]
            bases = [chromium_load(args.chromium, empty, work) for _ in range(3)]
            print(f"Chromium load and DOM dump: report {statistics.median(loads):.2f} s, empty page "
                  f"{statistics.median(bases):.2f} s (medians of 3; target <= 3 s)")
        else:
            print(f"Chromium load: skipped ({args.chromium} is missing)")

        if args.scale > 1:
            scaled = os.path.join(work, f"x{args.scale}.jsonl")
            n = build_scaled(args.data, scaled, args.scale)
            print(f"\n{args.scale}x corpus: {n} articles, {os.path.getsize(scaled) / 1e9:.2f} GB JSONL")
            stories_cmd, compare_cmd = commands(args.bin, scaled, work, ["--date-min", "1000-01-01"])
            for name, cmd in (("stories", stories_cmd), ("compare", compare_cmd)):
                wall, peak, cpu = run(cmd)
                print(f"{name:8} {wall:7.2f} s ({wall / med[name]:.1f}x the 1x median), CPU {cpu:.1f} s "
                      f"({cpu / med_cpu[name]:.1f}x)  peak RSS {peak:.0f} MiB ({peak / peaks[name]:.1f}x)")
            json_size = os.path.getsize(os.path.join(work, "r.json"))
            print(f"JSON {json_size / 1e6:.1f} MB = {100 * json_size / os.path.getsize(scaled):.1f}% of the input; "
                  f"HTML {os.path.getsize(html) / 1e6:.2f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
