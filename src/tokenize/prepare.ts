import { detectLanguage } from '../lang/index.js';
import { normalize } from '../normalize/index.js';
import type { LanguageGuess, MappedToken, NormalizedText } from '../types.js';
import { tokenizeNormalized } from './index.js';

export interface PreparedText {
  readonly normalized: NormalizedText;
  readonly language: LanguageGuess;
  /** Tokens of the normalized text, stemmed for its language, with spans in the original too. */
  readonly tokens: readonly MappedToken[];
}

/** Normalize, detect the language, tokenize and stem: everything a rule or the model sees of one text. */
export function prepareText(text: string): PreparedText {
  const normalized = normalize(text);
  const language = detectLanguage(normalized.text);
  const options = language.sentences ? { lang: language.lang, sentences: language.sentences } : { lang: language.lang };
  return { normalized, language, tokens: tokenizeNormalized(normalized, options) };
}
