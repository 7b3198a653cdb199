import { describe, expect, it } from 'vitest';
import { readTelegram } from '../../src/ingest/readers.js';
import { isErrorRecord, type ErrorRecord, type Post } from '../../src/types.js';
import { collect, streamOf } from '../helpers/collect.js';

const posts = (xs: (Post | ErrorRecord)[]) => xs.filter((x): x is Post => !isErrorRecord(x));
const errors = (xs: (Post | ErrorRecord)[]) => xs.filter(isErrorRecord);

describe('readTelegram() on hostile and full-account exports', () => {
  it('turns a message whose text is null, a number, an object or [null, …] into one error record and goes on', async () => {
    const messages = [
      { id: 1, type: 'message', text: 'первый' },
      { id: 2, type: 'message', text: null },
      { id: 3, type: 'message', text: 42 },
      { id: 4, type: 'message', text: { type: 'bold', text: 'x' } },
      { id: 5, type: 'message', text: [null, 'x'] },
      { id: 6, type: 'message', text: ['ok ', { type: 'bold', text: 7 }] },
      { id: 7, type: 'message', text: 'последний' },
      17,
    ];
    const out = await collect(readTelegram(streamOf(JSON.stringify({ name: 'К', id: 9, messages })), 'result.json'));
    expect(out).toHaveLength(8);
    expect(posts(out).map((p) => p.id)).toEqual(['9/1', '9/7']);
    expect(errors(out).map((e) => [e.id, e.line, e.error.code])).toEqual([
      ['9/2', 2, 'bad_record'],
      ['9/3', 3, 'bad_record'],
      ['9/4', 4, 'bad_record'],
      ['9/5', 5, 'bad_record'],
      ['9/6', 6, 'bad_record'],
      [undefined, 8, 'bad_record'],
    ]);
    expect(errors(out)[0]!.error.message).toMatch(/got null/);
  });

  it('reads every chat of a full-account export (chats, left chats), with <chat id>/<message id> ids and the chat name in meta', async () => {
    const account = {
      about: 'Here is the data you requested.',
      personal_information: { user_id: 1, first_name: 'Я' },
      contacts: { about: '', list: [{ first_name: 'Друг', phone_number: '+7' }] },
      frequent_contacts: { about: '', list: [{ id: 5, category: 'people', type: 'user', name: 'Друг', rating: 1 }] },
      chats: {
        about: 'This page lists all chats from this export.',
        list: [
          { name: 'Магазин', type: 'private_supergroup', id: 100, messages: [{ id: 1, type: 'message', text: 'меф в наличии' }, { id: 2, type: 'service', action: 'pin_message' }] },
          { name: null, type: 'personal_chat', id: 200, messages: [{ id: 1, type: 'message', text: ['привет ', { type: 'mention', text: '@x' }] }] },
        ],
      },
      left_chats: { about: '', list: [{ name: 'Старый', type: 'public_channel', id: 300, messages: [{ id: 9, type: 'message', date: '2026-01-01T00:00:00', text: 'пост' }] }] },
    };
    const out = await collect(readTelegram(streamOf(JSON.stringify(account)), 'result.json'));
    expect(errors(out)).toEqual([]);
    expect(posts(out).map((p) => [p.id, p.meta.channel, p.meta.section])).toEqual([
      ['100/1', 'Магазин', 'chats'],
      ['200/1', '200', 'chats'],
      ['300/9', 'Старый', 'left_chats'],
    ]);
    expect(posts(out)[2]!.meta.date).toBe('2026-01-01T00:00:00');
  });
});
