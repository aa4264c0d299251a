/**
 * Pulling a model: `/api/pull`'s NDJSON progress summed over its layers, an error line turned into
 * a SwitchyardError naming the Engine, and the progress bar a terminal gets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PullProgress, pullOllamaModel } from "../../src/engines/engine-ollama-calls.js";
import { pullProgressRenderer } from "../../src/engines/engine-pull-progress.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { rejection } from "./engine-test-kit.js";

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe("engine pull", () => {
  it("reports progress over every layer and resolves on success", async () => {
    const seen: PullProgress[] = [];
    await pullOllamaModel({ baseUrl: fake.url, backend: "engine" }, "gemma3:4b", (progress) =>
      seen.push(progress),
    );
    expect(seen[0]).toEqual({ model: "gemma3:4b", status: "pulling manifest" });
    expect(seen.find((progress) => progress.completedBytes === 2_000)).toMatchObject({ totalBytes: 4_000 });
    expect(seen.at(-1)).toMatchObject({ status: "success", completedBytes: 5_000, totalBytes: 5_000 });
    expect(fake.models.some((model) => model.name === "gemma3:4b")).toBe(true);
  });

  it("turns an error line into an error naming the Engine", async () => {
    const error = await rejection(
      pullOllamaModel({ baseUrl: fake.url, backend: "engine-2" }, "missing:1b", () => {}),
    );
    expect(error.code).toBe("upstream-error");
    expect(error.message).toContain('Engine "engine-2"');
    expect(error.message).toContain("could not pull missing:1b: pull model manifest: file does not exist");
  });

  it("draws a bar in place on a terminal", () => {
    const written: string[] = [];
    const render = pullProgressRenderer("engine: qwen", true, (text) => written.push(text));
    render({ model: "qwen", status: "pulling 6a0746a1ec1a", completedBytes: 10e9, totalBytes: 20e9 });
    expect(written[0]).toBe(
      `\r\x1b[2Kengine: qwen: pulling 6a0746a1ec1a [${"#".repeat(15)}${".".repeat(15)}] 50% 10.0/20.0 GB`,
    );
  });
});
