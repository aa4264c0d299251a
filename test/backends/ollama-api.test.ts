/** The management endpoints (`ollama-api.ts`) and the fake's non-chat surface, over loopback. */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getOllamaVersion,
  listInstalledOllamaModels,
  listLoadedOllamaModels,
  showOllamaModel,
} from "../../src/backends/ollama/ollama-api.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";

let fake: FakeOllama;

beforeAll(async () => {
  fake = await startFakeOllama({
    models: [
      {
        name: "qwen2.5-coder:32b",
        sizeBytes: 19_851_349_856,
        contextLength: 32_768,
        capabilities: ["completion", "tools"],
      },
      { name: "deepseek-r1:32b", contextLength: 131_072, capabilities: ["completion", "thinking"] },
    ],
  });
  fake.loaded.push("qwen2.5-coder:32b");
});

afterAll(async () => {
  await fake.close();
});

describe("ollama-api", () => {
  const connection = () => ({ baseUrl: fake.url, backend: "engine" });

  it("reads the version, installed models and loaded models", async () => {
    expect(await getOllamaVersion(connection())).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = await listInstalledOllamaModels(connection());
    expect(installed.map((model) => model.name)).toEqual(["qwen2.5-coder:32b", "deepseek-r1:32b"]);
    expect(installed[0]).toMatchObject({
      sizeBytes: 19_851_349_856,
      parameterSize: "32B",
      quantization: "Q4_K_M",
    });
    expect(await listLoadedOllamaModels(connection())).toEqual([
      expect.objectContaining({
        name: "qwen2.5-coder:32b",
        sizeVramBytes: 19_851_349_856,
        contextLength: 32_768,
      }),
    ]);
  });

  it("shows a model's capabilities and context length, and says how to fix a missing one", async () => {
    expect(await showOllamaModel(connection(), "deepseek-r1:32b")).toMatchObject({
      capabilities: ["completion", "thinking"],
      contextLength: 131_072,
    });
    const error = await showOllamaModel(connection(), "nope:1b").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).message).toContain("`ollama pull nope:1b`");
  });

  it("reports an unreachable server as upstream-unreachable", async () => {
    const error = await getOllamaVersion({ baseUrl: "http://127.0.0.1:1", timeoutMs: 1_000 }).catch(
      (caught: unknown) => caught,
    );
    expect((error as SwitchyardError).code).toBe("upstream-unreachable");
  });
});

describe("fake Ollama", () => {
  it("answers GET / like Ollama and 404s unknown paths in Go's words", async () => {
    const root = await request(`${fake.url}/`);
    expect(await root.body.text()).toBe("Ollama is running");
    const unknown = await request(`${fake.url}/api/nothing`);
    expect(unknown.statusCode).toBe(404);
    expect(await unknown.body.text()).toBe("404 page not found");
  });

  it("answers stream:false with one JSON object carrying the whole message and stats", async () => {
    fake.enqueue({ kind: "reply", reply: { content: "Hello!", thinking: "Greet.", evalCount: 3 } });
    const response = await request(`${fake.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "deepseek-r1:32b",
        stream: false,
        messages: [{ role: "user", content: "Hi" }],
      }),
    });
    expect(response.headers["content-type"]).toContain("application/json");
    expect(await response.body.json()).toMatchObject({
      model: "deepseek-r1:32b",
      message: { role: "assistant", content: "Hello!", thinking: "Greet." },
      done: true,
      done_reason: "stop",
      prompt_eval_count: 1,
      eval_count: 3,
      eval_duration: 75_000_000,
    });
  });

  it("streams chunked NDJSON ending with a done line", async () => {
    const response = await request(`${fake.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "qwen2.5-coder:32b", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(response.headers["content-type"]).toBe("application/x-ndjson");
    expect(response.headers["transfer-encoding"]).toBe("chunked");
    const lines = (await response.body.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop", eval_count: lines.length - 1 });
    expect(typeof lines.at(-1).total_duration).toBe("number");
    expect(
      lines
        .slice(0, -1)
        .map((line) => line.message.content)
        .join(""),
    ).toBe("Hello from qwen2.5-coder:32b");
  });
});
