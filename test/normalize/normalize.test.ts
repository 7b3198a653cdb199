import { describe, expect, it } from 'vitest';
import { normalize, toOriginalSpan } from '../../src/normalize/index.js';

describe('normalize()', () => {
  it.each([
    ['ЁЛКА', 'елка'],
    ['за\u200Bкладки', 'закладки'],
    ['soft\u00ADhyphen', 'softhyphen'],
    ['ｆｕｌｌ', 'full'],
    ['много   \t пробелов', 'много пробелов'],
    ['ҚАЗАҚСТАН', 'қазақстан'],
  ])('folds %j to %j', (input, expected) => {
    expect(normalize(input).text).toBe(expected);
  });

  it('maps every normalized unit to a real span of the original', () => {
    // Property test over random strings built from the characters the transforms touch.
    const alphabet = ['а', 'Ё', 'Қ', 'x', ' ', '\t', '\u200B', '\u00AD', 'ｆ', '😀', '1', '.', 'ﬁ'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round += 1) {
      const original = Array.from({ length: 1 + rand(30) }, () => alphabet[rand(alphabet.length)]).join('');
      const n = normalize(original);
      expect(n.starts.length).toBe(n.text.length);
      for (let i = 0; i < n.text.length; i += 1) {
        expect(n.starts[i]).toBeLessThan(n.ends[i]!);
        expect(n.ends[i]).toBeLessThanOrEqual(original.length);
        if (i > 0) expect(n.starts[i]).toBeGreaterThanOrEqual(n.starts[i - 1]!);
      }
      for (let s = 0; s < n.text.length; s += 1) {
        const e = s + 1 + rand(n.text.length - s);
        const span = toOriginalSpan(n, s, e);
        expect(span.start).toBeLessThan(span.end);
        // The original span, normalized, contains what the normalized span says.
        expect(normalize(original.slice(span.start, span.end)).text).toContain(n.text.slice(s, e).trim());
      }
    }
  });

  it('maps a word back to its original spelling', () => {
    const original = 'Купи  ЗА\u200BКЛАДКИ тут';
    const n = normalize(original);
    const at = n.text.indexOf('закладки');
    const span = toOriginalSpan(n, at, at + 'закладки'.length);
    expect(original.slice(span.start, span.end)).toBe('ЗА\u200BКЛАДКИ');
  });
});
