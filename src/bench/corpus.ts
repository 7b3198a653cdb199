/**
 * A generated corpus for `npm run bench`: the kinds of posts qorgau reads (drug-shop ads with obfuscation, news,
 * chat, Kazakh in Cyrillic, typed without Kazakh letters and in Latin, links, prices, emoji), with numbers,
 * names and filler words drawn at random so caches do not see the same post over and over. Filler words come
 * from a 50,000-word made-up vocabulary with Zipf-like frequencies, as words in real text do.
 */

const TEMPLATES = [
  'Магазин 24/7: {drug}, {drug} в наличии. Ровный клад по городу {city}. Цена {price}₸, оператор @{handle}_bot',
  'з@кл@дки {city} нaркoтики м.е.ф ш и ш к и {price} тг пиши t.me/{handle} ❄️💎',
  'Полиция задержала закладчика в {city}, изъято {n} свертков. Возбуждено уголовное дело по статье {n}.',
  'Бүгін {city} қаласында {n} жаңа мектеп ашылды, балалар мен ата-аналар қуанышты. {word} {word}',
  'Бугин {city} каласында жана мектеп ашылды, балалар куанышты, рахмет бариңизге',
  'Esirtki satamyz {city}, baǵasy {price} teñge, jazyñyz @{handle}',
  'Ребята, кто идет на футбол в субботу? Начало в {n}:00, билеты по {price} тг, пишите {phone}',
  'ты урод, найду тебя после школы, все узнают какой ты лох {word} {word}',
  'Сен ақымақсың, {word} саған ешкім жазбайды',
  'Рецепт: {n} ст. ложки соли на литр воды, огурцы закатать, {word} {word} {word}',
  'Ставки на спорт, зеркало казино {handle}.bet, бонус {price}$ новым игрокам 🎰💰 #{word}',
  'Сдаю квартиру посуточно в {city}, {n}-комнатная, {price} тенге, звоните {phone}, https://krisha.kz/a/{n}',
];
const DRUGS = ['меф', 'альфа', 'шишки', 'гашиш', 'соль', 'кристаллы', 'мефедрон', 'бошки', 'экстази', 'амфетамин'];
const CITIES = ['Алматы', 'Астана', 'Шымкент', 'Караганда', 'Актобе', 'Тараз', 'Павлодар', 'Усть-Каменогорск', 'Семей', 'Атырау', 'Костанай', 'Кызылорда'];
const SYLLABLES = ['ка', 'ра', 'но', 'ли', 'те', 'ма', 'сы', 'бе', 'ді', 'қа', 'лар', 'ген', 'ов', 'ник', 'ство', 'ать', 'ый', 'ого', 'мен', 'ға'];

const VOCABULARY = 50_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Posts until their UTF-8 size reaches `megabytes`. */
export function generateCorpus(megabytes: number, seed = 42): { posts: string[]; bytes: number } {
  const rand = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const vocabulary = Array.from({ length: VOCABULARY }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(SYLLABLES)).join(''));
  // Rank r with probability ~ 1/r: the log of the rank is uniform.
  const word = () => vocabulary[Math.min(VOCABULARY - 1, Math.floor(Math.exp(rand() * Math.log(VOCABULARY))) - 1)]!;
  const posts: string[] = [];
  let bytes = 0;
  const target = megabytes * 1e6;
  while (bytes < target) {
    const post = pick(TEMPLATES)
      .replace(/\{drug\}/g, () => pick(DRUGS))
      .replace(/\{city\}/g, () => pick(CITIES))
      .replace(/\{price\}/g, () => String(1000 + Math.floor(rand() * 200) * 500))
      .replace(/\{n\}/g, () => String(1 + Math.floor(rand() * 300)))
      .replace(/\{handle\}/g, () => `shop${Math.floor(rand() * 10000)}`)
      .replace(/\{phone\}/g, () => `+7 70${Math.floor(rand() * 10)} ${100 + Math.floor(rand() * 900)} ${10 + Math.floor(rand() * 90)} ${10 + Math.floor(rand() * 90)}`)
      .replace(/\{word\}/g, word);
    posts.push(post);
    bytes += Buffer.byteLength(post);
  }
  return { posts, bytes };
}
