/**
 * How every simulated answer says it is simulated, without breaking what it carries: prose ends
 * with a `[simulated]` line, each code block opens with a `[simulated]` comment in its own
 * language (JSON, which has no comments, is left as it is), a commit message carries a
 * `Simulated-by:` trailer (git keeps trailers), reasoning opens with `[simulated reasoning]`, and a
 * JSON answer holds the tag in a field or in its strings.
 */

export const SIMULATED_TAG = "[simulated]";

/** The last line of every prose answer. */
export function answerNote(model: string): string {
  return `${SIMULATED_TAG} Written by the Switchyard demo's stand-in for ${model}; no model ran.`;
}

/** The first line of a code block, as a comment in its language; undefined where none fits. */
export function codeMarker(language: string, model: string): string | undefined {
  const text = `${SIMULATED_TAG} demo stand-in for ${model}`;
  if (/^(py|sh|bash|yaml|yml|toml|rb|ruby|python|shell|zsh|dockerfile|makefile)$/i.test(language))
    return `# ${text}`;
  if (/^(sql|lua|haskell|hs)$/i.test(language)) return `-- ${text}`;
  if (/^(html|xml|md|markdown|svg)$/i.test(language)) return `<!-- ${text} -->`;
  if (/^(css|scss)$/i.test(language)) return `/* ${text} */`;
  if (/^(json|jsonc|text|txt|diff|patch)$/i.test(language)) return undefined;
  return `// ${text}`;
}

/** A fenced block named by its info string, opened by the marker comment. */
export function codeBlock(options: {
  language: string;
  path?: string | undefined;
  code: string;
  model: string;
}): string {
  const marker = codeMarker(options.language, options.model);
  const info = options.path ? `${options.language} title="${options.path}"` : options.language;
  const body = options.code.replace(/\n+$/, "");
  return `\`\`\`${info}\n${marker ? `${marker}\n` : ""}${body}\n\`\`\``;
}

export function commitTrailer(model: string): string {
  return `Simulated-by: Switchyard demo stand-in for ${model}`;
}

export function reasoningOpening(): string {
  return "[simulated reasoning] ";
}
