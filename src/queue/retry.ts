import { setTimeout as sleep } from 'node:timers/promises';
import { QorgauError, describeError } from '../errors.js';

/**
 * Says once on stderr that the connection is lost, and once that it is back: not once per failed command.
 * Each party that can notice (a retried operation, a client's socket) is tracked apart, so the outage ends
 * when the last of them has recovered, not when one that never failed succeeds.
 */
export interface OutageReporter {
  lost(error: unknown, who?: unknown): void;
  back(who?: unknown): void;
  /** Drops a party that gave up without recovering, saying nothing. */
  forget(who: unknown): void;
  readonly down: boolean;
}

export function createOutageReporter(describe: string, onNotice: (message: string) => void): OutageReporter {
  const failing = new Set<unknown>();
  return {
    lost(error, who = 'client') {
      if (failing.size === 0) onNotice(`lost the connection to ${describe} (${describeError(error)}); retrying with backoff until it is back.`);
      failing.add(who);
    },
    back(who = 'client') {
      if (!failing.delete(who) || failing.size > 0) return;
      onNotice(`reconnected to ${describe}; carrying on.`);
    },
    forget(who) {
      failing.delete(who);
    },
    get down() {
      return failing.size > 0;
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
      const self = {};
      for (;;) {
        try {
          const value = await fn();
          options.outage.back(self);
          return value;
        } catch (error) {
          if (!options.isTransient(error)) {
            if (error instanceof QorgauError) throw error;
            throw new QorgauError('queue_failed', `${options.describe}: ${what} failed: ${describeError(error)}`, { cause: error });
          }
          options.outage.lost(error, self);
        }
        if (giveUp?.()) {
          options.outage.forget(self);
          return undefined;
        }
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
