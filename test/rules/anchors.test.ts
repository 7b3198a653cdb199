import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus } from '../../src/bench/corpus.js';
import { normalize } from '../../src/normalize/index.js';
import { BUNDLED_RULES_DIR } from '../../src/paths.js';
import { patternAnchors } from '../../src/rules/anchors.js';
import { loadRules } from '../../src/rules/load.js';
import { findHits } from '../../src/rules/match.js';
import type { RuleSet } from '../../src/rules/types.js';

describe('patternAnchors()', () => {
  it.each([
    ['закладк\\p{L}*', ['закладк']],
    ['(?:меф|мефедрон|соль)\\s+в наличии', ['в наличии']],
    ['(?:иди|пойди)?\\s*(?:повесься|вешайся)', ['повесься', 'вешайся']],
    ['геро(?:и|ев)|вечная память', ['геро', 'вечная память']],
    ['(?<=\\p{L}\\p{L})(?:сың|сыз)', ['сың', 'сыз']],
    ['кла?д', ['кл']],
    ['кла+д', ['кла']],
    ['клад{0,2}ка', ['кла']],
    ['t\\.me\\/\\w+', ['t.me/']],
    // The most selective mandatory item of each alternative: «корова» (6 letters) beats «тупая|тупой» (5).
    ['(?:ты|вы)\\s+(?:урод|(?:тупая|тупой)\\s+корова)', ['урод', 'корова']],
    ['(?:меф|)\\s+клад', ['клад']],
    ['(?<name>мяу)\\s*кристалл', ['кристалл']],
  ])('%s → %j', (source, expected) => {
    expect(patternAnchors(source)?.sort()).toEqual([...expected].sort());
  });

  it.each([
    ['\\d+\\s?[кk]', 'classes and digits only'],
    ['(?:меф|)\\s+\\p{L}+', 'an alternative that can match nothing'],
    ['[а-я]+', 'a class'],
    ['(?=клад)\\p{L}+', 'a lookahead matches no text of its own'],
    ['(?:клад)?', 'an optional group'],
    ['.+', 'a wildcard'],
    ['(?:клад', 'a broken pattern'],
  ])('gives no anchors for %s (%s)', (source) => {
    expect(patternAnchors(source)).toBeNull();
  });
});

describe('findHits() with anchors', () => {
  const set = loadRules([BUNDLED_RULES_DIR]);
  // The same rules with every pattern run on every text: what findHits did before anchors.
  const everyPattern: RuleSet = { ...set, anchors: new Map(), unanchored: set.patterns.map((_, i) => i) };

  it('anchors nearly every bundled pattern', () => {
    expect(set.unanchored.length).toBeLessThan(set.patterns.length / 20);
  });

  it('finds exactly the hits of running every pattern, on the corpus, the rule examples and generated posts', () => {
    const dir = join(import.meta.dirname, '..', '..', 'corpora', 'labelled');
    const corpus = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text));
    const examples = set.files.flatMap((f) => [
      ...[...f.rules, ...f.signals, ...f.context].flatMap((e) => [...e.examples.positive, ...e.examples.negative]),
      ...(f.examples ? [...f.examples.flagged, ...f.examples.clean] : []),
    ]);
    const texts = [...corpus, ...examples, ...generateCorpus(0.5).posts.slice(0, 3000)].map((t) => normalize(t).text);
    expect(texts.length).toBeGreaterThan(5000);
    let hits = 0;
    for (const text of texts) {
      const fast = findHits(set, text);
      expect(fast).toEqual(findHits(everyPattern, text));
      hits += fast.length;
    }
    expect(hits).toBeGreaterThan(texts.length);
  });
});
