/**
 * Repetitive post shapes that make text-processing code superlinear: long runs of one character class, chains
 * of one-character cells and separators (what the spaced-letters step joins), digits with units (price and
 * weight patterns), address-like runs (contacts, links), combining marks, leet, mixed scripts and rule
 * literals repeated without a break. `npm run bench:pathological` times every stage on each of them at two
 * lengths; the fuzzer (src/fuzz/) takes huge posts from the same list.
 */
export interface Shape {
  readonly name: string;
  /** Repeated until the text has the requested length. */
  readonly unit: string;
}

export const SHAPES: readonly Shape[] = [
  { name: "'1 '", unit: '1 ' },
  { name: "'1.2.'", unit: '1.2.' },
  { name: "'а '", unit: 'а ' },
  { name: "'а.'", unit: 'а.' },
  { name: "'з-'", unit: 'з-' },
  { name: "'a_'", unit: 'a_' },
  { name: "'к*л*'", unit: 'к*л*' },
  { name: "'а. '", unit: 'а. ' },
  { name: "'а б в 1 '", unit: 'а б в 1 ' },
  { name: "'1'", unit: '1' },
  { name: "'1 г '", unit: '1 г ' },
  { name: "'1к'", unit: '1к' },
  { name: "'5000 тг '", unit: '5000 тг ' },
  { name: "'1 1'", unit: '1 1' },
  { name: "'а'", unit: 'а' },
  { name: "'a'", unit: 'a' },
  { name: "'аa'", unit: 'аa' },
  { name: "'a-'", unit: 'a-' },
  { name: "'a.'", unit: 'a.' },
  { name: "'a1'", unit: 'a1' },
  { name: "'з@'", unit: 'з@' },
  { name: "'@'", unit: '@' },
  { name: "'@a'", unit: '@a' },
  { name: "'a@'", unit: 'a@' },
  { name: "'#'", unit: '#' },
  { name: "'.'", unit: '.' },
  { name: "' '", unit: ' ' },
  { name: "'\\n'", unit: '\n' },
  { name: "'\\n '", unit: '\n ' },
  { name: "'www.'", unit: 'www.' },
  { name: "'http://'", unit: 'http://' },
  { name: "'t.me/'", unit: 't.me/' },
  { name: "'+7'", unit: '+7' },
  { name: "'7'", unit: '7' },
  { name: "'1234 '", unit: '1234 ' },
  { name: "'*'", unit: '*' },
  { name: "'qa\\''", unit: "qa'" },
  { name: "'sh'", unit: 'sh' },
  { name: "'мефмеф'", unit: 'меф' },
  { name: "'закладки '", unit: 'закладки ' },
  { name: "'закладки 5000тг @shop '", unit: 'закладки 5000тг @shop ' },
  { name: "'казино '", unit: 'казино ' },
  { name: "'смерть '", unit: 'смерть ' },
  { name: "'порно '", unit: 'порно ' },
  { name: "'шрам '", unit: 'шрам ' },
  { name: "'😀'", unit: '😀' },
  { name: "'💊 '", unit: '💊 ' },
  { name: "'\\u0301' (marks)", unit: '\u0301' },
  { name: "'и\\u0306'", unit: 'и\u0306' },
  { name: "'\\u200b'", unit: '\u200b' },
  { name: "'ﬁ' (NFKC)", unit: 'ﬁ' },
  { name: "'Ａ' (fullwidth)", unit: 'Ａ' },
  { name: "'ё'", unit: 'ё' },
  { name: "'қ'", unit: 'қ' },
  { name: "'Сәлем. Привет. '", unit: 'Сәлем досым. Привет друг. ' },
  { name: "'а-а '", unit: 'а-а ' },
  { name: "'\\uFFFD'", unit: '\uFFFD' },
  { name: "'\\ud800' (lone)", unit: '\ud800' },
];

/** `unit` repeated to exactly `length` UTF-16 units (never splitting a surrogate pair). */
export function repeatTo(unit: string, length: number): string {
  let s = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  const last = s.charCodeAt(s.length - 1);
  if (last >= 0xd800 && last <= 0xdbff && unit !== '\ud800') s = s.slice(0, -1);
  return s;
}
