import type { Category, Language } from '../types.js';

/** One ad written by hand: the thing a shop reposts. */
export interface Seed {
  readonly id: string;
  readonly lang: Language;
  readonly labels: readonly Category[];
  readonly text: string;
}

/** A repost of a seed with the edits applied; `cluster` is the seed id (the true cluster). */
export interface Repost {
  readonly id: string;
  readonly lang: Language;
  readonly labels: readonly Category[];
  readonly text: string;
  readonly cluster: string;
  readonly edits: readonly string[];
}

export type Rng = () => number;

/** mulberry32: a small seeded generator, so the test set is the same on every machine. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

const EMOJI = ['🔥', '💎', '❄️', '🍁', '✅', '⚡️', '💰', '🚀', '👇', '‼️', '🎁', '💯'];
const HANDLE_WORDS = ['shop', 'store', 'plug', 'best', 'top', 'vip', 'new', 'real', 'fast', 'kz', 'city', 'day'];
const PROMO_LINES = [
  'Работаем круглосуточно!',
  'Скидки на опт, пишите.',
  'Отзывы в нашем канале.',
  'Акция только сегодня!',
  'Старый бот заблокировали, пишите в новый.',
  'Жеңілдіктер бар!',
  'Подпишись, чтобы не потерять.',
];
// Stems, so that inflected forms («по Астане», «в Караганде») change too.
const CITIES = ['Алмат', 'Астан', 'Шымкент', 'Караганд', 'Актоб', 'Тараз', 'Павлодар', 'Костана'];
const LATIN: Readonly<Record<string, string>> = { а: 'a', о: 'o', е: 'e', с: 'c', р: 'p', х: 'x', у: 'y', к: 'k', м: 'm', т: 't' };
const EMOJI_RE = /\p{Extended_Pictographic}\uFE0F?/gu;
const NUMBER_RE = /\d+(?:[ .]\d{3})*/g;
const CONTACT_RE = /@[A-Za-z0-9_]+|t\.me\/[A-Za-z0-9_]+|\b[a-z0-9-]+\.(?:bet|top|site|online|kz|com)\b/g;

function newNumber(rng: Rng, old: string): string {
  const n = Number(old.replace(/[ .]/g, ''));
  if (!Number.isFinite(n) || n === 0) return old;
  const m = Math.max(1, Math.round(n * (0.5 + rng())));
  // Round like a price: keep two significant digits.
  const digits = String(m).length;
  const step = digits > 2 ? 10 ** (digits - 2) : 1;
  return String(Math.round(m / step) * step);
}

function newContact(rng: Rng, old: string): string {
  const word = `${pick(rng, HANDLE_WORDS)}${Math.floor(rng() * 100)}`;
  if (old.startsWith('@')) return `@${old.slice(1).split('_')[0]}_${word}${old.endsWith('bot') ? '_bot' : ''}`;
  if (old.startsWith('t.me/')) return `t.me/${old.slice(5).split('_')[0]}_${word}`;
  const dot = old.lastIndexOf('.');
  return `${old.slice(0, dot)}${Math.floor(rng() * 90 + 10)}${old.slice(dot)}`;
}

function obfuscateWord(rng: Rng, w: string): string {
  const kind = Math.floor(rng() * 6);
  switch (kind) {
    case 0:
      return [...w].map((ch) => (LATIN[ch] && rng() < 0.6 ? LATIN[ch] : ch)).join('');
    case 1:
      return w.replace(/а/g, '@').replace(/о/g, '0');
    case 2:
      return [...w].join(' ');
    case 3:
      return [...w].join('.');
    case 4:
      return [...w].map((ch, i) => (i > 0 && rng() < 0.3 ? `\u200B${ch}` : ch)).join('');
    default: {
      const i = Math.floor(rng() * w.length);
      return w.slice(0, i + 1) + w[i]!.repeat(2 + Math.floor(rng() * 3)) + w.slice(i + 1);
    }
  }
}

function typo(rng: Rng, w: string): string {
  const i = 1 + Math.floor(rng() * (w.length - 2));
  const kind = Math.floor(rng() * 3);
  if (kind === 0) return w.slice(0, i) + w.slice(i + 1);
  if (kind === 1) return w.slice(0, i) + w[i + 1]! + w[i]! + w.slice(i + 2);
  return w.slice(0, i) + w[i]! + w.slice(i);
}

function mapLongWords(rng: Rng, text: string, count: number, fn: (rng: Rng, w: string) => string): string {
  const words = [...text.matchAll(/[а-яёәғқңөұүһі]{4,}/gi)];
  if (words.length === 0) return text;
  const chosen = new Set<number>();
  for (let k = 0; k < count; k += 1) chosen.add(Math.floor(rng() * words.length));
  let out = '';
  let at = 0;
  words.forEach((m, i) => {
    if (!chosen.has(i)) return;
    out += text.slice(at, m.index) + fn(rng, m[0]);
    at = m.index + m[0].length;
  });
  return out + text.slice(at);
}

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** The edits shops make between reposts of one ad. */
export const EDITS: Readonly<Record<string, (rng: Rng, text: string) => string>> = {
  price: (rng, t) =>
    t.replace(NUMBER_RE, (m) => {
      let n = newNumber(rng, m);
      for (let k = 0; k < 5 && n === m; k += 1) n = newNumber(rng, m);
      return n;
    }),
  contact: (rng, t) => t.replace(CONTACT_RE, (m) => newContact(rng, m)),
  emoji: (rng, t) =>
    rng() < 0.5
      ? t.replace(EMOJI_RE, '')
      : t
          .split('\n')
          .map((l) => (rng() < 0.5 ? `${pick(rng, EMOJI)} ${l}` : `${l} ${pick(rng, EMOJI)}${pick(rng, EMOJI)}`))
          .join('\n'),
  'line-order': (rng, t) => {
    const lines = t.split('\n');
    if (lines.length < 2) return t;
    const original = lines.join('\n');
    let out = original;
    for (let k = 0; k < 5 && out === original; k += 1) out = shuffle(rng, [...lines]).join('\n');
    return out;
  },
  obfuscation: (rng, t) => mapLongWords(rng, t, 1 + Math.floor(rng() * 3), obfuscateWord),
  'add-line': (rng, t) => {
    const lines = t.split('\n');
    lines.splice(Math.floor(rng() * (lines.length + 1)), 0, pick(rng, PROMO_LINES));
    return lines.join('\n');
  },
  'drop-line': (rng, t) => {
    const lines = t.split('\n');
    if (lines.length < 4) return t;
    lines.splice(1 + Math.floor(rng() * (lines.length - 1)), 1);
    return lines.join('\n');
  },
  typo: (rng, t) => mapLongWords(rng, t, 1 + Math.floor(rng() * 2), typo),
  case: (rng, t) => {
    const lines = t.split('\n');
    const i = Math.floor(rng() * lines.length);
    lines[i] = rng() < 0.5 ? lines[i]!.toUpperCase() : lines[i]!.toLowerCase();
    return lines.join('\n');
  },
  city: (rng, t) => {
    const present = CITIES.filter((c) => t.includes(c));
    if (present.length === 0) return t;
    const from = pick(rng, present);
    return t.replaceAll(from, pick(rng, CITIES.filter((c) => c !== from)));
  },
};

export interface RepostOptions {
  /** Random seed. Default 7. */
  readonly seed?: number;
  /** Most reposts of one seed (heavy-tailed: most seeds get few). Default 30. */
  readonly maxPerSeed?: number;
  /** Fewest and most edits per repost, each a different kind. Default 1 and 4. */
  readonly minEdits?: number;
  readonly maxEdits?: number;
}

/**
 * Reposts of each seed: the seed itself, then variants with one to four random edits each. The count per
 * seed is heavy-tailed, as on real channels: a few ads are reposted many times, some only once.
 */
export function makeReposts(seeds: readonly Seed[], options: RepostOptions = {}): Repost[] {
  const rng = seededRng(options.seed ?? 7);
  const max = options.maxPerSeed ?? 30;
  const names = Object.keys(EDITS);
  const minEdits = options.minEdits ?? 1;
  const maxEdits = Math.min(options.maxEdits ?? 4, names.length);
  const out: Repost[] = [];
  for (const seed of seeds) {
    const n = 1 + Math.floor(max * rng() ** 2);
    out.push({ id: `${seed.id}-0`, lang: seed.lang, labels: seed.labels, text: seed.text, cluster: seed.id, edits: [] });
    for (let v = 1; v < n; v += 1) {
      const edits = shuffle(rng, [...names]).slice(0, minEdits + Math.floor(rng() * (maxEdits - minEdits + 1)));
      let text = seed.text;
      for (const e of edits) text = EDITS[e]!(rng, text);
      out.push({ id: `${seed.id}-${v}`, lang: seed.lang, labels: seed.labels, text, cluster: seed.id, edits });
    }
  }
  return out;
}
