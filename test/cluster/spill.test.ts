import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClusterer } from '../../src/cluster/index.js';
import { SignatureStore } from '../../src/cluster/spill.js';
import { ROOT } from '../helpers/cli.js';

const reposts = readFileSync(join(ROOT, 'corpora', 'clusters', 'reposts.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string });

function reference(): { rep: number[]; size: number[] } {
  const c = createClusterer();
  reposts.forEach((r, i) => c.add(r.text, (i % 7) / 7));
  const a = c.assignments();
  return { rep: a.map((x) => x.cluster), size: a.map((x) => x.size) };
}

describe('SignatureStore', () => {
  it.each([
    ['in memory', 1e9, 1e9],
    ['from its file', 2_000, 1e9],
    ['on disk (sorted LSH buckets)', 2_000, 0],
  ])('%s: the same clusters as the incremental clusterer on the repost test set', async (_name, maxBytes, inMemoryPosts) => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-sigs-'));
    const store = new SignatureStore({ dir, maxBytes, inMemoryPosts });
    reposts.forEach((r, i) => store.add(r.text, (i % 7) / 7));
    const table = await store.cluster();
    store.remove();
    const ref = reference();
    expect([...table.rep]).toEqual(ref.rep);
    expect([...table.size]).toEqual(ref.size);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a resumed store cuts its file back to the checkpointed count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-sigs-'));
    const a = new SignatureStore({ dir, maxBytes: 1 });
    reposts.slice(0, 100).forEach((r) => a.add(r.text, 0.5));
    a.flush();
    a.close();
    const b = new SignatureStore({ dir, resumeCount: 60 });
    expect(b.count).toBe(60);
    reposts.slice(60).forEach((r) => b.add(r.text, 0.5));
    const fresh = new SignatureStore({ dir: mkdtempSync(join(tmpdir(), 'qorgau-sigs-')) });
    reposts.forEach((r) => fresh.add(r.text, 0.5));
    expect([...(await b.cluster()).rep]).toEqual([...(await fresh.cluster()).rep]);
  });
});
