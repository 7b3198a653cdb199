import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const run = promisify(execFile);

describe('the package as a new user installs it', () => {
  it('npm commands in the project print no warnings', async () => {
    const { stderr } = await run('npm', ['pkg', 'get', 'name'], { cwd: ROOT });
    expect(stderr).not.toMatch(/npm warn/i);
  });

  it("denies onnxruntime-node's install script (its CUDA download) through allowScripts, not an unknown npm config key", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
  });
});
