import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { QorgauError, describeError } from '../errors.js';
import { CATEGORIES, isCategory } from '../types.js';
import type { CompiledRule, RuleFile, RuleSet, RuleSpec } from './types.js';

function fail(file: string, message: string): never {
  throw new QorgauError('bad_rules', `${file}: ${message}`);
}

function stringList(value: unknown, file: string, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    fail(file, `${where}: expected a list of non-empty strings.`);
  }
  return value as string[];
}

/** Validates parsed YAML/JSON as a rule file; every message names the file, the rule id and the problem. */
export function validateRuleFile(data: unknown, file: string): RuleFile {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail(file, 'expected a mapping with `category` and `rules`.');
  const obj = data as Record<string, unknown>;
  if (!isCategory(obj.category)) {
    fail(file, `expected \`category\` to be one of ${CATEGORIES.join(', ')}, got \`${String(obj.category)}\`.`);
  }
  if (!Array.isArray(obj.rules)) fail(file, 'expected `rules` to be a list.');
  const seen = new Set<string>();
  const rules: RuleSpec[] = obj.rules.map((raw: unknown, index: number) => {
    if (raw === null || typeof raw !== 'object') fail(file, `rule #${index + 1}: expected a mapping.`);
    const r = raw as Record<string, unknown>;
    const id = r.id;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) fail(file, `rule #${index + 1}: expected \`id\` like \`drugs.shop-slang\`, got \`${String(id)}\`.`);
    const where = `rule ${id}`;
    if (seen.has(id)) fail(file, `${where}: duplicate id.`);
    seen.add(id);
    if (typeof r.description !== 'string' || r.description.length === 0) fail(file, `${where}: expected a \`description\`.`);
    if (typeof r.weight !== 'number' || !(r.weight > 0 && r.weight <= 1)) fail(file, `${where}: expected \`weight\` to be a number in (0, 1], got \`${String(r.weight)}\`.`);
    const terms = stringList(r.terms, file, `${where} terms`);
    const patterns = stringList(r.patterns, file, `${where} patterns`);
    if (!terms?.length && !patterns?.length) fail(file, `${where}: expected \`terms\` or \`patterns\`.`);
    for (const p of patterns ?? []) {
      try {
        new RegExp(unicodeBoundaries(p), 'iu');
      } catch (error) {
        fail(file, `${where}: pattern \`${p}\` is not a valid regular expression: ${describeError(error)}`);
      }
    }
    const ex = r.examples as Record<string, unknown> | undefined;
    const positive = stringList(ex?.positive, file, `${where} examples.positive`) ?? [];
    const negative = stringList(ex?.negative, file, `${where} examples.negative`) ?? [];
    if (positive.length === 0 || negative.length === 0) fail(file, `${where}: expected at least one positive and one negative example.`);
    return {
      id,
      description: r.description,
      weight: r.weight,
      ...(terms ? { terms } : {}),
      ...(patterns ? { patterns } : {}),
      examples: { positive, negative },
    };
  });
  return { category: obj.category, ...(typeof obj.description === 'string' ? { description: obj.description } : {}), rules, file };
}

// JavaScript's \b only knows ASCII word characters; in rule patterns it means a Unicode word boundary.
const UNICODE_BOUNDARY = String.raw`(?:(?<![\p{L}\p{M}\p{N}_])(?=[\p{L}\p{M}\p{N}_])|(?<=[\p{L}\p{M}\p{N}_])(?![\p{L}\p{M}\p{N}_]))`;

export function unicodeBoundaries(pattern: string): string {
  return pattern.replace(/(\\\\)|\\b/g, (m, escaped: string | undefined) => (escaped ? m : UNICODE_BOUNDARY));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRule(file: RuleFile, rule: RuleSpec): CompiledRule {
  const parts: string[] = [];
  if (rule.terms?.length) {
    // A term is a word prefix: it must start a word and runs to the end of that word.
    const alts = [...rule.terms].map((t) => escapeRegex(t.toLowerCase())).sort((a, b) => b.length - a.length);
    parts.push(`(?<![\\p{L}\\p{N}])(?:${alts.join('|')})[\\p{L}\\p{M}]*`);
  }
  for (const p of rule.patterns ?? []) parts.push(`(?:${unicodeBoundaries(p)})`);
  return { category: file.category, id: rule.id, weight: rule.weight, regex: new RegExp(parts.join('|'), 'giu') };
}

function readRuleFile(path: string): RuleFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new QorgauError('bad_rules', `${path}: could not read the rule file: ${describeError(error)}`, { cause: error });
  }
  let data: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; `schema: core` keeps it data-only.
    data = parseYaml(text, { schema: 'core' });
  } catch (error) {
    throw new QorgauError('bad_rules', `${path}: not valid YAML/JSON: ${describeError(error)}`, { cause: error });
  }
  return validateRuleFile(data, path);
}

export function listRuleFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (error) {
    throw new QorgauError('bad_rules', `Expected a folder of rule files (*.yaml, *.yml, *.json) at ${dir}: ${describeError(error)}`, { cause: error });
  }
  return names.filter((n) => /\.(ya?ml|json)$/i.test(n)).sort().map((n) => join(dir, n));
}

/**
 * Loads the bundled rule folder, then each extra folder: a file with the same name replaces the bundled
 * one, a new file adds rules.
 */
export function loadRules(dirs: readonly string[]): RuleSet {
  const byName = new Map<string, string>();
  for (const dir of dirs) for (const path of listRuleFiles(dir)) byName.set(basename(path).replace(/\.(ya?ml|json)$/i, ''), path);
  const files = [...byName.values()].map(readRuleFile);
  const ids = new Map<string, string>();
  for (const f of files) {
    for (const r of f.rules) {
      const other = ids.get(r.id);
      if (other) throw new QorgauError('bad_rules', `${f.file}: rule ${r.id}: the id is also used in ${other}. Rule ids must be unique.`);
      ids.set(r.id, f.file);
    }
  }
  return { files, rules: files.flatMap((f) => f.rules.map((r) => compileRule(f, r))) };
}
