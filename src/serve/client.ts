/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The served review page's script: it runs in the browser before the page's own `reviewApp` (src/report/client.ts)
 * and gives it `window.qorgauRemote`, so decisions go to `POST /api/decisions` instead of local storage.
 * Inlined with `Function.prototype.toString`: it must not touch anything outside its own body.
 */
export function servedApp(): void {
  /** [decision, labels, epoch ms, decided through the cluster's representative] as the review app keeps them. */
  type Decision = [string, string[], number, number?];
  interface Served {
    reviewer: { name: string; role: string };
    overlap: number;
    decisions: Record<string, Decision>;
    /** Per key: every other reviewer's standing decision [name, decision, labels, epoch ms, via cluster]. */
    others: Record<string, [string, string, string[], number, number][]>;
    canExport: boolean;
  }
  const served = JSON.parse(document.getElementById('qorgau-served')!.textContent!) as Served;
  const snapshot = new Map<string, string>(Object.entries(served.decisions).map(([k, d]) => [k, JSON.stringify([d[0], d[1], d[3] ?? 0])]));
  let chain: Promise<void> = Promise.resolve();
  let failed = false;

  const notice = (text: string): void => {
    const n = document.getElementById('notice');
    if (n) n.textContent = text;
  };

  function send(batch: Record<string, unknown>[]): void {
    // One request at a time, in order: an undo never overtakes the decision it undoes.
    chain = chain.then(async () => {
      try {
        const res = await fetch('/api/decisions', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ decisions: batch }),
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
          throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        }
        if (!failed) notice(`Saved as ${served.reviewer.name}.`);
        document.body.dataset.saved = String(Number(document.body.dataset.saved ?? '0') + batch.length);
      } catch (error) {
        failed = true;
        notice(`Not saved: ${error instanceof Error ? error.message : String(error)}. Reload the page before going on.`);
      }
    });
  }

  const split = (key: string): [string, string] => {
    const at = key.lastIndexOf('|');
    return [key.slice(0, at), key.slice(at + 1)];
  };

  (window as unknown as { qorgauRemote: unknown }).qorgauRemote = {
    decisions: { ...served.decisions },
    sync(decisions: Record<string, Decision>): void {
      const batch: Record<string, unknown>[] = [];
      for (const [key, d] of Object.entries(decisions)) {
        const now = JSON.stringify([d[0], d[1], d[3] ?? 0]);
        if (snapshot.get(key) === now) continue;
        snapshot.set(key, now);
        const [id, hash] = split(key);
        batch.push({ id, hash, decision: d[0], labels: d[1], ...(d[3] ? { via: 'cluster' } : {}) });
      }
      for (const key of [...snapshot.keys()]) {
        if (key in decisions) continue;
        snapshot.delete(key);
        const [id, hash] = split(key);
        batch.push({ id, hash, decision: 'undo', labels: [] });
      }
      if (batch.length > 0) send(batch);
    },
    decorate(card: HTMLElement, key: string): void {
      const others = served.others[key];
      // Independent review: other reviewers' decisions show once this reviewer has decided (admins see them always).
      if (!others || others.length === 0 || !(snapshot.has(key) || served.reviewer.role === 'admin')) return;
      const box = document.createElement('div');
      box.className = 'who';
      // CSSOM, not a style attribute or element: allowed whatever the page's style-src says.
      Object.assign(box.style, { display: 'flex', flexWrap: 'wrap', gap: '4px 16px', marginTop: '6px', fontSize: '12px', color: '#5f6b76' });
      for (const [name, decision, labels, at, via] of others) {
        const line = document.createElement('span');
        const who = document.createElement('b');
        who.textContent = name;
        const what = decision === 'clean' ? 'clean' : `${decision} ${labels.join(', ')}`;
        line.append(who, document.createTextNode(` ${what}${via ? ' (via cluster)' : ''} · ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')}`));
        box.append(line);
      }
      card.querySelector(':scope > .decide')?.after(box);
    },
  };

  // After the review app has wired the page: sign-out, the server's export, no local "clear".
  document.addEventListener('DOMContentLoaded', () => {
    const header = document.querySelector('header.top');
    if (header) {
      const bar = document.createElement('p');
      bar.className = 'who-am-i';
      bar.textContent = `Signed in as ${served.reviewer.name} (${served.reviewer.role})${served.overlap > 1 ? ` · each card goes to ${served.overlap} reviewers` : ''} · `;
      const out = document.createElement('button');
      out.type = 'button';
      out.id = 'sign-out';
      out.textContent = 'Sign out';
      out.addEventListener('click', () => {
        void fetch('/signout', { method: 'POST', credentials: 'same-origin' }).finally(() => location.assign('/signin'));
      });
      bar.append(out);
      header.append(bar);
    }
    document.getElementById('clear')?.remove();
    const old = document.getElementById('export');
    if (old) {
      if (!served.canExport) {
        old.remove();
      } else {
        // A fresh element drops the review app's local export: the server's covers every reviewer.
        const link = document.createElement('a');
        link.id = 'export';
        link.href = '/api/export';
        Object.assign(link.style, { background: '#1c7ed6', color: '#fff', borderRadius: '4px', padding: '4px 10px', textDecoration: 'none' });
        link.textContent = 'Export all decisions (JSONL)';
        old.replaceWith(link);
      }
    }
    const more = document.createElement('button');
    more.type = 'button';
    more.id = 'more';
    more.textContent = 'Next cards ↻';
    more.addEventListener('click', () => location.reload());
    document.querySelector('.toolbar')?.append(more);
  });
}
