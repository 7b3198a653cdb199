/**
 * Hashed n-gram features of a normalized text, the input of the linear model (`src/linear/`).
 *
 * Tokens: maximal runs of word characters (letters, marks, digits, `_ @ #`) and single symbols (emoji, `₸`,
 * `❄`); punctuation and spaces separate them. Two blocks of features, each hashed into the same 2^bits buckets:
 * - char: the character n-grams (n = charMin…charMax) of each word padded with one space on each side, so
 *   n-grams never cross a word boundary and « клад» (a word start) differs from «клад» inside a word;
 * - word: word unigrams and bigrams of consecutive tokens (symbols included).
 * Values: sublinear counts `1 + ln(tf)`, each block L2-normalized on its own (a short post's handful of words
 * weighs as much as its many n-grams). The scheme is part of a model file's header: a model is only ever read
 * with the scheme it was trained with.
 */
import { fmix32 } from '../cluster/minhash.js';

export interface FeatureScheme {
  readonly name: 'qorgau-ngram';
  readonly version: 1;
  /** log2 of the number of hash buckets. */
  readonly bits: number;
  readonly charMin: number;
  readonly charMax: number;
  /** Word n-grams 1…wordMax (1 or 2). */
  readonly wordMax: number;
  /** Text past this many UTF-16 units is not read (bounds the time one huge post can take). */
  readonly maxChars: number;
}

export const DEFAULT_SCHEME: FeatureScheme = { name: 'qorgau-ngram', version: 1, bits: 20, charMin: 2, charMax: 5, wordMax: 2, maxChars: 20_000 };

/** Longest part of a word that char n-grams are taken from, and longest word hashed as a unigram. */
const MAX_WORD = 48;
const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x2f6b1a37;
const SEED_BIGRAM = 0x5bd1e995;
const FNV_PRIME = 16777619;

const WORD = 1;
const SYMBOL = 2;
const HIGH = 3;

/** Character classes of the BMP: word, symbol, high surrogate (a symbol outside the BMP starts), or separator. */
const CLASS: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  const word = /[\p{L}\p{M}\p{N}_@#]/u;
  const symbol = /\p{S}/u;
  for (let c = 0; c < 65536; c += 1) {
    if (c >= 0xd800 && c <= 0xdbff) table[c] = HIGH;
    else if (c >= 0xdc00 && c <= 0xdfff) table[c] = 0;
    else {
      const ch = String.fromCharCode(c);
      table[c] = word.test(ch) ? WORD : symbol.test(ch) ? SYMBOL : 0;
    }
  }
  return table;
})();

const fmix = fmix32;

/** A token of the normalized text: [start, end) in UTF-16 units and whether it is a word (char n-grams) or a symbol. */
export interface FeatureToken {
  readonly start: number;
  readonly end: number;
  readonly word: boolean;
}

/** One feature occurrence, for explanations: its bucket and where in the normalized text it comes from. */
export interface FeatureSpan {
  readonly bucket: number;
  readonly block: 'char' | 'word';
  /** Index of the token (for a bigram: of its first token). */
  readonly token: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Reusable feature extractor: buffers sized for the scheme are allocated once (the analyzer extracts features
 * for every post, so nothing is allocated per post but the result arrays the caller asks for).
 */
export class FeatureExtractor {
  readonly scheme: FeatureScheme;
  private readonly mask: number;
  // Open-addressing table of the buckets seen in the current block, small enough to stay in cache (a table
  // over all 2^bits buckets made every feature a cache miss). An entry is live when its stamp is the block's.
  private keys = new Int32Array(4096);
  private slots = new Int32Array(4096);
  private stamps = new Int32Array(4096);
  private tableMask = 4095;
  private current = 0;
  private used = 0;
  private blockStart = 0;
  private tokStart = new Int32Array(256);
  private tokEnd = new Int32Array(256);
  private tokWord = new Uint8Array(256);
  private tokHash = new Int32Array(256);
  /** Output of the last `extract`: `count` features, buckets in `idx`, values in `val` (a bucket may repeat across the two blocks). */
  idx = new Int32Array(1024);
  val = new Float32Array(1024);
  count = 0;
  /** Features [0, charCount) are the char block, [charCount, count) the word block. */
  charCount = 0;

  constructor(scheme: FeatureScheme = DEFAULT_SCHEME) {
    this.scheme = scheme;
    this.mask = (1 << scheme.bits) - 1;
  }

  /** Splits the text into tokens; returns how many (in tokStart/tokEnd/tokWord). */
  private tokenize(text: string): number {
    const n = Math.min(text.length, this.scheme.maxChars);
    let k = 0;
    let i = 0;
    while (i < n) {
      const cls = CLASS[text.charCodeAt(i)]!;
      if (cls === 0) {
        i += 1;
        continue;
      }
      const start = i;
      let word = false;
      if (cls === WORD) {
        while (i < n && CLASS[text.charCodeAt(i)] === WORD) i += 1;
        word = true;
      } else if (cls === HIGH) {
        const lo = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (lo < 0xdc00 || lo > 0xdfff) {
          i += 1;
          continue;
        }
        i += 2;
      } else {
        i += 1;
      }
      if (k === this.tokStart.length) this.growTokens();
      this.tokStart[k] = start;
      this.tokEnd[k] = i;
      this.tokWord[k] = word ? 1 : 0;
      k += 1;
    }
    return k;
  }

  private growTokens(): void {
    const size = this.tokStart.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.tokStart = grow(this.tokStart, (s) => new Int32Array(s));
    this.tokEnd = grow(this.tokEnd, (s) => new Int32Array(s));
    this.tokWord = grow(this.tokWord, (s) => new Uint8Array(s));
    this.tokHash = grow(this.tokHash, (s) => new Int32Array(s));
  }

  private ensure(extra: number): void {
    if (this.count + extra <= this.idx.length) return;
    let size = this.idx.length * 2;
    while (size < this.count + extra) size *= 2;
    const idx = new Int32Array(size);
    idx.set(this.idx.subarray(0, this.count));
    const val = new Float32Array(size);
    val.set(this.val.subarray(0, this.count));
    this.idx = idx;
    this.val = val;
  }

  private add(bucket: number): void {
    let h = Math.imul(bucket + 1, 0x9e3779b1) >>> 0;
    const cur = this.current;
    for (;;) {
      h &= this.tableMask;
      if (this.stamps[h] !== cur) break;
      if (this.keys[h] === bucket) {
        this.val[this.slots[h]!]! += 1;
        return;
      }
      h += 1;
    }
    this.stamps[h] = cur;
    this.keys[h] = bucket;
    this.slots[h] = this.count;
    this.idx[this.count] = bucket;
    this.val[this.count] = 1;
    this.count += 1;
    this.used += 1;
    if (this.used * 2 > this.keys.length) this.growTable();
  }

  /** Doubles the table and re-inserts the current block's features. */
  private growTable(): void {
    const size = this.keys.length * 2;
    this.keys = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.tableMask = size - 1;
    this.current = 1;
    for (let i = this.blockStart; i < this.count; i += 1) {
      let h = Math.imul(this.idx[i]! + 1, 0x9e3779b1) >>> 0;
      for (;;) {
        h &= this.tableMask;
        if (this.stamps[h] !== 1) break;
        h += 1;
      }
      this.stamps[h] = 1;
      this.keys[h] = this.idx[i]!;
      this.slots[h] = i;
    }
  }

  /** Starts a block: the table forgets the previous block's buckets. */
  private nextStamp(): void {
    if (this.keys.length > 4096 && this.used < 1024) {
      // A table grown for one huge post shrinks back.
      this.keys = new Int32Array(4096);
      this.slots = new Int32Array(4096);
      this.stamps = new Int32Array(4096);
      this.tableMask = 4095;
      this.current = 0;
    }
    this.current += 1;
    if (this.current === 0x7fffffff) {
      this.stamps.fill(0);
      this.current = 1;
    }
    this.used = 0;
    this.blockStart = this.count;
  }

  /** Sublinear counts and L2 normalization of features [from, count). */
  private finishBlock(from: number): void {
    let sq = 0;
    for (let i = from; i < this.count; i += 1) {
      const v = 1 + Math.log(this.val[i]!);
      this.val[i] = v;
      sq += v * v;
    }
    if (sq > 0) {
      const inv = 1 / Math.sqrt(sq);
      for (let i = from; i < this.count; i += 1) this.val[i]! *= inv;
    }
  }

  /** Word-unigram hash of token t (also kept for its bigrams). */
  private wordHash(text: string, t: number): number {
    let h = SEED_WORD;
    const end = Math.min(this.tokEnd[t]!, this.tokStart[t]! + MAX_WORD);
    for (let i = this.tokStart[t]!; i < end; i += 1) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    return h;
  }

  /** Features of a normalized text into idx/val/count. */
  extract(text: string): void {
    const { charMin, charMax, wordMax } = this.scheme;
    const mask = this.mask;
    const tokens = this.tokenize(text);
    this.count = 0;
    this.nextStamp();
    for (let t = 0; t < tokens; t += 1) {
      if (!this.tokWord[t]) continue;
      const start = this.tokStart[t]!;
      const len = Math.min(this.tokEnd[t]! - start, MAX_WORD);
      const padded = len + 2;
      this.ensure(padded * (charMax - charMin + 1));
      for (let i = 0; i < padded; i += 1) {
        let h = SEED_CHAR;
        const top = Math.min(charMax, padded - i);
        for (let n = 1; n <= top; n += 1) {
          const p = i + n - 1;
          const c = p === 0 || p === padded - 1 ? 32 : text.charCodeAt(start + p - 1);
          h = Math.imul(h ^ c, FNV_PRIME);
          if (n >= charMin) this.add(fmix(h) & mask);
        }
      }
    }
    this.finishBlock(0);
    const wordFrom = this.count;
    this.charCount = wordFrom;
    this.nextStamp();
    this.ensure(tokens * 2);
    for (let t = 0; t < tokens; t += 1) {
      const h = this.wordHash(text, t);
      this.tokHash[t] = h;
      this.add(fmix(h) & mask);
      if (wordMax >= 2 && t > 0) this.add(fmix(Math.imul(this.tokHash[t - 1]! ^ SEED_BIGRAM, FNV_PRIME) + h) & mask);
    }
    this.finishBlock(wordFrom);
  }

  /** Every feature occurrence with its span in the normalized text (for explanations; slower than `extract`). */
  spans(text: string): { tokens: FeatureToken[]; spans: FeatureSpan[] } {
    const { charMin, charMax, wordMax } = this.scheme;
    const mask = this.mask;
    const count = this.tokenize(text);
    const tokens: FeatureToken[] = [];
    const spans: FeatureSpan[] = [];
    for (let t = 0; t < count; t += 1) tokens.push({ start: this.tokStart[t]!, end: this.tokEnd[t]!, word: this.tokWord[t] === 1 });
    for (let t = 0; t < count; t += 1) {
      if (!this.tokWord[t]) continue;
      const start = this.tokStart[t]!;
      const len = Math.min(this.tokEnd[t]! - start, MAX_WORD);
      const padded = len + 2;
      for (let i = 0; i < padded; i += 1) {
        let h = SEED_CHAR;
        const top = Math.min(charMax, padded - i);
        for (let n = 1; n <= top; n += 1) {
          const p = i + n - 1;
          const c = p === 0 || p === padded - 1 ? 32 : text.charCodeAt(start + p - 1);
          h = Math.imul(h ^ c, FNV_PRIME);
          if (n >= charMin) {
            // Padding maps to the word's edge: the span covers only real characters.
            const s = start + Math.max(0, i - 1);
            const e = start + Math.min(len, i + n - 1);
            spans.push({ bucket: fmix(h) & mask, block: 'char', token: t, start: s, end: Math.max(e, s + 1) });
          }
        }
      }
    }
    let prev = 0;
    for (let t = 0; t < count; t += 1) {
      const h = this.wordHash(text, t);
      spans.push({ bucket: fmix(h) & mask, block: 'word', token: t, start: this.tokStart[t]!, end: this.tokEnd[t]! });
      if (wordMax >= 2 && t > 0) {
        spans.push({ bucket: fmix(Math.imul(prev ^ SEED_BIGRAM, FNV_PRIME) + h) & mask, block: 'word', token: t - 1, start: this.tokStart[t - 1]!, end: this.tokEnd[t]! });
      }
      prev = h;
    }
    return { tokens, spans };
  }
}
