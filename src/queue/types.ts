import type { EntryFields, EntryPlace } from './entries.js';
import type { OutageReporter } from './retry.js';

/** One entry a worker took from the input stream. */
export interface Delivery {
  readonly place: EntryPlace;
  /** The entry's fields; `null` when the engine says it was deleted before it could be read. */
  readonly fields: EntryFields | null;
  /** How many times the engine has handed this entry to a worker, this time included. */
  readonly deliveries: number;
}

/** What to do with one delivery once it is scored: write `output` (unless absent) and acknowledge. */
export interface Outgoing {
  readonly delivery: Delivery;
  readonly output?: {
    readonly target: 'results' | 'errors';
    /** Idempotency key: a second output with a key already written is dropped. */
    readonly key: string;
    readonly fields: Readonly<Record<string, string>>;
  };
}

export interface Backlog {
  /** Entries no worker of the group has read yet. */
  readonly unread: number;
  /** Entries read but not acknowledged (in flight, or held by a worker that died). */
  readonly pending: number;
}

/** A message engine as a worker sees it. Redis Streams and NATS JetStream implement it. */
export interface WorkerQueue {
  /** The engine and address, without credentials, for messages. */
  readonly describe: string;
  /** Shared with the engine's client events, so an outage is said once whoever notices it first. */
  readonly outage: OutageReporter;
  /**
   * Up to `max` entries: first ones other workers left idle too long (reclaimed), then new ones. Waits up to
   * the block time when there are none and returns `[]`.
   */
  fetch(max: number): Promise<Delivery[]>;
  /** Writes the outputs and acknowledges (and deletes) the entries, as one atomic step where the engine can. Returns outputs dropped as duplicates. */
  commit(batch: readonly Outgoing[]): Promise<{ readonly duplicates: number }>;
  backlog(): Promise<Backlog>;
  /** True for errors that pass when the connection comes back (lost socket, server loading, timeouts). */
  isTransient(error: unknown): boolean;
  close(): Promise<void>;
}

/** Appends entries to an input stream (`qorgau enqueue`). */
export interface Enqueuer {
  readonly describe: string;
  readonly outage: OutageReporter;
  /** Appends entries in order; resolves once the engine has stored them all. */
  add(entries: readonly Readonly<Record<string, string>>[]): Promise<void>;
  /** Entries in the stream: unread plus unacknowledged (acknowledged ones are deleted). */
  length(): Promise<number>;
  isTransient(error: unknown): boolean;
  close(): Promise<void>;
}

/** One entry of an output stream, read by `qorgau collect`. */
export interface StreamItem {
  readonly place: EntryPlace;
  readonly fields: EntryFields;
}
