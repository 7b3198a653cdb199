/**
 * A Kazakh stemmer: suffixes stripped from the end in the order Kazakh stacks them — person ending, case,
 * possessive, plural, then verb endings — at most one of each, longest first. A suffix is only taken when it
 * fits the stem the way Kazakh attaches it: vowel harmony (back -лар after а о ұ ы, front -лер after ә е ө ү і;
 * и у ю я э are neutral) and the first consonant's assimilation (-тар/-қа after a voiceless consonant, -дар/-ға
 * after a voiced one, -лар/-ға after a vowel, -ның after a vowel or м н ң). Never leaves fewer than two letters
 * or no vowel, never two letters ending in a vowel, and no consonant pair Kazakh does not end a word with. Input: one lower-case word.
 */

import { KAZAKH_WORDS } from '../lang/lexicon.js';

const BACK = new Set('аоұы');
const FRONT = new Set('әеөүі');
const VOWELS = new Set('аоұыәеөүіиуюяэ');
const VOICELESS = new Set('пфкқтсшщхцчһ');
const LIQUIDS = new Set('рйу');
const NASALS = new Set('мнң');
const MIN_STEM = 2;

/** Suffixes by their last letter, longest first: a word is only compared with the few that can match. */
type Suffixes = ReadonlyMap<string, readonly string[]>;

function words(list: string): Suffixes {
  const byLast = new Map<string, string[]>();
  for (const s of list.split(/\s+/).filter(Boolean).sort((a, b) => b.length - a.length)) {
    const last = s[s.length - 1]!;
    byLast.set(last, [...(byLast.get(last) ?? []), s]);
  }
  return byLast;
}

const PERSON = words(`мын мін бын бін пын пін сың сің сыз сіз мыз міз быз біз пыз піз сыңдар сіңдер сыздар сіздер
  дым дім тым тім дық дік тық тік дыңыз діңіз тыңыз тіңіз дыңдар діңдер тыңдар тіңдер`);
const CASE_LIST = `ның нің дың дің тың тің ға ге қа ке на не ны ні ды ді ты ті да де та те нда нде дан ден тан тен нан нен
  мен бен пен менен бенен пенен дағы дегі тағы тегі ндағы ндегі`;
const POSSESSIVE = words(`ымыз іміз мыз міз ыңыз іңіз ңыз ңіз ыңдар іңдер ңдар ңдер ым ім м ың ің ң сы сі ы і
  лары лері дары дері тары тері`);
const PLURAL = words('лар лер дар дер тар тер');
const VERB = words('атын етін йтын йтін ған ген қан кен ып іп ады еді йды йді са се у');
// Verb endings that are also the last letters of many nouns (бала, бай): only after a person ending.
const VERB_AFTER_PERSON = words('а е й май мей бай бей пай пей ма ме ба бе па пе');

function lastVowel(s: string): string | undefined {
  for (let i = s.length - 1; i >= 0; i -= 1) if (VOWELS.has(s[i]!)) return s[i];
  return undefined;
}

// The instrumental (-мен/-бен/-пен) keeps its е after back vowels too: адаммен.
const NO_HARMONY = new Set(['мен', 'бен', 'пен', 'менен', 'бенен', 'пенен']);

function harmonizes(stem: string, suffix: string): boolean {
  if (NO_HARMONY.has(suffix)) return true;
  const v = lastVowel(stem);
  if (v === undefined || (!BACK.has(v) && !FRONT.has(v))) return true;
  const s = lastVowel(suffix);
  if (s === undefined || (!BACK.has(s) && !FRONT.has(s))) return true;
  return BACK.has(v) === BACK.has(s);
}

/** Whether the suffix's first sound can follow the stem's last one. */
function attaches(stem: string, suffix: string): boolean {
  const p = stem[stem.length - 1]!;
  const f = suffix[0]!;
  switch (f) {
    case 'т':
    case 'қ':
    case 'к':
    case 'п':
      return VOICELESS.has(p) || 'бвгд'.includes(p);
    case 'д':
    case 'ғ':
    case 'г':
      return !VOICELESS.has(p);
    case 'б':
      return 'жзлмнң'.includes(p);
    case 'л':
      return VOWELS.has(p) || LIQUIDS.has(p);
    case 'н':
      return VOWELS.has(p) || NASALS.has(p);
    case 'м':
      return VOWELS.has(p) || LIQUIDS.has(p) || NASALS.has(p) || p === 'л';
    case 'ң':
    case 'й':
      return VOWELS.has(p);
    default:
      // A suffix that starts with a vowel follows a consonant.
      return VOWELS.has(f) ? !VOWELS.has(p) : true;
  }
}

const CLUSTER_FIRST = new Set('рлнйусңм');

/** Long enough, has a vowel, and ends the way a Kazakh stem can (а two-letter stem in a consonant: үй, ал, ит). */
function isStem(stem: string, suffix: string): boolean {
  const n = stem.length;
  const last = stem[n - 1]!;
  if (n < MIN_STEM || (suffix.length === 1 && n < 3 && VOWELS.has(last)) || lastVowel(stem) === undefined) return false;
  if (n === 2 && VOWELS.has(last)) return false;
  const before = stem[n - 2]!;
  // Two final consonants only after р л н й у с ң м (жұрт, дост, көрк, резерв); «қазақс» is not a stem.
  if (!VOWELS.has(last) && !VOWELS.has(before) && !CLUSTER_FIRST.has(before)) return false;
  return true;
}

/** Strips the longest suffix of `list` that fits; returns the word unchanged when none does. */
function strip(word: string, suffixes: Suffixes, extra?: (stem: string, suffix: string) => boolean): string {
  const list = suffixes.get(word[word.length - 1] ?? '');
  if (!list) return word;
  for (const suffix of list) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, word.length - suffix.length);
    if (isStem(stem, suffix) && attaches(stem, suffix) && harmonizes(stem, suffix) && (extra?.(stem, suffix) ?? true)) return stem;
  }
  return word;
}

// Case endings of one letter exist only after a possessive: -н after -сы/-сі (баласын), -а/-е after -ым/-ің (балама).
// Case endings that follow a third-person possessive (баласында, үйінен): after them a final -ы/-і is one.
const AFTER_POSSESSIVE = new Set(['н', 'на', 'не', 'нда', 'нде', 'нан', 'нен', 'ндағы', 'ндегі']);

function caseAllowed(stem: string, suffix: string): boolean {
  // -н after a vowel stem's -сы/-сі (баласын) or a plural possessive (фермаларын); not тегін, алмайсын.
  if (suffix === 'н') return /(?:[аәеоөұүыіиуюя]с[ыі]|[лдт][ае]р[ыі])$/.test(stem);
  if (suffix === 'а' || suffix === 'е') return /(?:ым|ім|ың|ің|м|ң)$/.test(stem);
  // The n-forms follow a possessive -ы/-і (қазақстанда is -да, not -нда); -нан/-нен also follow м н ң.
  if (AFTER_POSSESSIVE.has(suffix)) return /[ыі]$/.test(stem) || ((suffix === 'нан' || suffix === 'нен') && NASALS.has(stem[stem.length - 1]!));
  return true;
}

/**
 * Which possessives fit: -сы/-сі and bare -м/-ң after a vowel (bare -м/-ң only leaving four letters: адам is
 * a word, балам is бала+м); bare -ы/-і (the last letter of many stems: жақсы, есірткі) only after a case
 * ending that needs a possessive; -ушы/-уші (agent nouns: сатушы) keep their -ы/-і.
 */
function possessiveAllowed(stem: string, suffix: string, caseSuffix: string): boolean {
  const last = stem[stem.length - 1]!;
  if (suffix === 'м' || suffix === 'ң') return VOWELS.has(last) && stem.length >= 4;
  if (suffix === 'сы' || suffix === 'сі') return VOWELS.has(last);
  if (suffix === 'ы' || suffix === 'і') return AFTER_POSSESSIVE.has(caseSuffix) && !stem.endsWith('уш');
  return true;
}

// A stem that lost a vowel-initial possessive gets back its voiceless final: кітабым → кітап, тілегім → тілек.
const DEVOICE: Readonly<Record<string, string>> = { б: 'п', ғ: 'қ', г: 'к' };

const CASE_WITH_SINGLES = words(`${CASE_LIST} н а е`);
const VERBAL_NOUN = words('у');

// A known word before a plain case ending beats the possessive reading: бүгін-де, not бүгі-нде.
function stripCase(word: string): string {
  for (const suffix of PLAIN_CASE) {
    if (word.endsWith(suffix) && KAZAKH_WORDS.has(word.slice(0, -suffix.length))) return word.slice(0, -suffix.length);
  }
  return strip(word, CASE_WITH_SINGLES, caseAllowed);
}

const PLAIN_CASE = ['дан', 'ден', 'тан', 'тен', 'да', 'де', 'та', 'те', 'ға', 'ге', 'ды', 'ді'];

export function stemKazakh(word: string): string {
  const afterPerson = strip(word, PERSON);
  const hadPerson = afterPerson !== word;
  // Participles and converbs first: -атын, -ып, -еді end the word, and their letters look like case endings.
  const verb = strip(afterPerson, VERB);
  if (verb !== afterPerson) return verb;
  let w = stripCase(afterPerson);
  const caseSuffix = afterPerson.slice(w.length);
  const beforePossessive = w;
  w = strip(w, POSSESSIVE, (stem, suffix) => possessiveAllowed(stem, suffix, caseSuffix));
  const possessive = beforePossessive.slice(w.length);
  w = strip(w, PLURAL);
  if (hadPerson && w === afterPerson) w = strip(w, VERB_AFTER_PERSON);
  // A verbal noun takes case endings too: алуға → алу → ал.
  if (caseSuffix !== '' && w.endsWith('у')) w = strip(w, VERBAL_NOUN);
  const last = w[w.length - 1]!;
  if (DEVOICE[last] && VOWELS.has(possessive[0] ?? '') && w.length >= 3) w = w.slice(0, -1) + DEVOICE[last];
  return w;
}
