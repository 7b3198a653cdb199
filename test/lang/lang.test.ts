import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/lang/index.js';
import { normalize } from '../../src/normalize/index.js';
import type { Language } from '../../src/types.js';

function lang(text: string): Language {
  return detectLanguage(normalize(text).text).lang;
}

describe('detectLanguage()', () => {
  it.each([
    ['Привет, как дела?', 'ru'],
    ['Закладки по городу, пиши в бот', 'ru'],
    ['Сәлем, қалайсың?', 'kk'],
    ['Бүгін', 'kk'],
    ['Бугин кешке кездесемиз бе?', 'kk'],
    ['Калайсын бауырым', 'kk'],
    ['Жаксы, рахмет', 'kk'],
    ['Esirtki satamyz, jaz', 'kk'],
    ['Qalaisyñ, bauyrym?', 'kk'],
    ['Hello everyone, see you tomorrow', 'other'],
    ['👍👍👍', 'other'],
    ['12345', 'other'],
    ['Привет всем! Бүгін кешке кездесеміз бе?', 'mixed'],
  ] as const)('%j → %s', (text, expected) => {
    expect(lang(text)).toBe(expected);
  });

  it('keeps Russian posts with English terms and links Russian', () => {
    expect(lang('🧰 avo — пакет для генерации x86 assembly с помощью Go, подробности на https://github.com/mmcloughlin/avo')).toBe('ru');
  });

  it('gives a confidence in [0, 1], higher for longer clear text', () => {
    const short = detectLanguage('как дела');
    const long = detectLanguage('Полиция задержала двоих в Алматы, изъято более двух килограммов, возбуждено уголовное дело');
    for (const g of [short, long]) {
      expect(g.confidence).toBeGreaterThanOrEqual(0);
      expect(g.confidence).toBeLessThanOrEqual(1);
    }
    expect(long.confidence).toBeGreaterThan(short.confidence);
  });

  it('splits a mixed post into sentences with offsets into the text', () => {
    const text = 'Доставка по городу. Жеткізу тегін, тапсырыс беріңіз.';
    const guess = detectLanguage(text);
    expect(guess.lang).toBe('mixed');
    expect(guess.sentences?.map((s) => [text.slice(s.start, s.end).trim(), s.lang])).toEqual([
      ['Доставка по городу.', 'ru'],
      ['Жеткізу тегін, тапсырыс беріңіз.', 'kk'],
    ]);
  });

  it('is accurate on the labelled set of short posts (corpora/lang/posts.jsonl)', () => {
    const rows = readFileSync(new URL('../../corpora/lang/posts.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; lang: Language; script: string });
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(rows.filter((r) => r.text.length < 40).length * 3).toBeGreaterThanOrEqual(rows.length);
    expect(rows.filter((r) => r.script === 'cyrillic-plain').length * 3).toBeGreaterThanOrEqual(rows.length);
    const accuracy = (subset: typeof rows) => subset.filter((r) => lang(r.text) === r.lang).length / subset.length;
    expect(accuracy(rows)).toBeGreaterThanOrEqual(0.97);
    expect(accuracy(rows.filter((r) => r.lang === 'ru'))).toBeGreaterThanOrEqual(0.97);
    expect(accuracy(rows.filter((r) => r.lang === 'kk'))).toBeGreaterThanOrEqual(0.97);
    expect(accuracy(rows.filter((r) => r.script === 'cyrillic-plain'))).toBeGreaterThanOrEqual(0.95);
  });
});
