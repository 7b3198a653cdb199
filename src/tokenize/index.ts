import type { Token } from '../types.js';

const TOKEN = new RegExp(
  [
    String.raw`(?<url>(?:https?:\/\/|www\.)\S+|t\.me\/[\w+/-]+)`,
    String.raw`(?<handle>@[a-z0-9_]{3,})`,
    String.raw`(?<hashtag>#[\p{L}\p{N}_]+)`,
    String.raw`(?<phone>\+?[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2})`,
    String.raw`(?<price>\d[\d\s]*(?:[.,]\d+)?\s?(?:₸|тг|тенге|тнг|руб|р\.|\$|usd|k|к)(?![\p{L}]))`,
    String.raw`(?<number>\d+(?:[.,:]\d+)*)`,
    String.raw`(?<word>[\p{L}\p{M}]+(?:[-'’][\p{L}\p{M}]+)*)`,
    String.raw`(?<emoji>\p{Extended_Pictographic}\uFE0F?)`,
  ].join('|'),
  'gu',
);

/** Typed tokens with offsets into the (normalized) text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const groups = m.groups ?? {};
    const type = (Object.keys(groups) as Array<Token['type']>).find((k) => groups[k] !== undefined) ?? 'word';
    tokens.push({ type, text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}
