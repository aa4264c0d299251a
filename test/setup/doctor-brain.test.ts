/**
 * `switchyard doctor` on the Brain, against the fakes in each failure mode: an Engine that listens
 * on loopback only (unreachable from here), a model missing, models that cannot stay resident
 * together, fewer slots than configured (measured with concurrent probes against the fake's
 * scheduler), an invalid OpenRouter key, a retired model and one about to be, a gate's tool
 * missing, and the Brain's own service down — and a healthy setup behind a real gateway.
 */
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type DoctorReport, runDoctor } from "../../src/setup/doctor.js";
import type { CheckStatus } from "../../src/setup/doctor-check.js";
import { DEFAULT_DOCTOR_TIMEOUTS } from "../../src/setup/doctor-environment.js";
import { CODER, eventually, REASONER } from "../engines/engine-test-kit.js";
import {
  defaultFakeOllamaModels,
  type FakeEngineOptions,
  type FakeOllama,
  startFakeOllama,
} from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { doctorEnvironment, ManualTimer, resultOf } from "./doctor-test-kit.js";

const KEY = "sk-or-v1-right";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Setup {
  ollama: FakeOllama;
  openRouter: FakeOpenRouter;
  timer: ManualTimer;
  run(): Promise<DoctorReport>;
}

/** Fakes for the Engine and OpenRouter, and a Brain config pointing at them (its own service: down). */
async function brain(
  options: {
    engine?: FakeEngineOptions;
    models?: typeof defaultFakeOllamaModels;
    engineUrl?: (fake: FakeOllama) => string;
    apiKey?: string;
    webhooks?: boolean;
    path?: string;
    yaml?: string[];
  } = {},
): Promise<Setup> {
  const ollama = await startFakeOllama({
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.models ? { models: options.models } : {}),
  });
  // Streams that stay open until the doctor lets go: the slot probe sees who is running.
  ollama.setDefault({ kind: "hang" });
  const openRouter = await startFakeOpenRouter({ apiKey: KEY });
  cleanups.push(
    () => ollama.close(),
    () => openRouter.close(),
  );
  const yaml = [
    "backends:",
    `  engine: { base_url: "${options.engineUrl?.(ollama) ?? ollama.url}" }`,
    `  openrouter: { base_url: "${openRouter.baseUrl}", api_key: "${options.apiKey ?? KEY}" }`,
    ...(options.webhooks === false
      ? []
      : ["budget:", "  alerts: { webhooks: [{ url: https://ntfy.sh/switchyard-test, format: ntfy }] }"]),
    ...(options.yaml ?? []),
  ].join("\n");
  const timer = new ManualTimer();
  const environment = doctorEnvironment(yaml, { path: options.path ?? dirname(process.execPath) });
  return { ollama, openRouter, timer, run: () => runDoctor({ environment, role: "brain", timer }) };
}

const statuses = (report: DoctorReport, ...ids: string[]): CheckStatus[] =>
  ids.map((id) => resultOf(report.results, id).status);

describe("doctor on the Brain", () => {
  it("passes a healthy setup: the Engine's models resident with their slots, the key, the catalog, the budget, the gates' tools, its own service and token", async () => {
    const harness: Harness = await startHarness({
      authTokens: ["brain-token"],
      shippedGates: true,
      configYaml: [
        "budget:",
        "  alerts: { webhooks: [{ url: https://ntfy.sh/switchyard-test, format: ntfy }] }",
        "gates:",
        '  code-generation: { executable: { commands: ["node --check answer.js"] } }',
      ].join("\n"),
    });
    cleanups.push(() => harness.close());
    harness.ollama.setDefault({ kind: "hang" });
    const environment = doctorEnvironment("", {
      config: harness.config,
      localBrainUrl: harness.url,
      token: "brain-token",
      path: dirname(process.execPath),
    });
    const report = await runDoctor({ environment, role: "brain", timer: new ManualTimer() });
    const byId = Object.fromEntries(report.results.map((result) => [result.id, result.status]));
    expect(byId).toEqual({
      "engine-reachable:engine": "ok",
      "models-pulled:engine": "ok",
      "models-resident:engine": "ok",
      "slots:engine": "ok",
      "profile:engine": "ok",
      "openrouter-key": "ok",
      "openrouter-models": "ok",
      budget: "ok",
      toolchains: "ok",
      "brain-service": "ok",
      // The harness listens on 127.0.0.1: only this machine could reach it.
      "brain-token": "warn",
    });
    expect(report.exitCode).toBe(0);
    expect(resultOf(report.results, "models-resident:engine").detail).toBe(
      `${CODER} 19.9 GB, ctx 32768; ${REASONER} 19.9 GB, ctx 12288 — resident together`,
    );
    expect(resultOf(report.results, "slots:engine").detail).toBe(
      `2 of 2 concurrent requests to ${CODER} ran at once`,
    );
    expect(resultOf(report.results, "openrouter-key").detail).toContain("limit $100.00, $100.00 left");
    // The default gates check code tasks by language with whatever compilers this machine has.
    expect(resultOf(report.results, "toolchains").detail).toMatch(
      /^node found; code-generation, test-generation, refactoring, lint checked by language: JavaScript \(node\)/,
    );
  });

  it("an Engine that listens on loopback only cannot be reached from the Brain: ✗ with the OLLAMA_HOST fix, and the Engine's other checks skipped", async () => {
    // The fake listens on 127.0.0.1 only; 127.0.0.2 is another address of this machine, as the LAN is.
    const setup = await brain({ engineUrl: (fake) => fake.url.replace("127.0.0.1", "127.0.0.2") });
    const report = await setup.run();
    const reachable = resultOf(report.results, "engine-reachable:engine");
    expect(reachable.status).toBe("fail");
    expect(reachable.detail).toMatch(/127\.0\.0\.2:\d+: connection refused/);
    expect(reachable.fix).toContain("OLLAMA_HOST=0.0.0.0");
    expect(statuses(report, "models-pulled:engine", "models-resident:engine", "slots:engine")).toEqual([
      "skip",
      "skip",
      "skip",
    ]);
    expect(report.exitCode).toBe(1);
  });

  it("a model missing on the Engine: ✗ naming it and the pull", async () => {
    const setup = await brain({ models: defaultFakeOllamaModels.filter((model) => model.name !== REASONER) });
    const report = await setup.run();
    const pulled = resultOf(report.results, "models-pulled:engine");
    expect(pulled.status).toBe("fail");
    expect(pulled.detail).toMatch(/^deepseek-r1:32b is not pulled \(the Engine has qwen2\.5-coder:32b, /);
    expect(pulled.fix).toBe(
      "On the Engine: ollama pull deepseek-r1:32b — or from here: switchyard engine pull",
    );
    expect(statuses(report, "models-resident:engine")).toEqual(["skip"]);
  });

  it("models that cannot stay resident together (OLLAMA_MAX_LOADED_MODELS=1): ✗ after warm-up", async () => {
    const setup = await brain({ engine: { maxLoadedModels: 1 } });
    const report = await setup.run();
    const resident = resultOf(report.results, "models-resident:engine");
    expect(resident.status).toBe("fail");
    expect(resident.detail).toBe(
      `only ${REASONER} stayed loaded: ${CODER} loaded and was evicted again, so requests would swap models`,
    );
    expect(resident.fix).toContain("OLLAMA_MAX_LOADED_MODELS=2");
    expect(setup.ollama.engineStats()).toMatchObject({ loads: 2, evictions: 1 });
  });

  it("fewer slots than configured, measured: the scheduler runs one of two probes, the other waits until the watch ends", async () => {
    const setup = await brain({ engine: { slots: 1 } });
    const running = setup.run();
    const chats = () => setup.ollama.requests.filter((request) => request.path === "/api/chat");
    await eventually(
      () =>
        chats().length === 2 &&
        setup.ollama.maxConcurrent(CODER) === 1 &&
        setup.timer.pending(DEFAULT_DOCTOR_TIMEOUTS.probeWindowMs).length === 1,
      10_000,
    );
    setup.timer.pending(DEFAULT_DOCTOR_TIMEOUTS.probeWindowMs)[0]!.fire();
    const report = await running;
    const slots = resultOf(report.results, "slots:engine");
    expect(slots.status).toBe("fail");
    expect(slots.detail).toBe(
      `only 1 of 2 concurrent requests to ${CODER} ran at once; Ollama queued the rest`,
    );
    expect(slots.fix).toContain("OLLAMA_NUM_PARALLEL=2");
    // The probes asked for the alias's num_ctx, so they did not make Ollama reload the model.
    expect(
      chats().map((request) => (request.body as { options: { num_ctx: number } }).options.num_ctx),
    ).toEqual([32_768, 32_768]);
    expect(setup.ollama.engineStats().loads).toBe(2);
  });

  it("an invalid OpenRouter key: ✗ with where to make a new one", async () => {
    const setup = await brain({ apiKey: "sk-or-v1-wrong" });
    const report = await setup.run();
    const key = resultOf(report.results, "openrouter-key");
    expect(key.status).toBe("fail");
    expect(key.detail).toContain("the key was refused");
    expect(key.detail).not.toContain("sk-or-v1-wrong");
    expect(key.fix).toContain("https://openrouter.ai/settings/keys");
  });

  it("a key without a limit, or with less credit than the budget: ! with the figures", async () => {
    const setup = await brain();
    setup.openRouter.keyInfo = { limit: null, usage: 12.5, limitRemaining: null };
    let key = resultOf((await setup.run()).results, "openrouter-key");
    expect(key).toMatchObject({
      status: "warn",
      detail: "key sk-or-v1-fak...key: valid, no spending limit, $12.50 used",
    });
    setup.openRouter.keyInfo = { limit: 50, usage: 20, limitRemaining: 30 };
    key = resultOf((await setup.run()).results, "openrouter-key");
    expect(key.status).toBe("warn");
    expect(key.detail).toContain("$30.00 left, $20.00 used: less than budget.monthly_usd ($100)");
  });

  it("a retired model is ✗, one OpenRouter retires soon is !, one missing from the catalog is ✗", async () => {
    const setup = await brain();
    const [sonnet, opus] = setup.openRouter.models;
    opus!.expirationDate = "2026-07-15";
    let models = resultOf((await setup.run()).results, "openrouter-models");
    expect(models).toMatchObject({
      status: "warn",
      detail: "cloud-opus (anthropic/claude-opus-4.6) retires on 2026-07-15, in 25 days",
    });
    sonnet!.expirationDate = "2026-06-01";
    models = resultOf((await setup.run()).results, "openrouter-models");
    expect(models.status).toBe("fail");
    expect(models.detail).toBe(
      "cloud-sonnet (anthropic/claude-sonnet-4.5) was retired on 2026-06-01; cloud-opus (anthropic/claude-opus-4.6) retires on 2026-07-15, in 25 days",
    );
    setup.openRouter.models.splice(0, 1);
    models = resultOf((await setup.run()).results, "openrouter-models");
    expect(models.detail).toContain(
      "cloud-sonnet (anthropic/claude-sonnet-4.5) is not in the catalog: retired or misspelled",
    );
  });

  it("a gate's tools missing from PATH, no alert webhook, and the Brain's own service down", async () => {
    const setup = await brain({
      webhooks: false,
      path: "",
      yaml: [
        "gates:",
        '  code-generation: { executable: { commands: ["npx tsc --noEmit --strict answer.ts"] } }',
      ],
    });
    const report = await setup.run();
    expect(resultOf(report.results, "toolchains")).toMatchObject({
      status: "fail",
      detail: "not on PATH: npx (gates of code-generation); tsc (gates of code-generation)",
    });
    expect(resultOf(report.results, "budget").status).toBe("warn");
    expect(resultOf(report.results, "brain-service")).toMatchObject({
      status: "fail",
      detail: "http://127.0.0.1:9: connection refused: nothing listens on that address and port",
    });
    expect(statuses(report, "brain-token")).toEqual(["skip"]);
  });
});
