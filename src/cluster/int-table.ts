/**
 * A hash table from uint32 keys (already well mixed: MinHash band hashes) to positive int32 values, in two
 * typed arrays. LSH keeps one entry per post and band; as a Map of arrays that was ~70 bytes an entry and
 * heavy GC, this is 8-16.
 */
export class IntTable {
  private keys = new Uint32Array(1 << 12);
  private vals = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  private size = 0;

  /** The value for `key`, or 0 when absent. */
  get(key: number): number {
    for (let i = key & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.vals[i]!;
      if (v === 0 || this.keys[i] === key) return v;
    }
  }

  /** Sets `key` to `value` (> 0). */
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.vals.length) this.rehash();
    for (let i = key & this.mask; ; i = (i + 1) & this.mask) {
      if (this.vals[i] === 0) {
        this.keys[i] = key;
        this.vals[i] = value;
        this.size += 1;
        return;
      }
      if (this.keys[i] === key) {
        this.vals[i] = value;
        return;
      }
    }
  }

  private rehash(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Uint32Array(keys.length * 2);
    this.vals = new Int32Array(vals.length * 2);
    this.mask = this.vals.length - 1;
    this.size = 0;
    for (let i = 0; i < vals.length; i += 1) if (vals[i] !== 0) this.set(keys[i]!, vals[i]!);
  }
}
