import { seededRng } from '../../src/cluster/reposts.js';
import { describe, expect, it } from 'vitest';
import { joinSpacedLetters } from '../../src/normalize/spaced-letters.js';
import { Units } from '../../src/normalize/units.js';
import { joinSpacedLettersReference } from '../fixtures/spaced-letters-reference.js';

function load(s: string): Units {
  const u = new Units(s.length + 1);
  for (let i = 0; i < s.length; i += 1) {
    u.codes[i] = s.charCodeAt(i);
    u.starts[i] = i;
    u.ends[i] = i + 1;
  }
  u.length = s.length;
  return u;
}

function mapped(u: Units): string {
  return JSON.stringify([u.toString(), [...u.starts.subarray(0, u.length)], [...u.ends.subarray(0, u.length)]]);
}

// A seeded generator so a failure names a reproducible case.
const prng = seededRng;

describe('spaced-letters step: one pass', () => {
  // Cells, separators of every kind and length, and the words that stop a chain.
  const pieces = ['а', 'б', 'з', 'к', 'я', 'и', 'x', 'i', '1', '2', '@', '$', ' ', '.', '-', '_', '*', '/', '|', '  ', '..', '.-', '    ', 'ab', 'мы', '\u0301'];

  it('gives what the per-cell scan gave, maps included, on 20,000 random texts', () => {
    const random = prng(15);
    const differ: string[] = [];
    for (let t = 0; t < 20_000; t += 1) {
      let s = '';
      const len = 1 + Math.floor(random() * 40);
      for (let i = 0; i < len; i += 1) s += pieces[Math.floor(random() * pieces.length)];
      const a = load(s);
      const b = load(s);
      joinSpacedLetters(a, a);
      joinSpacedLettersReference(b, b);
      if (mapped(a) !== mapped(b)) differ.push(s);
    }
    expect(differ.slice(0, 5)).toEqual([]);
  });

  it.each([
    ['1 1 1 а б в г', '1 1 1 абвг'],
    ['з л м.н.т', 'злм.н.т'], ['а б в.г.д', 'а б вгд'],
    ['х.1.2.3.4.5.з.а.к', 'х.1.2.3.45зак'],
  ])('joins the first joinable suffix of a chain: %j → %j', (input, expected) => {
    const u = load(input);
    joinSpacedLetters(u, u);
    expect(u.toString()).toBe(expected);
  });
});
