#!/usr/bin/env python3
"""Build a finetune.jsonl from the importers' output and corpora/labelled (stand-in until the lead's Node
script produces the real one with the pipeline normaliser).

    /usr/bin/python3 scripts/train/make_finetune_data.py --imported .cache/imported \
        --labelled 'corpora/labelled/*.jsonl' --out .cache/finetune/finetune.jsonl [--max-per-source 3000]

Text is normalised with textnorm.normalize (approximation of the pipeline). weight = --silver-weight for
silver rows, 1.0 otherwise. split = stable md5 hash of the normalised text (80/10/10). Spam rows marked
"relabel" (category unknown) and the *.binary.jsonl duplicate are skipped.
"""
import argparse
import glob
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textnorm import normalize  # noqa: E402


def split_of(text):
    h = int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "train" if h < 8 else ("dev" if h == 8 else "test")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--imported", default=".cache/imported")
    ap.add_argument("--labelled", default="corpora/labelled/*.jsonl")
    ap.add_argument("--out", default=".cache/finetune/finetune.jsonl")
    ap.add_argument("--silver-weight", type=float, default=0.3)
    ap.add_argument("--max-per-source", type=int, default=0, help="random sample per source file (0: all)")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    files = [p for p in sorted(glob.glob(os.path.join(args.imported, "*.jsonl"))) if not p.endswith(".binary.jsonl")]
    files += sorted(glob.glob(args.labelled))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    rng = random.Random(args.seed)
    seen = set()
    counts = {}
    with open(args.out, "w", encoding="utf-8") as fo:
        for p in files:
            rows = [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
            rows = [r for r in rows if not r.get("relabel")]
            if args.max_per_source and len(rows) > args.max_per_source:
                rows = rng.sample(rows, args.max_per_source)
            for r in rows:
                t = normalize(r["text"])
                if not t or t in seen:
                    continue
                seen.add(t)
                rec = {"text": t, "labels": r.get("labels", []),
                       "weight": args.silver_weight if r.get("silver") else 1.0, "split": split_of(t),
                       "source": r.get("source", os.path.basename(p))}
                fo.write(json.dumps(rec, ensure_ascii=False) + "\n")
                c = counts.setdefault(os.path.basename(p), [0, 0])
                c[0] += 1
                c[1] += bool(rec["labels"])
    for k, (n, pos) in counts.items():
        print("%-45s %6d rows, %5d with labels" % (k, n, pos))
    print("-> %s" % args.out)


if __name__ == "__main__":
    main()
