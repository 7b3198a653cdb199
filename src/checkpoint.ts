import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { QorgauError, describeError, unwritable } from './errors.js';
import type { Category, ErrorCode } from './types.js';

/** An input as it was when the checkpoint was made: a resumed run must read the same bytes. */
export interface InputStamp {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * What a stopped scan had safely on disk: the first `records` input records are in the run files, the
 * signatures file (`candidates` entries) and the spools (`errorBytes`, `allBytes`); `starts[k]` is where input
 * k begins in the record count. A resumed run skips those records and continues every file where it ends.
 */
export interface Checkpoint {
  readonly version: 1;
  readonly fingerprint: string;
  readonly inputs: readonly InputStamp[];
  readonly records: number;
  readonly starts: readonly number[];
  readonly candidates: number;
  readonly runs: readonly string[];
  readonly errorBytes: number;
  readonly allBytes: number;
  readonly summary: {
    readonly records: number;
    readonly results: number;
    readonly candidates: number;
    readonly perCategory: Readonly<Record<Category, number>>;
    readonly errors: number;
    readonly errorsByCode: Partial<Record<ErrorCode, number>>;
  };
}

/** Written next to the data it describes, through a temporary file: a crash leaves the old one or the new one. */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(checkpoint, null, 1)}\n`);
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    throw unwritable(path, error);
  }
}

/** The checkpoint at `path` when it belongs to these inputs and settings; undefined when there is none. */
export function readCheckpoint(path: string, inputs: readonly InputStamp[], fingerprint: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  let cp: Checkpoint;
  try {
    cp = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (error) {
    throw new QorgauError('bad_options', `Cannot resume: the checkpoint ${path} is unreadable (${describeError(error)}). Delete its folder to start over.`, { cause: error });
  }
  const folder = path.replace(/[\\/][^\\/]+$/, '');
  if (cp.version !== 1) throw new QorgauError('bad_options', `Cannot resume: ${path} was written by another qorgau version. Delete ${folder} to start over.`);
  const same =
    cp.inputs.length === inputs.length &&
    cp.inputs.every((a, i) => a.path === inputs[i]!.path && a.size === inputs[i]!.size && a.mtimeMs === inputs[i]!.mtimeMs);
  if (!same) {
    throw new QorgauError(
      'bad_options',
      `Cannot resume: the checkpoint in ${folder} is for other inputs (${cp.inputs.map((i) => i.path).join(', ')}), or they changed since. Delete ${folder} to start over.`,
    );
  }
  if (cp.fingerprint !== fingerprint) {
    throw new QorgauError(
      'bad_options',
      `Cannot resume: the checkpoint in ${folder} was made with other settings (rules, model, thresholds or output flags). Run with the same flags, or delete ${folder} to start over.`,
    );
  }
  return cp;
}
