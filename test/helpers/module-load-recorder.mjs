/**
 * Preloaded with `node --import` (after tsx) into a CLI process under test: writes every module the
 * process loads to the file named by SWITCHYARD_MODULE_RECORD, one a line. ES modules are written
 * by a resolve hook as they are resolved (module-load-hooks.mjs, in the hooks thread); CommonJS
 * modules from require's cache at exit, since a package that another CommonJS package requires
 * never passes the ES hooks. Plain JavaScript: a hooks module is loaded before tsx can compile it.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const file = process.env.SWITCHYARD_MODULE_RECORD;
if (file) {
  register(new URL("./module-load-hooks.mjs", import.meta.url), { data: { file } });
  const require = createRequire(import.meta.url);
  process.on("exit", () => {
    appendFileSync(
      file,
      Object.keys(require.cache)
        .map((path) => `${path}\n`)
        .join(""),
    );
  });
}
