import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { QorgauError, describeError } from '../errors.js';
import { CATEGORIES, isCategory, type Category } from '../types.js';
import { BUNDLED_RULES_DIR } from '../paths.js';
import { compileRules, foldYo, unicodeBoundaries } from './compile.js';
import { checkPatternSafety } from './safety.js';

export { unicodeBoundaries } from './compile.js';
import type { ContextSpec, MatchSpec, NearSpec, RuleExamples, RuleFile, RuleSet, RuleSpec, SignalSpec } from './types.js';

function fail(file: string, message: string): never {
  throw new QorgauError('bad_rules', `${file}: ${message}`);
}

function stringList(value: unknown, file: string, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(file, `${where}: expected a list of non-empty strings, got \`${JSON.stringify(value)}\`.`);
  // YAML reads 150 or 1986 as numbers; in a list of words they mean the digits.
  value = value.map((v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v));
  const bad = (value as unknown[]).findIndex((v) => typeof v !== 'string' || v.trim().length === 0);
  if (bad >= 0) {
    // YAML reads an unquoted «слово: ...» inside [...] as a mapping: say so, since that is the usual cause.
    fail(file, `${where}: expected a list of non-empty strings; item ${bad + 1} is \`${JSON.stringify((value as unknown[])[bad])}\` (quote items that contain ": " or start with a symbol).`);
  }
  return value as string[];
}

function mapping(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const MATCH_KEYS = ['terms', 'words', 'emoji', 'patterns'] as const;
const COMMON_KEYS = ['id', 'description', 'examples', ...MATCH_KEYS];
const KEYS = {
  rule: [...COMMON_KEYS, 'weight', 'near', 'also'],
  signal: [...COMMON_KEYS, 'signal'],
  context: [...COMMON_KEYS, 'weight', 'categories'],
} as const;

// Escapes like \p{Lu}, \S, \W, \B, \D, \uFE0F are not letters of the text.
const ESCAPES = /\\(?:[pP]\{[^}]*\}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|k<[^>]*>|.)/gu;
const UPPER_OUTSIDE_ESCAPES = /\p{Lu}/u;

function matchSpec(r: Record<string, unknown>, file: string, where: string): MatchSpec {
  const spec: Record<string, string[]> = {};
  for (const key of MATCH_KEYS) {
    const list = stringList(r[key], file, `${where} ${key}`);
    if (list?.length) spec[key] = list;
  }
  if (Object.keys(spec).length === 0) fail(file, `${where}: expected at least one of \`terms\`, \`words\`, \`emoji\` or \`patterns\`.`);
  for (const p of spec.patterns ?? []) {
    let re: RegExp;
    try {
      re = new RegExp(unicodeBoundaries(foldYo(p)), 'u');
    } catch (error) {
      fail(file, `${where}: pattern \`${p}\` is not a valid regular expression: ${describeError(error)}`);
    }
    // A pattern that matches the empty string would "fire" on every post.
    if (re.test('')) fail(file, `${where}: pattern \`${p}\` matches an empty string; make at least one part required.`);
    // Posts are lower-cased before matching, so an upper-case letter in a pattern can never match.
    const upper = UPPER_OUTSIDE_ESCAPES.exec(p.replace(ESCAPES, ''));
    if (upper) fail(file, `${where}: pattern \`${p}\` has the upper-case letter \`${upper[0]}\`; text is lower-cased before matching, so write patterns in lower case.`);
  }
  return spec;
}

function examples(r: Record<string, unknown>, file: string, where: string): RuleExamples {
  const ex = mapping(r.examples);
  const positive = stringList(ex?.positive, file, `${where} examples.positive`) ?? [];
  const negative = stringList(ex?.negative, file, `${where} examples.negative`) ?? [];
  if (positive.length === 0 || negative.length === 0) fail(file, `${where}: expected at least one positive and one negative example.`);
  return { positive, negative };
}

function weightOf(value: unknown, file: string, where: string, allowZero: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && value <= 1;
  if (!ok) fail(file, `${where}: expected \`weight\` to be a number in ${allowZero ? '[0, 1]' : '(0, 1]'}, got \`${String(value)}\`.`);
  return value as number;
}

function nearSpec(value: unknown, file: string, where: string): NearSpec | undefined {
  if (value === undefined) return undefined;
  const n = mapping(value);
  if (!n) fail(file, `${where}: expected \`near\` to be a mapping like {signals: [sale], within: 150, weight: 0.8}.`);
  const signals = typeof n.signals === 'string' ? [n.signals] : stringList(n.signals, file, `${where} near.signals`);
  if (!signals?.length) fail(file, `${where}: expected \`near.signals\` to name at least one signal.`);
  const within = n.within ?? 150;
  if (typeof within !== 'number' || !Number.isInteger(within) || within < 0 || within > 100_000) {
    fail(file, `${where}: expected \`near.within\` to be a whole number of characters from 0 to 100000, got \`${String(n.within)}\`.`);
  }
  const weight = n.weight;
  if (typeof weight !== 'number' || !(weight > 0 && weight <= 1)) fail(file, `${where}: expected \`near.weight\` to be a number in (0, 1], got \`${String(weight)}\`.`);
  const unknown = Object.keys(n).filter((k) => !['signals', 'within', 'weight'].includes(k));
  if (unknown.length) fail(file, `${where}: unknown field \`near.${unknown[0]}\`; expected signals, within, weight.`);
  return { signals, within, weight };
}

function entryHead(raw: unknown, file: string, section: string, index: number, keys: readonly string[], seen: Set<string>): { r: Record<string, unknown>; id: string; where: string } {
  const kind = section === 'rules' ? 'rule' : section === 'signals' ? 'signal' : 'context';
  const r = mapping(raw);
  if (!r) fail(file, `${kind} #${index + 1}: expected a mapping.`);
  const id = r.id;
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) fail(file, `${kind} #${index + 1}: expected \`id\` like \`drugs.shop-slang\`, got \`${String(id)}\`.`);
  const where = `${kind} ${id}`;
  if (seen.has(id)) fail(file, `${where}: duplicate id.`);
  seen.add(id);
  const unknown = Object.keys(r).filter((k) => !keys.includes(k));
  if (unknown.length) fail(file, `${where}: unknown field \`${unknown[0]}\`; expected ${keys.join(', ')}.`);
  if (typeof r.description !== 'string' || r.description.trim().length === 0) fail(file, `${where}: expected a \`description\`.`);
  return { r, id, where };
}

function list(obj: Record<string, unknown>, key: string, file: string): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(file, `expected \`${key}\` to be a list.`);
  return v;
}

/** Validates parsed YAML/JSON as a rule file; every message names the file, the rule id and the problem. */
export function validateRuleFile(data: unknown, file: string): RuleFile {
  const obj = mapping(data);
  if (!obj) fail(file, 'expected a mapping with `category` and `rules` (and/or `signals`, `context`).');
  const unknownTop = Object.keys(obj).filter((k) => !['category', 'description', 'rules', 'signals', 'context', 'examples'].includes(k));
  if (unknownTop.length) fail(file, `unknown top-level field \`${unknownTop[0]}\`; expected category, description, rules, signals, context, examples.`);
  if (obj.category !== undefined && !isCategory(obj.category)) {
    fail(file, `expected \`category\` to be one of ${CATEGORIES.join(', ')}, got \`${String(obj.category)}\`.`);
  }
  const category = obj.category as Category | undefined;
  if (obj.rules !== undefined && !Array.isArray(obj.rules)) fail(file, 'expected `rules` to be a list.');
  const rawRules = list(obj, 'rules', file);
  if (rawRules.length > 0 && !category) fail(file, `expected \`category\` (one of ${CATEGORIES.join(', ')}) for the rules in this file.`);
  const seen = new Set<string>();

  const rules: RuleSpec[] = rawRules.map((raw, i) => {
    const { r, id, where } = entryHead(raw, file, 'rules', i, KEYS.rule, seen);
    const near = nearSpec(r.near, file, where);
    const weight = weightOf(r.weight, file, where, near !== undefined);
    const also = stringList(r.also, file, `${where} also`);
    const badAlso = also?.find((c) => !isCategory(c) || c === category);
    if (badAlso !== undefined) fail(file, `${where}: expected \`also\` to list other categories (${CATEGORIES.filter((c) => c !== category).join(', ')}), got \`${badAlso}\`.`);
    return {
      id,
      description: r.description as string,
      weight,
      ...(near ? { near } : {}),
      ...(also?.length ? { also: also as Category[] } : {}),
      ...matchSpec(r, file, where),
      examples: examples(r, file, where),
    };
  });

  const signals: SignalSpec[] = list(obj, 'signals', file).map((raw, i) => {
    const { r, id, where } = entryHead(raw, file, 'signals', i, KEYS.signal, seen);
    if (typeof r.signal !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(r.signal)) fail(file, `${where}: expected \`signal\` to be a name like \`sale\`, got \`${String(r.signal)}\`.`);
    return { id, signal: r.signal, description: r.description as string, ...matchSpec(r, file, where), examples: examples(r, file, where) };
  });

  const context: ContextSpec[] = list(obj, 'context', file).map((raw, i) => {
    const { r, id, where } = entryHead(raw, file, 'context', i, KEYS.context, seen);
    const weight = weightOf(r.weight, file, where, false);
    let categories: Category[];
    if (r.categories === undefined) {
      if (!category) fail(file, `${where}: expected \`categories\` (this file has no \`category\` to default to).`);
      categories = [category];
    } else {
      const cats = r.categories === 'all' ? [...CATEGORIES] : stringList(r.categories, file, `${where} categories`);
      const bad = cats?.find((c) => !isCategory(c));
      if (!cats?.length || bad !== undefined) fail(file, `${where}: expected \`categories\` to be \`all\` or a list of ${CATEGORIES.join(', ')}${bad !== undefined ? `, got \`${bad}\`` : ''}.`);
      categories = cats as Category[];
    }
    return { id, description: r.description as string, weight, categories, ...matchSpec(r, file, where), examples: examples(r, file, where) };
  });

  let fileExamples: RuleFile['examples'];
  if (obj.examples !== undefined) {
    const ex = mapping(obj.examples);
    if (!ex || !category) fail(file, 'expected `examples` to be {flagged: [...], clean: [...]} in a file with a `category`.');
    fileExamples = { flagged: stringList(ex.flagged, file, 'examples.flagged') ?? [], clean: stringList(ex.clean, file, 'examples.clean') ?? [] };
  }
  if (rules.length + signals.length + context.length === 0) fail(file, 'expected at least one entry in `rules`, `signals` or `context`.');
  return {
    ...(category ? { category } : {}),
    ...(typeof obj.description === 'string' ? { description: obj.description } : {}),
    rules,
    signals,
    context,
    ...(fileExamples ? { examples: fileExamples } : {}),
    file,
  };
}

export function readRuleFile(path: string): RuleFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new QorgauError('bad_rules', `${path}: could not read the rule file: ${describeError(error)}`, { cause: error });
  }
  let data: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; `schema: core` keeps it data-only (no custom tags).
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
 * one, a new file adds rules (to a category, or new signals and context).
 */
export function loadRules(dirs: readonly string[]): RuleSet {
  const byName = new Map<string, string>();
  for (const dir of dirs) for (const path of listRuleFiles(dir)) byName.set(basename(path).replace(/\.(ya?ml|json)$/i, ''), path);
  const files = [...byName.values()].map(readRuleFile);
  // The bundled patterns are checked by the test suite (test/rules/linear.test.ts); a user's are checked here.
  const bundled = resolve(BUNDLED_RULES_DIR);
  for (const f of files) {
    if (dirname(resolve(f.file)) === bundled) continue;
    for (const [kind, list] of [['rule', f.rules], ['signal', f.signals], ['context', f.context]] as const) {
      for (const entry of list) for (const p of entry.patterns ?? []) checkPatternSafety(p, f.file, `${kind} ${entry.id}`);
    }
  }
  return compileRules(files);
}
