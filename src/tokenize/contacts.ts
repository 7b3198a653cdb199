import type { Contact } from '../types.js';

// A bare domain starts only where a run of domain characters starts (the look-behind): from inside a run of
// «a-a-a-…» or «1.2.1.2.…» every start would rescan the rest of the run, quadratic in its length.
const CONTACT = new RegExp(
  [
    String.raw`(?<telegram>(?:https?:\/\/)?(?:t\.me|telegram\.me)\/[A-Za-z0-9_+/-]+)`,
    String.raw`(?<url>(?:https?:\/\/|www\.)[^\s<>"')]+|\b(?<![a-z0-9.-])(?:[a-z0-9-]+\.)*[a-z0-9-]{2,}\.(?:kz|ru|com|net|org|io|me|xyz|top|site|online|shop|store|bet|casino|cc|biz|info|ly|pro|app|click|fun|win|club|vip|live|link|cam|tv|su|uz|kg|by|pw|icu|pay|gg|delivery|renew)\b(?:\/[^\s<>"')]*)?)`,
    String.raw`(?<handle>(?<![\w.])@[A-Za-z][A-Za-z0-9_]{3,31})`,
    String.raw`(?<phone>(?<![\d*])(?:\+?7|8)[\s(-]*7\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?![\d*]))`,
    // A card number to send money to (often half-masked): what a fraud or drop post wants from its victims.
    String.raw`(?<card>(?<![\d*])\d{4}[\s-]?[\d*]{4}[\s-]?[\d*]{4}[\s-]?\d{4}(?![\d*]))`,
  ].join('|'),
  'giu',
);

/** Telegram links, @handles, bots, phone and card numbers and URLs in the ORIGINAL text: what a takedown request needs. */
export function findContacts(text: string): Contact[] {
  const out: Contact[] = [];
  for (const m of text.matchAll(CONTACT)) {
    const g = m.groups ?? {};
    const value = m[0].replace(/[.,;:!?]+$/, '');
    const start = m.index;
    const end = start + value.length;
    let type: Contact['type'];
    if (g.telegram) type = /bot\b/i.test(value) ? 'bot' : 'telegram';
    else if (g.handle) type = /bot$/i.test(value) ? 'bot' : 'handle';
    else if (g.phone) type = 'phone';
    else if (g.card) type = 'card';
    else type = 'url';
    out.push({ type, value, start, end });
  }
  return out;
}
