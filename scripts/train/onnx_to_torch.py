#!/usr/bin/env python3
"""Recover a fine-tuning checkpoint from an exported fp32 ONNX classifier (the bundled models/qorgau-tiny).

    /usr/bin/python3 scripts/train/onnx_to_torch.py --model models/qorgau-tiny --out .cache/model/recovered/model.pt

Why: the PyTorch checkpoints behind the bundled model live in .cache/ and are gone on a fresh machine, but the
fp32 graph `onnx/model.onnx` holds every weight. export_onnx.py writes the torch exporter's graph, where a Linear
layer's weight is a transposed MatMul initializer (`onnx::MatMul_*`), Q/K/V are one product (layer 0: [Q K V];
the [CLS]-only last layer: Q alone and [K V]) and biases are either named parameters or fused `onnx::Add_*`
constants. This walks the graph's MatMul nodes in order, maps them back to parameter names, and writes
{"model": state_dict, "config": …, "labels": …} in finetune.py's format, checked by re-running the graph's
reference inputs (reference_logits.json) through the rebuilt PyTorch model.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import BertConfig, BertForSequenceClassification  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/qorgau-tiny", help="folder with config.json and onnx/model.onnx")
    ap.add_argument("--out", default=".cache/model/recovered/model.pt")
    args = ap.parse_args()

    hf = json.load(open(os.path.join(args.model, "config.json"), encoding="utf-8"))
    labels = [hf["id2label"][str(i)] for i in range(len(hf["id2label"]))]
    fields = BertConfig.__dataclass_fields__
    cfg = BertConfig(**{k: hf[k] for k in fields if k in hf and k != "num_labels"}, num_labels=len(labels))
    g = onnx.load(os.path.join(args.model, "onnx", "model.onnx")).graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    H = cfg.hidden_size
    sd = {k: torch.from_numpy(v.copy()) for k, v in inits.items() if not k.startswith("onnx::")}

    def bias_of(matmul_out):
        # The Add that consumes a MatMul's output carries its bias (a named parameter or a fused constant).
        for n in g.node:
            if n.op_type == "Add" and matmul_out in n.input:
                other = [i for i in n.input if i != matmul_out][0]
                return inits[other]
        raise SystemExit("no bias Add after %s" % matmul_out)

    for n in g.node:
        if n.op_type != "MatMul" or n.input[1] not in inits:
            continue
        W = inits[n.input[1]].T  # torch Linear weight: [out, in]
        b = bias_of(n.output[0])
        path = n.output[0].split("/")  # /bert/encoder/layer.0/attention/self/MatMul_output_0
        layer = path[3].split(".")[1]
        pre = "bert.encoder.layer.%s." % layer
        sub = "/".join(path[4:-1])
        if sub == "attention/self" and W.shape[0] == 3 * H:
            for j, name in enumerate(("query", "key", "value")):
                sd[pre + "attention.self.%s.weight" % name] = torch.from_numpy(W[j * H:(j + 1) * H].copy())
                sd[pre + "attention.self.%s.bias" % name] = torch.from_numpy(b[j * H:(j + 1) * H].copy())
        elif sub == "attention/self" and W.shape[0] == 2 * H:
            for j, name in enumerate(("key", "value")):
                sd[pre + "attention.self.%s.weight" % name] = torch.from_numpy(W[j * H:(j + 1) * H].copy())
                sd[pre + "attention.self.%s.bias" % name] = torch.from_numpy(b[j * H:(j + 1) * H].copy())
        else:
            name = {"attention/self/query": "attention.self.query", "attention/output/dense": "attention.output.dense",
                    "intermediate/dense": "intermediate.dense", "output/dense": "output.dense"}[sub]
            sd[pre + name + ".weight"] = torch.from_numpy(W.copy())
            sd[pre + name + ".bias"] = torch.from_numpy(np.asarray(b).copy())

    model = BertForSequenceClassification(cfg)
    own = model.state_dict()
    missing = [k for k in own if k not in sd]
    extra = [k for k in sd if k not in own]
    if missing or extra:
        raise SystemExit("recovered weights do not match the model: missing %s, extra %s" % (missing, extra))
    model.load_state_dict(sd)
    model.eval()

    ref = json.load(open(os.path.join(args.model, "reference_logits.json"), encoding="utf-8"))
    items = ref["samples"]
    worst = 0.0
    with torch.no_grad():
        for it in items:
            ids = torch.tensor([it["input_ids"]], dtype=torch.long)
            out = model(ids, torch.ones_like(ids), torch.zeros_like(ids))[0].numpy()
            worst = max(worst, float(np.abs(out - np.asarray(it["logits"])).max()))
    if worst > 1e-3:
        raise SystemExit("recovered model differs from the reference logits by %.2g" % worst)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "labels": labels, "recovered_from": args.model},
               args.out)
    print("recovered %d tensors from %s; reference logits within %.1e; wrote %s" % (len(sd), args.model, worst, args.out))


if __name__ == "__main__":
    main()
