/**
 * `/api/pull` on the simulated Engine: Ollama's stream of progress lines ("pulling manifest", one
 * line per layer with `total` and `completed` bytes, "verifying sha256 digest", "writing
 * manifest", "success"). A model already installed finishes at once; a new one downloads at
 * 100 MB/s of simulated time and is then installed, sized and paced from its tag like the
 * capacity planner sizes unknown models. A malformed name fails as Ollama's registry does.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { HARDWARE, modelProfile, modelSpeed } from "../planning/engine-hardware.js";
import type { SimulatedEngineScheduler } from "./simulated-engine-scheduler.js";
import type { LocalModelSpec } from "./simulated-model-speeds.js";
import { line, NDJSON_TYPE } from "./simulated-ollama-wire.js";
import type { SimulatedTime } from "./simulated-time.js";

const DOWNLOAD_BYTES_PER_SECOND = 100e6;
const MODEL_NAME = /^[a-z0-9][a-z0-9._/-]*(?::[a-z0-9._-]+)?$/i;

export interface PullRequest {
  response: ServerResponse;
  body: Record<string, unknown>;
  scheduler: SimulatedEngineScheduler;
  time: SimulatedTime;
}

export async function pullModel({ response, body, scheduler, time }: PullRequest): Promise<void> {
  const requested = String(body.model ?? body.name ?? "");
  const name = requested.includes(":") ? requested : `${requested}:latest`;
  response.writeHead(200, NDJSON_TYPE);
  if (!MODEL_NAME.test(requested)) {
    response.end(line({ error: "pull model manifest: file does not exist" }));
    return;
  }
  const installed = scheduler.spec(name);
  const spec = installed ?? pulledModelSpec(name);
  const layers = [
    { digest: digestOf(`${name}/weights`), total: spec.sizeBytes },
    { digest: digestOf(`${name}/template`), total: 1_482 },
    { digest: digestOf(`${name}/params`), total: 148 },
  ];
  response.write(line({ status: "pulling manifest" }));
  for (const layer of layers) {
    const status = `pulling ${layer.digest.slice(7, 19)}`;
    if (installed) {
      response.write(line({ status, digest: layer.digest, total: layer.total, completed: layer.total }));
      continue;
    }
    let completed = 0;
    while (completed < layer.total && !response.destroyed) {
      // One progress line per simulated second, as Ollama's client-facing stream roughly gives.
      await time.wait(Math.min(1_000, ((layer.total - completed) / DOWNLOAD_BYTES_PER_SECOND) * 1000));
      completed = Math.min(layer.total, completed + DOWNLOAD_BYTES_PER_SECOND);
      response.write(line({ status, digest: layer.digest, total: layer.total, completed }));
    }
  }
  if (response.destroyed) return;
  for (const status of ["verifying sha256 digest", "writing manifest", "success"])
    response.write(line({ status }));
  if (!installed) scheduler.install(spec);
  response.end();
}

function pulledModelSpec(name: string): LocalModelSpec {
  const profile = modelProfile(name);
  const speed = modelSpeed(HARDWARE["m4-max-64"]!, profile, profile.weightsGB);
  return {
    name,
    sizeBytes: Math.round(profile.weightsGB * 1e9),
    contextLength: 32_768,
    capabilities: ["completion"],
    family: /^[a-z]+\d*/i.exec(name)?.[0]?.toLowerCase() ?? "llama",
    decodeTokensPerSecond: speed.decodeTokensPerSecond,
    promptTokensPerSecond: speed.promptTokensPerSecond,
    loadMs: speed.loadSeconds * 1000,
  };
}

function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}
