/**
 * `switchyard calibrate`: reads the ledger and the `switchyard eval` results over the last `--days`
 * (default from `escalation.calibration.days`), reports pass rates, escalation and the Opus share,
 * and recommends where tasks should start, from judged evidence only. `--apply` writes the
 * recommended moves into the config file — comments kept — after showing the diff and asking
 * (`--yes` skips the question; without a terminal, `--yes` is required). It reads this machine's
 * ledger, read-only: it runs on the Brain.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { parseConfigText } from "../config/config-load.js";
import { formatCalibrationReport } from "../planning/calibration-format.js";
import { type CalibrationReport, recentCalibration } from "../planning/calibration-report.js";
import { applyTaskMoves, unifiedDiff } from "../planning/config-task-edit.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { withLocalSources } from "./cli-ledger.js";

export interface CalibrateCommandOptions {
  days?: string;
  json?: boolean;
  apply?: boolean;
  yes?: boolean;
  config?: string;
}

export async function calibrateCommand(options: CalibrateCommandOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const days = Number(options.days ?? loaded.config.escalation.calibration.days);
  if (!Number.isFinite(days) || days <= 0) {
    throw new CliFailure(
      `switchyard calibrate: --days must be a positive number of days; got "${options.days}"`,
      2,
    );
  }
  const report: CalibrationReport = await withLocalSources(
    loaded,
    "calibrate",
    (sources) => recentCalibration(sources, loaded.config, { days, nowMs: Date.now() }),
    { url: false },
  );
  // With --json, stdout is the report alone; the diff and questions go to stderr.
  const say = (text: string) => (options.json ? process.stderr : process.stdout).write(text);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatCalibrationReport(report));
  if (!options.apply) return;

  const moves = report.recommendations.flatMap((recommendation) => recommendation.change ?? []);
  if (moves.length === 0) {
    say("\nNothing to apply: no recommendation has strong enough evidence.\n");
    return;
  }
  const path = loaded.path;
  if (!path) {
    throw new CliFailure(
      "switchyard calibrate: --apply needs a config file to edit; create one (switchyard config init > switchyard.yaml) and run again",
    );
  }
  const before = readFileSync(path, "utf8");
  const after = applyTaskMoves(before, moves);
  // Never write a file the server would refuse to start on.
  parseConfigText(after, path, loaded.env);
  say(`\n${unifiedDiff(path, before, after)}`);
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new CliFailure(
        "switchyard calibrate: --apply asks before writing; run it in a terminal, or add --yes to write without asking",
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await prompt.question(`Write these changes to ${path}? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      say("Not written.\n");
      return;
    }
  }
  writeFileSync(path, after, "utf8");
  say(`Wrote ${moves.length} change${moves.length === 1 ? "" : "s"} to ${path}.\n`);
}
