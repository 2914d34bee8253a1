import { describe, expect, it } from "vitest";
import { phpJsonEncode } from "./php-json.ts";

describe("phpJsonEncode", () => {
  it("escapes slashes and non-ASCII the way PHP's json_encode does", () => {
    expect(phpJsonEncode({ name: "Café", url: "https://shop.example/a/b" })).toBe(
      '{"name":"Caf\\u00e9","url":"https:\\/\\/shop.example\\/a\\/b"}',
    );
  });

  it("writes characters outside the BMP as two lowercase surrogate escapes", () => {
    expect(phpJsonEncode("👍")).toBe('"\\ud83d\\udc4d"');
  });

  it("produces text that JSON.parse reads back to the same value", () => {
    const value = { a: "Zürich/Genève", b: [1, "x\ny"], c: null };
    expect(JSON.parse(phpJsonEncode(value))).toEqual(value);
  });
});
