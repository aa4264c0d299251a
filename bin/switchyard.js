#!/usr/bin/env node
// The installed entry point: runs the compiled CLI. `statusline`, which Claude Code runs after
// every message, and `mcp-server`, which every workflow run starts for its tools, start on their
// own without loading the rest of the CLI.
if (process.argv[2] === "statusline") await import("../dist/src/cli/statusline-main.js");
else if (process.argv[2] === "mcp-server") await import("../dist/src/cli/mcp-server-main.js");
else await import("../dist/src/cli/main.js");
