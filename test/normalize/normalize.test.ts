import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize, normalizeSteps, toOriginalSpan, TRANSFORMS } from '../../src/normalize/index.js';
import { OBFUSCATED, ORDINARY } from '../fixtures/normalize-cases.js';

const obfuscated = Object.entries(OBFUSCATED).flatMap(([trick, rows]) => rows.map(([input, plain]) => [trick, input, plain] as const));

/** What ordinary text may become: lower case, ё as е, one space, one kind of dash. */
function plainFold(s: string): string {
  return s.toLowerCase().replace(/ё/g, 'е').replace(/[\u2010-\u2015\u2212]/g, '-').replace(/\s+/g, ' ').trim();
}

describe('normalize()', () => {
  it('has the tables the issue asks for', () => {
    expect(obfuscated.length).toBeGreaterThanOrEqual(150);
    expect(ORDINARY.length).toBeGreaterThanOrEqual(150);
  });

  it.each(obfuscated)('%s: %j → %j', (_trick, input, plain) => {
    expect(normalize(input).text).toBe(plain);
  });

  it.each(ORDINARY.map((s) => [s]))('leaves %j alone', (s) => {
    expect(normalize(s).text).toBe(plainFold(s));
  });

  it.each([
    ['много   \t пробелов', 'много пробелов'],
    ['  по краям  ', 'по краям'],
    ['строка\r\n\r\nдругая', 'строка\nдругая'],
    ['ﬁnance', 'finance'],
    ['…', '...'],
    ['№5', '№5'],
  ])('folds layout and compatibility forms: %j → %j', (input, expected) => {
    expect(normalize(input).text).toBe(expected);
  });

  it('finds obfuscated words inside a post and maps them back to how they were written', () => {
    const original = 'Магазин 24/7: з@кл@дки, нaркoтики и м.е.ф по городу, 5000₸, пиши @shop_bot';
    const n = normalize(original);
    expect(n.text).toBe('магазин 24/7: закладки, наркотики и меф по городу, 5000₸, пиши @shop_bot');
    for (const [word, written] of [['закладки', 'з@кл@дки'], ['наркотики', 'нaркoтики'], ['меф', 'м.е.ф'], ['@shop_bot', '@shop_bot']] as const) {
      const at = n.text.indexOf(word);
      const span = toOriginalSpan(n, at, at + word.length);
      expect(original.slice(span.start, span.end)).toBe(written);
    }
  });

  it('maps a word back to its original spelling', () => {
    const original = 'Купи  ЗА\u200BКЛАДКИ тут';
    const n = normalize(original);
    const at = n.text.indexOf('закладки');
    const span = toOriginalSpan(n, at, at + 'закладки'.length);
    expect(original.slice(span.start, span.end)).toBe('ЗА\u200BКЛАДКИ');
  });

  it('transliterates Kazakh Latin only when the text reads as Kazakh', () => {
    expect(normalize('Almaty qalasynda esirtki satatyn adam ustaldy').text).toBe('алматы қаласында есірткі сататын адам усталды');
    expect(normalize('Hello from Almaty, see you soon').text).toBe('hello from almaty, see you soon');
    expect(normalize('Esirtki satamyz, jaz: @dala_bot https://t.me/dala').text).toBe('есірткі сатамыз, жаз: @dala_bot https://t.me/dala');
  });

  it('is idempotent on real text: normalizing normalized text changes nothing', () => {
    const lang = readFileSync(new URL('../../corpora/lang/posts.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    for (const text of [...obfuscated.map((row) => row[1]), ...ORDINARY, ...lang]) {
      const once = normalize(text).text;
      expect(normalize(once).text, JSON.stringify(text)).toBe(once);
    }
  });

  it('reports every step in the documented order', () => {
    const steps = normalizeSteps('З А К Л А Д К И');
    expect(steps.map((s) => s.name)).toEqual(TRANSFORMS.map((t) => t.name));
    expect(steps.find((s) => s.name === 'spaced-letters')!.text).toBe('ЗАКЛАДКИ');
    expect(steps.at(-1)!.text).toBe('закладки');
  });
});

// Random strings over the characters the transforms touch.
const ALPHABET = [
  'а', 'Ё', 'Қ', 'і', 'з', 'к', 'л', 'д', 'и', 'ь', 'н', 'р', 'о', 'с',
  'a', 'o', 'c', 'H', 'q', 's', 'ş', 'y', 'i', "'",
  ' ', ' ', '\t', '\n', '\u00A0', '\u200B', '\u00AD', '\u202E', '\uFE0F', '\u0301', '\u0306', '\u0336',
  'ｆ', '𝐳', 'Ⓚ', 'ﬁ', '…', '—', '·',
  '0', '3', '4', '@', '$', '1', '.', '-', '_', '*', ':', '/',
  '😀', '❄', '🏽', '\u{E0061}',
];

function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

function randomText(rand: (n: number) => number, alphabet: readonly string[]): string {
  return Array.from({ length: 1 + rand(40) }, () => alphabet[rand(alphabet.length)]).join('');
}

const INVISIBLE = /^[\s\u200B-\u200F\u202A-\u202E\u2060-\u2064\u00AD\uFE00-\uFE0F\u0300-\u036F\u{E0000}-\u{E007F}\u{1F3FB}-\u{1F3FF}]*$/u;

describe('normalize() offset map', () => {
  it('never throws and keeps the map in bounds on arbitrary UTF-16 (lone surrogates, controls, astral)', () => {
    const rand = rng(3);
    const ranges = [[0, 0x80], [0x400, 0x530], [0xd800, 0xe000], [0x300, 0x370], [0x2000, 0x2070], [0xfe00, 0xff00], [0x1d400, 0x1d800], [0x1f300, 0x1fa00], [0xe0000, 0xe0080]] as const;
    for (let round = 0; round < 3000; round += 1) {
      let original = '';
      for (let k = rand(50); k > 0; k -= 1) {
        const [a, b] = ranges[rand(ranges.length)]!;
        original += String.fromCodePoint(a + rand(b - a));
      }
      const n = normalize(original);
      for (let i = 0; i < n.text.length; i += 1) {
        expect(n.starts[i]).toBeLessThan(n.ends[i]!);
        expect(n.ends[i]).toBeLessThanOrEqual(original.length);
      }
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(n.text)).toBe(false);
    }
  });

  it('maps every normalized unit to a real, visible span of the original, in order', () => {
    const rand = rng(7);
    for (let round = 0; round < 2000; round += 1) {
      const original = randomText(rand, ALPHABET);
      const n = normalize(original);
      expect(n.starts.length).toBe(n.text.length);
      expect(n.ends.length).toBe(n.text.length);
      for (let i = 0; i < n.text.length; i += 1) {
        const s = n.starts[i]!;
        const e = n.ends[i]!;
        expect(s).toBeLessThan(e);
        expect(e).toBeLessThanOrEqual(original.length);
        if (i > 0) {
          expect(s).toBeGreaterThanOrEqual(n.starts[i - 1]!);
          expect(e).toBeGreaterThanOrEqual(n.ends[i - 1]!);
        }
        // Never half of a surrogate pair.
        expect(original.charCodeAt(s) >= 0xdc00 && original.charCodeAt(s) <= 0xdfff).toBe(false);
        expect(original.charCodeAt(e - 1) >= 0xd800 && original.charCodeAt(e - 1) <= 0xdbff).toBe(false);
        // A visible unit comes from something visible.
        if (!/\s/.test(n.text[i]!)) expect(INVISIBLE.test(original.slice(s, e))).toBe(false);
      }
      const a = rand(n.text.length + 1);
      const b = a + rand(n.text.length - a + 1);
      const span = toOriginalSpan(n, a, b);
      expect(span.start).toBeLessThanOrEqual(span.end);
      expect(span.end).toBeLessThanOrEqual(original.length);
    }
  });

  it('gives back each word: the original span of a normalized word normalizes to that word', () => {
    // Without Latin letters no step looks beyond the word (script majority and Kazakh Latin do), so the
    // original span of a word must normalize to exactly that word on its own.
    const alphabet = ALPHABET.filter((ch) => !/\p{Script=Latin}|'/u.test(ch.normalize('NFKC')));
    const rand = rng(11);
    for (let round = 0; round < 2000; round += 1) {
      const original = randomText(rand, alphabet);
      const n = normalize(original);
      // A word as the leet step sees it: letters, digits, @ and $.
      for (const m of n.text.matchAll(/[\p{L}\p{N}@$]+/gu)) {
        const span = toOriginalSpan(n, m.index, m.index + m[0].length);
        const again = normalize(original.slice(span.start, span.end)).text;
        expect(again, `${JSON.stringify(original)} word ${m[0]}`).toContain(m[0]);
      }
    }
  });
});
