import { writeFileSync } from 'node:fs';
import type { Category } from '../../src/types.js';

/**
 * A small labelled corpus in the corpus format, made up for tests: drug-shop posts, scam posts and clean posts
 * from separate vocabularies with shared filler, in Russian and Kazakh. Deterministic for a seed.
 */
const filler = ['сегодня', 'в городе', 'друзья', 'пишите', 'быстро', 'ночью', 'качество', 'отзывы', 'бүгін', 'қалада', 'жылдам', 'всем привет'];
const words: Record<'drugs' | 'fraud' | 'clean', string[]> = {
  drugs: ['закладки', 'меф', 'шишки', 'кристаллы', 'клад', 'гашиш', 'есірткі', 'бошки'],
  fraud: ['пирамида', 'гарантированный доход', 'ваша карта заблокирована', 'дропы', 'инвестиции под 300%', 'ұтыс', 'вывод без вложений'],
  clean: ['погода', 'футбол', 'новости', 'рецепт плова', 'концерт', 'кітап', 'ауа райы', 'автобус', 'выставка', 'сабақ'],
};

export interface CorpusRow {
  readonly id: string;
  readonly lang: string;
  readonly labels: Category[];
  readonly text: string;
  readonly source: string;
  readonly split?: string;
}

export function makeCorpus(n: number, seed: number, source = 'synthetic'): CorpusRow[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const pick = (list: readonly string[]): string => list[rnd(list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const kind = (['drugs', 'fraud', 'clean'] as const)[i % 3]!;
    const parts = [pick(words[kind]), pick(filler), pick(words.clean), pick(filler), pick(filler)];
    if (kind !== 'clean') parts.splice(rnd(4), 0, pick(words[kind]));
    const text = parts.join(' ');
    return { id: `${source}-${seed}-${i}`, lang: /[әғқңөұүһі]/.test(text) ? 'kk' : 'ru', labels: kind === 'clean' ? [] : [kind], text, source };
  });
}

export function writeCorpus(path: string, rows: readonly object[]): string {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}
