import { describe, expect, it } from 'vitest';
import { qorgau } from '../helpers/cli.js';

describe('qorgau enqueue / worker / collect flags', () => {
  it.each([
    [['worker', '--no-model'], /Expected --redis redis:\/\/127\.0\.0\.1:6379\/0 \(Redis Streams\) or --nats nats:\/\/127\.0\.0\.1:4222/],
    [['collect', '--redis', 'redis://x', '--nats', 'nats://y'], /Expected one of --redis and --nats, got both/],
    [['enqueue', '--redis', 'http://127.0.0.1:6379', 'x.jsonl'], /Expected a URL starting redis:\/\/ or rediss:\/\/ like redis:\/\/127\.0\.0\.1:6379\/0, got `http:\/\/127\.0\.0\.1:6379`/],
    [['worker', '--nats', 'not a url'], /Expected a URL like nats:\/\/127\.0\.0\.1:4222, got `not a url`/],
    [['worker', '--redis', 'redis://127.0.0.1:1', '--batch', '0'], /Expected a positive integer, got `0`/],
    [['collect', '--redis', 'redis://127.0.0.1:1', '--follow', '--top', '5'], /Expected --top without --follow/],
  ])('exits 2 with a message for %j', async (args, message) => {
    const r = await qorgau(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
