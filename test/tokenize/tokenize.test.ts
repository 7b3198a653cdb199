import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/normalize/index.js';
import { tokenize, tokenizeNormalized } from '../../src/tokenize/index.js';

function typed(text: string): string[] {
  return tokenize(text).map((t) => `${t.type}:${t.text}`);
}

describe('tokenize()', () => {
  it.each([
    ['пиши @shop_bot', ['word:пиши', 'bot:@shop_bot']],
    ['оператор @kladmen_kz', ['word:оператор', 'handle:@kladmen_kz']],
    ['t.me/kladmen_bot', ['bot:t.me/kladmen_bot']],
    ['https://t.me/almaty_news.', ['telegram:https://t.me/almaty_news']],
    ['пиши в shop24_bot', ['word:пиши', 'word:в', 'bot:shop24_bot']],
    ['робот robot', ['word:робот', 'word:robot']],
    ['сайт casino-x.bet/promo?id=1, заходи', ['word:сайт', 'url:casino-x.bet/promo?id=1', 'word:заходи']],
    ['www.site.kz и https://kaspi.kz/shop', ['url:www.site.kz', 'word:и', 'url:https://kaspi.kz/shop']],
    ['почта user@mail.ru', ['word:почта', 'email:user@mail.ru']],
    ['тел +7 (701) 123-45-67', ['word:тел', 'phone:+7 (701) 123-45-67']],
    ['8 777 123 45 67', ['phone:8 777 123 45 67']],
    ['87011234567', ['phone:87011234567']],
    ['цена 5000₸', ['word:цена', 'price:5000₸']],
    ['25 000 тг', ['price:25 000 тг']],
    ['1 500 тенге', ['price:1 500 тенге']],
    ['2.5 млн тенге', ['price:2.5 млн тенге']],
    ['10k, 15к, $100, 100$, €20', ['price:10k', 'price:15к', 'price:$100', 'price:100$', 'price:€20']],
    ['10кг 3шт', ['number:10', 'word:кг', 'number:3', 'word:шт']],
    ['12.05.2024 в 14:30', ['number:12.05.2024', 'word:в', 'number:14:30']],
    ['в 2 000 году', ['word:в', 'number:2 000', 'word:году']],
    ['#алматы #qazaqstan2024', ['hashtag:#алматы', 'hashtag:#qazaqstan2024']],
    ['❄💎 🍁', ['emoji:❄', 'emoji:💎', 'emoji:🍁']],
    ['🇰🇿', ['emoji:🇰🇿']],
    ['кто-то из-за qazaq\'stan', ['word:кто-то', 'word:из-за', "word:qazaq'stan"]],
    ['Қазақстанда тұрамын', ['word:Қазақстанда', 'word:тұрамын']],
    ['iphone15 mp3', ['word:iphone15', 'word:mp3']],
  ])('%j', (text, expected) => {
    expect(typed(text)).toEqual(expected);
  });

  it('names emoji so rules can use the name', () => {
    expect(tokenize('❄ 💊 🍁 🌿 🍄 🚀 🔫 🎰 💰 💎').map((t) => t.stem)).toEqual([
      'snowflake', 'pill', 'maple_leaf', 'herb', 'mushroom', 'rocket', 'pistol', 'slot_machine', 'money_bag', 'gem',
    ]);
  });

  it('stems Russian words as Russian and words with Kazakh letters as Kazakh', () => {
    const stems = tokenize('продаю закладки есірткілерді сатамыз').map((t) => t.stem);
    expect(stems).toEqual(['прода', 'закладк', 'есірткі', 'сатамыз']);
  });

  it('stems every Cyrillic word as Kazakh when told the text is Kazakh', () => {
    expect(tokenize('балалар сатамыз', { lang: 'kk' }).map((t) => t.stem)).toEqual(['бала', 'сат']);
    expect(tokenize('балалар сатамыз', { stem: false }).map((t) => t.stem)).toEqual(['балалар', 'сатамыз']);
  });
});

describe('tokenizeNormalized()', () => {
  it('gives each token its span in the original text', () => {
    const original = 'Купи з@кл@дки ❄️ у @Shop_Bot за 5 000 ₸';
    const tokens = tokenizeNormalized(normalize(original));
    expect(tokens.map((t) => [t.type, t.stem, original.slice(t.originalStart, t.originalEnd)])).toEqual([
      ['word', 'куп', 'Купи'],
      ['word', 'закладк', 'з@кл@дки'],
      ['emoji', 'snowflake', '❄️'],
      ['word', 'у', 'у'],
      ['bot', '@shop_bot', '@Shop_Bot'],
      ['word', 'за', 'за'],
      ['price', '5 000 ₸', '5 000 ₸'],
    ]);
  });
});
