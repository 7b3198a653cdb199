import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('importing qorgau', () => {
  it('neither reads .env into process.env nor prints anything', () => {
    // Some NLP packages load .env from the working directory when imported; qorgau must not.
    const dir = mkdtempSync(join(tmpdir(), 'qorgau-env-'));
    writeFileSync(join(dir, '.env'), 'QORGAU_ENV_PROBE=leaked\n');
    const script = `const before = JSON.stringify(process.env);
      const q = await import(${JSON.stringify(entry)});
      q.tokenize(q.normalize('Сәлем, з@кл@дки').text);
      q.detectLanguage('Сәлем');
      process.stderr.write(before === JSON.stringify(process.env) ? 'same' : 'changed');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('same');
  });
});
