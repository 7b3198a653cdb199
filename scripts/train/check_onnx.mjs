// Check an exported model folder with transformers.js, offline.
//   node scripts/train/check_onnx.mjs <model dir> [posts.txt for a speed test]
// 1. tokenizer ids == reference_logits.json input_ids; 2. fp32 logits within tolerance_fp32 of PyTorch;
// 3. q8 logits close to fp32 (max abs diff reported); 4. pipeline('text-classification', {top_k: null})
// returns sigmoid scores (multi-label) for every label; 5. optional speed (posts/s, batch 32, 1 thread).
// Run from the repository root so that @huggingface/transformers resolves from ./node_modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, AutoModelForSequenceClassification, pipeline, env } from '@huggingface/transformers';

const [dir, postsFile] = process.argv.slice(2);
const abs = path.resolve(dir);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(abs) + '/';
const name = path.basename(abs);
const ref = JSON.parse(readFileSync(path.join(abs, 'reference_logits.json'), 'utf8'));
const opts = { local_files_only: true, session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } };
let ok = true;

const tok = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
let idMismatch = 0;
for (const s of ref.samples) {
  const ids = tok(s.text, { truncation: true, padding: true, return_tensor: false }).input_ids;
  if (ids.length !== s.input_ids.length || ids.some((v, i) => v !== s.input_ids[i])) idMismatch++;
}
console.log(`tokenizer: ${ref.samples.length - idMismatch}/${ref.samples.length} samples with identical ids`);
if (idMismatch) ok = false;

const logitsBy = {};
for (const dtype of ['fp32', 'q8']) {
  const t0 = performance.now();
  const model = await AutoModelForSequenceClassification.from_pretrained(name, { ...opts, dtype });
  const loadMs = performance.now() - t0;
  const out = [];
  for (const s of ref.samples) {
    const enc = tok(s.text, { truncation: true, padding: true });
    const { logits } = await model(enc);
    out.push(Array.from(logits.data));
  }
  logitsBy[dtype] = out;
  let maxDiff = 0;
  out.forEach((l, i) => l.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - ref.samples[i].logits[j])); }));
  const tol = dtype === 'fp32' ? ref.tolerance_fp32 : Infinity;
  console.log(`${dtype}: loaded in ${loadMs.toFixed(0)} ms; max |logit - pytorch fp32| = ${maxDiff.toExponential(2)}` +
    (dtype === 'fp32' ? ` (tolerance ${tol}) ${maxDiff <= tol ? 'OK' : 'FAIL'}` : ''));
  if (maxDiff > tol) ok = false;
  if (dtype === 'q8') {
    let maxScore = 0;
    out.forEach((l, i) => l.forEach((v, j) => {
      const sig = (x) => 1 / (1 + Math.exp(-x));
      maxScore = Math.max(maxScore, Math.abs(sig(v) - ref.samples[i].scores[j]));
    }));
    console.log(`q8: max |score - fp32 score| = ${maxScore.toFixed(4)}`);
  }
  await model.dispose?.();
}

const clf = await pipeline('text-classification', name, { ...opts, dtype: 'q8' });
const res = await clf(ref.samples[1].text, { top_k: null });
const sum = res.reduce((a, r) => a + r.score, 0);
console.log('pipeline q8, sample 1:', res.map((r) => `${r.label}=${r.score.toFixed(3)}`).join(' '), `(sum ${sum.toFixed(2)})`);
const labelsOk = res.length === ref.labels.length && ref.labels.every((l) => res.some((r) => r.label === l));
const sigmoidOk = ref.labels.every((l, j) => {
  const r = res.find((x) => x.label === l);
  return Math.abs(r.score - 1 / (1 + Math.exp(-logitsBy.q8[1][j]))) < 1e-5;
});
console.log(`pipeline: all ${ref.labels.length} labels ${labelsOk ? 'OK' : 'FAIL'}; sigmoid (not softmax) ${sigmoidOk ? 'OK' : 'FAIL'}`);
if (!labelsOk || !sigmoidOk) ok = false;

if (postsFile) {
  const posts = readFileSync(postsFile, 'utf8').split('\n').filter(Boolean).slice(0, 4000);
  for (const dtype of ['q8', 'fp32']) {
    const p = await pipeline('text-classification', name, { ...opts, dtype });
    await p(posts.slice(0, 32), { top_k: null });
    const t0 = performance.now();
    for (let i = 0; i < posts.length; i += 32) await p(posts.slice(i, i + 32), { top_k: null });
    const s = (performance.now() - t0) / 1000;
    console.log(`speed ${dtype}: ${posts.length} posts in ${s.toFixed(1)} s = ${(posts.length / s).toFixed(0)} posts/s (batch 32, 1 thread)`);
  }
}
console.log(ok ? 'ALL OK' : 'SOME CHECKS FAILED');
process.exit(ok ? 0 : 1);
