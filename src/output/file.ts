import { closeSync, createWriteStream, existsSync, fsyncSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { QorgauError, describeError, unwritable } from '../errors.js';

/**
 * An output file written as a temporary file in the same folder and renamed over the final name only when
 * complete: a killed run, a full disk or a second run never leaves a truncated or mixed file under that name.
 * A lock file (`<name>.lock`, holding the pid) makes a second run writing the same file refuse at the start.
 */
export interface OutputFile {
  /** The name the user gave. */
  readonly path: string;
  /** Where the bytes go until `commit`. */
  readonly stream: Writable;
  /** Flushes, syncs and renames the temporary file to the final name; releases the lock. */
  commit(): Promise<void>;
  /** Drops the temporary file and the lock; the final name keeps what it had before the run. */
  abort(): void;
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks before anything is opened: the folder exists, the output is none of the inputs (also via a link). */
export function checkOutputPath(path: string, inputs: readonly string[], flag = '-o'): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new QorgauError('unwritable_file', `Cannot write ${path}: the folder ${dir} does not exist. Create it first (mkdir -p ${dir}) or choose another ${flag}.`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new QorgauError('unwritable_file', `Cannot write ${path}: it is a folder. Give ${flag} a file name.`);
  }
  for (const input of inputs) {
    if (input === '-') continue;
    if (resolve(input) === resolve(path) || sameFile(input, path)) {
      throw new QorgauError(
        'bad_options',
        `${flag} ${path} is also an input (${input}): writing it would destroy the input before it is read. Write to another file.`,
      );
    }
  }
}

function takeLock(lock: string, target: string): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new QorgauError('unwritable_file', `Cannot write ${target}: could not create the lock file ${lock}: ${describeError(error)}`, { cause: error });
      }
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      } catch {
        // Removed meanwhile: try again.
      }
      if (alive(pid) && pid !== process.pid) {
        throw new QorgauError(
          'unwritable_file',
          `${target} is being written by another qorgau run (pid ${pid}, lock file ${lock}). Wait for it to finish or write to another file.`,
        );
      }
      // Left by a run that was killed: no process holds it.
      try {
        unlinkSync(lock);
      } catch {
        // Another run took it over first; the next attempt finds out.
      }
    }
  }
  throw new QorgauError('unwritable_file', `${target} is being written by another qorgau run (lock file ${lock}). Wait for it to finish or write to another file.`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Temporary files of this output left by killed runs (their pid is gone): the lock says no run is writing. */
function removeStaleTemps(target: string): void {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (Number.isInteger(pid) && !alive(pid)) removeQuietly(join(dirname(target), name));
  }
}

const open = new Set<OutputFile>();
let exitHook = false;

function openDirect(path: string, target: string): OutputFile {
  let fd: number;
  try {
    fd = openSync(target, 'w');
  } catch (error) {
    throw new QorgauError('unwritable_file', `Cannot write ${path}: ${describeError(error)}`, { cause: error });
  }
  const stream = createWriteStream(target, { fd, autoClose: false });
  let failure: unknown;
  stream.on('error', (error) => {
    failure ??= error;
  });
  let done = false;
  const close = (): void => {
    done = true;
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  };
  return {
    path,
    stream,
    async commit() {
      if (done) return;
      if (!failure) {
        stream.end();
        await Promise.race([once(stream, 'finish'), once(stream, 'error')]).catch(() => {});
      }
      close();
      if (failure) throw new QorgauError('unwritable_file', `Could not write ${path}: ${describeError(failure)}`, { cause: failure });
    },
    abort() {
      if (done) return;
      stream.destroy();
      close();
    },
  };
}

/** Opens `path` for writing through a temporary file; see `OutputFile`. */
export function openOutputFile(path: string, inputs: readonly string[] = [], flag = '-o'): OutputFile {
  checkOutputPath(path, inputs, flag);
  // Writing through a link replaces its target, as writing in place did, and leaves the link alone.
  const target = existsSync(path) ? realpathSync(path) : resolve(path);
  // A device or a pipe (`--errors /dev/null`, a FIFO another program reads) is written as it is: renaming a
  // temporary file over it would replace /dev/null with a regular file, and there is no partial file to avoid.
  if (existsSync(target) && !statSync(target).isFile()) return openDirect(path, target);
  const lock = `${target}.lock`;
  takeLock(lock, path);
  removeStaleTemps(target);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (error) {
    removeQuietly(lock);
    throw new QorgauError('unwritable_file', `Cannot write ${path}: ${describeError(error)}`, { cause: error });
  }
  const stream = createWriteStream(tmp, { fd, autoClose: false });
  let failure: unknown;
  // A write that fails (a full disk) is reported at `commit`; later writes see `stream.errored`.
  stream.on('error', (error) => {
    failure ??= error;
  });
  let done = false;
  const finish = (): void => {
    done = true;
    open.delete(file);
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  };
  const file: OutputFile = {
    path,
    stream,
    async commit() {
      if (done) return;
      try {
        if (!failure) {
          stream.end();
          await Promise.race([once(stream, 'finish'), once(stream, 'error')]).catch(() => {});
        }
        if (failure) throw failure;
        fsyncSync(fd);
        finish();
        renameSync(tmp, target);
      } catch (error) {
        if (!done) finish();
        removeQuietly(tmp);
        removeQuietly(lock);
        throw new QorgauError('unwritable_file', `Could not write ${path}: ${describeError(error)}. Nothing was written under that name; free some space or choose another file.`, {
          cause: error,
        });
      }
      removeQuietly(lock);
    },
    abort() {
      if (done) return;
      stream.destroy();
      finish();
      removeQuietly(tmp);
      removeQuietly(lock);
    },
  };
  open.add(file);
  if (!exitHook) {
    exitHook = true;
    // An exit without commit (an uncaught error, process.exit) leaves neither a temporary file nor a lock.
    process.on('exit', () => {
      for (const f of [...open]) f.abort();
    });
  }
  return file;
}

/** An error thrown while writing: named by the output whose stream failed, if one did. */
export function namedWriteError(files: readonly OutputFile[], error: unknown): unknown {
  const failed = files.find((f) => f.stream.errored && (f.stream.errored === error || !(error instanceof QorgauError)));
  return failed ? unwritable(failed.path, failed.stream.errored) : error;
}
