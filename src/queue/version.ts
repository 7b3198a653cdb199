import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedOptions } from '../options.js';
import { listRuleFiles } from '../rules/load.js';

function hashFolder(h: ReturnType<typeof createHash>, dir: string, depth = 0): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      if (depth < 2) hashFolder(h, path, depth + 1);
      continue;
    }
    // Weights are hashed by name and size (reading 100 MB at every start would be slow); the small files
    // that change with a refit (config, fusion, thresholds) by content.
    h.update(`${name}\0${stat.size}\0`);
    if (stat.size < 1_000_000 && /\.(json|txt)$/.test(name)) h.update(readFileSync(path));
  }
}

/**
 * A short digest of what decides a result: the rule files, the model folder, the weights' dtype, the
 * thresholds and the fusion setting. Result keys include it, so the same post scored by an updated worker
 * gets a new result instead of being taken for a duplicate.
 */
export function analyzerVersion(opts: ResolvedOptions, modelName: string | null): string {
  const h = createHash('sha256');
  for (const dir of opts.ruleDirs) for (const file of listRuleFiles(dir)) h.update(file).update(readFileSync(file));
  h.update(`model\0${modelName ?? 'none'}\0${opts.modelDtype}\0`);
  if (modelName !== null && opts.model !== false) hashFolder(h, opts.model);
  h.update(JSON.stringify(opts.thresholds));
  h.update(opts.fusion === false ? 'nofusion' : opts.fusion === undefined ? 'fusion:file' : JSON.stringify(opts.fusion));
  h.update(opts.keepComponents ? 'components' : '');
  return h.digest('base64url').slice(0, 12);
}
