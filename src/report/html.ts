const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a quoted attribute. Posts are hostile input: everything goes through this. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Markup that `html` inserts as it is: only what `html` itself (or `rawHtml` on a constant) made. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Marks markup made elsewhere as safe (escaped already, like `highlightHtml`), for `html` to insert unchanged. */
export function rawHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function interpolate(value: Value): string {
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * The page's one way to write markup: every value put into the template is escaped (an error code or a line
 * number from a crafted results file as much as a post), except markup `html` made itself. So no template can
 * forget one.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i += 1) out += interpolate(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is escaped so that no `</script>` or
 * `<!--` in a post can end the block early; U+2028/2029 are escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The URL when it is plain http(s), else undefined: a post's `javascript:` link must never become an href. */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
