#!/usr/bin/env python3
"""Masked-LM pretraining of the small BERT on .cache/pretrain/text.txt (CPU, one torch thread).

    nohup /usr/bin/python3 scripts/train/pretrain.py --text .cache/pretrain/text.txt \
        --tokenizer .cache/model/tokenizer --out .cache/model/pretrain --minutes 50 --resume \
        >> .cache/model/pretrain/log.txt 2>&1 &

- Posts are encoded with wordpiece.py (same ids as transformers.js); a post longer than --max-len is cut into
  several [CLS] ... [SEP] windows so no text is wasted. Encoded ids are cached in <out>/ids.pt.
- Batches hold up to --batch-tokens tokens (padded, posts grouped by length), 15% of the real tokens are
  masked (80% [MASK], 10% random, 10% kept); the loss is computed at masked positions only.
- AdamW, linear warm-up (first --warmup fraction) then linear decay to 0. By default the schedule follows
  elapsed training time, so the run ends after --minutes whatever the load on the machine; elapsed time is
  stored in the checkpoint, so --resume continues the same schedule. --total-steps gives a step-based one.
- Dropout is 0 during pretraining by default (the model underfits in an hour; dropout costs ~8% on CPU).
- Every --ckpt-minutes: <out>/ckpt.pt (model, optimiser, step, schedule; written atomically) and a held-out
  MLM loss/accuracy on 2,000 windows never trained on.
"""
import argparse
import contextlib
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import BertConfig, BertForMaskedLM  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def encode_corpus(text_path, tok, max_len, cache_path):
    if os.path.exists(cache_path) and os.path.getmtime(cache_path) > os.path.getmtime(text_path):
        d = torch.load(cache_path)
        log("loaded %d windows from %s" % (len(d["lengths"]), cache_path))
        return d
    t0 = time.time()
    seqs = []
    inner = max_len - 2
    with open(text_path, encoding="utf-8") as fh:
        for line in fh:
            ids = tok.tokenize_ids(line.rstrip("\n"))
            if not ids:
                continue
            for s in range(0, len(ids), inner):
                chunk = ids[s:s + inner]
                if s > 0 and len(chunk) < 8:
                    break
                seqs.append([tok.cls_id] + chunk + [tok.sep_id])
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int32)
    flat = torch.tensor([i for s in seqs for i in s], dtype=torch.int32)
    offsets = torch.zeros(len(seqs) + 1, dtype=torch.int64)
    offsets[1:] = torch.cumsum(lengths.to(torch.int64), 0)
    d = {"flat": flat, "offsets": offsets, "lengths": lengths}
    torch.save(d, cache_path)
    log("encoded %d windows, %d tokens in %.0fs" % (len(seqs), len(flat), time.time() - t0))
    return d


def make_batches(indices, lengths, batch_tokens, seed):
    """Group windows of similar length; each batch has <= batch_tokens padded tokens. Deterministic in seed."""
    rng = random.Random(seed)
    idx = list(indices)
    rng.shuffle(idx)
    batches = []
    chunk = 20000
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: lengths[i])
        cur = []
        cur_max = 0
        for i in part:
            L = lengths[i]
            if cur and max(cur_max, L) * (len(cur) + 1) > batch_tokens:
                batches.append(cur)
                cur, cur_max = [], 0
            cur.append(i)
            cur_max = max(cur_max, L)
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(batch, data, pad_id, L=None):
    # Vectorised: a GPU step takes milliseconds, a Python loop over ~1,000 rows would dominate it. With the data on
    # the GPU, pass L (the longest window, known on the CPU) so that nothing waits for the GPU.
    dev = data["flat"].device
    b = torch.tensor(batch, dtype=torch.long, device=dev)
    lens = data["lengths"][b].to(torch.long)
    if L is None:
        L = int(lens.max())
    pos = torch.arange(L, dtype=torch.long, device=dev)
    idx = data["offsets"][b][:, None] + pos[None, :]
    valid = pos[None, :] < lens[:, None]
    ids = data["flat"][idx.clamp(max=len(data["flat"]) - 1)].to(torch.long)
    ids[~valid] = pad_id
    return ids


def mask_tokens(ids, gen, mask_id, vocab_size, n_special, prob=0.15):
    dev = ids.device
    labels = ids.clone()
    special = ids < n_special  # [PAD] [UNK] [CLS] [SEP] [MASK] are ids 0..4
    p = torch.rand(ids.shape, generator=gen, device=dev)
    chosen = (p < prob) & ~special
    if dev.type == "cpu":
        # make sure the batch has at least one masked token
        if chosen.sum() == 0:
            chosen[:, 1] = ~special[:, 1]
    else:
        # the same guarantee per row, without waiting for the GPU
        chosen[:, 1] |= (chosen.sum(1) == 0) & ~special[:, 1]
    labels[~chosen] = -100
    r = torch.rand(ids.shape, generator=gen, device=dev)
    inp = ids.clone()
    inp[chosen & (r < 0.8)] = mask_id
    rnd = chosen & (r >= 0.8) & (r < 0.9)
    inp[rnd] = torch.randint(n_special, vocab_size, ids.shape, generator=gen, device=dev)[rnd]
    return inp, labels


def evaluate(model, data, dev_batches, tok, vocab_size, device="cpu"):
    model.eval()
    gen = torch.Generator(device=data["flat"].device).manual_seed(12345)
    tot_loss = tot_acc = tot_n = 0.0
    with torch.no_grad():
        for b in dev_batches:
            ids = collate(b, data, tok.pad_id)
            inp, labels = mask_tokens(ids, gen, tok.mask_id, vocab_size, 5)
            loss, acc = model(inp.to(device), (ids != tok.pad_id).long().to(device), labels.to(device))
            n = float((labels != -100).sum())
            tot_loss += float(loss) * n
            tot_acc += float(acc) * n
            tot_n += n
    model.train()
    return tot_loss / tot_n, tot_acc / tot_n


def save_ckpt(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", default=".cache/pretrain/text.txt")
    ap.add_argument("--tokenizer", default=".cache/model/tokenizer")
    ap.add_argument("--out", default=".cache/model/pretrain")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=512)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--minutes", type=float, default=50.0,
                    help="training time budget; the LR schedule follows elapsed time (resume-aware)")
    ap.add_argument("--total-steps", type=int, default=0, help="step-based schedule instead of --minutes")
    ap.add_argument("--dropout", type=float, default=0.0, help="dropout during pretraining (0: faster on CPU)")
    ap.add_argument("--ckpt-minutes", type=float, default=4.0)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--ids", default="", help="pre-encoded windows (flat/offsets/lengths, e.g. a copy of <out>/ids.pt "
                    "made elsewhere); --text is not read then")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is available")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (GPU)")
    ap.add_argument("--gpu-data", action="store_true",
                    help="keep the encoded windows on --device and batch and mask there (no CPU work per step)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    tok = WordPieceTokenizer.from_tokenizer_json(os.path.join(args.tokenizer, "tokenizer.json"), args.max_len)
    vocab_size = len(tok.vocab)
    if args.ids:
        data = torch.load(args.ids)
        log("loaded %d windows from %s" % (len(data["lengths"]), args.ids))
    else:
        data = encode_corpus(args.text, tok, args.max_len, os.path.join(args.out, "ids.pt"))
    lengths = data["lengths"].tolist()
    if args.gpu_data:
        data = {k: v.to(args.device) for k, v in data.items()}
    n = len(lengths)
    perm = list(range(n))
    random.Random(0).shuffle(perm)
    dev_idx, train_idx = perm[:2000], perm[2000:]
    dev_batches = make_batches(dev_idx, lengths, args.batch_tokens, 0)
    n_train_tokens = sum(lengths[i] for i in train_idx)

    cfg = BertConfig(vocab_size=vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                     num_attention_heads=args.heads, intermediate_size=args.intermediate,
                     max_position_embeddings=args.max_len, hidden_dropout_prob=args.dropout,
                     attention_probs_dropout_prob=args.dropout)
    torch.manual_seed(args.seed)
    model = BertForMaskedLM(cfg).to(args.device)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if (p.ndim == 1 or "LayerNorm" in name) else decay).append(p)
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    try:  # one fused kernel for the update on a GPU (torch >= 2.0)
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98), eps=1e-6, fused=args.device.startswith("cuda"))
    except (TypeError, RuntimeError):
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    ckpt_path = os.path.join(args.out, "ckpt.pt")
    step = 0
    total_steps = args.total_steps
    elapsed_before = 0.0
    history = []
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=args.device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, total_steps = ck["step"], ck["total_steps"]
        elapsed_before = ck.get("elapsed", 0.0)
        history = ck.get("history", [])
        log("resumed from %s at step %d, %.1f min trained" % (ckpt_path, step, elapsed_before / 60))
        if ck.get("finished"):
            log("already finished")
            return
    n_params = sum(p.numel() for p in model.parameters())
    log("config %s; %.2fM params; %d train windows (%.2fM tokens), %d dev windows; vocab %d" % (
        json.dumps(cfg.to_dict()), n_params / 1e6, len(train_idx), n_train_tokens / 1e6, len(dev_idx), vocab_size))

    epoch_cache = {}

    def batch_for(s):
        # step -> (epoch, position): epochs are generated deterministically from the seed
        e, pos = 0, s
        while True:
            if e not in epoch_cache:
                if len(epoch_cache) > 2:
                    epoch_cache.clear()
                epoch_cache[e] = make_batches(train_idx, lengths, args.batch_tokens, args.seed * 1000 + e)
            nb = len(epoch_cache[e])
            if pos < nb:
                return e, epoch_cache[e][pos]
            pos -= nb
            e += 1

    batch_for(0)
    n_batches_epoch = len(epoch_cache[0])
    log("%d batches per epoch (<= %d tokens each)" % (n_batches_epoch, args.batch_tokens))

    model.train()
    t_start = time.time()
    t_last_ckpt = time.time()
    run_loss = run_acc = 0.0
    run_n = 0
    t_log = time.time()
    tok_log = 0
    bench_t0 = None
    done = False
    while not done:
        epoch, b = batch_for(step)
        ids = collate(b, data, tok.pad_id, max(lengths[i] for i in b))
        gen = torch.Generator(device=ids.device).manual_seed(args.seed * 1_000_003 + step)
        inp, labels = mask_tokens(ids, gen, tok.mask_id, vocab_size, 5)
        elapsed = elapsed_before + time.time() - t_start
        if total_steps:  # step-based schedule
            progress = step / total_steps
        else:  # time-based schedule: finishes after --minutes of training whatever the machine's load
            progress = elapsed / (args.minutes * 60)
        if progress >= 1.0:
            done = True
        lr = args.lr * (progress / args.warmup if progress < args.warmup
                        else max(0.0, (1.0 - progress) / (1.0 - args.warmup)))
        for g in opt.param_groups:
            g["lr"] = lr
        want_acc = (step + 1) % args.log_every == 0
        with (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if args.bf16 else contextlib.nullcontext()):
            loss, acc = model(inp.to(args.device, non_blocking=True), (ids != tok.pad_id).long().to(args.device),
                              labels.to(args.device, non_blocking=True), with_acc=want_acc)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss += loss.detach()  # a tensor: reading it every step would make the CPU wait for the GPU
        run_acc = acc.detach() if want_acc else run_acc
        run_n += 1
        tok_log += ids.numel()

        if step % args.log_every == 0:
            dt = time.time() - t_log
            log("step %d ep %d progress %.3f loss %.4f acc %.3f lr %.2e %.0f tok/s" % (
                step, epoch, progress, float(run_loss) / run_n, float(run_acc), lr, tok_log / dt))
            history.append({"step": step, "train_loss": round(float(run_loss) / run_n, 4)})
            run_loss = run_acc = 0.0
            run_n = 0
            t_log = time.time()
            tok_log = 0

        if total_steps and step >= total_steps:
            done = True
        if done or time.time() - t_last_ckpt > args.ckpt_minutes * 60:
            dl, da = evaluate(model, data, dev_batches, tok, vocab_size, args.device)
            elapsed = elapsed_before + time.time() - t_start
            history.append({"step": step, "dev_loss": round(dl, 4), "dev_acc": round(da, 4),
                            "minutes": round(elapsed / 60, 1)})
            save_ckpt(ckpt_path, {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                                  "total_steps": total_steps, "config": cfg.to_dict(), "elapsed": elapsed,
                                  "history": history, "args": vars(args), "finished": done})
            # The encoder alone (no optimiser state): what fine-tuning reads, small enough to copy around.
            save_ckpt(os.path.join(args.out, "encoder.pt"), {
                "model": {k: v.detach().cpu() for k, v in model.state_dict().items()}, "step": step,
                "config": cfg.to_dict(), "history": history})
            log("checkpoint step %d: dev MLM loss %.4f acc %.3f (%.1f min elapsed) -> %s" % (
                step, dl, da, elapsed / 60, ckpt_path))
            t_last_ckpt = time.time()
    with open(os.path.join(args.out, "history.json"), "w") as fh:
        json.dump(history, fh, indent=0)
    log("finished: %d steps" % step)


if __name__ == "__main__":
    main()
