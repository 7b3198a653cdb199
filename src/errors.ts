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
