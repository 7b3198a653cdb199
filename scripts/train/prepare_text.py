#!/usr/bin/env python3
"""Gather unlabelled text for MLM pretraining into one normalised, de-duplicated post per line.

    /usr/bin/python3 scripts/train/prepare_text.py --imported .cache/imported \
        --datasets /work/shared/datasets --labelled 'corpora/labelled/*.jsonl' --out .cache/pretrain/text.txt

Sources: every importer output in --imported (except the *.binary.jsonl duplicate), the unlabelled / all-toxic
extra files of the shared datasets (asnbkk raw YouTube comments, rudetoxifier and vyhuholl toxic lines,
sariellee texts), and the project's labelled corpora. Texts of the ru-toxic-2ch-pikabu test split (the split
on which F1 is reported against RuBERT-Toxic) are excluded so that the encoder never saw them.
"""
import argparse
import csv
import glob
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textnorm import normalize  # noqa: E402

csv.field_size_limit(sys.maxsize)


def extra_texts(ds):
    """Unlabelled or all-positive texts not covered by the importers."""
    base = os.path.join(ds, "kk-ru-toxic-comments-asnbkk/a511d75/data")
    for fn in ("train.csv", "validation.csv"):
        p = os.path.join(base, fn)
        if os.path.exists(p):
            with open(p, encoding="utf-8", newline="") as fh:
                for r in csv.DictReader(fh):
                    yield "asnbkk-raw", r.get("text_original") or ""
    for src, rel in [("rudetoxifier", "ru-rudetoxifier/data/test/ru_test_10k_toxic"),
                     ("vyhuholl", "ru-detox-vyhuholl/data/test.txt")]:
        p = os.path.join(ds, rel)
        if os.path.exists(p):
            with open(p, encoding="utf-8") as fh:
                for line in fh:
                    yield src, line
    p = os.path.join(ds, "ru-detox-vyhuholl/data/parallel_corpus.csv")
    if os.path.exists(p):
        with open(p, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                yield "vyhuholl", r.get("toxic") or ""
                yield "vyhuholl", r.get("polite") or ""
    for rel, delim in [("ru-abusive-sariellee/data/processed_separate/out.csv", ","),
                       ("ru-abusive-sariellee/data/processed_separate/out_troll.csv", ","),
                       ("ru-abusive-sariellee/data/processed_separate/out_south_park.csv", ";")]:
        p = os.path.join(ds, rel)
        if os.path.exists(p):
            with open(p, encoding="utf-8", newline="") as fh:
                for r in csv.DictReader(fh, delimiter=delim):
                    yield "sariellee", r.get("text") or ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--imported", default=".cache/imported")
    ap.add_argument("--datasets", default="/work/shared/datasets")
    ap.add_argument("--labelled", default="corpora/labelled/*.jsonl")
    ap.add_argument("--out", default=".cache/pretrain/text.txt")
    ap.add_argument("--min-chars", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    excluded = set()
    binp = os.path.join(args.imported, "ru-toxic-2ch-pikabu.binary.jsonl")
    if os.path.exists(binp):
        with open(binp, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r.get("split") == "test":
                    excluded.add(normalize(r["text"]))

    seen = set()
    lines = []
    stats = {}

    def add(src, text):
        t = normalize(text)
        st = stats.setdefault(src, [0, 0])
        st[0] += 1
        if len(t) < args.min_chars or t in seen or t in excluded:
            return
        seen.add(t)
        st[1] += 1
        lines.append(t)

    for p in sorted(glob.glob(os.path.join(args.imported, "*.jsonl"))):
        if p.endswith(".binary.jsonl"):
            continue
        src = os.path.basename(p)[:-6]
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                add(src, json.loads(line)["text"])
    for src, t in extra_texts(args.datasets):
        add(src, t)
    for p in sorted(glob.glob(args.labelled)):
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    post = json.loads(line)
                    # The test and calib splits stay unseen even as unlabelled text: test figures go in the README, calib fits fusion.
                    if post.get("split") in ("test", "calib"):
                        continue
                    add("labelled:" + os.path.basename(p), post["text"])

    random.Random(args.seed).shuffle(lines)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for t in lines:
            fh.write(t + "\n")
    for src, (n, kept) in sorted(stats.items()):
        print("%-45s read %7d  kept %7d" % (src, n, kept))
    size = os.path.getsize(args.out)
    print("excluded (pikabu test split): %d texts" % len(excluded))
    print("wrote %s: %d lines, %.1f MB" % (args.out, len(lines), size / 1e6))


if __name__ == "__main__":
    main()
