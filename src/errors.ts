import type { ErrorCode } from './types.js';

/** The one error type qorgau throws. `code` is stable; `message` says what was expected and how to fix it. */
export class QorgauError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QorgauError';
    this.code = code;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A write that failed (a full disk, a file-size limit, no permission), named by the file it was for. */
export function unwritable(file: string, error: unknown): QorgauError {
  if (error instanceof QorgauError) return error;
  return new QorgauError('unwritable_file', `Could not write ${file}: ${describeError(error)}. Free some space or choose another place, then run again.`, {
    cause: error,
  });
}
