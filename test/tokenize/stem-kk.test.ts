import { describe, expect, it } from 'vitest';
import { stemKazakh } from '../../src/tokenize/stem-kk.js';
import { KAZAKH_STEMS } from '../fixtures/kazakh-stems.js';

describe('stemKazakh()', () => {
  it('is tested on at least 100 word forms', () => {
    expect(KAZAKH_STEMS.length).toBeGreaterThanOrEqual(100);
  });

  it.each(KAZAKH_STEMS)('%s → %s', (form, stem) => {
    expect(stemKazakh(form)).toBe(stem);
  });

  it.each([
    ['адам', 'адам', 'a bare -м leaves at least four letters'],
    ['доңыз', 'доңыз', 'a two-letter stem ends in a consonant'],
    ['қазақстан', 'қазақстан', 'no stem ends in «қс»'],
    ['кітабын', 'кітабын', '-бын follows ж з л м н ң only'],
    ['ақымақсың', 'ақымақ', 'a person ending goes, the stem stays'],
    ['үйлер', 'үй', 'two letters are enough when the stem ends in a consonant'],
    ['балалер', 'балалер', 'a front suffix does not follow a back stem'],
    ['кітапдар', 'кітапдар', '-дар does not follow a voiceless consonant'],
    ['бүгінде', 'бүгін', 'a known word before a plain case ending wins over the possessive reading'],
    ['үйінде', 'үй', '-нде after a possessive -і'],
    ['резервінде', 'резерв', 'a loanword may end in two consonants after р'],
    ['фермаларын', 'ферма', '-н after a plural possessive'],
    ['тегін', 'тегін', '-н needs a possessive -сы/-сі or -лары before it'],
  ])('%s → %s (%s)', (form, stem) => {
    expect(stemKazakh(form)).toBe(stem);
  });
});
