import { setTimeout as sleep } from 'node:timers/promises';
import { QorgauError, describeError } from '../errors.js';

/** Says once on stderr that the connection is lost, and once that it is back: not once per failed command. */
export interface OutageReporter {
  lost(error: unknown): void;
  back(): void;
  readonly down: boolean;
}

export function createOutageReporter(describe: string, onNotice: (message: string) => void): OutageReporter {
  let down = false;
  return {
    lost(error) {
      if (down) return;
      down = true;
      onNotice(`lost the connection to ${describe} (${describeError(error)}); retrying with backoff until it is back.`);
    },
    back() {
      if (!down) return;
      down = false;
      onNotice(`reconnected to ${describe}; carrying on.`);
    },
    get down() {
      return down;
    },
  };
}

export interface RetryOptions {
  /** The engine and address, for the messages. */
  readonly describe: string;
  readonly isTransient: (error: unknown) => boolean;
  readonly outage: OutageReporter;
  /** First wait after a failure; doubles up to `maxDelayMs`. Defaults 100 and 5000 ms. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface Retrier {
  /**
   * Runs `fn` until it succeeds. A transient failure (lost connection) is said once on stderr, then retried
   * with exponential backoff; when `giveUp()` turns true between tries, resolves `undefined` instead. Any
   * other failure is thrown as a `queue_failed` QorgauError.
   */
  run<T>(what: string, fn: () => Promise<T>, giveUp?: () => boolean): Promise<T | undefined>;
}

export function createRetrier(options: RetryOptions): Retrier {
  const minDelay = options.minDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5000;
  return {
    async run(what, fn, giveUp) {
      let delay = minDelay;
      for (;;) {
        try {
          const value = await fn();
          options.outage.back();
          return value;
        } catch (error) {
          if (!options.isTransient(error)) {
            if (error instanceof QorgauError) throw error;
            throw new QorgauError('queue_failed', `${options.describe}: ${what} failed: ${describeError(error)}`, { cause: error });
          }
          options.outage.lost(error);
        }
        if (giveUp?.()) return undefined;
        await sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
      }
    },
  };
}

/** A URL for messages: the password (and user) replaced, so logs never hold credentials. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && !u.password) u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
