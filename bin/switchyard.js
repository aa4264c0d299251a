#!/usr/bin/env node
// The installed entry point: runs the compiled CLI. `statusline`, which Claude Code runs after
// every message, starts on its own without loading the rest of the CLI.
if (process.argv[2] === "statusline") await import("../dist/src/cli/statusline-main.js");
else await import("../dist/src/cli/main.js");
