import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';

/**
 * A BERT WordPiece encoder that gives, id for id, what @huggingface/transformers 4.3.x gives for
 * `tokenizer(text, { truncation: true, padding: true })`, without its tokenizer, which builds arrays of
 * strings at every step and costs as much as a third of the model. The reference is transformers.js, not
 * Python or Rust `tokenizers`: where they differ (its truncation cuts [SEP] off a long text; its CJK test sees
 * only BMP ideographs) this follows transformers.js, since the model was checked against its ids.
 */
export interface WordPieceEncoder {
  /** model_max_length from tokenizer_config.json (Infinity when absent, as in transformers.js). */
  readonly maxLength: number;
  /** Token ids of one text exactly as transformers.js `tokenizer(text, {truncation: true, max_length})` gives: [CLS] … [SEP], truncated the same way. */
  encode(text: string): Int32Array;
  /** A padded batch: rows × cols (cols = longest row), ids/attention mask/token type ids as BigInt64Array for onnxruntime, row-major; pad id from the tokenizer. */
  encodeBatch(texts: readonly string[]): { ids: BigInt64Array; attentionMask: BigInt64Array; tokenTypeIds: BigInt64Array; rows: number; cols: number };
}

// Character classes, one byte per UTF-16 unit. CONTROL is what BertNormalizer's clean_text drops: \0, U+FFFD
// and Cc/Cf/Co/Cs except \t \n \r (so \v, \f and U+0085 vanish rather than separate words). SPACE is JS `\s`,
// the pre-tokenizer's separator. PUNCT is the pre-tokenizer's PUNCTUATION_REGEX: \p{P} plus all ASCII
// symbols, but not other symbols (₸, ©, emoji stay inside words). CJK is the normalizer's is_chinese_char.
const SPACE = 1;
const PUNCT = 2;
const CONTROL = 4;
const CJK = 8;

const PUNCT_SOURCE = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const CONTROL_RE = /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
const PUNCT_RE = new RegExp(`^[${PUNCT_SOURCE}]$`, 'u');
const MARK_RE = /\p{Mn}/gu;

let bmpTable: Uint8Array | null = null;

/** Built once per process from the same regexes transformers.js uses, so the Unicode version is the runtime's in both. */
function classTable(): Uint8Array {
  if (bmpTable) return bmpTable;
  const table = new Uint8Array(0x10000);
  // One pass of each regex over every BMP character (surrogates left out so none pair up): ~3 ms, against
  // ~20 ms for 65k separate tests.
  const units = new Uint16Array(0x10000 - 0x800);
  for (let i = 0; i < units.length; i++) units[i] = i < 0xd800 ? i : i + 0x800;
  const all = new TextDecoder('utf-16le').decode(units);
  const mark = (re: RegExp, bit: number): void => {
    for (const m of all.matchAll(re)) {
      const c = m.index < 0xd800 ? m.index : m.index + 0x800;
      table[c] = table[c]! | bit;
    }
  };
  mark(/\s/gu, SPACE);
  mark(new RegExp(`[${PUNCT_SOURCE}]`, 'gu'), PUNCT);
  mark(/\p{Cc}|\p{Cf}|\p{Co}/gu, CONTROL);
  for (let c = 0xd800; c <= 0xdfff; c++) table[c] = CONTROL; // lone surrogates are Cs; pairs are looked at whole
  for (const c of [0x09, 0x0a, 0x0d]) table[c] = table[c]! & ~CONTROL;
  for (const c of [0, 0xfffd]) table[c] = table[c]! | CONTROL;
  const cjk = (from: number, to: number) => {
    for (let c = from; c <= to; c++) table[c] = table[c]! | CJK;
  };
  // Only the BMP ranges: transformers.js tests charCodeAt(i) per UTF-16 unit, so its astral CJK ranges
  // (U+20000…) can never match.
  cjk(0x4e00, 0x9fff);
  cjk(0x3400, 0x4dbf);
  cjk(0xf900, 0xfaff);
  bmpTable = table;
  return table;
}

// Astral characters are mostly emoji, a few hundred distinct ones in practice; no astral character is
// whitespace, but some are punctuation (U+10100…) or format/private-use (flag tag characters U+E0020…).
const astralClasses = new Map<number, number>();
function astralClass(cp: number): number {
  let cls = astralClasses.get(cp);
  if (cls === undefined) {
    const ch = String.fromCodePoint(cp);
    cls = (PUNCT_RE.test(ch) ? PUNCT : 0) | (CONTROL_RE.test(ch) ? CONTROL : 0);
    if (astralClasses.size >= 50_000) astralClasses.clear();
    astralClasses.set(cp, cls);
  }
  return cls;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * BertNormalizer's clean_text. Mapping whitespace to ' ' only matters where the normalized text is searched
 * for added tokens (every \s separates words anyway), so the usual call only removes.
 */
function cleanText(s: string, table: Uint8Array, mapSpaces: boolean): string {
  let out: string | null = null;
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let width = 1;
    let cls: number;
    if (isHigh(c) && i + 1 < n && isLow(s.charCodeAt(i + 1))) {
      width = 2;
      cls = astralClass(((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000);
    } else {
      cls = table[c]!;
    }
    if (cls & CONTROL) {
      out = (out ?? '') + s.slice(from, i);
      from = i + width;
    } else if (mapSpaces && cls & SPACE && c !== 0x20) {
      out = (out ?? '') + s.slice(from, i) + ' ';
      from = i + 1;
    }
    i += width - 1;
  }
  return out === null ? s : out + s.slice(from);
}

function spaceCjk(s: string, table: Uint8Array): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (table[s.charCodeAt(i)]! & CJK) {
      out += s.slice(from, i) + ' ' + s[i] + ' ';
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** transformers.js's DictionarySplitter: at each position the longest added token starting there, else move one unit on. */
interface TrieNode {
  readonly next: Map<number, TrieNode>;
  end: string | null;
}

function makeSplitter(words: readonly string[]): ((text: string) => string[]) | null {
  const root: TrieNode = { next: new Map(), end: null };
  let any = false;
  for (const word of words) {
    if (word.length === 0) continue; // the trie's `if (node.end)` never matches an empty token
    let node = root;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      let child = node.next.get(c);
      if (!child) node.next.set(c, (child = { next: new Map(), end: null }));
      node = child;
    }
    node.end = word;
    any = true;
  }
  if (!any) return null;
  return (text) => {
    const result: string[] = [];
    const n = text.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = root;
      let match: string | null = null;
      for (let j = i; j < n; j++) {
        node = node.next.get(text.charCodeAt(j));
        if (!node) break;
        if (node.end !== null) match = node.end;
      }
      if (match !== null) {
        if (i > start) result.push(text.slice(start, i));
        result.push(match);
        i += match.length;
        start = i;
      } else {
        i++;
      }
    }
    if (start < n) result.push(text.slice(start));
    return result;
  };
}

interface AddedToken {
  readonly id: number;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

/** transformers.js trims the neighbours of lstrip/rstrip tokens in place, so a later token sees an earlier trim. */
function stripAround(parts: string[], added: ReadonlyMap<string, AddedToken>): void {
  for (let i = 0; i < parts.length; i++) {
    const token = added.get(parts[i]!);
    if (!token) continue;
    if (token.lstrip && i > 0) parts[i - 1] = parts[i - 1]!.trimEnd();
    if (token.rstrip && i < parts.length - 1) parts[i + 1] = parts[i + 1]!.trimStart();
  }
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function readJson(path: string): Json | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

// Tokenizer classes whose transformers.js subclass changes nothing but return_token_type_ids; the others
// (T5, Marian, NLLB, …) post-process, and an absent class means the plain PreTrainedTokenizer.
const PLAIN_CLASSES = new Set(['BertTokenizer', 'DistilBertTokenizer', 'ElectraTokenizer', 'ConvBertTokenizer', 'MobileBertTokenizer', 'SqueezeBertTokenizer', 'PreTrainedTokenizer']);

/** getTokenFromConfig: the first key set to a string or to a serialized AddedToken. */
function tokenFromConfig(config: Json, ...keys: string[]): string | null | undefined {
  for (const key of keys) {
    if (!Object.hasOwn(config, key)) continue;
    const item = config[key];
    if (!item) continue;
    if (typeof item === 'string') return item;
    if (isObject(item) && item.__type === 'AddedToken' && typeof item.content === 'string') return item.content;
    return undefined; // transformers.js throws on anything else
  }
  return null;
}

interface Template {
  readonly prefix: readonly number[];
  readonly prefixTypes: readonly number[];
  readonly contentType: number;
  readonly suffix: readonly number[];
  readonly suffixTypes: readonly number[];
}

/** The single-sequence template as token strings; transformers.js maps them to ids like any token (the template's own ids are ignored). */
function readTemplate(post: unknown): { before: [string, number][]; type: number; after: [string, number][] } | null {
  if (!isObject(post)) return null;
  if (post.type === 'BertProcessing') {
    const cls = post.cls;
    const sep = post.sep;
    if (!Array.isArray(cls) || typeof cls[0] !== 'string' || !Array.isArray(sep) || typeof sep[0] !== 'string') return null;
    return { before: [[cls[0], 0]], type: 0, after: [[sep[0], 0]] };
  }
  if (post.type !== 'TemplateProcessing' || !Array.isArray(post.single)) return null;
  const before: [string, number][] = [];
  const after: [string, number][] = [];
  let type: number | null = null;
  for (const item of post.single as unknown[]) {
    if (!isObject(item)) return null;
    if (isObject(item.SpecialToken)) {
      const { id, type_id } = item.SpecialToken;
      if (typeof id !== 'string' || typeof type_id !== 'number') return null;
      (type === null ? before : after).push([id, type_id]);
    } else if (isObject(item.Sequence)) {
      if (item.Sequence.id !== 'A' || typeof item.Sequence.type_id !== 'number' || type !== null) return null;
      type = item.Sequence.type_id;
    } else {
      return null;
    }
  }
  return type === null ? null : { before, type, after };
}

const LITTLE_ENDIAN = endianness() === 'LE';
const CACHE_LIMIT = 50_000;

/** Reads <dir>/tokenizer.json and tokenizer_config.json; returns null when the tokenizer is not the shape this encoder reproduces (then the caller falls back to transformers.js's own tokenizer). */
export function loadWordPiece(dir: string): WordPieceEncoder | null {
  const spec = readJson(join(dir, 'tokenizer.json'));
  const config = readJson(join(dir, 'tokenizer_config.json'));
  if (!spec || !config) return null;

  const className = config.tokenizer_class ?? 'PreTrainedTokenizer';
  if (typeof className !== 'string' || !PLAIN_CLASSES.has(className.replace(/Fast$/, ''))) return null;
  if (config.do_lowercase_and_remove_accent || config.remove_space === true) return null;
  const padSide = config.padding_side ?? 'right';
  if (padSide !== 'right' && padSide !== 'left') return null;
  const maxLength = config.model_max_length ?? Infinity;
  if (typeof maxLength !== 'number' || !(maxLength >= 0)) return null;

  const norm = spec.normalizer;
  if (!isObject(norm) || norm.type !== 'BertNormalizer') return null;
  const clean = Boolean(norm.clean_text);
  const chinese = Boolean(norm.handle_chinese_chars);
  const lowercase = Boolean(norm.lowercase);
  // BertNormalizer.normalize: with lowercase, accents go unless strip_accents is exactly false (so null
  // strips, the Python default); without it, only a truthy strip_accents strips.
  const stripAccents = lowercase ? norm.strip_accents !== false : Boolean(norm.strip_accents);

  if (!isObject(spec.pre_tokenizer) || spec.pre_tokenizer.type !== 'BertPreTokenizer') return null;

  const model = spec.model;
  if (!isObject(model) || model.type !== 'WordPiece' || !isObject(model.vocab) || model.fuse_unk === true) return null;
  const unkToken = model.unk_token;
  const prefix = model.continuing_subword_prefix;
  const maxChars = model.max_input_chars_per_word ?? 100;
  if (typeof unkToken !== 'string' || typeof prefix !== 'string' || typeof maxChars !== 'number') return null;

  const template = readTemplate(spec.post_processor);
  if (!template) return null;

  // tokens_to_ids: the vocab with every added token's content written over it. WordPiece searches this map;
  // ids then come from the added-token map first, which also holds normalized contents.
  const pieces = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number') return null;
    pieces.set(token, id);
  }
  if (!Array.isArray(spec.added_tokens)) return null;
  const added = new Map<string, AddedToken>();
  const rawContents: string[] = [];
  const normalizedContents: string[] = [];
  const addedList: { content: string; token: AddedToken; normalized: boolean }[] = [];
  for (const t of spec.added_tokens as unknown[]) {
    if (!isObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number') return null;
    const special = Boolean(t.special ?? false);
    const token: AddedToken = { id: t.id, lstrip: Boolean(t.lstrip ?? false), rstrip: Boolean(t.rstrip ?? false) };
    // single_word is read by transformers.js but never acted on, so it is ignored here too.
    addedList.push({ content: t.content, token, normalized: Boolean(t.normalized ?? !special) });
    pieces.set(t.content, t.id);
  }

  const table = classTable();
  /**
   * BertNormalizer. `exact` gives its very string, for added-token contents and for texts searched for them;
   * otherwise whitespace stays as it is and CJK characters are split off by the word scanner instead of
   * being spaced here, which gives the same words with less copying.
   */
  const normalize = (text: string, exact: boolean): string => {
    let s = clean ? cleanText(text, table, exact) : text;
    if (chinese && exact) s = spaceCjk(s, table);
    // Lowercase the whole section at once: toLowerCase looks at neighbours (a final Σ becomes ς only at the
    // end of a word, and «.» or «'» do not end it), so word by word would differ.
    if (lowercase) s = s.toLowerCase();
    if (stripAccents) {
      // Spaces go in before NFD, as in transformers.js: NFD turns some CJK compatibility ideographs into
      // astral ones, which its CJK test no longer sees.
      if (chinese && !exact) s = spaceCjk(s, table);
      s = s.normalize('NFD').replace(MARK_RE, '');
    }
    return s;
  };
  // Spaced CJK characters are words of their own either way, so the scanner may split them off again.
  const cjkInScan = chinese && !stripAccents;

  for (const { content, token, normalized } of addedList) {
    added.set(content, token);
    if (normalized) {
      const n = normalize(content, true);
      normalizedContents.push(n);
      added.set(n, token);
    } else {
      rawContents.push(content);
    }
  }
  const finalId = (token: string): number | undefined => added.get(token)?.id ?? pieces.get(token);

  const unkId = finalId(unkToken);
  if (unkId === undefined) return null;
  const padToken = tokenFromConfig(config, 'pad_token', 'eos_token');
  const padId = typeof padToken === 'string' ? pieces.get(padToken) : undefined;
  if (padId === undefined) return null;

  // WordPiece searches tokens_to_ids but the id of what it finds comes from the added-token map first; the
  // two differ only for a normalized added token whose normalized form is also a vocab entry, so `heads` is
  // tokens_to_ids with those written over. Continuation pieces get their own map keyed without the "##",
  // which saves building "##" + candidate for every lookup.
  const heads = pieces;
  for (const content of normalizedContents) {
    if (heads.has(content)) heads.set(content, added.get(content)!.id);
  }
  const tails = new Map<string, number>();
  if (prefix.length === 0) {
    for (const [token, id] of heads) tails.set(token, id);
  } else {
    for (const [token, id] of heads) if (token.startsWith(prefix)) tails.set(token.slice(prefix.length), id);
  }

  const tpl: Template = {
    prefix: template.before.map(([t]) => finalId(t) ?? unkId),
    prefixTypes: template.before.map(([, type]) => type),
    contentType: template.type,
    suffix: template.after.map(([t]) => finalId(t) ?? unkId),
    suffixTypes: template.after.map(([, type]) => type),
  };
  const typesAllZero = tpl.contentType === 0 && [...tpl.prefixTypes, ...tpl.suffixTypes].every((t) => t === 0);

  const splitRaw = makeSplitter(rawContents);
  const splitNormalized = makeSplitter(normalizedContents);

  const cache = new Map<string, number | Int32Array>();
  const scratch: number[] = [];

  const wordPiece = (word: string): number | Int32Array => {
    const n = word.length;
    let chars = 0;
    for (let i = 0; i < n; i++) {
      if (isHigh(word.charCodeAt(i)) && i + 1 < n && isLow(word.charCodeAt(i + 1))) i++;
      chars++;
    }
    if (chars > maxChars) return unkId;
    scratch.length = 0;
    let start = 0;
    while (start < n) {
      let end = n;
      let found: number | undefined;
      const map = start === 0 ? heads : tails;
      while (start < end) {
        found = map.get(start === 0 && end === n ? word : word.slice(start, end));
        if (found !== undefined) break;
        // Back off one code point, as [...token] does: a surrogate pair is one character, a lone half is one too.
        end -= end - 2 >= start && isLow(word.charCodeAt(end - 1)) && isHigh(word.charCodeAt(end - 2)) ? 2 : 1;
      }
      if (found === undefined) return unkId;
      scratch.push(found);
      start = end;
    }
    return scratch.length === 1 ? scratch[0]! : Int32Array.from(scratch);
  };

  // The content tokens of the text being encoded; filling stops at `limit`, past which truncation would cut
  // anyway, so a long post is only read as far as the model sees it.
  let out = new Int32Array(256);
  let count = 0;
  let limit = 0;
  const push = (id: number): boolean => {
    if (count === out.length) {
      const grown = new Int32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[count++] = id;
    return count >= limit;
  };

  const pushWord = (word: string): boolean => {
    let ids = cache.get(word);
    if (ids === undefined) {
      ids = wordPiece(word);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      // A slice of 13+ units is a view that keeps its whole post alive; as a key it would hold up to 50k
      // posts. Slicing a fresh concatenation keeps only a copy of the word.
      cache.set(word.length >= 13 ? (' ' + word).slice(1) : word, ids);
    }
    if (typeof ids === 'number') return push(ids);
    for (let k = 0; k < ids.length; k++) if (push(ids[k]!)) return true;
    return false;
  };

  /** BertPreTokenizer (runs of non-space non-punctuation, or one punctuation character) then WordPiece. */
  const pushWords = (s: string): boolean => {
    const n = s.length;
    let i = 0;
    while (i < n) {
      let c = s.charCodeAt(i);
      let width = 1;
      let cls: number;
      if (isHigh(c) && i + 1 < n && isLow(s.charCodeAt(i + 1))) {
        width = 2;
        cls = astralClass(((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000) & PUNCT;
      } else {
        cls = table[c]! & (cjkInScan ? SPACE | PUNCT | CJK : SPACE | PUNCT);
      }
      if (cls & SPACE) {
        i += width;
        continue;
      }
      if (cls !== 0) {
        // Punctuation is one token per character; a CJK ideograph, spaced out by the normalizer, is a word of its own.
        if (pushWord(s.slice(i, i + width))) return true;
        i += width;
        continue;
      }
      let j = i + width;
      while (j < n) {
        c = s.charCodeAt(j);
        if (isHigh(c) && j + 1 < n && isLow(s.charCodeAt(j + 1))) {
          if (astralClass(((c - 0xd800) << 10) + (s.charCodeAt(j + 1) - 0xdc00) + 0x10000) & PUNCT) break;
          j += 2;
        } else {
          if (table[c]! & (cjkInScan ? SPACE | PUNCT | CJK : SPACE | PUNCT)) break;
          j++;
        }
      }
      if (pushWord(i === 0 && j === n ? s : s.slice(i, j))) return true;
      i = j;
    }
    return false;
  };

  /** Tokenizer.encode_text: split off raw added tokens, normalize the rest, split off normalized added tokens, then words. */
  const pushText = (text: string): void => {
    if (limit <= 0) return;
    const sections = splitRaw ? splitRaw(text) : text.length > 0 ? [text] : [];
    if (splitRaw) stripAround(sections, added);
    for (const section of sections) {
      if (section.length === 0) continue;
      const token = added.get(section);
      if (token) {
        if (push(token.id)) return;
        continue;
      }
      const normalized = normalize(section, splitNormalized !== null);
      if (normalized.length === 0) continue;
      const subsections = splitNormalized ? splitNormalized(normalized) : [normalized];
      if (splitNormalized) stripAround(subsections, added);
      for (const sub of subsections) {
        if (sub.length === 0) continue;
        const subToken = added.get(sub);
        if (subToken ? push(subToken.id) : pushWords(sub)) return;
      }
    }
  };

  /** Fills `out` with [prefix] content [suffix] truncated to maxLength; returns the row length. */
  const encodeRow = (text: string): number => {
    count = 0;
    limit = maxLength - tpl.prefix.length;
    pushText(text);
    return Math.min(tpl.prefix.length + count + tpl.suffix.length, maxLength);
  };

  const idAt = (pos: number): number => {
    if (pos < tpl.prefix.length) return tpl.prefix[pos]!;
    pos -= tpl.prefix.length;
    return pos < count ? out[pos]! : tpl.suffix[pos - count]!;
  };
  const typeAt = (pos: number): number => {
    if (pos < tpl.prefix.length) return tpl.prefixTypes[pos]!;
    pos -= tpl.prefix.length;
    return pos < count ? tpl.contentType : tpl.suffixTypes[pos - count]!;
  };

  const encode = (text: string): Int32Array => {
    const length = encodeRow(text);
    const ids = new Int32Array(length);
    for (let p = 0; p < length; p++) ids[p] = idAt(p);
    return ids;
  };

  return {
    maxLength,
    encode,
    encodeBatch(texts) {
      const rowIds = texts.map(encode);
      const rowTypes = typesAllZero
        ? null
        : texts.map((text) => {
            const length = encodeRow(text);
            return Int32Array.from({ length }, (_, p) => typeAt(p));
          });
      const rows = texts.length;
      let cols = 0;
      for (const r of rowIds) cols = Math.max(cols, r.length);
      const ids = new BigInt64Array(rows * cols);
      const attentionMask = new BigInt64Array(rows * cols);
      const tokenTypeIds = new BigInt64Array(rows * cols);
      // Ids and masks are small and non-negative: on little-endian machines writing the low 32 bits of each
      // int64 avoids a BigInt per element.
      const idWords = LITTLE_ENDIAN ? new Int32Array(ids.buffer) : null;
      const maskWords = LITTLE_ENDIAN ? new Int32Array(attentionMask.buffer) : null;
      const typeWords = LITTLE_ENDIAN ? new Int32Array(tokenTypeIds.buffer) : null;
      const set = (words: Int32Array | null, big: BigInt64Array, at: number, value: number) => {
        if (words) {
          words[2 * at] = value;
          words[2 * at + 1] = value < 0 ? -1 : 0;
        } else {
          big[at] = BigInt(value);
        }
      };
      for (let r = 0; r < rows; r++) {
        const row = rowIds[r]!;
        const types = rowTypes?.[r];
        const offset = r * cols + (padSide === 'left' ? cols - row.length : 0);
        for (let p = 0; p < row.length; p++) {
          set(idWords, ids, offset + p, row[p]!);
          set(maskWords, attentionMask, offset + p, 1);
          if (types) set(typeWords, tokenTypeIds, offset + p, types[p]!);
        }
        const padFrom = padSide === 'left' ? r * cols : offset + row.length;
        for (let p = 0; p < cols - row.length; p++) set(idWords, ids, padFrom + p, padId);
      }
      return { ids, attentionMask, tokenTypeIds, rows, cols };
    },
  };
}
