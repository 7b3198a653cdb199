// Compare transformers.js token ids with scripts/train/encode_check.py output.
//   node scripts/train/compare_tokenizer.mjs <model dir containing tokenizer.json> <ids.jsonl>
// Run from the repository root (resolves @huggingface/transformers from ./node_modules).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, idsFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.resolve(path.dirname(dir)) + '/';
const tok = await AutoTokenizer.from_pretrained(path.basename(dir), { local_files_only: true });
const lines = readFileSync(idsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
let bad = 0;
for (const { text, input_ids } of lines) {
  const enc = tok(text, { truncation: true, padding: true, return_tensor: false });
  const js = enc.input_ids;
  if (js.length !== input_ids.length || js.some((v, i) => v !== input_ids[i])) {
    if (bad < 5) console.log('MISMATCH', JSON.stringify(text).slice(0, 200), '\n js', js.join(' '), '\n py', input_ids.join(' '));
    bad++;
  }
}
console.log(`${lines.length - bad}/${lines.length} identical`);
process.exit(bad ? 1 : 0);
