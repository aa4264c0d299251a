/**
 * HTML as typed values: the `html` tagged template escapes every interpolated value unless it is
 * already `Html` (another template's result, or `trustedHtml` for markup written here). So a value
 * from the ledger, a config or a caller can only ever become text on a page, never markup.
 */

/** Markup that is safe to send as is. */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a template accepts: text (escaped), markup, numbers, nothing, or lists of these. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? "";
  for (let index = 0; index < values.length; index++) text += render(values[index]) + strings[index + 1];
  return new Html(text);
}

/** Markup written in this codebase (never a value from outside). */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}

/**
 * JSON for a `<script type="application/json">` block: `<` is escaped so no value can close the
 * script element, and the browser reads it back with JSON.parse.
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028|\u2029/g, "");
  return html`<script type="application/json" id="${id}">${trustedHtml(json)}</script>`;
}
