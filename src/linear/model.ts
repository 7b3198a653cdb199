import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { QorgauError, describeError } from '../errors.js';
import { CATEGORIES, isCategory, type Category } from '../types.js';
import { FeatureExtractor, type FeatureScheme, type FeatureSpan } from './features.js';

/**
 * The linear model as data: per category a weight per hash bucket, quantized to int8 with one scale per
 * category, and a bias. On disk (`model.bin`): the magic `QLIN`, a little-endian u32 with the length of a JSON
 * header (format, feature scheme, categories, scales, biases, bucket count), the header, then a raw-deflate
 * body: the buckets with a non-zero weight as delta varints, followed by their int8 weights, one row of
 * `categories.length` per bucket. Zero rows are left out, which is most of what the quantization produces.
 */
export interface LinearModel {
  readonly name: string;
  readonly scheme: FeatureScheme;
  readonly categories: readonly Category[];
  /** int8 weights, `buckets × categories.length`, row per bucket. */
  readonly weights: Int8Array;
  readonly scale: Float32Array;
  readonly bias: Float64Array;
}

export interface LinearHeader {
  readonly format: 'qorgau-linear';
  readonly version: 1;
  readonly scheme: FeatureScheme;
  readonly categories: readonly Category[];
  readonly scale: readonly number[];
  readonly bias: readonly number[];
  readonly quantization: 'int8-per-category';
  /** Buckets with a non-zero row stored in the body. */
  readonly rows: number;
}

const MAGIC = 0x4e494c51; // "QLIN" little-endian
export const LINEAR_FILE = 'model.bin';

/** Quantizes float weights (`buckets × categories`) to int8 rows with one scale per category. */
export function quantize(weights: Float64Array | Float32Array, categories: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(categories);
  for (let c = 0; c < categories; c += 1) {
    let max = 0;
    for (let i = c; i < weights.length; i += categories) max = Math.max(max, Math.abs(weights[i]!));
    scale[c] = max > 0 ? max / 127 : 1;
  }
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i += 1) q[i] = Math.max(-127, Math.min(127, Math.round(weights[i]! / scale[i % categories]!)));
  return { q, scale };
}

export function encodeModel(model: Omit<LinearModel, 'name'>): Buffer {
  const k = model.categories.length;
  const buckets = 1 << model.scheme.bits;
  const rows: number[] = [];
  for (let b = 0; b < buckets; b += 1) {
    for (let c = 0; c < k; c += 1) {
      if (model.weights[b * k + c] !== 0) {
        rows.push(b);
        break;
      }
    }
  }
  const varints: number[] = [];
  let prev = 0;
  for (const b of rows) {
    let d = b - prev;
    prev = b;
    while (d >= 0x80) {
      varints.push((d & 0x7f) | 0x80);
      d >>>= 7;
    }
    varints.push(d);
  }
  const body = Buffer.alloc(varints.length + rows.length * k);
  body.set(varints, 0);
  let o = varints.length;
  for (const b of rows) {
    for (let c = 0; c < k; c += 1) body.writeInt8(model.weights[b * k + c]!, o++);
  }
  const header: LinearHeader = {
    format: 'qorgau-linear',
    version: 1,
    scheme: model.scheme,
    categories: model.categories,
    scale: [...model.scale],
    bias: [...model.bias],
    quantization: 'int8-per-category',
    rows: rows.length,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(json.length, 4);
  return Buffer.concat([head, json, deflateRawSync(body, { level: 9 })]);
}

function bad(path: string, what: string): QorgauError {
  return new QorgauError('bad_model', `${path}: ${what}. Expected a linear model written by \`qorgau train\` (${LINEAR_FILE} with a qorgau-linear header); retrain it or pass another --linear folder.`);
}

export function decodeModel(data: Buffer, path: string, name = basename(resolve(path, '..'))): LinearModel {
  if (data.length < 8 || data.readUInt32LE(0) !== MAGIC) throw bad(path, 'not a qorgau linear model (no QLIN magic)');
  const len = data.readUInt32LE(4);
  if (8 + len > data.length) throw bad(path, 'the header is cut short');
  let header: LinearHeader;
  try {
    header = JSON.parse(data.subarray(8, 8 + len).toString('utf8')) as LinearHeader;
  } catch (error) {
    throw bad(path, `unreadable header (${describeError(error)})`);
  }
  const s = header.scheme;
  if (header.format !== 'qorgau-linear' || header.version !== 1) throw bad(path, `format ${JSON.stringify(header.format)} version ${JSON.stringify(header.version)} is not qorgau-linear 1`);
  if (s?.name !== 'qorgau-ngram' || s.version !== 1 || !Number.isInteger(s.bits) || s.bits < 8 || s.bits > 24) throw bad(path, `feature scheme ${JSON.stringify(s)} is not one this version reads (qorgau-ngram 1, 8–24 bits)`);
  const k = header.categories?.length ?? 0;
  if (k === 0 || !header.categories.every(isCategory) || header.scale?.length !== k || header.bias?.length !== k) throw bad(path, 'categories, scale and bias must be lists of the same length');
  let body: Buffer;
  try {
    body = inflateRawSync(data.subarray(8 + len));
  } catch (error) {
    throw bad(path, `corrupt body (${describeError(error)})`);
  }
  const buckets = 1 << s.bits;
  const weights = new Int8Array(buckets * k);
  const rows = header.rows;
  const list = new Int32Array(rows);
  let o = 0;
  let prev = 0;
  for (let r = 0; r < rows; r += 1) {
    let d = 0;
    let shift = 0;
    for (;;) {
      if (o >= body.length) throw bad(path, 'the bucket list is cut short');
      const byte = body[o++]!;
      d += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    prev += d;
    if (prev >= buckets) throw bad(path, `bucket ${prev} is outside 2^${s.bits}`);
    list[r] = prev;
  }
  if (body.length - o !== rows * k) throw bad(path, `expected ${rows * k} weights, found ${body.length - o}`);
  for (let r = 0; r < rows; r += 1) {
    const base = list[r]! * k;
    for (let c = 0; c < k; c += 1) weights[base + c] = (body[o++]! << 24) >> 24;
  }
  return { name, scheme: s, categories: header.categories, weights, scale: Float32Array.from(header.scale), bias: Float64Array.from(header.bias) };
}

export function loadLinearModel(dir: string): LinearModel {
  const path = join(dir, LINEAR_FILE);
  if (!existsSync(path)) throw new QorgauError('bad_model', `No linear model at ${path}. Expected a folder written by \`qorgau train -o <dir>\` holding ${LINEAR_FILE}; pass another --linear folder or --no-linear.`);
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new QorgauError('bad_model', `Could not read the linear model ${path}: ${describeError(error)}`, { cause: error });
  }
  return decodeModel(data, path, basename(resolve(dir)));
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** A loaded model with its feature buffers: `score` is what the analyzer calls for every post. */
export interface LinearScorer {
  readonly model: LinearModel;
  /** Per-category probabilities of one normalized text. */
  score(text: string): Record<Category, number>;
  /** Raw margins (before the sigmoid), for training checks and fusion. */
  margins(text: string): Float64Array;
  /**
   * The features that pushed `category` up the most, merged into word spans of the normalized text, strongest
   * first: what a label the rules do not explain is shown with.
   */
  explain(text: string, category: Category, top?: number): { start: number; end: number; weight: number }[];
}

export function createScorer(model: LinearModel): LinearScorer {
  const fx = new FeatureExtractor(model.scheme);
  const k = model.categories.length;
  const acc = new Float64Array(k);
  const { weights, scale, bias } = model;
  function margins(text: string): Float64Array {
    fx.extract(text);
    const { idx, val, count } = fx;
    const out = new Float64Array(k);
    if (k === 9) {
      // Nine scalar accumulators instead of an array: the weight rows are cache misses, and independent
      // accumulators let the CPU wait for several at once (twice as fast as the loop below, measured).
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0; // prettier-ignore
      for (let i = 0; i < count; i += 1) {
        const b = idx[i]! * 9;
        const v = val[i]!;
        a0 += weights[b]! * v;
        a1 += weights[b + 1]! * v;
        a2 += weights[b + 2]! * v;
        a3 += weights[b + 3]! * v;
        a4 += weights[b + 4]! * v;
        a5 += weights[b + 5]! * v;
        a6 += weights[b + 6]! * v;
        a7 += weights[b + 7]! * v;
        a8 += weights[b + 8]! * v;
      }
      out[0] = a0;
      out[1] = a1;
      out[2] = a2;
      out[3] = a3;
      out[4] = a4;
      out[5] = a5;
      out[6] = a6;
      out[7] = a7;
      out[8] = a8;
    } else {
      acc.fill(0);
      for (let i = 0; i < count; i += 1) {
        const base = idx[i]! * k;
        const v = val[i]!;
        for (let c = 0; c < k; c += 1) acc[c]! += weights[base + c]! * v;
      }
      out.set(acc);
    }
    for (let c = 0; c < k; c += 1) out[c] = out[c]! * scale[c]! + bias[c]!;
    return out;
  }
  // Category of each model output in CATEGORIES order, or -1 (a model may know fewer categories).
  const position = CATEGORIES.map((c) => model.categories.indexOf(c));
  return {
    model,
    margins,
    score(text) {
      const m = margins(text);
      const p = (i: number): number => (position[i]! < 0 ? 0 : sigmoid(m[position[i]!]!));
      return { drugs: p(0), cyberbullying: p(1), extremism: p(2), hate: p(3), suicide: p(4), gambling: p(5), fraud: p(6), sexual: p(7), weapons: p(8) };
    },
    explain(text, category, top = 3) {
      const c = model.categories.indexOf(category);
      if (c < 0) return [];
      // The values `extract` gives each bucket, so that contributions are exactly the terms of the margin.
      fx.extract(text);
      const charVal = new Map<number, number>();
      const wordVal = new Map<number, number>();
      for (let i = 0; i < fx.count; i += 1) (i < fx.charCount ? charVal : wordVal).set(fx.idx[i]!, fx.val[i]!);
      const { tokens, spans } = fx.spans(text);
      // Each occurrence gets its feature's contribution divided by the feature's occurrences, then the
      // contributions are summed per token (bigrams split over both of their tokens).
      const occurrences = new Map<string, number>();
      const key = (s: FeatureSpan): string => `${s.block}:${s.bucket}`;
      for (const s of spans) occurrences.set(key(s), (occurrences.get(key(s)) ?? 0) + 1);
      const perToken = new Float64Array(tokens.length);
      for (const s of spans) {
        const v = (s.block === 'char' ? charVal : wordVal).get(s.bucket) ?? 0;
        const w = weights[s.bucket * k + c]! * scale[c]! * v;
        const share = w / occurrences.get(key(s))!;
        if (s.block === 'word' && s.end > tokens[s.token]!.end) {
          perToken[s.token]! += share / 2;
          perToken[s.token + 1]! += share / 2;
        } else perToken[s.token]! += share;
      }
      const order = [...perToken.keys()].filter((t) => perToken[t]! > 0).sort((a, b) => perToken[b]! - perToken[a]! || a - b);
      const chosen = order.slice(0, top).sort((a, b) => a - b);
      // Neighbouring chosen tokens become one span («меф в наличии»), weighted by their sum.
      const out: { start: number; end: number; weight: number }[] = [];
      let last = -2;
      for (const t of chosen) {
        const tok = tokens[t]!;
        if (t === last + 1 && out.length) {
          const prevSpan = out[out.length - 1]!;
          out[out.length - 1] = { start: prevSpan.start, end: tok.end, weight: prevSpan.weight + perToken[t]! };
        } else out.push({ start: tok.start, end: tok.end, weight: perToken[t]! });
        last = t;
      }
      return out.sort((a, b) => b.weight - a.weight);
    },
  };
}
