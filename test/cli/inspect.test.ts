import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

async function inspect(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, 'inspect', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('qorgau inspect', () => {
  it('prints the normalized text, the language and each token with its stem and original span', async () => {
    const r = await inspect(['Купи з@кл@дки ❄️ у @Shop_Bot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('normalized  "купи закладки ❄ у @shop_bot"');
    expect(r.stdout).toMatch(/language {4}ru \(confidence 0\.\d\d\)/);
    expect(r.stdout).toMatch(/word +закладки +закладк +\[5, 13\) "з@кл@дки"/);
    expect(r.stdout).toMatch(/emoji +❄ +snowflake +\[14, 16\) "❄️"/);
    expect(r.stdout).toMatch(/bot +@shop_bot +@shop_bot +\[19, 28\) "@Shop_Bot"/);
  });

  it('prints JSON whose token spans slice the original text', async () => {
    const text = 'Esirtki satamyz, jaz @dala_bot';
    const r = await inspect(['--json', '--steps', text]);
    const out = JSON.parse(r.stdout) as { normalized: string; language: { lang: string }; tokens: Array<{ text: string; stem: string; originalStart: number; originalEnd: number }>; steps: Array<{ name: string }> };
    expect(out.normalized).toBe('есірткі сатамыз, жаз @dala_bot');
    expect(out.language.lang).toBe('kk');
    expect(out.tokens.map((t) => [t.stem, text.slice(t.originalStart, t.originalEnd)])).toEqual([
      ['есірткі', 'Esirtki'],
      ['сат', 'satamyz'],
      ['жаз', 'jaz'],
      ['@dala_bot', '@dala_bot'],
    ]);
    expect(out.steps.map((s) => s.name)).toContain('kazakh-latin');
  });

  it('exits 2 with a usage message for an empty text', async () => {
    const r = await inspect(['  ']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected a text to inspect');
  });
});
