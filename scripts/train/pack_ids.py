#!/usr/bin/env python3
"""Packs pretrain.py's encoded windows (<out>/ids.pt, int32) as int16 for copying to a GPU machine.

    /usr/bin/python3 scripts/train/pack_ids.py .cache/clean/pretrain/ids.pt .gpu/ids16.pt

Half the size (17.7 MB for the 7.6 M tokens of the bundled model's text), so the ids, the tokenizer and the
fine-tuning data travel together under a 64 MB transfer limit; pretrain.py --ids reads either form.
"""
import sys

import torch

src, dst = sys.argv[1], sys.argv[2]
d = torch.load(src)
if int(d["flat"].max()) >= 32767:
    raise SystemExit("vocabulary too large for int16 ids")
torch.save({"flat": d["flat"].to(torch.int16), "offsets": d["offsets"], "lengths": d["lengths"].to(torch.int16)}, dst)
print("%s: %d windows, %d tokens -> %s" % (src, len(d["lengths"]), len(d["flat"]), dst))
