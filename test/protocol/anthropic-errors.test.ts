import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import {
  type ErrorCode,
  SwitchyardError,
  type SwitchyardErrorOptions,
} from "../../src/errors/switchyard-error.js";
import { anthropicErrorBody } from "../../src/protocol/anthropic/anthropic-errors.js";
import { anthropicClientAnswering } from "./anthropic-sse-client.js";

function rendered(code: ErrorCode, message = "boom", options: SwitchyardErrorOptions = {}) {
  return anthropicErrorBody(new SwitchyardError(code, message, options));
}

describe("anthropicErrorBody", () => {
  it.each<[ErrorCode, number, string]>([
    ["invalid-request", 400, "invalid_request_error"],
    ["authentication", 401, "authentication_error"],
    ["budget-exceeded", 402, "billing_error"],
    ["upstream-payment-required", 402, "billing_error"],
    ["model-not-found", 404, "not_found_error"],
    ["payload-too-large", 413, "request_too_large"],
    ["upstream-rate-limited", 429, "rate_limit_error"],
    ["upstream-busy", 529, "overloaded_error"],
    ["upstream-timeout", 504, "timeout_error"],
    ["upstream-error", 500, "api_error"],
    ["upstream-unreachable", 500, "api_error"],
    ["upstream-authentication", 500, "api_error"],
    ["internal", 500, "api_error"],
    ["aborted", 499, "api_error"],
  ])("renders %s as %i %s", (code, status, type) => {
    expect(rendered(code)).toEqual({ status, body: { type: "error", error: { type, message: "boom" } } });
  });

  it("keeps the meaning of an upstream 4xx, but never answers 401 for our own upstream key", () => {
    expect(rendered("upstream-invalid-request", "bad", { upstreamStatus: 404 })).toMatchObject({
      status: 404,
      body: { error: { type: "not_found_error" } },
    });
    expect(rendered("upstream-invalid-request", "bad", { upstreamStatus: 422 })).toMatchObject({
      status: 422,
      body: { error: { type: "invalid_request_error" } },
    });
    expect(rendered("upstream-invalid-request", "bad", { upstreamStatus: 401 })).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error" } },
    });
    expect(rendered("upstream-invalid-request", "bad")).toMatchObject({ status: 400 });
  });

  it("words context overflow exactly as Anthropic, which Claude Code matches to compact", () => {
    expect(
      rendered("context-too-long", "too long", { details: { tokens: 210345, max: 200000 } }).body.error,
    ).toEqual({
      type: "invalid_request_error",
      message: "prompt is too long: 210345 tokens > 200000 maximum",
    });
    expect(rendered("context-too-long", "the conversation does not fit").body.error.message).toBe(
      "prompt is too long: the conversation does not fit",
    );
  });

  it("is read by the official SDK as the matching typed error", async () => {
    const { status, body } = rendered("upstream-busy", "Engine is busy");
    const client = anthropicClientAnswering(JSON.stringify(body), status, "application/json");
    const failure = await client.messages
      .create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((failure as InstanceType<typeof Anthropic.APIError>).error).toEqual(body);

    const billing = rendered("budget-exceeded", "Monthly budget spent");
    const billingFailure = await anthropicClientAnswering(
      JSON.stringify(billing.body),
      billing.status,
      "application/json",
    )
      .messages.create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect(billingFailure).toBeInstanceOf(Anthropic.PaymentRequiredError);
  });
});
