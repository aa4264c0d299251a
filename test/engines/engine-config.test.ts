/**
 * Engines in config: the defaults (one Engine, four slots, warm), a second Engine as one entry, and
 * the checks on `serves` that stop a config that could not work.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "../../src/config/config-load.js";
import { engineSpecs } from "../../src/engines/engine-spec.js";

const parse = (yaml?: string) => parseConfigText(yaml, "test.yaml", {});

function problems(yaml: string): string[] {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("Engine config", () => {
  it("defaults to one Engine serving both local aliases, 2 slots (the 64 GB profile), warm, next-rung on timeout", () => {
    const [engine, ...rest] = engineSpecs(parse());
    expect(rest).toEqual([]);
    expect(engine).toMatchObject({
      id: "engine",
      slots: 2,
      memoryBytes: 64e9,
      warm: true,
      maxLoadedModels: undefined,
      queue: { maxWaitMs: 30_000, maxDepth: 64, onTimeout: "next-rung" },
      health: { pollIntervalMs: 15_000, failureThreshold: 3, halfOpenAfterMs: 20_000 },
      busyRetry: { attempts: 2, delayMs: 500 },
    });
    expect([...engine!.serves]).toEqual([
      ["local-coder", "qwen2.5-coder:32b"],
      ["local-reasoner", "deepseek-r1:32b"],
    ]);
    // Warm-up loads each model with the num_ctx its alias asks for, so no request reloads it.
    expect([...(engine!.contextWindows ?? [])]).toEqual([
      ["qwen2.5-coder:32b", 32_768],
      ["deepseek-r1:32b", 12_288],
    ]);
  });

  it("a second Engine is one entry; a coding and a reasoning Engine split the aliases", () => {
    const specs = engineSpecs(
      parse(
        [
          "backends:",
          "  engine: { serves: [local-coder], memory_gb: 64, queue: { on_timeout: error } }",
          "  reasoning: { type: ollama, base_url: http://engine-2.local:11434, serves: [local-reasoner], slots: 1 }",
        ].join("\n"),
      ),
    );
    expect(specs.map((spec) => [spec.id, [...spec.serves.keys()], spec.slots])).toEqual([
      ["engine", ["local-coder"], 2],
      ["reasoning", ["local-reasoner"], 1],
    ]);
    expect(specs[0]?.memoryBytes).toBe(64e9);
    expect(specs[0]?.queue.onTimeout).toBe("error");
  });

  it("refuses serves that name a cloud alias, and a local alias no Engine serves", () => {
    expect(problems("backends:\n  engine: { serves: [local-coder, cloud-sonnet] }\n")).toEqual([
      'backends.engine.serves.1 must name an alias on an Ollama back end; use one of: local-coder, local-reasoner; got "cloud-sonnet"',
      'aliases.local-reasoner.backend is an Engine whose `serves` leaves this alias out, and no other Engine serves it; add it to a `serves` list; got "engine"',
    ]);
    expect(problems("backends:\n  engine: { slots: 0, queue: { on_timeout: wait } }\n")).toEqual([
      expect.stringContaining("backends.engine.slots"),
      expect.stringContaining('backends.engine.queue.on_timeout must be "next-rung" or "error"'),
    ]);
  });
});
