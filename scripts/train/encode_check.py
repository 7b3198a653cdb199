#!/usr/bin/env python3
"""Encode posts with the Python WordPiece encoder, for comparison with transformers.js.

    /usr/bin/python3 scripts/train/encode_check.py --tokenizer .cache/model/tokenizer/tokenizer.json \
        --in posts.txt --out ids.jsonl [--max-length 128]

--in: one post per line (JSON-string lines are decoded too: a line starting with '"' is read with json.loads,
so posts containing newlines can be passed). --out: one JSON object per input line,
{"text": ..., "input_ids": [...]} with [CLS]/[SEP] added and truncation applied after them, exactly as
transformers.js does with {truncation: true} and model_max_length.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import WordPieceTokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default=".cache/model/tokenizer/tokenizer.json")
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-length", type=int, default=128)
    args = ap.parse_args()
    tok = WordPieceTokenizer.from_tokenizer_json(args.tokenizer, args.max_length)
    n = 0
    with open(args.inp, encoding="utf-8") as fi, open(args.out, "w", encoding="utf-8") as fo:
        for line in fi:
            line = line.rstrip("\n")
            text = json.loads(line) if line.startswith('"') else line
            fo.write(json.dumps({"text": text, "input_ids": tok.encode(text, max_length=args.max_length)},
                                ensure_ascii=False) + "\n")
            n += 1
    print("encoded %d posts -> %s" % (n, args.out))


if __name__ == "__main__":
    main()
