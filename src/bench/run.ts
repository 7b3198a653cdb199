import { createAnalyzer } from '../analyzer.js';
import { normalize } from '../normalize/index.js';
import { tokenize } from '../tokenize/index.js';
import type { Post } from '../types.js';

// A mix of shop ads, news and chat, so the rules see realistic hit rates.
const TEMPLATES = [
  'Магазин 24/7: меф, шишки, альфа в наличии. Ровный клад по городу {n}. Цена {p}₸, оператор @shop{n}_bot',
  'Полиция задержала закладчика в Алматы, изъято {n} свертков. Возбуждено уголовное дело.',
  'Бүгін Астанада {n} жаңа мектеп ашылды, балалар қуанышты',
  'Ребята, кто идет на футбол в субботу? Начало в {n}:00, билеты по {p} тг',
  'ты урод, найду тебя после школы, все узнают какой ты лох',
  'Рецепт: {n} ст. ложки соли на литр воды, огурцы закатать',
];

function makePost(i: number): Post {
  const t = TEMPLATES[i % TEMPLATES.length]!.replaceAll('{n}', String(i % 97)).replaceAll('{p}', String(1000 + (i % 50) * 500));
  return { id: String(i), text: t, meta: {} };
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_POSTS ?? 50_000);
  const posts = Array.from({ length: count }, (_, i) => makePost(i));
  const bytes = posts.reduce((s, p) => s + Buffer.byteLength(p.text), 0);

  let t = performance.now();
  let tokens = 0;
  for (const p of posts) tokens += tokenize(normalize(p.text).text).length;
  const normSec = (performance.now() - t) / 1000;
  console.log(`normalize+tokenize: ${(bytes / 1e6 / normSec).toFixed(1)} MB/s (${count} posts, ${(bytes / 1e6).toFixed(1)} MB, ${tokens} tokens)`);

  const analyzer = await createAnalyzer({ model: false, onNotice: () => {} });
  t = performance.now();
  let n = 0;
  for await (const _ of analyzer.analyzeStream(posts)) n += 1;
  const sec = (performance.now() - t) / 1000;
  console.log(`rules-only analyze: ${Math.round(n / sec)} posts/s, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  await analyzer.close();
}

await main();
