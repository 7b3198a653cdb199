import { CATEGORIES, type Category } from '../types.js';

/** One colour per category: marks, chips, bars and histograms use the same one. */
export const CATEGORY_COLORS: Readonly<Record<Category, string>> = {
  drugs: '#d9480f',
  cyberbullying: '#e8a317',
  extremism: '#862e3a',
  hate: '#a61e9e',
  suicide: '#2b7a78',
  gambling: '#1c7ed6',
  fraud: '#6741d9',
  sexual: '#d6336c',
  weapons: '#4d7c0f',
};

const categoryRules = CATEGORIES.map(
  (c) =>
    `.q-${c}{--c:${CATEGORY_COLORS[c]}}` +
    `mark.q-${c}{background:color-mix(in srgb,${CATEGORY_COLORS[c]} 22%,transparent);border-bottom:2px solid ${CATEGORY_COLORS[c]}}`,
).join('\n') +
  // Context evidence lowered a score: dotted grey, never a category colour.
  '\nmark.q-context{background:none;border-bottom:2px dotted #868e96}';

export const STYLE = `
:root{--fg:#1d2126;--muted:#5f6b76;--line:#dde2e7;--bg:#f6f7f9;--card:#fff;--accent:#1c7ed6;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:14px;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}
body{margin:0}
header.top{padding:14px 20px;background:#1d2733;color:#fff}
header.top h1{margin:0;font-size:20px;font-weight:600}
header.top p{margin:4px 0 0;color:#c3ccd6;font-size:12px}
main{padding:16px 20px;max-width:1400px;margin:0 auto}
section.summary{display:grid;grid-template-columns:minmax(420px,1.4fr) minmax(280px,1fr);gap:16px;margin-bottom:16px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.panel h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 8px}
h2.gap{margin-top:14px}
.totals{display:flex;flex-wrap:wrap;gap:18px;margin-bottom:12px}
.totals div{min-width:90px}
.totals b{display:block;font-size:22px;font-weight:600}
.totals span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}
td,th{padding:3px 6px;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-weight:600;color:var(--muted);font-size:12px}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--c);margin-right:6px}
svg.hist{display:block}
svg.hist rect{fill:var(--c)}
svg.hist text{font-size:9px;fill:var(--muted)}
details summary{cursor:pointer;color:var(--muted)}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;position:sticky;top:0;z-index:2}
form.filters label{display:flex;flex-direction:column;font-size:11px;color:var(--muted);gap:2px}
form.filters input,form.filters select{font:inherit;padding:4px 6px;border:1px solid var(--line);border-radius:4px;background:#fff}
form.filters input[type=number]{width:70px}
form.filters input[type=search]{width:220px}
.toolbar{display:flex;gap:12px;align-items:center;margin:10px 0;color:var(--muted)}
.toolbar .spacer{flex:1}
button{font:inherit;cursor:pointer;border:1px solid var(--line);background:#fff;border-radius:4px;padding:4px 10px}
button:hover{border-color:var(--accent)}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.card{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--c,#999);border-radius:8px;padding:10px 12px;margin-bottom:10px}
.card.decided{opacity:.72}
.card.decided:hover{opacity:1}
.card .head{display:flex;flex-wrap:wrap;gap:8px;align-items:center;font-size:12px;color:var(--muted)}
.card .head .rank{font-weight:600;color:var(--fg)}
.card .head .prio{font-variant-numeric:tabular-nums;font-weight:600;color:var(--fg)}
.card .head a{color:var(--accent)}
.chip{display:inline-block;padding:1px 7px;border-radius:10px;background:var(--c);color:#fff;font-size:11px;font-weight:600}
.dup{background:#eef3f8;color:#30475e;border-radius:10px;padding:1px 8px;font-weight:600}
.text{white-space:pre-wrap;word-break:break-word;margin:8px 0;font-size:14px;line-height:1.5;max-height:16em;overflow:auto}
mark{color:inherit;border-radius:2px;padding:0 1px}
.facts{display:flex;flex-wrap:wrap;gap:6px 24px;font-size:12px}
.scores{display:grid;grid-template-columns:auto 90px auto;gap:2px 6px;align-items:center}
.scores .bar{height:7px;background:#edf0f3;border-radius:4px;overflow:hidden}
.scores .bar i{display:block;height:100%;background:var(--c)}
.scores .v{font-variant-numeric:tabular-nums;color:var(--muted)}
.scores .lab{font-weight:600}
.contacts span,.rules code{display:inline-block;margin:0 4px 3px 0;padding:1px 6px;border-radius:4px;background:#f1f3f5;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11px}
.contacts span b{font-weight:600;color:var(--muted);margin-right:3px}
.decide{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:8px}
.decide .state{font-weight:600}
.decide .state.confirmed{color:#2b8a3e}.decide .state.relabelled{color:#e67700}.decide .state.clean{color:#495057}
.picker{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:6px 8px;background:#f8f9fa;border-radius:6px}
.picker[hidden]{display:none}
.members{margin:8px 0 0 18px}
.members .card{margin-bottom:6px}
nav.pager{display:flex;gap:8px;align-items:center;justify-content:center;margin:14px 0}
.empty{padding:30px;text-align:center;color:var(--muted)}
${categoryRules}
`;
