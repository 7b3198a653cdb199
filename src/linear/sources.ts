/**
 * What qorgau knows about the data sources a model can learn from: the `source` field of corpus rows. The model
 * card lists every source a model was trained on with this; a source not listed here is named as unknown, so
 * whoever shares the weights checks its licence first.
 */
export interface SourceInfo {
  readonly title: string;
  readonly licence: string;
  /** What the licence asks of someone who uses or shares weights trained on the data. */
  readonly asks: string;
}

const CC_BY = 'Attribution: credit the dataset and its authors, link the licence, say that the weights were trained on it (CC BY 4.0 does not settle whether weights are adapted material; attributing is the safe reading).';
const NONE = 'Nothing is granted: no licence is stated. Treat weights trained on it as research use until the authors allow more.';

export const KNOWN_SOURCES: Readonly<Record<string, SourceInfo>> = {
  written: {
    title: 'qorgau written corpus (corpora/labelled/, posts written for this project)',
    licence: 'MIT (this repository)',
    asks: 'Keep the copyright and licence notice.',
  },
  'ru-telegram-news-posts': {
    title: 'Dataset of Telegram News Posts, NKTKLN/telegram-news-classifier (24 Russian news channels)',
    licence: 'CC BY 4.0',
    asks: CC_BY,
  },
  'kk-kaznerd-tvnews': {
    title: 'KazNERD, ISSAI (Yeshpanov, Khassanov, Varol, LREC 2022): Kazakh TV-news sentences',
    licence: 'CC BY 4.0',
    asks: CC_BY,
  },
  'kk-kazsandra-sentiment': {
    title: 'KazSAnDRA, ISSAI (Yeshpanov & Varol 2024): Kazakh app, shop and map reviews',
    licence: 'none stated',
    asks: NONE,
  },
  'ru-toxic-2ch-pikabu': { title: '2ch/pikabu toxic comments', licence: 'none stated', asks: NONE },
  'ru-detox-russe2022': { title: 'RUSSE-2022 detoxification', licence: 'none stated', asks: NONE },
  'ru-sensitive-topics-inappropriate': {
    title: 'Skoltech sensitive topics / inappropriate messages',
    licence: 'CC BY-NC-SA 4.0',
    asks: 'Attribution, non-commercial use only, and weights shared under the same licence.',
  },
  'ru-telegram-spam-tizhproger': {
    title: 'Telegram chat spam (tizhproger)',
    licence: 'GPL-3.0',
    asks: 'GPL-3.0 terms for redistributed derivatives (source and licence notice); unsettled for model weights: ask the author.',
  },
  'kk-ru-toxic-comments-asnbkk': { title: 'Kazakh YouTube comments (asnbkk), machine-labelled', licence: 'none stated', asks: NONE },
  'ru-abusive-sariellee': { title: 'Russian abusive language (sariellee)', licence: 'CC BY 4.0', asks: CC_BY },
  'ru-hatespeech-biriuchinskii': {
    title: 'Russian hate speech (biriuchinskii)',
    licence: 'CC BY-NC-SA',
    asks: 'Attribution, non-commercial use only, and weights shared under the same licence.',
  },
};

export function sourceInfo(source: string): SourceInfo {
  // `adapted:<set>`: posts of a public set rewritten for the project; the set's licence still applies.
  const adapted = /^adapted:(.+)$/.exec(source);
  if (adapted && KNOWN_SOURCES[adapted[1]!]) {
    const base = KNOWN_SOURCES[adapted[1]!]!;
    return { ...base, title: `${base.title}, posts adapted for qorgau` };
  }
  return (
    KNOWN_SOURCES[source] ?? {
      title: source,
      licence: 'unknown to qorgau',
      asks: 'Check the licence of this data (or that the posts are yours to train on) before sharing the weights.',
    }
  );
}

/** Whether a licence lets anyone use and share the weights without asking (attribution at most). */
export function isPermissive(licence: string): boolean {
  return /^(MIT|CC BY 4\.0|CC0)/.test(licence);
}
