/**
 * Writing a changed config file the careful way: never a file the server would refuse to start on,
 * always the diff first, and a question before writing unless `--yes` (without a terminal, `--yes`
 * is required).
 */
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { parseConfigText } from "../config/config-load.js";
import { unifiedDiff } from "../planning/config-task-edit.js";
import { CliFailure } from "./cli-context.js";

export interface ConfigWrite {
  path: string;
  before: string;
  after: string;
  env: NodeJS.ProcessEnv;
  /** Skip the question. */
  yes: boolean;
  /** The flag that asked for the write, for messages ("--write"). */
  flag: string;
  /** Names the new side of the diff ("profile"). */
  label: string;
  say: (text: string) => void;
}

/** True when the file was written. */
export async function writeConfigChanges(write: ConfigWrite): Promise<boolean> {
  if (write.before === write.after) {
    write.say(`${write.path} already has these settings.\n`);
    return false;
  }
  parseConfigText(write.after, write.path, write.env);
  write.say(`\n${unifiedDiff(write.path, write.before, write.after, { label: write.label })}`);
  if (!write.yes) {
    if (!process.stdin.isTTY) {
      throw new CliFailure(
        `${write.flag} asks before writing; run it in a terminal, or add --yes to write without asking`,
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await prompt.question(`Write these changes to ${write.path}? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      write.say("Not written.\n");
      return false;
    }
  }
  writeFileSync(write.path, write.after, "utf8");
  write.say(`Wrote ${write.path}.\n`);
  return true;
}
