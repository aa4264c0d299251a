/** Shared by the escalation tests: the repo's own TypeScript compiler as a check command. */
import { resolve } from "node:path";

export const TSC = resolve("node_modules/.bin/tsc");
/** One file, no emit, strict: fast enough for a test (about a second). */
export const TSC_CHECK = `${TSC} --noEmit --strict --skipLibCheck answer.ts`;
