/**
 * The resolve hook of module-load-recorder.mjs: appends each module's resolved URL to the record
 * file, synchronously, so nothing is lost when the process exits at once.
 */
import { appendFileSync } from "node:fs";

let recordFile;

export function initialize(data) {
  recordFile = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(recordFile, `${resolved.url}\n`);
  return resolved;
}
