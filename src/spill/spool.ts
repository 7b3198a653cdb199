import { closeSync, createReadStream, existsSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { unwritable } from '../errors.js';

/**
 * Formatted output kept in order: in memory up to `maxChars`, then appended to `file`. `flush` puts everything
 * on disk and returns the file's size, which a checkpoint records; a resumed run cuts the file back to it.
 */
export class Spool {
  private held: string[] = [];
  private chars = 0;
  private fd: number | undefined;
  private bytes = 0;

  private fileName: string | undefined;

  /** `file` may be a function: it is asked only when something is written to disk. */
  constructor(
    private readonly where: string | (() => string),
    private readonly maxChars: number,
    resumeBytes?: number,
  ) {
    if (resumeBytes !== undefined && resumeBytes > 0) {
      const file = this.file;
      this.fd = openSync(file, 'r+');
      ftruncateSync(this.fd, resumeBytes);
      this.bytes = resumeBytes;
    }
  }

  get file(): string {
    return (this.fileName ??= typeof this.where === 'string' ? this.where : this.where());
  }

  get empty(): boolean {
    return this.bytes === 0 && this.held.length === 0;
  }

  append(chunk: string): void {
    this.held.push(chunk);
    this.chars += chunk.length;
    if (this.chars > this.maxChars) this.flush();
  }

  /** Everything on disk; returns the file's size in bytes. */
  flush(): number {
    if (this.held.length === 0) return this.bytes;
    const buf = Buffer.from(this.held.join(''));
    try {
      if (this.fd === undefined) {
        if (!existsSync(dirname(this.file))) mkdirSync(dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'w');
      }
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, this.bytes + off);
    } catch (error) {
      throw unwritable(this.file, error);
    }
    this.bytes += buf.length;
    this.held = [];
    this.chars = 0;
    return this.bytes;
  }

  /** Calls `write` with everything in order: the file in blocks, then what is still in memory. */
  async copyTo(write: (chunk: string) => Promise<void>): Promise<void> {
    if (this.bytes > 0) {
      this.close();
      const decoder = new TextDecoder();
      for await (const chunk of createReadStream(this.file, { end: this.bytes - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        await write(decoder.decode(chunk, { stream: true }));
      }
      const tail = decoder.decode();
      if (tail) await write(tail);
    }
    for (const chunk of this.held) await write(chunk);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  remove(): void {
    this.close();
    if (this.fileName !== undefined && existsSync(this.fileName)) unlinkSync(this.fileName);
  }
}
