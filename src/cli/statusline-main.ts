/**
 * `switchyard statusline` started on its own by bin/switchyard.js, without loading the rest of the
 * CLI (the gateway, the stores, the workflow runtime): Claude Code runs it after every message,
 * and most of a full start is spent loading code it never uses. Takes the same options as the
 * command registered in main.ts: `--url <url>` and `--config <file>`.
 */
import { statuslineCommand } from "./statusline-command.js";

const args = process.argv.slice(3);
const optionValue = (...names: string[]) => {
  const index = args.findIndex((arg) => names.includes(arg));
  return index === -1 ? undefined : args[index + 1];
};
const inline = (name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);

await statuslineCommand({
  url: optionValue("--url") ?? inline("--url"),
  config: optionValue("-c", "--config") ?? inline("--config"),
}).catch((error: unknown) => {
  // Claude Code blanks the line on a failure; a dim reason is more use to the person looking.
  process.stdout.write(
    `\x1b[2mswitchyard · ${error instanceof Error ? error.message : String(error)}\x1b[0m\n`,
  );
});
process.exit(0);
