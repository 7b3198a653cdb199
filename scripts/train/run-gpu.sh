#!/bin/bash
# GPU pretraining + fine-tuning for qorgau-tiny: what made the bundled model (one H200, about 7 minutes).
# Expects a folder .gpu/ at the repository root holding ids16.pt (scripts/train/pack_ids.py), tokenizer/
# (.cache/clean/tokenizer), finetune.jsonl (dump-finetune.mjs) and pikabu.jsonl; writes into $OUT: the
# best fine-tuned model by dev macro F1 (best-model.pt), summary.json and logs.tgz. Then, on the CPU machine:
# export_onnx.py --model best-model.pt … and qorgau calibrate (scripts/train/README.md).
# Usage: OUT=/some/dir bash scripts/train/run-gpu.sh   (PT_MIN, FT_MIN, EPOCHS, DEV, BF16, PY override)
cd "$(dirname "$0")/../.."
export PYTHONUNBUFFERED=1
P=${PY:-python3}
mkdir -p $OUT/logs
nvidia-smi -L; $P -c "import torch; print(torch.__version__, torch.cuda.is_available())"
T0=$(date +%s)
PT="scripts/train/pretrain.py --ids .gpu/ids16.pt --tokenizer .gpu/tokenizer --minutes ${PT_MIN:-5} --ckpt-minutes 1 --device ${DEV:-cuda} ${BF16---bf16} --log-every 200"
$P $PT --out /tmp/a --batch-tokens 32768 --lr 2e-3 --dropout 0.1 > $OUT/logs/pretrain-a.log 2>&1 &
$P $PT --out /tmp/b --batch-tokens 65536 --lr 2.5e-3 --dropout 0.0 > $OUT/logs/pretrain-b.log 2>&1 &
wait
echo "pretraining done after $(( $(date +%s) - T0 )) s"
cp /tmp/a/encoder.pt $OUT/encoder-a.pt; cp /tmp/b/encoder.pt $OUT/encoder-b.pt
cp /tmp/a/history.json $OUT/logs/history-a.json; cp /tmp/b/history.json $OUT/logs/history-b.json
FT="scripts/train/finetune.py --data .gpu/finetune.jsonl --tokenizer .gpu/tokenizer --max-len 64 --pos-weight sqrt --device ${DEV:-cuda} --max-minutes ${FT_MIN:-2.5}"
for e in a b; do
  for lr in 3e-4 1e-3; do
    $P $FT --init /tmp/$e/encoder.pt --out /tmp/ft-$e-$lr --lr $lr --epochs ${EPOCHS:-15} > $OUT/logs/ft-$e-$lr.log 2>&1 &
  done
  $P scripts/train/finetune.py --data .gpu/pikabu.jsonl --labels cyberbullying --init /tmp/$e/encoder.pt --tokenizer .gpu/tokenizer --out /tmp/pikabu-$e --epochs 4 --max-len 64 --device ${DEV:-cuda} --max-minutes ${FT_MIN:-2.5} > $OUT/logs/pikabu-$e.log 2>&1 &
done
wait
echo "fine-tuning done after $(( $(date +%s) - T0 )) s"
$P - <<'PY'
import json, glob, os, shutil
out = os.environ["OUT"]
runs = {}
for d in sorted(glob.glob("/tmp/ft-*")) + sorted(glob.glob("/tmp/pikabu-*")):
    try:
        m = json.load(open(d + "/metrics.json"))
    except Exception as e:
        runs[d] = {"error": str(e)}; continue
    shutil.copy(d + "/metrics.json", out + "/logs/" + os.path.basename(d) + ".metrics.json")
    runs[d] = {"best_epoch": m["best_epoch"], "dev_macro": m["dev"]["macro_f1"], "dev_micro": m["dev"]["micro_f1"]}
ft = {d: r for d, r in runs.items() if "/ft-" in d and "dev_macro" in r}
best = max(ft, key=lambda d: ft[d]["dev_macro"])
shutil.copy(best + "/model.pt", out + "/best-model.pt")
json.dump({"runs": runs, "best": best}, open(out + "/summary.json", "w"), indent=1)
print(json.dumps({"runs": runs, "best": best}, indent=1))
PY
cd $OUT && tar czf logs.tgz logs && rm -rf logs
