#!/usr/bin/env python3
"""Story matching on every visible set at once, as docs/similarity.md reports it.

usage: benches/stories_eval.py [--parallax target/release/parallax] [--shared ../shared]
                               [--articles] [-- EXTRA FLAGS for similar and stories]

- roundups-a and BASIL: top-1 (nearest other-outlet neighbour is the same story, from
  `similar -k 20`), and ARI / pairwise precision, recall, F1 of `stories`, both scored by
  ../shared/tools/story_eval.py;
- lee50: Pearson r of `similar --matrix` against the human ratings (idf fitted on the
  background and the 50, as docs/similarity.md says);
- with --articles, the story structure of allsides-articles (stories, stories with 2+ and 3+
  outlets, the largest story) and the time `stories` took.
Extra flags after `--` go to `similar` and `stories` (e.g. `-- --plain`).
"""
import argparse, json, os, subprocess, sys, tempfile, time


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def story_eval(tools, corpus, nn, st):
    out = subprocess.run([sys.executable, os.path.join(tools, "story_eval.py"), corpus, nn,
                          "--clusters", st], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / (sxx * syy) ** 0.5


def lee(parallax, shared, tmp, extra):
    for name in ("lee", "lee_background"):
        lines = [l for l in open(os.path.join(shared, "data/lee50", name + ".cor"),
                                 encoding="latin-1").read().splitlines() if l.strip()]
        with open(os.path.join(tmp, name + ".jsonl"), "w") as f:
            for i, line in enumerate(lines):
                f.write(json.dumps({"id": f"{name}-{i}", "text": line}) + "\n")
    model = os.path.join(tmp, "lee-model.json")
    run([parallax, "fit", "-q", os.path.join(tmp, "lee_background.jsonl"),
         os.path.join(tmp, "lee.jsonl"), "--model", model])
    pred = os.path.join(tmp, "lee.csv")
    run([parallax, "similar", "-q", os.path.join(tmp, "lee.jsonl"), "--model", model,
         "--matrix", pred, "--out", os.path.join(tmp, "lee-nn.json")] + extra)
    scores = [[float(x) for x in l.split(",")] for l in open(pred)]
    gold = [[float(x) for x in l.split()] for l in open(os.path.join(shared, "data/lee50/similarities0-1.txt"))]
    xs, ys = [], []
    for i in range(50):
        for j in range(i + 1, 50):
            xs.append(scores[i][j])
            ys.append(gold[i][j])
    return pearson(xs, ys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parallax", default="target/release/parallax")
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--articles", action="store_true")
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    tools = os.path.join(a.shared, "tools")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name, path in (("roundups-a", "data/allsides-roundups/roundups-a.jsonl"),
                           ("basil", "data/basil/basil-2010-2014.jsonl")):
            corpus = os.path.join(a.shared, path)
            nn, st = os.path.join(tmp, name + "-nn.json"), os.path.join(tmp, name + "-st.json")
            run([a.parallax, "similar", "-q", corpus, "-k", "20", "--format", "json", "--out", nn] + a.extra)
            run([a.parallax, "stories", "-q", corpus, "--format", "json", "--out", st] + a.extra)
            r = story_eval(tools, corpus, nn, st)
            rows.append(f"| {name} | {r['top1_other_source']:.2f} | {r['ari']:.4f} | "
                        f"{r['pair_precision']:.3f} / {r['pair_recall']:.3f} / {r['pair_f1']:.3f} |")
        print("| set | top-1 % | ARI | pairwise P / R / F1 |")
        print("|---|---|---|---|")
        print("\n".join(rows))
        print(f"\nlee50 Pearson r: {lee(a.parallax, a.shared, tmp, a.extra):.4f}")
        if a.articles:
            corpus = os.path.join(a.shared, "data/allsides-articles/articles-a.jsonl.gz")
            st = os.path.join(tmp, "articles-st.json")
            t = time.perf_counter()
            run([a.parallax, "stories", "-q", corpus, "--format", "json", "--out", st] + a.extra)
            took = time.perf_counter() - t
            stories = json.load(open(st))["stories"]
            outlets = [len(set(s["sources"])) for s in stories]
            print(f"\nallsides-articles: {len(stories)} stories, {sum(o >= 2 for o in outlets)} with 2+ "
                  f"outlets, {sum(o >= 3 for o in outlets)} with 3+, largest {max(len(s['docs']) for s in stories)} "
                  f"documents; stories took {took:.1f} s")


if __name__ == "__main__":
    main()
