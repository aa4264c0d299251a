/**
 * The one place that knows every kind of back end: config entry in, Backend out. Adding a back end
 * is a folder under backends/ and a case here.
 */
import type { BackendConfig } from "../config/config-schema.js";
import type { Backend } from "./backend.js";
import { OllamaBackend } from "./ollama/ollama-backend.js";
import { OpenAICompatibleBackend } from "./openai-compatible/openai-compatible-backend.js";

export function createBackend(id: string, config: BackendConfig): Backend {
  switch (config.type) {
    case "ollama":
      return new OllamaBackend({
        id,
        baseUrl: config.base_url,
        firstByteTimeoutMs: config.first_byte_timeout_ms,
        answerTimeoutMs: config.answer_timeout_ms,
      });
    case "openai-compatible":
      return new OpenAICompatibleBackend({
        id,
        baseUrl: config.base_url,
        headers: config.headers,
        flavor: config.flavor,
        firstByteTimeoutMs: config.first_byte_timeout_ms,
        answerTimeoutMs: config.answer_timeout_ms,
        ...(config.api_key ? { apiKey: config.api_key } : {}),
      });
  }
}
