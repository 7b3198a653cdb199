import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readInput } from '../../src/ingest/readers.js';
import { loadWordPiece, type WordPieceEncoder } from '../../src/model/wordpiece.js';
import { normalize } from '../../src/normalize/index.js';
import { BUNDLED_MODEL_DIR, PACKAGE_ROOT } from '../../src/paths.js';
import { isErrorRecord } from '../../src/types.js';
import { collect } from '../helpers/collect.js';

// The reference is transformers.js itself, loaded the way src/model/transformers.ts loads it: the encoder is
// only worth having if the model sees the very ids it was checked against.

interface Tensor {
  readonly data: BigInt64Array;
  readonly dims: number[];
}
type Reference = (text: string | string[], options: Record<string, unknown>) => { input_ids: Tensor; attention_mask: Tensor; token_type_ids: Tensor };

async function reference(dir: string): Promise<Reference> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(dir);
  return (await AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true })) as unknown as Reference;
}

const ids = (t: Tensor): number[] => Array.from(t.data, Number);

/** Texts whose ids differ, with both id lists, so a failure names the text. */
function mismatches(encoder: WordPieceEncoder, tokenizer: Reference, texts: readonly string[]): { text: string; ours: number[]; theirs: number[] }[] {
  const out: { text: string; ours: number[]; theirs: number[] }[] = [];
  for (const text of texts) {
    const max = encoder.maxLength === Infinity ? {} : { max_length: encoder.maxLength };
    const theirs = ids(tokenizer(text, { truncation: true, ...max }).input_ids);
    const ours = Array.from(encoder.encode(text));
    if (ours.join() !== theirs.join()) out.push({ text, ours, theirs });
  }
  return out;
}

function labelledTexts(): string[] {
  const dir = join(PACKAGE_ROOT, 'corpora', 'labelled');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => (JSON.parse(line) as { text: string }).text),
    );
}

/** Deterministic strings mixing every character class the normalizer and pre-tokenizer treat apart. */
function mixedTexts(count: number, seed: number): string[] {
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const singles = [
    ...'abcXYZприветМИРәіңғүұқөһӘІҢҒҮҰҚӨҺ0123456789',
    ...' \t\n\r\v\f\u00a0\u2003\u3000\u2028\u0085\u180e',
    ...'.,!?-—«»"\'()[]#@$%^&*_+=<>|~`/\\:;…',
    ...'\u0000\ufffd\u200b\u200c\u200d\u00ad\ufeff\u0301\u0307\ufe0f\u20e3',
    ...'中文字\uf900\ufa6c₸©№İIıΣσßẞǅ',
  ];
  const pieces = ['[MASK]', '[CLS]', ' [SEP] ', '[mask]', '😀', '👨‍👩‍👧', '🇰🇿', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '𠀀', '𝐀', '\u{10100}', '\u{e0020}', '\u{f0000}', '\ud800', '\udc00', '💊', '❄️', 'ΟΔΟΣ', 'меф'];
  return Array.from({ length: count }, () => {
    let s = '';
    const length = Math.floor(rand() * 40);
    for (let i = 0; i < length; i++) s += rand() < 0.15 ? pieces[Math.floor(rand() * pieces.length)]! : singles[Math.floor(rand() * singles.length)]!;
    return rand() < 0.05 ? s.repeat(8) : s;
  });
}

const EDGE_CASES: [string, string][] = [
  ['an empty string', ''],
  ['whitespace only', ' \t\n\u00a0\u3000\u2028 '],
  ['a ZWJ family emoji', '👨‍👩‍👧‍👦 семья'],
  ['flags', '🇰🇿🇷🇺 Казахстан'],
  ['a subdivision flag of tag characters', '🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland'],
  ['keycaps', '1️⃣2️⃣ #️⃣ *️⃣'],
  ['variation selectors', '❄️💎 ❄︎ ☺️ ❤'],
  ['skin tones', '👍🏽👋🏿 ок'],
  ['a word over 100 characters', `${'а'.repeat(101)} ок`],
  ['a word of exactly 100 characters', 'аб'.repeat(50)],
  ['100 emoji in a row (200 UTF-16 units, 100 characters)', '😀'.repeat(100)],
  ['101 emoji in a row', '😀'.repeat(101)],
  ['a text longer than 64 tokens', 'Меф, шишки, альфа в наличии. Ровный клад по Алматы. '.repeat(12)],
  ['control characters and \\u0000', 'a\u0000b\u0001c\u007fd\u0085e\ff\vg\u001fh'],
  ['zero-width characters', 'за\u200bклад\u200c ме\u200dф\u2060 \ufeffшишки\u00adалматы'],
  ['NBSP and other Unicode spaces', 'меф\u00a0шишки\u2000альфа\u2009клад\u202fтут\u205fи\u3000там\u1680да\u180eнет'],
  ['replacement characters', 'меф\ufffdмеф \ufffd'],
  ['CJK and other East Asian scripts', '中文 测试，日本語のテキスト 한국어 𠀀𠀁'],
  ['CJK compatibility ideographs', '\uf900\ufa6c\ufad9'],
  ['accented Latin and combining marks', 'café cafe\u0301 naïve Ångström e\u0301\u0300 ñ'],
  ['uppercase Cyrillic and Kazakh', 'ӘІҢҒҮҰҚӨҺ ҚАЗАҚСТАН МЕФЕДРОН Ёлка'],
  ['Turkish dotted capital I', 'İSTANBUL İnsan Iı'],
  ['German sharp s', 'STRASSE Straße STRAẞE'],
  ['Greek final sigma across punctuation', 'ΟΔΟΣ. ΑΣ.Α Σ ΑΣ\'Α'],
  ['punctuation runs', '!!!???...—«»…,,;;--__'],
  ['ASCII symbols next to other symbols', '$100 + 5 = <b> ~ | ^ ` 8000₸ © ™ № §'],
  ['special tokens in text', '[MASK] купи [CLS] [SEP][PAD][UNK]'],
  ['special tokens in another case or spacing', '[mask] [Mask] [ MASK ]'],
  ['a special token glued to words', 'меф[MASK]клад'],
  ['lone surrogates', 'a\ud800b \udc00c \ud83d'],
  ['private use characters', '\ue000 \u{f0000}x'],
  ['links and mentions', 'https://t.me/+AbCdEf123 @almaty_shop_bot #меф'],
  ['digits and money', '8 000 тг 12000₸ 1,5г 0.5'],
  ['mixed scripts in a word', 'мeф кaзaх'],
];

describe('loadWordPiece()', () => {
  let encoder: WordPieceEncoder;
  let tokenizer: Reference;
  beforeAll(async () => {
    encoder = loadWordPiece(BUNDLED_MODEL_DIR)!;
    tokenizer = await reference(BUNDLED_MODEL_DIR);
  });

  it('reads the bundled tokenizer: 64 tokens at most, [CLS] and [SEP] around the text', () => {
    expect(encoder).not.toBeNull();
    expect(encoder.maxLength).toBe(64);
    expect(Array.from(encoder.encode(''))).toEqual([2, 3]);
  });

  it('gives transformers.js ids for every labelled text, raw and after normalize()', () => {
    const raw = labelledTexts();
    expect(raw.length).toBeGreaterThan(2900);
    const texts = [...raw, ...raw.map((t) => normalize(t).text)];
    expect(mismatches(encoder, tokenizer, texts)).toEqual([]);
  });

  it('gives transformers.js ids for the sample inputs of every format', async () => {
    const dir = join(PACKAGE_ROOT, 'corpora', 'samples');
    const files = ['posts.jsonl', 'comments.csv', 'lines.txt', join('telegram-export', 'result.json')];
    const records = (await Promise.all(files.map((f) => collect(readInput({ path: join(dir, f) }))))).flat();
    const texts = records.flatMap((r) => (isErrorRecord(r) ? [] : [r.text]));
    expect(texts.length).toBeGreaterThan(30);
    expect(mismatches(encoder, tokenizer, [...texts, ...texts.map((t) => normalize(t).text)])).toEqual([]);
  });

  it.each(EDGE_CASES)('gives transformers.js ids for %s', (_name, text) => {
    const theirs = ids(tokenizer(text, { truncation: true, max_length: 64 }).input_ids);
    expect(Array.from(encoder.encode(text))).toEqual(theirs);
    expect(Array.from(encoder.encode(normalize(text).text))).toEqual(ids(tokenizer(normalize(text).text, { truncation: true, max_length: 64 }).input_ids));
  });

  it('gives transformers.js ids for 3,000 strings mixing spaces, controls, punctuation, CJK, emoji and special tokens', () => {
    expect(mismatches(encoder, tokenizer, mixedTexts(3000, 7))).toEqual([]);
  });

  it('truncates as transformers.js does: the first 63 content tokens after [CLS], and no [SEP] once it does not fit', () => {
    // '.' is one token each, so the number of content tokens is the number of dots.
    const row = (dots: number) => Array.from(encoder.encode('.'.repeat(dots)));
    const dot = row(1)[1]!;
    expect(row(62)).toEqual([2, ...Array<number>(62).fill(dot), 3]);
    expect(row(63)).toEqual([2, ...Array<number>(63).fill(dot)]);
    expect(row(500)).toEqual([2, ...Array<number>(63).fill(dot)]);
    for (const dots of [62, 63, 64, 500]) {
      expect(row(dots)).toEqual(ids(tokenizer('.'.repeat(dots), { truncation: true, max_length: 64 }).input_ids));
    }
  });

  it('pads a batch of mixed lengths exactly as the text-classification pipeline does', () => {
    const texts = ['', 'короткий пост', 'Меф, шишки, альфа в наличии. '.repeat(20), '[MASK] ΟΔΟΣ İ 👨‍👩‍👧', 'средний пост про клад в Алматы'];
    // The pipeline calls the tokenizer with exactly these options.
    const theirs = tokenizer(texts, { padding: true, truncation: true });
    const ours = encoder.encodeBatch(texts);
    expect([ours.rows, ours.cols]).toEqual(theirs.input_ids.dims);
    expect(Array.from(ours.ids)).toEqual(Array.from(theirs.input_ids.data));
    expect(Array.from(ours.attentionMask)).toEqual(Array.from(theirs.attention_mask.data));
    expect(Array.from(ours.tokenTypeIds)).toEqual(Array.from(theirs.token_type_ids.data));
  });

  it('pads a batch of short texts to the longest of them, not to 64', () => {
    const ours = encoder.encodeBatch(['а', 'а б в']);
    expect(ours.cols).toBe(5);
    expect(Array.from(ours.attentionMask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1].map(BigInt));
    expect(encoder.encodeBatch([])).toMatchObject({ rows: 0, cols: 0 });
  });

  it('gives the same ids after its word cache has filled up and been cleared', () => {
    const text = 'Ровный клад по Алматы, меф 1г — 12000₸';
    const before = Array.from(encoder.encode(text));
    for (let i = 0; i < 60_000; i += 100) encoder.encode(Array.from({ length: 100 }, (_, k) => `слово${i + k}`).join(' '));
    expect(Array.from(encoder.encode(text))).toEqual(before);
  });
});

describe('loadWordPiece() on other tokenizer configurations', () => {
  const bundledSpec = JSON.parse(readFileSync(join(BUNDLED_MODEL_DIR, 'tokenizer.json'), 'utf8')) as Record<string, any>;
  const bundledConfig = JSON.parse(readFileSync(join(BUNDLED_MODEL_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, any>;
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'qorgau-wordpiece-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // transformers.js reads a local folder name as a Hub model id; one ending in '-' (or holding '--') is not
  // valid, and then tokenizer_config.json goes unread and loading fails with a TypeError.
  const slug = (name: string) => name.replace(/\W+/g, '-').replace(/^-|-$/g, '');

  /** A model folder holding the bundled tokenizer as `edit` changes it. */
  function variant(name: string, edit: (spec: Record<string, any>, config: Record<string, any>) => void): string {
    const spec = structuredClone(bundledSpec);
    const config = structuredClone(bundledConfig);
    edit(spec, config);
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(spec));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
    return dir;
  }

  const texts = [
    ...mixedTexts(1000, 11),
    ...EDGE_CASES.map(([, text]) => text),
    'Привет Мир и ПРИВЕТ   МИР',
    'ab\tc, AB c',
    'ЖОҚ жоқ',
    '中文',
    'a [MASK] b',
    'закладка КЛАД клад',
  ];
  const added = (id: number, content: string, flags: Record<string, boolean>) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false, ...flags });

  it.each<[string, (spec: Record<string, any>, config: Record<string, any>) => void]>([
    ['strip_accents null with lowercase (accents stripped)', (s) => void (s.normalizer.strip_accents = null)],
    ['no lowercase, strip_accents true', (s) => void Object.assign(s.normalizer, { lowercase: false, strip_accents: true })],
    ['no clean_text, no handle_chinese_chars', (s) => void Object.assign(s.normalizer, { clean_text: false, handle_chinese_chars: false })],
    [
      'added tokens with lstrip, rstrip and normalized flags',
      (s) => {
        Object.assign(s.added_tokens[4], { lstrip: true, rstrip: true });
        s.added_tokens.push(
          added(15960, 'Привет Мир', { lstrip: true, normalized: true }),
          added(15961, 'ab\tc', { rstrip: true, normalized: true }),
          added(15962, 'ЖОҚ', {}),
          added(15963, '中文', { normalized: true }),
          // normalized to «клад», a vocab word with another id; it is also cut out of «закладка»
          added(15964, 'КЛАД', { normalized: true }),
        );
      },
    ],
    [
      'BertProcessing, left padding, model_max_length 20',
      (s, c) => {
        s.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };
        Object.assign(c, { model_max_length: 20, padding_side: 'left' });
      },
    ],
    [
      'a template with several special tokens and type ids, model_max_length 10',
      (s, c) => {
        s.post_processor.single = [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { SpecialToken: { id: '[MASK]', type_id: 1 } },
          { Sequence: { id: 'A', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ];
        c.model_max_length = 10;
      },
    ],
    ['no model_max_length (no truncation)', (_s, c) => void delete c.model_max_length],
  ])('gives transformers.js ids and batches with %s', async (name, edit) => {
    const dir = variant(slug(name), edit);
    const encoder = loadWordPiece(dir);
    expect(encoder).not.toBeNull();
    const tokenizer = await reference(dir);
    expect(mismatches(encoder!, tokenizer, texts)).toEqual([]);
    const batch = texts.slice(-8);
    const theirs = tokenizer(batch, { padding: true, truncation: true });
    const ours = encoder!.encodeBatch(batch);
    expect([ours.rows, ours.cols]).toEqual(theirs.input_ids.dims);
    expect(Array.from(ours.ids)).toEqual(Array.from(theirs.input_ids.data));
    expect(Array.from(ours.attentionMask)).toEqual(Array.from(theirs.attention_mask.data));
    expect(Array.from(ours.tokenTypeIds)).toEqual(Array.from(theirs.token_type_ids.data));
  });

  it.each<[string, (spec: Record<string, any>, config: Record<string, any>) => void]>([
    ['a Metaspace pre-tokenizer', (s) => void (s.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true })],
    ['a Sequence of pre-tokenizers', (s) => void (s.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'BertPreTokenizer' }, { type: 'Digits', individual_digits: true }] })],
    ['a BPE model', (s) => void Object.assign(s.model, { type: 'BPE', merges: [] })],
    ['fuse_unk', (s) => void (s.model.fuse_unk = true)],
    ['a Sequence normalizer', (s) => void (s.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] })],
    ['no normalizer', (s) => void (s.normalizer = null)],
    ['a RobertaProcessing post-processor', (s) => void (s.post_processor = { type: 'RobertaProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2], trim_offsets: true, add_prefix_space: false })],
    ['a template with a pair sequence in the single template', (s) => void s.post_processor.single.push({ Sequence: { id: 'B', type_id: 1 } })],
    ['an unknown-to-the-vocab unk token', (s) => void (s.model.unk_token = '<unk>')],
    ['a tokenizer class with its own encoding (T5)', (_s, c) => void (c.tokenizer_class = 'T5Tokenizer')],
    ['do_lowercase_and_remove_accent', (_s, c) => void (c.do_lowercase_and_remove_accent = true)],
  ])('returns null for %s', (name, edit) => {
    expect(loadWordPiece(variant(`null-${slug(name)}`, edit))).toBeNull();
  });

  it('returns null for a missing folder, a folder without tokenizer_config.json, and broken JSON', () => {
    expect(loadWordPiece(join(root, 'does-not-exist'))).toBeNull();
    const noConfig = join(root, 'no-config');
    mkdirSync(noConfig);
    writeFileSync(join(noConfig, 'tokenizer.json'), JSON.stringify(bundledSpec));
    expect(loadWordPiece(noConfig)).toBeNull();
    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'tokenizer.json'), '{"version": "1.0", "model": ');
    writeFileSync(join(broken, 'tokenizer_config.json'), JSON.stringify(bundledConfig));
    expect(loadWordPiece(broken)).toBeNull();
  });
});
