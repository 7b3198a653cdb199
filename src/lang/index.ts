import type { LanguageGuess } from '../types.js';

// Letters that exist in Kazakh Cyrillic but not in Russian: one of them is decisive.
const KAZAKH_LETTERS = /[әғқңөұүһі]/giu;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const LATIN = /\p{Script=Latin}/gu;
// Frequent Kazakh words that carry no special letter, for Kazakh typed on a Russian keyboard.
const KAZAKH_WORDS = new Set([
  'мен', 'сен', 'біз', 'бiз', 'сiз', 'олар', 'жок', 'жоқ', 'емес', 'деп', 'пен', 'бен', 'бул', 'бұл', 'осы', 'сол', 'кім', 'ким', 'неге', 'калай', 'кайда', 'жане', 'және', 'ушин', 'үшін',
  'туралы', 'бирак', 'бірақ', 'рахмет', 'жаксы', 'жақсы', 'сатамыз', 'керек', 'кажет', 'бугин', 'бүгін', 'ертен',
  'кеше', 'алу', 'беру', 'тенге', 'жылы', 'жас', 'бала', 'балалар', 'ата', 'ана', 'ага', 'апа', 'ия', 'иа', 'жок',
]);

/** ru / kk / mixed / other with a confidence in [0, 1]. */
export function detectLanguage(text: string): LanguageGuess {
  const cyr = text.match(CYRILLIC)?.length ?? 0;
  const lat = text.match(LATIN)?.length ?? 0;
  if (cyr + lat === 0) return { lang: 'other', confidence: 0.5 };
  const kkLetters = text.match(KAZAKH_LETTERS)?.length ?? 0;
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  let kkWords = 0;
  for (const w of words) if (KAZAKH_WORDS.has(w)) kkWords += 1;
  if (cyr < lat) return { lang: 'other', confidence: Math.min(1, lat / (cyr + lat)) };
  const kkShare = (kkLetters + kkWords * 3) / Math.max(1, cyr);
  if (kkLetters === 0 && kkWords === 0) return { lang: 'ru', confidence: 0.7 };
  if (kkShare > 0.04) return { lang: 'kk', confidence: Math.min(1, 0.6 + kkShare * 4) };
  return { lang: 'mixed', confidence: 0.5 };
}
