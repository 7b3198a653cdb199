#!/usr/bin/env python3
"""Fine-tune the pretrained small BERT as a multi-label classifier (BCE with logits, one sigmoid per category).

    /usr/bin/python3 scripts/train/finetune.py --data finetune.jsonl \
        --init .cache/model/pretrain/ckpt.pt --tokenizer .cache/model/tokenizer --out .cache/model/finetuned

Input JSONL, one post per line:
    {"text": "<already normalised by the pipeline>", "labels": ["drugs", ...], "weight": 1.0,
     "split": "train" | "dev" | "test"}
labels may be empty (clean post); weight is optional (default 1.0; silver rows e.g. 0.3); other fields are
ignored. Labels not in --labels are an error. Trains on split=train, evaluates on split=dev after every epoch
(per-category precision/recall/F1 at threshold 0.5, micro and macro F1) and keeps the epoch with the best dev
macro F1 (over categories that have dev positives); finally reports split=test with that model.

Writes <out>/model.pt (state dict + config + labels), <out>/metrics.json (per-epoch dev metrics, test metrics,
per-category dev-best thresholds for information) and <out>/log.txt.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import BertConfig, BertForSequenceClassification  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402

CATEGORIES = ["drugs", "cyberbullying", "extremism", "hate", "suicide", "gambling", "fraud", "sexual", "weapons"]

_log_fh = None


def log(msg):
    line = time.strftime("%H:%M:%S ") + msg
    print(line, flush=True)
    if _log_fh:
        _log_fh.write(line + "\n")
        _log_fh.flush()


def load_data(path, labels, tok, max_len):
    idx = {l: i for i, l in enumerate(labels)}
    splits = {"train": [], "dev": [], "test": []}
    with open(path, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            sp = r.get("split", "train")
            if sp not in splits:
                raise SystemExit("%s:%d: unknown split %r" % (path, ln, sp))
            y = [0.0] * len(labels)
            for l in r.get("labels", []):
                if l not in idx:
                    raise SystemExit("%s:%d: label %r not in --labels %s" % (path, ln, l, ",".join(labels)))
                y[idx[l]] = 1.0
            w = float(r.get("weight", 1.0))
            splits[sp].append((tok.encode(r["text"], max_length=max_len), y, w))
    return splits


def batches(rows, batch_size, shuffle, seed):
    """Length-bucketed batches (less padding); shuffled order when training."""
    order = list(range(len(rows)))
    if shuffle:
        random.Random(seed).shuffle(order)
        chunk = batch_size * 50
        out = []
        for c in range(0, len(order), chunk):
            part = sorted(order[c:c + chunk], key=lambda i: len(rows[i][0]))
            out += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
        random.Random(seed + 1).shuffle(out)
        return out
    order.sort(key=lambda i: len(rows[i][0]))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def collate(rows, b, pad_id):
    L = max(len(rows[i][0]) for i in b)
    ids = torch.full((len(b), L), pad_id, dtype=torch.long)
    for r, i in enumerate(b):
        ids[r, :len(rows[i][0])] = torch.tensor(rows[i][0], dtype=torch.long)
    y = torch.tensor([rows[i][1] for i in b], dtype=torch.float32)
    w = torch.tensor([rows[i][2] for i in b], dtype=torch.float32)
    return ids, (ids != pad_id).long(), y, w


@torch.no_grad()
def predict(model, rows, pad_id, batch_size=128):
    model.eval()
    device = next(model.parameters()).device
    probs = torch.zeros(len(rows), model.num_labels)
    for b in batches(rows, batch_size, False, 0):
        ids, am, _, _ = collate(rows, b, pad_id)
        ids, am = ids.to(device), am.to(device)
        probs[b] = torch.sigmoid(model(ids, am, torch.zeros_like(ids))).float().cpu()
    model.train()
    return probs


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def metrics(probs, rows, labels, threshold=0.5):
    y = torch.tensor([r[1] for r in rows])
    pred = probs >= threshold
    out = {"per_label": {}}
    TP = FP = FN = 0
    f1s = []
    for j, l in enumerate(labels):
        tp = int((pred[:, j] & (y[:, j] == 1)).sum())
        fp = int((pred[:, j] & (y[:, j] == 0)).sum())
        fn = int((~pred[:, j] & (y[:, j] == 1)).sum())
        p, r, f = prf(tp, fp, fn)
        out["per_label"][l] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "support": tp + fn,
                               "predicted": tp + fp}
        if tp + fn > 0:
            f1s.append(f)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
    out["micro_f1"] = round(prf(TP, FP, FN)[2], 4)
    out["macro_f1"] = round(sum(f1s) / len(f1s), 4) if f1s else 0.0
    clean = (y.sum(1) == 0)
    out["clean_flagged_rate"] = round(float(pred[clean].any(1).float().mean()), 4) if clean.any() else None
    return out


def best_thresholds(probs, rows, labels):
    y = torch.tensor([r[1] for r in rows])
    th = {}
    for j, l in enumerate(labels):
        if y[:, j].sum() == 0:
            continue
        best = (0.0, 0.5)
        for t in [x / 100 for x in range(5, 96, 5)]:
            pred = probs[:, j] >= t
            tp = int((pred & (y[:, j] == 1)).sum())
            fp = int((pred & (y[:, j] == 0)).sum())
            fn = int((~pred & (y[:, j] == 1)).sum())
            f = prf(tp, fp, fn)[2]
            if f > best[0]:
                best = (f, t)
        th[l] = {"threshold": best[1], "f1": round(best[0], 4)}
    return th


def fmt(m):
    s = "micro %.3f macro %.3f" % (m["micro_f1"], m["macro_f1"])
    if m.get("clean_flagged_rate") is not None:
        s += " clean-flagged %.3f" % m["clean_flagged_rate"]
    for l, v in m["per_label"].items():
        if v["support"]:
            s += " | %s %.3f (p%.2f r%.2f n%d)" % (l, v["f1"], v["p"], v["r"], v["support"])
    return s


def main():
    global _log_fh
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--init", default=".cache/model/pretrain/ckpt.pt",
                    help="pretraining checkpoint (MLM), or a classifier checkpoint with the same labels to continue from; 'none' = random init")
    ap.add_argument("--tokenizer", default=".cache/model/tokenizer")
    ap.add_argument("--out", default=".cache/model/finetuned")
    ap.add_argument("--labels", default=",".join(CATEGORIES), help="comma-separated label order (head size)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--pos-weight", choices=["none", "sqrt"], default="none",
                    help="sqrt: BCE pos_weight = sqrt(neg/pos) per label, capped at 10")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop training after this many minutes (0: no cap)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is available")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    _log_fh = open(os.path.join(args.out, "log.txt"), "a", encoding="utf-8")
    log("args %s" % json.dumps(vars(args)))
    labels = [l.strip() for l in args.labels.split(",") if l.strip()]
    tok = WordPieceTokenizer.from_tokenizer_json(os.path.join(args.tokenizer, "tokenizer.json"), args.max_len)

    t0 = time.time()
    data = load_data(args.data, labels, tok, args.max_len)
    train, dev, test = data["train"], data["dev"], data["test"]
    log("data: train %d, dev %d, test %d (encoded in %.0fs)" % (len(train), len(dev), len(test), time.time() - t0))
    if not train:
        raise SystemExit("no split=train rows")
    for name, rows in (("train", train), ("dev", dev)):
        if rows:
            cnt = [int(sum(r[1][j] for r in rows)) for j in range(len(labels))]
            log("  %s positives: %s" % (name, ", ".join("%s %d" % (l, c) for l, c in zip(labels, cnt))))

    if args.init and args.init != "none":
        ck = torch.load(args.init, map_location="cpu")
        base = dict(ck["config"])
    else:
        ck = None
        base = {"vocab_size": len(tok.vocab)}
    base.update({"num_labels": len(labels), "hidden_dropout_prob": args.dropout,
                 "attention_probs_dropout_prob": args.dropout})
    cfg = BertConfig(**base)
    if cfg.vocab_size != len(tok.vocab):
        raise SystemExit("tokenizer vocab %d != checkpoint vocab %d" % (len(tok.vocab), cfg.vocab_size))
    model = BertForSequenceClassification(cfg)
    if ck is not None:
        missing = model.load_encoder_from_mlm(ck["model"])
        if ck.get("labels") == labels:
            # A classifier checkpoint (this script's model.pt, or onnx_to_torch.py's recovery of a shipped
            # model) with the same labels: continue from its pooler and head as well, not from fresh ones.
            own = model.state_dict()
            head = [k for k in own if k.startswith(("bert.pooler.", "classifier.")) and k in ck["model"]]
            for k in head:
                own[k] = ck["model"][k]
            model.load_state_dict(own)
            log("continuing from the classifier in %s (%d pooler/head tensors)" % (args.init, len(head)))
        log("initialised encoder from %s (step %s)%s" % (args.init, ck.get("step"),
                                                       ("; missing: %s" % missing) if missing else ""))
    model.to(args.device)

    pos_weight = None
    if args.pos_weight == "sqrt":
        y = torch.tensor([r[1] for r in train])
        pos = y.sum(0).clamp(min=1)
        pos_weight = ((len(train) - pos) / pos).sqrt().clamp(1.0, 10.0).to(args.device)
        log("pos_weight %s" % [round(float(x), 2) for x in pos_weight])

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if (p.ndim == 1 or "LayerNorm" in name) else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(args.warmup * total))

    history = []
    best = None
    step = 0
    t_train = time.time()
    stop = False
    for epoch in range(1, args.epochs + 1):
        te = time.time()
        tot_loss = 0.0
        nb = 0
        for b in batches(train, args.batch_size, True, args.seed * 100 + epoch):
            ids, am, y, w = (t.to(args.device) for t in collate(train, b, tok.pad_id))
            lr = args.lr * (step / warm if step < warm else max(0.0, (total - step) / (total - warm)))
            for g in opt.param_groups:
                g["lr"] = lr
            logits = model(ids, am, torch.zeros_like(ids))
            l = F.binary_cross_entropy_with_logits(logits, y, pos_weight=pos_weight, reduction="none").mean(1)
            loss = (l * w).sum() / w.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            nb += 1
            tot_loss += float(loss)
            if args.max_minutes and time.time() - t_train > args.max_minutes * 60:
                stop = True
                break
        train_time = time.time() - te
        entry = {"epoch": epoch, "train_loss": round(tot_loss / max(nb, 1), 4), "steps": nb,
                 "train_seconds": round(train_time, 1), "examples_per_s": round(nb * args.batch_size / train_time, 1)}
        if dev:
            probs = predict(model, dev, tok.pad_id)
            entry["dev"] = metrics(probs, dev, labels)
            score = entry["dev"]["macro_f1"]
        else:
            score = -entry["train_loss"]
        history.append(entry)
        log("epoch %d: loss %.4f, %d steps in %.0fs (%.0f ex/s)%s" % (
            epoch, entry["train_loss"], nb, train_time, entry["examples_per_s"],
            ("\n    dev " + fmt(entry["dev"])) if dev else ""))
        if best is None or score > best[0]:
            best = (score, epoch, {k: v.detach().cpu().clone() for k, v in model.state_dict().items()})
            torch.save({"model": best[2], "config": cfg.to_dict(), "labels": labels, "epoch": epoch,
                        "tokenizer": os.path.abspath(args.tokenizer)}, os.path.join(args.out, "model.pt"))
        if stop:
            log("stopped: --max-minutes %.1f reached" % args.max_minutes)
            break

    model.load_state_dict(best[2])
    result = {"labels": labels, "best_epoch": best[1], "history": history, "args": vars(args),
              "train_minutes": round((time.time() - t_train) / 60, 2)}
    if dev:
        probs = predict(model, dev, tok.pad_id)
        result["dev"] = metrics(probs, dev, labels)
        result["dev_best_thresholds"] = best_thresholds(probs, dev, labels)
    if test:
        probs = predict(model, test, tok.pad_id)
        result["test"] = metrics(probs, test, labels)
        log("test (epoch %d model): %s" % (best[1], fmt(result["test"])))
    with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    log("best epoch %d -> %s" % (best[1], os.path.join(args.out, "model.pt")))


if __name__ == "__main__":
    main()
