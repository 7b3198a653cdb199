import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvHeader, toCsvLine } from '../../src/output/index.js';
import { CATEGORIES, type Result } from '../../src/types.js';

const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Result['scores'];

function result(text: string, id = 'p1'): Result {
  return {
    id,
    lang: 'ru',
    labels: ['drugs'],
    scores: { ...scores, drugs: 0.9 },
    priority: 0.9,
    evidence: [{ category: 'drugs', rule: 'drugs.shop', match: 'x', start: 0, end: 1 }],
    contacts: [{ type: 'handle', value: '@shop_bot', start: 0, end: 9 }],
    text,
    source: 'in.jsonl',
    line: 1,
  };
}

function cells(line: string): Record<string, string> {
  const [row] = parse(csvHeader() + line, { columns: true, relax_column_count: false }) as Record<string, string>[];
  return row!;
}

describe('CSV output is safe to open in a spreadsheet', () => {
  it.each(['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\r=1'])('prefixes a text cell starting with %j with a quote', (text) => {
    const row = cells(toCsvLine(result(text)));
    expect(row.text).toBe(`'${text}`);
  });

  it('guards the contacts cell (it starts with @) and the id', () => {
    const row = cells(toCsvLine(result('Меф в наличии', '=1+1')));
    expect(row.contacts).toBe("'@shop_bot");
    expect(row.id).toBe("'=1+1");
  });

  it('leaves ordinary text and numbers as they are', () => {
    const row = cells(toCsvLine(result('Меф, шишки "в наличии"\nпиши')));
    expect(row.text).toBe('Меф, шишки "в наличии"\nпиши');
    expect(row.priority).toBe('0.9');
    expect(Object.keys(row)).toEqual([...CSV_COLUMNS]);
  });

  it('guards error records too', () => {
    const row = cells(toCsvLine({ id: '@x', source: '-in.csv', line: 3, error: { code: 'bad_csv', message: '=bad' } }));
    expect([row.id, row.source, row.error_message]).toEqual(["'@x", "'-in.csv", "'=bad"]);
  });
});
