/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The review page's script. It runs in the browser, not in Node: the report inlines it with
 * `Function.prototype.toString`, so it must not touch anything outside its own body (no imports, no
 * module variables). Post text reaches the page only as `html` the server escaped, or via textContent.
 */
export function reviewApp(): void {
  interface ClientPost {
    id: string;
    html: string;
    lang: string;
    labels: number[];
    scores: number[];
    priority: number;
    source: number;
    file?: string;
    line?: number;
    date?: string;
    link?: string;
    contacts: [string, string][];
    rules: number[];
    cluster: number;
    clusterId: string;
    hash: string;
  }
  interface ReportData {
    version: number;
    categories: string[];
    sources: string[];
    rules: string[];
    posts: ClientPost[];
    clusters: number[][];
  }
  /** [decision, labels, epoch ms, decided through the cluster's representative] */
  type Decision = [string, string[], number, number?];

  const PAGE_SIZE = 50;
  const MEMBERS_SHOWN = 100;
  const STORE = 'qorgau.decisions.v1';
  const data = JSON.parse(document.getElementById('qorgau-data')!.textContent!) as ReportData;
  const CATS = data.categories;
  const posts = data.posts;
  const texts: (string | undefined)[] = new Array(posts.length);
  const searchable: (string | undefined)[] = new Array(posts.length);

  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const list = $<HTMLDivElement>('list');
  const pager = $<HTMLElement>('pager');
  const shown = $<HTMLSpanElement>('shown');
  const decidedCount = $<HTMLSpanElement>('decided-count');
  const notice = $<HTMLSpanElement>('notice');

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  /** The original text: the server's html is the text escaped, with <mark> tags added, so this inverts it exactly. */
  function textOf(i: number): string {
    let t = texts[i];
    if (t === undefined) {
      t = posts[i]!.html.replace(/<[^>]*>/g, '').replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]!);
      texts[i] = t;
    }
    return t;
  }

  function searchOf(i: number): string {
    let s = searchable[i];
    if (s === undefined) {
      const p = posts[i]!;
      s = `${p.id}\n${textOf(i)}\n${p.contacts.map((c) => c[1]).join(' ')}`.toLowerCase();
      searchable[i] = s;
    }
    return s;
  }

  // Decisions are keyed by id and text hash, so they follow a post into a newer report of the same data.
  function keyOf(i: number): string {
    return `${posts[i]!.id}|${posts[i]!.hash}`;
  }

  // Served by `qorgau serve`, the page keeps decisions in the server's database instead (src/serve/client.ts).
  const remote = (window as unknown as { qorgauRemote?: { decisions: Record<string, Decision>; sync(d: Record<string, Decision>): void; decorate(card: HTMLElement, key: string): void } })
    .qorgauRemote;
  let decisions: Record<string, Decision> = {};
  try {
    decisions = remote ? remote.decisions : (JSON.parse(localStorage.getItem(STORE) ?? '{}') as Record<string, Decision>);
  } catch {
    decisions = {};
  }

  function save(): void {
    if (remote) return remote.sync(decisions);
    try {
      localStorage.setItem(STORE, JSON.stringify(decisions));
      notice.textContent = '';
    } catch {
      notice.textContent = 'The browser storage is full: export your decisions now, then clear them.';
    }
  }

  function decisionOf(i: number): Decision | undefined {
    return decisions[keyOf(i)];
  }

  function countDecided(): number {
    let n = 0;
    for (let i = 0; i < posts.length; i += 1) if (decisionOf(i)) n += 1;
    return n;
  }

  // ---- filters ----
  const fCategory = $<HTMLSelectElement>('f-category');
  const fLang = $<HTMLSelectElement>('f-lang');
  const fMin = $<HTMLInputElement>('f-min');
  const fMax = $<HTMLInputElement>('f-max');
  const fSource = $<HTMLSelectElement>('f-source');
  const fSearch = $<HTMLInputElement>('f-search');
  const fStatus = $<HTMLSelectElement>('f-status');
  let page = 0;
  let visible: number[][] = [];

  function matcher(): (i: number) => boolean {
    const cat = fCategory.value === '' ? -1 : CATS.indexOf(fCategory.value);
    const lang = fLang.value;
    const min = fMin.value === '' ? 0 : Number(fMin.value);
    const max = fMax.value === '' ? 1 : Number(fMax.value);
    const source = fSource.value === '' ? -1 : Number(fSource.value);
    const q = fSearch.value.trim().toLowerCase();
    const status = fStatus.value;
    return (i) => {
      const p = posts[i]!;
      if (cat >= 0 && !p.labels.includes(cat)) return false;
      const score = cat >= 0 ? p.scores[cat]! : Math.min(1, p.priority);
      if (score < min || score > max) return false;
      if (lang !== '' && p.lang !== lang) return false;
      if (source >= 0 && p.source !== source) return false;
      if (status === 'open' && decisionOf(i)) return false;
      if (status === 'done' && !decisionOf(i)) return false;
      if (q !== '' && !searchOf(i).includes(q)) return false;
      return true;
    };
  }

  function applyFilters(resetPage: boolean): void {
    const match = matcher();
    visible = [];
    let count = 0;
    for (const members of data.clusters) {
      const hit = members.filter(match);
      if (hit.length > 0) {
        visible.push(hit);
        count += hit.length;
      }
    }
    if (resetPage) page = 0;
    page = Math.min(page, Math.max(0, Math.ceil(visible.length / PAGE_SIZE) - 1));
    shown.textContent = `${visible.length.toLocaleString('en')} clusters, ${count.toLocaleString('en')} posts match`;
    render();
  }

  // ---- cards ----
  const nearDuplicates = (n: number): string => `${n} near-duplicate${n === 1 ? '' : 's'}`;

  function card(i: number, rank: number | undefined, members: number[] | undefined): HTMLElement {
    const p = posts[i]!;
    const art = el('article', 'card');
    art.dataset.index = String(i);
    art.dataset.id = p.id;
    const top = p.labels[0];
    if (top !== undefined) art.classList.add(`q-${CATS[top]}`);

    const head = el('div', 'head');
    if (rank !== undefined) head.append(el('span', 'rank', `#${rank}`));
    head.append(el('span', 'prio', p.priority.toFixed(2)));
    for (const c of p.labels) head.append(el('span', `chip q-${CATS[c]}`, CATS[c]));
    head.append(el('span', 'lang', p.lang));
    const src = data.sources[p.source];
    if (src) head.append(el('span', 'src', src));
    if (p.date) head.append(el('time', undefined, p.date));
    if (p.link && /^https?:\/\//i.test(p.link)) {
      const a = el('a', undefined, 'open ↗');
      a.href = p.link;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      head.append(a);
    }
    head.append(el('span', 'id', p.id));
    if (members && members.length > 1) head.append(el('span', 'dup', `${members.length} in cluster`));
    art.append(head);

    const text = el('div', 'text');
    text.innerHTML = p.html;
    art.append(text);

    const facts = el('div', 'facts');
    const scores = el('div', 'scores');
    const order = p.scores.map((s, c) => [s, c] as const).filter(([s]) => s > 0).sort((a, b) => b[0] - a[0]);
    for (const [s, c] of order) {
      const name = el('span', `q-${CATS[c]}${p.labels.includes(c) ? ' lab' : ''}`, CATS[c]);
      const bar = el('span', `bar q-${CATS[c]}`);
      const fill = el('i');
      fill.style.width = `${Math.round(Math.min(1, s) * 100)}%`;
      bar.append(fill);
      scores.append(name, bar, el('span', 'v', s.toFixed(2)));
    }
    if (order.length > 0) facts.append(scores);
    if (p.contacts.length > 0) {
      const contacts = el('div', 'contacts');
      for (const [type, value] of p.contacts) {
        const c = el('span');
        c.append(el('b', undefined, type), document.createTextNode(value));
        contacts.append(c);
      }
      facts.append(contacts);
    }
    if (p.rules.length > 0) {
      const rules = el('div', 'rules');
      for (const r of p.rules) rules.append(el('code', undefined, data.rules[r] ?? '?'));
      facts.append(rules);
    }
    art.append(facts);
    art.append(decideBar(i, members));

    if (members && members.length > 1) {
      const more = el('button', 'expand', `Show ${nearDuplicates(members.length - 1)} ▸`);
      more.type = 'button';
      more.dataset.act = 'expand';
      const box = el('div', 'members');
      box.hidden = true;
      art.append(more, box);
    }
    if (decisionOf(i)) art.classList.add('decided');
    remote?.decorate(art, keyOf(i));
    return art;
  }

  function decideBar(i: number, members: number[] | undefined): HTMLElement {
    const p = posts[i]!;
    const bar = el('div', 'decide');
    const d = decisionOf(i);
    if (d) {
      const what = d[0] === 'clean' ? 'Clean' : `${d[0] === 'confirmed' ? 'Confirmed' : 'Relabelled'}: ${d[1].join(', ')}`;
      bar.append(el('span', `state ${d[0]}`, d[3] ? `${what} (via cluster)` : what));
      const undo = el('button', undefined, 'Undo');
      undo.type = 'button';
      undo.dataset.act = 'undo';
      bar.append(undo);
      return bar;
    }
    const labels = p.labels.map((c) => CATS[c]!);
    const confirm = el('button', 'primary', `✓ Confirm ${labels.join(', ')}`);
    confirm.dataset.act = 'confirm';
    const wrong = el('button', undefined, 'Wrong category…');
    wrong.dataset.act = 'wrong';
    const clean = el('button', undefined, 'Clean');
    clean.dataset.act = 'clean';
    for (const b of [confirm, wrong, clean]) b.type = 'button';
    bar.append(confirm, wrong, clean);
    if (members && members.length > 1) {
      const label = el('label', 'all');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = true;
      box.className = 'apply-all';
      label.append(box, document.createTextNode(` apply to all ${members.length} in this cluster`));
      bar.append(label);
    }
    const picker = el('div', 'picker');
    picker.hidden = true;
    for (const c of CATS) {
      const l = el('label');
      const box = el('input');
      box.type = 'checkbox';
      box.value = c;
      l.append(box, document.createTextNode(` ${c}`));
      picker.append(l);
    }
    const saveBtn = el('button', 'primary', 'Save');
    saveBtn.type = 'button';
    saveBtn.dataset.act = 'save';
    picker.append(saveBtn);
    bar.append(picker);
    return bar;
  }

  function render(): void {
    list.replaceChildren();
    const start = page * PAGE_SIZE;
    const slice = visible.slice(start, start + PAGE_SIZE);
    if (slice.length === 0) list.append(el('div', 'empty', 'No candidates match these filters.'));
    slice.forEach((members, k) => list.append(card(members[0]!, start + k + 1, members)));
    pager.replaceChildren();
    const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    const prev = el('button', undefined, '◀ Prev');
    prev.type = 'button';
    prev.disabled = page === 0;
    prev.addEventListener('click', () => go(page - 1));
    const next = el('button', undefined, 'Next ▶');
    next.type = 'button';
    next.disabled = page >= pages - 1;
    next.addEventListener('click', () => go(page + 1));
    pager.append(prev, el('span', undefined, `page ${page + 1} of ${pages}`), next);
    decidedCount.textContent = `${countDecided().toLocaleString('en')} decided`;
  }

  function go(to: number): void {
    page = to;
    render();
    list.scrollIntoView({ block: 'start' });
  }

  function membersOf(art: HTMLElement): number[] | undefined {
    const rank = art.querySelector(':scope > .head > .rank');
    if (!rank) return undefined;
    return visible[Number(rank.textContent!.slice(1)) - 1];
  }

  function decide(art: HTMLElement, decision: string, labels: string[]): void {
    const i = Number(art.dataset.index);
    const members = membersOf(art);
    const all = art.querySelector<HTMLInputElement>(':scope > .decide .apply-all');
    const now = Date.now();
    decisions[keyOf(i)] = [decision, labels, now];
    if (members && all?.checked) {
      for (const m of members) if (m !== i) decisions[keyOf(m)] = [decision, labels, now, 1];
    }
    save();
    refresh(art);
  }

  /** Re-draws one card (and its open members) in place, so the reviewer keeps their place on the page. */
  function refresh(art: HTMLElement): void {
    const i = Number(art.dataset.index);
    const members = membersOf(art);
    const rankEl = art.querySelector(':scope > .head > .rank');
    const fresh = card(i, rankEl ? Number(rankEl.textContent!.slice(1)) : undefined, members);
    art.replaceWith(fresh);
    const parent = fresh.parentElement?.closest<HTMLElement>('.card');
    if (!parent) decidedCount.textContent = `${countDecided().toLocaleString('en')} decided`;
  }

  list.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const button = target.closest<HTMLButtonElement>('button[data-act]');
    if (!button) return;
    const art = button.closest<HTMLElement>('.card')!;
    const i = Number(art.dataset.index);
    const labels = posts[i]!.labels.map((c) => CATS[c]!);
    switch (button.dataset.act) {
      case 'confirm':
        decide(art, 'confirmed', labels);
        break;
      case 'clean':
        decide(art, 'clean', []);
        break;
      case 'wrong': {
        const picker = art.querySelector<HTMLElement>(':scope > .decide > .picker')!;
        picker.hidden = !picker.hidden;
        break;
      }
      case 'save': {
        const picker = button.closest('.picker')!;
        const chosen = [...picker.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
        decide(art, chosen.length > 0 ? 'relabelled' : 'clean', chosen);
        break;
      }
      case 'undo': {
        delete decisions[keyOf(i)];
        save();
        refresh(art);
        break;
      }
      case 'expand': {
        const box = art.querySelector<HTMLElement>(':scope > .members')!;
        const members = membersOf(art) ?? [];
        if (box.hidden && box.childElementCount === 0) {
          for (const m of members.slice(1, 1 + MEMBERS_SHOWN)) box.append(card(m, undefined, undefined));
          if (members.length - 1 > MEMBERS_SHOWN) box.append(el('div', 'empty', `… and ${members.length - 1 - MEMBERS_SHOWN} more (narrow the filters to see them)`));
        }
        box.hidden = !box.hidden;
        button.textContent = `${box.hidden ? 'Show' : 'Hide'} ${nearDuplicates(members.length - 1)} ${box.hidden ? '▸' : '▾'}`;
        break;
      }
    }
  });

  // ---- export ----
  function exportDecisions(): void {
    const lines: string[] = [];
    for (let i = 0; i < posts.length; i += 1) {
      const d = decisionOf(i);
      if (!d) continue;
      const p = posts[i]!;
      const row: Record<string, unknown> = {
        id: p.id,
        lang: p.lang,
        labels: d[1],
        text: textOf(i),
        source: data.sources[p.source] ?? p.file ?? '',
        reviewed: true,
        decision: d[0],
        predicted: p.labels.map((c) => CATS[c]),
        cluster: p.clusterId,
        reviewedAt: new Date(d[2]).toISOString(),
      };
      if (d[3]) row.via = 'cluster';
      lines.push(JSON.stringify(row));
    }
    if (lines.length === 0) {
      notice.textContent = 'No decisions yet: mark some candidates first.';
      return;
    }
    const blob = new Blob([`${lines.join('\n')}\n`], { type: 'application/x-ndjson' });
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    a.download = `qorgau-decisions-${new Date().toISOString().slice(0, 10)}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    notice.textContent = `Exported ${lines.length} decisions.`;
  }

  $<HTMLButtonElement>('export').addEventListener('click', exportDecisions);
  $<HTMLButtonElement>('clear').addEventListener('click', () => {
    if (!confirm('Forget every decision made in this report?')) return;
    for (let i = 0; i < posts.length; i += 1) delete decisions[keyOf(i)];
    save();
    applyFilters(false);
  });

  let timer: number | undefined;
  const form = $<HTMLFormElement>('filters');
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('input', (e) => {
    clearTimeout(timer);
    // Typing in the search box should not re-filter 50,000 posts on every key; the rest applies at once.
    if ((e.target as HTMLElement).id === 'f-search') timer = window.setTimeout(() => applyFilters(true), 200);
    else applyFilters(true);
  });
  applyFilters(true);
  document.body.dataset.ready = 'true';
}
