/** JSON parsing that never throws, and says where the text stopped being JSON. */
import { describe, expect, it } from "vitest";
import { jsonParseError, parseJson, parseJsonOrUndefined } from "../../src/protocol/safe-json.js";

describe("safe JSON", () => {
  it("parses JSON, falsy values included", () => {
    expect(parseJson('{"a":[1,null]}')).toEqual({ ok: true, value: { a: [1, null] } });
    expect(parseJson("0")).toEqual({ ok: true, value: 0 });
    expect(parseJson("null")).toEqual({ ok: true, value: null });
    expect(parseJsonOrUndefined("false")).toBe(false);
    expect(jsonParseError('"text"')).toBeUndefined();
  });

  it("returns an error that says where parsing stopped, for every kind of break", () => {
    expect(parseJson('{"a":1,}')).toEqual({ ok: false, error: expect.stringMatching(/at position 7/) });
    expect(jsonParseError('{"a":1} x')).toMatch(/at position 8/);
    // V8 gives no position when the text simply ends; the helper adds it.
    expect(jsonParseError('{"a":')).toBe("Unexpected end of JSON input at position 5");
    expect(jsonParseError("")).toBe("Unexpected end of JSON input at position 0");
    // Otherwise V8 quotes the token it stopped at and the text around it.
    expect(jsonParseError("not json")).toMatch(/Unexpected token 'o', "not json" is not valid JSON/);
  });

  it("answers undefined, never throws, for text that is not JSON", () => {
    for (const text of ["", "{", "<html>", "undefined", "{'a':1}"]) {
      expect(parseJsonOrUndefined(text)).toBeUndefined();
      expect(parseJson(text).ok).toBe(false);
    }
  });
});
