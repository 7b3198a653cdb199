import { describe, expect, it } from 'vitest';
import { findContacts } from '../../src/tokenize/contacts.js';

describe('findContacts()', () => {
  it.each([
    ['Бот: @alma_white_shop_bot', [['bot', '@alma_white_shop_bot']]],
    ['пиши @aktau_mf, без предоплаты', [['handle', '@aktau_mf']]],
    ['Заказ: t.me/+aZ3kQ9lXr', [['telegram', 't.me/+aZ3kQ9lXr']]],
    ['Звони 8 702 555 19 03', [['phone', '8 702 555 19 03']]],
    ['WhatsApp 7 771 930 5512', [['phone', '7 771 930 5512']]],
    ['+7 (777) 123-45-67', [['phone', '+7 (777) 123-45-67']]],
    ['ссылка bit.ly/olymp-kz и 1w-kz.pro/?ref=aizhan_777', [['url', 'bit.ly/olymp-kz'], ['url', '1w-kz.pro/?ref=aizhan_777']]],
    ['Сайт krg-intim.club, зеркало vavada-kz.top/mirror.', [['url', 'krg-intim.club'], ['url', 'vavada-kz.top/mirror']]],
    ['Кидай на Kaspi 4400 43** **** 7812', [['card', '4400 43** **** 7812']]],
    ['Встреча в 18:00, 2 500 тг, 12 000 человек', []],
  ])('%j', (text, expected) => {
    const found = findContacts(text);
    expect(found.map((c) => [c.type, c.value])).toEqual(expected);
    for (const c of found) expect(text.slice(c.start, c.end)).toBe(c.value);
  });
});
